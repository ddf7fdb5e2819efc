package screens

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/project"
)

// Filters of the checklist tree.
const (
	filterAll      = "All items"
	filterTodo     = "Still to do"
	filterBlocking = "Blocking go-live"
	filterOverdue  = "Overdue"
	filterDone     = "Done"
)

// statusLabels are the statuses as a person reads them.
var statusLabels = map[checklist.Status]string{checklist.Open: "Open", checklist.InProgress: "In progress",
	checklist.Done: "Done", checklist.Blocked: "Blocked", checklist.NotApplicable: "Not applicable"}

func statusOfLabel(l string) checklist.Status {
	for s, x := range statusLabels {
		if x == l {
			return s
		}
	}
	return ""
}

// checklistView is the Checklist tab: the grouped items on the left, the chosen one on the right.
type checklistView struct {
	ps   *ParallelStep
	root fyne.CanvasObject

	tree     *widget.Tree
	filter   *widget.Select
	addItem  *widget.Button
	addGroup *widget.Button
	up, down *widget.Button
	moveTo   *widget.Button
	counts   *widget.Label

	children map[string][]string // tree node → its children, as filtered
	selected string              // "g:ID", "i:ID" or ""

	detail     *fyne.Container
	empty      fyne.CanvasObject
	editor     *itemEditor
	groupEdit  *groupEditor
	selectBusy bool
}

func gid(id int64) string { return "g:" + strconv.FormatInt(id, 10) }
func iid(id int64) string { return "i:" + strconv.FormatInt(id, 10) }

func nodeID(uid string) (kind byte, id int64) {
	if len(uid) < 3 {
		return 0, 0
	}
	id, _ = strconv.ParseInt(uid[2:], 10, 64)
	return uid[0], id
}

func newChecklistView(ps *ParallelStep) *checklistView {
	cl := &checklistView{ps: ps, children: map[string][]string{}}
	cl.tree = widget.NewTree(
		func(uid widget.TreeNodeID) []widget.TreeNodeID { return cl.children[uid] },
		func(uid widget.TreeNodeID) bool { return uid == "" || strings.HasPrefix(uid, "g:") },
		func(branch bool) fyne.CanvasObject {
			if branch {
				name := widget.NewLabelWithStyle("Group name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
				name.Truncation = fyne.TextTruncateEllipsis
				count := widget.NewLabel("10 of 10 done")
				count.SizeName = theme.SizeNameCaptionText
				return container.NewBorder(nil, nil, nil, count, name)
			}
			title := widget.NewLabel("Item title")
			title.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("Owner · 28 Feb")
			meta.SizeName = theme.SizeNameCaptionText
			return container.NewBorder(nil, nil, dotBox(newDot(statusGrey), 10), meta, title)
		},
		cl.updateNode,
	)
	cl.tree.OnSelected = func(uid widget.TreeNodeID) {
		if cl.selectBusy {
			return
		}
		cl.selected = uid
		cl.showSelected(true)
	}

	cl.filter = widget.NewSelect([]string{filterAll, filterTodo, filterBlocking, filterOverdue, filterDone}, func(string) {
		cl.update()
		cl.tree.OpenAllBranches()
	})
	cl.filter.Selected = filterAll
	cl.addItem = widget.NewButtonWithIcon("Add item", theme.ContentAddIcon(), cl.newItem)
	cl.addGroup = widget.NewButtonWithIcon("Add group", theme.FolderNewIcon(), cl.newGroupDialog)
	cl.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { cl.move(-1) })
	cl.down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { cl.move(+1) })
	cl.moveTo = widget.NewButtonWithIcon("Move to…", theme.MailForwardIcon(), cl.moveToMenu)
	for _, b := range []*widget.Button{cl.up, cl.down, cl.moveTo} {
		b.Importance = widget.LowImportance
	}
	if ps.readOnly {
		cl.addItem.Disable()
		cl.addGroup.Disable()
	}
	cl.counts = caption("")

	toolbar := container.NewHBox(cl.addItem, cl.addGroup, widget.NewSeparator(), cl.up, cl.down, cl.moveTo)
	top := container.NewVBox(toolbar, container.NewBorder(nil, nil, nil, container.New(&minWidth{Width: 170}, cl.filter), cl.counts))
	left := container.NewBorder(top, nil, nil, nil, cl.tree)

	cl.editor = newItemEditor(cl)
	cl.groupEdit = newGroupEditor(cl)
	emptyText := wrapped("Choose an item on the left to see what it asks, give it an owner and a date, and record that it was checked.")
	emptyText.Alignment = fyne.TextAlignCenter
	// Full width with spacers, not a Center: wrapped text measured before it has a width asks for
	// a word per line and pushed the page past the window's bottom edge.
	emptyNote := note("Each item needs an owner, a due date and, once done, evidence that someone checked it: a screenshot, a report, a photo of a ticked list.")
	cl.empty = container.NewVBox(layout.NewSpacer(),
		container.NewCenter(container.NewGridWrap(fyne.NewSize(48, 48), widget.NewIcon(theme.ConfirmIcon()))), emptyText,
		container.NewPadded(emptyNote), layout.NewSpacer())
	cl.detail = container.NewStack(cl.empty)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(cl.detail))
	split.Offset = 0.46
	cl.root = split
	return cl
}

