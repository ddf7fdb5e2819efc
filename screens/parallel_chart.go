package screens

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
)

// chartDays is how many days the trend shows (the latest ones).
const chartDays = 31

// dayBar is one day of the trend: every report compared that day, added up.
type dayBar struct {
	day                            string
	missingNew, missingOld, change int
	sumsDiffer                     int
	points                         []compare.Point
}

func (b dayBar) total() int { return b.missingNew + b.missingOld + b.change }

// trendChart draws the records that differ per day as stacked bars: missing in the new system,
// only in the new system, changed. A day with no difference shows a green zero. Tapping a day
// shows its comparison.
type trendChart struct {
	widget.BaseWidget
	OnTapped func(compare.Point)

	bars     []dayBar
	selected int64
}

func newTrendChart() *trendChart {
	c := &trendChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetPoints shows the trend.
func (c *trendChart) SetPoints(pts []compare.Point) {
	var bars []dayBar
	for _, p := range pts {
		if n := len(bars); n > 0 && bars[n-1].day == p.Day {
			b := &bars[n-1]
			b.missingNew += p.MissingInNew
			b.missingOld += p.MissingInOld
			b.change += p.Changed
			b.sumsDiffer += p.SumsDiffer
			b.points = append(b.points, p)
			continue
		}
		bars = append(bars, dayBar{day: p.Day, missingNew: p.MissingInNew, missingOld: p.MissingInOld, change: p.Changed,
			sumsDiffer: p.SumsDiffer, points: []compare.Point{p}})
	}
	if len(bars) > chartDays {
		bars = bars[len(bars)-chartDays:]
	}
	c.bars = bars
	c.Refresh()
}

// SetSelected highlights the day of a comparison.
func (c *trendChart) SetSelected(id int64) {
	c.selected = id
	c.Refresh()
}

// Days is what the chart shows, for tests: "2027-03-03=5".
func (c *trendChart) Days() []string {
	var out []string
	for _, b := range c.bars {
		out = append(out, b.day+"="+strconv.Itoa(b.total()))
	}
	return out
}

// Tapped implements fyne.Tappable: shows the comparison of the day tapped.
func (c *trendChart) Tapped(e *fyne.PointEvent) {
	if len(c.bars) == 0 || c.OnTapped == nil {
		return
	}
	x0, slot := chartGeometry(c.Size().Width, len(c.bars))
	i := int((e.Position.X - x0) / slot)
	if i >= 0 && i < len(c.bars) {
		c.OnTapped(c.bars[i].points[0])
	}
}

const (
	chartLeft   = 30 // y-axis labels
	chartBottom = 20 // day labels
	chartTop    = 24 // legend
)

func chartGeometry(width float32, n int) (x0, slot float32) {
	plot := width - chartLeft - 4
	slot = plot / float32(max(n, 7)) // a few days do not make giant bars
	return chartLeft, slot
}

// CreateRenderer implements fyne.Widget.
func (c *trendChart) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(c, func() fyne.Size { return fyne.NewSize(260, 150) }, c.draw)
}

var (
	colMissingNew = color.NRGBA{R: 0xd6, G: 0x45, B: 0x45, A: 0xff}
	colMissingOld = statusOrange
	colChanged    = statusBlue
)

