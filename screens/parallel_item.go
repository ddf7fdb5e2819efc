package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/checklist"
)

// itemEditor edits one checklist item. Text is saved as typed (debounced); status, sign-off and
// evidence are saved at once.
type itemEditor struct {
	cl   *checklistView
	id   int64
	root fyne.CanvasObject
	busy bool // texts are being set from the project, not typed

	group    *widget.Label
	kind     *widget.Label
	title    *widget.Entry
	status   *widget.Select
	markDone *widget.Button
	owner    *widget.Entry
	due      *widget.Entry
	required *widget.Check
	desc     *widget.Entry
	notes    *widget.Entry
	checked  *widget.Label
	block    *widget.Label
	del      *widget.Button

	evList    *fyne.Container
	evEmpty   fyne.CanvasObject
	attachBtn *widget.Button
	attachBar *widget.ProgressBarInfinite

	signCard *fyne.Container
	signed   *widget.Label
	signName *widget.Entry
	signBtn  *widget.Button
	signRow  fyne.CanvasObject
}

func newItemEditor(cl *checklistView) *itemEditor {
	e := &itemEditor{cl: cl}
	ps := cl.ps
	e.group = caption("")
	e.kind = caption("")
	e.title = widget.NewEntry()
	e.title.SetPlaceHolder("What needs checking")
	e.title.TextStyle = fyne.TextStyle{Bold: true}
	e.title.OnChanged = func(v string) {
		if strings.TrimSpace(v) != "" {
			e.save("title", checklist.Patch{Title: &v})
		}
	}
	labels := make([]string, len(checklist.Statuses))
	for i, s := range checklist.Statuses {
		labels[i] = statusLabels[s]
	}
	e.status = widget.NewSelect(labels, func(v string) {
		if !e.busy {
			e.setStatus(statusOfLabel(v))
		}
	})
	e.markDone = widget.NewButtonWithIcon("Mark done", theme.ConfirmIcon(), func() { e.setStatus(checklist.Done) })
	e.markDone.Importance = widget.HighImportance
	e.owner = widget.NewEntry()
	e.owner.SetPlaceHolder("Who makes sure it is done")
	e.owner.OnChanged = func(v string) { e.save("owner", checklist.Patch{Owner: &v}) }
	e.due = widget.NewEntry()
	e.due.SetPlaceHolder("YYYY-MM-DD or YYYY-MM-DD HH:MM")
	e.due.Validator = checklist.ValidDue
	e.due.OnChanged = func(v string) {
		if checklist.ValidDue(v) == nil {
			e.save("due", checklist.Patch{Due: &v})
		}
	}
	e.due.ActionItem = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { pickDateFor(ps.win, e.due) })
	e.required = widget.NewCheck("Must be done before go-live", func(b bool) {
		if !e.busy {
			e.save("required", checklist.Patch{Required: &b})
			e.cl.ps.saver.Flush()
		}
	})
	e.desc = widget.NewMultiLineEntry()
	e.desc.Wrapping = fyne.TextWrapWord
	e.desc.SetMinRowsVisible(4)
	e.desc.SetPlaceHolder("What to check, and how to tell it is right")
	e.desc.OnChanged = func(v string) { e.save("description", checklist.Patch{Description: &v}) }
	e.notes = widget.NewMultiLineEntry()
	e.notes.Wrapping = fyne.TextWrapWord
	e.notes.SetMinRowsVisible(3)
	e.notes.SetPlaceHolder("What was found, who was asked, what was decided")
	e.notes.OnChanged = func(v string) { e.save("notes", checklist.Patch{Notes: &v}) }
	e.checked = muted("")
	e.block = wrapped("")
	e.block.Importance = widget.DangerImportance
	e.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), e.confirmDelete)
	e.del.Importance = widget.LowImportance

	e.evList = container.NewVBox()
	e.evEmpty = note("No evidence yet. Attach a screenshot of both systems side by side, the report you compared, or a photo of a signed sheet.")
	e.attachBtn = widget.NewButtonWithIcon("Attach files…", theme.ContentAddIcon(), func() {
		ps.deps.Files().OpenMany("Attach evidence", nil, func(paths []string, err error) {
			if err != nil {
				ps.deps.ShowError(err)
				return
			}
			cl.attach(paths)
		})
	})
	e.attachBar = widget.NewProgressBarInfinite()
	e.attachBar.Stop()
	e.attachBar.Hide()
	evCard := section("Evidence", e.evEmpty, e.evList,
		container.NewBorder(nil, nil, e.attachBtn, nil, container.NewStack(e.attachBar, note("or drop files on the window"))))

	e.signed = wrapped("")
	e.signName = widget.NewEntry()
	e.signName.SetPlaceHolder("Name of the person signing")
	e.signBtn = widget.NewButtonWithIcon("Sign off", theme.ConfirmIcon(), e.signOff)
	e.signBtn.Importance = widget.HighImportance
	e.signRow = container.NewBorder(nil, nil, nil, e.signBtn, e.signName)
	e.signCard = section("Sign-off", e.signed, e.signRow,
		note("Signing records the name and the time in the project's custody log. Only the person named should sign."))

	if ps.readOnly {
		for _, w := range []fyne.Disableable{e.title, e.status, e.markDone, e.owner, e.due, e.required, e.desc, e.notes,
			e.del, e.attachBtn, e.signName, e.signBtn} {
			w.Disable()
		}
	}

	form := widget.NewForm(
		widget.NewFormItem("Status", container.NewBorder(nil, nil, nil, e.markDone, e.status)),
		widget.NewFormItem("Owner", e.owner),
		widget.NewFormItem("Due", e.due),
		widget.NewFormItem("", e.required),
		widget.NewFormItem("Description", e.desc),
		widget.NewFormItem("Notes", e.notes),
	)
	head := container.NewBorder(nil, nil, nil, e.del, container.New(&tightVBox{}, e.group, e.kind))
	// A sign-off's signature is what it is for, so it comes first; a task's evidence comes after
	// what it asks.
	body := container.NewVBox(head, e.title, e.block, e.signCard, form, e.checked, evCard)
	e.root = container.NewVScroll(container.NewPadded(body))
	return e
}

