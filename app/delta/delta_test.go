package delta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/delta"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
	"github.com/ferry-migrate/ferry/internal/demotest"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// export writes the demo's files to a directory, each passed through edit (by file name), and
// returns the paths.
func export(t *testing.T, edit map[string]func([]string) []string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	err := fs.WalkDir(assets.Demo, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		b, _ := fs.ReadFile(assets.Demo, path)
		if fn := edit[filepath.Base(path)]; fn != nil {
			lines := strings.Split(string(b), "\r\n")
			b = []byte(strings.Join(fn(lines), "\r\n"))
		}
		out := filepath.Join(dir, filepath.Base(path))
		paths = append(paths, out)
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// replaceLine changes the line that begins with prefix.
func replaceLine(t *testing.T, lines []string, prefix, old, new string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			if !strings.Contains(l, old) {
				t.Fatalf("line %q has no %q", l, old)
			}
			lines[i] = strings.Replace(l, old, new, 1)
			return lines
		}
	}
	t.Fatalf("no line begins with %q", prefix)
	return nil
}

func TestADeltaListsExactlyTheRowsEditedAddedAndDeleted(t *testing.T) {
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := plan.Set(ctx, p, "data_freeze", "2026-07-01"); err != nil {
		t.Fatal(err)
	}
	// An appointment no invoice refers to, to delete.
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	billed := map[string]bool{}
	f.Scan(ctx, "Invoice", nil, func(r mapping.Record) error { billed[r.Values[7]] = true; return nil })
	var gone string
	f.Scan(ctx, "Appointment", nil, func(r mapping.Record) error {
		if gone == "" && !billed[r.Key] && r.Key > "50010" {
			gone = r.Key
		}
		return nil
	})

	paths := export(t, map[string]func([]string) []string{
		"appointments.csv": func(l []string) []string {
			l = replaceLine(t, l, "50001,", ",90,", ",45,")
			l = slices.DeleteFunc(l, func(s string) bool { return strings.HasPrefix(s, gone+",") })
			return append(l[:len(l)-1], "59999,1001,DR01,23/07/2026,09:00,30,Completed,", l[len(l)-1])
		},
		"patients.csv": func(l []string) []string {
			l = replaceLine(t, l, "1001,", "Volkov,", "Volkova,")
			return replaceLine(t, l, "1002,", ",Active,0.00,", ",Active,12.00,") // Balance: the map does not read it
		},
		"recalls.csv": func(l []string) []string {
			for i := range l {
				switch {
				case i == 0:
					l[i] += ",Last Updated"
				case strings.HasPrefix(l[i], "1,1002,Prophy,6,"):
					l[i] = strings.Replace(l[i], ",6,", ",12,", 1) + ",2026-07-15"
				case strings.HasPrefix(l[i], "2,"):
					l[i] += ",2026-07-20" // changed after the freeze, but only in its date
				case l[i] != "":
					l[i] += ",2026-05-01"
				}
			}
			return l
		},
	})
	d, err := delta.Compare(ctx, p, paths, delta.Options{Importer: importers.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range d.Entities {
		for _, c := range e.Changes {
			s := string(c.Kind) + " " + c.Key
			if c.Kind == delta.KindChanged {
				s += " " + strings.Join(c.Fields, ",") + " / " + strings.Join(c.Columns, ",")
			}
			if c.AfterFreeze {
				s += " after " + c.Modified
			}
			got[e.Entity] = append(got[e.Entity], s)
		}
	}
	want := map[string][]string{
		"Appointment":    {"new 59999", "changed 50001 minutesDuration / Duration", "deleted " + gone},
		"Patient":        {"changed 1001 name.family / LastName"},
		"ServiceRequest": {"changed 1 occurrenceTiming.repeat.period / IntervalMonths after 2026-07-15"},
	}
	for _, e := range d.Entities {
		if !slices.Equal(got[e.Entity], want[e.Entity]) {
			t.Errorf("%s: got %q, want %q", e.Entity, got[e.Entity], want[e.Entity])
		}
		switch e.Entity {
		case "Patient":
			if e.Unmapped != 1 {
				t.Errorf("Patient: %d rows changed only in columns the map does not read; want 1 (the balance)", e.Unmapped)
			}
		case "ServiceRequest":
			if e.ModifiedColumn != "Last Updated" || e.AfterFreeze != 1 {
				t.Errorf("recalls: modified column %q, %d after the freeze", e.ModifiedColumn, e.AfterFreeze)
			}
		}
	}
	if d.Freeze != "2026-07-01" {
		t.Errorf("freeze %q", d.Freeze)
	}
	set := d.Set(false)
	if len(set) != 4 {
		t.Errorf("without deletions the delta sends %d records, want 4: %+v", len(set), set)
	}
	if len(d.Set(true)) != 5 {
		t.Errorf("with deletions confirmed: %d records, want 5", len(d.Set(true)))
	}
	t.Logf("notes: %q", d.Notes)

	// The project's own data is untouched until Apply.
	f2, _ := mapping.New(p).Feed(ctx)
	n := 0
	f2.Scan(ctx, "Appointment", nil, func(r mapping.Record) error {
		if r.Key == "59999" {
			t.Error("the comparison changed the project's staged data")
		}
		n++
		return nil
	})
	if err := delta.Apply(ctx, p, d, delta.Options{Importer: importers.Service{}}); err != nil {
		t.Fatal(err)
	}
	f3, _ := mapping.New(p).Feed(ctx)
	only := d.Only("Appointment")
	var sent []string
	f3.Scan(ctx, "Appointment", only, func(r mapping.Record) error { sent = append(sent, r.Key); return nil })
	slices.Sort(sent)
	if !slices.Equal(sent, []string{"50001", "59999"}) {
		t.Errorf("after Apply the delta's appointment rows are %v, want 50001 and 59999", sent)
	}
}

// snapshot is every record in PocketBase by collection and legacy key, without the fields
// PocketBase itself keeps (id, created, updated …).
func snapshot(t *testing.T, pb *pocketbase.Server, f *mapping.Feed) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, e := range f.Entities {
		recs, err := pb.Records(pocketbase.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name] = map[string]string{}
		for _, r := range recs {
			for _, k := range []string{"id", "created", "updated", "collectionId", "collectionName"} {
				delete(r, k)
			}
			b, _ := json.Marshal(r)
			out[e.Name][fmt.Sprint(r["legacy_key"])] = string(b)
		}
	}
	return out
}

func TestADeltaLoadsExactlyTheEditedAddedAndDeletedRecordsIntoPocketBase(t *testing.T) {
	ctx := context.Background()
	p := demotest.Ready(t)
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, f.Def, pocketbase.Rule{Label: "/api/", MaxRequests: 400, Duration: 1})
	secret := func(load.Destination) (string, error) { return token, nil }
	pocketbase.SaveDestination(t, p, load.Destination{Name: "pb", Config: pb.Config(f.Def)})
	full, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secret})
	if err != nil || !full.Complete() {
		t.Fatalf("full load: %v %+v", err, full)
	}
	before := snapshot(t, pb, f)

	// The old system kept running: an appointment got shorter, one was added, one deleted.
	var gone string
	f.Scan(ctx, "Appointment", nil, func(r mapping.Record) error {
		if gone == "" && r.Key > "50010" {
			gone = r.Key
		}
		return nil
	})
	billed := false
	f.Scan(ctx, "Invoice", nil, func(r mapping.Record) error { billed = billed || r.Values[7] == gone; return nil })
	if billed {
		t.Skipf("appointment %s is billed; pick another", gone)
	}
	paths := export(t, map[string]func([]string) []string{
		"appointments.csv": func(l []string) []string {
			l = replaceLine(t, l, "50001,", ",90,", ",45,")
			l = slices.DeleteFunc(l, func(s string) bool { return strings.HasPrefix(s, gone+",") })
			return append(l[:len(l)-1], "59999,1001,DR01,23/07/2026,09:00,30,Completed,", l[len(l)-1])
		},
		"patients.csv": func(l []string) []string { return replaceLine(t, l, "1001,", "Volkov,", "Volkova,") },
	})
	d, err := delta.Compare(ctx, p, paths, delta.Options{Importer: importers.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := delta.Load(ctx, p, d, delta.LoadOptions{Options: delta.Options{Importer: importers.Service{}},
		Destination: "pb", Deletes: true, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete() || res.Counts[load.StatusCreated] != 1 || res.Counts[load.StatusUpdated] != 2 || res.Counts[load.StatusDeleted] != 1 {
		t.Fatalf("delta load: %v, problems %+v", res.Counts, res.Problems)
	}

	// The target differs from before in exactly those records.
	after := snapshot(t, pb, f)
	var diffs []string
	for e, recs := range after {
		for k, v := range recs {
			if before[e][k] != v {
				diffs = append(diffs, e+" "+k)
			}
		}
		for k := range before[e] {
			if _, ok := recs[k]; !ok {
				diffs = append(diffs, e+" "+k+" deleted")
			}
		}
	}
	slices.Sort(diffs)
	want := []string{"Appointment 50001", "Appointment 59999", "Appointment " + gone + " deleted", "Patient 1001"}
	slices.Sort(want)
	if !slices.Equal(diffs, want) {
		t.Fatalf("the target changed in %v, want %v", diffs, want)
	}
	if !strings.Contains(after["Appointment"]["50001"], `"minutesDuration":"45"`) || !strings.Contains(after["Patient"]["1001"], "Volkova") {
		t.Errorf("updated values: %s / %s", after["Appointment"]["50001"], after["Patient"]["1001"])
	}
}

func TestADeltaOfOneTableLeavesTheOthersAndTheirCleansingAlone(t *testing.T) {
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	paths := export(t, map[string]func([]string) []string{
		"appointments.csv": func(l []string) []string { return replaceLine(t, l, "50001,", ",90,", ",45,") },
	})
	var only []string
	for _, path := range paths {
		if filepath.Base(path) == "appointments.csv" {
			only = append(only, path)
		}
	}
	d, err := delta.Compare(ctx, p, only, delta.Options{Importer: importers.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Entities {
		n := e.New + e.Changed + e.Deleted
		switch {
		case e.Entity == "Appointment" && (n != 1 || e.Changed != 1 || e.Changes[0].Key != "50001"):
			t.Errorf("appointments: %+v", e.Changes)
		case e.Entity != "Appointment" && n != 0:
			t.Errorf("%s changed though its file was not given: %+v", e.Entity, e.Changes[:min(3, len(e.Changes))])
		}
	}
}
