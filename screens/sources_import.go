package screens

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/staging"
)

// progressEvery is how often the import panel is redrawn, whatever the importer reports.
const progressEvery = 100 * time.Millisecond

// importTask is one file to import with the options chosen for it.
type importTask struct {
	req staging.ImportRequest
}

// importJob imports files one after the other on a background goroutine. Files added while it
// runs join its queue. Progress is kept in atomics the importer writes as often as it likes and
// the panel reads every progressEvery.
type importJob struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	queue   []importTask
	current string // file being read
	index   int    // 1-based number of the file being read
	total   int    // files in this job so far
	started time.Time

	bytes, size, rows atomic.Int64
	cancelled         atomic.Bool
}

func (j *importJob) next() (importTask, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.queue) == 0 {
		return importTask{}, false
	}
	t := j.queue[0]
	j.queue = j.queue[1:]
	j.index++
	j.current = filepath.Base(t.req.Path)
	j.started = time.Now()
	j.bytes.Store(0)
	j.size.Store(0)
	j.rows.Store(0)
	return t, true
}

// importOutcome is what happened to one file.
type importOutcome struct {
	file   string
	result staging.ImportResult
	err    error
}

// Import imports files (in the background, one after the other); req carries overrides chosen
// for them (zero values: detect). Files added while an import runs wait their turn.
func (s *SourcesStep) Import(paths []string, req staging.ImportRequest) {
	if len(paths) == 0 {
		return
	}
	if s.readOnly {
		return
	}
	if s.imp == nil {
		s.deps.ShowError(errors.New("importing files is not available in this build of Ferry"))
		return
	}
	var tasks []importTask
	for _, p := range paths {
		r := req
		r.Path = p
		tasks = append(tasks, importTask{req: r})
	}
	s.jobMu.Lock()
	if j := s.job; j != nil {
		j.mu.Lock()
		j.queue = append(j.queue, tasks...)
		j.total += len(tasks)
		j.mu.Unlock()
		s.jobMu.Unlock()
		return
	}
	j := &importJob{queue: tasks, total: len(tasks), done: make(chan struct{})}
	j.ctx, j.cancel = context.WithCancel(s.ctx)
	s.job = j
	s.jobMu.Unlock()

	s.notice.root.Hide()
	s.setImporting(true)
	s.progress.cancelB.OnTapped = s.CancelImport
	s.progress.start(j)
	ticker := time.NewTicker(progressEvery)
	goBackground(func() {
		defer ticker.Stop()
		for {
			select {
			case <-j.done:
				return
			case <-ticker.C:
				uiDo(func() { s.progress.update(j) })
			}
		}
	})
	goBackground(func() { s.runJob(j) })
}

func (s *SourcesStep) runJob(j *importJob) {
	var outcomes []importOutcome
	for {
		t, ok := j.next()
		if !ok || j.ctx.Err() != nil {
			break
		}
		res, err := s.imp.ImportFile(j.ctx, s.deps.Project(), t.req, func(read, total, rows int64) {
			j.bytes.Store(read)
			j.size.Store(total)
			j.rows.Store(rows)
		})
		outcomes = append(outcomes, importOutcome{file: filepath.Base(t.req.Path), result: res, err: err})
		if j.ctx.Err() != nil {
			break
		}
	}
	s.jobMu.Lock()
	s.job = nil
	s.jobMu.Unlock()
	close(j.done)
	uiDo(func() { s.finished(j, outcomes) })
}

// CancelImport stops the import under way; the file being read leaves nothing behind.
func (s *SourcesStep) CancelImport() {
	s.jobMu.Lock()
	j := s.job
	s.jobMu.Unlock()
	if j != nil {
		j.cancelled.Store(true)
		j.cancel()
		s.progress.cancelling()
	}
}

// Importing says whether an import is under way.
func (s *SourcesStep) Importing() bool {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	return s.job != nil
}

