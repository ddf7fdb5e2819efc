package screens

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/staging"
)

// mapPreviewRows is how many rows the Preview tab runs through the map.
const mapPreviewRows = 100

// mapKindWords names what is wrong, for people.
var mapKindWords = map[string]string{
	mapping.KindRequiredMissing:  "Required value missing",
	mapping.KindTooLong:          "Too long",
	mapping.KindBadDate:          "Not a date",
	mapping.KindAmbiguousDate:    "Day and month unclear",
	mapping.KindNotInList:        "Not an allowed value",
	mapping.KindUnmappedValue:    "Value not mapped",
	mapping.KindBadPhone:         "Not a phone number",
	mapping.KindBadEmail:         "Not an e-mail address",
	mapping.KindBadNumber:        "Not a number",
	mapping.KindBadBoolean:       "Not yes or no",
	mapping.KindRefNotFound:      "Refers to a missing record",
	mapping.KindDuplicateKey:     "Same key on several rows",
	mapping.KindTransform:        "A step could not run",
	mapping.KindRequiredUnmapped: "Required field not mapped",
	mapping.KindUnknownTable:     "Source table missing",
	mapping.KindUnknownColumn:    "Source column missing",
	mapping.KindUnknownField:     "Field no longer in the target",
	mapping.KindBadStep:          "Step not valid",
	mapping.KindUnmappedEntity:   "Referenced entity not mapped",
}

