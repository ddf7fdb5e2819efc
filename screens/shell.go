package screens

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// Shell is the wizard around an open project: a sidebar of steps with their status, the current
// step in the middle, and previous/next at the bottom.
type Shell struct {
	win    fyne.Window
	proj   *project.Project
	picker FilePicker
	svc    Services
	onSave func() // Save as…
	onExit func() // Close project

	statuses []wizard.Status
	sidebar  *widget.List
	body     *fyne.Container
	current  wizard.StepID
	pages    map[wizard.StepID]fyne.CanvasObject
	drops    map[wizard.StepID]dropTarget
	steps    map[wizard.StepID]fyne.CanvasObject // each built step's screen (keys are routed to it)
	navs     map[wizard.StepID]*pageNav          // each built page's bottom bar
	closers  []func()
	closed   atomic.Bool

	root fyne.CanvasObject
}

// NewShell builds the wizard for an open project.
func NewShell(w fyne.Window, p *project.Project, picker FilePicker, onSaveAs, onClose func()) *Shell {
	s := &Shell{win: w, proj: p, picker: picker, onSave: onSaveAs, onExit: onClose,
		pages: map[wizard.StepID]fyne.CanvasObject{}, drops: map[wizard.StepID]dropTarget{},
		steps: map[wizard.StepID]fyne.CanvasObject{}, navs: map[wizard.StepID]*pageNav{}}
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { s.Dropped(uris) })
	s.statuses = s.computeStatuses()
	s.sidebar = widget.NewList(
		func() int { return len(s.statuses) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("Reconcile & report")
			title.TextStyle = fyne.TextStyle{Bold: true}
			detail := widget.NewLabel("not started")
			detail.SizeName = theme.SizeNameCaptionText
			detail.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, dotBox(newDot(statusGrey), 12), nil,
				container.New(&tightVBox{}, title, detail))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			st := s.statuses[i]
			b := o.(*fyne.Container)
			texts := b.Objects[0].(*fyne.Container)
			dot := b.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
			title := texts.Objects[0].(*widget.Label)
			detail := texts.Objects[1].(*widget.Label)
			title.SetText(fmt.Sprintf("%d. %s", i+1, st.Title))
			if st.Available {
				title.Importance = widget.MediumImportance
			} else {
				title.Importance = widget.LowImportance
			}
			title.Refresh()
			detail.SetText(sidebarDetail(st))
			dot.FillColor = stateColor(st.State, st.Available && st.Built)
			dot.Refresh()
		},
	)
	s.sidebar.OnSelected = func(i widget.ListItemID) { s.show(s.statuses[i].ID) }
	s.body = container.NewStack()

	name := widget.NewLabel(p.Name())
	name.TextStyle = fyne.TextStyle{Bold: true}
	where := muted(displayDir(p.Path))
	where.Wrapping = fyne.TextWrapOff
	where.Truncation = fyne.TextTruncateEllipsis
	var actions []fyne.CanvasObject
	actions = append(actions, newCustodyBadge(s)) // the chain of custody at a glance (issue 11)
	if p.ReadOnly() {
		badge := widget.NewLabel("View only")
		badge.Importance = widget.WarningImportance
		actions = append(actions, badge)
	}
	saveAs := widget.NewButtonWithIcon("Save as…", theme.DocumentSaveIcon(), func() { s.onSave() })
	if p.ReadOnly() {
		saveAs.Disable()
	}
	actions = append(actions, saveAs, widget.NewButtonWithIcon("Close project", theme.LogoutIcon(), func() { s.onExit() }))
	top := container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.FileIcon()), name), container.NewHBox(actions...), where)
	if w := p.StorageWarning(); w != "" {
		// A network drive or a synced folder: Ferry saves the slower, safer way; the person should know.
		warn := widget.NewLabel(w)
		warn.Importance = widget.WarningImportance
		warn.Wrapping = fyne.TextWrapWord
		top = container.NewVBox(top, warn)
	}

	side := container.NewBorder(
		container.NewVBox(container.NewPadded(widget.NewLabelWithStyle("Migration steps", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))),
		nil, nil, nil, s.sidebar)
	split := container.NewHSplit(side, s.body)
	split.Offset = 0.2
	s.root = container.NewBorder(container.NewVBox(container.NewPadded(top), widget.NewSeparator()), nil, nil, nil, split)
	s.addShortcuts()
	first := 0
	s.sidebar.Select(first)
	return s
}

// Content is the shell's root object.
func (s *Shell) Content() fyne.CanvasObject { return s.root }

// Project implements StepDeps.
func (s *Shell) Project() *project.Project { return s.proj }

// Files implements StepDeps.
func (s *Shell) Files() FilePicker { return s.picker }

// Services implements StepDeps.
func (s *Shell) Services() Services { return s.svc }

// SetServices gives the steps the engine functions cmd wired. Steps are built when first shown,
// so call it right after NewShell.
func (s *Shell) SetServices(svc Services) { s.svc = svc }

// dropTarget is a step that takes files dropped on the window from the file manager.
type dropTarget interface{ Dropped(uris []fyne.URI) }

// Dropped hands files dropped on the window to the step on screen, if it takes files.
func (s *Shell) Dropped(uris []fyne.URI) {
	if s.closed.Load() {
		return
	}
	if d := s.drops[s.current]; d != nil {
		d.Dropped(uris)
	}
}

// ShowError implements StepDeps.
func (s *Shell) ShowError(err error) { showError(s.win, err) }

// Statuses returns the statuses as last computed (tests read them).
func (s *Shell) Statuses() []wizard.Status { return s.statuses }

