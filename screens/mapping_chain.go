package screens

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// mapOpWords are the transform ops as the step picker offers them.
var mapOpWords = map[string]string{
	mapping.OpTrim:     "Trim spaces",
	mapping.OpCase:     "Change case",
	mapping.OpDate:     "Read a date",
	mapping.OpPhone:    "Format a phone number",
	mapping.OpNumber:   "Read a number or amount",
	mapping.OpSplit:    "Take part of the text",
	mapping.OpConcat:   "Join the columns",
	mapping.OpValueMap: "Map values (pick-list)",
	mapping.OpConstant: "Same value on every row",
	mapping.OpDefault:  "Default when blank",
	mapping.OpRegex:    "Replace text (pattern)",
	mapping.OpLookup:   "Look up a referenced record",
}

// mapFieldEditor edits the selected field's mapping beside the canvas: its source columns (a
// Select adds one without dragging), its chain of steps with their parameters, and the result of
// the chain on the sample rows, live. Parameters typed are saved after a pause; choices at once.
type mapFieldEditor struct {
	s    *MapStep
	root fyne.CanvasObject

	empty     *widget.Label
	body      *fyne.Container
	pick      *widget.Select // the field, for keyboard users (a tap on a field row does the same)
	picks     []string
	info      *widget.Label
	desc      *widget.Label
	srcBox    *fyne.Container
	addCol    *widget.Select
	stepsBox  *fyne.Container
	addStep   *widget.Select
	result    *fyne.Container
	resultSum *widget.Label
	clearBtn  *widget.Button
	editBtn   *widget.Button

	entity string
	f      target.Field
	fm     mapping.FieldMap
	table  string
	busy   bool

	saver   *debouncer
	dirty   bool // local steps not saved yet
	gen     int
	closing bool
}

func newMapFieldEditor(s *MapStep) *mapFieldEditor {
	e := &mapFieldEditor{s: s, saver: newDebouncer(600 * time.Millisecond)}
	e.empty = wrapped("Select a field on the right of the canvas to see and change how it is filled.")
	e.empty.Importance = widget.LowImportance
	e.pick = widget.NewSelect(nil, func(v string) {
		if e.busy {
			return
		}
		for i, o := range e.picks {
			if o == v {
				if ev, ok := e.s.view(); ok && i < len(ev.Entity.Fields) {
					e.s.selectField(ev.Entity.Fields[i].Name)
					e.s.canvas.reveal(e.s.canvas.FieldRow(ev.Entity.Fields[i].Name))
				}
			}
		}
	})
	e.info = widget.NewLabel("")
	e.info.SizeName = theme.SizeNameCaptionText
	e.info.Wrapping = fyne.TextWrapWord
	e.desc = muted("")
	e.srcBox = container.NewVBox()
	e.addCol = widget.NewSelect(nil, func(v string) {
		if e.busy || v == "" {
			return
		}
		e.s.Connect(e.entity, e.f.Name, v)
		e.busy = true
		e.addCol.ClearSelected()
		e.busy = false
	})
	e.addCol.PlaceHolder = "Add a column…"
	e.stepsBox = container.NewVBox()
	var ops []string
	for _, op := range mapping.Ops {
		ops = append(ops, mapOpWords[op])
	}
	e.addStep = widget.NewSelect(ops, func(v string) {
		if e.busy || v == "" {
			return
		}
		for op, w := range mapOpWords {
			if w == v {
				e.AddStep(op)
			}
		}
		e.busy = true
		e.addStep.ClearSelected()
		e.busy = false
	})
	e.addStep.PlaceHolder = "Add a step…"
	e.result = container.NewVBox()
	e.resultSum = widget.NewLabel("")
	e.resultSum.SizeName = theme.SizeNameCaptionText
	e.resultSum.Wrapping = fyne.TextWrapWord
	e.clearBtn = widget.NewButtonWithIcon("Clear mapping", theme.ContentClearIcon(), func() {
		e.saver.Flush()
		e.dirty = false
		e.s.ClearField(e.entity, e.f.Name)
	})
	e.editBtn = widget.NewButtonWithIcon("Edit field…", theme.DocumentCreateIcon(), func() {
		e.s.editFieldDialog(e.entity, e.f.Name)
	})
	if s.readOnly {
		e.addCol.Disable()
		e.addStep.Disable()
		e.clearBtn.Disable()
		e.editBtn.Disable()
	}
	e.body = container.NewVBox(
		container.NewBorder(nil, nil, nil, e.editBtn, e.pick), e.info, e.desc,
		mapSection("Filled from"), e.srcBox, e.addCol,
		mapSection("Steps, in order"), e.stepsBox, e.addStep,
		mapSection("Result on the first rows"), e.resultSum, e.result,
		widget.NewSeparator(), container.NewHBox(e.clearBtn),
	)
	e.body.Hide()
	e.root = container.NewVScroll(container.NewPadded(container.NewStack(e.empty, e.body)))
	return e
}