func mapKindWord(kind string) string {
	if w, ok := mapKindWords[kind]; ok {
		return w
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// mapPreview is the Preview tab: the first rows of the entity as the new system would get them,
// invalid cells marked ⚠ and the reason shown for the selected cell.
type mapPreview struct {
	s       *MapStep
	root    fyne.CanvasObject
	summary *widget.Label
	cell    *widget.Label
	grid    *DataGrid
	again   *widget.Button
	pv      *mapping.Preview
	seq     int
}

func newMapPreview(s *MapStep) *mapPreview {
	p := &mapPreview{s: s}
	p.summary = wrapped("")
	p.cell = widget.NewLabel("Select a cell to see where its value came from and what is wrong with it.")
	p.cell.Wrapping = fyne.TextWrapWord
	p.cell.SizeName = theme.SizeNameCaptionText
	p.grid = NewDataGrid(nil)
	p.grid.SetEmptyText("Map the entity from a table to preview it.")
	p.grid.OnSelected = p.cellSelected
	p.again = widget.NewButtonWithIcon("Preview again", theme.ViewRefreshIcon(), p.load)
	p.root = container.NewBorder(container.NewBorder(nil, nil, nil, p.again, p.summary), p.cell, nil, nil, p.grid)
	return p
}

// load runs the first rows of the entity through the map.
func (p *mapPreview) load() {
	entity := p.s.entity
	if entity == "" {
		return
	}
	p.seq++
	seq := p.seq
	goBackground(func() {
		pv, err := p.s.m.Preview(p.s.ctx, entity, mapPreviewRows)
		uiDo(func() {
			if seq != p.seq || p.s.ctx.Err() != nil {
				return
			}
			if err != nil {
				p.s.deps.ShowError(err)
				return
			}
			p.apply(pv)
		})
	})
}

// Preview is the preview shown (tests).
func (p *mapPreview) Preview() *mapping.Preview { return p.pv }

func (p *mapPreview) apply(pv *mapping.Preview) {
	p.pv = pv
	if pv.Table == "" {
		p.summary.SetText(pv.Entity + " is not filled from a table yet: choose its table above the fields.")
		p.summary.Importance = widget.LowImportance
		p.summary.Refresh()
		p.grid.SetSource(nil)
		return
	}
	text := fmt.Sprintf("The first %d of %s rows of %s, as the new system would get them.", len(pv.Rows), fmtInt(pv.Total), pv.Table)
	if pv.Errors == 0 {
		text += " No problems in these rows."
		p.summary.Importance = widget.SuccessImportance
	} else {
		var kinds []string
		for _, k := range sortedKeys(pv.Kinds) {
			kinds = append(kinds, fmt.Sprintf("%s (%d)", strings.ToLower(mapKindWord(k)), pv.Kinds[k]))
		}
		text += fmt.Sprintf(" %s marked ⚠: %s. Validate all rows to check the rest.",
			plural64(int64(pv.Errors), "cell is", "cells are"), strings.Join(kinds, ", "))
		p.summary.Importance = widget.WarningImportance
	}
	p.summary.SetText(text)
	p.summary.Refresh()
	p.grid.SetSource(&mapPreviewSource{pv: pv})
	p.grid.SetEmptyText("The table has no rows.")
}

func (p *mapPreview) cellSelected(row GridRow, col int) {
	if p.pv == nil || col < 0 || col >= len(p.pv.Fields) {
		return
	}
	var pr *mapping.PreviewRow
	for i := range p.pv.Rows {
		if p.pv.Rows[i].Row == row.ID {
			pr = &p.pv.Rows[i]
		}
	}
	if pr == nil || col >= len(pr.Cells) {
		return
	}
	f, c := p.pv.Fields[col], pr.Cells[col]
	text := fmt.Sprintf("%s, line %d: ", f.Field.Name, pr.Line)
	if len(f.Sources) > 0 {
		var src []string
		for i, s := range c.Source {
			name := ""
			if i < len(f.Sources) {
				name = f.Sources[i]
			}
			src = append(src, fmt.Sprintf("%s %q", name, s))
		}
		text += "from " + strings.Join(src, " + ") + fmt.Sprintf(" → %q", c.Value)
	} else {
		text += "not mapped"
	}
	if c.Error != nil {
		text += " · ⚠ " + mapKindWord(c.Error.Kind) + ": " + c.Error.Message
		p.cell.Importance = widget.DangerImportance
	} else {
		p.cell.Importance = widget.MediumImportance
	}
	p.cell.SetText(text)
}

// mapPreviewSource shows a preview in a DataGrid: one column per field, ⚠ on invalid cells,
// rows with a problem flagged with the reasons as their note.
type mapPreviewSource struct{ pv *mapping.Preview }

func (m *mapPreviewSource) Columns() []string {
	cols := make([]string, len(m.pv.Fields))
	for i, f := range m.pv.Fields {
		cols[i] = f.Field.Name
		if f.Field.Required {
			cols[i] += " *"
		}
		if !f.Mapped {
			cols[i] += " (not mapped)"
		}
	}
	return cols
}

func (m *mapPreviewSource) RowCount() int64 { return int64(len(m.pv.Rows)) }

func (m *mapPreviewSource) Page(_ context.Context, offset, limit int64) ([]GridRow, error) {
	var out []GridRow
	for i := offset; i < int64(len(m.pv.Rows)) && i < offset+limit; i++ {
		r := m.pv.Rows[i]
		g := GridRow{ID: r.Row, Line: r.Line, Cells: make([]string, len(r.Cells))}
		var notes []string
		for j, c := range r.Cells {
			g.Cells[j] = c.Value
			if c.Error != nil {
				g.Cells[j] = "⚠ " + c.Value
				g.Flagged = true
				notes = append(notes, m.pv.Fields[j].Field.Name+": "+c.Error.Message)
			}
		}
		g.Note = strings.Join(notes, "; ")
		out = append(out, g)
	}
	return out, nil
}

// mapCheckView is the Validation tab: Validate all rows (with progress and Cancel), then what it
// found per entity, field and kind, with the source rows behind each issue.
type mapCheckView struct {
	s    *MapStep
	root fyne.CanvasObject

	run      *widget.Button
	stopBtn  *widget.Button
	bar      *widget.ProgressBar
	progress *widget.Label
	summary  *widget.Label
	kinds    *widget.Label
	list     *widget.List
	items    []mapCheckItem
	empty    *widget.Label

	drillTitle *widget.Label
	drillText  *widget.Label
	grid       *DataGrid
	drillSeq   int
	chosen     int64 // issue id shown in the grid
	decide     *mapDecide
	shownRun   int64 // the validation run the list shows

	mu      sync.Mutex
	cancelF context.CancelFunc
	running bool
}

// mapCheckItem is one line of the results: a problem of the map, or an issue with rows.
type mapCheckItem struct {
	problem *mapping.Problem
	issue   *mapping.Issue
}

func newMapCheckView(s *MapStep) *mapCheckView {
	v := &mapCheckView{s: s}
	v.run = widget.NewButtonWithIcon("Validate all rows", theme.MediaPlayIcon(), v.Validate)
	v.run.Importance = widget.HighImportance
	if s.readOnly {
		v.run.Disable()
	}
	v.stopBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), v.cancel)
	v.stopBtn.Hide()
	v.bar = widget.NewProgressBar()
	v.bar.Hide()
	v.progress = widget.NewLabel("")
	v.progress.SizeName = theme.SizeNameCaptionText
	v.progress.Hide()
	v.summary = wrapped("")
	v.kinds = widget.NewLabel("")
	v.kinds.SizeName = theme.SizeNameCaptionText
	v.kinds.Wrapping = fyne.TextWrapWord
	v.empty = wrapped("Not validated yet. Validation freezes this version of the target and runs every row through the map; " +
		"what it finds is listed here with the rows behind it.")
	v.empty.Importance = widget.LowImportance
	v.list = widget.NewList(func() int { return len(v.items) }, v.createItem, v.updateItem)
	v.list.OnSelected = func(i widget.ListItemID) {
		if i < len(v.items) {
			v.drill(v.items[i])
		}
	}
	v.drillTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.drillTitle.Wrapping = fyne.TextWrapWord
	v.drillText = widget.NewLabel("Select an issue to see the rows of the old system behind it.")
	v.drillText.Wrapping = fyne.TextWrapWord
	v.drillText.SizeName = theme.SizeNameCaptionText
	v.grid = NewDataGrid(nil)
	v.grid.SetEmptyText("No rows to show.")
	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewVBox(container.NewHBox(v.run, v.stopBtn)), nil,
			container.NewVBox(v.bar, v.progress, v.summary)),
		v.kinds, widget.NewSeparator())
	v.decide = newMapDecide(v)
	drill := container.NewBorder(container.NewVBox(v.drillTitle, v.drillText, v.decide.root), nil, nil, nil, v.grid)
	split := container.NewHSplit(container.NewStack(v.list, container.NewPadded(container.NewVBox(v.empty))), drill)
	split.Offset = 0.42
	v.root = container.NewBorder(top, nil, nil, nil, split)
	return v
}

