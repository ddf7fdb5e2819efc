package screens

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// Drag and drop between widgets is not built into Fyne 2.7, so the canvas does it by hand: each
// source column row is a fyne.Draggable. While it is dragged the canvas keeps the pointer's
// position in window coordinates (the real driver fills DragEvent.AbsolutePosition; Fyne's test
// driver does not, and its one Dragged call carries the start in Position and the whole move in
// Dragged, so the point is then the row's absolute position plus both). DragEnd carries no
// position, so the last point is remembered; on DragEnd the field row whose bounds contain it,
// inside the visible part of the scroll, gets the column. While dragging, a ghost follows the
// pointer and the field under it is highlighted.

// mapGutter is the space between the columns and the fields where the connecting lines run.
const mapGutter float32 = 44

// mapCanvas is the Fields tab's drawing: the entity's source columns on the left, its fields on
// the right, a line for every connection.
type mapCanvas struct {
	widget.BaseWidget
	s *MapStep

	srcTitle   *widget.Label
	fieldTitle *widget.Label
	srcEmpty   *widget.Label
	srcRows    []*mapSourceRow
	fieldRows  []*mapFieldRow
	lines      []*canvas.Line
	ports      []*canvas.Circle
	content    *fyne.Container
	scroll     *container.Scroll
	ghost      *fyne.Container
	ghostText  *canvas.Text
	ghostBg    *canvas.Rectangle
	ghostLine  *canvas.Line // from the dragged column to the pointer
	ghostLayer *fyne.Container
	root       *fyne.Container

	entity   string
	selected string

	dragRow  *mapSourceRow
	dragAt   fyne.Position // the pointer, in window coordinates
	dragOver *mapFieldRow
}

func newMapCanvas(s *MapStep) *mapCanvas {
	c := &mapCanvas{s: s}
	c.srcTitle = widget.NewLabelWithStyle("Old system: columns", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.srcTitle.Truncation = fyne.TextTruncateEllipsis
	c.fieldTitle = widget.NewLabelWithStyle("New system: fields", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.fieldTitle.Truncation = fyne.TextTruncateEllipsis
	c.srcEmpty = wrapped("Choose the table this entity is filled from (above, right). Its columns appear here; drag one onto a field to map it.")
	c.srcEmpty.Importance = widget.LowImportance
	c.content = container.New(&mapCanvasLayout{c: c})
	c.scroll = container.NewVScroll(c.content)
	c.ghostText = canvas.NewText("", color.White)
	c.ghostText.TextStyle = fyne.TextStyle{Bold: true}
	c.ghostBg = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	c.ghostBg.CornerRadius = 6
	c.ghost = container.NewStack(c.ghostBg, container.New(&mapPad{h: 10, v: 5}, c.ghostText))
	c.ghost.Hide()
	c.ghostLine = canvas.NewLine(theme.Color(theme.ColorNamePrimary))
	c.ghostLine.StrokeWidth = 2
	c.ghostLine.Hide()
	c.ghostLayer = container.NewWithoutLayout(c.ghostLine, c.ghost)
	c.root = container.NewStack(c.scroll, c.ghostLayer)
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *mapCanvas) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.root) }

