package parallel_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/parallel"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

var ctx = context.Background()

func newProject(t *testing.T) *project.Project {
	t.Helper()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestStepStatusFollowsTheChecklist(t *testing.T) {
	p := newProject(t)
	if st, _, _ := parallel.Status(ctx, p); st != wizard.NotStarted {
		t.Fatalf("fresh project: %v", st)
	}
	if !wizard.DefOf(wizard.Parallel).Built {
		t.Fatal("the Parallel run step is not marked built")
	}
	g, _ := checklist.AddGroup(ctx, p, "Checks")
	a, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "Takings match", Required: true})
	st, detail, _ := parallel.Status(ctx, p)
	if st != wizard.InProgress || detail != "0 of 1 done; 1 item block go-live." {
		t.Fatalf("%v %q", st, detail)
	}
	checklist.SetStatus(ctx, p, a, checklist.Blocked)
	if st, _, _ := parallel.Status(ctx, p); st != wizard.NeedsAttention {
		t.Fatalf("blocked: %v", st)
	}
	checklist.SetStatus(ctx, p, a, checklist.Done)
	if st, _, _ := parallel.Status(ctx, p); st != wizard.Done {
		t.Fatalf("all done: %v", st)
	}
	checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "Open", Required: true})
	checklist.SetStart(ctx, p, "2020-01-01")
	if st, detail, _ := parallel.Status(ctx, p); st != wizard.NeedsAttention || !strings.Contains(detail, "past the 14-day time box") {
		t.Fatalf("overstayed: %v %q", st, detail)
	}
}

func TestExportHasTheChecklistComparisonsAndDifferencesWithoutFormulas(t *testing.T) {
	p := newProject(t)
	plan.Set(ctx, p, "practice_type", "law")
	if _, err := checklist.EnsureTemplate(ctx, p); err != nil {
		t.Fatal(err)
	}
	g, _ := checklist.AddGroup(ctx, p, "=HYPERLINK(\"http://evil\")")
	id, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "@SUM(A1)", Notes: "-2+3", Owner: "+Dana"})
	checklist.Attach(ctx, p, id, "proof.png", []byte("png"))

	old := compare.Table{Name: "balances", Header: []string{"Matter", "Client", "Balance"},
		Rows: [][]string{{"M-1", "=cmd|' /C calc'!A0", "100.00"}, {"M-2", "Lee", "50.00"}}}
	nw := compare.Table{Name: "balances", Header: []string{"Matter", "Client", "Balance"},
		Rows: [][]string{{"M-1", "Acme", "100.00"}, {"M-3", "Ng", "20.00"}}}
	r, _ := compare.Compare(old, nw, compare.Options{Day: "2027-03-03", Entity: "Trust balances"})
	r.OldFile, r.NewFile = "old.csv", "new.csv"
	if err := compare.Save(ctx, p, r); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "parallel.xlsx")
	if err := parallel.ExportFile(ctx, p, out); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Checklist,Comparisons,Differences" {
		t.Fatalf("sheets %s", got)
	}
	rows, _ := f.GetRows(parallel.SheetChecklist)
	c, _ := checklist.Load(ctx, p)
	if len(rows) != c.Summary(r.CreatedAt).Total+1 || rows[0][2] != "Item" {
		t.Fatalf("%d checklist rows for %d items", len(rows), c.Summary(r.CreatedAt).Total)
	}
	last := rows[len(rows)-1]
	if last[0] != `'=HYPERLINK("http://evil")` || last[2] != "'@SUM(A1)" || last[6] != "'+Dana" || last[14] != "'-2+3" ||
		!strings.HasPrefix(last[15], "proof.png, 3 bytes, ") {
		t.Fatalf("last checklist row %q", last)
	}
	trust := false
	for _, row := range rows {
		trust = trust || row[0] == "Trust accounting"
	}
	if !trust {
		t.Fatal("law template's trust accounting not exported")
	}
	cmp, _ := f.GetRows(parallel.SheetComparisons)
	if len(cmp) != 2 || cmp[1][0] != "2027-03-03" || cmp[1][1] != "Trust balances" || cmp[1][7] != "1" || cmp[1][8] != "1" || cmp[1][9] != "1" {
		t.Fatalf("comparisons %q", cmp)
	}
	diffs, _ := f.GetRows(parallel.SheetDifferences)
	if len(diffs) != 4 {
		t.Fatalf("differences %q", diffs)
	}
	for _, d := range diffs {
		for _, v := range d {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				t.Errorf("cell %q would run as a formula", v)
			}
		}
	}
	formulas := 0
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for i := range rows {
			for j := range rows[i] {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fo, _ := f.GetCellFormula(sh, ref); fo != "" {
					formulas++
				}
			}
		}
	}
	if formulas != 0 {
		t.Fatalf("%d formulas in the export", formulas)
	}
}
