package mapping

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
)

// Report is what validation found: per entity, field and kind of problem, how many rows and
// which (stored for drill-down with IssueRows), plus the problems of the map itself.
type Report struct {
	RunID         int64          `json:"run_id"`
	Target        string         `json:"target"`
	TargetVersion int            `json:"target_version"`
	MapRevision   int64          `json:"map_revision"`
	StartedAt     string         `json:"started_at"`
	FinishedAt    string         `json:"finished_at"`
	Rows          int64          `json:"rows"`   // source rows read
	Errors        int64          `json:"errors"` // values with an error, plus problems of the map itself
	Entities      []EntityReport `json:"entities"`
	Issues        []Issue        `json:"issues"`
	Problems      []Problem      `json:"problems"`
	// Current says whether the report still describes the project: same target version, same
	// map revision, no change to the staged data since (LatestReport sets it).
	Current bool `json:"current"`
}

// EntityReport sums up one entity.
type EntityReport struct {
	Entity         string `json:"entity"`
	Table          string `json:"table"`
	Rows           int64  `json:"rows"`
	RowsWithErrors int64  `json:"rows_with_errors"`
	Errors         int64  `json:"errors"`
}

// Issue is one kind of problem in one field (or entity): its count, words, a few examples and,
// for values (unmapped, not in list), the distinct values with their counts.
type Issue struct {
	ID       int64        `json:"id"` // for IssueRows; 0 before the report is stored
	Entity   string       `json:"entity"`
	Field    string       `json:"field,omitempty"`
	Kind     string       `json:"kind"`
	Severity string       `json:"severity"`
	Count    int64        `json:"count"`
	Message  string       `json:"message"`
	Examples []Example    `json:"examples,omitempty"`
	Values   []ValueCount `json:"values,omitempty"`
}

