package screens

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
)

// profilesView is the Column profiles tab: for the table chosen, one line per column with its
// type, empty values, distinct values, the most common values, the range and a small histogram;
// a tap opens the whole profile.
type profilesView struct {
	a     *AuditStep
	root  fyne.CanvasObject
	sel   *widget.Select
	info  *widget.Label
	list  *widget.List
	rep   *audit.Report
	table *audit.TableProfile
	opts  map[string]string
}

// profileWeights are the shares of the width of a profile line's columns.
var profileWeights = []float32{14, 12, 13, 7, 25, 18, 11}

func newProfilesView(a *AuditStep) *profilesView {
	v := &profilesView{a: a, opts: map[string]string{}}
	v.sel = widget.NewSelect(nil, func(l string) { v.showTable(v.opts[l]) })
	v.sel.PlaceHolder = "Choose a table"
	v.info = caption("")
	head := container.New(&weightedRow{weights: profileWeights},
		headLabel("Column"), headLabel("Type"), headLabel("Empty"), headLabel("Distinct"), headLabel("Most common"),
		headLabel("Range"), headLabel("Spread"))
	v.list = widget.NewList(func() int {
		if v.table == nil {
			return 0
		}
		return len(v.table.Columns)
	}, newProfileRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if v.table != nil && i < len(v.table.Columns) {
			updateProfileRow(o, v.table.Columns[i])
		}
	})
	v.list.OnSelected = func(i widget.ListItemID) {
		v.list.UnselectAll()
		if v.table != nil && i < len(v.table.Columns) {
			v.showColumn(*v.table, v.table.Columns[i])
		}
	}
	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Table"), container.New(&minWidth{Width: 260}, v.sel)), nil, v.info),
		container.NewPadded(head), widget.NewSeparator())
	v.root = container.NewBorder(top, nil, nil, nil, v.list)
	return v
}

func headLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (v *profilesView) show(rep *audit.Report) {
	v.rep = rep
	keep := ""
	if v.table != nil {
		keep = v.table.Name
	}
	v.opts = map[string]string{}
	var opts []string
	sel := ""
	for _, t := range rep.Tables {
		l := fmt.Sprintf("%s — %s, %s", t.Name, plural64(t.Rows, "row", "rows"), plural64(int64(len(t.Columns)), "column", "columns"))
		v.opts[l] = t.Name
		opts = append(opts, l)
		if t.Name == keep || sel == "" {
			sel = l
		}
	}
	v.sel.Options = opts
	v.table = nil
	if sel != "" {
		v.sel.SetSelected(sel)
	} else {
		v.sel.ClearSelected()
		v.list.Refresh()
	}
}

// ShowTable shows the profiles of a table.
func (v *profilesView) ShowTable(name string) {
	for l, n := range v.opts {
		if n == name {
			v.sel.SetSelected(l)
		}
	}
}

func (v *profilesView) showTable(name string) {
	if v.rep == nil {
		return
	}
	v.table = v.rep.Table(name)
	if v.table == nil {
		v.info.SetText("")
		v.list.Refresh()
		return
	}
	t := v.table
	var parts []string
	if t.KeyColumn != "" {
		how := "declared"
		if t.KeyOrigin == "inferred" {
			how = "guessed by Ferry"
		}
		parts = append(parts, fmt.Sprintf("key: %s (%s)", t.KeyColumn, how))
	}
	if t.People {
		parts = append(parts, "holds people: checked for duplicates and test records")
	}
	parts = append(parts, "tap a column for its whole profile")
	v.info.SetText(strings.Join(parts, " · "))
	v.list.Refresh()
	v.list.ScrollToTop()
}

// newProfileRow is one column's line: seven cells of a value over a caption.
func newProfileRow() fyne.CanvasObject {
	cell := func(bold bool) fyne.CanvasObject {
		v := widget.NewLabel("value")
		v.Truncation = fyne.TextTruncateEllipsis
		if bold {
			v.TextStyle = fyne.TextStyle{Bold: true}
		}
		c := widget.NewLabel("caption")
		c.SizeName = theme.SizeNameCaptionText
		c.Truncation = fyne.TextTruncateEllipsis
		return container.New(&tightVBox{}, v, c)
	}
	spark := newSparkBars(fyne.NewSize(80, 26))
	return container.New(&weightedRow{weights: profileWeights}, cell(true), cell(false), cell(false), cell(false), cell(false),
		cell(false), container.New(layout.NewCustomPaddedLayout(8, 6, 4, 4), spark))
}

func setCell(o fyne.CanvasObject, value, capt string, imp widget.Importance) {
	c := o.(*fyne.Container)
	v := c.Objects[0].(*widget.Label)
	v.Importance = imp
	v.SetText(value)
	c.Objects[1].(*widget.Label).SetText(capt)
}

