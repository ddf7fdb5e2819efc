package cleanse

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Op states.
const (
	Applied = "applied"
	Undone  = "undone"
)

// Op is one operation in the history.
type Op struct {
	ID        int64    `json:"id"`
	Op        string   `json:"op"`
	Table     string   `json:"table"` // the table's name now (as it was, if it is gone)
	Step      Step     `json:"step"`
	State     string   `json:"state"` // applied or undone (and waiting to be redone)
	Rows      int64    `json:"rows"`
	Cells     int64    `json:"cells"`
	Removed   int64    `json:"removed"`
	Columns   []string `json:"columns,omitempty"`
	Added     []string `json:"added,omitempty"`
	Left      []Left   `json:"left,omitempty"`
	Recipe    string   `json:"recipe,omitempty"`
	AppliedAt string   `json:"applied_at"`
	AppliedBy string   `json:"applied_by"`
	UndoneAt  string   `json:"undone_at,omitempty"`
	UndoneBy  string   `json:"undone_by,omitempty"`
	// Stale: the table was imported again (or removed) since: the operation no longer
	// describes its rows, and undoing it changes no data.
	Stale bool `json:"stale,omitempty"`

	sourceID   int64
	rowColumns []string
	rowsBefore int64
}

// History lists every operation, applied and undone, oldest first.
func History(ctx context.Context, p *project.Project) ([]Op, error) {
	return listOps(ctx, p.Reader(), "1 = 1 ORDER BY id")
}

