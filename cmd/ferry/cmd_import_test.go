package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sharedData = "../../../shared/data"

func newTestProject(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "practice.ferry")
	if code, out, errb := ferry(t, "new", path, "--user", "Tess"); code != 0 {
		t.Fatalf("new: %d %s %s", code, out, errb)
	}
	return path
}

func TestImportThenTables(t *testing.T) {
	proj := newTestProject(t)
	dir := filepath.Join(sharedData, "synthea-csv")
	code, out, errb := ferry(t, "import", proj, filepath.Join(dir, "patients.csv"), filepath.Join(dir, "encounters.csv"), "--user", "Tess")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{
		"patients.csv → patients (csv, utf-8, comma-separated, header row)",
		"  27 rows, 0 flagged, 0 issues",
		"encounters.csv → encounters",
		"  604 rows, 0 flagged, 0 issues",
		"Relationships found:",
		"encounters.PATIENT → patients.Id  suggested, 100% of 604 values found",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}

	code, out, errb = ferry(t, "tables", proj)
	if code != 0 {
		t.Fatalf("tables: exit %d %s", code, errb)
	}
	for _, want := range []string{"TABLE", "patients", "27", "encounters", "604", "patients.csv (csv, utf-8", "by Tess",
		"encounters.PATIENT → patients.Id  (suggested, 100% of 604 values found)"} {
		if !strings.Contains(out, want) {
			t.Errorf("tables output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = ferry(t, "tables", "--json", proj)
	var doc struct {
		Tables []struct {
			Name string
			Rows int64
		}
		Relationships []struct {
			ChildTable  string `json:"child_table"`
			ChildColumn string `json:"child_column"`
			Share       float64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Tables) != 2 || doc.Tables[0].Name != "patients" ||
		doc.Tables[0].Rows != 27 || len(doc.Relationships) == 0 || doc.Relationships[0].Share != 1 {
		t.Fatalf("tables --json: %d %s", code, out)
	}
}

func TestImportReportsIssuesWithLineAndColumn(t *testing.T) {
	proj := newTestProject(t)
	src := filepath.Join(t.TempDir(), "Patient List.csv")
	os.WriteFile(src, []byte("Report generated 2024-01-01\nPatNum;LName;Birthdate\n0001;Smith;0001-01-01\n0002;Caf\xe9;\n0003\n"), 0o644)
	code, out, errb := ferry(t, "import", proj, src, "--table", "patient")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{
		"Patient List.csv → patient (csv, latin-1, semicolon-separated, header row, 1 line above the header skipped)",
		"3 rows, 1 flagged, 3 issues (1 encoding, 1 missing cells, 1 skipped line)",
		"the file: The file is not UTF-8; it was read as Latin-1 (Western European).",
		"line 1: line above the header, not imported: \"Report generated 2024-01-01\"",
		"line 5, column 2 (LName): this line has 1 cell",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// the same table again: replaced
	code, out, _ = ferry(t, "import", proj, src, "--table", "patient", "--skip-lines", "1", "--delimiter", ";")
	if code != 0 || !strings.Contains(out, "replaced the earlier import") {
		t.Fatalf("re-import: %d %s", code, out)
	}
}

func TestImportFailuresNameTheFileAndExit1(t *testing.T) {
	proj := newTestProject(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	good := filepath.Join(sharedData, "synthea-csv", "payers.csv")
	code, out, errb := ferry(t, "import", proj, empty, filepath.Join(dir, "missing.csv"), good)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errb)
	}
	for _, want := range []string{"empty.csv: the file has nothing to import", "missing.csv", "The file has no rows and no header"} {
		if !strings.Contains(errb, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb)
		}
	}
	if !strings.Contains(out, "payers.csv → payers") || !strings.Contains(out, "Not imported: empty.csv") {
		t.Errorf("the good file was not imported:\n%s", out)
	}
	for _, args := range [][]string{{"import"}, {"import", proj}, {"import", proj, "a.csv", "b.csv", "--table", "x"}, {"tables"}} {
		if code, _, errb := ferry(t, args...); code != 2 || !strings.Contains(errb, "Usage") {
			t.Errorf("ferry %v: exit %d %s", args, code, errb)
		}
	}
	if code, _, errb := ferry(t, "tables", filepath.Join(dir, "nope.ferry")); code != 1 || !strings.Contains(errb, "nope.ferry") {
		t.Errorf("tables on a missing project: %d %s", code, errb)
	}
}
