package cleanse_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
)

func TestPreviewWritesNothingAndCountsWhatApplyDoes(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	stage(t, p, "visits", []string{"ID", "Status", "When", "Note"},
		[]string{"1", "NS", "03/04/2021", "a  b"},
		[]string{"2", "no show", "13/04/2021", ""},
		[]string{"3", "Done", "04/13/2021", "\x00"},
		[]string{"4", "Purple", "N/A", "x"},
		[]string{"5", "done", "05/05/2021", "y"},
	)
	before := tableHash(t, p, "visits")
	steps := []cleanse.Step{
		{Op: "map_values", Table: "visits", Column: "Status", Fold: true, Mapping: map[string]string{"ns": "no_show", "No Show": "no_show", "DONE": "completed"}},
		{Op: "normalise_date", Table: "visits", Column: "When", Order: "DMY", Decisions: map[string]string{"03/04/2021": "MDY"}},
		{Op: "replace", Table: "visits", Column: "Note", Find: `(\w)\s+(\w)`, With: "$1-$2", Regex: true},
		{Op: "fill_blank", Table: "visits", Column: "Note", Value: "(none)"},
		{Op: "merge_columns", Table: "visits", Columns: []string{"Status", "Note"}, Target: "Summary", Separator: ptr(" / ")},
		{Op: "purge", Table: "visits", Column: "When", Before: "2021-04-10", Reason: "too old"},
		{Op: "purge", Table: "visits", Column: "Status", Values: []string{"Purple"}, Reason: "not a visit"},
	}
	for _, s := range steps {
		pv, err := cleanse.Preview(ctx, p, s, cleanse.Options{})
		if err != nil {
			t.Fatalf("preview %s: %v", s.Op, err)
		}
		if tableHash(t, p, "visits") != before {
			t.Fatalf("preview of %s changed the table", s.Op)
		}
		res := apply(t, p, s)
		if res.Cells != pv.Cells || res.Rows != pv.Rows || res.Removed != pv.Removed || len(res.Left) != len(pv.Left) {
			t.Errorf("%s: preview %d cells %d rows %d removed %v; apply %d %d %d %v", s.Op, pv.Cells, pv.Rows, pv.Removed, pv.Left,
				res.Cells, res.Rows, res.Removed, res.Left)
		}
		if len(pv.Sample) != int(min(pv.Cells, 50)) {
			t.Errorf("%s: %d sample changes for %d cells", s.Op, len(pv.Sample), pv.Cells)
		}
		before = tableHash(t, p, "visits")
	}
	if got := strings.Join(column(t, p, "visits", "Status"), "|"); got != "no_show|completed|completed" {
		t.Errorf("status: %s", got)
	}
	if got := strings.Join(column(t, p, "visits", "When"), "|"); got != "2021-04-13|04/13/2021|2021-05-05" {
		t.Errorf("dates: %s", got)
	}
	if got := strings.Join(column(t, p, "visits", "Summary"), "|"); got != "no_show / (none)|completed / (none)|completed / y" {
		t.Errorf("summary: %s", got)
	}
	hist, _ := cleanse.History(ctx, p)
	var left []string
	for _, o := range hist {
		for _, l := range o.Left {
			left = append(left, o.Op+":"+l.Reason)
		}
	}
	if got := strings.Join(left, " "); got != "map_values:unmapped normalise_date:contradicts_order normalise_date:not_a_date purge:not_a_date" {
		t.Errorf("left alone: %s", got)
	}
	counts, _ := cleanse.RemovedCounts(ctx, p)
	if len(counts) != 2 || counts[0].Reason != "not a visit" || counts[1].Reason != "too old" || counts[1].Rows != 1 {
		t.Errorf("removed: %+v", counts)
	}
	removed, _ := cleanse.RemovedRows(ctx, p, "visits", 0, 0)
	if len(removed) != 2 || *removed[0].Values["Status"] != "no_show" || removed[1].Values["Status"] == nil {
		t.Errorf("removed rows: %+v", removed)
	}
}

func ptr(s string) *string { return &s }

