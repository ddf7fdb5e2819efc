package screens

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// onSetUpCleanse is the hook between the Audit and Cleanse screens. "Set up in Cleanse" on a
// finding first calls deps.GoTo(wizard.Cleanse) – which builds the Cleanse screen the first time
// it is shown – and then, when it is set, onSetUpCleanse(deps, finding).
//
// The Cleanse screen sets it in its constructor to open its operation editor prefilled from the
// finding (cleanse.FromFinding turns finding.Suggest into a step; a duplicate finding with
// Suggest["review"] goes to the merge review, cleanse.ReviewClusters). It should ignore calls whose
// deps.Project() is not its own project. Until the Cleanse screen sets it, the button only
// navigates.
var onSetUpCleanse func(deps StepDeps, finding audit.Finding)

// auditWatchEvery is how often the screen asks whether the data changed since the audit shown
// (an import in Sources, a cleanse), to offer a new run.
var auditWatchEvery = time.Second

// runAudit runs the engine; tests wrap it to hold a run open until it is cancelled.
var runAudit = audit.Run

// auditDrillMax is the most rows a drill-down shows (the first ones, in file order).
const auditDrillMax = 200_000

// AuditStep is the Audit screen: a strip of counts (tables, rows, errors, warnings, information)
// over three tabs – a summary with a chart per table and where to start, the findings with
// filters, a search, each finding's detail, its suggested cleanse and a drill-down to exactly its
// rows, and the column profiles. It runs the audit in the background with progress and Cancel,
// the first time by itself; after that it offers a new run when the data changed.
type AuditStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	st       *staging.Stager
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	rep      *audit.Report // the run shown; nil before the first
	stale    bool          // the data changed since rep
	tables   int           // staged tables
	rows     int64         // staged rows
	autoDone bool          // the first run was started by the screen already

	// What the watcher goroutine may read: the run shown (0 for none) and whether it is stale.
	shownRun  atomic.Int64
	staleFlag atomic.Bool

	root      *fyne.Container
	progress  *importPanel
	notice    *notice
	banner    *fyne.Container
	bannerMsg *widget.Label
	empty     *fyne.Container
	emptyText *widget.Label
	emptyRun  *widget.Button
	emptyGo   *widget.Button
	body      *fyne.Container
	runBtn    *widget.Button
	exportBtn *widget.Button
	lastRun   *widget.Label

	statTables, statErrors, statWarnings, statInfos *canvas.Text
	showSev                                         map[string]*widget.Button
	noteTables, noteErrors, noteWarnings, noteInfos *widget.Label

	tabs     *container.AppTabs
	sumTab   *container.TabItem
	findTab  *container.TabItem
	profTab  *container.TabItem
	summary  *auditSummary
	findings *findingsView
	profiles *profilesView

	jobMu sync.Mutex
	job   *auditJob
}

// NewAuditStep builds the Audit screen.
func NewAuditStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	a := &AuditStep{win: w, deps: deps, p: deps.Project(), st: staging.NewStager(deps.Project()),
		readOnly: deps.Project().ReadOnly()}
	a.ctx, a.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(a.Close)
	}
	a.ExtendBaseWidget(a)
	a.build()
	a.reload(true)
	go a.watch()
	return a
}

// CreateRenderer implements fyne.Widget.
func (a *AuditStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(a.root) }

// Close stops a running audit (it then stores nothing) and waits for it, so that the project can
// be closed after it.
func (a *AuditStep) Close() {
	a.jobMu.Lock()
	job := a.job
	a.jobMu.Unlock()
	if job != nil {
		job.cancel()
		select {
		case <-job.done:
		case <-time.After(15 * time.Second):
		}
	}
	a.stop()
	a.findings.drill.grid.Close()
}

