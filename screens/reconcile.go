package screens

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/report"
)

// ReconcileStep is the Reconcile & report step: the verdict first, then every entity's
// waterfall (as bars and numbers that drill down to their records), the money totals, the
// differences, the audit's findings then and now, the exports of the report, and a search box
// that traces one legacy record. "Reconcile now" audits the data again (the chart's "now") and
// reads the new system back: over the API of the newest load's destination, or from an export
// of the new system the person chooses (the only way for a files destination). It runs in the
// background with progress, time left and Cancel. The destination's secret comes from the
// keyring or a password dialog and is kept in memory for this session only, never in the
// project. In view-only mode (the owner's) nothing that changes the project is offered.
type ReconcileStep struct {
	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	readOnly bool

	ctx  context.Context
	stop context.CancelFunc

	verdict  *themedText
	detail   *widget.Label
	chart    *waterfallChart
	table    *widget.Label
	sums     *widget.Label
	audit    *auditPairs
	grid     *DataGrid
	show     *widget.Select
	showing  *widget.Label
	notice   *widget.Label
	redact   *widget.Check
	runBtn   *widget.Button
	from     *widget.RadioGroup // where "Reconcile now" reads the new system back from
	fromNote *widget.Label
	xlsxBtn  *widget.Button
	pdfBtn   *widget.Button
	traceTbl *widget.Select
	traceKey *widget.Entry

	progRoot  *fyne.Container
	progBar   *widget.ProgressBar
	progText  *widget.Label
	cancelBtn *widget.Button

	mu      sync.Mutex
	res     *reconcile.Result
	dest    *load.Destination // the newest load's destination (nil: nothing loaded yet)
	secret  string            // the destination's secret as typed, for this session only
	running atomic.Bool
	cancel  context.CancelFunc
}

// The choices of where "Reconcile now" reads the new system back from.
const (
	fromExport = "From an export of the new system…"
	fromLog    = "From the load's own records only"
)

func fromAPI(d load.Destination) string { return "Read back from " + d.Name + " (API)" }