func TestMergeClustersWithChosenValuesAndCrosswalk(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	stage(t, p, "people", []string{"ID", "Last", "First", "DOB", "Phone", "Email"},
		[]string{"10", "Smith", "John", "1970-01-02", "", "john@x.com"},
		[]string{"11", "Smith", "Jon", "1970-01-02", "617-555-0100", ""},
		[]string{"12", "Smyth", "John", "1970-01-02", "617-555-0199", "js@y.com"},
		[]string{"20", "Brown", "Ann", "1980-05-05", "", ""},
	)
	staging.NewStager(p).SetKey(ctx, "people", "ID")
	before := tableHash(t, p, "people")
	step := cleanse.Step{Op: "merge_duplicates", Table: "people", FillBlanks: true, Clusters: []cleanse.Cluster{{
		Members:  []cleanse.RowRef{{Row: 1}, {Row: 2}, {Row: 3}},
		Survivor: 0,
		Fields:   map[string]int{"Phone": 2},
	}}}
	res := apply(t, p, step)
	if res.Removed != 2 || res.Cells != 1 {
		t.Fatalf("merge: %+v", res.Outcome)
	}
	if got := strings.Join(column(t, p, "people", "Phone"), "|"); got != "617-555-0199|" {
		t.Errorf("phone: %s", got)
	}
	for _, k := range []string{"11", "12"} {
		if s, ok, _ := cleanse.SurvivorOf(ctx, p, "people", k); !ok || s != "10" {
			t.Errorf("survivor of %s: %s %v", k, s, ok)
		}
	}
	if s, ok, _ := cleanse.SurvivorOf(ctx, p, "people", "20"); ok || s != "20" {
		t.Errorf("survivor of 20: %s %v", s, ok)
	}
	ch, _ := cleanse.Changes(ctx, p, "people", 2)
	if len(ch) != 1 || ch[0].Kind != "merge" || ch[0].Other != 1 || ch[0].OtherK != "10" {
		t.Errorf("trace of a merged row: %+v", ch)
	}
	ch, _ = cleanse.Changes(ctx, p, "people", 1)
	if len(ch) != 3 || ch[0].Kind != "cell" || ch[0].Column != "Phone" || *ch[0].New != "617-555-0199" || ch[1].Kind != "survivor" {
		t.Errorf("trace of the survivor: %+v", ch)
	}
	// the recipe names the members by key, with their names and birth date
	rc, err := cleanse.Export(ctx, p, "x")
	if err != nil {
		t.Fatal(err)
	}
	m := rc.Steps[0].Clusters[0].Members
	if m[1].Row != 0 || m[1].Key != "11" || m[1].Check["First"] != "Jon" || m[1].Check["DOB"] != "1970-01-02" {
		t.Errorf("exported member: %+v", m[1])
	}
	// a page of rows traced at once; an operation's rows
	page, err := cleanse.ChangesOf(ctx, p, "people", []int64{1, 2, 3, 4})
	if err != nil || len(page) != 3 || len(page[1]) != 3 || page[3][0].Kind != "merge" || page[4] != nil {
		t.Errorf("changes of a page: %+v %v", page, err)
	}
	if rows, err := cleanse.ChangedRows(ctx, p, res.OpID, 0); err != nil || len(rows) != 3 || rows[0] != 1 || rows[2] != 3 {
		t.Errorf("changed rows: %v %v", rows, err)
	}
	// a person looked at Ann Brown and Jon Smith and found them different people
	id, err := cleanse.MarkDistinct(ctx, p, "people", []int64{4, 1}, "different people")
	if err != nil {
		t.Fatal(err)
	}
	if ds, _ := cleanse.DistinctGroups(ctx, p, "people"); len(ds) != 1 || ds[0].Members[0].Key != "10" || ds[0].Members[1].Key != "20" {
		t.Errorf("distinct groups: %+v", ds)
	}
	if err := cleanse.UnmarkDistinct(ctx, p, id); err != nil {
		t.Fatal(err)
	}
	if ds, _ := cleanse.DistinctGroups(ctx, p, "people"); len(ds) != 0 {
		t.Errorf("withdrawn decision still there: %+v", ds)
	}
	// merging a merged row again is reported, not done
	res = apply(t, p, cleanse.Step{Op: "merge_duplicates", Table: "people", Clusters: []cleanse.Cluster{{
		Members: []cleanse.RowRef{{Row: 4}, {Row: 2}}}}})
	if res.Removed != 0 || len(res.Left) != 1 || res.Left[0].Reason != cleanse.LeftGone {
		t.Errorf("second merge: %+v", res.Outcome)
	}
	cleanse.Undo(ctx, p)
	cleanse.Undo(ctx, p)
	if tableHash(t, p, "people") != before {
		t.Error("undo did not restore the table")
	}
	if cw, _ := cleanse.Crosswalk(ctx, p, "people"); len(cw) != 0 {
		t.Errorf("crosswalk after undo: %+v", cw)
	}
}

