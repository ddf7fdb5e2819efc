package screens

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// LoadStep is the Full load screen: where the data goes (import files, a REST API or a FHIR
// server) with a connection test, the plan (entities in load order, counts, time at the rate
// limit), the run with live progress per entity, Pause, Resume, Cancel and a running list of
// problems, and the results of the newest load with Retry failed and Save results. The engine
// (app/load) does the work on a background goroutine; the screen shows where it stands about
// ten times a second.
type LoadStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	// destinations
	dests      []load.Destination
	destSel    *widget.Select
	destInfo   *widget.Label
	testResult *widget.Label
	addBtn     *widget.Button
	editBtn    *widget.Button
	deleteBtn  *widget.Button
	testBtn    *widget.Button
	exportBtn  *widget.Button
	importBtn  *widget.Button
	presetBtn  *widget.Button
	preset     *presetDest

	secretMu sync.Mutex
	secrets  map[string]string // destination name → secret typed for this session only

	// the sample run and an unfinished load
	passing       bool
	passingReason string
	sampleLabel   *widget.Label
	sampleIcon    *widget.Icon
	sampleRow     *fyne.Container
	unfinished    *fyne.Container
	unfinishedTxt *widget.Label
	resumeBtn     *widget.Button

	notice *notice
	tabs   *container.AppTabs

	// plan
	plan        *load.Plan
	planSummary *widget.Label
	planTable   *widget.Table
	invalidRow  *fyne.Container

	// run
	run *loadRunView

	// results
	res *loadResultsView

	root fyne.CanvasObject

	jobMu sync.Mutex
	job   *loadJob
}

// presetDest is the default destination the target's preset comes with.
type presetDest struct {
	title string
	name  string
	cfg   load.Config
}

// NewLoadStep builds the Full load screen.
func NewLoadStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	p := deps.Project()
	s := &LoadStep{win: w, deps: deps, p: p, readOnly: p.ReadOnly(), secrets: map[string]string{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(s.Close)
	}
	s.ExtendBaseWidget(s)
	s.build()
	s.reload("")
	return s
}

// CreateRenderer implements fyne.Widget.
func (s *LoadStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(s.root) }

// Close cancels a running load and waits for it to record where it stopped, so the project can
// be closed after it. Nothing is lost: the run can be resumed next time.
func (s *LoadStep) Close() {
	if j := s.currentJob(); j != nil {
		j.cancel()
		select {
		case <-j.done:
		case <-time.After(20 * time.Second):
		}
	}
	s.stop()
}

