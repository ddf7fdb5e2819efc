// Package compare sets the same-day report of the old and the new system side by side during the
// parallel run: it matches their records by a key column, compares counts and the sums of numeric
// columns, and lists every record that differs. Results are stored in the project so the trend
// over the days of the run can be shown. It works on plain tables of text; reading files is the
// caller's business (see TableReader).
package compare

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/ferry-migrate/ferry/app/staging"
)

// Table is one export as header and rows of text. Lines, when given, are the rows' line numbers
// in their file (for telling a person where to look).
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
	Lines  []int64
}

// FromStaging turns a table read by an importer into a Table.
func FromStaging(mt *staging.MemoryTable) Table {
	t := Table{Name: mt.Spec.Name, Header: append([]string(nil), mt.Spec.Columns...)}
	for _, r := range mt.Rows {
		t.Rows = append(t.Rows, r.Cells)
		t.Lines = append(t.Lines, r.Line)
	}
	return t
}

// TableReader reads the first table of a file (CSV, XLSX ...). cmd wires it to the importers, so
// that neither this package nor the screens depend on them.
type TableReader interface {
	ReadTable(ctx context.Context, path string) (*staging.MemoryTable, error)
}

// ReadFunc adapts a function to TableReader.
type ReadFunc func(ctx context.Context, path string) (*staging.MemoryTable, error)

// ReadTable implements TableReader.
func (f ReadFunc) ReadTable(ctx context.Context, path string) (*staging.MemoryTable, error) {
	return f(ctx, path)
}

// DiffKind says how a record differs.
type DiffKind string

const (
	MissingInOld DiffKind = "missing_in_old" // only the new system has it
	MissingInNew DiffKind = "missing_in_new" // only the old system has it
	Changed      DiffKind = "changed"        // both have it, a field differs
)

// Words describes the kind for a person.
func (k DiffKind) Words() string {
	switch k {
	case MissingInOld:
		return "only in the new system"
	case MissingInNew:
		return "missing in the new system"
	case Changed:
		return "value differs"
	}
	return string(k)
}

// Difference is one record (or, for Changed, one field of a record) that differs. For a missing
// record, Old or New holds the record's values.
type Difference struct {
	ID      int64    `json:"id,omitempty"`
	Kind    DiffKind `json:"kind"`
	Key     string   `json:"key"`
	Column  string   `json:"column,omitempty"`
	Old     string   `json:"old,omitempty"`
	New     string   `json:"new,omitempty"`
	OldLine int64    `json:"old_line,omitempty"`
	NewLine int64    `json:"new_line,omitempty"`
	ItemID  int64    `json:"checklist_item,omitempty"` // the checklist item made from it
}

// ColumnSum is the total of a numeric column on both sides.
type ColumnSum struct {
	Column     string `json:"column"`
	Old        string `json:"old"`
	New        string `json:"new"`
	Difference string `json:"difference"` // new − old
}

// Equal reports whether both totals agree.
func (c ColumnSum) Equal() bool {
	r, ok := parseNumber(c.Difference)
	return ok && r.Sign() == 0
}

// Notes are what a person should know about the two files besides the differing records.
type Notes struct {
	OnlyInOld     []string `json:"columns_only_in_old,omitempty"`
	OnlyInNew     []string `json:"columns_only_in_new,omitempty"`
	DuplicateKeys []string `json:"duplicate_keys,omitempty"` // keys found more than once on either side
	TotalLines    []string `json:"total_lines,omitempty"`    // "old line 45": totals lines left out of matching and sums
}