// set shows an entity: its table's columns on the left, its fields on the right.
func (c *mapCanvas) set(ev mapping.EntityView, columns []string) {
	if c.entity != ev.Entity.Name {
		c.scroll.ScrollToTop()
	}
	c.entity = ev.Entity.Name
	c.selected = c.s.field
	sample := c.s.samples[ev.Map.Table]
	hints := map[string]mapping.ColumnHint{}
	for t, hs := range c.s.hints {
		if strings.EqualFold(t, ev.Map.Table) {
			hints = hs
		}
	}
	readers := map[string][]string{} // column → fields reading it
	for _, fm := range ev.Map.Fields {
		for _, col := range fm.Sources {
			k := strings.ToLower(col)
			readers[k] = append(readers[k], fm.Field)
		}
	}
	c.srcRows = c.srcRows[:0]
	for _, col := range columns {
		r := newMapSourceRow(c, col)
		r.setData(mapSampleText(sample.column(col)), hints[col], readers[strings.ToLower(col)])
		c.srcRows = append(c.srcRows, r)
	}
	c.fieldRows = c.fieldRows[:0]
	for _, f := range ev.Entity.Fields {
		r := newMapFieldRow(c, f)
		if fm := ev.Map.Field(f.Name); fm != nil {
			r.fm = fm.Clone()
			r.mapped = len(fm.Sources) > 0 || mapHasConstant(fm)
		}
		r.selected = f.Name == c.selected
		r.build()
		c.fieldRows = append(c.fieldRows, r)
	}
	if ev.Map.Table == "" {
		c.srcTitle.SetText("Old system: no table yet")
	} else {
		c.srcTitle.SetText("Old system: " + ev.Map.Table)
	}
	c.fieldTitle.SetText("New system: " + ev.Entity.Title())
	c.rebuildObjects()
}

func (c *mapCanvas) rebuildObjects() {
	objs := []fyne.CanvasObject{c.srcTitle, c.fieldTitle}
	if len(c.srcRows) == 0 {
		objs = append(objs, c.srcEmpty)
	}
	for _, r := range c.srcRows {
		objs = append(objs, r)
	}
	for _, r := range c.fieldRows {
		objs = append(objs, r)
	}
	c.lines, c.ports = c.lines[:0], c.ports[:0]
	for _, fr := range c.fieldRows {
		for _, src := range fr.fm.Sources {
			if c.sourceRow(src) == nil {
				continue
			}
			l := canvas.NewLine(color.Transparent)
			c.lines = append(c.lines, l)
			objs = append(objs, l)
		}
	}
	for range c.lines {
		for k := 0; k < 2; k++ {
			p := canvas.NewCircle(color.Transparent)
			c.ports = append(c.ports, p)
			objs = append(objs, p)
		}
	}
	c.content.Objects = objs
	c.content.Refresh()
}

// setSelected marks the field whose chain the editor shows.
func (c *mapCanvas) setSelected(field string) {
	c.selected = field
	for _, r := range c.fieldRows {
		r.setSelected(r.field.Name == field)
	}
	c.content.Refresh()
}

func (c *mapCanvas) sourceRow(col string) *mapSourceRow {
	for _, r := range c.srcRows {
		if strings.EqualFold(r.column, col) {
			return r
		}
	}
	return nil
}

// FieldRow returns the row of a field (tests drop columns on it).
func (c *mapCanvas) FieldRow(field string) *mapFieldRow {
	for _, r := range c.fieldRows {
		if r.field.Name == field {
			return r
		}
	}
	return nil
}

// SourceRow returns the row of a source column (tests drag it).
func (c *mapCanvas) SourceRow(col string) *mapSourceRow { return c.sourceRow(col) }

// reveal scrolls a row into view.
func (c *mapCanvas) reveal(o fyne.CanvasObject) {
	top, h := o.Position().Y, o.Size().Height
	off := c.scroll.Offset.Y
	view := c.scroll.Size().Height
	switch {
	case top < off:
		off = top - 8
	case top+h > off+view:
		off = top + h - view + 8
	default:
		return
	}
	c.scroll.ScrollToOffset(fyne.NewPos(0, max(0, off)))
}

// mapDragPoint is where the pointer is during a drag, in window coordinates.
func mapDragPoint(o fyne.CanvasObject, e *fyne.DragEvent) fyne.Position {
	if !e.AbsolutePosition.IsZero() {
		return e.AbsolutePosition // the real driver: exactly the pointer
	}
	// Fyne's test driver: the position the drag started at, and how far it went
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(e.Position).Add(e.Dragged)
}

func (c *mapCanvas) dragMoved(r *mapSourceRow, e *fyne.DragEvent) {
	if c.s.readOnly {
		return
	}
	if c.dragRow != r {
		c.dragRow = r
		r.setDragging(true)
	}
	c.dragAt = mapDragPoint(r, e)
	c.autoScroll(c.dragAt)
	over := c.fieldAt(c.dragAt)
	c.setOver(over)
	c.showGhost(r, over)
}