// save records a typed change now (in the tree) and saves it once typing stops.
func (e *itemEditor) save(field string, patch checklist.Patch) {
	if e.busy || e.id == 0 || e.cl.ps.readOnly {
		return
	}
	ps := e.cl.ps
	id := e.id
	if it := ps.ov.Checklist.Item(id); it != nil {
		switch {
		case patch.Title != nil:
			it.Title = *patch.Title
		case patch.Owner != nil:
			it.Owner = *patch.Owner
		case patch.Due != nil:
			it.Due = *patch.Due
		case patch.Required != nil:
			it.Required = *patch.Required
		}
		e.cl.tree.RefreshItem(iid(id))
	}
	ps.saver.Call(fmt.Sprintf("item:%d:%s", id, field), func() {
		err := checklist.UpdateItem(ps.ctx, ps.p, id, patch)
		uiDo(func() {
			if ps.ctx.Err() == nil {
				ps.changed(err)
			}
		})
	})
}

func (e *itemEditor) setStatus(st checklist.Status) {
	ps := e.cl.ps
	if e.id == 0 || st == "" {
		return
	}
	ps.changed(checklist.SetStatus(ps.ctx, ps.p, e.id, st))
}

func (e *itemEditor) signOff() {
	ps := e.cl.ps
	if e.id == 0 {
		return
	}
	if ps.changed(checklist.Sign(ps.ctx, ps.p, e.id, e.signName.Text)) {
		ps.notice.show("Signed off by "+strings.TrimSpace(e.signName.Text)+".", false)
	}
}

func (e *itemEditor) confirmDelete() {
	ps := e.cl.ps
	it := ps.ov.Checklist.Item(e.id)
	if it == nil {
		return
	}
	msg := fmt.Sprintf("Delete %q", it.Title)
	if n := len(it.Evidence); n > 0 {
		msg += fmt.Sprintf(" and its %s of evidence", countOf(n, "file", "files"))
	}
	msg += "? The custody log keeps a record that it existed."
	dialog.ShowConfirm("Delete this item?", msg, func(ok bool) {
		if ok {
			e.Delete()
		}
	}, ps.win)
}