func (s *SourcesStep) setImporting(on bool) {
	for _, b := range []*widget.Button{s.reimport, s.rename, s.remove, s.keyUse} {
		if on || s.readOnly {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on || s.readOnly {
		s.keySelect.Disable()
	} else {
		s.keySelect.Enable()
	}
	s.relations.setImporting(on)
}

// finished tells the person what the import did, once: a summary line, and the errors in one
// dialog.
func (s *SourcesStep) finished(j *importJob, outcomes []importOutcome) {
	s.progress.stop()
	s.setImporting(false)
	if s.ctx.Err() != nil {
		return
	}
	var lines []string
	var errs []error
	var first string
	cancelled := false
	for _, o := range outcomes {
		switch {
		case o.err != nil && (errors.Is(o.err, context.Canceled) || j.cancelled.Load()):
			cancelled = true
		case o.err != nil:
			errs = append(errs, o.err)
		default:
			for _, t := range o.result.Tables {
				if first == "" {
					first = t.Name
				}
				lines = append(lines, importSummary(o.file, t))
			}
		}
	}
	warn := false
	var text string
	switch {
	case cancelled && len(lines) == 0:
		text = "Import cancelled; nothing was changed."
		warn = true
	case cancelled:
		text = "Import cancelled; nothing from the file being read was staged. Imported before that: " + strings.Join(lines, " ")
		warn = true
	case len(lines) > 0:
		text = strings.Join(lines, " ")
	}
	if text != "" {
		s.notice.show(text, warn)
	}
	switch len(errs) {
	case 0:
	case 1:
		s.deps.ShowError(errs[0])
	default:
		s.deps.ShowError(fmt.Errorf("%d of %d files could not be imported:\n\n%w", len(errs), len(outcomes), errors.Join(errs...)))
	}
	if len(lines) > 0 {
		s.deps.Refresh()
		s.reload(first)
		s.suggest()
	}
}

// importSummary is one sentence about a staged table.
func importSummary(file string, t staging.TableResult) string {
	msg := fmt.Sprintf("%s → %s: %s", file, t.Name, plural64(t.Rows, "row", "rows"))
	if t.Replaced {
		msg += " (replacing the earlier import)"
	}
	if t.FlaggedRows > 0 {
		msg += fmt.Sprintf(", %s flagged", plural64(t.FlaggedRows, "row", "rows"))
	}
	return msg + "."
}

// importPanel shows a running import: which file, a progress bar, rows, rows a second, time left,
// and Cancel.
type importPanel struct {
	root    *fyne.Container
	title   *widget.Label
	bar     *widget.ProgressBar
	busy    *widget.ProgressBarInfinite
	detail  *widget.Label
	cancelB *widget.Button
}

func newImportPanel() *importPanel {
	p := &importPanel{title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar: widget.NewProgressBar(), busy: widget.NewProgressBarInfinite(), detail: widget.NewLabel("")}
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.detail.SizeName = theme.SizeNameCaptionText
	p.busy.Stop()
	p.busy.Hide()
	p.cancelB = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil)
	p.root = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(p.cancelB), container.NewVBox(p.title, container.NewStack(p.bar, p.busy), p.detail)),
		widget.NewSeparator())
	p.root.Hide()
	return p
}

func (p *importPanel) start(j *importJob) {
	p.cancelB.Enable()
	p.cancelB.SetText("Cancel")
	p.bar.SetValue(0)
	p.update(j)
	p.root.Show()
}

func (p *importPanel) cancelling() {
	p.cancelB.Disable()
	p.cancelB.SetText("Cancelling…")
	p.detail.SetText("Stopping; nothing from this file will be kept.")
}

func (p *importPanel) stop() {
	p.busy.Stop()
	p.root.Hide()
}

// update redraws the panel from the job's counters.
func (p *importPanel) update(j *importJob) {
	j.mu.Lock()
	file, index, total, started := j.current, j.index, j.total, j.started
	j.mu.Unlock()
	read, size, rows := j.bytes.Load(), j.size.Load(), j.rows.Load()
	title := "Importing " + file
	if file == "" {
		title = "Starting the import…"
	}
	if total > 1 {
		title += fmt.Sprintf(" (file %d of %d)", index, total)
	}
	p.title.SetText(title)
	if j.cancelled.Load() {
		return
	}
	if size <= 0 {
		// Nothing reported yet: the file is being checked (its fingerprint is taken first).
		if p.bar.Visible() {
			p.bar.Hide()
			p.busy.Show()
			p.busy.Start()
		}
		p.detail.SetText("Reading the file…")
		return
	}
	if !p.bar.Visible() {
		p.busy.Stop()
		p.busy.Hide()
		p.bar.Show()
	}
	p.bar.SetValue(math.Min(1, float64(read)/float64(size)))
	p.detail.SetText(progressText(read, size, rows, time.Since(started)))
}

