package screens

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// sourceFilters are the kinds of export the Add files dialog offers first.
var sourceFilters = []Filter{
	{Name: "Exports (CSV, Excel, JSON, SQLite, dBase)", Exts: []string{".csv", ".tsv", ".txt", ".xlsx", ".json", ".ndjson",
		".jsonl", ".sqlite", ".sqlite3", ".db", ".dbf"}},
}

// SourcesStep is the Sources screen: the staged tables on the left; on the right the chosen
// table's rows in a data grid, what the import had to report, its key column and its
// relationships to other tables. Files come in through Add files… or by dropping them on the
// window; imports run in the background with rows/s, time left and Cancel.
type SourcesStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	st       *staging.Stager
	imp      staging.FileImporter
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	tables   []staging.TableInfo
	rels     []staging.Relationship
	selected string // name of the table on the right
	shown    staging.TableInfo
	loaded   bool // the first listing has arrived

	root     *fyne.Container // empty state or split
	empty    fyne.CanvasObject
	split    *container.Split
	list     *widget.List
	addBtn   *widget.Button
	notice   *notice
	progress *importPanel

	title      *widget.Label
	sourceLine *widget.Label
	flagLine   *widget.Label
	reimport   *widget.Button
	rename     *widget.Button
	remove     *widget.Button
	keySelect  *widget.Select
	keyBusy    bool // the key select is being set from the project, not by a person
	keyHelp    *widget.Label
	keySuggest *fyne.Container // "Ferry suggests Id …" [Use it]
	keyHint    *widget.Label
	keyUse     *widget.Button
	grid       *DataGrid
	onlyFlag   *widget.Check
	tabs       *container.AppTabs
	rowsTab    *container.TabItem
	issuesTab  *container.TabItem
	relTab     *container.TabItem
	issues     *issuesView
	relations  *relationsView
	detailBody fyne.CanvasObject

	jobMu sync.Mutex
	job   *importJob
}

// NewSourcesStep builds the Sources screen.
func NewSourcesStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	s := &SourcesStep{win: w, deps: deps, st: staging.NewStager(deps.Project()), imp: deps.Services().Importer,
		readOnly: deps.Project().ReadOnly()}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(s.Close)
	}
	s.ExtendBaseWidget(s)
	s.build()
	s.reload("")
	return s
}

// CreateRenderer implements fyne.Widget.
func (s *SourcesStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(s.root) }

// Close stops background work: a running import is cancelled (and so leaves nothing behind) and
// waited for, so that the project can be closed after it.
func (s *SourcesStep) Close() {
	s.jobMu.Lock()
	job := s.job
	s.jobMu.Unlock()
	if job != nil {
		job.cancel()
		select {
		case <-job.done:
		case <-time.After(15 * time.Second):
		}
	}
	s.stop()
	s.grid.Close()
}