// NewReconcileStep builds the step.
func NewReconcileStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	p := deps.Project()
	s := &ReconcileStep{win: w, deps: deps, p: p, readOnly: p.ReadOnly()}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if sh, ok := deps.(interface{ OnClose(func()) }); ok {
		sh.OnClose(s.stop)
	}
	s.verdict = heading("Not reconciled yet", 24)
	s.detail = wrapped("Reconcile after the full load: Ferry counts every record from the old export to the new system and, " +
		"with an export of the new system (or over its API), checks each record field by field.")
	s.chart = newWaterfallChart()
	s.table = widget.NewLabel("")
	s.table.TextStyle = fyne.TextStyle{Monospace: true}
	s.sums = widget.NewLabel("")
	s.sums.TextStyle = fyne.TextStyle{Monospace: true}
	s.audit = newAuditPairs()
	s.notice = wrapped("")
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()

	s.grid = NewDataGrid(&refSource{})
	s.grid.SetEmptyText("Choose what to list above.")
	s.showing = muted("")
	s.show = widget.NewSelect(nil, func(v string) { s.drill(v) })
	s.show.PlaceHolder = "Differences or the records behind a number…"

	s.runBtn = widget.NewButtonWithIcon("Reconcile now", theme.ViewRefreshIcon(), s.ReconcileNow)
	s.runBtn.Importance = widget.HighImportance
	s.from = widget.NewRadioGroup([]string{fromExport}, nil)
	s.from.Horizontal = true
	s.from.Required = true
	s.from.SetSelected(fromExport)
	s.fromNote = wrapped("")
	s.fromNote.Importance = widget.WarningImportance
	s.fromNote.Hide()
	if s.readOnly { // the owner's view: nothing that changes the project
		s.runBtn.Hide()
		s.from.Hide()
	}
	s.redact = widget.NewCheck("Leave out patient names and contact details", nil)
	s.xlsxBtn = widget.NewButtonWithIcon("Export XLSX…", theme.DocumentSaveIcon(), func() { s.ExportDialog(".xlsx") })
	s.pdfBtn = widget.NewButtonWithIcon("Export PDF…", theme.DocumentPrintIcon(), func() { s.ExportDialog(".pdf") })
	s.xlsxBtn.Disable()
	s.pdfBtn.Disable()

	s.traceTbl = widget.NewSelect(nil, nil)
	s.traceTbl.PlaceHolder = "table"
	s.traceKey = widget.NewEntry()
	s.traceKey.SetPlaceHolder("legacy key, e.g. 1045")
	s.traceKey.OnSubmitted = func(string) { s.Trace() }
	traceBtn := widget.NewButtonWithIcon("Trace", theme.SearchIcon(), s.Trace)

	s.progBar = widget.NewProgressBar()
	s.progText = muted("")
	s.cancelBtn = widget.NewButton("Cancel", s.Cancel)
	s.progRoot = container.NewBorder(nil, nil, nil, s.cancelBtn, container.NewVBox(s.progBar, s.progText))
	s.progRoot.Hide()

	actions := container.NewHBox(s.runBtn, s.from)
	exports := container.NewHBox(s.xlsxBtn, s.pdfBtn, s.redact)
	trace := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabelWithStyle("Trace a record", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.traceTbl), traceBtn, s.traceKey)
	top := container.NewVBox(s.verdict, s.detail, s.notice, s.progRoot, actions, s.fromNote, exports, trace, widget.NewSeparator())
	left := container.NewVBox(subhead("Every record accounted for"), s.chart, s.table,
		subhead("Money"), s.sums, subhead("Data quality: audit findings then and now"), s.audit)
	right := container.NewBorder(container.NewVBox(s.show, s.showing), nil, nil, nil, s.grid)
	split := container.NewHSplit(container.NewVScroll(left), right)
	split.Offset = 0.55
	s.load()
	root := container.NewBorder(top, nil, nil, nil, split)
	reconcileOf[root] = s
	return root
}

// reconcileOf finds the step behind its screen (tests).
var reconcileOf = map[fyne.CanvasObject]*ReconcileStep{}

// Result is the reconciliation on screen (tests read it).
func (s *ReconcileStep) Result() *reconcile.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res
}

// load shows the newest saved reconciliation, or works one out from the load's records.
func (s *ReconcileStep) load() {
	goBackground(func() {
		res, err := reconcile.Latest(s.ctx, s.p)
		if errors.Is(err, reconcile.ErrNoReconciliation) {
			res, err = reconcile.Run(s.ctx, s.p, reconcile.Options{})
		}
		aud, _ := report.Audit(s.ctx, s.p)
		d, derr := load.LatestDestination(s.ctx, s.p)
		if s.ctx.Err() != nil {
			return
		}
		uiDo(func() {
			if derr == nil {
				s.setDestination(&d)
			} else {
				s.setDestination(nil)
			}
			if err != nil {
				s.detail.SetText("Could not read the reconciliation: " + err.Error())
				return
			}
			s.audit.set(aud)
			s.apply(res)
		})
	})
}

// setDestination offers the ways to read the new system back that the newest load's
// destination allows: over its API, or (always) from an export of the new system. A files
// destination has no API: then only an export proves the load, and the screen says why.
func (s *ReconcileStep) setDestination(d *load.Destination) {
	s.mu.Lock()
	s.dest = d
	s.mu.Unlock()
	var opts []string
	note := ""
	switch {
	case d == nil:
		opts = []string{fromLog, fromExport}
	case d.Kind == load.KindFiles:
		opts = []string{fromExport}
		note = d.Name + " writes import files, which cannot be read back over an API: only an export of the new system, " +
			"taken after its import and chosen here, proves that every record arrived as sent."
	default:
		opts = []string{fromAPI(*d), fromExport}
	}
	s.from.Options = opts
	s.from.Selected = opts[0]
	s.from.Refresh()
	s.fromNote.SetText(note)
	if note == "" || s.readOnly {
		s.fromNote.Hide()
	} else {
		s.fromNote.Show()
	}
}

