package screens

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// CleanseStep is the Cleanse screen: on the left the operations the latest audit suggests (one
// click sets one up) and the operation history with undo and redo and recipes; on the right the
// operation being set up with its before/after preview, the table's rows with changed rows
// highlighted, and the review of duplicate groups. Every change goes through the cleanse engine.
type CleanseStep struct {
	widget.BaseWidget

	win      fyne.Window
	deps     StepDeps
	p        *project.Project
	st       *staging.Stager
	readOnly bool
	ctx      context.Context
	stop     context.CancelFunc

	findings []audit.Finding // with a suggestion
	ops      []cleanse.Op
	tables   []staging.TableInfo

	root      fyne.CanvasObject
	notice    *notice
	suggested *widget.List
	sugEmpty  *widget.Label
	history   *widget.List
	histEmpty *widget.Label
	undoBtn   *widget.Button
	redoBtn   *widget.Button
	exportBtn *widget.Button
	replayBtn *widget.Button
	newBtn    *widget.Button
	recipeMsg *widget.Label
	tabs      *container.AppTabs
	opTab     *container.TabItem
	rowsTab   *container.TabItem
	dupTab    *container.TabItem

	editor *opEditor
	rows   *changedRowsView
	review *clusterReview
}

// NewCleanseStep builds the Cleanse screen.
func NewCleanseStep(w fyne.Window, deps StepDeps) fyne.CanvasObject {
	p := deps.Project()
	c := &CleanseStep{win: w, deps: deps, p: p, st: staging.NewStager(p), readOnly: p.ReadOnly()}
	c.ctx, c.stop = context.WithCancel(context.Background())
	if cl, ok := deps.(interface{ OnClose(func()) }); ok {
		cl.OnClose(c.Close)
	}
	c.ExtendBaseWidget(c)
	c.build()
	onSetUpCleanse = func(d StepDeps, f audit.Finding) {
		if d.Project() == c.p {
			c.SetUp(f)
		}
	}
	c.reload()
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *CleanseStep) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.root) }

// Close stops background work.
func (c *CleanseStep) Close() {
	c.stop()
	c.rows.grid.Close()
	c.editor.grid.Close()
}

func (c *CleanseStep) build() {
	c.notice = newNotice()

	// Suggested operations.
	c.suggested = widget.NewList(func() int { return len(c.findings) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			where := widget.NewLabel("table.column · 12 values")
			where.SizeName = theme.SizeNameCaptionText
			where.Truncation = fyne.TextTruncateEllipsis
			btn := widget.NewButton("Set up…", nil)
			return container.NewBorder(nil, nil, nil, container.NewCenter(btn), container.New(&tightVBox{}, title, where))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(c.findings) {
				return
			}
			f := c.findings[i]
			b := o.(*fyne.Container)
			texts := b.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(findingTitle(f))
			texts.Objects[1].(*widget.Label).SetText(findingWhere(f) + " · " + findingCount(f))
			btn := b.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
			btn.OnTapped = func() { c.SetUp(f) }
			if c.readOnly {
				btn.Disable()
			} else {
				btn.Enable()
			}
		})
	c.suggested.OnSelected = func(i widget.ListItemID) { c.suggested.Unselect(i) }
	c.sugEmpty = muted("Run the audit to get suggestions.")

	// Operation history.
	c.history = widget.NewList(func() int { return len(c.ops) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("1. op", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			what := widget.NewLabel("cells")
			what.SizeName = theme.SizeNameCaptionText
			what.Truncation = fyne.TextTruncateEllipsis
			return container.New(&tightVBox{}, title, what)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(c.ops) {
				return
			}
			op := c.ops[i]
			texts := o.(*fyne.Container)
			title := texts.Objects[0].(*widget.Label)
			title.SetText(fmt.Sprintf("%d. %s — %s", op.ID, opTitle(op.Op), stepWhere(op.Step, op.Table)))
			what := texts.Objects[1].(*widget.Label)
			what.SetText(historyLine(op))
			if op.State == cleanse.Undone || op.Stale {
				title.Importance = widget.LowImportance
			} else {
				title.Importance = widget.MediumImportance
			}
			title.Refresh()
		})
	c.history.OnSelected = func(i widget.ListItemID) {
		if i < len(c.ops) {
			c.rows.showOp(c.ops[i])
			c.tabs.Select(c.rowsTab)
		}
	}
	c.histEmpty = muted("Nothing changed yet. Every operation you apply is listed here and can be undone.")
	c.undoBtn = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), c.Undo)
	c.redoBtn = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), c.Redo)
	c.exportBtn = widget.NewButtonWithIcon("Export recipe…", theme.DocumentSaveIcon(), c.ExportDialog)
	c.replayBtn = widget.NewButtonWithIcon("Apply recipe…", theme.FolderOpenIcon(), c.ReplayDialog)
	c.recipeMsg = wrapped("")
	c.recipeMsg.Hide()
	c.newBtn = widget.NewButtonWithIcon("New operation…", theme.ContentAddIcon(), func() { c.NewOperation("") })
	c.newBtn.Importance = widget.HighImportance
	if c.readOnly {
		c.newBtn.Disable()
		c.replayBtn.Disable()
	}

	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	sugPane := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, bold("Suggested operations"), c.newBtn),
		widget.NewSeparator()), nil, nil, nil, container.NewStack(c.suggested, container.NewVBox(c.sugEmpty)))
	histPane := container.NewBorder(container.NewVBox(bold("Operation history"), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewGridWithColumns(2, c.undoBtn, c.redoBtn),
			container.NewGridWithColumns(2, c.exportBtn, c.replayBtn), c.recipeMsg),
		nil, nil, container.NewStack(c.history, container.NewVBox(c.histEmpty)))
	left := container.NewVSplit(sugPane, histPane)
	left.Offset = 0.58

	c.editor = newOpEditor(c)
	c.rows = newChangedRowsView(c)
	c.review = newClusterReview(c)
	c.opTab = container.NewTabItemWithIcon("Operation", theme.DocumentCreateIcon(), c.editor.root)
	c.rowsTab = container.NewTabItemWithIcon("Rows", theme.GridIcon(), c.rows.root)
	c.dupTab = container.NewTabItemWithIcon("Duplicates", theme.ContentCopyIcon(), c.review.root)
	c.tabs = container.NewAppTabs(c.opTab, c.rowsTab, c.dupTab)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(c.tabs))
	split.Offset = 0.3
	c.root = container.NewBorder(c.notice.root, nil, nil, nil, split)
	c.updateButtons()
}

