package rollback_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/rollback"
	"github.com/ferry-migrate/ferry/internal/demotest"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

func readyDemo(t *testing.T) *project.Project { return demotest.Ready(t) }

// pocketBase starts PocketBase with collections for the project's target and saves a rest
// destination "pb" signed in as a regular (rate-limited) user.
func pocketBase(t *testing.T, p *project.Project) (*pocketbase.Server, *mapping.Feed, func(load.Destination) (string, error)) {
	t.Helper()
	f, err := mapping.New(p).Feed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, f.Def, pocketbase.Rule{Label: "/api/", MaxRequests: 400, Duration: 1})
	pocketbase.SaveDestination(t, p, load.Destination{Name: "pb", Config: pb.Config(f.Def)})
	return pb, f, func(load.Destination) (string, error) { return token, nil }
}

// inTarget counts the records in every collection of the feed's entities.
func inTarget(t *testing.T, pb *pocketbase.Server, f *mapping.Feed) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range f.Entities {
		recs, err := pb.Records(pocketbase.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name] = len(recs)
	}
	return out
}

func TestRollingBackAFullRunLeavesTheTargetEmptyOfFerrysRecords(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	pb, f, secret := pocketBase(t, p)
	res, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secret})
	if err != nil || !res.Complete() {
		t.Fatalf("full load: %v %+v", err, res)
	}
	loaded := inTarget(t, pb, f)
	if loaded["Patient"] == 0 || loaded["Appointment"] == 0 {
		t.Fatalf("nothing loaded: %v", loaded)
	}

	// Only Ferry has written: the whole run can go.
	w, err := rollback.Check(ctx, p, rollback.Options{Run: res.RunID, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if w.Kind != rollback.Full || !w.Checked || w.Edited != 0 || w.Unknown != 0 || int64(len(w.Records)) != res.Counts[load.StatusCreated] {
		t.Fatalf("window before any edit: %s (%s), %d records, %d edited, %d unknown", w.Kind, w.Reason, len(w.Records), w.Edited, w.Unknown)
	}

	// A receptionist corrects a patient's surname in the new system: the window becomes partial.
	var xw struct{ key, id string }
	p.Reader().QueryRow(`SELECT legacy_key, new_id FROM ferry_crosswalk WHERE entity = 'Patient' ORDER BY legacy_key LIMIT 1`).Scan(&xw.key, &xw.id)
	if err := pb.Call("PATCH", "/api/collections/patient/records/"+xw.id, map[string]any{"name_family": "Corrected-By-Staff"}, nil); err != nil {
		t.Fatal(err)
	}
	w, err = rollback.Check(ctx, p, rollback.Options{Run: res.RunID, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if w.Kind != rollback.Partial || w.Edited != 1 {
		t.Fatalf("window after a staff edit: %s, %d edited (%s)", w.Kind, w.Edited, w.Reason)
	}
	for _, r := range w.Records {
		if r.State == "edited" && (r.Entity != "Patient" || r.Key != xw.key) {
			t.Errorf("%s %s taken for edited: %s", r.Entity, r.Key, r.Note)
		}
	}

	// A partial rollback keeps the edited patient and deletes everything else, children first.
	rb, err := rollback.Do(ctx, p, rollback.Options{Run: res.RunID, Secret: secret, KeepEdited: true})
	if err != nil {
		t.Fatal(err)
	}
	if rb.State != load.StateDone || rb.Counts[load.StatusSkipped] != 1 || rb.Counts[load.StatusDeleted] != res.Counts[load.StatusCreated]-1 {
		t.Fatalf("partial rollback: %s %v %+v", rb.State, rb.Counts, rb.Problem)
	}
	left := inTarget(t, pb, f)
	for e, n := range left {
		want := 0
		if e == "Patient" {
			want = 1
		}
		if n != want {
			t.Errorf("after the partial rollback %s has %d records, want %d", e, n, want)
		}
	}

	// Rolling back what is left (a person decided about the edited patient) empties the target
	// of Ferry's records, and the crosswalk with it.
	rb, err = rollback.Do(ctx, p, rollback.Options{Run: res.RunID, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Counts[load.StatusDeleted] != 1 {
		t.Fatalf("second rollback: %v", rb.Counts)
	}
	for e, n := range inTarget(t, pb, f) {
		if n != 0 {
			t.Errorf("%s still has %d records", e, n)
		}
	}
	var cw int
	p.Reader().QueryRow(`SELECT count(*) FROM ferry_crosswalk`).Scan(&cw)
	if cw != 0 {
		t.Errorf("%d crosswalk rows left", cw)
	}
	w, _ = rollback.Check(ctx, p, rollback.Options{Run: res.RunID, Secret: secret})
	if w.Kind != rollback.Nothing {
		t.Errorf("window after the rollback: %s", w.Kind)
	}
	runs, _ := load.Runs(ctx, p)
	if runs[0].Mode != load.ModeRollback || runs[0].Parent != res.RunID {
		t.Errorf("newest run: %+v", runs[0])
	}
}

func TestFileDestinationsAndARetiredLegacySystemAreNotRolledBack(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	files, _ := json.Marshal(map[string]any{"dir": t.TempDir(), "format": "csv"})
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "import files", Kind: load.KindFiles,
		Config: load.Config{Kind: load.KindFiles, Files: files}}); err != nil {
		t.Fatal(err)
	}
	res, err := load.Run(ctx, p, load.Options{Destination: "import files"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := rollback.Check(ctx, p, rollback.Options{Run: res.RunID})
	if err != nil {
		t.Fatal(err)
	}
	if w.Kind != rollback.Files {
		t.Errorf("files destination: window %s", w.Kind)
	}
	if _, err := rollback.Do(ctx, p, rollback.Options{Run: res.RunID}); !errors.Is(err, rollback.ErrFiles) {
		t.Errorf("rolling back files: %v", err)
	}

	// The Plan says the old system was retired yesterday: forward-fix only.
	err = p.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO ferry_plan(key, value, updated_at) VALUES (?, ?, '')`, rollback.PlanRetired,
			time.Now().AddDate(0, 0, -1).Format("2006-01-02"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, secret := pocketBase(t, p)
	res, err = load.Run(ctx, p, load.Options{Destination: "pb", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rollback.Do(ctx, p, rollback.Options{Run: res.RunID, Secret: secret}); !errors.Is(err, rollback.ErrForwardFix) {
		t.Errorf("rolling back after retirement: %v", err)
	}
}
