package reconcile_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/report"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
	"github.com/ferry-migrate/ferry/internal/secretscan"
)

// The load engine's client is what reconciliation reads the new system back through.
var _ reconcile.Reader = (*load.Client)(nil)

// Issue #10: against a real PocketBase, a clean load reconciles with zero differences; then a
// record deleted, a field changed and a duplicate created directly in PocketBase are exactly
// the three differences the reconciliation and its report list. No credential reaches the
// project file, the results file or the report.
func TestAReconciliationReadBackFromPocketBaseFindsExactlyWhatWasDoneToItAfterTheLoad(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, f.Def, pocketbase.Rule{Label: "*:create", MaxRequests: 150, Duration: 1},
		pocketbase.Rule{Label: "/api/", MaxRequests: 600, Duration: 1})
	cfg := pb.Config(f.Def)
	cfg.RateLimit = 400
	pocketbase.SaveDestination(t, p, load.Destination{Name: "pb", Config: cfg})
	secret := func(load.Destination) (string, error) { return token, nil }
	run, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secret})
	if err != nil || !run.Complete() {
		t.Fatalf("load: %+v %v\n%s", run, err, pb.Log())
	}

	cl, err := load.OpenClient(ctx, p, "pb", secret)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := reconcile.Run(ctx, p, reconcile.Options{Reader: cl})
	if err != nil {
		t.Fatal(err)
	}
	if clean.Differences != 0 || len(clean.Diffs) != 0 {
		t.Fatalf("a clean load read back from PocketBase: %d differences, first: %+v", clean.Differences, clean.Diffs[:min(5, len(clean.Diffs))])
	}
	if clean.Source != reconcile.SourceAPI || clean.Records == 0 || clean.Reconciled != clean.Records {
		t.Fatalf("source %s, %d of %d reconciled", clean.Source, clean.Reconciled, clean.Records)
	}
	for _, e := range clean.Entities {
		fe := f.Entity(e.Entity)
		if !e.ReadBack || len(e.Compared) != len(fe.Fields) || e.Found != e.Loaded {
			t.Errorf("%s: read back %v, compared %v of %d fields, found %d of %d loaded", e.Entity, e.ReadBack, e.Compared, len(fe.Fields), e.Found, e.Loaded)
		}
	}
	for _, s := range clean.Sums {
		if !s.Equal {
			t.Errorf("money %s.%s: old %s, new %s", s.Entity, s.Field, s.Legacy, s.New)
		}
	}
	t.Logf("clean load: %s (%d records, fields compared per entity read back over the API)", clean.Verdict, clean.Records)
	if err := reconcile.Save(ctx, p, clean); err != nil {
		t.Fatal(err)
	}

	// Now someone works in the new system directly (as PocketBase's superuser): a recall is
	// deleted, a patient's family name changed, and a patient typed in a second time. The new
	// system does not insist on unique legacy keys (most do not), so the copy goes in.
	recalls, err := pb.Records("servicerequest")
	if err != nil {
		t.Fatal(err)
	}
	patients, err := pb.Records("patient")
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(patients, func(i, j int) bool { return patients[i]["legacy_key"].(string) < patients[j]["legacy_key"].(string) })
	gone, changed, copied := recalls[len(recalls)/2], patients[10], patients[20]
	if err := pb.Call("DELETE", "/api/collections/servicerequest/records/"+gone["id"].(string), nil, nil); err != nil {
		t.Fatal(err)
	}
	oldFamily := changed["name_family"].(string)
	newFamily := oldFamily + "-Whitfield"
	if err := pb.Call("PATCH", "/api/collections/patient/records/"+changed["id"].(string), map[string]any{"name_family": newFamily}, nil); err != nil {
		t.Fatal(err)
	}
	if err := pb.Call("PATCH", "/api/collections/patient", map[string]any{"indexes": []string{}}, nil); err != nil {
		t.Fatal(err)
	}
	dup := map[string]any{}
	for k, v := range copied {
		switch k {
		case "id", "collectionId", "collectionName", "created", "updated":
		default:
			dup[k] = v
		}
	}
	var made struct {
		ID string `json:"id"`
	}
	if err := pb.Call("POST", "/api/collections/patient/records", dup, &made); err != nil {
		t.Fatal(err)
	}

	res, err := reconcile.Run(ctx, p, reconcile.Options{Reader: cl})
	if err != nil {
		t.Fatal(err)
	}
	want := []reconcile.Diff{
		{Entity: "ServiceRequest", Key: gone["legacy_key"].(string), NewID: gone["id"].(string), Kind: reconcile.KindMissing},
		{Entity: "Patient", Key: changed["legacy_key"].(string), NewID: changed["id"].(string), Kind: reconcile.KindChanged,
			Field: "name.family", Sent: oldFamily, Found: newFamily},
		{Entity: "Patient", Key: copied["legacy_key"].(string), NewID: made.ID, Kind: reconcile.KindDuplicate},
	}
	if res.Differences != 3 || len(res.Diffs) != 3 || res.ByKind[reconcile.KindMissing] != 1 ||
		res.ByKind[reconcile.KindChanged] != 1 || res.ByKind[reconcile.KindDuplicate] != 1 {
		t.Fatalf("%d differences %v, want exactly 3:\n%+v", res.Differences, res.ByKind, res.Diffs)
	}
	for _, w := range want {
		found := false
		for _, d := range res.Diffs {
			if d.Entity == w.Entity && d.Key == w.Key && d.NewID == w.NewID && d.Kind == w.Kind && d.Field == w.Field &&
				d.Sent == w.Sent && d.Found == w.Found {
				found = true
			}
		}
		if !found {
			t.Errorf("no difference %+v in %+v", w, res.Diffs)
		}
	}
	t.Logf("after the changes: %s", res.Verdict)
	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}

	// The report's Differences sheet lists exactly those three.
	pk, err := report.Build(ctx, p, res, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pk.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Differences")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range rows[1:] {
		if len(r) > 0 && r[0] != "" {
			listed = append(listed, strings.Join(r, " | "))
		}
	}
	if len(listed) != 3 {
		t.Fatalf("the report lists %d differences, want 3:\n%s", len(listed), strings.Join(listed, "\n"))
	}
	for _, w := range want {
		found := false
		for _, l := range listed {
			if strings.Contains(l, w.Entity+" | "+w.Key+" | "+w.NewID+" | ") && strings.Contains(l, w.Field) && strings.Contains(l, w.Found) {
				found = true
			}
		}
		if !found {
			t.Errorf("the report does not list %s %s (%s):\n%s", w.Entity, w.Key, w.Kind, strings.Join(listed, "\n"))
		}
	}

	// The same client reads one record and deletes one (rollback's and sample cleanup's way):
	// deleting what is already gone is no error.
	got, ok, err := cl.Get(ctx, "Patient", changed["id"].(string))
	if err != nil || !ok || got["name.family"] != newFamily || got["identifier"] != changed["legacy_key"] {
		t.Fatalf("get: %v %v %v", got, ok, err)
	}
	for range 2 {
		if err := cl.Delete(ctx, "Patient", made.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := cl.Get(ctx, "Patient", made.ID); ok || err != nil {
		t.Fatalf("the deleted copy: found %v, %v", ok, err)
	}

	// No credential in what Ferry wrote: the project file (and its -wal), the load's results
	// file, the report.
	out := t.TempDir()
	rf, err := os.Create(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := load.WriteResults(ctx, p, run.RunID, rf, "csv"); err != nil {
		t.Fatal(err)
	}
	rf.Close()
	for _, name := range []string{"report.xlsx", "report.pdf"} {
		if _, _, err := report.Export(ctx, p, res, filepath.Join(out, name), report.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(p.Path + "-wal"); err != nil {
		t.Fatalf("the project's -wal is not there to be scanned: %v", err)
	}
	secretscan.Check(t, p.Path, token, pb.Password)
	secretscan.CheckDir(t, out, token, pb.Password)
}