func (s *SourcesStep) build() {
	s.addBtn = widget.NewButtonWithIcon("Add files…", theme.ContentAddIcon(), s.AddFiles)
	s.addBtn.Importance = widget.HighImportance
	if s.readOnly {
		s.addBtn.Disable()
	}
	s.notice = newNotice()
	s.progress = newImportPanel()

	// Left: the staged tables.
	s.list = widget.NewList(
		func() int { return len(s.tables) },
		func() fyne.CanvasObject {
			icon := widget.NewIcon(theme.GridIcon())
			name := widget.NewLabelWithStyle("table name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			rows := widget.NewLabel("1,000 rows · file.csv")
			rows.SizeName = theme.SizeNameCaptionText
			rows.Truncation = fyne.TextTruncateEllipsis
			format := widget.NewLabel("CSV · UTF-8")
			format.SizeName = theme.SizeNameCaptionText
			format.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, container.NewCenter(icon), nil, container.New(&tightVBox{}, name, rows, format))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(s.tables) {
				return
			}
			t := s.tables[i]
			b := o.(*fyne.Container)
			texts := b.Objects[0].(*fyne.Container)
			icon := b.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
			texts.Objects[0].(*widget.Label).SetText(t.Name)
			texts.Objects[1].(*widget.Label).SetText(plural64(t.Rows, "row", "rows") + " · " + sourceFileLabel(t.Source))
			f := texts.Objects[2].(*widget.Label)
			format := formatLabel(t.Source)
			if t.FlaggedRows > 0 {
				format += " · " + plural64(t.FlaggedRows, "flagged row", "flagged rows")
				f.Importance = widget.WarningImportance
				icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
			} else {
				f.Importance = widget.MediumImportance
				icon.SetResource(theme.GridIcon())
			}
			f.SetText(format)
		},
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		if i < len(s.tables) && s.tables[i].Name != s.selected {
			s.selected = s.tables[i].Name
			s.showTable()
		}
	}
	left := container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, widget.NewLabelWithStyle("Staged tables", fyne.TextAlignLeading,
			fyne.TextStyle{Bold: true}), s.addBtn), widget.NewSeparator()),
		nil, nil, nil, s.list)

	// Right: the chosen table.
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.SizeName = theme.SizeNameSubHeadingText
	s.title.Truncation = fyne.TextTruncateEllipsis
	s.sourceLine = widget.NewLabel("")
	s.sourceLine.SizeName = theme.SizeNameCaptionText
	s.sourceLine.Wrapping = fyne.TextWrapWord
	s.flagLine = widget.NewLabel("")
	s.flagLine.Importance = widget.WarningImportance
	s.flagLine.Wrapping = fyne.TextWrapWord
	s.reimport = widget.NewButtonWithIcon("Re-import with options…", theme.ViewRefreshIcon(), func() { s.reimportDialog(s.shown) })
	s.rename = widget.NewButtonWithIcon("Rename…", theme.DocumentCreateIcon(), func() { s.renameDialog(s.shown) })
	s.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { s.removeDialog(s.shown) })
	s.keySelect = widget.NewSelect(nil, func(v string) {
		if !s.keyBusy {
			s.setKey(v)
		}
	})
	s.keySelect.PlaceHolder = "Choose the key column…"
	if s.readOnly {
		s.reimport.Disable()
		s.rename.Disable()
		s.remove.Disable()
		s.keySelect.Disable()
	}
	toolbar := container.NewHBox(s.reimport, s.rename, s.remove)
	s.keyHelp = muted("The column that identifies each row, such as a patient number. Relationships point at it.")
	s.keyHint = muted("")
	s.keyUse = widget.NewButtonWithIcon("Use it", theme.ConfirmIcon(), nil)
	s.keySuggest = container.NewBorder(nil, nil, nil, container.NewCenter(s.keyUse), s.keyHint)
	s.keySuggest.Hide()
	keyRow := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Key column"),
		container.New(&minWidth{Width: 240}, s.keySelect)), nil, container.NewStack(s.keyHelp, s.keySuggest))
	header := container.NewVBox(
		container.NewBorder(nil, nil, nil, toolbar, s.title),
		s.sourceLine,
		keyRow,
		s.flagLine,
	)

	s.grid = NewDataGrid(nil)
	s.onlyFlag = widget.NewCheck("Show only flagged rows", s.showOnlyFlagged)
	s.onlyFlag.Hide()
	s.issues = newIssuesView()
	s.relations = newRelationsView(s)
	s.rowsTab = container.NewTabItemWithIcon("Rows", theme.GridIcon(), container.NewBorder(s.onlyFlag, nil, nil, nil, s.grid))
	s.issuesTab = container.NewTabItemWithIcon("Issues", theme.WarningIcon(), s.issues.root)
	s.relTab = container.NewTabItemWithIcon("Relationships", theme.MailForwardIcon(), s.relations.root)
	s.tabs = container.NewAppTabs(s.rowsTab, s.issuesTab, s.relTab)
	s.detailBody = container.NewBorder(header, nil, nil, nil, s.tabs)

	s.split = container.NewHSplit(container.NewPadded(left), container.NewPadded(s.detailBody))
	s.split.Offset = 0.27

	// Nothing staged yet.
	emptyAdd := widget.NewButtonWithIcon("Add files…", theme.ContentAddIcon(), s.AddFiles)
	emptyAdd.Importance = widget.HighImportance
	if s.readOnly {
		emptyAdd.Disable()
	}
	emptyText := wrapped("No data yet. Add the exports from the old system: CSV, Excel (.xlsx), JSON, SQLite or dBase (.dbf) files. " +
		"Drop them here or click Add files…")
	emptyText.Alignment = fyne.TextAlignCenter
	emptyNote := note("Ferry keeps every value exactly as the file has it, with the line it came from. " +
		"Nothing in the files is changed, and anything odd in them is reported, not dropped.")
	emptyIcon := widget.NewIcon(theme.UploadIcon())
	zone := canvas.NewRectangle(color.Transparent)
	zone.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	zone.StrokeWidth = 2
	zone.CornerRadius = theme.Size(theme.SizeNameInputRadius) * 2
	s.empty = container.NewCenter(container.NewStack(zone, container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32),
		container.New(&minWidth{Width: 520}, container.NewVBox(
			container.NewCenter(container.NewGridWrap(fyne.NewSize(64, 64), emptyIcon)),
			emptyText, container.NewCenter(emptyAdd), emptyNote)))))
	s.empty.Hide()
	s.split.Hide()

	s.root = container.NewBorder(container.NewVBox(s.progress.root, s.notice.root), nil, nil, nil,
		container.NewStack(s.empty, s.split))
}

