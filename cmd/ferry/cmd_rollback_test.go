package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// readyDemoWithPocketBase makes a demo project ready to load and a PocketBase destination
// "pb" for it (the token in FERRY_SECRET for the test).
func readyDemoWithPocketBase(t *testing.T) (string, *pocketbase.Server, *mapping.Feed) {
	t.Helper()
	ctx := context.Background()
	proj := filepath.Join(t.TempDir(), "demo.ferry")
	if code, out, errb := ferry(t, "new", proj, "--demo", "--user", "Tess"); code != 0 {
		t.Fatalf("new --demo: %d %s %s", code, out, errb)
	}
	p, err := project.Open(ctx, proj, project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	feed, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	pb := pocketbase.Start(t)
	if err := pb.CreateCollections(feed.Def, pocketbase.Options{}); err != nil {
		t.Fatal(err)
	}
	token, err := pb.UserToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.RateLimit(pocketbase.Rule{Label: "/api/", MaxRequests: 600, Duration: 1}); err != nil {
		t.Fatal(err)
	}
	if code, out, errb := ferry(t, "target", proj, "--add", "pb", "--kind", "rest", "--url", pb.URL, "--auth", "bearer",
		"--preset", "pocketbase", "--concurrency", "8", "--user", "Tess"); code != 0 {
		t.Fatalf("target --add: %d %s %s", code, out, errb)
	}
	t.Setenv(secretEnv, token)
	return proj, pb, feed
}

func TestRollbackShowsItsWindowThenEmptiesTheTargetOfTheRun(t *testing.T) {
	proj, pb, feed := readyDemoWithPocketBase(t)
	if code, out, errb := ferry(t, "load", proj, "--to", "pb", "--user", "Tess"); code != 0 {
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
