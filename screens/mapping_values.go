package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
)

// mapNotMapped is the value select's "no entry" choice.
const mapNotMapped = "— not mapped —"

// mapValuesView is the Values tab: for a pick-list field (code or boolean) every distinct old
// value with its row count, the new value it maps to (a Select), Ferry's suggestion for those not
// mapped yet, and how many are still unmapped.
type mapValuesView struct {
	s    *MapStep
	root fyne.CanvasObject

	fieldSelect *widget.Select
	summary     *widget.Label
	acceptAll   *widget.Button
	onlyOpen    *widget.Check
	list        *widget.List
	empty       *widget.Label
	stale       *widget.Label
	busy        bool

	entity string
	field  string
	view   *mapping.ValueMapView
	rows   []mapping.ValueRow // shown (all, or only the unmapped)
	fields []string           // pick-list fields of the entity
	seq    int
}

func newMapValuesView(s *MapStep) *mapValuesView {
	v := &mapValuesView{s: s}
	v.fieldSelect = widget.NewSelect(nil, func(f string) {
		if !v.busy {
			v.field = f
			v.load()
		}
	})
	v.fieldSelect.PlaceHolder = "Choose a pick-list field…"
	v.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.summary.Wrapping = fyne.TextWrapWord
	v.acceptAll = widget.NewButtonWithIcon("Accept all suggestions", theme.ConfirmIcon(), v.AcceptAll)
	v.acceptAll.Importance = widget.HighImportance
	v.onlyOpen = widget.NewCheck("Only values not mapped yet", func(bool) { v.filter() })
	v.empty = wrapped("")
	v.empty.Importance = widget.LowImportance
	v.stale = muted("")
	v.stale.Hide()
	if s.readOnly {
		v.acceptAll.Disable()
	}
	v.list = widget.NewList(func() int { return len(v.rows) }, v.createRow, v.updateRow)
	v.list.HideSeparators = false
	header := container.New(&mapValueCols{}, mapHead("Old value"), mapHead("Rows"), mapHead("New value"), mapHead("Suggestion"))
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Field"), container.NewHBox(v.onlyOpen, v.acceptAll),
			container.New(&minWidth{Width: 220}, v.fieldSelect)),
		v.summary, v.stale, header)
	v.root = container.NewBorder(top, nil, nil, nil, container.NewStack(v.list, container.NewPadded(container.NewVBox(v.empty))))
	return v
}

func mapHead(s string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// mapValueCols lays a value row out: old value (flexible), rows (70), new value (190), suggestion
// (the rest).
type mapValueCols struct{}

func (mapValueCols) widths(w float32) [4]float32 {
	rest := w - 70 - 190 - 3*theme.Padding()
	return [4]float32{rest * 0.45, 70, 190, rest * 0.55}
}

func (l mapValueCols) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(70+190+240+3*theme.Padding(), h)
}

func (l mapValueCols) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	ws := l.widths(size.Width)
	x := float32(0)
	for i, o := range objs {
		if i > 3 {
			break
		}
		h := min(o.MinSize().Height, size.Height)
		if _, ok := o.(*widget.Select); ok {
			h = size.Height
		}
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(ws[i], h))
		x += ws[i] + theme.Padding()
	}
}