func (a *AuditStep) build() {
	a.progress = newImportPanel()
	a.notice = newNotice()

	// The data changed since the audit shown.
	a.bannerMsg = wrapped("The data changed since this audit (an import, a cleanse…). Run it again to see what the data looks like now.")
	a.bannerMsg.Importance = widget.WarningImportance
	again := widget.NewButtonWithIcon("Run it again", theme.ViewRefreshIcon(), a.Run)
	again.Importance = widget.WarningImportance
	if a.readOnly {
		again.Disable()
	}
	a.banner = container.NewVBox(container.NewBorder(nil, nil,
		container.NewCenter(widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))), container.NewCenter(again), a.bannerMsg),
		widget.NewSeparator())
	a.banner.Hide()

	// No run yet.
	a.emptyRun = widget.NewButtonWithIcon("Run the audit", theme.MediaPlayIcon(), a.Run)
	a.emptyRun.Importance = widget.HighImportance
	a.emptyGo = widget.NewButtonWithIcon("Go to Sources", theme.NavigateBackIcon(), func() { a.deps.GoTo(wizard.Sources) })
	a.emptyGo.Hide()
	a.emptyText = wrapped("")
	a.emptyText.Alignment = fyne.TextAlignCenter
	what := wrapped("The audit reads every row of every table Ferry has staged and lists what would go wrong in the new system: " +
		"patients entered twice, appointments whose patient is missing, dates that could be read two ways, phone numbers " +
		"that cannot be dialled, amounts that are not numbers, test records.")
	what.Alignment = fyne.TextAlignCenter
	safe := note("Nothing is changed by the audit. Each finding says how many rows it concerns, shows them, and suggests " +
		"a fix you can set up in the Cleanse step.")
	a.empty = container.NewCenter(container.New(&minWidth{Width: 560}, container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(64, 64), widget.NewIcon(theme.SearchIcon()))),
		what, a.emptyText, container.NewCenter(container.NewHBox(a.emptyRun, a.emptyGo)), safe)))
	a.empty.Hide()

	// The strip: counts and actions.
	a.statTables, a.noteTables = statNumber(theme.Color(theme.ColorNameForeground)), caption("")
	a.statErrors, a.noteErrors = statNumber(severityColor(audit.Error)), caption("fix before loading")
	a.statWarnings, a.noteWarnings = statNumber(severityColor(audit.Warning)), caption("worth fixing")
	a.statInfos, a.noteInfos = statNumber(severityColor(audit.Info)), caption("good to know")
	tiles := container.NewGridWithColumns(4,
		tile("Tables audited", a.statTables, a.noteTables),
		a.severityTile("Errors", audit.Error, a.statErrors, a.noteErrors),
		a.severityTile("Warnings", audit.Warning, a.statWarnings, a.noteWarnings),
		a.severityTile("For information", audit.Info, a.statInfos, a.noteInfos))
	a.runBtn = widget.NewButtonWithIcon("Run the audit again", theme.ViewRefreshIcon(), a.Run)
	a.exportBtn = widget.NewButtonWithIcon("Export to Excel…", theme.DocumentSaveIcon(), a.ExportDialog)
	if a.readOnly {
		a.runBtn.Disable()
	}
	actions := container.NewVBox(a.runBtn, a.exportBtn)
	a.lastRun = caption("")

	a.summary = newAuditSummary(a)
	a.findings = newFindingsView(a)
	a.profiles = newProfilesView(a)
	a.sumTab = container.NewTabItemWithIcon("Summary", theme.HomeIcon(), a.summary.root)
	a.findTab = container.NewTabItemWithIcon("Findings", theme.WarningIcon(), a.findings.root)
	a.profTab = container.NewTabItemWithIcon("Column profiles", theme.ListIcon(), a.profiles.root)
	a.tabs = container.NewAppTabs(a.sumTab, a.findTab, a.profTab)
	a.tabs.OnSelected = func(t *container.TabItem) {
		if t != a.findTab {
			a.findings.closeDrill()
		} else {
			// the list was laid out while hidden: bring the chosen finding into view
			a.findings.scrollToSelected()
		}
	}
	strip := container.NewBorder(nil, nil, nil, actions, tiles)
	a.body = container.NewBorder(container.NewVBox(strip, a.lastRun), nil, nil, nil, a.tabs)
	a.body.Hide()

	a.root = container.NewBorder(container.NewVBox(a.progress.root, a.notice.root, a.banner), nil, nil, nil,
		container.NewStack(a.empty, a.body))
}

