package cleanse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/textkit"
)

// RecipeFormat and RecipeVersion identify a recipe file.
const (
	RecipeFormat  = "ferry-cleanse-recipe"
	RecipeVersion = 1
)

// Recipe is the history as data: the applied operations' steps, in order, and the tables and
// columns they expect. It names no file and holds no code: reading one from another machine
// makes Ferry read or write nothing but the project it is applied to.
type Recipe struct {
	Format      string        `json:"format"`
	Version     int           `json:"version"`
	Name        string        `json:"name,omitempty"`
	Description string        `json:"description,omitempty"`
	ExportedAt  string        `json:"exported_at,omitempty"`
	ExportedBy  string        `json:"exported_by,omitempty"`
	Ferry       string        `json:"ferry,omitempty"`
	Tables      []RecipeTable `json:"tables,omitempty"`
	Steps       []Step        `json:"steps"`
}

// RecipeTable is a table as the recipe expects to find it: its columns before any step runs.
type RecipeTable struct {
	Name    string         `json:"name"`
	Key     string         `json:"key,omitempty"`
	Columns []RecipeColumn `json:"columns"`
}

// RecipeColumn is a column and what it holds (the audit's type, or what the steps treat it as:
// date, phone, email, postcode …).
type RecipeColumn struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// ParseRecipe reads a recipe strictly: unknown fields, unknown ops (named), parameters an op
// does not take and unusable values (a regular expression that does not compile, a date that
// is no date) are errors that say which step. A recipe is data only.
func ParseRecipe(data []byte) (*Recipe, error) {
	if len(data) > maxRecipeLen {
		return nil, fmt.Errorf("the recipe is %d MB, more than Ferry reads: %w", len(data)>>20, ErrBadRecipe)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("the recipe is not JSON (%v): %w", err, ErrBadRecipe)
	}
	known := map[string]bool{"format": true, "version": true, "name": true, "description": true, "exported_at": true,
		"exported_by": true, "ferry": true, "tables": true, "steps": true}
	var extra []string
	for k := range raw {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("the recipe has fields Ferry does not know: %s: %w", quoteList(extra), ErrBadRecipe)
	}
	var rc Recipe
	var steps []json.RawMessage
	for k, v := range raw {
		var err error
		switch k {
		case "format":
			err = json.Unmarshal(v, &rc.Format)
		case "version":
			err = json.Unmarshal(v, &rc.Version)
		case "name":
			err = json.Unmarshal(v, &rc.Name)
		case "description":
			err = json.Unmarshal(v, &rc.Description)
		case "exported_at":
			err = json.Unmarshal(v, &rc.ExportedAt)
		case "exported_by":
			err = json.Unmarshal(v, &rc.ExportedBy)
		case "ferry":
			err = json.Unmarshal(v, &rc.Ferry)
		case "tables":
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.DisallowUnknownFields()
			err = dec.Decode(&rc.Tables)
		case "steps":
			err = json.Unmarshal(v, &steps)
		}
		if err != nil {
			return nil, fmt.Errorf("the recipe's %q: %v: %w", k, err, ErrBadRecipe)
		}
	}
	if rc.Format != RecipeFormat {
		return nil, fmt.Errorf("not a Ferry cleanse recipe (format %q, want %q): %w", rc.Format, RecipeFormat, ErrBadRecipe)
	}
	if rc.Version < 1 || rc.Version > RecipeVersion {
		return nil, fmt.Errorf("recipe version %d: this Ferry reads version %d; a newer Ferry made it: %w", rc.Version, RecipeVersion, ErrBadRecipe)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("the recipe has no steps: %w", ErrBadRecipe)
	}
	for i, s := range steps {
		st, err := ParseStep(s)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
		rc.Steps = append(rc.Steps, st)
	}
	listed := map[string]bool{}
	for _, t := range rc.Tables {
		if !okName(t.Name) {
			return nil, fmt.Errorf("a table in the recipe has no usable name: %w", ErrBadRecipe)
		}
		listed[strings.ToLower(t.Name)] = true
		for _, c := range t.Columns {
			if !okName(c.Name) {
				return nil, fmt.Errorf("table %s: a column has no usable name: %w", t.Name, ErrBadRecipe)
			}
		}
	}
	if len(rc.Tables) > 0 {
		for i, s := range rc.Steps {
			if !listed[strings.ToLower(s.Table)] {
				return nil, fmt.Errorf("step %d works on %s, which the recipe's tables do not list: %w", i+1, s.Table, ErrBadRecipe)
			}
		}
	}
	return &rc, nil
}

