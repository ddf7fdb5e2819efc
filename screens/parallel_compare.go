package screens

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/project"
)

// reportFilters are the files offered for a daily comparison.
var reportFilters = []Filter{{Name: "Reports and exports (CSV, Excel, JSON)", Exts: []string{".csv", ".tsv", ".txt", ".xlsx", ".json", ".ndjson"}}}

// loadedReport is one side of a comparison, read and fingerprinted.
type loadedReport struct {
	path  string
	sha   string
	table compare.Table
}

// compareView is the Daily comparisons tab: import the same day's report from both systems,
// compare, see what differs and how that changed over the days of the run.
type compareView struct {
	ps   *ParallelStep
	root fyne.CanvasObject

	entity   *widget.Entry
	day      *widget.Entry
	key      *widget.Select
	oldBtn   *widget.Button
	newBtn   *widget.Button
	oldLabel *widget.Label
	newLabel *widget.Label
	run      *widget.Button
	progress *widget.ProgressBarInfinite
	busyText *widget.Label
	busyRow  *fyne.Container
	history  *widget.Select

	old, new *loadedReport
	reading  int

	result    *compare.Result // shown
	title     *widget.Label
	headline  *widget.Label
	sums      *widget.Label
	notes     *widget.Label
	diffTable *widget.Table
	diffEmpty *widget.Label
	chart     *trendChart

	historyIDs []int64
	busyHist   bool
}

func newCompareView(ps *ParallelStep) *compareView {
	cv := &compareView{ps: ps}
	cv.entity = widget.NewEntry()
	cv.entity.SetPlaceHolder("e.g. Appointments, Takings")
	cv.day = widget.NewEntry()
	cv.day.SetText(ps.now().Format(checklist.DateLayout))
	cv.day.Validator = func(v string) error {
		if _, err := time.Parse(checklist.DateLayout, v); err != nil {
			return fmt.Errorf("write the day as YYYY-MM-DD")
		}
		return nil
	}
	cv.day.ActionItem = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { pickDateFor(ps.win, cv.day) })
	cv.key = widget.NewSelect(nil, nil)
	cv.key.PlaceHolder = "First column"
	cv.oldBtn = widget.NewButtonWithIcon("Old system's report…", theme.FolderOpenIcon(), func() { cv.pick(true) })
	cv.newBtn = widget.NewButtonWithIcon("New system's report…", theme.FolderOpenIcon(), func() { cv.pick(false) })
	cv.oldLabel = caption("Not chosen yet.")
	cv.newLabel = caption("Not chosen yet.")
	cv.run = widget.NewButtonWithIcon("Compare", theme.MediaPlayIcon(), cv.Compare)
	cv.run.Importance = widget.HighImportance
	cv.run.Disable()
	cv.progress = widget.NewProgressBarInfinite()
	cv.progress.Stop()
	cv.progress.Hide()
	cv.busyText = caption("")
	if ps.readOnly {
		cv.oldBtn.Disable()
		cv.newBtn.Disable()
		cv.entity.Disable()
		cv.day.Disable()
		cv.key.Disable()
	}
	cv.history = widget.NewSelect(nil, func(v string) {
		if cv.busyHist {
			return
		}
		for i, o := range cv.history.Options {
			if o == v && i < len(cv.historyIDs) {
				cv.Show(cv.historyIDs[i])
			}
		}
	})
	cv.history.PlaceHolder = "Earlier comparisons…"

	inputs := widget.NewForm(
		widget.NewFormItem("What is compared", cv.entity),
		widget.NewFormItem("Day the reports cover", cv.day),
	)
	files := container.NewGridWithColumns(2,
		container.New(&tightVBox{}, cv.oldBtn, cv.oldLabel),
		container.New(&tightVBox{}, cv.newBtn, cv.newLabel))
	keyRow := container.NewBorder(nil, nil, widget.NewLabel("Match records by"), cv.run, container.New(&minWidth{Width: 180}, cv.key))
	controls := container.NewGridWithColumns(2, inputs, container.NewVBox(files, keyRow))
	cv.busyRow = container.NewBorder(nil, nil, nil, cv.busyText, cv.progress)
	cv.busyRow.Hide()

	cv.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	cv.title.Truncation = fyne.TextTruncateEllipsis
	cv.headline = wrapped("")
	cv.sums = muted("")
	cv.notes = muted("")
	resultBox := container.NewVBox(container.NewBorder(nil, nil, nil, container.New(&minWidth{Width: 230}, cv.history), cv.title),
		cv.headline, cv.sums, cv.notes)

	cv.chart = newTrendChart()
	cv.chart.OnTapped = func(pt compare.Point) { cv.Show(pt.Comparison) }
	chartBox := container.NewBorder(widget.NewLabelWithStyle("Records that differ, day by day", fyne.TextAlignLeading,
		fyne.TextStyle{Bold: true}), nil, nil, nil, cv.chart)

	cv.diffTable = widget.NewTable(cv.diffLength, cv.diffCreate, cv.diffUpdate)
	cv.diffTable.ShowHeaderRow = true
	cv.diffTable.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	cv.diffTable.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		heads := []string{"Difference", "Key", "Column", "Old system", "New system", ""}
		if id.Col >= 0 && id.Col < len(heads) {
			o.(*widget.Label).SetText(heads[id.Col])
		}
	}
	for i, w := range []float32{195, 90, 110, 190, 190, 180} {
		cv.diffTable.SetColumnWidth(i, w)
	}
	cv.diffEmpty = wrapped("")
	cv.diffEmpty.Alignment = fyne.TextAlignCenter

	top := container.NewVBox(controls, cv.busyRow, widget.NewSeparator())
	middle := container.NewGridWithColumns(2, resultBox, chartBox)
	results := container.NewVSplit(container.NewPadded(middle), container.NewStack(cv.diffTable,
		// full width, not a Center: a wrapped label measured with no width asks for a word per line
		container.NewVBox(layout.NewSpacer(), cv.diffEmpty, layout.NewSpacer())))
	results.Offset = 0.42
	cv.root = container.NewBorder(top, nil, nil, nil, results)
	cv.showResult(nil)
	return cv
}

