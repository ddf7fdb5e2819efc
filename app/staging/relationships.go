package staging

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
)

// ErrNoRelationship is wrapped when a relationship to delete is not there.
var ErrNoRelationship = errors.New("no such relationship")

// Relationship says that ChildTable.ChildColumn refers to ParentTable.ParentColumn, as an
// appointment's PatientID refers to a patient.
type Relationship struct {
	ChildTable   string `json:"child_table"`
	ChildColumn  string `json:"child_column"`
	ParentTable  string `json:"parent_table"`
	ParentColumn string `json:"parent_column"`
	Origin       string `json:"origin"`    // "user" or "suggested"
	Confirmed    bool   `json:"confirmed"` // a person accepted it
	// From the last suggestion run: child rows with a value, and how many of those values are
	// found in the parent column.
	ChildRows   int64   `json:"child_rows"`
	MatchedRows int64   `json:"matched_rows"`
	Share       float64 `json:"share"` // MatchedRows / ChildRows
	Reason      string  `json:"reason,omitempty"`

	confirmed int // as stored: 1 confirmed, 0 not yet, rejected
}

// String reads "encounters.PATIENT → patients.Id".
func (r Relationship) String() string {
	return r.ChildTable + "." + r.ChildColumn + " → " + r.ParentTable + "." + r.ParentColumn
}

// rejected marks a suggestion a person turned down, so that it is not suggested again.
const rejected = -1

// Relationships lists declared and suggested relationships (not rejected ones).
func (s *Stager) Relationships(ctx context.Context) ([]Relationship, error) {
	rows, err := s.p.Reader().QueryContext(ctx, `SELECT child_table, child_column, parent_table, parent_column, origin,
		confirmed, child_rows, matched_rows, reason FROM ferry_relationships WHERE confirmed <> ? ORDER BY child_table, child_column, id`, rejected)
	if err != nil {
		return nil, fmt.Errorf("reading relationships: %w", err)
	}
	defer rows.Close()
	return scanRelationships(rows)
}

