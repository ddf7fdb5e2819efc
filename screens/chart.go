package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Small hand-drawn charts: the Parallel run's trend, the Audit's findings per table, value
// breakdowns and column histograms. Each is a widget whose renderer redraws its few dozen shapes
// from scratch on every layout or refresh (cheaper than tracking them), through drawnRenderer.

// drawnRenderer renders a widget by calling draw with its size whenever it is laid out or
// refreshed.
type drawnRenderer struct {
	w    fyne.Widget
	min  func() fyne.Size
	draw func(size fyne.Size) []fyne.CanvasObject
	objs []fyne.CanvasObject
	size fyne.Size
}

func newDrawnRenderer(w fyne.Widget, min func() fyne.Size, draw func(size fyne.Size) []fyne.CanvasObject) *drawnRenderer {
	r := &drawnRenderer{w: w, min: min, draw: draw}
	r.objs = draw(r.size)
	return r
}

func (r *drawnRenderer) Layout(s fyne.Size) {
	r.size = s
	r.objs = r.draw(s)
}

func (r *drawnRenderer) MinSize() fyne.Size { return r.min() }

func (r *drawnRenderer) Refresh() {
	r.objs = r.draw(r.size)
	canvas.Refresh(r.w)
}

func (r *drawnRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *drawnRenderer) Destroy() {}

// chartText is a piece of chart text in colour c.
func chartText(s string, c color.Color, size float32) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	return t
}

// legendItem is one colour swatch of a chart legend and what it stands for.
type legendItem struct {
	c    color.Color
	text string
}

// chartLegend draws swatches with their words in a row from (x, y); it returns the shapes and the
// x after the last one.
func chartLegend(x, y float32, items []legendItem) ([]fyne.CanvasObject, float32) {
	quiet := theme.Color(theme.ColorNamePlaceHolder)
	small := theme.CaptionTextSize()
	var objs []fyne.CanvasObject
	for _, l := range items {
		sw := canvas.NewRectangle(l.c)
		sw.CornerRadius = 2
		sw.Move(fyne.NewPos(x, y+3))
		sw.Resize(fyne.NewSize(10, 10))
		t := chartText(l.text, quiet, small)
		t.Move(fyne.NewPos(x+14, y))
		objs = append(objs, sw, t)
		x += 14 + fyne.MeasureText(l.text, small, fyne.TextStyle{}).Width + 16
	}
	return objs, x
}

// barSegment is one coloured part of a stacked bar.
type barSegment struct {
	n int64
	c color.Color
}

// hStackedBar draws segments left to right from (x, y), scale pixels per unit, each at least
// 2 pixels wide so a 1 next to a 1,000 is still seen; it returns the shapes and the x after them.
func hStackedBar(x, y, h, scale float32, segs []barSegment) ([]fyne.CanvasObject, float32) {
	var objs []fyne.CanvasObject
	for _, s := range segs {
		if s.n <= 0 {
			continue
		}
		w := max(float32(s.n)*scale, 2)
		r := canvas.NewRectangle(s.c)
		r.Move(fyne.NewPos(x, y))
		r.Resize(fyne.NewSize(w, h))
		objs = append(objs, r)
		x += w
	}
	return objs, x
}

// sparkBars is a tiny column chart: a histogram in a profile row. Bars are scaled to the
// largest; an empty bucket shows as a baseline tick.
type sparkBars struct {
	widget.BaseWidget
	counts []int64
	fill   color.Color
	size   fyne.Size
}

func newSparkBars(size fyne.Size) *sparkBars {
	s := &sparkBars{fill: statusBlue, size: size}
	s.ExtendBaseWidget(s)
	return s
}

// SetCounts shows counts (bars left to right).
func (s *sparkBars) SetCounts(counts []int64) {
	s.counts = counts
	s.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (s *sparkBars) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(s, func() fyne.Size { return s.size }, s.draw)
}

