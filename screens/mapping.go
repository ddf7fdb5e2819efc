package screens

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// MapStep is the Map screen: Legacy_Field → transformation → New_Field for every entity of the
// new system. Without a target it offers the presets and the vendor's import template. With one,
// the entities are listed on the left; on the right the chosen entity's source columns are
// dragged onto its fields (mapping_canvas.go), the selected field's chain of steps is edited
// beside them (mapping_chain.go), pick-list values are mapped (mapping_values.go), and the map is
// previewed and validated (mapping_check.go). Every change is one undoable edit of the engine
// (app/mapping); the screen only shows what the engine says.
type MapStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	m        *mapping.Mapper
	st       *staging.Stager
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	// What was last read from the project (apply sets these on the UI goroutine).
	ov       *mapping.Overview
	noTarget bool
	loaded   bool
	hints    map[string]map[string]mapping.ColumnHint
	samples  map[string]*mapSample // by table name
	tables   map[string]staging.TableInfo
	canUndo  bool
	canRedo  bool
	report   *mapping.Report
	region   string
	entity   string // the entity on the right
	field    string // the field whose chain is edited

	editMu    sync.Mutex    // guards editTail
	editTail  chan struct{} // closed when the last edit asked for has run: edits run in the order they were made
	reloadMu  sync.Mutex
	reloadSeq int
	applied   int

	root       *fyne.Container
	chooser    *mapChooser
	main       fyne.CanvasObject
	notice     *notice
	targetLine *widget.Label
	versionTag *widget.Label
	summary    *widget.Label
	undoBtn    *widget.Button
	redoBtn    *widget.Button
	suggestBtn *widget.Button
	targetBtn  *widget.Button
	targetMenu *fyne.Menu
	tplBtn     *widget.Button
	tplMenu    *fyne.Menu

	entities    *widget.List
	entityTitle *widget.Label
	entityHead  *fyne.Container
	entityNote  *widget.Label
	tableSelect *widget.Select
	tableBusy   bool
	tabs        *container.AppTabs
	fieldsTab   *container.TabItem
	valuesTab   *container.TabItem
	previewTab  *container.TabItem
	checkTab    *container.TabItem

	canvas  *mapCanvas
	editor  *mapFieldEditor
	values  *mapValuesView
	preview *mapPreview
	check   *mapCheckView

	suggestions *mapSuggestions // the suggestions dialog last opened
	misfits     []string        // what of the last template did not fit, in words
}

// mapSample is the first rows of a staged table: sample values under each column and the rows
// the chain editor shows its live result on.
type mapSample struct {
	cols []string
	rows [][]string
}

// column returns the values of a column in the sample rows.
func (s *mapSample) column(name string) []string {
	if s == nil {
		return nil
	}
	idx := -1
	for i, c := range s.cols {
		if strings.EqualFold(c, name) {
			idx = i
		}
	}
	if idx < 0 {
		return nil
	}
	out := make([]string, 0, len(s.rows))
	for _, r := range s.rows {
		if idx < len(r) {
			out = append(out, r[idx])
		} else {
			out = append(out, "")
		}
	}
	return out
}

// mapSampleRows is how many rows of each table are read for samples and live results.
const mapSampleRows = 40

// noTable is the table select's "none" choice.
const mapNoTable = "(no source table)"