// mapSection is a small bold heading inside the editor.
func mapSection(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(widget.NewSeparator(), l)
}

// show fills the editor with the selected field as last read (keeping steps still being typed).
func (e *mapFieldEditor) show() {
	ev, ok := e.s.view()
	var f *target.Field
	if ok {
		f = ev.Entity.Field(e.s.field)
	}
	if f == nil {
		e.body.Hide()
		e.empty.Show()
		e.entity = ""
		return
	}
	same := e.entity == ev.Entity.Name && e.f.Name == f.Name
	e.entity, e.f, e.table = ev.Entity.Name, *f, ev.Map.Table
	saved := mapping.FieldMap{Field: f.Name}
	if fm := ev.Map.Field(f.Name); fm != nil {
		saved = fm.Clone()
	}
	keep := same && (e.dirty || reflect.DeepEqual(e.fm.Steps, saved.Steps))
	if same && e.dirty {
		saved.Steps = e.fm.Steps // what is being typed wins until it is saved
	}
	e.fm = saved
	e.empty.Hide()
	e.body.Show()

	e.picks = e.picks[:0]
	sel := ""
	for _, ff := range ev.Entity.Fields {
		o := ff.Name
		if ff.Required {
			o += " *"
		}
		if fm := ev.Map.Field(ff.Name); fm != nil && (len(fm.Sources) > 0 || mapHasConstant(fm)) {
			o += "  ✓"
		} else if ff.Required {
			o += "  (not mapped)"
		}
		e.picks = append(e.picks, o)
		if ff.Name == f.Name {
			sel = o
		}
	}
	e.busy = true
	e.pick.SetOptions(e.picks)
	e.pick.SetSelected(sel)
	e.busy = false
	e.info.SetText(mapFieldInfo(*f))
	e.desc.SetText(f.Description)
	if f.Description == "" {
		e.desc.Hide()
	} else {
		e.desc.Show()
	}
	e.showSources()
	if !keep {
		e.showSteps() // not while typing: the entry would lose the focus
	}
	e.updateResult()
}

// reset forgets steps not saved yet (after undo or redo, the map wins).
func (e *mapFieldEditor) reset() {
	e.saver = newDebouncer(600 * time.Millisecond)
	e.dirty = false
}

// flush saves what is still being typed.
func (e *mapFieldEditor) flush() { e.saver.Flush() }

