package cleanse

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
)

// Rows per multi-row INSERT: 5 parameters a cell, 4 a crosswalk entry.
const batchRows = 500

// writeSink records an operation on the writer's transaction: changed cells into
// ferry_cleanse_changes in batches while the table is read, then one UPDATE … FROM per column;
// removed rows into the table's removed-rows table, then one DELETE.
type writeSink struct {
	counter
	e          *env
	opID       int64
	cells      []any
	removals   [][2]int64 // row, survivor
	kind       string
	reason     string
	cross      []any
	cellStmt   *sql.Stmt
	crossStmt  *sql.Stmt
	rowColumns []string
}

func newWriteSink(e *env, opID int64) *writeSink {
	return &writeSink{counter: newCounter(), e: e, opID: opID}
}

// sqlText quotes a string as an SQL literal.
func sqlText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (w *writeSink) addColumn(name string) error {
	e := w.e
	if _, ok := e.t.has(name); ok {
		return fmt.Errorf("adding column %s to %s: it is already there", name, e.t.Name)
	}
	if _, err := e.q.ExecContext(e.ctx, `ALTER TABLE `+staging.QuoteIdent(e.t.Name)+` ADD COLUMN `+staging.QuoteIdent(name)+` TEXT`); err != nil {
		return fmt.Errorf("adding column %s to %s: %w", name, e.t.Name, err)
	}
	if _, err := e.q.ExecContext(e.ctx, `INSERT INTO ferry_columns(table_name, ord, name, source_name)
		SELECT ?, ifnull(max(ord), 0) + 1, ?, '' FROM ferry_columns WHERE table_name = ?`, e.t.Name, name, e.t.Name); err != nil {
		return fmt.Errorf("adding column %s to %s: %w", name, e.t.Name, err)
	}
	e.t.Columns = append(e.t.Columns, name)
	w.added = append(w.added, name)
	return nil
}

func nullArg(v sql.NullString) any {
	if !v.Valid {
		return nil
	}
	return v.String
}

// Changed cells are keyed by changeID: an operation's cells of one column are one id range.
const (
	maxOps     = 1<<20 - 1
	maxColumns = 1<<11 - 1
	maxRowID   = 1<<32 - 1
)

func changeID(op int64, ord int, row int64) int64 { return op<<43 | int64(ord)<<32 | row }

// columnRange is the first and last id of an operation's changes in one column.
func columnRange(op int64, ord int) (int64, int64) {
	return changeID(op, ord, 0), changeID(op, ord, maxRowID)
}

func (w *writeSink) cell(r *scanRow, col string, old, new sql.NullString) error {
	w.countCell(r, col, old, new)
	ord := w.colIdx[col]
	if ord > maxColumns || r.ID < 0 || r.ID > maxRowID {
		return fmt.Errorf("recording the changed cells: row %d of column %d is beyond what Ferry can record", r.ID, ord)
	}
	w.cells = append(w.cells, changeID(w.opID, ord, r.ID), col, r.ID, nullArg(old), nullArg(new))
	if len(w.cells) == 5*batchRows {
		return w.flushCells()
	}
	return nil
}

func values(n, width int, prefix string) string {
	one := "(" + prefix + "?" + strings.Repeat(",?", width-1) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 1))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

// execBatch runs a multi-row INSERT: full batches on one prepared statement, the rest once.
func (w *writeSink) execBatch(stmt **sql.Stmt, head, prefix string, width int, args []any) error {
	e := w.e
	n := len(args) / width
	if n == 0 {
		return nil
	}
	if n == batchRows {
		if *stmt == nil {
			s, err := e.q.(*sql.Tx).PrepareContext(e.ctx, head+values(batchRows, width, prefix))
			if err != nil {
				return err
			}
			*stmt = s
		}
		_, err := (*stmt).ExecContext(e.ctx, args...)
		return err
	}
	_, err := e.q.ExecContext(e.ctx, head+values(n, width, prefix), args...)
	return err
}

func (w *writeSink) flushCells() error {
	err := w.execBatch(&w.cellStmt, `INSERT INTO ferry_cleanse_changes(op_id, id, column_name, row_id, old_value, new_value) VALUES `,
		strconv.FormatInt(w.opID, 10)+",", 5, w.cells)
	w.cells = w.cells[:0]
	if err != nil {
		return fmt.Errorf("recording the changed cells: %w", err)
	}
	return nil
}

func (w *writeSink) remove(r RemovedRow) error {
	w.countRemove(r)
	if w.reason == "" {
		w.kind, w.reason = r.Kind, r.Reason
	} else if w.kind != r.Kind || w.reason != r.Reason {
		return fmt.Errorf("removing rows: one operation removes rows of one kind for one reason")
	}
	w.removals = append(w.removals, [2]int64{r.Row, r.Survivor})
	return nil
}