// update refreshes the trend and the history list after the project changed.
func (cv *compareView) update() {
	ov := cv.ps.ov
	cv.chart.SetPoints(ov.Trend)
	var opts []string
	cv.historyIDs = nil
	for _, r := range ov.Comparisons {
		opts = append(opts, fmt.Sprintf("%s · %s · %s", r.Day, r.Entity, countOf(r.Records(), "difference", "differences")))
		cv.historyIDs = append(cv.historyIDs, r.ID)
	}
	cv.busyHist = true
	cv.history.Options = opts
	cv.history.Refresh()
	cv.busyHist = false
	if cv.result == nil && len(ov.Comparisons) > 0 {
		cv.Show(ov.Comparisons[0].ID)
	} else if cv.result != nil && cv.result.ID != 0 {
		// item links may have changed
		if r, err := compare.Get(cv.ps.ctx, cv.ps.p, cv.result.ID); err == nil {
			cv.result = r
			cv.diffTable.Refresh()
		}
	}
}

// pick asks for one side's report and reads it in the background.
func (cv *compareView) pick(old bool) {
	title := "The new system's report for the day"
	if old {
		title = "The old system's report for the day"
	}
	cv.ps.deps.Files().Open(title, reportFilters, func(path string, err error) {
		if err != nil {
			cv.ps.deps.ShowError(err)
			return
		}
		if path != "" {
			cv.Load(path, old)
		}
	})
}