func (e *mapFieldEditor) showSources() {
	e.srcBox.Objects = nil
	for _, src := range e.fm.Sources {
		src := src
		rm := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { e.s.Disconnect(e.entity, e.f.Name, src) })
		rm.Importance = widget.LowImportance
		if e.s.readOnly {
			rm.Disable()
		}
		l := widget.NewLabel("← " + src)
		l.Truncation = fyne.TextTruncateEllipsis
		e.srcBox.Objects = append(e.srcBox.Objects, container.NewBorder(nil, nil, nil, rm, l))
	}
	if len(e.fm.Sources) == 0 {
		l := widget.NewLabel("No column yet: drag one from the left, or add it here.")
		l.Wrapping = fyne.TextWrapWord
		if e.f.Required && !mapHasConstant(&e.fm) {
			l.SetText("Required, and no column yet: drag one from the left, or add it here.")
			l.Importance = widget.DangerImportance
		} else {
			l.Importance = widget.LowImportance
		}
		e.srcBox.Objects = append(e.srcBox.Objects, l)
	}
	if len(e.fm.Sources) > 1 {
		e.srcBox.Objects = append(e.srcBox.Objects, muted("Several columns are joined with a space, or as a Join step says."))
	}
	e.srcBox.Refresh()
	var opts []string
	for _, c := range e.s.tableColumns(e.table) {
		in := false
		for _, s := range e.fm.Sources {
			in = in || strings.EqualFold(s, c)
		}
		if !in {
			opts = append(opts, c)
		}
	}
	e.busy = true
	e.addCol.SetOptions(opts)
	e.addCol.ClearSelected()
	e.busy = false
	if e.table == "" {
		e.addCol.PlaceHolder = "Choose the entity's table first"
		e.addCol.Disable()
	} else if !e.s.readOnly {
		e.addCol.PlaceHolder = "Add a column…"
		e.addCol.Enable()
	}
	e.addCol.Refresh()
}

// showSteps builds a card per step: what it does, its parameters, and buttons to move or remove it.
func (e *mapFieldEditor) showSteps() {
	e.stepsBox.Objects = nil
	for i := range e.fm.Steps {
		e.stepsBox.Objects = append(e.stepsBox.Objects, e.stepCard(i))
	}
	if len(e.fm.Steps) == 0 {
		e.stepsBox.Objects = append(e.stepsBox.Objects, muted("No steps: the value is taken as it is."))
	}
	e.stepsBox.Refresh()
}

func (e *mapFieldEditor) stepCard(i int) fyne.CanvasObject {
	st := e.fm.Steps[i]
	title := widget.NewLabelWithStyle(fmt.Sprintf("%d. %s", i+1, mapOpWords[st.Op]), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { e.MoveStep(i, -1) })
	down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { e.MoveStep(i, 1) })
	rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.RemoveStep(i) })
	for _, b := range []*widget.Button{up, down, rm} {
		b.Importance = widget.LowImportance
		if e.s.readOnly {
			b.Disable()
		}
	}
	if i == 0 {
		up.Disable()
	}
	if i == len(e.fm.Steps)-1 {
		down.Disable()
	}
	params := e.stepParams(i)
	var body fyne.CanvasObject = container.NewBorder(nil, nil, nil, container.NewHBox(up, down, rm), title)
	if params != nil {
		body = container.NewVBox(body, params)
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = 6
	return container.NewStack(bg, container.New(&mapPad{h: 4, v: 2}, body))
}

