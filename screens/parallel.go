package screens

import (
	"context"
	"fmt"
	"image/color"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/parallel"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

// ParallelStep is the Parallel run screen: a strip with the run's start, days elapsed, time box
// and what blocks go-live; the checklist (grouped, with an editor for the chosen item: owner, due
// date, status, notes, evidence, sign-off); and the daily comparisons of the old and new systems'
// same-day reports with their trend. Text is saved as typed; every status change, sign-off and
// attached file goes to the custody log through the engine.
type ParallelStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc
	saver    *debouncer
	now      func() time.Time

	ov   *parallel.Overview
	plan plan.Plan

	notice *notice
	strip  *runStrip
	tabs   *container.AppTabs
	clTab  *container.TabItem
	cmpTab *container.TabItem
	cl     *checklistView
	cmp    *compareView
	root   fyne.CanvasObject
}

// NewParallelStep builds the Parallel run screen. The first time it opens on a project, the
// checklist template for the plan's kind of practice is loaded.
func NewParallelStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	ps := &ParallelStep{win: w, deps: deps, p: deps.Project(), readOnly: deps.Project().ReadOnly(),
		saver: newDebouncer(400 * time.Millisecond), now: time.Now}
	ps.ctx, ps.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(ps.Close)
	}
	ps.ExtendBaseWidget(ps)
	if !ps.readOnly {
		if loaded, err := checklist.EnsureTemplate(ps.ctx, ps.p); err != nil {
			deps.ShowError(err)
		} else if loaded {
			deps.Refresh()
		}
	}
	ps.build()
	ps.reload()
	return ps
}

// CreateRenderer implements fyne.Widget.
func (ps *ParallelStep) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(ps.root)
}

// Close saves what is still being typed and stops background work.
func (ps *ParallelStep) Close() {
	ps.saver.Flush()
	ps.stop()
}

// Flush saves pending text edits now (tests; closing the project does it too).
func (ps *ParallelStep) Flush() { ps.saver.Flush() }

func (ps *ParallelStep) build() {
	ps.notice = newNotice()
	ps.strip = newRunStrip(ps)
	ps.cl = newChecklistView(ps)
	ps.cmp = newCompareView(ps)
	ps.clTab = container.NewTabItemWithIcon("Checklist", theme.ConfirmIcon(), ps.cl.root)
	ps.cmpTab = container.NewTabItemWithIcon("Daily comparisons", theme.ListIcon(), ps.cmp.root)
	ps.tabs = container.NewAppTabs(ps.clTab, ps.cmpTab)
	ps.root = container.NewBorder(container.NewVBox(ps.strip.root, ps.notice.root), nil, nil, nil, ps.tabs)
}

// reload reads everything again from the project and shows it.
func (ps *ParallelStep) reload() {
	ov, err := parallel.Load(ps.ctx, ps.p, ps.now())
	if err != nil {
		ps.deps.ShowError(err)
		return
	}
	pl, err := plan.Load(ps.ctx, ps.p)
	if err != nil {
		pl = plan.Plan{}
	}
	ps.ov, ps.plan = ov, pl
	ps.strip.update()
	ps.cl.update()
	ps.cmp.update()
}

// changed is called after the engine changed the project: show it, update the sidebar.
func (ps *ParallelStep) changed(err error) bool {
	if err != nil {
		ps.deps.ShowError(err)
		ps.reload()
		return false
	}
	ps.reload()
	ps.deps.Refresh()
	return true
}

// Dropped implements the shell's drop target: files dropped on the window are attached as
// evidence to the checklist item being edited.
func (ps *ParallelStep) Dropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u != nil && u.Scheme() == "file" {
			if st, err := os.Stat(u.Path()); err == nil && st.Mode().IsRegular() {
				paths = append(paths, u.Path())
			}
		}
	}
	if len(paths) == 0 {
		return
	}
	if ps.tabs.Selected() != ps.clTab || ps.cl.item() == nil {
		ps.notice.show("To keep files as evidence, choose a checklist item first, then drop them on the window.", true)
		return
	}
	ps.cl.attach(paths)
}

// exportDialog saves the checklist and comparisons as an Excel workbook.
func (ps *ParallelStep) exportDialog() {
	suggested := filepath.Join(filepath.Dir(ps.p.Path), ps.p.Name()+" parallel run.xlsx")
	ps.deps.Files().Save("Export the parallel run to Excel", suggested, []Filter{{Name: "Excel workbooks", Exts: []string{".xlsx"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				ps.deps.ShowError(err)
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), ".xlsx") {
				path += ".xlsx"
			}
			p := ps.p
			goBackground(func() {
				err := parallel.ExportFile(ps.ctx, p, path)
				uiDo(func() {
					if err != nil {
						ps.deps.ShowError(err)
						return
					}
					ps.notice.show("Exported the checklist, the comparisons and their differences to "+filepath.Base(path)+".", false)
				})
			})
		})
}

