package screens

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Filter choices that mean "everything".
const (
	allSeverities = "All severities"
	allTables     = "All tables"
	allKinds      = "All kinds"
)

// findingsView is the Findings tab: the list with its filters on the left, the chosen finding on
// the right; a drill-down replaces both with the finding's rows until Back.
type findingsView struct {
	a    *AuditStep
	root *fyne.Container

	split    *container.Split
	search   *widget.Entry
	sevSel   *widget.Select
	tableSel *widget.Select
	kindSel  *widget.Select
	counts   *widget.Label
	list     *widget.List
	clear    *widget.Button

	all      []audit.Finding
	shown    []audit.Finding
	selected int64 // finding id on the right; 0 for none
	busy     bool  // filters are being set by the program
	sevOpt   map[string]string
	tableOpt map[string]string
	kindOpt  map[string]string

	detail *findingDetail
	drill  *drillView
}

func newFindingsView(a *AuditStep) *findingsView {
	v := &findingsView{a: a}
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder("Search findings, columns, values…")
	v.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.search.OnChanged = func(string) {
		if !v.busy {
			v.filter()
		}
	}
	onSel := func(string) {
		if !v.busy {
			v.filter()
		}
	}
	v.sevSel = widget.NewSelect(nil, onSel)
	v.sevSel.PlaceHolder = "Severity"
	v.tableSel = widget.NewSelect(nil, onSel)
	v.tableSel.PlaceHolder = "Table"
	v.kindSel = widget.NewSelect(nil, onSel)
	v.kindSel.PlaceHolder = "Kind"
	v.counts = caption("")
	v.clear = widget.NewButton("Show all", func() {
		v.setFilters("", "")
	})
	v.clear.Importance = widget.LowImportance
	v.clear.Hide()

	v.list = widget.NewList(func() int { return len(v.shown) }, newFindingRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(v.shown) {
			updateFindingRow(o, v.shown[i])
		}
	})
	v.list.OnSelected = func(i widget.ListItemID) {
		if i < len(v.shown) && v.shown[i].ID != v.selected {
			v.selected = v.shown[i].ID
			v.detail.show(v.shown[i])
		}
	}
	filters := container.NewVBox(v.search, container.NewGridWithColumns(3, v.sevSel, v.tableSel, v.kindSel),
		container.NewBorder(nil, nil, nil, v.clear, v.counts))
	left := container.NewBorder(filters, nil, nil, nil, v.list)

	v.detail = newFindingDetail(a)
	v.split = container.NewHSplit(container.NewPadded(left), container.NewPadded(v.detail.root))
	v.split.Offset = 0.42
	v.drill = newDrillView(a, v.closeDrill)
	v.drill.root.Hide()
	v.root = container.NewStack(v.split, v.drill.root)
	return v
}

// show lists a report's findings, keeping the filters that still apply and the finding chosen.
func (v *findingsView) show(rep *audit.Report) {
	v.all = rep.Findings
	sev, table, kind := v.filterValues()
	count := func(pred func(audit.Finding) bool) int {
		n := 0
		for _, f := range v.all {
			if pred(f) {
				n++
			}
		}
		return n
	}
	v.sevOpt = map[string]string{allSeverities: ""}
	sevs := []string{allSeverities}
	for _, s := range []string{audit.Error, audit.Warning, audit.Info} {
		l := fmt.Sprintf("%s (%d)", severityLabel(s), count(func(f audit.Finding) bool { return f.Severity == s }))
		v.sevOpt[l] = s
		sevs = append(sevs, l)
	}
	v.tableOpt = map[string]string{allTables: ""}
	tables := []string{allTables}
	for _, t := range rep.Tables {
		l := fmt.Sprintf("%s (%d)", t.Name, count(func(f audit.Finding) bool { return f.Table == t.Name }))
		v.tableOpt[l] = t.Name
		tables = append(tables, l)
	}
	v.kindOpt = map[string]string{allKinds: ""}
	kinds := []string{allKinds}
	var present []string
	seen := map[string]bool{}
	for _, f := range v.all {
		if !seen[f.Kind] {
			seen[f.Kind] = true
			present = append(present, f.Kind)
		}
	}
	sort.Slice(present, func(i, j int) bool { return kindLabel(present[i]) < kindLabel(present[j]) })
	for _, k := range present {
		l := fmt.Sprintf("%s (%d)", kindLabel(k), count(func(f audit.Finding) bool { return f.Kind == k }))
		v.kindOpt[l] = k
		kinds = append(kinds, l)
	}
	v.busy = true
	v.sevSel.Options, v.tableSel.Options, v.kindSel.Options = sevs, tables, kinds
	v.sevSel.SetSelected(optionFor(v.sevOpt, sev, allSeverities))
	v.tableSel.SetSelected(optionFor(v.tableOpt, table, allTables))
	v.kindSel.SetSelected(optionFor(v.kindOpt, kind, allKinds))
	v.busy = false
	// The same finding stays chosen across runs (its id changes with every run).
	v.selected = 0
	if cur := v.detail.f; cur.ID != 0 {
		for _, f := range v.all {
			if f.Kind == cur.Kind && f.Table == cur.Table && f.Column == cur.Column {
				v.selected = f.ID
			}
		}
	}
	v.filter()
}