// Grid is the data grid showing the selected table.
func (s *SourcesStep) Grid() *DataGrid { return s.grid }

// Selected is the name of the table on the right ("" when none).
func (s *SourcesStep) Selected() string { return s.selected }

// Suggestions are the relationships suggested and not yet accepted or dismissed, for any table.
func (s *SourcesStep) Suggestions() []staging.Relationship {
	var out []staging.Relationship
	for _, r := range s.rels {
		if !r.Confirmed {
			out = append(out, r)
		}
	}
	return out
}

// AddFiles asks for export files and imports them.
func (s *SourcesStep) AddFiles() {
	if s.readOnly {
		s.deps.ShowError(project.ErrReadOnly)
		return
	}
	s.deps.Files().OpenMany("Add exports from the old system", sourceFilters, func(paths []string, err error) {
		if err != nil {
			s.deps.ShowError(err)
			return
		}
		s.Import(paths, staging.ImportRequest{})
	})
}

// Dropped implements the shell's drop target: files dropped on the window are imported. A folder
// brings in the files directly inside it.
func (s *SourcesStep) Dropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u == nil || u.Scheme() != "file" {
			continue
		}
		p := u.Path()
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			entries, _ := os.ReadDir(p)
			for _, e := range entries {
				if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
					paths = append(paths, filepath.Join(p, e.Name()))
				}
			}
			continue
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return
	}
	if s.readOnly {
		s.deps.ShowError(project.ErrReadOnly)
		return
	}
	s.Import(paths, staging.ImportRequest{})
}

// reload lists the tables and relationships again, then shows table (or keeps the one shown).
func (s *SourcesStep) reload(table string) {
	goBackground(func() {
		tables, err := s.st.Tables(s.ctx)
		var rels []staging.Relationship
		if err == nil {
			rels, err = s.st.Relationships(s.ctx)
		}
		uiDo(func() {
			if s.ctx.Err() != nil {
				return
			}
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			s.apply(tables, rels, table)
		})
	})
}