// NewMapStep builds the Map screen.
func NewMapStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	p := deps.Project()
	s := &MapStep{win: w, deps: deps, m: mapping.New(p), st: staging.NewStager(p), readOnly: p.ReadOnly(),
		samples: map[string]*mapSample{}, tables: map[string]staging.TableInfo{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if c, ok := deps.(interface{ OnClose(func()) }); ok {
		c.OnClose(s.Close)
	}
	s.ExtendBaseWidget(s)
	s.build()
	s.addShortcuts()
	s.reload()
	return s
}

// CreateRenderer implements fyne.Widget.
func (s *MapStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(s.root) }

// Close stops background work (a running validation is cancelled) and saves what is being typed.
func (s *MapStep) Close() {
	s.editor.closing = true
	s.editor.flush()
	s.check.cancel()
	s.stop()
	s.preview.grid.Close()
	s.check.grid.Close()
}

func (s *MapStep) build() {
	s.notice = newNotice()
	s.chooser = newMapChooser(s)

	s.targetLine = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.targetLine.Truncation = fyne.TextTruncateEllipsis
	s.versionTag = widget.NewLabel("")
	s.versionTag.SizeName = theme.SizeNameCaptionText
	s.summary = widget.NewLabel("")
	s.summary.SizeName = theme.SizeNameCaptionText
	s.summary.Truncation = fyne.TextTruncateEllipsis
	s.suggestBtn = widget.NewButtonWithIcon("Suggest matches", theme.SearchIcon(), s.Suggest)
	s.suggestBtn.Importance = widget.HighImportance
	s.undoBtn = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), s.Undo)
	s.redoBtn = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), s.Redo)
	s.undoBtn.Disable()
	s.redoBtn.Disable()
	s.targetMenu = fyne.NewMenu("",
		fyne.NewMenuItem("Edit target…", s.editTargetDialog),
		fyne.NewMenuItem("Change the new system…", s.changeTargetDialog))
	s.tplMenu = fyne.NewMenu("",
		fyne.NewMenuItem("Import template…", s.ImportTemplateDialog),
		fyne.NewMenuItem("Export template…", s.ExportTemplateDialog))
	if s.readOnly {
		s.suggestBtn.Disable()
		for _, it := range s.targetMenu.Items {
			it.Disabled = true
		}
		s.tplMenu.Items[0].Disabled = true
	}
	s.targetBtn = mapMenuButton("Target", theme.SettingsIcon(), s.targetMenu)
	s.tplBtn = mapMenuButton("Templates", theme.FileIcon(), s.tplMenu)
	targetBox := container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), nil,
		container.New(&tightVBox{}, s.targetLine, s.summary))
	bar := container.NewBorder(nil, nil, nil,
		container.NewHBox(s.suggestBtn, s.undoBtn, s.redoBtn, widget.NewSeparator(), s.targetBtn, s.tplBtn),
		targetBox)

	// Left: the target's entities.
	s.entities = widget.NewList(
		func() int {
			if s.ov == nil {
				return 0
			}
			return len(s.ov.Entities)
		},
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("Entity name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("table · 0 of 0 fields")
			detail.SizeName = theme.SizeNameCaptionText
			detail.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, dotBox(newDot(statusGrey), 10), nil, container.New(&tightVBox{}, name, detail))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if s.ov == nil || i >= len(s.ov.Entities) {
				return
			}
			ev := s.ov.Entities[i]
			b := o.(*fyne.Container)
			texts := b.Objects[0].(*fyne.Container)
			dot := b.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0]
			texts.Objects[0].(*widget.Label).SetText(ev.Entity.Title())
			d := texts.Objects[1].(*widget.Label)
			d.SetText(mapEntityDetail(ev))
			c, imp := mapEntityColor(ev)
			d.Importance = imp
			d.Refresh()
			mapSetDot(dot, c)
		},
	)
	s.entities.OnSelected = func(i widget.ListItemID) {
		if s.ov != nil && i < len(s.ov.Entities) && s.ov.Entities[i].Entity.Name != s.entity {
			s.selectEntity(s.ov.Entities[i].Entity.Name)
		}
	}
	left := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle("Entities of the new system", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewSeparator()), nil, nil, nil, s.entities)

	// Right: the chosen entity.
	s.entityTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.entityTitle.SizeName = theme.SizeNameSubHeadingText
	s.entityNote = widget.NewLabel("")
	s.entityNote.SizeName = theme.SizeNameCaptionText
	s.entityNote.Truncation = fyne.TextTruncateEllipsis
	s.tableSelect = widget.NewSelect(nil, func(v string) {
		if !s.tableBusy {
			s.SetSource(s.entity, v)
		}
	})
	s.tableSelect.PlaceHolder = "Choose the table it is filled from…"
	if s.readOnly {
		s.tableSelect.Disable()
	}
	s.entityHead = container.NewBorder(nil, nil, s.entityTitle,
		container.NewHBox(widget.NewLabel("Filled from"), container.New(&minWidth{Width: 200}, s.tableSelect)),
		s.entityNote)

	s.canvas = newMapCanvas(s)
	s.editor = newMapFieldEditor(s)
	s.values = newMapValuesView(s)
	s.preview = newMapPreview(s)
	s.check = newMapCheckView(s)
	fieldsSplit := container.NewHSplit(s.canvas, s.editor.root)
	fieldsSplit.Offset = 0.62
	s.fieldsTab = container.NewTabItemWithIcon("Fields", theme.ListIcon(), fieldsSplit)
	s.valuesTab = container.NewTabItemWithIcon("Values", theme.RadioButtonCheckedIcon(), s.values.root)
	s.previewTab = container.NewTabItemWithIcon("Preview", theme.VisibilityIcon(), s.preview.root)
	s.checkTab = container.NewTabItemWithIcon("Validation", theme.ConfirmIcon(), s.check.root)
	s.tabs = container.NewAppTabs(s.fieldsTab, s.valuesTab, s.previewTab, s.checkTab)
	s.tabs.OnSelected = func(t *container.TabItem) { s.tabShown(t) }
	right := container.NewBorder(s.entityHead, nil, nil, nil, s.tabs)

	split := container.NewHSplit(left, right)
	split.Offset = 0.17
	s.main = container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), nil, nil, nil, split)
	s.main.Hide()
	s.chooser.root.Hide()

	s.root = container.NewBorder(s.notice.root, nil, nil, nil, container.NewStack(s.chooser.root, s.main))
}