func (c *mapCanvas) dragEnded(r *mapSourceRow) {
	if c.dragRow != r {
		return
	}
	over := c.fieldAt(c.dragAt)
	c.dragRow = nil
	r.setDragging(false)
	c.setOver(nil)
	c.ghost.Hide()
	c.ghostLine.Hide()
	c.ghostLayer.Refresh()
	if over != nil {
		c.s.selectField(over.field.Name)
		c.s.Connect(c.entity, over.field.Name, r.column)
	}
}

// fieldAt is the field row under a point in window coordinates, if it is in the visible part of
// the canvas.
func (c *mapCanvas) fieldAt(p fyne.Position) *mapFieldRow {
	d := fyne.CurrentApp().Driver()
	sp, ss := d.AbsolutePositionForObject(c.scroll), c.scroll.Size()
	if p.X < sp.X || p.Y < sp.Y || p.X >= sp.X+ss.Width || p.Y >= sp.Y+ss.Height {
		return nil
	}
	cp := d.AbsolutePositionForObject(c.content)
	for _, r := range c.fieldRows {
		rp, rs := cp.Add(r.Position()), r.Size()
		if p.X >= rp.X && p.Y >= rp.Y && p.X < rp.X+rs.Width && p.Y < rp.Y+rs.Height {
			return r
		}
	}
	return nil
}

func (c *mapCanvas) setOver(r *mapFieldRow) {
	if c.dragOver == r {
		return
	}
	if c.dragOver != nil {
		c.dragOver.setHot(false)
	}
	c.dragOver = r
	if r != nil {
		r.setHot(true)
	}
}

// autoScroll moves the canvas when the pointer is dragged near its top or bottom edge.
func (c *mapCanvas) autoScroll(p fyne.Position) {
	sp := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.scroll)
	h := c.scroll.Size().Height
	off := c.scroll.Offset.Y
	maxOff := max(0, c.content.MinSize().Height-h)
	switch {
	case p.Y < sp.Y+32 && off > 0:
		off = max(0, off-24)
	case p.Y > sp.Y+h-32 && off < maxOff:
		off = min(maxOff, off+24)
	default:
		return
	}
	c.scroll.ScrollToOffset(fyne.NewPos(0, off))
}

func (c *mapCanvas) showGhost(r *mapSourceRow, over *mapFieldRow) {
	column := r.column
	text := column + "  →"
	c.ghostBg.FillColor = mapAlpha(theme.Color(theme.ColorNamePrimary), 0xd8)
	if over != nil {
		text = column + "  →  " + over.field.Name
		c.ghostBg.FillColor = theme.Color(theme.ColorNamePrimary)
	}
	c.ghostText.Text = text
	c.ghostText.TextSize = theme.TextSize()
	c.ghostText.Refresh()
	c.ghostBg.Refresh()
	size := c.ghost.MinSize()
	c.ghost.Resize(size)
	lp := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.ghostLayer)
	at := c.dragAt.Subtract(lp).Add(fyne.NewPos(14, 10))
	ls := c.ghostLayer.Size()
	at.X = max(0, min(at.X, ls.Width-size.Width))
	at.Y = max(0, min(at.Y, ls.Height-size.Height))
	c.ghost.Move(at)
	c.ghost.Show()
	d := fyne.CurrentApp().Driver()
	from := d.AbsolutePositionForObject(r).Add(fyne.NewPos(r.Size().Width, r.Size().Height/2)).Subtract(lp)
	c.ghostLine.Position1, c.ghostLine.Position2 = from, c.dragAt.Subtract(lp)
	c.ghostLine.StrokeColor = theme.Color(theme.ColorNamePrimary)
	c.ghostLine.Show()
	c.ghostLayer.Refresh()
}

// mapCanvasLayout puts the columns on the left, the fields on the right and the lines between.
type mapCanvasLayout struct{ c *mapCanvas }

