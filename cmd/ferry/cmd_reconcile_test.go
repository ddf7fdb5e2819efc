package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

// A loaded demo, its export with one patient deleted, one renamed and one duplicated: ferry
// reconcile lists exactly those three and exits 1; ferry trace tells the renamed one's story;
// ferry report writes both formats.
func TestReconcileTraceAndReportFromTheCommandLine(t *testing.T) {
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	path := p.Path
	p.Close()
	dir := t.TempDir()
	pat := tables["Patient"]
	renamed := pat.Rows[7].Cells[1]
	for i, c := range pat.Spec.Columns {
		if c == "name.family" {
			pat.Rows[7].Cells[i] = "Someone-Else"
		}
	}
	deleted := pat.Rows[2].Cells[1]
	dup := append([]string(nil), pat.Rows[9].Cells...)
	dup[0] = "dup-1"
	pat.Rows = append(pat.Rows[:2], pat.Rows[3:]...)
	pat.Rows = append(pat.Rows, pat.Rows[0])
	pat.Rows[len(pat.Rows)-1].Cells = dup
	var args []string
	for name, mt := range tables {
		f := filepath.Join(dir, name+".csv")
		reconciletest.WriteCSV(t, f, mt)
		args = append(args, "--target-export", f)
	}

	code, out, errb := ferry(t, append([]string{"reconcile", path, "--json", "--user", "Dana"}, args...)...)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var res reconcile.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Differences != 3 || res.ByKind["missing"] != 1 || res.ByKind["changed"] != 1 || res.ByKind["duplicate"] != 1 {
		t.Fatalf("%s: %v %+v", res.Verdict, res.ByKind, res.Diffs)
	}
	for _, d := range res.Diffs {
		if (d.Kind == "missing" && d.Key != deleted) || (d.Kind == "changed" && d.Key != renamed) {
			t.Errorf("%+v", d)
		}
	}
	code, out, _ = ferry(t, append([]string{"reconcile", path, "--audit=false"}, args...)...)
	if code != 1 || !strings.Contains(out, "3 differences.") || !strings.Contains(out, `name.family sent`) || !strings.Contains(out, "ENTITY") {
		t.Fatalf("text: %d\n%s", code, out)
	}

	code, out, errb = ferry(t, "trace", path, "--table", "patients", "--key", renamed)
	if code != 0 || !strings.Contains(out, "Record "+renamed+" of patients") || !strings.Contains(out, `found "Someone-Else"`) {
		t.Fatalf("trace: %d %s %s", code, out, errb)
	}
	if code, _, errb := ferry(t, "trace", path, "--table", "patients"); code != 2 {
		t.Fatalf("trace without --key: %d %s", code, errb)
	}

	for _, name := range []string{"report.xlsx", "report.pdf"} {
		outPath := filepath.Join(dir, name)
		code, out, errb = ferry(t, "report", path, "--out", outPath, "--redact")
		if code != 0 || !strings.Contains(out, "SHA-256") || !strings.Contains(out, "custody log") {
			t.Fatalf("report %s: %d %s %s", name, code, out, errb)
		}
		if st, err := os.Stat(outPath); err != nil || st.Size() < 2000 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if code, _, _ := ferry(t, "report", path, "--out", filepath.Join(dir, "r.txt")); code != 2 {
		t.Fatalf("report --out r.txt: exit %d", code)
	}
}