// Current is the step on screen.
func (s *Shell) Current() wizard.StepID { return s.current }

// Refresh implements StepDeps: status is recomputed from the project file, off the UI goroutine.
func (s *Shell) Refresh() {
	goBackground(func() {
		st := s.computeStatuses()
		if s.closed.Load() {
			return
		}
		uiDo(func() {
			s.statuses = st
			s.sidebar.Refresh()
			s.updateNav()
		})
	})
}

// RefreshNow recomputes statuses synchronously (tests, and right after opening).
func (s *Shell) RefreshNow() {
	s.statuses = s.computeStatuses()
	s.sidebar.Refresh()
	s.updateNav()
}

func (s *Shell) computeStatuses() []wizard.Status {
	st, err := wizard.Steps(context.Background(), s.proj)
	if s.closed.Load() {
		return s.statuses
	}
	if err != nil {
		uiDo(func() { showError(s.win, err) })
		return s.statuses
	}
	return st
}

// GoTo implements StepDeps.
func (s *Shell) GoTo(id wizard.StepID) {
	for i, st := range s.statuses {
		if st.ID == id {
			s.sidebar.Select(i)
			return
		}
	}
}

// OnClose registers something to run before the project closes (flush typed text, stop work).
func (s *Shell) OnClose(fn func()) { s.closers = append(s.closers, fn) }

// Close runs the registered closers.
func (s *Shell) Close() {
	defer s.closed.Store(true)
	for _, fn := range s.closers {
		fn()
	}
	s.closers = nil
}

func (s *Shell) show(id wizard.StepID) {
	s.current = id
	page, ok := s.pages[id]
	if !ok {
		page = s.buildPage(id)
		s.pages[id] = page
	}
	s.body.Objects = []fyne.CanvasObject{page}
	s.body.Refresh()
}

func (s *Shell) statusOf(id wizard.StepID) wizard.Status {
	for _, st := range s.statuses {
		if st.ID == id {
			return st
		}
	}
	return wizard.Status{Def: wizard.DefOf(id)}
}

func (s *Shell) buildPage(id wizard.StepID) fyne.CanvasObject {
	st := s.statusOf(id)
	title := heading(st.Title, 22)
	purpose := wrapped(st.Purpose)
	header := container.NewVBox(title, purpose, widget.NewSeparator())

	var content fyne.CanvasObject
	ctor := stepScreens[id]
	switch {
	case !st.Built || ctor == nil:
		content = notBuilt(st)
	case !st.Available:
		content = notAvailable(s, st)
	default:
		content = ctor(s.win, s)
		s.steps[id] = content
		if d, ok := content.(dropTarget); ok {
			s.drops[id] = d
		}
	}

	idx := 0
	for i, d := range wizard.Defs {
		if d.ID == id {
			idx = i
		}
	}
	var prev, next fyne.CanvasObject = widget.NewLabel(""), widget.NewLabel("")
	pn := &pageNav{id: id, line: widget.NewLabel("")}
	pn.line.Wrapping = fyne.TextWrapWord
	if idx > 0 {
		p := wizard.Defs[idx-1]
		prev = widget.NewButtonWithIcon(p.Title, theme.NavigateBackIcon(), func() { s.GoTo(p.ID) })
	}
	if idx < len(wizard.Defs)-1 {
		n := wizard.Defs[idx+1]
		b := widget.NewButtonWithIcon("Next: "+n.Title, theme.NavigateNextIcon(), func() { s.GoTo(n.ID) })
		b.IconPlacement = widget.ButtonIconTrailingText
		pn.next = b
		next = b
	}
	s.navs[id] = pn
	s.updateNav()
	nav := container.NewBorder(widget.NewSeparator(), nil, container.NewCenter(prev), container.NewCenter(next), pn.line)
	return container.NewPadded(container.NewBorder(header, nav, nil, nil, content))
}

// Rebuild drops cached pages so they are built again (after availability changed).
func (s *Shell) Rebuild() {
	s.pages = map[wizard.StepID]fyne.CanvasObject{}
	s.drops = map[wizard.StepID]dropTarget{}
	s.steps = map[wizard.StepID]fyne.CanvasObject{}
	s.navs = map[wizard.StepID]*pageNav{}
	s.show(s.current)
}

func sidebarDetail(st wizard.Status) string {
	ctor := stepScreens[st.ID]
	switch {
	case !st.Built || ctor == nil:
		return "not built yet"
	case !st.Available:
		return "waiting for " + strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(st.Blocker, "Available once "), " has been started."))
	}
	return st.State.String()
}

// notBuilt says plainly that a step is not in this version; no fake content.
func notBuilt(st wizard.Status) fyne.CanvasObject {
	msg := wrapped("This step is not built yet in this version of Ferry. Nothing here is pretend: when it " +
		"arrives, it will work on the same project file, and everything you have done in earlier steps will carry over.")
	card := widget.NewCard("Coming in a later version", "", msg)
	return container.NewVBox(card)
}

func notAvailable(s *Shell, st wizard.Status) fyne.CanvasObject {
	msg := wrapped(st.Blocker + " Each step builds on what the one before it found, so doing them in order saves rework.")
	var btns []fyne.CanvasObject
	for _, a := range st.After {
		a := a
		b := widget.NewButton("Go to "+wizard.DefOf(a).Title, func() { s.GoTo(a) })
		b.Importance = widget.HighImportance
		btns = append(btns, b)
	}
	return container.NewVBox(widget.NewCard("Not yet", "", container.NewVBox(msg, container.NewHBox(btns...))))
}
