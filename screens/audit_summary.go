package screens

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
)

// auditSummary is the Summary tab: findings per table as a chart (a tap lists that table's
// findings), the errors and warnings to start with, and the money totals reconciliation will
// check the loaded data against.
type auditSummary struct {
	a     *AuditStep
	root  fyne.CanvasObject
	chart *tableFindingsChart
	intro *widget.Label
	start *widget.List
	money *widget.Label
	first []audit.Finding // errors, then warnings
	none  *widget.Label
}

func newAuditSummary(a *AuditStep) *auditSummary {
	s := &auditSummary{a: a}
	s.chart = newTableFindingsChart()
	s.chart.OnTapped = func(table string) { a.ShowFindings("", table) }
	s.intro = wrapped("")
	s.money = muted("")
	s.start = widget.NewList(func() int { return len(s.first) }, newFindingRow,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(s.first) {
				updateFindingRow(o, s.first[i])
			}
		})
	s.start.OnSelected = func(i widget.ListItemID) {
		if i < len(s.first) {
			id := s.first[i].ID
			s.start.UnselectAll()
			a.OpenFinding(id)
		}
	}
	s.none = wrapped("Nothing that needs fixing: no errors and no warnings. The findings for information are worth a look before mapping.")
	s.none.Importance = widget.SuccessImportance
	s.none.Hide()

	left := container.NewBorder(cardHead("Findings by table", "tap a table to list them"), nil, nil, nil,
		container.NewVScroll(container.NewVBox(s.chart, s.money)))
	right := container.NewBorder(cardHead("Start here", "errors first, then warnings"),
		nil, nil, nil, container.NewStack(s.start, container.NewVBox(s.none)))
	cols := container.NewGridWithColumns(2, card(left), card(right))
	s.root = container.NewBorder(s.intro, nil, nil, nil, cols)
	return s
}

func (s *auditSummary) show(rep *audit.Report) {
	var rows int64
	for _, t := range rep.Tables {
		rows += t.Rows
	}
	sum := rep.Summary
	switch {
	case sum.Findings == 0:
		s.intro.SetText(fmt.Sprintf("The audit read %s in %s and found nothing to fix.",
			plural64(rows, "row", "rows"), plural64(int64(len(rep.Tables)), "table", "tables")))
	default:
		s.intro.SetText(fmt.Sprintf("The audit read %s in %s and found %s to look at before anyone maps a field.",
			plural64(rows, "row", "rows"), plural64(int64(len(rep.Tables)), "table", "tables"),
			plural64(int64(sum.Findings), "thing", "things")))
	}
	var bars []tableBar
	for _, t := range rep.Tables {
		b := tableBar{name: t.Name, rows: t.Rows}
		for _, f := range rep.Findings {
			if f.Table != t.Name {
				continue
			}
			switch f.Severity {
			case audit.Error:
				b.errors++
			case audit.Warning:
				b.warnings++
			default:
				b.infos++
			}
		}
		bars = append(bars, b)
	}
	s.chart.SetTables(bars)
	s.first = s.first[:0]
	for _, f := range rep.Findings {
		if f.Severity == audit.Error {
			s.first = append(s.first, f)
		}
	}
	for _, f := range rep.Findings {
		if f.Severity == audit.Warning {
			s.first = append(s.first, f)
		}
	}
	if len(s.first) == 0 {
		s.none.Show()
	} else {
		s.none.Hide()
	}
	s.start.Refresh()
	var money []string
	for _, m := range rep.Totals.Money {
		money = append(money, fmt.Sprintf("%s.%s %s", m.Table, m.Column, amountText(m.Sum)))
	}
	if len(money) > 0 {
		s.money.SetText("Money totals (exact, for reconciliation): " + strings.Join(money, " · "))
		s.money.Show()
	} else {
		s.money.Hide()
	}
}

// cardHead is a card's bold title with a quiet hint after it on the same line.
func cardHead(title, hint string) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h := caption(hint)
	return container.NewBorder(nil, nil, t, nil, container.NewVBox(layout.NewSpacer(), h, layout.NewSpacer()))
}