// ReconcileNow reconciles from the source chosen: the newest load's destination over its API
// (asking for its secret when the keyring has none), an export of the new system, or, before
// anything was loaded, the load's own records.
func (s *ReconcileStep) ReconcileNow() {
	if s.readOnly || s.running.Load() {
		return
	}
	s.mu.Lock()
	d := s.dest
	s.mu.Unlock()
	switch {
	case s.from.Selected == fromExport:
		s.ReadExportDialog()
	case d != nil && d.Kind != load.KindFiles && s.from.Selected == fromAPI(*d):
		s.secretFor(*d, func(secret string) { s.run(nil, d, secret) })
	default:
		s.Run(nil)
	}
}

// secretFor finds the destination's secret for this session (what the person typed before,
// the keyring, or a password dialog), then calls next on the UI goroutine. A secret typed in
// is kept in memory only: never in the project.
func (s *ReconcileStep) secretFor(d load.Destination, next func(secret string)) {
	if !d.Config.NeedsSecret() {
		next("")
		return
	}
	s.mu.Lock()
	sec := s.secret
	s.mu.Unlock()
	if sec != "" {
		next(sec)
		return
	}
	goBackground(func() {
		sec, err := load.Secret(d, nil) // the keyring only
		uiDo(func() {
			if err == nil && sec != "" {
				next(sec)
				return
			}
			entry := widget.NewPasswordEntry()
			words := authWords[d.Config.Auth.Type]
			if words == "" {
				words = "password"
			}
			form := dialog.NewForm("Sign in to "+d.Name, "Read back", "Cancel",
				[]*widget.FormItem{{Text: "The " + words, Widget: entry, HintText: "For this session only: never saved in the project."}}, func(ok bool) {
					if !ok || entry.Text == "" {
						return
					}
					s.mu.Lock()
					s.secret = entry.Text
					s.mu.Unlock()
					next(entry.Text)
				}, s.win)
			entry.OnSubmitted = func(string) { form.Submit() }
			form.Resize(fyne.NewSize(460, 180))
			form.Show()
			s.win.Canvas().Focus(entry)
		})
	})
}

// Run reconciles in the background (against exports, when given) and saves the result.
func (s *ReconcileStep) Run(exports []reconcile.Export) { s.run(exports, nil, "") }

// readProgress is what the progress line shows, written by the background work.
type readProgress struct {
	mu      sync.Mutex
	phase   string // audit, read or check
	started time.Time
	// audit
	table          string
	tableI, tables int
	// read back over the API: records read per entity, in the order read
	entities []string
	read     map[string]int64
	expect   int64 // records the new system should have (loaded), 0 when unknown
	// check
	done, total int64
}

func (rp *readProgress) setPhase(ph string) {
	rp.mu.Lock()
	rp.phase, rp.started = ph, time.Now()
	rp.mu.Unlock()
}

// text and the bar's value (-1: leave it).
func (rp *readProgress) text(dest string) (string, float64) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	el := time.Since(rp.started)
	switch rp.phase {
	case "audit":
		if rp.tables == 0 {
			return "Auditing the data again…", -1
		}
		return fmt.Sprintf("Auditing the data again (for the chart's \u201cnow\u201d): %s, table %d of %d", rp.table, rp.tableI, rp.tables),
			float64(rp.tableI-1) / float64(rp.tables)
	case "read":
		var sum int64
		var parts []string
		for _, e := range rp.entities {
			sum += rp.read[e]
			parts = append(parts, fmt.Sprintf("%s %s", e, fmtInt(rp.read[e])))
		}
		line := "Reading " + dest + " back over its API: " + plural64(sum, "record", "records") + " read"
		if len(parts) > 0 {
			line += " (" + strings.Join(parts, ", ") + ")"
		}
		if rp.expect > 0 {
			line = strings.Join(append([]string{line}, rateAndTimeLeft(sum, min(sum, rp.expect), rp.expect, el)...), " · ")
			return line, math.Min(1, float64(sum)/float64(rp.expect))
		}
		return line, -1
	case "check":
		line := strings.Join(append([]string{fmt.Sprintf("%s of %s checked", fmtInt(rp.done), plural64(rp.total, "record", "records"))},
			rateAndTimeLeft(rp.done, rp.done, rp.total, el)...), " · ")
		if rp.total > 0 {
			return line, math.Min(1, float64(rp.done)/float64(rp.total))
		}
		return line, -1
	}
	return "Starting…", -1
}

