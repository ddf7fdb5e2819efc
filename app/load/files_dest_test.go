package load_test

import (
	"context"
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