// Result is one comparison.
type Result struct {
	ID           int64        `json:"id,omitempty"`
	Day          string       `json:"day"`
	Entity       string       `json:"entity"`
	KeyColumn    string       `json:"key_column"`
	OldFile      string       `json:"old_file"`
	OldSHA256    string       `json:"old_sha256"`
	NewFile      string       `json:"new_file"`
	NewSHA256    string       `json:"new_sha256"`
	OldRows      int          `json:"old_rows"`
	NewRows      int          `json:"new_rows"`
	Matched      int          `json:"matched"`
	MissingInOld int          `json:"missing_in_old"`
	MissingInNew int          `json:"missing_in_new"`
	Changed      int          `json:"changed"` // records with at least one field that differs
	Sums         []ColumnSum  `json:"sums"`
	Notes        Notes        `json:"notes"`
	Differences  []Difference `json:"differences"`
	CreatedAt    time.Time    `json:"created_at,omitzero"`
	CreatedBy    string       `json:"created_by,omitempty"`
}

// Records is how many records differ in any way.
func (r *Result) Records() int { return r.MissingInOld + r.MissingInNew + r.Changed }

// SumsDiffer counts the numeric columns whose totals disagree.
func (r *Result) SumsDiffer() int {
	n := 0
	for _, s := range r.Sums {
		if !s.Equal() {
			n++
		}
	}
	return n
}

// Equal says the two reports agree: same records, same fields, same totals.
func (r *Result) Equal() bool { return r.Records() == 0 && r.SumsDiffer() == 0 }

// Options of a comparison.
type Options struct {
	Key    string // key column; "" = the old file's first column
	Day    string // YYYY-MM-DD the reports cover; "" = today
	Entity string // what is compared ("Appointments"); "" = the old table's name
}

// Compare matches the rows of old and new by the key column and lists what differs.
func Compare(old, nw Table, opts Options) (*Result, error) {
	if len(old.Header) == 0 {
		return nil, fmt.Errorf("the old system's file has no columns")
	}
	if len(nw.Header) == 0 {
		return nil, fmt.Errorf("the new system's file has no columns")
	}
	day := strings.TrimSpace(opts.Day)
	if day == "" {
		day = time.Now().Format("2006-01-02")
	}
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, fmt.Errorf("the day %q is not a date: write it as YYYY-MM-DD", day)
	}
	entity := strings.TrimSpace(opts.Entity)
	if entity == "" {
		entity = old.Name
	}
	key := strings.TrimSpace(opts.Key)
	if key == "" {
		key = strings.TrimSpace(old.Header[0])
	}
	ko, kn := colIndex(old.Header, key), colIndex(nw.Header, key)
	if ko < 0 {
		return nil, fmt.Errorf("the old system's file has no column %q; its columns are %s", key, strings.Join(old.Header, ", "))
	}
	if kn < 0 {
		return nil, fmt.Errorf("the new system's file has no column %q to match records by; its columns are %s. Choose a key column both files have",
			key, strings.Join(nw.Header, ", "))
	}
	res := &Result{Day: day, Entity: entity, KeyColumn: strings.TrimSpace(old.Header[ko])}

	// Columns both sides have, in the old file's order; the rest are noted.
	type pair struct {
		name   string
		oi, ni int
	}
	var common []pair
	for i, h := range old.Header {
		if i == ko {
			continue
		}
		if j := colIndex(nw.Header, h); j >= 0 {
			common = append(common, pair{strings.TrimSpace(h), i, j})
		} else {
			res.Notes.OnlyInOld = append(res.Notes.OnlyInOld, strings.TrimSpace(h))
		}
	}
	for j, h := range nw.Header {
		if j != kn && colIndex(old.Header, h) < 0 {
			res.Notes.OnlyInNew = append(res.Notes.OnlyInNew, strings.TrimSpace(h))
		}
	}

	oldRows := prepare(old, ko, "old", &res.Notes)
	newRows := prepare(nw, kn, "new", &res.Notes)
	res.OldRows, res.NewRows = len(oldRows), len(newRows)

	// Pair the n-th record with a key on one side with the n-th with that key on the other.
	newByKey := map[string][]int{}
	for i, r := range newRows {
		newByKey[r.key] = append(newByKey[r.key], i)
	}
	dups := map[string]bool{}
	seenOld := map[string]int{}
	for _, r := range oldRows {
		seenOld[r.key]++
		if seenOld[r.key] == 2 {
			dups[r.key] = true
		}
	}
	for k, ix := range newByKey {
		if len(ix) > 1 {
			dups[k] = true
		}
	}
	for _, r := range oldRows {
		if dups[r.key] {
			res.Notes.DuplicateKeys = appendOnce(res.Notes.DuplicateKeys, r.key)
		}
	}
	for _, r := range newRows {
		if dups[r.key] {
			res.Notes.DuplicateKeys = appendOnce(res.Notes.DuplicateKeys, r.key)
		}
	}
	usedNew := make([]bool, len(newRows))
	var missingNew, changed []Difference
	for _, o := range oldRows {
		cands := newByKey[o.key]
		if len(cands) == 0 {
			missingNew = append(missingNew, Difference{Kind: MissingInNew, Key: o.key, Old: render(old.Header, o.cells, ko), OldLine: o.line})
			continue
		}
		n := newRows[cands[0]]
		newByKey[o.key] = cands[1:]
		usedNew[cands[0]] = true
		res.Matched++
		differs := false
		for _, c := range common {
			ov, nv := cell(o.cells, c.oi), cell(n.cells, c.ni)
			if sameValue(ov, nv) {
				continue
			}
			differs = true
			changed = append(changed, Difference{Kind: Changed, Key: o.key, Column: c.name, Old: ov, New: nv, OldLine: o.line, NewLine: n.line})
		}
		if differs {
			res.Changed++
		}
	}
	var missingOld []Difference
	for i, n := range newRows {
		if !usedNew[i] {
			missingOld = append(missingOld, Difference{Kind: MissingInOld, Key: n.key, New: render(nw.Header, n.cells, kn), NewLine: n.line})
		}
	}
	res.MissingInNew, res.MissingInOld = len(missingNew), len(missingOld)
	res.Differences = append(append(append(res.Differences, missingNew...), missingOld...), changed...)

	// Totals of the numeric columns both sides have.
	for _, c := range common {
		if idLike(c.name) {
			continue
		}
		so, scaleO, okO := sumColumn(oldRows, c.oi)
		sn, scaleN, okN := sumColumn(newRows, c.ni)
		if !okO || !okN {
			continue
		}
		scale := max(scaleO, scaleN)
		d := new(big.Rat).Sub(sn, so)
		res.Sums = append(res.Sums, ColumnSum{Column: c.name, Old: so.FloatString(scale), New: sn.FloatString(scale), Difference: d.FloatString(scale)})
	}
	return res, nil
}