func (v *mapCheckView) createItem() fyne.CanvasObject {
	icon := widget.NewIcon(theme.ErrorIcon())
	what := widget.NewLabelWithStyle("Patient.birthDate", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what.Truncation = fyne.TextTruncateEllipsis
	kind := widget.NewLabel("Day and month unclear")
	kind.SizeName = theme.SizeNameCaptionText
	kind.Truncation = fyne.TextTruncateEllipsis
	n := widget.NewLabelWithStyle("1,234", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return container.NewBorder(nil, nil, container.NewCenter(icon), n, container.New(&tightVBox{}, what, kind))
}

func (v *mapCheckView) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(v.items) {
		return
	}
	it := v.items[i]
	c := o.(*fyne.Container)
	texts := c.Objects[0].(*fyne.Container)
	icon := c.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
	n := c.Objects[2].(*widget.Label)
	what := texts.Objects[0].(*widget.Label)
	kind := texts.Objects[1].(*widget.Label)
	var entity, field, k, sev string
	count := ""
	if it.problem != nil {
		entity, field, k, sev = it.problem.Entity, it.problem.Field, it.problem.Kind, it.problem.Severity
		count = "—"
	} else {
		entity, field, k, sev = it.issue.Entity, it.issue.Field, it.issue.Kind, it.issue.Severity
		count = fmtInt(it.issue.Count)
	}
	name := entity
	if field != "" {
		name += "." + field
	}
	what.SetText(name)
	kind.SetText(mapKindWord(k))
	n.SetText(count)
	if sev == mapping.SevError {
		icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	} else {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
	}
}

// show puts the latest report (as last read) on screen.
func (v *mapCheckView) show() {
	rep := v.s.report
	v.items = nil
	if rep == nil {
		v.summary.SetText("")
		v.summary.Hide()
		v.kinds.SetText("")
		v.kinds.Hide()
		v.empty.Show()
		v.list.Refresh()
		v.setTabTitle(nil)
		return
	}
	v.empty.Hide()
	v.summary.Show()
	v.kinds.Show()
	if rep.RunID != v.shownRun {
		// A new run: the issue shown below may be gone, or another one may now sit at its place in
		// the list; start from "select an issue" rather than show the old one's rows and decisions.
		v.shownRun = rep.RunID
		v.list.UnselectAll()
		v.drillTitle.SetText("")
		v.drillText.SetText("Select an issue to see the rows of the old system behind it.")
		v.decide.show(nil, "", nil)
		v.grid.SetSource(nil)
		v.chosen = 0
	}
	for i := range rep.Problems {
		v.items = append(v.items, mapCheckItem{problem: &rep.Problems[i]})
	}
	for i := range rep.Issues {
		v.items = append(v.items, mapCheckItem{issue: &rep.Issues[i]})
	}
	when := rep.FinishedAt
	if t, err := time.Parse(time.RFC3339, rep.FinishedAt); err == nil {
		when = t.Local().Format("2 Jan 2006 15:04")
	}
	text := fmt.Sprintf("Version %d of %s, validated %s: %s read, ", rep.TargetVersion, rep.Target, when, plural64(rep.Rows, "row", "rows"))
	if rep.Errors == 0 {
		text += "no errors."
		v.summary.Importance = widget.SuccessImportance
	} else {
		text += plural64(rep.Errors, "error", "errors") + "."
		v.summary.Importance = widget.DangerImportance
	}
	var ents []string
	for _, e := range rep.Entities {
		if e.RowsWithErrors > 0 {
			ents = append(ents, fmt.Sprintf("%s %s/%s", e.Entity, fmtInt(e.RowsWithErrors), fmtInt(e.Rows)))
		}
	}
	if len(ents) > 0 {
		text += " Rows with errors: " + strings.Join(ents, ", ") + "."
	}
	if !rep.Current {
		text += " Out of date: the target, the map or the data changed since. Validate again."
		v.summary.Importance = widget.WarningImportance
	}
	v.summary.SetText(text)
	v.summary.Refresh()
	v.kinds.SetText(mapKindTotals(rep))
	v.list.Refresh()
	v.setTabTitle(rep)
}

func (v *mapCheckView) setTabTitle(rep *mapping.Report) {
	title := "Validation"
	if rep != nil && rep.Errors > 0 {
		title = fmt.Sprintf("Validation (%s)", fmtInt(rep.Errors))
	}
	if v.s.checkTab.Text != title {
		v.s.checkTab.Text = title
		v.s.tabs.Refresh()
	}
}

// mapKindTotals is "By kind: 665 day and month unclear, 108 value not mapped …".
func mapKindTotals(rep *mapping.Report) string {
	totals := map[string]int64{}
	for _, is := range rep.Issues {
		totals[is.Kind] += is.Count
	}
	if len(totals) == 0 {
		return ""
	}
	kinds := sortedKeys(totals)
	sort.SliceStable(kinds, func(i, j int) bool { return totals[kinds[i]] > totals[kinds[j]] })
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s: %s", mapKindWord(k), fmtInt(totals[k])))
	}
	return "By kind: " + strings.Join(parts, " · ")
}

