package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/staging"
)

// clusterReview is the Duplicates tab: the groups of a duplicate finding one at a time, the
// member rows side by side (columns down, members across), a choice per field of whose value
// survives, and Merge / Not duplicates / Merge all remaining with defaults. Each merge is one
// merge_duplicates operation with the reviewed clusters, so it can be undone and replayed.
type clusterReview struct {
	c       *CleanseStep
	finding audit.Finding
	table   string

	clusters []cleanse.Cluster
	meta     map[int64]audit.Cluster // audit cluster id → method and score
	decided  []bool
	cur      int
	rows     map[int64]staging.PageRow
	cols     []string

	root     fyne.CanvasObject
	title    *widget.Label
	info     *widget.Label
	body     *fyne.Container
	merge    *widget.Button
	notDup   *widget.Button
	mergeAll *widget.Button
	prev     *widget.Button
	next     *widget.Button
	fill     *widget.Check
}

func newClusterReview(c *CleanseStep) *clusterReview {
	r := &clusterReview{c: c}
	r.title = widget.NewLabelWithStyle("Duplicate review", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.SizeName = theme.SizeNameSubHeadingText
	r.info = wrapped("Choose a duplicate finding under Suggested operations (Set up…) to review its groups here.")
	r.body = container.NewVBox()
	r.merge = widget.NewButtonWithIcon("Merge", theme.ConfirmIcon(), r.Merge)
	r.merge.Importance = widget.HighImportance
	r.notDup = widget.NewButtonWithIcon("Not duplicates", theme.CancelIcon(), r.NotDuplicates)
	r.mergeAll = widget.NewButton("Merge all remaining with defaults", r.MergeAll)
	r.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { r.show(r.cur - 1) })
	r.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { r.show(r.cur + 1) })
	r.fill = widget.NewCheck("Fill the survivor's blanks from the others", nil)
	actions := container.NewBorder(nil, nil, container.NewHBox(r.prev, r.next), container.NewHBox(r.fill, r.notDup, r.merge))
	r.root = container.NewBorder(container.NewVBox(r.title, r.info, actions, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewHBox(r.mergeAll)), nil, nil, container.NewVScroll(r.body))
	r.enable()
	return r
}