func mapSetDot(o fyne.CanvasObject, c color.Color) {
	if d, ok := o.(*canvas.Circle); ok && d.FillColor != c {
		d.FillColor = c
		d.Refresh()
	}
}

// mapMenuButton is a button that opens a menu under itself.
func mapMenuButton(label string, icon fyne.Resource, menu *fyne.Menu) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, icon, func() {
		d := fyne.CurrentApp().Driver()
		pos := d.AbsolutePositionForObject(b).Add(fyne.NewPos(0, b.Size().Height))
		widget.ShowPopUpMenuAtPosition(menu, d.CanvasForObject(b), pos)
	})
	return b
}

// menuAction runs the item of a menu with the given label (what choosing it does).
func (s *MapStep) menuAction(m *fyne.Menu, label string) {
	for _, it := range m.Items {
		if it.Label == label && !it.Disabled && it.Action != nil {
			it.Action()
			return
		}
	}
}

// KeyUndo is Ctrl+Z (Cmd+Z on macOS) while the Map step is on screen: the last map change is undone.
func (s *MapStep) KeyUndo() {
	if s.canUndo {
		s.Undo()
	}
}

// KeyRedo is Ctrl+Y or Ctrl+Shift+Z: the change undone last is made again.
func (s *MapStep) KeyRedo() {
	if s.canRedo {
		s.Redo()
	}
}

// addShortcuts binds Ctrl+Z to Undo and Ctrl+Shift+Z or Ctrl+Y to Redo (Cmd on macOS) when the
// Map step stands alone in a window; inside the wizard the shell routes the keys to the step on
// screen (Shell.addShortcuts). A focused entry keeps its own undo of typing.
func (s *MapStep) addShortcuts() {
	if _, inShell := s.deps.(*Shell); s.win == nil || inShell {
		return
	}
	onScreen := func() bool {
		if c, ok := s.deps.(interface{ Current() wizard.StepID }); ok {
			return c.Current() == wizard.Map
		}
		return true
	}
	undo := func(fyne.Shortcut) {
		if onScreen() && s.canUndo {
			s.Undo()
		}
	}
	redo := func(fyne.Shortcut) {
		if onScreen() && s.canRedo {
			s.Redo()
		}
	}
	// Fyne turns Ctrl+Z and Ctrl+Y into ShortcutUndo and ShortcutRedo; Ctrl+Shift+Z stays custom.
	c := s.win.Canvas()
	c.AddShortcut(&fyne.ShortcutUndo{}, undo)
	c.AddShortcut(&fyne.ShortcutRedo{}, redo)
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}, redo)
}