const mapRowGap float32 = 6

func (l *mapCanvasLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	c := l.c
	th := c.srcTitle.MinSize().Height
	var lh, rh, lw, rw float32
	if len(c.srcRows) == 0 {
		lh = c.srcEmpty.MinSize().Height
	}
	for _, r := range c.srcRows {
		m := r.MinSize()
		lh += m.Height + mapRowGap
		lw = max(lw, m.Width)
	}
	for _, r := range c.fieldRows {
		m := r.MinSize()
		rh += m.Height + mapRowGap
		rw = max(rw, m.Width)
	}
	return fyne.NewSize(max(lw, 150)+max(rw, 150)+mapGutter, th+max(lh, rh)+theme.Padding())
}

func (l *mapCanvasLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	c := l.c
	colW := (size.Width - mapGutter) / 2
	th := c.srcTitle.MinSize().Height
	c.srcTitle.Move(fyne.NewPos(0, 0))
	c.srcTitle.Resize(fyne.NewSize(colW, th))
	c.fieldTitle.Move(fyne.NewPos(colW+mapGutter, 0))
	c.fieldTitle.Resize(fyne.NewSize(colW, th))
	y := th
	if len(c.srcRows) == 0 {
		c.srcEmpty.Move(fyne.NewPos(0, y))
		c.srcEmpty.Resize(fyne.NewSize(colW, c.srcEmpty.MinSize().Height))
	}
	for _, r := range c.srcRows {
		h := r.MinSize().Height
		r.Move(fyne.NewPos(0, y))
		r.Resize(fyne.NewSize(colW, h))
		y += h + mapRowGap
	}
	y = th
	for _, r := range c.fieldRows {
		h := r.MinSize().Height
		r.Move(fyne.NewPos(colW+mapGutter, y))
		r.Resize(fyne.NewSize(colW, h))
		y += h + mapRowGap
	}
	fg := theme.Color(theme.ColorNameForeground)
	primary := theme.Color(theme.ColorNamePrimary)
	i := 0
	for _, fr := range c.fieldRows {
		for _, src := range fr.fm.Sources {
			sr := c.sourceRow(src)
			if sr == nil || i >= len(c.lines) {
				continue
			}
			a := fyne.NewPos(colW, sr.Position().Y+sr.Size().Height/2)
			b := fyne.NewPos(colW+mapGutter, fr.Position().Y+fr.Size().Height/2)
			ln := c.lines[i]
			ln.Position1, ln.Position2 = a, b
			col, w := mapAlpha(fg, 0x55), float32(1.5)
			if fr.field.Name == c.selected {
				col, w = primary, 2.5
			}
			ln.StrokeColor, ln.StrokeWidth = col, w
			for k, p := range []fyne.Position{a, b} {
				port := c.ports[2*i+k]
				port.FillColor = col
				port.Move(p.Subtract(fyne.NewPos(3.5, 3.5)))
				port.Resize(fyne.NewSize(7, 7))
			}
			i++
		}
	}
}

// mapSourceRow is one column of the entity's source table: its name, what the audit found about
// it, sample values and how many fields read it. It is dragged onto a field.
type mapSourceRow struct {
	widget.BaseWidget
	c      *mapCanvas
	column string

	bg      *canvas.Rectangle
	name    *widget.Label
	sample  *widget.Label
	badges  *fyne.Container
	readers []string
	drag    bool
}

