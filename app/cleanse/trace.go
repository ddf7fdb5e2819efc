package cleanse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Change is one thing an applied operation did to a record, for a record trace: a cell changed
// ("phone changed from … to … by operation 7"), the record purged or merged into another, or
// (survivor) another record merged into it.
type Change struct {
	OpID   int64   `json:"op_id"`
	Op     string  `json:"op"`
	Kind   string  `json:"kind"` // "cell", "purge", "merge", "survivor"
	Column string  `json:"column,omitempty"`
	Old    *string `json:"old,omitempty"`
	New    *string `json:"new,omitempty"`
	Reason string  `json:"reason,omitempty"`
	Other  int64   `json:"other,omitempty"`     // merge: the survivor's row; survivor: the merged row
	OtherK string  `json:"other_key,omitempty"` // and its key
	At     string  `json:"at"`
	By     string  `json:"by"`
}

// Changes lists what the applied operations did to one row of table (by _ferry_row), in the
// order they did it. The row may have been purged or merged: its trace ends with that.
func Changes(ctx context.Context, p *project.Project, table string, rowID int64) ([]Change, error) {
	m, err := ChangesOf(ctx, p, table, []int64{rowID})
	if err != nil {
		return nil, err
	}
	return m[rowID], nil
}

// ChangesOf is Changes for many rows at once (a page of a grid): row → its changes. Rows nothing
// changed are absent.
func ChangesOf(ctx context.Context, p *project.Project, table string, rowIDs []int64) (map[int64][]Change, error) {
	db := p.Reader()
	t, err := loadTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	out := map[int64][]Change{}
	if len(rowIDs) == 0 {
		return out, nil
	}
	ops, err := listOps(ctx, db, `o.source_id = ? AND o.state = 'applied' ORDER BY o.id`, t.SourceID)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (map[int64][]Change, error) {
		return nil, fmt.Errorf("tracing rows of %s: %w", table, err)
	}
	rt := removedTable(t.SourceID)
	for _, o := range ops {
		for ord, col := range o.Columns {
			ids := make([]int64, 0, len(rowIDs))
			for _, r := range rowIDs {
				if r >= 0 && r <= maxRowID {
					ids = append(ids, changeID(o.ID, ord, r))
				}
			}
			rows, err := db.QueryContext(ctx, `SELECT row_id, old_value, new_value FROM ferry_cleanse_changes
				WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, jsonInts(ids))
			if err != nil {
				return fail(err)
			}
			for rows.Next() {
				var r int64
				var old, new sql.NullString
				if err := rows.Scan(&r, &old, &new); err != nil {
					rows.Close()
					return fail(err)
				}
				out[r] = append(out[r], Change{OpID: o.ID, Op: o.Op, Kind: "cell", Column: col, Old: strPtr(old), New: strPtr(new),
					At: o.AppliedAt, By: o.AppliedBy})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fail(err)
			}
		}
		if o.Removed == 0 {
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT r.`+staging.QuoteIdent(staging.ColRow)+`, r.`+colKind+`, r.`+colReason+`, r.`+colSurvivor+
			`, ifnull(c.survivor_key, '') FROM `+staging.QuoteIdent(rt)+` AS r LEFT JOIN ferry_cleanse_crosswalk c ON c.source_id = ?
			AND c.merged_row = r.`+staging.QuoteIdent(staging.ColRow)+` WHERE r.`+colOp+` = ? AND r.`+staging.QuoteIdent(staging.ColRow)+
			` IN (SELECT value FROM json_each(?))`, t.SourceID, o.ID, jsonInts(rowIDs))
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var r int64
			var surv sql.NullInt64
			c := Change{OpID: o.ID, Op: o.Op, At: o.AppliedAt, By: o.AppliedBy}
			if err := rows.Scan(&r, &c.Kind, &c.Reason, &surv, &c.OtherK); err != nil {
				rows.Close()
				return fail(err)
			}
			c.Other = surv.Int64
			out[r] = append(out[r], c)
		}
		rows.Close()
		rows, err = db.QueryContext(ctx, `SELECT survivor_row, merged_row, merged_key FROM ferry_cleanse_crosswalk WHERE source_id = ?
			AND op_id = ? AND survivor_row IN (SELECT value FROM json_each(?)) ORDER BY merged_row`, t.SourceID, o.ID, jsonInts(rowIDs))
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var r int64
			c := Change{OpID: o.ID, Op: o.Op, Kind: "survivor", At: o.AppliedAt, By: o.AppliedBy}
			if err := rows.Scan(&r, &c.Other, &c.OtherK); err != nil {
				rows.Close()
				return fail(err)
			}
			out[r] = append(out[r], c)
		}
		rows.Close()
	}
	return out, nil
}

