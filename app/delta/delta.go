// Package delta is the cutover: after the full load the old system kept running, and at
// cutover the practice exports it once more. Compare stages that fresh export in a scratch
// copy of the project (the project itself is not touched), replays the project's cleanse
// history on it as a recipe (cleanse.Export, cleanse.Replay), maps it with the same map, and
// matches its records to the staged ones by legacy key: a key only in the export is new, a key
// only in the project is deleted, and a key in both whose mapped record hashes differently
// (mapping.Record.Hash) is changed, with the source columns and target fields that differ.
// Rows whose staged values differ only in columns the map does not read are counted, not
// loaded.
//
// The Plan's data freeze is shown with every change whose modified date is after it
// highlighted. The modified-date column of a table is the one Options.ModifiedColumn names,
// or else the first column whose name says it (modified, updated, changed, edited, last
// change …, in any case or spelling); a table with none is said to have none, and its changes
// are shown without highlighting.
//
// Apply stages the same export in the project itself and replays the recipe there, so that
// the delta load reads the new data; Diff.Set is what the load engine sends in a delta run:
// creates for new records, updates through the crosswalk for changed ones, and deletions only
// when the person confirms them.
//
//	d, err := delta.Compare(ctx, p, []string{"appointments.csv"}, delta.Options{Importer: importers.Service{}})
//	for _, e := range d.Entities { e.New, e.Changed, e.Deleted, e.Changes … }
//	err = delta.Apply(ctx, p, d, delta.Options{Importer: importers.Service{}})
package delta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Kind is what happened to a record in the old system since it was staged.
type Kind string

const (
	KindNew     Kind = "new"
	KindChanged Kind = "changed"
	KindDeleted Kind = "deleted"
)

// Change is one record that is new, changed or deleted.
type Change struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Kind   Kind   `json:"kind"`
	// Row is the record's staged row: in the fresh export for new and changed records, in the
	// project for deleted ones.
	Row     int64    `json:"row"`
	Columns []string `json:"columns,omitempty"` // changed: the staged columns whose values differ
	Fields  []string `json:"fields,omitempty"`  // changed: the target fields whose values differ
	// Modified is the record's modified date as the export has it ("" when the table has no
	// modified-date column); AfterFreeze says it is after the Plan's data freeze.
	Modified    string `json:"modified,omitempty"`
	AfterFreeze bool   `json:"after_freeze,omitempty"`
}

// EntityDiff is one entity's share of the delta.
type EntityDiff struct {
	Entity    string `json:"entity"`
	Table     string `json:"table"`
	New       int    `json:"new"`
	Changed   int    `json:"changed"`
	Deleted   int    `json:"deleted"`
	Unchanged int    `json:"unchanged"`
	// Unmapped counts rows whose staged values changed only in columns the map does not read:
	// nothing of them is sent.
	Unmapped       int      `json:"unmapped"`
	AfterFreeze    int      `json:"after_freeze"`
	ModifiedColumn string   `json:"modified_column,omitempty"`
	Changes        []Change `json:"changes,omitempty"` // by kind (new, changed, deleted), then key
}

// Source is one file of the fresh export.
type Source struct {
	Path   string `json:"path"`
	Table  string `json:"table"`
	SHA256 string `json:"sha256"`
	Rows   int64  `json:"rows"`
}

// Diff is a fresh export compared with the staged data.
type Diff struct {
	ID       int64        `json:"id"` // the delta set recorded in the project
	Freeze   string       `json:"freeze,omitempty"`
	Sources  []Source     `json:"sources"`
	Entities []EntityDiff `json:"entities"`
	// Notes says what the person should know: replay steps that left records alone, tables
	// without a modified-date column, columns the export added or lost.
	Notes []string `json:"notes,omitempty"`
}

// Item is one record the load engine sends (or deletes) in a delta run.
type Item struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Kind   Kind   `json:"kind"`
	Row    int64  `json:"row"`
}

// Set is the records a delta run sends, in the diff's entity order: new and changed ones, and
// the deleted ones only when withDeletes (a person confirmed them).
func (d *Diff) Set(withDeletes bool) []Item {
	var out []Item
	for _, e := range d.Entities {
		for _, c := range e.Changes {
			if c.Kind == KindDeleted && !withDeletes {
				continue
			}
			out = append(out, Item{Entity: c.Entity, Key: c.Key, Kind: c.Kind, Row: c.Row})
		}
	}
	return out
}

