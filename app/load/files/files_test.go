package files_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load/files"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// readyDemo is the demo practice taken to zero validation errors, as the load starts from it.
func readyDemo(t testing.TB) *project.Project {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func feedOf(t testing.TB, p *project.Project) *mapping.Feed {
	t.Helper()
	f, err := mapping.New(p).Feed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// records is what Feed.Scan gives for an entity, in order.
func records(t testing.TB, f *mapping.Feed, entity string) []mapping.Record {
	t.Helper()
	var out []mapping.Record
	if err := f.Scan(context.Background(), entity, nil, func(r mapping.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// setStaged changes one staged cell, as a person's edit in the old data would.
func setStaged(t testing.TB, p *project.Project, f *mapping.Feed, entity, column string, row int64, value string) {
	t.Helper()
	tb, ok := f.Table(entity)
	if !ok {
		t.Fatalf("no table for %s", entity)
	}
	err := p.Write(context.Background(), func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE "`+tb.Name+`" SET "`+column+`" = ? WHERE _ferry_row = ?`, value, row)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%d rows changed", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reimport reads a written file back with Ferry's own importers, detecting its format and
// layout as for any file a person adds.
func reimport(t testing.TB, path string) *staging.MemoryTable {
	t.Helper()
	var sink staging.MemorySink
	if _, err := importers.Import(context.Background(), path, importers.Options{}, &sink, nil); err != nil {
		t.Fatalf("re-importing %s: %v", filepath.Base(path), err)
	}
	if len(sink.Tables) != 1 {
		t.Fatalf("%s: %d tables", filepath.Base(path), len(sink.Tables))
	}
	return sink.Tables[0]
}

func cells(r staging.Row, n int) []string {
	out := make([]string, n)
	copy(out, r.Cells)
	return out
}

// manifestEntries reads manifest.csv back.
func manifestEntries(t testing.TB, dir string) []files.Entry {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, files.ManifestCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	next, err := files.ReadManifestCSV(fh)
	if err != nil {
		t.Fatal(err)
	}
	var out []files.Entry
	for {
		e, err := next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func sha(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkRoundTrip re-imports every file of m and checks that header and values are exactly what
// the feed gave for the written records, row for row, and that the manifest and the placed
// callbacks say where each went.
// placed nil skips comparing the callbacks.
func checkRoundTrip(t *testing.T, f *mapping.Feed, dir string, m files.Manifest, placed []files.Placed) {
	t.Helper()
	entries := manifestEntries(t, dir)
	byKey := map[string]files.Entry{}
	for _, e := range entries {
		byKey[e.Entity+"\x00"+e.Key] = e
	}
	var wantPlaced []files.Placed
	for _, e := range entries {
		if e.Status == files.StatusWritten {
			wantPlaced = append(wantPlaced, e.Placed)
		}
	}
	if placed != nil && !slices.Equal(placed, wantPlaced) {
		t.Errorf("placed callbacks (%d) differ from the manifest's written rows (%d)", len(placed), len(wantPlaced))
	}
	fileRows := map[string][]staging.Row{}
	for _, fi := range m.Files {
		path := filepath.Join(dir, fi.File)
		if got := sha(t, path); got != fi.SHA256 {
			t.Errorf("%s: sha256 %s, manifest says %s", fi.File, got, fi.SHA256)
		}
		tb := reimport(t, path)
		ent := f.Entity(fi.Entity)
		var header []string
		for _, fl := range ent.Fields {
			if m.Config.Header == files.HeaderLabel {
				header = append(header, fl.Label)
			} else {
				header = append(header, fl.Name)
			}
		}
		if ei := m.Entities[slices.IndexFunc(m.Entities, func(e files.EntityInfo) bool { return e.Name == fi.Entity })]; !slices.Equal(ei.Header, header) {
			t.Errorf("%s: manifest header %q, want %q", fi.File, ei.Header, header)
		}
		if !slices.Equal(tb.Spec.Columns, header) {
			t.Errorf("%s: header %q, want %q", fi.File, tb.Spec.Columns, header)
		}
		if len(tb.Rows) != fi.Rows {
			t.Errorf("%s: %d rows re-imported, manifest says %d", fi.File, len(tb.Rows), fi.Rows)
		}
		fileRows[fi.File] = tb.Rows
	}
	total := 0
	for _, e := range f.Entities {
		recs := records(t, f, e.Name)
		var wrote int64
		for _, r := range recs {
			me, ok := byKey[e.Name+"\x00"+r.Key]
			if !ok {
				t.Errorf("%s %s: not in the manifest", e.Name, r.Key)
				continue
			}
			total++
			if me.Row != r.Row || me.Line != r.Line {
				t.Errorf("%s %s: manifest says source row %d line %d, feed %d line %d", e.Name, r.Key, me.Row, me.Line, r.Row, r.Line)
			}
			if !r.Valid() {
				if me.Status != files.StatusInvalid || me.Note != r.Error(e.Fields) {
					t.Errorf("%s %s: invalid record listed as %s (%q)", e.Name, r.Key, me.Status, me.Note)
				}
				continue
			}
			if me.Status == files.StatusInvalid && (strings.Contains(me.Note, "an Excel cell holds") || strings.Contains(me.Note, "an Excel cell cannot hold")) {
				continue // valid, but more than the format holds: said in words
			}
			if me.Status != files.StatusWritten {
				t.Errorf("%s %s: valid record listed as %s", e.Name, r.Key, me.Status)
				continue
			}
			wrote++
			rows := fileRows[me.File]
			if me.FileRow < 2 || me.FileRow-2 >= len(rows) {
				t.Errorf("%s %s: file row %d is not in %s", e.Name, r.Key, me.FileRow, me.File)
				continue
			}
			got := cells(rows[me.FileRow-2], len(e.Fields))
			for i, v := range r.Values {
				want := v
				if strings.Contains(me.Note, e.Fields[i].Name) {
					want = "'" + v // neutralised, and the manifest says so
				}
				if got[i] != want {
					t.Errorf("%s %s %s: %q came back as %q", e.Name, r.Key, e.Fields[i].Name, want, got[i])
				}
			}
		}
		for _, ei := range m.Entities {
			if ei.Name == e.Name && (ei.Written != wrote || ei.Records != int64(len(recs))) {
				t.Errorf("%s: manifest counts %d written of %d, feed has %d valid of %d", e.Name, ei.Written, ei.Records, wrote, len(recs))
			}
		}
	}
	if total != len(entries) {
		t.Errorf("manifest.csv has %d rows, the feed %d records", len(entries), total)
	}
}

func TestWrittenFilesReimportToTheSameValues(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out", "files") // created by Write
			var placed []files.Placed
			var progressed []string
			m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: format}, nil,
				func(entity string, done, total int64) { progressed = append(progressed, entity) },
				func(pl files.Placed) error { placed = append(placed, pl); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Files) != len(f.Entities) || m.Invalid != 0 || m.Written == 0 {
				t.Fatalf("%d files for %d entities, %d written, %d invalid", len(m.Files), len(f.Entities), m.Written, m.Invalid)
			}
			for i, e := range f.Entities {
				if m.Files[i].File != e.Name+"."+format {
					t.Errorf("file %d is %s, want %s.%s", i, m.Files[i].File, e.Name, format)
				}
			}
			if len(progressed) < 2*len(f.Entities) || len(progressed) > 4*len(f.Entities)+int(m.Written)/1000 {
				t.Errorf("%d progress calls for %d records: not throttled to about one per 1000", len(progressed), m.Written)
			}
			checkRoundTrip(t, f, dir, m, placed)
			// manifest.json is the Manifest
			b, err := os.ReadFile(m.JSONPath)
			if err != nil {
				t.Fatal(err)
			}
			var back files.Manifest
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.Format != files.ManifestFormat || back.Written != m.Written || len(back.Files) != len(m.Files) || back.Files[0] != m.Files[0] {
				t.Errorf("manifest.json does not match: %+v", back)
			}
			for _, n := range dirNames(t, dir) {
				if strings.HasPrefix(n, ".") {
					t.Errorf("left behind: %s", n)
				}
			}
		})
	}
}

func TestCSVOptionsReimportToTheSameValues(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	for _, cfg := range []files.Config{
		{Delimiter: ";", Encoding: "utf-8-bom", LineEnding: "lf", Header: files.HeaderLabel},
		{Delimiter: "tab", Header: files.HeaderName},
		{Delimiter: "|", Encoding: "utf-8-bom", Format: "xlsx", Header: files.HeaderLabel}, // CSV options do not disturb XLSX
	} {
		t.Run(cfg.Delimiter, func(t *testing.T) {
			cfg.Dir = t.TempDir()
			m, err := files.Write(context.Background(), f, cfg, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(filepath.Join(cfg.Dir, m.Files[0].File))
			if cfg.Format == "" && strings.HasPrefix(string(b), "\uFEFF") != (cfg.Encoding == "utf-8-bom") {
				t.Errorf("byte order mark: %q", b[:8])
			}
			if cfg.Format == "" && strings.Contains(string(b), "\r\n") == (cfg.LineEnding == "lf") {
				t.Errorf("line ends not %s", cfg.LineEnding)
			}
			checkRoundTrip(t, f, cfg.Dir, m, nil)
		})
	}
}

func TestChunksOfNRowsAndTheManifestPointsEveryKeyAtItsFileAndRow(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var placed []files.Placed
			m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: format, ChunkRows: 100}, nil, nil,
				func(pl files.Placed) error { placed = append(placed, pl); return nil })
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range m.Entities {
				want := int((e.Written + 99) / 100)
				if len(e.Files) != want {
					t.Errorf("%s: %d records in %d files, want %d", e.Name, e.Written, len(e.Files), want)
				}
				if want > 1 && e.Files[0] != fmt.Sprintf("%s_001.%s", e.Name, format) {
					t.Errorf("%s: first chunk is %s", e.Name, e.Files[0])
				}
			}
			for _, fi := range m.Files {
				if fi.Rows > 100 || fi.Rows == 0 {
					t.Errorf("%s has %d rows", fi.File, fi.Rows)
				}
			}
			// every key's file and row hold that key, read back from the files themselves
			read := map[string]*staging.MemoryTable{}
			for _, fi := range m.Files {
				read[fi.File] = reimport(t, filepath.Join(dir, fi.File))
			}
			for _, pl := range placed {
				e := f.Entity(pl.Entity)
				k := slices.IndexFunc(e.Fields, func(fl target.Field) bool { return fl.Name == e.Key })
				tb := read[pl.File]
				if tb == nil || pl.FileRow-2 >= len(tb.Rows) {
					t.Fatalf("%s %s: %s row %d does not exist", pl.Entity, pl.Key, pl.File, pl.FileRow)
				}
				if got := tb.Rows[pl.FileRow-2].Cells[k]; got != pl.Key {
					t.Errorf("%s %s: %s row %d holds %q", pl.Entity, pl.Key, pl.File, pl.FileRow, got)
				}
			}
			checkRoundTrip(t, f, dir, m, placed)
		})
	}
}

func TestXLSXSplitsAtTheSheetRowLimitOnItsOwn(t *testing.T) {
	defer files.SetXLSXMaxRows(500)()
	p := readyDemo(t)
	f := feedOf(t, p)
	dir := t.TempDir()
	var placed []files.Placed
	m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: "xlsx"}, nil, nil,
		func(pl files.Placed) error { placed = append(placed, pl); return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Entities {
		if want := int((e.Written + 499) / 500); len(e.Files) != want {
			t.Errorf("%s: %d rows in %d files, want %d", e.Name, e.Written, len(e.Files), want)
		}
	}
	checkRoundTrip(t, f, dir, m, placed)
}

func TestAFormulaIsNeutralisedAndTheManifestSaysSo(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	setStaged(t, p, f, "Patient", "Address", 1, "=SUM(A1)")
	setStaged(t, p, f, "Patient", "City", 1, "@cmd|' /C calc'!A0")
	f = feedOf(t, p)
	r := records(t, f, "Patient")[0]
	fields := f.Entity("Patient").Fields
	line := slices.IndexFunc(fields, func(fl target.Field) bool { return fl.Name == "address.line" })
	city := slices.IndexFunc(fields, func(fl target.Field) bool { return fl.Name == "address.city" })
	if !r.Valid() || r.Values[line] != "=SUM(A1)" || !strings.HasPrefix(r.Values[city], "@") {
		t.Fatalf("the feed does not carry the formulas: %q %s", r.Values, r.Error(fields))
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: format}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := cells(reimport(t, filepath.Join(dir, m.Files[0].File)).Rows[0], len(fields))
			if got[line] != "'=SUM(A1)" || got[city] != "'"+r.Values[city] {
				t.Errorf("not neutralised: %q, %q", got[line], got[city])
			}
			e := manifestEntries(t, dir)[0]
			if e.Key != r.Key || !strings.Contains(e.Note, "address.line, address.city") {
				t.Errorf("manifest note: %+v", e)
			}
			// and the phone numbers (+1…) and other values are untouched
			checkRoundTrip(t, f, dir, m, nil)

			dir = t.TempDir()
			m, err = files.Write(context.Background(), f, files.Config{Dir: dir, Format: format, KeepFormulas: true}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			got = cells(reimport(t, filepath.Join(dir, m.Files[0].File)).Rows[0], len(fields))
			if got[line] != "=SUM(A1)" {
				t.Errorf("KeepFormulas: %q", got[line])
			}
		})
	}
}

func TestXLSXKeepsTextAsTextAndNumbersAsNumbers(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	setStaged(t, p, f, "Patient", "Address", 1, "00123")
	f = feedOf(t, p)
	dir := t.TempDir()
	m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: "xlsx"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(filepath.Join(dir, "Patient.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	if sheet != "Patient" {
		t.Errorf("sheet %q", sheet)
	}
	// header: A1 bold, frozen below row 1
	st, _ := x.GetCellStyle(sheet, "A1")
	style, err := x.GetStyle(st)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header not bold: %+v %v", style, err)
	}
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	fields := f.Entity("Patient").Fields
	col := func(name string) string {
		i := slices.IndexFunc(fields, func(fl target.Field) bool { return fl.Name == name })
		c, _ := excelize.ColumnNumberToName(i + 1)
		return c
	}
	for _, cell := range []string{col("address.line") + "2", col("address.postalCode") + "2", col("identifier") + "2"} {
		v, _ := x.GetCellValue(sheet, cell)
		typ, _ := x.GetCellType(sheet, cell)
		if typ != excelize.CellTypeInlineString {
			t.Errorf("%s (%q) is stored as type %v, not text", cell, v, typ)
		}
	}
	if v, _ := x.GetCellValue(sheet, col("address.line")+"2"); v != "00123" {
		t.Errorf("00123 came back as %q", v)
	}
	// money is a number cell showing its two decimals
	inv := m.Files[slices.IndexFunc(m.Files, func(fi files.FileInfo) bool { return fi.Entity == "Invoice" })].File
	xi, err := excelize.OpenFile(filepath.Join(dir, inv))
	if err != nil {
		t.Fatal(err)
	}
	defer xi.Close()
	ifields := f.Entity("Invoice").Fields
	i := slices.IndexFunc(ifields, func(fl target.Field) bool { return fl.Name == "totalGross" })
	c, _ := excelize.ColumnNumberToName(i + 1)
	typ, _ := xi.GetCellType("Invoice", c+"2")
	v, _ := xi.GetCellValue("Invoice", c+"2")
	raw, _ := xi.GetCellValue("Invoice", c+"2", excelize.Options{RawCellValue: true})
	want := records(t, f, "Invoice")[0].Values[i]
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber || v != want || raw == want && strings.Contains(want, ".") && !strings.HasSuffix(want, "0") {
		t.Errorf("money %q stored as type %v shown %q raw %q", want, typ, v, raw)
	}
	checkRoundTrip(t, f, dir, m, nil)
}

func TestInvalidRecordsAreListedNotWritten(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	setStaged(t, p, f, "Patient", "BirthDate", 2, "not a date at all")
	f = feedOf(t, p)
	bad := records(t, f, "Patient")[1]
	if bad.Valid() {
		t.Fatalf("the record stayed valid: %q", bad.Values)
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var invalid []mapping.Record
			m, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: format,
				Invalid: func(r mapping.Record) error { invalid = append(invalid, r); return nil }}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(invalid) != 1 || invalid[0].Key != bad.Key || m.Invalid != 1 || m.Entities[0].Invalid != 1 {
				t.Fatalf("invalid: %d records, manifest %d", len(invalid), m.Invalid)
			}
			checkRoundTrip(t, f, dir, m, nil)
		})
	}
}

func TestAValueXLSXCannotHoldIsInvalidNotMangled(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	f := feedOf(t, p)
	// a control character, and a comment longer than a cell holds once the target allows it
	setStaged(t, p, f, "Patient", "Address", 3, "5 Main St\x01")
	setStaged(t, p, f, "Appointment", "Notes", 1, strings.Repeat("Tooth 14 ", 4000))
	_, err := target.Update(ctx, p, f.Target.ID, "test.unlimited", nil, func(d *target.Definition) error {
		for i := range d.Entities {
			for j := range d.Entities[i].Fields {
				if d.Entities[i].Name == "Appointment" && d.Entities[i].Fields[j].Name == "comment" {
					d.Entities[i].Fields[j].MaxLength = 0
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f = feedOf(t, p)
	pat, appt := records(t, f, "Patient")[2], records(t, f, "Appointment")[0]
	if !pat.Valid() || !appt.Valid() {
		t.Fatalf("the map refuses these values itself: %s / %s", pat.Error(f.Entity("Patient").Fields), appt.Error(f.Entity("Appointment").Fields))
	}
	dir := t.TempDir()
	var invalid []mapping.Record
	m, err := files.Write(ctx, f, files.Config{Dir: dir, Format: "xlsx",
		Invalid: func(r mapping.Record) error { invalid = append(invalid, r); return nil }}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(invalid) != 2 || m.Invalid != 2 || invalid[0].Key != pat.Key || invalid[1].Key != appt.Key {
		t.Fatalf("%d invalid", len(invalid))
	}
	for _, r := range invalid {
		if msg := r.Error(f.Entity(r.Entity).Fields); !strings.Contains(msg, "Excel cell") {
			t.Errorf("%s: %s", r.Key, msg)
		}
	}
	checkRoundTrip(t, f, dir, m, nil) // lists them as invalid with the reason
	entries := manifestEntries(t, dir)
	if entries[2].Status != files.StatusInvalid || !strings.Contains(entries[2].Note, "U+0001") {
		t.Errorf("manifest: %+v", entries[2])
	}
	// CSV holds both exactly
	dir = t.TempDir()
	m, err = files.Write(ctx, f, files.Config{Dir: dir, Format: "csv"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Invalid != 0 {
		t.Errorf("CSV: %d invalid", m.Invalid)
	}
	checkRoundTrip(t, f, dir, m, nil)
}

func TestCancelLeavesNoPartialFiles(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			// an earlier, complete write and a file of the person's own
			if _, err := files.Write(context.Background(), f, files.Config{Dir: dir, Format: format, ChunkRows: 300}, nil, nil, nil); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			before := map[string]string{}
			for _, n := range dirNames(t, dir) {
				before[n] = sha(t, filepath.Join(dir, n))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calledPlaced := false
			_, err := files.Write(ctx, f, files.Config{Dir: dir, Format: format}, nil,
				func(entity string, done, total int64) {
					if entity == "Appointment" && done >= 1000 {
						cancel() // in the middle of the third entity, after two files are complete
					}
				},
				func(files.Placed) error { calledPlaced = true; return nil })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
			if calledPlaced {
				t.Error("placed was called for files that were never put in place")
			}
			after := dirNames(t, dir)
			if len(after) != len(before) {
				t.Errorf("folder after cancel: %q, before: %d files", after, len(before))
			}
			for _, n := range after {
				if before[n] == "" || sha(t, filepath.Join(dir, n)) != before[n] {
					t.Errorf("%s was added or changed by the cancelled write", n)
				}
			}
		})
	}
}

func TestARewriteReplacesTheEarlierFilesAndLeavesOthersAlone(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	dir := t.TempDir()
	if _, err := files.Write(context.Background(), f, files.Config{Dir: dir, ChunkRows: 100}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, ".ferry-partial-0123-Patient.csv"), []byte("half a file from a crash"), 0o644)
	m, err := files.Write(context.Background(), f, files.Config{Dir: dir}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{files.ManifestCSV, files.ManifestJSON, "notes.txt"}
	for _, fi := range m.Files {
		want = append(want, fi.File)
	}
	slices.Sort(want)
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder: %q, want %q", got, want)
	}
}

func TestHostileEntityNamesStayInTheFolder(t *testing.T) {
	p := readyDemo(t)
	names := map[string]string{
		"Patient":        "../../escaped",
		"Practitioner":   `..\..\CON`,
		"Appointment":    "/etc/passwd",
		"Invoice":        "manifest",
		"ServiceRequest": "nul.txt",
	}
	renamed := hostileFeed(t, p, names)
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	m, err := files.Write(context.Background(), renamed, files.Config{Dir: dir}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, base); !slices.Equal(got, []string{"out"}) {
		t.Errorf("written outside the folder: %q", got)
	}
	seen := map[string]bool{}
	for _, fi := range m.Files {
		if filepath.Base(fi.File) != fi.File || strings.ContainsAny(fi.File, `/\`) || strings.HasPrefix(fi.File, ".") {
			t.Errorf("file name %q", fi.File)
		}
		low := strings.ToLower(fi.File)
		if seen[low] || low == files.ManifestCSV || strings.HasPrefix(low, "con.") || strings.HasPrefix(low, "nul.") {
			t.Errorf("file name %q", fi.File)
		}
		seen[low] = true
		if _, err := os.Stat(filepath.Join(dir, fi.File)); err != nil {
			t.Error(err)
		}
	}
	if len(m.Files) != len(renamed.Entities) {
		t.Errorf("%d files for %d entities", len(m.Files), len(renamed.Entities))
	}
}

// hostileFeed maps the demo onto a copy of the FHIR R4 target whose entities carry the given
// names: the shipped demo mapping with every entity renamed, applied as a consultant would.
func hostileFeed(t *testing.T, p *project.Project, names map[string]string) *mapping.Feed {
	t.Helper()
	ctx := context.Background()
	def, err := target.Preset("fhir-r4")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := assets.Maps.ReadFile("maps/demo-fhir-r4.json")
	if err != nil {
		t.Fatal(err)
	}
	db, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	rename := func(b []byte) []byte {
		s := string(b)
		for old, n := range names {
			q, _ := json.Marshal(n)
			s = strings.ReplaceAll(s, `"`+old+`"`, string(q))
		}
		return []byte(s)
	}
	var hostile target.Definition
	if err := json.Unmarshal(rename(db), &hostile); err != nil {
		t.Fatal(err)
	}
	hostile.Name = "hostile"
	tm, err := mapping.ReadTemplate(strings.NewReader(string(rename(tpl))))
	if err != nil {
		t.Fatal(err)
	}
	tm.Target = mapping.TemplateTarget{Name: "hostile", Definition: &hostile}
	if _, err := mapping.TargetFor(ctx, p, tm); err != nil {
		t.Skipf("the target refuses the names: %v", err)
	}
	rep, err := mapping.New(p).ApplyTemplate(ctx, tm, "hostile.json")
	if err != nil || len(rep.Misfits) > 0 {
		t.Fatalf("applying the renamed map: %v %+v", err, rep.Misfits)
	}
	f := feedOf(t, p)
	got := map[string]bool{}
	for _, e := range f.Entities {
		got[e.Name] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Fatalf("the feed has no entity %q after the rename: %v", n, got)
		}
	}
	return f
}

func TestOnlyChosenRecordsAreWrittenAndTheRestAreListedAsSkipped(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	dir := t.TempDir()
	only := func(entity, key string) bool { return entity != "Patient" || strings.HasSuffix(key, "7") }
	var placed []files.Placed
	m, err := files.Write(context.Background(), f, files.Config{Dir: dir}, only, nil,
		func(pl files.Placed) error { placed = append(placed, pl); return nil })
	if err != nil {
		t.Fatal(err)
	}
	pat := m.Entities[0]
	if pat.Name != "Patient" || pat.Skipped == 0 || pat.Written == 0 || pat.Written+pat.Skipped != pat.Records || m.Skipped != pat.Skipped {
		t.Fatalf("counts: %+v", pat)
	}
	for _, e := range manifestEntries(t, dir) {
		if e.Entity == "Patient" && (e.Status == files.StatusWritten) != strings.HasSuffix(e.Key, "7") {
			t.Errorf("%s is %s", e.Key, e.Status)
		}
		if e.Status == files.StatusSkipped && (e.File != "" || e.FileRow != 0) {
			t.Errorf("skipped %s has a place: %+v", e.Key, e)
		}
	}
	rows := reimport(t, filepath.Join(dir, "Patient.csv")).Rows
	if int64(len(rows)) != pat.Written {
		t.Errorf("%d rows in Patient.csv, %d written", len(rows), pat.Written)
	}
	for _, pl := range placed {
		if pl.Entity == "Patient" && rows[pl.FileRow-2].Cells[0] != pl.Key {
			t.Errorf("%s: row %d holds %q", pl.Key, pl.FileRow, rows[pl.FileRow-2].Cells[0])
		}
	}
}

func TestTheSameFeedWritesTheSameBytes(t *testing.T) {
	p := readyDemo(t)
	f := feedOf(t, p)
	for _, format := range []string{"csv", "xlsx"} {
		a, err := files.Write(context.Background(), f, files.Config{Dir: t.TempDir(), Format: format}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := files.Write(context.Background(), f, files.Config{Dir: t.TempDir(), Format: format}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Files, b.Files) {
			t.Errorf("%s: two writes differ: %+v\n%+v", format, a.Files, b.Files)
		}
	}
}