// severityTile is a tile whose "Show" button lists the findings of one severity.
func (a *AuditStep) severityTile(title, sev string, value *canvas.Text, noteL *widget.Label) fyne.CanvasObject {
	show := widget.NewButton("Show", func() { a.ShowFindings(sev, "") })
	show.Importance = widget.LowImportance
	if a.showSev == nil {
		a.showSev = map[string]*widget.Button{}
	}
	a.showSev[sev] = show
	return tile(title, container.NewBorder(nil, nil, value, show), noteL)
}

func statNumber(c color.Color) *canvas.Text {
	t := canvas.NewText("—", c)
	t.TextSize = 24
	t.TextStyle = fyne.TextStyle{Bold: true}
	return t
}

// Report is the audit shown (nil before the first run).
func (a *AuditStep) Report() *audit.Report { return a.rep }

// Running says whether an audit is under way.
func (a *AuditStep) Running() bool {
	a.jobMu.Lock()
	defer a.jobMu.Unlock()
	return a.job != nil
}

// Stale says whether the data changed since the audit shown.
func (a *AuditStep) Stale() bool { return a.stale }

// auditState is what the screen reads from the project in the background.
type auditState struct {
	rep    *audit.Report
	state  wizard.State
	tables int
	rows   int64
	err    error
}

func (a *AuditStep) readState(ctx context.Context) auditState {
	var s auditState
	ts, err := a.st.Tables(ctx)
	if err != nil {
		s.err = err
		return s
	}
	s.tables = len(ts)
	for _, t := range ts {
		s.rows += t.Rows
	}
	rep, err := audit.Latest(ctx, a.p)
	switch {
	case errors.Is(err, audit.ErrNoRun):
	case err != nil:
		s.err = err
		return s
	default:
		s.rep = rep
	}
	s.state, _, s.err = audit.Status(ctx, a.p)
	return s
}

// reload reads the latest audit and shows it. first: the screen was just opened, and runs the
// audit by itself when there is data and it has never been audited.
func (a *AuditStep) reload(first bool) {
	goBackground(func() {
		s := a.readState(a.ctx)
		uiDo(func() {
			if a.ctx.Err() != nil {
				return
			}
			if s.err != nil {
				a.deps.ShowError(s.err)
				return
			}
			a.apply(s)
			if first && s.rep == nil && s.tables > 0 && !a.readOnly && !a.autoDone {
				a.autoDone = true
				a.Run()
			}
		})
	})
}

func (a *AuditStep) apply(s auditState) {
	a.tables, a.rows = s.tables, s.rows
	a.setStale(s.rep != nil && s.state == wizard.NeedsAttention)
	same := a.rep != nil && s.rep != nil && a.rep.RunID == s.rep.RunID
	a.rep = s.rep
	if a.rep != nil {
		a.shownRun.Store(a.rep.RunID)
	} else {
		a.shownRun.Store(0)
	}
	if a.rep == nil {
		a.body.Hide()
		switch {
		case s.tables == 0:
			a.emptyText.SetText("There is nothing to audit yet: add the exports from the old system in the Sources step first.")
			a.emptyRun.Hide()
			a.emptyGo.Show()
		case a.readOnly:
			a.emptyText.SetText("This project has not been audited yet, and it is open view-only, so the audit cannot run here.")
			a.emptyRun.Show()
			a.emptyRun.Disable()
			a.emptyGo.Hide()
		default:
			a.emptyText.SetText(fmt.Sprintf("Ready to audit %s in %s. It takes a few seconds for a small practice.",
				plural64(s.rows, "row", "rows"), plural64(int64(s.tables), "table", "tables")))
			a.emptyRun.Show()
			a.emptyGo.Hide()
		}
		a.empty.Show()
		return
	}
	a.empty.Hide()
	a.body.Show()
	if same {
		return
	}
	a.showReport()
}