func newMapSourceRow(c *mapCanvas, col string) *mapSourceRow {
	r := &mapSourceRow{c: c, column: col}
	r.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	r.bg.CornerRadius = 6
	r.bg.StrokeWidth = 1
	r.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	r.name = widget.NewLabelWithStyle(col, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.sample = widget.NewLabel("")
	r.sample.SizeName = theme.SizeNameCaptionText
	r.sample.Truncation = fyne.TextTruncateEllipsis
	r.badges = container.NewHBox()
	r.ExtendBaseWidget(r)
	return r
}

func (r *mapSourceRow) setData(sample string, h mapping.ColumnHint, readers []string) {
	r.readers = readers
	if sample == "" {
		sample = "(blank in the first rows)"
	}
	r.sample.SetText(sample)
	var tags []fyne.CanvasObject
	if h.Type != "" {
		tags = append(tags, mapTag(h.Type, theme.Color(theme.ColorNameForeground), 0x22))
	}
	if h.DateOrder != "" {
		tags = append(tags, mapTag(h.DateOrder, statusBlue, 0x40))
	}
	if n := h.Errors + h.Warnings; n > 0 {
		c := statusOrange
		if h.Errors > 0 {
			c = color.NRGBA{R: 0xd0, G: 0x3a, B: 0x2f, A: 0xff}
		}
		tags = append(tags, mapTag(fmt.Sprintf("⚠ %d", n), c, 0x50))
	}
	if len(readers) > 0 {
		tags = append(tags, mapTag(fmt.Sprintf("→ %d", len(readers)), statusGreen, 0x45))
	}
	r.badges.Objects = tags
	r.badges.Refresh()
	r.refreshLook()
}

// CreateRenderer implements fyne.Widget.
func (r *mapSourceRow) CreateRenderer() fyne.WidgetRenderer {
	grip := widget.NewIcon(theme.MenuIcon())
	body := container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(16, 16), grip)),
		nil, container.New(&tightVBox{}, r.name, container.NewBorder(nil, nil, nil, container.NewCenter(r.badges), r.sample)))
	return widget.NewSimpleRenderer(container.NewStack(r.bg, container.New(&mapPad{h: 4, v: 2}, body)))
}

// Dragged implements fyne.Draggable.
func (r *mapSourceRow) Dragged(e *fyne.DragEvent) { r.c.dragMoved(r, e) }

// DragEnd implements fyne.Draggable.
func (r *mapSourceRow) DragEnd() { r.c.dragEnded(r) }

// Cursor implements desktop.Cursorable: a hand says the row can be picked up.
func (r *mapSourceRow) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (r *mapSourceRow) setDragging(on bool) {
	r.drag = on
	r.refreshLook()
}

func (r *mapSourceRow) refreshLook() {
	switch {
	case r.drag:
		r.bg.FillColor = theme.Color(theme.ColorNameSelection)
		r.bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
		r.bg.StrokeWidth = 2
	case len(r.readers) == 0:
		r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
		r.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
		r.bg.StrokeWidth = 1
	default:
		r.bg.FillColor = mapAlpha(statusGreen, 0x18)
		r.bg.StrokeColor = mapAlpha(statusGreen, 0x90)
		r.bg.StrokeWidth = 1
	}
	r.bg.Refresh()
}

// mapFieldRow is one field of the new system: its name, type and limits, whether it is required,
// and the columns it is mapped from (each with a ✕ that removes it).
type mapFieldRow struct {
	widget.BaseWidget
	c      *mapCanvas
	field  target.Field
	fm     mapping.FieldMap
	mapped bool

	bg       *canvas.Rectangle
	marker   *canvas.Rectangle
	name     *widget.Label
	typeTag  fyne.CanvasObject
	chips    *fyne.Container
	status   *widget.Label
	selected bool
	hot      bool
	body     fyne.CanvasObject
}

func newMapFieldRow(c *mapCanvas, f target.Field) *mapFieldRow {
	r := &mapFieldRow{c: c, field: f}
	r.ExtendBaseWidget(r)
	return r
}