// Only is the entity's rows to send (new and changed) for mapping.Feed.Scan after Apply.
func (d *Diff) Only(entity string) map[int64]bool {
	out := map[int64]bool{}
	for _, e := range d.Entities {
		if e.Entity != entity {
			continue
		}
		for _, c := range e.Changes {
			if c.Kind != KindDeleted {
				out[c.Row] = true
			}
		}
	}
	return out
}

// Total counts the records of each kind over all entities.
func (d *Diff) Total() (created, changed, deleted int) {
	for _, e := range d.Entities {
		created += e.New
		changed += e.Changed
		deleted += e.Deleted
	}
	return
}

// Options tune Compare and Apply.
type Options struct {
	// Importer reads the files (importers.Service{}; app cannot import the importers).
	Importer staging.FileImporter
	// Tables names the staged table of a source path; default: the table named after the
	// file, as an import would choose.
	Tables map[string]string
	// ModifiedColumn names a table's modified-date column, overriding the guess by name.
	ModifiedColumn map[string]string
	Progress       func(stage string)
}

// ErrNoSources is returned when no file is given.
var ErrNoSources = errors.New("no export files given: name the fresh export's files")

func (o Options) say(s string) {
	if o.Progress != nil {
		o.Progress(s)
	}
}

// Compare stages the fresh export in a scratch copy of the project and compares it with the
// project's staged data. The project's data is not changed; the comparison is recorded in it
// as a delta set (Diff.ID) and a delta.compare custody event.
func Compare(ctx context.Context, p *project.Project, sources []string, opts Options) (*Diff, error) {
	if len(sources) == 0 {
		return nil, ErrNoSources
	}
	if opts.Importer == nil {
		return nil, errors.New("delta: no importer given")
	}
	dir, err := os.MkdirTemp("", "ferry-delta-")
	if err != nil {
		return nil, fmt.Errorf("making room for the scratch copy: %w", err)
	}
	defer os.RemoveAll(dir)
	scratchPath := filepath.Join(dir, "delta.ferry")
	opts.say("Copying the project")
	if p.ReadOnly() {
		return nil, fmt.Errorf("comparing an export: %w", project.ErrReadOnly)
	}
	// The one writer connection: VACUUM INTO is refused on the read-only pool.
	if _, err := p.Writer().ExecContext(ctx, `VACUUM INTO ?`, scratchPath); err != nil {
		return nil, fmt.Errorf("copying the project to compare the export in: %w", err)
	}
	scratch, err := project.Open(ctx, scratchPath, project.Options{Actor: p.Who().Actor})
	if err != nil {
		return nil, fmt.Errorf("opening the scratch copy: %w", err)
	}
	defer scratch.Close()

	d := &Diff{}
	if d.Sources, d.Notes, err = stage(ctx, p, scratch, sources, opts); err != nil {
		return nil, err
	}
	opts.say("Comparing the records")
	if err := compare(ctx, p, scratch, d, opts); err != nil {
		return nil, err
	}
	if err := record(ctx, p, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Apply stages the export the diff was made from in the project itself and replays the cleanse
// recipe there: from then on the project's staged data is the fresh export and the delta load
// reads it. The files must be the ones compared (same SHA-256), so that what is loaded is what
// the person saw.
func Apply(ctx context.Context, p *project.Project, d *Diff, opts Options) error {
	var paths []string
	for _, s := range d.Sources {
		sum, err := fsutil.SHA256(ctx, s.Path)
		if err != nil {
			return fmt.Errorf("reading %s again: %w", s.Path, err)
		}
		if sum != s.SHA256 {
			return fmt.Errorf("%s changed since it was compared: compare it again before loading", s.Path)
		}
		paths = append(paths, s.Path)
		if opts.Tables == nil {
			opts.Tables = map[string]string{}
		}
		opts.Tables[s.Path] = s.Table
	}
	_, _, err := stage(ctx, p, p, paths, opts)
	if err != nil {
		return err
	}
	return p.Write(ctx, func(tx *sql.Tx) error {
		return p.Log(ctx, tx, "delta.apply", map[string]any{"set": d.ID}, nil)
	})
}

// stage imports the files into dst (keeping each replaced table's key column) and replays
// recipe of src's cleanse history on dst.
func stage(ctx context.Context, src, dst *project.Project, paths []string, opts Options) ([]Source, []string, error) {
	rc, err := cleanse.Export(ctx, src, "cutover")
	if err != nil {
		return nil, nil, fmt.Errorf("making the cleanse recipe to replay: %w", err)
	}
	st := staging.NewStager(dst)
	before, err := st.Tables(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys := map[string]string{}
	for _, t := range before {
		keys[strings.ToLower(t.Name)] = t.KeyColumn
	}
	var out []Source
	var notes []string
	for _, path := range paths {
		opts.say("Importing " + filepath.Base(path))
		res, err := opts.Importer.ImportFile(ctx, dst, staging.ImportRequest{Path: path, Table: opts.Tables[path]}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("importing %s: %w", filepath.Base(path), err)
		}
		for _, t := range res.Tables {
			out = append(out, Source{Path: path, Table: t.Name, SHA256: res.Source.SHA256, Rows: t.Rows})
			key, known := keys[strings.ToLower(t.Name)]
			if !known {
				notes = append(notes, fmt.Sprintf("%s is a table the project did not have: nothing reads it.", t.Name))
				continue
			}
			if key != "" {
				if err := st.SetKey(ctx, t.Name, key); err != nil {
					return nil, nil, fmt.Errorf("%s: the key column %s: %w", t.Name, key, err)
				}
			}
		}
	}
	// Only the tables the export brought again are raw: the others keep their cleansed rows and
	// their operations, which must not run twice.
	fresh := map[string]bool{}
	for _, src := range out {
		fresh[strings.ToLower(src.Table)] = true
	}
	steps := rc.Steps[:0:0]
	for _, st := range rc.Steps {
		if fresh[strings.ToLower(st.Table)] {
			steps = append(steps, st)
		}
	}
	rc.Steps = steps
	tables := rc.Tables[:0:0]
	for _, t := range rc.Tables {
		if fresh[strings.ToLower(t.Name)] {
			tables = append(tables, t)
		}
	}
	rc.Tables = tables
	if len(rc.Steps) > 0 {
		opts.say("Replaying the cleanse recipe")
		rr, err := cleanse.Replay(ctx, dst, rc, cleanse.ReplayOptions{})
		if err != nil {
			var mm *cleanse.MismatchError
			if errors.As(err, &mm) {
				return nil, nil, fmt.Errorf("the fresh export does not fit the cleanse recipe: %s", mm.Report.Text())
			}
			return nil, nil, fmt.Errorf("replaying the cleanse recipe on the fresh export: %w", err)
		}
		for i, s := range rr.Steps {
			for _, l := range s.Left {
				// Records a step names that the export lacks or has changed: a person should look.
				if l.Reason == cleanse.LeftNotFound || l.Reason == cleanse.LeftChanged {
					notes = append(notes, fmt.Sprintf("Cleanse step %d (%s on %s): %d %s", i+1, s.Step.Op, s.Table, l.Count, l.Message))
				}
			}
		}
	}
	return out, notes, nil
}

// mapped is one entity's records as mapped: key → hash, values, row.
type mapped struct {
	hash   string
	values []string
	row    int64
}

func readFeed(ctx context.Context, f *mapping.Feed, entity string) (map[string]mapped, []string, error) {
	fe := f.Entity(entity)
	out := map[string]mapped{}
	var order []string
	err := f.Scan(ctx, entity, nil, func(r mapping.Record) error {
		if _, dup := out[r.Key]; !dup {
			order = append(order, r.Key)
		}
		out[r.Key] = mapped{hash: r.Hash(fe.Fields), values: r.Values, row: r.Row}
		return nil
	})
	return out, order, err
}

func compare(ctx context.Context, p, scratch *project.Project, d *Diff, opts Options) error {
	oldFeed, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return fmt.Errorf("reading the staged records: %w", err)
	}
	newFeed, err := mapping.New(scratch).Feed(ctx)
	if err != nil {
		return fmt.Errorf("mapping the fresh export: %w", err)
	}
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return err
	}
	d.Freeze = strings.TrimSpace(pl["data_freeze"])
	if d.Freeze == "" {
		d.Notes = append(d.Notes, "The Plan has no data freeze date: no change is highlighted as made after it.")
	}
	touched := map[string]bool{}
	for _, s := range d.Sources {
		touched[strings.ToLower(s.Table)] = true
	}
	for _, fe := range oldFeed.Entities {
		nfe := newFeed.Entity(fe.Name)
		if nfe == nil {
			continue
		}
		ed := EntityDiff{Entity: fe.Name, Table: nfe.Table}
		olds, _, err := readFeed(ctx, oldFeed, fe.Name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", fe.Name, err)
		}
		news, order, err := readFeed(ctx, newFeed, fe.Name)
		if err != nil {
			return fmt.Errorf("reading %s in the export: %w", fe.Name, err)
		}
		var oldRows, newRows *rowSet
		if touched[strings.ToLower(nfe.Table)] {
			if oldRows, err = readRows(ctx, p, fe.Table); err != nil {
				return err
			}
			if newRows, err = readRows(ctx, scratch, nfe.Table); err != nil {
				return err
			}
			for _, c := range oldRows.cols {
				if !slices.Contains(newRows.cols, c) {
					d.Notes = append(d.Notes, fmt.Sprintf("%s: the export has no column %s any more.", nfe.Table, c))
				}
			}
			for _, c := range newRows.cols {
				if !slices.Contains(oldRows.cols, c) {
					d.Notes = append(d.Notes, fmt.Sprintf("%s: the export has a new column %s (the map does not read it).", nfe.Table, c))
				}
			}
			ed.ModifiedColumn = modifiedColumn(newRows.cols, opts.ModifiedColumn[nfe.Table])
			if ed.ModifiedColumn == "" {
				d.Notes = append(d.Notes, fmt.Sprintf("%s has no modified-date column: its changes are shown without highlighting.", nfe.Table))
			}
		}
		modified := func(row int64) (string, bool) {
			if newRows == nil || ed.ModifiedColumn == "" {
				return "", false
			}
			v := newRows.value(row, ed.ModifiedColumn)
			return v, after(v, d.Freeze)
		}
		for _, k := range order {
			n := news[k]
			o, ok := olds[k]
			switch {
			case !ok:
				c := Change{Entity: fe.Name, Key: k, Kind: KindNew, Row: n.row}
				c.Modified, c.AfterFreeze = modified(n.row)
				ed.Changes = append(ed.Changes, c)
			case o.hash != n.hash:
				c := Change{Entity: fe.Name, Key: k, Kind: KindChanged, Row: n.row}
				for i, f := range nfe.Fields {
					if i < len(o.values) && i < len(n.values) && o.values[i] != n.values[i] {
						c.Fields = append(c.Fields, f.Name)
					}
				}
				if oldRows != nil {
					c.Columns = oldRows.differ(o.row, newRows, n.row)
				}
				c.Modified, c.AfterFreeze = modified(n.row)
				ed.Changes = append(ed.Changes, c)
			default:
				ed.Unchanged++
				if oldRows != nil && len(oldRows.differ(o.row, newRows, n.row)) > 0 {
					ed.Unmapped++
				}
			}
		}
		for k, o := range olds {
			if _, ok := news[k]; !ok {
				ed.Changes = append(ed.Changes, Change{Entity: fe.Name, Key: k, Kind: KindDeleted, Row: o.row})
			}
		}
		rank := map[Kind]int{KindNew: 0, KindChanged: 1, KindDeleted: 2}
		sort.SliceStable(ed.Changes, func(i, j int) bool {
			a, b := ed.Changes[i], ed.Changes[j]
			if a.Kind != b.Kind {
				return rank[a.Kind] < rank[b.Kind]
			}
			return a.Key < b.Key
		})
		for _, c := range ed.Changes {
			switch c.Kind {
			case KindNew:
				ed.New++
			case KindChanged:
				ed.Changed++
			case KindDeleted:
				ed.Deleted++
			}
			if c.AfterFreeze {
				ed.AfterFreeze++
			}
		}
		d.Entities = append(d.Entities, ed)
	}
	return nil
}

// rowSet is a staged table's rows, values by column, for the column-level comparison.
type rowSet struct {
	cols []string
	rows map[int64][]sql.NullString
}

func readRows(ctx context.Context, p *project.Project, table string) (*rowSet, error) {
	st := staging.NewStager(p)
	cols, err := st.Columns(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", table, err)
	}
	rs := &rowSet{rows: map[int64][]sql.NullString{}}
	q := []string{staging.QuoteIdent(staging.ColRow)}
	for _, c := range cols {
		rs.cols = append(rs.cols, c.Name)
		q = append(q, staging.QuoteIdent(c.Name))
	}
	rows, err := p.Reader().QueryContext(ctx, `SELECT `+strings.Join(q, ", ")+` FROM `+staging.QuoteIdent(table))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		vals := make([]sql.NullString, len(cols))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		rs.rows[id] = vals
	}
	return rs, rows.Err()
}

