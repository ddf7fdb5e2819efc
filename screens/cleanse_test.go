package screens

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// The Cleanse screen is tested on the demo practice (real importers, real audit), driving the
// engine only through the screen and checking the staged tables through the engine.

type cleanseFixture struct {
	t    *testing.T
	p    *project.Project
	deps *stepDeps
	step *CleanseStep
	win  fyne.Window
}

func newCleanse(t *testing.T) *cleanseFixture {
	t.Helper()
	p := demoProject(t)
	if _, err := audit.Run(context.Background(), p, audit.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	deps := &stepDeps{p: p, picker: &fakePicker{}}
	step := NewCleanseStep(nil, deps).(*CleanseStep)
	w := test.NewTempWindow(t, step)
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	settle(t)
	return &cleanseFixture{t: t, p: p, deps: deps, step: step, win: w}
}

// suggestion is the suggested operation for a finding of kind on table.
func (f *cleanseFixture) suggestion(kind, table string) audit.Finding {
	f.t.Helper()
	for _, s := range f.step.Suggestions() {
		if s.Kind == kind && s.Table == table {
			return s
		}
	}
	f.t.Fatalf("no suggested %s on %s among %d suggestions", kind, table, len(f.step.Suggestions()))
	return audit.Finding{}
}

// values reads a column of a staged table by _ferry_row.
func (f *cleanseFixture) values(table, column string) map[int64]string {
	f.t.Helper()
	st := staging.NewStager(f.p)
	info, err := st.Describe(context.Background(), table)
	if err != nil {
		f.t.Fatal(err)
	}
	ci := -1
	for i, c := range info.Columns {
		if c.Name == column {
			ci = i
		}
	}
	pg, err := st.Page(context.Background(), table, 0, 1_000_000)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[int64]string{}
	for _, r := range pg.Rows {
		out[r.ID] = r.Cells[ci]
	}
	return out
}

func diff(a, b map[int64]string) int {
	n := 0
	for k, v := range a {
		if b[k] != v {
			n++
		}
	}
	return n
}

func TestCleanseSetsUpASuggestionPreviewsAppliesUndoesAndRedoes(t *testing.T) {
	f := newCleanse(t)
	if len(f.step.Suggestions()) == 0 {
		t.Fatal("no suggested operations from the audit")
	}
	fd := f.suggestion(audit.KindUntrimmed, "patients")
	before := f.values("patients", fd.Column)

	f.step.SetUp(fd)
	ed := f.step.Editor()
	if ed.Step().Op != cleanse.OpTrim || ed.Step().Column != fd.Column {
		t.Fatalf("set up %+v from the %s finding on %s", ed.Step(), fd.Kind, fd.Column)
	}
	test.Tap(findButton(t, f.step.root, "Preview"))
	settle(t)
	pv := ed.Previewed()
	if pv == nil || pv.Cells == 0 {
		t.Fatalf("preview: %v (%s)", pv, ed.Problem())
	}
	if got := ed.PreviewGrid().RowCount(); got != min(pv.Cells, 500) {
		t.Errorf("preview grid shows %d changes, the preview counts %d", got, pv.Cells)
	}
	if !hasText(f.step.root, plural64(pv.Cells, "cell", "cells")) {
		t.Errorf("the preview's count %d is not shown: %q", pv.Cells, ed.Summary())
	}
	if diff(before, f.values("patients", fd.Column)) != 0 {
		t.Fatal("the preview changed the table")
	}

	test.Tap(findButton(t, f.step.root, "Apply"))
	settle(t)
	after := f.values("patients", fd.Column)
	if got := diff(before, after); int64(got) != pv.Cells {
		t.Fatalf("apply changed %d cells, the preview said %d (%s)", got, pv.Cells, ed.Problem())
	}
	if len(f.step.History()) != 1 || f.deps.refreshes == 0 {
		t.Fatalf("history %d ops, %d refreshes", len(f.step.History()), f.deps.refreshes)
	}
	if !hasText(f.step.root, "cells changed") && f.step.Notice() == "" {
		t.Error("no message after applying")
	}

	// the rows tab marks a changed row with what changed and by which operation
	rv := f.step.RowsView()
	rv.table = "patients"
	rv.load(nil, "")
	settle(t)
	g := rv.Grid()
	g.Resize(fyne.NewSize(900, 500))
	settleUntil(t, func() bool { _, ok := g.Row(0); return ok })
	found := false
	for i := int64(0); i < min(g.RowCount(), 500); i++ {
		settleUntil(t, func() bool { _, ok := g.Row(i); return ok })
		if r, _ := g.Row(i); r.Flagged && before[r.ID] != after[r.ID] {
			found = true
			break
		}
	}
	if !found {
		t.Error("no changed row is highlighted in the rows tab")
	}

	test.Tap(findButton(t, f.step.root, "Undo"))
	settle(t)
	if got := diff(before, f.values("patients", fd.Column)); got != 0 {
		t.Fatalf("undo left %d cells changed", got)
	}
	if h := f.step.History(); len(h) != 1 || h[0].State != cleanse.Undone {
		t.Fatalf("history after undo: %+v", h)
	}
	test.Tap(findButton(t, f.step.root, "Redo"))
	settle(t)
	if got := diff(after, f.values("patients", fd.Column)); got != 0 {
		t.Fatalf("redo differs from the first apply in %d cells", got)
	}
	if len(f.deps.errs) > 0 {
		t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func TestCleanseNewOperationRefusesAPurgeWithoutAReason(t *testing.T) {
	f := newCleanse(t)
	f.step.NewOperation(cleanse.OpPurge)
	ed := f.step.Editor()
	s := ed.Step()
	s.Table, s.Column, s.Values = "patients", "LastName", []string{"Nobody"}
	ed.SetStep(s)
	test.Tap(findButton(t, f.step.root, "Apply"))
	settle(t)
	if ed.Problem() == "" {
		t.Fatal("a purge without a reason was not stopped")
	}
	if len(f.step.History()) != 0 {
		t.Fatal("a purge without a reason was applied")
	}
}

func TestCleanseMergesAReviewedDuplicateGroup(t *testing.T) {
	f := newCleanse(t)
	fd := f.suggestion(audit.KindDuplicateFuzzy, "patients")
	f.step.SetUp(fd)
	settle(t)
	rv := f.step.Review()
	if len(rv.Clusters()) == 0 {
		t.Fatal("no groups to review")
	}
	cl := rv.Clusters()[rv.Current()]
	if len(cl.Members) < 2 {
		t.Fatalf("group of %d", len(cl.Members))
	}
	// keep the second record
	rv.ChooseSurvivor(1)
	test.Tap(findButton(t, f.step.root, "Merge"))
	settle(t)
	cw, err := cleanse.Crosswalk(context.Background(), f.p, "patients")
	if err != nil {
		t.Fatal(err)
	}
	if len(cw) != len(cl.Members)-1 {
		t.Fatalf("crosswalk %+v for a group of %d", cw, len(cl.Members))
	}
	if cw[0].SurvivorRow != cl.Members[1].Row || cw[0].MergedRow != cl.Members[0].Row {
		t.Errorf("crosswalk %+v, want row %d merged into %d", cw[0], cl.Members[0].Row, cl.Members[1].Row)
	}
	if len(f.step.History()) != 1 || f.step.History()[0].Op != cleanse.OpMergeDuplicates {
		t.Fatalf("history %+v", f.step.History())
	}
	if len(f.deps.errs) > 0 {
		t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func TestCleanseRecordsNotDuplicatesInTheProject(t *testing.T) {
	f := newCleanse(t)
	f.step.SetUp(f.suggestion(audit.KindDuplicateFuzzy, "patients"))
	settle(t)
	rv := f.step.Review()
	cl := rv.Clusters()[rv.Current()]
	test.Tap(findButton(t, f.step.root, "Not duplicates"))
	settle(t)
	groups, err := cleanse.DistinctGroups(context.Background(), f.p, "patients")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		t.Fatalf("%d distinct decisions recorded, want 1 for the group of %d", len(groups), len(cl.Members))
	}
	if len(f.step.History()) != 0 {
		t.Fatalf("'not duplicates' changed data: %+v", f.step.History())
	}
}