// showReport fills the strip and the tabs from a.rep.
func (a *AuditStep) showReport() {
	rep := a.rep
	var rows int64
	for _, t := range rep.Tables {
		rows += t.Rows
	}
	setStat := func(t *canvas.Text, n int, c color.Color) {
		t.Text = fmtInt(int64(n))
		t.Color = c
		if n == 0 {
			t.Color = statusGreen
		}
		t.Refresh()
	}
	for sev, n := range map[string]int{audit.Error: rep.Summary.Errors, audit.Warning: rep.Summary.Warnings, audit.Info: rep.Summary.Infos} {
		if n == 0 {
			a.showSev[sev].Hide()
		} else {
			a.showSev[sev].Show()
		}
	}
	a.statTables.Text = fmtInt(int64(len(rep.Tables)))
	a.statTables.Color = theme.Color(theme.ColorNameForeground)
	a.statTables.Refresh()
	a.noteTables.SetText(plural64(rows, "row", "rows") + " read")
	setStat(a.statErrors, rep.Summary.Errors, severityColor(audit.Error))
	setStat(a.statWarnings, rep.Summary.Warnings, severityColor(audit.Warning))
	setStat(a.statInfos, rep.Summary.Infos, severityColor(audit.Info))
	took := rep.Finished.Sub(rep.Started)
	a.lastRun.SetText(fmt.Sprintf("Audited %s, in %s · phone numbers and postcodes checked for %s · %s found",
		rep.Finished.Local().Format("2 Jan 2006 15:04"), tookWords(took), rep.Region, plural64(int64(rep.Summary.Findings), "thing", "things")))
	if rep.Summary.Findings > 0 {
		a.findTab.Text = fmt.Sprintf("Findings (%d)", rep.Summary.Findings)
	} else {
		a.findTab.Text = "Findings"
	}
	a.summary.show(rep)
	a.findings.show(rep)
	a.profiles.show(rep)
	a.tabs.Refresh()
}

// tookWords is how long a run took: "0.4 seconds", "12 seconds", "3 minutes".
func tookWords(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f seconds", math.Max(d.Seconds(), 0.1))
	case d < 2*time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()+0.5))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()+0.5))
}

func (a *AuditStep) setStale(on bool) {
	a.stale = on
	a.staleFlag.Store(on)
	if on && !a.Running() {
		a.banner.Show()
	} else {
		a.banner.Hide()
	}
}

// CheckStale asks the project whether the data changed since the audit shown and offers a new
// run if so (the screen does it every auditWatchEvery by itself, off the UI goroutine).
func (a *AuditStep) CheckStale() {
	if a.shownRun.Load() == 0 || a.Running() {
		return
	}
	st, _, err := audit.Status(a.ctx, a.p)
	if err != nil {
		return
	}
	stale := st == wizard.NeedsAttention
	if stale != a.staleFlag.Load() {
		uiDo(func() {
			if a.ctx.Err() == nil && !a.Running() {
				a.setStale(stale)
				if !stale { // audited again elsewhere: show that run
					a.reload(false)
				}
			}
		})
	}
}

// watch checks for changed data while the screen exists. It is not counted as background work:
// it never ends by itself.
func (a *AuditStep) watch() {
	t := time.NewTicker(auditWatchEvery)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			a.CheckStale()
		}
	}
}

// auditJob is one run in the background. The engine reports progress as often as it likes; the
// panel reads it every progressEvery.
type auditJob struct {
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	started   time.Time
	total     int64 // rows in every table
	cancelled atomic.Bool

	mu      sync.Mutex
	pr      audit.Progress
	before  map[int]int64 // rows of each table, by index, as the engine announced them
	reports int
}

func (j *auditJob) report(pr audit.Progress) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.before == nil {
		j.before = map[int]int64{}
	}
	if pr.Stage == "profile" && pr.TableIndex > 0 {
		j.before[pr.TableIndex] = pr.RowsTotal
	}
	j.pr = pr
	j.reports++
}

// snapshot is the progress so far: what is being done and rows done of all tables.
func (j *auditJob) snapshot() (audit.Progress, int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	pr := j.pr
	var done int64
	for i, n := range j.before {
		if i < pr.TableIndex {
			done += n
		}
	}
	switch pr.Stage {
	case "profile", "duplicates":
		done += pr.RowsDone
	case "relationships", "save":
		done = j.total
	}
	return pr, min(done, j.total)
}