func (r *mapFieldRow) build() {
	f := r.field
	r.bg = canvas.NewRectangle(color.Transparent)
	r.bg.CornerRadius = 6
	r.marker = canvas.NewRectangle(color.Transparent)
	r.marker.CornerRadius = 2
	title := f.Name
	if f.Required {
		title += " *"
	}
	r.name = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.typeTag = mapTag(mapFieldShortType(f), theme.Color(theme.ColorNameForeground), 0x22)
	r.chips = container.New(&mapFlow{gap: 4})
	r.status = widget.NewLabel("")
	r.status.SizeName = theme.SizeNameCaptionText
	for _, src := range r.fm.Sources {
		src := src
		var remove func()
		if !r.c.s.readOnly {
			remove = func() { r.c.s.Disconnect(r.c.entity, f.Name, src) }
		}
		r.chips.Objects = append(r.chips.Objects, newMapChip("← "+src, remove))
	}
	if mapHasConstant(&r.fm) {
		for _, st := range r.fm.Steps {
			if st.Op == mapping.OpConstant {
				r.chips.Objects = append(r.chips.Objects, newMapChip(fmt.Sprintf("= %q", st.Value), nil))
			}
		}
	}
	if len(r.fm.Steps) > 0 && r.mapped {
		var ops []string
		for _, st := range r.fm.Steps {
			ops = append(ops, st.Op)
		}
		r.status.SetText(strings.Join(ops, " › "))
		r.status.Importance = widget.LowImportance
	}
	if !r.mapped {
		if f.Required {
			r.status.SetText("required · not mapped")
			r.status.Importance = widget.DangerImportance
		} else {
			r.status.SetText("not mapped · drop a column here")
			r.status.Importance = widget.LowImportance
		}
	}
	r.status.Truncation = fyne.TextTruncateEllipsis
	second := container.NewBorder(nil, nil, r.chips, nil, r.status)
	head := container.NewBorder(nil, nil, nil, container.NewCenter(r.typeTag), r.name)
	r.body = container.NewStack(r.bg, container.NewBorder(nil, nil, container.New(&mapPad{h: 1, v: 6}, container.New(&minWidth{Width: 4}, r.marker)), nil,
		container.New(&mapPad{h: 2, v: 2}, container.New(&tightVBox{}, head, second))))
	r.refreshLook()
}

// CreateRenderer implements fyne.Widget.
func (r *mapFieldRow) CreateRenderer() fyne.WidgetRenderer {
	if r.body == nil {
		r.build()
	}
	return widget.NewSimpleRenderer(r.body)
}

// Tapped implements fyne.Tappable: the field's chain is shown in the editor.
func (r *mapFieldRow) Tapped(*fyne.PointEvent) { r.c.s.selectField(r.field.Name) }

// Cursor implements desktop.Cursorable.
func (r *mapFieldRow) Cursor() desktop.Cursor { return desktop.PointerCursor }

// Hot says whether the row is highlighted as the drop target under the pointer.
func (r *mapFieldRow) Hot() bool { return r.hot }

func (r *mapFieldRow) setHot(on bool) {
	r.hot = on
	r.refreshLook()
}

func (r *mapFieldRow) setSelected(on bool) {
	r.selected = on
	r.refreshLook()
}

func (r *mapFieldRow) refreshLook() {
	if r.bg == nil {
		return
	}
	primary := theme.Color(theme.ColorNamePrimary)
	switch {
	case r.hot:
		r.bg.FillColor = mapAlpha(primary, 0x60)
		r.bg.StrokeColor = primary
		r.bg.StrokeWidth = 2
	case r.selected:
		r.bg.FillColor = theme.Color(theme.ColorNameSelection)
		r.bg.StrokeColor = mapAlpha(primary, 0x90)
		r.bg.StrokeWidth = 1
	default:
		r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
		r.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
		r.bg.StrokeWidth = 1
	}
	switch {
	case r.mapped:
		r.marker.FillColor = statusGreen
	case r.field.Required:
		r.marker.FillColor = theme.Color(theme.ColorNameError)
	default:
		r.marker.FillColor = mapAlpha(statusGrey, 0x60)
	}
	r.bg.Refresh()
	r.marker.Refresh()
}

// mapChip is a small rounded label; when it can be removed, a ✕ at its right end does that.
type mapChip struct {
	widget.BaseWidget
	text     string
	onRemove func()
}

