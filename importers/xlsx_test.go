package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/staging"
)

// xlsxFile builds a workbook with excelize and saves it in a temp dir.
func xlsxFile(t testing.TB, name string, build func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	build(f)
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func xlsxStyle(t testing.TB, f *excelize.File, builtin int, custom string) int {
	t.Helper()
	s := excelize.Style{NumFmt: builtin}
	if custom != "" {
		s.CustomNumFmt = &custom
	}
	id, err := f.NewStyle(&s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func tableCells(tb *staging.MemoryTable) [][]string {
	var out [][]string
	for _, r := range tb.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func tableLines(tb *staging.MemoryTable) []int64 {
	var out []int64
	for _, r := range tb.Rows {
		out = append(out, r.Line)
	}
	return out
}

func tableIssueKinds(tb *staging.MemoryTable) []string {
	var out []string
	for _, is := range tb.Issues {
		out = append(out, is.Kind)
	}
	return out
}

func TestXLSXSpoutEdgeCases(t *testing.T) {
	dir := filepath.Join(messyDir, "spout", "xlsx")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared test data not found")
	}
	refused := map[string]string{
		"attack_billion_laughs.xlsx":                          "declares XML entities",
		"attack_quadratic_blowup.xlsx":                        "declares XML entities",
		"csv_test_create_from_file.xlsx":                      "no data to import",
		"file_corrupted.xlsx":                                 "not an Excel workbook",
		"file_with_no_sheets_in_workbook_xml.xlsx":            "lists no sheets",
		"file_with_sheet_xml_not_matching_content_types.xlsx": "its data is missing",
		"one_sheet_with_invalid_xml_characters.xlsx":          "is damaged: its XML is invalid",
		"sheet_with_no_cells.xlsx":                            "no data to import",
		"two_sheets_one_hidden_one_not.xlsx":                  "every sheet is empty",
	}
	noHeader := Options{Header: "no"}
	values := map[string][][]string{
		"sheet_with_all_cell_types.xlsx": {{"s1--A1", "s1--A2", "FALSE", "TRUE", "2015-06-03T13:21:58Z", "2015-06-01", "10", "10.43", "ERROR", "weird string", "invalid::date"}},
		"sheet_with_dates_and_times.xlsx": {
			{"2016-01-13", "2016-01-13", "2016-01-13", "2016-01-13", "2016-01-13"},
			{"04:43:25", "04:43:25", "04:43:25", "04:43:25", "16:43:25"},
			{"1976-11-22T08:30:00.000", "1976-11-22T08:30", "1582-10-15", "08:30:00", "08:30"},
		},
		"sheet_with_different_numeric_value_dates.xlsx": {
			{"2015-09-01", "2015-09-02", "2015-09-01T22:23:00"},
			{"1900-02-28T23:59:59", "1900-03-01T00:00:00", "1900-02-29T11:00:00"},
		},
		"sheet_with_different_numeric_value_dates_1904_calendar.xlsx": {
			{"2019-09-02", "2019-09-03", "2019-09-02T22:23:00"},
			{"1904-02-29T23:59:59", "1904-03-02T00:00:00", "1904-03-01T11:00:00"}, // 1904 was a real leap year
		},
		"sheet_with_different_numeric_value_times.xlsx":                  {{"00:00:00", "11:29:00", "23:29:00", "01:42:25", "13:42:25"}},
		"sheet_with_custom_date_formats_and_no_apply_number_format.xlsx": {{"42382", "42382", "2016-01-13", "2016-01-13", "04:43:25"}},
		"sheet_with_untrimmed_inline_strings.xlsx":                       {{"A"}, {" A "}, {"\n\tA\n\t"}},
		"sheet_with_preserve_space_shared_strings.xlsx":                  {{"  s1--A1", "s1--B1  ", "  s1--C1  "}},
		"sheet_with_zeros_in_row.xlsx":                                   {{"A", "B", "C"}, {"1", "2", "3"}, {"0", "0", "0"}},
		"sheet_with_formulas.xlsx":                                       {{"val1", "val2", "total1", "total2"}, {"10", "20", "30", "21"}, {"11", "21", "32", "41"}},
		"sheet_with_pronunciation.xlsx":                                  {{"名前", "一二三四"}},
		"one_sheet_with_pre_encoded_html_entities.xlsx":                  {{"quote: &#34; - ampersand: &amp;"}},
		"sheet_with_empty_cells.xlsx":                                    {{"A", "", "C"}, {"0", "", ""}, {"1", "1", ""}},
		"sheet_with_row_not_starting_at_column_a.xlsx":                   {{"", "", "s1--C1", "s1--D1", "s1--E1"}},
		"sheet_with_multiple_value_nodes_in_inline_strings.xlsx":         {{"VALUE 1 VALUE 2 VALUE 3 VALUE 4", "s1 - B1"}},
		"one_sheet_with_shared_multiline_strings.xlsx":                   {{"s1\nA1", "s1\nB1", "s1\nC1", "s1\nD1", "s1\nE1"}, {"s1\nA2", "s1\nB2", "s1\nC2", "s1\nD2", "s1\nE2"}, {"s1\nA3", "s1\nB3", "s1\nC3", "s1\nD3", "s1\nE3"}, {"s1\nA4", "s1\nB4", "s1\nC4", "s1\nD4", "s1\nE4"}, {"s1\nA5", "s1\nB5", "s1\nC5", "s1\nD5", "s1\nE5"}},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 50 {
		t.Fatalf("expected the 50 spout workbooks, found %d", len(entries))
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		t.Run(name, func(t *testing.T) {
			opts := Options{}
			if _, ok := values[name]; ok {
				opts = noHeader
			}
			sink, err := importForTest(t, xlsxImporter{}, path, opts) // fails the test if it hangs
			if want, ok := refused[name]; ok {
				if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), name+":") {
					t.Fatalf("want a refusal naming the file and saying %q, got %v", want, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("import failed: %v", err)
			}
			if len(sink.Tables) == 0 {
				t.Fatal("no table staged")
			}
			for _, tb := range sink.Tables {
				if tb.Spec.Source.Sheet == "" || tb.Spec.Source.Format != "xlsx" {
					t.Errorf("table %q lacks provenance: %+v", tb.Spec.Name, tb.Spec.Source)
				}
				for _, r := range tb.Rows {
					if len(r.Cells) != len(tb.Spec.Columns) {
						t.Errorf("row %d has %d cells for %d columns", r.Line, len(r.Cells), len(tb.Spec.Columns))
					}
				}
			}
			if want, ok := values[name]; ok {
				got := tableCells(sink.Tables[0])
				if !reflect.DeepEqual(got, want) {
					t.Errorf("cells\n got %q\nwant %q", got, want)
				}
			}
		})
	}
}

func TestXLSXSpoutStructure(t *testing.T) {
	dir := filepath.Join(messyDir, "spout", "xlsx")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared test data not found")
	}
	stage := func(name string) *staging.MemorySink {
		t.Helper()
		sink, err := importForTest(t, xlsxImporter{}, filepath.Join(dir, name), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return sink
	}

	// empty rows and rows without an index keep their sheet row numbers
	tb := stage("sheet_with_empty_rows_and_missing_row_index.xlsx").Tables[0]
	if got := tableLines(tb); !reflect.DeepEqual(got, []int64{5, 6}) {
		t.Errorf("lines %v, want [5 6] (header on row 2)", got)
	}
	if tb.Spec.Source.SkippedLines != 0 || tb.Spec.Columns[0] != "s1--A2" {
		t.Errorf("header %q skipped %d", tb.Spec.Columns, tb.Spec.Source.SkippedLines)
	}

	// one table per sheet, named file_sheet; empty sheets are reported, not silently dropped
	sink := stage("sheet_with_prefixed_xml_files.xlsx")
	if len(sink.Tables) != 1 || sink.Tables[0].Spec.Name != "sheet_with_prefixed_xml_files_Sheet1" {
		t.Fatalf("tables %v", sinkTableNames(sink))
	}
	if n := strings.Count(strings.Join(tableIssueKinds(sink.Tables[0]), " "), "empty_sheet"); n != 2 {
		t.Errorf("want 2 empty_sheet issues (Sheet2, Sheet3), got %v", sink.Tables[0].Issues)
	}
	sink = stage("two_sheets_with_custom_names.xlsx")
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"two_sheets_with_custom_names_CustomName1", "two_sheets_with_custom_names_CustomName2"}) {
		t.Errorf("tables %v", got)
	}
	if sink.Tables[1].Spec.Source.Sheet != "CustomName2" || tableCells(sink.Tables[1])[0][0] != "s2 - A2" {
		t.Errorf("second sheet: %+v", sink.Tables[1].Spec.Source)
	}

	// a big shared-strings table and strict OOXML
	if tb := stage("sheet_with_lots_of_shared_strings.xlsx").Tables[0]; len(tb.Rows) != 2000 {
		t.Errorf("lots_of_shared_strings: %d rows", len(tb.Rows))
	}
	tb = stage("sheet_with_strict_ooxml.xlsx").Tables[0]
	if tb.Spec.Columns[0] != "UNIQUE_ACCOUNT_IDENTIFIER" || tb.Rows[0].Cells[1] != "2020-MAR" || tb.Rows[0].Cells[15] != "1" {
		t.Errorf("strict OOXML: %q / %q", tb.Spec.Columns[:3], tb.Rows[0].Cells[:3])
	}

	// the same date in thirty formats: always ISO, except an elapsed-time format (a duration)
	tb = stage("sheet_with_same_numeric_value_date_formatted_differently.xlsx").Tables[0]
	all := append([][]string{tb.Spec.Columns}, tableCells(tb)...)
	for _, row := range all {
		for _, c := range row {
			if c != "" && !strings.HasPrefix(c, "2015-01-01") && c != "1008120:00:00" {
				t.Errorf("cell %q is neither an ISO date nor the elapsed duration", c)
			}
		}
	}
}

func sinkTableNames(s *staging.MemorySink) []string {
	var out []string
	for _, t := range s.Tables {
		out = append(out, t.Spec.Name)
	}
	return out
}

func TestXLSXMessyWorkbooks(t *testing.T) {
	files := messyGlob(t, "messytables-horror/*.xlsx", "csvkit-examples/*.xlsx")
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			sink, err := importForTest(t, xlsxImporter{}, path, Options{})
			if name == "libreoffice.xlsx" { // one sheet with one empty row
				if err == nil || !strings.Contains(err.Error(), "no data") {
					t.Fatalf("want a no-data refusal, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Tables) == 0 {
				t.Fatal("nothing staged")
			}
		})
	}
	// csvkit's test.xlsx: dates, datetimes, booleans, floats and a column beyond the headings
	sink, err := importForTest(t, xlsxImporter{}, filepath.Join(messyDir, "csvkit-examples", "test.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	wantCols := []string{"text", "date", "integer", "boolean", "float", "datetime", "empty_column", ""}
	if !reflect.DeepEqual(tb.Spec.Columns, wantCols) {
		t.Errorf("columns %q", tb.Spec.Columns)
	}
	want := [][]string{
		{"Chicago Reader", "1971-01-01", "40", "TRUE", "1", "1971-01-01T04:14:00", "", ""},
		{"Chicago Sun-Times", "1948-01-01", "63", "TRUE", "1.27", "1948-01-01T14:57:13", "", "Extra data beyond headers will be trimmed"},
		{"Chicago Tribune", "1920-01-01", "164", "FALSE", "41800000.01", "1920-01-01T00:00:00", "", ""},
		{"This row has blanks", "", "", "", "", "", "", ""},
		{"Unicode! Σ", "", "", "", "", "", "", ""},
	}
	if got := tableCells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	// styled but empty rows above the header are not data and not a title
	sink, err = importForTest(t, xlsxImporter{}, filepath.Join(messyDir, "csvkit-examples", "test_skip_lines.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tableLines(sink.Tables[0]); got[0] != 5 || sink.Tables[0].Spec.Columns[0] != "text" {
		t.Errorf("test_skip_lines: header %q, lines %v", sink.Tables[0].Spec.Columns, got)
	}
	// a sheet with a non-ASCII name
	sink, err = importForTest(t, xlsxImporter{}, filepath.Join(messyDir, "csvkit-examples", "sheets.xlsx"), Options{Sheet: "ʤ"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"sheets_ʤ"}) {
		t.Errorf("Options.Sheet: tables %v", got)
	}
}

func TestXLSXStagesWhatThePersonSaw(t *testing.T) {
	path := xlsxFile(t, "values.xlsx", func(f *excelize.File) {
		s := "Sheet1"
		heads := []string{"ID", "Fee", "Pct", "Note", "Old", "DOB", "Appt", "Time", "Hidden", "Bool", "Sum", "Zip", "Neg", "DateWithTime", "Phone", "Dur"}
		for i, h := range heads {
			c, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(s, c, h)
		}
		set := func(cell string, v any, style int) {
			f.SetCellValue(s, cell, v)
			if style > 0 {
				f.SetCellStyle(s, cell, cell, style)
			}
		}
		set("A2", 42, xlsxStyle(t, f, 0, "00000"))
		set("B2", 1234.5, xlsxStyle(t, f, 4, ""))
		set("C2", 0.125, xlsxStyle(t, f, 0, "0.0%"))
		set("D2", "N/A", 0)
		set("E2", "0001-01-01", 0)
		set("F2", 45356, xlsxStyle(t, f, 14, ""))
		set("G2", 45356.6041666667, xlsxStyle(t, f, 0, "dd/mm/yyyy hh:mm"))
		set("H2", 0.6041666666667, xlsxStyle(t, f, 18, ""))
		set("I2", 3.7, xlsxStyle(t, f, 1, ""))
		set("J2", true, 0)
		set("K2", 0.1+0.2, 0)
		set("L2", "02134", 0)
		set("M2", -5, xlsxStyle(t, f, 37, ""))
		set("N2", 45356.75, xlsxStyle(t, f, 14, ""))
		set("O2", 5551234567, xlsxStyle(t, f, 0, "(###) ###-####"))
		set("P2", 1.5, xlsxStyle(t, f, 46, ""))
	})
	sink, err := importForTest(t, xlsxImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if tb.Spec.Name != "values" || tb.Spec.Source.Sheet != "Sheet1" || !tb.Spec.Source.HeaderRow {
		t.Errorf("spec %+v", tb.Spec)
	}
	want := []string{
		"00042",               // leading zeros from a 00000 format
		"1,234.50",            // grouping and decimals as shown
		"12.5%",               // a percentage as shown
		"N/A",                 // text untouched
		"0001-01-01",          // text that looks like a date untouched
		"2024-03-05",          // built-in date format → ISO
		"2024-03-05T14:30:00", // custom day-first date-time → ISO
		"14:30:00",            // time only
		"3.7",                 // "0" format showed 4: the stored number is kept, with an issue
		"TRUE",
		"0.3",                 // 0.1+0.2 to Excel's 15 digits
		"02134",               // zip code typed as text
		"(5)",                 // negative in parentheses, as shown
		"2024-03-05T18:00:00", // a date format hiding a time: the time is kept
		"(555) 123-4567",      // phone number format as shown
		"36:00:00",            // an elapsed duration as shown
	}
	if got := tb.Rows[0].Cells; !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	if len(tb.Issues) != 1 || tb.Issues[0].Kind != "display_rounded" || tb.Issues[0].Column != 9 ||
		tb.Issues[0].ColumnName != "Hidden" || !strings.Contains(tb.Issues[0].Message, `shows "4" but holds 3.7`) {
		t.Errorf("issues %+v", tb.Issues)
	}
}

func TestXLSXDates1904(t *testing.T) {
	path := xlsxFile(t, "mac.xlsx", func(f *excelize.File) {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
		f.SetCellValue("Sheet1", "A1", "DOB")
		f.SetCellValue("Sheet1", "A2", 0)
		f.SetCellValue("Sheet1", "A3", 43894) // 2024-03-05 in the 1904 system
		style := xlsxStyle(t, f, 14, "")
		f.SetCellStyle("Sheet1", "A2", "A3", style)
	})
	sink, err := importForTest(t, xlsxImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tableCells(sink.Tables[0]); !reflect.DeepEqual(got, [][]string{{"1904-01-01"}, {"2024-03-05"}}) {
		t.Errorf("1904 dates: %q", got)
	}
}

func TestXLSXMergedHeaders(t *testing.T) {
	t.Run("one row", func(t *testing.T) {
		path := xlsxFile(t, "merged.xlsx", func(f *excelize.File) {
			s := "Sheet1"
			f.SetSheetRow(s, "A1", &[]any{"Name", "Address", nil, nil, ""})
			f.MergeCell(s, "B1", "D1")
			f.SetSheetRow(s, "A2", &[]any{"Ann", "1 Main St", "Flat 2", "Cork", "x"})
			f.SetSheetRow(s, "A3", &[]any{"Bob", "Provider A"})
			f.MergeCell(s, "B3", "B4") // a merged range in the data
			f.SetSheetRow(s, "A4", &[]any{"Cy"})
		})
		sink, err := importForTest(t, xlsxImporter{}, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tb := sink.Tables[0]
		if want := []string{"Name", "Address", "Address_2", "Address_3", ""}; !reflect.DeepEqual(tb.Spec.Columns, want) {
			t.Errorf("columns %q, want %q", tb.Spec.Columns, want)
		}
		if got := tableLines(tb); !reflect.DeepEqual(got, []int64{2, 3, 4}) {
			t.Errorf("lines %v", got)
		}
		if kinds := tableIssueKinds(tb); !reflect.DeepEqual(kinds, []string{"merged_cells"}) || !strings.Contains(tb.Issues[0].Message, "B3:B4") {
			t.Errorf("issues %+v", tb.Issues)
		}
	})
	t.Run("two rows", func(t *testing.T) {
		path := xlsxFile(t, "merged2.xlsx", func(f *excelize.File) {
			s := "Sheet1"
			f.SetSheetRow(s, "A1", &[]any{"Name", "Address", nil, "Phone"})
			f.SetSheetRow(s, "A2", &[]any{nil, "Street", "City", nil})
			f.MergeCell(s, "A1", "A2")
			f.MergeCell(s, "B1", "C1")
			f.MergeCell(s, "D1", "D2")
			f.SetSheetRow(s, "A3", &[]any{"Ann", "1 Main St", "Cork", "021 123"})
		})
		sink, err := importForTest(t, xlsxImporter{}, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tb := sink.Tables[0]
		if want := []string{"Name", "Address Street", "Address City", "Phone"}; !reflect.DeepEqual(tb.Spec.Columns, want) {
			t.Errorf("columns %q, want %q", tb.Spec.Columns, want)
		}
		if got := tableCells(tb); !reflect.DeepEqual(got, [][]string{{"Ann", "1 Main St", "Cork", "021 123"}}) || tb.Rows[0].Line != 3 {
			t.Errorf("rows %q line %d", got, tb.Rows[0].Line)
		}
	})
}

func TestXLSXTitleAboveHeaderAndOptions(t *testing.T) {
	path := xlsxFile(t, "patients.xlsx", func(f *excelize.File) {
		f.SetCellValue("Sheet1", "A1", "Patient list, exported 2024-03-05")
		f.SetSheetRow("Sheet1", "A3", &[]any{"ID", "Surname", "Given"})
		f.SetSheetRow("Sheet1", "A4", &[]any{"007", "Ó Briain", "Dara"})
		f.SetSheetRow("Sheet1", "A5", &[]any{"008", "Smith", "", "extra"})
		f.NewSheet("Appointments")
		f.SetSheetRow("Appointments", "A1", &[]any{"When", "Who"})
		f.SetSheetRow("Appointments", "A2", &[]any{"Mon", "007"})
		f.NewSheet("Notes")
		f.SetSheetVisible("Notes", false)
		f.SetSheetRow("Notes", "A1", &[]any{"Note"})
		f.SetSheetRow("Notes", "A2", &[]any{"hidden but data"})
	})
	sink, err := importForTest(t, xlsxImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"patients_Sheet1", "patients_Appointments", "patients_Notes"}) {
		t.Fatalf("tables %v", got)
	}
	tb := sink.Tables[0]
	if tb.Spec.Source.SkippedLines != 1 || !reflect.DeepEqual(tb.Spec.Columns, []string{"ID", "Surname", "Given", ""}) {
		t.Errorf("title row: skipped %d, columns %q", tb.Spec.Source.SkippedLines, tb.Spec.Columns)
	}
	if got := tableCells(tb); !reflect.DeepEqual(got, [][]string{{"007", "Ó Briain", "Dara", ""}, {"008", "Smith", "", "extra"}}) {
		t.Errorf("cells %q", got)
	}
	if len(tb.Issues) != 1 || tb.Issues[0].Kind != "skipped_line" || tb.Issues[0].Line != 1 || !strings.Contains(tb.Issues[0].Message, "Patient list") {
		t.Errorf("issues %+v", tb.Issues)
	}
	if sink.Tables[2].Spec.Source.Options["hidden_sheet"] != "true" {
		t.Errorf("hidden sheet not marked: %+v", sink.Tables[2].Spec.Source)
	}

	// one sheet, renamed; header "no"; explicit skip
	sink, err = importForTest(t, xlsxImporter{}, path, Options{Sheet: "appointments", Table: "appts", Header: "no"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"appts"}) || sink.Tables[0].Spec.Source.HeaderRow {
		t.Fatalf("tables %v", got)
	}
	if got := tableCells(sink.Tables[0]); !reflect.DeepEqual(got, [][]string{{"When", "Who"}, {"Mon", "007"}}) {
		t.Errorf("no header: %q", got)
	}
	sink, err = importForTest(t, xlsxImporter{}, path, Options{Sheet: "Sheet1", SkipLines: 3})
	if err != nil {
		t.Fatal(err)
	}
	if tb := sink.Tables[0]; tb.Spec.Name != "patients_Sheet1" || tb.Spec.Columns[1] != "Ó Briain" || tb.Spec.Source.SkippedLines != 3 {
		t.Errorf("SkipLines 3: %q %+v", tb.Spec.Columns, tb.Spec.Source)
	}
	_, err = importForTest(t, xlsxImporter{}, path, Options{Sheet: "Billing"})
	if err == nil || !strings.Contains(err.Error(), `no sheet "Billing"`) || !strings.Contains(err.Error(), `"Appointments"`) {
		t.Errorf("unknown sheet: %v", err)
	}
}

func TestXLSXRefusesZipBombs(t *testing.T) {
	dir := t.TempDir()
	// A real deflate bomb: 300 MB of zeros in one sheet part.
	bomb := filepath.Join(dir, "bomb.xlsx")
	{
		f, _ := os.Create(bomb)
		zw := zip.NewWriter(f)
		w, _ := zw.Create("[Content_Types].xml")
		w.Write([]byte(`<Types/>`))
		w, _ = zw.Create("xl/workbook.xml")
		w.Write([]byte(`<workbook/>`))
		w, _ = zw.Create("xl/worksheets/sheet1.xml")
		zeros := make([]byte, 1<<20)
		for i := 0; i < 300; i++ {
			w.Write(zeros)
		}
		zw.Close()
		f.Close()
	}
	// A lying header: a part that claims to unpack to 3 GB.
	liar := filepath.Join(dir, "liar.xlsx")
	{
		f, _ := os.Create(liar)
		zw := zip.NewWriter(f)
		w, _ := zw.Create("xl/workbook.xml")
		w.Write([]byte(`<workbook/>`))
		for i := 0; i < 3; i++ {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), Method: zip.Store,
				CompressedSize64: 10, UncompressedSize64: 1 << 30})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("0123456789"))
		}
		zw.Close()
		f.Close()
	}
	for path, want := range map[string]string{bomb: "zip bomb", liar: "refused"} {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := importForTest(t, xlsxImporter{}, path, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want a refusal saying %q, got %v", filepath.Base(path), want, err)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
			t.Errorf("%s: refusing allocated %d MB", filepath.Base(path), grown>>20)
		}
	}
}

// discardCountSink discards rows, so a test can watch the importer's own memory.
type discardCountSink struct{ rows atomic.Int64 }

func (c *discardCountSink) Table(context.Context, staging.TableSpec) (staging.TableWriter, error) {
	return discardCountWriter{c}, nil
}

type discardCountWriter struct{ c *discardCountSink }

func (w discardCountWriter) Write(staging.Row) error { w.c.rows.Add(1); return nil }
func (discardCountWriter) Issue(staging.Issue)       {}
func (discardCountWriter) Close() error              { return nil }

func TestXLSXLargeSheetStreamsInBoundedMemory(t *testing.T) {
	// Sheets above this size are streamed from a temp file; lower it so a modest sheet takes
	// that path.
	defer func(old uint64) { xlsxXMLInMemory = old }(xlsxXMLInMemory)
	xlsxXMLInMemory = 1 << 20
	rows := 40_000
	if testing.Short() {
		rows = 8_000
	}
	path := filepath.Join(t.TempDir(), "big.xlsx")
	{
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		sw.SetRow("A1", []any{"ID", "Surname", "Given", "DOB", "Balance", "Notes"})
		for i := 2; i <= rows+1; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i)
			sw.SetRow(cell, []any{i, fmt.Sprintf("Surname%06d", i), "Given name", "1970-01-01", float64(i) / 7, strings.Repeat("note ", 8)})
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	sink := &discardCountSink{}
	var progressed atomic.Int64
	err := xlsxImporter{}.Import(context.Background(), path, Options{}, sink, func(read, total, n int64) {
		if read > total || total <= 0 {
			t.Errorf("progress %d of %d", read, total)
		}
		progressed.Store(n)
	})
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if sink.rows.Load() != int64(rows) || progressed.Load() != int64(rows) {
		t.Errorf("staged %d rows, progress said %d, want %d", sink.rows.Load(), progressed.Load(), rows)
	}
	if p := peak.Load(); p > 150<<20 {
		t.Errorf("heap peaked at %d MB while streaming a %d-row sheet", p>>20, rows)
	}
	t.Logf("peak heap in use: %d MB", peak.Load()>>20)
}

func TestXLSXCancelled(t *testing.T) {
	path := xlsxFile(t, "c.xlsx", func(f *excelize.File) { f.SetCellValue("Sheet1", "A1", "x") })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (xlsxImporter{}).Import(ctx, path, Options{}, &staging.MemorySink{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestXLSXProbe(t *testing.T) {
	wb := xlsxFile(t, "p.xlsx", func(f *excelize.File) { f.SetCellValue("Sheet1", "A1", "x") })
	head, _ := os.ReadFile(wb)
	if s := (xlsxImporter{}).Probe(head, "export.bin"); s != 100 {
		t.Errorf("content alone: %d, want 100", s)
	}
	if imp, err := Detect(wb); err != nil || imp.Format() != "xlsx" {
		t.Errorf("Detect: %v %v", imp, err)
	}
	if s := (xlsxImporter{}).Probe([]byte("a,b\n1,2\n"), "data.xlsx"); s != 0 {
		t.Errorf("text named .xlsx: %d", s)
	}
}

// FuzzXLSX feeds damaged workbooks to the importer: it must return (data or an error), never
// panic or hang. Seeds are small generated workbooks.
func FuzzXLSX(f *testing.F) {
	for _, build := range []func(*excelize.File){
		func(x *excelize.File) {
			x.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"})
			x.SetSheetRow("Sheet1", "A2", &[]any{1, "x"})
		},
		func(x *excelize.File) {
			x.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Addr", nil})
			x.MergeCell("Sheet1", "B1", "C1")
			st, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
			x.SetCellValue("Sheet1", "A2", 45356)
			x.SetCellStyle("Sheet1", "A2", "A2", st)
		},
	} {
		x := excelize.NewFile()
		build(x)
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sink := &staging.MemorySink{}
		err := xlsxImporter{}.Import(ctx, path, Options{}, sink, nil)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("import hung on %d bytes", len(data))
		}
		if err == nil {
			for _, tb := range sink.Tables {
				for _, r := range tb.Rows {
					if len(r.Cells) != len(tb.Spec.Columns) {
						t.Fatalf("row with %d cells for %d columns", len(r.Cells), len(tb.Spec.Columns))
					}
				}
			}
		}
	})
}

func TestXLSXSerialDates(t *testing.T) {
	for _, c := range []struct {
		serial   float64
		date1904 bool
		ms       bool
		date     string
		clock    string
	}{
		{0, false, false, "1900-01-00", "00:00:00"},
		{1, false, false, "1900-01-01", "00:00:00"},
		{59, false, false, "1900-02-28", "00:00:00"},
		{60, false, false, "1900-02-29", "00:00:00"}, // Lotus's leap day, as Excel shows it
		{61, false, false, "1900-03-01", "00:00:00"},
		{45356.6041666667, false, false, "2024-03-05", "14:30:00"},
		{45356.99999999, false, false, "2024-03-06", "00:00:00"}, // rounds to the next second
		{0.5000057870, false, true, "1900-01-00", "12:00:00.500"},
		{0, true, false, "1904-01-01", "00:00:00"},
		{59.5, true, false, "1904-02-29", "12:00:00"},
		{2958465, false, false, "9999-12-31", "00:00:00"},
	} {
		date, clock, _, _ := xlsxSerialToISO(c.serial, c.date1904, c.ms)
		if date != c.date || clock != c.clock {
			t.Errorf("serial %v (1904=%v): %s %s, want %s %s", c.serial, c.date1904, date, clock, c.date, c.clock)
		}
	}
	for code, want := range map[string]rune{
		"dd/mm/yyyy": xlsxShowsDate, "[$-409]mmmm d, yyyy;@": xlsxShowsDate, "mmm-yy": xlsxShowsDate,
		"h:mm AM/PM": xlsxShowsTime, "mm:ss": xlsxShowsTime, "yyyy-mm-dd hh:mm": xlsxShowsDateTime,
		"[h]:mm:ss": 0, "0.00": 0, "#,##0": 0, "General": 0, "@": 0, `"Dr. "@`: 0, "0.00E+00": 0,
		`[Red]0.0;"due "d`: 0, `#,##0 "days"`: 0, "00000": 0,
	} {
		if got, _ := xlsxDateKind(code); got != want {
			t.Errorf("xlsxDateKind(%q) = %U, want %U", code, got, want)
		}
	}
}

// xlsxFromParts zips a minimal workbook around a sheet, shared strings and styles.
func xlsxFromParts(sheet, sst, styles []byte) []byte {
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	parts := []struct {
		name string
		body []byte
	}{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`)},
		{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`)},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/sharedStrings.xml", sst},
		{"xl/styles.xml", styles},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, _ := zw.Create(p.name)
		w.Write(p.body)
	}
	zw.Close()
	return buf.Bytes()
}

func TestXLSXFromParts(t *testing.T) {
	path := writeTestFile(t, t.TempDir(), "parts.xlsx", xlsxFromParts([]byte(fuzzSheet), []byte(fuzzSST), []byte(fuzzStyles)))
	sink, err := importForTest(t, xlsxImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if !reflect.DeepEqual(tb.Spec.Columns, []string{"Name", "Addr", "Addr_2"}) ||
		!reflect.DeepEqual(tableCells(tb), [][]string{{"2024-03-05T12:00:00", "1,234.50", "TRUE"}}) {
		t.Errorf("columns %q cells %q", tb.Spec.Columns, tableCells(tb))
	}
}

const (
	fuzzSheet  = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Addr</t></is></c></row><row r="2"><c r="A2" s="1"><v>45356.5</v></c><c r="B2" s="2"><v>1234.5</v></c><c r="C2" t="b"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="B1:C1"/></mergeCells></worksheet>`
	fuzzSST    = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Name</t></si></sst>`
	fuzzStyles = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="4"/></cellXfs></styleSheet>`
)

// FuzzXLSXParts mutates the XML inside a workbook (sheet, shared strings, styles) rather than the
// compressed file, which reaches excelize's and Ferry's parsing far more often than FuzzXLSX.
func FuzzXLSXParts(f *testing.F) {
	f.Add([]byte(fuzzSheet), []byte(fuzzSST), []byte(fuzzStyles))
	f.Add([]byte(`<worksheet><sheetData><row r="3"><c r="XFD3" t="d"><v>2024-01-01</v></c></row></sheetData></worksheet>`), []byte(fuzzSST), []byte(`<styleSheet/>`))
	f.Fuzz(func(t *testing.T, sheet, sst, styles []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(path, xlsxFromParts(sheet, sst, styles), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sink := &staging.MemorySink{}
		err := xlsxImporter{}.Import(ctx, path, Options{}, sink, nil)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("import hung")
		}
		if err != nil && strings.Contains(err.Error(), "seems damaged (") {
			t.Fatalf("a panic was recovered: %v", err)
		}
		if err == nil {
			for _, tb := range sink.Tables {
				for _, r := range tb.Rows {
					if len(r.Cells) != len(tb.Spec.Columns) {
						t.Fatalf("row with %d cells for %d columns", len(r.Cells), len(tb.Spec.Columns))
					}
				}
			}
		}
	})
}
