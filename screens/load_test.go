package screens

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/internal/demotest"
)

// loadDeps answers Save dialogs with a path and remembers where the step sent the person.
type loadDeps struct {
	*stepDeps
	went  []wizard.StepID
	saves *savePicker
}

func (d *loadDeps) GoTo(id wizard.StepID) { d.went = append(d.went, id) }
func (d *loadDeps) Files() FilePicker     { return d.saves }

type loadFixture struct {
	t    *testing.T
	p    *project.Project
	deps *loadDeps
	step *LoadStep
	win  fyne.Window
	feed *mapping.Feed
}

// newLoadDemo is the demo practice made ready to load (audited, cleansed, mapped, no validation
// errors) with the destination dest saved, and the Full load step open on it at 1280×800.
func newLoadDemo(t *testing.T, dest func(feed *mapping.Feed) load.Destination) *loadFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	ctx := context.Background()
	p := demotest.Audited(t)
	feed, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := load.SaveDestination(ctx, p, dest(feed)); err != nil {
		t.Fatal(err)
	}
	deps := &loadDeps{stepDeps: &stepDeps{p: p, picker: &fakePicker{}}, saves: &savePicker{}}
	w := test.NewTempWindow(t, nil)
	step := NewLoadStep(w, deps).(*LoadStep)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	f := &loadFixture{t: t, p: p, deps: deps, step: step, win: w, feed: feed}
	f.settle()
	return f
}

func (f *loadFixture) settle() {
	f.t.Helper()
	settle(f.t)
	if len(f.deps.errs) > 0 {
		f.t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

// startAnyway taps Start the load and, as no sample run has passed, gives the reason asked for.
func (f *loadFixture) startAnyway(reason string) {
	f.t.Helper()
	f.step.tabs.SelectIndex(1) // the Run tab
	test.Tap(findButton(f.t, f.win.Content(), "Start the load"))
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatal("no dialog asking why the load goes ahead without a passing sample run")
	}
	entry := firstEntry(top)
	if entry == nil {
		f.t.Fatal("no reason entry in the dialog")
	}
	test.Type(entry, reason)
	test.Tap(findButton(f.t, top, "Load anyway"))
}

// runToEnd runs queued UI work until the load is over, noting every text the progress line and
// the per-entity rows showed on the way.
func (f *loadFixture) runToEnd() (progress []string) {
	f.t.Helper()
	v := f.step.run
	seen := map[string]bool{}
	note := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			progress = append(progress, s)
		}
	}
	// Its own loop rather than settleUntil: a load of the whole demo may take longer than
	// settleUntil allows on a busy machine or under -race.
	look := func() {
		note(v.detail.Text)
		for _, r := range v.entRows {
			note(r.detail.Text)
		}
	}
	started := false
	deadline := time.Now().Add(5 * time.Minute)
	for {
		select {
		case fn := <-uiQueue:
			fn()
			look()
			continue
		default:
		}
		if f.step.Busy() {
			started = true
		}
		if started && !f.step.Busy() && background.Load() == 0 && len(uiQueue) == 0 {
			break
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the load did not end in time (%d running, %d queued)", background.Load(), len(uiQueue))
		}
		time.Sleep(time.Millisecond)
	}
	f.settle()
	return progress
}

