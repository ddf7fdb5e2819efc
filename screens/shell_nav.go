package screens

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/wizard"
)

// What a step needs to get going, said on its page's bottom line while it has not started.
var stepStartHint = map[wizard.StepID]string{
	wizard.Plan:      "Answer the questions marked *; Ferry recommends a strategy from your answers.",
	wizard.Sources:   "Add the old system's export files with Add files…, or drop them on this window.",
	wizard.Audit:     "The audit runs by itself as soon as there is something to audit.",
	wizard.Cleanse:   "Choose a suggestion and Set up… to preview a fix before it changes anything.",
	wizard.Map:       "Choose the new system, then Suggest matches and drag the rest onto fields.",
	wizard.Sample:    "Run a sample load of a fixed tenth of the records.",
	wizard.Parallel:  "Load the checklist for your kind of practice, then set the dates.",
	wizard.Load:      "Start the full load when the sample run has gone well.",
	wizard.Reconcile: "Compare what arrived with what left, then sign the report.",
}

// whatNext is the line beside a step's Next button: where the step stands and what to do, and
// whether the next step can be used yet. high says the step is done and Next is the way on.
func whatNext(st wizard.Status, next *wizard.Status) (line string, importance widget.Importance, high bool) {
	detail := strings.TrimSpace(st.Detail)
	switch {
	case !st.Built:
		line, importance = "Not in this version of Ferry yet.", widget.LowImportance
	case !st.Available:
		line, importance = st.Blocker, widget.WarningImportance
	case st.State == wizard.Done:
		line, importance, high = "✓ Done. "+detail, widget.SuccessImportance, true
	case st.State == wizard.NeedsAttention:
		line, importance = "Needs attention: "+detail, widget.WarningImportance
	case st.State == wizard.InProgress:
		line, importance = "In progress. "+detail, widget.MediumImportance
	default:
		line, importance = stepStartHint[st.ID], widget.MediumImportance
	}
	if next == nil {
		return strings.TrimSpace(line), importance, high
	}
	switch {
	case !next.Built:
		line += " " + next.Title + " is not built yet."
	case !next.Available:
		line += " " + next.Title + ": " + lowerFirst(strings.TrimSuffix(next.Blocker, "."))
		line += "."
	case !high && st.Built && st.Available:
		line += " You can go on and come back to this."
	}
	return strings.TrimSpace(line), importance, high
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// pageNav is the bottom bar of a step's page: Previous, the what-next line, and Next.
type pageNav struct {
	id   wizard.StepID
	line *widget.Label
	next *widget.Button // nil on the last step
}

// updateNav rewrites every built page's what-next line from the statuses.
func (s *Shell) updateNav() {
	for id, n := range s.navs {
		st := s.statusOf(id)
		var next *wizard.Status
		for i, d := range wizard.Defs {
			if d.ID == id && i+1 < len(wizard.Defs) {
				ns := s.statusOf(wizard.Defs[i+1].ID)
				next = &ns
			}
		}
		line, imp, high := whatNext(st, next)
		n.line.SetText(line)
		n.line.Importance = imp
		n.line.Refresh()
		if n.next != nil {
			if high {
				n.next.Importance = widget.HighImportance
			} else {
				n.next.Importance = widget.MediumImportance
			}
			n.next.Refresh()
		}
	}
}

// NextStep shows the step after the one on screen (Ctrl+Page Down, Alt+Right).
func (s *Shell) NextStep() { s.stepBy(1) }

// PreviousStep shows the step before the one on screen (Ctrl+Page Up, Alt+Left).
func (s *Shell) PreviousStep() { s.stepBy(-1) }

func (s *Shell) stepBy(d int) {
	if s.closed.Load() {
		return
	}
	for i, def := range wizard.Defs {
		if def.ID == s.current && i+d >= 0 && i+d < len(wizard.Defs) {
			s.GoTo(wizard.Defs[i+d].ID)
			return
		}
	}
}

// undoable is a step whose latest change Ctrl+Z takes back and Ctrl+Y or Ctrl+Shift+Z does again.
// The shell routes the keys to the step on screen; a focused text field keeps its own undo of typing.
type undoable interface {
	KeyUndo()
	KeyRedo()
}

// Keyboard shortcuts of the wizard; the View and Go menus show the same ones.
var (
	shortcutNextStep     = &desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutPreviousStep = &desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNextAlt      = &desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}
	shortcutPreviousAlt  = &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}
	shortcutRedoShift    = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
)