// Items are the results listed (tests).
func (v *mapCheckView) Items() []mapCheckItem { return v.items }

// Running says whether a validation is under way.
func (v *mapCheckView) Running() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.running
}

// Validate runs every row through the map on a goroutine, with progress.
func (v *mapCheckView) Validate() {
	if v.s.readOnly || v.Running() {
		return
	}
	v.s.editor.flush()
	ctx, cancel := context.WithCancel(v.s.ctx)
	v.mu.Lock()
	v.running, v.cancelF = true, cancel
	v.mu.Unlock()
	total := int64(0)
	if v.s.ov != nil {
		for _, e := range v.s.ov.Entities {
			if e.Map.Table != "" {
				total += e.Rows
			}
		}
	}
	v.run.Disable()
	v.stopBtn.Show()
	v.bar.SetValue(0)
	v.bar.Show()
	v.progress.SetText("Freezing the target and reading every row…")
	v.progress.Show()
	th := &mapThrottle{}
	done := map[string]int64{}
	var mu sync.Mutex
	goBackground(func() {
		rep, err := v.s.m.Validate(ctx, func(p mapping.Progress) {
			mu.Lock()
			done[p.Entity] = p.Done
			var sum int64
			for _, n := range done {
				sum += n
			}
			mu.Unlock()
			if !th.ok() {
				return
			}
			uiDo(func() {
				if total > 0 {
					v.bar.SetValue(min(1, float64(sum)/float64(total)))
				}
				v.progress.SetText(fmt.Sprintf("%s: %s of %s rows", p.Entity, fmtInt(p.Done), fmtInt(p.Total)))
			})
		})
		cancel()
		uiDo(func() {
			v.mu.Lock()
			v.running, v.cancelF = false, nil
			v.mu.Unlock()
			v.bar.Hide()
			v.stopBtn.Hide()
			if !v.s.readOnly {
				v.run.Enable()
			}
			if v.s.ctx.Err() != nil {
				return
			}
			if err != nil {
				if ctx.Err() != nil {
					v.progress.SetText("Validation cancelled: the results below are from before.")
				} else {
					v.progress.SetText("")
					v.s.deps.ShowError(err)
				}
				return
			}
			v.progress.SetText("")
			v.progress.Hide()
			v.s.report = rep
			v.show()
			v.s.reload()
			v.s.deps.Refresh()
		})
	})
}

