package screens

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// GridPageSize is how many rows the DataGrid asks its source for at a time.
const GridPageSize = 500

// gridCachedPages is how many pages the DataGrid keeps: a screenful plus some scrolling back.
const gridCachedPages = 8

// GridRow is one row of a DataGrid.
type GridRow struct {
	ID      int64    // stable id in the source (a staged table's _ferry_row); what ShowOnly takes
	Line    int64    // line or record number in the source file; 0 when there is none
	Cells   []string // one per column, the text exactly as stored
	Nulls   []bool   // optional: true where the value is a real NULL, not empty text
	Flagged bool     // the row is highlighted: something about it needs a look
	Note    string   // why it is flagged, in words; shown when the row is selected
}

// GridSource is what a DataGrid shows. Columns and RowCount are called on the UI goroutine and
// must be cheap (known when the source is made); Page is called on a background goroutine, a page
// at a time, never per cell.
type GridSource interface {
	Columns() []string
	RowCount() int64
	Page(ctx context.Context, offset, limit int64) ([]GridRow, error)
}

// RowFetcher is a GridSource that can also read given rows by id; the DataGrid then supports
// ShowOnly (drill-down from an audit finding or a cleanse preview to the rows concerned).
type RowFetcher interface {
	GridSource
	Rows(ctx context.Context, ids []int64) ([]GridRow, error)
}

// SubsetSource shows only the rows with the given ids, in that order.
type SubsetSource struct {
	src RowFetcher
	ids []int64
}

// NewSubsetSource makes a source of some rows of src.
func NewSubsetSource(src RowFetcher, ids []int64) *SubsetSource {
	return &SubsetSource{src: src, ids: append([]int64(nil), ids...)}
}

// Columns implements GridSource.
func (s *SubsetSource) Columns() []string { return s.src.Columns() }

// RowCount implements GridSource.
func (s *SubsetSource) RowCount() int64 { return int64(len(s.ids)) }

// Page implements GridSource.
func (s *SubsetSource) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	n := int64(len(s.ids))
	if offset >= n || limit <= 0 {
		return nil, nil
	}
	end := min(offset+limit, n)
	return s.src.Rows(ctx, s.ids[offset:end])
}

// DataGrid is a virtualized, read-only table of rows from a GridSource: a frozen header row with
// the column names, the source line of each row down the left, flagged rows highlighted, column
// widths measured from the content (and draggable), and a status line under it. It asks the
// source for pages of GridPageSize rows on a background goroutine, keeps a few pages, and never
// reads the source while drawing; rows not yet read show "…" until their page arrives.
type DataGrid struct {
	widget.BaseWidget

	// OnSelected is called when a cell is selected, with its row and column.
	OnSelected func(row GridRow, col int)

	table  *widget.Table
	status *widget.Label
	empty  string // status text when there are no rows

	mu       sync.Mutex // guards what background fetches touch
	src      GridSource
	all      GridSource // the whole source while a subset is shown
	gen      int        // bumped on every source change: late pages of an old source are dropped
	ctx      context.Context
	cancel   context.CancelFunc
	cols     []string
	rows     int64
	pages    map[int64][]GridRow
	used     []int64 // page numbers, least recently used first
	inflight map[int64]bool
	queue    []int64 // pages wanted while others were being read; newest first out
	failed   error
	fetched  []int64         // page numbers in the order they were read (diagnostics and tests)
	widths   map[int]float32 // column widths set from the content of this source (-1: the line numbers)

	selected *widget.TableCellID
	current  int64 // row marked by ScrollToRow; -1 for none
	rowsHeld bool  // length said 0 rows because the table had no height yet
	holdCols bool  // length says 0 columns while several widths are set at once
	waiting  bool  // a new source's first page is being read: no columns until it arrives
}

// gridMaxParallel is how many pages are read at once.
const gridMaxParallel = 2