// optionFor is the option whose value is want, or def.
func optionFor(opts map[string]string, want, def string) string {
	if want == "" {
		return def
	}
	for l, v := range opts {
		if v == want {
			return l
		}
	}
	return def
}

func (v *findingsView) filterValues() (sev, table, kind string) {
	return v.sevOpt[v.sevSel.Selected], v.tableOpt[v.tableSel.Selected], v.kindOpt[v.kindSel.Selected]
}

// setFilters shows the findings of one severity and table ("" for all), whatever the kind and
// search.
func (v *findingsView) setFilters(sev, table string) {
	v.closeDrill()
	v.busy = true
	v.sevSel.SetSelected(optionFor(v.sevOpt, sev, allSeverities))
	v.tableSel.SetSelected(optionFor(v.tableOpt, table, allTables))
	v.kindSel.SetSelected(allKinds)
	v.search.SetText("")
	v.busy = false
	v.filter()
}

// SetSearch types a search (tests).
func (v *findingsView) SetSearch(s string) { v.search.SetText(s) }

// Shown are the findings the list shows, as filtered.
func (v *findingsView) Shown() []audit.Finding { return v.shown }

// filter applies the filters and the search to the list.
func (v *findingsView) filter() {
	sev, table, kind := v.filterValues()
	words := strings.Fields(strings.ToLower(v.search.Text))
	v.shown = v.shown[:0]
	for _, f := range v.all {
		if (sev != "" && f.Severity != sev) || (table != "" && f.Table != table) || (kind != "" && f.Kind != kind) {
			continue
		}
		if len(words) > 0 {
			hay := strings.ToLower(strings.Join([]string{findingTitle(f), f.Message, f.Table, f.Column, kindLabel(f.Kind),
				f.Kind, findingWhere(f)}, " "))
			for _, e := range f.Examples {
				hay += " " + strings.ToLower(e.Value) + " " + strings.ToLower(e.Key)
			}
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(hay, w)
			}
			if !ok {
				continue
			}
		}
		v.shown = append(v.shown, f)
	}
	filtered := len(v.shown) != len(v.all)
	switch {
	case len(v.all) == 0:
		v.counts.SetText("The audit found nothing.")
	case !filtered:
		v.counts.SetText(plural64(int64(len(v.all)), "finding", "findings") + ", errors first")
	default:
		v.counts.SetText(fmt.Sprintf("%d of %s shown", len(v.shown), plural64(int64(len(v.all)), "finding", "findings")))
	}
	if filtered {
		v.clear.Show()
	} else {
		v.clear.Hide()
	}
	v.list.UnselectAll()
	v.list.Refresh()
	idx := -1
	for i, f := range v.shown {
		if f.ID == v.selected {
			idx = i
		}
	}
	if idx < 0 && len(v.shown) > 0 {
		idx = 0 // the finding shown is filtered out: show the first that is left
		v.list.ScrollToTop()
	}
	if idx < 0 {
		v.selected = 0
		v.detail.clear()
		return
	}
	if v.shown[idx].ID != v.detail.f.ID {
		v.selected = 0 // Select shows it
	}
	v.list.Select(idx)
}

