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

	"github.com/ferry-migrate/ferry/app/mapping"
)

// mapSuggestions is the dialog Suggest matches opens: what was applied because it was certain,
// and the proposals a person decides on, one by one or all at once.
type mapSuggestions struct {
	s       *MapStep
	dlg     *dialog.CustomDialog
	applied *widget.Label
	list    *widget.List
	props   []mapping.Proposal
	all     *widget.Button
	empty   *widget.Label
}

// Suggest applies the certain suggestions (one undoable edit) and lists the others.
func (s *MapStep) Suggest() {
	s.edit(func(ctx context.Context) (string, error) {
		res, err := s.m.AcceptCertain(ctx)
		if err != nil {
			return "", err
		}
		props, err := s.m.Suggest(ctx)
		if err != nil {
			return "", err
		}
		uiDo(func() { s.showSuggestions(res, props) })
		if len(res.Applied) == 0 {
			return "No certain suggestions to apply.", nil
		}
		return fmt.Sprintf("Applied %s that Ferry is certain of (Undo takes them back).",
			plural64(int64(len(res.Applied)), "suggestion", "suggestions")), nil
	}, nil)
}

func (s *MapStep) showSuggestions(res mapping.AcceptResult, props []mapping.Proposal) {
	d := &mapSuggestions{s: s, props: props}
	s.suggestions = d
	text := "No suggestion was certain enough to apply by itself."
	if n := len(res.Applied); n > 0 {
		text = fmt.Sprintf("Applied %s Ferry is certain of (a name its dictionary knows, or the field's own name). "+
			"Undo takes them all back.\n", plural64(int64(n), "suggestion", "suggestions")) + mapAppliedWords(res.Applied)
	}
	d.applied = wrapped(text)
	d.empty = wrapped("Nothing else to suggest: every field Ferry could match is mapped.")
	d.empty.Importance = widget.LowImportance
	d.list = widget.NewList(func() int { return len(d.props) }, d.createRow, d.updateRow)
	d.all = widget.NewButtonWithIcon("Accept all", theme.ConfirmIcon(), d.AcceptAll)
	d.all.Importance = widget.HighImportance
	closeBtn := widget.NewButton("Close", func() { d.dlg.Hide() })
	d.refresh()
	unsure := widget.NewLabelWithStyle("Ferry is less sure about these: accept the ones that are right.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	size := fyne.NewSize(920, 580)
	var body fyne.CanvasObject
	if len(props) == 0 {
		body = container.NewVBox(d.applied, widget.NewSeparator(), d.empty)
		size = fyne.NewSize(820, 420)
	} else {
		top := container.NewVBox(d.applied, widget.NewSeparator(), unsure)
		body = container.NewBorder(top, nil, nil, nil, container.NewStack(d.list, container.NewPadded(container.NewVBox(d.empty))))
	}
	d.dlg = dialog.NewCustomWithoutButtons("Suggested matches", body, s.win)
	d.dlg.SetButtons([]fyne.CanvasObject{closeBtn, d.all})
	d.dlg.Resize(size)
	d.dlg.Show()
}

// Proposals are the suggestions the dialog lists (tests).
func (d *mapSuggestions) Proposals() []mapping.Proposal { return d.props }

func (d *mapSuggestions) refresh() {
	d.list.Refresh()
	if len(d.props) == 0 {
		d.empty.Show()
		d.all.Disable()
	} else {
		d.empty.Hide()
		d.all.Enable()
	}
	d.all.SetText(fmt.Sprintf("Accept all (%d)", len(d.props)))
}

func (d *mapSuggestions) createRow() fyne.CanvasObject {
	what := widget.NewLabelWithStyle("Patient.birthDate ← BirthDate", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what.Truncation = fyne.TextTruncateEllipsis
	conf := widget.NewLabel("100%")
	why := widget.NewLabel("reason")
	why.SizeName = theme.SizeNameCaptionText
	why.Truncation = fyne.TextTruncateEllipsis
	accept := widget.NewButton("Accept", nil)
	return container.NewBorder(nil, nil, nil, container.NewHBox(conf, accept), container.New(&tightVBox{}, what, why))
}

func (d *mapSuggestions) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(d.props) {
		return
	}
	p := d.props[i]
	c := o.(*fyne.Container)
	texts := c.Objects[0].(*fyne.Container)
	right := c.Objects[1].(*fyne.Container)
	texts.Objects[0].(*widget.Label).SetText(mapProposalWhat(p))
	texts.Objects[1].(*widget.Label).SetText(p.Reason)
	conf := right.Objects[0].(*widget.Label)
	conf.SetText(fmt.Sprintf("%.0f%%", p.Confidence*100))
	switch {
	case p.Confidence >= 0.75:
		conf.Importance = widget.SuccessImportance
	case p.Confidence >= 0.5:
		conf.Importance = widget.MediumImportance
	default:
		conf.Importance = widget.WarningImportance
	}
	conf.Refresh()
	id := p.ID
	right.Objects[1].(*widget.Button).OnTapped = func() { d.Accept(id) }
}

// Accept applies one proposal.
func (d *mapSuggestions) Accept(ids ...string) {
	s := d.s
	s.edit(func(ctx context.Context) (string, error) {
		res, err := s.m.Accept(ctx, ids)
		if err != nil {
			return "", err
		}
		props, err := s.m.Suggest(ctx)
		if err != nil {
			return "", err
		}
		uiDo(func() {
			d.props = props
			d.refresh()
		})
		if len(res.Applied) == 0 {
			return "That suggestion no longer applies: the field was mapped meanwhile.", nil
		}
		if len(res.Applied) == 1 {
			return "Accepted: " + mapProposalWhat(res.Applied[0]) + ".", nil
		}
		return fmt.Sprintf("Accepted %s (Undo takes them back).", plural64(int64(len(res.Applied)), "suggestion", "suggestions")), nil
	}, nil)
}

// AcceptAll applies every proposal listed, as one edit.
func (d *mapSuggestions) AcceptAll() {
	var ids []string
	for _, p := range d.props {
		ids = append(ids, p.ID)
	}
	if len(ids) > 0 {
		d.Accept(ids...)
	}
}

// mapAppliedWords lists applied suggestions per entity: "• Patient ← patients: identifier ← PatientID, …".
func mapAppliedWords(ps []mapping.Proposal) string {
	var order []string
	table := map[string]string{}
	fields := map[string][]string{}
	values := map[string]int{}
	for _, p := range ps {
		if _, ok := table[p.Entity]; !ok {
			order = append(order, p.Entity)
			table[p.Entity] = ""
		}
		switch p.Kind {
		case mapping.ProposeSource:
			table[p.Entity] = p.Table
		case mapping.ProposeField:
			fields[p.Entity] = append(fields[p.Entity], p.Field+" ← "+strings.Join(p.Sources, " + "))
		case mapping.ProposeValue:
			values[p.Entity]++
		}
	}
	var lines []string
	for _, e := range order {
		l := "• " + e
		if table[e] != "" {
			l += " ← table " + table[e]
		}
		var parts []string
		if fs := fields[e]; len(fs) > 0 {
			if len(fs) > 6 {
				fs = append(fs[:6:6], fmt.Sprintf("and %d more", len(fields[e])-6))
			}
			parts = append(parts, strings.Join(fs, ", "))
		}
		if values[e] > 0 {
			parts = append(parts, plural64(int64(values[e]), "pick-list value", "pick-list values"))
		}
		if len(parts) > 0 {
			l += ": " + strings.Join(parts, "; ")
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// mapProposalWhat is a proposal in a few words: "Patient ← table patients".
func mapProposalWhat(p mapping.Proposal) string {
	switch p.Kind {
	case mapping.ProposeSource:
		return fmt.Sprintf("%s ← table %s", p.Entity, p.Table)
	case mapping.ProposeField:
		return fmt.Sprintf("%s.%s ← %s", p.Entity, p.Field, strings.Join(p.Sources, " + "))
	case mapping.ProposeValue:
		return fmt.Sprintf("%s.%s: %q → %s (%s)", p.Entity, p.Field, p.Value, p.To, plural64(p.Rows, "row", "rows"))
	}
	return p.ID
}