// countingReader passes the new system's records through and counts them per entity.
type countingReader struct {
	r  reconcile.Reader
	rp *readProgress
}

func (c countingReader) Fetch(ctx context.Context, entity string, fn func(newID string, fields map[string]string) error) error {
	c.rp.mu.Lock()
	c.rp.entities = append(c.rp.entities, entity)
	c.rp.mu.Unlock()
	return c.r.Fetch(ctx, entity, func(id string, f map[string]string) error {
		c.rp.mu.Lock()
		c.rp.read[entity]++
		c.rp.mu.Unlock()
		return fn(id, f)
	})
}

// run audits the data again, reads the new system back (from exports, or over the API of
// dest when it is given) and reconciles, all in the background, and saves the result.
func (s *ReconcileStep) run(exports []reconcile.Export, dest *load.Destination, secret string) {
	if s.readOnly || !s.running.CompareAndSwap(false, true) {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel = cancel
	rp := &readProgress{read: map[string]int64{}, started: time.Now()}
	if prev := s.Result(); prev != nil && dest != nil {
		for _, e := range prev.Entities {
			rp.expect += e.Loaded
		}
	}
	destName := ""
	if dest != nil {
		destName = dest.Name
	}
	s.progRoot.Show()
	s.progBar.SetValue(0)
	s.cancelBtn.Enable()
	s.runBtn.Disable()
	s.from.Disable()
	s.notice.Hide()
	s.progText.SetText("Starting…")
	finished := make(chan struct{})
	ticker := time.NewTicker(progressEvery)
	goBackground(func() {
		defer ticker.Stop()
		for {
			select {
			case <-finished:
				return
			case <-ticker.C:
				line, v := rp.text(destName)
				uiDo(func() {
					if v >= 0 {
						s.progBar.SetValue(v)
					}
					s.progText.SetText(line)
				})
			}
		}
	})
	goBackground(func() {
		var warn string
		var readErr bool
		// The audit again, as ferry reconcile does by default: the before-and-after chart's "now".
		rp.setPhase("audit")
		_, err := audit.Run(ctx, s.p, audit.Options{}, func(pr audit.Progress) {
			rp.mu.Lock()
			rp.table, rp.tableI, rp.tables = pr.Table, pr.TableIndex, pr.Tables
			rp.mu.Unlock()
		})
		if err != nil && ctx.Err() == nil {
			warn = "The audit could not run again (" + err.Error() + "); the chart\u2019s \u201cnow\u201d is the previous audit."
			err = nil
		}
		opts := reconcile.Options{Exports: exports, Progress: func(pr reconcile.Progress) {
			rp.mu.Lock()
			if rp.phase != "check" {
				rp.phase, rp.started = "check", time.Now()
			}
			rp.done, rp.total = pr.Done, pr.Total
			rp.mu.Unlock()
		}}
		if err == nil && dest != nil && len(exports) == 0 {
			var cl *load.Client
			cl, err = load.OpenClient(ctx, s.p, dest.Name, func(load.Destination) (string, error) {
				if secret == "" {
					return "", load.ErrNoSecret
				}
				return secret, nil
			})
			if err == nil {
				opts.Reader, opts.Destination = countingReader{r: cl, rp: rp}, dest.ID
				rp.setPhase("read")
			} else {
				readErr = true
				err = fmt.Errorf("reading %s back over its API: %w", dest.Name, err)
			}
		}
		var res *reconcile.Result
		if err == nil {
			res, err = reconcile.Run(ctx, s.p, opts)
			if err != nil && opts.Reader != nil {
				readErr = true
			}
		}
		if err == nil {
			if serr := reconcile.Save(ctx, s.p, res); serr != nil && !errors.Is(serr, reconcile.ErrNoSchema) {
				err = serr
			}
		}
		aud, _ := report.Audit(s.ctx, s.p)
		close(finished)
		s.running.Store(false)
		uiDo(func() {
			s.progRoot.Hide()
			s.runBtn.Enable()
			s.from.Enable()
			switch {
			case err != nil && ctx.Err() != nil:
				s.showNotice("Reconciliation cancelled; nothing was saved.", true)
			case err != nil:
				if readErr { // a wrong token is asked for again next time
					s.mu.Lock()
					s.secret = ""
					s.mu.Unlock()
					if errors.Is(err, load.ErrCannotReadBack) {
						err = fmt.Errorf("%w: only an export of the new system can prove the load; choose %q", err, fromExport)
					}
				}
				s.deps.ShowError(fmt.Errorf("the reconciliation could not finish: %w", err))
			default:
				s.audit.set(aud)
				s.apply(res)
				if warn != "" {
					s.showNotice(warn, true)
				}
				s.deps.Refresh()
			}
		})
	})
}

// Cancel stops the reconciliation under way.
func (s *ReconcileStep) Cancel() {
	if s.cancel != nil {
		s.cancel()
	}
	s.cancelBtn.Disable()
	s.progText.SetText("Stopping…")
}

// ReadExportDialog asks for the new system's export files (one per kind of record) and
// reconciles against them.
func (s *ReconcileStep) ReadExportDialog() {
	read := s.deps.Services().ReadTable
	if read == nil {
		s.deps.ShowError(fmt.Errorf("reading exports is not available in this build"))
		return
	}
	s.deps.Files().OpenMany("The new system's export (one file per kind of record, e.g. Patient.csv)",
		[]Filter{{Name: "Exports", Exts: []string{".csv", ".xlsx", ".txt", ".tsv", ".json"}}}, func(paths []string, err error) {
			if err != nil || len(paths) == 0 {
				s.deps.ShowError(err)
				return
			}
			goBackground(func() {
				var exs []reconcile.Export
				for _, path := range paths {
					mt, err := read(s.ctx, path)
					if err == nil {
						var sum string
						sum, err = fsutil.SHA256(s.ctx, path)
						exs = append(exs, reconcile.Export{Name: filepath.Base(path), SHA256: sum, Table: mt})
					}
					if err != nil {
						uiDo(func() { s.deps.ShowError(err) })
						return
					}
				}
				uiDo(func() { s.Run(exs) })
			})
		})
}

// ExportDialog asks where to save the report (.xlsx or .pdf) and writes it.
func (s *ReconcileStep) ExportDialog(ext string) {
	res := s.Result()
	if res == nil {
		return
	}
	what := map[string]string{".xlsx": "Excel workbooks", ".pdf": "PDF documents"}[ext]
	suggested := filepath.Join(filepath.Dir(s.p.Path), s.p.Name()+" report"+ext)
	s.deps.Files().Save("Export the report", suggested, []Filter{{Name: what, Exts: []string{ext}}}, func(path string, err error) {
		if err != nil || path == "" {
			s.deps.ShowError(err)
			return
		}
		if !strings.HasSuffix(strings.ToLower(path), ext) {
			path += ext
		}
		s.Export(path)
	})
}

// Export writes the report to path in the background.
func (s *ReconcileStep) Export(path string) {
	res := s.Result()
	redact := s.redact.Checked
	goBackground(func() {
		sum, logged, err := report.Export(s.ctx, s.p, res, path, report.Options{Redact: redact})
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			msg := fmt.Sprintf("Saved %s (in %s). SHA-256 %s…", filepath.Base(path), filepath.Dir(path), sum[:16])
			if logged {
				msg += " Recorded in the custody log."
			} else {
				msg += " (View only: not recorded in the custody log.)"
			}
			s.showNotice(msg, false)
		})
	})
}