// Marshal writes the recipe as indented JSON.
func (rc *Recipe) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Export makes the recipe of the applied operations, oldest first. Rows are named by their
// legacy key (and checked values), not by this project's row numbers, wherever the table has a
// key.
func Export(ctx context.Context, p *project.Project, name string) (*Recipe, error) {
	ops, err := listOps(ctx, p.Reader(), `o.state = 'applied' ORDER BY o.id`)
	if err != nil {
		return nil, err
	}
	rc := &Recipe{Format: RecipeFormat, Version: RecipeVersion, Name: name, ExportedAt: time.Now().UTC().Format(time.RFC3339),
		ExportedBy: p.Who().Actor, Ferry: project.Version, Steps: []Step{}}
	added := map[string]map[string]bool{} // table → columns the recipe creates
	var order []string
	uses := map[string]map[string]string{} // table → column → type a step gives it
	for _, o := range ops {
		if o.Stale {
			continue
		}
		s := o.Step
		s.Table = o.Table
		for i := range s.Records {
			if s.Records[i].Key != "" {
				s.Records[i].Row = 0
			}
		}
		for i := range s.Clusters {
			for j := range s.Clusters[i].Members {
				if s.Clusters[i].Members[j].Key != "" {
					s.Clusters[i].Members[j].Row = 0
				}
			}
		}
		rc.Steps = append(rc.Steps, s)
		lt := strings.ToLower(o.Table)
		if added[lt] == nil {
			added[lt] = map[string]bool{}
			uses[lt] = map[string]string{}
			order = append(order, o.Table)
		}
		for _, c := range o.Added {
			added[lt][strings.ToLower(c)] = true
		}
		if ty := stepType(s.Op); ty != "" {
			for _, c := range s.TargetColumns() {
				if _, ok := uses[lt][strings.ToLower(c)]; !ok {
					uses[lt][strings.ToLower(c)] = ty
				}
			}
		}
	}
	for _, name := range order {
		t, err := loadTable(ctx, p.Reader(), name)
		if err != nil {
			return nil, err
		}
		types := auditTypes(ctx, p.Reader(), t.Name)
		rt := RecipeTable{Name: t.Name, Key: t.Key, Columns: []RecipeColumn{}}
		lt := strings.ToLower(t.Name)
		for _, c := range t.Columns {
			lc := strings.ToLower(c)
			if added[lt][lc] {
				continue
			}
			ty := uses[lt][lc]
			if ty == "" {
				ty = types[lc]
			}
			rt.Columns = append(rt.Columns, RecipeColumn{Name: c, Type: ty})
		}
		rc.Tables = append(rc.Tables, rt)
	}
	return rc, nil
}

// stepType is what a step treats its columns as.
func stepType(op string) string {
	switch op {
	case OpNormaliseDate:
		return "date"
	case OpNormalisePhone:
		return "phone"
	case OpNormaliseEmail, OpFixEmailDomain:
		return "email"
	case OpRestoreZipZeros:
		return "postcode"
	}
	return ""
}