func (s *sparkBars) draw(size fyne.Size) []fyne.CanvasObject {
	n := len(s.counts)
	if n == 0 || size.Width <= 0 {
		return nil
	}
	var top int64 = 1
	for _, c := range s.counts {
		top = max(top, c)
	}
	slot := size.Width / float32(max(n, 6))
	barW := max(slot-1, 1)
	quiet := theme.Color(theme.ColorNameSeparator)
	objs := make([]fyne.CanvasObject, 0, n)
	for i, c := range s.counts {
		h := float32(c) / float32(top) * (size.Height - 1)
		col := s.fill
		if c == 0 {
			h, col = 1, quiet
		} else {
			h = max(h, 2)
		}
		r := canvas.NewRectangle(col)
		r.Move(fyne.NewPos(float32(i)*slot, size.Height-h))
		r.Resize(fyne.NewSize(barW, h))
		objs = append(objs, r)
	}
	return objs
}

// valueBar is one line of a valueBars chart.
type valueBar struct {
	label string // the value, as the file has it
	count int64
	note  string // shown after the count, e.g. "→ gmail.com"
	quiet bool   // the note is secondary
}

// valueBars lists values with how often each occurs as a horizontal bar: placeholders, date
// formats, spellings, top values. Labels are truncated to a third of the width.
type valueBars struct {
	widget.BaseWidget
	rows []valueBar
	fill color.Color
}

func newValueBars(fill color.Color) *valueBars {
	v := &valueBars{fill: fill}
	v.ExtendBaseWidget(v)
	return v
}

// SetRows shows rows in the order given.
func (v *valueBars) SetRows(rows []valueBar) {
	v.rows = rows
	v.Refresh()
}

func (v *valueBars) lineHeight() float32 {
	return fyne.MeasureText("Ag", theme.TextSize(), fyne.TextStyle{}).Height + 6
}

// CreateRenderer implements fyne.Widget.
func (v *valueBars) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(v, func() fyne.Size {
		return fyne.NewSize(280, float32(len(v.rows))*v.lineHeight())
	}, v.draw)
}

func (v *valueBars) draw(size fyne.Size) []fyne.CanvasObject {
	if len(v.rows) == 0 || size.Width <= 0 {
		return nil
	}
	fg := theme.Color(theme.ColorNameForeground)
	quiet := theme.Color(theme.ColorNamePlaceHolder)
	ts := theme.TextSize()
	lh := v.lineHeight()
	var top int64 = 1
	var countW float32
	for _, r := range v.rows {
		top = max(top, r.count)
		countW = max(countW, fyne.MeasureText(fmtInt(r.count), ts, fyne.TextStyle{}).Width)
	}
	inset := theme.InnerPadding() // labels line up with the text of widgets above them
	labelW := min(size.Width/3, 220)
	barX := inset + labelW + 8
	barMax := max(size.Width-barX-countW-8, 20)
	// leave room for notes: bars take at most half of what is left when any row has one
	for _, r := range v.rows {
		if r.note != "" {
			barMax = max(barMax*0.45, 20)
			break
		}
	}
	var objs []fyne.CanvasObject
	for i, r := range v.rows {
		y := float32(i) * lh
		label := r.label
		col := fg
		switch {
		case label == "":
			label, col = "(empty)", quiet
		case len(label) > 0 && (label[0] == ' ' || label[len(label)-1] == ' '):
			label = "“" + label + "”" // spaces that matter are shown
		}
		t := chartText(fitText(oneLine(label), labelW, ts), col, ts)
		t.Move(fyne.NewPos(inset, y+2))
		w := max(float32(r.count)/float32(top)*barMax, 2)
		bar := canvas.NewRectangle(v.fill)
		bar.CornerRadius = 2
		bar.Move(fyne.NewPos(barX, y+lh/2-5))
		bar.Resize(fyne.NewSize(w, 10))
		n := chartText(fmtInt(r.count), quiet, ts)
		n.Move(fyne.NewPos(barX+w+6, y+2))
		objs = append(objs, t, bar, n)
		if r.note != "" {
			nx := barX + w + 6 + countW + 12
			nc := fg
			if r.quiet {
				nc = quiet
			}
			nt := chartText(fitText(r.note, size.Width-nx, ts), nc, ts)
			nt.Move(fyne.NewPos(nx, y+2))
			objs = append(objs, nt)
		}
	}
	return objs
}

// fitText shortens s with an ellipsis until it fits width at text size ts.
func fitText(s string, width, ts float32) string {
	if width <= 0 {
		return ""
	}
	if fyne.MeasureText(s, ts, fyne.TextStyle{}).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(r[:mid])+"…", ts, fyne.TextStyle{}).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}