func (s *ReconcileStep) showNotice(msg string, warn bool) {
	s.notice.SetText(msg)
	s.notice.Importance = widget.SuccessImportance
	if warn {
		s.notice.Importance = widget.WarningImportance
	}
	s.notice.Refresh()
	s.notice.Show()
}

// Trace shows one legacy record's story.
func (s *ReconcileStep) Trace() {
	table, key := s.traceTbl.Selected, strings.TrimSpace(s.traceKey.Text)
	if table == "" || key == "" {
		s.deps.ShowError(fmt.Errorf("choose the table and type the record's legacy key to trace it"))
		return
	}
	goBackground(func() {
		tr, err := reconcile.TraceRecord(s.ctx, s.p, table, key)
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			txt := widget.NewLabel(tr.Text())
			txt.TextStyle = fyne.TextStyle{Monospace: true}
			sc := container.NewScroll(txt)
			sc.SetMinSize(fyne.NewSize(760, 520))
			dialog.ShowCustom("Trace of "+table+" "+key, "Close", sc, s.win)
		})
	})
}

// apply puts a result on screen.
func (s *ReconcileStep) apply(res *reconcile.Result) {
	s.mu.Lock()
	s.res = res
	s.mu.Unlock()
	s.verdict.text.Text = res.Verdict
	s.verdict.color = theme.ColorNameError
	if res.Differences == 0 && res.Source != reconcile.SourceLog {
		s.verdict.color = theme.ColorNameSuccess
	}
	s.verdict.Refresh()
	src := map[string]string{reconcile.SourceExport: "checked against the new system's export",
		reconcile.SourceAPI: "checked against the new system over its API",
		reconcile.SourceLog: "from the load's own records: read an export of the new system back to prove it"}[res.Source]
	when := res.At
	if t, err := time.Parse(time.RFC3339, res.At); err == nil {
		when = t.Local().Format("2 Jan 2006 15:04")
	}
	s.detail.SetText(fmt.Sprintf("%s legacy records, %s found exactly as sent; %s, %s.", fmtInt(res.Records), fmtInt(res.Reconciled), src, when))
	s.chart.set(res.Entities)
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %8s %7s %7s %8s %8s %8s %8s\n", "", "imported", "purged", "merged", "invalid", "loaded", "refused", "missing")
	tables := map[string]bool{}
	var tlist []string
	for _, e := range res.Entities {
		fmt.Fprintf(&b, "%-22s %8s %7s %7s %8s %8s %8s %8s\n", e.Entity, fmtInt(e.Imported), fmtInt(e.PurgedN), fmtInt(e.Merged),
			fmtInt(e.Invalid), fmtInt(e.Loaded), fmtInt(e.Rejected+e.Failed), fmtInt(e.Missing))
		if !tables[e.Table] {
			tables[e.Table] = true
			tlist = append(tlist, e.Table)
		}
	}
	s.table.SetText(strings.TrimRight(b.String(), "\n"))
	b.Reset()
	for _, m := range res.Sums {
		status := "not read back"
		if m.New != "" {
			status = map[bool]string{true: "equal", false: "DIFFERS by " + m.Diff}[m.Equal]
		}
		fmt.Fprintf(&b, "%-36s old %12s  new %12s  %s\n", m.Entity+"."+m.Field, m.Legacy, dash(m.New), status)
		for i, a := range m.Accounts {
			if i == 5 {
				fmt.Fprintf(&b, "    … %d more accounts (in the report)\n", len(m.Accounts)-i)
				break
			}
			fmt.Fprintf(&b, "    %s %s: old %s, new %s\n", m.By, a.Account, a.Legacy, a.New)
		}
	}
	if b.Len() == 0 {
		b.WriteString("No money fields in the target.")
	}
	s.sums.SetText(strings.TrimRight(b.String(), "\n"))
	s.traceTbl.SetOptions(tlist)
	if len(tlist) > 0 && s.traceTbl.Selected == "" {
		s.traceTbl.SetSelected(tlist[0])
	}
	opts := []string{"Differences"}
	for _, e := range res.Entities {
		for _, st := range []string{reconcile.StagePurged, reconcile.StageMerged, reconcile.StageInvalid, reconcile.StageLoaded, reconcile.StageRejected, reconcile.StageFailed, reconcile.StageMissing} {
			opts = append(opts, e.Entity+": "+st)
		}
	}
	s.show.SetOptions(opts)
	s.xlsxBtn.Enable()
	s.pdfBtn.Enable()
	s.show.SetSelected("Differences")
}