func (rs *rowSet) value(row int64, col string) string {
	i := slices.Index(rs.cols, col)
	if i < 0 {
		return ""
	}
	return rs.rows[row][i].String
}

// differ lists the columns (both tables have) whose values differ between rs's row a and
// other's row b.
func (rs *rowSet) differ(a int64, other *rowSet, b int64) []string {
	var out []string
	va, vb := rs.rows[a], other.rows[b]
	for i, c := range rs.cols {
		j := slices.Index(other.cols, c)
		if j < 0 || i >= len(va) || j >= len(vb) {
			continue
		}
		if va[i] != vb[j] {
			out = append(out, c)
		}
	}
	return out
}

// modifiedWords are what a modified-date column's name says, folded.
var modifiedWords = []string{"modif", "updat", "lastchange", "changed", "edited", "lastedit", "mtime", "lastsaved"}

// modifiedColumn chooses the modified-date column: the one named, or the first column whose
// folded name holds one of modifiedWords.
func modifiedColumn(cols []string, named string) string {
	if named != "" {
		for _, c := range cols {
			if strings.EqualFold(c, named) {
				return c
			}
		}
		return ""
	}
	for _, c := range cols {
		f := fold(c)
		for _, w := range modifiedWords {
			if strings.Contains(f, w) {
				return c
			}
		}
	}
	return ""
}