// NewDataGrid shows src (which may be nil: an empty grid).
func NewDataGrid(src GridSource) *DataGrid {
	g := &DataGrid{pages: map[int64][]GridRow{}, inflight: map[int64]bool{}, empty: "No rows.", current: -1}
	g.table = widget.NewTable(g.length, g.createCell, g.updateCell)
	g.table.ShowHeaderRow = true
	g.table.ShowHeaderColumn = true
	g.table.CreateHeader = g.createHeader
	g.table.UpdateHeader = g.updateHeader
	g.table.OnSelected = g.cellSelected
	g.status = widget.NewLabel("")
	g.status.SizeName = theme.SizeNameCaptionText
	g.status.Truncation = fyne.TextTruncateEllipsis
	g.ExtendBaseWidget(g)
	g.SetSource(src)
	return g
}

// CreateRenderer implements fyne.Widget.
func (g *DataGrid) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(&gridLayout{g: g}, g.table, g.status))
}

// gridLayout puts the status line under the table. The table is told its rows only once it has
// a real height: before that, Fyne's Table treats every row as visible and makes a divider line
// for each, which for a million rows is a million widgets.
type gridLayout struct{ g *DataGrid }

func (l *gridLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	t, st := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(t.Width, st.Width), t.Height+st.Height)
}

func (l *gridLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	sh := objs[1].MinSize().Height
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, size.Height-sh))
	objs[1].Move(fyne.NewPos(0, size.Height-sh))
	objs[1].Resize(fyne.NewSize(size.Width, sh))
	g := l.g
	if g.rowsHeld && g.tall() {
		g.rowsHeld = false
		g.table.Refresh()
	}
}

// tall says whether the table is tall enough to show rows.
func (g *DataGrid) tall() bool {
	return g.table.Size().Height >= 2*g.rowPitch()
}

// rowPitch is the distance from one row to the next.
func (g *DataGrid) rowPitch() float32 {
	return g.createCell().MinSize().Max(g.createHeader().MinSize()).Height + g.Theme().Size(theme.SizeNamePadding)
}

// SetEmptyText is what the status line says when the source has no rows.
func (g *DataGrid) SetEmptyText(s string) {
	g.empty = s
	g.updateStatus()
}

// SetSource shows another source from its first row, forgetting everything read before.
func (g *DataGrid) SetSource(src GridSource) {
	g.setSource(src)
	g.all = nil
}

func (g *DataGrid) setSource(src GridSource) {
	g.mu.Lock()
	if g.cancel != nil {
		g.cancel()
	}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.gen++
	g.src = src
	g.cols, g.rows = nil, 0
	if src != nil {
		g.cols, g.rows = src.Columns(), src.RowCount()
	}
	g.pages = map[int64][]GridRow{}
	g.used = nil
	g.inflight = map[int64]bool{}
	g.queue = nil
	g.failed = nil
	g.widths = map[int]float32{}
	rows := g.rows
	g.mu.Unlock()
	g.selected = nil
	g.current = -1
	// Until the first page is read the table shows no columns: redrawing the previous source's
	// cells while scrolling back to the top would cost more than the new page.
	g.holdCols = true
	g.table.UnselectAll()
	g.table.ScrollToOffset(fyne.NewPos(0, 0))
	g.holdCols = false
	g.waiting = rows > 0 && g.tall()
	if g.waiting {
		g.want(0)
	}
	g.table.Refresh()
	g.updateStatus()
}

// Source is the source shown (the subset while ShowOnly is in effect).
func (g *DataGrid) Source() GridSource {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.src
}

// ShowOnly shows only the rows with the given ids (in that order) until ShowAll. The source must
// be a RowFetcher.
func (g *DataGrid) ShowOnly(ids []int64) error {
	base := g.all
	if base == nil {
		base = g.Source()
	}
	rf, ok := base.(RowFetcher)
	if !ok {
		return fmt.Errorf("this grid cannot show chosen rows of its data")
	}
	g.setSource(NewSubsetSource(rf, ids))
	g.all = base
	return nil
}

