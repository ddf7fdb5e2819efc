package screens

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/cleanse"
)

// opEditor sets up one operation: which, on which table and column(s), its parameters; then
// Preview shows what it would change (before → after, counts, what it leaves alone) and Apply
// runs it in the background.
type opEditor struct {
	c    *CleanseStep
	step cleanse.Step
	from string // the suggestion it came from, in words

	root     fyne.CanvasObject
	title    *widget.Label
	opSel    *widget.Select
	tableSel *widget.Select
	colSel   *widget.Select
	colsChk  *widget.CheckGroup
	colRow   *fyne.Container
	params   *fyne.Container
	noteE    *widget.Entry
	problem  *widget.Label
	summary  *widget.Label
	leftMsg  *widget.Label
	preview  *widget.Button
	apply    *widget.Button
	showRows *widget.Button
	bar      *widget.ProgressBar
	barText  *widget.Label
	barBox   *fyne.Container
	grid     *DataGrid
	busy     bool
	previewd *cleanse.Outcome
	cancel   context.CancelFunc

	// map_values / fix_email_domain / normalise_date decisions: value → target entry
	mapEntries map[string]*widget.Entry
}

// opChoices are the operations a person can choose, in words (title_case is change_case).
var opChoices = []string{cleanse.OpTrim, cleanse.OpChangeCase, cleanse.OpNormalisePhone, cleanse.OpNormaliseEmail,
	cleanse.OpFixEmailDomain, cleanse.OpRestoreZipZeros, cleanse.OpNormaliseDate, cleanse.OpSplitName,
	cleanse.OpMergeColumns, cleanse.OpReplace, cleanse.OpMapValues, cleanse.OpFillBlank, cleanse.OpSetBlank,
	cleanse.OpPurge, cleanse.OpMergeDuplicates}

func newOpEditor(c *CleanseStep) *opEditor {
	e := &opEditor{c: c, mapEntries: map[string]*widget.Entry{}}
	e.title = widget.NewLabelWithStyle("New operation", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.title.SizeName = theme.SizeNameSubHeadingText
	e.title.Truncation = fyne.TextTruncateEllipsis
	var names []string
	for _, op := range opChoices {
		names = append(names, opTitle(op))
	}
	e.opSel = widget.NewSelect(names, func(v string) {
		for _, op := range opChoices {
			if opTitle(op) == v && e.step.Op != op {
				e.step = cleanse.Step{Op: op, Table: e.step.Table, Column: e.step.Column}
				e.from = ""
				e.rebuild()
			}
		}
	})
	e.opSel.PlaceHolder = "Choose an operation…"
	e.tableSel = widget.NewSelect(nil, func(v string) {
		if v != e.step.Table {
			e.step.Table = v
			e.step.Column, e.step.Columns = "", nil
			e.rebuild()
		}
	})
	e.tableSel.PlaceHolder = "Table…"
	e.colSel = widget.NewSelect(nil, func(v string) {
		if v != e.step.Column {
			e.step.Column = v
			e.rebuild()
		}
	})
	e.colSel.PlaceHolder = "Column…"
	e.colsChk = widget.NewCheckGroup(nil, func(v []string) { e.step.Columns = v; e.stale() })
	e.colsChk.Horizontal = true
	e.colRow = container.NewStack()
	e.params = container.NewVBox()
	e.noteE = widget.NewEntry()
	e.noteE.SetPlaceHolder("Why (optional, kept with the operation)")
	e.noteE.OnChanged = func(s string) { e.step.Note = s }
	e.problem = wrapped("")
	e.problem.Importance = widget.DangerImportance
	e.problem.Hide()
	e.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.summary.Wrapping = fyne.TextWrapWord
	e.leftMsg = wrapped("")
	e.leftMsg.Importance = widget.WarningImportance
	e.leftMsg.Hide()
	e.preview = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), e.Preview)
	e.apply = widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), e.Apply)
	e.apply.Importance = widget.HighImportance
	e.showRows = widget.NewButtonWithIcon("Show rows", theme.GridIcon(), func() {
		if e.previewd != nil {
			c.rows.showRows(e.previewd)
			c.tabs.Select(c.rowsTab)
		}
	})
	e.showRows.Hide()
	e.bar = widget.NewProgressBar()
	e.barText = widget.NewLabel("")
	e.barText.SizeName = theme.SizeNameCaptionText
	e.barBox = container.NewBorder(nil, nil, nil, e.barText, e.bar)
	e.barBox.Hide()
	e.grid = NewDataGrid(nil)
	e.grid.SetEmptyText("Preview shows here the cells the operation would change, before and after.")

	form := widget.NewForm(
		widget.NewFormItem("Operation", e.opSel),
		widget.NewFormItem("Table", e.tableSel),
		widget.NewFormItem("Column", e.colRow),
		widget.NewFormItem("Note", e.noteE),
	)
	top := container.NewVBox(form, e.params, e.problem, e.leftMsg)
	actions := container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, container.NewHBox(e.showRows, e.preview, e.apply), e.summary), e.barBox)
	upper := container.NewBorder(e.title, actions, nil, nil, container.NewVScroll(top))
	split := container.NewVSplit(upper, e.grid)
	split.Offset = 0.6
	e.root = split
	e.rebuild()
	return e
}