// draw lays the chart out from scratch: it is a few dozen shapes, cheaper to redo than to track.
func (c *trendChart) draw(size fyne.Size) []fyne.CanvasObject {
	w, h := size.Width, size.Height
	fg := theme.Color(theme.ColorNameForeground)
	quiet := theme.Color(theme.ColorNamePlaceHolder)
	small := theme.CaptionTextSize()
	objs, _ := chartLegend(chartLeft, 3, []legendItem{{colMissingNew, "missing in new"}, {colMissingOld, "only in new"},
		{colChanged, "changed"}})

	plotH := h - chartTop - chartBottom
	base := h - chartBottom
	axis := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
	axis.StrokeWidth = 1
	axis.Position1 = fyne.NewPos(chartLeft, base)
	axis.Position2 = fyne.NewPos(w-4, base)
	objs = append(objs, axis)

	if len(c.bars) == 0 || plotH < 20 {
		t := chartText("The trend appears here after the first comparison.", quiet, theme.TextSize())
		ts := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle)
		t.Move(fyne.NewPos(max((w-ts.Width)/2, 0), chartTop+max((plotH-ts.Height)/2, 0)))
		return append(objs, t)
	}

	top := 1
	for _, b := range c.bars {
		top = max(top, b.total())
	}
	scale := (plotH - 14) / float32(top)
	maxLabel := chartText(strconv.Itoa(top), quiet, small)
	ms := fyne.MeasureText(maxLabel.Text, small, fyne.TextStyle{})
	maxLabel.Move(fyne.NewPos(chartLeft-6-ms.Width, base-float32(top)*scale-ms.Height/2))
	grid := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
	grid.StrokeWidth = 1
	grid.Position1 = fyne.NewPos(chartLeft, base-float32(top)*scale)
	grid.Position2 = fyne.NewPos(w-4, base-float32(top)*scale)
	zero := chartText("0", quiet, small)
	zs := fyne.MeasureText("0", small, fyne.TextStyle{})
	zero.Move(fyne.NewPos(chartLeft-6-zs.Width, base-zs.Height/2))
	objs = append(objs, grid, maxLabel, zero)

	x0, slot := chartGeometry(w, len(c.bars))
	barW := min(slot*0.6, 34)
	labelEvery := 1
	if lw := fyne.MeasureText("28 Feb", small, fyne.TextStyle{}).Width + 6; slot < lw {
		labelEvery = int(lw/slot) + 1
	}
	for i, b := range c.bars {
		cx := x0 + slot*float32(i) + slot/2
		selected := false
		for _, p := range b.points {
			selected = selected || p.Comparison == c.selected
		}
		if selected {
			hl := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
			hl.CornerRadius = 3
			hl.Move(fyne.NewPos(cx-slot/2+1, chartTop))
			hl.Resize(fyne.NewSize(slot-2, plotH))
			objs = append(objs, hl)
		}
		y := base
		for _, seg := range []struct {
			n int
			c color.Color
		}{{b.missingNew, colMissingNew}, {b.missingOld, colMissingOld}, {b.change, colChanged}} {
			if seg.n == 0 {
				continue
			}
			hgt := float32(seg.n) * scale
			rect := canvas.NewRectangle(seg.c)
			rect.Move(fyne.NewPos(cx-barW/2, y-hgt))
			rect.Resize(fyne.NewSize(barW, hgt))
			objs = append(objs, rect)
			y -= hgt
		}
		valColor := fg
		if b.total() == 0 {
			valColor = statusGreen
			tick := canvas.NewRectangle(statusGreen)
			tick.Move(fyne.NewPos(cx-barW/2, base-3))
			tick.Resize(fyne.NewSize(barW, 3))
			objs = append(objs, tick)
			y = base - 3
		}
		val := chartText(strconv.Itoa(b.total()), valColor, small)
		val.TextStyle = fyne.TextStyle{Bold: true}
		vs := fyne.MeasureText(val.Text, small, val.TextStyle)
		val.Move(fyne.NewPos(cx-vs.Width/2, y-vs.Height-1))
		objs = append(objs, val)
		if i%labelEvery == 0 || i == len(c.bars)-1 {
			label := b.day
			if t, err := time.Parse(checklist.DateLayout, b.day); err == nil {
				label = t.Format("2 Jan")
			}
			dl := chartText(label, quiet, small)
			ds := fyne.MeasureText(label, small, fyne.TextStyle{})
			dl.Move(fyne.NewPos(cx-ds.Width/2, base+3))
			objs = append(objs, dl)
		}
	}
	return objs
}
