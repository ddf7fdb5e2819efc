package screens

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// The demo walkthrough of the README, as a newcomer does it: one window, the wizard's shell
// around the demo practice, moving on with the keyboard (Ctrl+Page Down) and the "Next" button,
// doing at each step what the walkthrough says and checking what it left in the project file.
//
// walkthroughSteps is the walk, in wizard order. A step not in this table is passed over by arrive
// (which checks that a step without a screen says so plainly). Each step is a func(*walkthrough)
// that does what the README's walkthrough says on its screen and asserts what the engine stored;
// the last, Reconcile & report, asserts the final verdict.
var walkthroughSteps = []struct {
	id   wizard.StepID
	do   func(*walkthrough)
	want wizard.State // the step's status after it (Cleanse and the Parallel run stay open-ended)
}{
	{wizard.Plan, (*walkthrough).plan, wizard.Done},
	{wizard.Sources, (*walkthrough).sources, wizard.Done},
	{wizard.Audit, (*walkthrough).audit, wizard.Done},
	{wizard.Cleanse, (*walkthrough).cleanse, wizard.InProgress},
	{wizard.Map, (*walkthrough).mapStep, wizard.Done},
	{wizard.Sample, (*walkthrough).sample, wizard.Done},
	{wizard.Parallel, (*walkthrough).parallel, wizard.InProgress},
	{wizard.Load, (*walkthrough).load, wizard.Done},
	{wizard.Reconcile, (*walkthrough).reconcile, wizard.Done},
}

func TestDemoWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("walks the whole demo; not in -short")
	}
	wt := newWalkthrough(t)
	for _, st := range walkthroughSteps {
		wt.arrive(st.id)
		st.do(wt)
		wt.saysWhatNext(st.id, st.want)
	}
}

// walkthrough is the window on a fresh demo project.
type walkthrough struct {
	t      *testing.T
	ctx    context.Context
	p      *project.Project
	s      *Shell
	w      fyne.Window
	picker *fakePicker
	man    *demo.Manifest
	out    string // where the full load's files destination writes: the new system's import
}

func newWalkthrough(t *testing.T) *walkthrough {
	t.Helper()
	test.NewTempApp(t)
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "Harbour View Dental.ferry"), project.Options{Actor: "Dana"},
		assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	man, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	uiQueue = queueUI(t)
	w := test.NewTempWindow(t, nil)
	picker := &fakePicker{}
	s := NewShell(w, p, picker, func() {}, func() {})
	s.SetServices(Services{Importer: importers.Service{}, ReadTable: mapReadCSV})
	w.SetContent(s.Content())
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(s.Close)
	settle(t)
	return &walkthrough{t: t, ctx: ctx, p: p, s: s, w: w, picker: picker, man: man}
}

// arrive moves on to step id with Ctrl+Page Down, as a keyboard user would, checking that each
// page passed over on the way (a step not built yet) says so.
func (wt *walkthrough) arrive(id wizard.StepID) {
	wt.t.Helper()
	for i := 0; wt.s.Current() != id; i++ {
		if i > len(wizard.Defs) {
			wt.t.Fatalf("Ctrl+Page Down never reached %s (stuck on %s)", id, wt.s.Current())
		}
		if cur := wt.s.Current(); i > 0 && wt.s.steps[cur] == nil && !hasText(wt.w.Content(), "not built yet") && !hasText(wt.w.Content(), "Available once") {
			wt.t.Fatalf("passed over %s, which has no screen and does not say why", cur)
		}
		wt.w.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNextStep)
		settle(wt.t)
	}
	st := wt.s.statusOf(id)
	if !st.Available {
		wt.t.Fatalf("%s is not available when the walkthrough gets there: %s", st.Title, st.Blocker)
	}
	if !hasText(wt.w.Content(), st.Purpose) {
		wt.t.Fatalf("%s does not open with what it is for", st.Title)
	}
}