// reveal selects a finding in the list, clearing filters that hide it.
func (v *findingsView) reveal(id int64) {
	v.closeDrill()
	found := false
	for _, f := range v.shown {
		found = found || f.ID == id
	}
	if !found {
		v.busy = true
		v.sevSel.SetSelected(allSeverities)
		v.tableSel.SetSelected(allTables)
		v.kindSel.SetSelected(allKinds)
		v.search.SetText("")
		v.busy = false
	}
	v.selected = id
	v.filter()
	v.scrollToSelected()
}

// scrollToSelected brings the chosen finding into view.
func (v *findingsView) scrollToSelected() {
	for i, f := range v.shown {
		if f.ID == v.selected {
			if i == 0 {
				v.list.ScrollToTop()
			} else {
				v.list.ScrollTo(i)
			}
			return
		}
	}
}

// Selected is the finding whose detail is shown (zero when none).
func (v *findingsView) Selected() audit.Finding { return v.detail.f }

// openDrill shows the rows of a finding (or its whole duplicate groups) in the grid.
func (v *findingsView) openDrill(f audit.Finding, groups bool) {
	v.split.Hide()
	v.drill.root.Show()
	v.drill.open(f, groups)
}

func (v *findingsView) closeDrill() {
	if v.drill.root.Visible() {
		v.drill.root.Hide()
		v.split.Show()
	}
}

// findingDetail is the right side of the Findings tab: what one finding is, where, how many,
// examples and breakdowns, the suggested fix, and the drill-down.
type findingDetail struct {
	a    *AuditStep
	root fyne.CanvasObject
	f    audit.Finding
	gen  int

	empty    fyne.CanvasObject
	body     *fyne.Container
	scroll   *container.Scroll
	icon     *widget.Icon
	title    *widget.Label
	where    *widget.Label
	severity *widget.Label
	message  *widget.Label
	drillBtn *widget.Button
	groupBtn *widget.Button
	fix      *widget.Label
	fixHead  *widget.Label
	cleanse  *widget.Button
	extra    *fyne.Container // breakdowns, clusters, missing values
	examples *fyne.Container
}

func newFindingDetail(a *AuditStep) *findingDetail {
	d := &findingDetail{a: a}
	d.icon = widget.NewIcon(theme.WarningIcon())
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.title.Wrapping = fyne.TextWrapWord
	d.where = muted("")
	d.severity = wrapped("")
	d.message = wrapped("")
	d.drillBtn = widget.NewButtonWithIcon("Show these rows", theme.GridIcon(), func() { a.findings.openDrill(d.f, false) })
	d.drillBtn.Importance = widget.HighImportance
	d.groupBtn = widget.NewButtonWithIcon("Show whole groups", theme.ListIcon(), func() { a.findings.openDrill(d.f, true) })
	d.fixHead = subhead("Suggested fix")
	d.fix = wrapped("")
	d.cleanse = widget.NewButtonWithIcon("Set up in Cleanse", theme.NavigateNextIcon(), func() { a.SetUpCleanse(d.f) })
	d.cleanse.IconPlacement = widget.ButtonIconTrailingText
	if a.readOnly {
		d.cleanse.Disable()
	}
	d.extra = container.NewVBox()
	d.examples = container.NewVBox()
	head := container.NewBorder(nil, nil, container.NewVBox(container.NewGridWrap(fyne.NewSize(28, 28), d.icon)), nil,
		container.NewVBox(d.title, d.where))
	fixCard := card(container.NewVBox(d.fixHead, d.fix, container.NewHBox(d.cleanse)))
	d.body = container.NewVBox(head, d.severity, d.message, container.NewHBox(d.drillBtn, d.groupBtn), fixCard, d.extra, d.examples)
	d.scroll = container.NewVScroll(d.body)
	emptyText := wrapped("Choose a finding on the left to see what it is, where, example rows, and how to fix it.")
	emptyText.Alignment = fyne.TextAlignCenter
	d.empty = container.NewCenter(container.New(&minWidth{Width: 320}, emptyText))
	d.scroll.Hide()
	d.root = container.NewStack(d.empty, d.scroll)
	return d
}