// templateDialog adds the items of a kind of practice's template that the checklist lacks.
func (ps *ParallelStep) templateDialog() {
	f, _ := plan.FieldByKey("practice_type")
	kinds := append([]string(nil), f.Options...)
	sel := widget.NewSelect(kinds, nil)
	sel.SetSelected(ps.plan["practice_type"])
	if sel.Selected == "" {
		sel.SetSelected("other")
	}
	msg := wrapped("Ferry adds the template's items that this checklist does not have yet, including any you deleted. " +
		"Nothing you added or changed is touched.")
	d := dialog.NewForm("Add items from a template", "Add items", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Kind of practice", sel), widget.NewFormItem("", msg)}, func(ok bool) {
			if !ok {
				return
			}
			n, err := checklist.ApplyTemplate(ps.ctx, ps.p, sel.Selected)
			if ps.changed(err) {
				ps.notice.show(fmt.Sprintf("Added %s from the %s template.", countOf(n, "item", "items"), sel.Selected), false)
			}
		}, ps.win)
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
}

func countOf(n int, one, many string) string { return plural64(int64(n), one, many) }

// openEvidence writes an attached file to a temporary folder and opens it with the system's viewer.
func (ps *ParallelStep) openEvidence(id int64) {
	ev, data, err := checklist.EvidenceData(ps.ctx, ps.p, id)
	if err != nil {
		ps.deps.ShowError(err)
		return
	}
	dir, err := os.MkdirTemp("", "ferry-evidence-")
	if err != nil {
		ps.deps.ShowError(err)
		return
	}
	path := filepath.Join(dir, ev.Name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		ps.deps.ShowError(err)
		return
	}
	u, _ := url.Parse("file://" + filepath.ToSlash(path))
	if a := fyne.CurrentApp(); a != nil {
		if err := a.OpenURL(u); err != nil {
			ps.deps.ShowError(fmt.Errorf("opening %s: %w", ev.Name, err))
		}
	}
}

// saveEvidence writes an attached file where the person chooses.
func (ps *ParallelStep) saveEvidence(id int64) {
	ev, data, err := checklist.EvidenceData(ps.ctx, ps.p, id)
	if err != nil {
		ps.deps.ShowError(err)
		return
	}
	ps.deps.Files().Save("Save a copy of "+ev.Name, filepath.Join(filepath.Dir(ps.p.Path), ev.Name), nil, func(path string, err error) {
		if err != nil || path == "" {
			ps.deps.ShowError(err)
			return
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			ps.deps.ShowError(fmt.Errorf("saving %s: %w", filepath.Base(path), err))
			return
		}
		ps.notice.show("Saved a copy of "+ev.Name+" as "+path+".", false)
	})
}

// pickDate shows a calendar under an entry and puts the chosen day in it.
func pickDateFor(win fyne.Window, e *widget.Entry) {
	if win == nil {
		return
	}
	start := time.Now()
	if t, err := time.Parse(checklist.DateLayout, strings.TrimSpace(e.Text)); err == nil {
		start = t
	} else if len(e.Text) >= 10 {
		if t, err := time.Parse(checklist.DateLayout, e.Text[:10]); err == nil {
			start = t
		}
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		day := t.Format(checklist.DateLayout)
		if rest := strings.TrimSpace(e.Text); len(rest) > 10 {
			day += rest[10:] // keep a time of day
		}
		e.SetText(day)
		pop.Hide()
	})
	pop = widget.NewPopUp(cal, win.Canvas())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(0, e.Size().Height)))
}

// runStrip is the band at the top: start date, days elapsed, time box, blockers.
type runStrip struct {
	ps   *ParallelStep
	root fyne.CanvasObject

	start      *widget.Entry
	startToday *widget.Button
	dates      *widget.Label
	days       *canvas.Text
	daysNote   *widget.Label
	bar        *thinBar
	timeBox    *widget.Entry
	blockers   *canvas.Text
	blockNote  *widget.Label
	showBlocks *widget.Button
	overstay   *widget.Label
	busy       bool // fields are being set from the project, not typed
	startDirty bool // typed and not saved yet: the project's value must not overwrite it
	boxDirty   bool
}