// Run starts an audit in the background (nothing happens while one runs).
func (a *AuditStep) Run() {
	if a.readOnly {
		a.deps.ShowError(project.ErrReadOnly)
		return
	}
	a.jobMu.Lock()
	if a.job != nil {
		a.jobMu.Unlock()
		return
	}
	j := &auditJob{done: make(chan struct{}), started: time.Now(), total: a.rows}
	j.ctx, j.cancel = context.WithCancel(a.ctx)
	a.job = j
	a.jobMu.Unlock()

	a.notice.root.Hide()
	a.banner.Hide()
	a.setRunning(true)
	p := a.progress
	p.cancelB.OnTapped = a.Cancel
	p.cancelB.Enable()
	p.cancelB.SetText("Cancel")
	p.bar.SetValue(0)
	p.bar.Show()
	p.busy.Hide()
	a.updateProgress(j)
	p.root.Show()

	ticker := time.NewTicker(progressEvery)
	goBackground(func() {
		defer ticker.Stop()
		for {
			select {
			case <-j.done:
				return
			case <-ticker.C:
				uiDo(func() { a.updateProgress(j) })
			}
		}
	})
	goBackground(func() {
		// The rows to expect, for the bar and the time left: the tables may have changed since
		// the screen last looked.
		if ts, err := a.st.Tables(j.ctx); err == nil {
			var n int64
			for _, t := range ts {
				n += t.Rows
			}
			j.mu.Lock()
			j.total = n
			j.mu.Unlock()
		}
		_, err := runAudit(j.ctx, a.p, audit.Options{}, j.report)
		a.jobMu.Lock()
		a.job = nil
		a.jobMu.Unlock()
		close(j.done)
		uiDo(func() { a.finished(j, err) })
	})
}

// Cancel stops the audit under way; it stores nothing, and the previous results stay.
func (a *AuditStep) Cancel() {
	a.jobMu.Lock()
	j := a.job
	a.jobMu.Unlock()
	if j == nil {
		return
	}
	j.cancelled.Store(true)
	j.cancel()
	a.progress.cancelB.Disable()
	a.progress.cancelB.SetText("Cancelling…")
	a.progress.detail.SetText("Stopping; the previous results stay as they are.")
}

