package screens

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// The screen tests import through a small CSV reader that stages through the real Stager and its
// Sink, so what the screen shows comes from a real .ferry file (the real importers are used by the
// end-to-end test in cmd/ferry: screens may not import them).

// csvImporter is a staging.FileImporter for tests: comma unless told otherwise, header unless
// told "no". A file whose name starts with "slow" never ends: it stages rows until cancelled.
type csvImporter struct{}

func (csvImporter) ImportFile(ctx context.Context, p *project.Project, req staging.ImportRequest, progress staging.ImportProgress) (staging.ImportResult, error) {
	name := filepath.Base(req.Path)
	st, err := os.Stat(req.Path)
	if err != nil {
		return staging.ImportResult{}, fmt.Errorf("reading %s: %w", name, err)
	}
	delim := ","
	if req.Delimiter != "" {
		delim = req.Delimiter
	}
	src := staging.SourceInfo{Path: req.Path, FileName: name, SHA256: "test", Size: st.Size(), Format: "csv",
		Encoding: "utf-8", Delimiter: delim, HeaderRow: req.Header != "no"}
	table := req.Table
	if table == "" {
		table = strings.TrimSuffix(name, filepath.Ext(name))
	}
	return staging.NewStager(p).Import(ctx, src, func(ctx context.Context, sink staging.Sink) error {
		if strings.HasPrefix(name, "slow") {
			w, err := sink.Table(ctx, staging.TableSpec{Name: table, Columns: []string{"n"}})
			if err != nil {
				return err
			}
			for i := int64(1); ; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := w.Write(staging.Row{Line: i + 1, Cells: []string{strconv.FormatInt(i, 10)}}); err != nil {
					return err
				}
				if i%200 == 0 {
					progress(i*10, 1<<30, i)
					time.Sleep(time.Millisecond)
				}
			}
		}
		f, err := os.Open(req.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.Comma = rune(delim[0])
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		var w staging.TableWriter
		var width int
		for line := int64(1); ; line++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if w == nil {
				cols := rec
				if req.Header == "no" {
					cols = make([]string, len(rec))
					for i := range cols {
						cols[i] = "column_" + strconv.Itoa(i+1)
					}
				}
				width = len(cols)
				if w, err = sink.Table(ctx, staging.TableSpec{Name: table, Columns: cols}); err != nil {
					return err
				}
				if req.Header != "no" {
					continue
				}
			}
			row := staging.Row{Line: line, Cells: rec}
			if len(rec) < width {
				row.Flags |= staging.FlagMissingCells
				w.Issue(staging.Issue{Line: line, Kind: "missing_cells",
					Message: fmt.Sprintf("%d values where the header has %d", len(rec), width)})
			}
			if err := w.Write(row); err != nil {
				return err
			}
			progress(line, st.Size(), line)
		}
		if w == nil {
			return nil
		}
		return nil
	})
}

// stepDeps is the shell as far as a step sees it.
type stepDeps struct {
	p         *project.Project
	svc       Services
	picker    *fakePicker
	errs      []error
	refreshes int
}

func (d *stepDeps) Project() *project.Project { return d.p }
func (d *stepDeps) Refresh()                  { d.refreshes++ }
func (d *stepDeps) GoTo(wizard.StepID)        {}
func (d *stepDeps) ShowError(err error)       { d.errs = append(d.errs, err) }
func (d *stepDeps) Files() FilePicker         { return d.picker }
func (d *stepDeps) Services() Services        { return d.svc }

// fakePicker answers every dialog with the paths it was given.
type fakePicker struct{ paths []string }

func (f *fakePicker) Open(_ string, _ []Filter, done func(string, error)) {
	if len(f.paths) == 0 {
		done("", nil)
		return
	}
	done(f.paths[0], nil)
}
func (f *fakePicker) OpenMany(_ string, _ []Filter, done func([]string, error)) { done(f.paths, nil) }
func (f *fakePicker) Save(_, _ string, _ []Filter, done func(string, error))    { done("", nil) }

// queueUI makes background results wait until the test runs them on its own goroutine (settle),
// as Fyne's main loop would.
func queueUI(t *testing.T) chan func() {
	t.Helper()
	q := make(chan func(), 4096)
	old := uiDo
	uiDo = func(f func()) { q <- f }
	t.Cleanup(func() {
		uiDo = old
		deadline := time.Now().Add(10 * time.Second)
		for background.Load() > 0 && time.Now().Before(deadline) {
			select {
			case <-q:
			default:
				time.Sleep(time.Millisecond)
			}
		}
	})
	return q
}

var uiQueue chan func()

