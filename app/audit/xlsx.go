package audit

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// safe neutralises text a spreadsheet would run as a formula (=, +, -, @, tab or carriage return
// first) by putting an apostrophe in front; plain numbers such as -40.00 are left as they are.
// Cell values come from files Ferry does not control.
func safe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, _, _, ok := parseNumber(s); ok {
		return s
	}
	return "'" + s
}

// WriteXLSX writes the report as a workbook: a Summary sheet, one sheet per table with its
// column profiles, and a Findings sheet with example rows. Header rows are styled and frozen,
// columns sized to be read.
func WriteXLSX(rep *Report, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	st, err := newSheetStyles(x)
	if err != nil {
		return fmt.Errorf("writing the audit workbook: %w", err)
	}
	names := sheetNames(rep)
	if err := writeSummary(x, st, rep, names); err != nil {
		return fmt.Errorf("writing the audit workbook: %w", err)
	}
	if err := writeFindings(x, st, rep); err != nil {
		return fmt.Errorf("writing the audit workbook: %w", err)
	}
	for _, t := range rep.Tables {
		if err := writeTable(x, st, t, names[t.Name]); err != nil {
			return fmt.Errorf("writing the audit workbook, sheet %s: %w", t.Name, err)
		}
	}
	x.SetActiveSheet(0)
	if err := x.Write(w); err != nil {
		return fmt.Errorf("writing the audit workbook: %w", err)
	}
	return nil
}

type sheetStyles struct {
	title, header, wrap, num, pct, error, warning, info int
}

func newSheetStyles(x *excelize.File) (*sheetStyles, error) {
	var s sheetStyles
	var err error
	border := []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = x.NewStyle(st)
		return id
	}
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Color: []string{"305496"}, Pattern: 1},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	s.num = mk(&excelize.Style{NumFmt: 3, Alignment: &excelize.Alignment{Vertical: "top"}})
	s.pct = mk(&excelize.Style{NumFmt: 9, Alignment: &excelize.Alignment{Vertical: "top"}})
	sev := func(color string) int {
		return mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: color}, Alignment: &excelize.Alignment{Vertical: "top"}})
	}
	s.error, s.warning, s.info = sev("C00000"), sev("C65911"), sev("2F5597")
	return &s, err
}