func (d *findingDetail) clear() {
	d.f = audit.Finding{}
	d.scroll.Hide()
	d.empty.Show()
}

// show fills the panel with f; clusters and member rows arrive in the background.
func (d *findingDetail) show(f audit.Finding) {
	d.f = f
	d.gen++
	d.empty.Hide()
	d.scroll.Show()
	d.icon.SetResource(severityIcon(f.Severity))
	d.title.SetText(findingTitle(f))
	d.where.SetText(findingWhere(f) + " · " + findingCount(f))
	d.severity.SetText(severityWords(f.Severity))
	switch f.Severity {
	case audit.Error:
		d.severity.Importance = widget.DangerImportance
	case audit.Warning:
		d.severity.Importance = widget.WarningImportance
	default:
		d.severity.Importance = widget.MediumImportance
	}
	d.severity.Refresh()
	d.message.SetText(f.Message)

	if f.RowCount > 0 {
		d.drillBtn.SetText(drillLabel(f.RowCount))
		d.drillBtn.Show()
	} else {
		d.drillBtn.Hide()
	}
	if f.Clusters > 0 {
		d.groupBtn.SetText("Show every row of the " + plural64(int64(f.Clusters), "group", "groups"))
		d.groupBtn.Show()
	} else {
		d.groupBtn.Hide()
	}
	if words := suggestionWords(f); words != "" {
		d.fixHead.SetText("Suggested fix")
		d.fix.SetText(words + " You see every change before it is made, and can undo it.")
		d.cleanse.Show()
	} else {
		d.fixHead.SetText("What to do")
		d.fix.SetText(decideWords(f))
		d.cleanse.Hide()
	}

	d.extra.Objects = nil
	d.addBreakdown(f)
	if f.Kind == audit.KindOrphan {
		d.addOrphan(f)
	}
	if f.Clusters > 0 {
		d.loadClusters(f)
	}
	d.extra.Refresh()
	d.showExamples(f)
	d.scroll.ScrollToTop()
}

// addBreakdown shows f.Values as bars, with the value proposed for each where there is a mapping.
func (d *findingDetail) addBreakdown(f audit.Finding) {
	if len(f.Values) == 0 || f.Kind == audit.KindDuplicateFuzzy {
		return
	}
	const most = 25
	rows, more := breakdownRows(f, most)
	head := map[string]string{
		audit.KindPlaceholder:      "What stands for “unknown”",
		audit.KindDateMixed:        "How the dates are written",
		audit.KindDateAmbiguous:    "The dates in " + f.Column,
		audit.KindDateImpossible:   "Why they cannot be right",
		audit.KindEmailTypo:        "Misspelled providers and the likely right ones",
		audit.KindPicklistFreetext: "Spellings, and the one Ferry proposes for each",
		audit.KindMoneyText:        "Values that are not amounts",
		audit.KindInvalidPhone:     "Values that are not phone numbers",
		audit.KindInvalidPostcode:  "Values that are not postcodes",
		audit.KindDateInvalid:      "Values that are not dates",
	}[f.Kind]
	if head == "" {
		head = "Values"
	}
	bars := newValueBars(severityColor(f.Severity))
	bars.SetRows(rows)
	d.extra.Add(subhead(head))
	d.extra.Add(bars)
	if f.Kind == audit.KindDateAmbiguous && (f.Order == "DMY" || f.Order == "MDY") {
		d.extra.Add(muted("Ferry reads this column " + map[string]string{"DMY": "day first (DD/MM/YYYY)", "MDY": "month first (MM/DD/YYYY)"}[f.Order] +
			", because some of its dates can only be read that way."))
	}
	if more > 0 {
		d.extra.Add(muted(fmt.Sprintf("and %d more; the Excel export lists them all.", more)))
	}
}

