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
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
)

// SampleStep is the Sample run screen: the deterministic 10% with its count per entity and why
// each record is in, records added by hand, the run into a sandbox or the live system with a
// result per record and the error rate per entity, and Clean up sample. Working out the
// selection, the run and the clean-up go on in the background with progress, time left and
// Cancel.
type SampleStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	sel      *sample.Selection
	hand     []sample.Hand
	results  *sampleResults // of the newest sample run, nil before one
	entity   string         // chosen in the table of entities
	rows     []sampleRow    // the chosen entity's picks, as the records table shows them
	passing  string
	selected int

	notice       *notice
	progress     *importPanel
	summary      *widget.Label
	counts       *widget.Table
	records      *widget.Table
	recTitle     *widget.Label
	recDetail    *widget.Label
	notes        *widget.Label
	notesBtn     *widget.Button
	notesRow     *fyne.Container
	handList     *widget.List
	entitySel    *widget.Select
	keyEntry     *widget.Entry
	noteEntry    *widget.Entry
	addBtn       *widget.Button
	runBar       *fyne.Container
	destSel      *widget.Select
	runBtn       *widget.Button
	cleanBtn     *widget.Button
	recomputeBtn *widget.Button
	destByLabel  map[string]load.Destination
	root         fyne.CanvasObject

	jobMu sync.Mutex
	job   *sampleJob
}

// sampleRow is one line of the records table.
type sampleRow struct {
	key, why, status, newID, message string
}

// NewSampleStep builds the Sample run screen.
func NewSampleStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	s := &SampleStep{win: w, deps: deps, p: deps.Project(), readOnly: deps.Project().ReadOnly(), selected: -1,
		destByLabel: map[string]load.Destination{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(s.Close)
	}
	s.ExtendBaseWidget(s)
	s.build()
	s.Recompute()
	return s
}

// CreateRenderer implements fyne.Widget.
func (s *SampleStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(s.root) }

// Close cancels what is running and waits for it, so the project can be closed after it.
func (s *SampleStep) Close() {
	s.jobMu.Lock()
	j := s.job
	s.jobMu.Unlock()
	if j != nil {
		j.cancel()
		select {
		case <-j.done:
		case <-time.After(15 * time.Second):
		}
	}
	s.stop()
}

// countColumns are the columns of the table of entities.
var countColumns = []string{"Entity", "Records", "In sample", "Arrived", "Problems", "Error rate", "Hash", "Finding", "Cleanse", "Pick-list", "Parent", "By hand"}

