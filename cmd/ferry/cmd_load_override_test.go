package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
)

// A full load without a passing sample run is refused until a person gives a reason, and the
// reason is kept on the run and in the custody log.
func TestLoadWithoutAPassingSampleNeedsAnOverrideThatIsLogged(t *testing.T) {
	proj := readyDemoCLI(t)
	out := filepath.Join(t.TempDir(), "out")
	if code, o, e := ferry(t, "target", proj, "--add", "files", "--kind", "files", "--dir", out, "--user", "Tess"); code != 0 {
		t.Fatalf("target --add: %d %s %s", code, o, e)
	}
	code, o, e := ferry(t, "load", proj, "--user", "Tess")
	if code != 1 || !strings.Contains(e, "--override") || !strings.Contains(e, "ferry sample") {
		t.Fatalf("load without a sample: %d %s %s", code, o, e)
	}
	const why = "the vendor's sandbox is down; the practice accepts the risk"
	if code, o, e = ferry(t, "load", proj, "--user", "Tess", "--override", why); code != 0 {
		t.Fatalf("load --override: %d %s %s", code, o, e)
	}
	ctx := context.Background()
	p, err := project.Open(ctx, proj, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	runID, err := load.LatestRun(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := load.Override(ctx, p, runID); err != nil || got != why {
		t.Errorf("override on run %d: %q %v", runID, got, err)
	}
	var n int
	if err := p.Reader().QueryRow(`SELECT count(*) FROM ferry_custody WHERE action = 'load.override' AND params LIKE '%' || ? || '%'`, "sandbox is down").Scan(&n); err != nil || n != 1 {
		t.Errorf("custody events for the override: %d %v", n, err)
	}
}