// stepParams is the form of a step's parameters (nil when it has none).
func (e *mapFieldEditor) stepParams(i int) fyne.CanvasObject {
	st := &e.fm.Steps[i]
	sel := func(opts []string, cur string, set func(string)) *widget.Select {
		s := widget.NewSelect(opts, nil)
		if cur != "" {
			s.SetSelected(cur)
		}
		s.OnChanged = func(v string) {
			set(v)
			e.changed(true)
		}
		if e.s.readOnly {
			s.Disable()
		}
		return s
	}
	entry := func(cur, placeholder string, set func(string)) *widget.Entry {
		en := widget.NewEntry()
		en.SetText(cur)
		en.SetPlaceHolder(placeholder)
		en.OnChanged = func(v string) {
			set(v)
			e.changed(false)
		}
		if e.s.readOnly {
			en.Disable()
		}
		return en
	}
	row := func(items ...fyne.CanvasObject) fyne.CanvasObject {
		return container.New(&mapFormRow{}, items...)
	}
	label := func(s string) fyne.CanvasObject {
		l := widget.NewLabel(s)
		l.SizeName = theme.SizeNameCaptionText
		return l
	}
	switch st.Op {
	case mapping.OpTrim:
		words := map[string]string{"": "both ends", "spaces": "both ends and doubled spaces"}
		return row(label("trim"), sel([]string{"both ends", "both ends and doubled spaces"}, words[st.Mode], func(v string) {
			st.Mode = ""
			if v == words["spaces"] {
				st.Mode = "spaces"
			}
		}))
	case mapping.OpCase:
		return row(label("to"), sel([]string{"upper", "lower", "title", "name"}, st.Mode, func(v string) { st.Mode = v }))
	case mapping.OpDate:
		from := st.From
		if from == "" {
			from = mapping.OrderAuto
		}
		return container.NewVBox(
			row(label("written"), sel([]string{mapping.OrderAuto, mapping.OrderDMY, mapping.OrderMDY, mapping.OrderYMD, mapping.OrderISO}, from,
				func(v string) { st.From = v })),
			row(label("write as"), entry(st.To, e.f.EffectiveFormat()+" (the field's)", func(v string) { st.To = strings.TrimSpace(v) })))
	case mapping.OpPhone:
		mode := st.Mode
		if mode == "" {
			mode = "the field's format"
		}
		return container.NewVBox(
			row(label("as"), sel([]string{"the field's format", "e164", "national", "international"}, mode, func(v string) {
				st.Mode = v
				if v == "the field's format" {
					st.Mode = ""
				}
			})),
			row(label("country"), entry(st.Region, e.s.regionOrDefault()+" (the Plan's)", func(v string) { st.Region = strings.ToUpper(strings.TrimSpace(v)) })))
	case mapping.OpNumber:
		mode := st.Mode
		if mode == "" {
			mode = "decimal"
		}
		return row(label("as"), sel([]string{"decimal", "integer", "money"}, mode, func(v string) { st.Mode = v }))
	case mapping.OpSplit:
		part := ""
		if st.Part != 0 {
			part = strconv.Itoa(st.Part)
		}
		return container.NewVBox(
			row(label("split on"), entry(st.Sep, "a separator such as , or space", func(v string) { st.Sep = v })),
			row(label("keep part"), entry(part, "1 first, 2 second, -1 last", func(v string) { st.Part, _ = strconv.Atoi(strings.TrimSpace(v)) })))
	case mapping.OpConcat:
		return row(label("with"), entry(st.Sep, "nothing between", func(v string) { st.Sep = v }))
	case mapping.OpValueMap:
		n := len(st.Map)
		btn := widget.NewButtonWithIcon(fmt.Sprintf("Map values… (%s)", plural64(int64(n), "entry", "entries")), theme.MenuDropDownIcon(), func() {
			e.s.values.showField(e.f.Name)
			e.s.tabs.Select(e.s.valuesTab)
		})
		return btn
	case mapping.OpConstant:
		return row(label("value"), entry(st.Value, "the value every record gets", func(v string) { st.Value = v }))
	case mapping.OpDefault:
		return row(label("value"), entry(st.Value, "used when the old value is blank", func(v string) { st.Value = v }))
	case mapping.OpRegex:
		return container.NewVBox(
			row(label("pattern"), entry(st.Pattern, `e.g. ^Dr\.?\s+`, func(v string) { st.Pattern = v })),
			row(label("with"), entry(st.Replace, "replacement ($1 …)", func(v string) { st.Replace = v })))
	case mapping.OpLookup:
		var ents []string
		for _, en := range e.s.ov.Target.Entities {
			if en.KeyField() != nil {
				ents = append(ents, en.Name)
			}
		}
		return row(label("record of"), sel(ents, st.Entity, func(v string) { st.Entity = v }))
	}
	return nil
}

func (s *MapStep) regionOrDefault() string {
	if s.region == "" {
		return "US"
	}
	return s.region
}

// mapFormRow puts a caption of fixed width before a control that takes the rest.
type mapFormRow struct{}

const mapFormLabel float32 = 76

func (mapFormRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	l, c := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(mapFormLabel+c.Width, max(l.Height, c.Height))
}

