package parallel

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/project"
)

// Sheet names of the export.
const (
	SheetChecklist   = "Checklist"
	SheetComparisons = "Comparisons"
	SheetDifferences = "Differences"
)

// Safe neutralises text a spreadsheet would run as a formula (=, +, -, @, and tab or carriage
// return before them) by putting an apostrophe in front. Exported values come from files and
// people Ferry does not control.
func Safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportFile writes the export to path, atomically: the file appears complete or not at all.
func ExportFile(ctx context.Context, p *project.Project, path string) error {
	tmp := path + ".writing"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := Export(ctx, p, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Export writes the checklist, the comparisons and their differences as an XLSX workbook: one
// sheet each, with a header row, frozen panes and filters.
func Export(ctx context.Context, p *project.Project, w io.Writer) error {
	c, err := checklist.Load(ctx, p)
	if err != nil {
		return err
	}
	runs, err := compare.List(ctx, p)
	if err != nil {
		return err
	}
	trend, err := compare.Trend(ctx, p)
	if err != nil {
		return err
	}
	inTrend := map[int64]bool{}
	for _, pt := range trend {
		inTrend[pt.Comparison] = true
	}

	f := excelize.NewFile()
	defer f.Close()
	x := &sheetWriter{f: f}
	x.header, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F5F8B"}}, Alignment: &excelize.Alignment{Vertical: "center"}})
	x.wrap, _ = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	x.top, _ = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})

	if err := f.SetSheetName("Sheet1", SheetChecklist); err != nil {
		return err
	}
	x.start(SheetChecklist, []column{{"Group", 22}, {"#", 5}, {"Item", 48}, {"Description", 60}, {"Kind", 9}, {"Required", 9},
		{"Owner", 18}, {"Due", 16}, {"Status", 14}, {"Blocks go-live", 16}, {"Checked by", 16}, {"Checked at", 18},
		{"Signed by", 18}, {"Signed at", 18}, {"Notes", 40}, {"Evidence (name, size, SHA-256)", 60}})
	for _, g := range c.Groups {
		for i, it := range g.Items {
			var ev []string
			for _, e := range it.Evidence {
				ev = append(ev, fmt.Sprintf("%s, %d bytes, %s", e.Name, e.Size, e.SHA256))
			}
			kind := "task"
			if it.Kind == checklist.SignOff {
				kind = "sign-off"
			}
			x.row([]any{g.Name, i + 1, it.Title, it.Description, kind, yesNo(it.Required), it.Owner, it.Due,
				string(it.Status), checklist.BlockReason(it), it.CheckedBy, stamp(it.CheckedAt), it.SignedBy, stamp(it.SignedAt),
				it.Notes, strings.Join(ev, "\n")})
		}
	}
	x.finish()

	x.start(SheetComparisons, []column{{"Day", 12}, {"What", 18}, {"Key column", 14}, {"In the trend", 12}, {"Old rows", 10},
		{"New rows", 10}, {"Matched", 10}, {"Missing in new", 14}, {"Only in new", 12}, {"Changed", 10},
		{"Totals", 50}, {"Totals that differ", 14}, {"Old file", 28}, {"Old file SHA-256", 30}, {"New file", 28},
		{"New file SHA-256", 30}, {"Compared by", 16}, {"Compared at", 18}, {"Columns on one side only", 30}, {"Notes", 40}})
	for i := len(runs) - 1; i >= 0; i-- { // oldest first
		r := runs[i]
		var totals, oneSide, notes []string
		for _, s := range r.Sums {
			totals = append(totals, fmt.Sprintf("%s: old %s, new %s, difference %s", s.Column, s.Old, s.New, s.Difference))
		}
		if len(r.Notes.OnlyInOld) > 0 {
			oneSide = append(oneSide, "old only: "+strings.Join(r.Notes.OnlyInOld, ", "))
		}
		if len(r.Notes.OnlyInNew) > 0 {
			oneSide = append(oneSide, "new only: "+strings.Join(r.Notes.OnlyInNew, ", "))
		}
		if len(r.Notes.DuplicateKeys) > 0 {
			notes = append(notes, "keys found more than once: "+strings.Join(r.Notes.DuplicateKeys, ", "))
		}
		if len(r.Notes.TotalLines) > 0 {
			notes = append(notes, "totals lines left out: "+strings.Join(r.Notes.TotalLines, ", "))
		}
		trendNote := "yes"
		if !inTrend[r.ID] {
			trendNote = "replaced"
		}
		x.row([]any{r.Day, r.Entity, r.KeyColumn, trendNote, r.OldRows, r.NewRows, r.Matched, r.MissingInNew,
			r.MissingInOld, r.Changed, strings.Join(totals, "\n"), r.SumsDiffer(), r.OldFile, r.OldSHA256, r.NewFile, r.NewSHA256,
			r.CreatedBy, stamp(r.CreatedAt), strings.Join(oneSide, "\n"), strings.Join(notes, "\n")})
	}
	x.finish()

	x.start(SheetDifferences, []column{{"Day", 12}, {"What", 18}, {"Key column", 14}, {"Key", 14}, {"Difference", 24},
		{"Column", 16}, {"Old system", 40}, {"New system", 40}, {"Old line", 9}, {"New line", 9}, {"Checklist item", 40}})
	for _, pt := range trend {
		r, err := compare.Get(ctx, p, pt.Comparison)
		if err != nil {
			return err
		}
		for _, d := range r.Differences {
			item := ""
			if it := c.Item(d.ItemID); it != nil {
				item = fmt.Sprintf("%s (%s)", it.Title, it.Status)
			}
			x.row([]any{r.Day, r.Entity, r.KeyColumn, d.Key, d.Kind.Words(), d.Column, d.Old, d.New, lineNo(d.OldLine),
				lineNo(d.NewLine), item})
		}
	}
	x.finish()
	if x.err != nil {
		return fmt.Errorf("writing the parallel-run workbook: %w", x.err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing the parallel-run workbook: %w", err)
	}
	return nil
}

type column struct {
	name  string
	width float64
}

// sheetWriter writes one sheet at a time, keeping the first error.
type sheetWriter struct {
	f                 *excelize.File
	header, wrap, top int
	sheet             string
	cols              []column
	n                 int
	err               error
}

func (x *sheetWriter) keep(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *sheetWriter) start(sheet string, cols []column) {
	x.sheet, x.cols, x.n = sheet, cols, 1
	if idx, _ := x.f.GetSheetIndex(sheet); idx < 0 {
		_, err := x.f.NewSheet(sheet)
		x.keep(err)
	}
	names := make([]any, len(cols))
	for i, c := range cols {
		names[i] = c.name
		col, _ := excelize.ColumnNumberToName(i + 1)
		x.keep(x.f.SetColWidth(sheet, col, col, c.width))
	}
	x.keep(x.f.SetSheetRow(sheet, "A1", &names))
	last, _ := excelize.ColumnNumberToName(len(cols))
	x.keep(x.f.SetCellStyle(sheet, "A1", last+"1", x.header))
	x.keep(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
}

func (x *sheetWriter) row(vals []any) {
	x.n++
	for i, v := range vals {
		ref, _ := excelize.CoordinatesToCellName(i+1, x.n)
		style := x.top
		switch v := v.(type) {
		case string:
			x.keep(x.f.SetCellStr(x.sheet, ref, Safe(v)))
			if strings.Contains(v, "\n") || len(v) > 60 {
				style = x.wrap
			}
		case int:
			x.keep(x.f.SetCellInt(x.sheet, ref, int64(v)))
		default:
			x.keep(x.f.SetCellValue(x.sheet, ref, v))
		}
		x.keep(x.f.SetCellStyle(x.sheet, ref, ref, style))
	}
}

func (x *sheetWriter) finish() {
	last, _ := excelize.ColumnNumberToName(len(x.cols))
	x.keep(x.f.AutoFilter(x.sheet, fmt.Sprintf("A1:%s%d", last, max(x.n, 2)), nil))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

func lineNo(n int64) any {
	if n == 0 {
		return ""
	}
	return int(n)
}
