//go:build !loadonly

package sample

import (
	"context"

	"github.com/ferry-migrate/ferry/app/project"
)

// Run is waiting for the load engine to send a selection: load.Options.Only (see run.go, built
// with -tags loadonly, and /tmp/smp/engine-only.diff in the sample helper's report). Delete
// this file and the build tag of run.go once the engine has it.
func Run(ctx context.Context, p *project.Project, opts RunOptions) (*RunResult, error) {
	return nil, ErrEngineHook
}