// mapLoad is what one reload reads from the project.
type mapLoad struct {
	ov       *mapping.Overview
	noTarget bool
	hints    map[string]map[string]mapping.ColumnHint
	samples  map[string]*mapSample
	tables   map[string]staging.TableInfo
	undo     bool
	redo     bool
	report   *mapping.Report
	region   string
}

// reload reads the map again in the background and shows it.
func (s *MapStep) reload() {
	s.reloadMu.Lock()
	s.reloadSeq++
	seq := s.reloadSeq
	s.reloadMu.Unlock()
	have := map[string]*mapSample{}
	for k, v := range s.samples {
		have[k] = v
	}
	goBackground(func() {
		ld, err := s.read(s.ctx, have)
		uiDo(func() {
			if s.ctx.Err() != nil {
				return
			}
			if seq < s.applied {
				return
			}
			s.applied = seq
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			s.apply(ld)
		})
	})
}

func (s *MapStep) read(ctx context.Context, have map[string]*mapSample) (*mapLoad, error) {
	ld := &mapLoad{samples: have, tables: map[string]staging.TableInfo{}}
	ov, err := s.m.Overview(ctx)
	if errors.Is(err, target.ErrNoTarget) {
		ld.noTarget = true
		return ld, nil
	}
	if err != nil {
		return nil, err
	}
	ld.ov = ov
	if ld.undo, ld.redo, err = s.m.CanUndo(ctx); err != nil {
		return nil, err
	}
	if ld.hints, err = s.m.ColumnHints(ctx); err != nil {
		return nil, err
	}
	if ld.report, err = s.m.LatestReport(ctx); err != nil {
		return nil, err
	}
	if pl, err := plan.Load(ctx, s.deps.Project()); err == nil {
		ld.region = pl.Region()
	}
	tabs, err := s.st.Tables(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tabs {
		ld.tables[t.Name] = t
		key := fmt.Sprintf("%s\x00%d\x00%d", t.Name, t.SourceID, t.Rows)
		if smp, ok := ld.samples[key]; ok {
			ld.samples[t.Name] = smp
			continue
		}
		pg, err := s.st.Page(ctx, t.Name, 0, mapSampleRows)
		if err != nil {
			return nil, err
		}
		smp := &mapSample{}
		for _, c := range t.Columns {
			smp.cols = append(smp.cols, c.Name)
		}
		for _, r := range pg.Rows {
			smp.rows = append(smp.rows, r.Cells)
		}
		ld.samples[t.Name], ld.samples[key] = smp, smp
	}
	return ld, nil
}

func (s *MapStep) apply(ld *mapLoad) {
	s.loaded = true
	s.noTarget = ld.noTarget
	if ld.noTarget {
		s.ov = nil
		s.main.Hide()
		s.chooser.show()
		s.Refresh()
		return
	}
	s.chooser.root.Hide()
	s.main.Show()
	s.ov, s.hints, s.samples, s.tables = ld.ov, ld.hints, ld.samples, ld.tables
	s.canUndo, s.canRedo, s.report, s.region = ld.undo, ld.redo, ld.report, ld.region
	s.setEnabled(s.undoBtn, s.canUndo && !s.readOnly)
	s.setEnabled(s.redoBtn, s.canRedo && !s.readOnly)

	t := s.ov.Target
	s.targetLine.SetText("New system: " + mapTargetTitle(t))
	s.summary.SetText(mapOverviewSummary(s.ov, t))
	if s.ov.RequiredUnmapped > 0 {
		s.summary.Importance = widget.DangerImportance
	} else {
		s.summary.Importance = widget.MediumImportance
	}
	s.summary.Refresh()

	idx := -1
	for i, e := range s.ov.Entities {
		if e.Entity.Name == s.entity {
			idx = i
		}
	}
	if idx < 0 && len(s.ov.Entities) > 0 {
		idx = 0
		// the first entity with data, or the first
		for i, e := range s.ov.Entities {
			if e.Map.Table != "" {
				idx = i
				break
			}
		}
	}
	s.entities.Refresh()
	if idx < 0 {
		s.entity = ""
		s.showEntity()
		return
	}
	s.entity = s.ov.Entities[idx].Entity.Name
	s.entities.Select(idx)
	s.showEntity()
}

func (s *MapStep) setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// view is the entity on the right as last read.
func (s *MapStep) view() (mapping.EntityView, bool) {
	if s.ov == nil {
		return mapping.EntityView{}, false
	}
	for _, e := range s.ov.Entities {
		if e.Entity.Name == s.entity {
			return e, true
		}
	}
	return mapping.EntityView{}, false
}

// entityView is an entity as last read, or nil.
func (s *MapStep) entityView(name string) *mapping.EntityView {
	if s.ov == nil {
		return nil
	}
	for i := range s.ov.Entities {
		if s.ov.Entities[i].Entity.Name == name {
			return &s.ov.Entities[i]
		}
	}
	return nil
}

// selectEntity shows another entity on the right.
func (s *MapStep) selectEntity(name string) {
	s.editor.flush()
	s.entity = name
	s.field = ""
	s.showEntity()
}

// showEntity fills the right side with the chosen entity.
func (s *MapStep) showEntity() {
	ev, ok := s.view()
	if !ok {
		s.entityTitle.SetText("")
		s.entityNote.SetText("")
		s.canvas.set(mapping.EntityView{}, nil)
		s.editor.show()
		return
	}
	s.entityTitle.SetText(ev.Entity.Title())
	s.entityNote.SetText(mapEntityNote(ev))
	if len(ev.RequiredUnmapped) > 0 {
		s.entityNote.Importance = widget.DangerImportance
	} else {
		s.entityNote.Importance = widget.MediumImportance
	}
	s.entityNote.Refresh()
	s.entityHead.Refresh() // the title's width changed
	s.tableBusy = true
	opts := []string{mapNoTable}
	for _, tv := range s.ov.Tables {
		opts = append(opts, tv.Name)
	}
	s.tableSelect.SetOptions(opts)
	if ev.Map.Table == "" {
		s.tableSelect.ClearSelected()
	} else {
		s.tableSelect.SetSelected(ev.Map.Table)
	}
	s.tableBusy = false

	if s.field != "" && ev.Entity.Field(s.field) == nil {
		s.field = ""
	}
	if s.field == "" && len(ev.Entity.Fields) > 0 {
		s.field = ev.Entity.Fields[0].Name
	}
	s.canvas.set(ev, s.tableColumns(ev.Map.Table))
	s.editor.show()
	s.values.entityChanged()
	switch s.tabs.Selected() {
	case s.previewTab:
		s.preview.load()
	case s.valuesTab:
		s.values.load()
	}
	s.check.show()
}

// tableColumns lists a staged table's columns ("" or unknown: none).
func (s *MapStep) tableColumns(table string) []string {
	if table == "" || s.ov == nil {
		return nil
	}
	for _, tv := range s.ov.Tables {
		if strings.EqualFold(tv.Name, table) {
			return tv.Columns
		}
	}
	return nil
}

// tableView returns the staged table an entity reads.
func (s *MapStep) tableView(table string) (mapping.TableView, bool) {
	if s.ov != nil {
		for _, tv := range s.ov.Tables {
			if strings.EqualFold(tv.Name, table) {
				return tv, true
			}
		}
	}
	return mapping.TableView{}, false
}

// selectField shows a field's chain in the editor beside the canvas.
func (s *MapStep) selectField(name string) {
	if name == s.field {
		return
	}
	s.editor.flush()
	s.field = name
	s.canvas.setSelected(name)
	s.editor.show()
}

func (s *MapStep) tabShown(t *container.TabItem) {
	switch t {
	case s.previewTab:
		s.preview.load()
	case s.valuesTab:
		s.values.load()
	case s.checkTab:
		s.check.show()
	}
}

// Selected is the entity on the right and the field in the editor.
func (s *MapStep) Selected() (entity, field string) { return s.entity, s.field }

// Overview is the map as last shown (nil before it was read, or without a target).
func (s *MapStep) Overview() *mapping.Overview { return s.ov }

// edit runs a change of the map (or target) off the UI goroutine, one at a time; the notice says
// what it did (when fn returns words), the map is read again and the sidebar status recomputed.
func (s *MapStep) edit(fn func(ctx context.Context) (string, error), then func()) {
	if s.readOnly {
		s.deps.ShowError(project.ErrReadOnly)
		return
	}
	s.editMu.Lock()
	prev, done := s.editTail, make(chan struct{})
	s.editTail = done
	s.editMu.Unlock()
	goBackground(func() {
		if prev != nil {
			<-prev
		}
		msg, err := fn(s.ctx)
		close(done)
		uiDo(func() {
			if s.ctx.Err() != nil {
				return
			}
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					s.deps.ShowError(mapFriendlyError(err))
				}
				s.reload()
				return
			}
			if msg != "" {
				s.notice.show(msg, false)
			}
			s.reload()
			s.deps.Refresh()
			if then != nil {
				then()
			}
		})
	})
}

