package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/screens"
)

// The window imports through the importer cmd wires into screens.Services; what the Sources grid
// then shows (its GridSource) must be the file's values exactly. The screen itself is tested in
// screens with a test importer; this checks the real one behind it.
func TestGUIImporterStagesWhatTheSourcesGridShows(t *testing.T) {
	imp := services().Importer
	if imp == nil {
		t.Fatal("the window has no importer")
	}
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "gui.ferry"), project.Options{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	file := filepath.Join("..", "..", "..", "shared", "data", "synthea-csv", "patients.csv")
	if _, err := os.Stat(file); err != nil {
		t.Skip("shared test data not here:", err)
	}
	var calls int
	res, err := imp.ImportFile(context.Background(), p, staging.ImportRequest{Path: file}, func(read, total, rows int64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 1 || res.Tables[0].Name != "patients" || calls == 0 {
		t.Fatalf("import result %+v after %d progress calls", res.Tables, calls)
	}

	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	src, err := screens.NewStagedSource(context.Background(), staging.NewStager(p), "patients")
	if err != nil {
		t.Fatal(err)
	}
	if src.RowCount() != int64(len(want)-1) || len(src.Columns()) != len(want[0]) {
		t.Fatalf("grid source: %d rows × %d columns, file has %d × %d", src.RowCount(), len(src.Columns()), len(want)-1, len(want[0]))
	}
	rows, err := src.Page(context.Background(), 0, screens.GridPageSize)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.Line != int64(i+2) {
			t.Fatalf("row %d is line %d of the file", i+1, r.Line)
		}
		for c, v := range want[i+1] {
			if r.Cells[c] != v {
				t.Fatalf("row %d, %s: grid shows %q, file has %q", i+1, want[0][c], r.Cells[c], v)
			}
		}
	}

	// Re-importing with a delimiter chosen replaces the table (here: everything in one column).
	res, err = imp.ImportFile(context.Background(), p, staging.ImportRequest{Path: file, Table: "patients", Delimiter: "|"}, func(int64, int64, int64) {})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Tables[0].Replaced || len(res.Tables[0].Columns) != 1 {
		t.Fatalf("re-import with |: %+v", res.Tables[0])
	}
	ts, _ := staging.NewStager(p).Tables(context.Background())
	if len(ts) != 1 || ts[0].Source.Delimiter != "|" {
		t.Fatalf("tables after re-import: %+v", ts)
	}
}
