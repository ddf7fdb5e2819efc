package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/presets"
)

// PlanStep is the Plan screen. Every answer is saved as typed (debounced) and recorded in the
// custody log; the recommendation follows the answers.
type PlanStep struct {
	deps    StepDeps
	win     fyne.Window
	answers plan.Plan
	saver   *debouncer

	inputs   map[string]fyne.CanvasObject
	problems *widget.Label
	recTitle *widget.Label
	recWhy   *widget.Label
	strategy *widget.RadioGroup
}

// NewPlanStep builds the Plan screen.
func NewPlanStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	ps := &PlanStep{deps: deps, win: w, saver: newDebouncer(400 * time.Millisecond), inputs: map[string]fyne.CanvasObject{}}
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(ps.saver.Flush)
	}
	ans, err := plan.Load(context.Background(), deps.Project())
	if err != nil {
		deps.ShowError(err)
		ans = plan.Plan{}
	}
	ps.answers = ans
	return ps.build()
}

func (ps *PlanStep) build() fyne.CanvasObject {
	readOnly := ps.deps.Project().ReadOnly()
	var groups []string
	byGroup := map[string][]*widget.FormItem{}
	for _, f := range plan.Fields {
		if f.Key == "strategy" {
			continue
		}
		if _, ok := byGroup[f.Group]; !ok {
			groups = append(groups, f.Group)
		}
		in := ps.input(f)
		if d, ok := in.(fyne.Disableable); ok && readOnly {
			d.Disable()
		}
		label := f.Label
		if f.Required {
			label += " *"
		}
		item := widget.NewFormItem(label, in)
		item.HintText = f.Help
		byGroup[f.Group] = append(byGroup[f.Group], item)
	}
	cards := []fyne.CanvasObject{}
	for _, g := range groups {
		cards = append(cards, widget.NewCard(g, "", widget.NewForm(byGroup[g]...)))
	}

	ps.recTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ps.recWhy = wrapped("")
	ps.strategy = widget.NewRadioGroup([]string{plan.Phased, plan.Parallel, plan.BigBang}, func(v string) {
		if v != ps.answers["strategy"] {
			ps.set("strategy", v)
		}
	})
	ps.strategy.Selected = ps.answers["strategy"]
	use := widget.NewButtonWithIcon("Use the recommendation", theme.ConfirmIcon(), func() {
		if r := ps.answers.Recommend(); r.Strategy != "" {
			ps.strategy.SetSelected(r.Strategy)
		}
	})
	if readOnly {
		ps.strategy.Disable()
		use.Disable()
	}
	strategyCard := widget.NewCard("Adoption strategy *", "How the practice switches from the old system to the new one.",
		container.NewVBox(ps.recTitle, ps.recWhy, use, widget.NewSeparator(), widget.NewLabel("Your choice:"), ps.strategy))

	ps.problems = wrapped("")
	ps.problems.Importance = widget.DangerImportance
	ps.refreshDerived()

	foot := note("Answers are saved as you type and recorded in the project's custody log. Fields marked * are needed before the plan is complete.")
	body := container.NewVBox(append(append([]fyne.CanvasObject{ps.problems}, cards...), strategyCard, foot)...)
	return container.NewVScroll(container.New(&maxWidth{Width: 860}, body))
}

// input builds the editor for one field.
func (ps *PlanStep) input(f plan.Field) fyne.CanvasObject {
	val := ps.answers[f.Key]
	if names := knownSystems(f.Key); len(names) > 0 {
		// the systems Ferry has presets for, by name; any other name can still be typed
		e := widget.NewSelectEntry(names)
		e.SetText(val)
		e.SetPlaceHolder("Choose a system Ferry knows, or type its name")
		e.OnChanged = func(v string) { ps.set(f.Key, v) }
		ps.inputs[f.Key] = e
		return e
	}
	switch f.Kind {
	case plan.Choice:
		s := widget.NewSelect(f.Options, func(v string) {
			if v != ps.answers[f.Key] {
				ps.set(f.Key, v)
			}
		})
		s.PlaceHolder = "Choose…"
		s.Selected = val
		ps.inputs[f.Key] = s
		return s
	case plan.Date:
		e := widget.NewEntry()
		e.SetPlaceHolder("YYYY-MM-DD")
		e.SetText(val)
		e.Validator = func(s string) error {
			if s == "" {
				return nil
			}
			if _, err := time.Parse("2006-01-02", s); err != nil {
				return fmt.Errorf("write the date as YYYY-MM-DD")
			}
			return nil
		}
		e.OnChanged = func(v string) { ps.set(f.Key, v) }
		e.ActionItem = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { ps.pickDate(e) })
		ps.inputs[f.Key] = e
		return e
	case plan.LongText:
		e := widget.NewMultiLineEntry()
		e.SetMinRowsVisible(3)
		e.Wrapping = fyne.TextWrapWord
		e.SetText(val)
		e.OnChanged = func(v string) { ps.set(f.Key, v) }
		ps.inputs[f.Key] = e
		return e
	default:
		e := widget.NewEntry()
		e.SetText(val)
		if f.Kind == plan.Number {
			e.SetPlaceHolder("e.g. 6")
		}
		e.OnChanged = func(v string) { ps.set(f.Key, v) }
		ps.inputs[f.Key] = e
		return e
	}
}

func (ps *PlanStep) pickDate(e *widget.Entry) {
	start := time.Now()
	if t, err := time.Parse("2006-01-02", e.Text); err == nil {
		start = t
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		e.SetText(t.Format("2006-01-02"))
		pop.Hide()
	})
	pop = widget.NewPopUp(cal, ps.win.Canvas())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(0, e.Size().Height)))
}

// set records the answer now (so the screen reflects it) and saves it shortly after typing stops.
func (ps *PlanStep) set(key, value string) {
	ps.answers[key] = value
	ps.refreshDerived()
	p := ps.deps.Project()
	if p.ReadOnly() {
		return
	}
	ps.saver.Call(key, func() {
		if err := plan.Set(context.Background(), p, key, value); err != nil {
			uiDo(func() { ps.deps.ShowError(err) })
			return
		}
		ps.deps.Refresh()
	})
}

// Flush saves anything still pending (tests, closing the project).
func (ps *PlanStep) Flush() { ps.saver.Flush() }

func (ps *PlanStep) refreshDerived() {
	if ps.recTitle == nil {
		return
	}
	r := ps.answers.Recommend()
	if r.Strategy == "" {
		ps.recTitle.SetText("No recommendation yet")
	} else {
		ps.recTitle.SetText("Ferry recommends: " + r.Strategy)
	}
	ps.recWhy.SetText(r.Reason)
	var msgs []string
	for _, pr := range ps.answers.Validate() {
		msgs = append(msgs, pr.Message)
	}
	if chosen := ps.answers["strategy"]; chosen != "" && r.Strategy != "" && chosen != r.Strategy {
		msgs = append(msgs, fmt.Sprintf("You chose %s although Ferry recommends %s. That is your call; write down why in the key questions.", chosen, r.Strategy))
	}
	ps.problems.SetText(strings.Join(msgs, "\n"))
	if len(msgs) == 0 {
		ps.problems.Hide()
	} else {
		ps.problems.Show()
	}
}

// knownSystems lists the names offered for the old and the new system: the titles of the
// source and target presets (app/presets). Other fields get none.
func knownSystems(key string) []string {
	switch key {
	case "legacy_system":
		return presets.Titles("source")
	case "new_system":
		return presets.Titles("target")
	}
	return nil
}
