package sample

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/rollback"
)

// ErrNoSampleRun is returned when there is no sample run to clean up.
var ErrNoSampleRun = errors.New("there is no sample run")

// CleanupOptions tune Cleanup.
type CleanupOptions struct {
	Run      int64 // the sample run (0: the newest)
	Secret   func(load.Destination) (string, error)
	Progress func(rollback.Progress)
}

// Cleanup deletes from the destination exactly what a sample run created (its crosswalk rows),
// children before parents, with the destination's throttling; it is that run's rollback
// (ferry_load_runs mode 'rollback', parent the sample run). Records that could not be deleted
// are in the result's Problem list with the target's words.
func Cleanup(ctx context.Context, p *project.Project, opts CleanupOptions) (*rollback.Result, error) {
	run := opts.Run
	if run == 0 {
		s, err := latestSample(ctx, p.Reader(), 0)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, ErrNoSampleRun
		}
		run = s.ID
	}
	var mode string
	if err := p.Reader().QueryRowContext(ctx, `SELECT mode FROM ferry_load_runs WHERE run_id = ?`, run).Scan(&mode); err != nil || mode != load.ModeSample {
		return nil, fmt.Errorf("run %d: %w", run, ErrNoSampleRun)
	}
	return rollback.Do(ctx, p, rollback.Options{Run: run, NoCheck: true, Secret: opts.Secret, Progress: opts.Progress})
}
