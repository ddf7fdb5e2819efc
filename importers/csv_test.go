package importers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/ferry-migrate/ferry/app/staging"
)

const csvMessyDir = "../../shared/data/messy"

// importCSVFile runs the CSV importer on a file into a MemorySink.
func csvImportFile(t testing.TB, path string, opts Options) (*staging.MemoryTable, error) {
	t.Helper()
	var sink staging.MemorySink
	err := csvImporter{}.Import(context.Background(), path, opts, &sink, nil)
	if err != nil {
		return nil, err
	}
	if len(sink.Tables) != 1 || !sink.Tables[0].Closed {
		t.Fatalf("%s: %d tables, want 1 closed", path, len(sink.Tables))
	}
	return sink.Tables[0], nil
}

func csvMustImport(t *testing.T, path string, opts Options) *staging.MemoryTable {
	t.Helper()
	tb, err := csvImportFile(t, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func csvTempFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cells returns the rows' cells padded to the column count, as the Stager stores them.
func csvCells(tb *staging.MemoryTable) [][]string {
	var out [][]string
	for _, r := range tb.Rows {
		row := append([]string(nil), r.Cells...)
		for len(row) < len(tb.Spec.Columns) {
			row = append(row, "")
		}
		out = append(out, row)
	}
	return out
}

func TestCSVSpectrum(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(csvMessyDir, "csv-spectrum/csvs/*.csv"))
	if len(files) != 11 {
		t.Fatalf("found %d csv-spectrum files, want 11", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(csvMessyDir, "csv-spectrum/json", strings.TrimSuffix(filepath.Base(f), ".csv")+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(f, "_crlf.csv") && !bytes.Contains(data, []byte("\r")) {
				// The shared copy lost its CRs: restore them, so the file is what the JSON describes.
				f = csvTempFile(t, filepath.Base(f), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
			}
			tb := csvMustImport(t, f, Options{})
			if len(tb.Rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(tb.Rows), len(want))
			}
			for i, row := range csvCells(tb) {
				if len(row) != len(want[i]) {
					t.Errorf("row %d: %d cells, want %d", i, len(row), len(want[i]))
				}
				for j, col := range tb.Spec.Columns {
					if w, ok := want[i][col]; !ok || row[j] != w {
						t.Errorf("row %d %s = %q, want %q", i, col, row[j], w)
					}
				}
				if tb.Rows[i].Flags != 0 {
					t.Errorf("row %d flagged %v", i, tb.Rows[i].Flags)
				}
			}
			if len(tb.Issues) != 0 {
				t.Errorf("issues: %+v", tb.Issues)
			}
		})
	}
}

// TestMessyFiles: every delimited-text file either imports or fails with a message naming the
// file; nothing panics or hangs.
func TestMessyFiles(t *testing.T) {
	var files []string
	filepath.Walk(csvMessyDir, func(p string, info os.FileInfo, err error) error {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".csv", ".tsv", ".txt":
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 150 {
		t.Fatalf("found only %d files under %s", len(files), csvMessyDir)
	}
	for _, f := range files {
		done := make(chan error, 1)
		var tb *staging.MemoryTable
		go func() {
			var sink staging.MemorySink
			err := csvImporter{}.Import(context.Background(), f, Options{}, &sink, nil)
			if err == nil {
				tb = sink.Tables[0]
			}
			done <- err
		}()
		select {
		case err := <-done:
			rel, _ := filepath.Rel(csvMessyDir, f)
			if err != nil {
				if !strings.Contains(err.Error(), filepath.Base(f)) {
					t.Errorf("%s: error does not name the file: %v", rel, err)
				}
				if !errors.Is(err, staging.ErrNothing) {
					t.Errorf("%s: unexpected failure: %v", rel, err)
				}
				continue
			}
			for i, r := range tb.Rows {
				if len(r.Cells) > len(tb.Spec.Columns) {
					t.Errorf("%s row %d: %d cells for %d columns", rel, i, len(r.Cells), len(tb.Spec.Columns))
				}
				if len(r.Overflow) > 0 && r.Flags&staging.FlagExtraCells == 0 {
					t.Errorf("%s row %d: overflow without flag", rel, i)
				}
				if i > 0 && r.Line <= tb.Rows[i-1].Line {
					t.Errorf("%s row %d: line %d after %d", rel, i, r.Line, tb.Rows[i-1].Line)
				}
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: import hangs", f)
		}
	}
}

// Exact expectations for the files that show each difficulty.
func TestMessyFileValues(t *testing.T) {
	type check struct {
		file      string
		encoding  string
		delim     string
		header    bool
		skip      int
		columns   string // joined by |
		rows      int
		row       int    // which row to compare
		want      string // its cells joined by |
		issueKind string // an issue of this kind must be reported ("" = none at all)
	}
	checks := []check{
		{"csvkit-examples/test_utf16_little.csv", "utf-16le", ",", true, 0, "a|b|c", 2, 1, "4|5|ʤ", ""},
		{"csvkit-examples/test_utf16_big.csv", "utf-16be", ",", true, 0, "a|b|c", 2, 1, "4|5|ʤ", ""},
		{"csv-parser-fixtures/bench/utf16.csv", "utf-16le", ",", true, 0, "a|b|c", 2, 1, "4|5|ʤ", ""},
		{"csv-parser-fixtures/bench/utf16-big.csv", "utf-16be", ",", true, 0, "a|b|c", 2, 1, "4|5|ʤ", ""},
		{"spout/csv/csv_with_utf16le_bom.csv", "utf-16le", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"spout/csv/csv_with_utf16be_bom.csv", "utf-16be", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"spout/csv/csv_with_encoding_utf16le_no_bom.csv", "utf-16le", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"spout/csv/csv_with_utf32le_bom.csv", "utf-32le", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"spout/csv/csv_with_utf32be_bom.csv", "utf-32be", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"spout/csv/csv_with_utf8_bom.csv", "utf-8-bom", ",", true, 0, "csv--11|csv--12|csv--13", 2, 0, "csv--21|csv--22|csv--23", ""},
		{"csvkit-examples/test_utf8_bom.csv", "utf-8-bom", ",", true, 0, "foo|bar|baz", 2, 1, "4|5|ʤ", ""},
		{"csvkit-examples/test_latin1.csv", "latin-1", ",", true, 0, "a|b|c", 2, 1, "4|5|©", "encoding"},
		{"rust-csv/uspop-latin1.csv", "latin-1", ",", true, 0, "City|State|Population|Latitude|Longitude", 100, 0, "Davidsons Landing|AK||65.2419444|-165.2716667", "encoding"},
		{"csvkit-examples/mac_newlines.csv", "utf-8", ",", true, 0, "a|b|c", 2, 1, "Once upon\ra time|5|6", ""},
		{"spout/csv/csv_with_CR_EOL.csv", "utf-8", ",", true, 0, "csv--11|csv--12|csv--13", 2, 1, "csv--31|csv--32|csv--33", ""},
		{"csvkit-examples/dummy.tsv", "utf-8", "\t", true, 0, "a|b|c", 1, 0, "1|2|3", ""},
		{"csvkit-examples/sniff_limit.csv", "utf-8", ";", true, 0, "a|b|c", 1, 0, "1|2|3", ""},
		{"spout/csv/csv_delimited_with_pipes.csv", "utf-8", "|", true, 0, "csv--11|csv--12|csv--13", 2, 0, "csv--21|csv--22|csv--23", ""},
		{"rust-csv/smallpop-colon.csv", "utf-8", ":", true, 0, "city|region|country|population", 10, 0, "Southborough|MA|United States|9686", ""},
		{"rust-csv/smallpop-no-headers.csv", "utf-8", ",", false, 0, "column_1|column_2|column_3|column_4", 10, 0, "Southborough|MA|United States|9686", ""},
		{"csvkit-examples/no_header_row3.csv", "utf-8", ",", false, 0, "column_1|column_2|column_3", 2, 1, "4|5|6", ""},
		{"csvkit-examples/test_skip_lines.csv", "utf-8", ",", true, 0, "a|b|c", 1, 0, "1|2|3", "blank_lines"},
		{"csv-parser-fixtures/comment.csv", "utf-8", ",", true, 1, "a|b|c", 1, 0, "1|2|3", "skipped_line"},
		{"csvkit-examples/test_no_leading_zeroes.csv", "utf-8", ",", true, 0, "a|b|c", 1, 0, "01|00.11|0.1", ""},
		{"csvkit-examples/blanks.csv", "utf-8", ",", true, 0, "a|b|c|d|e|f", 1, 0, "|NA|N/A|NONE|NULL|.", ""},
		{"messytables-horror/skip_initials.csv", "utf-8", ",", true, 0, "field1|field2", 2, 0, "hello|    goodbye", ""},
		{"messytables-horror/complex.csv", "utf-8", ",", true, 0, "date| another date| temperature| place", 3, 2, "2011-01-03| |6,000,000|Galway", ""},
		{"spout/csv/sheet_with_untrimmed_strings.csv", "utf-8-bom", ",", true, 0, "A", 2, 1, "\n\tA\n\t", ""},
		{"csvkit-examples/test_header_newline.csv", "utf-8", ",", true, 0, " start   end |b|c" /* control characters in a name become spaces (staging.ColumnNames) */, 1, 0, "d|e|f", ""},
		{"csvkit-examples/null_byte.csv", "utf-8", ",", true, 0, "a|b|c", 1, 0, "|2|3", "nul_byte"},
		{"csvkit-examples/bad.csv", "utf-8", ",", true, 0, "column_a|column_b|column_c", 3, 0, "1|27|", "extra_cells"},
		{"csvkit-examples/test_extra_header.csv", "utf-8", ",", true, 0, "a|b|c|d", 1, 0, "1|2|3|", "missing_cells"},
		{"rust-csv/strange.csv", "utf-8", ";", false, 0, "column_1|column_2", 7, 0, `\"Hacksaw\" Jim Duggan|1987`, "parse"},
		{"messytables-horror/utf-16le_encoded.csv", "utf-16le", ",", true, 0, "", 327, -1, "", ""},
		{"messytables-horror/characters.csv", "latin-1", ",", true, 0, "", 382, -1, "", "encoding"},
	}
	for _, c := range checks {
		t.Run(c.file, func(t *testing.T) {
			tb := csvMustImport(t, filepath.Join(csvMessyDir, c.file), Options{})
			src := tb.Spec.Source
			if src.Encoding != c.encoding || src.Delimiter != c.delim || src.HeaderRow != c.header || src.SkippedLines != c.skip {
				t.Errorf("detected %s %q header=%v skip=%d, want %s %q header=%v skip=%d",
					src.Encoding, src.Delimiter, src.HeaderRow, src.SkippedLines, c.encoding, c.delim, c.header, c.skip)
			}
			cols := strings.Join(staging.ColumnNames(tb.Spec.Columns), "|")
			if c.columns != "" && cols != c.columns {
				t.Errorf("columns %q, want %q", cols, c.columns)
			}
			if len(tb.Rows) != c.rows {
				t.Fatalf("%d rows, want %d", len(tb.Rows), c.rows)
			}
			if c.row >= 0 {
				if got := strings.Join(csvCells(tb)[c.row], "|"); got != c.want {
					t.Errorf("row %d = %q, want %q", c.row, got, c.want)
				}
			}
			found := false
			for _, is := range tb.Issues {
				if is.Kind == c.issueKind {
					found = true
				}
				if c.issueKind == "" {
					t.Errorf("unexpected issue %+v", is)
				}
				if is.File != filepath.Base(c.file) {
					t.Errorf("issue without the file name: %+v", is)
				}
			}
			if c.issueKind != "" && !found {
				t.Errorf("no %s issue in %+v", c.issueKind, tb.Issues)
			}
		})
	}
}

func TestBig5WhenChosen(t *testing.T) {
	tb := csvMustImport(t, filepath.Join(csvMessyDir, "messytables-horror/characters.csv"), Options{Encoding: "big5"})
	if tb.Spec.Source.Encoding != "big5" || tb.Spec.Columns[1] != "景點編號" {
		t.Fatalf("big5: %s %q", tb.Spec.Source.Encoding, tb.Spec.Columns[:3])
	}
	for _, is := range tb.Issues {
		t.Errorf("issue: %+v", is)
	}
	// Detected as single-byte, the note says what to do.
	tb = csvMustImport(t, filepath.Join(csvMessyDir, "messytables-horror/characters.csv"), Options{})
	if len(tb.Issues) == 0 || !strings.Contains(tb.Issues[0].Message, "big5") {
		t.Fatalf("no hint about double-byte encodings: %+v", tb.Issues)
	}
}

func TestWindows1252(t *testing.T) {
	text := "PatientID;Name;Balance;Note\r\n" +
		"0042;Zoë Brontë;€12,50;“Paid” – thanks\r\n" +
		"0043;François Pâté;€0,00;‘Owes’ … nothing\r\n" +
		"0044;Åsa Øberg;€1.234,00;naïve café\r\n"
	enc, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsAny(enc, "\x80\x93\x94") {
		t.Fatal("test file has no bytes in 0x80-0x9F")
	}
	tb := csvMustImport(t, csvTempFile(t, "balances.csv", []byte(enc)), Options{})
	if tb.Spec.Source.Encoding != "windows-1252" || tb.Spec.Source.Delimiter != ";" {
		t.Fatalf("detected %s %q", tb.Spec.Source.Encoding, tb.Spec.Source.Delimiter)
	}
	want := [][]string{
		{"0042", "Zoë Brontë", "€12,50", "“Paid” – thanks"},
		{"0043", "François Pâté", "€0,00", "‘Owes’ … nothing"},
		{"0044", "Åsa Øberg", "€1.234,00", "naïve café"},
	}
	for i, row := range csvCells(tb) {
		if strings.Join(row, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, row, want[i])
		}
	}
	// Chosen by a person as latin-1, 0x80-0x9F still read as Windows-1252.
	tb = csvMustImport(t, csvTempFile(t, "balances.csv", []byte(enc)), Options{Encoding: "latin-1"})
	if csvCells(tb)[0][2] != "€12,50" {
		t.Errorf("latin-1 chosen: %q", csvCells(tb)[0][2])
	}
}

func TestInvalidBytesAfterTheSampleAreReadAndReported(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,name\n")
	for i := 0; b.Len() < csvSample+1000; i++ {
		fmt.Fprintf(&b, "%d,Name %d\n", i, i)
	}
	line := bytes.Count(b.Bytes(), []byte("\n")) + 1
	b.WriteString("99999,Caf\xe9 \x80uro\n")
	tb := csvMustImport(t, csvTempFile(t, "late.csv", b.Bytes()), Options{})
	if tb.Spec.Source.Encoding != "utf-8" {
		t.Fatalf("encoding %s", tb.Spec.Source.Encoding)
	}
	last := tb.Rows[len(tb.Rows)-1]
	if last.Cells[1] != "Café €uro" || last.Flags&staging.FlagInvalidBytes == 0 || last.Line != int64(line) {
		t.Fatalf("last row = %+v (line %d)", last, line)
	}
	if len(tb.Issues) != 1 || tb.Issues[0].Kind != "invalid_bytes" || tb.Issues[0].Line != int64(line) || tb.Issues[0].Column != 2 ||
		tb.Issues[0].ColumnName != "name" || !strings.Contains(tb.Issues[0].Message, "0xE9") {
		t.Fatalf("issues = %+v", tb.Issues)
	}
}

func TestJunkLinesRaggedRowsAndQuotes(t *testing.T) {
	in := "Report generated 2024-01-01\r\n" +
		"Practice: Sunny Dental\r\n" +
		"\r\n" +
		"PatNum,LName,FName,Birthdate,Note\r\n" +
		"0001,O'Brien,Seán,0001-01-01,\"said \"\"hi\"\"\r\non two lines\"\r\n" +
		"0002,Smith,Al,1980-02-03\r\n" +
		"0003,\"Jones\"x,Bo,1990-01-01,ok,EXTRA,MORE\r\n" +
		"0004, N/A ,  ,,\"never closed\r\n" +
		"0005,Last,One,2000-01-01,end\r\n"
	tb := csvMustImport(t, csvTempFile(t, "export.csv", []byte(in)), Options{})
	src := tb.Spec.Source
	if src.SkippedLines != 2 || !src.HeaderRow || strings.Join(tb.Spec.Columns, ",") != "PatNum,LName,FName,Birthdate,Note" {
		t.Fatalf("source %+v columns %q", src, tb.Spec.Columns)
	}
	want := []struct {
		line  int64
		cells string
		flags staging.Flag
	}{
		{5, "0001|O'Brien|Seán|0001-01-01|said \"hi\"\r\non two lines", 0},
		{7, "0002|Smith|Al|1980-02-03|", staging.FlagMissingCells},
		{8, "0003|\"Jones\"x|Bo|1990-01-01|ok", staging.FlagExtraCells | staging.FlagParse},
		{9, "0004| N/A |  ||\"never closed", staging.FlagParse},
		{10, "0005|Last|One|2000-01-01|end", 0},
	}
	got := csvCells(tb)
	if len(got) != len(want) {
		t.Fatalf("%d rows: %q", len(got), got)
	}
	for i, w := range want {
		r := tb.Rows[i]
		if strings.Join(got[i], "|") != w.cells || r.Line != w.line || r.Flags != w.flags {
			t.Errorf("row %d = line %d %q flags %v, want line %d %q flags %v", i, r.Line, got[i], r.Flags, w.line, w.cells, w.flags)
		}
	}
	if strings.Join(tb.Rows[2].Overflow, ",") != "EXTRA,MORE" {
		t.Errorf("overflow = %q", tb.Rows[2].Overflow)
	}
	kinds := map[string][]int64{}
	for _, is := range tb.Issues {
		kinds[is.Kind] = append(kinds[is.Kind], is.Line)
		if is.File != "export.csv" {
			t.Errorf("issue without file: %+v", is)
		}
	}
	for kind, lines := range map[string]string{"skipped_line": "[1 2]", "missing_cells": "[7]", "extra_cells": "[8]", "parse": "[8 9]", "blank_lines": "[3]"} {
		if fmt.Sprint(kinds[kind]) != lines {
			t.Errorf("%s issues at lines %v, want %s (all: %+v)", kind, kinds[kind], lines, tb.Issues)
		}
	}
}

func TestOptionsOverrideDetection(t *testing.T) {
	path := csvTempFile(t, "x.txt", []byte("junk\na;b\n1;2\n"))
	tb := csvMustImport(t, path, Options{Delimiter: "tab", Header: "no", SkipLines: -1, Table: "things"})
	if tb.Spec.Name != "things" || tb.Spec.Source.Delimiter != "\t" || tb.Spec.Source.HeaderRow || len(tb.Rows) != 3 {
		t.Fatalf("spec %+v rows %d", tb.Spec, len(tb.Rows))
	}
	tb = csvMustImport(t, path, Options{SkipLines: 1, Header: "yes"})
	if strings.Join(tb.Spec.Columns, ",") != "a,b" || len(tb.Rows) != 1 {
		t.Fatalf("skip 1: %q %d", tb.Spec.Columns, len(tb.Rows))
	}
	for _, o := range []Options{{Encoding: "klingon"}, {Delimiter: "ab"}, {Header: "maybe"}} {
		if _, err := csvImportFile(t, path, o); err == nil || !strings.Contains(err.Error(), "x.txt") {
			t.Errorf("%+v: err = %v", o, err)
		}
	}
}

func TestCancelStopsTheImport(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a,b\n")
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&b, "%d,x\n", i)
	}
	path := csvTempFile(t, "big.csv", b.Bytes())
	ctx, cancel := context.WithCancel(context.Background())
	var sink staging.MemorySink
	err := csvImporter{}.Import(ctx, path, Options{}, &sink, func(read, total, rows int64) {
		if rows > 0 {
			cancel()
		}
	})
	cancel()
	if err == nil {
		// progress comes every 100 ms; a fast machine may finish first
		t.Skip("finished before the first progress report")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestUnclosedQuoteDoesNotSwallowTheFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a,b\n1,\"oops\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "%d,ok\n", i)
	}
	tb := csvMustImport(t, csvTempFile(t, "q.csv", b.Bytes()), Options{})
	if len(tb.Rows) != 1001 || tb.Rows[0].Cells[1] != `"oops` || tb.Rows[0].Flags != staging.FlagParse || tb.Rows[1000].Cells[0] != "999" {
		t.Fatalf("%d rows, first %+v", len(tb.Rows), tb.Rows[0])
	}
}

func TestBinaryGarbageFailsClearly(t *testing.T) {
	defer func(was int) { csvMaxRecord = was }(csvMaxRecord)
	csvMaxRecord = 1 << 20
	data := bytes.Repeat([]byte{0xAB, 0xCD, 0x01, 0x02}, 1<<20)
	path := csvTempFile(t, "blob.csv", data)
	_, err := csvImportFile(t, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "blob.csv") || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestProbe(t *testing.T) {
	c := csvImporter{}
	for _, tc := range []struct {
		head string
		name string
		min  int
		max  int
	}{
		{"a,b\n1,2\n", "x.csv", 70, 100},
		{"a\tb\n", "x.tsv", 70, 100},
		{"a,b\n", "x.dat", 30, 60},
		{"a,b\n", "noext", 10, 40},
		{"PK\x03\x04....", "x.csv", 0, 0},
		{"\xD0\xCF\x11\xE0....", "x.xls", 0, 0},
		{"SQLite format 3\x00", "x.csv", 0, 0},
		{"\xFF\xFEa\x00,\x00", "x.csv", 70, 100},
	} {
		if s := c.Probe([]byte(tc.head), tc.name); s < tc.min || s > tc.max {
			t.Errorf("Probe(%q, %s) = %d, want %d..%d", tc.head, tc.name, s, tc.min, tc.max)
		}
	}
}

// FuzzCSV: no input panics, and without quotes every line is accounted for, cell for cell.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a;b\r\n\"x\"\"y\";2\r\n", "\"unclosed\n1,2", "\xff\xfea\x00", "a\x00b,c\r\r\n,,,\n",
		"x|y\n1|2|3\n4\n", "\"a\" ,b\n", "  \"q\" x,1\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := csvTempFile(t, "fuzz.csv", data)
		if _, err := csvImportFile(t, path, Options{}); err != nil && !strings.Contains(err.Error(), "fuzz.csv") {
			t.Fatalf("error without the file name: %v", err)
		}
		if bytes.ContainsAny(data, "\"'\x00") || !csvUTF8Valid(data) || bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
			return
		}
		// Plain text, comma-separated, no header, nothing skipped: the rows are the lines.
		tb, err := csvImportFile(t, path, Options{Delimiter: ",", Header: "no", SkipLines: -1, Encoding: "utf-8"})
		lines := strings.FieldsFunc(strings.ReplaceAll(string(data), "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
		if len(lines) == 0 {
			if !errors.Is(err, staging.ErrNothing) {
				t.Fatalf("no lines, err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(tb.Rows) != len(lines) {
			t.Fatalf("%d rows for %d lines", len(tb.Rows), len(lines))
		}
		for i, r := range tb.Rows {
			got := strings.Join(append(append([]string(nil), r.Cells...), r.Overflow...), ",")
			if got != lines[i] {
				t.Fatalf("row %d = %q, line is %q", i, got, lines[i])
			}
		}
	})
}

func csvUTF8Valid(b []byte) bool { return validUTF8(b, true) }

// The factory hands every delimited-text file of the messy corpus to the CSV importer.
func TestDetectChoosesCSVForText(t *testing.T) {
	var files []string
	filepath.Walk(csvMessyDir, func(p string, info os.FileInfo, err error) error {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".csv", ".tsv", ".txt":
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		imp, err := Detect(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if imp.Format() != "csv" {
			t.Errorf("%s: detected as %s", f, imp.Format())
		}
	}
}