// feedCounts counts the feed's records and invalid ones per entity, independently of the plan.
func (f *loadFixture) feedCounts() (records, invalid map[string]int64) {
	records, invalid = map[string]int64{}, map[string]int64{}
	for _, e := range f.feed.Entities {
		err := f.feed.Scan(context.Background(), e.Name, nil, func(r mapping.Record) error {
			records[e.Name]++
			if !r.Valid() {
				invalid[e.Name]++
			}
			return nil
		})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return records, invalid
}

func filesDest(dir string) func(*mapping.Feed) load.Destination {
	return func(*mapping.Feed) load.Destination {
		files, _ := json.Marshal(map[string]any{"dir": dir, "format": "csv"})
		return load.Destination{Name: "Vendor files", Kind: load.KindFiles,
			Config: load.Config{Format: load.ConfigFormat, Kind: load.KindFiles, Files: files}}
	}
}

func TestLoadStepPlansRunsAFilesLoadAndSavesTheResults(t *testing.T) {
	out := t.TempDir()
	f := newLoadDemo(t, filesDest(out))
	ctx := context.Background()
	s := f.step

	// The plan: every entity of the feed in load order, with the counts the feed has.
	pl := s.Plan()
	if pl == nil || pl.Destination != "Vendor files" {
		t.Fatalf("no plan for the files destination: %+v", pl)
	}
	records, invalid := f.feedCounts()
	if len(pl.Entities) != len(f.feed.Entities) {
		t.Fatalf("%d entities planned, the feed has %d", len(pl.Entities), len(f.feed.Entities))
	}
	var all int64
	for i, e := range pl.Entities {
		if e.Name != f.feed.Entities[i].Name {
			t.Errorf("entity %d is %s, the feed loads %s there", i+1, e.Name, f.feed.Entities[i].Name)
		}
		if e.Records != records[e.Name] || e.Invalid != invalid[e.Name] || e.ToSend != records[e.Name]-invalid[e.Name] {
			t.Errorf("%s planned %d records, %d invalid, %d to send; the feed has %d, %d invalid", e.Name, e.Records, e.Invalid,
				e.ToSend, records[e.Name], invalid[e.Name])
		}
		all += records[e.Name]
		if got := s.planCell(i+1, 1, widget.NewLabel("")); got != e.Name {
			t.Errorf("plan row %d shows %q", i+1, got)
		}
		if got := s.planCell(i+1, 3, widget.NewLabel("")); got != fmtInt(records[e.Name]) {
			t.Errorf("plan row %d shows %s records, want %s", i+1, got, fmtInt(records[e.Name]))
		}
	}
	if !hasText(f.win.Content(), plural64(all, "record", "records")) {
		t.Errorf("the plan's summary does not give the %d records: %q", all, s.planSummary.Text)
	}
	if ok, _, reason := sample.Passing(ctx, f.p); ok || !hasText(f.win.Content(), reason) {
		t.Errorf("the missing sample run is not shown (%v, %q): %q", ok, reason, s.sampleLabel.Text)
	}
	if findButton(t, s.res.root, "Retry failed").Disabled() == false {
		t.Error("Retry failed is enabled before any load")
	}

	// Start: the reason is asked for, the load runs through to the end with progress shown.
	f.startAnyway("The vendor imports into a trial account first.")
	progress := f.runToEnd()
	joined := strings.Join(progress, "\n")
	if !strings.Contains(joined, " records") || !strings.Contains(joined, " of ") {
		t.Errorf("no progress text with records done of the total appeared:\n%s", joined)
	}
	for _, e := range pl.Entities {
		r := s.run.entRows[e.Name]
		if r == nil {
			t.Fatalf("no progress row for %s", e.Name)
		}
		if want := fmt.Sprintf("%s of %s · done", fmtInt(e.Records), fmtInt(e.Records)); !strings.Contains(r.detail.Text, want) {
			t.Errorf("%s's row says %q, want %q", e.Name, r.detail.Text, want)
		}
		if r.bar.Value != 1 {
			t.Errorf("%s's bar at %v", e.Name, r.bar.Value)
		}
	}

	// Results: the newest run, its counts and every record in the grid, as load.Records has them.
	run, err := load.LatestRun(ctx, f.p)
	if err != nil || run == 0 {
		t.Fatalf("no run: %v", err)
	}
	if s.res.latest == nil || s.res.latest.ID != run || s.res.latest.State != load.StateDone {
		t.Fatalf("results show %+v, want run %d done", s.res.latest, run)
	}
	why, err := load.Override(ctx, f.p, run)
	if err != nil || why != "The vendor imports into a trial account first." {
		t.Errorf("override on the run: %q, %v", why, err)
	}
	recs, err := load.Records(ctx, f.p, run, load.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(recs)) != all {
		t.Fatalf("%d records in the run, the feed has %d", len(recs), all)
	}
	counts := map[string]int64{}
	for _, r := range recs {
		counts[r.Status]++
	}
	if counts[load.StatusCreated] != all-sum(invalid) {
		t.Errorf("%d created of %d valid records", counts[load.StatusCreated], all-sum(invalid))
	}
	for st, n := range counts {
		if !strings.Contains(s.res.summary.Text, fmtInt(n)+" "+st) {
			t.Errorf("summary %q does not say %d %s", s.res.summary.Text, n, st)
		}
	}
	allChoice := fmt.Sprintf("All records (%s)", fmtInt(all))
	s.res.filter.SetSelected(allChoice)
	f.settle()
	if got := s.res.grid.RowCount(); got != int64(len(recs)) {
		t.Fatalf("grid has %d rows, the run %d records", got, len(recs))
	}
	shown := s.res.grid.Source().(*memorySource).rows
	for i, r := range recs {
		want := []string{r.Entity, r.LegacyKey, r.NewID, r.Status, fmt.Sprint(r.Attempts), r.Error}
		if strings.Join(shown[i].Cells, "|") != strings.Join(want, "|") {
			t.Fatalf("grid row %d is %q, the record %q", i, shown[i].Cells, want)
		}
	}
	createdChoice := fmt.Sprintf("created (%s)", fmtInt(counts[load.StatusCreated]))
	s.res.filter.SetSelected(createdChoice)
	f.settle()
	if got := s.res.grid.RowCount(); got != counts[load.StatusCreated] {
		t.Errorf("created filter shows %d rows, want %d", got, counts[load.StatusCreated])
	}
	if !findButton(t, s.res.root, "Retry failed").Disabled() {
		t.Error("Retry failed is enabled though nothing failed")
	}

	// Save results as CSV: every record once, under the results header.
	path := filepath.Join(t.TempDir(), "results.csv")
	f.deps.saves.path = path
	test.Tap(findButton(t, s.res.root, "Save results…"))
	f.settle()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("results not saved: %v", err)
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(recs)+1 || strings.Join(rows[0], ",") != strings.Join(load.ResultsHeader, ",") {
		t.Errorf("results file has %d rows (header %q), want %d records and the header", len(rows), rows[0], len(recs))
	}
	if !hasText(f.win.Content(), "Saved the results of run") {
		t.Errorf("no word that the results were saved: %q", s.notice.Text())
	}

	// The step is done and says so; the files are there.
	st, detail, err := load.Status(ctx, f.p)
	if err != nil || st != wizard.Done {
		t.Errorf("status %v %q %v, want done", st, detail, err)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.csv")); err != nil {
		t.Errorf("no manifest written: %v", err)
	}
	test.Tap(findButton(t, s.res.root, "Next: Reconcile & report"))
	if len(f.deps.went) == 0 || f.deps.went[len(f.deps.went)-1] != wizard.Reconcile {
		t.Errorf("went to %v, want Reconcile", f.deps.went)
	}
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// rejectingServer is a REST API on 127.0.0.1 that creates every record except patients whose
// legacy key ends in 7, which it refuses with a 400 and its reason.
func rejectingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			io.WriteString(w, `{"items":[]}`)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message":"not JSON"}`)
			return
		}
		key, _ := body["legacy_key"].(string)
		if strings.Contains(r.URL.Path, "/patient/") && strings.HasSuffix(key, "7") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"message":"Failed to create record %s: the phone number is not unique."}`, key)
			return
		}
		fmt.Fprintf(w, `{"id":"new%d"}`, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestLoadStepListsRecordsTheServerRejects(t *testing.T) {
	srv, _ := rejectingServer(t)
	f := newLoadDemo(t, func(feed *mapping.Feed) load.Destination {
		return load.Destination{Name: "New system", Kind: load.KindREST, Config: load.Config{Format: load.ConfigFormat,
			Kind: load.KindREST, URL: srv.URL, Concurrency: 4, Entities: load.PocketBaseEntities(feed.Def)}}
	})
	ctx := context.Background()
	s := f.step

	test.Tap(findButton(t, f.win.Content(), "Test connection"))
	f.settle()
	if !strings.HasPrefix(s.testResult.Text, "Connected") {
		t.Errorf("connection test says %q", s.testResult.Text)
	}

	f.startAnyway("Trying the test server.")
	f.runToEnd()
	run, _ := load.LatestRun(ctx, f.p)
	problems, err := load.Records(ctx, f.p, run, load.Filter{Statuses: []string{load.StatusRejected, load.StatusFailed}})
	if err != nil {
		t.Fatal(err)
	}
	var rejected, failed int64
	for _, r := range problems {
		if r.Status == load.StatusRejected {
			rejected++
		} else {
			failed++ // their patient was rejected: not sent, retried once it is loaded
		}
	}
	if rejected == 0 {
		t.Fatal("the server rejected nothing: the test's premise is gone")
	}
	// The running list has every problem, rejected ones with the server's own words.
	if len(s.run.errs) != len(problems) {
		t.Errorf("the running list has %d problems, the run %d", len(s.run.errs), len(problems))
	}
	listed := map[string]load.RecordResult{}
	for _, r := range s.run.errs {
		listed[r.Entity+" "+r.LegacyKey] = r
	}
	for _, r := range problems {
		got, ok := listed[r.Entity+" "+r.LegacyKey]
		if !ok || got.Status != r.Status || got.Error != r.Error {
			t.Errorf("%s %s (%s: %s) is listed as %+v", r.Entity, r.LegacyKey, r.Status, r.Error, got)
		}
		if r.Status == load.StatusRejected && !strings.Contains(r.Error, "not unique") {
			t.Errorf("%s %s rejected without the server's words: %q", r.Entity, r.LegacyKey, r.Error)
		}
	}
	if !strings.Contains(s.run.errTitle.Text, fmtInt(int64(len(problems)))) {
		t.Errorf("list title %q", s.run.errTitle.Text)
	}
	if !strings.Contains(s.notice.Text(), "did not arrive") {
		t.Errorf("notice: %q", s.notice.Text())
	}
	// The results open on what did not arrive; Retry offers the failed ones only (rejected ones
	// need their data changed first).
	if got := s.res.grid.RowCount(); got != int64(len(problems)) {
		t.Errorf("results grid shows %d rows, %d did not arrive", got, len(problems))
	}
	if b := findButton(t, s.res.root, fmt.Sprintf("Retry %s failed", fmtInt(failed))); b.Disabled() {
		t.Error("Retry failed is disabled though records failed")
	}
	if st, _, _ := load.Status(ctx, f.p); st != wizard.NeedsAttention {
		t.Errorf("status %v, want needs attention", st)
	}
}

func TestLoadStepAddsADestinationThroughTheDialog(t *testing.T) {
	f := newLoadDemo(t, filesDest(t.TempDir()))
	dir := t.TempDir()
	test.Tap(findButton(t, f.win.Content(), "Add…"))
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	test.Type(formEntry(t, top, "Name").(*widget.Entry), "Vendor XLSX")
	folder := formEntry(t, top, "Folder")
	walk(folder, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok {
			test.Type(e, dir)
			return false
		}
		return true
	})
	formEntry(t, top, "Format").(*widget.RadioGroup).SetSelected("XLSX")
	test.Type(formEntry(t, top, "Rows per file").(*widget.Entry), "250")
	test.Tap(findButton(t, top, "Save"))
	f.settle()
	d, err := load.GetDestination(context.Background(), f.p, "Vendor XLSX")
	if err != nil {
		t.Fatal(err)
	}
	fc := filesSettings(d.Config)
	if d.Kind != load.KindFiles || fc.dir != dir || fc.format != "xlsx" || fc.chunk != 250 {
		t.Errorf("saved %s %+v", d.Kind, fc)
	}
	if f.step.chosenName() != "Vendor XLSX" || f.step.Plan() == nil || f.step.Plan().Destination != "Vendor XLSX" {
		t.Errorf("the new destination is not chosen with its plan: %q", f.step.chosenName())
	}

	// A REST destination with a bearer token kept for this session only: the token is not in
	// the project, the configuration names no secret value.
	test.Tap(findButton(t, f.win.Content(), "Add…"))
	top = f.win.Canvas().Overlays().Top()
	test.Type(formEntry(t, top, "Name").(*widget.Entry), "New system")
	formEntry(t, top, "Kind").(*widget.RadioGroup).SetSelected("REST API")
	top = f.win.Canvas().Overlays().Top()
	test.Type(formEntry(t, top, "Address").(*widget.Entry), "http://127.0.0.1:1")
	formEntry(t, top, "Sign-in").(*widget.Select).SetSelected("Bearer token")
	top = f.win.Canvas().Overlays().Top()
	test.Type(formEntry(t, top, "Token, key or password").(*widget.Entry), "s3cret-token")
	formEntry(t, top, "").(*widget.RadioGroup).SetSelected("Use it for this session only")
	test.Type(formEntry(t, top, "Requests a second").(*widget.Entry), "2.5")
	test.Tap(findButton(t, top, "Save"))
	f.settle()
	d, err = load.GetDestination(context.Background(), f.p, "New system")
	if err != nil {
		t.Fatal(err)
	}
	if d.Config.Auth.Type != load.AuthBearer || d.Config.RateLimit != 2.5 || len(d.Config.Entities) == 0 {
		t.Errorf("saved %+v", d.Config)
	}
	b, err := load.ExportDestination(context.Background(), f.p, "New system")
	if err != nil || strings.Contains(string(b), "s3cret-token") {
		t.Errorf("the token is in the destination's settings: %s %v", b, err)
	}
	raw, _ := os.ReadFile(f.p.Path)
	if strings.Contains(string(raw), "s3cret-token") {
		t.Error("the token is in the project file")
	}
	if f.step.secrets["new system"] != "s3cret-token" {
		t.Error("the token is not kept for the session")
	}
}

func TestLoadStepViewOnlyShowsResultsAndNothingThatChangesData(t *testing.T) {
	out := t.TempDir()
	f := newLoadDemo(t, filesDest(out))
	f.startAnyway("Files for the vendor.")
	f.runToEnd()
	path := f.p.Path
	f.step.Close()
	f.p.Close()

	p, err := project.Open(context.Background(), path, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	deps := &loadDeps{stepDeps: &stepDeps{p: p, picker: &fakePicker{}}, saves: &savePicker{}}
	step := NewLoadStep(f.win, deps).(*LoadStep)
	f.win.SetContent(step)
	defer step.Close()
	settle(t)
	if len(deps.errs) > 0 {
		t.Fatalf("errors shown: %v", deps.errs)
	}
	if step.res.latest == nil || step.res.latest.State != load.StateDone {
		t.Fatalf("the results are not shown: %+v", step.res.latest)
	}
	for _, b := range []*widget.Button{step.addBtn, step.editBtn, step.deleteBtn, step.importBtn, step.presetBtn,
		step.run.startBtn, step.run.pauseBtn, step.run.resumeBtn, step.run.cancelBtn, step.res.retryBtn, step.resumeBtn} {
		if b.Visible() {
			t.Errorf("%q is shown on a view-only project", b.Text)
		}
	}
	if !step.res.saveBtn.Visible() || step.res.saveBtn.Disabled() {
		t.Error("Save results is not offered on a view-only project")
	}
}

func TestLoadStepPausesResumesCancelsAndResumesToOneRecordEach(t *testing.T) {
	// A REST API that creates records and finds them by legacy key, as PocketBase does: a
	// record whose answer a Cancel cut off is found there instead of being sent again.
	var mu sync.Mutex
	created := map[string]int{}
	ids := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			filter := r.URL.Query().Get("filter") // (legacy_key='1223')
			key := strings.TrimSuffix(strings.TrimPrefix(filter, "(legacy_key='"), "')")
			mu.Lock()
			id, ok := ids[r.URL.Path+" "+key]
			mu.Unlock()
			if ok {
				fmt.Fprintf(w, `{"items":[{"id":%q}]}`, id)
				return
			}
			io.WriteString(w, `{"items":[]}`)
			return
		}
		time.Sleep(2 * time.Millisecond) // slow enough to pause in the middle
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		k := r.URL.Path + " " + fmt.Sprint(body["legacy_key"])
		created[k]++
		id := fmt.Sprintf("n%d", len(ids)+1)
		ids[k] = id
		mu.Unlock()
		fmt.Fprintf(w, `{"id":%q}`, id)
	}))
	t.Cleanup(srv.Close)
	f := newLoadDemo(t, func(feed *mapping.Feed) load.Destination {
		return load.Destination{Name: "New system", Kind: load.KindREST, Config: load.Config{Format: load.ConfigFormat,
			Kind: load.KindREST, URL: srv.URL, Concurrency: 2, Entities: load.PocketBaseEntities(feed.Def)}}
	})
	ctx := context.Background()
	s := f.step
	done := func() int64 {
		if j := s.currentJob(); j != nil {
			j.mu.Lock()
			defer j.mu.Unlock()
			return j.last.Done
		}
		return -1
	}

	f.startAnyway("Testing pause and resume.")
	settleUntil(t, func() bool { return done() > 100 })
	test.Tap(findButton(t, s.run.root, "Pause"))
	if !strings.Contains(s.run.detail.Text, "Paused at") {
		t.Errorf("paused run says %q", s.run.detail.Text)
	}
	settleUntil(t, func() bool { return s.run.resumeBtn.Visible() && !s.run.resumeBtn.Disabled() })
	at := done()
	test.Tap(findButton(t, s.run.root, "Resume"))
	settleUntil(t, func() bool { return done() > at+100 })
	test.Tap(findButton(t, s.run.root, "Cancel"))
	f.runToEnd()
	if s.res.latest == nil || s.res.latest.State != load.StateCancelled {
		t.Fatalf("after Cancel the newest run is %+v", s.res.latest)
	}
	if !s.unfinished.Visible() {
		t.Fatal("no word that the run can be resumed")
	}
	if st, _, _ := load.Status(ctx, f.p); st != wizard.InProgress {
		t.Errorf("status %v after Cancel, want in progress", st)
	}

	test.Tap(findButton(t, s.unfinished, "Resume"))
	f.runToEnd()
	if s.res.latest == nil || s.res.latest.State != load.StateDone {
		t.Fatalf("after Resume the newest run is %+v", s.res.latest)
	}
	records, _ := f.feedCounts()
	mu.Lock()
	defer mu.Unlock()
	if int64(len(created)) != sum(records) {
		t.Errorf("the server has %d records, the feed %d", len(created), sum(records))
	}
	for k, n := range created {
		if n != 1 {
			t.Errorf("%s created %d times", k, n)
		}
	}
	if st, _, _ := load.Status(ctx, f.p); st != wizard.Done {
		t.Errorf("status %v after the resumed run, want done", st)
	}
}