func newRunStrip(ps *ParallelStep) *runStrip {
	s := &runStrip{ps: ps}
	s.start = widget.NewEntry()
	s.start.SetPlaceHolder("YYYY-MM-DD")
	s.start.Validator = func(v string) error {
		if v == "" {
			return nil
		}
		if _, err := time.Parse(checklist.DateLayout, v); err != nil {
			return fmt.Errorf("write the date as YYYY-MM-DD")
		}
		return nil
	}
	s.start.OnChanged = func(v string) {
		if s.busy || ps.readOnly {
			return
		}
		if _, err := time.Parse(checklist.DateLayout, v); err != nil && v != "" {
			return
		}
		s.startDirty = true
		ps.saver.Call("parallel.start", func() {
			err := checklist.SetStart(ps.ctx, ps.p, v)
			uiDo(func() {
				s.startDirty = false
				if ps.ctx.Err() == nil {
					ps.changed(err)
				}
			})
		})
	}
	s.start.ActionItem = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { pickDateFor(ps.win, s.start) })
	s.startToday = widget.NewButton("Start today", func() {
		s.start.SetText(ps.now().Format(checklist.DateLayout))
		ps.saver.Flush()
	})
	s.startToday.Importance = widget.HighImportance
	s.dates = caption("")

	s.days = canvas.NewText("—", theme.Color(theme.ColorNameForeground))
	s.days.TextSize = 24
	s.days.TextStyle = fyne.TextStyle{Bold: true}
	s.daysNote = caption("")
	s.bar = newThinBar()

	s.timeBox = widget.NewEntry()
	s.timeBox.Validator = func(v string) error {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 || n > 366 {
			return fmt.Errorf("a number of days, 1 to 366")
		}
		return nil
	}
	s.timeBox.OnChanged = func(v string) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if s.busy || ps.readOnly || err != nil || n < 1 || n > 366 {
			return
		}
		s.boxDirty = true
		ps.saver.Call("parallel.time_box", func() {
			err := checklist.SetTimeBox(ps.ctx, ps.p, n)
			uiDo(func() {
				s.boxDirty = false
				if ps.ctx.Err() == nil {
					ps.changed(err)
				}
			})
		})
	}

	s.blockers = canvas.NewText("0", theme.Color(theme.ColorNameForeground))
	s.blockers.TextSize = 24
	s.blockers.TextStyle = fyne.TextStyle{Bold: true}
	s.blockNote = caption("")
	s.showBlocks = widget.NewButton("Show", func() {
		ps.tabs.Select(ps.clTab)
		ps.cl.filter.SetSelected(filterBlocking)
	})
	s.showBlocks.Importance = widget.LowImportance

	s.overstay = wrapped("")
	s.overstay.Importance = widget.WarningImportance
	s.overstay.Hide()

	if ps.readOnly {
		s.start.Disable()
		s.startToday.Disable()
		s.timeBox.Disable()
	}

	exportBtn := widget.NewButtonWithIcon("Export to Excel…", theme.DocumentSaveIcon(), ps.exportDialog)
	tplBtn := widget.NewButtonWithIcon("Template items…", theme.ContentAddIcon(), ps.templateDialog)
	if ps.readOnly {
		tplBtn.Disable()
	}

	startTile := tile("Parallel run started", container.NewBorder(nil, nil, nil, s.startToday, s.start), s.dates)
	daysTile := tile("Days elapsed", container.NewBorder(nil, nil, s.days, nil, container.NewCenter(container.New(&minWidth{Width: 110}, s.bar))), s.daysNote)
	boxTile := tile("Time box", container.NewBorder(nil, nil, nil, widget.NewLabel("days"), s.timeBox),
		caption("At least one full billing cycle."))
	blockTile := tile("Blocking go-live", container.NewBorder(nil, nil, s.blockers, s.showBlocks), s.blockNote)
	// The start tile holds a date and a button: it gets the most room, the time box the least.
	tiles := container.New(&weightedRow{weights: []float32{1.5, 1, 0.8, 1}}, startTile, daysTile, boxTile, blockTile)
	actions := container.NewVBox(exportBtn, tplBtn)
	s.root = container.NewVBox(container.NewBorder(nil, nil, nil, actions, tiles), s.overstay)
	return s
}