func (s *SampleStep) build() {
	s.notice = newNotice()
	s.progress = newImportPanel()
	s.summary = wrapped("")
	s.summary.TextStyle = fyne.TextStyle{Bold: true}

	s.counts = labelTable(func() int {
		if s.sel == nil {
			return 1
		}
		return len(s.sel.Entities) + 1
	}, len(countColumns), "Appointment 0000", s.countCell)
	// Each column as wide as its heading (the entity column as a long entity name; In sample as
	// "1,234 · 12.5%"), so nothing is cut.
	for c, h := range countColumns {
		w := textWidth(h, true)
		switch c {
		case 0:
			w = max(w, textWidth("PaymentReconciliation", false))
		case 2:
			w = max(w, textWidth("1,234 · 12.5%", false))
		}
		s.counts.SetColumnWidth(c, w+2*theme.Padding())
	}
	s.counts.OnSelected = func(id widget.TableCellID) {
		if s.sel == nil || id.Row == 0 || id.Row > len(s.sel.Entities) {
			return
		}
		s.showEntity(s.sel.Entities[id.Row-1].Entity)
	}

	s.recTitle = sectionTitle("Records")
	s.records = widget.NewTable(
		func() (int, int) { return len(s.rows) + 1, 5 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: id.Row == 0}
			l.Importance = widget.MediumImportance
			if id.Row == 0 {
				l.SetText([]string{"Legacy key", "Result", "The new system's answer", "Why it is in", "New ID"}[id.Col])
				return
			}
			r := s.rows[id.Row-1]
			txt := []string{r.key, r.status, r.message, r.why, r.newID}[id.Col]
			if id.Col == 1 || id.Col == 2 {
				switch r.status {
				case "rejected", "failed", "invalid":
					l.Importance = widget.DangerImportance
				case "created", "existing", "updated":
					l.Importance = widget.SuccessImportance
				}
			}
			l.SetText(oneLine(txt))
		})
	for c, wd := range []float32{90, 90, 320, 330, 130} {
		s.records.SetColumnWidth(c, wd)
	}
	s.recDetail = wrapped("")
	s.recDetail.SizeName = theme.SizeNameCaptionText
	s.records.OnSelected = func(id widget.TableCellID) {
		if id.Row < 1 || id.Row > len(s.rows) {
			return
		}
		r := s.rows[id.Row-1]
		txt := s.entity + " " + r.key + ": in for " + r.why
		if r.status != "" {
			txt += ". Result: " + r.status
			if r.newID != "" {
				txt += " as " + r.newID
			}
			if r.message != "" {
				txt += ". " + r.message
			}
		}
		s.recDetail.SetText(txt)
	}

	s.notes = wrapped("")
	s.notes.Importance = widget.WarningImportance
	s.notesBtn = widget.NewButtonWithIcon("Details…", theme.InfoIcon(), s.showNotes)
	s.notesBtn.Importance = widget.LowImportance
	s.notesRow = container.NewBorder(nil, nil, nil, s.notesBtn, s.notes)
	s.notesRow.Hide()

	// Add by hand.
	s.entitySel = widget.NewSelect(nil, nil)
	s.entitySel.PlaceHolder = "Kind of record"
	s.keyEntry = widget.NewEntry()
	s.keyEntry.SetPlaceHolder("Legacy key, e.g. 1001")
	s.noteEntry = widget.NewEntry()
	s.noteEntry.SetPlaceHolder("Why (optional)")
	s.addBtn = widget.NewButtonWithIcon("Add to the sample", theme.ContentAddIcon(), s.addByHand)
	s.keyEntry.OnSubmitted = func(string) { s.addByHand() }
	s.handList = widget.NewList(
		func() int { return len(s.hand) },
		func() fyne.CanvasObject {
			rm := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), nil)
			rm.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, nil, rm, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			h := s.hand[i]
			c := o.(*fyne.Container)
			txt := h.Entity + " " + h.Key + " · added by " + h.AddedBy
			if h.Note != "" {
				txt += ": " + h.Note
			}
			c.Objects[0].(*widget.Label).SetText(oneLine(txt))
			rm := c.Objects[1].(*widget.Button)
			rm.OnTapped = func() { s.removeByHand(h) }
			if s.readOnly {
				rm.Disable()
			} else {
				rm.Enable()
			}
		})
	if s.readOnly {
		s.addBtn.Disable()
	}
	handBox := container.NewBorder(
		container.NewVBox(sectionTitle("Added by hand"), container.NewGridWithColumns(2, s.entitySel, s.keyEntry),
			container.NewBorder(nil, nil, nil, s.addBtn, s.noteEntry)),
		nil, nil, nil, s.handList)

	s.runBar = container.NewHBox()
	s.buildRunBar()

	top := container.NewVBox(s.runBar, s.progress.root, s.notice.root, s.summary, s.notesRow)
	countsBox := s.counts
	recordsBox := container.NewBorder(s.recTitle, s.recDetail, nil, nil, s.records)
	lower := container.NewHSplit(recordsBox, handBox)
	lower.Offset = 0.72
	split := container.NewVSplit(countsBox, lower)
	split.Offset = 0.5
	s.root = container.NewBorder(top, nil, nil, nil, split)
}