// reload reads the latest audit's suggestions, the history and the tables again.
func (c *CleanseStep) reload() {
	goBackground(func() {
		var fs []audit.Finding
		rep, err := audit.Latest(c.ctx, c.p)
		if err == nil && rep != nil {
			for _, f := range rep.Findings {
				if len(f.Suggest) > 0 || f.Kind == audit.KindDuplicateFuzzy {
					fs = append(fs, f)
				}
			}
		} else if errors.Is(err, audit.ErrNoRun) {
			err = nil
		}
		ops, herr := cleanse.History(c.ctx, c.p)
		tables, terr := c.st.Tables(c.ctx)
		uiDo(func() {
			if c.ctx.Err() != nil {
				return
			}
			for _, e := range []error{err, herr, terr} {
				if e != nil {
					c.deps.ShowError(e)
					break
				}
			}
			c.findings, c.ops, c.tables = fs, ops, tables
			c.sugEmpty.Hidden = len(fs) > 0
			if rep != nil && len(fs) == 0 {
				c.sugEmpty.SetText("The latest audit suggests nothing more. Choose New operation… to change anything else.")
			}
			c.histEmpty.Hidden = len(ops) > 0
			c.sugEmpty.Refresh()
			c.histEmpty.Refresh()
			c.suggested.Refresh()
			c.history.Refresh()
			c.updateButtons()
			c.editor.tablesChanged()
			c.rows.tablesChanged()
		})
	})
}