func (s *runStrip) update() {
	ps := s.ps
	c, sum := ps.ov.Checklist, ps.ov.Summary
	s.busy = true
	if s.start.Text != c.Settings.Start && !s.startDirty {
		s.start.SetText(c.Settings.Start)
	}
	if tb := strconv.Itoa(sum.TimeBox); s.timeBox.Text != tb && !s.boxDirty {
		s.timeBox.SetText(tb)
	}
	s.busy = false
	if c.Settings.Start == "" && !ps.readOnly {
		s.startToday.Show()
	} else {
		s.startToday.Hide()
	}
	var dates []string
	if v := ps.plan["data_freeze"]; v != "" {
		dates = append(dates, "Freeze "+shortDue(v))
	}
	if v := ps.plan["go_live"]; v != "" {
		dates = append(dates, "go-live "+shortDue(v))
	}
	if len(dates) == 0 {
		s.dates.SetText("Set the freeze and go-live dates in the Plan.")
	} else {
		s.dates.SetText(strings.Join(dates, " · "))
	}

	fg := theme.Color(theme.ColorNameForeground)
	switch {
	case !sum.Started:
		s.days.Text, s.days.Color = "—", theme.Color(theme.ColorNamePlaceHolder)
		s.daysNote.SetText("Not started yet.")
		s.bar.SetValue(0, statusBlue)
		s.overstay.Hide()
	case sum.OverTimeBox:
		s.days.Text, s.days.Color = strconv.Itoa(sum.DaysElapsed), statusOrange
		s.daysNote.SetText(fmt.Sprintf("%s past the %d-day time box.", countOf(sum.DaysOver, "day", "days"), sum.TimeBox))
		s.bar.SetValue(1, statusOrange)
		s.overstay.SetText(fmt.Sprintf("The parallel run has gone %s past its time box. Decide with the owner: clear what blocks "+
			"go-live, extend the time box on purpose, or roll back. Running two systems for longer than planned tires staff and invites "+
			"entries in the wrong one.", countOf(sum.DaysOver, "day", "days")))
		s.overstay.Show()
	default:
		s.days.Text, s.days.Color = strconv.Itoa(sum.DaysElapsed), fg
		left := sum.TimeBox - sum.DaysElapsed
		s.daysNote.SetText(fmt.Sprintf("of %d; %s left.", sum.TimeBox, countOf(left, "day", "days")))
		s.bar.SetValue(float32(sum.DaysElapsed)/float32(max(sum.TimeBox, 1)), statusBlue)
		s.overstay.Hide()
	}
	s.days.Refresh()

	n := len(sum.Blockers)
	s.blockers.Text = strconv.Itoa(n)
	signs := 0
	for _, b := range sum.Blockers {
		if b.Item.Kind == checklist.SignOff {
			signs++
		}
	}
	switch {
	case sum.Total == 0:
		s.blockers.Color = theme.Color(theme.ColorNamePlaceHolder)
		s.blockNote.SetText("No checklist yet.")
		s.showBlocks.Hide()
	case n == 0:
		s.blockers.Color = statusGreen
		s.blockNote.SetText("Nothing blocks go-live.")
		s.showBlocks.Hide()
	default:
		s.blockers.Color = theme.Color(theme.ColorNameError)
		s.blockNote.SetText(fmt.Sprintf("%s to do, %s", countOf(n-signs, "item", "items"), countOf(signs, "sign-off", "sign-offs")))
		s.showBlocks.Show()
	}
	s.blockers.Refresh()
}

// tile is one of the strip's boxes: a caption, the value, a note, on a quiet background.
func tile(title string, value, noteObj fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	t := widget.NewLabel(title)
	t.SizeName = theme.SizeNameCaptionText
	t.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewPadded(container.New(&tightVBox{}, t, value, noteObj)))
}

// caption is one line of small text that never widens its container.
func caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// thinBar is a slim progress bar: how much of the time box has gone.
type thinBar struct {
	widget.BaseWidget
	value float32
	fill  color.Color
}

func newThinBar() *thinBar {
	b := &thinBar{fill: statusBlue}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue shows v (0 to 1) in colour c.
func (b *thinBar) SetValue(v float32, c color.Color) {
	b.value, b.fill = min(max(v, 0), 1), c
	b.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (b *thinBar) CreateRenderer() fyne.WidgetRenderer {
	track := canvas.NewRectangle(theme.Color(theme.ColorNameInputBorder))
	track.CornerRadius = 3
	fill := canvas.NewRectangle(b.fill)
	fill.CornerRadius = 3
	return &thinBarRenderer{b: b, track: track, fill: fill}
}

type thinBarRenderer struct {
	b           *thinBar
	track, fill *canvas.Rectangle
}

func (r *thinBarRenderer) Layout(s fyne.Size) {
	r.track.Resize(s)
	r.fill.Resize(fyne.NewSize(s.Width*r.b.value, s.Height))
}
func (r *thinBarRenderer) MinSize() fyne.Size { return fyne.NewSize(40, 6) }
func (r *thinBarRenderer) Refresh() {
	r.fill.FillColor = r.b.fill
	r.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}
func (r *thinBarRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.fill} }
func (r *thinBarRenderer) Destroy()                     {}

// statusColor is the dot colour of a checklist status.
func statusColor(s checklist.Status) color.Color {
	switch s {
	case checklist.Done:
		return statusGreen
	case checklist.InProgress:
		return statusBlue
	case checklist.Blocked:
		return theme.Color(theme.ColorNameError)
	case checklist.NotApplicable:
		return theme.Color(theme.ColorNameDisabled)
	}
	return statusGrey
}