// Connect maps a source column onto a field (what a drop does).
func (s *MapStep) Connect(entity, field, column string) {
	s.field = field
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.Connect(ctx, entity, field, column)
		if err != nil || ed.ID == 0 {
			return "", err
		}
		return "Mapped: " + ed.Summary + ".", nil
	}, nil)
}

// Disconnect removes a source column from a field.
func (s *MapStep) Disconnect(entity, field, column string) {
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.Disconnect(ctx, entity, field, column)
		if err != nil || ed.ID == 0 {
			return "", err
		}
		return ed.Summary + ".", nil
	}, nil)
}

// SetSource chooses the table an entity is filled from.
func (s *MapStep) SetSource(entity, table string) {
	if table == mapNoTable {
		table = ""
	}
	if ev, ok := s.view(); ok && ev.Entity.Name == entity && strings.EqualFold(ev.Map.Table, table) {
		return
	}
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.SetSource(ctx, entity, table)
		if err != nil || ed.ID == 0 {
			return "", err
		}
		return ed.Summary + ".", nil
	}, nil)
}

// ClearField removes a field's mapping.
func (s *MapStep) ClearField(entity, field string) {
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.ClearField(ctx, entity, field)
		if err != nil || ed.ID == 0 {
			return "", err
		}
		return ed.Summary + ".", nil
	}, nil)
}