func (s *SourcesStep) apply(tables []staging.TableInfo, rels []staging.Relationship, want string) {
	s.tables, s.rels, s.loaded = tables, rels, true
	if want == "" {
		want = s.selected
	}
	idx := -1
	for i, t := range tables {
		if strings.EqualFold(t.Name, want) {
			idx = i
		}
	}
	if idx < 0 && len(tables) > 0 {
		idx = 0
	}
	if len(tables) == 0 {
		s.selected = ""
		s.split.Hide()
		s.empty.Show()
		s.list.UnselectAll()
		s.list.Refresh()
		s.grid.SetSource(nil)
		return
	}
	s.empty.Hide()
	s.split.Show()
	s.list.Refresh()
	s.selected = tables[idx].Name
	s.list.Select(idx)
	s.showTable()
}

// table returns the listed table by name.
func (s *SourcesStep) table(name string) (staging.TableInfo, bool) {
	for _, t := range s.tables {
		if t.Name == name {
			return t, true
		}
	}
	return staging.TableInfo{}, false
}

// showTable fills the right side with the selected table. The grid is only re-read when the
// table's data changed, so a rename or a new key keeps the scroll position.
func (s *SourcesStep) showTable() {
	t, ok := s.table(s.selected)
	if !ok {
		return
	}
	prev := s.shown
	s.shown = t
	s.title.SetText(t.Name)
	s.sourceLine.SetText(sourceDescription(t))
	if t.FlaggedRows > 0 {
		s.flagLine.SetText(fmt.Sprintf("⚠ %s of %s had something odd about them when the file was read. They are kept and highlighted below; "+
			"the Issues tab says what and where.", plural64(t.FlaggedRows, "row", "rows"), fmtInt(t.Rows)))
		s.flagLine.Show()
		s.onlyFlag.Show()
	} else {
		s.flagLine.Hide()
		s.onlyFlag.Hide()
	}
	s.keyBusy = true
	opts := []string{noKey}
	for _, c := range t.Columns {
		opts = append(opts, c.Name)
	}
	s.keySelect.Options = opts
	if t.KeyColumn == "" {
		s.keySelect.ClearSelected()
	} else {
		s.keySelect.SetSelected(t.KeyColumn)
	}
	s.keyBusy = false
	s.suggestKey(t)

	same := prev.SourceID == t.SourceID && prev.Rows == t.Rows && s.grid.Source() != nil
	if !same || !strings.EqualFold(prev.Name, t.Name) {
		if s.onlyFlag.Checked {
			s.onlyFlag.Checked = false
			s.onlyFlag.Refresh()
		}
		s.grid.SetSource(StagedSourceOf(s.st, t))
		s.grid.SetEmptyText("The file had a header but no rows.")
	}
	if t.Issues > 0 {
		s.issuesTab.Text = fmt.Sprintf("Issues (%s)", fmtInt(t.Issues))
	} else {
		s.issuesTab.Text = "Issues"
	}
	s.issues.load(s, t)
	s.relations.show(t)
	s.tabs.Refresh()
}

// suggestKey offers the column that most likely identifies t's rows, when t has no key yet.
func (s *SourcesStep) suggestKey(t staging.TableInfo) {
	s.keySuggest.Hide()
	s.keyHelp.Show()
	if t.KeyColumn != "" || s.readOnly {
		return
	}
	goBackground(func() {
		cands, err := s.st.KeyCandidates(s.ctx, t.Name)
		uiDo(func() {
			if err != nil || len(cands) == 0 || !cands[0].Unique() || s.shown.Name != t.Name || s.shown.KeyColumn != "" {
				return
			}
			col := cands[0].Column
			s.keyHint.SetText(fmt.Sprintf("Ferry suggests %s: every row has one and no two are the same.", col))
			s.keyUse.SetText("Use " + col)
			s.keyUse.OnTapped = func() { s.keySelect.SetSelected(col) }
			s.keyHelp.Hide()
			s.keySuggest.Show()
		})
	})
}

// noKey is the key select's "none" choice.
const noKey = "(no key column)"

