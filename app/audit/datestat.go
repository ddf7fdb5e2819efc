package audit

import (
	"fmt"
	"sort"
	"strconv"
)

// dateStat follows one date column: formats, the evidence for its day/month order, ambiguous,
// impossible and invalid values.
type dateStat struct {
	fam      [14]famStat
	dmy, mdy int64 // day/month values only one order can read
	amb      int64 // values both orders read differently
	same     int64 // day = month: same date either way
	ambRows  rowList
	bad      int64
	badRows  rowList
	badVals  map[string]int64
	years    map[int]int64
	months   map[int]int64 // year*12+month-1 of year-first values (for short spans)

	impossible rowList
	impVals    map[string]int64
	pending    []pendingDate // day/month birth dates whose verdict depends on the order

	minY, maxY   int32 // day numbers of year-first values
	hasY         bool
	xyMin, xyMax [2]int32 // 0 DMY, 1 MDY readings of day/month values
	hasXY        [2]bool
}

type famStat struct {
	count, unpadded int64
	rows            rowList
}

type pendingDate struct {
	row int64
	d   dateVal
}

func newDateStat() *dateStat {
	return &dateStat{years: map[int]int64{}, months: map[int]int64{}}
}

// age limits: a birth date more than maxAge years before the reference date is impossible.
const maxAge = 120

func (s *dateStat) observe(d dateVal, row int64, birth bool, e *env, raw string) {
	switch d.kind {
	case dateNone, dateBad:
		s.bad++
		s.badRows.add(row)
		addCapped(&s.badVals, raw)
		return
	}
	f := &s.fam[d.family]
	f.count++
	if !d.padded {
		f.unpadded++
	}
	f.rows.add(row)
	y := int(d.y)
	if d.kind == dateXY && d.family >= famXYSlash2 && d.family < famXYTime {
		y = resolveYear(y-1900, e.refYear)
	}
	s.years[y]++
	if d.kind == dateYMD {
		if !validDay(y, int(d.a), int(d.b)) {
			return
		}
		s.months[y*12+int(d.a)-1]++
		day := dayNumber(y, int(d.a), int(d.b))
		if !s.hasY || day < s.minY {
			s.minY = day
		}
		if !s.hasY || day > s.maxY {
			s.maxY = day
		}
		s.hasY = true
		if why := impossibleDate(day, y, birth, e); why != "" {
			s.impossible.add(row)
			addCapped(&s.impVals, why)
		}
		return
	}
	dmy, mdy := validDay(y, int(d.b), int(d.a)), validDay(y, int(d.a), int(d.b))
	switch {
	case !dmy && !mdy:
		s.bad++
		s.badRows.add(row)
		addCapped(&s.badVals, raw)
		return
	case dmy && !mdy:
		s.dmy++
	case mdy && !dmy:
		s.mdy++
	case d.a == d.b:
		s.same++
	default:
		s.amb++
		s.ambRows.add(row)
	}
	for i, ok := range [2]bool{dmy, mdy} {
		if !ok {
			continue
		}
		m, dd := int(d.b), int(d.a)
		if i == 1 {
			m, dd = int(d.a), int(d.b)
		}
		day := dayNumber(y, m, dd)
		if !s.hasXY[i] || day < s.xyMin[i] {
			s.xyMin[i] = day
		}
		if !s.hasXY[i] || day > s.xyMax[i] {
			s.xyMax[i] = day
		}
		s.hasXY[i] = true
	}
	// Impossible or not may depend on which order the column turns out to have.
	var v [2]string
	for i, ok := range [2]bool{dmy, mdy} {
		if ok {
			m, dd := int(d.b), int(d.a)
			if i == 1 {
				m, dd = int(d.a), int(d.b)
			}
			v[i] = impossibleDate(dayNumber(y, m, dd), y, birth, e)
		}
	}
	switch {
	case dmy && mdy && v[0] != v[1]:
		s.pending = append(s.pending, pendingDate{row, d})
	case dmy && v[0] != "":
		s.impossible.add(row)
		addCapped(&s.impVals, v[0])
	case mdy && v[1] != "":
		s.impossible.add(row)
		addCapped(&s.impVals, v[1])
	}
}

// impossibleDate says why a date cannot be right, or "".
func impossibleDate(day int32, y int, birth bool, e *env) string {
	switch {
	case y < 1800:
		return "before_1800"
	case y > e.refYear+100:
		return "far_future"
	case birth && day > e.refDay:
		return "future"
	case birth && day < e.oldest:
		return "over_120"
	}
	return ""
}