// Undo takes back the last edit of the map.
func (s *MapStep) Undo() {
	s.editor.flush()
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.Undo(ctx)
		if errors.Is(err, mapping.ErrNothing) {
			return "Nothing to undo.", nil
		}
		if err != nil {
			return "", err
		}
		return "Undone: " + ed.Summary + ".", nil
	}, func() { s.editor.reset() })
}

// Redo does again the edit last undone.
func (s *MapStep) Redo() {
	s.editor.flush()
	s.edit(func(ctx context.Context) (string, error) {
		ed, err := s.m.Redo(ctx)
		if errors.Is(err, mapping.ErrNothing) {
			return "Nothing to redo.", nil
		}
		if err != nil {
			return "", err
		}
		return "Redone: " + ed.Summary + ".", nil
	}, func() { s.editor.reset() })
}

// mapFriendlyError adds what to do to the engine's errors a person can meet on this screen.
func mapFriendlyError(err error) error {
	switch {
	case errors.Is(err, mapping.ErrNoTable):
		return fmt.Errorf("choose the table this entity is filled from first (Filled from, above the fields): %w", err)
	case errors.Is(err, mapping.ErrNotAllowed):
		return fmt.Errorf("the new system does not take that value for this field: %w", err)
	case errors.Is(err, mapping.ErrBadStep):
		return fmt.Errorf("a step of the chain is not complete or not valid: %w", err)
	case errors.Is(err, mapping.ErrBadTempl):
		return fmt.Errorf("this file is not a Ferry mapping template (export one with Export template…): %w", err)
	}
	return err
}