// progressText is "12,345 rows so far · 4,100 rows a second · about 20 seconds left".
func progressText(read, size, rows int64, elapsed time.Duration) string {
	return strings.Join(append([]string{plural64(rows, "row", "rows") + " so far"},
		rateAndTimeLeft(rows, read, size, elapsed)...), " · ")
}

// rateAndTimeLeft is the part every long job's progress line shares: "4,100 rows a second" once
// half a second has passed, then the time left from the share of work done (done of total, in
// whatever unit the job measures: bytes read, rows profiled).
func rateAndTimeLeft(rows, done, total int64, elapsed time.Duration) []string {
	var parts []string
	secs := elapsed.Seconds()
	if secs >= 0.5 && rows > 0 {
		parts = append(parts, fmtInt(int64(float64(rows)/secs))+" rows a second")
	}
	switch {
	case done >= total:
		parts = append(parts, "finishing…")
	case secs >= 1 && done > 0:
		left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		parts = append(parts, "about "+roughDuration(left)+" left")
	default:
		parts = append(parts, "working out the time left…")
	}
	return parts
}

// roughDuration says a time left the way a person would.
func roughDuration(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return "a few seconds"
	case d < time.Minute:
		return strconv.Itoa(int((d+4*time.Second)/(5*time.Second))*5) + " seconds"
	case d < 90*time.Second:
		return "a minute"
	case d < time.Hour:
		return strconv.Itoa(int((d+30*time.Second)/time.Minute)) + " minutes"
	default:
		h := d.Hours()
		return strconv.FormatFloat(math.Round(h*10)/10, 'f', -1, 64) + " hours"
	}
}

// Choices of the re-import dialog: what a person reads, and what the importer is told.
var (
	encodingChoices = []struct{ label, value string }{
		{"Detect automatically", ""},
		{"UTF-8", "utf-8"},
		{"UTF-16 (Windows \"Unicode\")", "utf-16le"},
		{"UTF-16 big-endian", "utf-16be"},
		{"Windows-1252 (Western European)", "windows-1252"},
		{"Latin-1 (ISO-8859-1)", "latin-1"},
		{"Central European (Windows-1250)", "windows-1250"},
		{"Cyrillic (Windows-1251)", "windows-1251"},
		{"Greek (Windows-1253)", "windows-1253"},
		{"Turkish (Windows-1254)", "windows-1254"},
		{"Chinese, traditional (Big5)", "big5"},
		{"Chinese, simplified (GBK)", "gbk"},
		{"Japanese (Shift JIS)", "shift_jis"},
		{"Korean (EUC-KR)", "euc-kr"},
	}
	delimiterChoices = []struct{ label, value string }{
		{"Detect automatically", ""},
		{"Comma  ,", ","},
		{"Semicolon  ;", ";"},
		{"Tab", "\t"},
		{"Pipe  |", "|"},
		{"Colon  :", ":"},
		{"Space", " "},
	}
	headerChoices = []struct{ label, value string }{
		{"Detect automatically", ""},
		{"The first row holds the column names", "yes"},
		{"There is no header row: all rows are data", "no"},
	}
)

func labels(ch []struct{ label, value string }) []string {
	out := make([]string, len(ch))
	for i, c := range ch {
		out[i] = c.label
	}
	return out
}

func valueOf(ch []struct{ label, value string }, label string) string {
	for _, c := range ch {
		if c.label == label {
			return c.value
		}
	}
	return ""
}

// reimportForm holds the fields of the re-import dialog.
type reimportForm struct {
	path      string
	file      *widget.Label
	encoding  *widget.Select
	delimiter *widget.Select
	header    *widget.Select
	skip      *widget.Entry
	sheet     *widget.Entry
}