// drill lists the differences, or the records behind one number of the waterfall.
func (s *ReconcileStep) drill(choice string) {
	res := s.Result()
	if res == nil || choice == "" {
		return
	}
	if choice == "Differences" {
		if len(res.Diffs) == 0 {
			s.grid.SetEmptyText("No differences: every record was found exactly as it was sent.")
			s.grid.SetSource(nil)
			s.showing.SetText("0 records with a difference")
			return
		}
		s.grid.SetEmptyText("Choose what to list above.")
		var rows []GridRow
		for i, d := range res.Diffs {
			rows = append(rows, GridRow{ID: int64(i + 1), Cells: []string{d.Entity, d.Key, d.NewID, d.Kind, d.Field, d.Sent, d.Found, d.Detail}, Flagged: true})
		}
		s.grid.SetSource(&refSource{cols: []string{"Entity", "Legacy key", "New id", "Kind", "Field", "Sent", "Found", "Detail"}, rows: rows})
		s.showing.SetText(plural64(int64(res.Differences), "record with a difference", "records with a difference"))
		return
	}
	entity, stage, _ := strings.Cut(choice, ": ")
	s.showing.SetText("Listing " + choice + "…")
	goBackground(func() {
		refs, err := reconcile.Records(s.ctx, s.p, entity, stage)
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			var rows []GridRow
			for _, r := range refs {
				rows = append(rows, GridRow{ID: r.Row, Line: r.Line, Cells: []string{r.Key, r.Status, r.NewID, r.Detail}})
			}
			s.grid.SetSource(&refSource{cols: []string{"Legacy key", "Status", "New id", "Detail"}, rows: rows})
			s.showing.SetText(fmt.Sprintf("%s: %s (trace one with the search box)", choice, plural64(int64(len(refs)), "record", "records")))
		})
	})
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// refSource is a GridSource of rows in memory.
type refSource struct {
	cols []string
	rows []GridRow
}

