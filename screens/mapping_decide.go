package screens

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/mapping"
)

// mapDecide offers, under a validation issue's rows, the two decisions a practice manager makes
// about data the new system would refuse: blank a value nobody can use (the practice asks the
// patient again), or leave the rows out of the migration. Both are Cleanse operations: recorded,
// undoable in the Cleanse step, replayed by its recipe; nothing is deleted.
type mapDecide struct {
	v     *mapCheckView
	blank *widget.Button
	purge *widget.Button
	root  *fyne.Container

	issue  mapping.Issue
	table  string
	column string  // the one column the field reads, or ""
	rows   []int64 // the issue's rows, once read
}

func newMapDecide(v *mapCheckView) *mapDecide {
	d := &mapDecide{v: v}
	d.blank = widget.NewButtonWithIcon("Blank these values…", theme.ContentClearIcon(), d.confirmBlank)
	d.purge = widget.NewButtonWithIcon("Leave these rows out…", theme.VisibilityOffIcon(), d.confirmPurge)
	d.root = container.NewHBox(d.blank, d.purge)
	d.root.Hide()
	return d
}

// show offers the decisions for an issue (nil: a problem of the map, or nothing chosen).
func (d *mapDecide) show(is *mapping.Issue, table string, sources []string) {
	d.rows = nil
	if is == nil || table == "" || d.v.s.readOnly {
		d.root.Hide()
		return
	}
	d.issue, d.table, d.column = *is, table, ""
	if len(sources) == 1 {
		d.column = sources[0]
	}
	if len(is.Values) > 0 && d.column != "" {
		d.blank.Show()
	} else {
		d.blank.Hide()
	}
	d.purge.Disable() // until the rows are read
	d.root.Show()
}

// rowsRead enables "Leave these rows out" once the issue's rows are known.
func (d *mapDecide) rowsRead(ids []int64) {
	d.rows = ids
	if len(ids) > 0 {
		d.purge.Enable()
	}
}

func (d *mapDecide) confirmBlank() {
	var values []string
	for _, vc := range d.issue.Values {
		values = append(values, vc.Value)
	}
	step := cleanse.Step{Op: cleanse.OpSetBlank, Table: d.table, Column: d.column, Values: values,
		Note: "not usable in the new system; the practice will ask"}
	msg := fmt.Sprintf("Blank %s of %s in %s? The new system would refuse them (%s). The old values stay in "+
		"Cleanse's history, and Undo there brings them back.", plural64(int64(len(values)), "value", "different values"),
		d.column, d.table, mapKindWord(d.issue.Kind))
	d.confirm("Blank these values", msg, step)
}

func (d *mapDecide) confirmPurge() {
	refs := make([]cleanse.RowRef, 0, len(d.rows))
	for _, r := range d.rows {
		refs = append(refs, cleanse.RowRef{Row: r})
	}
	reason := "reviewed: " + mapKindWord(d.issue.Kind) + ", not migrated"
	step := cleanse.Step{Op: cleanse.OpPurge, Table: d.table, Reason: reason, Records: refs}
	msg := fmt.Sprintf("Leave %s of %s out of the migration? They move aside with the reason “%s”; nothing is "+
		"deleted, the reconciliation counts them, and Undo in Cleanse brings them back.",
		plural64(int64(len(refs)), "row", "rows"), d.table, reason)
	d.confirm("Leave these rows out", msg, step)
}

func (d *mapDecide) confirm(title, msg string, step cleanse.Step) {
	s := d.v.s
	c := dialog.NewConfirm(title, msg, func(ok bool) {
		if !ok {
			return
		}
		d.root.Hide()
		goBackground(func() {
			res, err := cleanse.Apply(s.ctx, s.deps.Project(), step, cleanse.Options{})
			uiDo(func() {
				if s.ctx.Err() != nil && err == nil {
					return
				}
				if err != nil {
					s.deps.ShowError(fmt.Errorf("%s: %w", title, err))
					d.root.Show()
					return
				}
				s.notice.show(fmt.Sprintf("%s: %s. It is operation %d in Cleanse, where Undo takes it back. Validating again…",
					title, outcomeWords(&res.Outcome), res.OpID), false)
				s.deps.Refresh()
				d.v.Validate()
			})
		})
	}, s.win)
	c.SetConfirmText(title)
	c.Show()
}
