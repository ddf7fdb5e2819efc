package screens

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// loadResultsView is the Results tab: the newest load's counts by status, its records in a grid
// (filtered by status), Retry failed, Save results and what comes next.
type loadResultsView struct {
	s        *LoadStep
	root     fyne.CanvasObject
	latest   *load.RunInfo
	override string
	summary  *widget.Label
	filter   *widget.Select
	filters  map[string][]string // choice → statuses (nil: all)
	grid     *DataGrid
	retryBtn *widget.Button
	saveBtn  *widget.Button
	nextBtn  *widget.Button
	gen      int
}

// loadRecordColumns are the columns of the results grid: what the results file has.
var loadRecordColumns = []string{"Entity", "Legacy key", "New ID", "Status", "Attempts", "Message"}

func (s *LoadStep) newResultsView() *loadResultsView {
	v := &loadResultsView{s: s, filters: map[string][]string{}}
	v.summary = wrapped("No load has run yet. Its results show here: every record with where it went, or why it did not.")
	v.filter = widget.NewSelect(nil, func(string) { v.fill() })
	v.filter.PlaceHolder = "Show…"
	v.grid = NewDataGrid(&memorySource{cols: loadRecordColumns})
	v.grid.SetEmptyText("No records to show.")
	v.retryBtn = widget.NewButtonWithIcon("Retry failed", theme.ViewRefreshIcon(), func() { s.startLoad(loadRetry) })
	v.saveBtn = widget.NewButtonWithIcon("Save results…", theme.DocumentSaveIcon(), v.saveDialog)
	v.nextBtn = widget.NewButtonWithIcon("Next: Reconcile & report", theme.NavigateNextIcon(), func() { s.deps.GoTo(wizard.Reconcile) })
	v.nextBtn.Importance = widget.HighImportance
	if s.readOnly {
		v.retryBtn.Hide()
	}
	bar := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Show"), container.New(&minWidth{Width: 260}, v.filter)),
		container.NewHBox(v.retryBtn, v.saveBtn, v.nextBtn))
	v.root = container.NewBorder(container.NewVBox(v.summary, bar), nil, nil, nil, v.grid)
	v.updateButtons()
	return v
}

// show shows the newest load run (nil: none yet).
func (v *loadResultsView) show(run *load.RunInfo) {
	v.latest = run
	if run == nil {
		v.filter.Options = nil
		v.filter.Refresh()
		v.grid.SetSource(&memorySource{cols: loadRecordColumns})
		v.updateButtons()
		return
	}
	var total int64
	for _, n := range run.Counts {
		total += n
	}
	mode := map[string]string{load.ModeFull: "Load", load.ModeRetry: "Retry of the failed records,"}[run.Mode]
	if mode == "" {
		mode = "Run"
	}
	text := fmt.Sprintf("%s run %d into %s (%s, by %s, started %s): %s", mode, run.ID, run.Destination, stateWords[run.State],
		run.Actor, shortTime(run.StartedAt), plural64(total, "record", "records"))
	if c := countsText(run.Counts); c != "" {
		text += ": " + c
	}
	text += "."
	if run.Message != "" && run.State != load.StateDone {
		text += " " + run.Message + "."
	}
	v.summary.SetText(text)
	v.filters = map[string][]string{}
	all := fmt.Sprintf("All records (%s)", fmtInt(total))
	opts := []string{all}
	v.filters[all] = nil
	bad := run.Counts[load.StatusRejected] + run.Counts[load.StatusFailed] + run.Counts[load.StatusInvalid]
	if bad > 0 {
		k := fmt.Sprintf("Did not arrive (%s)", fmtInt(bad))
		opts = append(opts, k)
		v.filters[k] = []string{load.StatusRejected, load.StatusFailed, load.StatusInvalid}
	}
	for _, st := range load.Statuses {
		if n := run.Counts[st]; n > 0 {
			k := fmt.Sprintf("%s (%s)", st, fmtInt(n))
			opts = append(opts, k)
			v.filters[k] = []string{st}
		}
	}
	prev := v.filter.Selected
	v.filter.Options = opts
	choose := all
	if bad > 0 {
		choose = opts[1]
	}
	for _, o := range opts { // keep the same kind of choice across a refresh
		if prev != "" && strings.SplitN(o, " (", 2)[0] == strings.SplitN(prev, " (", 2)[0] {
			choose = o
		}
	}
	v.filter.SetSelected(choose) // fills the grid
	v.updateButtons()
}