type row struct {
	key   string
	cells []string
	line  int64
}

var totalWords = map[string]bool{"total": true, "totals": true, "grand total": true, "sum": true, "subtotal": true}

// prepare keys the rows; a totals line (key "Total", or a blank key with other cells filled only
// by numbers) would double the sums and is left out, and noted.
func prepare(t Table, k int, side string, notes *Notes) []row {
	out := make([]row, 0, len(t.Rows))
	for i, cells := range t.Rows {
		line := int64(i + 2) // header on line 1
		if i < len(t.Lines) {
			line = t.Lines[i]
		}
		key := strings.TrimSpace(cell(cells, k))
		if totalWords[strings.ToLower(key)] || (key == "" && onlyNumbers(cells, k)) {
			notes.TotalLines = append(notes.TotalLines, fmt.Sprintf("%s line %d", side, line))
			continue
		}
		if key == "" && allBlank(cells) {
			continue // an empty line carries nothing to compare
		}
		out = append(out, row{key: key, cells: cells, line: line})
	}
	return out
}

func onlyNumbers(cells []string, skip int) bool {
	nums := 0
	for i, c := range cells {
		c = strings.TrimSpace(c)
		if i == skip || c == "" {
			continue
		}
		if _, ok := parseNumber(c); !ok {
			if !totalWords[strings.ToLower(strings.TrimRight(c, ":"))] {
				return false
			}
			continue
		}
		nums++
	}
	return nums > 0
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

func colIndex(header []string, name string) int {
	name = strings.TrimSpace(name)
	for i, h := range header {
		if strings.TrimSpace(h) == name {
			return i
		}
	}
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

// render shows a record as its non-empty values, for the list of missing records.
func render(header []string, cells []string, skip int) string {
	var parts []string
	for i := range header {
		if i == skip {
			continue
		}
		if v := cell(cells, i); v != "" {
			parts = append(parts, v)
		}
	}
	s := strings.Join(parts, " · ")
	if r := []rune(s); len(r) > 240 {
		s = string(r[:239]) + "…"
	}
	return s
}

// sameValue compares as text, and as numbers when both are numbers ("120.00" is "120", "$1,200"
// is "1200").
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	x, okA := parseNumber(a)
	y, okB := parseNumber(b)
	return okA && okB && x.Cmp(y) == 0
}

func sumColumn(rows []row, i int) (*big.Rat, int, bool) {
	sum, scale, n := new(big.Rat), 0, 0
	for _, r := range rows {
		v := cell(r.cells, i)
		if v == "" {
			continue
		}
		x, sc, ok := parseNumberScale(v)
		if !ok || leadingZero(v) {
			return nil, 0, false
		}
		sum.Add(sum, x)
		scale = max(scale, sc)
		n++
	}
	return sum, scale, n > 0
}

// leadingZero spots codes written with digits (phone numbers, "007"): not quantities to add up.
func leadingZero(v string) bool {
	v = strings.TrimLeft(v, "-+ ")
	return len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9'
}

var (
	plainNumber = regexp.MustCompile(`^\d+(\.\d+)?$`)
	thousands   = regexp.MustCompile(`^\d{1,3}(,\d{3})+(\.\d+)?$`)
	euroStyle   = regexp.MustCompile(`^\d{1,3}(\.\d{3})+(,\d+)?$`)
	decComma    = regexp.MustCompile(`^\d+,\d{1,2}$`)
)

// parseNumber reads amounts as practices' exports write them: 1200, 1,200.50, $1,200.50, -12,
// (12.00), 1.200,50, 12,5. Anything else is not a number.
func parseNumber(s string) (*big.Rat, bool) {
	r, _, ok := parseNumberScale(s)
	return r, ok
}

// parseNumberScale also says how many decimals the number was written with.
func parseNumberScale(s string) (*big.Rat, int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, 0, false
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.Is(unicode.Sc, r) || r == ' ' || r == '\u00a0' })
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		neg = !neg
		s = strings.TrimLeft(strings.TrimPrefix(s, "−"), "-")
	} else if strings.HasSuffix(s, "-") {
		neg, s = !neg, strings.TrimSuffix(s, "-")
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.Is(unicode.Sc, r) || r == ' ' })
	s = strings.NewReplacer("\u00a0", "", " ", "", "'", "").Replace(s)
	switch {
	case plainNumber.MatchString(s):
	case thousands.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	case euroStyle.MatchString(s):
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	case decComma.MatchString(s):
		s = strings.ReplaceAll(s, ",", ".")
	default:
		return nil, 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, 0, false
	}
	if neg {
		r.Neg(r)
	}
	scale := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = len(s) - i - 1
	}
	return r, scale, true
}

var idWords = map[string]bool{"id": true, "no": true, "nr": true, "num": true, "number": true, "code": true, "phone": true,
	"mobile": true, "tel": true, "fax": true, "zip": true, "postcode": true, "postal": true, "year": true, "ref": true, "key": true}

// idLike spots columns of identifiers written with digits (Patient ID, Invoice No): adding them
// up means nothing.
func idLike(name string) bool {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range name {
		switch {
		case unicode.IsUpper(r) && prevLower:
			words = append(words, string(cur))
			cur = []rune{unicode.ToLower(r)}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, unicode.ToLower(r))
		default:
			if len(cur) > 0 {
				words = append(words, string(cur))
			}
			cur = nil
		}
		prevLower = unicode.IsLower(r)
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	for _, w := range words {
		if idWords[w] {
			return true
		}
	}
	return false
}