// merge adds o: the next row range, or (union) rows from anywhere in the column.
func (s *dateStat) merge(o *dateStat, union bool) {
	add := func(dst, src *rowList) {
		if union {
			*dst = *unionRows(dst, src)
		} else {
			dst.appendList(src)
		}
	}
	for i := range s.fam {
		s.fam[i].count += o.fam[i].count
		s.fam[i].unpadded += o.fam[i].unpadded
		add(&s.fam[i].rows, &o.fam[i].rows)
	}
	s.dmy += o.dmy
	s.mdy += o.mdy
	s.amb += o.amb
	s.same += o.same
	add(&s.ambRows, &o.ambRows)
	s.bad += o.bad
	add(&s.badRows, &o.badRows)
	mergeCounts(&s.badVals, o.badVals)
	for k, v := range o.years {
		s.years[k] += v
	}
	for k, v := range o.months {
		s.months[k] += v
	}
	add(&s.impossible, &o.impossible)
	mergeCounts(&s.impVals, o.impVals)
	s.pending = append(s.pending, o.pending...)
	if o.hasY {
		if !s.hasY || o.minY < s.minY {
			s.minY = o.minY
		}
		if !s.hasY || o.maxY > s.maxY {
			s.maxY = o.maxY
		}
		s.hasY = true
	}
	for i := range 2 {
		if o.hasXY[i] {
			if !s.hasXY[i] || o.xyMin[i] < s.xyMin[i] {
				s.xyMin[i] = o.xyMin[i]
			}
			if !s.hasXY[i] || o.xyMax[i] > s.xyMax[i] {
				s.xyMax[i] = o.xyMax[i]
			}
			s.hasXY[i] = true
		}
	}
}

// order decides the column's day/month order from evidence only.
func (s *dateStat) order() string {
	xy := s.dmy + s.mdy + s.amb + s.same
	switch {
	case xy == 0:
		return "YMD"
	case s.dmy > 0 && s.mdy > 0:
		return "mixed"
	case s.dmy > 0:
		return "DMY"
	case s.mdy > 0:
		return "MDY"
	}
	return "ambiguous"
}

// resolvePending settles the birth dates whose verdict depended on the order.
func (s *dateStat) resolvePending(order string, birth bool, e *env) {
	if len(s.pending) == 0 {
		return
	}
	sort.Slice(s.pending, func(i, j int) bool { return s.pending[i].row < s.pending[j].row })
	var rows []int64
	for _, p := range s.pending {
		y, m, d, ok := p.d.resolve(order, e.refYear)
		if !ok {
			continue
		}
		if why := impossibleDate(dayNumber(y, m, d), y, birth, e); why != "" {
			rows = append(rows, p.row)
			addCapped(&s.impVals, why)
		}
	}
	s.impossible = *unionRows(&s.impossible, rowListOf(rows))
	s.pending = nil
}

// formats counts values per format, labelled with the decided order.
func (s *dateStat) formats(order string) map[string]int64 {
	out := map[string]int64{}
	for i, f := range s.fam {
		if f.count > 0 {
			out[familyLabel(uint8(i), f.unpadded == 0, order)] += f.count
		}
	}
	return out
}

// minMax gives the earliest and latest date read with the decided order.
func (s *dateStat) minMax(order string) (string, string) {
	lo, hi, ok := s.minY, s.maxY, s.hasY
	use := func(i int) {
		if !s.hasXY[i] {
			return
		}
		if !ok || s.xyMin[i] < lo {
			lo = s.xyMin[i]
		}
		if !ok || s.xyMax[i] > hi {
			hi = s.xyMax[i]
		}
		ok = true
	}
	switch order {
	case "DMY":
		use(0)
	case "MDY":
		use(1)
	case "ambiguous", "mixed":
		use(0)
		use(1)
	}
	if !ok {
		return "", ""
	}
	return isoDay(lo), isoDay(hi)
}

func isoDay(d int32) string {
	y, m, dd := civil(d)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, dd)
}

func civil(d int32) (int, int, int) {
	// days since 1970-01-01 to y, m, d (Howard Hinnant's algorithm)
	z := int64(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(dd)
}

// histogram: per year, or per month when the dates span three years or less; at most 24 bars.
func (s *dateStat) histogram() []Bucket {
	if len(s.years) == 0 {
		return nil
	}
	ys := make([]int, 0, len(s.years))
	for y := range s.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	lo, hi := ys[0], ys[len(ys)-1]
	if hi-lo <= 2 && len(s.months) > 0 && s.fam[famXYSlash4].count == 0 {
		ms := make([]int, 0, len(s.months))
		for m := range s.months {
			ms = append(ms, m)
		}
		sort.Ints(ms)
		var out []Bucket
		for m := ms[0]; m <= ms[len(ms)-1]; m++ {
			out = append(out, Bucket{fmt.Sprintf("%04d-%02d", m/12, m%12+1), s.months[m]})
		}
		return out
	}
	width := 1
	for (hi-lo)/width+1 > 24 {
		switch width {
		case 1:
			width = 2
		case 2:
			width = 5
		default:
			width *= 2
		}
	}
	start := lo - ((lo%width)+width)%width
	var out []Bucket
	for b := start; b <= hi; b += width {
		var n int64
		for y := b; y < b+width; y++ {
			n += s.years[y]
		}
		label := strconv.Itoa(b)
		if width > 1 {
			label += "–" + strconv.Itoa(b+width-1)
		}
		out = append(out, Bucket{label, n})
	}
	return out
}
