package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/importers"
)

func auditStatus(t *testing.T, p *project.Project) (wizard.State, string) {
	t.Helper()
	steps, err := wizard.Steps(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.ID == wizard.Audit {
			if !s.Built {
				t.Fatal("the Audit step is not registered as built")
			}
			return s.State, s.Detail
		}
	}
	t.Fatal("no Audit step")
	return 0, ""
}

func TestRunIsStoredLoggedAndReadBack(t *testing.T) {
	p, m := demoProject(t)
	ctx := context.Background()
	if _, err := audit.Latest(ctx, p); !errors.Is(err, audit.ErrNoRun) {
		t.Fatalf("Latest before any run: %v", err)
	}
	if st, _ := auditStatus(t, p); st != wizard.NotStarted {
		t.Errorf("status before any run: %s", st)
	}
	rep, err := audit.Run(ctx, p, audit.Options{ReferenceDate: refDate(t, m)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := audit.Latest(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Errorf("Latest differs from what Run returned:\n run    %.600s\n latest %.600s", a, b)
	}
	st, detail := auditStatus(t, p)
	want := "32 findings: 8 errors, 13 warnings."
	if st != wizard.Done || detail != want {
		t.Errorf("status after a run: %s %q, want done %q", st, detail, want)
	}
	events, err := custody.List(ctx, p.Reader(), 0)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "audit.run" || !strings.Contains(string(last.Params), `"findings":32`) || len(last.Inputs) != 6 {
		t.Errorf("last custody event %s %s %v", last.Action, last.Params, last.Inputs)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("custody chain after the audit: %v %+v", err, rep)
	}

	// paging through the rows of a finding
	f := rep.Find(audit.KindMissing, "appointments", "Notes")[0]
	all, err := audit.FindingRows(ctx, p, f.ID, 0, 0)
	if err != nil || int64(len(all)) != f.Count || f.RowCount != f.Count {
		t.Fatalf("rows of %s: %d (%v), count %d", f.Kind, len(all), err, f.Count)
	}
	for _, pg := range [][2]int{{0, 10}, {1000, 50}, {1020, 10}, {1500, 100}, {1525, 10}} {
		rows, err := audit.FindingRows(ctx, p, f.ID, pg[0], pg[1])
		if err != nil {
			t.Fatal(err)
		}
		want := all[min(pg[0], len(all)):min(pg[0]+pg[1], len(all))]
		if !slices.Equal(rows, want) {
			t.Errorf("rows %d..+%d: %v, want %v", pg[0], pg[1], rows, want)
		}
	}
	if _, err := audit.FindingRows(ctx, p, 999999, 0, 10); !errors.Is(err, audit.ErrNoFinding) {
		t.Errorf("rows of a finding that is not there: %v", err)
	}
	fz := rep.Find(audit.KindDuplicateFuzzy, "patients", "")[0]
	if fz.Suggest["op"] != "merge_duplicates" || fz.Suggest["cluster_ids"] == nil {
		t.Errorf("fuzzy suggestion %v", fz.Suggest)
	}

	// a rerun is the current run
	again, err := audit.Run(ctx, p, audit.Options{ReferenceDate: refDate(t, m)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if latest, _ := audit.Latest(ctx, p); latest.RunID != again.RunID || again.RunID <= rep.RunID {
		t.Errorf("latest run %d, reran %d after %d", latest.RunID, again.RunID, rep.RunID)
	}

	// an import after the run makes it stale
	src := filepath.Join(t.TempDir(), "extra.csv")
	os.WriteFile(src, []byte("Code,Name\n1,One\n"), 0o644)
	if _, err := importers.ImportFile(ctx, p, src, importers.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if st, detail := auditStatus(t, p); st != wizard.NeedsAttention || !strings.Contains(detail, "rerun the audit") {
		t.Errorf("status after an import: %s %q", st, detail)
	}
}

func TestCancelledRunStoresNothing(t *testing.T) {
	p, _ := demoProject(t)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := audit.Run(ctx, p, audit.Options{}, func(pr audit.Progress) {
		calls++
		if pr.Table == "appointments" {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	var n int
	p.Reader().QueryRow(`SELECT count(*) FROM ferry_audit_runs`).Scan(&n)
	events, _ := custody.List(context.Background(), p.Reader(), 0)
	if n != 0 || events[len(events)-1].Action == "audit.run" {
		t.Errorf("a cancelled run left %d runs, last event %s", n, events[len(events)-1].Action)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
}

func TestProgressReportsEveryTable(t *testing.T) {
	p, m := demoProject(t)
	seen := map[string]int64{}
	var last audit.Progress
	_, err := audit.Run(context.Background(), p, audit.Options{ReferenceDate: refDate(t, m)}, func(pr audit.Progress) {
		if pr.Table != "" && pr.RowsDone > seen[pr.Table] {
			seen[pr.Table] = pr.RowsDone
		}
		last = pr
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if seen[f.Table] != int64(f.Rows) {
			t.Errorf("%s: progress reached %d of %d rows", f.Table, seen[f.Table], f.Rows)
		}
	}
	if last.Stage != "save" {
		t.Errorf("last progress %+v", last)
	}
}

// Cell values that a spreadsheet would run as formulas are written as text.
func TestWorkbookNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "x.ferry"), project.Options{Actor: "Auditor"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	src := filepath.Join(t.TempDir(), "evil.csv")
	var b strings.Builder
	b.WriteString("ID,Name,Amount\n")
	for i, n := range []string{"=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "Ann", "Ann", "Bob"} {
		b.WriteString(strings.Join([]string{string(rune('a' + i)), `"` + strings.ReplaceAll(n, `"`, `""`) + `"`, "-40.00"}, ",") + "\n")
	}
	os.WriteFile(src, []byte(b.String()), 0o644)
	if _, err := importers.ImportFile(ctx, p, src, importers.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Run(ctx, p, audit.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := audit.WriteXLSX(rep, &buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, sh := range x.GetSheetList() {
		rows, _ := x.GetRows(sh)
		for _, row := range rows {
			for _, v := range row {
				if v != "" && strings.ContainsRune("=+@", rune(v[0])) {
					t.Errorf("sheet %s: cell %q would run as a formula", sh, v)
				}
				if _, err := strconv.ParseFloat(v, 64); strings.HasPrefix(v, "-") && err != nil {
					t.Errorf("sheet %s: cell %q would run as a formula", sh, v)
				}
			}
		}
		for r := range rows {
			for c := range rows[r] {
				cellName, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if f, _ := x.GetCellFormula(sh, cellName); f != "" {
					t.Errorf("sheet %s %s holds formula %q", sh, cellName, f)
				}
			}
		}
	}
	if panes, err := x.GetPanes("Findings"); err != nil || !panes.Freeze {
		t.Errorf("Findings header row not frozen: %+v %v", panes, err)
	}
}
