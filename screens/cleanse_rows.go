package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/cleanse"
)

// changedRowsView is the Rows tab: a staged table in the data grid, every row an applied
// operation changed highlighted, its note saying what changed and by which operation.
type changedRowsView struct {
	c        *CleanseStep
	table    string
	root     fyne.CanvasObject
	tableSel *widget.Select
	caption  *widget.Label
	all      *widget.Button
	grid     *DataGrid
	detail   *widget.Label
}

func newChangedRowsView(c *CleanseStep) *changedRowsView {
	v := &changedRowsView{c: c}
	v.tableSel = widget.NewSelect(nil, func(t string) {
		if t != v.table {
			v.table = t
			v.load(nil, "")
		}
	})
	v.tableSel.PlaceHolder = "Table…"
	v.caption = muted("Rows changed by an operation are highlighted; select a cell to see what changed.")
	v.caption.Truncation = fyne.TextTruncateEllipsis
	v.caption.Wrapping = fyne.TextWrapOff
	v.all = widget.NewButton("Show all rows", func() { v.load(nil, "") })
	v.all.Hide()
	v.grid = NewDataGrid(nil)
	v.detail = wrapped("")
	v.grid.OnSelected = func(r GridRow, _ int) { v.detail.SetText(r.Note) }
	v.root = container.NewBorder(
		container.NewBorder(nil, nil, container.New(&minWidth{Width: 220}, v.tableSel), v.all, v.caption),
		v.detail, nil, nil, v.grid)
	return v
}

// Grid is the rows grid.
func (v *changedRowsView) Grid() *DataGrid { return v.grid }

func (v *changedRowsView) tablesChanged() {
	var names []string
	for _, t := range v.c.tables {
		names = append(names, t.Name)
	}
	v.tableSel.SetOptions(names)
	if v.table == "" && len(names) > 0 {
		v.table = names[0]
		v.tableSel.SetSelected(v.table)
		v.load(nil, "")
	}
}

// load shows the table (only rows ids, when not nil).
func (v *changedRowsView) load(ids []int64, caption string) {
	table := v.table
	if table == "" {
		return
	}
	if v.tableSel.Selected != table {
		v.tableSel.SetSelected(table)
	}
	goBackground(func() {
		src, err := NewStagedSource(v.c.ctx, v.c.st, table)
		uiDo(func() {
			if err != nil {
				v.c.deps.ShowError(err)
				return
			}
			v.grid.SetSource(&traceSource{StagedSource: src, c: v.c})
			if ids != nil {
				_ = v.grid.ShowOnly(ids)
				v.caption.SetText(caption)
				v.all.Show()
			} else {
				if caption == "" {
					caption = "Rows changed by an operation are highlighted; select a cell to see what changed."
				}
				v.caption.SetText(caption)
				v.all.Hide()
			}
			v.detail.SetText("")
		})
	})
}

func (v *changedRowsView) reloadGrid() { v.load(nil, "") }

// showRows shows the rows a preview would change.
func (v *changedRowsView) showRows(pv *cleanse.Outcome) {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range pv.Sample {
		if !seen[c.Row] {
			seen[c.Row] = true
			ids = append(ids, c.Row)
		}
	}
	for _, r := range pv.Removes {
		if !seen[r.Row] {
			seen[r.Row] = true
			ids = append(ids, r.Row)
		}
	}
	v.table = pv.Table
	v.load(ids, fmt.Sprintf("The first %s the preview would change, as they are now.", plural64(int64(len(ids)), "row", "rows")))
}

// showOp shows the operation's table with its changes highlighted.
func (v *changedRowsView) showOp(op cleanse.Op) {
	v.table = op.Table
	caption := fmt.Sprintf("Operation %d (%s) changed %s; only those are shown, select a cell to see what changed.",
		op.ID, opTitle(op.Op), plural64(op.Rows, "row", "rows"))
	goBackground(func() {
		ids, err := cleanse.ChangedRows(v.c.ctx, v.c.p, op.ID, 100000)
		uiDo(func() {
			if err != nil {
				v.c.deps.ShowError(err)
				return
			}
			if ids == nil {
				ids = []int64{}
			}
			v.load(ids, caption)
		})
	})
}

// traceSource is a staged table whose rows carry what the cleanse operations did to them.
type traceSource struct {
	*StagedSource
	c *CleanseStep
}

func (s *traceSource) mark(ctx context.Context, rows []GridRow) []GridRow {
	if !s.hasOps(ctx) {
		return rows
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	all, err := cleanse.ChangesOf(ctx, s.c.p, s.table, ids) // one query for the page
	if err != nil {
		return rows
	}
	for i := range rows {
		ch := all[rows[i].ID]
		if len(ch) == 0 {
			continue
		}
		var words []string
		for _, c := range ch {
			words = append(words, changeWords(c))
		}
		rows[i].Flagged = true
		note := strings.Join(words, "; ")
		if rows[i].Note != "" {
			note = rows[i].Note + "; " + note
		}
		rows[i].Note = note
	}
	return rows
}

// hasOps: only tables with applied operations are traced (a query per row otherwise wasted).
func (s *traceSource) hasOps(ctx context.Context) bool {
	ops, err := cleanse.History(ctx, s.c.p)
	if err != nil {
		return false
	}
	for _, op := range ops {
		if op.Table == s.table && op.State == cleanse.Applied {
			return true
		}
	}
	return false
}

// Page implements GridSource.
func (s *traceSource) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	rows, err := s.StagedSource.Page(ctx, offset, limit)
	return s.mark(ctx, rows), err
}

// Rows implements RowFetcher.
func (s *traceSource) Rows(ctx context.Context, ids []int64) ([]GridRow, error) {
	rows, err := s.StagedSource.Rows(ctx, ids)
	return s.mark(ctx, rows), err
}

// changeWords: "Phone changed from … to … by operation 7".
func changeWords(c cleanse.Change) string {
	val := func(p *string) string {
		if p == nil || *p == "" {
			return "(empty)"
		}
		return "“" + oneLine(*p) + "”"
	}
	switch c.Kind {
	case "cell":
		return fmt.Sprintf("%s changed from %s to %s by operation %d", c.Column, val(c.Old), val(c.New), c.OpID)
	case "survivor":
		return fmt.Sprintf("row %d (%s) was merged into this one by operation %d", c.Other, c.OtherK, c.OpID)
	case "merge":
		return fmt.Sprintf("merged into row %d by operation %d", c.Other, c.OpID)
	case "purge":
		return fmt.Sprintf("purged (%s) by operation %d", c.Reason, c.OpID)
	}
	return fmt.Sprintf("%s by operation %d", c.Kind, c.OpID)
}