// Load reads one side's report (old or new) off the UI goroutine.
func (cv *compareView) Load(path string, old bool) {
	ps := cv.ps
	read := ps.deps.Services().ReadTable
	if read == nil {
		ps.deps.ShowError(errors.New("reading reports is not available in this build of Ferry"))
		return
	}
	cv.setBusy(+1, "Reading "+filepath.Base(path)+"…")
	goBackground(func() {
		var rep *loadedReport
		mt, err := read(ps.ctx, path)
		if err == nil {
			var sha string
			if sha, err = fsutil.SHA256(ps.ctx, path); err == nil {
				rep = &loadedReport{path: path, sha: sha, table: compare.FromStaging(mt)}
			}
		}
		uiDo(func() {
			cv.setBusy(-1, "")
			if ps.ctx.Err() != nil {
				return
			}
			if err != nil {
				ps.deps.ShowError(fmt.Errorf("reading %s: %w", filepath.Base(path), err))
				return
			}
			label := fmt.Sprintf("%s · %s, %s", filepath.Base(path), countOf(len(rep.table.Rows), "row", "rows"),
				countOf(len(rep.table.Header), "column", "columns"))
			if old {
				cv.old = rep
				cv.oldLabel.SetText(label)
				if strings.TrimSpace(cv.entity.Text) == "" {
					cv.entity.SetText(entityName(path))
				}
			} else {
				cv.new = rep
				cv.newLabel.SetText(label)
			}
			cv.refreshKeys()
		})
	})
}