// visible says whether an item passes the filter.
func (cl *checklistView) visible(it *checklist.Item) bool {
	switch cl.filter.Selected {
	case filterTodo:
		return !it.Status.Closed()
	case filterBlocking:
		return checklist.BlockReason(it) != ""
	case filterOverdue:
		due, ok := it.DueTime(time.Local)
		return ok && due.Before(cl.ps.now()) && !it.Status.Closed()
	case filterDone:
		return it.Status.Closed()
	}
	return true
}

// update rebuilds the tree from the checklist and refreshes the editor on the right.
func (cl *checklistView) update() {
	c := cl.ps.ov.Checklist
	kids := map[string][]string{}
	shown := 0
	for _, g := range c.Groups {
		var items []string
		for _, it := range g.Items {
			if cl.visible(it) {
				items = append(items, iid(it.ID))
			}
		}
		if len(items) == 0 && cl.filter.Selected != filterAll {
			continue
		}
		kids[""] = append(kids[""], gid(g.ID))
		kids[gid(g.ID)] = items
		shown += len(items)
	}
	first := len(cl.children) == 0
	cl.children = kids
	sum := cl.ps.ov.Summary
	if cl.filter.Selected == filterAll {
		cl.counts.SetText(fmt.Sprintf("%d of %d done · %s", sum.Closed, sum.Total, countOf(sum.Evidence, "file", "files")+" of evidence"))
	} else {
		cl.counts.SetText(fmt.Sprintf("%s of %d shown", countOf(shown, "item", "items"), sum.Total))
	}
	cl.tree.Refresh()
	if first {
		cl.tree.OpenAllBranches()
	}
	kind, id := nodeID(cl.selected)
	if (kind == 'i' && c.Item(id) == nil) || (kind == 'g' && c.Group(id) == nil) {
		cl.selected = ""
		cl.selectBusy = true
		cl.tree.UnselectAll()
		cl.selectBusy = false
	}
	cl.showSelected(false)
}

func (cl *checklistView) updateNode(uid widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	c := cl.ps.ov.Checklist
	b := o.(*fyne.Container)
	kind, id := nodeID(uid)
	if branch {
		g := c.Group(id)
		if g == nil || kind != 'g' {
			return
		}
		done := 0
		for _, it := range g.Items {
			if it.Status.Closed() {
				done++
			}
		}
		b.Objects[0].(*widget.Label).SetText(g.Name)
		cnt := b.Objects[1].(*widget.Label)
		cnt.SetText(fmt.Sprintf("%d of %d done", done, len(g.Items)))
		return
	}
	it := c.Item(id)
	if it == nil || kind != 'i' {
		return
	}
	title := b.Objects[0].(*widget.Label)
	dot := b.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	meta := b.Objects[2].(*widget.Label)
	t := it.Title
	if it.Required && !it.Status.Closed() {
		t += " *"
	}
	title.SetText(t)
	if it.Status == checklist.NotApplicable {
		title.Importance = widget.LowImportance
	} else {
		title.Importance = widget.MediumImportance
	}
	title.Refresh()
	dot.FillColor = statusColor(it.Status)
	dot.Refresh()
	var parts []string
	if it.Kind == checklist.SignOff {
		if it.SignedBy != "" {
			parts = append(parts, "signed by "+it.SignedBy)
		} else {
			parts = append(parts, "sign-off")
		}
	}
	if it.Owner != "" && it.SignedBy == "" {
		parts = append(parts, firstName(it.Owner))
	}
	overdue := false
	if due, ok := it.DueTime(time.Local); ok {
		overdue = due.Before(cl.ps.now()) && !it.Status.Closed()
		parts = append(parts, shortDue(it.Due))
	}
	if len(it.Evidence) > 0 {
		parts = append(parts, countOf(len(it.Evidence), "file", "files"))
	}
	meta.SetText(strings.Join(parts, " · "))
	if overdue {
		meta.Importance = widget.DangerImportance
	} else {
		meta.Importance = widget.LowImportance
	}
	meta.Refresh()
}

