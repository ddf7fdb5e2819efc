package screens

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

// reconcileScreen opens the Reconcile & report step on a loaded demo whose new system lost one
// appointment and changed one invoice.
func reconcileScreen(t *testing.T, readOnly bool) (*ReconcileStep, fyne.Window, *project.Project) {
	t.Helper()
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	tables["Appointment"].Rows = tables["Appointment"].Rows[1:]
	inv := tables["Invoice"]
	for i, c := range inv.Spec.Columns {
		if c == "totalGross" {
			inv.Rows[0].Cells[i] = "1.00"
		}
	}
	var exs []reconcile.Export
	for n, mt := range tables {
		exs = append(exs, reconcile.Export{Name: n + ".csv", Table: mt})
	}
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exs})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}
	if readOnly {
		path := p.Path
		p.Close()
		if p, err = project.Open(ctx, path, project.Options{ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
	}
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	w := test.NewTempWindow(t, nil)
	sh := NewShell(w, p, NewFynePicker(w), func() {}, func() {})
	t.Cleanup(sh.Close)
	step := NewReconcileStep(w, sh)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	rs := findReconcile(step)
	settleUntil(t, func() bool { return rs.Result() != nil })
	settle(t)
	return rs, w, p
}

func findReconcile(o fyne.CanvasObject) *ReconcileStep { return reconcileOf[o] }

func TestReconcileShowsTheVerdictFirstAndListsTheDifferences(t *testing.T) {
	s, w, p := reconcileScreen(t, false)
	if s.verdict.Text() != "2 differences" {
		t.Fatalf("verdict %q", s.verdict.Text())
	}
	if s.grid.Source().RowCount() != 2 || !hasText(w.Content(), "2 records with a difference") {
		t.Fatalf("differences listed: %d", s.grid.Source().RowCount())
	}
	if !hasText(w.Content(), "Invoice.totalGross") || !hasText(w.Content(), "DIFFERS") {
		t.Error("the money totals do not show the invoice's difference")
	}
	// Drill down from the waterfall: the appointments loaded.
	s.show.SetSelected("Appointment: loaded")
	settleUntil(t, func() bool { return s.grid.Source().RowCount() > 2 })
	var staged int64
	if err := p.Reader().QueryRow(`SELECT count(*) FROM ` + staging.QuoteIdent("appointments")).Scan(&staged); err != nil {
		t.Fatal(err)
	}
	if s.grid.Source().RowCount() != staged {
		t.Fatalf("%d appointments listed, %d staged and loaded", s.grid.Source().RowCount(), staged)
	}
	// Export the sign-off pack.
	out := filepath.Join(t.TempDir(), "pack.pdf")
	s.Export(out)
	settleUntil(t, func() bool { return s.notice.Visible() })
	if st, err := os.Stat(out); err != nil || st.Size() < 2000 || !hasText(w.Content(), "custody log") {
		t.Fatalf("export: %v", err)
	}
	if findButton(t, w.Content(), "Reconcile now") == nil {
		t.Fatal("no Reconcile now")
	}
}

func TestTheOwnersViewOnlyReconcileChangesNothing(t *testing.T) {
	s, w, _ := reconcileScreen(t, true)
	if s.runBtn.Visible() || s.from.Visible() {
		t.Fatal("view only offers to reconcile")
	}
	if s.xlsxBtn.Disabled() || s.pdfBtn.Disabled() {
		t.Fatal("view only cannot export the report")
	}
	s.Run(nil) // does nothing in view-only mode
	settle(t)
	if s.verdict.Text() != "2 differences" || !hasText(w.Content(), "Trace a record") {
		t.Fatalf("verdict %q", s.verdict.Text())
	}
}

// openReconcile opens the step on p in a 1280×800 test window and waits for what it shows.
func openReconcile(t *testing.T, p *project.Project) (*ReconcileStep, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	w := test.NewTempWindow(t, nil)
	sh := NewShell(w, p, NewFynePicker(w), func() {}, func() {})
	t.Cleanup(sh.Close)
	step := NewReconcileStep(w, sh)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	rs := findReconcile(step)
	settleUntil(t, func() bool { return rs.Result() != nil })
	settle(t)
	return rs, w
}

// A files destination has no API: the screen offers only an export of the new system, and says why.
func TestReconcileOffersOnlyAnExportForAFilesDestination(t *testing.T) {
	p := reconciletest.ReadyDemo(t)
	reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	if _, err := p.Writer().Exec(`UPDATE ferry_destinations SET kind = 'files'`); err != nil {
		t.Fatal(err)
	}
	s, w := openReconcile(t, p)
	if len(s.from.Options) != 1 || s.from.Selected != fromExport {
		t.Fatalf("choices %q, chosen %q", s.from.Options, s.from.Selected)
	}
	if !s.fromNote.Visible() || !hasText(w.Content(), "cannot be read back over an API") {
		t.Errorf("the reason is not shown: %q", s.fromNote.Text)
	}
}

// Issue #10 in the GUI, against a real PocketBase: after a load, a record deleted and a field
// changed directly in the new system; "Reconcile now" reads PocketBase back over its API with
// the token typed into a password dialog (kept for this session only, never in the project),
// audits the data again, and lists exactly those two differences as read back.
func TestReconcileNowReadsTheNewSystemBackOverItsAPI(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, f.Def)
	pocketbase.SaveDestination(t, p, load.Destination{Name: "pb", Config: pb.Config(f.Def)})
	run, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: func(load.Destination) (string, error) { return token, nil }})
	if err != nil || !run.Complete() {
		t.Fatalf("load: %+v %v\n%s", run, err, pb.Log())
	}
	// Someone works in the new system directly: a recall deleted, a patient's family name changed.
	recalls, err := pb.Records("servicerequest")
	if err != nil {
		t.Fatal(err)
	}
	patients, err := pb.Records("patient")
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(patients, func(i, j int) bool { return patients[i]["legacy_key"].(string) < patients[j]["legacy_key"].(string) })
	gone, changed := recalls[len(recalls)/2], patients[10]
	if err := pb.Call("DELETE", "/api/collections/servicerequest/records/"+gone["id"].(string), nil, nil); err != nil {
		t.Fatal(err)
	}
	newFamily := changed["name_family"].(string) + "-Whitfield"
	if err := pb.Call("PATCH", "/api/collections/patient/records/"+changed["id"].(string), map[string]any{"name_family": newFamily}, nil); err != nil {
		t.Fatal(err)
	}
	var audits int
	if err := p.Reader().QueryRow(`SELECT count(*) FROM ferry_audit_runs`).Scan(&audits); err != nil {
		t.Fatal(err)
	}

	s, w := openReconcile(t, p)
	if s.Result().Source != reconcile.SourceLog {
		t.Fatalf("before reading back: source %s", s.Result().Source)
	}
	want := []string{"Read back from pb (API)", fromExport}
	if strings.Join(s.from.Options, "|") != strings.Join(want, "|") || s.from.Selected != want[0] {
		t.Fatalf("choices %q, chosen %q", s.from.Options, s.from.Selected)
	}
	test.Tap(findButton(t, w.Content(), "Reconcile now"))
	settleUntil(t, func() bool { return w.Canvas().Overlays().Top() != nil })
	top := w.Canvas().Overlays().Top()
	var pw *widget.Entry
	walk(top, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok && e.Password {
			pw = e
			return false
		}
		return true
	})
	if pw == nil || !hasText(top, "Sign in to pb") {
		t.Fatal("no password dialog")
	}
	test.Type(pw, token)
	test.Tap(findButton(t, top, "Read back"))
	deadline := time.Now().Add(90 * time.Second)
	for s.Result().Source != reconcile.SourceAPI && time.Now().Before(deadline) {
		select {
		case fn := <-uiQueue:
			fn()
		case <-time.After(10 * time.Millisecond):
		}
	}
	settle(t)
	res := s.Result()
	if res.Source != reconcile.SourceAPI {
		t.Fatalf("not read back over the API: source %s", res.Source)
	}
	if s.verdict.Text() != "2 differences" || !hasText(w.Content(), "checked against the new system over its API") {
		t.Fatalf("verdict %q, detail %q", s.verdict.Text(), s.detail.Text)
	}
	// The differences listed are the read-back's: the deleted recall and the changed name.
	src := s.grid.Source()
	if src.RowCount() != 2 {
		t.Fatalf("%d differences listed", src.RowCount())
	}
	rows, err := src.Page(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range rows {
		listed = append(listed, strings.Join(r.Cells[:6], "|"))
	}
	sort.Strings(listed)
	wantRows := []string{
		"Patient|" + changed["legacy_key"].(string) + "|" + changed["id"].(string) + "|changed|name.family|" + changed["name_family"].(string),
		"ServiceRequest|" + gone["legacy_key"].(string) + "|" + gone["id"].(string) + "|missing||",
	}
	if strings.Join(listed, "\n") != strings.Join(wantRows, "\n") {
		t.Fatalf("differences listed:\n%s\nwant:\n%s", strings.Join(listed, "\n"), strings.Join(wantRows, "\n"))
	}
	if rows[0].Cells[6] != newFamily && rows[1].Cells[6] != newFamily {
		t.Errorf("the changed name as found (%q) is not listed", newFamily)
	}
	// The audit ran again for the chart's "now".
	var after int
	if err := p.Reader().QueryRow(`SELECT count(*) FROM ferry_audit_runs`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != audits+1 || s.audit.a.NowRun == s.audit.a.ThenRun {
		t.Errorf("audits %d → %d, chart then %d now %d", audits, after, s.audit.a.ThenRun, s.audit.a.NowRun)
	}
	// The token was for this session only: not in the project file.
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(p.Path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Fatalf("the token is in %s", filepath.Base(p.Path+suffix))
		}
	}
}

// The progress line names the records read back per entity, and the time left once the number
// the new system should hold is known.
func TestReconcileProgressCountsTheRecordsReadPerEntity(t *testing.T) {
	rp := &readProgress{read: map[string]int64{"Patient": 400, "Appointment": 1200}, entities: []string{"Patient", "Appointment"},
		expect: 3200, started: time.Now().Add(-2 * time.Second), phase: "read"}
	line, v := rp.text("pb")
	if !strings.Contains(line, "Reading pb back over its API: 1,600 records read (Patient 400, Appointment 1,200)") ||
		!strings.Contains(line, "left") || v != 0.5 {
		t.Fatalf("%q %v", line, v)
	}
	rp.expect = 0
	if line, v = rp.text("pb"); strings.Contains(line, "left") || v != -1 {
		t.Fatalf("unknown total: %q %v", line, v)
	}
}