// countCell is the text of the table of entities at (row, col); row 0 is the header.
func (s *SampleStep) countCell(row, col int, l *widget.Label) string {
	if row == 0 {
		return countColumns[col]
	}
	if s.sel == nil || row > len(s.sel.Entities) {
		return ""
	}
	c := s.sel.Entities[row-1]
	n := func(r sample.Reason) string { return fmtInt(int64(c.ByReason[r])) }
	var er entityResult
	if s.results != nil {
		er = s.results.entities[c.Entity]
	}
	switch countColumns[col] {
	case "Entity":
		return c.Entity
	case "Records":
		return fmtInt(c.Records)
	case "In sample":
		return fmt.Sprintf("%s · %.1f%%", fmtInt(int64(c.Picked)), c.Percent())
	case "Hash":
		return n(sample.ReasonHash)
	case "Finding":
		return n(sample.ReasonFinding)
	case "Cleanse":
		return n(sample.ReasonCleanse)
	case "Pick-list":
		return n(sample.ReasonPicklist)
	case "Parent":
		return n(sample.ReasonParent)
	case "By hand":
		return n(sample.ReasonManual)
	}
	if s.results == nil {
		return "–"
	}
	switch countColumns[col] {
	case "Arrived":
		return fmtInt(er.accepted)
	case "Problems":
		if er.problems > 0 {
			l.Importance = widget.DangerImportance
		}
		return fmtInt(er.problems)
	case "Error rate":
		if er.total == 0 {
			return "–"
		}
		rate := 100 * float64(er.problems) / float64(er.total)
		if rate > 0 {
			l.Importance = widget.DangerImportance
		}
		return fmt.Sprintf("%.1f%%", rate)
	}
	return ""
}

// Selection is the selection shown (nil until worked out).
func (s *SampleStep) Selection() *sample.Selection { return s.sel }

// Busy says whether something runs in the background.
func (s *SampleStep) Busy() bool {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	return s.job != nil
}

// sampleJob is one piece of background work with progress, time left and Cancel.
type sampleJob struct {
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	started   time.Time
	cancelled atomic.Bool

	mu    sync.Mutex
	title string
	n     int64 // done so far
	total int64
	unit  string

	state selectionState // what Recompute read
	err   error
}

func (j *sampleJob) set(title string, done, total int64) {
	j.mu.Lock()
	j.title, j.n, j.total = title, done, total
	j.mu.Unlock()
}

// start runs work in the background with the progress panel; finish runs on the UI goroutine
// afterwards. Nothing starts while another job runs.
func (s *SampleStep) start(title, unit string, work func(j *sampleJob) error, finish func(j *sampleJob, err error)) bool {
	s.jobMu.Lock()
	if s.job != nil {
		s.jobMu.Unlock()
		return false
	}
	j := &sampleJob{done: make(chan struct{}), started: time.Now(), title: title, unit: unit}
	j.ctx, j.cancel = context.WithCancel(s.ctx)
	s.job = j
	s.jobMu.Unlock()

	p := s.progress
	p.cancelB.OnTapped = func() {
		j.cancelled.Store(true)
		j.cancel()
		p.cancelB.Disable()
		p.cancelB.SetText("Cancelling…")
	}
	p.cancelB.Enable()
	p.cancelB.SetText("Cancel")
	p.bar.SetValue(0)
	p.title.SetText(title)
	p.detail.SetText("Starting…")
	p.root.Show()
	s.setBusy(true)
	ticker := time.NewTicker(progressEvery)
	goBackground(func() {
		defer ticker.Stop()
		for {
			select {
			case <-j.done:
				return
			case <-ticker.C:
				uiDo(func() { s.updateProgress(j) })
			}
		}
	})
	goBackground(func() {
		err := work(j)
		s.jobMu.Lock()
		s.job = nil
		s.jobMu.Unlock()
		close(j.done)
		uiDo(func() {
			s.progress.stop()
			s.setBusy(false)
			if s.ctx.Err() != nil {
				return
			}
			finish(j, err)
		})
	})
	return true
}

func (s *SampleStep) updateProgress(j *sampleJob) {
	if j.cancelled.Load() {
		return
	}
	j.mu.Lock()
	title, done, total, unit := j.title, j.n, j.total, j.unit
	j.mu.Unlock()
	s.progress.title.SetText(title)
	if total <= 0 {
		s.progress.detail.SetText("Starting…")
		return
	}
	s.progress.bar.SetValue(math.Min(1, float64(done)/float64(total)))
	parts := []string{fmt.Sprintf("%s of %s", fmtInt(done), plural64(total, unit, unit+"s"))}
	parts = append(parts, rateAndTimeLeft(done, done, total, time.Since(j.started))...)
	s.progress.detail.SetText(strings.Join(parts, " · "))
}