// settle runs queued UI work until no background work is left.
func settle(t *testing.T) {
	t.Helper()
	settleUntil(t, nil)
}

// settleUntil runs queued UI work until cond holds (nil: until nothing is left to do).
func settleUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case f := <-uiQueue:
			f()
			continue
		default:
		}
		if cond != nil && cond() {
			return
		}
		if cond == nil && background.Load() == 0 && len(uiQueue) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background work did not finish in time (%d running, %d queued)", background.Load(), len(uiQueue))
		}
		time.Sleep(time.Millisecond)
	}
}

// sourcesFixture is a Sources step on a real temp project in a 1280×800 test window.
type sourcesFixture struct {
	t    *testing.T
	p    *project.Project
	deps *stepDeps
	step *SourcesStep
	win  fyne.Window
	dir  string
}

func newSources(t *testing.T) *sourcesFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	deps := &stepDeps{p: p, svc: Services{Importer: csvImporter{}}, picker: &fakePicker{}}
	step := NewSourcesStep(nil, deps).(*SourcesStep)
	w := test.NewTempWindow(t, step)
	step.win = w
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	settle(t)
	return &sourcesFixture{t: t, p: p, deps: deps, step: step, win: w, dir: t.TempDir()}
}

func (f *sourcesFixture) file(name, content string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// add imports files as Add files… does.
func (f *sourcesFixture) add(paths ...string) {
	f.t.Helper()
	f.deps.picker.paths = paths
	test.Tap(findButton(f.t, f.win.Content(), "Add files…"))
	settle(f.t)
	if len(f.deps.errs) > 0 {
		f.t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func (f *sourcesFixture) tables() []staging.TableInfo {
	f.t.Helper()
	ts, err := staging.NewStager(f.p).Tables(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return ts
}

func (f *sourcesFixture) selectTable(name string) {
	f.t.Helper()
	for i, t := range f.step.tables {
		if t.Name == name {
			f.step.list.Select(i)
			settle(f.t)
			return
		}
	}
	f.t.Fatalf("%s not listed", name)
}

// overlayButton taps a button of the dialog on top.
func (f *sourcesFixture) overlayButton(text string) {
	f.t.Helper()
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatal("no dialog open")
	}
	test.Tap(findButton(f.t, top, text))
	settle(f.t)
}

func (f *sourcesFixture) cell(row int64, col int) string {
	f.t.Helper()
	v, ok := f.step.grid.CellText(row, col)
	if !ok {
		f.t.Fatalf("row %d not read by the grid (pages %v)", row, f.step.grid.FetchedPages())
	}
	return v
}

const patientsCSV = "id,name,zip\n1,Ann Lee,02134\n2,Bo Chen,N/A\n3,Cy Diaz\n"
const appointmentsCSV = "appt,patient_id,when\nA1,1,2026-01-05\nA2,2,2026-01-06\nA3,2,2026-01-07\nA4,3,2026-01-08\n"

func TestSourcesEmptyStateAddsFilesAndShowsTheirRows(t *testing.T) {
	f := newSources(t)
	root := f.win.Content()
	if !hasText(root, "No data yet. Add the exports from the old system") {
		t.Fatal("empty state not shown")
	}
	f.add(f.file("patients.csv", patientsCSV))

	if hasText(root, "No data yet") && f.step.empty.Visible() {
		t.Fatal("empty state still shown after an import")
	}
	if f.step.selected != "patients" || f.step.grid.RowCount() != 3 {
		t.Fatalf("selected %q with %d rows", f.step.selected, f.step.grid.RowCount())
	}
	// Values exactly as in the file: leading zeros and N/A intact.
	if got := f.cell(0, 2); got != "02134" {
		t.Fatalf("zip of row 1 shows %q", got)
	}
	if got := f.cell(1, 2); got != "N/A" {
		t.Fatalf("zip of row 2 shows %q", got)
	}
	if got := strings.Join(f.step.grid.Columns(), ","); got != "id,name,zip" {
		t.Fatalf("columns %s", got)
	}
	// The ragged last row is flagged, kept, and explained.
	r, _ := f.step.grid.Row(2)
	if !r.Flagged || r.Line != 4 || !strings.Contains(r.Note, "fewer values") {
		t.Fatalf("row 3: %+v", r)
	}
	if !hasText(root, "1 flagged row") || !hasText(root, "1 row of 3 had something odd") {
		t.Fatal("flagged row not announced in the list and above the grid")
	}
	if !hasText(root, "patients.csv → patients: 3 rows, 1 row flagged.") {
		t.Fatalf("import summary: %q", f.step.notice.Text())
	}
	f.step.tabs.Select(f.step.issuesTab)
	if f.step.issuesTab.Text != "Issues (1)" || !hasText(root, "Fewer values than columns: 1") || !hasText(root, "Line 4") {
		t.Fatalf("issues tab %q does not list the ragged row", f.step.issuesTab.Text)
	}
	if f.deps.refreshes == 0 {
		t.Fatal("the sidebar status was not refreshed after the import")
	}
	st, detail, err := staging.Status(context.Background(), f.p)
	if err != nil || st != wizard.InProgress || !strings.Contains(detail, "1 row flagged") {
		t.Fatalf("status %v %q %v", st, detail, err)
	}
}

func TestSourcesRenameSetKeyAndAcceptASuggestedRelationship(t *testing.T) {
	f := newSources(t)
	f.add(f.file("pats.csv", patientsCSV), f.file("appointments.csv", appointmentsCSV))
	if len(f.step.tables) != 2 {
		t.Fatalf("%d tables listed", len(f.step.tables))
	}

	// Rename pats to patients through the dialog.
	f.selectTable("pats")
	test.Tap(findButton(t, f.win.Content(), "Rename…"))
	entry := formEntry(t, f.win.Canvas().Overlays().Top(), "New name").(*widget.Entry)
	entry.SetText("")
	test.Type(entry, "patients")
	f.overlayButton("Rename")
	if f.step.selected != "patients" || !hasText(f.win.Content(), "Renamed pats to patients.") {
		t.Fatalf("after rename: selected %q, notice %q", f.step.selected, f.step.notice.Text())
	}

	// A name another table has is refused, in words, once.
	f.step.Rename("patients", "Appointments")
	settle(t)
	if len(f.deps.errs) != 1 {
		t.Fatalf("errors shown: %v", f.deps.errs)
	}
	if title, body := describeError(f.deps.errs[0]); title != "Choose another name" || !strings.Contains(body, "Another table already has that name") {
		t.Fatalf("rename clash shown as %q: %q", title, body)
	}
	f.deps.errs = nil

	// Declare the key columns: Ferry offers the likely one, a click takes it.
	test.Tap(findButton(t, f.win.Content(), "Use id"))
	settle(t)
	f.selectTable("appointments")
	f.step.keySelect.SetSelected("appt")
	settle(t)
	for _, tb := range f.tables() {
		if want := map[string]string{"patients": "id", "appointments": "appt"}[tb.Name]; tb.KeyColumn != want {
			t.Fatalf("%s key %q, want %q", tb.Name, tb.KeyColumn, want)
		}
	}
	st, _, _ := staging.Status(context.Background(), f.p)
	if st != wizard.Done {
		t.Fatalf("sources status %v with every key declared", st)
	}

	// Ferry suggests appointments.patient_id → patients.id with its match share; one click accepts it.
	f.step.tabs.Select(f.step.relTab)
	root := f.win.Content()
	if !hasText(root, "appointments.patient_id → patients.id") || !hasText(root, "4 of 4 values (100%) are found in patients.id") {
		t.Fatal("suggestion with its match share not shown")
	}
	test.Tap(findButton(t, root, "Accept"))
	settle(t)
	rels, err := staging.NewStager(f.p).Relationships(context.Background())
	if err != nil || len(rels) != 1 || !rels[0].Confirmed || rels[0].ParentTable != "patients" {
		t.Fatalf("relationships %+v %v", rels, err)
	}
	if !hasText(root, "Declared (1)") || !hasText(root, "Accepted suggestion") {
		t.Fatal("accepted relationship not listed as declared")
	}

	// Removing it.
	test.Tap(findButton(t, root, "Remove"))
	settle(t)
	rels, _ = staging.NewStager(f.p).Relationships(context.Background())
	for _, r := range rels {
		if r.Confirmed {
			t.Fatalf("still declared: %v", r)
		}
	}
}

func TestSourcesCancelledImportLeavesNothingStaged(t *testing.T) {
	f := newSources(t)
	f.deps.picker.paths = []string{f.file("slow.csv", "n\n1\n")}
	test.Tap(findButton(t, f.win.Content(), "Add files…"))
	// Rows/s and time left show while it runs; the screen stays usable.
	settleUntil(t, func() bool {
		return strings.Contains(f.step.progress.detail.Text, "left") && strings.Contains(f.step.progress.detail.Text, "about")
	})
	if !f.step.progress.root.Visible() || !strings.HasPrefix(f.step.progress.title.Text, "Importing slow.csv") {
		t.Fatalf("progress panel: %q", f.step.progress.title.Text)
	}
	if !strings.Contains(f.step.progress.detail.Text, "rows a second") {
		t.Fatalf("no rows a second in %q", f.step.progress.detail.Text)
	}
	test.Tap(findButton(t, f.win.Content(), "Cancel"))
	settle(t)
	if f.step.Importing() || f.step.progress.root.Visible() {
		t.Fatal("import still shown as running")
	}
	if n := len(f.tables()); n != 0 {
		t.Fatalf("%d tables staged by a cancelled import", n)
	}
	if got := f.step.notice.Text(); got != "Import cancelled; nothing was changed." {
		t.Fatalf("notice %q", got)
	}
	if len(f.deps.errs) != 0 {
		t.Fatalf("cancelling showed errors: %v", f.deps.errs)
	}
	if !f.step.empty.Visible() {
		t.Fatal("empty state not shown again")
	}
}

func TestSourcesReimportWithAnotherDelimiterReplacesTheTable(t *testing.T) {
	f := newSources(t)
	f.add(f.file("patients.csv", "id;name\n1;Ann\n2;Bo\n"))
	if cols := f.step.grid.Columns(); len(cols) != 1 || cols[0] != "id;name" {
		t.Fatalf("read with commas: %v", cols)
	}
	f.step.keySelect.SetSelected("id;name")
	settle(t)

	test.Tap(findButton(t, f.win.Content(), "Re-import with options…"))
	dlg := f.win.Canvas().Overlays().Top()
	formEntry(t, dlg, "Delimiter").(*widget.Select).SetSelected("Semicolon  ;")
	f.overlayButton("Import again")

	ts := f.tables()
	if len(ts) != 1 || ts[0].Name != "patients" || len(ts[0].Columns) != 2 || ts[0].Source.Delimiter != ";" {
		t.Fatalf("after re-import: %+v", ts)
	}
	if got := strings.Join(f.step.grid.Columns(), ","); got != "id,name" {
		t.Fatalf("grid columns %s", got)
	}
	if f.cell(1, 1) != "Bo" {
		t.Fatalf("row 2 name %q", f.cell(1, 1))
	}
	if !strings.Contains(f.step.notice.Text(), "replacing the earlier import") {
		t.Fatalf("notice %q", f.step.notice.Text())
	}
	if !hasText(f.win.Content(), "CSV · UTF-8 · semicolon") {
		t.Fatal("new delimiter not shown with the table")
	}
}

func TestSourcesTakeFilesDroppedOnTheWindowOnlyWhenOnScreen(t *testing.T) {
	s, p, w := openShell(t)
	uiQueue = queueUI(t)
	s.SetServices(Services{Importer: csvImporter{}})
	dir := t.TempDir()
	path := filepath.Join(dir, "patients.csv")
	if err := os.WriteFile(path, []byte(patientsCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	uris := []fyne.URI{storage.NewFileURI(path)}

	s.Dropped(uris) // on the Plan step: not taken
	settle(t)
	if ts, _ := staging.NewStager(p).Tables(context.Background()); len(ts) != 0 {
		t.Fatal("a drop on the Plan step imported the file")
	}
	s.GoTo(wizard.Sources)
	s.Dropped(uris)
	settle(t)
	ts, _ := staging.NewStager(p).Tables(context.Background())
	if len(ts) != 1 || ts[0].Rows != 3 {
		t.Fatalf("dropped file staged as %+v", ts)
	}
	if !hasText(w.Content(), "patients.csv → patients: 3 rows") {
		t.Fatal("drop import not reported")
	}
	s.RefreshNow()
	if st := s.Statuses()[1]; st.ID != wizard.Sources || st.State != wizard.InProgress {
		t.Fatalf("sources status %+v", st)
	}
	s.Close()
}

func TestSourcesRemoveAsksThenDropsTheTable(t *testing.T) {
	f := newSources(t)
	f.add(f.file("patients.csv", patientsCSV))
	test.Tap(findButton(t, f.win.Content(), "Remove"))
	f.overlayButton("Remove")
	if n := len(f.tables()); n != 0 {
		t.Fatalf("%d tables after remove", n)
	}
	if !f.step.empty.Visible() {
		t.Fatal("empty state not back")
	}
}

func TestProgressTextSaysRowsPerSecondAndTimeLeft(t *testing.T) {
	got := progressText(250, 1000, 12000, 3*time.Second)
	if got != "12,000 rows so far · 4,000 rows a second · about 10 seconds left" {
		t.Fatal(got)
	}
	if got := progressText(0, 1000, 0, 100*time.Millisecond); !strings.Contains(got, "working out the time left") {
		t.Fatal(got)
	}
	if got := roughDuration(7 * time.Minute); got != "7 minutes" {
		t.Fatal(got)
	}
}