func (c *CleanseStep) updateButtons() {
	canUndo, canRedo, applied := false, false, false
	for _, op := range c.ops {
		if op.State == cleanse.Applied {
			applied = true
			canUndo = true
		}
		if op.State == cleanse.Undone && !op.Stale {
			canRedo = true
		}
	}
	set := func(b *widget.Button, on bool) {
		if on && !c.readOnly {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	set(c.undoBtn, canUndo)
	set(c.redoBtn, canRedo)
	set(c.exportBtn, applied)
}

// changed is called after the engine changed the project: everything is read again and the
// shell recomputes the steps' status.
func (c *CleanseStep) changed(msg string) {
	if msg != "" {
		c.notice.show(msg, false)
	}
	c.reload()
	c.rows.reloadGrid()
	c.deps.Refresh()
}

// History is the operation history shown (oldest first).
func (c *CleanseStep) History() []cleanse.Op { return c.ops }

// Suggestions are the findings offered as suggested operations.
func (c *CleanseStep) Suggestions() []audit.Finding { return c.findings }

// Notice is the message shown at the top (after an operation, undo, redo, replay).
func (c *CleanseStep) Notice() string { return c.notice.Text() }

// SetUp opens the editor (or, for duplicates a person must review, the duplicate review) for a
// finding's suggested operation, prefilled.
func (c *CleanseStep) SetUp(f audit.Finding) {
	if isDuplicateKind(f.Kind) && (f.Kind == audit.KindDuplicateFuzzy || f.Suggest["review"] == true) {
		c.review.load(f)
		c.tabs.Select(c.dupTab)
		return
	}
	step, err := cleanse.FromFinding(f)
	if err != nil {
		c.deps.ShowError(err)
		return
	}
	c.editor.edit(step, findingTitle(f))
	c.tabs.Select(c.opTab)
	if step.Validate() == nil {
		c.editor.Preview() // what it would change, before anyone presses Apply
	}
}

// NewOperation opens the editor on an empty step of op ("" lets the person choose).
func (c *CleanseStep) NewOperation(op string) {
	t := c.rows.table
	if t == "" && len(c.tables) > 0 {
		t = c.tables[0].Name
	}
	c.editor.edit(cleanse.Step{Op: op, Table: t}, "")
	c.tabs.Select(c.opTab)
}

// Editor is the operation editor (tests drive it).
func (c *CleanseStep) Editor() *opEditor { return c.editor }

// Review is the duplicate review.
func (c *CleanseStep) Review() *clusterReview { return c.review }

// RowsView is the rows tab.
func (c *CleanseStep) RowsView() *changedRowsView { return c.rows }

// Undo reverts the latest applied operation.
func (c *CleanseStep) Undo() {
	c.undoBtn.Disable()
	goBackground(func() {
		op, err := cleanse.Undo(c.ctx, c.p)
		uiDo(func() {
			if err != nil {
				c.deps.ShowError(err)
				c.updateButtons()
				return
			}
			c.changed(fmt.Sprintf("Undone: operation %d, %s on %s. The values are back as they were.", op.ID, opTitle(op.Op), stepWhere(op.Step, op.Table)))
		})
	})
}

// KeyUndo is Ctrl+Z (Cmd+Z on macOS) while the Cleanse step is on screen: the latest operation is undone.
func (c *CleanseStep) KeyUndo() {
	if !c.readOnly && !c.undoBtn.Disabled() {
		c.Undo()
	}
}

// KeyRedo is Ctrl+Y or Ctrl+Shift+Z: the operation undone last is applied again.
func (c *CleanseStep) KeyRedo() {
	if !c.readOnly && !c.redoBtn.Disabled() {
		c.Redo()
	}
}

// Redo applies the operation undone last again.
func (c *CleanseStep) Redo() {
	c.redoBtn.Disable()
	goBackground(func() {
		res, err := cleanse.Redo(c.ctx, c.p, cleanse.Options{})
		uiDo(func() {
			if err != nil {
				c.deps.ShowError(err)
				c.updateButtons()
				return
			}
			c.changed(fmt.Sprintf("Redone: operation %d, %s.", res.OpID, outcomeWords(&res.Outcome)))
		})
	})
}

// ExportDialog saves the applied operations as a recipe, to replay on the final export at cutover.
func (c *CleanseStep) ExportDialog() {
	suggested := filepath.Join(filepath.Dir(c.p.Path), c.p.Name()+" cleanse recipe.json")
	c.deps.Files().Save("Export the cleanse recipe", suggested, []Filter{{Name: "Cleanse recipes", Exts: []string{".json"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				c.deps.ShowError(err)
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), ".json") {
				path += ".json"
			}
			goBackground(func() {
				err := func() error {
					rc, err := cleanse.Export(c.ctx, c.p, c.p.Name())
					if err != nil {
						return err
					}
					b, err := rc.Marshal()
					if err != nil {
						return err
					}
					return os.WriteFile(path, b, 0o644)
				}()
				uiDo(func() {
					if err != nil {
						c.deps.ShowError(fmt.Errorf("exporting the recipe: %w", err))
						return
					}
					c.notice.show("Recipe saved to "+path+". Apply it to the final export at cutover to repeat every change.", false)
				})
			})
		})
}

// ReplayDialog asks for a recipe and replays it.
func (c *CleanseStep) ReplayDialog() {
	c.deps.Files().Open("Apply a cleanse recipe", []Filter{{Name: "Cleanse recipes", Exts: []string{".json"}}},
		func(path string, err error) {
			if err != nil || path == "" {
				c.deps.ShowError(err)
				return
			}
			c.Replay(path)
		})
}

// Replay applies the recipe in the file at path; when it does not fit the project, what stops
// it is listed in words under the history.
func (c *CleanseStep) Replay(path string) {
	c.recipeMsg.Hide()
	goBackground(func() {
		var res *cleanse.ReplayResult
		b, err := os.ReadFile(path)
		if err == nil {
			var rc *cleanse.Recipe
			rc, err = cleanse.ParseRecipe(b)
			if err == nil {
				res, err = cleanse.Replay(c.ctx, c.p, rc, cleanse.ReplayOptions{})
			}
		}
		uiDo(func() {
			var mm *cleanse.MismatchError
			switch {
			case errors.As(err, &mm):
				c.recipeMsg.SetText(replayProblems(mm.Report))
				c.recipeMsg.Importance = widget.DangerImportance
				c.recipeMsg.Show()
			case err != nil:
				c.deps.ShowError(fmt.Errorf("applying the recipe %s: %w", filepath.Base(path), err))
			default:
				var cells, removed int64
				for _, s := range res.Steps {
					cells += s.Cells
					removed += s.Removed
				}
				c.recipeMsg.SetText(fmt.Sprintf("Recipe applied: %s, %s changed, %s taken out.", plural64(int64(len(res.Steps)), "operation", "operations"),
					plural64(cells, "cell", "cells"), plural64(removed, "row", "rows")))
				c.recipeMsg.Importance = widget.SuccessImportance
				c.recipeMsg.Show()
				c.changed("")
			}
		})
	})
}

// RecipeMessage is what the last recipe replay said.
func (c *CleanseStep) RecipeMessage() string {
	if c.recipeMsg.Hidden {
		return ""
	}
	return c.recipeMsg.Text
}

func replayProblems(r *cleanse.CheckReport) string {
	var b strings.Builder
	b.WriteString("The recipe does not fit this project, so nothing was changed:")
	for _, p := range r.Problems {
		b.WriteString("\n• " + p.Message)
		if p.Candidate != "" && !strings.Contains(p.Message, p.Candidate) {
			b.WriteString(" (perhaps it is now called " + p.Candidate + ")")
		}
	}
	return b.String()
}

// progressThrottle limits progress updates to the UI.
const progressThrottle = 100 * time.Millisecond

func isDuplicateKind(k string) bool {
	return k == audit.KindDuplicateFuzzy || k == audit.KindDuplicateKey || k == audit.KindDuplicateExact
}

func stepWhere(s cleanse.Step, table string) string {
	if table == "" {
		table = s.Table
	}
	switch {
	case s.Column != "":
		return table + "." + s.Column
	case len(s.Columns) > 0:
		return table + "." + strings.Join(s.Columns, "+")
	}
	return table
}

func historyLine(op cleanse.Op) string {
	var parts []string
	if op.Cells > 0 || op.Removed == 0 {
		parts = append(parts, plural64(op.Cells, "cell", "cells")+" in "+plural64(op.Rows, "row", "rows"))
	}
	if op.Removed > 0 {
		parts = append(parts, plural64(op.Removed, "row", "rows")+" taken out")
	}
	who := op.AppliedBy
	if at := shortTime(op.AppliedAt); at != "" {
		who += ", " + at
	}
	parts = append(parts, who)
	switch {
	case op.Stale:
		parts = append(parts, "table imported again since")
	case op.State == cleanse.Undone:
		parts = append(parts, "undone")
	}
	return strings.Join(parts, " · ")
}

func shortTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Local().Format("2 Jan 15:04")
		}
	}
	return s
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// opTitle names an operation in plain words.
func opTitle(op string) string {
	if t, ok := opTitles[op]; ok {
		return t
	}
	return strings.ReplaceAll(op, "_", " ")
}