// mapTargetTitle is "FHIR R4 · version 2 (changed since)".
func mapTargetTitle(t target.Target) string {
	title := t.Title
	if title == "" {
		title = t.Name
	}
	switch {
	case t.Version == 0:
		title += " · not frozen yet"
	case t.Changed:
		title += fmt.Sprintf(" · version %d, edited since", t.Version)
	default:
		title += fmt.Sprintf(" · version %d", t.Version)
	}
	return title
}

// mapOverviewSummary is the line under the target: how far the map is.
func mapOverviewSummary(ov *mapping.Overview, t target.Target) string {
	parts := []string{fmt.Sprintf("%d of %d entities with data mapped", ov.Complete, ov.WithData)}
	if ov.WithData == 0 {
		parts = []string{"no entity has a source table yet"}
	}
	if ov.RequiredUnmapped > 0 {
		parts = append(parts, plural64(int64(ov.RequiredUnmapped), "required field unmapped", "required fields unmapped"))
	}
	errs := 0
	for _, pr := range ov.Problems {
		if pr.Severity == mapping.SevError && pr.Kind != mapping.KindRequiredUnmapped {
			errs++
		}
	}
	if errs > 0 {
		parts = append(parts, plural64(int64(errs), "problem in the map", "problems in the map"))
	}
	unread := 0
	for _, tb := range ov.Tables {
		if len(tb.UsedBy) == 0 {
			unread++
		}
	}
	if unread > 0 {
		parts = append(parts, plural64(int64(unread), "staged table not mapped", "staged tables not mapped"))
	}
	return strings.Join(parts, " · ")
}

// mapEntityDetail is the caption under an entity in the list.
func mapEntityDetail(ev mapping.EntityView) string {
	if ev.Map.Table == "" {
		return "no source table"
	}
	d := fmt.Sprintf("%s · %d/%d fields", ev.Map.Table, ev.Mapped, len(ev.Entity.Fields))
	if n := len(ev.RequiredUnmapped); n > 0 {
		d += fmt.Sprintf(" · %d required missing", n)
	}
	return d
}

// mapEntityNote is the line beside the entity's title.
func mapEntityNote(ev mapping.EntityView) string {
	if ev.Map.Table == "" {
		return "Not mapped: choose the table its records come from →"
	}
	n := fmt.Sprintf("%s · %d of %d fields mapped", plural64(ev.Rows, "row", "rows"), ev.Mapped, len(ev.Entity.Fields))
	if len(ev.RequiredUnmapped) > 0 {
		n += fmt.Sprintf(" · required and not mapped: %s", strings.Join(ev.RequiredUnmapped, ", "))
	}
	return n
}

// mapEntityColor is the dot of an entity: green when complete, red when a required field is not
// mapped, grey without data.
func mapEntityColor(ev mapping.EntityView) (color.Color, widget.Importance) {
	switch {
	case ev.Map.Table == "":
		return statusGrey, widget.LowImportance
	case len(ev.RequiredUnmapped) > 0:
		return theme.Color(theme.ColorNameError), widget.DangerImportance
	case ev.Complete:
		return statusGreen, widget.MediumImportance
	}
	return statusBlue, widget.MediumImportance
}

// mapThrottle reports at most every 100 ms.
type mapThrottle struct {
	mu   sync.Mutex
	last time.Time
}

func (t *mapThrottle) ok() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Since(t.last) < 100*time.Millisecond {
		return false
	}
	t.last = time.Now()
	return true
}