func (mapFormRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l := objs[0].MinSize()
	objs[0].Move(fyne.NewPos(0, (size.Height-l.Height)/2))
	objs[0].Resize(fyne.NewSize(mapFormLabel, l.Height))
	objs[1].Move(fyne.NewPos(mapFormLabel, 0))
	objs[1].Resize(fyne.NewSize(size.Width-mapFormLabel, size.Height))
}

// AddStep appends a step with sensible parameters (a value map goes before a lookup).
func (e *mapFieldEditor) AddStep(op string) {
	st := mapping.Step{Op: op}
	switch op {
	case mapping.OpCase:
		st.Mode = "title"
	case mapping.OpDate:
		st.From = mapping.OrderAuto
		if e.f.Type != target.Date && e.f.Type != target.DateTime {
			st.To = target.DefaultDateFormat
		}
	case mapping.OpNumber:
		st.Mode = "decimal"
	case mapping.OpSplit:
		st.Sep, st.Part = " ", 1
	case mapping.OpConcat:
		st.Sep = " "
	case mapping.OpValueMap:
		st.Map = map[string]string{}
	case mapping.OpLookup:
		st.Entity = e.f.References
		if st.Entity == "" {
			for _, en := range e.s.ov.Target.Entities {
				if en.KeyField() != nil && en.Name != e.entity {
					st.Entity = en.Name
					break
				}
			}
		}
	}
	e.fm.Steps = append(e.fm.Steps, st)
	e.showSteps()
	e.changed(true)
}

// RemoveStep removes step i.
func (e *mapFieldEditor) RemoveStep(i int) {
	if i < 0 || i >= len(e.fm.Steps) {
		return
	}
	e.fm.Steps = append(e.fm.Steps[:i:i], e.fm.Steps[i+1:]...)
	e.showSteps()
	e.changed(true)
}

// MoveStep moves step i up (-1) or down (+1).
func (e *mapFieldEditor) MoveStep(i, by int) {
	j := i + by
	if i < 0 || j < 0 || i >= len(e.fm.Steps) || j >= len(e.fm.Steps) {
		return
	}
	e.fm.Steps[i], e.fm.Steps[j] = e.fm.Steps[j], e.fm.Steps[i]
	e.showSteps()
	e.changed(true)
}

// Steps are the chain as edited (tests).
func (e *mapFieldEditor) Steps() []mapping.Step { return e.fm.Steps }

// changed shows the result of the edited chain and saves it: at once for choices, after a
// pause for typing. A chain that cannot run yet is not saved; the result area says why.
func (e *mapFieldEditor) changed(now bool) {
	if e.busy || e.s.readOnly {
		return
	}
	e.dirty = true // kept over reloads until saved, even while it cannot run yet
	if !e.updateResult() {
		return
	}
	e.gen++
	gen := e.gen
	entity, field := e.entity, e.f.Name
	steps := append([]mapping.Step(nil), e.fm.Steps...)
	for i := range steps {
		if steps[i].Map != nil {
			m := make(map[string]string, len(steps[i].Map))
			for k, v := range steps[i].Map {
				m[k] = v
			}
			steps[i].Map = m
		}
	}
	e.saver.Call("steps", func() {
		if e.closing {
			_, _ = e.s.m.SetSteps(context.Background(), entity, field, steps)
			return
		}
		e.s.edit(func(ctx context.Context) (string, error) {
			_, err := e.s.m.SetSteps(ctx, entity, field, steps)
			return "", err
		}, func() {
			if e.gen == gen {
				e.dirty = false
			}
		})
	})
	if now {
		e.saver.Flush()
	}
}