// Delete removes the item being edited.
func (e *itemEditor) Delete() {
	ps := e.cl.ps
	ps.saver.Flush()
	ps.changed(checklist.DeleteItem(ps.ctx, ps.p, e.id))
}

func (e *itemEditor) attaching(on bool) {
	if on {
		e.attachBar.Show()
		e.attachBar.Start()
		e.attachBtn.Disable()
		return
	}
	e.attachBar.Stop()
	e.attachBar.Hide()
	if !e.cl.ps.readOnly {
		e.attachBtn.Enable()
	}
}

// show fills the editor with it; fresh replaces the typed texts too (another item was chosen).
func (e *itemEditor) show(it *checklist.Item, fresh bool) {
	ps := e.cl.ps
	e.busy = true
	defer func() { e.busy = false }()
	if fresh || e.id != it.ID {
		e.id = it.ID
		e.title.SetText(it.Title)
		e.owner.SetText(it.Owner)
		e.due.SetText(it.Due)
		e.desc.SetText(it.Description)
		e.notes.SetText(it.Notes)
		name := it.Owner
		if name == "" {
			name = ps.plan["sign_off"]
		}
		e.signName.SetText(name)
	}
	if g := ps.ov.Checklist.Group(it.GroupID); g != nil {
		e.group.SetText(strings.ToUpper(g.Name))
	}
	kind := "Task"
	switch {
	case it.Kind == checklist.SignOff:
		kind = "Sign-off"
	case it.Origin == checklist.OriginComparison:
		kind = "Made from a daily comparison"
	case it.Origin == checklist.OriginUser:
		kind = "Added by the practice"
	}
	e.kind.SetText(kind)
	e.status.SetSelected(statusLabels[it.Status])
	if it.Status == checklist.Done || it.Kind == checklist.SignOff || ps.readOnly {
		e.markDone.Disable()
	} else {
		e.markDone.Enable()
	}
	if it.Kind == checklist.SignOff {
		e.markDone.Hide()
		e.status.Disable()
	} else {
		e.markDone.Show()
		if !ps.readOnly {
			e.status.Enable()
		}
	}
	e.required.SetChecked(it.Required)
	switch {
	case it.Status.Closed() && it.CheckedBy != "":
		what := "Checked"
		if it.Status == checklist.NotApplicable {
			what = "Marked not applicable"
		}
		e.checked.SetText(fmt.Sprintf("%s by %s on %s.", what, it.CheckedBy, it.CheckedAt.Local().Format("2 Jan 2006 at 15:04")))
	default:
		e.checked.SetText("Not checked yet. Marking it done records your name and the time.")
	}
	if r := checklist.BlockReason(it); r != "" {
		e.block.SetText("Blocks go-live: " + r + ".")
		e.block.Show()
	} else {
		e.block.Hide()
	}

	if it.Kind == checklist.SignOff {
		e.signCard.Show()
		if it.SignedBy != "" {
			e.signed.SetText(fmt.Sprintf("Signed by %s on %s.", it.SignedBy, it.SignedAt.Local().Format("2 Jan 2006 at 15:04")))
			e.signed.Importance = widget.SuccessImportance
			e.signed.Refresh()
			e.signRow.Hide()
		} else {
			e.signed.SetText("Not signed yet.")
			e.signed.Importance = widget.MediumImportance
			e.signed.Refresh()
			e.signRow.Show()
		}
	} else {
		e.signCard.Hide()
	}

	e.evList.Objects = nil
	for _, ev := range it.Evidence {
		e.evList.Add(e.evidenceRow(ev))
	}
	e.evList.Refresh()
	if len(it.Evidence) == 0 {
		e.evEmpty.Show()
	} else {
		e.evEmpty.Hide()
	}
}

