package load_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
)

func TestFilesDestinationRecordsTheFileAndRowOfEveryRecord(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	dir := t.TempDir()
	fc, _ := json.Marshal(map[string]any{"dir": dir, "format": "csv", "chunk_rows": 1000})
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "files", Kind: load.KindFiles, Config: load.Config{Files: fc}}); err != nil {
		t.Fatal(err)
	}
	res, err := load.Run(ctx, p, load.Options{Destination: "files"})
	if err != nil || !res.Complete() || res.Counts[load.StatusCreated] != res.Total {
		t.Fatalf("%+v %v", res, err)
	}
	recs, _ := load.Records(ctx, p, res.RunID, load.Filter{})
	place := regexp.MustCompile(`^[A-Za-z_0-9]+\.csv:\d+$`)
	seen := map[string]bool{}
	for _, r := range recs {
		if !place.MatchString(r.NewID) || seen[r.NewID] {
			t.Fatalf("%+v (twice or not FILE:ROW)", r)
		}
		seen[r.NewID] = true
		if f, _, _ := cut(r.NewID); f != "" {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Fatalf("%s: %v", r.NewID, err)
			}
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// A run limited to some records (a sample run, a delta) writes only those into the files; the
// rest of the feed is not written and not part of the run.
func TestAFilesRunLimitedToSomeRecordsWritesOnlyThose(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	dir := t.TempDir()
	fc, _ := json.Marshal(map[string]any{"dir": dir, "format": "csv"})
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "files", Kind: load.KindFiles, Config: load.Config{Files: fc}}); err != nil {
		t.Fatal(err)
	}
	pl, err := load.MakePlan(ctx, p, "files")
	if err != nil {
		t.Fatal(err)
	}
	// the first three source rows of every entity
	only := func(entity string) map[int64]bool { return map[int64]bool{1: true, 2: true, 3: true} }
	res, err := load.Run(ctx, p, load.Options{Destination: "files", Only: only})
	if err != nil || !res.Complete() {
		t.Fatalf("%+v %v", res, err)
	}
	recs, err := load.Records(ctx, p, res.RunID, load.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	perEntity := map[string]int{}
	for _, r := range recs {
		if r.Status != load.StatusCreated || r.SourceRow > 3 {
			t.Errorf("%+v: not one of the first three rows, or not created", r)
		}
		perEntity[r.Entity]++
	}
	lines := map[string]int{}
	for _, e := range pl.Entities {
		f, err := os.Open(filepath.Join(dir, e.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		all, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		n := len(all)
		lines[e.Name] = n - 1 // the header
		if lines[e.Name] != perEntity[e.Name] || perEntity[e.Name] == 0 || perEntity[e.Name] > 3 {
			t.Errorf("%s: %d rows written, %d records in the run", e.Name, lines[e.Name], perEntity[e.Name])
		}
	}
}