func listOps(ctx context.Context, q querier, where string, args ...any) ([]Op, error) {
	if !hasHistory(ctx, q) {
		return nil, nil // a project from before the Cleanse step, opened read-only
	}
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.op, ifnull(t.name, o.table_name), t.name IS NULL, o.source_id, o.step, o.state,
		o.rows, o.cells, o.removed, o.columns, o.added, o.row_columns, o.rows_before, o.left_alone, o.recipe, o.applied_at,
		o.applied_by, o.undone_at, o.undone_by
		FROM ferry_cleanse_ops o LEFT JOIN ferry_tables t ON t.source_id = o.source_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the cleanse history: %w", err)
	}
	defer rows.Close()
	var out []Op
	for rows.Next() {
		var o Op
		var step, cols, added, rowCols, left string
		if err := rows.Scan(&o.ID, &o.Op, &o.Table, &o.Stale, &o.sourceID, &step, &o.State, &o.Rows, &o.Cells, &o.Removed,
			&cols, &added, &rowCols, &o.rowsBefore, &left, &o.Recipe, &o.AppliedAt, &o.AppliedBy, &o.UndoneAt, &o.UndoneBy); err != nil {
			return nil, fmt.Errorf("reading the cleanse history: %w", err)
		}
		if err := json.Unmarshal([]byte(step), &o.Step); err != nil {
			return nil, fmt.Errorf("reading operation %d: %w", o.ID, err)
		}
		_ = json.Unmarshal([]byte(cols), &o.Columns)
		_ = json.Unmarshal([]byte(added), &o.Added)
		_ = json.Unmarshal([]byte(rowCols), &o.rowColumns)
		_ = json.Unmarshal([]byte(left), &o.Left)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Undo reverts the latest applied operation: every cell it changed gets its old value back,
// byte for byte, the rows it took out return with their own _ferry_row, the columns it created
// are dropped and its crosswalk entries go. It stays in the history as undone, for Redo, and a
// cleanse.undo custody event records it. An operation on a table that has been imported again
// since changes no data when undone (Op.Stale).
func Undo(ctx context.Context, p *project.Project) (*Op, error) {
	defer lessGC()()
	var out *Op
	err := p.Write(ctx, func(tx *sql.Tx) error {
		ops, err := listOps(ctx, tx, `o.state = 'applied' ORDER BY o.id DESC LIMIT 1`)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return ErrNothingUndo
		}
		op := ops[0]
		restored, dropped := int64(0), []string{}
		if op.Stale {
			// what it recorded describes rows that were replaced: nothing to put back
			if err := forget(ctx, tx, op); err != nil {
				return fmt.Errorf("undoing operation %d: %w", op.ID, err)
			}
		} else {
			if restored, dropped, err = undoTx(ctx, tx, op); err != nil {
				return fmt.Errorf("undoing operation %d (%s on %s): %w", op.ID, op.Op, op.Table, err)
			}
		}
		now := time.Now().UTC().Format(time.RFC3339)
		who := p.Who().Actor
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_cleanse_ops SET state = 'undone', undone_at = ?, undone_by = ? WHERE id = ?`,
			now, who, op.ID); err != nil {
			return fmt.Errorf("undoing operation %d: %w", op.ID, err)
		}
		op.State, op.UndoneAt, op.UndoneBy = Undone, now, who
		params := map[string]any{"op_id": op.ID, "op": op.Op, "table": op.Table, "cells": op.Cells, "restored_rows": restored}
		if len(dropped) > 0 {
			params["dropped_columns"] = dropped
		}
		if op.Stale {
			params["stale"] = true
		}
		out = &op
		return p.Log(ctx, tx, "cleanse.undo", params, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func undoTx(ctx context.Context, tx *sql.Tx, op Op) (restored int64, dropped []string, err error) {
	t, err := loadTable(ctx, tx, op.Table)
	if err != nil {
		return 0, nil, err
	}
	e := &env{ctx: ctx, q: tx, t: t}
	added := map[string]bool{}
	for _, c := range op.Added {
		added[c] = true
	}
	for ord, col := range op.Columns {
		if added[col] {
			continue
		}
		if err := copyChanges(e, op.ID, ord, col, "old_value"); err != nil {
			return 0, nil, err
		}
	}
	if op.Removed > 0 {
		var cols strings.Builder
		for i, c := range op.rowColumns {
			if i > 0 {
				cols.WriteString(", ")
			}
			cols.WriteString(staging.QuoteIdent(c))
		}
		rt := staging.QuoteIdent(removedTable(op.sourceID))
		r, err := tx.ExecContext(ctx, `INSERT INTO `+staging.QuoteIdent(t.Name)+` (`+cols.String()+`) SELECT `+cols.String()+
			` FROM `+rt+` WHERE `+colOp+` = ? ORDER BY `+staging.QuoteIdent(staging.ColRow), op.ID)
		if err != nil {
			return 0, nil, fmt.Errorf("putting the rows back: %w", err)
		}
		restored, _ = r.RowsAffected()
		if restored != op.Removed {
			return 0, nil, fmt.Errorf("putting the rows back: %d of %d found", restored, op.Removed)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+rt+` WHERE `+colOp+` = ?`, op.ID); err != nil {
			return 0, nil, fmt.Errorf("putting the rows back: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_tables SET rows = rows + ? WHERE name = ?`, restored, t.Name); err != nil {
			return 0, nil, fmt.Errorf("counting the rows of %s: %w", t.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_cleanse_crosswalk WHERE op_id = ?`, op.ID); err != nil {
		return 0, nil, fmt.Errorf("removing the crosswalk entries: %w", err)
	}
	for i := len(op.Added) - 1; i >= 0; i-- {
		c := op.Added[i]
		if _, ok := t.has(c); !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+staging.QuoteIdent(t.Name)+` DROP COLUMN `+staging.QuoteIdent(c)); err != nil {
			return 0, nil, fmt.Errorf("removing column %s: %w", c, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_columns WHERE table_name = ? AND name = ?`, t.Name, c); err != nil {
			return 0, nil, fmt.Errorf("removing column %s: %w", c, err)
		}
		dropped = append(dropped, c)
	}
	// the changed cells stay until the operation is redone or discarded (deleteChanges): undo
	// does only what it must
	return restored, dropped, nil
}

// Redo applies again the operation undone last, with the same id and the same step, and logs a
// cleanse.redo custody event. It refuses when the table was imported again since (ErrStale):
// replay the recipe on the new rows instead.
func Redo(ctx context.Context, p *project.Project, opts Options) (*Result, error) {
	defer lessGC()()
	var res *Result
	err := p.Write(ctx, func(tx *sql.Tx) error {
		ops, err := listOps(ctx, tx, `o.state = 'undone' ORDER BY o.id LIMIT 1`)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return ErrNothingRedo
		}
		op := ops[0]
		if op.Stale {
			return fmt.Errorf("redoing operation %d (%s on %s): %w", op.ID, op.Op, op.Table, ErrStale)
		}
		step := op.Step
		step.Table = op.Table
		if err := step.Validate(); err != nil {
			return err
		}
		if err := deleteChanges(ctx, tx, op.ID); err != nil {
			return err
		}
		res, err = applyTx(ctx, p, tx, step, opts, "", op.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Summary is the history in a sentence's worth of numbers.
type Summary struct {
	Ops     int64 `json:"ops"`     // applied operations
	Undone  int64 `json:"undone"`  // waiting to be redone
	Cells   int64 `json:"cells"`   // cells changed by applied operations
	Purged  int64 `json:"purged"`  // rows purged
	Merged  int64 `json:"merged"`  // rows merged into a survivor
	Columns int64 `json:"columns"` // columns created
}

// Summarise counts the history.
func Summarise(ctx context.Context, p *project.Project) (Summary, error) {
	return summarise(ctx, p.Reader())
}

func summarise(ctx context.Context, q querier) (Summary, error) {
	var s Summary
	if !hasHistory(ctx, q) {
		return s, nil
	}
	// operations on tables imported again since describe rows that are no longer staged
	err := q.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'applied'), count(*) FILTER (WHERE state = 'undone'),
		ifnull(sum(cells) FILTER (WHERE state = 'applied'), 0),
		ifnull(sum(json_array_length(added)) FILTER (WHERE state = 'applied'), 0)
		FROM ferry_cleanse_ops WHERE source_id IN (SELECT source_id FROM ferry_tables)`).
		Scan(&s.Ops, &s.Undone, &s.Cells, &s.Columns)
	if err != nil {
		return s, fmt.Errorf("reading the cleanse history: %w", err)
	}
	tables, err := removedTables(ctx, q)
	if err != nil {
		return s, err
	}
	for id := range tables {
		var purged, merged int64
		err = q.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE `+colKind+` = 'purge'), count(*) FILTER (WHERE `+colKind+` = 'merge')
			FROM `+staging.QuoteIdent(removedTable(id))).Scan(&purged, &merged)
		if err != nil {
			return s, fmt.Errorf("reading the cleanse history: %w", err)
		}
		s.Purged += purged
		s.Merged += merged
	}
	return s, nil
}

func hasHistory(ctx context.Context, q querier) bool {
	var n int
	_ = q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ferry_cleanse_ops'`).Scan(&n)
	return n > 0
}

// forget deletes what an operation recorded about rows that are no longer staged.
func forget(ctx context.Context, tx *sql.Tx, op Op) error {
	if rt := removedTable(op.sourceID); op.Removed > 0 && tableExists(ctx, tx, rt) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+staging.QuoteIdent(rt)+` WHERE `+colOp+` = ?`, op.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+staging.QuoteIdent(rt)).Scan(&n); err == nil && n == 0 {
			if _, err := tx.ExecContext(ctx, `DROP TABLE `+staging.QuoteIdent(rt)); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_cleanse_crosswalk WHERE op_id = ?`, op.ID); err != nil {
		return err
	}
	return deleteChanges(ctx, tx, op.ID)
}

// deleteChanges deletes the changed cells an operation recorded.
func deleteChanges(ctx context.Context, tx *sql.Tx, opID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_cleanse_changes WHERE id BETWEEN ? AND ?`, changeID(opID, 0, 0),
		changeID(opID+1, 0, 0)-1); err != nil {
		return fmt.Errorf("clearing the changed cells of operation %d: %w", opID, err)
	}
	return nil
}