func updateProfileRow(o fyne.CanvasObject, c audit.ColumnProfile) {
	cells := o.(*fyne.Container).Objects
	setCell(cells[0], c.Name, roleWords(c.Role), widget.MediumImportance)
	typ, typCap := typeWords(c)
	imp := widget.MediumImportance
	if c.Confidence < 0.9 && c.Type != audit.TypeText {
		imp = widget.WarningImportance
	}
	setCell(cells[1], typ, typCap, imp)
	empty, emptyCap := emptyWords(c)
	setCell(cells[2], empty, emptyCap, widget.MediumImportance)
	dist, distCap := distinctWords(c)
	setCell(cells[3], dist, distCap, widget.MediumImportance)
	top, topCap := topWords(c)
	setCell(cells[4], top, topCap, widget.MediumImportance)
	rng, rngCap := rangeWords(c)
	setCell(cells[5], rng, rngCap, widget.MediumImportance)
	spark := cells[6].(*fyne.Container).Objects[0].(*sparkBars)
	var counts []int64
	for _, b := range c.Histogram {
		counts = append(counts, b.Count)
	}
	spark.SetCounts(counts)
}

// roleWords says what Ferry took a column for.
func roleWords(role string) string {
	var out []string
	for _, r := range strings.Split(role, ",") {
		switch r {
		case "":
		case "key":
			out = append(out, "key")
		case "birth_date":
			out = append(out, "birth date")
		case "first_name", "last_name", "middle_name", "full_name":
			out = append(out, strings.ReplaceAll(r, "_", " "))
		case "reference":
			out = append(out, "links to another table")
		default:
			out = append(out, strings.ReplaceAll(r, "_", " "))
		}
	}
	return strings.Join(out, " · ")
}

// typeWords is "date" over "100% fit · month first".
func typeWords(c audit.ColumnProfile) (string, string) {
	var parts []string
	if c.Confidence < 1 {
		parts = append(parts, pct(c.Confidence)+" fit")
	}
	if o := map[string]string{"DMY": "day first", "MDY": "month first", "YMD": "year first", "mixed": "mixed order",
		"ambiguous": "order unknown"}[c.DateOrder]; o != "" {
		parts = append(parts, o)
	}
	return c.Type, strings.Join(parts, " · ")
}

