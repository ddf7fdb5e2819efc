package audit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/ferry-migrate/ferry/app/staging"
)

// hrow is a 96-bit hash of a value (or of a whole row) and the row it came from: sorting these
// finds repeats exactly (a collision would take some 2^48 rows) in 16 bytes a row. row 0 marks
// an empty slot.
type hrow struct {
	h1  uint64
	h2  uint32
	row uint32
}

func cmpHash(a, b hrow) int {
	switch {
	case a.h1 < b.h1:
		return -1
	case a.h1 > b.h1:
		return 1
	case a.h2 < b.h2:
		return -1
	case a.h2 > b.h2:
		return 1
	}
	return 0
}

// compact drops the empty slots of a row-indexed array, in place.
func compact(hs []hrow) []hrow {
	out := hs[:0]
	for _, h := range hs {
		if h.row != 0 {
			out = append(out, h)
		}
	}
	return out
}

// person is what fuzzy duplicate detection keeps of one row of a people table (24 bytes); its
// row is its index in the table's people array. dob 0 marks an empty slot. Names are numbered
// once folded, so two people have the same fingerprint – the same names, in either order –
// when their numbers are the same pair.
type person struct {
	key          uint32 // hash of the key value; 0 without a key
	phone, email uint32 // hashes; 0 when missing
	first, last  uint32 // interned folded names
	dob          uint32 // packDate
}

// packDate keeps a birth date in 32 bits until the column's order is known: kind (2 bits),
// year (14, two-digit years already placed in their century), and the two day/month parts.
func packDate(d dateVal, refYear int) uint32 {
	y := int(d.y)
	if d.kind == dateXY && d.family >= famXYSlash2 && d.family < famXYTime {
		y = resolveYear(y-1900, refYear)
	}
	return uint32(d.kind)<<30 | uint32(y&0x3fff)<<10 | uint32(d.a&31)<<5 | uint32(d.b&31)
}

func unpackDate(v uint32) dateVal {
	return dateVal{kind: uint8(v >> 30), family: famXYSlash4, padded: true, y: int16(v >> 10 & 0x3fff), a: uint8(v >> 5 & 31), b: uint8(v & 31)}
}

// peopleCols are the column indexes a people table's checks use (-1 when absent).
type peopleCols struct {
	first, last, full, birth, phone, email int
}

// tableJob is one table to audit.
type tableJob struct {
	info      staging.TableInfo
	idx       int
	key       int // column index of the key, -1 without
	keyOrigin string
	plans     []colPlan
	people    *peopleCols
	children  map[int]bool // columns that refer to another table
	parents   map[int]bool // columns other tables refer to
}

// rowArrays are a table's per-row records, indexed by _ferry_row - base. Row ranges read in
// parallel write disjoint parts, so nothing is appended, grown or copied.
type rowArrays struct {
	base      int64
	rowHashes []hrow
	keys      []hrow
	childRefs map[int][]hrow
	parentSet map[int][]hrow
	people    []person
}

// part is the scan of one row range of a table.
type part struct {
	job  *tableJob
	env  *env
	arr  *rowArrays
	cols []*colStat

	folds     foldCache // folded names, numbered
	tests     rowList
	lastFirst rowList
	rows      int64
	lo, hi    int64
	buf       []byte
}

func newPart(job *tableJob, e *env, arr *rowArrays, lo, hi int64) *part {
	pt := &part{job: job, env: e, arr: arr, lo: lo, hi: hi}
	for i := range job.plans {
		pt.cols = append(pt.cols, newColStat(&job.plans[i], e))
	}
	return pt
}