// saysWhatNext checks the step's status after its work, and that the bottom line says where it
// stands and the way on: Next stands out once the step is done.
func (wt *walkthrough) saysWhatNext(id wizard.StepID, want wizard.State) {
	wt.t.Helper()
	wt.s.RefreshNow()
	st := wt.s.statusOf(id)
	if st.State != want {
		wt.t.Fatalf("%s is %s after the walkthrough's work, want %s: %s", st.Title, st.State, want, st.Detail)
	}
	n := wt.s.navs[id]
	last := id == wizard.Defs[len(wizard.Defs)-1].ID // the last step has nowhere on to point
	if n == nil || (n.next == nil && !last) {
		wt.t.Fatalf("%s has no bottom bar with a Next button", id)
	}
	done := strings.HasPrefix(n.line.Text, "✓ Done.") && (last || n.next.Importance == widget.HighImportance)
	if want == wizard.Done && !done {
		wt.t.Fatalf("%s: bottom line %q does not say it is done and point on", id, n.line.Text)
	}
	if want != wizard.Done && (done || !strings.Contains(n.line.Text, st.Detail)) {
		wt.t.Fatalf("%s: bottom line %q does not say where the step stands (%s)", id, n.line.Text, st.Detail)
	}
}

// Plan: the demo fills the practice's facts; the newcomer adds the rest and takes the recommendation.
func (wt *walkthrough) plan() {
	root := wt.w.Content()
	if hasText(root, "✓ Done.") {
		wt.t.Fatal("the demo's plan is complete before anyone answered")
	}
	for label, v := range map[string]string{"New system *": "Cliniko", "Data freeze *": "2027-03-12", "Go-live *": "2027-03-15",
		"Who owns the migration *": "Dana Reyes", "Who signs off the final data *": "Dr Amelia Lee"} {
		var e *widget.Entry
		switch x := formEntry(wt.t, root, label).(type) {
		case *widget.Entry:
			e = x
		case *widget.SelectEntry: // a list of known systems, and free text
			e = &x.Entry
		default:
			wt.t.Fatalf("%s is a %T", label, x)
		}
		e.SetText("")
		test.Type(e, v)
	}
	formEntry(wt.t, root, "Downtime you can tolerate *").(*widget.Select).SetSelected("a weekend")
	test.Tap(findButton(wt.t, root, "Use the recommendation"))
	// Answers are saved shortly after typing stops; wait for the file, not a clock.
	settleUntil(wt.t, func() bool {
		pl, err := plan.Load(wt.ctx, wt.p)
		return err == nil && len(pl.Missing()) == 0 && pl["new_system"] == "Cliniko" && pl["strategy"] != ""
	})
	settle(wt.t)
}

// Sources: the six exports are staged, each with its rows.
func (wt *walkthrough) sources() {
	tables, err := staging.NewStager(wt.p).Tables(wt.ctx)
	if err != nil {
		wt.t.Fatal(err)
	}
	if len(tables) != len(wt.man.Tables) {
		wt.t.Fatalf("%d staged tables, the demo has %d", len(tables), len(wt.man.Tables))
	}
	for _, tb := range tables {
		if !hasText(wt.w.Content(), tb.Name) {
			wt.t.Errorf("staged table %s is not listed", tb.Name)
		}
	}
}

// Audit: it runs by itself; the orphaned appointments are among the findings, with their rows.
func (wt *walkthrough) audit() {
	settle(wt.t)
	rep, err := audit.Latest(wt.ctx, wt.p)
	if err != nil {
		wt.t.Fatalf("the audit did not run by itself: %v", err)
	}
	if !hasText(wt.w.Content(), fmt.Sprintf("%d findings", rep.Summary.Findings)) {
		wt.t.Fatalf("the screen does not show the run's %d findings", rep.Summary.Findings)
	}
	if !hasText(wt.w.Content(), "Appointments whose patient is missing") {
		wt.t.Fatal("the orphaned appointments are not among what to look at first")
	}
}

