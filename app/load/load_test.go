package load_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// readyDemo is the demo practice taken to zero validation errors, as a load starts from it.
func readyDemo(t testing.TB) *project.Project {
	t.Helper()
	p := readyDemoAt(t, filepath.Join(t.TempDir(), "demo.ferry"))
	t.Cleanup(func() { p.Close() })
	return p
}

func readyDemoAt(t testing.TB, path string) *project.Project {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, path, project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func feedRecords(t testing.TB, p *project.Project) (*mapping.Feed, map[string][]mapping.Record) {
	t.Helper()
	f, err := mapping.New(p).Feed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]mapping.Record{}
	for _, e := range f.Entities {
		f.Scan(context.Background(), e.Name, nil, func(r mapping.Record) error {
			out[e.Name] = append(out[e.Name], r)
			return nil
		})
	}
	return f, out
}

// pocketBaseDest starts PocketBase with collections for the feed's target (opts shapes them),
// its rate limiter on, and saves a rest destination "pb" pointing at it as a regular user.
func pocketBaseDest(t testing.TB, p *project.Project, f *mapping.Feed, opts pocketbase.Options, cfg func(*load.Config)) (*pocketbase.Server, string) {
	t.Helper()
	pb := pocketbase.Start(t)
	if err := pb.CreateCollections(f.Def, opts); err != nil {
		t.Fatal(err)
	}
	token, err := pb.UserToken()
	if err != nil {
		t.Fatal(err)
	}
	// PocketBase's own limiter: 150 creates a second in all, and 2 a second for practitioners,
	// whose 6 records go out at once, so real 429s happen however fast this machine is.
	if err := pb.RateLimit(pocketbase.Rule{Label: "practitioner:create", MaxRequests: 2, Duration: 1},
		pocketbase.Rule{Label: "*:create", MaxRequests: 150, Duration: 1},
		pocketbase.Rule{Label: "/api/", MaxRequests: 600, Duration: 1}); err != nil {
		t.Fatal(err)
	}
	c := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
		Entities: load.PocketBaseEntities(f.Def), Concurrency: 8, RetryWaitMS: 100, RetryMaxWaitMS: 2000, MaxAttempts: 12}
	if cfg != nil {
		cfg(&c)
	}
	if _, err := load.SaveDestination(context.Background(), p, load.Destination{Name: "pb", Kind: load.KindREST, Config: c}); err != nil {
		t.Fatal(err)
	}
	return pb, token
}

func secretIs(s string) func(load.Destination) (string, error) {
	return func(load.Destination) (string, error) { return s, nil }
}

func TestDemoLoadsCompletelyIntoPocketBaseWithItsRateLimiterOn(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	f, recs := feedRecords(t, p)
	pb, token := pocketBaseDest(t, p, f, pocketbase.Options{}, nil)

	pl, err := load.MakePlan(ctx, p, "pb")
	if err != nil {
		t.Fatal(err)
	}
	if pl.Records < 4000 || pl.ToSend != pl.Records-pl.Invalid || pl.Existing != 0 {
		t.Fatalf("plan: %+v", pl)
	}
	var last load.Progress
	res, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secretIs(token), Progress: func(pr load.Progress) { last = pr }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete() || res.Counts[load.StatusCreated] != pl.ToSend || res.Total != pl.Records {
		t.Fatalf("run: %+v\nlast error: %s\n%s", res, last.LastError, tail(pb.Log()))
	}
	if last.Done != res.Total || last.State != load.StateDone {
		t.Errorf("last progress %+v", last)
	}

	throttled, _ := load.Records(ctx, p, res.RunID, load.Filter{Entity: "Practitioner"})
	retried := 0
	for _, r := range throttled {
		if r.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Errorf("no practitioner needed a second attempt: PocketBase's rate limiter did not answer 429? %+v", throttled)
	}

	// Every legacy record is in PocketBase exactly once, under the id the crosswalk has.
	ids := map[string]map[string]string{} // entity → legacy key → new id
	for _, e := range f.Entities {
		got, err := pb.Records(load.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs[e.Name]) {
			t.Errorf("%s: %d records in PocketBase, %d legacy records", e.Name, len(got), len(recs[e.Name]))
		}
		ids[e.Name] = map[string]string{}
		for _, r := range got {
			ids[e.Name][r["legacy_key"].(string)] = r["id"].(string)
		}
	}
	results, err := load.Records(ctx, p, res.RunID, load.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.NewID != ids[r.Entity][r.LegacyKey] || r.Status != load.StatusCreated {
			t.Fatalf("%s %s: result %+v, PocketBase has id %q", r.Entity, r.LegacyKey, r, ids[r.Entity][r.LegacyKey])
		}
	}
	// References point at the right new records: read a few appointments and invoices back.
	checked := 0
	for _, e := range f.Entities {
		got, _ := pb.Records(load.CollectionName(e.Name))
		byKey := map[string]map[string]any{}
		for _, r := range got {
			byKey[r["legacy_key"].(string)] = r
		}
		for _, rec := range recs[e.Name][:min(40, len(recs[e.Name]))] {
			for i, fl := range e.Fields {
				if fl.References == "" || rec.Values[i] == "" {
					continue
				}
				want := ids[fl.References][rec.Values[i]]
				if got := byKey[rec.Key][load.BodyField(fl.Name)]; got != want || want == "" {
					t.Errorf("%s %s.%s = %v, want %s's new id %q", e.Name, rec.Key, fl.Name, got, rec.Values[i], want)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d references checked", checked)
	}

	// A second run creates nothing: everything is in the crosswalk.
	again, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secretIs(token)})
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts[load.StatusExisting] != pl.ToSend || again.Counts[load.StatusCreated] != 0 {
		t.Fatalf("second run: %+v", again.Counts)
	}

	// The results file has every legacy record exactly once.
	out := filepath.Join(t.TempDir(), "results.csv")
	fh, _ := os.Create(out)
	if err := load.WriteResults(ctx, p, res.RunID, fh, "csv"); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	rows := readCSV(t, out)
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		k := row[0] + "\x00" + row[1]
		if seen[k] {
			t.Fatalf("%v twice in the results", row)
		}
		seen[k] = true
	}
	if int64(len(seen)) != pl.Records {
		t.Fatalf("results have %d records, the run %d", len(seen), pl.Records)
	}
}