// ShowAll undoes ShowOnly.
func (g *DataGrid) ShowAll() {
	if g.all != nil {
		all := g.all
		g.setSource(all)
		g.all = nil
	}
}

// Filtered says whether ShowOnly is in effect.
func (g *DataGrid) Filtered() bool { return g.all != nil }

// Reload reads the rows again (after the data changed) keeping the position and column widths.
func (g *DataGrid) Reload() {
	g.mu.Lock()
	if g.cancel != nil {
		g.cancel()
	}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.gen++
	if g.src != nil {
		g.rows = g.src.RowCount()
	}
	g.pages = map[int64][]GridRow{}
	g.used = nil
	g.inflight = map[int64]bool{}
	g.queue = nil
	g.failed = nil
	g.mu.Unlock()
	g.table.Refresh()
	g.updateStatus()
}

// Close stops reading (the grid is going away).
func (g *DataGrid) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cancel != nil {
		g.cancel()
	}
	g.gen++
}

// RowCount is the number of rows shown.
func (g *DataGrid) RowCount() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rows
}

// Columns are the column names shown.
func (g *DataGrid) Columns() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cols
}

// Row returns row i if its page has been read.
func (g *DataGrid) Row(i int64) (GridRow, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cached(i)
}

// CellText returns the text shown in a cell, if its page has been read.
func (g *DataGrid) CellText(row int64, col int) (string, bool) {
	r, ok := g.Row(row)
	if !ok || col < 0 || col >= len(r.Cells) {
		return "", false
	}
	return r.Cells[col], true
}

// FetchedPages lists the page numbers read from the source, in order (page p holds rows
// p*GridPageSize up to the next page).
func (g *DataGrid) FetchedPages() []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int64(nil), g.fetched...)
}

// ScrollToRow brings row i to the middle of the view and marks it as the current row.
//
// The offset is worked out here in float64: Table.ScrollTo adds up row heights one by one in
// float32, which drifts by whole rows a hundred thousand rows down.
func (g *DataGrid) ScrollToRow(i int64) {
	if i < 0 || i >= g.RowCount() {
		return
	}
	head := g.createHeader().MinSize()
	pitch := float64(g.rowPitch())
	view := float64(g.table.Size().Height-head.Height) - float64(g.Theme().Size(theme.SizeNamePadding))
	y := float64(i)*pitch - (view-pitch)/2
	y = math.Max(0, y)
	g.table.ScrollToOffset(fyne.NewPos(0, float32(y)))
	g.current = i
	g.selected = &widget.TableCellID{Row: int(i), Col: 0}
	g.table.Refresh()
	g.updateStatus()
	if g.OnSelected != nil {
		if r, ok := g.Row(i); ok {
			g.OnSelected(r, 0)
		}
	}
}

// cached must be called with mu held.
func (g *DataGrid) cached(i int64) (GridRow, bool) {
	p := i / GridPageSize
	rows, ok := g.pages[p]
	if !ok {
		return GridRow{}, false
	}
	k := int(i - p*GridPageSize)
	if k >= len(rows) {
		return GridRow{}, false
	}
	return rows[k], true
}

// want returns row i, asking for its page when it has not been read.
func (g *DataGrid) want(i int64) (GridRow, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r, ok := g.cached(i); ok {
		g.touch(i / GridPageSize)
		return r, true
	}
	if g.failed == nil {
		g.request(i / GridPageSize)
	}
	return GridRow{}, false
}

// touch marks page p as just used (mu held).
func (g *DataGrid) touch(p int64) {
	if n := len(g.used); n > 0 && g.used[n-1] == p {
		return
	}
	for k, q := range g.used {
		if q == p {
			g.used = append(g.used[:k], g.used[k+1:]...)
			break
		}
	}
	g.used = append(g.used, p)
}