// Cleanse: the shipped recipe is applied from its file; Ctrl+Z takes the last operation back and
// Ctrl+Shift+Z applies it again.
func (wt *walkthrough) cleanse() {
	recipe, err := filepath.Abs("../assets/recipes/demo-cleanse.json")
	if err != nil {
		wt.t.Fatal(err)
	}
	wt.picker.paths = []string{recipe}
	test.Tap(findButton(wt.t, wt.w.Content(), "Apply recipe…"))
	settle(wt.t)
	applied := func() int {
		ops, err := cleanse.History(wt.ctx, wt.p)
		if err != nil {
			wt.t.Fatal(err)
		}
		n := 0
		for _, op := range ops {
			if op.State == cleanse.Applied {
				n++
			}
		}
		return n
	}
	n := applied()
	if n == 0 {
		wt.t.Fatal("the recipe applied no operation")
	}
	keys := wt.w.Canvas().(fyne.Shortcutable)
	keys.TypedShortcut(&fyne.ShortcutUndo{})
	settle(wt.t)
	if got := applied(); got != n-1 {
		wt.t.Fatalf("Ctrl+Z on Cleanse: %d operations applied, want %d", got, n-1)
	}
	keys.TypedShortcut(shortcutRedoShift)
	settle(wt.t)
	if got := applied(); got != n {
		wt.t.Fatalf("Ctrl+Shift+Z on Cleanse: %d operations applied, want %d", got, n)
	}
}

// Map: the shipped FHIR R4 template, then "Validate all rows" and, for each issue, the decision a
// practice manager makes from its rows on the Validation tab (as app/demoflow decides: unusable
// phones, e-mail addresses and invoice amounts blanked, the rest left out), confirmed with Enter,
// until validation finds nothing.
func (wt *walkthrough) mapStep() {
	tpl, err := filepath.Abs(mapDemoFixture)
	if err != nil {
		wt.t.Fatal(err)
	}
	wt.picker.paths = []string{tpl}
	ms, ok := wt.s.steps[wizard.Map].(*MapStep)
	if !ok {
		wt.t.Fatal("the Map page is not the Map step")
	}
	ms.ImportTemplateDialog()
	settle(wt.t)
	if ov := ms.Overview(); ov == nil || len(ov.Entities) == 0 {
		wt.t.Fatal("the template mapped nothing")
	}
	ms.tabs.Select(ms.checkTab)
	settle(wt.t)
	test.Tap(findButton(wt.t, wt.w.Content(), "Validate all rows"))
	settle(wt.t)
	dialogKeys(wt.w.Canvas())
	v := ms.check
	for round := 0; ; round++ {
		next := -1
		for i, it := range v.Items() {
			if it.issue != nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		if round > 40 {
			wt.t.Fatalf("validation still finds %d issues after %d decisions", len(v.Items()), round)
		}
		is := *v.Items()[next].issue
		v.list.Select(next)
		settle(wt.t)
		button := "Leave these rows out…"
		if is.Kind == mapping.KindBadPhone || is.Kind == mapping.KindBadEmail || (is.Kind == mapping.KindBadNumber && is.Entity == "Invoice") {
			button = "Blank these values…"
		}
		test.Tap(findButton(wt.t, wt.w.Content(), button))
		wt.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
		settle(wt.t)
	}
	wt.s.RefreshNow()
	if st := wt.s.statusOf(wizard.Map); st.State != wizard.Done {
		wt.t.Fatalf("Map after the decisions: %s (%s)", st.State, st.Detail)
	}
}

// Parallel run: the checklist for a dental practice is there to work through.
func (wt *walkthrough) parallel() {
	ps, ok := wt.s.steps[wizard.Parallel].(*ParallelStep)
	if !ok {
		wt.t.Fatal("the Parallel run page is not the Parallel step")
	}
	if ps.ov == nil || ps.ov.Summary.Total == 0 {
		wt.t.Fatal("no checklist for the dental practice")
	}
	if !hasText(wt.w.Content(), fmt.Sprintf("0 of %d done", ps.ov.Summary.Total)) {
		wt.t.Fatal("the checklist's progress is not shown")
	}
}

// Every step's page fits a 1280×800 window (and so 1920×1080): nothing is pushed past the bottom
// edge, where the Next button lives. A wrapped label measured before it has a width (in a Center,
// say) asks for a word per line and did exactly that to the Parallel run once.
func TestEveryStepFitsA1280x800Window(t *testing.T) {
	if testing.Short() {
		t.Skip("opens every step on the demo; not in -short")
	}
	wt := newWalkthrough(t)
	if err := demoflow.Ready(wt.ctx, wt.p); err != nil {
		t.Fatal(err)
	}
	wt.s.RefreshNow()
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(1920, 1080)} {
		wt.w.Resize(size)
		for _, d := range wizard.Defs {
			wt.s.GoTo(d.ID)
			settle(t)
			if m := wt.w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("%s needs %.0f×%.0f, more than a %.0f×%.0f window", d.Title, m.Width, m.Height, size.Width, size.Height)
			}
		}
	}
}

