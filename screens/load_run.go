package screens

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
)

// loadMode is which kind of run Start makes.
type loadMode int

const (
	loadFull   loadMode = iota // every record of the feed
	loadResume                 // go on with the newest unfinished run to the destination
	loadRetry                  // send again what did not arrive in the newest run
)

// errorListMax is how many problems the running list keeps (the results hold them all).
const errorListMax = 500

// loadJob is one load run going on in the background.
type loadJob struct {
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	pause     *load.PauseControl
	dest      string
	mode      loadMode
	override  string
	cancelled atomic.Bool

	mu       sync.Mutex
	last     load.Progress
	have     bool
	runID    int64
	recorded bool // the override is on the run
	res      *load.Result
	err      error
}

// loadRunView is the Run tab: Start, Pause, Resume, Cancel, the overall progress, a row per
// entity and the running list of problems.
type loadRunView struct {
	s          *LoadStep
	root       fyne.CanvasObject
	startBtn   *widget.Button
	pauseBtn   *widget.Button
	resumeBtn  *widget.Button
	cancelBtn  *widget.Button
	title      *widget.Label
	bar        *widget.ProgressBar
	detail     *widget.Label
	counts     *widget.Label
	circuit    *fyne.Container
	circuitTxt *widget.Label
	entBox     *fyne.Container
	entRows    map[string]*entityRow
	errTitle   *widget.Label
	errList    *widget.List
	errs       []load.RecordResult // newest first
	errSeen    map[int64]bool
	errMu      sync.Mutex // errAfter is read by the background poller
	errAfter   int64
	shownRun   int64
}

// entityRow is one entity's line of progress.
type entityRow struct {
	root   fyne.CanvasObject
	name   *widget.Label
	bar    *widget.ProgressBar
	detail *widget.Label
}

func (s *LoadStep) newRunView() *loadRunView {
	v := &loadRunView{s: s, entRows: map[string]*entityRow{}, errSeen: map[int64]bool{}}
	v.startBtn = widget.NewButtonWithIcon("Start the load", theme.MediaPlayIcon(), func() { s.startLoad(loadFull) })
	v.startBtn.Importance = widget.HighImportance
	v.pauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), s.pauseLoad)
	v.resumeBtn = widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), s.resumeLoad)
	v.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), s.cancelLoad)
	v.resumeBtn.Hide()
	v.title = sectionTitle("Not running")
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.bar = widget.NewProgressBar()
	v.detail = muted("Start the load when the plan looks right. You can pause, cancel and resume at any point: nothing is sent twice.")
	v.counts = muted("")
	v.circuitTxt = wrapped("")
	v.circuitTxt.Importance = widget.DangerImportance
	v.circuitTxt.TextStyle = fyne.TextStyle{Bold: true}
	v.circuit = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))), nil, v.circuitTxt)
	v.circuit.Hide()
	v.entBox = container.NewVBox()
	v.errTitle = sectionTitle("Problems so far: none")
	v.errList = widget.NewList(
		func() int { return len(v.errs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(v.errs) {
				return
			}
			r := v.errs[i]
			l := o.(*widget.Label)
			l.Importance = widget.DangerImportance
			l.SetText(oneLine(fmt.Sprintf("%s %s · %s · %s", r.Entity, r.LegacyKey, r.Status, r.Error)))
		})
	v.errList.OnSelected = func(i widget.ListItemID) {
		if i < len(v.errs) {
			r := v.errs[i]
			msg := widget.NewLabel(fmt.Sprintf("%s %s (record %d of the old export)\nStatus: %s after %s\n\n%s",
				r.Entity, r.LegacyKey, r.SourceRow, r.Status, plural64(int64(r.Attempts), "attempt", "attempts"), r.Error))
			msg.Wrapping = fyne.TextWrapWord
			sc := container.NewVScroll(msg)
			sc.SetMinSize(fyne.NewSize(640, 240))
			dialog.ShowCustom("What the new system said", "Close", sc, s.win)
		}
		v.errList.UnselectAll()
	}
	if s.readOnly {
		for _, b := range []*widget.Button{v.startBtn, v.pauseBtn, v.resumeBtn, v.cancelBtn} {
			b.Hide()
		}
	}
	buttons := container.NewHBox(v.startBtn, v.pauseBtn, v.resumeBtn, v.cancelBtn)
	head := container.NewVBox(buttons, v.circuit, v.title, v.bar, v.detail, v.counts, widget.NewSeparator())
	ents := container.NewBorder(sectionTitle("By kind of record"), nil, nil, nil, container.NewVScroll(v.entBox))
	errs := container.NewBorder(v.errTitle, nil, nil, nil, v.errList)
	split := container.NewHSplit(ents, errs)
	split.Offset = 0.62
	v.root = container.NewBorder(head, nil, nil, nil, split)
	return v
}