var opTitles = map[string]string{
	cleanse.OpTrim:            "Trim spaces",
	cleanse.OpChangeCase:      "Change case",
	cleanse.OpTitleCase:       "Capitalise names",
	cleanse.OpNormalisePhone:  "Format phone numbers",
	cleanse.OpNormaliseEmail:  "Tidy e-mail addresses",
	cleanse.OpFixEmailDomain:  "Fix e-mail provider typos",
	cleanse.OpRestoreZipZeros: "Restore ZIP code zeros",
	cleanse.OpNormaliseDate:   "Normalise dates",
	cleanse.OpSplitName:       "Split names",
	cleanse.OpMergeColumns:    "Merge columns",
	cleanse.OpReplace:         "Find and replace",
	cleanse.OpMapValues:       "Map values to a short list",
	cleanse.OpFillBlank:       "Fill blanks",
	cleanse.OpSetBlank:        "Empty placeholder values",
	cleanse.OpPurge:           "Purge rows",
	cleanse.OpMergeDuplicates: "Merge duplicates",
}

// outcomeWords says what an operation changes or changed.
func outcomeWords(o *cleanse.Outcome) string {
	var parts []string
	if o.Cells > 0 || o.Removed == 0 {
		parts = append(parts, plural64(o.Cells, "cell", "cells")+" in "+plural64(o.Rows, "row", "rows"))
	}
	if o.Removed > 0 {
		parts = append(parts, plural64(o.Removed, "row", "rows")+" taken out")
	}
	if len(o.Added) > 0 {
		parts = append(parts, "new "+pluralWord(len(o.Added), "column", "columns")+" "+strings.Join(o.Added, ", "))
	}
	return strings.Join(parts, ", ")
}