// fill reads the records the filter chooses in the background and shows them.
func (v *loadResultsView) fill() {
	run := v.latest
	if run == nil {
		return
	}
	statuses := v.filters[v.filter.Selected]
	v.gen++
	gen := v.gen
	v.grid.SetEmptyText("Reading the records…")
	goBackground(func() {
		recs, err := load.Records(v.s.ctx, v.s.p, run.ID, load.Filter{Statuses: statuses})
		uiDo(func() {
			if gen != v.gen {
				return
			}
			if err != nil {
				v.s.deps.ShowError(err)
				return
			}
			src := &memorySource{cols: loadRecordColumns}
			for _, r := range recs {
				bad := r.Status == load.StatusRejected || r.Status == load.StatusFailed || r.Status == load.StatusInvalid
				src.rows = append(src.rows, GridRow{ID: r.Seq, Line: r.SourceRow, Flagged: bad, Note: r.Error,
					Cells: []string{r.Entity, r.LegacyKey, r.NewID, r.Status, strconv.Itoa(r.Attempts), r.Error}})
			}
			v.grid.SetEmptyText("No records to show.")
			v.grid.SetSource(src)
		})
	})
}

func (v *loadResultsView) updateButtons() {
	run := v.latest
	busy := v.s.currentJob() != nil
	if run == nil {
		v.retryBtn.Disable()
		v.saveBtn.Disable()
		v.nextBtn.Disable()
		return
	}
	v.saveBtn.Enable()
	v.nextBtn.Enable()
	// Retry sends again only what did not arrive for want of an answer: failed, or left sending.
	failed := run.Counts[load.StatusFailed] + run.Counts[load.StatusSending]
	if failed > 0 && !busy && !v.s.readOnly && run.State != load.StateRunning {
		v.retryBtn.SetText(fmt.Sprintf("Retry %s failed", fmtInt(failed)))
		v.retryBtn.Enable()
	} else {
		v.retryBtn.SetText("Retry failed")
		v.retryBtn.Disable()
	}
}

// saveDialog saves the newest run's results, every record exactly once, as CSV or XLSX.
func (v *loadResultsView) saveDialog() {
	run := v.latest
	if run == nil {
		return
	}
	p := v.s.p
	suggested := filepath.Join(filepath.Dir(p.Path), fmt.Sprintf("%s load run %d results.xlsx", p.Name(), run.ID))
	v.s.deps.Files().Save("Save the load results", suggested, []Filter{{Name: "Excel workbooks", Exts: []string{".xlsx"}},
		{Name: "CSV files", Exts: []string{".csv"}}}, func(path string, err error) {
		if err != nil || path == "" {
			if err != nil {
				v.s.deps.ShowError(err)
			}
			return
		}
		format := "xlsx"
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			format = "csv"
		case ".xlsx":
		default:
			path += ".xlsx"
		}
		goBackground(func() {
			err := saveAtomic(path, func(w io.Writer) error { return load.WriteResults(v.s.ctx, p, run.ID, w, format) })
			uiDo(func() {
				if err != nil {
					v.s.deps.ShowError(fmt.Errorf("saving the results: %w", err))
					return
				}
				v.s.notice.show(fmt.Sprintf("Saved the results of run %d as %s (in %s): every record once, with its new ID or the reason it did not arrive.",
					run.ID, filepath.Base(path), filepath.Dir(path)), false)
			})
		})
	})
}

// memorySource is a GridSource over rows already read.
type memorySource struct {
	cols []string
	rows []GridRow
}

func (m *memorySource) Columns() []string { return m.cols }
func (m *memorySource) RowCount() int64   { return int64(len(m.rows)) }
func (m *memorySource) Page(_ context.Context, offset, limit int64) ([]GridRow, error) {
	n := int64(len(m.rows))
	if offset >= n {
		return nil, nil
	}
	return m.rows[offset:min(offset+limit, n)], nil
}