func scanRelationships(rows *sql.Rows) ([]Relationship, error) {
	var out []Relationship
	for rows.Next() {
		var r Relationship
		var confirmed int
		if err := rows.Scan(&r.ChildTable, &r.ChildColumn, &r.ParentTable, &r.ParentColumn, &r.Origin, &confirmed,
			&r.ChildRows, &r.MatchedRows, &r.Reason); err != nil {
			return nil, fmt.Errorf("reading relationships: %w", err)
		}
		r.Confirmed = confirmed == 1
		if r.ChildRows > 0 {
			r.Share = float64(r.MatchedRows) / float64(r.ChildRows)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeclareRelationship records a relationship a person stated, or confirms a suggested one.
func (s *Stager) DeclareRelationship(ctx context.Context, r Relationship) error {
	return s.p.Do(ctx, "relationship.declare", map[string]any{"child": r.ChildTable + "." + r.ChildColumn,
		"parent": r.ParentTable + "." + r.ParentColumn}, nil, func(tx *sql.Tx) error {
		for _, tc := range [][2]string{{r.ChildTable, r.ChildColumn}, {r.ParentTable, r.ParentColumn}} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_tables WHERE name = ?`, tc[0]).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("declaring %s: %s: %w", r, tc[0], ErrNoTable)
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_columns WHERE table_name = ? AND name = ?`, tc[0], tc[1]).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("declaring %s: %s.%s: %w", r, tc[0], tc[1], ErrNoColumn)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ferry_relationships(child_table, child_column, parent_table, parent_column,
			origin, confirmed, reason, created_at) VALUES (?,?,?,?,'user',1,?,?)
			ON CONFLICT(child_table, child_column, parent_table, parent_column) DO UPDATE SET confirmed = 1`,
			r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn, r.Reason, time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("declaring %s: %w", r, err)
		}
		return nil
	})
}

// DeleteRelationship removes a relationship. A suggested one is remembered as turned down, so
// the next suggestion run does not bring it back.
func (s *Stager) DeleteRelationship(ctx context.Context, r Relationship) error {
	return s.p.Do(ctx, "relationship.delete", map[string]any{"child": r.ChildTable + "." + r.ChildColumn,
		"parent": r.ParentTable + "." + r.ParentColumn}, nil, func(tx *sql.Tx) error {
		var origin string
		err := tx.QueryRowContext(ctx, `SELECT origin FROM ferry_relationships WHERE child_table = ? AND child_column = ?
			AND parent_table = ? AND parent_column = ? AND confirmed <> ?`,
			r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn, rejected).Scan(&origin)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("removing %s: %w", r, ErrNoRelationship)
		}
		if err != nil {
			return err
		}
		q := `DELETE FROM ferry_relationships`
		if origin == "suggested" {
			q = fmt.Sprintf(`UPDATE ferry_relationships SET confirmed = %d`, rejected)
		}
		_, err = tx.ExecContext(ctx, q+` WHERE child_table = ? AND child_column = ? AND parent_table = ? AND parent_column = ?`,
			r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn)
		return err
	})
}

// relationshipsOf reads every relationship touching table, so a re-import can keep them.
func relationshipsOf(ctx context.Context, tx *sql.Tx, table string) ([]Relationship, error) {
	rows, err := tx.QueryContext(ctx, `SELECT child_table, child_column, parent_table, parent_column, origin, confirmed,
		child_rows, matched_rows, reason FROM ferry_relationships WHERE child_table = ? OR parent_table = ?`, table, table)
	if err != nil {
		return nil, fmt.Errorf("reading the relationships of %s: %w", table, err)
	}
	defer rows.Close()
	var out []Relationship
	for rows.Next() {
		var r Relationship
		var confirmed int
		if err := rows.Scan(&r.ChildTable, &r.ChildColumn, &r.ParentTable, &r.ParentColumn, &r.Origin, &confirmed,
			&r.ChildRows, &r.MatchedRows, &r.Reason); err != nil {
			return nil, err
		}
		r.Confirmed, r.confirmed = confirmed == 1, confirmed
		out = append(out, r)
	}
	return out, rows.Err()
}

// restoreRelationships puts back relationships whose tables and columns still exist.
func restoreRelationships(ctx context.Context, tx *sql.Tx, rels []Relationship) error {
	for _, r := range rels {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM ferry_columns WHERE table_name = ? AND name = ?)
			+ (SELECT count(*) FROM ferry_columns WHERE table_name = ? AND name = ?)`,
			r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO ferry_relationships(child_table, child_column, parent_table,
			parent_column, origin, confirmed, child_rows, matched_rows, reason, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn, r.Origin, r.confirmed, r.ChildRows, r.MatchedRows,
			r.Reason, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("keeping relationship %s: %w", r, err)
		}
	}
	return nil
}

// MinShare is how much of a child column's values must be found in the parent key for a
// relationship to be suggested.
const MinShare = 0.5

// SuggestRelationships looks for columns that refer to another table's key, by name first
// (appointments.PatientID → patients.PatientID, encounters.PATIENT → patients.Id,
// claims.SUPERVISINGPROVIDERID → providers.Id) and then by values: a suggestion needs at least
// MinShare of the child's non-empty values among the parent's key values. Suggestions are
// recorded (replacing earlier unconfirmed ones; turned-down ones stay turned down) and returned
// best first per table.
func (s *Stager) SuggestRelationships(ctx context.Context) ([]Relationship, error) {
	tables, err := s.Tables(ctx)
	if err != nil {
		return nil, err
	}
	db := s.p.Reader()
	type key struct {
		table, column string
		forms         []string // normalised singular and plural table names
		norm          string   // normalised key column name
	}
	var keys []key
	for _, t := range tables {
		forms := nameForms(t.Name)
		var cands []string
		if t.KeyColumn != "" {
			cands = []string{t.KeyColumn}
		} else {
			for _, c := range t.Columns {
				if keyLike(normName(c.Name), forms) {
					cands = append(cands, c.Name)
				}
			}
		}
		for _, c := range cands {
			var n, distinct, filled int64
			q := fmt.Sprintf(`SELECT count(*), count(DISTINCT NULLIF(%[1]s, '')), count(NULLIF(%[1]s, '')) FROM %[2]s`, QuoteIdent(c), QuoteIdent(t.Name))
			if err := db.QueryRowContext(ctx, q).Scan(&n, &distinct, &filled); err != nil {
				return nil, fmt.Errorf("checking %s.%s: %w", t.Name, c, err)
			}
			// a key's values are unique; a few blanks are the audit's business, not a reason to miss it
			if filled == 0 || float64(filled) < 0.9*float64(n) || distinct != filled {
				if t.KeyColumn == "" {
					continue
				}
			}
			keys = append(keys, key{table: t.Name, column: c, forms: forms, norm: normName(c)})
		}
	}
	type cand struct {
		Relationship
		strength int
	}
	best := map[string]cand{} // child table.column → best parent
	for _, t := range tables {
		for _, c := range t.Columns {
			nc := normName(c.Name)
			for _, k := range keys {
				if k.table == t.Name && k.column == c.Name {
					continue
				}
				strength := nameMatch(nc, k.norm, k.forms)
				if strength == 0 {
					continue
				}
				q := fmt.Sprintf(`SELECT count(*), coalesce(sum(%[1]s IN (SELECT %[2]s FROM %[3]s)), 0) FROM %[4]s
					WHERE %[1]s IS NOT NULL AND %[1]s <> ''`, QuoteIdent(c.Name), QuoteIdent(k.column), QuoteIdent(k.table), QuoteIdent(t.Name))
				var rows, matched int64
				if err := db.QueryRowContext(ctx, q).Scan(&rows, &matched); err != nil {
					return nil, fmt.Errorf("comparing %s.%s with %s.%s: %w", t.Name, c.Name, k.table, k.column, err)
				}
				if rows == 0 || float64(matched) < MinShare*float64(rows) {
					continue
				}
				r := Relationship{ChildTable: t.Name, ChildColumn: c.Name, ParentTable: k.table, ParentColumn: k.column,
					Origin: "suggested", ChildRows: rows, MatchedRows: matched, Share: float64(matched) / float64(rows)}
				r.Reason = fmt.Sprintf("the name %s points at %s, and %s of its %d values are found in %s.%s",
					c.Name, k.table, percent(r.Share), rows, k.table, k.column)
				id := t.Name + "\x00" + c.Name
				if b, ok := best[id]; !ok || r.Share > b.Share || (r.Share == b.Share && strength > b.strength) {
					best[id] = cand{r, strength}
				}
			}
		}
	}
	out := make([]Relationship, 0, len(best))
	for _, b := range best {
		out = append(out, b.Relationship)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ChildTable != out[j].ChildTable {
			return out[i].ChildTable < out[j].ChildTable
		}
		return out[i].ChildColumn < out[j].ChildColumn
	})
	summary := make([]string, len(out))
	for i, r := range out {
		summary[i] = fmt.Sprintf("%s (%s)", r, percent(r.Share))
	}
	err = s.p.Do(ctx, "relationship.suggest", map[string]any{"suggested": summary}, nil, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_relationships WHERE origin = 'suggested' AND confirmed = 0`); err != nil {
			return err
		}
		now := time.Now().UTC().Format(time.RFC3339)
		for i, r := range out {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_relationships(child_table, child_column, parent_table, parent_column,
				origin, confirmed, child_rows, matched_rows, reason, created_at) VALUES (?,?,?,?,'suggested',0,?,?,?,?)
				ON CONFLICT(child_table, child_column, parent_table, parent_column) DO UPDATE SET child_rows = excluded.child_rows,
				matched_rows = excluded.matched_rows, reason = excluded.reason`,
				r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn, r.ChildRows, r.MatchedRows, r.Reason, now); err != nil {
				return fmt.Errorf("recording suggestion %s: %w", r, err)
			}
			var confirmed int
			if err := tx.QueryRowContext(ctx, `SELECT confirmed FROM ferry_relationships WHERE child_table = ? AND child_column = ?
				AND parent_table = ? AND parent_column = ?`, r.ChildTable, r.ChildColumn, r.ParentTable, r.ParentColumn).Scan(&confirmed); err != nil {
				return err
			}
			out[i].Confirmed = confirmed == 1
			if confirmed == rejected {
				out[i].Origin = "rejected"
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, r := range out {
		if r.Origin != "rejected" {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

func percent(f float64) string {
	p := f * 100
	if p > 99 && p < 100 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// normName folds case (full Unicode folding, not SQLite's ASCII-only lower()) and keeps letters
// and digits only: "Patient_ID", "patient id" and "PATIENTID" all become "patientid".
func normName(s string) string {
	s = cases.Fold().String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nameForms are the ways a table's name shows up in a column name: patients → patients, patient;
// tblPatient → patient; categories → category.
func nameForms(table string) []string {
	n := normName(table)
	for _, p := range []string{"tbl", "tb"} {
		if strings.HasPrefix(n, p) && len(n) > len(p)+2 && strings.HasPrefix(strings.ToLower(table), p) {
			n = n[len(p):]
			break
		}
	}
	forms := []string{n}
	switch {
	case strings.HasSuffix(n, "ies") && len(n) > 4:
		forms = append(forms, n[:len(n)-3]+"y")
	case strings.HasSuffix(n, "sses"), strings.HasSuffix(n, "xes"), strings.HasSuffix(n, "ches"), strings.HasSuffix(n, "shes"):
		forms = append(forms, n[:len(n)-2])
	case strings.HasSuffix(n, "s") && !strings.HasSuffix(n, "ss") && len(n) > 2:
		forms = append(forms, n[:len(n)-1])
	}
	return forms
}

var genericKeys = map[string]bool{"id": true, "key": true, "code": true, "guid": true, "uuid": true, "num": true, "no": true, "number": true}

var keySuffixes = []string{"id", "key", "num", "no", "number", "code", "guid", "uuid"}

// keyLike says whether a column name looks like a table's key: Id, PatientID, PatNum, patient_key.
func keyLike(nc string, forms []string) bool {
	if genericKeys[nc] {
		return true
	}
	for _, f := range forms {
		for _, suf := range keySuffixes {
			if nc == f+suf {
				return true
			}
		}
	}
	// abbreviations such as PatNum for patients: a short prefix of the table name plus a key word
	for _, suf := range keySuffixes {
		if p, ok := strings.CutSuffix(nc, suf); ok && len(p) >= 3 && strings.HasPrefix(forms[0], p) {
			return true
		}
	}
	return false
}

// nameMatch says how strongly a child column name points at a parent key: 3 same specific key
// name (PatientID → PatientID), 2 the table's name with or without a key word (PATIENT,
// PatientID), 1 ending in one (SUPERVISINGPROVIDERID, SECONDARY_PAYER), 0 not at all.
func nameMatch(nc, key string, forms []string) int {
	if nc == "" {
		return 0
	}
	if nc == key && !genericKeys[key] {
		return 3
	}
	for _, f := range forms {
		if nc == f || nc == f+key && !genericKeys[nc] {
			return 2
		}
		for _, suf := range keySuffixes {
			if nc == f+suf {
				return 2
			}
		}
	}
	for _, f := range forms {
		if len(f) < 3 {
			continue
		}
		if strings.HasSuffix(nc, f) || strings.HasSuffix(nc, f+key) {
			return 1
		}
		for _, suf := range keySuffixes {
			if strings.HasSuffix(nc, f+suf) {
				return 1
			}
		}
	}
	if len(key) >= 5 && !genericKeys[key] && strings.HasSuffix(nc, key) {
		return 1
	}
	return 0
}

// KeyCandidate is a column that could identify the rows of a table.
type KeyCandidate struct {
	Column   string `json:"column"`
	Rows     int64  `json:"rows"`
	Filled   int64  `json:"filled"`   // rows with a value
	Distinct int64  `json:"distinct"` // distinct values among them
}

// Unique reports whether every row has a value and no value repeats.
func (k KeyCandidate) Unique() bool { return k.Filled == k.Rows && k.Distinct == k.Filled }

// KeyCandidates looks at the columns whose names look like keys (Id, PatientID, PatNum ...) and
// the first column, and returns them with their counts, unique ones first. The first unique
// one is what a person most likely means; SetKey records the choice.
func (s *Stager) KeyCandidates(ctx context.Context, table string) ([]KeyCandidate, error) {
	t, err := s.Describe(ctx, table)
	if err != nil {
		return nil, err
	}
	forms := nameForms(t.Name)
	var out []KeyCandidate
	for i, c := range t.Columns {
		if i > 0 && !keyLike(normName(c.Name), forms) {
			continue
		}
		k := KeyCandidate{Column: c.Name}
		q := fmt.Sprintf(`SELECT count(*), count(NULLIF(%[1]s, '')), count(DISTINCT NULLIF(%[1]s, '')) FROM %[2]s`, QuoteIdent(c.Name), QuoteIdent(t.Name))
		if err := s.p.Reader().QueryRowContext(ctx, q).Scan(&k.Rows, &k.Filled, &k.Distinct); err != nil {
			return nil, fmt.Errorf("checking %s.%s: %w", t.Name, c.Name, err)
		}
		out = append(out, k)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Unique() && !out[j].Unique() })
	return out, nil
}