func TestRejectedRecordsCarryPocketBasesMessageAndTheirDependentsWait(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	f, recs := feedRecords(t, p)
	// A family name limit that a few patients exceed.
	e := f.Entity("Patient")
	fi := -1
	for i, fl := range e.Fields {
		if fl.Name == "name.family" {
			fi = i
		}
	}
	var lens []int
	for _, r := range recs["Patient"] {
		lens = append(lens, len([]rune(r.Values[fi])))
	}
	sort.Ints(lens)
	limit := lens[len(lens)*97/100]
	tooLong := map[string]bool{}
	for _, r := range recs["Patient"] {
		if len([]rune(r.Values[fi])) > limit {
			tooLong[r.Key] = true
		}
	}
	if len(tooLong) == 0 {
		t.Fatal("no patient name is longer than the limit")
	}
	pb, token := pocketBaseDest(t, p, f, pocketbase.Options{MaxLength: map[string]int{"Patient.name.family": limit}}, nil)
	res, err := load.Run(ctx, p, load.Options{Destination: "pb", Secret: secretIs(token)})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != load.StateDone || res.Counts[load.StatusRejected] != int64(len(tooLong)) {
		t.Fatalf("run %+v; want %d rejected\n%s", res, len(tooLong), tail(pb.Log()))
	}
	rej, _ := load.Records(ctx, p, res.RunID, load.Filter{Statuses: []string{load.StatusRejected}})
	for _, r := range rej {
		if !tooLong[r.LegacyKey] || r.Entity != "Patient" || r.HTTPStatus != 400 ||
			!strings.Contains(r.Error, "name_family") || !strings.Contains(r.Error, "Must be no more than") {
			t.Errorf("rejected %+v", r)
		}
	}
	// Records referring to a rejected patient are not sent; they say why and are 'failed',
	// so that "retry failed" sends them once the patient is in.
	failed, _ := load.Records(ctx, p, res.RunID, load.Filter{Statuses: []string{load.StatusFailed}})
	if len(failed) == 0 {
		t.Fatal("no record refers to a rejected patient?")
	}
	for _, r := range failed {
		if !strings.Contains(r.Error, "has not been loaded") {
			t.Errorf("failed %+v", r)
		}
	}
	// The results workbook lists them with the message.
	out := filepath.Join(t.TempDir(), "results.xlsx")
	fh, _ := os.Create(out)
	if err := load.WriteResults(ctx, p, res.RunID, fh, "xlsx"); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	if st, err := os.Stat(out); err != nil || st.Size() < 10000 {
		t.Fatalf("workbook: %v", err)
	}
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
