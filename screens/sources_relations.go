package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/staging"
)

// relationsView shows the relationships of the table on screen: suggestions to accept with one
// click (with how many values match), the declared ones, and a way to declare one by hand.
type relationsView struct {
	s         *SourcesStep
	root      fyne.CanvasObject
	box       *fyne.Container
	busy      *fyne.Container
	declare   *widget.Button
	again     *widget.Button
	table     staging.TableInfo
	importing bool
}

func newRelationsView(s *SourcesStep) *relationsView {
	v := &relationsView{s: s, box: container.NewVBox()}
	v.declare = widget.NewButtonWithIcon("Declare a relationship…", theme.ContentAddIcon(), func() { v.declareDialog(v.table) })
	v.again = widget.NewButtonWithIcon("Look for suggestions", theme.SearchIcon(), s.suggest)
	bar := widget.NewProgressBarInfinite()
	v.busy = container.NewBorder(nil, nil, widget.NewLabel("Comparing the tables' values…"), nil, bar)
	v.busy.Hide()
	intro := muted("A relationship says that a column of one table holds the key of another, as appointments.patient_id " +
		"holds patients.id. Audit uses them to find records that point at nothing; loading uses them to keep records together.")
	top := container.NewVBox(intro, container.NewHBox(v.declare, v.again), v.busy)
	v.root = container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.box))
	v.enable()
	return v
}

func (v *relationsView) setBusy(on bool) {
	if on {
		v.busy.Show()
	} else {
		v.busy.Hide()
	}
}

func (v *relationsView) setImporting(on bool) {
	v.importing = on
	v.enable()
	v.show(v.table)
}

func (v *relationsView) enable() {
	if v.s.readOnly || v.importing {
		v.declare.Disable()
		v.again.Disable()
	} else {
		v.declare.Enable()
		v.again.Enable()
	}
}

// involving lists the suggested and declared relationships t is part of.
func (v *relationsView) involving(t staging.TableInfo) (suggested, declared []staging.Relationship) {
	for _, r := range v.s.rels {
		if !strings.EqualFold(r.ChildTable, t.Name) && !strings.EqualFold(r.ParentTable, t.Name) {
			continue
		}
		if r.Confirmed {
			declared = append(declared, r)
		} else {
			suggested = append(suggested, r)
		}
	}
	return suggested, declared
}

// show rebuilds the list for t.
func (v *relationsView) show(t staging.TableInfo) {
	v.table = t
	suggested, declared := v.involving(t)
	var objs []fyne.CanvasObject
	objs = append(objs, sectionTitle(fmt.Sprintf("Suggested (%d)", len(suggested))))
	if len(suggested) == 0 {
		objs = append(objs, muted("No suggestions for this table. Ferry suggests a relationship when a column's name points at "+
			"another table and most of its values are found in that table's key."))
	}
	for _, r := range suggested {
		objs = append(objs, v.item(r, true))
	}
	objs = append(objs, widget.NewSeparator(), sectionTitle(fmt.Sprintf("Declared (%d)", len(declared))))
	if len(declared) == 0 {
		objs = append(objs, muted("None yet. Accept a suggestion above, or declare one."))
	}
	for _, r := range declared {
		objs = append(objs, v.item(r, false))
	}
	v.box.Objects = objs
	v.box.Refresh()
	n := len(suggested) + len(declared)
	text := "Relationships"
	if n > 0 {
		text = fmt.Sprintf("Relationships (%d)", n)
	}
	if v.s.relTab != nil && v.s.relTab.Text != text {
		v.s.relTab.Text = text
		v.s.tabs.Refresh()
	}
}

