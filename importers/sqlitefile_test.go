package importers

import (
	"crypto/sha256"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/staging"
)

// sqliteFixture makes a database the way an old practice system might have left it.
func sqliteFixture(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "OldSystem.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE patient (PatNum INTEGER PRIMARY KEY, LName TEXT, Birthdate DATE, Balance REAL, Photo BLOB, Zip TEXT, Fee NUMERIC, "Odd ""name""" TEXT)`,
		`INSERT INTO patient VALUES (1, 'Smith', '0001-01-01', 12.5, x'00ff10', '02134', 5, 'a')`,
		`INSERT INTO patient VALUES (2, NULL, '2024-03-05', 3.0, NULL, 'N/A', 1.25, NULL)`,
		`INSERT INTO patient VALUES (7, 'Ab' || char(0) || 'c', 'soon', 0.1, x'', '', NULL, '')`,
		`INSERT INTO patient VALUES (9, CAST(x'4a6fe9' AS TEXT), 20240305, 1e300, NULL, NULL, NULL, NULL)`,
		`CREATE TABLE appt (k TEXT PRIMARY KEY, at TIMESTAMP) WITHOUT ROWID`,
		`INSERT INTO appt VALUES ('b', '2024-03-05 14:30:00'), ('a', '2024-03-06T09:00:00Z')`,
		`CREATE VIEW debtors AS SELECT PatNum, Balance FROM patient WHERE Balance > 1`,
		`CREATE TABLE empty_one (a, b)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

func sha256Of(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return string(h.Sum(nil))
}

func folderNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestSQLiteStagesEveryTableAsText(t *testing.T) {
	dir := t.TempDir()
	path := sqliteFixture(t, dir)
	before, beforeFiles := sha256Of(t, path), folderNames(t, dir)

	imp, err := Detect(path)
	if err != nil || imp.Format() != "sqlite" {
		t.Fatalf("Detect: %v %v", imp, err)
	}
	sink, err := importForTest(t, imp, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sha256Of(t, path) != before || !reflect.DeepEqual(folderNames(t, dir), beforeFiles) {
		t.Errorf("the import changed the user's folder: %v -> %v", beforeFiles, folderNames(t, dir))
	}
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"patient", "appt", "empty_one"}) {
		t.Fatalf("tables %v (views are left out unless asked for)", got)
	}
	p := sink.Tables[0]
	if want := []string{"PatNum", "LName", "Birthdate", "Balance", "Photo", "Zip", "Fee", `Odd "name"`}; !reflect.DeepEqual(p.Spec.Columns, want) {
		t.Errorf("columns %q", p.Spec.Columns)
	}
	want := [][]string{
		{"1", "Smith", "0001-01-01", "12.5", "AP8Q", "02134", "5", "a"},
		{"2", "", "2024-03-05", "3.0", "", "N/A", "1.25", ""},
		{"7", "Abc", "soon", "0.1", "", "", "", ""},
		{"9", "Jo\uFFFD", "20240305", "1e+300", "", "", "", ""},
	}
	if got := tableCells(p); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	wantNulls := [][]bool{
		{false, false, false, false, false, false, false, false},
		{false, true, false, false, true, false, false, true},
		{false, false, false, false, false, false, true, false},
		{false, false, false, false, true, true, true, true},
	}
	if got := tableNulls(p); !reflect.DeepEqual(got, wantNulls) {
		t.Errorf("nulls\n got %v\nwant %v", got, wantNulls)
	}
	if got := tableLines(p); !reflect.DeepEqual(got, []int64{1, 2, 7, 9}) {
		t.Errorf("lines %v, want the rowids", got)
	}
	if p.Rows[2].Flags != staging.FlagNUL || p.Rows[3].Flags != staging.FlagInvalidBytes {
		t.Errorf("flags %v %v", p.Rows[2].Flags, p.Rows[3].Flags)
	}
	if kinds := tableIssueKinds(p); !reflect.DeepEqual(kinds, []string{"binary", "nul_byte", "invalid_bytes"}) {
		t.Errorf("issues %v", p.Issues)
	}
	if p.Spec.Source.Options["blob_encoding"] != "base64" || p.Spec.Source.Format != "sqlite" {
		t.Errorf("source %+v", p.Spec.Source)
	}
	a := sink.Tables[1]
	if got := tableCells(a); !reflect.DeepEqual(got, [][]string{{"a", "2024-03-06T09:00:00Z"}, {"b", "2024-03-05 14:30:00"}}) {
		t.Errorf("WITHOUT ROWID table: %q (timestamps must stay as stored)", got)
	}
	if got := tableLines(a); !reflect.DeepEqual(got, []int64{1, 2}) {
		t.Errorf("WITHOUT ROWID lines %v", got)
	}
	if e := sink.Tables[2]; len(e.Rows) != 0 || !reflect.DeepEqual(e.Spec.Columns, []string{"a", "b"}) {
		t.Errorf("empty table %+v", e.Spec)
	}
}

func TestSQLiteChosenTablesAndViews(t *testing.T) {
	path := sqliteFixture(t, t.TempDir())
	sink, err := importForTest(t, sqliteImporter{}, path, Options{Tables: []string{"DEBTORS"}, Table: "owing"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sinkTableNames(sink); !reflect.DeepEqual(got, []string{"owing"}) {
		t.Fatalf("tables %v", got)
	}
	if got := tableCells(sink.Tables[0]); !reflect.DeepEqual(got, [][]string{{"1", "12.5"}, {"2", "3.0"}, {"9", "1e+300"}}) {
		t.Errorf("view rows %q", got)
	}
	_, err = importForTest(t, sqliteImporter{}, path, Options{Tables: []string{"invoices"}})
	if err == nil || !strings.Contains(err.Error(), `no table "invoices"`) || !strings.Contains(err.Error(), `"patient"`) {
		t.Errorf("unknown table: %v", err)
	}
}

func TestSQLiteReadsTheWALWithoutTouchingIt(t *testing.T) {
	live := t.TempDir()
	path := filepath.Join(live, "pms.sqlite")
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA wal_autocheckpoint = 0`, `CREATE TABLE t (a)`, `INSERT INTO t VALUES ('only in the WAL')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// copy the folder as a practice would hand it over, while the old system still has it open
	copyDir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, copyDir, "pms.sqlite"+suffix, data)
	}
	db.Close()
	copied := filepath.Join(copyDir, "pms.sqlite")
	before, beforeWAL, beforeFiles := sha256Of(t, copied), sha256Of(t, copied+"-wal"), folderNames(t, copyDir)

	sink, err := importForTest(t, sqliteImporter{}, copied, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tableCells(sink.Tables[0]); !reflect.DeepEqual(got, [][]string{{"only in the WAL"}}) {
		t.Errorf("rows %q: the WAL's rows must be included", got)
	}
	if sha256Of(t, copied) != before || sha256Of(t, copied+"-wal") != beforeWAL || !reflect.DeepEqual(folderNames(t, copyDir), beforeFiles) {
		t.Errorf("the import changed the user's files: %v", folderNames(t, copyDir))
	}
	if kinds := tableIssueKinds(sink.Tables[0]); !reflect.DeepEqual(kinds, []string{"wal"}) {
		t.Errorf("issues %v", sink.Tables[0].Issues)
	}
}

func TestSQLiteRefusesDamageAndProjects(t *testing.T) {
	dir := t.TempDir()
	damaged := filepath.Join(dir, "damaged.db")
	{
		good := sqliteFixture(t, t.TempDir())
		data, _ := os.ReadFile(good)
		for i := 4096; i < len(data); i++ { // wipe every page after the first
			data[i] = 0xA5
		}
		os.WriteFile(damaged, data, 0o644)
	}
	if _, err := importForTest(t, sqliteImporter{}, damaged, Options{}); err == nil || !strings.HasPrefix(err.Error(), "damaged.db:") {
		t.Errorf("damaged database: %v", err)
	}
	notDB := writeTestFile(t, dir, "notes.db", []byte("just some text\n"))
	if _, err := importForTest(t, sqliteImporter{}, notDB, Options{}); err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("not a database: %v", err)
	}
	project := filepath.Join(dir, "clinic.ferry")
	db, _ := sql.Open("sqlite", project)
	db.Exec(`PRAGMA application_id = 1179800153`)
	db.Exec(`CREATE TABLE x (a)`)
	db.Close()
	head, _ := os.ReadFile(project)
	if s := (sqliteImporter{}).Probe(head, "clinic.ferry"); s != 0 {
		t.Errorf("Probe on a project file = %d, want 0", s)
	}
	if _, err := importForTest(t, sqliteImporter{}, project, Options{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("project file: %v", err)
	}
}