// Sample run: the selection shown is what sample.Select picks; it goes to a files destination
// (a sandbox folder, set up with the engine call the Full load step's dialog makes), and every
// sampled record arrives.
func (wt *walkthrough) sample() {
	ss, ok := wt.s.steps[wizard.Sample].(*SampleStep)
	if !ok {
		wt.t.Fatal("the Sample run page is not the Sample step")
	}
	want, err := sample.Select(wt.ctx, wt.p, sample.Options{})
	if err != nil {
		wt.t.Fatal(err)
	}
	sel := ss.Selection()
	if sel == nil || sel.Total() == 0 || sel.Total() != want.Total() || len(sel.Entities) != len(want.Entities) {
		wt.t.Fatalf("the screen shows %v, the engine picks %d records", sel, want.Total())
	}
	for i, e := range want.Entities {
		if sel.Entities[i].Entity != e.Entity || sel.Entities[i].Picked != e.Picked {
			wt.t.Errorf("%s: %d picked on screen, %s: %d by the engine", sel.Entities[i].Entity, sel.Entities[i].Picked, e.Entity, e.Picked)
		}
	}
	if !hasText(wt.w.Content(), fmtInt(int64(want.Total()))+" of ") {
		wt.t.Error("the summary does not give the sample's size")
	}
	// The sandbox is a real PocketBase on 127.0.0.1 (internal/pocketbase), set up with the engine
	// calls the Full load step's destination dialog makes. (A files destination cannot take a
	// sample: load.Run fails it with "Patient 1001 was written but is not one of the run's records".)
	feed, err := mapping.New(wt.p).Feed(wt.ctx)
	if err != nil {
		wt.t.Fatal(err)
	}
	pb := pocketbase.Start(wt.t)
	if err := pb.CreateCollections(feed.Def, pocketbase.Options{}); err != nil {
		wt.t.Fatal(err)
	}
	token, err := pb.UserToken()
	if err != nil {
		wt.t.Fatal(err)
	}
	cfg := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
		Entities: load.PocketBaseEntities(feed.Def), Concurrency: 8}
	if _, err := load.SaveDestination(wt.ctx, wt.p, load.Destination{Name: "sandbox", Kind: load.KindREST, Role: "sandbox", Config: cfg}); err != nil {
		wt.t.Fatal(err)
	}
	ss.buildRunBar() // the destination was added after the step opened
	settle(wt.t)
	if ss.destSel.Selected != "sandbox (sandbox)" {
		wt.t.Fatalf("destination chosen: %q", ss.destSel.Selected)
	}
	test.Tap(findButton(wt.t, wt.w.Content(), "Run sample"))
	top := wt.w.Canvas().Overlays().Top()
	if top == nil {
		wt.t.Fatal("no sign-in dialog")
	}
	entry := firstEntry(top)
	if entry == nil {
		wt.t.Fatal("no password entry in the sign-in dialog")
	}
	test.Type(entry, token)
	test.Tap(findButton(wt.t, top, "Continue"))
	settleUntil(wt.t, func() bool { return !ss.Busy() && ss.results != nil })
	settle(wt.t)
	if ss.results.run.State != load.StateDone {
		wt.t.Fatalf("sample run %s: %s", ss.results.run.State, ss.results.run.Message)
	}
	if got := ss.results.left; got != int64(want.Total()) {
		wt.t.Fatalf("%d records in the sandbox, %d in the sample", got, want.Total())
	}
	if !hasText(wt.w.Content(), "arrived in sandbox") {
		wt.t.Errorf("the run's outcome is not shown: %q", ss.notice.Text())
	}
}