// scanPart reads rows lo..hi (by _ferry_row) and profiles them.
func scanPart(ctx context.Context, db *sql.DB, pt *part, tick func(n int64)) error {
	job := pt.job
	var q strings.Builder
	q.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow))
	for _, c := range job.info.Columns {
		q.WriteString(", " + staging.QuoteIdent(c.Name))
	}
	q.WriteString(" FROM " + staging.QuoteIdent(job.info.Name) + " WHERE " + staging.QuoteIdent(staging.ColRow) +
		" BETWEEN ? AND ? ORDER BY " + staging.QuoteIdent(staging.ColRow))
	n := len(job.info.Columns)
	cells := make([]string, n)
	nulls := make([]bool, n)
	var h1 maphash.Hash
	h1.SetSeed(pt.env.seed)
	var done int64
	row1 := func(vals []driver.Value) error {
		row, _ := vals[0].(int64)
		h1.Reset()
		var h2 uint32
		for i := 0; i < n; i++ {
			switch v := vals[i+1].(type) {
			case nil:
				cells[i], nulls[i] = "", true
				h1.WriteByte(0x1e)
				h2 = crc32.Update(h2, castagnoli, nullMark)
			case string:
				cells[i], nulls[i] = v, false
			case []byte:
				cells[i], nulls[i] = string(v), false
			default:
				cells[i], nulls[i] = fmt.Sprint(v), false
			}
			if !nulls[i] {
				h1.WriteString(cells[i])
				h2 = crc32.Update(h2, castagnoli, unsafe.Slice(unsafe.StringData(cells[i]), len(cells[i])))
			}
			h1.WriteByte(0x1f)
			h2 = crc32.Update(h2, castagnoli, cellMark)
			pt.cols[i].observe(cells[i], nulls[i], row)
		}
		pt.arr.rowHashes[row-pt.arr.base] = hrow{h1.Sum64(), h2, uint32(row)}
		pt.rowChecks(cells, nulls, row)
		pt.rows++
		done++
		if done&4095 == 0 {
			tick(4096)
			return ctx.Err()
		}
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", job.info.Name, err)
	}
	defer conn.Close()
	// The driver's rows are read directly: database/sql's per-row locking and conversions cost
	// a fifth of the time on a wide table.
	raw := false
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return nil
		}
		raw = true
		rows, err := qc.QueryContext(ctx, q.String(), []driver.NamedValue{{Ordinal: 1, Value: pt.lo}, {Ordinal: 2, Value: pt.hi}})
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]driver.Value, n+1)
		for {
			if err := rows.Next(vals); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if err := row1(vals); err != nil {
				return err
			}
		}
	})
	if !raw && err == nil {
		rows, qerr := conn.QueryContext(ctx, q.String(), pt.lo, pt.hi)
		if qerr != nil {
			return fmt.Errorf("reading %s: %w", job.info.Name, qerr)
		}
		vals := make([]any, n+1)
		ptrs := make([]any, n+1)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		dv := make([]driver.Value, n+1)
		for err == nil && rows.Next() {
			if err = rows.Scan(ptrs...); err == nil {
				for i, v := range vals {
					dv[i] = v
				}
				err = row1(dv)
			}
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("reading %s: %w", job.info.Name, err)
	}
	tick(done & 4095)
	return ctx.Err()
}

var (
	seed2      = maphash.MakeSeed()
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	nullMark   = []byte{0x1e, 0x1f}
	cellMark   = []byte{0x1f}
)

func (pt *part) hash(s string, row int64) hrow {
	return hrow{h1: maphash.String(pt.env.seed, s), h2: uint32(maphash.String(seed2, s)), row: uint32(row)}
}

// rowChecks are the checks that look at several columns of a row at once.
func (pt *part) rowChecks(cells []string, nulls []bool, row int64) {
	job := pt.job
	i := row - pt.arr.base
	if job.key >= 0 && !nulls[job.key] && !isBlank(cells[job.key]) {
		pt.arr.keys[i] = pt.hash(cells[job.key], row)
	}
	for c := range job.children {
		if !nulls[c] && !isBlank(cells[c]) {
			pt.arr.childRefs[c][i] = pt.hash(cells[c], row)
		}
	}
	for c := range job.parents {
		if !nulls[c] && !isBlank(cells[c]) {
			pt.arr.parentSet[c][i] = pt.hash(cells[c], row)
		}
	}
	pc := job.people
	if pc == nil {
		return
	}
	get := func(i int) string {
		if i < 0 || nulls[i] {
			return ""
		}
		return cells[i]
	}
	first, last := get(pc.first), get(pc.last)
	lastFirst := false
	switch {
	case pc.last >= 0:
		if isBlank(first) && strings.Contains(last, ",") {
			if l, f, ok := splitLastFirst(last); ok {
				last, first, lastFirst = l, f, true
			}
		}
	case pc.full >= 0:
		full := get(pc.full)
		if l, f, ok := splitLastFirst(full); ok {
			last, first, lastFirst = l, f, true
		} else {
			first, last = splitFullName(full)
		}
	}
	if lastFirst {
		pt.lastFirst.add(row)
	}
	ff, fid := pt.folds.fold(first)
	fl, lid := pt.folds.fold(last)
	// test names are looked for in the names as split: "Cervantes, Thaddeus" folded whole
	// would contain "test" across the comma
	if isTestName(ff, fl) {
		pt.tests.add(row)
		return
	}
	if pc.birth < 0 || (ff == "" && fl == "") {
		return
	}
	b := get(pc.birth)
	if isBlank(b) {
		return
	}
	if _, ph := placeholderToken(b, roleDate); ph || sentinelDate(strings.TrimSpace(b)) {
		return
	}
	d := parseDate(b, true)
	if d.kind != dateYMD && d.kind != dateXY {
		return
	}
	p := person{dob: packDate(d, pt.env.refYear), first: fid, last: lid}
	if job.key >= 0 {
		if k := get(job.key); k != "" {
			p.key = uint32(maphash.String(pt.env.seed, k)) | 1
		}
	}
	// a shared phone or e-mail is evidence only when it is a real one: "n/a" or
	// (617) 123-4567 typed for many people proves nothing
	if ph := get(pc.phone); ph != "" {
		if k := phoneDigits(pt.buf, ph); len(k) > 0 && pt.env.phones.valid(ph) {
			p.phone = uint32(maphash.Bytes(pt.env.seed, k)) | 1
		}
	}
	if e := strings.TrimSpace(get(pc.email)); e != "" && strings.IndexByte(e, '@') > 0 {
		pt.buf = pt.buf[:0]
		for i := 0; i < len(e); i++ {
			c := e[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			pt.buf = append(pt.buf, c)
		}
		p.email = uint32(maphash.Bytes(pt.env.seed, pt.buf)) | 1
	}
	pt.arr.people[i] = p
}

var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "md": true, "dds": true,
	"dmd": true, "phd": true, "esq": true, "rn": true, "do": true, "inc": true, "ltd": true, "llc": true}

