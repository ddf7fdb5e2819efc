package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/staging"
)

// issuesListed is how many issues of a table the list reads; the counts above it say how many
// there are in all.
const issuesListed = 5000

// issueKinds says what each kind of import issue means, for a practice manager.
var issueKinds = map[string]struct{ title, meaning string }{
	"missing_cells":   {"Fewer values than columns", "the missing values are left empty; nothing was invented"},
	"extra_cells":     {"More values than columns", "the extra values are kept aside with the row, nothing is lost"},
	"invalid_bytes":   {"Characters that could not be read", "they were replaced by �; if names look wrong, re-import with another encoding"},
	"nul_byte":        {"Hidden NUL characters", "an invisible character some old systems write; it was removed"},
	"parse":           {"Malformed rows", "for example a stray quote; the row was read as well as possible"},
	"blank_lines":     {"Blank lines", "they were skipped"},
	"skipped_line":    {"Lines above the header", "title or date lines that are not data were skipped"},
	"encoding":        {"Encoding", "how the file's letters were read"},
	"merged_cells":    {"Merged cells", "the value is kept in the first cell of each merged range"},
	"display_rounded": {"Numbers Excel shows rounded", "the full stored number was kept"},
	"dates":           {"Dates", "how the workbook's dates were read"},
	"empty_sheet":     {"Empty sheets", "nothing was staged from them"},
}

// issueTitle is the heading of a kind of issue.
func issueTitle(kind string) string {
	if k, ok := issueKinds[kind]; ok {
		return k.title
	}
	t := strings.ReplaceAll(kind, "_", " ")
	if t == "" {
		return "Other"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// issueWhere is "Line 12, column 4 (PHONE)".
func issueWhere(i staging.Issue) string {
	var parts []string
	if i.Sheet != "" {
		parts = append(parts, "Sheet "+i.Sheet)
	}
	if i.Line > 0 {
		parts = append(parts, "line "+fmtInt(i.Line))
	}
	if i.Column > 0 {
		c := fmt.Sprintf("column %d", i.Column)
		if i.ColumnName != "" {
			c += " (" + i.ColumnName + ")"
		}
		parts = append(parts, c)
	} else if i.ColumnName != "" {
		parts = append(parts, "column "+i.ColumnName)
	}
	if len(parts) == 0 {
		return "Whole file"
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// issuesView lists what the importer reported about a table: counts by kind in words, then each
// issue with where it is (file, line, column) and what it means.
type issuesView struct {
	root    fyne.CanvasObject
	summary *widget.Label
	list    *widget.List
	detail  *widget.Label
	items   []staging.Issue
	gen     int
}

func newIssuesView() *issuesView {
	v := &issuesView{summary: wrapped(""), detail: wrapped("")}
	v.detail.Hide()
	v.list = widget.NewList(
		func() int { return len(v.items) },
		func() fyne.CanvasObject {
			where := widget.NewLabel("Line 1,234,567, column 12")
			where.SizeName = theme.SizeNameCaptionText
			where.Truncation = fyne.TextTruncateEllipsis
			kind := widget.NewLabel("Fewer values than columns")
			kind.TextStyle = fyne.TextStyle{Bold: true}
			kind.SizeName = theme.SizeNameCaptionText
			kind.Truncation = fyne.TextTruncateEllipsis
			msg := widget.NewLabel("message")
			msg.Truncation = fyne.TextTruncateEllipsis
			left := container.New(&minWidth{Width: 210}, container.New(&tightVBox{}, where, kind))
			return container.NewBorder(nil, nil, left, nil, msg)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(v.items) {
				return
			}
			i := v.items[id]
			b := o.(*fyne.Container)
			msg := b.Objects[0].(*widget.Label)
			texts := b.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(issueWhere(i))
			texts.Objects[1].(*widget.Label).SetText(issueTitle(i.Kind))
			msg.SetText(oneLine(i.Message))
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		if id < len(v.items) {
			i := v.items[id]
			text := fmt.Sprintf("%s, %s: %s", i.File, strings.ToLower(issueWhere(i)[:1])+issueWhere(i)[1:], i.Message)
			if k, ok := issueKinds[i.Kind]; ok {
				text += "\n" + k.title + ": " + k.meaning + "."
			}
			v.detail.SetText(text)
			v.detail.Show()
		}
	}
	v.root = container.NewBorder(container.NewVBox(v.summary, widget.NewSeparator()), v.detail, nil, nil, v.list)
	return v
}

// load reads the issues of t in the background.
func (v *issuesView) load(s *SourcesStep, t staging.TableInfo) {
	v.gen++
	gen := v.gen
	if t.Issues == 0 {
		v.apply(t, nil, nil)
		return
	}
	v.summary.SetText("Reading what the import reported…")
	goBackground(func() {
		items, err := s.st.Issues(s.ctx, t.Name, 0, issuesListed)
		var counts map[string]int64
		if err == nil {
			counts, err = s.st.IssueCounts(s.ctx, t.Name)
		}
		uiDo(func() {
			if gen != v.gen || s.ctx.Err() != nil {
				return
			}
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			v.apply(t, items, counts)
		})
	})
}

// apply shows the issues listed and the counts by kind of all of them (the engine's, not just
// of the first issuesListed).
func (v *issuesView) apply(t staging.TableInfo, items []staging.Issue, counts map[string]int64) {
	v.items = items
	v.list.UnselectAll()
	v.detail.Hide()
	v.list.Refresh()
	if len(items) == 0 {
		v.summary.SetText(fmt.Sprintf("Nothing to report: every row of %s was read as it is.", sourceFileLabel(t.Source)))
		return
	}
	var lines []string
	head := fmt.Sprintf("Reading %s, Ferry noticed %s. Every row is kept; flagged rows are highlighted in Rows.",
		sourceFileLabel(t.Source), plural64(t.Issues, "thing worth knowing", "things worth knowing"))
	lines = append(lines, head)
	for _, k := range sortedKeys(counts) {
		line := fmt.Sprintf("• %s: %s", issueTitle(k), fmtInt(counts[k]))
		if m, ok := issueKinds[k]; ok {
			line += " — " + m.meaning
		}
		lines = append(lines, line+".")
	}
	if int64(len(items)) < t.Issues {
		lines = append(lines, fmt.Sprintf("The first %s are listed below.", fmtInt(int64(len(items)))))
	}
	v.summary.SetText(strings.Join(lines, "\n"))
}
