package screens

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// csvTable reads a CSV file as the importers would, for the daily comparisons (screens may not
// import the importers; cmd wires the real ones).
func csvTable(_ context.Context, path string) (*staging.MemoryTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	t := &staging.MemoryTable{Spec: staging.TableSpec{Name: strings.TrimSuffix(filepath.Base(path), ".csv"), Columns: recs[0]}}
	for i, r := range recs[1:] {
		t.Rows = append(t.Rows, staging.Row{Line: int64(i + 2), Cells: r})
	}
	return t, nil
}

// parallelFixture is the Parallel run step on a real project file in a 1280×800 test window.
type parallelFixture struct {
	t    *testing.T
	path string
	p    *project.Project
	deps *stepDeps
	step *ParallelStep
	win  fyne.Window
	dir  string
}

var dentalAnswers = map[string]string{"practice_name": "Harbour View Dental", "practice_type": "dental",
	"owner": "Dana Reyes", "sign_off": "Dr Amelia Lee", "data_freeze": "2027-03-12", "go_live": "2027-03-15"}

func newParallel(t *testing.T) *parallelFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "Harbour View.ferry")
	p, err := project.Create(context.Background(), path, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range dentalAnswers {
		if err := plan.Set(context.Background(), p, k, v); err != nil {
			t.Fatal(err)
		}
	}
	f := &parallelFixture{t: t, path: path, dir: dir}
	f.open(p)
	return f
}

// open shows the step on p in a fresh window.
func (f *parallelFixture) open(p *project.Project) {
	f.t.Helper()
	f.p = p
	f.deps = &stepDeps{p: p, svc: Services{ReadTable: csvTable}, picker: &fakePicker{}}
	f.win = test.NewTempWindow(f.t, nil)
	f.step = NewParallelStep(f.win, f.deps).(*ParallelStep)
	f.win.SetContent(f.step)
	f.win.Resize(fyne.NewSize(1280, 800))
	step, proj := f.step, p
	f.t.Cleanup(func() {
		step.Close()
		proj.Close()
	})
	settle(f.t)
	f.noErrors()
}

