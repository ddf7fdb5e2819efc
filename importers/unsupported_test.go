package importers

import (
	"archive/zip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/staging"
)

// messyDir is the shared corpus of files from outside the project (read-only).
const messyDir = "../../shared/data/messy"

// importForTest runs one importer on a file into a MemorySink, failing the test if it panics or
// does not finish within 30 seconds.
func importForTest(t testing.TB, imp Importer, path string, opts Options) (*staging.MemorySink, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sink := &staging.MemorySink{}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- errors.New("PANIC")
				t.Errorf("%s: importer panicked: %v", filepath.Base(path), r)
			}
		}()
		done <- imp.Import(ctx, path, opts, sink, nil)
	}()
	select {
	case err := <-done:
		return sink, err
	case <-time.After(35 * time.Second):
		t.Fatalf("%s: importer did not finish within 30 s", filepath.Base(path))
		return nil, nil
	}
}

// messyGlob lists files of the shared corpus, skipping the test when the corpus is absent.
func messyGlob(t *testing.T, patterns ...string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(messyDir, p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Skipf("shared test data not found under %s", messyDir)
	}
	return out
}

func writeTestFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUnsupportedLegacySpreadsheetsSayHowToConvert(t *testing.T) {
	files := messyGlob(t, "*/*.xls", "*/*.ods")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			imp, err := Detect(path)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if imp.Format() != "unsupported" {
				t.Fatalf("Detect chose %q, want the unsupported importer", imp.Format())
			}
			_, err = importForTest(t, imp, path, Options{})
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v does not wrap ErrUnsupported", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, filepath.Base(path)+":") {
				t.Errorf("message does not start with the file name: %q", msg)
			}
			if !strings.Contains(msg, "Save As") {
				t.Errorf("message does not say how to convert: %q", msg)
			}
			switch {
			case strings.HasSuffix(path, ".ods"):
				if !strings.Contains(msg, "OpenDocument spreadsheet") {
					t.Errorf("an .ods should be named as such: %q", msg)
				}
			case strings.Contains(path, "encrypted"):
				if !strings.Contains(msg, "password") {
					t.Errorf("an encrypted .xls should say it is password protected: %q", msg)
				}
			default:
				if !strings.Contains(msg, "Excel 97-2003 workbook (.xls)") {
					t.Errorf("an .xls should be named as such: %q", msg)
				}
			}
			// the xlsx importer, called directly on the same file, says the same
			if _, err := importForTest(t, xlsxImporter{}, path, Options{}); !errors.Is(err, ErrUnsupported) {
				t.Errorf("xlsx importer on %s: %v, want ErrUnsupported", filepath.Base(path), err)
			}
		})
	}
}

func TestUnsupportedRecognisedFormats(t *testing.T) {
	dir := t.TempDir()
	zipOf := func(name string, parts map[string]string) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for n, body := range parts {
			w, err := zw.Create(n)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
		zw.Close()
		f.Close()
		return p
	}
	encrypted := filepath.Join(dir, "locked.xlsx")
	{
		f := excelize.NewFile()
		f.SetCellValue("Sheet1", "A1", "secret")
		if err := f.SaveAs(encrypted, excelize.Options{Password: "pw"}); err != nil {
			t.Fatal(err)
		}
	}
	project := filepath.Join(dir, "practice.ferry")
	{
		db, err := sql.Open("sqlite", project)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`PRAGMA application_id = 1179800153; CREATE TABLE t(a)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	mdb := make([]byte, 2048)
	copy(mdb[4:], "Standard Jet DB")
	cases := []struct {
		path, want string
	}{
		{encrypted, "protected with a password"},
		{project, "Ferry project file"},
		{writeTestFile(t, dir, "backup.bak", append([]byte("TAPE"), make([]byte, 1020)...)), "SQL Server backup"},
		{writeTestFile(t, dir, "old.mdb", mdb), "Microsoft Access database"},
		{writeTestFile(t, dir, "report.pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n")), "PDF"},
		{writeTestFile(t, dir, "export.csv.gz", []byte{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3}), "compressed archive"},
		{zipOf("letter.docx", map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "Word document"},
		{zipOf("export.zip", map[string]string{"patients.csv": "a,b\n1,2\n"}), "zip archive"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			imp, err := Detect(c.path)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			_, err = importForTest(t, imp, c.path, Options{})
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("%s via %s: %v, want ErrUnsupported", filepath.Base(c.path), imp.Format(), err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
				t.Errorf("message %q should name the file and say %q", err, c.want)
			}
		})
	}
	// Called directly, the xlsx and sqlite importers refuse the same way.
	if _, err := importForTest(t, xlsxImporter{}, encrypted, Options{}); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "password") {
		t.Errorf("xlsx importer on an encrypted workbook: %v", err)
	}
	if _, err := importForTest(t, sqliteImporter{}, project, Options{}); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "Ferry project") {
		t.Errorf("sqlite importer on a project file: %v", err)
	}
}

func TestUnsupportedProbeStaysOutOfTheWay(t *testing.T) {
	u := unsupportedImporter{}
	for name, head := range map[string][]byte{
		"a.csv":    []byte("id,name\n1,Ann\n"),
		"a.json":   []byte(`[{"a":1}]`),
		"a.db":     append([]byte("SQLite format 3\x00"), make([]byte, 100)...),
		"a.xlsx":   append([]byte("PK\x03\x04"), []byte("....xl/workbook.xml")...),
		"empty":    nil,
		"a.dbf":    {0x03, 124, 1, 1},
		"a.ndjson": []byte("{\"a\":1}\n{\"a\":2}\n"),
	} {
		if s := u.Probe(head, name); s != 0 {
			t.Errorf("Probe(%s) = %d, want 0", name, s)
		}
	}
}