// edit shows step in the editor; from says which suggestion it came from.
func (e *opEditor) edit(step cleanse.Step, from string) {
	if step.Op == cleanse.OpTitleCase {
		step.Op, step.Case = cleanse.OpChangeCase, "name"
	}
	e.step, e.from = step, from
	e.noteE.SetText(step.Note)
	e.rebuild()
}

// Step is the step as set up now.
func (e *opEditor) Step() cleanse.Step { return e.step }

// SetStep replaces the step being edited (tests and the duplicate review).
func (e *opEditor) SetStep(s cleanse.Step) { e.edit(s, "") }

// Summary is the preview's or the applied operation's count in words.
func (e *opEditor) Summary() string { return e.summary.Text }

// PreviewGrid is the before/after grid.
func (e *opEditor) PreviewGrid() *DataGrid { return e.grid }

// Previewed is the last preview's outcome (nil when none is shown).
func (e *opEditor) Previewed() *cleanse.Outcome { return e.previewd }

func (e *opEditor) tablesChanged() {
	var names []string
	for _, t := range e.c.tables {
		names = append(names, t.Name)
	}
	e.tableSel.SetOptions(names)
	if e.step.Table == "" && len(names) > 0 {
		e.step.Table = names[0]
	}
	e.rebuild()
}

func (e *opEditor) columns() []string {
	for _, t := range e.c.tables {
		if t.Name == e.step.Table {
			var out []string
			for _, c := range t.Columns {
				out = append(out, c.Name)
			}
			return out
		}
	}
	return nil
}

// stale forgets a preview that no longer matches the parameters.
func (e *opEditor) stale() {
	if e.previewd != nil {
		e.previewd = nil
		e.summary.SetText("The parameters changed: preview again to see what it would do.")
		e.showRows.Hide()
		e.grid.SetSource(nil)
	}
}

// rebuild lays the form out for the step's op.
func (e *opEditor) rebuild() {
	s := &e.step
	switch {
	case e.from != "":
		e.title.SetText("Set up: " + e.from)
	case s.Op != "":
		e.title.SetText(opTitle(s.Op))
	default:
		e.title.SetText("New operation")
	}
	if s.Op != "" {
		e.opSel.SetSelected(opTitle(s.Op))
	} else {
		e.opSel.ClearSelected()
	}
	if s.Table != "" {
		e.tableSel.SetSelected(s.Table)
	}
	cols := e.columns()
	e.colSel.SetOptions(cols)
	if s.Column != "" {
		e.colSel.SetSelected(s.Column)
	} else {
		e.colSel.ClearSelected()
	}
	e.colsChk.Options = cols
	e.colsChk.Selected = append([]string(nil), s.Columns...)
	e.colsChk.Refresh()
	switch s.Op {
	case cleanse.OpMergeColumns:
		e.colRow.Objects = []fyne.CanvasObject{container.NewHScroll(e.colsChk)}
	case cleanse.OpPurge, cleanse.OpMergeDuplicates:
		opt := muted("optional")
		opt.Wrapping = fyne.TextWrapOff
		e.colRow.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, opt, e.colSel)}
	default:
		e.colRow.Objects = []fyne.CanvasObject{e.colSel}
	}
	e.colRow.Refresh()
	e.params.Objects = e.paramWidgets()
	e.params.Refresh()
	e.problem.Hide()
	e.previewd = nil
	e.summary.SetText("")
	e.leftMsg.Hide()
	e.showRows.Hide()
	e.grid.SetSource(nil)
	e.updateButtons()
}

func (e *opEditor) updateButtons() {
	if e.busy || e.step.Op == "" || e.step.Table == "" || e.c.readOnly {
		e.preview.Disable()
		e.apply.Disable()
		return
	}
	e.preview.Enable()
	e.apply.Enable()
}