// entityName makes "Appointments" of "appointments-old-2027-03-03.csv".
func entityName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	words := strings.FieldsFunc(base, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '.' })
	var keep []string
	for _, w := range words {
		lw := strings.ToLower(w)
		if lw == "old" || lw == "new" || lw == "legacy" || lw == "export" || strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
			continue
		}
		keep = append(keep, w)
	}
	if len(keep) == 0 {
		return base
	}
	s := strings.Join(keep, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func (cv *compareView) setBusy(delta int, text string) {
	cv.reading += delta
	if cv.reading > 0 {
		if text != "" {
			cv.busyText.SetText(text)
		}
		cv.busyRow.Show()
		cv.progress.Show()
		cv.progress.Start()
		cv.run.Disable()
		return
	}
	cv.progress.Stop()
	cv.busyRow.Hide()
	cv.busyText.SetText("")
	cv.refreshKeys()
}

// refreshKeys offers the columns both files have as keys, and enables Compare once both are in.
func (cv *compareView) refreshKeys() {
	if cv.old == nil {
		return
	}
	var opts []string
	for _, h := range cv.old.table.Header {
		if cv.new == nil || hasColumn(cv.new.table.Header, h) {
			opts = append(opts, strings.TrimSpace(h))
		}
	}
	cv.key.Options = opts
	if cv.key.Selected == "" || !hasColumn(opts, cv.key.Selected) {
		if len(opts) > 0 {
			cv.key.SetSelected(opts[0])
		} else {
			cv.key.ClearSelected()
		}
	}
	cv.key.Refresh()
	if cv.old != nil && cv.new != nil && cv.reading == 0 && !cv.ps.readOnly {
		cv.run.Enable()
	} else {
		cv.run.Disable()
	}
}

func hasColumn(header []string, name string) bool {
	for _, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// Compare compares the two reports, stores the result in the project and shows it.
func (cv *compareView) Compare() {
	ps := cv.ps
	if cv.old == nil || cv.new == nil {
		return
	}
	old, nw := *cv.old, *cv.new
	opts := compare.Options{Key: cv.key.Selected, Day: strings.TrimSpace(cv.day.Text), Entity: strings.TrimSpace(cv.entity.Text)}
	if opts.Entity == "" {
		opts.Entity = entityName(old.path)
	}
	cv.setBusy(+1, "Comparing…")
	goBackground(func() {
		r, err := compare.Compare(old.table, nw.table, opts)
		if err == nil {
			r.OldFile, r.OldSHA256, r.NewFile, r.NewSHA256 = filepath.Base(old.path), old.sha, filepath.Base(nw.path), nw.sha
			err = compare.Save(ps.ctx, ps.p, r)
		}
		uiDo(func() {
			cv.setBusy(-1, "")
			if ps.ctx.Err() != nil {
				return
			}
			if !ps.changed(err) {
				return
			}
			cv.Show(r.ID)
		})
	})
}

// Show shows a stored comparison.
func (cv *compareView) Show(id int64) {
	r, err := compare.Get(cv.ps.ctx, cv.ps.p, id)
	if err != nil {
		cv.ps.deps.ShowError(err)
		return
	}
	cv.showResult(r)
	cv.chart.SetSelected(id)
	cv.busyHist = true
	for i, hid := range cv.historyIDs {
		if hid == id && i < len(cv.history.Options) {
			cv.history.SetSelected(cv.history.Options[i])
		}
	}
	cv.busyHist = false
}

func (cv *compareView) showResult(r *compare.Result) {
	cv.result = r
	if r == nil {
		cv.title.SetText("No comparison yet")
		cv.headline.SetText("Each day of the run, export the same report from both systems (the day's appointments, the day's takings) " +
			"and choose them above. Ferry matches the records by their key and lists every one that differs.")
		cv.headline.Importance = widget.MediumImportance
		cv.headline.Refresh()
		cv.sums.Hide()
		cv.notes.Hide()
		cv.diffEmpty.SetText("The records that differ will be listed here.")
		cv.diffEmpty.Show()
		cv.diffTable.Refresh()
		return
	}
	day := r.Day
	if t, err := time.Parse(checklist.DateLayout, r.Day); err == nil {
		day = t.Format("Mon 2 Jan 2006")
	}
	cv.title.SetText(fmt.Sprintf("%s · %s", r.Entity, day))
	switch {
	case r.Equal():
		cv.headline.SetText("The two reports agree: same records, same values, same totals.")
		cv.headline.Importance = widget.SuccessImportance
	default:
		var parts []string
		if r.MissingInNew > 0 {
			parts = append(parts, fmt.Sprintf("%d missing in the new system", r.MissingInNew))
		}
		if r.MissingInOld > 0 {
			parts = append(parts, fmt.Sprintf("%d only in the new system", r.MissingInOld))
		}
		if r.Changed > 0 {
			parts = append(parts, fmt.Sprintf("%d with different values", r.Changed))
		}
		text := countOf(r.Records(), "record differs", "records differ")
		if len(parts) > 0 {
			text += ": " + strings.Join(parts, ", ")
		}
		var differ []string
		for _, sm := range r.Sums {
			if !sm.Equal() {
				differ = append(differ, sm.Column)
			}
		}
		if len(differ) > 0 {
			text += ". Totals differ: " + strings.Join(differ, ", ") + "."
		} else {
			text += "."
		}
		cv.headline.SetText(text)
		cv.headline.Importance = widget.DangerImportance
	}
	cv.headline.Refresh()
	sums := []string{fmt.Sprintf("Old %s · new %s · %d matched by %s", countOf(r.OldRows, "row", "rows"),
		countOf(r.NewRows, "row", "rows"), r.Matched, r.KeyColumn)}
	for _, s := range r.Sums {
		mark := "agrees"
		if !s.Equal() {
			mark = "difference " + s.Difference
		}
		sums = append(sums, fmt.Sprintf("Total %s: old %s, new %s (%s)", s.Column, s.Old, s.New, mark))
	}
	setOrHide(cv.sums, strings.Join(sums, "\n"))
	var notes []string
	if len(r.Notes.OnlyInOld) > 0 {
		notes = append(notes, "Columns only in the old report: "+strings.Join(r.Notes.OnlyInOld, ", "))
	}
	if len(r.Notes.OnlyInNew) > 0 {
		notes = append(notes, "Columns only in the new report: "+strings.Join(r.Notes.OnlyInNew, ", "))
	}
	if len(r.Notes.DuplicateKeys) > 0 {
		notes = append(notes, "Keys found more than once: "+strings.Join(firstN(r.Notes.DuplicateKeys, 5), ", "))
	}
	if len(r.Notes.TotalLines) > 0 {
		notes = append(notes, "Totals lines left out: "+strings.Join(r.Notes.TotalLines, ", "))
	}
	notes = append(notes, fmt.Sprintf("Files: %s and %s, compared by %s.", r.OldFile, r.NewFile, r.CreatedBy))
	setOrHide(cv.notes, strings.Join(notes, "\n"))
	if len(r.Differences) == 0 {
		cv.diffEmpty.SetText("No record differs.")
		cv.diffEmpty.Show()
	} else {
		cv.diffEmpty.Hide()
	}
	cv.diffTable.ScrollToTop()
	cv.diffTable.Refresh()
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

func setOrHide(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func (cv *compareView) diffLength() (int, int) {
	if cv.result == nil {
		return 0, 6
	}
	return len(cv.result.Differences), 6
}

func (cv *compareView) diffCreate() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	b := widget.NewButton("Make checklist item", nil)
	b.Importance = widget.LowImportance
	return container.NewStack(l, b)
}

func (cv *compareView) diffUpdate(id widget.TableCellID, o fyne.CanvasObject) {
	st := o.(*fyne.Container)
	l, b := st.Objects[0].(*widget.Label), st.Objects[1].(*widget.Button)
	if cv.result == nil || id.Row >= len(cv.result.Differences) {
		l.SetText("")
		b.Hide()
		return
	}
	d := cv.result.Differences[id.Row]
	if id.Col == 5 {
		l.Hide()
		b.Show()
		did, itemID := d.ID, d.ItemID
		if itemID != 0 {
			b.SetText("Show item")
			b.SetIcon(theme.NavigateNextIcon())
			b.OnTapped = func() { cv.showItem(itemID) }
			b.Enable()
		} else {
			b.SetText("Make checklist item")
			b.SetIcon(theme.ContentAddIcon())
			b.OnTapped = func() { cv.MakeItem(did) }
			if cv.ps.readOnly {
				b.Disable()
			} else {
				b.Enable()
			}
		}
		return
	}
	b.Hide()
	l.Show()
	var text string
	switch id.Col {
	case 0:
		text = d.Kind.Words()
	case 1:
		text = d.Key
	case 2:
		text = d.Column
		if d.Kind != compare.Changed {
			text = "whole record"
		}
	case 3:
		text = blankIfNone(d.Old, d.Kind == compare.MissingInOld)
	case 4:
		text = blankIfNone(d.New, d.Kind == compare.MissingInNew)
	}
	l.SetText(text)
	switch {
	case id.Col == 0 && d.Kind == compare.MissingInNew:
		l.Importance = widget.DangerImportance
	case id.Col == 0 && d.Kind == compare.MissingInOld:
		l.Importance = widget.WarningImportance
	case id.Col == 2 && d.Kind != compare.Changed:
		l.Importance = widget.LowImportance
	default:
		l.Importance = widget.MediumImportance
	}
	l.Refresh()
}

func blankIfNone(v string, absent bool) string {
	switch {
	case absent:
		return "—"
	case v == "":
		return "(blank)"
	}
	return v
}

// MakeItem turns a difference into a checklist item.
func (cv *compareView) MakeItem(diffID int64) {
	ps := cv.ps
	if ps.readOnly {
		ps.deps.ShowError(project.ErrReadOnly)
		return
	}
	id, err := compare.MakeItem(ps.ctx, ps.p, diffID)
	if !ps.changed(err) {
		return
	}
	if it := ps.ov.Checklist.Item(id); it != nil {
		ps.notice.show("Added to the checklist: "+it.Title+".", false)
	}
}

func (cv *compareView) showItem(itemID int64) {
	ps := cv.ps
	if ps.ov.Checklist.Item(itemID) == nil {
		return
	}
	ps.tabs.Select(ps.clTab)
	if ps.cl.filter.Selected != filterAll {
		ps.cl.filter.SetSelected(filterAll)
	}
	if it := ps.ov.Checklist.Item(itemID); it != nil {
		ps.cl.tree.OpenBranch(gid(it.GroupID))
	}
	ps.cl.selectNode(iid(itemID))
}