func (a *AuditStep) setRunning(on bool) {
	for _, b := range []*widget.Button{a.runBtn, a.emptyRun} {
		if on || a.readOnly {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if a.rep != nil {
		return
	}
	switch {
	case on:
		a.emptyRun.Hide()
		a.emptyText.SetText("The first audit is running: its results appear here as soon as it finishes. " +
			"Cancel stops it without saving anything.")
	case a.tables > 0:
		a.emptyRun.Show()
		a.emptyText.SetText(fmt.Sprintf("Ready to audit %s in %s. It takes a few seconds for a small practice.",
			plural64(a.rows, "row", "rows"), plural64(int64(a.tables), "table", "tables")))
	}
}

// updateProgress redraws the panel: the table being read, rows done of all, rows a second and
// the time left.
func (a *AuditStep) updateProgress(j *auditJob) {
	if j.cancelled.Load() {
		return
	}
	pr, done := j.snapshot()
	j.mu.Lock()
	total := j.total
	j.mu.Unlock()
	p := a.progress
	var title string
	switch pr.Stage {
	case "":
		title = "Starting the audit…"
	case "profile":
		title = fmt.Sprintf("Auditing %s (table %d of %d)", pr.Table, pr.TableIndex, pr.Tables)
	case "duplicates":
		title = fmt.Sprintf("Looking for duplicates in %s (table %d of %d)", pr.Table, pr.TableIndex, pr.Tables)
	case "relationships":
		title = "Checking the links between tables"
	case "save":
		title = "Saving the results"
	}
	p.title.SetText(title)
	if total > 0 {
		p.bar.SetValue(math.Min(1, float64(done)/float64(total)))
	}
	p.detail.SetText(auditProgressText(pr, done, total, time.Since(j.started)))
}

// auditProgressText is "patients: 1,200 of 4,478 rows · 4,100 rows a second · about 20 seconds
// left".
func auditProgressText(pr audit.Progress, done, total int64, elapsed time.Duration) string {
	var parts []string
	if pr.Stage == "profile" || pr.Stage == "duplicates" {
		parts = append(parts, fmt.Sprintf("%s: %s of %s", pr.Table, fmtInt(pr.RowsDone), plural64(pr.RowsTotal, "row", "rows")))
	}
	parts = append(parts, fmt.Sprintf("%s of %s in all", fmtInt(done), plural64(total, "row", "rows")))
	parts = append(parts, rateAndTimeLeft(done, done, total, elapsed)...)
	return strings.Join(parts, " · ")
}

// finished tells the person what the run did, once.
func (a *AuditStep) finished(j *auditJob, err error) {
	a.progress.stop()
	a.setRunning(false)
	if a.ctx.Err() != nil {
		return
	}
	switch {
	case err != nil && (j.cancelled.Load() || errors.Is(err, context.Canceled)):
		if a.rep != nil {
			a.notice.show("Audit cancelled; the previous results are unchanged.", true)
		} else {
			a.notice.show("Audit cancelled; nothing was saved. Run it when you are ready.", true)
		}
		a.setStale(a.stale)
		return
	case err != nil:
		a.deps.ShowError(fmt.Errorf("the audit could not finish: %w", err))
		a.setStale(a.stale)
		return
	}
	a.deps.Refresh()
	goBackground(func() {
		s := a.readState(a.ctx)
		uiDo(func() {
			if a.ctx.Err() != nil {
				return
			}
			if s.err != nil {
				a.deps.ShowError(s.err)
				return
			}
			a.apply(s)
			if s.rep != nil {
				sum := s.rep.Summary
				a.notice.show(fmt.Sprintf("Audit finished in %s: %s – %s, %s, %d for information.",
					tookWords(time.Since(j.started)), plural64(int64(sum.Findings), "finding", "findings"),
					plural64(int64(sum.Errors), "error", "errors"), plural64(int64(sum.Warnings), "warning", "warnings"), sum.Infos), false)
			}
		})
	})
}

// ShowFindings opens the Findings tab filtered by severity and table ("" for all).
func (a *AuditStep) ShowFindings(sev, table string) {
	if a.rep == nil {
		return
	}
	a.tabs.Select(a.findTab)
	a.findings.setFilters(sev, table)
}

// OpenFinding shows one finding's detail in the Findings tab.
func (a *AuditStep) OpenFinding(id int64) {
	if a.rep == nil {
		return
	}
	a.tabs.Select(a.findTab)
	a.findings.reveal(id)
}

// SetUpCleanse goes to the Cleanse step with the finding's suggested operation (see
// onSetUpCleanse).
func (a *AuditStep) SetUpCleanse(f audit.Finding) {
	a.deps.GoTo(wizard.Cleanse)
	if onSetUpCleanse != nil {
		onSetUpCleanse(a.deps, f)
	}
}

// ExportDialog asks where to save the audit as an Excel workbook and writes it.
func (a *AuditStep) ExportDialog() {
	rep := a.rep
	if rep == nil {
		return
	}
	suggested := filepath.Join(filepath.Dir(a.p.Path), a.p.Name()+" audit.xlsx")
	a.deps.Files().Save("Export the audit to Excel", suggested, []Filter{{Name: "Excel workbooks", Exts: []string{".xlsx"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				a.deps.ShowError(err)
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), ".xlsx") {
				path += ".xlsx"
			}
			goBackground(func() {
				err := writeAuditWorkbook(rep, path)
				uiDo(func() {
					if err != nil {
						a.deps.ShowError(err)
						return
					}
					a.notice.show(fmt.Sprintf("Saved the audit as %s (in %s): a summary, every finding with examples, and one sheet of column profiles per table.",
						filepath.Base(path), filepath.Dir(path)), false)
				})
			})
		})
}

// writeAuditWorkbook writes the workbook next to path and renames it into place, so a failed
// export never leaves half a file under the chosen name.
func writeAuditWorkbook(rep *audit.Report, path string) error {
	tmp := path + ".writing"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("saving %s: %w", filepath.Base(path), fsutil.Check(path, err))
	}
	if err := audit.WriteXLSX(rep, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", filepath.Base(path), fsutil.Check(path, err))
	}
	return nil
}

// subhead is a bold little heading inside a panel.
func subhead(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// card is a quiet rounded panel around content, like the strip's tiles.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(6, 6, 10, 10), content))
}
