package cleanse

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
)

// Rows an operation takes out of a staged table move, with every value, to that table's
// removed-rows table: the same columns plus why (see migration 0005). Copying rows between two
// tables of the same columns is plain SQL, several times faster both ways than packing them into
// one generic table.
const (
	colOp       = "_ferry_op"
	colKind     = "_ferry_kind"
	colReason   = "_ferry_reason"
	colSurvivor = "_ferry_survivor"
	colKey      = "_ferry_key"
)

func removedTable(sourceID int64) string {
	return "ferry_cleanse_removed_" + strconv.FormatInt(sourceID, 10)
}

// tableExists says whether the project has a table of that name.
func tableExists(ctx context.Context, q querier, name string) bool {
	var n int
	_ = q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0
}

// columnsOf lists a table's columns in order.
func columnsOf(ctx context.Context, q querier, name string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("reading the columns of %s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ensureRemovedTable makes the removed-rows table of e's table, or adds the columns the staged
// table has gained since.
func ensureRemovedTable(e *env) error {
	name := removedTable(e.t.SourceID)
	q := staging.QuoteIdent
	if n := len(e.t.Columns) + 9; n > 2000 {
		return fmt.Errorf("%s has %d columns: Ferry can take rows out of tables of at most 1,991 columns (SQLite allows 2,000 and it adds 9 of its own)",
			e.t.Name, len(e.t.Columns))
	}
	if !tableExists(e.ctx, e.q, name) {
		var b strings.Builder
		b.WriteString("CREATE TABLE " + q(name) + " (\n  " + q(staging.ColRow) + " INTEGER PRIMARY KEY,\n  " +
			q(colOp) + " INTEGER NOT NULL,\n  " + q(colKind) + " TEXT NOT NULL CHECK (" + q(colKind) + " IN ('purge', 'merge')),\n  " +
			q(colReason) + " TEXT NOT NULL,\n  " + q(colSurvivor) + " INTEGER,\n  " + q(colKey) + " TEXT NOT NULL DEFAULT '',\n  " +
			q(staging.ColLine) + " INTEGER NOT NULL,\n  " + q(staging.ColFlags) + " INTEGER NOT NULL DEFAULT 0,\n  " +
			q(staging.ColOverflow) + " TEXT")
		for _, c := range e.t.Columns {
			b.WriteString(",\n  " + q(c) + " TEXT")
		}
		b.WriteString("\n) STRICT")
		if _, err := e.q.ExecContext(e.ctx, b.String()); err != nil {
			return fmt.Errorf("making the table of rows removed from %s: %w", e.t.Name, err)
		}
		if _, err := e.q.ExecContext(e.ctx, "CREATE INDEX "+q(name+"_op")+" ON "+q(name)+" ("+q(colOp)+")"); err != nil {
			return fmt.Errorf("making the table of rows removed from %s: %w", e.t.Name, err)
		}
		return nil
	}
	have, err := columnsOf(e.ctx, e.q, name)
	if err != nil {
		return err
	}
	for _, c := range e.t.Columns {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, c) {
				found = true
				break
			}
		}
		if !found {
			if _, err := e.q.ExecContext(e.ctx, "ALTER TABLE "+q(name)+" ADD COLUMN "+q(c)+" TEXT"); err != nil {
				return fmt.Errorf("keeping the rows removed from %s: %w", e.t.Name, err)
			}
		}
	}
	return nil
}

// removedTables are the removed-rows tables of the staged tables (not of tables imported again
// or dropped since): source id → staged table name.
func removedTables(ctx context.Context, q querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.source_id, t.name FROM ferry_tables t JOIN sqlite_master m
		ON m.type = 'table' AND m.name = 'ferry_cleanse_removed_' || t.source_id`)
	if err != nil {
		return nil, fmt.Errorf("finding removed rows: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("finding removed rows: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