func newMapChip(text string, onRemove func()) *mapChip {
	c := &mapChip{text: text, onRemove: onRemove}
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *mapChip) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(mapAlpha(theme.Color(theme.ColorNamePrimary), 0x28))
	bg.CornerRadius = 9
	t := canvas.NewText(c.text, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.CaptionTextSize()
	objs := []fyne.CanvasObject{t}
	if c.onRemove != nil {
		x := canvas.NewText("✕", theme.Color(theme.ColorNameError))
		x.TextSize = theme.CaptionTextSize()
		x.TextStyle = fyne.TextStyle{Bold: true}
		objs = append(objs, x)
	}
	return widget.NewSimpleRenderer(container.NewStack(bg, container.New(&mapPad{h: 7, v: 2}, container.New(&mapFlow{gap: 6}, objs...))))
}

// Tapped implements fyne.Tappable: a tap on the ✕ removes the column from the field.
func (c *mapChip) Tapped(e *fyne.PointEvent) {
	if c.onRemove != nil && e.Position.X >= c.Size().Width-22 {
		c.onRemove()
	}
}

// Remove is what the ✕ does (tests).
func (c *mapChip) Remove() {
	if c.onRemove != nil {
		c.onRemove()
	}
}

// Cursor implements desktop.Cursorable.
func (c *mapChip) Cursor() desktop.Cursor {
	if c.onRemove != nil {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

// mapTag is a small coloured badge.
func mapTag(text string, c color.Color, alpha uint8) fyne.CanvasObject {
	bg := canvas.NewRectangle(mapAlpha(c, alpha))
	bg.CornerRadius = 4
	t := canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.CaptionTextSize() - 1
	return container.NewStack(bg, container.New(&mapPad{h: 4, v: 1}, t))
}

// mapAlpha is c with another alpha.
func mapAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// mapPad pads its objects by h and v on each side.
type mapPad struct{ h, v float32 }

func (p *mapPad) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s.Add(fyne.NewSize(2*p.h, 2*p.v))
}

func (p *mapPad) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(p.h, p.v))
		o.Resize(size.Subtract(fyne.NewSize(2*p.h, 2*p.v)))
	}
}

// mapFlow lays objects out in a row at their own sizes, centred vertically.
type mapFlow struct{ gap float32 }

func (f *mapFlow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width += m.Width
		s.Height = max(s.Height, m.Height)
		n++
	}
	if n > 1 {
		s.Width += f.gap * float32(n-1)
	}
	return s
}

func (f *mapFlow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		o.Move(fyne.NewPos(x, (size.Height-m.Height)/2))
		o.Resize(m)
		x += m.Width + f.gap
	}
}

// mapSampleText is a few distinct sample values of a column: "e.g. 1980-02-01 · 03/04/1975".
func mapSampleText(vals []string) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(oneLine(v))
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if len([]rune(v)) > 24 {
			v = string([]rune(v)[:23]) + "…"
		}
		out = append(out, v)
		if len(out) == 3 {
			break
		}
	}
	return strings.Join(out, " · ")
}

// mapFieldShortType is the type on a field row: "date", "code", "→ Patient".
func mapFieldShortType(f target.Field) string {
	if f.Type == target.Reference {
		return "→ " + f.References
	}
	return string(f.Type)
}

// mapFieldTypeText is "date · YYYY-MM-DD", "code · 8 values", "text · max 100".
func mapFieldTypeText(f target.Field) string {
	parts := []string{string(f.Type)}
	switch f.Type {
	case target.Code:
		parts = append(parts, plural64(int64(len(f.Values)), "value", "values"))
	case target.Reference:
		parts = append(parts, "→ "+f.References)
	case target.Date, target.DateTime, target.Phone, target.Boolean:
		parts = append(parts, f.EffectiveFormat())
	}
	if f.MaxLength > 0 {
		parts = append(parts, fmt.Sprintf("max %d", f.MaxLength))
	}
	if f.Key {
		parts = append(parts, "key")
	}
	return strings.Join(parts, " · ")
}

func mapHasConstant(fm *mapping.FieldMap) bool {
	for _, s := range fm.Steps {
		if s.Op == mapping.OpConstant {
			return true
		}
	}
	return false
}