func (v *mapValuesView) createRow() fyne.CanvasObject {
	val := widget.NewLabelWithStyle("old value", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	val.Truncation = fyne.TextTruncateEllipsis
	n := widget.NewLabel("0")
	n.Alignment = fyne.TextAlignTrailing
	sel := widget.NewSelect(nil, nil)
	sug := widget.NewLabel("")
	sug.SizeName = theme.SizeNameCaptionText
	sug.Truncation = fyne.TextTruncateEllipsis
	use := widget.NewButton("Use", nil)
	use.Importance = widget.LowImportance
	if v.s.readOnly {
		sel.Disable()
		use.Disable()
	}
	return container.New(&mapValueCols{}, val, n, sel, container.NewBorder(nil, nil, nil, use, sug))
}

func (v *mapValuesView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(v.rows) || v.view == nil {
		return
	}
	r := v.rows[i]
	c := o.(*fyne.Container)
	val := c.Objects[0].(*widget.Label)
	n := c.Objects[1].(*widget.Label)
	sel := c.Objects[2].(*widget.Select)
	sugBox := c.Objects[3].(*fyne.Container)
	sug := sugBox.Objects[0].(*widget.Label)
	use := sugBox.Objects[1].(*widget.Button)
	shown := r.Value
	if strings.TrimSpace(shown) == "" || shown != strings.TrimSpace(shown) {
		shown = fmt.Sprintf("%q", r.Value) // blanks and stray spaces are visible
	}
	val.SetText(oneLine(shown))
	n.SetText(fmtInt(r.Rows))
	sel.OnChanged = nil
	sel.Options = append([]string{mapNotMapped}, v.view.Allowed...)
	if r.To == "" {
		sel.ClearSelected()
		sel.PlaceHolder = mapNotMapped
	} else {
		sel.SetSelected(r.To)
	}
	value := r.Value
	sel.OnChanged = func(to string) { v.SetValue(value, to) }
	if r.To == "" && r.Suggestion != "" {
		sug.SetText(fmt.Sprintf("%s (%.0f%%) · %s", r.Suggestion, r.Confidence*100, r.Reason))
		sug.Importance = widget.MediumImportance
		to := r.Suggestion
		use.OnTapped = func() { v.SetValue(value, to) }
		use.Show()
	} else {
		if r.To == "" {
			sug.SetText("no suggestion: choose one")
			sug.Importance = widget.DangerImportance
		} else {
			sug.SetText("")
		}
		use.Hide()
	}
	sug.Refresh()
}

// entityChanged lists the entity's pick-list fields again (and keeps the field if it still is one).
func (v *mapValuesView) entityChanged() {
	ev, ok := v.s.view()
	v.fields = nil
	if ok {
		for _, f := range ev.Entity.Fields {
			if len(f.Allowed()) > 0 {
				v.fields = append(v.fields, f.Name)
			}
		}
	}
	if v.entity != ev.Entity.Name {
		v.entity, v.field, v.view, v.rows = ev.Entity.Name, "", nil, nil
	}
	if v.field == "" || !mapContains(v.fields, v.field) {
		v.field = ""
		// the selected field if it is a pick-list, else the first mapped pick-list
		if mapContains(v.fields, v.s.field) {
			v.field = v.s.field
		} else {
			for _, f := range v.fields {
				if fm := ev.Map.Field(f); fm != nil && len(fm.Sources) > 0 {
					v.field = f
					break
				}
			}
			if v.field == "" && len(v.fields) > 0 {
				v.field = v.fields[0]
			}
		}
	}
	v.busy = true
	v.fieldSelect.SetOptions(v.fields)
	if v.field != "" {
		v.fieldSelect.SetSelected(v.field)
	} else {
		v.fieldSelect.ClearSelected()
	}
	v.busy = false
	v.valuesTabTitle()
}

func (v *mapValuesView) valuesTabTitle() {
	title := "Values"
	if v.view != nil && v.view.Unmapped > 0 && v.view.Entity == v.entity {
		title = fmt.Sprintf("Values (%d open)", v.view.Unmapped)
	}
	if v.s.valuesTab.Text != title {
		v.s.valuesTab.Text = title
		v.s.tabs.Refresh()
	}
}

// showField shows a field's values.
func (v *mapValuesView) showField(field string) {
	v.field = field
	v.busy = true
	v.fieldSelect.SetSelected(field)
	v.busy = false
	v.load()
}

// load reads the value map of the field in the background.
func (v *mapValuesView) load() {
	entity, field := v.entity, v.field
	if entity == "" || field == "" {
		v.view, v.rows = nil, nil
		v.summary.SetText("")
		v.empty.SetText("This entity has no pick-list fields: nothing to map value by value.")
		v.empty.Show()
		v.acceptAll.Disable()
		v.list.Refresh()
		return
	}
	v.seq++
	seq := v.seq
	goBackground(func() {
		view, err := v.s.m.Values(v.s.ctx, entity, field)
		uiDo(func() {
			if seq != v.seq || v.s.ctx.Err() != nil {
				return
			}
			if err != nil {
				v.s.deps.ShowError(err)
				return
			}
			v.apply(view)
		})
	})
}

func (v *mapValuesView) apply(view *mapping.ValueMapView) {
	v.view = view
	v.filter()
	ev, _ := v.s.view()
	fm := ev.Map.Field(view.Field)
	suggestions := 0
	for _, r := range view.Values {
		if r.To == "" && r.Suggestion != "" {
			suggestions++
		}
	}
	switch {
	case fm == nil || len(fm.Sources) == 0:
		v.summary.SetText(fmt.Sprintf("%s.%s is not mapped from a column yet: map it on the Fields tab, then its values appear here.",
			view.Entity, view.Field))
		v.summary.Importance = widget.LowImportance
	case !view.PickList:
		v.summary.SetText("The column holds more than 1,000 different values: it is not a pick-list. Map another column, or use steps instead.")
		v.summary.Importance = widget.WarningImportance
	case view.Unmapped == 0:
		v.summary.SetText(fmt.Sprintf("All %d values are mapped (%s).", len(view.Values), plural64(view.Rows, "row", "rows")))
		v.summary.Importance = widget.SuccessImportance
	default:
		v.summary.SetText(fmt.Sprintf("%s still unmapped (%s of %s) · %d of %d mapped · %s",
			plural64(int64(view.Unmapped), "value", "values"), plural64(view.UnmappedRows, "row", "rows"), fmtInt(view.Rows),
			len(view.Values)-view.Unmapped, len(view.Values), plural64(int64(suggestions), "suggestion", "suggestions")))
		v.summary.Importance = widget.DangerImportance
	}
	v.summary.Refresh()
	if len(view.Stale) > 0 {
		v.stale.SetText(fmt.Sprintf("The map also has entries for values the data no longer has (after cleansing): %s. They do no harm.",
			strings.Join(view.Stale, ", ")))
		v.stale.Show()
	} else {
		v.stale.Hide()
	}
	v.acceptAll.SetText(fmt.Sprintf("Accept all suggestions (%d)", suggestions))
	if suggestions > 0 && !v.s.readOnly {
		v.acceptAll.Enable()
	} else {
		v.acceptAll.Disable()
	}
	v.valuesTabTitle()
}

func (v *mapValuesView) filter() {
	v.rows = nil
	if v.view != nil {
		for _, r := range v.view.Values {
			if !v.onlyOpen.Checked || r.To == "" {
				v.rows = append(v.rows, r)
			}
		}
	}
	if len(v.rows) == 0 && v.view != nil && len(v.view.Values) > 0 {
		v.empty.SetText("Every value is mapped.")
		v.empty.Show()
	} else if v.view != nil && len(v.view.Values) == 0 {
		v.empty.SetText("No values yet: map the field from a column on the Fields tab.")
		v.empty.Show()
	} else {
		v.empty.Hide()
	}
	v.list.Refresh()
}

// View is the value map as last read (tests).
func (v *mapValuesView) View() *mapping.ValueMapView { return v.view }

// SetValue maps an old value onto a new one (mapNotMapped or "" removes the entry).
func (v *mapValuesView) SetValue(old, to string) {
	if to == mapNotMapped {
		to = ""
	}
	entity, field := v.entity, v.field
	if v.view != nil {
		for _, r := range v.view.Values {
			if r.Value == old && r.To == to {
				return
			}
		}
	}
	v.s.edit(func(ctx context.Context) (string, error) {
		ed, err := v.s.m.SetValues(ctx, entity, field, map[string]string{old: to})
		if err != nil || ed.ID == 0 {
			return "", err
		}
		return ed.Summary + ".", nil
	}, func() { v.load() })
}

// AcceptAll maps every unmapped value that has a suggestion to it, as one edit.
func (v *mapValuesView) AcceptAll() {
	if v.view == nil {
		return
	}
	vals := map[string]string{}
	for _, r := range v.view.Values {
		if r.To == "" && r.Suggestion != "" {
			vals[r.Value] = r.Suggestion
		}
	}
	if len(vals) == 0 {
		return
	}
	entity, field := v.entity, v.field
	v.s.edit(func(ctx context.Context) (string, error) {
		if _, err := v.s.m.SetValues(ctx, entity, field, vals); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s.%s: %s mapped as suggested (Undo takes them back).", entity, field,
			plural64(int64(len(vals)), "value", "values")), nil
	}, func() { v.load() })
}

func mapContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