func (v *loadRunView) updateButtons() {
	j := v.s.currentJob()
	_, has := v.s.chosen()
	set := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	set(v.startBtn, j == nil && has && !v.s.readOnly && v.s.plan != nil && v.s.plan.Records > 0)
	set(v.cancelBtn, j != nil && !j.cancelled.Load())
	paused := j != nil && j.pause.Paused()
	// With no run going, Resume goes on with the newest unfinished run to the destination.
	canResume := paused || (j == nil && v.s.plan != nil && v.s.plan.Unfinished != 0)
	set(v.pauseBtn, j != nil && !paused && !j.cancelled.Load())
	if canResume {
		v.pauseBtn.Hide()
		if !v.s.readOnly {
			v.resumeBtn.Show()
		}
	} else {
		v.resumeBtn.Hide()
		if !v.s.readOnly {
			v.pauseBtn.Show()
		}
	}
	set(v.resumeBtn, canResume && !v.s.readOnly)
}

// setEntities lays out a row per entity, in load order.
func (v *loadRunView) setEntities(names []string) {
	v.entRows = map[string]*entityRow{}
	v.entBox.Objects = nil
	for _, n := range names {
		r := &entityRow{name: widget.NewLabelWithStyle(n, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			bar: widget.NewProgressBar(), detail: muted("waiting")}
		r.name.Truncation = fyne.TextTruncateEllipsis
		r.detail.Truncation = fyne.TextTruncateEllipsis
		r.root = container.NewBorder(nil, nil, container.NewHBox(container.New(&minWidth{Width: 160}, r.name),
			container.New(&minWidth{Width: 120}, r.bar)), nil, r.detail)
		v.entRows[n] = r
		v.entBox.Add(r.root)
	}
	v.entBox.Refresh()
}

// showPlan lists the plan's entities with what each will send, before a run.
func (v *loadRunView) showPlan(pl *load.Plan) {
	var names []string
	for _, e := range pl.Entities {
		names = append(names, e.Name)
	}
	v.setEntities(names)
	for _, e := range pl.Entities {
		r := v.entRows[e.Name]
		r.detail.SetText(fmt.Sprintf("%s to send · %s", fmtInt(e.ToSend), estimateText(pl, e.ToSend)))
	}
}

// startLoad asks for a reason when no sample run passed (for a new run), then for the secret,
// and starts the run.
func (s *LoadStep) startLoad(mode loadMode) {
	if s.currentJob() != nil || s.readOnly {
		return
	}
	dest := s.chosenName()
	if mode == loadRetry && s.res.latest != nil {
		dest = s.res.latest.Destination
	}
	if mode == loadResume && s.plan != nil {
		dest = s.plan.Destination
	}
	var d load.Destination
	found := false
	for _, x := range s.dests {
		if strings.EqualFold(x.Name, dest) {
			d, found = x, true
		}
	}
	if !found {
		s.notice.show("Choose where the data goes first: add a destination above.", true)
		return
	}
	go1 := func(override string) {
		s.secretFor(d, func(secret string) { s.begin(d, mode, override, secret) })
	}
	if mode == loadResume || s.passing {
		go1("")
		return
	}
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder("e.g. The vendor loads into a fresh trial account we will wipe; the sample ran there on 12 May.")
	reason.SetMinRowsVisible(3)
	reason.Wrapping = fyne.TextWrapWord
	msg := wrapped(s.passingReason +
		"\n\nA full load without one is how problems reach the new system in their thousands. If you go ahead anyway, say why: " +
		"your reason is kept with the run and in the custody log, with your name.")
	var dlg *dialog.ConfirmDialog
	dlg = dialog.NewCustomConfirm("Load without a passing sample run?", "Load anyway", "Cancel",
		container.NewVBox(msg, reason), func(ok bool) {
			if !ok {
				return
			}
			why := strings.TrimSpace(reason.Text)
			if why == "" {
				s.notice.show("The load did not start: a reason is needed to load without a passing sample run.", true)
				return
			}
			go1(why)
		}, s.win)
	dlg.Resize(fyne.NewSize(640, 380))
	dlg.Show()
}

// begin runs the load in the background and shows its progress until it ends.
func (s *LoadStep) begin(d load.Destination, mode loadMode, override, secret string) {
	s.jobMu.Lock()
	if s.job != nil {
		s.jobMu.Unlock()
		return
	}
	j := &loadJob{done: make(chan struct{}), pause: load.NewPauseControl(), dest: d.Name, mode: mode, override: override}
	j.ctx, j.cancel = context.WithCancel(s.ctx)
	s.job = j
	s.jobMu.Unlock()

	v := s.run
	v.errs, v.errSeen = nil, map[int64]bool{}
	v.errMu.Lock()
	v.errAfter = 0
	v.errMu.Unlock()
	v.errList.Refresh()
	v.errTitle.SetText("Problems so far: none")
	v.circuit.Hide()
	v.bar.SetValue(0)
	verb := map[loadMode]string{loadFull: "Loading into ", loadResume: "Resuming the load into ", loadRetry: "Sending the failed records again to "}[mode]
	v.title.SetText(verb + d.Name + "…")
	v.detail.SetText("Getting ready: every record is listed before anything is sent.")
	v.counts.SetText("")
	var names []string
	if s.plan != nil {
		for _, e := range s.plan.Entities {
			names = append(names, e.Name)
		}
	}
	v.setEntities(names)
	s.unfinished.Hide()
	s.notice.root.Hide()
	s.tabs.SelectIndex(1)
	s.updateButtons()

	opts := load.Options{Destination: d.Name, Resume: mode == loadResume, RetryFailed: mode == loadRetry, Pause: j.pause,
		Secret: func(load.Destination) (string, error) {
			if secret == "" {
				return "", load.ErrNoSecret
			}
			return secret, nil
		},
		Progress: func(pr load.Progress) {
			j.mu.Lock()
			j.last, j.have = pr, true
			if pr.RunID != 0 {
				j.runID = pr.RunID
			}
			j.mu.Unlock()
		}}
	if !d.Config.NeedsSecret() {
		opts.Secret = nil
	}
	goBackground(func() {
		ticker := time.NewTicker(progressEvery)
		defer ticker.Stop()
		tick := 0
		for {
			select {
			case <-j.done:
				return
			case <-ticker.C:
			}
			tick++
			s.recordOverride(j)
			var fresh []load.RecordResult
			if tick%5 == 0 { // the running list of problems, twice a second
				fresh = s.newProblems(j)
			}
			uiDo(func() {
				s.showProgress(j)
				v.addProblems(fresh)
			})
		}
	})
	goBackground(func() {
		res, err := load.Run(j.ctx, s.p, opts)
		j.mu.Lock()
		j.res, j.err = res, err
		if res != nil {
			j.runID = res.RunID
		}
		j.mu.Unlock()
		s.recordOverride(j)
		fresh := s.newProblems(j)
		s.jobMu.Lock()
		s.job = nil
		s.jobMu.Unlock()
		close(j.done)
		uiDo(func() {
			if s.ctx.Err() != nil {
				return
			}
			s.showProgress(j)
			v.addProblems(fresh)
			s.finished(j)
		})
	})
}

// recordOverride puts the person's reason for loading without a passing sample run on the run,
// as soon as the run exists (background).
func (s *LoadStep) recordOverride(j *loadJob) {
	j.mu.Lock()
	run, done := j.runID, j.recorded
	j.mu.Unlock()
	if j.override == "" || run == 0 || done {
		return
	}
	err := load.RecordOverride(context.WithoutCancel(j.ctx), s.p, run, j.override)
	j.mu.Lock()
	j.recorded = true
	j.mu.Unlock()
	if err != nil {
		uiDo(func() { s.deps.ShowError(fmt.Errorf("recording why the load went ahead: %w", err)) })
	}
}

// newProblems reads the run's rejected and failed records that the list does not have yet
// (background). Records finish a little out of order when several are in flight, so it reads
// back a little before the newest one it has and skips those it has seen.
func (s *LoadStep) newProblems(j *loadJob) []load.RecordResult {
	j.mu.Lock()
	run := j.runID
	j.mu.Unlock()
	if run == 0 {
		return nil
	}
	after := max(0, s.run.errAfterSnapshot()-200)
	recs, err := load.Records(context.WithoutCancel(j.ctx), s.p, run, load.Filter{Statuses: []string{load.StatusRejected, load.StatusFailed}, After: after, Limit: 2000})
	if err != nil {
		return nil
	}
	return recs
}

func (v *loadRunView) errAfterSnapshot() int64 {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	return v.errAfter
}

// addProblems puts records not listed yet at the top of the running list.
func (v *loadRunView) addProblems(recs []load.RecordResult) {
	var fresh []load.RecordResult
	for _, r := range recs {
		if !v.errSeen[r.Seq] {
			v.errSeen[r.Seq] = true
			fresh = append(fresh, r)
		}
		v.errMu.Lock()
		v.errAfter = max(v.errAfter, r.Seq)
		v.errMu.Unlock()
	}
	if len(fresh) == 0 {
		return
	}
	sort.Slice(fresh, func(a, b int) bool { return fresh[a].Seq > fresh[b].Seq })
	v.errs = append(fresh, v.errs...)
	if len(v.errs) > errorListMax {
		v.errs = v.errs[:errorListMax]
	}
	v.errTitle.SetText(fmt.Sprintf("Problems so far: %s (newest first; tap one for the new system's words)", fmtInt(int64(len(v.errSeen)))))
	v.errList.Refresh()
}

// showProgress draws where the run stands (UI goroutine).
func (s *LoadStep) showProgress(j *loadJob) {
	v := s.run
	j.mu.Lock()
	pr, have := j.last, j.have
	j.mu.Unlock()
	if !have {
		return
	}
	if pr.RunID != 0 && v.shownRun != pr.RunID {
		v.shownRun = pr.RunID
		s.deps.Refresh() // the run is recorded: the sidebar says the step is in progress
	}
	if len(v.entRows) == 0 || len(pr.Entities) != len(v.entRows) {
		var names []string
		for _, e := range pr.Entities {
			names = append(names, e.Name)
		}
		v.setEntities(names)
	}
	if pr.Total > 0 {
		v.bar.SetValue(math.Min(1, float64(pr.Done)/float64(pr.Total)))
	}
	title := fmt.Sprintf("Run %d into %s", pr.RunID, j.dest)
	if pr.Entity != "" && pr.State == load.StateRunning {
		title += ": sending " + pr.Entity
	}
	v.title.SetText(title)
	switch {
	case j.cancelled.Load():
		v.detail.SetText("Cancelling: the records in flight finish and are recorded; resume later to go on.")
	case j.pause.Paused():
		v.detail.SetText(fmt.Sprintf("Paused at %s of %s. The records that were in flight have finished; Resume goes on from here.",
			fmtInt(pr.Done), plural64(pr.Total, "record", "records")))
	default:
		v.detail.SetText(loadProgressText(pr))
	}
	v.counts.SetText(countsText(pr.Counts))
	for _, e := range pr.Entities {
		r := v.entRows[e.Name]
		if r == nil {
			continue
		}
		if e.Total > 0 {
			r.bar.SetValue(math.Min(1, float64(e.Done)/float64(e.Total)))
		} else {
			r.bar.SetValue(1)
		}
		txt := fmt.Sprintf("%s of %s", fmtInt(e.Done), fmtInt(e.Total))
		switch {
		case e.Done >= e.Total:
			txt += " · done"
		case e.Name == pr.Entity && pr.PerSecond > 0:
			left := time.Duration(float64(e.Total-e.Done) / pr.PerSecond * float64(time.Second))
			txt += fmt.Sprintf(" · %s a second · about %s left", fmtInt(int64(math.Round(pr.PerSecond))), roughDuration(left))
		case e.Done == 0:
			txt += " · waiting"
		}
		if bad := e.Counts[load.StatusRejected] + e.Counts[load.StatusFailed] + e.Counts[load.StatusInvalid]; bad > 0 {
			txt += fmt.Sprintf(" · %s did not arrive", fmtInt(bad))
			r.detail.Importance = widget.WarningImportance
		} else {
			r.detail.Importance = widget.MediumImportance
		}
		r.detail.SetText(txt)
	}
	if pr.State == load.StatePaused && pr.Message != "" {
		v.circuitTxt.SetText(circuitText(pr.Message))
		v.circuit.Show()
	}
	v.updateButtons()
}

// loadProgressText is "1,234 of 4,300 records · 210 records a second · about 15 seconds left".
func loadProgressText(pr load.Progress) string {
	parts := []string{fmt.Sprintf("%s of %s", fmtInt(pr.Done), plural64(pr.Total, "record", "records"))}
	if pr.PerSecond > 0 {
		parts = append(parts, fmtInt(int64(math.Round(pr.PerSecond)))+" records a second")
	}
	switch {
	case pr.Total > 0 && pr.Done >= pr.Total:
		parts = append(parts, "finishing…")
	case pr.ETA > 0:
		parts = append(parts, "about "+roughDuration(pr.ETA)+" left")
	default:
		parts = append(parts, "working out the time left…")
	}
	return strings.Join(parts, " · ")
}

// countsText is "4,100 created · 3 rejected · 12 invalid".
func countsText(c map[string]int64) string {
	var parts []string
	for _, st := range load.Statuses {
		if n := c[st]; n > 0 {
			parts = append(parts, fmtInt(n)+" "+st)
		}
	}
	return strings.Join(parts, " · ")
}

// circuitText says why the run paused itself and what to do.
func circuitText(msg string) string {
	return "The load paused itself: " + msg + ". The new system kept failing, so Ferry stopped rather than pile up failures. " +
		"Check that it is up (open it in a browser, or ask the vendor), then press Resume: it goes on from where it stopped, and nothing is sent twice."
}

func (s *LoadStep) pauseLoad() {
	if j := s.currentJob(); j != nil {
		j.pause.Pause()
		s.showProgress(j)
		s.updateButtons()
	}
}

// resumeLoad lets a paused run go on, or resumes the newest unfinished run when none is going.
func (s *LoadStep) resumeLoad() {
	if j := s.currentJob(); j != nil {
		j.pause.Resume()
		s.showProgress(j)
		s.updateButtons()
		return
	}
	s.startLoad(loadResume)
}

func (s *LoadStep) cancelLoad() {
	j := s.currentJob()
	if j == nil {
		return
	}
	j.cancelled.Store(true)
	j.pause.Resume() // a paused run must wake up to stop
	j.cancel()
	s.run.cancelBtn.Disable()
	s.showProgress(j)
	s.updateButtons()
}

// finished says how the run ended and reads the plan and results again.
func (s *LoadStep) finished(j *loadJob) {
	v := s.run
	j.mu.Lock()
	res, err := j.res, j.err
	j.mu.Unlock()
	s.updateButtons()
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		v.title.SetText("Stopped before it began")
		s.notice.show("The load was cancelled before anything was sent.", true)
	case err != nil:
		v.title.SetText("The load could not start")
		title, what := describeError(err)
		v.detail.SetText(strings.TrimSpace(title + " " + what))
		s.deps.ShowError(fmt.Errorf("the load could not start: %w", err))
	case res != nil:
		v.title.SetText(fmt.Sprintf("Run %d into %s: %s", res.RunID, res.Destination, stateWords[res.State]))
		v.counts.SetText(countsText(res.Counts))
		v.bar.SetValue(1)
		switch res.State {
		case load.StateDone:
			bad := res.Counts[load.StatusRejected] + res.Counts[load.StatusFailed] + res.Counts[load.StatusInvalid]
			v.detail.SetText(fmt.Sprintf("Finished in %s.", roughElapsed(res.Elapsed)))
			if bad > 0 {
				s.notice.show(fmt.Sprintf("Load run %d finished: %s of %s did not arrive. They are in the results with the reason; fix them and Retry failed, or fix the data and load again.",
					res.RunID, fmtInt(bad), plural64(res.Total, "record", "records")), true)
			} else {
				s.notice.show(fmt.Sprintf("Load run %d finished: all %s arrived in %s. Next: Reconcile & report.", res.RunID,
					plural64(res.Total, "record", "records"), res.Destination), false)
			}
			s.tabs.SelectIndex(2)
		case load.StatePaused:
			v.circuitTxt.SetText(circuitText(res.Message))
			v.circuit.Show()
			v.detail.SetText("Paused: press Resume when the new system is answering again.")
		case load.StateCancelled:
			v.detail.SetText("Cancelled. Everything sent so far is recorded; Resume goes on from here.")
			s.notice.show(fmt.Sprintf("Load run %d was cancelled; nothing is lost. Resume it to go on.", res.RunID), true)
		default:
			v.detail.SetText(res.Message)
			s.notice.show(fmt.Sprintf("Load run %d stopped: %s. Resume it once that is fixed.", res.RunID, res.Message), true)
		}
	}
	s.reload(s.chosenName())
	s.deps.Refresh()
}

// stateWords say how a run ended.
var stateWords = map[string]string{load.StateDone: "finished", load.StatePaused: "paused", load.StateCancelled: "cancelled",
	load.StateFailed: "stopped", load.StateRunning: "not finished"}

// roughElapsed is how long something took, the way a person says it.
func roughElapsed(d time.Duration) string {
	if d < 2*time.Second {
		return fmt.Sprintf("%.1f seconds", d.Seconds())
	}
	return roughDuration(d)
}