func (e *itemEditor) evidenceRow(ev checklist.Evidence) fyne.CanvasObject {
	ps := e.cl.ps
	id := ev.ID
	name := widget.NewLabel(ev.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	sum := ev.SHA256
	if len(sum) > 12 {
		sum = sum[:12] + "…"
	}
	info := caption(fmt.Sprintf("%s · SHA-256 %s · %s, %s", sizeText(ev.Size), sum, ev.AddedBy, ev.AddedAt.Local().Format("2 Jan 15:04")))
	open := widget.NewButton("Open", func() { ps.openEvidence(id) })
	save := widget.NewButtonWithIcon("", theme.DownloadIcon(), func() { ps.saveEvidence(id) })
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		dialog.ShowConfirm("Remove this file?", fmt.Sprintf("Remove %s from the evidence? The custody log keeps its name and fingerprint.", ev.Name),
			func(ok bool) {
				if ok {
					ps.changed(checklist.RemoveEvidence(ps.ctx, ps.p, id))
				}
			}, ps.win)
	})
	for _, b := range []*widget.Button{save, remove} {
		b.Importance = widget.LowImportance
	}
	if ps.readOnly {
		remove.Disable()
	}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), container.NewHBox(open, save, remove),
		container.New(&tightVBox{}, name, info))
}

// section is a titled part of an editor: a rule, a bold heading, the content.
func section(title string, objs ...fyne.CanvasObject) *fyne.Container {
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(append([]fyne.CanvasObject{widget.NewSeparator(), head}, objs...)...)
}

// sizeText is a file size as a person reads it.
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.0f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
}

// groupEditor renames, moves and deletes a group.
type groupEditor struct {
	cl     *checklistView
	id     int64
	root   fyne.CanvasObject
	busy   bool
	name   *widget.Entry
	intro  *widget.Label
	counts *widget.Label
	add    *widget.Button
	del    *widget.Button
}

func newGroupEditor(cl *checklistView) *groupEditor {
	g := &groupEditor{cl: cl}
	ps := cl.ps
	g.name = widget.NewEntry()
	g.name.TextStyle = fyne.TextStyle{Bold: true}
	g.name.OnChanged = func(v string) {
		if g.busy || ps.readOnly || strings.TrimSpace(v) == "" {
			return
		}
		id := g.id
		if gr := ps.ov.Checklist.Group(id); gr != nil {
			gr.Name = v
			cl.tree.RefreshItem(gid(id))
		}
		ps.saver.Call(fmt.Sprintf("group:%d", id), func() {
			err := checklist.RenameGroup(ps.ctx, ps.p, id, v)
			uiDo(func() {
				if ps.ctx.Err() == nil {
					ps.changed(err)
				}
			})
		})
	}
	g.intro = wrapped("")
	g.counts = muted("")
	g.add = widget.NewButtonWithIcon("Add an item to this group", theme.ContentAddIcon(), cl.newItem)
	g.del = widget.NewButtonWithIcon("Delete group", theme.DeleteIcon(), func() {
		ps.saver.Flush()
		ps.changed(checklist.DeleteGroup(ps.ctx, ps.p, g.id))
	})
	g.del.Importance = widget.LowImportance
	if ps.readOnly {
		g.name.Disable()
		g.add.Disable()
		g.del.Disable()
	}
	g.root = container.NewVScroll(container.NewVBox(caption("GROUP"), g.name, g.intro, g.counts,
		container.NewHBox(g.add, g.del), note("Move the group with the arrows above the list. A group can be deleted once it is empty.")))
	return g
}

func (g *groupEditor) show(gr *checklist.Group, fresh bool) {
	g.busy = true
	if fresh || g.id != gr.ID {
		g.id = gr.ID
		g.name.SetText(gr.Name)
	}
	g.busy = false
	g.intro.SetText(gr.Intro)
	if gr.Intro == "" {
		g.intro.Hide()
	} else {
		g.intro.Show()
	}
	done, blocking := 0, 0
	for _, it := range gr.Items {
		if it.Status.Closed() {
			done++
		}
		if checklist.BlockReason(it) != "" {
			blocking++
		}
	}
	g.counts.SetText(fmt.Sprintf("%d of %s done; %d blocking go-live.", done, countOf(len(gr.Items), "item", "items"), blocking))
	if len(gr.Items) == 0 && !g.cl.ps.readOnly {
		g.del.Enable()
	} else {
		g.del.Disable()
	}
}