// paramWidgets are the op's own parameters, bound to e.step.
func (e *opEditor) paramWidgets() []fyne.CanvasObject {
	s := &e.step
	check := func(label string, v *bool) *widget.Check {
		c := widget.NewCheck(label, func(b bool) { *v = b; e.stale() })
		c.Checked = *v
		return c
	}
	entry := func(place string, v *string) *widget.Entry {
		en := widget.NewEntry()
		en.SetPlaceHolder(place)
		en.SetText(*v)
		en.OnChanged = func(t string) { *v = t; e.stale() }
		return en
	}
	choice := func(opts []string, words []string, v *string) *widget.Select {
		sel := widget.NewSelect(words, func(w string) {
			for i := range words {
				if words[i] == w {
					*v = opts[i]
				}
			}
			e.stale()
		})
		for i := range opts {
			if opts[i] == *v {
				sel.SetSelected(words[i])
			}
		}
		return sel
	}
	form := func(items ...*widget.FormItem) []fyne.CanvasObject {
		return []fyne.CanvasObject{widget.NewForm(items...)}
	}
	item := widget.NewFormItem
	switch s.Op {
	case cleanse.OpTrim:
		return []fyne.CanvasObject{check("Also make runs of spaces inside one space (line breaks stay)", &s.Collapse)}
	case cleanse.OpChangeCase:
		if s.Case == "" {
			s.Case = "name"
		}
		return form(item("Case", choice([]string{"name", "title", "upper", "lower"},
			[]string{"Names (McDonald, O'Brien)", "Title Case", "UPPER CASE", "lower case"}, &s.Case)),
			item("", check("Change every value, not only those all in capitals or all in lower case", &s.All)))
	case cleanse.OpNormalisePhone:
		if s.Format == "" {
			s.Format = "e164"
		}
		return form(item("Format", choice([]string{"e164", "national", "international"},
			[]string{"+14155550123 (E.164)", "(415) 555-0123 (national)", "+1 415-555-0123 (international)"}, &s.Format)),
			item("Region", entry("The plan's region, e.g. US", &s.Region)))
	case cleanse.OpNormaliseEmail:
		return []fyne.CanvasObject{check("Also fix misspelled providers (gmial.com → gmail.com)", &s.FixTypos)}
	case cleanse.OpRestoreZipZeros:
		d := strconv.Itoa(s.Digits)
		if s.Digits == 0 {
			d = ""
		}
		en := widget.NewEntry()
		en.SetPlaceHolder("5")
		en.SetText(d)
		en.OnChanged = func(t string) { s.Digits, _ = strconv.Atoi(strings.TrimSpace(t)); e.stale() }
		return form(item("Digits", en))
	case cleanse.OpNormaliseDate:
		return e.dateWidgets(choice)
	case cleanse.OpSplitName:
		if s.Order == "" {
			s.Order = "last_first"
		}
		into := func(i int) *string {
			for len(s.Into) <= i {
				s.Into = append(s.Into, "")
			}
			return &s.Into[i]
		}
		first, last := &s.First, &s.Last
		if len(s.Into) >= 2 {
			if s.Order == "last_first" {
				last, first = into(0), into(1)
			} else {
				first, last = into(0), into(1)
			}
		}
		return form(item("Written as", choice([]string{"last_first", "first_last"}, []string{"Smith, John", "John Smith"}, &s.Order)),
			item("First name into", entry("new or existing column", first)),
			item("Last name into", entry("new or existing column", last)),
			item("Middle name into", entry("optional", &s.Middle)))
	case cleanse.OpMergeColumns:
		sep := " "
		if s.Separator != nil {
			sep = *s.Separator
		}
		sepE := widget.NewEntry()
		sepE.SetText(sep)
		sepE.OnChanged = func(t string) { v := t; s.Separator = &v; e.stale() }
		return form(item("Into column", entry("new or existing column", &s.Target)), item("Separator", sepE))
	case cleanse.OpReplace:
		return form(item("Find", entry("text or pattern", &s.Find)), item("Replace with", entry("", &s.With)),
			item("", container.NewHBox(check("Regular expression", &s.Regex), check("Ignore case", &s.IgnoreCase),
				check("Whole value only", &s.Whole))))
	case cleanse.OpMapValues, cleanse.OpFixEmailDomain:
		return e.mappingWidgets(check)
	case cleanse.OpFillBlank:
		return form(item("Fill with", entry("value for empty cells", &s.Value)))
	case cleanse.OpSetBlank:
		en := widget.NewMultiLineEntry()
		en.SetPlaceHolder("One value per line, e.g. N/A")
		en.SetText(strings.Join(s.Values, "\n"))
		en.SetMinRowsVisible(3)
		en.OnChanged = func(t string) { s.Values = lines(t); e.stale() }
		return form(item("Values that mean “nothing”", en))
	case cleanse.OpPurge:
		var which []fyne.CanvasObject
		switch {
		case s.TestRecords:
			which = append(which, muted("Rows: the test records (names like Test, Dummy, Mickey Mouse)."))
		case s.FindingID != 0:
			which = append(which, muted(fmt.Sprintf("Rows: those of audit finding %d.", s.FindingID)))
		default:
			en := widget.NewMultiLineEntry()
			en.SetPlaceHolder("Purge rows whose column holds one of these values, one per line")
			en.SetText(strings.Join(s.Values, "\n"))
			en.SetMinRowsVisible(2)
			en.OnChanged = func(t string) { s.Values = lines(t); e.stale() }
			which = append(which, widget.NewForm(item("Before date", entry("YYYY-MM-DD (with a date column)", &s.Before)),
				item("Or values", en)))
		}
		reason := entry("Required: why these rows go (reconciliation counts them by reason)", &s.Reason)
		return append(which, widget.NewForm(item("Reason", reason)))
	case cleanse.OpMergeDuplicates:
		if s.FindingID != 0 || len(s.Clusters) > 0 {
			return []fyne.CanvasObject{muted(fmt.Sprintf("Merges the groups of audit finding %d, the first row of each surviving. "+
				"Use the Duplicates tab to review them one by one.", s.FindingID)),
				check("Fill the survivor's blanks from the other rows", &s.FillBlanks)}
		}
		if s.Match == "" {
			s.Match = "identical"
		}
		return form(item("Match", choice([]string{"identical", "same_key"}, []string{"Rows identical in every column", "Rows with the same key"}, &s.Match)),
			item("", check("Fill the survivor's blanks from the other rows", &s.FillBlanks)))
	}
	return nil
}