func (v *mapCheckView) cancel() {
	v.mu.Lock()
	c := v.cancelF
	v.mu.Unlock()
	if c != nil {
		c()
	}
}

// drill shows the rows of the old system behind an issue.
func (v *mapCheckView) drill(it mapCheckItem) {
	if it.problem != nil {
		v.drillTitle.SetText(mapKindWord(it.problem.Kind))
		v.drillText.SetText(it.problem.Message + ". This is a problem of the map itself: fix it on the Fields tab.")
		v.decide.show(nil, "", nil)
		v.grid.SetSource(nil)
		v.chosen = 0
		return
	}
	is := *it.issue
	name := is.Entity
	if is.Field != "" {
		name += "." + is.Field
	}
	v.drillTitle.SetText(fmt.Sprintf("%s: %s (%s)", name, mapKindWord(is.Kind), plural64(is.Count, "row", "rows")))
	text := is.Message
	if len(is.Values) > 0 {
		var vals []string
		for i, vc := range is.Values {
			if i == 8 {
				vals = append(vals, fmt.Sprintf("and %d more", len(is.Values)-8))
				break
			}
			vals = append(vals, fmt.Sprintf("%q ×%d", vc.Value, vc.Count))
		}
		text += "\nValues: " + strings.Join(vals, ", ")
	}
	v.drillText.SetText(text)
	table := ""
	for _, e := range v.s.report.Entities {
		if e.Entity == is.Entity {
			table = e.Table
		}
	}
	v.chosen = is.ID
	v.drillSeq++
	seq := v.drillSeq
	var first []string // the columns the field reads, after the key
	if ev := v.s.entityView(is.Entity); ev != nil {
		if fm := ev.Map.Field(is.Field); fm != nil {
			first = fm.Sources
		}
	}
	v.decide.show(&is, table, first)
	goBackground(func() {
		var ids []int64
		var info staging.TableInfo
		notes := map[int64]string{}
		rows, err := v.s.m.IssueRows(v.s.ctx, is.ID, 0, 0)
		if err == nil {
			for _, r := range rows {
				ids = append(ids, r.Row)
				notes[r.Row] = fmt.Sprintf("%s: %q", mapKindWord(is.Kind), r.Value)
			}
			info, err = v.s.st.Describe(v.s.ctx, table)
		}
		uiDo(func() {
			if seq != v.drillSeq || v.s.ctx.Err() != nil {
				return
			}
			if err != nil {
				v.s.deps.ShowError(err)
				return
			}
			v.decide.rowsRead(ids)
			if len(ids) == 0 {
				v.grid.SetSource(nil)
				v.grid.SetEmptyText("The rows of this issue are kept for the newest validation only: validate again to see them.")
				return
			}
			if info.KeyColumn != "" {
				first = append([]string{info.KeyColumn}, first...)
			}
			v.grid.SetSource(newMapFirstColumns(StagedSourceOf(v.s.st, info), first, notes))
			_ = v.grid.ShowOnly(ids)
		})
	})
}