// firstName keeps a person's name short in the list: "Dana Reyes" → "Dana"; titles stay ("Dr Lee").
func firstName(s string) string {
	f := strings.Fields(s)
	if len(f) >= 2 && !strings.HasSuffix(f[0], ".") && len(f[0]) > 2 {
		return f[0]
	}
	return s
}

// shortDue is a due date as "3 Mar" or "3 Mar 17:00".
func shortDue(due string) string {
	if t, err := time.Parse(checklist.DateTimeLayout, due); err == nil {
		return t.Format("2 Jan 15:04")
	}
	if t, err := time.Parse(checklist.DateLayout, due); err == nil {
		return t.Format("2 Jan")
	}
	return due
}

// item is the item being edited, or nil.
func (cl *checklistView) item() *checklist.Item {
	if kind, id := nodeID(cl.selected); kind == 'i' {
		return cl.ps.ov.Checklist.Item(id)
	}
	return nil
}

func (cl *checklistView) group() *checklist.Group {
	if kind, id := nodeID(cl.selected); kind == 'g' {
		return cl.ps.ov.Checklist.Group(id)
	}
	return nil
}

// showSelected puts the editor of the selected node on the right; fresh is true when the
// selection changed (the editor's text is then replaced).
func (cl *checklistView) showSelected(fresh bool) {
	readOnly := cl.ps.readOnly
	it, g := cl.item(), cl.group()
	switch {
	case it != nil:
		cl.editor.show(it, fresh)
		cl.detail.Objects = []fyne.CanvasObject{cl.editor.root}
	case g != nil:
		cl.groupEdit.show(g, fresh)
		cl.detail.Objects = []fyne.CanvasObject{cl.groupEdit.root}
	default:
		cl.detail.Objects = []fyne.CanvasObject{cl.empty}
	}
	cl.detail.Refresh()
	movable := !readOnly && (it != nil || g != nil)
	for _, b := range []*widget.Button{cl.up, cl.down} {
		if movable {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if !readOnly && it != nil {
		cl.moveTo.Enable()
	} else {
		cl.moveTo.Disable()
	}
}

// selectNode selects a node in the tree and shows it.
func (cl *checklistView) selectNode(uid string) {
	cl.selected = uid
	cl.selectBusy = true
	cl.tree.Select(uid)
	cl.tree.ScrollTo(uid)
	cl.selectBusy = false
	cl.showSelected(true)
}

// targetGroup is where a new item goes: the selected group, the selected item's group, or the last.
func (cl *checklistView) targetGroup() int64 {
	if g := cl.group(); g != nil {
		return g.ID
	}
	if it := cl.item(); it != nil {
		return it.GroupID
	}
	gs := cl.ps.ov.Checklist.Groups
	if len(gs) > 0 {
		return gs[len(gs)-1].ID
	}
	return 0
}

func (cl *checklistView) newItem() {
	ps := cl.ps
	g := cl.targetGroup()
	if g == 0 {
		var err error
		if g, err = checklist.AddGroup(ps.ctx, ps.p, "Our own checks"); err != nil {
			ps.deps.ShowError(err)
			return
		}
	}
	id, err := checklist.AddItem(ps.ctx, ps.p, g, checklist.NewItem{Title: "New item", Owner: ps.plan["owner"]})
	if !ps.changed(err) {
		return
	}
	if cl.filter.Selected != filterAll && cl.filter.Selected != filterTodo {
		cl.filter.SetSelected(filterAll)
	}
	cl.tree.OpenBranch(gid(g))
	cl.selectNode(iid(id))
	if c := ps.win; c != nil {
		c.Canvas().Focus(cl.editor.title)
	}
	cl.editor.title.TypedShortcut(&fyne.ShortcutSelectAll{})
}

func (cl *checklistView) newGroupDialog() {
	ps := cl.ps
	name := widget.NewEntry()
	name.SetPlaceHolder("e.g. Recalls and reminders")
	d := dialog.NewForm("Add a group", "Add", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", name)}, func(ok bool) {
		if ok {
			cl.AddGroup(name.Text)
		}
	}, ps.win)
	d.Resize(fyne.NewSize(440, 180))
	d.Show()
	ps.win.Canvas().Focus(name)
}

// AddGroup adds a group at the end and selects it.
func (cl *checklistView) AddGroup(name string) {
	ps := cl.ps
	id, err := checklist.AddGroup(ps.ctx, ps.p, name)
	if ps.changed(err) {
		if cl.filter.Selected != filterAll {
			cl.filter.SetSelected(filterAll)
		}
		cl.selectNode(gid(id))
	}
}

// move moves the selected item (or group) one place up (-1) or down (+1); an item at the edge of
// its group moves into the neighbouring group.
func (cl *checklistView) move(dir int) {
	ps := cl.ps
	c := ps.ov.Checklist
	if g := cl.group(); g != nil {
		for i, x := range c.Groups {
			if x.ID == g.ID && i+dir >= 0 && i+dir < len(c.Groups) {
				ps.changed(checklist.MoveGroup(ps.ctx, ps.p, g.ID, i+dir))
				cl.selectNode(gid(g.ID))
			}
		}
		return
	}
	it := cl.item()
	if it == nil {
		return
	}
	for gi, g := range c.Groups {
		for i, x := range g.Items {
			if x.ID != it.ID {
				continue
			}
			var err error
			target := g.ID
			switch {
			case i+dir >= 0 && i+dir < len(g.Items):
				err = checklist.MoveItem(ps.ctx, ps.p, it.ID, g.ID, i+dir)
			case dir < 0 && gi > 0:
				prev := c.Groups[gi-1]
				target = prev.ID
				err = checklist.MoveItem(ps.ctx, ps.p, it.ID, prev.ID, len(prev.Items))
			case dir > 0 && gi < len(c.Groups)-1:
				target = c.Groups[gi+1].ID
				err = checklist.MoveItem(ps.ctx, ps.p, it.ID, target, 0)
			default:
				return
			}
			if ps.changed(err) {
				cl.tree.OpenBranch(gid(target))
				cl.selectNode(iid(it.ID))
			}
			return
		}
	}
}

// MoveItemTo moves the selected item to the end of another group.
func (cl *checklistView) MoveItemTo(groupID int64) {
	ps := cl.ps
	it := cl.item()
	g := ps.ov.Checklist.Group(groupID)
	if it == nil || g == nil {
		return
	}
	if ps.changed(checklist.MoveItem(ps.ctx, ps.p, it.ID, groupID, len(g.Items))) {
		cl.tree.OpenBranch(gid(groupID))
		cl.selectNode(iid(it.ID))
	}
}

func (cl *checklistView) moveToMenu() {
	it := cl.item()
	if it == nil || cl.ps.win == nil {
		return
	}
	var items []*fyne.MenuItem
	for _, g := range cl.ps.ov.Checklist.Groups {
		if g.ID == it.GroupID {
			continue
		}
		id := g.ID
		items = append(items, fyne.NewMenuItem(g.Name, func() { cl.MoveItemTo(id) }))
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(cl.moveTo).Add(fyne.NewPos(0, cl.moveTo.Size().Height))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cl.ps.win.Canvas(), pos)
}

// attach keeps files as evidence of the item being edited (read and stored in the background).
func (cl *checklistView) attach(paths []string) {
	ps := cl.ps
	it := cl.item()
	if it == nil || len(paths) == 0 {
		return
	}
	if ps.readOnly {
		ps.deps.ShowError(project.ErrReadOnly)
		return
	}
	id := it.ID
	cl.editor.attaching(true)
	goBackground(func() {
		var names []string
		var firstErr error
		for _, path := range paths {
			if _, err := checklist.AttachFile(ps.ctx, ps.p, id, path); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			names = append(names, filepath.Base(path))
		}
		uiDo(func() {
			cl.editor.attaching(false)
			if ps.ctx.Err() != nil {
				return
			}
			ps.changed(firstErr)
			if len(names) > 0 {
				ps.notice.show("Kept "+strings.Join(names, ", ")+" as evidence in the project file.", false)
			}
		})
	})
}