// reopen closes the step and the project, opens the file again and shows the step on it.
func (f *parallelFixture) reopen() {
	f.t.Helper()
	f.step.Close()
	settle(f.t)
	if err := f.p.Close(); err != nil {
		f.t.Fatal(err)
	}
	p, err := project.Open(context.Background(), f.path, project.Options{Actor: "Sam"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.open(p)
}

func (f *parallelFixture) noErrors() {
	f.t.Helper()
	if len(f.deps.errs) > 0 {
		f.t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func (f *parallelFixture) root() fyne.CanvasObject { return f.win.Content() }

func (f *parallelFixture) tap(text string) {
	f.t.Helper()
	test.Tap(findButton(f.t, f.root(), text))
	settle(f.t)
	f.noErrors()
}

// itemByKey finds a template item as stored now.
func (f *parallelFixture) itemByKey(key string) *checklist.Item {
	f.t.Helper()
	c, err := checklist.Load(context.Background(), f.p)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, g := range c.Groups {
		for _, it := range g.Items {
			if it.TemplateKey == key {
				return it
			}
		}
	}
	f.t.Fatalf("no item %s", key)
	return nil
}

// choose selects an item in the tree, as a click on it does.
func (f *parallelFixture) choose(id int64) {
	f.t.Helper()
	f.step.cl.tree.OpenBranch(gid(f.step.ov.Checklist.Item(id).GroupID))
	f.step.cl.tree.Select(iid(id))
	if f.step.cl.item() == nil || f.step.cl.item().ID != id {
		f.t.Fatalf("item %d not selected", id)
	}
}

func (f *parallelFixture) file(name, body string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

func TestParallelTickAttachAndSignOffSurviveReopening(t *testing.T) {
	f := newParallel(t)
	root := f.root()
	// The dental template was loaded the first time the step opened.
	if !hasText(root, "Workflow audit") || f.step.ov.Summary.Total < 40 || f.step.ov.Checklist.Settings.Template != "dental" {
		t.Fatalf("template not loaded: %d items", f.step.ov.Summary.Total)
	}
	blockersBefore := len(f.step.ov.Summary.Blockers)
	if f.step.strip.blockers.Text != strconv.Itoa(blockersBefore) {
		t.Fatalf("strip shows %s blockers, summary %d", f.step.strip.blockers.Text, blockersBefore)
	}

	// Start the run today: days elapsed and the time box show.
	f.tap("Start today")
	if f.step.ov.Checklist.Settings.Start != time.Now().Format("2006-01-02") || f.step.strip.days.Text != "0" ||
		!hasText(root, "of 14; 14 days left.") {
		t.Fatalf("start %q, days %q", f.step.ov.Checklist.Settings.Start, f.step.strip.days.Text)
	}

	// Tick an item, note what was seen and attach the screenshot that shows it.
	takings := f.itemByKey("reports.takings")
	f.choose(takings.ID)
	if !hasText(root, "Blocks go-live: not done yet.") {
		t.Fatal("the editor does not say the item blocks go-live")
	}
	f.tap("Mark done")
	if !hasText(root, "Checked by Dana on") {
		t.Fatal("who checked it is not shown")
	}
	test.Type(f.step.cl.editor.notes, "Both show 4,210.00 for 3 March")
	f.step.Flush()
	settle(t)
	shot := f.file("takings 3 March.png", "\x89PNG both systems side by side")
	f.deps.picker.paths = []string{shot}
	f.tap("Attach files…")
	if !hasText(root, "takings 3 March.png") || !hasText(root, "as evidence") {
		t.Fatal("attached file not listed")
	}

	// The business owner signs off the final data.
	final := f.itemByKey("signoff.final-data")
	f.choose(final.ID)
	if f.step.cl.editor.signName.Text != "Dr Amelia Lee" {
		t.Fatalf("sign-off name prefilled with %q", f.step.cl.editor.signName.Text)
	}
	f.tap("Sign off")
	if !hasText(root, "Signed by Dr Amelia Lee on") {
		t.Fatal("signature not shown")
	}
	if got := f.step.strip.blockers.Text; got != strconv.Itoa(blockersBefore-2) {
		t.Fatalf("blockers %s after ticking one and signing one, were %d", got, blockersBefore)
	}

	f.reopen()
	root = f.root()
	c, _ := checklist.Load(context.Background(), f.p)
	it := c.Item(takings.ID)
	if it.Status != checklist.Done || it.CheckedBy != "Dana" || it.Notes != "Both show 4,210.00 for 3 March" ||
		len(it.Evidence) != 1 || it.Evidence[0].Name != "takings 3 March.png" {
		t.Fatalf("ticked item after reopening: %+v", it)
	}
	if s := c.Item(final.ID); s.SignedBy != "Dr Amelia Lee" || s.Status != checklist.Done {
		t.Fatalf("sign-off after reopening: %+v", s)
	}
	// ... and the screen shows it again.
	f.choose(takings.ID)
	e := f.step.cl.editor
	if e.status.Selected != "Done" || e.notes.Text != it.Notes || !hasText(root, "Checked by Dana on") || !hasText(root, "takings 3 March.png") {
		t.Fatalf("editor after reopening: status %q, notes %q", e.status.Selected, e.notes.Text)
	}
	f.choose(final.ID)
	if !hasText(root, "Signed by Dr Amelia Lee on") {
		t.Fatal("signature not shown after reopening")
	}
	if f.step.strip.start.Text != time.Now().Format("2006-01-02") {
		t.Fatalf("start date after reopening: %q", f.step.strip.start.Text)
	}

	evs, _ := custody.List(context.Background(), f.p.Reader(), 0)
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.Action]++
	}
	for _, a := range []string{"checklist.template", "parallel.start", "checklist.item.status", "checklist.item.edit",
		"checklist.evidence.attach", "checklist.signoff"} {
		if seen[a] == 0 {
			t.Errorf("no %s in the custody log", a)
		}
	}
	if seen["checklist.item.edit"] > 2 {
		t.Errorf("%d edit events for one note typed: saved per keystroke", seen["checklist.item.edit"])
	}
}

func TestParallelItemsAreAddedGroupedAndReordered(t *testing.T) {
	f := newParallel(t)
	cl := f.step.cl
	cl.AddGroup("Front desk extras")
	settle(t)
	g := cl.group()
	if g == nil || g.Name != "Front desk extras" {
		t.Fatalf("new group not selected: %+v", g)
	}
	f.tap("Add item")
	first := cl.item()
	if first == nil || first.GroupID != g.ID || first.Owner != "Dana Reyes" {
		t.Fatalf("new item %+v", first)
	}
	test.Type(cl.editor.title, "Waiting list is kept") // "New item" is selected: typing replaces it
	f.tap("Add item")
	second := cl.item()
	f.step.Flush()
	settle(t)

	order := func(groupID int64) []int64 {
		var ids []int64
		for _, it := range f.step.ov.Checklist.Group(groupID).Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := order(g.ID); len(got) != 2 || got[0] != first.ID || got[1] != second.ID {
		t.Fatalf("order %v", got)
	}
	if f.step.ov.Checklist.Item(first.ID).Title != "Waiting list is kept" {
		t.Fatalf("typed title not saved: %q", f.step.ov.Checklist.Item(first.ID).Title)
	}
	// Up within the group, then up again into the group before it.
	test.Tap(cl.up)
	settle(t)
	if got := order(g.ID); got[0] != second.ID {
		t.Fatalf("after moving up: %v", got)
	}
	test.Tap(cl.up)
	settle(t)
	groups := f.step.ov.Checklist.Groups
	prev := groups[len(groups)-2]
	if it := f.step.ov.Checklist.Item(second.ID); it.GroupID != prev.ID || prev.Items[len(prev.Items)-1].ID != second.ID {
		t.Fatalf("moving up from the top of a group should land at the end of %s", prev.Name)
	}
	// Move to… puts it at the end of the chosen group.
	workflow := groups[0]
	cl.MoveItemTo(workflow.ID)
	settle(t)
	if w := f.step.ov.Checklist.Group(workflow.ID); w.Items[len(w.Items)-1].ID != second.ID || cl.item().ID != second.ID {
		t.Fatal("Move to did not move the item")
	}
	// A group can be moved and, once empty, deleted.
	cl.selectNode(gid(g.ID))
	test.Tap(cl.up)
	settle(t)
	if gs := f.step.ov.Checklist.Groups; gs[len(gs)-2].ID != g.ID {
		t.Fatal("group did not move up")
	}
	f.choose(first.ID)
	cl.editor.Delete()
	settle(t)
	cl.selectNode(gid(g.ID))
	f.tap("Delete group")
	if f.step.ov.Checklist.Group(g.ID) != nil {
		t.Fatal("empty group not deleted")
	}
	f.noErrors()
}

const takingsOld = `Receipt,Date,Client,Method,Amount
R-1,2027-03-03,Linh Nguyen,card,120.00
R-2,2027-03-03,Mia Rossi,cash,85.00
R-3,2027-03-03,Tom Baker,card,150.00
R-4,2027-03-03,Ana Silva,card,200.00
`

const takingsNew = `Receipt,Date,Client,Method,Amount
R-1,2027-03-03,Linh Nguyen,card,120.00
R-2,2027-03-03,Mia Rossi,cash,80.00
R-4,2027-03-03,Ana Silva,eftpos,200.00
R-9,2027-03-03,Ella Jones,card,60.00
`

func TestParallelDailyComparisonListsDifferencesAndMakesItems(t *testing.T) {
	f := newParallel(t)
	root := f.root()
	f.step.tabs.Select(f.step.cmpTab)
	cv := f.step.cmp
	f.deps.picker.paths = []string{f.file("takings-old.csv", takingsOld)}
	f.tap("Old system's report…")
	f.deps.picker.paths = []string{f.file("takings-new.csv", takingsNew)}
	f.tap("New system's report…")
	if cv.entity.Text != "Takings" || cv.key.Selected != "Receipt" || cv.run.Disabled() {
		t.Fatalf("after reading both: entity %q, key %q, compare disabled %v", cv.entity.Text, cv.key.Selected, cv.run.Disabled())
	}
	cv.day.SetText("2027-03-03")
	f.tap("Compare")

	r := cv.result
	if r == nil || r.ID == 0 || r.Matched != 3 || r.MissingInNew != 1 || r.MissingInOld != 1 || r.Changed != 2 {
		t.Fatalf("result %+v", r)
	}
	if !hasText(root, "4 records differ: 1 missing in the new system, 1 only in the new system, 2 with different values. Totals differ: Amount.") ||
		!hasText(root, "Total Amount: old 555.00, new 460.00 (difference -95.00)") {
		t.Fatal("summary not shown")
	}
	if got := strings.Join(cv.chart.Days(), " "); got != "2027-03-03=4" {
		t.Fatalf("trend %s", got)
	}
	var kinds []string
	for _, d := range r.Differences {
		kinds = append(kinds, string(d.Kind)+" "+d.Key+" "+d.Column)
	}
	if strings.Join(kinds, ", ") != "missing_in_new R-3 , missing_in_old R-9 , changed R-2 Amount, changed R-4 Method" {
		t.Fatalf("differences %v", kinds)
	}

	// The first difference becomes a checklist item with one click.
	f.tap("Make checklist item")
	if cv.result.Differences[0].ItemID == 0 {
		t.Fatal("difference not linked to an item")
	}
	it := f.step.ov.Checklist.Item(cv.result.Differences[0].ItemID)
	if it == nil || !strings.Contains(it.Title, "R-3 is missing in the new system") || it.Origin != checklist.OriginComparison {
		t.Fatalf("item %+v", it)
	}
	if !hasText(root, "Added to the checklist") {
		t.Fatal("no confirmation")
	}
	f.tap("Show item")
	if f.step.tabs.Selected() != f.step.clTab || f.step.cl.item().ID != it.ID {
		t.Fatal("Show item did not open the item")
	}

	// The comparison is in the project: after reopening, the trend and the result are there.
	f.reopen()
	if got := strings.Join(f.step.cmp.chart.Days(), " "); got != "2027-03-03=4" || f.step.cmp.result == nil || f.step.cmp.result.ID != r.ID {
		t.Fatalf("after reopening: trend %s", got)
	}
	runs, _ := compare.List(context.Background(), f.p)
	if len(runs) != 1 || runs[0].OldFile != "takings-old.csv" || len(runs[0].OldSHA256) != 64 {
		t.Fatalf("stored %+v", runs)
	}
}

func TestParallelStepIsInTheWizardAndSaysWhatBlocksGoLive(t *testing.T) {
	s, p, w := openShell(t)
	plan.Set(context.Background(), p, "practice_type", "law")
	s.RefreshNow()
	s.GoTo(wizard.Parallel)
	if s.Current() != wizard.Parallel {
		t.Fatalf("on %s", s.Current())
	}
	root := w.Content()
	if !hasText(root, "Blocking go-live") || !hasText(root, "Workflow audit") {
		t.Fatal("parallel run screen not shown")
	}
	var step *ParallelStep
	walk(root, func(o fyne.CanvasObject) bool {
		if ps, ok := o.(*ParallelStep); ok {
			step = ps
			return false
		}
		return true
	})
	if step == nil || step.ov.Checklist.Group(step.ov.Checklist.Groups[2].ID).Name != "Trust accounting" {
		t.Fatal("law template not loaded")
	}
	step.cl.filter.SetSelected(filterBlocking)
	if step.cl.counts.Text != strconv.Itoa(len(step.ov.Summary.Blockers))+" items of "+strconv.Itoa(step.ov.Summary.Total)+" shown" {
		t.Fatalf("blocking filter: %q", step.cl.counts.Text)
	}
	s.RefreshNow()
	if st := s.Statuses()[6]; st.ID != wizard.Parallel || st.State != wizard.InProgress || !strings.Contains(st.Detail, "block go-live") {
		t.Fatalf("sidebar status %+v", st)
	}
	s.Close()
}

func TestParallelFilesDroppedOnTheWindowBecomeEvidenceOfTheChosenItem(t *testing.T) {
	f := newParallel(t)
	photo := f.file("ticked paper list.jpg", "JFIF photo of the freeze list, every line ticked")
	f.step.Dropped([]fyne.URI{storage.NewFileURI(photo)})
	settle(t)
	if !hasText(f.root(), "choose a checklist item first") {
		t.Fatal("a drop with no item chosen is not explained")
	}
	catchUp := f.itemByKey("freeze.catch-up")
	f.choose(catchUp.ID)
	f.step.Dropped([]fyne.URI{storage.NewFileURI(photo)})
	settle(t)
	f.noErrors()
	if ev := f.step.ov.Checklist.Item(catchUp.ID).Evidence; len(ev) != 1 || ev[0].Name != "ticked paper list.jpg" {
		t.Fatalf("evidence %+v", ev)
	}
}

func TestParallelViewOnlyShowsButChangesNothing(t *testing.T) {
	f := newParallel(t)
	final := f.itemByKey("signoff.final-data")
	f.step.Close()
	f.p.Close()
	p, err := project.Open(context.Background(), f.path, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	f.open(p)
	root := f.root()
	if !hasText(root, "Workflow audit") {
		t.Fatal("checklist not shown read-only")
	}
	for _, b := range []string{"Add item", "Add group", "Template items…"} {
		if !findButton(t, root, b).Disabled() {
			t.Errorf("%s enabled on a view-only project", b)
		}
	}
	if !f.step.cmp.oldBtn.Disabled() || !f.step.cmp.newBtn.Disabled() {
		t.Error("reports can be compared on a view-only project")
	}
	f.choose(final.ID)
	if !f.step.cl.editor.signBtn.Disabled() || !f.step.cl.editor.title.Disabled() || !f.step.strip.start.Disabled() {
		t.Fatal("editor enabled on a view-only project")
	}
}
