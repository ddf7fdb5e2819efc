package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func TestFullLoadStatusFollowsTheNewestLoadRunAndOverridesAreLogged(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	if st, _, err := load.Status(ctx, p); err != nil || st != wizard.NotStarted {
		t.Fatalf("before anything: %v %v", st, err)
	}
	fc, _ := json.Marshal(map[string]any{"dir": t.TempDir(), "format": "csv"})
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "files", Kind: load.KindFiles, Config: load.Config{Files: fc}}); err != nil {
		t.Fatal(err)
	}
	st, detail, err := load.Status(ctx, p)
	if err != nil || st != wizard.NotStarted || !strings.Contains(detail, "1 destination set up") {
		t.Fatalf("with a destination: %v %q %v", st, detail, err)
	}

	// A run cancelled before it sends anything is unfinished: in progress, resume it.
	cctx, cancel := context.WithCancel(ctx)
	var runID int64
	res, err := load.Run(cctx, p, load.Options{Destination: "files", Progress: func(pr load.Progress) {
		if pr.RunID != 0 && runID == 0 {
			runID = pr.RunID
			cancel()
		}
	}})
	cancel()
	if err != nil || res.State != load.StateCancelled {
		t.Fatalf("the cancelled run: %+v %v", res, err)
	}
	if st, detail, _ := load.Status(ctx, p); st != wizard.InProgress || !strings.Contains(detail, "Resume") {
		t.Errorf("after a cancelled run: %v %q", st, detail)
	}

	res, err = load.Run(ctx, p, load.Options{Destination: "files"})
	if err != nil || !res.Complete() {
		t.Fatalf("%+v %v", res, err)
	}
	st, detail, err = load.Status(ctx, p)
	if err != nil || st != wizard.Done || !strings.Contains(detail, "arrived") {
		t.Errorf("after a complete run: %v %q %v", st, detail, err)
	}

	if err := load.RecordOverride(ctx, p, res.RunID, "  "); !errors.Is(err, load.ErrNoReason) {
		t.Errorf("an empty reason: %v", err)
	}
	if err := load.RecordOverride(ctx, p, res.RunID+100, "why"); !errors.Is(err, load.ErrNoRun) {
		t.Errorf("a run that does not exist: %v", err)
	}
	if err := load.RecordOverride(ctx, p, res.RunID, "The vendor imports into a trial account first."); err != nil {
		t.Fatal(err)
	}
	if why, err := load.Override(ctx, p, res.RunID); err != nil || why != "The vendor imports into a trial account first." {
		t.Errorf("override %q %v", why, err)
	}
	var n int
	if err := p.Reader().QueryRowContext(ctx, `SELECT count(*) FROM ferry_custody WHERE action = 'load.override'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d load.override custody events, %v", n, err)
	}
}