func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// after says whether a modified value is after the freeze date (YYYY-MM-DD). A date written
// day/month that reads both ways is after when either reading is: highlighting one change too
// many is cheaper than missing one.
func after(v, freeze string) bool {
	v = strings.TrimSpace(v)
	if v == "" || freeze == "" {
		return false
	}
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
		return v[:10] > freeze
	}
	if dayFirst, monthFirst, ok := cleanse.DateReadings(firstWord(v)); ok {
		return dayFirst > freeze || monthFirst > freeze
	}
	for _, layout := range []string{"01/02/2006", "1/2/2006", "02.01.2006", "2006/01/02"} {
		if t, err := time.Parse(layout, firstWord(v)); err == nil {
			return t.Format("2006-01-02") > freeze
		}
	}
	return false
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " T"); i > 0 {
		return s[:i]
	}
	return s
}

// record keeps the diff in the project (ferry_delta_sets, ferry_delta_records) with a custody
// event, so the delta load and the report can say what was compared.
func record(ctx context.Context, p *project.Project, d *Diff) error {
	srcs, _ := json.Marshal(d.Sources)
	created, changed, deleted := d.Total()
	summary, _ := json.Marshal(map[string]int{"new": created, "changed": changed, "deleted": deleted})
	return p.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_delta_sets (created_at, actor, sources, freeze, summary) VALUES (?, ?, ?, ?, ?)`,
			time.Now().UTC().Format(time.RFC3339), p.Who().Actor, string(srcs), d.Freeze, string(summary))
		if err != nil {
			return fmt.Errorf("recording the comparison: %w", err)
		}
		d.ID, _ = res.LastInsertId()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO ferry_delta_records (set_id, entity, legacy_key, kind, columns, modified, after_freeze)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range d.Entities {
			for _, c := range e.Changes {
				cols, _ := json.Marshal(append([]string{}, c.Columns...))
				if _, err := stmt.ExecContext(ctx, d.ID, c.Entity, c.Key, string(c.Kind), string(cols), c.Modified, c.AfterFreeze); err != nil {
					return fmt.Errorf("recording the comparison: %w", err)
				}
			}
		}
		inputs := map[string]string{}
		for _, s := range d.Sources {
			inputs[filepath.Base(s.Path)] = s.SHA256
		}
		return p.Log(ctx, tx, "delta.compare", map[string]any{"set": d.ID, "new": created, "changed": changed, "deleted": deleted}, inputs)
	})
}