// Example is one row behind an issue.
type Example struct {
	Row     int64  `json:"row"`  // _ferry_row of the source table
	Line    int64  `json:"line"` // line or record number in the source file
	Key     string `json:"key,omitempty"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// ValueCount is a value and how many rows have it.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// IssueRow is one row behind a stored issue.
type IssueRow struct {
	Row   int64  `json:"row"`
	Line  int64  `json:"line"`
	Value string `json:"value"`
}

// Progress is reported while validation reads an entity's rows.
type Progress struct {
	Entity string `json:"entity"`
	Done   int64  `json:"done"`
	Total  int64  `json:"total"`
}

const (
	maxExamples     = 5
	maxIssueValues  = 500
	progressEvery   = 5000
	maxPreviewRows  = 1000
	defaultPreviewN = 20
)

// entityRun is one mapped entity ready to read.
type entityRun struct {
	e      *target.Entity
	em     EntityMap
	table  staging.TableInfo
	fields []*Chain
	cols   []string // the distinct source columns, as selected
	idx    [][]int  // per field: positions in cols
	key    int      // index in fields of the key field, -1 without
}

type engine struct {
	p      *project.Project
	def    *target.Definition
	runs   map[string]*entityRun
	order  []*entityRun
	keys   map[string]map[string]struct{} // entity → key values
	dups   map[string]map[int64]struct{}  // entity → rows repeating a key
	cw     *crosswalk
	issues map[issueKey]*acc
	probs  []Problem
}

type issueKey struct{ entity, field, kind string }

type acc struct {
	Issue
	rows   []IssueRow
	values map[string]int64
}

func (m *Mapper) newEngine(ctx context.Context, st *state, def *target.Definition) (*engine, error) {
	st.t.Definition = *def
	en := &engine{p: m.p, def: def, runs: map[string]*entityRun{}, keys: map[string]map[string]struct{}{},
		dups: map[string]map[int64]struct{}{}, issues: map[issueKey]*acc{}, probs: st.problems()}
	var tables []staging.TableInfo
	for i := range def.Entities {
		e := &def.Entities[i]
		em, ok := st.maps[e.Name]
		if !ok || em.Table == "" {
			continue
		}
		tb, ok := st.table(em.Table)
		if !ok {
			continue // reported as a problem
		}
		r := &entityRun{e: e, em: em, table: tb, key: -1}
		colPos := map[string]int{}
		for _, fm := range em.Fields {
			f := e.Field(fm.Field)
			if f == nil {
				continue
			}
			c, err := Compile(fm, *f, def, st.region)
			if err != nil {
				continue // reported as a problem
			}
			var idx []int
			ok := true
			for _, src := range fm.Sources {
				name, found := hasColumn(tb, src)
				if !found {
					ok = false
					break
				}
				pos, seen := colPos[strings.ToLower(name)]
				if !seen {
					pos = len(r.cols)
					colPos[strings.ToLower(name)] = pos
					r.cols = append(r.cols, name)
				}
				idx = append(idx, pos)
			}
			if !ok {
				continue
			}
			if f.Key {
				r.key = len(r.fields)
			}
			r.fields = append(r.fields, c)
			r.idx = append(r.idx, idx)
		}
		en.runs[e.Name] = r
		en.order = append(en.order, r)
		tables = append(tables, tb)
	}
	var err error
	en.cw, err = loadCrosswalk(ctx, m.p, tables)
	return en, err
}

// scan reads the entity's rows in order (limit <= 0: all) and calls fn with the row id, line
// and the selected columns' values.
func (en *engine) scan(ctx context.Context, r *entityRun, limit int64, fn func(row, line int64, vals []string) error) error {
	var q strings.Builder
	q.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow) + ", " + staging.QuoteIdent(staging.ColLine))
	for _, c := range r.cols {
		q.WriteString(", " + staging.QuoteIdent(c))
	}
	q.WriteString(" FROM " + staging.QuoteIdent(r.table.Name) + " ORDER BY " + staging.QuoteIdent(staging.ColRow))
	var args []any
	if limit > 0 {
		q.WriteString(" LIMIT ?")
		args = append(args, limit)
	}
	rows, err := en.p.Reader().QueryContext(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", r.table.Name, err)
	}
	defer rows.Close()
	ns := make([]sql.NullString, len(r.cols))
	dest := make([]any, 2+len(r.cols))
	var id, line int64
	dest[0], dest[1] = &id, &line
	for i := range ns {
		dest[2+i] = &ns[i]
	}
	vals := make([]string, len(r.cols))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("reading %s: %w", r.table.Name, err)
		}
		for i, v := range ns {
			vals[i] = v.String
		}
		if err := fn(id, line, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *entityRun) sources(i int, vals []string, buf []string) []string {
	buf = buf[:0]
	for _, j := range r.idx[i] {
		buf = append(buf, vals[j])
	}
	return buf
}

// collectKeys reads the key field of the entities named (all when nil): the values other
// entities' references are checked against, and the rows repeating a key.
func (en *engine) collectKeys(ctx context.Context, only map[string]bool) error {
	for _, r := range en.order {
		if r.key < 0 || (only != nil && !only[r.e.Name]) {
			continue
		}
		keys := map[string]struct{}{}
		dups := map[int64]struct{}{}
		var buf []string
		kc := r.fields[r.key]
		err := en.scan(ctx, r, 0, func(row, line int64, vals []string) error {
			v, cerr := kc.Run(r.sources(r.key, vals, buf))
			if cerr != nil || strings.TrimSpace(v) == "" {
				return nil
			}
			if _, seen := keys[v]; seen {
				dups[row] = struct{}{}
				return nil
			}
			keys[v] = struct{}{}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
		en.keys[r.e.Name] = keys
		en.dups[r.e.Name] = dups
	}
	return nil
}

// checkRef says what is wrong with a reference value, or nil.
func (en *engine) checkRef(c *Chain, v string) *CellError {
	if c.Lookup == "" || strings.TrimSpace(v) == "" {
		return nil
	}
	keys, ok := en.keys[c.Lookup]
	if !ok {
		return nil // the parent is not mapped: reported as a problem of the map
	}
	if _, ok := keys[v]; ok {
		return nil
	}
	if pr := en.runs[c.Lookup]; pr != nil {
		if s, ok := en.cw.survivor(pr.table.SourceID, v); ok {
			if _, ok := keys[s]; ok {
				return nil
			}
		}
	}
	return cellErr(KindRefNotFound, "no %s with key %q", c.Lookup, v)
}

// rowResult is one row run through every field of an entity.
type rowResult struct {
	values []string
	errs   []*CellError
	key    string
}

func (en *engine) runRow(r *entityRun, row int64, vals []string, buf []string) rowResult {
	res := rowResult{values: make([]string, len(r.fields)), errs: make([]*CellError, len(r.fields))}
	for i, c := range r.fields {
		v, err := c.Run(r.sources(i, vals, buf))
		res.values[i] = v
		if err == nil {
			err = c.Check(v)
		}
		if err == nil {
			err = en.checkRef(c, v)
		}
		if err == nil && i == r.key {
			if _, dup := en.dups[r.e.Name][row]; dup {
				err = cellErr(KindDuplicateKey, "key %q is also on an earlier row", v)
			}
		}
		res.errs[i] = err
	}
	if r.key >= 0 {
		res.key = res.values[r.key]
	}
	return res
}

func (en *engine) record(entity, field string, kind string, row, line int64, key, value, msg string) {
	k := issueKey{entity, field, kind}
	a := en.issues[k]
	if a == nil {
		a = &acc{Issue: Issue{Entity: entity, Field: field, Kind: kind, Severity: SevError}, values: map[string]int64{}}
		en.issues[k] = a
	}
	a.Count++
	a.rows = append(a.rows, IssueRow{Row: row, Line: line, Value: value})
	if len(a.Examples) < maxExamples {
		a.Examples = append(a.Examples, Example{Row: row, Line: line, Key: key, Value: value, Message: msg})
	}
	if _, ok := a.values[value]; ok || len(a.values) < maxIssueValues*4 {
		a.values[value]++
	}
}

// run validates every row of every mapped entity.
func (en *engine) run(ctx context.Context, progress func(Progress)) (*Report, error) {
	if err := en.collectKeys(ctx, nil); err != nil {
		return nil, err
	}
	rep := &Report{Entities: []EntityReport{}}
	for _, r := range en.order {
		er := EntityReport{Entity: r.e.Name, Table: r.table.Name}
		var buf []string
		err := en.scan(ctx, r, 0, func(row, line int64, vals []string) error {
			er.Rows++
			res := en.runRow(r, row, vals, buf)
			bad := false
			for i, e := range res.errs {
				if e == nil {
					continue
				}
				bad = true
				er.Errors++
				en.record(r.e.Name, r.fields[i].Field.Name, e.Kind, row, line, res.key, res.values[i], e.Message)
			}
			if bad {
				er.RowsWithErrors++
			}
			if progress != nil && er.Rows%progressEvery == 0 {
				progress(Progress{Entity: r.e.Name, Done: er.Rows, Total: r.table.Rows})
			}
			if er.Rows%1024 == 0 {
				return ctx.Err()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(Progress{Entity: r.e.Name, Done: er.Rows, Total: er.Rows})
		}
		rep.Rows += er.Rows
		rep.Errors += er.Errors
		rep.Entities = append(rep.Entities, er)
	}
	rep.Problems = en.probs
	for _, pr := range en.probs {
		if pr.Severity == SevError {
			rep.Errors++
		}
	}
	rep.Issues = en.sortedIssues()
	return rep, nil
}

// sortedIssues orders issues as the target lists entities and fields, then by kind.
func (en *engine) sortedIssues() []Issue {
	entPos, fieldPos := map[string]int{}, map[string]int{}
	for i, e := range en.def.Entities {
		entPos[e.Name] = i
		for j, f := range e.Fields {
			fieldPos[e.Name+"\x00"+f.Name] = j
		}
	}
	var keys []issueKey
	for k := range en.issues {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if entPos[a.entity] != entPos[b.entity] {
			return entPos[a.entity] < entPos[b.entity]
		}
		if fa, fb := fieldPos[a.entity+"\x00"+a.field], fieldPos[b.entity+"\x00"+b.field]; fa != fb {
			return fa < fb
		}
		return a.kind < b.kind
	})
	out := []Issue{}
	for _, k := range keys {
		a := en.issues[k]
		a.Values = topValues(a.values, maxIssueValues)
		a.Message = issueMessage(en.def, a)
		out = append(out, a.Issue)
	}
	return out
}

func topValues(m map[string]int64, n int) []ValueCount {
	out := make([]ValueCount, 0, len(m))
	for v, c := range m {
		out = append(out, ValueCount{v, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func issueMessage(def *target.Definition, a *acc) string {
	where := a.Entity + "." + a.Field
	var f target.Field
	if e := def.Entity(a.Entity); e != nil {
		if ff := e.Field(a.Field); ff != nil {
			f = *ff
		}
	}
	distinct := int64(len(a.values))
	switch a.Kind {
	case KindRequiredMissing:
		return fmt.Sprintf("%s leave %s blank, and it is required.", plural(a.Count, "row", "rows"), where)
	case KindTooLong:
		return fmt.Sprintf("%s in %s are longer than %d characters.", plural(a.Count, "value", "values"), where, f.MaxLength)
	case KindBadDate:
		return fmt.Sprintf("%s in %s are not dates that can be written as %s.", plural(a.Count, "value", "values"), where, f.EffectiveFormat())
	case KindAmbiguousDate:
		return fmt.Sprintf("%s in %s could be read day-first or month-first: choose the column's order or normalise the dates in Cleanse.", plural(a.Count, "date", "dates"), where)
	case KindNotInList:
		return fmt.Sprintf("%s in %s are not among its allowed values (%s distinct).", plural(a.Count, "value", "values"), where, fmt.Sprint(distinct))
	case KindUnmappedValue:
		return fmt.Sprintf("%s in %s have a value the value map does not cover (%s).", plural(a.Count, "row", "rows"), where, plural(distinct, "distinct value", "distinct values"))
	case KindBadPhone:
		return fmt.Sprintf("%s in %s are not valid phone numbers.", plural(a.Count, "value", "values"), where)
	case KindBadEmail:
		return fmt.Sprintf("%s in %s are not e-mail addresses.", plural(a.Count, "value", "values"), where)
	case KindBadNumber:
		return fmt.Sprintf("%s in %s are not %s.", plural(a.Count, "value", "values"), where, map[bool]string{true: "amounts", false: "numbers"}[f.Type == target.Money])
	case KindBadBoolean:
		t, fl := target.BooleanWords(f.EffectiveFormat())
		return fmt.Sprintf("%s in %s are not %s or %s.", plural(a.Count, "value", "values"), where, t, fl)
	case KindRefNotFound:
		ref := f.References
		if ref == "" {
			ref = "record"
		}
		return fmt.Sprintf("%s in %s refer to a %s that is not there (%s).", plural(a.Count, "row", "rows"), where, ref,
			plural(distinct, "distinct key", "distinct keys"))
	case KindDuplicateKey:
		return fmt.Sprintf("%s repeat a key of %s that an earlier row has: merge the duplicates in Cleanse.", plural(a.Count, "row", "rows"), a.Entity)
	}
	return fmt.Sprintf("%s in %s: %s", plural(a.Count, "value", "values"), where, a.Kind)
}

// Validate freezes the active target (target.Freeze: a new version only if it changed), runs
// every row of every mapped entity through its map, checks each value against its field and
// each reference against the records referred to (after merges, through the Cleanse step's
// crosswalk), and stores the run with the rows behind each issue, and a map.validate custody
// event, in one transaction. A cancelled context stores nothing.
func (m *Mapper) Validate(ctx context.Context, progress func(Progress)) (*Report, error) {
	started := now()
	fr, err := m.freeze(ctx)
	if err != nil {
		return nil, err
	}
	t, version, rev := fr.t, fr.version, fr.rev
	en, err := m.newEngine(ctx, fr.st, &fr.def)
	if err != nil {
		return nil, err
	}
	rep, err := en.run(ctx, progress)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Target, rep.TargetVersion, rep.MapRevision, rep.StartedAt, rep.FinishedAt = t.Name, version, rev, started, now()
	rep.Current = true
	err = m.p.Write(ctx, func(tx *sql.Tx) error {
		byKind := map[string]int64{}
		for _, is := range rep.Issues {
			byKind[is.Kind] += is.Count
		}
		if err := m.p.Log(ctx, tx, "map.validate", map[string]any{"target": t.Name, "version": version, "revision": rev,
			"rows": rep.Rows, "errors": rep.Errors, "by_kind": byKind, "problems": len(rep.Problems)}, nil); err != nil {
			return err
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM ferry_custody`).Scan(&seq); err != nil {
			return err
		}
		status := "ok"
		if rep.Errors > 0 {
			status = "errors"
		}
		summary, _ := json.Marshal(map[string]any{"entities": rep.Entities, "by_kind": byKind, "problems": rep.Problems})
		runID, err := target.RecordRun(ctx, tx, target.Run{Kind: target.RunValidation, TargetID: t.ID, TargetVersion: version,
			MapRevision: rev, CustodySeq: seq, StartedAt: started, FinishedAt: rep.FinishedAt, Actor: m.p.Who().Actor,
			Status: status, Rows: rep.Rows, Errors: rep.Errors, Summary: summary})
		if err != nil {
			return err
		}
		rep.RunID = runID
		// Older validations keep their counts and examples; the rows behind them go, or a project
		// validated daily would grow by every error every day.
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_map_issue_rows WHERE issue_id IN (SELECT i.id FROM ferry_map_issues i
			JOIN ferry_runs r ON r.id = i.run_id WHERE r.kind = ? AND r.target_id = ? AND r.id < ?)`,
			target.RunValidation, t.ID, runID); err != nil {
			return fmt.Errorf("clearing older validations: %w", err)
		}
		return en.store(ctx, tx, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (en *engine) store(ctx context.Context, tx *sql.Tx, rep *Report) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO ferry_map_issues(run_id, ord, entity, field, kind, severity, count, message, detail)
		VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insRow, err := tx.PrepareContext(ctx, `INSERT INTO ferry_map_issue_rows(issue_id, row, line, value) VALUES (?,?,?,?)`)
	if err != nil {
		return err
	}
	defer insRow.Close()
	ord := 0
	for _, pr := range rep.Problems {
		ord++
		if _, err := ins.ExecContext(ctx, rep.RunID, ord, pr.Entity, pr.Field, pr.Kind, pr.Severity, 0, pr.Message, `{"problem":true}`); err != nil {
			return fmt.Errorf("saving the validation: %w", err)
		}
	}
	for i := range rep.Issues {
		is := &rep.Issues[i]
		ord++
		detail, _ := json.Marshal(map[string]any{"examples": is.Examples, "values": is.Values})
		res, err := ins.ExecContext(ctx, rep.RunID, ord, is.Entity, is.Field, is.Kind, is.Severity, is.Count, is.Message, string(detail))
		if err != nil {
			return fmt.Errorf("saving the validation: %w", err)
		}
		is.ID, _ = res.LastInsertId()
		for _, r := range en.issues[issueKey{is.Entity, is.Field, is.Kind}].rows {
			if _, err := insRow.ExecContext(ctx, is.ID, r.Row, r.Line, r.Value); err != nil {
				return fmt.Errorf("saving the validation: %w", err)
			}
		}
	}
	return nil
}

// staleActions are custody actions after which a validation no longer describes the data.
var staleActions = []string{"source.import", "table.drop", "table.rename", "table.set_key"}

// LatestReport reads the newest validation of the active target, with Current saying whether
// it still describes the project. It returns (nil, nil) when there is none.
func (m *Mapper) LatestReport(ctx context.Context) (*Report, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return nil, err
	}
	runs, err := target.Runs(ctx, m.p, t.ID, target.RunValidation)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	run := runs[0]
	rep := &Report{RunID: run.ID, Target: t.Name, TargetVersion: run.TargetVersion, MapRevision: run.MapRevision,
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, Rows: run.Rows, Errors: run.Errors, Entities: []EntityReport{},
		Issues: []Issue{}, Problems: []Problem{}}
	var sum struct {
		Entities []EntityReport `json:"entities"`
	}
	_ = json.Unmarshal(run.Summary, &sum)
	if sum.Entities != nil {
		rep.Entities = sum.Entities
	}
	rows, err := m.p.Reader().QueryContext(ctx, `SELECT id, entity, field, kind, severity, count, message, detail
		FROM ferry_map_issues WHERE run_id = ? ORDER BY ord`, run.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the validation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var is Issue
		var detail string
		if err := rows.Scan(&is.ID, &is.Entity, &is.Field, &is.Kind, &is.Severity, &is.Count, &is.Message, &detail); err != nil {
			return nil, fmt.Errorf("reading the validation: %w", err)
		}
		var d struct {
			Problem  bool         `json:"problem"`
			Examples []Example    `json:"examples"`
			Values   []ValueCount `json:"values"`
		}
		_ = json.Unmarshal([]byte(detail), &d)
		if d.Problem {
			rep.Problems = append(rep.Problems, Problem{Entity: is.Entity, Field: is.Field, Kind: is.Kind, Severity: is.Severity, Message: is.Message})
			continue
		}
		is.Examples, is.Values = d.Examples, d.Values
		rep.Issues = append(rep.Issues, is)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Current, err = m.current(ctx, t, run)
	return rep, err
}

// current says whether a run still describes the project.
func (m *Mapper) current(ctx context.Context, t target.Target, run target.Run) (bool, error) {
	if t.Changed || t.Version != run.TargetVersion {
		return false, nil
	}
	rev, err := revisionOf(ctx, m.p.Reader(), t.ID)
	if err != nil || rev != run.MapRevision {
		return false, err
	}
	q := `SELECT count(*) FROM ferry_custody WHERE seq > ? AND (action LIKE 'cleanse.%' OR action LIKE 'relationship.%'`
	args := []any{run.CustodySeq}
	for _, a := range staleActions {
		q += ` OR action = ?`
		args = append(args, a)
	}
	var n int64
	if err := m.p.Reader().QueryRowContext(ctx, q+`)`, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("reading the custody log: %w", err)
	}
	return n == 0, nil
}

// IssueRows pages through the rows behind a stored issue, in row order. Rows are kept for the
// newest validation of a target; an older issue has none.
func (m *Mapper) IssueRows(ctx context.Context, issueID int64, offset, limit int) ([]IssueRow, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := m.p.Reader().QueryContext(ctx, `SELECT row, line, value FROM ferry_map_issue_rows WHERE issue_id = ?
		ORDER BY row LIMIT ? OFFSET ?`, issueID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("reading the rows of issue %d: %w", issueID, err)
	}
	defer rows.Close()
	out := []IssueRow{}
	for rows.Next() {
		var r IssueRow
		if err := rows.Scan(&r.Row, &r.Line, &r.Value); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Preview is the first rows of one entity as the new system would get them: per row and field
// the value the map makes, the source values it came from, and what is wrong with it.
type Preview struct {
	Entity string         `json:"entity"`
	Table  string         `json:"table"`
	Total  int64          `json:"total"` // rows in the source table
	Fields []PreviewField `json:"fields"`
	Rows   []PreviewRow   `json:"rows"`
	Errors int            `json:"errors"`          // cells with an error in these rows
	Kinds  map[string]int `json:"kinds,omitempty"` // cells with an error per kind
}

// PreviewField is one column of the preview: a field of the entity (all of them, mapped or not).
type PreviewField struct {
	Field   target.Field `json:"field"`
	Sources []string     `json:"sources,omitempty"`
	Mapped  bool         `json:"mapped"`
}

// PreviewRow is one source row.
type PreviewRow struct {
	Row   int64         `json:"row"`
	Line  int64         `json:"line"`
	Cells []PreviewCell `json:"cells"`
}

// PreviewCell is one field's value; Error says what is wrong with it (nil: nothing).
type PreviewCell struct {
	Value  string     `json:"value"`
	Source []string   `json:"source,omitempty"`
	Error  *CellError `json:"error,omitempty"`
}

// Preview runs the first n rows (0: 20; at most 1000) of an entity through its map, with every
// check validation makes, against the working target. Nothing is stored.
func (m *Mapper) Preview(ctx context.Context, entity string, n int) (*Preview, error) {
	if n <= 0 {
		n = defaultPreviewN
	}
	n = min(n, maxPreviewRows)
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	e := st.t.Entity(entity)
	if e == nil {
		return nil, fmt.Errorf("%s: %w", entity, ErrNoEntity)
	}
	def := st.t.Definition
	en, err := m.newEngine(ctx, st, &def)
	if err != nil {
		return nil, err
	}
	pv := &Preview{Entity: e.Name, Fields: []PreviewField{}, Rows: []PreviewRow{}, Kinds: map[string]int{}}
	r := en.runs[e.Name]
	for _, f := range e.Fields {
		pf := PreviewField{Field: f}
		if r != nil {
			for _, c := range r.fields {
				if c.Field.Name == f.Name {
					pf.Mapped, pf.Sources = true, c.Sources
				}
			}
		}
		pv.Fields = append(pv.Fields, pf)
	}
	if r == nil {
		return pv, nil
	}
	pv.Table, pv.Total = r.table.Name, r.table.Rows
	// keys of this entity (duplicates) and of the entities its fields refer to
	need := map[string]bool{e.Name: true}
	for _, c := range r.fields {
		if c.Lookup != "" {
			need[c.Lookup] = true
		}
	}
	if err := en.collectKeys(ctx, need); err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, c := range r.fields {
		pos[c.Field.Name] = i
	}
	var buf []string
	err = en.scan(ctx, r, int64(n), func(row, line int64, vals []string) error {
		res := en.runRow(r, row, vals, buf)
		pr := PreviewRow{Row: row, Line: line, Cells: make([]PreviewCell, len(e.Fields))}
		for j, f := range e.Fields {
			i, ok := pos[f.Name]
			if !ok {
				if f.Required {
					pr.Cells[j].Error = cellErr(KindRequiredUnmapped, "%s is required and not mapped", f.Title())
					pv.Errors++
					pv.Kinds[KindRequiredUnmapped]++
				}
				continue
			}
			pr.Cells[j] = PreviewCell{Value: res.values[i], Source: append([]string(nil), r.sources(i, vals, nil)...), Error: res.errs[i]}
			if res.errs[i] != nil {
				pv.Errors++
				pv.Kinds[res.errs[i].Kind]++
			}
		}
		pv.Rows = append(pv.Rows, pr)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pv, nil
}

// frozen is what a run over every row starts from: the active target frozen at its current
// version, the map's revision, and the staged tables.
type frozen struct {
	t       target.Target
	version int
	def     target.Definition
	rev     int64
	st      *state
}

func (m *Mapper) freeze(ctx context.Context) (*frozen, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return nil, err
	}
	version, err := target.Freeze(ctx, m.p, t.ID)
	if err != nil {
		return nil, err
	}
	v, err := target.GetVersion(ctx, m.p, t.ID, version)
	if err != nil {
		return nil, err
	}
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	rev, err := revisionOf(ctx, m.p.Reader(), t.ID)
	if err != nil {
		return nil, err
	}
	return &frozen{t: t, version: version, def: v.Def, rev: rev, st: st}, nil
}