// request reads page p in the background unless it is being read (mu held). When enough pages are
// being read already it waits in a short queue; the newest wish goes first, as that is where the
// person scrolled to, and old wishes fall off (visible rows ask again when they are drawn).
func (g *DataGrid) request(p int64) {
	if g.inflight[p] || g.src == nil {
		return
	}
	if len(g.inflight) >= gridMaxParallel {
		for _, q := range g.queue {
			if q == p {
				return
			}
		}
		g.queue = append(g.queue, p)
		if len(g.queue) > 4 {
			g.queue = g.queue[1:]
		}
		return
	}
	g.inflight[p] = true
	gen, src, ctx := g.gen, g.src, g.ctx
	goBackground(func() {
		rows, err := src.Page(ctx, p*GridPageSize, GridPageSize)
		uiDo(func() { g.arrived(gen, p, rows, err) })
	})
}

// arrived keeps a page that was read and draws it.
func (g *DataGrid) arrived(gen int, p int64, rows []GridRow, err error) {
	g.mu.Lock()
	if gen != g.gen {
		g.mu.Unlock()
		return
	}
	delete(g.inflight, p)
	if err != nil {
		if g.ctx.Err() == nil {
			g.failed = err
		}
		g.mu.Unlock()
		if g.waiting {
			g.waiting = false
			g.table.Refresh()
		}
		g.updateStatus()
		return
	}
	g.fetched = append(g.fetched, p)
	g.pages[p] = rows
	g.touch(p)
	for len(g.used) > gridCachedPages {
		delete(g.pages, g.used[0])
		g.used = g.used[1:]
	}
	for len(g.queue) > 0 && len(g.inflight) < gridMaxParallel {
		q := g.queue[len(g.queue)-1]
		g.queue = g.queue[:len(g.queue)-1]
		if _, ok := g.pages[q]; !ok {
			g.request(q)
		}
	}
	g.mu.Unlock()
	g.measure(rows)
	g.waiting = false
	g.table.Refresh()
	g.updateStatus()
}

// measure widens columns to fit their header and the values of a page just read, within bounds
// so that one long note does not push everything else off screen. Columns only grow, so the grid
// does not twitch while scrolling; a person can still drag a column narrower.
//
// Every SetColumnWidth redraws the whole table (and re-shapes every visible value), so the first
// page's widths are set while the table says it has no columns: one redraw instead of one per
// column. Later pages rarely widen more than a column or two.
func (g *DataGrid) measure(rows []GridRow) {
	if len(rows) == 0 {
		return
	}
	th := g.Theme()
	size := th.Size(theme.SizeNameText)
	pad := 2*th.Size(theme.SizeNameInnerPadding) + fyne.MeasureText("0", size, fyne.TextStyle{}).Width
	bold := fyne.TextStyle{Bold: true}
	want := map[int]float32{}
	for c, name := range g.Columns() {
		w := fyne.MeasureText(name, size, bold).Width
		for _, v := range longest(rows, c, 3) {
			if len(v) > 60 {
				v = v[:60]
			}
			w = max(w, fyne.MeasureText(oneLine(v), size, fyne.TextStyle{}).Width)
		}
		if w = float32(math.Ceil(float64(min(max(w+pad, 56), 320)))); w > g.widths[c] {
			want[c] = w
		}
	}
	if w := float32(math.Ceil(float64(g.lineWidth(rows)))); w > g.widths[-1] {
		want[-1] = w
	}
	if len(want) == 0 {
		return
	}
	first := len(g.widths) == 0
	g.holdCols = first
	for c, w := range want {
		g.widths[c] = w
		g.table.SetColumnWidth(c, w)
	}
	g.holdCols = false
}

// longest returns the n longest values (in bytes) of column c: measuring every value of a page
// would cost more than drawing it.
func longest(rows []GridRow, c, n int) []string {
	var out []string
	for _, r := range rows {
		if c >= len(r.Cells) || r.Cells[c] == "" {
			continue
		}
		v := r.Cells[c]
		if len(out) < n {
			out = append(out, v)
			continue
		}
		k := 0
		for i := range out {
			if len(out[i]) < len(out[k]) {
				k = i
			}
		}
		if len(v) > len(out[k]) {
			out[k] = v
		}
	}
	return out
}

