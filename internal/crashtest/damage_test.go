package crashtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/internal/killtest"
)

var ctx = context.Background()

// smallProject makes a closed project with one staged table of n rows, in process.
func smallProject(t testing.TB, path string, n int) {
	t.Helper()
	p, err := project.Create(ctx, path, project.Options{Actor: "Crash Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	src := staging.SourceInfo{Path: "/old/patients.csv", FileName: "patients.csv", SHA256: "abc", Size: 9, Format: "csv"}
	_, err = staging.NewStager(p).Import(ctx, src, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: "patients", Columns: []string{"ID", "Name", "Notes"}})
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := w.Write(staging.Row{Line: int64(i + 2), Cells: []string{fmt.Sprint(i), fmt.Sprintf("Patient %d", i),
				strings.Repeat("note ", 20)}, Nulls: make([]bool, 3)}); err != nil {
				return err
			}
		}
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fileHash(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func dirNames(t testing.TB, dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// contentHash hashes every table of a project but the custody log (which opening the file adds
// to): what the person's data and decisions are.
func contentHash(t testing.TB, path string) string {
	t.Helper()
	db := killtest.OpenDB(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'ferry_custody' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, tb := range tables {
		fmt.Fprintf(h, "table %s\n", tb)
		r, err := db.Query(`SELECT * FROM ` + staging.QuoteIdent(tb) + ` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			r.Scan(ptrs...)
			fmt.Fprintln(h, vals)
		}
		r.Close()
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// A file cut short, with a page of garbage, or from a newer Ferry: every command says what is
// wrong and what to do, and the file stays byte for byte as it was, with nothing left beside it.
func TestDamagedAndNewerFilesGetAClearMessageAndAreNotTouched(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ferry")
	}
	bin := killtest.Binary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ferry")
	smallProject(t, good, 3000)
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(orig) / 4096
	csv := filepath.Join(dir, "more.csv")
	os.WriteFile(csv, []byte("ID,Name\n1,Ann\n"), 0o644)

	garbage := func(page, from int) []byte {
		b := append([]byte(nil), orig...)
		for i := from; i < 4096; i++ {
			b[page*4096+i] = byte(i*13 + 7)
		}
		return b
	}
	newer := func() []byte {
		b := append([]byte(nil), orig...)
		b[60], b[61], b[62], b[63] = 0, 0, 0x27, 0x0f // user_version 9999
		return b
	}()
	cases := []struct {
		name string
		data []byte
		want string // words the message must hold
	}{
		{"cut to 50 bytes", orig[:50], "damaged"},
		{"cut after the first page", orig[:4096+100], "damaged"},
		{"cut in half", orig[:pages/2*4096], "damaged"},
		{"last page missing", orig[:(pages-1)*4096], "damaged"},
		{"a page of garbage", garbage(pages/2, 0), "damaged"},
		{"the schema page overwritten", garbage(0, 100), "damaged"},
		{"from a newer Ferry", newer, "newer version of Ferry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := t.TempDir()
			path := filepath.Join(d, "practice.ferry")
			os.WriteFile(path, c.data, 0o644)
			before := fileHash(t, path)
			for _, args := range [][]string{{"import", path, csv}, {"tables", path}, {"audit", path}} {
				out, err := killtest.Ferry(t, bin, nil, args...)
				if err == nil {
					t.Fatalf("ferry %s succeeded on a bad file:\n%s", args[0], out)
				}
				if code := err.(*exec.ExitError).ExitCode(); code != 1 {
					t.Fatalf("ferry %s: exit %d, want 1\n%s", args[0], code, out)
				}
				if !strings.Contains(out, c.want) || !strings.Contains(out, "\n  ") {
					t.Fatalf("ferry %s: the message does not say %q and what to do:\n%s", args[0], c.want, out)
				}
				if h := fileHash(t, path); h != before {
					t.Fatalf("ferry %s changed the file", args[0])
				}
				if names := dirNames(t, d); len(names) != 1 {
					t.Fatalf("ferry %s left files beside it: %v", args[0], names)
				}
			}
			out, err := killtest.Ferry(t, bin, nil, "verify", path)
			if c.name == "a page of garbage" {
				// viewing only reads: the custody log may well be intact; it must not change the file either
				t.Logf("verify on a file with a garbage page: %v\n%s", err, out)
			} else if err == nil {
				t.Fatalf("verify passed a bad file:\n%s", out)
			}
			if h := fileHash(t, path); h != before {
				t.Fatal("ferry verify changed the file")
			}
		})
	}
}