func (s *LoadStep) build() {
	s.notice = newNotice()

	// Destination card.
	s.destSel = widget.NewSelect(nil, func(string) { s.destinationChosen() })
	s.destSel.PlaceHolder = "No destination yet: add one"
	s.destInfo = muted("")
	s.testResult = wrapped("")
	s.testResult.Hide()
	s.addBtn = widget.NewButtonWithIcon("Add…", theme.ContentAddIcon(), func() { s.editDialog(nil, nil) })
	s.editBtn = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() {
		if d, ok := s.chosen(); ok {
			s.editDialog(&d, nil)
		}
	})
	s.deleteBtn = widget.NewButtonWithIcon("", theme.DeleteIcon(), s.deleteDestination)
	s.testBtn = widget.NewButtonWithIcon("Test connection", theme.ConfirmIcon(), s.testConnection)
	s.exportBtn = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), s.exportDestination)
	s.importBtn = widget.NewButtonWithIcon("Import…", theme.FolderOpenIcon(), s.importDestination)
	s.presetBtn = widget.NewButtonWithIcon("Use the defaults", theme.ContentAddIcon(), func() {
		if s.preset != nil {
			s.editDialog(nil, s.preset)
		}
	})
	s.presetBtn.Hide()
	if s.readOnly {
		for _, b := range []*widget.Button{s.addBtn, s.editBtn, s.deleteBtn, s.importBtn} {
			b.Hide()
		}
	}
	s.destInfo.Truncation = fyne.TextTruncateEllipsis
	destRow := container.NewVBox(
		container.NewBorder(nil, nil, sectionTitle("Destination"), container.NewHBox(s.addBtn, s.editBtn, s.deleteBtn), s.destSel),
		container.NewBorder(nil, nil, container.NewHBox(s.testBtn, s.exportBtn, s.importBtn, s.presetBtn), nil, s.destInfo))

	// The sample run and an unfinished load.
	s.sampleIcon = widget.NewIcon(theme.InfoIcon())
	s.sampleLabel = wrapped("")
	s.sampleRow = container.NewBorder(nil, nil, container.NewCenter(s.sampleIcon), nil, s.sampleLabel)
	s.sampleRow.Hide()
	s.unfinishedTxt = wrapped("")
	s.unfinishedTxt.Importance = widget.WarningImportance
	s.resumeBtn = widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), func() { s.startLoad(loadResume) })
	s.resumeBtn.Importance = widget.HighImportance
	s.unfinished = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))),
		container.NewCenter(s.resumeBtn), s.unfinishedTxt)
	s.unfinished.Hide()
	if s.readOnly {
		s.resumeBtn.Hide()
	}

	// Plan.
	s.planSummary = wrapped("Choose a destination to see the plan.")
	s.planTable = labelTable(func() int {
		if s.plan == nil {
			return 1
		}
		return len(s.plan.Entities) + 2
	}, len(planColumns), "PaymentReconciliation", s.planCell)
	for c, wd := range []float32{36, 190, 200, 90, 80, 120, 90, 180} {
		s.planTable.SetColumnWidth(c, wd)
	}
	whyBtn := widget.NewButtonWithIcon("Why? Open the Map step's validation", theme.NavigateNextIcon(), func() { s.deps.GoTo(wizard.Map) })
	whyBtn.Importance = widget.LowImportance
	invalidTxt := wrapped("Records with mapping errors are not sent; they are kept and listed in the results as invalid, with the errors in words.")
	invalidTxt.Importance = widget.WarningImportance
	s.invalidRow = container.NewBorder(nil, nil, nil, whyBtn, invalidTxt)
	s.invalidRow.Hide()
	planTab := container.NewBorder(container.NewVBox(s.planSummary, s.invalidRow), nil, nil, nil, s.planTable)

	s.run = s.newRunView()
	s.res = s.newResultsView()

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Plan", theme.ListIcon(), planTab),
		container.NewTabItemWithIcon("Run", theme.MediaPlayIcon(), s.run.root),
		container.NewTabItemWithIcon("Results", theme.DocumentIcon(), s.res.root),
	)
	top := container.NewVBox(destRow, s.testResult, s.sampleRow, s.unfinished, s.notice.root)
	s.root = container.NewBorder(top, nil, nil, nil, s.tabs)
	s.updateButtons()
}

// planColumns are the columns of the plan.
var planColumns = []string{"#", "Entity", "Loads after", "Records", "Invalid", "Already there", "To send", "Time at the rate limit"}

func (s *LoadStep) planCell(row, col int, l *widget.Label) string {
	if row == 0 {
		return planColumns[col]
	}
	pl := s.plan
	if pl == nil {
		return ""
	}
	var e load.PlanEntity
	total := row == len(pl.Entities)+1
	if total {
		l.TextStyle = fyne.TextStyle{Bold: true}
		e = load.PlanEntity{Name: "All", Records: pl.Records, Invalid: pl.Invalid, Existing: pl.Existing, ToSend: pl.ToSend}
	} else if row <= len(pl.Entities) {
		e = pl.Entities[row-1]
	} else {
		return ""
	}
	switch col {
	case 0:
		if total {
			return ""
		}
		return fmt.Sprint(row)
	case 1:
		return e.Name
	case 2:
		if total {
			return ""
		}
		if len(e.DependsOn) == 0 {
			return "–"
		}
		return strings.Join(e.DependsOn, ", ")
	case 3:
		return fmtInt(e.Records)
	case 4:
		if e.Invalid > 0 {
			l.Importance = widget.WarningImportance
		}
		return fmtInt(e.Invalid)
	case 5:
		return fmtInt(e.Existing)
	case 6:
		return fmtInt(e.ToSend)
	case 7:
		return estimateText(pl, e.ToSend)
	}
	return ""
}

