package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
)

// drillView shows exactly the rows behind a finding in the data grid (ShowOnly with the ids the
// audit stored), the finding's column moved to the front; "Show only these rows" off shows the
// whole table.
type drillView struct {
	a     *AuditStep
	root  *fyne.Container
	title *widget.Label
	note  *widget.Label
	only  *widget.Check
	grid  *DataGrid

	gen int
	f   audit.Finding
	ids []int64
}

func newDrillView(a *AuditStep, back func()) *drillView {
	d := &drillView{a: a}
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Truncation = fyne.TextTruncateEllipsis
	d.note = caption("")
	backBtn := widget.NewButtonWithIcon("Back to the findings", theme.NavigateBackIcon(), back)
	d.only = widget.NewCheck("Show only these rows", func(on bool) {
		if on {
			if d.ids != nil {
				_ = d.grid.ShowOnly(d.ids)
			}
		} else {
			d.grid.ShowAll()
		}
	})
	d.grid = NewDataGrid(nil)
	d.grid.SetEmptyText("Reading the rows…")
	top := container.NewVBox(container.NewBorder(nil, nil, backBtn, d.only, d.title), d.note)
	d.root = container.NewBorder(top, nil, nil, nil, d.grid)
	return d
}

// Grid is the drill-down's data grid (tests).
func (d *drillView) Grid() *DataGrid { return d.grid }

// open reads the finding's rows (groups: every member of its duplicate groups, group by group)
// and shows them.
func (d *drillView) open(f audit.Finding, groups bool) {
	d.gen++
	gen := d.gen
	d.f, d.ids = f, nil
	what := drillLabel(f.RowCount)[len("Show "):]
	if groups {
		what = "every row of the " + plural64(int64(f.Clusters), "group", "groups")
	}
	d.title.SetText(fmt.Sprintf("%s: %s of %s", findingTitle(f), what, f.Table))
	d.note.SetText("Reading the rows…")
	d.only.SetChecked(true)
	d.grid.SetSource(nil)
	d.grid.SetEmptyText("Reading the rows…")
	a := d.a
	goBackground(func() {
		info, err := a.st.Describe(a.ctx, f.Table)
		var ids []int64
		if err == nil {
			if groups {
				var cs []audit.Cluster
				cs, err = audit.Clusters(a.ctx, a.p, f.ID)
				for _, c := range cs {
					for _, m := range c.Members {
						ids = append(ids, m.Row)
					}
				}
			} else {
				ids, err = a.findingRows(a.ctx, f)
			}
		}
		uiDo(func() {
			if gen != d.gen || a.ctx.Err() != nil {
				return
			}
			if err != nil {
				_, body := describeError(err)
				d.note.SetText("The rows could not be read: " + firstLine(body))
				d.note.Importance = widget.DangerImportance
				d.note.Refresh()
				return
			}
			d.note.Importance = widget.MediumImportance
			d.ids = ids
			src := newFocusSource(StagedSourceOf(a.st, info), f.Column)
			d.grid.SetEmptyText("None of these rows is in the table any more: it changed since the audit.")
			d.grid.SetSource(src)
			_ = d.grid.ShowOnly(ids)
			var parts []string
			if f.Column != "" && src.focus >= 0 {
				parts = append(parts, f.Column+" is the first column.")
			}
			if groups {
				parts = append(parts, "Each group's rows follow one another; the first of a group is the one a merge keeps.")
			}
			if int64(len(ids)) < f.RowCount && !groups {
				parts = append(parts, fmt.Sprintf("Showing the first %s of %s.", fmtInt(int64(len(ids))), fmtInt(f.RowCount)))
			}
			if len(parts) < 2 {
				parts = append(parts, "Line numbers are the lines in the file; select a cell to read its whole value below.")
			}
			d.note.SetText(strings.Join(parts, " "))
		})
	})
}

// focusSource shows a staged table with one column moved to the front: the column a finding is
// about, so it is on screen without scrolling sideways.
type focusSource struct {
	src   *StagedSource
	focus int   // index in src of the column moved; -1 for none
	order []int // shown column → src column
	cols  []string
}

func newFocusSource(src *StagedSource, column string) *focusSource {
	s := &focusSource{src: src, focus: -1}
	cols := src.Columns()
	for i, c := range cols {
		if c == column {
			s.focus = i
		}
	}
	if s.focus >= 0 {
		s.order = append(s.order, s.focus)
	}
	for i := range cols {
		if i != s.focus {
			s.order = append(s.order, i)
		}
	}
	for _, i := range s.order {
		s.cols = append(s.cols, cols[i])
	}
	return s
}

// Table is the staged table's name.
func (s *focusSource) Table() string { return s.src.Table() }

// Columns implements GridSource.
func (s *focusSource) Columns() []string { return s.cols }

// RowCount implements GridSource.
func (s *focusSource) RowCount() int64 { return s.src.RowCount() }

// Page implements GridSource.
func (s *focusSource) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	rows, err := s.src.Page(ctx, offset, limit)
	return s.reorder(rows), err
}

// Rows implements RowFetcher.
func (s *focusSource) Rows(ctx context.Context, ids []int64) ([]GridRow, error) {
	rows, err := s.src.Rows(ctx, ids)
	return s.reorder(rows), err
}

func (s *focusSource) reorder(rows []GridRow) []GridRow {
	if s.focus <= 0 {
		return rows
	}
	for k, r := range rows {
		cells := make([]string, len(s.order))
		var nulls []bool
		if r.Nulls != nil {
			nulls = make([]bool, len(s.order))
		}
		for to, from := range s.order {
			if from < len(r.Cells) {
				cells[to] = r.Cells[from]
			}
			if nulls != nil && from < len(r.Nulls) {
				nulls[to] = r.Nulls[from]
			}
		}
		rows[k].Cells, rows[k].Nulls = cells, nulls
	}
	return rows
}

var _ RowFetcher = (*focusSource)(nil)