func (r *clusterReview) enable() {
	open := r.cur < len(r.clusters) && !r.decided[r.cur] && !r.c.readOnly
	for _, b := range []*widget.Button{r.merge, r.notDup} {
		if open {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if r.remaining() > 0 && !r.c.readOnly {
		r.mergeAll.Enable()
	} else {
		r.mergeAll.Disable()
	}
	if r.cur > 0 {
		r.prev.Enable()
	} else {
		r.prev.Disable()
	}
	if r.cur+1 < len(r.clusters) {
		r.next.Enable()
	} else {
		r.next.Disable()
	}
}

func (r *clusterReview) remaining() int {
	n := 0
	for _, d := range r.decided {
		if !d {
			n++
		}
	}
	return n
}

// Clusters are the groups under review (with the choices made so far).
func (r *clusterReview) Clusters() []cleanse.Cluster { return r.clusters }

// Current is the index of the group shown.
func (r *clusterReview) Current() int { return r.cur }

// load reads a finding's groups and their rows.
func (r *clusterReview) load(f audit.Finding) {
	r.finding, r.table = f, f.Table
	r.title.SetText("Review: " + findingTitle(f))
	r.info.SetText("Reading the groups…")
	r.clusters, r.decided, r.cur = nil, nil, 0
	r.body.Objects = nil
	r.body.Refresh()
	r.enable()
	goBackground(func() {
		cls, err := cleanse.ReviewClusters(r.c.ctx, r.c.p, f.ID)
		var acs []audit.Cluster
		var rows []staging.PageRow
		var info staging.TableInfo
		if err == nil {
			acs, err = audit.Clusters(r.c.ctx, r.c.p, f.ID)
		}
		if err == nil {
			info, err = r.c.st.Describe(r.c.ctx, f.Table)
		}
		if err == nil {
			var ids []int64
			for _, c := range cls {
				for _, m := range c.Members {
					ids = append(ids, m.Row)
				}
			}
			rows, err = r.c.st.Rows(r.c.ctx, f.Table, ids)
		}
		uiDo(func() {
			if err != nil {
				r.info.SetText("")
				r.c.deps.ShowError(err)
				return
			}
			r.meta = map[int64]audit.Cluster{}
			for _, a := range acs {
				r.meta[a.ID] = a
			}
			r.rows = map[int64]staging.PageRow{}
			for _, row := range rows {
				r.rows[row.ID] = row
			}
			r.cols = nil
			for _, c := range info.Columns {
				r.cols = append(r.cols, c.Name)
			}
			r.clusters = cls
			r.decided = make([]bool, len(cls))
			// members no longer staged (merged or purged since the audit) make a group already decided
			for i, c := range cls {
				for _, m := range c.Members {
					if _, ok := r.rows[m.Row]; !ok {
						r.decided[i] = true
					}
				}
			}
			r.show(r.firstOpen(0))
		})
	})
}

func (r *clusterReview) firstOpen(from int) int {
	for i := from; i < len(r.clusters); i++ {
		if !r.decided[i] {
			return i
		}
	}
	for i := 0; i < from && i < len(r.clusters); i++ {
		if !r.decided[i] {
			return i
		}
	}
	return max(0, min(from, len(r.clusters)-1))
}

// show draws group i: members side by side, a choice per differing field.
func (r *clusterReview) show(i int) {
	if i < 0 || i >= len(r.clusters) {
		r.body.Objects = nil
		r.body.Refresh()
		if len(r.clusters) == 0 {
			r.info.SetText("This finding has no groups left to review.")
		}
		r.enable()
		return
	}
	r.cur = i
	cl := &r.clusters[i]
	m := r.meta[cl.Source]
	state := fmt.Sprintf("%s still to decide", plural64(int64(r.remaining()), "group", "groups"))
	if r.decided[i] {
		state = "this group is decided · " + state
	}
	r.info.SetText(fmt.Sprintf("Group %d of %d · matched by %s · score %.2f · %s. The first record is kept unless you choose another; "+
		"where values differ, choose whose value the kept record gets.", i+1, len(r.clusters), m.Method, m.Score, state))
	n := len(cl.Members)
	grid := container.NewGridWithColumns(n + 1)
	bold := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	grid.Add(bold("Keep record"))
	var keep []*widget.RadioGroup
	var fieldRadios = map[string][]*widget.RadioGroup{}
	for k, mem := range cl.Members {
		k := k
		label := fmt.Sprintf("Row %d", mem.Row)
		if mem.Key != "" {
			label = mem.Key
		}
		if row, ok := r.rows[mem.Row]; ok && row.Line > 0 {
			label += fmt.Sprintf(" (line %d)", row.Line)
		}
		rg := widget.NewRadioGroup([]string{label}, nil)
		if k == cl.Survivor {
			rg.Selected = label
		}
		rg.OnChanged = func(v string) {
			if v == "" {
				if cl.Survivor == k {
					keep[k].SetSelected(keep[k].Options[0]) // one is always kept
				}
				return
			}
			cl.Survivor = k
			for j, o := range keep {
				if j != k && o.Selected != "" {
					o.SetSelected("")
				}
			}
			// fields that followed the survivor follow the new one
			for col, rs := range fieldRadios {
				if _, chosen := cl.Fields[col]; !chosen {
					for j, o := range rs {
						if j == k {
							o.SetSelected(o.Options[0])
						} else if o.Selected != "" {
							o.SetSelected("")
						}
					}
					delete(cl.Fields, col)
				}
			}
		}
		keep = append(keep, rg)
		grid.Add(rg)
	}
	for ci, col := range r.cols {
		vals := make([]string, n)
		same := true
		for k, mem := range cl.Members {
			if row, ok := r.rows[mem.Row]; ok && ci < len(row.Cells) {
				vals[k] = row.Cells[ci]
			}
			if vals[k] != vals[0] {
				same = false
			}
		}
		name := widget.NewLabel(col)
		name.Truncation = fyne.TextTruncateEllipsis
		grid.Add(name)
		if same {
			for k := range vals {
				l := muted(cellText(vals[k]))
				l.Truncation = fyne.TextTruncateEllipsis
				l.Wrapping = fyne.TextWrapOff
				grid.Add(l)
			}
			continue
		}
		col := col
		var rs []*widget.RadioGroup
		chosen, has := cl.Fields[col]
		if !has {
			chosen = cl.Survivor
		}
		for k := range vals {
			k := k
			rg := widget.NewRadioGroup([]string{cellText(vals[k])}, nil)
			if k == chosen {
				rg.Selected = rg.Options[0]
			}
			rg.OnChanged = func(v string) {
				if v == "" {
					return
				}
				for j, o := range rs {
					if j != k && o.Selected != "" {
						o.SetSelected("")
					}
				}
				if k == cl.Survivor {
					delete(cl.Fields, col)
				} else {
					if cl.Fields == nil {
						cl.Fields = map[string]int{}
					}
					cl.Fields[col] = k
				}
			}
			rs = append(rs, rg)
			grid.Add(rg)
		}
		fieldRadios[col] = rs
	}
	r.body.Objects = []fyne.CanvasObject{grid}
	r.body.Refresh()
	r.enable()
}

func cellText(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(blank)"
	}
	return oneLine(v)
}

// ChooseSurvivor keeps member k of the group shown.
func (r *clusterReview) ChooseSurvivor(k int) {
	if r.cur < len(r.clusters) {
		r.clusters[r.cur].Survivor = k
		r.show(r.cur)
	}
}

// ChooseField takes column's value from member k in the group shown.
func (r *clusterReview) ChooseField(column string, k int) {
	if r.cur < len(r.clusters) {
		cl := &r.clusters[r.cur]
		if cl.Fields == nil {
			cl.Fields = map[string]int{}
		}
		cl.Fields[column] = k
		r.show(r.cur)
	}
}

// Merge merges the group shown as reviewed.
func (r *clusterReview) Merge() {
	if r.cur >= len(r.clusters) || r.decided[r.cur] {
		return
	}
	r.run([]int{r.cur})
}

// NotDuplicates leaves the group shown alone and moves on.
func (r *clusterReview) NotDuplicates() {
	if r.cur >= len(r.clusters) {
		return
	}
	cur := r.cur
	r.decided[cur] = true
	r.show(r.firstOpen(cur + 1))
	// Recorded in the project (and the custody log), so a re-audit does not raise the group again.
	var rows []int64
	for _, m := range r.clusters[cur].Members {
		if m.Row != 0 {
			rows = append(rows, m.Row)
		}
	}
	if r.c.readOnly || len(rows) < 2 {
		return
	}
	table := r.table
	goBackground(func() {
		_, err := cleanse.MarkDistinct(r.c.ctx, r.c.p, table, rows, "reviewed in the Cleanse step: not the same record")
		if err != nil {
			uiDo(func() { r.c.deps.ShowError(err) })
			return
		}
		r.c.deps.Refresh()
	})
}

// MergeAll merges every group not decided yet, each with its choices (the first record kept
// where nobody chose), in one operation.
func (r *clusterReview) MergeAll() {
	var idx []int
	for i, d := range r.decided {
		if !d {
			idx = append(idx, i)
		}
	}
	if len(idx) > 0 {
		r.run(idx)
	}
}

func (r *clusterReview) run(idx []int) {
	step := cleanse.Step{Op: cleanse.OpMergeDuplicates, Table: r.table, FillBlanks: r.fill.Checked}
	for _, i := range idx {
		step.Clusters = append(step.Clusters, r.clusters[i])
	}
	r.merge.Disable()
	r.mergeAll.Disable()
	goBackground(func() {
		res, err := cleanse.Apply(r.c.ctx, r.c.p, step, cleanse.Options{})
		uiDo(func() {
			if err != nil {
				r.c.deps.ShowError(err)
				r.enable()
				return
			}
			for _, i := range idx {
				r.decided[i] = true
			}
			msg := fmt.Sprintf("Operation %d: merged %s into the records kept (%s).", res.OpID,
				plural64(res.Removed, "record", "records"), outcomeWords(&res.Outcome))
			r.c.changed(msg)
			r.show(r.firstOpen(r.cur))
		})
	})
}
