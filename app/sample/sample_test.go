package sample_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// readyDemo is the demo practice audited (as a person does before cleansing) and then taken
// through Cleanse, Map and the decisions: ready for a sample run.
func readyDemo(t *testing.T, files fs.FS) *project.Project {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"}, files, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := audit.Run(ctx, p, audit.Options{ReferenceDate: demo.ReferenceDate}, nil); err != nil {
		t.Fatal(err)
	}
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// keysOf is the selection as entity → sorted keys.
func keysOf(s *sample.Selection) map[string][]string {
	out := map[string][]string{}
	for _, c := range s.Entities {
		k := s.Keys(c.Entity)
		slices.Sort(k)
		out[c.Entity] = k
	}
	return out
}

func TestTheSampleIsTheSameSetOnEveryRun(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	a, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Total() == 0 || !equalSets(keysOf(a), keysOf(b)) {
		t.Fatalf("two runs picked different records: %d and %d", a.Total(), b.Total())
	}
	other, err := sample.Select(ctx, p, sample.Options{Seed: "another seed"})
	if err != nil {
		t.Fatal(err)
	}
	if equalSets(keysOf(a), keysOf(other)) {
		t.Error("a different seed picked exactly the same records")
	}
}

// reversedAppointments is the demo's files with the appointments file's rows in reverse order:
// every appointment gets another row number, and keeps its key.
func reversedAppointments(t *testing.T) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(assets.Demo, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.Demo, path)
		if err != nil {
			return err
		}
		if filepath.Base(path) == "appointments.csv" {
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				return err
			}
			slices.Reverse(recs[1:])
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.WriteAll(recs)
			b = buf.Bytes()
		}
		m[path] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTheKeyNotTheRowDecidesSoReimportingPicksTheSameRecords(t *testing.T) {
	ctx := context.Background()
	a, err := sample.Select(ctx, readyDemo(t, assets.Demo), sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again := readyDemo(t, reversedAppointments(t))
	b, err := sample.Select(ctx, again, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ka, kb := keysOf(a), keysOf(b)
	if !equalSets(ka, kb) {
		for e := range ka {
			if !slices.Equal(ka[e], kb[e]) {
				t.Errorf("%s: %d records picked, %d after importing the same data again", e, len(ka[e]), len(kb[e]))
			}
		}
	}
	// The appointments really did get other row numbers.
	pa, _ := a.Pick("Appointment", ka["Appointment"][0])
	pb, _ := b.Pick("Appointment", ka["Appointment"][0])
	if pa.Row == pb.Row {
		t.Errorf("appointment %s has row %d in both projects; the test meant to move it", pa.Key, pa.Row)
	}
}

func TestEveryFindingOperationAndPickListValueIsRepresented(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	s, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]string{}
	for _, e := range f.Entities {
		tables[e.Table] = e.Name
	}

	// Every audit finding on a mapped table: a picked record is one of its rows (or the
	// survivor its rows were merged into), or the finding says none of its rows is left.
	rep, err := audit.Latest(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	strata := map[[2]any]sample.Stratum{}
	for _, st := range s.Strata {
		strata[[2]any{st.Reason, st.Ref}] = st
	}
	checked := 0
	for _, fd := range rep.Findings {
		entity, mapped := tables[fd.Table]
		if !mapped {
			continue
		}
		st, ok := strata[[2]any{sample.ReasonFinding, fd.ID}]
		if !ok {
			t.Errorf("finding %d (%s) is not among the strata", fd.ID, fd.Message)
			continue
		}
		if st.Key == "" {
			if st.Note == "" {
				t.Errorf("finding %d has no record and no note", fd.ID)
			}
			continue
		}
		pk, ok := s.Pick(entity, st.Key)
		if !ok || !hasWhy(pk, sample.ReasonFinding, fd.ID) {
			t.Errorf("finding %d: %s %s stands for it but is not picked for it", fd.ID, entity, st.Key)
			continue
		}
		rows, _ := audit.FindingRows(ctx, p, fd.ID, 0, 0)
		if st.Note == "" && !slices.Contains(rows, pk.Row) {
			t.Errorf("finding %d: picked row %d is not one of its rows", fd.ID, pk.Row)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d findings represented by a record; the demo has dozens", checked)
	}

	// Every applied cleanse operation.
	ops, _ := cleanse.History(ctx, p)
	for _, op := range ops {
		st, ok := strata[[2]any{sample.ReasonCleanse, op.ID}]
		if !ok {
			t.Errorf("cleanse operation %d (%s) is not among the strata", op.ID, op.Op)
			continue
		}
		if st.Key == "" {
			if op.Removed == 0 {
				t.Errorf("operation %d changed %d rows but no record stands for it: %s", op.ID, op.Rows, st.Note)
			}
			continue
		}
		pk, ok := s.Pick(st.Entity, st.Key)
		if !ok || !hasWhy(pk, sample.ReasonCleanse, op.ID) {
			t.Errorf("operation %d: %s %s is not picked for it", op.ID, st.Entity, st.Key)
		}
		if st.Note == "" {
			rows, _ := cleanse.ChangedRows(ctx, p, op.ID, 0)
			if !slices.Contains(rows, pk.Row) {
				t.Errorf("operation %d: picked row %d is not one it changed", op.ID, pk.Row)
			}
		}
	}

	// Every distinct value of every pick-list field, as mapped.
	for _, e := range f.Entities {
		for fi, fl := range e.Fields {
			if fl.Type != target.Code {
				continue
			}
			all, picked := map[string]bool{}, map[string]bool{}
			only := s.Only(e.Name)
			err := f.Scan(ctx, e.Name, nil, func(r mapping.Record) error {
				all[r.Values[fi]] = true
				if only[r.Row] {
					picked[r.Values[fi]] = true
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for v := range all {
				if !picked[v] {
					t.Errorf("%s.%s = %q has no record in the sample", e.Name, fl.Name, v)
				}
			}
		}
	}
}

func TestNoChildIsSampledWithoutItsParents(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	s, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := mapping.New(p).Feed(ctx)
	refs := 0
	for _, e := range f.Entities {
		err := f.Scan(ctx, e.Name, s.Only(e.Name), func(r mapping.Record) error {
			for i, fl := range e.Fields {
				if fl.Type != target.Reference || r.Values[i] == "" {
					continue
				}
				refs++
				if _, ok := s.Pick(fl.References, r.Values[i]); !ok {
					t.Errorf("%s %s is sampled without its %s %s", e.Name, r.Key, fl.References, r.Values[i])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if refs == 0 {
		t.Fatal("no sampled record refers to another; the demo's appointments should")
	}
}

func TestAboutTenPercentPlusTheStrata(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	s, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Entities {
		hash := c.ByReason[sample.ReasonHash]
		t.Logf("%-22s %5d records, %4d picked (%.1f%%): hash %d, finding %d, cleanse %d, picklist %d, parent %d",
			c.Entity, c.Records, c.Picked, c.Percent(), hash, c.ByReason[sample.ReasonFinding], c.ByReason[sample.ReasonCleanse],
			c.ByReason[sample.ReasonPicklist], c.ByReason[sample.ReasonParent])
		if c.Records < 100 {
			continue // six practitioners: the hash share says little
		}
		share := 100 * float64(hash) / float64(c.Records)
		if share < 6 || share > 14 {
			t.Errorf("%s: the hash picked %.1f%% of %d records; expected about 10%%", c.Entity, share, c.Records)
		}
		if c.Picked-hash != c.Added || c.Percent() > 40 {
			t.Errorf("%s: %d picked, %d by hash, %d added: stratification should add few", c.Entity, c.Picked, hash, c.Added)
		}
	}
}

func TestRecordsAddedByHandAreInUntilRemoved(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	before, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// An appointment the hash left out, whose patient the hash left out too.
	f, _ := mapping.New(p).Feed(ctx)
	var key, patient string
	f.Scan(ctx, "Appointment", nil, func(r mapping.Record) error {
		if _, in := before.Pick("Appointment", r.Key); !in && key == "" {
			if _, pin := before.Pick("Patient", r.Values[5]); !pin {
				key, patient = r.Key, r.Values[5]
			}
		}
		return nil
	})
	if key == "" {
		t.Fatal("no appointment outside the sample")
	}
	if err := sample.Add(ctx, p, "Appointment", key, "the one Dana remembers"); err != nil {
		t.Fatal(err)
	}
	if err := sample.Add(ctx, p, "Appointment", "no-such-key", ""); !errors.Is(err, sample.ErrNoRecord) {
		t.Errorf("adding a key that is not there: %v", err)
	}
	after, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk, ok := after.Pick("Appointment", key)
	if !ok || !pk.Has(sample.ReasonManual) {
		t.Fatalf("appointment %s added by hand is not in: %+v", key, pk)
	}
	if pp, ok := after.Pick("Patient", patient); !ok || !pp.Has(sample.ReasonParent) {
		t.Errorf("its patient %s came not with it: %+v", patient, pp)
	}
	if err := sample.Remove(ctx, p, "Appointment", key); err != nil {
		t.Fatal(err)
	}
	if err := sample.Remove(ctx, p, "Appointment", before.Keys("Appointment")[0]); !errors.Is(err, sample.ErrNotAdded) {
		t.Errorf("removing a record the hash picked: %v", err)
	}
	again, _ := sample.Select(ctx, p, sample.Options{})
	if !equalSets(keysOf(before), keysOf(again)) {
		t.Error("removing the hand-added record did not give the sample of before")
	}
}

func hasWhy(pk sample.Pick, r sample.Reason, ref int64) bool {
	for _, w := range pk.Why {
		if w.Reason == r && w.Ref == ref {
			return true
		}
	}
	return false
}

func equalSets(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestNoSampleRunMeansNotPassingAndTheStepNotStarted(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	ok, run, reason := sample.Passing(ctx, p)
	if ok || run != 0 || !strings.Contains(reason, "No sample run yet") {
		t.Errorf("passing %v run %d: %s", ok, run, reason)
	}
	st, _, err := sample.Status(ctx, p)
	if err != nil || st != wizard.NotStarted {
		t.Errorf("status %v %v", st, err)
	}
	if _, err := sample.Cleanup(ctx, p, sample.CleanupOptions{}); !errors.Is(err, sample.ErrNoSampleRun) {
		t.Errorf("clean up without a sample run: %v", err)
	}
}
