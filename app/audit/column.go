package audit

import (
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// env is what every column of one partition shares.
type env struct {
	region  string
	refYear int
	refDay  int32 // the reference date as a day number
	oldest  int32 // maxAge years before it
	cap     int
	seed    maphash.Seed
	phones  *phoneChecker
}

// valInfo is one distinct value and everything worked out about it, computed once.
type valInfo struct {
	count    int64
	flags    uint32
	shape    int32
	runes    int32
	ph       bool
	sentinel bool
	full     bool // type flags and shape worked out (always, but for one in eight values of a varied column)
	date     dateVal
	money    moneyVal
	mant     int64
	scale    int8
	num      bool
	phoneOK  bool
	email    uint8
	fix      string
	post     uint8
	firstRow int64
}

// colStat is the running profile of one column over one row range.
type colStat struct {
	p   *colPlan
	env *env

	rows, nulls, blanks int64
	missing             rowList
	placeholders        map[string]int64
	placeRows           rowList
	real                int64 // values that are neither blank nor placeholders

	values     map[string]*valInfo
	hll        *hll
	top        *spaceSaving
	flagCounts [nFlags]int64

	shapeIdx    map[string]int32
	shapeNames  []string
	shapeCounts []int64
	shapeOther  int64

	minLen, maxLen int
	lenHist        [9]int64

	textMin, textMax string
	hasText          bool

	numN             int64
	numMin, numMax   float64
	numMinS, numMaxS string
	sum              decSum
	magHist          [12]int64

	untrimmed rowList

	date *dateStat

	moneyParsed, moneyFormatted int64
	moneySum                    decSum
	moneyText                   rowList
	moneyTextVals               map[string]int64

	phoneBad     rowList
	phoneBadVals map[string]int64

	emailBad   rowList
	emailTypo  rowList
	typoVals   map[string]int64
	typoFix    map[string]string
	postLost   rowList
	postBad    rowList
	postBadVal map[string]int64

	upperRows, lowerRows rowList
	titleCount           int64

	sepCands []sepCand
	sepOff   bool

	sentinels map[string]*sentinelStat

	tmp        valInfo
	sampleTick uint32
	classified int64 // values whose type flags and shape are counted
	shapeBuf   []byte
	lastV      string
	lastE      *valInfo
	arena      []byte
	slab       []valInfo
}

// sentinelStat holds a date column's 1900-01-01s until the whole column is seen.
type sentinelStat struct {
	e    valInfo
	rows rowList
}

type sepCand struct {
	row int64
	v   string
}

const maxShapes = 64
const maxBreakdown = 200

func newColStat(p *colPlan, e *env) *colStat {
	c := &colStat{p: p, env: e, values: map[string]*valInfo{}, shapeIdx: map[string]int32{},
		placeholders: map[string]int64{}, minLen: -1}
	if p.role == roleDate {
		c.date = newDateStat()
	}
	return c
}

func (c *colStat) observe(v string, null bool, row int64) {
	c.rows++
	if null {
		c.nulls++
		c.missing.add(row)
		return
	}
	if isBlank(v) {
		c.blanks++
		c.missing.add(row)
		return
	}
	var e *valInfo
	if c.values != nil {
		// runs of the same value (a state, a status) skip the map
		if v == c.lastV && c.lastE != nil {
			e = c.lastE
		} else {
			e = c.values[v]
			c.lastV, c.lastE = v, e
		}
		if e == nil {
			e = c.newVal()
			e.firstRow = row
			c.classify(e, v, true)
			c.values[c.keep(v)] = e
			c.lastE = e
			if len(c.values) > c.env.cap {
				c.overflow()
			}
		}
		e.count++
	} else {
		// Too many different values to keep: the role's own checks (dates, amounts, phones …)
		// still see every value, the shape and type statistics one value in eight.
		e = &c.tmp
		*e = valInfo{}
		c.sampleTick++
		full := c.sampleTick&7 == 1
		c.classify(e, v, full)
		c.hll.add(maphash.String(c.env.seed, v))
		if full {
			c.top.add(v, 8)
		}
	}
	if hasOuterSpace(v) {
		c.untrimmed.add(row)
	}
	if e.sentinel {
		t := strings.TrimSpace(v)
		if c.sentinels == nil {
			c.sentinels = map[string]*sentinelStat{}
		}
		ss := c.sentinels[t]
		if ss == nil {
			ss = &sentinelStat{e: *e}
			c.sentinels[t] = ss
		}
		ss.rows.add(row)
		return
	}
	if e.ph {
		t := strings.TrimSpace(v)
		if len(c.placeholders) < maxBreakdown || c.placeholders[t] > 0 {
			c.placeholders[t]++
		} else {
			c.placeholders["(other)"]++
		}
		c.placeRows.add(row)
		return
	}
	c.real++
	if e.full {
		c.classified++
		for f := e.flags; f != 0; f &= f - 1 {
			c.flagCounts[bits.TrailingZeros32(f)]++
		}
		if e.shape >= 0 {
			c.shapeCounts[e.shape]++
		} else {
			c.shapeOther++
		}
	}
	n := int(e.runes)
	if c.minLen < 0 || n < c.minLen {
		c.minLen = n
	}
	if n > c.maxLen {
		c.maxLen = n
	}
	c.lenHist[min(bits.Len(uint(n)), len(c.lenHist)-1)]++
	if e.num {
		f := float64(e.mant) / math.Pow10(int(e.scale))
		if c.numN == 0 || f < c.numMin {
			c.numMin, c.numMinS = f, v
		}
		if c.numN == 0 || f > c.numMax {
			c.numMax, c.numMaxS = f, v
		}
		c.numN++
		c.sum.add(e.mant, int(e.scale))
		c.magHist[magnitude(f)]++
	} else if e.flags&fDate == 0 {
		if !c.hasText || v < c.textMin {
			c.textMin = v
		}
		if !c.hasText || v > c.textMax {
			c.textMax = v
		}
		c.hasText = true
	}
	switch c.p.role {
	case roleDate:
		c.date.observe(e.date, row, c.p.birth, c.env, v)
	case roleMoney:
		if e.money.ok {
			c.moneyParsed++
			if e.money.formatted {
				c.moneyFormatted++
			}
			c.moneySum.add(e.money.cents, 2)
		} else {
			c.moneyText.add(row)
			addCapped(&c.moneyTextVals, v)
		}
	case rolePhone:
		if !e.phoneOK {
			c.phoneBad.add(row)
			addCapped(&c.phoneBadVals, v)
		}
	case roleEmail:
		switch e.email {
		case emailInvalid:
			c.emailBad.add(row)
		case emailTypo:
			c.emailTypo.add(row)
			dom := strings.ToLower(strings.TrimSpace(v[strings.LastIndexByte(v, '@')+1:]))
			addCapped(&c.typoVals, dom)
			if c.typoFix == nil {
				c.typoFix = map[string]string{}
			}
			c.typoFix[dom] = e.fix
		}
	case rolePostcode:
		switch e.post {
		case postLostZero:
			c.postLost.add(row)
		case postInvalid:
			c.postBad.add(row)
			addCapped(&c.postBadVal, v)
		}
	}
	if c.p.caseCheck {
		switch {
		case e.flags&fUpper != 0:
			c.upperRows.add(row)
		case e.flags&fLower != 0:
			c.lowerRows.add(row)
		case e.flags&fTitle != 0:
			c.titleCount++
		}
	}
	if e.flags&fSep != 0 && !c.sepOff && c.values != nil {
		if len(c.sepCands) >= 100_000 {
			c.sepOff, c.sepCands = true, nil
		} else {
			c.sepCands = append(c.sepCands, sepCand{row, v})
		}
	}
}

func addCapped(m *map[string]int64, v string) {
	if *m == nil {
		*m = map[string]int64{}
	}
	if len(*m) < maxBreakdown || (*m)[v] > 0 {
		(*m)[v]++
	} else {
		(*m)["(other)"]++
	}
}

// settleSentinels decides, with the whole column seen, whether each 1900-01-01-like value is
// a placeholder (it repeats) or a date like the others.
func (c *colStat) settleSentinels() {
	for _, k := range sortedKeys(c.sentinels) {
		ss := c.sentinels[k]
		n := ss.rows.len()
		if n >= 2 {
			c.placeholders[k] += n
			c.placeRows = *unionRows(&c.placeRows, &ss.rows)
			continue
		}
		late := newDateStat()
		e := &ss.e
		ss.rows.each(func(row int64) bool {
			late.observe(e.date, row, c.p.birth, c.env, k)
			return true
		})
		c.date.merge(late, true)
		c.real += n
		if e.full {
			c.classified += n
			for f := e.flags; f != 0; f &= f - 1 {
				c.flagCounts[bits.TrailingZeros32(f)] += n
			}
			if e.shape >= 0 {
				c.shapeCounts[e.shape] += n
			} else {
				c.shapeOther += n
			}
		}
		if c.minLen < 0 || int(e.runes) < c.minLen {
			c.minLen = int(e.runes)
		}
		c.maxLen = max(c.maxLen, int(e.runes))
		c.lenHist[min(bits.Len(uint(e.runes)), len(c.lenHist)-1)] += n
	}
	c.sentinels = nil
}

// keep copies a value into the column's arena: the distinct values' bytes sit together, so
// looking them up does not chase strings all over the heap.
func (c *colStat) keep(v string) string {
	if len(v) == 0 || len(v) > 256 {
		return strings.Clone(v)
	}
	if cap(c.arena)-len(c.arena) < len(v) {
		c.arena = make([]byte, 0, 32<<10)
	}
	off := len(c.arena)
	c.arena = append(c.arena, v...)
	return unsafe.String(&c.arena[off], len(v))
}

// newVal hands out a valInfo from a slab, for the same reason.
func (c *colStat) newVal() *valInfo {
	if len(c.slab) == cap(c.slab) {
		c.slab = make([]valInfo, 0, 256)
	}
	c.slab = c.slab[:len(c.slab)+1]
	return &c.slab[len(c.slab)-1]
}

// overflow switches the column from exact counting to estimates.
func (c *colStat) overflow() {
	c.hll = &hll{}
	c.top = newSpaceSaving(64)
	for v, e := range c.values {
		c.hll.add(maphash.String(c.env.seed, v))
		c.top.add(v, e.count)
	}
	c.values = nil
	c.arena, c.slab = nil, nil
	c.lastV, c.lastE = "", nil
	c.sepCands, c.sepOff = nil, true
}

func magnitude(f float64) int {
	switch {
	case f < 0:
		return 0
	case f == 0:
		return 1
	case f < 1:
		return 2
	}
	m := int(math.Log10(f)) + 3
	return min(m, 11)
}

var magLabels = [12]string{"below 0", "0", "0 to 1", "1 to 9", "10 to 99", "100 to 999", "1,000 to 9,999",
	"10,000 to 99,999", "100,000 to 999,999", "1M to 9.9M", "10M to 99M", "100M and more"}

// classify works out what one distinct value is. Columns with a role only get the checks their
// role needs: their type is decided by the role. Without full, only what every value must be
// checked for is worked out (its role's check, numbers for exact sums, letter case).
func (c *colStat) classify(e *valInfo, v string, full bool) {
	e.full = full
	r := c.p.role
	if _, ok := placeholderToken(v, r); ok || slices.Contains(c.p.nulls, strings.TrimSpace(v)) {
		e.ph = true
		return
	}
	t := strings.TrimSpace(v)
	if r == roleDate && sentinelDate(t) {
		e.sentinel = true
	}
	var letters, upper, lower, digits int
	title, wordStart, sep, ascii := true, true, false, true
	for i := 0; i < len(t); i++ {
		ch := t[i]
		switch {
		case ch >= '0' && ch <= '9':
			digits++
			wordStart = false
		case ch >= 'a' && ch <= 'z':
			letters++
			lower++
			if wordStart {
				title = false
			}
			wordStart = false
		case ch >= 'A' && ch <= 'Z':
			letters++
			upper++
			if !wordStart {
				title = false
			}
			wordStart = false
		case ch >= utf8.RuneSelf:
			ascii = false
		default:
			wordStart = ch == ' ' || ch == '-' || ch == '\''
			if (ch == ',' || ch == ';' || ch == '|') && i > 0 {
				sep = true
			}
		}
	}
	if !ascii {
		letters, upper, lower, digits = 0, 0, 0, 0
		title, wordStart = true, true
		for _, ch := range t {
			switch {
			case ch >= '0' && ch <= '9':
				digits++
				wordStart = false
			case unicode.IsLetter(ch):
				letters++
				if unicode.IsUpper(ch) {
					upper++
					if !wordStart {
						title = false
					}
				} else if unicode.IsLower(ch) {
					lower++
					if wordStart {
						title = false
					}
				}
				wordStart = false
			default:
				wordStart = ch == ' ' || ch == '-' || ch == '\''
			}
		}
	}
	var f uint32
	if letters > 0 {
		f |= fLetters
	}
	if digits > 0 {
		f |= fDigits
	}
	switch {
	case letters >= 2 && upper > 0 && lower == 0:
		f |= fUpper
	case letters >= 2 && lower > 0 && upper == 0:
		f |= fLower
	case letters >= 2 && title && upper > 0:
		f |= fTitle
	}
	if sep && letters > 0 {
		f |= fSep
	}
	switch r {
	case roleDate:
		d := parseDate(t, c.p.compact)
		if d.kind == dateYMD || d.kind == dateXY {
			f |= fDate
			if d.family == famISOTime || d.family == famXYTime {
				f |= fDateTime
			}
		}
		e.date = d
	case roleMoney:
		if m := parseMoney(t); m.ok {
			f |= fMoney
			e.money = m
			e.mant, e.scale, e.num = m.cents, 2, true
		}
	case rolePhone:
		e.phoneOK = c.env.phones.valid(t)
		if digits > 0 && phoneShaped(t) {
			f |= fPhoneShape
		}
	case roleEmail:
		e.email, e.fix = checkEmail(t)
		f |= fAt
	case rolePostcode:
		e.post = checkPostcode(t, c.env.region)
	default:
		if digits > 0 {
			if mant, scale, isInt, ok := parseNumber(t); ok {
				e.mant, e.scale, e.num = mant, int8(scale), true
				if isInt {
					f |= fInt
				} else {
					f |= fDecimal
				}
			}
			if !full {
				break
			}
			if m := parseMoney(t); m.ok {
				f |= fMoney
				if strings.ContainsAny(t, "$£€") {
					f |= fCurrency
				}
			}
			if len(t) >= 6 && (letters == 0 || letters <= 9) {
				d := parseDate(t, c.p.compact)
				if d.kind == dateYMD || d.kind == dateXY {
					f |= fDate
					if d.family == famISOTime || d.family == famXYTime {
						f |= fDateTime
					}
					if d.family == famCompact {
						f &^= fInt | fDecimal
						e.num = false
					}
				}
			}
			if strings.IndexByte(t, ':') > 0 && isTime(t) {
				f |= fTime
			}
			if letters == 0 && phoneShaped(t) {
				f |= fPhoneShape
			}
		}
		if !full {
			break
		}
		if len(t) <= 5 && letters > 0 {
			for w := range boolWords {
				if strings.EqualFold(t, w) {
					f |= fBool
				}
			}
		}
		if strings.IndexByte(t, '@') >= 0 {
			f |= fAt
		}
		if len(t) == 36 && isUUID(t) {
			f |= fUUID
		}
	}
	e.flags = f
	if ascii {
		e.runes = int32(len(v))
	} else {
		e.runes = int32(utf8.RuneCountInString(v))
	}
	if !full {
		e.shape = -1
		return
	}
	c.shapeBuf = shapeOf(c.shapeBuf, v)
	if idx, ok := c.shapeIdx[string(c.shapeBuf)]; ok {
		e.shape = idx
	} else if len(c.shapeNames) < maxShapes {
		s := string(c.shapeBuf)
		e.shape = int32(len(c.shapeNames))
		c.shapeIdx[s] = e.shape
		c.shapeNames = append(c.shapeNames, s)
		c.shapeCounts = append(c.shapeCounts, 0)
	} else {
		e.shape = -1
	}
}

// merge adds the stats of the next row range.
func (c *colStat) merge(o *colStat) {
	c.rows += o.rows
	c.nulls += o.nulls
	c.blanks += o.blanks
	c.missing.appendList(&o.missing)
	for k, v := range o.placeholders {
		c.placeholders[k] += v
	}
	c.placeRows.appendList(&o.placeRows)
	c.real += o.real
	switch {
	case c.values != nil && o.values != nil:
		for k, e := range o.values {
			if m := c.values[k]; m != nil {
				m.count += e.count
			} else {
				c.values[k] = e
			}
		}
		if len(c.values) > c.env.cap {
			c.overflow()
		}
	case c.values != nil:
		c.overflow()
		fallthrough
	default:
		if o.values != nil {
			for k, e := range o.values {
				c.hll.add(maphash.String(c.env.seed, k))
				c.top.add(k, e.count)
			}
		} else {
			c.hll.merge(o.hll)
			for k, e := range o.top.m {
				c.top.add(k, e.count)
			}
		}
	}
	for i := range c.flagCounts {
		c.flagCounts[i] += o.flagCounts[i]
	}
	c.classified += o.classified
	for i, name := range o.shapeNames {
		if idx, ok := c.shapeIdx[name]; ok {
			c.shapeCounts[idx] += o.shapeCounts[i]
		} else if len(c.shapeNames) < maxShapes {
			c.shapeIdx[name] = int32(len(c.shapeNames))
			c.shapeNames = append(c.shapeNames, name)
			c.shapeCounts = append(c.shapeCounts, o.shapeCounts[i])
		} else {
			c.shapeOther += o.shapeCounts[i]
		}
	}
	c.shapeOther += o.shapeOther
	if o.minLen >= 0 && (c.minLen < 0 || o.minLen < c.minLen) {
		c.minLen = o.minLen
	}
	c.maxLen = max(c.maxLen, o.maxLen)
	for i := range c.lenHist {
		c.lenHist[i] += o.lenHist[i]
	}
	if o.hasText {
		if !c.hasText || o.textMin < c.textMin {
			c.textMin = o.textMin
		}
		if !c.hasText || o.textMax > c.textMax {
			c.textMax = o.textMax
		}
		c.hasText = true
	}
	if o.numN > 0 {
		if c.numN == 0 || o.numMin < c.numMin {
			c.numMin, c.numMinS = o.numMin, o.numMinS
		}
		if c.numN == 0 || o.numMax > c.numMax {
			c.numMax, c.numMaxS = o.numMax, o.numMaxS
		}
		c.numN += o.numN
		c.sum.addSum(&o.sum)
		for i := range c.magHist {
			c.magHist[i] += o.magHist[i]
		}
	}
	c.untrimmed.appendList(&o.untrimmed)
	if c.date != nil {
		c.date.merge(o.date, false)
	}
	for k, ss := range o.sentinels {
		if c.sentinels == nil {
			c.sentinels = map[string]*sentinelStat{}
		}
		if m := c.sentinels[k]; m != nil {
			m.rows.appendList(&ss.rows)
		} else {
			c.sentinels[k] = ss
		}
	}
	c.moneyParsed += o.moneyParsed
	c.moneyFormatted += o.moneyFormatted
	c.moneySum.addSum(&o.moneySum)
	c.moneyText.appendList(&o.moneyText)
	mergeCounts(&c.moneyTextVals, o.moneyTextVals)
	c.phoneBad.appendList(&o.phoneBad)
	mergeCounts(&c.phoneBadVals, o.phoneBadVals)
	c.emailBad.appendList(&o.emailBad)
	c.emailTypo.appendList(&o.emailTypo)
	mergeCounts(&c.typoVals, o.typoVals)
	for k, v := range o.typoFix {
		if c.typoFix == nil {
			c.typoFix = map[string]string{}
		}
		c.typoFix[k] = v
	}
	c.postLost.appendList(&o.postLost)
	c.postBad.appendList(&o.postBad)
	mergeCounts(&c.postBadVal, o.postBadVal)
	c.upperRows.appendList(&o.upperRows)
	c.lowerRows.appendList(&o.lowerRows)
	c.titleCount += o.titleCount
	if c.sepOff || o.sepOff || c.values == nil {
		c.sepOff, c.sepCands = true, nil
	} else {
		c.sepCands = append(c.sepCands, o.sepCands...)
	}
}

func mergeCounts(dst *map[string]int64, src map[string]int64) {
	for k, v := range src {
		if *dst == nil {
			*dst = map[string]int64{}
		}
		(*dst)[k] += v
	}
}

// spaceSaving keeps the approximately most frequent values of a column too varied to count
// exactly (Metwally et al.'s Space-Saving, on a min-heap). Values already tracked are counted on
// every occurrence; a new value takes the least frequent one's place on every 16th miss only,
// which keeps a column of a million different names from churning the sketch.
type spaceSaving struct {
	cap    int
	m      map[string]*ssEntry
	heap   []*ssEntry
	misses uint32
}

type ssEntry struct {
	v          string
	count, err int64
	i          int
}

func newSpaceSaving(n int) *spaceSaving { return &spaceSaving{cap: n, m: make(map[string]*ssEntry, n)} }

func (s *spaceSaving) add(v string, n int64) {
	if e, ok := s.m[v]; ok {
		e.count += n
		s.down(e.i)
		return
	}
	if len(s.heap) < s.cap {
		e := &ssEntry{v: strings.Clone(v), count: n, i: len(s.heap)}
		s.m[e.v] = e
		s.heap = append(s.heap, e)
		s.up(e.i)
		return
	}
	s.misses++
	if n == 1 && s.misses&15 != 0 {
		return
	}
	e := s.heap[0]
	delete(s.m, e.v)
	e.v, e.err, e.count = strings.Clone(v), e.count, e.count+n
	s.m[e.v] = e
	s.down(0)
}

func (s *spaceSaving) less(i, j int) bool { return s.heap[i].count < s.heap[j].count }

func (s *spaceSaving) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].i, s.heap[j].i = i, j
}

func (s *spaceSaving) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *spaceSaving) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(s.heap) {
			return
		}
		m := l
		if r := l + 1; r < len(s.heap) && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			return
		}
		s.swap(i, m)
		i = m
	}
}

// topValues lists the most frequent values.
func topValues(m map[string]int64, n int) []ValueCount {
	out := make([]ValueCount, 0, len(m))
	for k, v := range m {
		out = append(out, ValueCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