func (s *SourcesStep) setKey(v string) {
	if v == noKey {
		v = ""
	}
	t := s.shown
	if v == t.KeyColumn {
		return
	}
	s.work(func(ctx context.Context) error { return s.st.SetKey(ctx, t.Name, v) }, func() {
		s.reload(t.Name)
		s.suggest()
	})
}

// showOnlyFlagged narrows the grid to the flagged rows (and back).
func (s *SourcesStep) showOnlyFlagged(on bool) {
	if !on {
		s.grid.ShowAll()
		return
	}
	src, ok := s.grid.Source().(*StagedSource)
	if !ok {
		return
	}
	goBackground(func() {
		ids, err := flaggedRowIDs(s.ctx, s.st, src.Table())
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			if s.onlyFlag.Checked && s.grid.Source() == src {
				_ = s.grid.ShowOnly(ids)
			}
		})
	})
}

// work runs a change to the project off the UI goroutine; then runs after it succeeded, or the
// error is shown once.
func (s *SourcesStep) work(fn func(ctx context.Context) error, then func()) {
	goBackground(func() {
		err := fn(s.ctx)
		uiDo(func() {
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					s.deps.ShowError(err)
				}
				s.reload("")
				return
			}
			s.deps.Refresh()
			if then != nil {
				then()
			}
		})
	})
}

// suggest looks for relationships between the tables in the background and shows what it finds.
func (s *SourcesStep) suggest() {
	if s.readOnly {
		return
	}
	s.relations.setBusy(true)
	goBackground(func() {
		tables, err := s.st.Tables(s.ctx)
		if err == nil && len(tables) > 1 {
			_, err = s.st.SuggestRelationships(s.ctx)
		}
		var rels []staging.Relationship
		if err == nil {
			rels, err = s.st.Relationships(s.ctx)
		}
		uiDo(func() {
			s.relations.setBusy(false)
			if s.ctx.Err() != nil {
				return
			}
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			s.rels = rels
			s.relations.show(s.shown)
		})
	})
}

func (s *SourcesStep) renameDialog(t staging.TableInfo) {
	e := widget.NewEntry()
	e.SetText(t.Name)
	e.Validator = func(v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			return errors.New("the name cannot be blank")
		}
		return nil
	}
	help := muted("Later steps and reports use this name. The file it came from is not changed.")
	d := dialog.NewForm("Rename "+t.Name, "Rename", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("New name", e), widget.NewFormItem("", help)}, func(ok bool) {
			if !ok {
				return
			}
			s.Rename(t.Name, strings.TrimSpace(e.Text))
		}, s.win)
	d.Resize(fyne.NewSize(480, 220))
	d.Show()
	s.win.Canvas().Focus(e)
}

// Rename renames a staged table.
func (s *SourcesStep) Rename(from, to string) {
	if to == "" || to == from {
		return
	}
	s.work(func(ctx context.Context) error { return s.st.Rename(ctx, from, to) }, func() {
		s.notice.show(fmt.Sprintf("Renamed %s to %s.", from, to), false)
		s.reload(to)
	})
}