// pct writes a share as "99%" (never 100% unless it is all).
func pct(f float64) string {
	p := f * 100
	switch {
	case f >= 1:
		return "100%"
	case p >= 99:
		return fmt.Sprintf("%.1f%%", math.Floor(p*10)/10)
	case p > 0 && p < 1:
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// emptyWords is "11" over "4 blank · 7 stand-ins".
func emptyWords(c audit.ColumnProfile) (string, string) {
	if c.Nulls == 0 {
		return "none", ""
	}
	var ph int64
	for _, n := range c.Placeholders {
		ph += n
	}
	var parts []string
	if c.Blanks > 0 {
		parts = append(parts, fmtInt(c.Blanks)+" blank")
	}
	if ph > 0 {
		parts = append(parts, plural64(ph, "stand-in", "stand-ins"))
	}
	return fmtInt(c.Nulls), strings.Join(parts, " · ")
}

// distinctWords is "397" over "exact" / "≈ estimate".
func distinctWords(c audit.ColumnProfile) (string, string) {
	if !c.DistinctExact {
		return "≈ " + fmtInt(c.Distinct), "estimate"
	}
	switch c.Distinct {
	case 0:
		return "0", "no values"
	case 1:
		return "1", "one value"
	}
	return fmtInt(c.Distinct), ""
}

// topWords is the three most common values over the two commonest shapes (or date formats).
func topWords(c audit.ColumnProfile) (string, string) {
	var parts []string
	for i, v := range c.Top {
		if i == 3 {
			break
		}
		if v.Count <= 1 && i > 0 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", showValue(v.Value), fmtInt(v.Count)))
	}
	top := strings.Join(parts, " · ")
	if len(c.Top) > 0 && c.Top[0].Count <= 1 {
		top = "all different, e.g. " + showValue(c.Top[0].Value)
	}
	var caps []string
	if len(c.DateFormats) > 0 {
		for i, k := range sortedByCount(c.DateFormats) {
			if i == 2 {
				break
			}
			caps = append(caps, fmt.Sprintf("%s %s", k, fmtInt(c.DateFormats[k])))
		}
	} else {
		for i, s := range c.Shapes {
			if i == 2 {
				break
			}
			caps = append(caps, fmt.Sprintf("%s %s", showValue(s.Value), fmtInt(s.Count)))
		}
	}
	return top, strings.Join(caps, " · ")
}

// showValue quotes spaces that matter and names the empty value.
func showValue(v string) string {
	if v == "" {
		return "(empty)"
	}
	if strings.TrimSpace(v) != v {
		return "“" + v + "”"
	}
	return oneLine(v)
}

// rangeWords is "1812-04-29 – 2118-03-26" over "10 characters" (or the sum of amounts).
func rangeWords(c audit.ColumnProfile) (string, string) {
	rng := ""
	switch {
	case c.Min != "" && c.Min == c.Max:
		rng = c.Min
	case c.Min != "" || c.Max != "":
		rng = c.Min + " – " + c.Max
	}
	length := lengthWords(c)
	if c.Sum != "" && (c.Type == audit.TypeMoney || c.Type == audit.TypeDecimal || c.Type == audit.TypeInteger) {
		length = "sum " + c.Sum
	}
	return rng, length
}

// lengthWords is "2–20 characters" or "10 characters".
func lengthWords(c audit.ColumnProfile) string {
	if c.MinLength == c.MaxLength {
		return plural64(int64(c.MaxLength), "character", "characters")
	}
	return fmt.Sprintf("%d–%d characters", c.MinLength, c.MaxLength)
}

func sortedByCount(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// showColumn opens a column's whole profile in a dialog.
func (v *profilesView) showColumn(t audit.TableProfile, c audit.ColumnProfile) {
	if v.a.win == nil {
		return
	}
	typ, _ := typeWords(c)
	empty, emptyCap := emptyWords(c)
	dist, distCap := distinctWords(c)
	rng, _ := rangeWords(c)
	facts := container.New(layout.NewFormLayout())
	fact := func(k, val string) {
		if val == "" {
			return
		}
		kl := widget.NewLabelWithStyle(k, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		vl := widget.NewLabel(val)
		vl.Wrapping = fyne.TextWrapWord
		facts.Add(kl)
		facts.Add(vl)
	}
	join := func(a, b string) string {
		if b == "" {
			return a
		}
		return a + " (" + b + ")"
	}
	fact("Type", fmt.Sprintf("%s · %s of the values fit", typ, pct(c.Confidence)))
	if o := map[string]string{"DMY": "day first (DD/MM/YYYY)", "MDY": "month first (MM/DD/YYYY)", "YMD": "year first",
		"mixed": "both day first and month first", "ambiguous": "not known: no date settles it"}[c.DateOrder]; o != "" {
		fact("Date order", o)
	}
	fact("What it is", roleWords(c.Role))
	fact("Empty", join(empty, emptyCap)+fmt.Sprintf(" of %s", plural64(t.Rows, "row", "rows")))
	fact("Distinct values", join(dist, distCap))
	fact("Range", rng)
	if c.MaxLength > 0 {
		fact("Length", lengthWords(c))
	}
	if c.Sum != "" {
		fact("Sum", c.Sum)
	}
	parts := []fyne.CanvasObject{facts}
	addBars := func(title string, rows []valueBar, more string) {
		if len(rows) == 0 {
			return
		}
		b := newValueBars(statusBlue)
		b.SetRows(rows)
		parts = append(parts, subhead(title), b)
		if more != "" {
			parts = append(parts, muted(more))
		}
	}
	var rows []valueBar
	for _, x := range c.Top {
		rows = append(rows, valueBar{label: x.Value, count: x.Count})
	}
	more := ""
	if !c.TopExact {
		more = "Counted approximately: the column has too many different values to count each exactly."
	}
	addBars("Most common values", rows, more)
	if len(c.Placeholders) > 0 {
		rows = nil
		for _, k := range sortedByCount(c.Placeholders) {
			rows = append(rows, valueBar{label: k, count: c.Placeholders[k]})
		}
		addBars("Stand-ins for “unknown”", rows, "")
	}
	if len(c.DateFormats) > 0 {
		rows = nil
		for _, k := range sortedByCount(c.DateFormats) {
			rows = append(rows, valueBar{label: k, count: c.DateFormats[k]})
		}
		addBars("Date formats", rows, "")
	}
	rows = nil
	for _, s := range c.Shapes {
		rows = append(rows, valueBar{label: s.Value, count: s.Count})
	}
	addBars("Shapes (9 = a digit, A = a capital, a = a small letter)", rows, "")
	rows = nil
	for _, b := range c.Histogram {
		rows = append(rows, valueBar{label: b.Label, count: b.Count})
	}
	addBars("Spread", rows, "")
	d := dialog.NewCustom(t.Name+" · "+c.Name, "Close", container.NewVScroll(container.NewVBox(parts...)), v.a.win)
	d.Resize(fyne.NewSize(680, 600))
	d.Show()
}

// weightedRow lays its objects out side by side, each taking its weight's share of the width.
type weightedRow struct{ weights []float32 }

func (w *weightedRow) total() float32 {
	var t float32
	for _, x := range w.weights {
		t += x
	}
	return t
}

func (w *weightedRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	pad := theme.Padding()
	for _, o := range objs {
		m := o.MinSize()
		s.Width += m.Width + pad
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (w *weightedRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total := w.total()
	pad := theme.Padding()
	x := float32(0)
	for i, o := range objs {
		wt := float32(1)
		if i < len(w.weights) {
			wt = w.weights[i]
		}
		cw := size.Width*wt/total - pad
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(max(cw, 0), size.Height))
		x += cw + pad
	}
}