// estimateText is how long sending n records takes at the plan's rate limit.
func estimateText(pl *load.Plan, n int64) string {
	switch {
	case n == 0:
		return "–"
	case pl.Kind == load.KindFiles:
		return "written at once"
	case pl.RateLimit <= 0:
		return "no limit set"
	}
	d := time.Duration(float64(n) / pl.RateLimit * float64(time.Second))
	if d < time.Second {
		return "under a second"
	}
	return "at least " + roughDuration(d)
}

// loadState is what reload reads in the background.
type loadState struct {
	dests   []load.Destination
	plan    *load.Plan
	planErr error
	passing bool
	reason  string
	preset  *presetDest
	latest  *load.RunInfo
}

// reload reads the destinations, the plan for the chosen one (or choose), whether a sample run
// passed and the newest load's results, in the background.
func (s *LoadStep) reload(choose string) {
	if choose == "" {
		choose = s.chosenName()
	}
	goBackground(func() {
		var st loadState
		var err error
		st.dests, err = load.Destinations(s.ctx, s.p)
		if err != nil {
			uiDo(func() { s.deps.ShowError(fmt.Errorf("reading the destinations: %w", err)) })
			return
		}
		if choose == "" && len(st.dests) > 0 {
			choose = st.dests[0].Name
		}
		if choose != "" {
			st.plan, st.planErr = load.MakePlan(s.ctx, s.p, choose)
		}
		if !s.readOnly {
			st.passing, _, st.reason = sample.Passing(s.ctx, s.p)
		}
		if t, err := target.Active(s.ctx, s.p); err == nil && t.Load != nil && len(t.Load.Destination) > 0 {
			if cfg, err := load.ParseConfig(t.Load.Destination); err == nil {
				title := t.Title
				if title == "" {
					title = t.Name
				}
				st.preset = &presetDest{title: title, name: t.Name, cfg: cfg}
			}
		}
		runs, err := load.Runs(s.ctx, s.p)
		if err == nil {
			for i := range runs {
				if runs[i].Kind == load.RunLoad {
					st.latest = &runs[i]
					break
				}
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		uiDo(func() { s.apply(st, choose) })
	})
}

func (s *LoadStep) apply(st loadState, choose string) {
	s.dests = st.dests
	s.passing, s.passingReason = st.passing, st.reason
	s.preset = st.preset
	var opts []string
	for _, d := range st.dests {
		opts = append(opts, d.Name)
	}
	s.destSel.Options = opts
	if len(opts) == 0 {
		s.destSel.PlaceHolder = "No destination yet: add one"
	}
	s.destSel.Selected = choose
	s.destSel.Refresh()
	s.showDestinationInfo()

	s.plan = st.plan
	switch {
	case choose == "":
		s.planSummary.SetText("Add a destination first: import files for the new vendor, the new system's API, or a FHIR server.")
	case st.planErr != nil:
		title, what := describeError(st.planErr)
		s.planSummary.SetText(strings.TrimSpace(title + " " + what))
	default:
		s.planSummary.SetText(planText(st.plan))
	}
	if s.plan != nil && s.plan.Invalid > 0 {
		s.invalidRow.Show()
	} else {
		s.invalidRow.Hide()
	}
	s.planTable.Refresh()
	if s.currentJob() == nil && s.plan != nil && s.run.shownRun == 0 { // after a run its rows stay
		s.run.showPlan(s.plan)
	}

	if st.preset != nil && !s.readOnly {
		s.presetBtn.SetText("Use the " + st.preset.title + " defaults")
		s.presetBtn.Show()
	} else {
		s.presetBtn.Hide()
	}

	switch {
	case s.readOnly:
		s.sampleRow.Hide()
	case st.passing:
		s.sampleIcon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		s.sampleLabel.Importance = widget.SuccessImportance
		s.sampleLabel.SetText(st.reason)
		s.sampleRow.Show()
	default:
		s.sampleIcon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		s.sampleLabel.Importance = widget.WarningImportance
		s.sampleLabel.SetText(st.reason + " A full load without a passing sample run needs a reason: you will be asked for it, and it is kept in the custody log.")
		s.sampleRow.Show()
	}

	if s.plan != nil && s.plan.Unfinished != 0 && s.currentJob() == nil {
		s.unfinishedTxt.SetText(fmt.Sprintf("Run %d to %s did not finish. Resume it to go on from where it stopped: nothing is sent twice.",
			s.plan.Unfinished, s.plan.Destination))
		s.unfinished.Show()
	} else {
		s.unfinished.Hide()
	}
	s.res.show(st.latest)
	s.updateButtons()
}

// planText is the plan in a sentence or two.
func planText(pl *load.Plan) string {
	if pl == nil {
		return ""
	}
	if pl.Records == 0 {
		return "Nothing is mapped yet: map at least one kind of record in the Map step."
	}
	text := fmt.Sprintf("%s in %s: %s to send", plural64(pl.Records, "record", "records"),
		plural64(int64(len(pl.Entities)), "kind", "kinds"), fmtInt(pl.ToSend))
	if pl.Existing > 0 {
		text += fmt.Sprintf(", %s already there (never sent twice)", fmtInt(pl.Existing))
	}
	if pl.Invalid > 0 {
		text += fmt.Sprintf(", %s invalid (not sent)", fmtInt(pl.Invalid))
	}
	text += "."
	switch {
	case pl.Kind == load.KindFiles:
		text += " Import files are written in one go."
	case pl.RateLimit > 0 && pl.Estimate > 0:
		text += fmt.Sprintf(" At the limit of %s requests a second that takes at least %s.", trimFloat(pl.RateLimit), roughDuration(pl.Estimate))
	case pl.RateLimit <= 0:
		text += " No rate limit is set: Ferry sends as fast as the new system answers."
	}
	return text
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// chosenName is the destination chosen in the list ("" for none).
func (s *LoadStep) chosenName() string {
	if s.destSel == nil {
		return ""
	}
	return s.destSel.Selected
}

func (s *LoadStep) chosen() (load.Destination, bool) {
	for _, d := range s.dests {
		if strings.EqualFold(d.Name, s.destSel.Selected) {
			return d, true
		}
	}
	return load.Destination{}, false
}

// destinationChosen works out the plan for the destination the person chose.
func (s *LoadStep) destinationChosen() {
	s.testResult.Hide()
	s.showDestinationInfo()
	s.updateButtons()
	if s.destSel.Selected != "" && (s.plan == nil || !strings.EqualFold(s.plan.Destination, s.destSel.Selected)) {
		s.planSummary.SetText("Working out the plan…")
		s.reload(s.destSel.Selected)
	}
}

// showDestinationInfo says what the chosen destination is in a line.
func (s *LoadStep) showDestinationInfo() {
	d, ok := s.chosen()
	if !ok {
		s.destInfo.SetText("")
		return
	}
	s.destInfo.SetText(destinationText(d))
}

// kindWords are the destination kinds as the screen names them.
var kindWords = map[string]string{load.KindFiles: "Import files", load.KindREST: "REST API", load.KindFHIR: "FHIR server"}

// destinationText is "REST API · https://… · bearer token in the keyring · 5 requests a second, 4 at once".
func destinationText(d load.Destination) string {
	c := d.Config
	parts := []string{kindWords[d.Kind]}
	if d.Role == "sandbox" {
		parts[0] += " (sandbox)"
	}
	if d.Kind == load.KindFiles {
		fc := filesSettings(c)
		parts = append(parts, "into "+fc.dir, strings.ToUpper(fc.format))
		if fc.chunk > 0 {
			parts = append(parts, fmtInt(int64(fc.chunk))+" rows per file")
		}
	} else {
		parts = append(parts, c.URL)
		switch c.Auth.Type {
		case load.AuthNone:
			parts = append(parts, "no sign-in")
		default:
			where := "asked for when needed"
			if c.Auth.Keyring != "" {
				where = "from the keyring"
			}
			parts = append(parts, authWords[c.Auth.Type]+" "+where)
		}
		if c.RateLimit > 0 {
			parts = append(parts, trimFloat(c.RateLimit)+" requests a second")
		} else {
			parts = append(parts, "no rate limit")
		}
		if c.Concurrency > 0 {
			parts = append(parts, fmt.Sprintf("%d at once", c.Concurrency))
		}
	}
	return strings.Join(parts, " · ") + fmt.Sprintf(" · version %d", d.Version)
}

// updateButtons enables what can be done now.
func (s *LoadStep) updateButtons() {
	busy := s.currentJob() != nil
	_, has := s.chosen()
	set := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	set(s.addBtn, !busy && !s.readOnly)
	set(s.importBtn, !busy && !s.readOnly)
	set(s.presetBtn, !busy && !s.readOnly)
	set(s.editBtn, has && !busy && !s.readOnly)
	set(s.deleteBtn, has && !busy && !s.readOnly)
	set(s.testBtn, has)
	set(s.exportBtn, has)
	if busy {
		s.destSel.Disable()
	} else {
		s.destSel.Enable()
	}
	set(s.resumeBtn, !busy && !s.readOnly)
	s.run.updateButtons()
	s.res.updateButtons()
}

func (s *LoadStep) currentJob() *loadJob {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	return s.job
}

// Busy says whether a load is running (tests).
func (s *LoadStep) Busy() bool { return s.currentJob() != nil }

// Plan is the plan on screen (tests).
func (s *LoadStep) Plan() *load.Plan { return s.plan }

// secretFor returns the destination's secret for this session, from what the person typed, the
// keyring or by asking, then calls next on the UI goroutine ("" when none is needed).
func (s *LoadStep) secretFor(d load.Destination, next func(secret string)) {
	if !d.Config.NeedsSecret() {
		next("")
		return
	}
	s.secretMu.Lock()
	sec, ok := s.secrets[strings.ToLower(d.Name)]
	s.secretMu.Unlock()
	if ok {
		next(sec)
		return
	}
	goBackground(func() {
		sec, err := load.Secret(d, nil)
		uiDo(func() {
			if err == nil && sec != "" {
				next(sec)
				return
			}
			entry := widget.NewPasswordEntry()
			dialog.ShowForm("Sign in to "+d.Name, "Continue", "Cancel",
				[]*widget.FormItem{widget.NewFormItem("The "+authWords[d.Config.Auth.Type], entry)}, func(ok bool) {
					if !ok || entry.Text == "" {
						return
					}
					s.rememberSecret(d.Name, entry.Text)
					next(entry.Text)
				}, s.win)
		})
	})
}

// rememberSecret keeps a secret in memory for this session only: never in the project.
func (s *LoadStep) rememberSecret(name, secret string) {
	s.secretMu.Lock()
	s.secrets[strings.ToLower(name)] = secret
	s.secretMu.Unlock()
}

// testConnection checks that the chosen destination can be reached and accepts the credentials.
func (s *LoadStep) testConnection() {
	d, ok := s.chosen()
	if !ok {
		return
	}
	s.secretFor(d, func(secret string) {
		s.testBtn.Disable()
		s.testResult.Importance = widget.MediumImportance
		s.testResult.SetText("Testing the connection to " + d.Name + "…")
		s.testResult.Show()
		goBackground(func() {
			ctx, cancel := context.WithTimeout(s.ctx, 45*time.Second)
			res := load.TestConnection(ctx, d, secret)
			cancel()
			uiDo(func() {
				s.testBtn.Enable()
				s.testResult.SetText(connectionText(d, res))
				if res.OK {
					s.testResult.Importance = widget.SuccessImportance
				} else {
					s.testResult.Importance = widget.DangerImportance
				}
				s.testResult.Refresh()
			})
		})
	})
}

// connectionText says what the connection test found.
func connectionText(d load.Destination, res load.ConnectionResult) string {
	msg := strings.TrimSpace(res.Message)
	if res.OK {
		t := "Connected: " + msg
		if d.Kind != load.KindFiles && res.Elapsed > 0 {
			t += fmt.Sprintf(" (answered in %d ms)", res.Elapsed.Milliseconds())
		}
		return t
	}
	t := "Could not connect: " + msg
	switch {
	case res.Status == 401 || res.Status == 403:
		t += " Check the token, key or password (Edit…) and that it may create records."
	case d.Kind == load.KindFiles:
		t += " Choose a folder this computer can write to (Edit…)."
	default:
		t += " Check the address (Edit…) and that the new system is up: open it in a browser."
	}
	return t
}

// deleteDestination removes the chosen destination after the person confirms.
func (s *LoadStep) deleteDestination() {
	d, ok := s.chosen()
	if !ok {
		return
	}
	dialog.ShowConfirm("Remove this destination?", fmt.Sprintf("Remove %s from the project? Destinations a load has used are kept, for the record.", d.Name),
		func(yes bool) {
			if !yes {
				return
			}
			goBackground(func() {
				err := load.DeleteDestination(s.ctx, s.p, d.Name)
				uiDo(func() {
					if err != nil {
						s.deps.ShowError(fmt.Errorf("removing %s: %w", d.Name, err))
						return
					}
					s.notice.show(d.Name+" is removed.", false)
					s.destSel.Selected = ""
					s.plan = nil
					s.reload("")
					s.deps.Refresh()
				})
			})
		}, s.win)
}

// exportDestination saves the chosen destination as JSON, without any secret.
func (s *LoadStep) exportDestination() {
	d, ok := s.chosen()
	if !ok {
		return
	}
	s.deps.Files().Save("Export the destination", d.Name+" destination.json", []Filter{{Name: "Destination settings", Exts: []string{".json"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				if err != nil {
					s.deps.ShowError(err)
				}
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), ".json") {
				path += ".json"
			}
			goBackground(func() {
				b, err := load.ExportDestination(s.ctx, s.p, d.Name)
				if err == nil {
					err = saveAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err })
				}
				uiDo(func() {
					if err != nil {
						s.deps.ShowError(fmt.Errorf("exporting %s: %w", d.Name, err))
						return
					}
					s.notice.show(fmt.Sprintf("Saved the settings of %s as %s. There is no password or token in it: each computer keeps its own.", d.Name, path), false)
				})
			})
		})
}

// importDestination reads destination settings exported from another project.
func (s *LoadStep) importDestination() {
	s.deps.Files().Open("Import destination settings", []Filter{{Name: "Destination settings", Exts: []string{".json"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				if err != nil {
					s.deps.ShowError(err)
				}
				return
			}
			goBackground(func() {
				var d load.Destination
				f, err := os.Open(path)
				if err == nil {
					d, err = load.ImportDestination(s.ctx, s.p, f)
					f.Close()
				}
				uiDo(func() {
					if err != nil {
						s.deps.ShowError(fmt.Errorf("importing %s: %w", path, err))
						return
					}
					msg := fmt.Sprintf("Imported %s (%s).", d.Name, kindWords[d.Kind])
					if d.Config.NeedsSecret() {
						msg += " Its password or token is not in the file: Edit… to give it, or you will be asked when it is needed."
					}
					s.notice.show(msg, false)
					s.reload(d.Name)
					s.deps.Refresh()
				})
			})
		})
}