// splitLastFirst reads "Last, First" (not "Smith, Jr."), the way people type names into one box.
func splitLastFirst(s string) (last, first string, ok bool) {
	l, f, found := strings.Cut(s, ",")
	if !found || strings.Contains(f, ",") {
		return "", "", false
	}
	l, f = strings.TrimSpace(l), strings.TrimSpace(f)
	if foldLetters(l) == "" || foldLetters(f) == "" || nameSuffixes[foldLetters(f)] {
		return "", "", false
	}
	return l, f, true
}

// splitFullName reads "First [Middle] Last".
func splitFullName(s string) (first, last string) {
	w := strings.Fields(s)
	switch len(w) {
	case 0:
		return "", ""
	case 1:
		return "", w[0]
	}
	return w[0], w[len(w)-1]
}

// isTestName: a folded first or last name containing "test", or a cartoon character.
func isTestName(f, l string) bool {
	if f == "" && l == "" {
		return false
	}
	if strings.Contains(f, "test") || strings.Contains(l, "test") {
		return true
	}
	switch f + " " + l {
	case "mickey mouse", "minnie mouse", "donald duck", "daffy duck", "bugs bunny":
		return true
	}
	return strings.Contains(f+l, "donotuse") || strings.Contains(f+l, "dummy")
}

// merge adds the next row range's stats; its people's names are re-interned into pt's.
func (pt *part) merge(o *part) {
	for i, c := range pt.cols {
		c.merge(o.cols[i])
	}
	if o.arr.people != nil && len(o.folds.names) > 0 {
		remap := make([]uint32, len(o.folds.names))
		for i, s := range o.folds.names {
			remap[i] = pt.folds.id(s)
		}
		for i := o.lo - o.arr.base; i <= o.hi-o.arr.base; i++ {
			p := &o.arr.people[i]
			if p.dob != 0 {
				p.first, p.last = remap[p.first], remap[p.last]
			}
		}
	}
	pt.tests.appendList(&o.tests)
	pt.lastFirst.appendList(&o.lastFirst)
	pt.rows += o.rows
}

// scanTable reads a table in parallel row ranges and merges them in order.
func scanTable(ctx context.Context, db *sql.DB, job *tableJob, mkEnv func() *env, workers int, progress func(done int64)) (*part, error) {
	var lo, hi sql.NullInt64
	q := "SELECT min(" + staging.QuoteIdent(staging.ColRow) + "), max(" + staging.QuoteIdent(staging.ColRow) + ") FROM " + staging.QuoteIdent(job.info.Name)
	if err := db.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("reading %s: %w", job.info.Name, err)
	}
	if !lo.Valid {
		return newPart(job, mkEnv(), &rowArrays{}, 1, 0), nil
	}
	span := hi.Int64 - lo.Int64 + 1
	arr := &rowArrays{base: lo.Int64, rowHashes: make([]hrow, span), childRefs: map[int][]hrow{}, parentSet: map[int][]hrow{}}
	if job.key >= 0 {
		arr.keys = make([]hrow, span)
	}
	for c := range job.children {
		arr.childRefs[c] = make([]hrow, span)
	}
	for c := range job.parents {
		arr.parentSet[c] = make([]hrow, span)
	}
	if job.people != nil && job.people.birth >= 0 {
		arr.people = make([]person, span)
	}
	n := workers
	if span < 20_000 {
		n = 1
	}
	parts := make([]*part, n)
	errs := make([]error, n)
	var done atomic.Int64
	var mu sync.Mutex
	tick := func(k int64) {
		d := done.Add(k)
		mu.Lock()
		progress(d)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		a := lo.Int64 + span*int64(i)/int64(n)
		b := lo.Int64 + span*int64(i+1)/int64(n) - 1
		parts[i] = newPart(job, mkEnv(), arr, a, b)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := scanPart(ctx, db, parts[i], tick); err != nil {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && err != context.Canceled {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, p := range parts[1:] {
		parts[0].merge(p)
	}
	return parts[0], nil
}

// sortedHashes compacts and sorts a row-indexed array by hash.
func sortedHashes(hs []hrow) []hrow {
	hs = compact(hs)
	slices.SortFunc(hs, cmpHash)
	return hs
}
