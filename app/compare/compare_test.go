package compare_test

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

var ctx = context.Background()

func table(name, text string) compare.Table {
	t := compare.Table{Name: name}
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		cells := strings.Split(line, ";")
		if i == 0 {
			t.Header = cells
			continue
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// The old system's appointments for 3 March, and the new system's: A-1003 and A-1006 did not come
// across, A-2001 was booked only in the new system, A-1004's fee and A-1005's name differ, and the
// new system writes amounts with a currency sign (which is not a difference).
var oldDay = table("appointments", `
Appt ID;Date;Time;Patient;Provider;Fee;Patient ID
A-1001;2027-03-03;09:00;Linh Nguyen;Dr Lee;120.00;P-17
A-1002;2027-03-03;09:30;Mia Rossi;Dr Lee;85.00;P-22
A-1003;2027-03-03;10:00;Tom Baker;Dr Shah;150.00;P-31
A-1004;2027-03-03;10:30;Ana Silva;Dr Shah;200.00;P-40
A-1005;2027-03-03;11:00;Sean O'Brien;Dr Lee;95.50;P-41
A-1006;2027-03-03;11:30;Kai Tanaka;Dr Lee;60.00;P-52
;;;;Total;710.50;`)

var newDay = table("appointments-new", `
appt id;Date;Time;Patient;Provider;Fee;Patient ID;Room
A-1001;2027-03-03;09:00;Linh Nguyen;Dr Lee;$120.00;P-17;1
A-1002;2027-03-03;09:30;Mia Rossi;Dr Lee;$85.00;P-22;1
A-1004;2027-03-03;10:30;Ana Silva;Dr Shah;$180.00;P-40;2
A-1005;2027-03-03;11:00;Sean OBrien;Dr Lee;$95.50;P-41;1
A-2001;2027-03-03;12:00;Ella Jones;Dr Shah;$75.00;P-60;2`)

func TestComparisonFindsExactlyTheRecordsThatDiffer(t *testing.T) {
	r, err := compare.Compare(oldDay, newDay, compare.Options{Day: "2027-03-03", Entity: "Appointments"})
	if err != nil {
		t.Fatal(err)
	}
	if r.KeyColumn != "Appt ID" || r.OldRows != 6 || r.NewRows != 5 || r.Matched != 4 {
		t.Fatalf("key %q, rows %d/%d, matched %d", r.KeyColumn, r.OldRows, r.NewRows, r.Matched)
	}
	if r.MissingInNew != 2 || r.MissingInOld != 1 || r.Changed != 2 || r.Records() != 5 {
		t.Fatalf("missing in new %d, missing in old %d, changed %d", r.MissingInNew, r.MissingInOld, r.Changed)
	}
	var got []string
	for _, d := range r.Differences {
		got = append(got, string(d.Kind)+" "+d.Key+" "+d.Column+" "+d.Old+" → "+d.New)
	}
	want := []string{
		"missing_in_new A-1003  2027-03-03 · 10:00 · Tom Baker · Dr Shah · 150.00 · P-31 → ",
		"missing_in_new A-1006  2027-03-03 · 11:30 · Kai Tanaka · Dr Lee · 60.00 · P-52 → ",
		"missing_in_old A-2001   → 2027-03-03 · 12:00 · Ella Jones · Dr Shah · $75.00 · P-60 · 2",
		"changed A-1004 Fee 200.00 → $180.00",
		"changed A-1005 Patient Sean O'Brien → Sean OBrien",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Differences[0].OldLine != 4 || r.Differences[2].NewLine != 6 {
		t.Fatalf("lines %d %d", r.Differences[0].OldLine, r.Differences[2].NewLine)
	}
	// Only Fee is a quantity: Patient ID is an identifier and Time is not a number.
	if len(r.Sums) != 1 || r.Sums[0] != (compare.ColumnSum{Column: "Fee", Old: "710.50", New: "555.50", Difference: "-155.00"}) {
		t.Fatalf("sums %+v", r.Sums)
	}
	if r.SumsDiffer() != 1 || r.Equal() {
		t.Fatal("the fee totals differ")
	}
	if !reflect.DeepEqual(r.Notes.OnlyInNew, []string{"Room"}) || len(r.Notes.OnlyInOld) != 0 {
		t.Fatalf("column notes %+v", r.Notes)
	}
	if !reflect.DeepEqual(r.Notes.TotalLines, []string{"old line 8"}) {
		t.Fatalf("the totals line was not left out: %v", r.Notes.TotalLines)
	}
}

func TestKeyColumnCanBeChosenAndMustExistOnBothSides(t *testing.T) {
	r, err := compare.Compare(oldDay, newDay, compare.Options{Key: "patient id", Day: "2027-03-03"})
	if err != nil {
		t.Fatal(err)
	}
	if r.KeyColumn != "Patient ID" || r.Matched != 4 || r.Entity != "appointments" {
		t.Fatalf("%+v", r)
	}
	if _, err := compare.Compare(oldDay, newDay, compare.Options{Key: "Room"}); err == nil || !strings.Contains(err.Error(), "old system's file has no column") {
		t.Fatalf("key only in the new file: %v", err)
	}
	if _, err := compare.Compare(oldDay, newDay, compare.Options{Day: "3/3/27"}); err == nil {
		t.Fatal("unreadable day accepted")
	}
	same, _ := compare.Compare(oldDay, oldDay, compare.Options{})
	if !same.Equal() {
		t.Fatalf("a file compared with itself differs: %+v", same)
	}
}

func TestAmountsAreReadAsPracticesWriteThem(t *testing.T) {
	old := table("takings", "Receipt;Amount\nR1;1,200.50\nR2;(20.00)\nR3;1.000,25\nR4;12,5")
	nw := table("takings", "Receipt;Amount\nR1;1200.5\nR2;-20\nR3;€1000.25\nR4;12.50")
	r, err := compare.Compare(old, nw, compare.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Changed != 0 || len(r.Sums) != 1 || !r.Sums[0].Equal() || r.Sums[0].Old != "2193.25" {
		t.Fatalf("%+v %+v", r.Differences, r.Sums)
	}
}

func newProject(t *testing.T) *project.Project {
	t.Helper()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	plan.Set(ctx, p, "owner", "Dana Reyes")
	return p
}

func TestComparisonsAreStoredAndMakeTheTrend(t *testing.T) {
	p := newProject(t)
	for _, day := range []string{"2027-03-02", "2027-03-03", "2027-03-04"} {
		r, err := compare.Compare(oldDay, newDay, compare.Options{Day: day, Entity: "Appointments"})
		if err != nil {
			t.Fatal(err)
		}
		r.OldFile, r.OldSHA256, r.NewFile, r.NewSHA256 = "old.csv", strings.Repeat("a", 64), "new.csv", strings.Repeat("b", 64)
		if err := compare.Save(ctx, p, r); err != nil {
			t.Fatal(err)
		}
	}
	// The 4th is compared again with corrected exports: the trend shows the later result.
	fixed, _ := compare.Compare(oldDay, oldDay, compare.Options{Day: "2027-03-04", Entity: "appointments"})
	if err := compare.Save(ctx, p, fixed); err != nil {
		t.Fatal(err)
	}
	trend, err := compare.Trend(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, pt := range trend {
		days = append(days, pt.Day+"="+string(rune('0'+pt.Records())))
	}
	if strings.Join(days, " ") != "2027-03-02=5 2027-03-03=5 2027-03-04=0" {
		t.Fatalf("trend %v", days)
	}
	all, _ := compare.List(ctx, p)
	if len(all) != 4 {
		t.Fatalf("history keeps every comparison: %d", len(all))
	}

	got, err := compare.Get(ctx, p, trend[1].Comparison)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Differences) != 5 || got.Sums[0].Difference != "-155.00" || got.OldSHA256 != strings.Repeat("a", 64) ||
		!reflect.DeepEqual(got.Notes.OnlyInNew, []string{"Room"}) || got.CreatedBy != "Dana" {
		t.Fatalf("stored comparison %+v", got)
	}

	// A difference becomes a checklist item with one call, and only once.
	d := got.Differences[3] // A-1004's fee
	id, err := compare.MakeItem(ctx, p, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := compare.MakeItem(ctx, p, d.ID); again != id {
		t.Fatalf("second item %d for the same difference (first %d)", again, id)
	}
	c, _ := checklist.Load(ctx, p)
	it := c.Item(id)
	if it == nil || !strings.Contains(it.Title, "A-1004, Fee differs") || it.Owner != "Dana Reyes" || !it.Required ||
		it.Origin != checklist.OriginComparison || !strings.Contains(it.Description, `"200.00" in the old system`) {
		t.Fatalf("item %+v", it)
	}
	if g := c.Group(it.GroupID); g.Area != checklist.AreaComparison {
		t.Fatalf("group %+v", g)
	}
	got, _ = compare.Get(ctx, p, got.ID)
	if got.Differences[3].ItemID != id {
		t.Fatal("difference does not point at its item")
	}

	evs, _ := custody.List(ctx, p.Reader(), 0)
	var acts []string
	fingerprinted := 0
	for _, e := range evs {
		if strings.HasPrefix(e.Action, "compare.") {
			acts = append(acts, e.Action)
		}
		if e.Action == "compare.run" && e.Inputs["old: old.csv"] == strings.Repeat("a", 64) && e.Inputs["new: new.csv"] == strings.Repeat("b", 64) {
			fingerprinted++
		}
	}
	if fingerprinted != 3 {
		t.Errorf("%d comparisons logged with both files' fingerprints, want 3", fingerprinted)
	}
	sort.Strings(acts)
	if strings.Join(acts, ",") != "compare.make_item,compare.run,compare.run,compare.run,compare.run" {
		t.Fatalf("custody %v", acts)
	}
}
