package cleanse

import (
	"database/sql"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
)

// found is where a RowRef was found: its row and line, or why not (a Left reason).
type found struct {
	row    int64
	line   int64
	key    string
	reason string
}

// findRows finds the rows refs name and fills in each ref: its row here, its key and
// occurrence, and the identifying values a later replay checks. When applying in the project
// the step was chosen in, a ref's row decides; in a replay (and for refs without a row) the
// key and occurrence decide, and the row is only taken when its names and birth date are
// still those in the ref's check.
func (e *env) findRows(refs []RowRef, identity []string) ([]found, error) {
	if len(identity) == 0 {
		identity = identityColumns(e.t.Columns)
	}
	var ident []string
	for _, c := range identity {
		if real, ok := e.t.has(c); ok {
			ident = append(ident, real)
		}
	}
	byRow := map[int64][]int{}
	byKey := map[string][]int{}
	for i, r := range refs {
		if r.Row != 0 && !e.replay {
			byRow[r.Row] = append(byRow[r.Row], i)
		} else if r.Key != "" {
			byKey[r.Key] = append(byKey[r.Key], i)
		}
	}
	out := make([]found, len(refs))
	for i := range out {
		out[i].reason = LeftNotFound
	}
	type hit struct {
		row, line int64
		vals      []sql.NullString
	}
	keyHits := map[string][]hit{}
	rowKeys := map[string]bool{} // keys of rows found by row: their occurrence is counted
	err := e.scanWith(ident, true, func(r *scanRow) error {
		if ix, ok := byRow[r.ID]; ok {
			for _, i := range ix {
				out[i] = found{row: r.ID, line: r.Line, key: r.Key}
				refs[i].Key = r.Key
				refs[i].Check = checkOf(ident, r.Vals)
			}
			if r.Key != "" {
				rowKeys[r.Key] = true
			}
		}
		if _, ok := byKey[r.Key]; ok && r.Key != "" {
			keyHits[r.Key] = append(keyHits[r.Key], hit{r.ID, r.Line, append([]sql.NullString(nil), r.Vals...)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// occurrences of the keys of rows found by row, when a key is on several rows
	if len(rowKeys) > 0 && e.t.Key != "" {
		occ := map[string][]int64{}
		err := e.scanWith(nil, true, func(r *scanRow) error {
			if rowKeys[r.Key] {
				occ[r.Key] = append(occ[r.Key], r.ID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for row, ix := range byRow {
			for _, i := range ix {
				rows := occ[refs[i].Key]
				refs[i].Occurrence = 0
				if len(rows) > 1 {
					refs[i].Occurrence = sort.Search(len(rows), func(j int) bool { return rows[j] >= row }) + 1
				}
			}
		}
	}
	for key, ix := range byKey {
		hits := keyHits[key]
		for _, i := range ix {
			n := max(refs[i].Occurrence, 1)
			if n > len(hits) {
				continue
			}
			h := hits[n-1]
			if len(refs[i].Check) > 0 && !checkMatches(ident, refs[i].Check, h.vals) {
				out[i].reason = LeftChanged
				continue
			}
			out[i] = found{row: h.row, line: h.line, key: key}
			refs[i].Row = h.row
			if len(refs[i].Check) == 0 {
				refs[i].Check = checkOf(ident, h.vals)
			}
			if len(hits) == 1 {
				refs[i].Occurrence = 0
			}
		}
	}
	// rows no longer in the table: purged or merged by an earlier operation?
	var missing []int64
	for i, f := range out {
		if f.row == 0 && refs[i].Row != 0 && !e.replay {
			missing = append(missing, refs[i].Row)
		}
	}
	if rt := removedTable(e.t.SourceID); len(missing) > 0 && tableExists(e.ctx, e.q, rt) {
		gone := map[int64]bool{}
		rows, err := e.q.QueryContext(e.ctx, `SELECT `+staging.QuoteIdent(staging.ColRow)+` FROM `+staging.QuoteIdent(rt)+` WHERE `+
			staging.QuoteIdent(staging.ColRow)+` IN (SELECT value FROM json_each(?))`, jsonInts(missing))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r int64
			if rows.Scan(&r) == nil {
				gone[r] = true
			}
		}
		rows.Close()
		for i, f := range out {
			if f.row == 0 && gone[refs[i].Row] {
				out[i].reason = LeftGone
			}
		}
	}
	return out, nil
}

func checkOf(cols []string, vals []sql.NullString) map[string]string {
	if len(cols) == 0 {
		return nil
	}
	m := make(map[string]string, len(cols))
	for i, c := range cols {
		m[c] = vals[i].String
	}
	return m
}

// checkMatches compares a ref's check with a row's values: column names case-insensitively,
// values exactly (a column the table no longer has is a mismatch).
func checkMatches(cols []string, check map[string]string, vals []sql.NullString) bool {
	for k, want := range check {
		ok := false
		for i, c := range cols {
			if strings.EqualFold(c, k) {
				ok = vals[i].String == want
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func jsonInts(v []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(itoa(x))
	}
	b.WriteByte(']')
	return b.String()
}

// refLabel names a ref for a person: its key (and occurrence), else its row.
func refLabel(r RowRef) string {
	if r.Key != "" {
		if r.Occurrence > 1 {
			return r.Key + " (" + ordinal(r.Occurrence) + " row with it)"
		}
		return r.Key
	}
	return "row " + itoa(r.Row)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