func (r *refSource) Columns() []string { return r.cols }
func (r *refSource) RowCount() int64   { return int64(len(r.rows)) }
func (r *refSource) Page(_ context.Context, offset, limit int64) ([]GridRow, error) {
	if offset >= int64(len(r.rows)) {
		return nil, nil
	}
	return r.rows[offset:min(int64(len(r.rows)), offset+limit)], nil
}

// waterfallChart draws one stacked bar per entity: loaded, not loaded, purged, merged, as
// shares of the rows imported.
type waterfallChart struct {
	widget.BaseWidget
	ents []reconcile.EntityResult
}

func newWaterfallChart() *waterfallChart {
	c := &waterfallChart{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *waterfallChart) set(e []reconcile.EntityResult) { c.ents = e; c.Refresh() }

var (
	colLoaded    = color.NRGBA{R: 25, G: 135, B: 84, A: 255}
	colNotLoaded = color.NRGBA{R: 196, G: 43, B: 28, A: 255}
	colPurged    = color.NRGBA{R: 255, G: 193, B: 7, A: 255}
	colMerged    = color.NRGBA{R: 173, G: 181, B: 189, A: 255}
	colThen      = color.NRGBA{R: 173, G: 181, B: 189, A: 255}
	colNow       = color.NRGBA{R: 13, G: 110, B: 253, A: 255}
)

// CreateRenderer implements fyne.Widget.
func (c *waterfallChart) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(c, func() fyne.Size { return fyne.NewSize(360, float32(len(c.ents))*22+26) }, func(size fyne.Size) []fyne.CanvasObject {
		var objs []fyne.CanvasObject
		ink := theme.Color(theme.ColorNameForeground)
		ts := theme.CaptionTextSize()
		labelW := float32(150)
		barW := size.Width - labelW - 70
		if barW < 40 {
			return nil
		}
		for i, e := range c.ents {
			y := float32(i) * 22
			t := chartText(fitText(e.Entity, labelW-6, ts), ink, ts)
			t.Move(fyne.NewPos(0, y+2))
			objs = append(objs, t)
			if e.Imported == 0 {
				continue
			}
			scale := barW / float32(e.Imported)
			bars, x := hStackedBar(labelW, y+3, 14, scale, []barSegment{{e.Loaded, colLoaded},
				{e.Invalid + e.Rejected + e.Failed + e.Missing, colNotLoaded}, {e.PurgedN, colPurged}, {e.Merged, colMerged}})
			objs = append(objs, bars...)
			n := chartText(fmtInt(e.Imported), ink, ts)
			n.Move(fyne.NewPos(x+6, y+2))
			objs = append(objs, n)
		}
		leg, _ := chartLegend(labelW, float32(len(c.ents))*22+4, []legendItem{{colLoaded, "loaded"}, {colNotLoaded, "not loaded"}, {colPurged, "purged"}, {colMerged, "merged"}})
		return append(objs, leg...)
	})
}

