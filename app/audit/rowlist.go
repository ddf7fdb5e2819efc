package audit

import "encoding/binary"

// rowList holds ascending row ids compactly: deltas as unsigned varints, so a million rows of a
// dense finding take about a megabyte, in memory and in the project file alike.
type rowList struct {
	buf  []byte
	n    int64
	last int64
}

func (l *rowList) add(row int64) {
	l.buf = binary.AppendUvarint(l.buf, uint64(row-l.last))
	l.last = row
	l.n++
}

func (l *rowList) len() int64 {
	if l == nil {
		return 0
	}
	return l.n
}

// each calls fn for every row in order until fn returns false.
func (l *rowList) each(fn func(row int64) bool) {
	if l == nil {
		return
	}
	var cur int64
	b := l.buf
	for len(b) > 0 {
		d, k := binary.Uvarint(b)
		b = b[k:]
		cur += int64(d)
		if !fn(cur) {
			return
		}
	}
}

func (l *rowList) slice() []int64 {
	out := make([]int64, 0, l.len())
	l.each(func(r int64) bool { out = append(out, r); return true })
	return out
}

// appendList appends other, whose rows all come after l's.
func (l *rowList) appendList(o *rowList) {
	if o == nil || o.n == 0 {
		return
	}
	o.each(func(r int64) bool { l.add(r); return true })
}

func rowListOf(rows []int64) *rowList {
	l := &rowList{}
	for _, r := range rows {
		l.add(r)
	}
	return l
}

// unionRows merges ascending lists into one (rows in both are kept once).
func unionRows(a, b *rowList) *rowList {
	x, y := a.slice(), b.slice()
	out := &rowList{}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case j >= len(y) || (i < len(x) && x[i] < y[j]):
			out.add(x[i])
			i++
		case i >= len(x) || y[j] < x[i]:
			out.add(y[j])
			j++
		default:
			out.add(x[i])
			i++
			j++
		}
	}
	return out
}

// chunkRows is how many row ids one stored chunk holds.
const chunkRows = 1024

type rowChunk struct {
	first, lastRow int64
	n              int
	data           []byte
}

// chunks splits the list for storage: each chunk's deltas start from its first row.
func (l *rowList) chunks() []rowChunk {
	var out []rowChunk
	var cur *rowChunk
	var prev int64
	l.each(func(r int64) bool {
		if cur == nil || cur.n == chunkRows {
			out = append(out, rowChunk{first: r})
			cur = &out[len(out)-1]
			prev = r
		}
		cur.data = binary.AppendUvarint(cur.data, uint64(r-prev))
		prev = r
		cur.lastRow = r
		cur.n++
		return true
	})
	return out
}

func decodeChunk(first int64, data []byte, fn func(int64)) {
	cur := first
	for len(data) > 0 {
		d, k := binary.Uvarint(data)
		if k <= 0 {
			return
		}
		data = data[k:]
		cur += int64(d)
		fn(cur)
	}
}