// request is the ImportRequest the form describes, for the staged table t.
func (f *reimportForm) request(t staging.TableInfo) (staging.ImportRequest, error) {
	req := staging.ImportRequest{Path: f.path, Table: t.Name,
		Encoding: valueOf(encodingChoices, f.encoding.Selected), Delimiter: valueOf(delimiterChoices, f.delimiter.Selected),
		Header: valueOf(headerChoices, f.header.Selected)}
	if v := strings.TrimSpace(f.skip.Text); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return req, fmt.Errorf("write the number of lines to skip above the header, e.g. 0 or 3, or leave it empty to detect them")
		}
		req.SkipLines = n
		if n == 0 {
			req.SkipLines = -1
		}
	}
	switch t.Source.Format {
	case "xlsx":
		req.Sheet = strings.TrimSpace(f.sheet.Text)
	case "sqlite":
		req.Tables = []string{t.SourceName}
	}
	return req, nil
}

// reimportDialog lets a person read a table's file again with other settings. The engine replaces
// the old table in one step, keeping its relationships where the columns still exist.
func (s *SourcesStep) reimportDialog(t staging.TableInfo) {
	f := s.newReimportForm(t)
	csv := t.Source.Format == "csv" || t.Source.Format == ""
	items := []*widget.FormItem{}
	choose := widget.NewButtonWithIcon("Choose another file…", theme.FolderOpenIcon(), func() {
		s.deps.Files().Open("Choose the file to import again", sourceFilters, func(p string, err error) {
			if err == nil && p != "" {
				f.path = p
				f.file.SetText(p)
			}
		})
	})
	items = append(items, widget.NewFormItem("File", container.NewBorder(nil, nil, nil, choose, f.file)))
	if csv || t.Source.Format == "dbf" || t.Source.Format == "json" || t.Source.Format == "ndjson" {
		it := widget.NewFormItem("Encoding", f.encoding)
		it.HintText = "How the file's letters are stored. Choose another if names show odd characters such as Ã© or �."
		items = append(items, it)
	}
	if csv {
		it := widget.NewFormItem("Delimiter", f.delimiter)
		it.HintText = "What separates the values. Choose another if all values land in one column."
		items = append(items, it, widget.NewFormItem("Header row", f.header))
		it = widget.NewFormItem("Lines to skip", f.skip)
		it.HintText = "Title or date lines above the header. Empty: detect them."
		items = append(items, it)
	}
	if t.Source.Format == "xlsx" {
		it := widget.NewFormItem("Sheet", f.sheet)
		it.HintText = "The workbook sheet this table comes from."
		items = append(items, it)
	}
	now := widget.NewLabel("Read now as: " + formatLabel(t.Source))
	now.SizeName = theme.SizeNameCaptionText
	now.Wrapping = fyne.TextWrapWord
	items = append(items, widget.NewFormItem("", now))
	d := dialog.NewForm("Import "+t.Name+" again", "Import again", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		req, err := f.request(t)
		if err != nil {
			s.deps.ShowError(err)
			return
		}
		if _, err := os.Stat(req.Path); err != nil {
			s.deps.ShowError(fmt.Errorf("%s is not there any more; use Choose another file… to find it: %w", req.Path, err))
			return
		}
		s.Reimport(t, req)
	}, s.win)
	d.Resize(fyne.NewSize(640, 1)) // as tall as its fields
	d.Show()
}

func (s *SourcesStep) newReimportForm(t staging.TableInfo) *reimportForm {
	f := &reimportForm{path: t.Source.Path, file: widget.NewLabel(t.Source.Path)}
	f.file.Truncation = fyne.TextTruncateEllipsis
	f.encoding = widget.NewSelect(labels(encodingChoices), nil)
	f.encoding.SetSelected(encodingChoices[0].label)
	f.delimiter = widget.NewSelect(labels(delimiterChoices), nil)
	f.delimiter.SetSelected(delimiterChoices[0].label)
	f.header = widget.NewSelect(labels(headerChoices), nil)
	f.header.SetSelected(headerChoices[0].label)
	f.skip = widget.NewEntry()
	f.skip.SetPlaceHolder("detect")
	f.sheet = widget.NewEntry()
	f.sheet.SetText(t.Source.Sheet)
	return f
}

// Reimport reads a staged table's file again with the given request; the table is replaced.
func (s *SourcesStep) Reimport(t staging.TableInfo, req staging.ImportRequest) {
	if req.Table == "" {
		req.Table = t.Name
	}
	s.Import([]string{req.Path}, req)
}