func (s *SourcesStep) removeDialog(t staging.TableInfo) {
	msg := fmt.Sprintf("Remove %s and its %s from the project? The file itself is not touched, and the custody log keeps "+
		"a record that it was imported and removed. You can add the file again at any time.", t.Name, plural64(t.Rows, "row", "rows"))
	d := dialog.NewConfirm("Remove "+t.Name+"?", msg, func(ok bool) {
		if ok {
			s.Remove(t.Name)
		}
	}, s.win)
	d.SetConfirmText("Remove")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// Remove drops a staged table.
func (s *SourcesStep) Remove(name string) {
	s.work(func(ctx context.Context) error { return s.st.Drop(ctx, name) }, func() {
		s.notice.show(fmt.Sprintf("Removed %s from the project.", name), false)
		s.selected = ""
		s.reload("")
	})
}

// sourceFileLabel is the file (and sheet) a table came from.
func sourceFileLabel(src staging.SourceInfo) string {
	name := src.FileName
	if name == "" {
		name = filepath.Base(src.Path)
	}
	if src.Sheet != "" {
		name += " › " + src.Sheet
	}
	return name
}

// formatLabel is "CSV · UTF-8 · semicolon".
func formatLabel(src staging.SourceInfo) string {
	parts := []string{strings.ToUpper(src.Format)}
	if src.Format == "" {
		parts = []string{"?"}
	}
	if src.Encoding != "" {
		parts = append(parts, encodingLabel(src.Encoding))
	}
	if src.Delimiter != "" {
		parts = append(parts, delimiterLabel(src.Delimiter))
	}
	return strings.Join(parts, " · ")
}

func encodingLabel(e string) string {
	switch strings.ToLower(e) {
	case "utf-8":
		return "UTF-8"
	case "utf-8-bom":
		return "UTF-8 (BOM)"
	case "utf-16le":
		return "UTF-16 LE"
	case "utf-16be":
		return "UTF-16 BE"
	case "windows-1252":
		return "Windows-1252"
	case "latin-1":
		return "Latin-1"
	}
	return e
}

func delimiterLabel(d string) string {
	switch d {
	case ",":
		return "comma"
	case ";":
		return "semicolon"
	case "\t":
		return "tab"
	case "|":
		return "pipe"
	case ":":
		return "colon"
	case " ":
		return "space"
	}
	return fmt.Sprintf("%q", d)
}

// sourceDescription is the line under a table's name: where it came from, how it was read.
func sourceDescription(t staging.TableInfo) string {
	parts := []string{"From " + sourceFileLabel(t.Source), formatLabel(t.Source)}
	if t.Source.Format == "csv" {
		if t.Source.HeaderRow {
			parts = append(parts, "header row")
		} else {
			parts = append(parts, "no header row")
		}
	}
	if t.Source.SkippedLines > 0 {
		parts = append(parts, plural64(int64(t.Source.SkippedLines), "line skipped above the header", "lines skipped above the header"))
	}
	parts = append(parts, fmt.Sprintf("%s, %s", plural64(t.Rows, "row", "rows"), plural64(int64(len(t.Columns)), "column", "columns")))
	if when, err := time.Parse(time.RFC3339, t.ImportedAt); err == nil {
		imp := "imported " + when.Local().Format("2 Jan 2006 15:04")
		if t.ImportedBy != "" {
			imp += " by " + t.ImportedBy
		}
		parts = append(parts, imp)
	}
	return strings.Join(parts, " · ")
}

// notice is a dismissable line at the top of the screen: what the last action did.
type notice struct {
	root  *fyne.Container
	icon  *widget.Icon
	label *widget.Label
}

func newNotice() *notice {
	n := &notice{icon: widget.NewIcon(theme.InfoIcon()), label: wrapped("")}
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { n.root.Hide() })
	closeBtn.Importance = widget.LowImportance
	n.root = container.NewVBox(container.NewBorder(nil, nil, container.NewCenter(n.icon), container.NewCenter(closeBtn), n.label),
		widget.NewSeparator())
	n.root.Hide()
	return n
}

func (n *notice) show(text string, warn bool) {
	n.label.SetText(text)
	if warn {
		n.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		n.label.Importance = widget.WarningImportance
	} else {
		n.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		n.label.Importance = widget.MediumImportance
	}
	n.label.Refresh()
	n.root.Show()
}

// Text is what the notice says ("" when hidden).
func (n *notice) Text() string {
	if !n.root.Visible() {
		return ""
	}
	return n.label.Text
}

// minWidth keeps its content at least Width wide.
type minWidth struct{ Width float32 }

func (m *minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	s.Width = max(s.Width, m.Width)
	return s
}

func (m *minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