// Full load: a files destination (the folder the new system imports from), Start the load, and
// the results are every record of the run as load.Records has them.
func (wt *walkthrough) load() {
	ls, ok := wt.s.steps[wizard.Load].(*LoadStep)
	if !ok {
		wt.t.Fatal("the Full load page is not the Full load step")
	}
	wt.out = wt.t.TempDir()
	d := filesDest(wt.out)(nil)
	if _, err := load.SaveDestination(wt.ctx, wt.p, d); err != nil {
		wt.t.Fatal(err)
	}
	ls.reload(d.Name)
	settleUntil(wt.t, func() bool { return ls.chosenName() == d.Name && ls.Plan() != nil && ls.Plan().Destination == d.Name })
	settle(wt.t)
	ls.tabs.SelectIndex(1) // the Run tab
	test.Tap(findButton(wt.t, wt.w.Content(), "Start the load"))
	if top := wt.w.Canvas().Overlays().Top(); top != nil {
		wt.t.Fatal("the load asks why it goes ahead, though the sample run passed")
	}
	f := &loadFixture{t: wt.t, step: ls, deps: &loadDeps{stepDeps: &stepDeps{}}}
	f.runToEnd()
	run, err := load.LatestRun(wt.ctx, wt.p)
	if err != nil || run == 0 {
		wt.t.Fatalf("no run: %v", err)
	}
	if ls.res.latest == nil || ls.res.latest.ID != run || ls.res.latest.State != load.StateDone {
		wt.t.Fatalf("results show %+v, want run %d done", ls.res.latest, run)
	}
	recs, err := load.Records(wt.ctx, wt.p, run, load.Filter{})
	if err != nil || len(recs) == 0 {
		wt.t.Fatalf("%d records in the run: %v", len(recs), err)
	}
	counts := map[string]int64{}
	for _, r := range recs {
		counts[r.Status]++
	}
	for st, n := range counts {
		if !strings.Contains(ls.res.summary.Text, fmtInt(n)+" "+st) {
			wt.t.Errorf("results %q do not say %d %s", ls.res.summary.Text, n, st)
		}
	}
	if ls.res.grid.RowCount() == 0 {
		wt.t.Error("the results grid is empty")
	}
}

// Reconcile & report: a files destination cannot be read back over an API, so the new system's
// export is the files the load wrote (exactly what the new system imports), read through
// "Reconcile now"; the verdict is that every record reconciled, as stored in the project.
func (wt *walkthrough) reconcile() {
	rs := findReconcile(wt.s.steps[wizard.Reconcile])
	if rs == nil {
		wt.t.Fatal("the Reconcile & report page is not the Reconcile step")
	}
	all, err := filepath.Glob(filepath.Join(wt.out, "*.csv"))
	var paths []string
	for _, path := range all {
		if filepath.Base(path) != "manifest.csv" { // Ferry's own list of what it wrote, not an import file
			paths = append(paths, path)
		}
	}
	if err != nil || len(paths) == 0 {
		wt.t.Fatalf("the load wrote no files into %s: %v", wt.out, err)
	}
	wt.picker.paths = paths
	rs.from.SetSelected(fromExport)
	before := rs.Result()
	test.Tap(findButton(wt.t, wt.w.Content(), "Reconcile now"))
	settleUntil(wt.t, func() bool {
		return !rs.running.Load() && rs.Result() != nil && rs.Result() != before || wt.w.Canvas().Overlays().Top() != nil
	})
	settle(wt.t)
	if top := wt.w.Canvas().Overlays().Top(); top != nil {
		var said []string
		walk(top, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				said = append(said, l.Text)
			}
			return true
		})
		wt.t.Fatalf("Reconcile now showed a dialog: %q", said)
	}
	res := rs.Result()
	latest, err := reconcile.Latest(wt.ctx, wt.p)
	if err != nil || latest == nil {
		wt.t.Fatalf("no reconciliation stored: %v", err)
	}
	if res.Source != reconcile.SourceExport || res.Differences != 0 || res.Reconciled != res.Records {
		wt.t.Fatalf("verdict %q from %s: %d differences, %d of %d reconciled: %v %+v", res.Verdict, res.Source, res.Differences, res.Reconciled, res.Records, res.ByKind, res.Diffs[:min(3, len(res.Diffs))])
	}
	want := fmt.Sprintf("All %s records reconciled", fmtInt(res.Records))
	if rs.verdict.Text() != want || latest.Verdict != want || latest.Differences != 0 || latest.Records != res.Records {
		wt.t.Fatalf("verdict on screen %q, stored %q (%d differences), want %q", rs.verdict.Text(), latest.Verdict, latest.Differences, want)
	}
	if !hasText(wt.w.Content(), want) {
		wt.t.Error("the final verdict is not shown")
	}
}
