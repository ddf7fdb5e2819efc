package cleanse

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Progress is reported while an operation reads and writes a table; often (every few thousand
// rows), so callers throttle it.
type Progress struct {
	Stage string `json:"stage"` // "reading", "saving", "undoing"
	Step  int    `json:"step"`  // 1-based, in a replay
	Steps int    `json:"steps"`
	Table string `json:"table"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

// CellChange is one cell an operation changes (Preview) or changed (Changes).
type CellChange struct {
	Row    int64   `json:"row"`            // _ferry_row
	Line   int64   `json:"line,omitempty"` // line or record number in the source file
	Key    string  `json:"key,omitempty"`
	Column string  `json:"column"`
	Old    *string `json:"old"` // nil: SQL NULL (or a column the operation created)
	New    *string `json:"new"`
}

// RemovedRow is a row an operation takes (or took) out of its table.
type RemovedRow struct {
	Row      int64  `json:"row"`
	Line     int64  `json:"line,omitempty"`
	Key      string `json:"key,omitempty"`
	Kind     string `json:"kind"` // "purge" or "merge"
	Reason   string `json:"reason"`
	Survivor int64  `json:"survivor,omitempty"` // merge: the row it went into
}

// Left is a group of values an operation looked at and deliberately did not change, with the
// reason: phone numbers that are not valid, dates a person has to decide, values the mapping
// does not cover, records a recipe could not find. Nothing is skipped silently.
type Left struct {
	Reason  string       `json:"reason"`
	Message string       `json:"message"`
	Column  string       `json:"column,omitempty"`
	Count   int64        `json:"count"`
	Values  []ValueCount `json:"values,omitempty"` // distinct values, most frequent first (at most 2,000)
	Rows    []int64      `json:"rows,omitempty"`   // the first rows concerned
}

// ValueCount is a value and how many cells hold it.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Outcome is what an operation changes: counts, the first changes, and what it leaves alone.
// Apply returns the same figures for what it did.
type Outcome struct {
	Step    Step         `json:"step"` // as it will be recorded: finding ids resolved to rows and keys
	Table   string       `json:"table"`
	Rows    int64        `json:"rows"`    // rows with at least one changed cell
	Cells   int64        `json:"cells"`   // cells changed
	Removed int64        `json:"removed"` // rows purged or merged away
	Added   []string     `json:"added,omitempty"`
	Columns []string     `json:"columns,omitempty"` // columns with changed cells
	Sample  []CellChange `json:"sample,omitempty"`
	Removes []RemovedRow `json:"removes,omitempty"` // the first rows taken out
	Left    []Left       `json:"left,omitempty"`
}

// Result is an applied operation.
type Result struct {
	Outcome
	OpID     int64         `json:"op_id"`
	Duration time.Duration `json:"duration"`
}

// Options for Apply and Preview.
type Options struct {
	Progress func(Progress)
	// Sample is how many changes a Preview lists (default 50; Apply lists none).
	Sample int
}

// Preview works out what step would change, reading through the read-only pool: nothing is
// written. The counts are exactly what Apply would report on the same data.
func Preview(ctx context.Context, p *project.Project, step Step, opts Options) (*Outcome, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if opts.Sample == 0 {
		opts.Sample = 50
	}
	e, err := newEnv(ctx, p, p.Reader(), step.Table, opts)
	if err != nil {
		return nil, err
	}
	ps := &previewSink{counter: newCounter()}
	ps.limit = opts.Sample
	if err := run(e, &step, ps); err != nil {
		return nil, err
	}
	pv := ps.preview(step, e.t.Name)
	return &pv, nil
}

// Apply runs step on its table and records it in the history, every changed cell with its old
// and new value, and one cleanse.apply custody event, all in one transaction. Undone
// operations waiting to be redone are discarded: a new operation starts a new branch.
func Apply(ctx context.Context, p *project.Project, step Step, opts Options) (*Result, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if step.Op == OpPurge || step.Op == OpMergeDuplicates { // destructive: a backup copy first (issue 11)
		if _, err := p.Backup(ctx, "before "+step.Op); err != nil {
			return nil, err
		}
	}
	defer lessGC()()
	var res *Result
	err := p.Write(ctx, func(tx *sql.Tx) error {
		if err := clearRedo(ctx, tx); err != nil {
			return err
		}
		var err error
		res, err = applyTx(ctx, p, tx, step, opts, "", 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// applyTx applies one step inside tx: records the op, runs it, logs it. redoID reuses an
// undone op's id (Redo).
func applyTx(ctx context.Context, p *project.Project, tx *sql.Tx, step Step, opts Options, recipe string, redoID int64) (*Result, error) {
	start := time.Now()
	e, err := newEnv(ctx, p, tx, step.Table, opts)
	if err != nil {
		return nil, err
	}
	e.replay = recipe != ""
	stepJSON, err := json.Marshal(step)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", step.Op, err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	who := p.Who().Actor
	var opID int64
	if redoID != 0 {
		opID = redoID
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_cleanse_ops SET state = 'applied', step = ?, applied_at = ?, applied_by = ?,
			undone_at = '', undone_by = '' WHERE id = ?`, string(stepJSON), now, who, opID); err != nil {
			return nil, fmt.Errorf("recording %s: %w", step.Op, err)
		}
	} else {
		r, err := tx.ExecContext(ctx, `INSERT INTO ferry_cleanse_ops(op, table_name, source_id, step, state, rows_before, recipe,
			applied_at, applied_by) VALUES (?,?,?,?,'applied',?,?,?,?)`, step.Op, e.t.Name, e.t.SourceID, string(stepJSON),
			e.t.Rows, recipe, now, who)
		if err != nil {
			return nil, fmt.Errorf("recording %s: %w", step.Op, err)
		}
		opID, _ = r.LastInsertId()
		if opID > maxOps {
			return nil, fmt.Errorf("recording %s: the history holds %d operations, as many as Ferry can keep; export the recipe and replay it in a new project", step.Op, maxOps)
		}
	}
	e.writing = true
	ws := newWriteSink(e, opID)
	if err := run(e, &step, ws); err != nil {
		return nil, err
	}
	// the step as run: finding ids resolved to rows, rows to keys and checks
	if stepJSON, err = json.Marshal(step); err != nil {
		return nil, fmt.Errorf("recording %s: %w", step.Op, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ferry_cleanse_ops SET step = ? WHERE id = ?`, string(stepJSON), opID); err != nil {
		return nil, fmt.Errorf("recording %s: %w", step.Op, err)
	}
	if err := ws.finish(); err != nil {
		return nil, fmt.Errorf("%s on %s: %w", step.Op, e.t.Name, err)
	}
	pv := ws.preview(step, e.t.Name)
	leftJSON, _ := json.Marshal(nonNil(pv.Left))
	colsJSON, _ := json.Marshal(nonNil(pv.Columns))
	addedJSON, _ := json.Marshal(nonNil(pv.Added))
	rowColsJSON, _ := json.Marshal(nonNil(ws.rowColumns))
	if _, err := tx.ExecContext(ctx, `UPDATE ferry_cleanse_ops SET rows = ?, cells = ?, removed = ?, columns = ?, added = ?,
		row_columns = ?, left_alone = ?, rows_before = ? WHERE id = ?`, pv.Rows, pv.Cells, pv.Removed, string(colsJSON),
		string(addedJSON), string(rowColsJSON), string(leftJSON), e.t.Rows, opID); err != nil {
		return nil, fmt.Errorf("recording %s: %w", step.Op, err)
	}
	action := "cleanse.apply"
	if redoID != 0 {
		action = "cleanse.redo"
	}
	params := map[string]any{"op_id": opID, "op": step.Op, "table": e.t.Name, "rows": pv.Rows, "cells": pv.Cells,
		"removed": pv.Removed}
	if len(pv.Columns) > 0 {
		params["columns"] = pv.Columns
	}
	if len(pv.Added) > 0 {
		params["added_columns"] = pv.Added
	}
	if len(pv.Left) > 0 {
		left := map[string]int64{}
		for _, l := range pv.Left {
			left[l.Reason] += l.Count
		}
		params["left_alone"] = left
	}
	if recipe != "" {
		params["recipe"] = recipe
	}
	sum := sha256.Sum256(stepJSON)
	if len(stepJSON) <= 64<<10 {
		params["step"] = json.RawMessage(stepJSON)
	} else {
		params["step_sha256"] = hex.EncodeToString(sum[:])
	}
	if err := p.Log(ctx, tx, action, params, nil); err != nil {
		return nil, err
	}
	return &Result{Outcome: pv, OpID: opID, Duration: time.Since(start)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clearRedo drops the undone operations, and the changed cells they still keep: once a new
// operation is applied they cannot be redone.
func clearRedo(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM ferry_cleanse_ops WHERE state = 'undone'`)
	if err != nil {
		return fmt.Errorf("clearing the redo list: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		if err := deleteChanges(ctx, tx, id); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_cleanse_ops WHERE state = 'undone'`); err != nil {
		return fmt.Errorf("clearing the redo list: %w", err)
	}
	return nil
}

// querier is a transaction (Apply) or the read pool (Preview).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// table is a staged table as an operation sees it.
type table struct {
	Name     string
	SourceID int64
	Key      string
	Columns  []string
	Rows     int64
}

func (t table) has(col string) (string, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c, col) {
			return c, true
		}
	}
	return "", false
}