// flushRemoves copies the removed rows, every value, into the table's removed-rows table, in
// statements of removeChunk rows named by a JSON list of [row, survivor] pairs.
func (w *writeSink) flushRemoves() error {
	const removeChunk = 50_000
	e := w.e
	if err := ensureRemovedTable(e); err != nil {
		return err
	}
	key := "''"
	if e.t.Key != "" {
		key = "ifnull(t." + staging.QuoteIdent(e.t.Key) + ", '')"
	}
	var into, from strings.Builder
	for _, c := range w.rowColumns {
		into.WriteString(", " + staging.QuoteIdent(c))
		from.WriteString(", t." + staging.QuoteIdent(c))
	}
	q := `INSERT INTO ` + staging.QuoteIdent(removedTable(e.t.SourceID)) + ` (` + colOp + `, ` + colKind + `, ` + colReason + `, ` +
		colSurvivor + `, ` + colKey + into.String() + `) SELECT ?, ?, ?, nullif(j.value ->> 1, 0), ` + key + from.String() +
		` FROM json_each(?) AS j JOIN ` + staging.QuoteIdent(e.t.Name) + ` AS t ON t.` + staging.QuoteIdent(staging.ColRow) +
		` = j.value ->> 0 ORDER BY j.key`
	var b strings.Builder
	for start := 0; start < len(w.removals); start += removeChunk {
		b.Reset()
		b.WriteByte('[')
		for i, p := range w.removals[start:min(start+removeChunk, len(w.removals))] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			b.WriteString(strconv.FormatInt(p[0], 10))
			b.WriteByte(',')
			b.WriteString(strconv.FormatInt(p[1], 10))
			b.WriteByte(']')
		}
		b.WriteByte(']')
		if _, err := e.q.ExecContext(e.ctx, q, w.opID, w.kind, w.reason, b.String()); err != nil {
			return fmt.Errorf("keeping the removed rows: %w", err)
		}
	}
	return nil
}

func (w *writeSink) crosswalk(mergedRow int64, mergedKey string, survivorRow int64, survivorKey string) error {
	w.cross = append(w.cross, mergedRow, mergedKey, survivorRow, survivorKey)
	if len(w.cross) == 4*batchRows {
		return w.flushCross()
	}
	return nil
}

func (w *writeSink) flushCross() error {
	prefix := fmt.Sprintf("%d,%s,%d,", w.e.t.SourceID, sqlText(w.e.t.Name), w.opID)
	err := w.execBatch(&w.crossStmt, `INSERT INTO ferry_cleanse_crosswalk(source_id, table_name, op_id, merged_row, merged_key,
		survivor_row, survivor_key) VALUES `, prefix, 4, w.cross)
	w.cross = w.cross[:0]
	if err != nil {
		return fmt.Errorf("recording where merged records went: %w", err)
	}
	return nil
}

// finish writes what is still buffered, then changes the table itself: new values into their
// cells, removed rows copied out and deleted.
func (w *writeSink) finish() error {
	defer func() {
		for _, s := range []*sql.Stmt{w.cellStmt, w.crossStmt} {
			if s != nil {
				s.Close()
			}
		}
	}()
	if err := w.flushCells(); err != nil {
		return err
	}
	if err := w.flushCross(); err != nil {
		return err
	}
	e := w.e
	if e.opts.Progress != nil {
		e.opts.Progress(Progress{Stage: "saving", Table: e.t.Name, Done: w.counter.cells + w.counter.removed,
			Total: w.counter.cells + w.counter.removed})
	}
	for ord, col := range w.cols {
		if err := copyChanges(e, w.opID, ord, col, "new_value"); err != nil {
			return err
		}
	}
	if w.removed > 0 {
		w.rowColumns = append([]string{staging.ColRow, staging.ColLine, staging.ColFlags, staging.ColOverflow}, e.t.Columns...)
		if err := w.flushRemoves(); err != nil {
			return err
		}
		q := staging.QuoteIdent(e.t.Name)
		r, err := e.q.ExecContext(e.ctx, `DELETE FROM `+q+` WHERE `+staging.QuoteIdent(staging.ColRow)+` IN (SELECT `+
			staging.QuoteIdent(staging.ColRow)+` FROM `+staging.QuoteIdent(removedTable(e.t.SourceID))+` WHERE `+colOp+` = ?)`, w.opID)
		if err != nil {
			return fmt.Errorf("taking the rows out: %w", err)
		}
		if n, _ := r.RowsAffected(); n != w.removed {
			return fmt.Errorf("taking the rows out: %d rows were to go, %d went", w.removed, n)
		}
		if _, err := e.q.ExecContext(e.ctx, `UPDATE ferry_tables SET rows = rows - ? WHERE name = ?`, w.removed, e.t.Name); err != nil {
			return fmt.Errorf("counting the rows of %s: %w", e.t.Name, err)
		}
	}
	return nil
}

// copyChanges writes the recorded new (or old) values of one column into the table.
func copyChanges(e *env, opID int64, ord int, col, which string) error {
	q := staging.QuoteIdent(e.t.Name)
	lo, hi := columnRange(opID, ord)
	_, err := e.q.ExecContext(e.ctx, `UPDATE `+q+` SET `+staging.QuoteIdent(col)+` = ch.`+which+
		` FROM (SELECT row_id, `+which+` FROM ferry_cleanse_changes WHERE id BETWEEN ? AND ?) AS ch WHERE `+
		q+`.`+staging.QuoteIdent(staging.ColRow)+` = ch.row_id`, lo, hi)
	if err != nil {
		return fmt.Errorf("writing column %s of %s: %w", col, e.t.Name, err)
	}
	return nil
}