func (s *SampleStep) setBusy(on bool) {
	if on {
		for _, b := range s.actionButtons() {
			b.Disable()
		}
		return
	}
	s.updateButtons()
}

// selectionState is what Recompute reads in the background.
type selectionState struct {
	sel     *sample.Selection
	hand    []sample.Hand
	results *sampleResults
	passing string
}

// Recompute works out the selection again (after a change in the project or by hand).
func (s *SampleStep) Recompute() {
	s.start("Working out the sample", "record", func(j *sampleJob) error {
		var st selectionState
		sel, err := sample.Select(j.ctx, s.p, sample.Options{Progress: func(pr sample.Progress) {
			j.set("Working out the sample: reading "+pr.Entity, pr.Done, pr.Total)
		}})
		if err != nil {
			return err
		}
		st.sel = sel
		if st.hand, err = sample.Manual(j.ctx, s.p); err != nil {
			return err
		}
		st.results, st.passing, err = s.readResults(j.ctx)
		if err != nil {
			return err
		}
		j.state = st
		return nil
	}, func(j *sampleJob, err error) {
		switch {
		case err != nil && j.cancelled.Load():
			s.notice.show("Stopped working out the sample. Open the step again to see it.", true)
		case errors.Is(err, sample.ErrNoFeed):
			s.summary.SetText("Nothing is mapped yet: map at least one kind of record in the Map step, then come back.")
		case err != nil:
			s.deps.ShowError(fmt.Errorf("working out the sample: %w", err))
		default:
			s.apply(j.state)
		}
	})
}

func (s *SampleStep) apply(st selectionState) {
	s.sel, s.hand, s.results, s.passing = st.sel, st.hand, st.results, st.passing
	sel := s.sel
	var records int64
	for _, c := range sel.Entities {
		records += c.Records
	}
	text := fmt.Sprintf("%s of %s in the sample: %.0f%% chosen by each record's legacy key (the same records every time), "+
		"plus a record for every audit finding, cleanse operation and pick-list value, and the parents of them all.",
		fmtInt(int64(sel.Total())), plural64(records, "record", "records"), sel.Percent)
	if s.passing != "" {
		text += "\n" + s.passing
	}
	s.summary.SetText(text)
	gone := 0
	for _, st := range sel.Strata {
		if st.Key == "" && strings.Contains(st.Note, "taken out") {
			gone++
		}
	}
	var line []string
	line = append(line, sel.Notes...)
	if gone > 0 {
		line = append(line, fmt.Sprintf("%s stand for no record: their rows were all purged in Cleanse, so nothing of them is loaded.",
			plural64(int64(gone), "finding or operation", "findings or operations")))
	}
	if len(line) > 0 {
		s.notes.SetText(strings.Join(line, " "))
		s.notesRow.Show()
	} else {
		s.notesRow.Hide()
	}
	var names []string
	for _, c := range sel.Entities {
		names = append(names, c.Entity)
	}
	s.entitySel.Options = names
	s.entitySel.Refresh()
	s.counts.Refresh()
	s.handList.Refresh()
	entity := s.entity
	if entity == "" && len(names) > 0 {
		entity = names[0]
	}
	s.showEntity(entity)
	s.updateButtons()
}