// env is what an operation run needs.
type env struct {
	ctx      context.Context
	p        *project.Project
	q        querier
	t        table
	replay   bool // rows are found by key and checked values, never by _ferry_row
	opts     Options
	region   string
	progress func(done int64)
	virtual  map[string]bool // columns a preview pretends to have created
	writing  bool            // applying, not previewing
}

func newEnv(ctx context.Context, p *project.Project, q querier, name string, opts Options) (*env, error) {
	t, err := loadTable(ctx, q, name)
	if err != nil {
		return nil, err
	}
	e := &env{ctx: ctx, p: p, q: q, t: t, opts: opts}
	e.progress = func(done int64) {
		if opts.Progress != nil {
			opts.Progress(Progress{Stage: "reading", Table: t.Name, Done: done, Total: t.Rows})
		}
	}
	return e, nil
}

func loadTable(ctx context.Context, q querier, name string) (table, error) {
	var t table
	err := q.QueryRowContext(ctx, `SELECT name, source_id, key_column, rows FROM ferry_tables WHERE name = ?`, name).
		Scan(&t.Name, &t.SourceID, &t.Key, &t.Rows)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%s: %w", name, ErrNoSuchTable)
	}
	if err != nil {
		return t, fmt.Errorf("reading table %s: %w", name, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT name FROM ferry_columns WHERE table_name = ? ORDER BY ord`, t.Name)
	if err != nil {
		return t, fmt.Errorf("reading the columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return t, fmt.Errorf("reading the columns of %s: %w", t.Name, err)
		}
		t.Columns = append(t.Columns, c)
	}
	return t, rows.Err()
}

// column finds a column by name (case-insensitively, as SQLite does) or fails naming it.
func (e *env) column(name string) (string, error) {
	if c, ok := e.t.has(name); ok {
		return c, nil
	}
	return "", fmt.Errorf("%s has no column %q (it has %s): %w", e.t.Name, name, strings.Join(e.t.Columns, ", "), ErrNoSuchColumn)
}

// planRegion is the Plan's region, for phone numbers without a region of their own.
func (e *env) planRegion() string {
	if e.region == "" {
		e.region = "US"
		if pl, err := plan.Load(e.ctx, e.p); err == nil {
			e.region = pl.Region()
		}
	}
	return e.region
}

// selectExpr is how a column is read: quoted, or NULL when the table does not have it (yet).
func (e *env) selectExpr(c string) string {
	switch c {
	case "":
		return "NULL"
	case staging.ColOverflow, staging.ColFlags, staging.ColLine:
		return staging.QuoteIdent(c)
	}
	if real, ok := e.t.has(c); ok && !e.virtual[strings.ToLower(real)] {
		return staging.QuoteIdent(real)
	}
	return "NULL"
}

// scanRow is one row read by scan.
type scanRow struct {
	ID   int64
	Line int64
	Key  string
	Vals []sql.NullString
}

// scan reads cols of every row in _ferry_row order; a column the table does not have (yet)
// reads as NULL.
func (e *env) scan(cols []string, fn func(r *scanRow) error) error {
	// line and key are for people (a preview's sample); applying needs neither
	return e.scanWith(cols, !e.writing, fn)
}

// scanWith is scan, reading each row's line and key when withKey.
func (e *env) scanWith(cols []string, withKey bool, fn func(r *scanRow) error) error {
	var b strings.Builder
	b.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow))
	if !withKey {
		b.WriteString(", 0, NULL")
	} else {
		b.WriteString(", " + staging.QuoteIdent(staging.ColLine) + ", " + e.selectExpr(e.t.Key))
	}
	for _, c := range cols {
		b.WriteString(", " + e.selectExpr(c))
	}
	b.WriteString(" FROM " + staging.QuoteIdent(e.t.Name) + " ORDER BY " + staging.QuoteIdent(staging.ColRow))
	rows, err := e.q.QueryContext(e.ctx, b.String())
	if err != nil {
		return fmt.Errorf("reading %s: %w", e.t.Name, err)
	}
	defer rows.Close()
	r := &scanRow{Vals: make([]sql.NullString, len(cols))}
	var key sql.NullString
	dest := make([]any, 3+len(cols))
	dest[0], dest[1], dest[2] = &r.ID, &r.Line, &key
	for i := range r.Vals {
		dest[3+i] = &r.Vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("reading %s: %w", e.t.Name, err)
		}
		r.Key = key.String
		if err := fn(r); err != nil {
			return err
		}
		n++
		if n&0x3fff == 0 {
			if err := e.ctx.Err(); err != nil {
				return err
			}
			e.progress(n)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", e.t.Name, err)
	}
	e.progress(n)
	return nil
}

// sink receives what an operation does: the preview counts it, the writer records it.
type sink interface {
	// addColumn is called before any cell of the new column is reported.
	addColumn(name string) error
	cell(r *scanRow, col string, old sql.NullString, new sql.NullString) error
	remove(r RemovedRow) error
	crosswalk(mergedRow int64, mergedKey string, survivorRow int64, survivorKey string) error
	leave(reason, column, value string, row int64)
}

// counter is shared by both sinks: the counts, the columns and what was left alone.
type counter struct {
	rows      bitset
	nrows     int64
	cells     int64
	removed   int64
	cols      []string
	colIdx    map[string]int
	added     []string
	left      map[string]*leftAcc
	leftOrder []string
	sample    []CellChange
	removes   []RemovedRow
	limit     int // changes and removed rows a preview lists
}

type leftAcc struct {
	Left
	vals map[string]int64
}

func newCounter() counter {
	return counter{colIdx: map[string]int{}, left: map[string]*leftAcc{}}
}

func (c *counter) countCell(r *scanRow, col string, old, new sql.NullString) {
	c.cells++
	if !c.rows.has(r.ID) {
		c.rows.set(r.ID)
		c.nrows++
	}
	if _, ok := c.colIdx[col]; !ok {
		c.colIdx[col] = len(c.cols)
		c.cols = append(c.cols, col)
	}
	if len(c.sample) < c.limit {
		c.sample = append(c.sample, CellChange{Row: r.ID, Line: r.Line, Key: r.Key, Column: col, Old: strPtr(old), New: strPtr(new)})
	}
}

func strPtr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	s := v.String
	return &s
}

func (c *counter) countRemove(r RemovedRow) {
	c.removed++
	if len(c.removes) < c.limit {
		c.removes = append(c.removes, r)
	}
}

// Caps on what a Left keeps: distinct values (dates to decide need them all, up to a point).
const (
	leftValuesCap = 2000
	leftRowsCap   = 100
)

func (c *counter) leave(reason, column, value string, row int64) {
	k := reason + "\x00" + column
	a := c.left[k]
	if a == nil {
		a = &leftAcc{Left: Left{Reason: reason, Column: column, Message: leftMessage(reason)}, vals: map[string]int64{}}
		c.left[k] = a
		c.leftOrder = append(c.leftOrder, k)
	}
	a.Count++
	if _, ok := a.vals[value]; ok || len(a.vals) < leftValuesCap {
		a.vals[value]++
	}
	if row != 0 && len(a.Rows) < leftRowsCap {
		a.Rows = append(a.Rows, row)
	}
}

func (c *counter) preview(step Step, name string) Outcome {
	pv := Outcome{Step: step, Table: name, Rows: c.nrows, Cells: c.cells, Removed: c.removed, Added: c.added,
		Columns: c.cols, Sample: c.sample, Removes: c.removes}
	for _, k := range c.leftOrder {
		a := c.left[k]
		l := a.Left
		for v, n := range a.vals {
			l.Values = append(l.Values, ValueCount{v, n})
		}
		sort.Slice(l.Values, func(i, j int) bool {
			if l.Values[i].Count != l.Values[j].Count {
				return l.Values[i].Count > l.Values[j].Count
			}
			return l.Values[i].Value < l.Values[j].Value
		})
		pv.Left = append(pv.Left, l)
	}
	return pv
}

// previewSink counts and keeps the first changes (counter.limit of them).
type previewSink struct {
	counter
}

func (s *previewSink) addColumn(name string) error {
	s.added = append(s.added, name)
	return nil
}

func (s *previewSink) cell(r *scanRow, col string, old, new sql.NullString) error {
	s.countCell(r, col, old, new)
	return nil
}

func (s *previewSink) remove(r RemovedRow) error {
	s.countRemove(r)
	return nil
}

func (s *previewSink) crosswalk(int64, string, int64, string) error { return nil }

// bitset marks row ids (they are dense: 1..n at import).
type bitset []uint64

func (b *bitset) set(i int64) {
	if i < 0 {
		return
	}
	w := int(i >> 6)
	if w >= len(*b) {
		n := make([]uint64, max(w+1, 2*len(*b)))
		copy(n, *b)
		*b = n
	}
	(*b)[w] |= 1 << (uint(i) & 63)
}

func (b bitset) has(i int64) bool {
	w := int(i >> 6)
	return i >= 0 && w < len(b) && b[w]&(1<<(uint(i)&63)) != 0
}

// The SQLite driver makes a few hundred bytes of garbage per row read or written while the live
// heap stays small, so at the default GOGC the collector runs all the time (as the Stager found
// for imports). While an operation runs the collector waits for 4× the live heap instead.
var gcMu struct {
	sync.Mutex
	n, was int
}

func lessGC() (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcMu.n == 0 {
		gcMu.was = debug.SetGCPercent(400)
		if gcMu.was < 0 || gcMu.was > 400 {
			debug.SetGCPercent(gcMu.was) // off, or already generous: leave it
		}
	}
	gcMu.n++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcMu.n--; gcMu.n == 0 {
			debug.SetGCPercent(gcMu.was)
		}
	}
}