// auditTypes are the column types of the latest audit of table, if there is one.
func auditTypes(ctx context.Context, db *sql.DB, table string) map[string]string {
	out := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT column_name, type FROM ferry_audit_columns WHERE table_name = ?
		AND run_id = (SELECT max(id) FROM ferry_audit_runs)`, table)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var c, t string
		if rows.Scan(&c, &t) == nil {
			out[strings.ToLower(c)] = t
		}
	}
	return out
}

// Problem is something in the project that stops a recipe from replaying.
type Problem struct {
	Step      int    `json:"step,omitempty"` // 1-based: the first step that needs it
	Table     string `json:"table"`
	Column    string `json:"column,omitempty"`
	Kind      string `json:"kind"` // missing_table, missing_column, renamed_column, type
	Message   string `json:"message"`
	Candidate string `json:"candidate,omitempty"` // what it was probably renamed to
}

// CheckReport is what Check found: any problem stops a replay before it changes anything;
// notes are for information.
type CheckReport struct {
	Problems []Problem `json:"problems,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
}

// Text lists the problems in words.
func (c *CheckReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the recipe does not fit this project (%d %s); nothing was changed:", len(c.Problems), plural(len(c.Problems), "problem", "problems"))
	for _, p := range c.Problems {
		b.WriteString("\n  - " + p.Message)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// MismatchError is returned by Replay when Check found problems.
type MismatchError struct{ Report *CheckReport }

func (e *MismatchError) Error() string { return e.Report.Text() }
func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Check compares a recipe with the project's tables before anything runs: every table and
// every column a step reads must be there (or be made by an earlier step), and columns the
// recipe treats as dates, phone numbers, e-mail addresses or postcodes must mostly hold those.
// It lists every problem at once: a missing column, with the column it was probably renamed to,
// is never skipped over silently.
func Check(ctx context.Context, p *project.Project, rc *Recipe) (*CheckReport, error) {
	db := p.Reader()
	rep := &CheckReport{}
	recipeTables := map[string]*RecipeTable{}
	for i := range rc.Tables {
		recipeTables[strings.ToLower(rc.Tables[i].Name)] = &rc.Tables[i]
	}
	var names []string
	seen := map[string]bool{}
	for _, t := range rc.Tables {
		if !seen[strings.ToLower(t.Name)] {
			seen[strings.ToLower(t.Name)] = true
			names = append(names, t.Name)
		}
	}
	for _, s := range rc.Steps {
		if !seen[strings.ToLower(s.Table)] {
			seen[strings.ToLower(s.Table)] = true
			names = append(names, s.Table)
		}
	}
	all, err := staging.NewStager(p).Tables(ctx)
	if err != nil {
		return nil, err
	}
	tables := map[string]table{}
	for _, n := range names {
		t, err := loadTable(ctx, db, n)
		if errors.Is(err, ErrNoSuchTable) {
			pr := Problem{Table: n, Kind: "missing_table", Message: fmt.Sprintf("there is no table %s", n)}
			var others []string
			for _, t := range all {
				if !seen[strings.ToLower(t.Name)] {
					others = append(others, t.Name)
				}
			}
			if c := similar(n, others, -1, nil); c != "" {
				pr.Candidate = c
				pr.Message += fmt.Sprintf(" (is it %s? import the file under the name %s, or rename the table)", c, n)
			}
			rep.Problems = append(rep.Problems, pr)
			continue
		}
		if err != nil {
			return nil, err
		}
		tables[strings.ToLower(n)] = t
	}
	// walk the steps with the columns each table has at that point
	have := map[string]map[string]bool{}
	for k, t := range tables {
		have[k] = map[string]bool{}
		for _, c := range t.Columns {
			have[k][strings.ToLower(c)] = true
		}
	}
	reported := map[string]bool{}
	types := map[string]string{} // table\x00column → type the recipe expects
	for k, rt := range recipeTables {
		for _, c := range rt.Columns {
			if c.Type != "" {
				types[k+"\x00"+strings.ToLower(c.Name)] = c.Type
			}
		}
	}
	for i, s := range rc.Steps {
		lt := strings.ToLower(s.Table)
		t, ok := tables[lt]
		if !ok {
			continue
		}
		for _, c := range stepReads(s) {
			lc := strings.ToLower(c)
			if have[lt][lc] || reported[lt+"\x00"+lc] {
				continue
			}
			reported[lt+"\x00"+lc] = true
			pr := Problem{Step: i + 1, Table: t.Name, Column: c, Kind: "missing_column",
				Message: fmt.Sprintf("%s has no column %s (step %d, %s, needs it)", t.Name, c, i+1, s.Op)}
			if cand := renamedTo(c, t, recipeTables[lt]); cand != "" {
				pr.Kind, pr.Candidate = "renamed_column", cand
				pr.Message = fmt.Sprintf("%s has no column %s (step %d, %s, needs it); it has %s, which the recipe does not know: renamed?",
					t.Name, c, i+1, s.Op, cand)
			}
			rep.Problems = append(rep.Problems, pr)
		}
		if ty := stepType(s.Op); ty != "" {
			for _, c := range s.TargetColumns() {
				if _, ok := types[lt+"\x00"+strings.ToLower(c)]; !ok {
					types[lt+"\x00"+strings.ToLower(c)] = ty
				}
			}
		}
		if s.Op == OpPurge && s.TestRecords {
			f, l, full := peopleColumns(t.Columns, s.FirstName, s.LastName)
			if f == "" && l == "" && full == "" {
				rep.Problems = append(rep.Problems, Problem{Step: i + 1, Table: t.Name, Kind: "missing_column",
					Message: fmt.Sprintf("%s has no column Ferry recognises as a first, last or full name (step %d, purge of test records, needs one)", t.Name, i+1)})
			}
		}
		for _, c := range stepCreates(s) {
			have[lt][strings.ToLower(c)] = true
		}
	}
	// what each column holds, for the columns steps use
	checked := map[string]bool{}
	for i, s := range rc.Steps {
		lt := strings.ToLower(s.Table)
		t, ok := tables[lt]
		if !ok {
			continue
		}
		for _, c := range s.TargetColumns() {
			key := lt + "\x00" + strings.ToLower(c)
			real, exists := t.has(c)
			if checked[key] || !exists {
				continue
			}
			checked[key] = true
			ty := types[key]
			fit := fitFunc(ty)
			if fit == nil {
				continue
			}
			n, ok, err := sampleFit(ctx, db, t.Name, real, fit)
			if err != nil {
				return nil, err
			}
			if n >= 20 && ok*2 < n {
				rep.Problems = append(rep.Problems, Problem{Step: i + 1, Table: t.Name, Column: real, Kind: "type",
					Message: fmt.Sprintf("%s.%s should hold %s (step %d, %s), but only %d of %d values looked at do: the export's columns may be in another order or mean something else",
						t.Name, real, typeWords(ty), i+1, s.Op, ok, n)})
			}
		}
	}
	// for information: columns the recipe knows that are gone, unused; columns it does not know
	for lt, rt := range recipeTables {
		t, ok := tables[lt]
		if !ok {
			continue
		}
		for _, c := range rt.Columns {
			if _, ok := t.has(c.Name); !ok && !reported[lt+"\x00"+strings.ToLower(c.Name)] {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s has no column %s; no step uses it", t.Name, c.Name))
			}
		}
		for _, c := range t.Columns {
			if !recipeHas(rt, c) && !createdBy(rc, lt, c) {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s has a column the recipe does not know: %s (no step changes it)", t.Name, c))
			}
		}
	}
	for i, s := range rc.Steps {
		if s.rowSpecific() {
			rep.Notes = append(rep.Notes, fmt.Sprintf("step %d (%s on %s) names particular records: they are found by their key when it runs, and any that are not found are listed", i+1, s.Op, s.Table))
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Step < rep.Problems[j].Step })
	return rep, nil
}

// stepReads are the columns a step needs to find in its table.
func stepReads(s Step) []string {
	out := s.TargetColumns()
	switch s.Op {
	case OpPurge, OpMergeDuplicates:
		out = append(out, s.FirstName, s.LastName)
		out = append(out, s.Identity...)
		for _, r := range s.Records {
			for c := range r.Check {
				out = append(out, c)
			}
		}
		for _, c := range s.Clusters {
			for col := range c.Fields {
				out = append(out, col)
			}
			for _, m := range c.Members {
				for col := range m.Check {
					out = append(out, col)
				}
			}
		}
	}
	var clean []string
	seen := map[string]bool{}
	for _, c := range out {
		if c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			clean = append(clean, c)
		}
	}
	sort.Strings(clean[min(len(s.TargetColumns()), len(clean)):])
	return clean
}

// stepCreates are the columns a step may create.
func stepCreates(s Step) []string {
	switch s.Op {
	case OpSplitName:
		return []string{s.First, s.Last, s.Middle}
	case OpMergeColumns:
		return []string{s.Target}
	}
	return nil
}

func createdBy(rc *Recipe, lt, col string) bool {
	for _, s := range rc.Steps {
		if strings.ToLower(s.Table) != lt {
			continue
		}
		for _, c := range stepCreates(s) {
			if strings.EqualFold(c, col) {
				return true
			}
		}
	}
	return false
}

func recipeHas(rt *RecipeTable, col string) bool {
	for _, c := range rt.Columns {
		if strings.EqualFold(c.Name, col) {
			return true
		}
	}
	return false
}

// renamedTo guesses the column a missing one was renamed to: a column of the table the recipe
// does not know, at the same place or with a similar name.
func renamedTo(missing string, t table, rt *RecipeTable) string {
	var unknown []string
	pos := -1
	for _, c := range t.Columns {
		if rt == nil || !recipeHas(rt, c) {
			unknown = append(unknown, c)
		}
	}
	if rt != nil {
		for i, c := range rt.Columns {
			if strings.EqualFold(c.Name, missing) {
				pos = i
			}
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	return similar(missing, unknown, pos, t.Columns)
}

// similar picks the candidate most like name: one in the same position (when both lists are
// known), else one whose folded name is within two edits or contains the other.
func similar(name string, cands []string, pos int, all []string) string {
	if pos >= 0 && pos < len(all) {
		for _, c := range cands {
			if c == all[pos] {
				return c
			}
		}
	}
	fn := foldKey(name)
	best, bestD := "", 3
	for _, c := range cands {
		fc := foldKey(c)
		d := textkit.OSA(fn, fc, 2)
		if d > 2 && fn != "" && fc != "" && (strings.Contains(fc, fn) || strings.Contains(fn, fc)) {
			d = 2
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" && len(cands) == 1 && pos >= 0 {
		return cands[0]
	}
	return best
}

func typeWords(ty string) string {
	switch ty {
	case "date":
		return "dates"
	case "phone":
		return "phone numbers"
	case "email":
		return "e-mail addresses"
	case "postcode":
		return "ZIP or postcodes"
	}
	return ty + " values"
}

// fitFunc says whether a value looks like the type (generously: it is a check that the
// column is the right one, not a validation).
func fitFunc(ty string) func(string) bool {
	switch ty {
	case "date":
		return func(v string) bool { return parseDate(v).kind != dateNone }
	case "phone":
		return func(v string) bool {
			n := 0
			for i := 0; i < len(v); i++ {
				if v[i] >= '0' && v[i] <= '9' {
					n++
				}
			}
			return n >= 7 && n <= 15
		}
	case "email":
		return func(v string) bool { return strings.Contains(v, "@") }
	case "postcode":
		return func(v string) bool {
			t := trimSpace(v)
			return len(t) >= 3 && len(t) <= 10 && strings.IndexAny(t, "0123456789") >= 0
		}
	}
	return nil
}

// sampleFit reads up to 2000 non-blank values of a column and counts those that fit.
func sampleFit(ctx context.Context, db *sql.DB, tbl, col string, fit func(string) bool) (n, ok int, err error) {
	q := staging.QuoteIdent(col)
	rows, err := db.QueryContext(ctx, `SELECT `+q+` FROM `+staging.QuoteIdent(tbl)+` WHERE `+q+` IS NOT NULL AND trim(`+q+`) <> ''
		LIMIT 2000`)
	if err != nil {
		return 0, 0, fmt.Errorf("reading %s.%s: %w", tbl, col, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return 0, 0, err
		}
		n++
		if fit(v) {
			ok++
		}
	}
	return n, ok, rows.Err()
}

// ReplayOptions tune Replay.
type ReplayOptions struct {
	// DryRun runs every step and rolls everything back: the counts are exact, nothing changes.
	DryRun   bool
	Progress func(Progress)
}

// ReplayResult is what a replay did (or, dry, would do), step by step.
type ReplayResult struct {
	Recipe string       `json:"recipe"`
	DryRun bool         `json:"dry_run"`
	Check  *CheckReport `json:"check"`
	Steps  []Result     `json:"steps"`
}

var errDryRun = errors.New("dry run")

// Replay applies a recipe's steps in order, each as its own operation in the history (so each
// can be undone), all in one transaction: either every step runs or none. Check runs first;
// any problem stops the replay with a *MismatchError listing them all, before anything changes.
// Rows that steps name are found by key (never by row number); those not found are reported in
// each step's Left.
func Replay(ctx context.Context, p *project.Project, rc *Recipe, opts ReplayOptions) (*ReplayResult, error) {
	name := rc.Name
	if name == "" {
		name = "recipe"
	}
	res := &ReplayResult{Recipe: name, DryRun: opts.DryRun}
	for i := range rc.Steps {
		if err := rc.Steps[i].Validate(); err != nil {
			return res, fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	rep, err := Check(ctx, p, rc)
	if err != nil {
		return res, err
	}
	res.Check = rep
	if len(rep.Problems) > 0 {
		return res, &MismatchError{Report: rep}
	}
	if !opts.DryRun && slices.ContainsFunc(rc.Steps, func(s Step) bool { return s.Op == OpPurge || s.Op == OpMergeDuplicates }) {
		if _, err := p.Backup(ctx, "before replaying "+name); err != nil { // destructive: a backup copy first (issue 11)
			return res, err
		}
	}
	defer lessGC()()
	err = p.Write(ctx, func(tx *sql.Tx) error {
		if err := clearRedo(ctx, tx); err != nil {
			return err
		}
		var cells, removed int64
		opIDs := []int64{}
		for i, s := range rc.Steps {
			s = s.clone() // finding rows fills in the step: the caller's recipe stays as it was
			o := Options{}
			if opts.Progress != nil {
				step := i + 1
				o.Progress = func(pr Progress) {
					pr.Step, pr.Steps = step, len(rc.Steps)
					opts.Progress(pr)
				}
			}
			r, err := applyTx(ctx, p, tx, s, o, name, 0)
			if err != nil {
				return fmt.Errorf("step %d (%s on %s): %w", i+1, s.Op, s.Table, err)
			}
			res.Steps = append(res.Steps, *r)
			cells += r.Cells
			removed += r.Removed
			opIDs = append(opIDs, r.OpID)
		}
		if opts.DryRun {
			return errDryRun
		}
		return p.Log(ctx, tx, "cleanse.replay", map[string]any{"recipe": name, "steps": len(rc.Steps), "op_ids": opIDs,
			"cells": cells, "removed": removed}, nil)
	})
	if errors.Is(err, errDryRun) {
		for i := range res.Steps {
			res.Steps[i].OpID = 0
		}
		return res, nil
	}
	if err != nil {
		return res, err
	}
	return res, nil
}