func lines(t string) []string {
	var out []string
	for _, l := range strings.Split(t, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// mappingWidgets: the column's distinct values with counts and the chosen target, suggestions
// from a short list of targets.
func (e *opEditor) mappingWidgets(check func(string, *bool) *widget.Check) []fyne.CanvasObject {
	s := &e.step
	if s.Mapping == nil {
		s.Mapping = map[string]string{}
	}
	e.mapEntries = map[string]*widget.Entry{}
	rows := container.NewVBox()
	targets := widget.NewEntry()
	targets.SetPlaceHolder("The new system's short list, comma separated (e.g. Male, Female, Unknown)")
	load := func(vals []cleanse.ValueCount) {
		rows.Objects = nil
		grid := container.NewGridWithColumns(3, widget.NewLabelWithStyle("Value now", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabelWithStyle("Cells", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
			widget.NewLabelWithStyle("Becomes", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, v := range vals {
			v := v
			val := widget.NewLabel(oneLine(v.Value))
			val.Truncation = fyne.TextTruncateEllipsis
			cnt := widget.NewLabelWithStyle(fmtInt(v.Count), fyne.TextAlignTrailing, fyne.TextStyle{})
			en := widget.NewEntry()
			en.SetPlaceHolder("leave as it is")
			en.SetText(s.Mapping[v.Value])
			en.OnChanged = func(t string) {
				if t == "" {
					delete(s.Mapping, v.Value)
				} else {
					s.Mapping[v.Value] = t
				}
				e.stale()
			}
			e.mapEntries[v.Value] = en
			grid.Add(val)
			grid.Add(cnt)
			grid.Add(en)
		}
		rows.Objects = []fyne.CanvasObject{grid}
		rows.Refresh()
	}
	var vals []cleanse.ValueCount
	suggest := widget.NewButtonWithIcon("Suggest", theme.SearchIcon(), func() {
		var raw []string
		for _, v := range vals {
			raw = append(raw, v.Value)
		}
		var ts []string
		for _, t := range strings.Split(targets.Text, ",") {
			if t = strings.TrimSpace(t); t != "" {
				ts = append(ts, t)
			}
		}
		for _, sg := range cleanse.SuggestMapping(raw, ts) {
			if en := e.mapEntries[sg.Value]; en != nil && sg.Target != "" && en.Text == "" {
				en.SetText(sg.Target)
			}
		}
	})
	if s.Table != "" && s.Column != "" {
		table, col := s.Table, s.Column
		goBackground(func() {
			vs, err := cleanse.Values(e.c.ctx, e.c.p, table, col, 200)
			uiDo(func() {
				if err != nil {
					e.c.deps.ShowError(err)
					return
				}
				vals = vs
				load(vs)
			})
		})
	}
	out := []fyne.CanvasObject{rows}
	if s.Op == cleanse.OpMapValues {
		out = append([]fyne.CanvasObject{container.NewBorder(nil, nil, nil, suggest, targets)}, out...)
		out = append(out, check("Match values ignoring case, spaces and punctuation", &s.Fold))
	}
	return out
}

// dateWidgets: the column's order, and every date that reads both ways decided by a person: all
// at once (day first / month first) or one by one. Ferry never guesses.
func (e *opEditor) dateWidgets(choice func([]string, []string, *string) *widget.Select) []fyne.CanvasObject {
	s := &e.step
	if s.Order == "" {
		s.Order = "mixed"
	}
	if s.Decisions == nil {
		s.Decisions = map[string]string{}
	}
	order := choice([]string{"DMY", "MDY", "YMD", "mixed"}, []string{"Day first (DD/MM/YYYY)", "Month first (MM/DD/YYYY)",
		"Year first (YYYY-MM-DD)", "Mixed: read each as it can only be read"}, &s.Order)
	amb := choice([]string{"", "DMY", "MDY"}, []string{"Leave them for me to decide one by one", "Treat them all as DD/MM", "Treat them all as MM/DD"}, &s.Ambiguous)
	list := container.NewVBox()
	oneByOne := widget.NewButtonWithIcon("Decide one by one…", theme.ListIcon(), nil)
	oneByOne.OnTapped = func() {
		if s.Table == "" || s.Column == "" {
			return
		}
		oneByOne.Disable()
		table, col := s.Table, s.Column
		goBackground(func() {
			vs, err := cleanse.Values(e.c.ctx, e.c.p, table, col, 0)
			uiDo(func() {
				oneByOne.Enable()
				if err != nil {
					e.c.deps.ShowError(err)
					return
				}
				grid := container.NewGridWithColumns(3)
				n := 0
				for _, v := range vs {
					d, m, ok := cleanse.DateReadings(v.Value)
					if !ok || d == m {
						continue
					}
					n++
					if n > 200 {
						break
					}
					v := v
					opts := []string{"Leave as it is", d + " (day first)", m + " (month first)"}
					sel := widget.NewSelect(opts, func(w string) {
						switch w {
						case opts[1]:
							s.Decisions[v.Value] = d
						case opts[2]:
							s.Decisions[v.Value] = m
						default:
							delete(s.Decisions, v.Value)
						}
						e.stale()
					})
					switch s.Decisions[v.Value] {
					case d:
						sel.SetSelected(opts[1])
					case m:
						sel.SetSelected(opts[2])
					default:
						sel.SetSelected(opts[0])
					}
					grid.Add(widget.NewLabel(v.Value))
					grid.Add(widget.NewLabel(plural64(v.Count, "cell", "cells")))
					grid.Add(sel)
				}
				if n == 0 {
					list.Objects = []fyne.CanvasObject{muted("No date in this column reads two ways.")}
				} else {
					list.Objects = []fyne.CanvasObject{grid}
				}
				list.Refresh()
			})
		})
	}
	return []fyne.CanvasObject{widget.NewForm(widget.NewFormItem("Dates are written", order),
		widget.NewFormItem("Dates that read both ways", container.NewBorder(nil, nil, nil, oneByOne, amb))), list}
}

// Preview works out what the step would change and shows it.
func (e *opEditor) Preview() {
	step := e.step
	if err := e.check(&step); err != nil {
		return
	}
	e.setBusy(true, "Working out what it would change…")
	goBackground(func() {
		pv, err := cleanse.Preview(e.c.ctx, e.c.p, step, cleanse.Options{Sample: 500, Progress: e.progressFn()})
		uiDo(func() {
			e.setBusy(false, "")
			if err != nil {
				e.showProblem(err)
				return
			}
			e.previewd = pv
			text := "Would change " + outcomeWords(pv) + "."
			if pv.Cells == 0 && pv.Removed == 0 && len(pv.Added) == 0 {
				text = "Would change nothing."
			}
			e.summary.SetText(text)
			e.showLeft(pv.Left)
			e.grid.SetSource(newChangeSource(pv))
			if len(pv.Sample) > 0 || len(pv.Removes) > 0 {
				e.showRows.Show()
			}
		})
	})
}

// Apply runs the step on a goroutine with progress, then says how many cells changed.
func (e *opEditor) Apply() {
	step := e.step
	if err := e.check(&step); err != nil {
		return
	}
	e.setBusy(true, "Applying…")
	goBackground(func() {
		res, err := cleanse.Apply(e.c.ctx, e.c.p, step, cleanse.Options{Progress: e.progressFn()})
		uiDo(func() {
			e.setBusy(false, "")
			if err != nil {
				e.showProblem(err)
				return
			}
			msg := fmt.Sprintf("Operation %d applied: %s changed.", res.OpID, outcomeWords(&res.Outcome))
			e.summary.SetText(msg)
			e.previewd = nil
			e.showRows.Hide()
			e.grid.SetSource(nil)
			e.showLeft(res.Left)
			e.c.changed(msg)
		})
	})
}

func (e *opEditor) check(step *cleanse.Step) error {
	if err := step.Validate(); err != nil {
		e.showProblem(err)
		return err
	}
	e.problem.Hide()
	return nil
}

func (e *opEditor) showProblem(err error) {
	msg := err.Error()
	if errors.Is(err, cleanse.ErrBadStep) || errors.Is(err, cleanse.ErrUnknownOp) {
		msg = "This operation is not ready: " + msg
	}
	e.problem.SetText(msg)
	e.problem.Show()
}

// Problem is what stops the step, in words ("" when nothing).
func (e *opEditor) Problem() string {
	if e.problem.Hidden {
		return ""
	}
	return e.problem.Text
}

func (e *opEditor) showLeft(left []cleanse.Left) {
	if len(left) == 0 {
		e.leftMsg.Hide()
		return
	}
	var parts []string
	for _, l := range left {
		parts = append(parts, fmt.Sprintf("%s: %s", plural64(l.Count, "value", "values"), l.Message))
	}
	e.leftMsg.SetText("Left as they are: " + strings.Join(parts, "; "))
	e.leftMsg.Show()
}

func (e *opEditor) setBusy(on bool, text string) {
	e.busy = on
	e.bar.SetValue(0)
	e.barText.SetText(text)
	e.barBox.Hidden = !on
	e.barBox.Refresh()
	e.updateButtons()
}

// progressFn reports the engine's progress at most every progressThrottle.
func (e *opEditor) progressFn() func(cleanse.Progress) {
	var last time.Time
	return func(p cleanse.Progress) {
		if time.Since(last) < progressThrottle || p.Total <= 0 {
			return
		}
		last = time.Now()
		uiDo(func() {
			e.bar.SetValue(float64(p.Done) / float64(p.Total))
			e.barText.SetText(fmt.Sprintf("%s %s of %s rows", p.Stage, fmtInt(p.Done), fmtInt(p.Total)))
		})
	}
}

// changeSource shows a preview's changes: one row per changed cell (line, key, column, before,
// after) and one per removed row.
type changeSource struct{ rows []GridRow }

func newChangeSource(o *cleanse.Outcome) *changeSource {
	s := &changeSource{}
	val := func(p *string) string {
		if p == nil || *p == "" {
			return "(empty)"
		}
		return *p
	}
	for _, c := range o.Sample {
		s.rows = append(s.rows, GridRow{ID: c.Row, Line: c.Line, Cells: []string{c.Key, c.Column, val(c.Old), val(c.New)}})
	}
	for _, r := range o.Removes {
		what := "purged: " + r.Reason
		if r.Kind == "merge" {
			what = fmt.Sprintf("merged into row %d", r.Survivor)
		}
		s.rows = append(s.rows, GridRow{ID: r.Row, Line: r.Line, Cells: []string{r.Key, "(whole row)", "", what}, Flagged: true, Note: what})
	}
	sort.SliceStable(s.rows, func(i, j int) bool { return s.rows[i].Line < s.rows[j].Line && s.rows[i].Line > 0 })
	return s
}

func (s *changeSource) Columns() []string { return []string{"Key", "Column", "Before", "After"} }
func (s *changeSource) RowCount() int64   { return int64(len(s.rows)) }
func (s *changeSource) Page(_ context.Context, offset, limit int64) ([]GridRow, error) {
	n := int64(len(s.rows))
	if offset >= n {
		return nil, nil
	}
	return s.rows[offset:min(offset+limit, n)], nil
}