// amountText writes an exact decimal sum with thousands separators: "104517.90" → "104,517.90".
func amountText(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// newFindingRow is a line of a findings list: severity icon, title over where, the count.
func newFindingRow() fyne.CanvasObject {
	icon := widget.NewIcon(theme.WarningIcon())
	title := widget.NewLabelWithStyle("Appointments whose patient is missing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	where := widget.NewLabel("appointments · PatientID")
	where.SizeName = theme.SizeNameCaptionText
	where.Truncation = fyne.TextTruncateEllipsis
	count := widget.NewLabel("1,529 values")
	count.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, container.NewCenter(icon), container.NewCenter(count), container.New(&tightVBox{}, title, where))
}

func updateFindingRow(o fyne.CanvasObject, f audit.Finding) {
	b := o.(*fyne.Container)
	texts := b.Objects[0].(*fyne.Container)
	icon := b.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
	count := b.Objects[2].(*fyne.Container).Objects[0].(*widget.Label)
	texts.Objects[0].(*widget.Label).SetText(findingTitle(f))
	texts.Objects[1].(*widget.Label).SetText(findingWhere(f))
	icon.SetResource(severityIcon(f.Severity))
	count.SetText(findingCount(f))
}

// tableBar is one table of the findings chart.
type tableBar struct {
	name                    string
	rows                    int64
	errors, warnings, infos int
}

func (b tableBar) total() int { return b.errors + b.warnings + b.infos }

// tableFindingsChart draws, per table, its findings as a bar: errors, warnings and information
// stacked, scaled to the table with the most. A table with none shows a green "nothing found".
type tableFindingsChart struct {
	widget.BaseWidget
	OnTapped func(table string)
	bars     []tableBar
}

func newTableFindingsChart() *tableFindingsChart {
	c := &tableFindingsChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetTables shows the tables.
func (c *tableFindingsChart) SetTables(bars []tableBar) {
	c.bars = bars
	c.Refresh()
}

// Tables is what the chart shows, for tests: "patients=3/11/9".
func (c *tableFindingsChart) Tables() []string {
	var out []string
	for _, b := range c.bars {
		out = append(out, fmt.Sprintf("%s=%d/%d/%d", b.name, b.errors, b.warnings, b.infos))
	}
	return out
}

const (
	tfLegend = 22 // legend height
	tfRow    = 36 // one table
	tfLabel  = 150
)

// Tapped implements fyne.Tappable: lists the findings of the table tapped.
func (c *tableFindingsChart) Tapped(e *fyne.PointEvent) {
	i := int((e.Position.Y - tfLegend) / tfRow)
	if e.Position.Y >= tfLegend && i >= 0 && i < len(c.bars) && c.OnTapped != nil {
		c.OnTapped(c.bars[i].name)
	}
}

// Cursor implements desktop.Cursorable: the rows are links.
func (c *tableFindingsChart) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer implements fyne.Widget.
func (c *tableFindingsChart) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(c, func() fyne.Size {
		return fyne.NewSize(tfLabel+120, tfLegend+float32(max(len(c.bars), 1))*tfRow)
	}, c.draw)
}

func (c *tableFindingsChart) draw(size fyne.Size) []fyne.CanvasObject {
	fg := theme.Color(theme.ColorNameForeground)
	quiet := theme.Color(theme.ColorNamePlaceHolder)
	ts, small := theme.TextSize(), theme.CaptionTextSize()
	objs, _ := chartLegend(0, 2, []legendItem{{severityColor(audit.Error), "errors"}, {severityColor(audit.Warning), "warnings"},
		{severityColor(audit.Info), "for information"}})
	top := 1
	var countW float32
	for _, b := range c.bars {
		top = max(top, b.total())
		countW = max(countW, fyne.MeasureText(plural64(int64(b.total()), "finding", "findings"), small, fyne.TextStyle{}).Width)
	}
	labelW := min(float32(tfLabel), size.Width*0.35)
	plot := max(size.Width-labelW-countW-12, 20)
	scale := plot / float32(top)
	for i, b := range c.bars {
		y := tfLegend + float32(i)*tfRow
		name := chartText(fitText(b.name, labelW-8, ts), fg, ts)
		name.TextStyle = fyne.TextStyle{Bold: true}
		name.Move(fyne.NewPos(0, y+2))
		rows := chartText(plural64(b.rows, "row", "rows"), quiet, small)
		rows.Move(fyne.NewPos(0, y+2+ts+3))
		objs = append(objs, name, rows)
		barY := y + tfRow/2 - 8
		if b.total() == 0 {
			ok := chartText("nothing found", statusGreen, small)
			ok.TextStyle = fyne.TextStyle{Bold: true}
			ok.Move(fyne.NewPos(labelW, barY))
			objs = append(objs, ok)
			continue
		}
		parts := []barSegment{{int64(b.errors), severityColor(audit.Error)},
			{int64(b.warnings), severityColor(audit.Warning)}, {int64(b.infos), severityColor(audit.Info)}}
		segs, x := hStackedBar(labelW, barY, 16, scale, parts)
		objs = append(objs, segs...)
		// the count inside each part that is wide enough for it
		sx := labelW
		for _, p := range parts {
			if p.n <= 0 {
				continue
			}
			w := max(float32(p.n)*scale, 2)
			label := fmtInt(p.n)
			if lw := fyne.MeasureText(label, small, fyne.TextStyle{Bold: true}).Width; lw+8 <= w {
				t := chartText(label, color.White, small)
				t.TextStyle = fyne.TextStyle{Bold: true}
				t.Move(fyne.NewPos(sx+(w-lw)/2, barY+1))
				objs = append(objs, t)
			}
			sx += w
		}
		n := chartText(plural64(int64(b.total()), "finding", "findings"), quiet, small)
		n.Move(fyne.NewPos(x+6, barY+1))
		objs = append(objs, n)
	}
	return objs
}