// showEntity lists the entity's picks with why each is in and, after a run, its result.
func (s *SampleStep) showEntity(entity string) {
	s.entity = entity
	s.rows = s.rows[:0]
	if s.sel != nil {
		for _, pk := range s.sel.Picks {
			if pk.Entity != entity {
				continue
			}
			r := sampleRow{key: pk.Key, why: pk.Reasons()}
			if s.results != nil {
				if rr, ok := s.results.records[entity+"\x00"+pk.Key]; ok {
					r.status, r.newID, r.message = rr.Status, rr.NewID, rr.Error
				} else {
					r.status = "not in that run"
				}
			}
			s.rows = append(s.rows, r)
		}
	}
	sort.SliceStable(s.rows, func(i, j int) bool { return problemFirst(s.rows[i].status) < problemFirst(s.rows[j].status) })
	s.recTitle.SetText(fmt.Sprintf("%s in the sample: %s (problems first)", entity, plural64(int64(len(s.rows)), "record", "records")))
	s.records.Refresh()
	s.records.ScrollToTop()
	s.records.UnselectAll()
	s.recDetail.SetText("Choose a record to read why it is in and the new system's answer in full.")
}

func problemFirst(status string) int {
	switch status {
	case "rejected", "failed", "invalid":
		return 0
	}
	return 1
}

// RecordRows is the records table's rows (tests).
func (s *SampleStep) RecordRows() []sampleRow { return s.rows }

func (s *SampleStep) addByHand() {
	entity, key, note := s.entitySel.Selected, strings.TrimSpace(s.keyEntry.Text), strings.TrimSpace(s.noteEntry.Text)
	if entity == "" || key == "" {
		s.notice.show("Choose the kind of record and type its legacy key (as the old system shows it).", true)
		return
	}
	s.addBtn.Disable()
	goBackground(func() {
		err := sample.Add(s.ctx, s.p, entity, key, note)
		uiDo(func() {
			if !s.readOnly {
				s.addBtn.Enable()
			}
			if err != nil {
				if errors.Is(err, sample.ErrNoRecord) {
					s.notice.show(fmt.Sprintf("No %s has the legacy key %q: check the key as the old system shows it.", entity, key), true)
					return
				}
				s.deps.ShowError(err)
				return
			}
			s.keyEntry.SetText("")
			s.noteEntry.SetText("")
			s.notice.show(fmt.Sprintf("%s %s is in every sample from now on, with the records it refers to.", entity, key), false)
			s.entity = entity
			s.deps.Refresh()
			s.Recompute()
		})
	})
}

func (s *SampleStep) removeByHand(h sample.Hand) {
	dialog.ShowConfirm("Take it out of the sample?",
		fmt.Sprintf("%s %s was added by hand. Take it out? It stays in if it is in the sample for another reason.", h.Entity, h.Key),
		func(ok bool) {
			if !ok {
				return
			}
			goBackground(func() {
				err := sample.Remove(s.ctx, s.p, h.Entity, h.Key)
				uiDo(func() {
					if err != nil {
						s.deps.ShowError(err)
						return
					}
					s.notice.show(fmt.Sprintf("%s %s is no longer added by hand.", h.Entity, h.Key), false)
					s.Recompute()
				})
			})
		}, s.win)
}

// showNotes lists every finding, operation and pick-list value with the record standing for it
// (or why none does).
func (s *SampleStep) showNotes() {
	if s.sel == nil {
		return
	}
	var b strings.Builder
	for _, n := range s.sel.Notes {
		b.WriteString(n + "\n\n")
	}
	for _, st := range s.sel.Strata {
		if st.Reason == sample.ReasonPicklist {
			continue
		}
		who := st.Entity + " " + st.Key
		if st.Key == "" {
			who = "no record"
		}
		ref := ""
		if st.Ref != 0 {
			ref = fmt.Sprintf(" %d", st.Ref)
		}
		fmt.Fprintf(&b, "%s%s: %s\n    → %s", st.Reason, ref, oneLine(st.Detail), who)
		if st.Note != "" {
			b.WriteString(" (" + st.Note + ")")
		}
		b.WriteString("\n")
	}
	txt := widget.NewLabel(b.String())
	txt.Wrapping = fyne.TextWrapWord
	sc := container.NewVScroll(txt)
	sc.SetMinSize(fyne.NewSize(900, 520))
	dialog.ShowCustom("What the sample stands for", "Close", sc, s.win)
}

// textWidth is how wide a label showing the text is.
func textWidth(s string, bold bool) float32 {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold}).MinSize().Width
}
