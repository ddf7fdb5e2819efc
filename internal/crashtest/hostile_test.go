package crashtest

import (
	"archive/zip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/killtest"
)

// maxHostileRSS is the most memory `ferry import` may take on any hostile file below (each is
// at most ~70 MB): enough for Ferry itself, far below what holding a bomb or a 2 GB cell takes.
const maxHostileRSS = 512 << 20

// importPeak runs `ferry import` and returns its output, error and peak resident memory.
func importPeak(t *testing.T, bin, project, src string) (string, error, int64) {
	t.Helper()
	cmd := exec.Command(bin, "import", project, src)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return string(out), err, rss
}

func staged(t *testing.T, path string) map[string]bool {
	t.Helper()
	db := killtest.OpenDB(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out[n] = true
	}
	return out
}

// Files built to break a naive importer: each is refused with a message or staged intact, with
// bounded memory, and the project stays sound.
func TestHostileFilesAreRefusedOrStagedWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes files of 70 MB")
	}
	bin := killtest.Binary(t)
	dir := t.TempDir()
	proj := filepath.Join(dir, "practice.ferry")
	smallProject(t, proj, 10)
	write := func(name string, fill func(f *os.File)) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		fill(f)
		f.Close()
		return p
	}
	str := func(s string) func(*os.File) { return func(f *os.File) { f.WriteString(s) } }
	const inject = `"); DROP TABLE patients; --`

	cases := []struct {
		name, file string
		refused    string // words of the refusal; "" means it must be staged
	}{
		{"SQL in column names", write("inject.csv", str(`id,"""); DROP TABLE patients; --",x`+"\n1,2,3\n")), ""},
		{"control characters in names", write("ctrl.csv", str("id,\x1b[31mred,\x00nul,\x7fdel\n1,2,3,4\n")), ""},
		{"10,000 columns", write("wide.csv", func(f *os.File) {
			var b strings.Builder
			for i := 0; i < 10000; i++ {
				fmt.Fprintf(&b, "c%d,", i)
			}
			f.WriteString(strings.TrimSuffix(b.String(), ",") + "\n1\n")
		}), "at most 1996"},
		{"a 70 MB cell", write("bigcell.csv", func(f *os.File) {
			f.WriteString("id,notes\n1,\"")
			chunk := strings.Repeat("x", 1<<20)
			for i := 0; i < 70; i++ {
				f.WriteString(chunk)
			}
			f.WriteString("\"\n2,ok\n")
		}), "64 MiB"},
		{"JSON nested 100,000 deep", write("deep.json", str(strings.Repeat("[", 100000)+strings.Repeat("]", 100000))), "nested more than"},
		{"JSON objects nested 100,000 deep", write("deepobj.json", str("[{\"a\":"+strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100001)+"]")), "nested more than"},
		{"a zip bomb", write("bomb.xlsx", func(f *os.File) {
			zw := zip.NewWriter(f)
			w, _ := zw.Create("xl/worksheets/sheet1.xml")
			zeros := make([]byte, 1<<20)
			for i := 0; i < 300; i++ {
				w.Write(zeros)
			}
			zw.Close()
		}), "zip bomb"},
	}
	// a workbook whose sheet name is SQL
	book := filepath.Join(dir, "sheets.xlsx")
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", `"); DROP TABLE x; --`)
	x.SetCellValue(`"); DROP TABLE x; --`, "A1", "id")
	x.SetCellValue(`"); DROP TABLE x; --`, "A2", "1")
	if err := x.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct{ name, file, refused string }{"SQL in a sheet name", book, ""})

	{
		// A plain JSON string longer than the cell limit is refused while it streams in
		// (importers.jsonStringGuard), before encoding/json would buffer it whole.
		cases = append(cases, struct{ name, file, refused string }{"a 70 MB JSON string", write("bigcell.json", func(f *os.File) {
			f.WriteString(`[{"id":1,"notes":"`)
			chunk := strings.Repeat("y", 1<<20)
			for i := 0; i < 70; i++ {
				f.WriteString(chunk)
			}
			f.WriteString(`"}]`)
		}), "64"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := staged(t, proj)
			out, err, rss := importPeak(t, bin, proj, c.file)
			t.Logf("%s: peak memory %d MB\n%s", c.name, rss>>20, out)
			if rss > maxHostileRSS {
				t.Errorf("peak memory %d MB, more than %d MB", rss>>20, maxHostileRSS>>20)
			}
			if c.refused != "" {
				if err == nil || !strings.Contains(out, c.refused) {
					t.Fatalf("want a refusal saying %q, got %v:\n%s", c.refused, err, out)
				}
			} else if err != nil {
				t.Fatalf("not staged: %v\n%s", err, out)
			}
			after := staged(t, proj)
			for tb := range before {
				if !after[tb] {
					t.Fatalf("table %s disappeared", tb)
				}
			}
			assertSound(t, bin, proj)
		})
	}
	// the names went in as data, not as SQL
	db := killtest.OpenDB(t, proj)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info('inject') WHERE name = ?`, inject).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the column named %q: %d, %v", inject, n, err)
	}
	var tables string
	db.QueryRow(`SELECT group_concat(name, ' | ') FROM ferry_tables`).Scan(&tables)
	if !strings.Contains(tables, "sheets") || !strings.Contains(tables, "inject") || !strings.Contains(tables, "patients") {
		t.Fatalf("staged tables: %s", tables)
	}
	db.Close()
}