// lineWidth is wide enough for the largest line number likely to show.
func (g *DataGrid) lineWidth(rows []GridRow) float32 {
	th := g.Theme()
	top := g.RowCount() + 1
	for _, r := range rows {
		top = max(top, r.Line)
	}
	digits := strings.Repeat("8", len(strconv.FormatInt(top, 10))+1)
	return fyne.MeasureText(digits, th.Size(theme.SizeNameCaptionText), fyne.TextStyle{}).Width + 2*th.Size(theme.SizeNameInnerPadding) + 4
}

func (g *DataGrid) length() (int, int) {
	g.mu.Lock()
	rows, cols := int(g.rows), len(g.cols)
	g.mu.Unlock()
	if g.holdCols || g.waiting {
		return rows, 0
	}
	if rows > 0 && !g.tall() {
		g.rowsHeld = true
		return 0, cols
	}
	return rows, cols
}

func (g *DataGrid) createCell() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	l := widget.NewLabel("template value")
	l.Truncation = fyne.TextTruncateEllipsis
	return container.New(snapStack{}, bg, l)
}

// snapStack stacks its objects like container.NewStack, but rounds its height up so that a row
// plus the table's padding is a multiple of 8. Fyne places rows in float32: with a pitch like 39.3
// the positions drift by whole rows a million rows down (a click then selects a row far from the
// one under the pointer, and the table jumps there). With a pitch of 40 every position is exact
// up to 2^26 pixels, about 1.6 million rows; further down clicks can miss (see
// NOTES-sources-gui.md).
type snapStack struct{}

func (snapStack) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	pad := theme.Padding()
	s.Height = float32(math.Ceil(float64(s.Height+pad)/8)*8) - pad
	return s
}

func (snapStack) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// vCenter gives its object the full width and its own height, centred vertically: the smaller
// line numbers then sit on the same line as the values beside them.
type vCenter struct{}

func (vCenter) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func (vCenter) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	h := min(objs[0].MinSize().Height, size.Height)
	objs[0].Move(fyne.NewPos(0, (size.Height-h)/2))
	objs[0].Resize(fyne.NewSize(size.Width, h))
}

func (g *DataGrid) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	bg := c.Objects[0].(*canvas.Rectangle)
	l := c.Objects[1].(*widget.Label)
	r, ok := g.want(int64(id.Row))
	text, imp := "…", widget.LowImportance
	if ok {
		switch {
		case id.Col < len(r.Nulls) && r.Nulls[id.Col]:
			text, imp = "NULL", widget.LowImportance
		case id.Col < len(r.Cells):
			text, imp = oneLine(r.Cells[id.Col]), widget.MediumImportance
		default:
			text = ""
		}
	}
	if l.Text != text || l.Importance != imp {
		l.Text, l.Importance = text, imp
		l.Refresh()
	}
	setTint(bg, ok && r.Flagged, int64(id.Row) == g.current)
}

func (g *DataGrid) createHeader() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	l := widget.NewLabel("Header")
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Truncation = fyne.TextTruncateEllipsis
	return container.New(snapStack{}, bg, container.New(vCenter{}, l))
}

func (g *DataGrid) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	bg := c.Objects[0].(*canvas.Rectangle)
	l := c.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
	switch {
	case id.Row < 0 && id.Col >= 0: // column header
		cols := g.Columns()
		text := ""
		if id.Col < len(cols) {
			text = cols[id.Col]
		}
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SizeName = theme.SizeNameText
		l.Alignment = fyne.TextAlignLeading
		l.Importance = widget.MediumImportance
		l.Text = text
		setTint(bg, false, false)
	case id.Col < 0 && id.Row >= 0: // row header: the line in the source file
		g.mu.Lock()
		r, ok := g.cached(int64(id.Row))
		g.mu.Unlock()
		l.TextStyle = fyne.TextStyle{}
		l.SizeName = theme.SizeNameCaptionText
		l.Alignment = fyne.TextAlignTrailing
		l.Importance = widget.MediumImportance
		switch {
		case ok && r.Line > 0:
			l.Text = strconv.FormatInt(r.Line, 10)
		case ok:
			l.Text = strconv.Itoa(id.Row + 1)
		default:
			l.Text = ""
		}
		if ok && r.Flagged {
			l.Importance = widget.WarningImportance
		}
		setTint(bg, ok && r.Flagged, int64(id.Row) == g.current)
	default:
		l.Text = ""
	}
	l.Refresh()
}