func TestReimportMakesOperationsStale(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	stage(t, p, "t", []string{"A"}, []string{" x "}, []string{"y"})
	apply(t, p, cleanse.Step{Op: "trim", Table: "t", Column: "A"})
	apply(t, p, cleanse.Step{Op: "purge", Table: "t", Column: "A", Values: []string{"y"}, Reason: "r"})
	stage(t, p, "t", []string{"A"}, []string{" z "}, []string{"y"})
	before := tableHash(t, p, "t")
	if s, _ := cleanse.Summarise(ctx, p); s.Ops != 0 || s.Purged != 0 {
		t.Errorf("summary counts replaced rows: %+v", s)
	}
	op, err := cleanse.Undo(ctx, p)
	if err != nil || !op.Stale {
		t.Fatalf("undo: %+v %v", op, err)
	}
	if tableHash(t, p, "t") != before {
		t.Error("undoing a stale operation changed the new rows")
	}
	if _, err := cleanse.Redo(ctx, p, cleanse.Options{}); !errors.Is(err, cleanse.ErrStale) {
		t.Errorf("redo of a stale operation: %v", err)
	}
}

// The audit's suggestions become steps; test records and exact duplicates become rules that
// replay on another export.
func TestFromFindingOnTheDemo(t *testing.T) {
	ctx := context.Background()
	p := demoProject(t, assets.Demo)
	rep, err := audit.Run(ctx, p, audit.Options{ReferenceDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := cleanse.Status(ctx, p); st != wizard.NotStarted {
		t.Errorf("status before any operation: %v", st)
	}
	for _, f := range rep.Findings {
		s, err := cleanse.FromFinding(f)
		switch {
		case f.Kind == audit.KindTestRecord:
			if err != nil || !s.TestRecords || s.Table != "patients" {
				t.Errorf("%s: %+v %v", f.Kind, s, err)
			}
		case f.Kind == audit.KindDuplicateExact:
			if err != nil || s.Match != "identical" {
				t.Errorf("%s: %+v %v", f.Kind, s, err)
			}
		case f.Kind == audit.KindDuplicateFuzzy:
			if !errors.Is(err, cleanse.ErrNeedsReview) {
				t.Errorf("%s: %v", f.Kind, err)
			}
			cs, err := cleanse.ReviewClusters(ctx, p, f.ID)
			if err != nil || len(cs) != f.Clusters {
				t.Errorf("review clusters: %d %v", len(cs), err)
			}
		case f.Kind == audit.KindZipLeadingZero, f.Kind == audit.KindEmailTypo, f.Kind == audit.KindUntrimmed:
			if err != nil || s.Table != f.Table {
				t.Errorf("%s: %+v %v", f.Kind, s, err)
				continue
			}
			pv, err := cleanse.Preview(ctx, p, s, cleanse.Options{})
			if err != nil || pv.Cells != f.Count {
				t.Errorf("%s on %s.%s: preview changes %d cells, the audit counts %d (%v)", f.Kind, f.Table, f.Column, pv.Cells, f.Count, err)
			}
		case f.Kind == audit.KindDuplicateKey:
			if err != nil || s.FindingID != f.ID {
				t.Errorf("%s: %+v %v", f.Kind, s, err)
			}
		}
	}
}

// Names come from files nobody at Ferry wrote: quotes, spaces, keywords, accents.
func TestOddNamesAreQuotedEverywhere(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	cols := []string{`Pat "ID"`, "Order", "Nom de famille", "Prénom", "x'y"}
	stage(t, p, `Odd "Table"; DROP`, cols,
		[]string{"1", "a", "DUPONT, JEAN", "", " q "},
		[]string{"2", "b", "MARTIN, ANNE", "", "r"},
		[]string{"2", "b", "MARTIN, ANNE", "", "r"},
	)
	name := `Odd "Table"; DROP`
	staging.NewStager(p).SetKey(ctx, name, `Pat "ID"`)
	before := tableHash(t, p, name)
	for _, s := range []cleanse.Step{
		{Op: "trim", Table: name, Column: "x'y"},
		{Op: "split_name", Table: name, Column: "Nom de famille", Last: "Nom de famille", First: "Prénom", Middle: `Mid "dle"`},
		{Op: "change_case", Table: name, Columns: []string{"Nom de famille", "Prénom"}, Case: "name"},
		{Op: "merge_columns", Table: name, Columns: []string{"Order", "x'y"}, Target: `New "col"`},
		{Op: "merge_duplicates", Table: name, Match: "same_key"},
		{Op: "purge", Table: name, Column: "Order", Values: []string{"a"}, Reason: "it's a test"},
	} {
		apply(t, p, s)
	}
	if got := strings.Join(column(t, p, name, "Nom de famille"), "|"); got != "Martin" {
		t.Errorf("names: %s", got)
	}
	rc, err := cleanse.Export(ctx, p, "odd")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := rc.Marshal()
	if _, err := cleanse.ParseRecipe(b); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := cleanse.Undo(ctx, p); errors.Is(err, cleanse.ErrNothingUndo) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if tableHash(t, p, name) != before {
		t.Error("undo did not restore the table")
	}
	res, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{})
	if err != nil || len(res.Steps) != 6 {
		t.Fatalf("replay: %v", err)
	}
}