// auditPairs draws the audit's findings by kind at the first audit and at the newest.
type auditPairs struct {
	widget.BaseWidget
	a report.AuditCompare
}

func newAuditPairs() *auditPairs {
	c := &auditPairs{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *auditPairs) set(a report.AuditCompare) { c.a = a; c.Refresh() }

// CreateRenderer implements fyne.Widget.
func (c *auditPairs) CreateRenderer() fyne.WidgetRenderer {
	return newDrawnRenderer(c, func() fyne.Size { return fyne.NewSize(360, float32(len(c.a.Kinds))*20+26) }, func(size fyne.Size) []fyne.CanvasObject {
		var objs []fyne.CanvasObject
		ink := theme.Color(theme.ColorNameForeground)
		ts := theme.CaptionTextSize()
		if len(c.a.Kinds) == 0 {
			t := chartText("No audit has been run.", ink, ts)
			return []fyne.CanvasObject{t}
		}
		var top int64 = 1
		for _, k := range c.a.Kinds {
			top = max(top, c.a.Then[k], c.a.Now[k])
		}
		labelW := float32(150)
		barW := size.Width - labelW - 110
		if barW < 40 {
			return nil
		}
		for i, k := range c.a.Kinds {
			y := float32(i) * 20
			t := chartText(fitText(strings.ReplaceAll(k, "_", " "), labelW-6, ts), ink, ts)
			t.Move(fyne.NewPos(0, y+1))
			objs = append(objs, t)
			scale := barW / float32(top)
			b1, _ := hStackedBar(labelW, y+2, 7, scale, []barSegment{{c.a.Then[k], colThen}})
			b2, _ := hStackedBar(labelW, y+10, 7, scale, []barSegment{{c.a.Now[k], colNow}})
			objs = append(objs, b1...)
			objs = append(objs, b2...)
			n := chartText(fmt.Sprintf("%s → %s", fmtInt(c.a.Then[k]), fmtInt(c.a.Now[k])), ink, ts)
			n.Move(fyne.NewPos(labelW+barW+6, y+1))
			objs = append(objs, n)
		}
		leg, _ := chartLegend(labelW, float32(len(c.a.Kinds))*20+4, []legendItem{{colThen, "first audit"}, {colNow, "newest audit"}})
		return append(objs, leg...)
	})
}
