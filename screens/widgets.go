package screens

import (
	"errors"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/advice"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// stateColor is the dot colour of a step state.
func stateColor(s wizard.State, available bool) color.Color {
	if !available {
		return statusGrey
	}
	switch s {
	case wizard.InProgress:
		return statusBlue
	case wizard.Done:
		return statusGreen
	case wizard.NeedsAttention:
		return statusOrange
	}
	return statusGrey
}

// newDot is a small filled circle.
func newDot(c color.Color) *canvas.Circle {
	d := canvas.NewCircle(c)
	d.StrokeWidth = 0
	return d
}

// dotBox centres a fixed-size dot.
func dotBox(d *canvas.Circle, size float32) fyne.CanvasObject {
	holder := container.NewGridWrap(fyne.NewSize(size, size), d)
	return container.NewCenter(holder)
}

// heading is a large bold title.
func heading(text string, size float32) *themedText {
	return newThemedText(text, size, true, theme.ColorNameForeground)
}

// wrapped is a word-wrapped label.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// muted is small secondary text, readable in light and dark themes.
func muted(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// note is secondary text in the placeholder colour: quieter than a label, still readable.
func note(text string) *widget.RichText {
	r := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText, Inline: true}})
	r.Wrapping = fyne.TextWrapWord
	return r
}

// showError shows err once, in words a practice manager understands, with what to do next.
func showError(w fyne.Window, err error) {
	if err == nil {
		return
	}
	title, body := describeError(err)
	d := dialog.NewCustom(title, "OK", container.NewVBox(wrapped(body)), w)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}

// describeError splits an error into a short title and a body with advice.
func describeError(err error) (string, string) {
	hint := advice.For(err)
	title := "Something went wrong"
	switch {
	case errors.Is(err, project.ErrNotFerry):
		title = "Not a Ferry project"
	case errors.Is(err, project.ErrNewerVersion):
		title = "Made by a newer Ferry"
	case errors.Is(err, project.ErrLocked):
		title = "Project already open"
	case errors.Is(err, project.ErrDamaged):
		title = "Project file damaged"
	case errors.Is(err, project.ErrReadOnly):
		title = "View only"
	case errors.Is(err, project.ErrExists):
		title = "File already exists"
	case errors.Is(err, project.ErrNotFound):
		title = "Project not found"
	case errors.Is(err, staging.ErrNameTaken), errors.Is(err, staging.ErrBadName):
		title = "Choose another name"
	case errors.Is(err, staging.ErrNothing):
		title = "Nothing to import"
	case errors.Is(err, staging.ErrTooWide):
		title = "Too many columns"
	case errors.Is(err, staging.ErrNoTable), errors.Is(err, staging.ErrNoColumn):
		title = "Not in the project"
	}
	body := err.Error()
	if hint != "" {
		body = hint + "\n\nDetails: " + body
	}
	return title, strings.TrimSpace(body)
}

// debouncer runs the latest fn for each key after a quiet period; Flush runs pending ones now.
// Used so that what a person types is saved as typed without a write per keystroke.
type debouncer struct {
	mu      sync.Mutex
	delay   time.Duration
	pending map[string]*time.Timer
	fns     map[string]func()
}

func newDebouncer(d time.Duration) *debouncer {
	return &debouncer{delay: d, pending: map[string]*time.Timer{}, fns: map[string]func(){}}
}

func (d *debouncer) Call(key string, fn func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.pending[key]; t != nil {
		t.Stop()
	}
	d.fns[key] = fn
	d.pending[key] = time.AfterFunc(d.delay, func() { d.run(key) })
}

func (d *debouncer) run(key string) {
	d.mu.Lock()
	fn := d.fns[key]
	delete(d.fns, key)
	delete(d.pending, key)
	d.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// Flush runs every pending call now, on the caller's goroutine.
func (d *debouncer) Flush() {
	d.mu.Lock()
	keys := make([]string, 0, len(d.pending))
	for k, t := range d.pending {
		t.Stop()
		keys = append(keys, k)
	}
	d.mu.Unlock()
	for _, k := range keys {
		d.run(k)
	}
}

// tightVBox stacks objects vertically with no padding between them (title over caption).
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - 2*theme.Padding()
	}
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y-theme.Padding()))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - 2*theme.Padding()
	}
}

// labelTable is a table of plain labels with a bold heading row: rows gives the row count
// (heading included), widest is a text as wide as the widest cell (for the template), and
// cell sets a cell's text (and may change its label's importance).
func labelTable(rows func() int, cols int, widest string, cell func(row, col int, l *widget.Label) string) *widget.Table {
	return widget.NewTable(
		func() (int, int) { return rows(), cols },
		func() fyne.CanvasObject {
			l := widget.NewLabel(widest)
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: id.Row == 0}
			l.Importance = widget.MediumImportance
			l.SetText(cell(id.Row, id.Col, l))
		})
}