func (g *DataGrid) cellSelected(id widget.TableCellID) {
	if g.current >= 0 {
		g.current = -1
		g.table.Refresh()
	}
	g.selected = &id
	g.updateStatus()
	if g.OnSelected != nil {
		if r, ok := g.Row(int64(id.Row)); ok {
			g.OnSelected(r, id.Col)
		}
	}
}

// StatusText is what the line under the grid says.
func (g *DataGrid) StatusText() string { return g.status.Text }

func (g *DataGrid) updateStatus() {
	g.mu.Lock()
	rows, failed, cols, filtered := g.rows, g.failed, g.cols, g.all != nil
	g.mu.Unlock()
	var text string
	switch {
	case failed != nil:
		_, body := describeError(failed)
		text = "Could not read the rows: " + firstLine(body)
		g.status.Importance = widget.DangerImportance
	case rows == 0:
		text = g.empty
		g.status.Importance = widget.LowImportance
	default:
		g.status.Importance = widget.MediumImportance
		text = plural64(rows, "row", "rows")
		if filtered {
			text += " shown (filtered)"
		}
		if id := g.selected; id != nil && int64(id.Row) < rows {
			text = fmt.Sprintf("Row %s of %s", fmtInt(int64(id.Row)+1), fmtInt(rows))
			if r, ok := g.Row(int64(id.Row)); ok {
				if r.Line > 0 {
					text += fmt.Sprintf(" · line %s of the file", fmtInt(r.Line))
				}
				if r.Note != "" {
					text += " · ⚠ " + r.Note
					g.status.Importance = widget.WarningImportance
				}
				if id.Col >= 0 && id.Col < len(cols) && id.Col < len(r.Cells) {
					v := r.Cells[id.Col]
					if id.Col < len(r.Nulls) && r.Nulls[id.Col] {
						v = "NULL (no value)"
					} else if v == "" {
						v = "(empty)"
					}
					text += fmt.Sprintf(" · %s: %s", cols[id.Col], oneLine(v))
				}
			}
		}
	}
	g.status.SetText(text)
}

// setTint colours a cell's background: the current row in the selection colour, a flagged row in
// a light warning colour.
func setTint(bg *canvas.Rectangle, flagged, current bool) {
	var c color.Color = color.Transparent
	switch {
	case current:
		c = theme.Color(theme.ColorNameSelection)
	case flagged:
		r, gg, b, _ := theme.Color(theme.ColorNameWarning).RGBA()
		c = color.NRGBA{R: uint8(r >> 8), G: uint8(gg >> 8), B: uint8(b >> 8), A: 0x30}
	}
	if bg.FillColor != c {
		bg.FillColor = c
		bg.Refresh()
	}
}

// oneLine shows line breaks and tabs inside a value as visible marks, so a cell stays one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", " ↵ ", "\n", " ↵ ", "\r", " ↵ ", "\t", " → ").Replace(s)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// fmtInt writes 1234567 as 1,234,567.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural64(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmtInt(n) + " " + many
}

// Background work: long work runs on goroutines and comes back to the UI through uiDo. Tests
// replace uiDo with a queue they run on their own goroutine (Fyne's test driver runs fyne.Do at
// once on the calling goroutine, which would draw from two goroutines at the same time), and wait
// until background is zero.
var (
	uiDo       = fyne.Do
	background atomic.Int64
)

func goBackground(fn func()) {
	background.Add(1)
	go func() {
		defer background.Add(-1)
		fn()
	}()
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
