package screens

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// The Audit screen is tested on the demo practice, imported by the real importers (a test file
// may import them; the screens package itself may not), so the findings are the ones the
// manifest says were planted.

// auditDeps is the shell as the Audit step sees it: it records GoTo, and its file picker saves
// where the test says.
type auditDeps struct {
	*stepDeps
	went  []wizard.StepID
	saves *savePicker
}

func (d *auditDeps) GoTo(id wizard.StepID) { d.went = append(d.went, id) }
func (d *auditDeps) Files() FilePicker     { return d.saves }

// savePicker answers Save dialogs with path.
type savePicker struct {
	fakePicker
	path string
}

func (f *savePicker) Save(_, _ string, _ []Filter, done func(string, error)) { done(f.path, nil) }

type auditFixture struct {
	t    *testing.T
	p    *project.Project
	m    *demo.Manifest
	deps *auditDeps
	step *AuditStep
	win  fyne.Window
}

// demoProject creates the demo practice in a temp dir (its tables imported, keys and
// relationships declared, never audited).
func demoProject(t *testing.T) *project.Project {
	t.Helper()
	p, err := demo.CreateProject(context.Background(), filepath.Join(t.TempDir(), "Harbour View.ferry"),
		project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newAudit opens the Audit step on p in a 1280×800 test window and lets it settle (the first
// run included, when it starts one).
func newAudit(t *testing.T, p *project.Project) *auditFixture {
	t.Helper()
	f := openAudit(t, p)
	settle(t)
	return f
}

// openAudit opens the Audit step without waiting for what it starts.
func openAudit(t *testing.T, p *project.Project) *auditFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	m, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	deps := &auditDeps{stepDeps: &stepDeps{p: p, picker: &fakePicker{}}, saves: &savePicker{}}
	step := NewAuditStep(nil, deps).(*AuditStep)
	w := test.NewTempWindow(t, step)
	step.win = w
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	return &auditFixture{t: t, p: p, m: m, deps: deps, step: step, win: w}
}

func (f *auditFixture) latest() *audit.Report {
	f.t.Helper()
	rep, err := audit.Latest(context.Background(), f.p)
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// finding is the finding of the report shown with that kind, table and column.
func (f *auditFixture) finding(kind, table, column string) audit.Finding {
	f.t.Helper()
	fs := f.step.Report().Find(kind, table, column)
	if len(fs) != 1 {
		f.t.Fatalf("%d %s findings on %s.%s", len(fs), kind, table, column)
	}
	return fs[0]
}

// holdRuns makes audit runs wait in their first table until release is closed or they are
// cancelled, as a large table would keep them busy.
func holdRuns(t *testing.T) (release chan struct{}) {
	t.Helper()
	release = make(chan struct{})
	old := runAudit
	t.Cleanup(func() { runAudit = old })
	runAudit = func(ctx context.Context, p *project.Project, o audit.Options, progress func(audit.Progress)) (*audit.Report, error) {
		return audit.Run(ctx, p, o, func(pr audit.Progress) {
			progress(pr)
			if pr.Stage == "profile" && pr.RowsDone > 0 {
				select {
				case <-ctx.Done():
				case <-release:
				case <-time.After(20 * time.Second):
				}
			}
		})
	}
	return release
}

func TestAuditRunsByItselfTheFirstTimeAndShowsWhatItFound(t *testing.T) {
	release := holdRuns(t)
	f := openAudit(t, demoProject(t))
	root := f.win.Content()
	// Never audited, with data: it starts by itself, and shows that it works.
	pr := f.step.progress
	settleUntil(t, func() bool { return pr.root.Visible() && strings.HasPrefix(pr.title.Text, "Auditing patients") })
	if !f.step.Running() || !hasText(root, "Cancel") {
		t.Fatal("the first run is not shown with its progress and Cancel")
	}
	close(release)
	settle(t)
	if len(f.deps.errs) > 0 {
		t.Fatalf("errors shown: %v", f.deps.errs)
	}
	rep := f.step.Report()
	if rep == nil {
		t.Fatal("the first audit did not run by itself")
	}
	stored := f.latest()
	if rep.RunID != stored.RunID || rep.Summary.Findings != stored.Summary.Findings || rep.Summary.Findings == 0 {
		t.Fatalf("shown run %d with %d findings, stored run %d with %d", rep.RunID, rep.Summary.Findings, stored.RunID, stored.Summary.Findings)
	}
	// The strip: tables, errors, warnings, information, in numbers.
	if f.step.statTables.Text != "6" || f.step.statErrors.Text != fmtInt(int64(rep.Summary.Errors)) ||
		f.step.statWarnings.Text != fmtInt(int64(rep.Summary.Warnings)) || f.step.statInfos.Text != fmtInt(int64(rep.Summary.Infos)) {
		t.Fatalf("strip shows %s tables, %s errors, %s warnings, %s info", f.step.statTables.Text, f.step.statErrors.Text,
			f.step.statWarnings.Text, f.step.statInfos.Text)
	}
	if !hasText(root, "4,478 rows read") || !strings.HasPrefix(f.step.notice.Text(), "Audit finished in") {
		t.Fatalf("rows or the finished notice not shown: %q", f.step.notice.Text())
	}
	// The summary chart: findings per table by severity, the tables with none included.
	got := f.step.summary.chart.Tables()
	if len(got) != 6 || !slices.Contains(got, "providers=0/0/0") {
		t.Fatalf("chart %v", got)
	}
	for _, tb := range rep.Tables {
		var e, w, i int
		for _, fd := range rep.Findings {
			if fd.Table == tb.Name {
				switch fd.Severity {
				case audit.Error:
					e++
				case audit.Warning:
					w++
				default:
					i++
				}
			}
		}
		if want := tb.Name + "=" + strconv.Itoa(e) + "/" + strconv.Itoa(w) + "/" + strconv.Itoa(i); !slices.Contains(got, want) {
			t.Fatalf("chart %v lacks %s", got, want)
		}
	}
	// Start here: the errors, in plain words.
	if !hasText(root, "Appointments whose patient is missing") || f.step.summary.first[0].Severity != audit.Error {
		t.Fatal("errors not listed first under Start here")
	}
	// The sidebar is told, and the status says done.
	if f.deps.refreshes == 0 {
		t.Fatal("sidebar not refreshed after the run")
	}
	if st, _, _ := audit.Status(context.Background(), f.p); st != wizard.Done {
		t.Fatalf("audit status %v", st)
	}
	// Every finding is listed.
	f.step.tabs.Select(f.step.findTab)
	if n := len(f.step.findings.Shown()); n != rep.Summary.Findings {
		t.Fatalf("%d findings listed of %d", n, rep.Summary.Findings)
	}
	if f.step.findTab.Text != "Findings ("+strconv.Itoa(rep.Summary.Findings)+")" {
		t.Fatalf("tab %q", f.step.findTab.Text)
	}
}

func TestAuditFiltersFindingsBySeverityTableKindAndSearch(t *testing.T) {
	f := newAudit(t, demoProject(t))
	rep := f.step.Report()
	v := f.step.findings
	f.step.tabs.Select(f.step.findTab)

	v.sevSel.SetSelected(optionFor(v.sevOpt, audit.Warning, ""))
	settle(t)
	if len(v.Shown()) != rep.Summary.Warnings {
		t.Fatalf("%d warnings listed, report has %d", len(v.Shown()), rep.Summary.Warnings)
	}
	for _, fd := range v.Shown() {
		if fd.Severity != audit.Warning {
			t.Fatalf("%s (%s) listed under warnings", fd.Kind, fd.Severity)
		}
	}
	if v.Selected().Severity != audit.Warning {
		t.Fatalf("detail shows a %s", v.Selected().Severity)
	}
	if !strings.Contains(v.counts.Text, "of 32 findings shown") {
		t.Fatalf("count line %q", v.counts.Text)
	}

	// Errors in patients only.
	v.sevSel.SetSelected(optionFor(v.sevOpt, audit.Error, ""))
	v.tableSel.SetSelected(optionFor(v.tableOpt, "patients", ""))
	for _, fd := range v.Shown() {
		if fd.Severity != audit.Error || fd.Table != "patients" {
			t.Fatalf("%s on %s listed", fd.Severity, fd.Table)
		}
	}
	if len(v.Shown()) != 3 {
		t.Fatalf("%d errors in patients", len(v.Shown()))
	}

	// A kind, across tables.
	test.Tap(v.clear)
	v.kindSel.SetSelected(optionFor(v.kindOpt, audit.KindOrphan, ""))
	if len(v.Shown()) != 3 {
		t.Fatalf("%d orphan findings", len(v.Shown()))
	}

	// The search box, over titles, messages and example values.
	test.Tap(v.clear)
	test.Type(v.search, "gmail.con")
	if len(v.Shown()) != 1 || v.Shown()[0].Kind != audit.KindEmailTypo || v.Selected().Kind != audit.KindEmailTypo {
		t.Fatalf("search gmail.con: %d shown", len(v.Shown()))
	}
	root := f.win.Content()
	if !hasText(root, "Misspelled e-mail providers") || !hasText(root, "Correct the misspelled providers in Email: gmail.con → gmail.com") {
		t.Fatal("typo finding's suggestion not described in words")
	}
	v.SetSearch("no such thing at all")
	if len(v.Shown()) != 0 || v.Selected().ID != 0 {
		t.Fatal("a search that matches nothing still shows a finding")
	}

	// The Errors tile's Show lists the errors.
	f.step.tabs.Select(f.step.sumTab)
	f.step.ShowFindings(audit.Error, "")
	if f.step.tabs.Selected() != f.step.findTab || len(v.Shown()) != rep.Summary.Errors {
		t.Fatalf("Show errors: %d shown", len(v.Shown()))
	}
	// A tap on a table of the chart lists that table's findings.
	f.step.tabs.Select(f.step.sumTab)
	f.step.summary.chart.OnTapped("appointments")
	for _, fd := range v.Shown() {
		if fd.Table != "appointments" {
			t.Fatalf("chart tap on appointments lists %s", fd.Table)
		}
	}
}

func TestAuditDrillsDownToExactlyTheOrphanRows(t *testing.T) {
	f := newAudit(t, demoProject(t))
	fd := f.finding(audit.KindOrphan, "appointments", "PatientID")
	f.step.OpenFinding(fd.ID)
	root := f.win.Content()
	if f.step.findings.Selected().ID != fd.ID || !hasText(root, "Appointments whose patient is missing") {
		t.Fatalf("orphan finding not shown (shows %d)", f.step.findings.Selected().ID)
	}
	if !hasText(root, "Missing in patients.PatientID") || !hasText(root, "1009, 1302, 1397") {
		t.Fatal("missing parent values not listed")
	}
	test.Tap(findButton(t, root, "Show these 5 rows"))
	settle(t)

	want, err := audit.FindingRows(context.Background(), f.p, fd.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := f.step.findings.drill.Grid()
	if !f.step.findings.drill.root.Visible() || f.step.findings.split.Visible() {
		t.Fatal("drill-down not shown in place of the list")
	}
	if g.RowCount() != int64(len(want)) || !g.Filtered() {
		t.Fatalf("grid shows %d rows (filtered %v), the finding has %d", g.RowCount(), g.Filtered(), len(want))
	}
	cols := g.Columns()
	if cols[0] != "PatientID" {
		t.Fatalf("the finding's column is not first: %v", cols)
	}
	key := slices.Index(cols, "AppointmentID")
	d := f.m.Find(demo.KindOrphan, "appointments", "PatientID")
	if d == nil || len(d.Keys) != len(want) {
		t.Fatalf("manifest defect %+v for %d rows", d, len(want))
	}
	for i, id := range want {
		r, ok := g.Row(int64(i))
		if !ok {
			t.Fatalf("row %d not read (pages %v)", i, g.FetchedPages())
		}
		if r.ID != id {
			t.Fatalf("grid row %d is _ferry_row %d, the finding's is %d", i, r.ID, id)
		}
		if r.Cells[key] != d.Keys[i] {
			t.Fatalf("row %d is appointment %s, the manifest planted %s", i, r.Cells[key], d.Keys[i])
		}
		if !slices.Contains(d.Missing, r.Cells[0]) {
			t.Fatalf("row %d points at patient %s, not one of the missing %v", i, r.Cells[0], d.Missing)
		}
	}
	// The whole table, and back.
	f.step.findings.drill.only.SetChecked(false)
	settle(t)
	if g.RowCount() != 1731 || g.Filtered() {
		t.Fatalf("whole table: %d rows", g.RowCount())
	}
	test.Tap(findButton(t, root, "Back to the findings"))
	if f.step.findings.drill.root.Visible() || !f.step.findings.split.Visible() {
		t.Fatal("Back did not return to the findings")
	}
}

func TestAuditShowsDuplicateGroupsSideBySide(t *testing.T) {
	f := newAudit(t, demoProject(t))
	fd := f.finding(audit.KindDuplicateFuzzy, "patients", "")
	f.step.OpenFinding(fd.ID)
	settle(t)
	root := f.win.Content()
	if !hasText(root, "Duplicate patients (fuzzy)") || !hasText(root, "Group 1 · ") || !hasText(root, "(kept)") {
		t.Fatal("groups not shown with their method and the row kept")
	}
	if !hasText(root, "Review the 4 groups one by one") {
		t.Fatal("merge review not suggested in words")
	}
	test.Tap(findButton(t, root, "Show every row of the 4 groups"))
	settle(t)
	cs, err := audit.Clusters(context.Background(), f.p, fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cs {
		for _, m := range c.Members {
			ids = append(ids, m.Row)
		}
	}
	g := f.step.findings.drill.Grid()
	if g.RowCount() != int64(len(ids)) {
		t.Fatalf("%d rows for %d group members", g.RowCount(), len(ids))
	}
	for i, id := range ids {
		if r, ok := g.Row(int64(i)); !ok || r.ID != id {
			t.Fatalf("row %d: %+v, want _ferry_row %d", i, r, id)
		}
	}
}

func TestAuditCancelledRunLeavesThePreviousResults(t *testing.T) {
	p := demoProject(t)
	if _, err := audit.Run(context.Background(), p, audit.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := audit.Latest(context.Background(), p)
	holdRuns(t)
	f := newAudit(t, p)
	if f.step.Running() || f.step.Report().RunID != before.RunID {
		t.Fatal("an audited project ran again by itself")
	}
	test.Tap(findButton(t, f.win.Content(), "Run the audit again"))
	pr := f.step.progress
	settleUntil(t, func() bool { return strings.Contains(pr.detail.Text, "rows a second") })
	if !pr.root.Visible() || pr.title.Text != "Auditing patients (table 1 of 6)" {
		t.Fatalf("progress title %q", pr.title.Text)
	}
	if !strings.Contains(pr.detail.Text, "patients: 421 of 421 rows") || !strings.Contains(pr.detail.Text, "421 of 4,478 rows in all") ||
		!strings.Contains(pr.detail.Text, "left") {
		t.Fatalf("progress detail %q", pr.detail.Text)
	}
	if !f.step.runBtn.Disabled() {
		t.Fatal("Run is still offered while running")
	}
	test.Tap(findButton(t, f.win.Content(), "Cancel"))
	settle(t)
	if f.step.Running() || pr.root.Visible() {
		t.Fatal("still shown as running")
	}
	if got := f.step.notice.Text(); got != "Audit cancelled; the previous results are unchanged." {
		t.Fatalf("notice %q", got)
	}
	if len(f.deps.errs) != 0 {
		t.Fatalf("cancelling showed errors: %v", f.deps.errs)
	}
	if after := f.latest(); after.RunID != before.RunID || f.step.Report().RunID != before.RunID {
		t.Fatalf("run %d stored or shown after cancelling (was %d)", after.RunID, before.RunID)
	}
	if f.step.runBtn.Disabled() || !f.step.body.Visible() {
		t.Fatal("previous results or Run not back")
	}
}

func TestAuditExportsTheWorkbook(t *testing.T) {
	f := newAudit(t, demoProject(t))
	path := filepath.Join(t.TempDir(), "Harbour View audit") // the extension is added
	f.deps.saves.path = path
	test.Tap(findButton(t, f.win.Content(), "Export to Excel…"))
	settle(t)
	if len(f.deps.errs) > 0 {
		t.Fatalf("errors: %v", f.deps.errs)
	}
	x, err := excelize.OpenFile(path + ".xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !slices.Contains(x.GetSheetList(), "Findings") {
		t.Fatalf("sheets %v", x.GetSheetList())
	}
	rows, err := x.GetRows("Findings")
	if err != nil || len(rows) < f.step.Report().Summary.Findings {
		t.Fatalf("%d rows in Findings for %d findings: %v", len(rows), f.step.Report().Summary.Findings, err)
	}
	if !strings.HasPrefix(f.step.notice.Text(), "Saved the audit as Harbour View audit.xlsx") {
		t.Fatalf("notice %q", f.step.notice.Text())
	}
}

func TestAuditOffersToRunAgainWhenTheDataChanged(t *testing.T) {
	f := newAudit(t, demoProject(t))
	first := f.step.Report().RunID
	if f.step.banner.Visible() {
		t.Fatal("stale banner on a fresh audit")
	}
	// Something changes the data: here a table is renamed, as the Sources step would.
	if err := staging.NewStager(f.p).Rename(context.Background(), "recalls", "recall_list"); err != nil {
		t.Fatal(err)
	}
	f.step.CheckStale()
	settle(t)
	if !f.step.Stale() || !f.step.banner.Visible() || !hasText(f.win.Content(), "The data changed since this audit (an import, a cleanse…)") {
		t.Fatal("no offer to run the audit again")
	}
	if f.step.Running() {
		t.Fatal("a stale audit was run again without asking")
	}
	test.Tap(findButton(t, f.win.Content(), "Run it again"))
	settle(t)
	if f.step.Stale() || f.step.banner.Visible() || f.step.Report().RunID == first {
		t.Fatalf("after running again: stale %v, run %d", f.step.Stale(), f.step.Report().RunID)
	}
	if f.step.Report().Table("recall_list") == nil {
		t.Fatal("the new run does not show the renamed table")
	}
}

func TestAuditSetUpInCleanseHandsTheFindingOver(t *testing.T) {
	f := newAudit(t, demoProject(t))
	var got audit.Finding
	old := onSetUpCleanse
	t.Cleanup(func() { onSetUpCleanse = old })
	onSetUpCleanse = func(deps StepDeps, fd audit.Finding) {
		if deps.Project() != f.p {
			t.Error("hook called with another project")
		}
		got = fd
	}
	fd := f.finding(audit.KindZipLeadingZero, "patients", "Zip")
	f.step.OpenFinding(fd.ID)
	root := f.win.Content()
	if !hasText(root, "Put back the leading 0 of the short ZIP codes in Zip") {
		t.Fatal("suggestion not described")
	}
	test.Tap(findButton(t, root, "Set up in Cleanse"))
	if len(f.deps.went) != 1 || f.deps.went[0] != wizard.Cleanse {
		t.Fatalf("went to %v", f.deps.went)
	}
	if got.ID != fd.ID || got.Suggest["op"] != "restore_zip_zeros" {
		t.Fatalf("hook got %+v", got)
	}
	// A finding no operation fixes says what a person should do instead, and offers no button.
	orphan := f.finding(audit.KindOrphan, "payments", "PatientID")
	f.step.OpenFinding(orphan.ID)
	if !hasText(root, "What to do") || !hasText(root, "Look for the missing records in the old system") {
		t.Fatal("orphan advice not shown")
	}
	if f.step.findings.detail.cleanse.Visible() {
		t.Fatal("Set up in Cleanse offered without a suggestion")
	}
}

func TestAuditProfilesListEveryColumn(t *testing.T) {
	f := newAudit(t, demoProject(t))
	f.step.tabs.Select(f.step.profTab)
	v := f.step.profiles
	v.ShowTable("patients")
	tp := f.step.Report().Table("patients")
	if v.list.Length() != len(tp.Columns) {
		t.Fatalf("%d columns listed of %d", v.list.Length(), len(tp.Columns))
	}
	root := f.win.Content()
	for _, want := range []string{"BirthDate", "birth date", "month first", "4 blank · 7 stand-ins", "1812-04-29 – 2118-03-26",
		"YYYY-MM-DD 296 · MM/DD/YYYY 114", "key: PatientID (declared)"} {
		if !hasText(root, want) {
			t.Fatalf("profiles do not show %q", want)
		}
	}
	// A tap opens the whole profile.
	i := slices.IndexFunc(tp.Columns, func(c audit.ColumnProfile) bool { return c.Name == "BirthDate" })
	v.list.Select(i)
	top := f.win.Canvas().Overlays().Top()
	if top == nil || !hasText(top, "Date formats") || !hasText(top, "Stand-ins for “unknown”") {
		t.Fatal("column profile dialog not shown")
	}
}

func TestAuditEmptyStates(t *testing.T) {
	// No tables: say so and point at Sources; nothing runs.
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "Empty.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	f := newAudit(t, p)
	if f.step.Running() || f.step.Report() != nil || !f.step.empty.Visible() {
		t.Fatal("empty project: not the empty state")
	}
	if !hasText(f.win.Content(), "There is nothing to audit yet") {
		t.Fatal("empty state does not say why")
	}
	test.Tap(findButton(t, f.win.Content(), "Go to Sources"))
	if len(f.deps.went) != 1 || f.deps.went[0] != wizard.Sources {
		t.Fatalf("went to %v", f.deps.went)
	}
}

func TestAuditWords(t *testing.T) {
	for _, c := range []struct {
		f    audit.Finding
		want string
	}{
		{audit.Finding{Kind: audit.KindOrphan, Table: "appointments", Parent: "patients.PatientID"}, "Appointments whose patient is missing"},
		{audit.Finding{Kind: audit.KindOrphan, Table: "visits", Parent: "tblPerson.ID"}, "Visits whose tblPerson record is missing"},
		{audit.Finding{Kind: audit.KindDuplicateFuzzy, Table: "patients"}, "Duplicate patients (fuzzy)"},
		{audit.Finding{Kind: audit.KindDateAmbiguous, Order: "DMY"}, "Dates that could be read two ways"},
	} {
		if got := findingTitle(c.f); got != c.want {
			t.Errorf("%s: %q, want %q", c.f.Kind, got, c.want)
		}
	}
	if got := singular("activities"); got != "activity" {
		t.Error(got)
	}
	if got := amountText("-1104517.90"); got != "-1,104,517.90" {
		t.Error(got)
	}
	pr := audit.Progress{Stage: "profile", Table: "patients", TableIndex: 1, Tables: 6, RowsDone: 200_000, RowsTotal: 1_000_000}
	if got := auditProgressText(pr, 200_000, 1_200_000, 4*time.Second); got !=
		"patients: 200,000 of 1,000,000 rows · 200,000 of 1,200,000 rows in all · 50,000 rows a second · about 20 seconds left" {
		t.Error(got)
	}
	if got := drillLabel(1); got != "Show this row" {
		t.Error(got)
	}
}

func TestAuditOfAProjectOpenViewOnlyShowsButCannotRun(t *testing.T) {
	p := demoProject(t)
	if _, err := audit.Run(context.Background(), p, audit.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	path := p.Path
	p.Close()
	ro, err := project.Open(context.Background(), path, project.Options{ReadOnly: true, Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	f := newAudit(t, ro)
	if f.step.Report() == nil || f.step.Report().Summary.Findings == 0 {
		t.Fatal("the audit is not shown view-only")
	}
	if !f.step.runBtn.Disabled() || !f.step.findings.detail.cleanse.Disabled() {
		t.Fatal("a view-only project offers to run the audit or set up a cleanse")
	}
	f.deps.saves.path = filepath.Join(t.TempDir(), "audit.xlsx")
	test.Tap(findButton(t, f.win.Content(), "Export to Excel…"))
	settle(t)
	if len(f.deps.errs) > 0 || !strings.HasPrefix(f.step.notice.Text(), "Saved the audit") {
		t.Fatalf("view-only export: %v %q", f.deps.errs, f.step.notice.Text())
	}
}
