package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// readyDemoWithPocketBase makes a demo project ready to load and a PocketBase destination
// "pb" for it (the token in FERRY_SECRET for the test).
func readyDemoWithPocketBase(t *testing.T) (string, *pocketbase.Server, *mapping.Feed) {
	t.Helper()
	proj := readyDemoCLI(t)
	pb, token, feed := pocketBaseFor(t, proj, pocketbase.Rule{Label: "/api/", MaxRequests: 600, Duration: 1})
	addPocketBaseCLI(t, proj, pb)
	t.Setenv(secretEnv, token)
	return proj, pb, feed
}

func TestRollbackShowsItsWindowThenEmptiesTheTargetOfTheRun(t *testing.T) {
	proj, pb, feed := readyDemoWithPocketBase(t)
	if code, out, errb := ferry(t, "load", proj, "--to", "pb", "--user", "Tess", "--override", "test: no sample run"); code != 0 {
		t.Fatalf("load: %d %s %s", code, out, errb)
	}
	code, out, errb := ferry(t, "rollback", proj, "--check")
	if code != 0 || !strings.Contains(out, "full rollback") || !strings.Contains(out, "Only Ferry has written") {
		t.Fatalf("rollback --check: %d\n%s%s", code, out, errb)
	}
	m := regexp.MustCompile(`Run (\d+) \(full\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run named:\n%s", out)
	}
	run := m[1]
	code, out, errb = ferry(t, "rollback", proj, "--run", run, "--user", "Tess", "--results", filepath.Join(t.TempDir(), "rollback.csv"))
	if code != 0 || !strings.Contains(out, "deleted") || !strings.Contains(out, "Results written to") {
		t.Fatalf("rollback: %d\n%s%s", code, out, errb)
	}
	for _, e := range feed.Entities {
		recs, err := pb.Records(pocketbase.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 0 {
			t.Errorf("%s: %d records left after the rollback", e.Name, len(recs))
		}
	}
	code, out, errb = ferry(t, "rollback", proj)
	if code != 1 || !strings.Contains(out+errb, "nothing to roll back") {
		t.Errorf("a second rollback: %d %s", code, out)
	}
	if code, out, _ := ferry(t, "rollback", proj, "--keep-edited", "--include-edited"); code != 2 {
		t.Errorf("contradicting flags: exit %d %s", code, out)
	}
}