// ShownIssue is the issue whose rows the grid shows (tests).
func (v *mapCheckView) ShownIssue() int64 { return v.chosen }

// mapFirstColumns shows a staged table with some columns first (the key and the columns a field
// reads) and, on the rows of an issue, what is wrong with them.
type mapFirstColumns struct {
	src   *StagedSource
	order []int
	cols  []string
	notes map[int64]string
}

func newMapFirstColumns(src *StagedSource, first []string, notes map[int64]string) *mapFirstColumns {
	m := &mapFirstColumns{src: src, notes: notes}
	all := src.Columns()
	used := map[int]bool{}
	for _, f := range first {
		for i, c := range all {
			if strings.EqualFold(c, f) && !used[i] {
				m.order = append(m.order, i)
				used[i] = true
			}
		}
	}
	for i := range all {
		if !used[i] {
			m.order = append(m.order, i)
		}
	}
	for _, i := range m.order {
		m.cols = append(m.cols, all[i])
	}
	return m
}

// Columns implements GridSource.
func (m *mapFirstColumns) Columns() []string { return m.cols }

// RowCount implements GridSource.
func (m *mapFirstColumns) RowCount() int64 { return m.src.RowCount() }

// Page implements GridSource.
func (m *mapFirstColumns) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	rows, err := m.src.Page(ctx, offset, limit)
	return m.reorder(rows), err
}

// Rows implements RowFetcher.
func (m *mapFirstColumns) Rows(ctx context.Context, ids []int64) ([]GridRow, error) {
	rows, err := m.src.Rows(ctx, ids)
	return m.reorder(rows), err
}

func (m *mapFirstColumns) reorder(rows []GridRow) []GridRow {
	for k, r := range rows {
		cells := make([]string, len(m.order))
		var nulls []bool
		if len(r.Nulls) > 0 {
			nulls = make([]bool, len(m.order))
		}
		for j, i := range m.order {
			if i < len(r.Cells) {
				cells[j] = r.Cells[i]
			}
			if nulls != nil && i < len(r.Nulls) {
				nulls[j] = r.Nulls[i]
			}
		}
		rows[k].Cells, rows[k].Nulls = cells, nulls
		if n, ok := m.notes[r.ID]; ok {
			if rows[k].Note != "" {
				n += "; " + rows[k].Note
			}
			rows[k].Note = n
		}
	}
	return rows
}