// addShortcuts registers the wizard's keys on the window: step navigation, and undo/redo sent to
// the step on screen. Registering them once here (not per step) means a step built later cannot
// take over another step's keys.
func (s *Shell) addShortcuts() {
	c := s.win.Canvas()
	next := func(fyne.Shortcut) { s.NextStep() }
	prev := func(fyne.Shortcut) { s.PreviousStep() }
	c.AddShortcut(shortcutNextStep, next)
	c.AddShortcut(shortcutNextAlt, next)
	c.AddShortcut(shortcutPreviousStep, prev)
	c.AddShortcut(shortcutPreviousAlt, prev)
	undo := func(fyne.Shortcut) {
		if u, ok := s.steps[s.current].(undoable); ok && !s.closed.Load() {
			u.KeyUndo()
		}
	}
	redo := func(fyne.Shortcut) {
		if u, ok := s.steps[s.current].(undoable); ok && !s.closed.Load() {
			u.KeyRedo()
		}
	}
	c.AddShortcut(&fyne.ShortcutUndo{}, undo)
	c.AddShortcut(&fyne.ShortcutRedo{}, redo)
	c.AddShortcut(shortcutRedoShift, redo)
}

// dialogKeys makes Escape press an open dialog's dismiss button (Cancel, Close, or the OK of a
// message) and Enter its main, highlighted button (or its only one). Fyne's dialogs take neither
// key by themselves. A text field with the focus keeps Enter and Escape for itself.
func dialogKeys(c fyne.Canvas) {
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch e.Name {
		case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
			if pressDialogButton(c, e.Name == fyne.KeyEscape) {
				return
			}
		}
		if prev != nil {
			prev(e)
		}
	})
}

// pressDialogButton presses the dismiss (escape) or main button of the dialog on top, if any.
func pressDialogButton(c fyne.Canvas, escape bool) bool {
	pop, ok := c.Overlays().Top().(*widget.PopUp)
	if !ok || !pop.Visible() {
		return false
	}
	// A Fyne dialog's content is icon, background, content, buttons and title, in that order.
	box, ok := pop.Content.(*fyne.Container)
	if !ok || len(box.Objects) != 5 {
		return false
	}
	var buttons []*widget.Button
	var collect func(o fyne.CanvasObject)
	collect = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Visible() && !x.Disabled() && x.OnTapped != nil {
				buttons = append(buttons, x)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				collect(c)
			}
		}
	}
	collect(box.Objects[3])
	var pick *widget.Button
	switch {
	case len(buttons) == 1:
		pick = buttons[0]
	case escape:
		for _, b := range buttons {
			if b.Importance != widget.HighImportance && b.Importance != widget.DangerImportance {
				pick = b
				break
			}
		}
	default:
		for _, b := range buttons {
			if b.Importance == widget.HighImportance {
				pick = b
				break
			}
		}
	}
	if pick == nil {
		return false
	}
	pick.OnTapped()
	return true
}

// displayDir is the folder of path as a person reads it: the home folder as ~ (not on Windows,
// where ~ means nothing to most people).
func displayDir(path string) string {
	dir := filepath.Dir(path)
	home, err := os.UserHomeDir()
	if err != nil || home == "" || filepath.Separator == '\\' {
		return dir
	}
	if rel, err := filepath.Rel(home, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		if rel == "." {
			return "~"
		}
		return "~" + string(filepath.Separator) + rel
	}
	return dir
}
