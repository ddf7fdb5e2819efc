package importers

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Valentin-Kaiser/go-dbase/dbase"
	"golang.org/x/text/encoding/charmap"
)

// goDbaseTestData copies the FoxPro tables (with their .FPT memo files) that the go-dbase module
// ships as its own test data into a temporary folder.
func goDbaseTestData(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/Valentin-Kaiser/go-dbase").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("go-dbase module not found in the module cache: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "examples", "test_data")
	dir := t.TempDir()
	for _, rel := range []string{"table/TEST.DBF", "table/TEST.FPT", "database/employees.dbf", "database/employees.FPT"} {
		in, err := os.Open(filepath.Join(src, rel))
		if err != nil {
			t.Skipf("go-dbase test data missing: %v", err)
		}
		o, _ := os.Create(filepath.Join(dir, filepath.Base(rel)))
		io.Copy(o, in)
		in.Close()
		o.Close()
	}
	return dir
}

// TestDBFMemosMatchGoDbase stages the maintained library's own memo test tables and checks every
// memo and text value against what the library itself reads from them.
func TestDBFMemosMatchGoDbase(t *testing.T) {
	dir := goDbaseTestData(t)
	for _, file := range []string{"TEST.DBF", "employees.dbf"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(dir, file)
			sink, err := importForTest(t, dbfImporter{}, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tb := sink.Tables[0]
			if tb.Spec.Source.Options["memo_file"] == "" {
				t.Fatalf("no memo file recorded: %+v", tb.Spec.Source)
			}
			lib, err := dbase.OpenTable(&dbase.Config{Filename: path, Converter: dbase.NewDefaultConverter(charmap.Windows1252), ReadOnly: true, Untested: true})
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			cols := lib.Columns()
			memos, checked := 0, 0
			for i := 0; ; i++ {
				row, err := lib.Next()
				if err != nil || row == nil {
					break
				}
				if i >= len(tb.Rows) {
					t.Fatalf("the library reads more rows (%d+) than were staged (%d)", i+1, len(tb.Rows))
				}
				for ci, c := range cols {
					typ := c.Type()
					if typ != "M" && typ != "C" {
						continue
					}
					v := row.Field(ci).GetValue()
					var want string
					switch v := v.(type) {
					case string:
						want = v
					case []byte:
						want = string(v)
					case nil:
						continue
					default:
						continue
					}
					got := tb.Rows[i].Cells[ci]
					if typ == "C" {
						want = strings.TrimRight(want, " ")
					} else {
						memos++
					}
					checked++
					if got != want {
						t.Errorf("record %d, %s (%s): staged %q, go-dbase reads %q", i+1, c.Name(), typ, got, want)
					}
				}
			}
			if memos == 0 || checked == 0 {
				t.Errorf("no memo values compared (memos %d, values %d)", memos, checked)
			}
			t.Logf("%s: %d rows, %d values compared, %d memos", file, len(tb.Rows), checked, memos)
		})
	}
}
