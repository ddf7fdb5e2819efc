package sample

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
)

// Run sends the sample through the load engine (a run of kind sample, mode sample) to the
// destination, only the selection's records, and keeps the selection with its reasons
// (ferry_sample_picks). Each record's outcome is in load.Records; sample.Passing judges it.
func Run(ctx context.Context, p *project.Project, opts RunOptions) (*RunResult, error) {
	sel := opts.Selection
	if sel == nil {
		var err error
		if sel, err = Select(ctx, p, Options{}); err != nil {
			return nil, err
		}
	}
	res, err := load.Run(ctx, p, load.Options{Destination: opts.Destination, Kind: load.RunSample, Secret: opts.Secret,
		Progress: opts.Progress, Pause: opts.Pause, Only: sel.Only})
	if err != nil {
		return nil, err
	}
	if err := recordPicks(context.WithoutCancel(ctx), p, res.RunID, sel); err != nil {
		return nil, fmt.Errorf("keeping the sample of run %d: %w", res.RunID, err)
	}
	return &RunResult{Result: res, Selection: sel}, nil
}
