package sample_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// sandbox starts PocketBase with collections for the project's target and saves it as the
// sandbox destination "sandbox".
func sandbox(t *testing.T, p *project.Project) (*pocketbase.Server, *mapping.Feed, func(load.Destination) (string, error)) {
	t.Helper()
	f, err := mapping.New(p).Feed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, f.Def, pocketbase.Rule{Label: "/api/", MaxRequests: 400, Duration: 1})
	pocketbase.SaveDestination(t, p, load.Destination{Name: "sandbox", Role: "sandbox", Config: pb.Config(f.Def)})
	return pb, f, func(load.Destination) (string, error) { return token, nil }
}

// target is everything in PocketBase: collection → record id → the record as JSON.
func inTarget(t *testing.T, pb *pocketbase.Server, f *mapping.Feed) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, e := range f.Entities {
		recs, err := pb.Records(pocketbase.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name] = map[string]string{}
		for _, r := range recs {
			b, _ := json.Marshal(r)
			out[e.Name][fmt.Sprint(r["id"])] = string(b)
		}
	}
	return out
}

// legacyKeys is the legacy keys in PocketBase per entity, sorted.
func legacyKeys(t *testing.T, pb *pocketbase.Server, f *mapping.Feed) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, e := range f.Entities {
		recs, err := pb.Records(pocketbase.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if k := fmt.Sprint(r["legacy_key"]); k != "" && k != "<nil>" {
				out[e.Name] = append(out[e.Name], k)
			}
		}
		slices.Sort(out[e.Name])
	}
	return out
}

func TestTheSampleRunIsTheSameSetTwiceAndCleanupLeavesTheTargetAsItWas(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t, assets.Demo)
	pb, f, secret := sandbox(t, p)

	// Someone has already been trying the sandbox: a patient Ferry never sent.
	if err := pb.Call("POST", "/api/collections/patient/records", map[string]any{"name_family": "Trial", "legacy_key": "STAFF-1"}, nil); err != nil {
		t.Fatal(err)
	}
	before := inTarget(t, pb, f)
	if ok, _, reason := sample.Passing(ctx, p); ok {
		t.Fatalf("passing before any sample run: %s", reason)
	}

	first, err := sample.Run(ctx, p, sample.RunOptions{Destination: "sandbox", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Complete() || first.Total != int64(first.Selection.Total()) {
		t.Fatalf("sample run: %s, %v, %d records for %d picked", first.State, first.Counts, first.Total, first.Selection.Total())
	}
	got := legacyKeys(t, pb, f)
	for _, c := range first.Selection.Entities {
		want := first.Selection.Keys(c.Entity)
		if c.Entity == "Patient" {
			want = append(want, "STAFF-1")
		}
		slices.Sort(want)
		if !slices.Equal(got[c.Entity], want) {
			t.Errorf("%s: the target has %d records, the sample %d", c.Entity, len(got[c.Entity]), len(want))
		}
	}
	ok, run, reason := sample.Passing(ctx, p)
	if !ok || run != first.RunID {
		t.Errorf("after a clean sample run: passing %v, run %d: %s", ok, run, reason)
	}
	reasons, err := sample.PickReasons(ctx, p, first.RunID)
	if err != nil || len(reasons) != first.Selection.Total() {
		t.Errorf("reasons kept for %d records (%v)", len(reasons), err)
	}

	// Clean up: exactly what the sample created goes, children first; the trial patient stays.
	cl, err := sample.Cleanup(ctx, p, sample.CleanupOptions{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if cl.State != load.StateDone || cl.Counts[load.StatusDeleted] != first.Counts[load.StatusCreated] || len(cl.Problem) > 0 {
		t.Fatalf("clean up: %s %v %+v", cl.State, cl.Counts, cl.Problem)
	}
	after := inTarget(t, pb, f)
	for e := range before {
		if len(after[e]) != len(before[e]) {
			t.Errorf("%s: %d records before the sample, %d after the clean-up", e, len(before[e]), len(after[e]))
		}
		for id, v := range before[e] {
			if after[e][id] != v {
				t.Errorf("%s %s changed or went: %s", e, id, after[e][id])
			}
		}
	}

	// The second run sends the very same records.
	second, err := sample.Run(ctx, p, sample.RunOptions{Destination: "sandbox", Secret: secret})
	if err != nil || !second.Complete() {
		t.Fatalf("second sample run: %v %+v", err, second)
	}
	again := legacyKeys(t, pb, f)
	for e := range got {
		if !slices.Equal(got[e], again[e]) {
			t.Errorf("%s: the second run sent another set (%d and %d records)", e, len(got[e]), len(again[e]))
		}
	}

	// A change to the map makes the passing sample stale.
	m := mapping.New(p)
	fm, err := m.Map(ctx, "Patient")
	if err != nil {
		t.Fatal(err)
	}
	fld := fm.Field("address.city")
	if _, err := m.SetSteps(ctx, "Patient", "address.city", append(fld.Steps, mapping.Step{Op: "case", Mode: "upper"})); err != nil {
		t.Fatal(err)
	}
	if ok, _, reason := sample.Passing(ctx, p); ok {
		t.Errorf("still passing after a map edit: %s", reason)
	}
}
