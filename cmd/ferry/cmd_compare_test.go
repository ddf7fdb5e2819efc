package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/project"
)

// Two exports of the day's takings: R-3 did not reach the new system, R-9 exists only there, R-2's
// amount and R-4's method differ, and the totals differ by the sum of it.
const oldTakings = `Receipt,Date,Client,Method,Amount
R-1,2027-03-03,Linh Nguyen,card,120.00
R-2,2027-03-03,Mia Rossi,cash,85.00
R-3,2027-03-03,Tom Baker,card,150.00
R-4,2027-03-03,Ana Silva,card,"1,200.00"
R-5,2027-03-03,Sean O'Brien,card,95.50
`

const newTakings = `Receipt,Date,Client,Method,Amount
R-1,2027-03-03,Linh Nguyen,card,120.00
R-2,2027-03-03,Mia Rossi,cash,80.00
R-4,2027-03-03,Ana Silva,eftpos,1200.00
R-5,2027-03-03,Sean O'Brien,card,95.50
R-9,2027-03-03,Ella Jones,card,60.00
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newProjectFile(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "Harbour View.ferry")
	if code, _, errb := ferry(t, "new", path, "--user", "Dana"); code != 0 {
		t.Fatalf("new: %s", errb)
	}
	return path
}

func TestCompareFindsTheKnownDifferencesAndKeepsThem(t *testing.T) {
	dir := writeFiles(t, map[string]string{"takings-old.csv": oldTakings, "takings-new.csv": newTakings})
	proj := newProjectFile(t, dir)
	old, nw := filepath.Join(dir, "takings-old.csv"), filepath.Join(dir, "takings-new.csv")

	code, out, errb := ferry(t, "compare", proj, old, nw, "--date", "2027-03-03", "--name", "Takings", "--json")
	if code != 0 {
		t.Fatalf("compare: %d %s", code, errb)
	}
	var r compare.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Entity != "Takings" || r.Day != "2027-03-03" || r.KeyColumn != "Receipt" || r.OldRows != 5 || r.NewRows != 5 || r.Matched != 4 {
		t.Fatalf("%+v", r)
	}
	var got []string
	for _, d := range r.Differences {
		got = append(got, strings.TrimSpace(string(d.Kind)+" "+d.Key+" "+d.Column+" "+d.Old+"|"+d.New))
	}
	want := []string{
		"missing_in_new R-3  2027-03-03 · Tom Baker · card · 150.00|",
		"missing_in_old R-9  |2027-03-03 · Ella Jones · card · 60.00",
		"changed R-2 Amount 85.00|80.00",
		"changed R-4 Method card|eftpos",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("differences\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.Sums) != 1 || r.Sums[0] != (compare.ColumnSum{Column: "Amount", Old: "1650.50", New: "1555.50", Difference: "-95.00"}) {
		t.Fatalf("sums %+v", r.Sums)
	}
	if len(r.OldSHA256) != 64 || r.OldFile != "takings-old.csv" || r.ID == 0 {
		t.Fatalf("files %+v", r)
	}

	// The same again in words, choosing the key, with the day defaulting to today.
	code, out, errb = ferry(t, "compare", proj, old, nw, "--key", "receipt")
	if code != 0 {
		t.Fatalf("compare: %d %s", code, errb)
	}
	for _, s := range []string{"takings-old on ", "records matched by Receipt", "Missing in the new system  1", "Only in the new system     1",
		"Changed                    2", "1650.50", "1555.50", "-95.00", "R-3", "R-9", "Amount: 85.00 → 80.00", "Method: card → eftpos",
		"Saved as comparison 2"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}

	p, err := project.Open(context.Background(), proj, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	runs, _ := compare.List(context.Background(), p)
	if len(runs) != 2 {
		t.Fatalf("%d comparisons stored", len(runs))
	}
	stored, _ := compare.Get(context.Background(), p, r.ID)
	if len(stored.Differences) != 4 || stored.Sums[0].Difference != "-95.00" {
		t.Fatalf("stored %+v", stored)
	}
}

func TestCompareWrongCalls(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.csv": oldTakings, "b.csv": newTakings})
	proj := newProjectFile(t, dir)
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, args := range [][]string{{"compare"}, {"compare", proj, a}, {"compare", proj, a, b, "--date", "3/3/2027"}} {
		if code, _, errb := ferry(t, args...); code != 2 || !strings.Contains(errb, "Usage") {
			t.Errorf("%v: exit %d %s", args, code, errb)
		}
	}
	code, _, errb := ferry(t, "compare", proj, a, b, "--key", "Invoice")
	if code != 1 || !strings.Contains(errb, `no column "Invoice"`) {
		t.Errorf("unknown key: %d %s", code, errb)
	}
	code, _, errb = ferry(t, "compare", proj, a, filepath.Join(dir, "missing.csv"))
	if code != 1 || !strings.Contains(errb, "missing.csv") {
		t.Errorf("missing file: %d %s", code, errb)
	}
}