// ChangedRows lists the rows (_ferry_row, ascending) an applied operation changed or took out;
// limit <= 0 means all. A grid shows exactly these when a person picks the operation.
func ChangedRows(ctx context.Context, p *project.Project, opID int64, limit int) ([]int64, error) {
	db := p.Reader()
	ops, err := listOps(ctx, db, `o.id = ?`, opID)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("operation %d is not in the history", opID)
	}
	o := ops[0]
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT DISTINCT row_id FROM ferry_cleanse_changes WHERE id BETWEEN ? AND ?`
	args := []any{changeID(o.ID, 0, 0), changeID(o.ID+1, 0, 0) - 1}
	if rt := removedTable(o.sourceID); o.State == Applied && o.Removed > 0 && tableExists(ctx, db, rt) {
		q += ` UNION SELECT ` + staging.QuoteIdent(staging.ColRow) + ` FROM ` + staging.QuoteIdent(rt) + ` WHERE ` + colOp + ` = ?`
		args = append(args, o.ID)
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY 1 LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("reading the rows of operation %d: %w", opID, err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("reading the rows of operation %d: %w", opID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SurvivorOf says which key a legacy key of table now stands for: the key of the record it was
// merged into (following merges of merges), and true; or the key itself and false when no
// merge took it. Child records that name key belong to the survivor.
func SurvivorOf(ctx context.Context, p *project.Project, table, key string) (string, bool, error) {
	db := p.Reader()
	t, err := loadTable(ctx, db, table)
	if err != nil {
		return key, false, err
	}
	cur, merged := key, false
	for i := 0; i < 64; i++ {
		var next string
		err := db.QueryRowContext(ctx, `SELECT survivor_key FROM ferry_cleanse_crosswalk WHERE source_id = ? AND merged_key = ?
			AND survivor_key <> merged_key ORDER BY op_id DESC LIMIT 1`, t.SourceID, cur).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			if !merged {
				// merged into a row with the same key (exact or same-key duplicates)
				var n int
				_ = db.QueryRowContext(ctx, `SELECT count(*) FROM ferry_cleanse_crosswalk WHERE source_id = ? AND merged_key = ?`,
					t.SourceID, cur).Scan(&n)
				merged = n > 0
			}
			return cur, merged, nil
		}
		if err != nil {
			return key, false, fmt.Errorf("looking up %s %s: %w", table, key, err)
		}
		cur, merged = next, true
	}
	return cur, merged, nil
}

// CrosswalkEntry is one merged record: its key and row, and the survivor's.
type CrosswalkEntry struct {
	MergedKey   string `json:"merged_key"`
	MergedRow   int64  `json:"merged_row"`
	SurvivorKey string `json:"survivor_key"`
	SurvivorRow int64  `json:"survivor_row"`
	OpID        int64  `json:"op_id"`
}

// Crosswalk lists every merge of table, for the load step to point child records at survivors.
func Crosswalk(ctx context.Context, p *project.Project, table string) ([]CrosswalkEntry, error) {
	db := p.Reader()
	t, err := loadTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT merged_key, merged_row, survivor_key, survivor_row, op_id FROM ferry_cleanse_crosswalk
		WHERE source_id = ? ORDER BY op_id, merged_row`, t.SourceID)
	if err != nil {
		return nil, fmt.Errorf("reading the crosswalk of %s: %w", table, err)
	}
	defer rows.Close()
	var out []CrosswalkEntry
	for rows.Next() {
		var c CrosswalkEntry
		if err := rows.Scan(&c.MergedKey, &c.MergedRow, &c.SurvivorKey, &c.SurvivorRow, &c.OpID); err != nil {
			return nil, fmt.Errorf("reading the crosswalk of %s: %w", table, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RemovedCount is how many rows of a table were taken out, of one kind, for one reason.
type RemovedCount struct {
	Table  string `json:"table"`
	Kind   string `json:"kind"` // purge or merge
	Reason string `json:"reason"`
	Rows   int64  `json:"rows"`
}

// RemovedCounts is what reconciliation counts: rows purged and merged, per staged table and
// reason. Rows imported = rows staged + these.
func RemovedCounts(ctx context.Context, p *project.Project) ([]RemovedCount, error) {
	db := p.Reader()
	tables, err := removedTables(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []RemovedCount
	for id, name := range tables {
		rows, err := db.QueryContext(ctx, `SELECT `+colKind+`, `+colReason+`, count(*) FROM `+staging.QuoteIdent(removedTable(id))+
			` GROUP BY 1, 2`)
		if err != nil {
			return nil, fmt.Errorf("counting the rows removed from %s: %w", name, err)
		}
		for rows.Next() {
			c := RemovedCount{Table: name}
			if err := rows.Scan(&c.Kind, &c.Reason, &c.Rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("counting the rows removed from %s: %w", name, err)
			}
			out = append(out, c)
		}
		rows.Close()
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Reason < b.Reason
	})
	return out, nil
}

// Removed is one row taken out of a table, with every value it had.
type Removed struct {
	RemovedRow
	OpID   int64              `json:"op_id"`
	Values map[string]*string `json:"values"` // by column name (nil: NULL); Ferry's own columns left out
}

// RemovedRows pages through the rows taken out of table, in row order (limit <= 0: all).
func RemovedRows(ctx context.Context, p *project.Project, table string, offset, limit int) ([]Removed, error) {
	db := p.Reader()
	t, err := loadTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	rt := removedTable(t.SourceID)
	if !tableExists(ctx, db, rt) {
		return nil, nil
	}
	all, err := columnsOf(ctx, db, rt)
	if err != nil {
		return nil, err
	}
	var cols []string
	sel := staging.QuoteIdent(staging.ColRow) + ", " + staging.QuoteIdent(staging.ColLine) + ", " + colKey + ", " + colKind + ", " +
		colReason + ", ifnull(" + colSurvivor + ", 0), " + colOp
	for _, c := range all {
		if !isProvenance(c) {
			cols = append(cols, c)
			sel += ", " + staging.QuoteIdent(c)
		}
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.QueryContext(ctx, `SELECT `+sel+` FROM `+staging.QuoteIdent(rt)+` ORDER BY `+staging.QuoteIdent(staging.ColRow)+
		` LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("reading the rows removed from %s: %w", table, err)
	}
	defer rows.Close()
	var out []Removed
	vals := make([]sql.NullString, len(cols))
	for rows.Next() {
		var r Removed
		dest := []any{&r.Row, &r.Line, &r.Key, &r.Kind, &r.Reason, &r.Survivor, &r.OpID}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("reading the rows removed from %s: %w", table, err)
		}
		r.Values = make(map[string]*string, len(cols))
		for i, c := range cols {
			r.Values[c] = strPtr(vals[i])
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func isProvenance(c string) bool {
	return strings.HasPrefix(strings.ToLower(c), "_ferry_")
}