// sheetNames gives every table a valid, unique sheet name (31 characters, no []:*?/\).
func sheetNames(rep *Report) map[string]string {
	used := map[string]bool{"summary": true, "findings": true}
	out := map[string]string{}
	for _, t := range rep.Tables {
		base := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\`, r) {
				return '_'
			}
			return r
		}, t.Name)
		base = strings.Trim(base, "'")
		if base == "" {
			base = "table"
		}
		if r := []rune(base); len(r) > 28 {
			base = string(r[:28])
		}
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = base + " " + strconv.Itoa(n)
		}
		used[strings.ToLower(name)] = true
		out[t.Name] = name
	}
	return out
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// setRow writes values from column 1: strings neutralised, numbers as numbers.
func setRow(x *excelize.File, sheet string, row int, vals ...any) error {
	for i, v := range vals {
		if s, ok := v.(string); ok {
			v = safe(s)
		}
		if err := x.SetCellValue(sheet, cell(i+1, row), v); err != nil {
			return err
		}
	}
	return nil
}

func header(x *excelize.File, st *sheetStyles, sheet string, row int, widths []float64, titles ...string) error {
	for i, t := range titles {
		if err := x.SetCellStr(sheet, cell(i+1, row), t); err != nil {
			return err
		}
		if i < len(widths) {
			col, _ := excelize.ColumnNumberToName(i + 1)
			if err := x.SetColWidth(sheet, col, col, widths[i]); err != nil {
				return err
			}
		}
	}
	if err := x.SetCellStyle(sheet, cell(1, row), cell(len(titles), row), st.header); err != nil {
		return err
	}
	return x.SetPanes(sheet, &excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: row, TopLeftCell: cell(1, row+1), ActivePane: "bottomLeft"})
}

func writeSummary(x *excelize.File, st *sheetStyles, rep *Report, names map[string]string) error {
	const sh = "Summary"
	x.SetSheetName("Sheet1", sh)
	x.SetCellStr(sh, "A1", "Audit")
	x.SetCellStyle(sh, "A1", "A1", st.title)
	lines := [][]any{
		{"Run", rep.RunID},
		{"Finished", rep.Finished.Local().Format("2 Jan 2006 15:04")},
		{"Region", rep.Region},
		{"Reference date", rep.ReferenceDate},
		{"Findings", rep.Summary.Findings},
		{"Errors", rep.Summary.Errors},
		{"Warnings", rep.Summary.Warnings},
		{"For information", rep.Summary.Infos},
	}
	for i, l := range lines {
		if err := setRow(x, sh, i+2, l...); err != nil {
			return err
		}
	}
	r := len(lines) + 3
	if err := header(x, st, sh, r, []float64{28, 14, 14, 14, 14, 14}, "Table", "Rows", "Columns", "Errors", "Warnings", "Info"); err != nil {
		return err
	}
	// the table header is not the top of the sheet: freeze nothing here
	x.SetPanes(sh, &excelize.Panes{Freeze: false})
	for _, t := range rep.Tables {
		r++
		var e, w, in int
		for _, f := range rep.Findings {
			if f.Table == t.Name {
				switch f.Severity {
				case Error:
					e++
				case Warning:
					w++
				default:
					in++
				}
			}
		}
		if err := setRow(x, sh, r, t.Name, t.Rows, len(t.Columns), e, w, in); err != nil {
			return err
		}
		x.SetCellHyperLink(sh, cell(1, r), "'"+names[t.Name]+"'!A1", "Location")
	}
	r += 2
	if len(rep.Totals.Money) > 0 {
		if err := setRow(x, sh, r, "Money totals (exact)"); err != nil {
			return err
		}
		x.SetCellStyle(sh, cell(1, r), cell(1, r), st.title)
		r++
		for i, t := range []string{"Table", "Column", "Sum", "Amounts", "Formatted", "Not amounts"} {
			x.SetCellStr(sh, cell(i+1, r), t)
		}
		x.SetCellStyle(sh, cell(1, r), cell(6, r), st.header)
		for _, m := range rep.Totals.Money {
			r++
			if err := setRow(x, sh, r, m.Table, m.Column, m.Sum, m.Parsed, m.Formatted, m.NonNumeric); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFindings(x *excelize.File, st *sheetStyles, rep *Report) error {
	const sh = "Findings"
	if _, err := x.NewSheet(sh); err != nil {
		return err
	}
	if err := header(x, st, sh, 1, []float64{10, 18, 16, 18, 10, 70, 50, 36},
		"Severity", "Kind", "Table", "Column", "Count", "What was found", "Examples (row, line, key: value)", "Suggested cleanse"); err != nil {
		return err
	}
	for i, f := range rep.Findings {
		r := i + 2
		var ex []string
		for _, e := range f.Examples {
			s := fmt.Sprintf("row %d, line %d", e.Row, e.Line)
			if e.Key != "" {
				s += ", " + e.Key
			}
			ex = append(ex, s+": "+truncate(strings.ReplaceAll(e.Value, "\r\n", " "), 80))
		}
		sugg := ""
		if len(f.Suggest) > 0 {
			s := Suggestion{}
			for k, v := range f.Suggest {
				if k != "cluster_ids" {
					s[k] = v
				}
			}
			sugg = mustJSON(s)
		}
		if err := setRow(x, sh, r, f.Severity, f.Kind, f.Table, f.Column, f.Count, f.Message, strings.Join(ex, "\n"), sugg); err != nil {
			return err
		}
		sev := map[string]int{Error: st.error, Warning: st.warning}[f.Severity]
		if sev == 0 {
			sev = st.info
		}
		x.SetCellStyle(sh, cell(1, r), cell(1, r), sev)
		x.SetCellStyle(sh, cell(5, r), cell(5, r), st.num)
		x.SetCellStyle(sh, cell(6, r), cell(8, r), st.wrap)
	}
	if len(rep.Findings) > 0 {
		if err := x.AutoFilter(sh, "A1:"+cell(8, len(rep.Findings)+1), nil); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(x *excelize.File, st *sheetStyles, t TableProfile, sh string) error {
	if _, err := x.NewSheet(sh); err != nil {
		return err
	}
	if err := header(x, st, sh, 1, []float64{24, 12, 11, 16, 10, 10, 11, 9, 22, 22, 9, 9, 11, 28, 18, 40, 30},
		"Column", "Type", "Confidence", "Role", "Nulls", "Blanks", "Distinct", "Exact", "Min", "Max", "Min length",
		"Max length", "Date order", "Date formats", "Sum", "Top values", "Shapes"); err != nil {
		return err
	}
	for i, c := range t.Columns {
		r := i + 2
		var top, shapes, formats []string
		for _, v := range c.Top {
			if len(top) == 5 {
				break
			}
			top = append(top, fmt.Sprintf("%s (%s)", truncate(v.Value, 30), num(v.Count)))
		}
		for _, v := range c.Shapes {
			if len(shapes) == 4 {
				break
			}
			shapes = append(shapes, fmt.Sprintf("%s (%s)", v.Value, num(v.Count)))
		}
		keys := sortedKeys(c.DateFormats)
		sort.Slice(keys, func(a, b int) bool { return c.DateFormats[keys[a]] > c.DateFormats[keys[b]] })
		for _, k := range keys {
			formats = append(formats, fmt.Sprintf("%s (%s)", k, num(c.DateFormats[k])))
		}
		exact := "yes"
		if !c.DistinctExact {
			exact = "estimate"
		}
		if err := setRow(x, sh, r, c.Name, c.Type, c.Confidence, c.Role, c.Nulls, c.Blanks, c.Distinct, exact, c.Min, c.Max,
			c.MinLength, c.MaxLength, c.DateOrder, strings.Join(formats, "\n"), c.Sum, strings.Join(top, "\n"), strings.Join(shapes, "\n")); err != nil {
			return err
		}
		x.SetCellStyle(sh, cell(3, r), cell(3, r), st.pct)
		x.SetCellStyle(sh, cell(5, r), cell(7, r), st.num)
		x.SetCellStyle(sh, cell(14, r), cell(17, r), st.wrap)
	}
	return nil
}