func sectionTitle(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// matchText is "1,268 of 1,268 values (100%) are found in patients.Id".
func matchText(r staging.Relationship) string {
	if r.ChildRows == 0 {
		return ""
	}
	return fmt.Sprintf("%s of %s values (%s) are found in %s.%s", fmtInt(r.MatchedRows), fmtInt(r.ChildRows),
		sharePercent(r.Share), r.ParentTable, r.ParentColumn)
}

func sharePercent(f float64) string {
	p := f * 100
	if p > 99 && p < 100 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// item is one relationship with its buttons.
func (v *relationsView) item(r staging.Relationship, suggestion bool) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(r.String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	var caption string
	switch {
	case suggestion:
		caption = "Suggested: " + matchText(r)
	case r.Origin == "suggested":
		caption = "Accepted suggestion"
		if m := matchText(r); m != "" {
			caption += " · " + m
		}
	default:
		caption = "Declared by hand"
		if m := matchText(r); m != "" {
			caption += " · " + m
		}
	}
	capt := widget.NewLabel(caption)
	capt.SizeName = theme.SizeNameCaptionText
	capt.Wrapping = fyne.TextWrapWord
	var buttons []fyne.CanvasObject
	editable := !v.s.readOnly && !v.importing
	if suggestion {
		accept := widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { v.s.DeclareRelationship(r) })
		accept.Importance = widget.HighImportance
		dismiss := widget.NewButtonWithIcon("Dismiss", theme.CancelIcon(), func() { v.s.DeleteRelationship(r) })
		buttons = append(buttons, accept, dismiss)
	} else {
		buttons = append(buttons, widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { v.s.DeleteRelationship(r) }))
	}
	if !editable {
		for _, b := range buttons {
			b.(*widget.Button).Disable()
		}
	}
	icon := theme.MailForwardIcon()
	if !suggestion {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	return container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(icon)), container.NewCenter(container.NewHBox(buttons...)),
		container.New(&tightVBox{}, title, capt))
}

// DeclareRelationship records r (or accepts it, when it was suggested).
func (s *SourcesStep) DeclareRelationship(r staging.Relationship) {
	s.work(func(ctx context.Context) error { return s.st.DeclareRelationship(ctx, r) }, func() {
		s.notice.show("Declared "+r.String()+".", false)
		s.reload("")
	})
}

// DeleteRelationship removes a declared relationship or dismisses a suggestion (it is not
// suggested again).
func (s *SourcesStep) DeleteRelationship(r staging.Relationship) {
	s.work(func(ctx context.Context) error { return s.st.DeleteRelationship(ctx, r) }, func() { s.reload("") })
}

// declareDialog lets a person say which column of t refers to which table's column.
func (v *relationsView) declareDialog(t staging.TableInfo) {
	s := v.s
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, c.Name)
	}
	child := widget.NewSelect(cols, nil)
	child.PlaceHolder = "Choose a column…"
	var others []string
	for _, o := range s.tables {
		others = append(others, o.Name)
	}
	parentCol := widget.NewSelect(nil, nil)
	parentCol.PlaceHolder = "Choose its key column…"
	parent := widget.NewSelect(others, func(name string) {
		o, ok := s.table(name)
		if !ok {
			return
		}
		var pc []string
		for _, c := range o.Columns {
			pc = append(pc, c.Name)
		}
		parentCol.Options = pc
		parentCol.ClearSelected()
		if o.KeyColumn != "" {
			parentCol.SetSelected(o.KeyColumn)
		}
		parentCol.Refresh()
	})
	parent.PlaceHolder = "Choose a table…"
	childItem := widget.NewFormItem("Column of "+t.Name, child)
	childItem.HintText = "The column that holds another table's key, e.g. patient_id."
	parentItem := widget.NewFormItem("Refers to table", parent)
	colItem := widget.NewFormItem("Its column", parentCol)
	colItem.HintText = "Usually that table's key column."
	d := dialog.NewForm("Declare a relationship", "Declare", "Cancel", []*widget.FormItem{childItem, parentItem, colItem}, func(ok bool) {
		if !ok {
			return
		}
		if child.Selected == "" || parent.Selected == "" || parentCol.Selected == "" {
			s.deps.ShowError(fmt.Errorf("choose the column, the table it refers to and that table's column"))
			return
		}
		s.DeclareRelationship(staging.Relationship{ChildTable: t.Name, ChildColumn: child.Selected,
			ParentTable: parent.Selected, ParentColumn: parentCol.Selected})
	}, s.win)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}