// updateResult runs the edited chain on the sample rows and shows what comes out. It says
// whether the chain can run.
func (e *mapFieldEditor) updateResult() bool {
	e.result.Objects = nil
	defer e.result.Refresh()
	def := e.s.ov.Target.Definition
	chain, err := mapping.Compile(e.fm, e.f, &def, e.s.region)
	if err != nil {
		msg := strings.TrimSuffix(err.Error(), ": "+mapping.ErrBadStep.Error())
		e.resultSum.SetText("Not saved yet: " + msg)
		e.resultSum.Importance = widget.DangerImportance
		e.resultSum.Refresh()
		return false
	}
	if len(e.fm.Sources) == 0 && !mapHasConstant(&e.fm) {
		e.resultSum.SetText("Map a column to see the result on the first rows.")
		e.resultSum.Importance = widget.LowImportance
		e.resultSum.Refresh()
		return true
	}
	smp := e.s.samples[e.table]
	var cols [][]string
	for _, src := range e.fm.Sources {
		cols = append(cols, smp.column(src))
	}
	n := 0
	if smp != nil {
		n = len(smp.rows)
	}
	seen := map[string]bool{}
	bad, shown := 0, 0
	for i := 0; i < n; i++ {
		vals := make([]string, len(cols))
		for j, c := range cols {
			if i < len(c) {
				vals[j] = c[i]
			}
		}
		out, cerr := chain.Run(vals)
		if cerr == nil {
			cerr = chain.Check(out)
		}
		if cerr != nil {
			bad++
		}
		key := strings.Join(vals, "\x00")
		if seen[key] || shown >= 8 {
			continue
		}
		seen[key] = true
		shown++
		e.result.Objects = append(e.result.Objects, mapResultRow(vals, out, cerr))
	}
	switch {
	case n == 0:
		e.resultSum.SetText("The table has no rows to try the chain on.")
		e.resultSum.Importance = widget.LowImportance
	case bad == 0:
		e.resultSum.SetText(fmt.Sprintf("All %d of the first rows come out right.", n))
		e.resultSum.Importance = widget.SuccessImportance
	default:
		e.resultSum.SetText(fmt.Sprintf("%d of the first %d rows have a problem (validation checks every row).", bad, n))
		e.resultSum.Importance = widget.WarningImportance
	}
	e.resultSum.Refresh()
	return true
}

// mapResultRow is "old value → new value", and what is wrong with it.
func mapResultRow(vals []string, out string, cerr *mapping.CellError) fyne.CanvasObject {
	in := make([]string, len(vals))
	for i, v := range vals {
		in[i] = oneLine(v)
		if v == "" {
			in[i] = "(blank)"
		}
	}
	src := widget.NewLabel(strings.Join(in, " + "))
	src.Truncation = fyne.TextTruncateEllipsis
	src.SizeName = theme.SizeNameCaptionText
	res := widget.NewLabel("→ " + oneLine(out))
	if out == "" {
		res.SetText("→ (blank)")
	}
	res.Truncation = fyne.TextTruncateEllipsis
	res.SizeName = theme.SizeNameCaptionText
	res.TextStyle = fyne.TextStyle{Bold: true}
	row := container.NewGridWithColumns(2, src, res)
	if cerr == nil {
		return row
	}
	res.Importance = widget.DangerImportance
	why := widget.NewLabel("⚠ " + cerr.Message)
	why.Wrapping = fyne.TextWrapWord
	why.SizeName = theme.SizeNameCaptionText
	why.Importance = widget.DangerImportance
	return container.New(&tightVBox{}, row, why)
}

// mapFieldInfo says what a field takes: "date, written YYYY-MM-DD · required".
func mapFieldInfo(f target.Field) string {
	parts := []string{}
	if f.Label != "" && f.Label != f.Name {
		parts = append(parts, f.Label)
	}
	t := string(f.Type)
	switch f.Type {
	case target.Code:
		vals := f.Values
		more := ""
		if len(vals) > 8 {
			vals, more = vals[:8], fmt.Sprintf(" and %d more", len(f.Values)-8)
		}
		t += ": one of " + strings.Join(vals, ", ") + more
	case target.Reference:
		t += " to a " + f.References + " record"
	case target.Date, target.DateTime, target.Phone, target.Boolean:
		t += ", written " + f.EffectiveFormat()
	}
	parts = append(parts, t)
	if f.Required {
		parts = append(parts, "required")
	}
	if f.MaxLength > 0 {
		parts = append(parts, fmt.Sprintf("at most %d characters", f.MaxLength))
	}
	if f.Key {
		parts = append(parts, "carries the old system's key")
	}
	return strings.Join(parts, " · ")
}