// addOrphan names the table the rows point at and the values missing there.
func (d *findingDetail) addOrphan(f audit.Finding) {
	d.extra.Add(subhead("Missing in " + f.Parent))
	vals := f.Missing
	text := strings.Join(vals, ", ")
	if len(vals) >= 100 {
		text += " … (the first 100)"
	}
	l := wrapped(fmt.Sprintf("%s in %s point at %s %s that %s not in %s: %s.", findingCount(f), f.Table,
		plural64(int64(len(vals)), "value", "values"), f.Column, isAre(len(vals)), f.Parent, text))
	d.extra.Add(l)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// showExamples lists the example rows: line in the file, key, the value concerned.
func (d *findingDetail) showExamples(f audit.Finding) {
	d.examples.Objects = nil
	if len(f.Examples) == 0 {
		d.examples.Refresh()
		return
	}
	d.examples.Add(subhead("Examples"))
	key := ""
	if t := d.a.rep.Table(f.Table); t != nil {
		key = t.KeyColumn
	}
	form := container.New(layout.NewFormLayout())
	for _, e := range f.Examples {
		where := "Line " + fmtInt(e.Line)
		if e.Key != "" && key != "" {
			where += " · " + key + " " + e.Key
		} else if e.Key != "" {
			where += " · " + e.Key
		}
		lw := widget.NewLabel(where)
		lw.Importance = widget.LowImportance
		val := e.Value
		if val == "" {
			val = "(empty)"
		}
		lv := widget.NewLabel(oneLine(val))
		lv.Truncation = fyne.TextTruncateEllipsis
		if e.Value == "" {
			lv.Importance = widget.LowImportance
		}
		form.Add(lw)
		form.Add(lv)
	}
	d.examples.Add(form)
	if f.RowCount > int64(len(f.Examples)) {
		d.examples.Add(muted(fmt.Sprintf("%s in all: “%s” shows every one in the table.", plural64(f.RowCount, "row", "rows"), d.drillBtn.Text)))
	}
	d.examples.Refresh()
}

// clusterShown is how many duplicate groups the detail shows side by side.
const clusterShown = 12

// clustersPerTurn is how many duplicate groups are drawn per callback on the UI goroutine.
const clustersPerTurn = 1

// loadClusters reads a duplicate finding's groups and their rows, and shows the members side by
// side: one column per row, one line per field, the fields that differ first and marked.
func (d *findingDetail) loadClusters(f audit.Finding) {
	gen := d.gen
	holder := container.NewVBox(subhead("The groups"), muted("Reading the groups…"))
	d.extra.Add(holder)
	a := d.a
	goBackground(func() {
		cs, err := audit.Clusters(a.ctx, a.p, f.ID)
		var ids []int64
		for i, c := range cs {
			if i == clusterShown {
				break
			}
			for _, m := range c.Members {
				ids = append(ids, m.Row)
			}
		}
		var info staging.TableInfo
		rows := map[int64]staging.PageRow{}
		if err == nil {
			info, err = a.st.Describe(a.ctx, f.Table)
		}
		if err == nil && len(ids) > 0 {
			var rs []staging.PageRow
			rs, err = a.st.Rows(a.ctx, f.Table, ids)
			for _, r := range rs {
				rows[r.ID] = r
			}
		}
		uiDo(func() {
			if gen != d.gen || a.ctx.Err() != nil {
				return
			}
			holder.Objects = holder.Objects[:1]
			if err != nil {
				_, body := describeError(err)
				holder.Add(muted("The groups could not be read: " + firstLine(body)))
				holder.Refresh()
				return
			}
			var cols []string
			for _, c := range info.Columns {
				cols = append(cols, c.Name)
			}
			prof := a.rep.Table(f.Table)
			// A few groups per turn of the UI goroutine: all twelve at once are hundreds of labels,
			// over 100 ms of work in which the window could not repaint or answer a click.
			n := min(len(cs), clusterShown)
			var addFrom func(i int)
			addFrom = func(i int) {
				if gen != d.gen || a.ctx.Err() != nil {
					return
				}
				for end := min(n, i+clustersPerTurn); i < end; i++ {
					holder.Add(clusterView(i+1, cs[i], cols, rows, info.KeyColumn, prof))
				}
				if i < n {
					uiDo(func() { addFrom(i) })
					return
				}
				if len(cs) > clusterShown {
					holder.Add(muted(fmt.Sprintf("and %s more; the merge review in Cleanse shows them all.", plural64(int64(len(cs)-clusterShown), "group", "groups"))))
				}
				holder.Refresh()
			}
			addFrom(0)
		})
	})
}

// clusterView is one duplicate group: how it was matched, and its members side by side.
func clusterView(n int, c audit.Cluster, cols []string, rows map[int64]staging.PageRow, key string, prof *audit.TableProfile) fyne.CanvasObject {
	head := fmt.Sprintf("Group %d · %s", n, c.Method)
	if c.Score > 0 && c.Score < 1 {
		head += fmt.Sprintf(" · %d%% alike", int(c.Score*100+0.5))
	}
	members := c.Members
	if len(members) > 4 {
		members = members[:4]
	}
	// Which fields: the key, those that differ, then names, birth date, phone, e-mail.
	differs := map[int]bool{}
	for ci := range cols {
		var first string
		for k, m := range members {
			v := cellOf(rows[m.Row], ci)
			if k == 0 {
				first = v
			} else if v != first {
				differs[ci] = true
			}
		}
	}
	var pick []int
	add := func(ci int) {
		for _, p := range pick {
			if p == ci {
				return
			}
		}
		if ci >= 0 && len(pick) < 8 {
			pick = append(pick, ci)
		}
	}
	for ci, name := range cols {
		if name == key {
			add(ci)
		}
	}
	for ci := range cols {
		if differs[ci] {
			add(ci)
		}
	}
	if prof != nil {
		for ci, name := range cols {
			if cp := prof.Column(name); cp != nil && (cp.Role != "" || cp.Type == audit.TypePhone || cp.Type == audit.TypeEmail) {
				add(ci)
			}
		}
	}
	for ci := range cols {
		if len(pick) >= 5 {
			break
		}
		add(ci)
	}
	grid := container.NewGridWithColumns(1 + len(members))
	grid.Add(widget.NewLabel(""))
	for k, m := range members {
		label := "Line " + fmtInt(rows[m.Row].Line)
		if k == 0 {
			label += " (kept)"
		}
		h := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		h.Truncation = fyne.TextTruncateEllipsis
		grid.Add(h)
	}
	for _, ci := range pick {
		name := widget.NewLabel(cols[ci])
		name.Importance = widget.LowImportance
		name.Truncation = fyne.TextTruncateEllipsis
		grid.Add(name)
		for _, m := range members {
			v := cellOf(rows[m.Row], ci)
			l := widget.NewLabel(oneLine(v))
			if v == "" {
				l.SetText("(empty)")
				l.Importance = widget.LowImportance
			}
			if differs[ci] {
				l.TextStyle = fyne.TextStyle{Bold: true}
				if v != "" {
					l.Importance = widget.WarningImportance
				}
			}
			l.Truncation = fyne.TextTruncateEllipsis
			grid.Add(l)
		}
	}
	parts := []fyne.CanvasObject{subhead(head), grid}
	if len(c.Members) > len(members) {
		parts = append(parts, muted(fmt.Sprintf("and %s more in this group.", plural64(int64(len(c.Members)-len(members)), "row", "rows"))))
	}
	if len(differs) == 0 {
		parts = append(parts, muted("Every value is the same in these rows."))
	} else {
		parts = append(parts, muted("Values that differ are in bold."))
	}
	return card(container.NewVBox(parts...))
}

func cellOf(r staging.PageRow, i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// findingRows reads the row ids of a finding (at most auditDrillMax).
func (a *AuditStep) findingRows(ctx context.Context, f audit.Finding) ([]int64, error) {
	return audit.FindingRows(ctx, a.p, f.ID, 0, auditDrillMax)
}

// drillLabel is the drill-down button's text: "Show this row", "Show these 43 rows".
func drillLabel(n int64) string {
	if n == 1 {
		return "Show this row"
	}
	return "Show these " + fmtInt(n) + " rows"
}
