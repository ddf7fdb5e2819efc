package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/rollback"
)

// errRollbackIncomplete: exit 1, the summary has said what could not be deleted.
var errRollbackIncomplete = errors.New("not every record could be deleted (see the summary)")

func init() {
	register(&command{
		Name:    "rollback",
		Args:    "FILE.ferry",
		Summary: "Take a load run back out of the new system: show its rollback window, then delete what it created, children before parents.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			run := fs.Int64("run", 0, "the load run `N` to roll back (default: the newest load run that left records)")
			check := fs.Bool("check", false, "only show the rollback window (reads every record back); delete nothing")
			keepEdited := fs.Bool("keep-edited", false, "a partial rollback: leave the records staff have edited since, delete the rest")
			all := fs.Bool("include-edited", false, "delete the records staff have edited too (you have decided they should go)")
			results := fs.String("results", "", "write every record's outcome to `file` (.csv or .xlsx)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, w io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry rollback FILE.ferry [--run N] [--check]"); err != nil {
					return err
				}
				if *keepEdited && *all {
					return usageError("choose --keep-edited or --include-edited")
				}
				if err := resultsFile(*results); err != nil {
					return err
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name, ReadOnly: *check})
				if err != nil {
					return err
				}
				defer p.Close()
				warnStorage(p)
				id := *run
				if id == 0 {
					if id, err = newestRollbackable(ctx, p); err != nil {
						return err
					}
				}
				pr := &rollbackPrinter{out: w}
				opts := rollback.Options{Run: id, Secret: destinationSecret, Progress: pr.progress}
				win, err := rollback.Check(ctx, p, opts)
				if err != nil {
					return err
				}
				printWindow(w, win)
				if *check || win.Kind == rollback.Nothing {
					return nil
				}
				switch win.Kind {
				case rollback.Files, rollback.ForwardFix:
					return errors.New("nothing was deleted")
				case rollback.Partial:
					if !*keepEdited && !*all {
						return usageError("staff have edited some of these records: choose --keep-edited (leave them) or --include-edited (delete them too)")
					}
				}
				opts.KeepEdited = *keepEdited
				opts.NoCheck = !*keepEdited // the window was just read; only a partial rollback needs it again
				res, err := rollback.Do(ctx, p, opts)
				if err != nil {
					return err
				}
				printRollback(w, res)
				if *results != "" {
					if err := writeLoadResults(context.WithoutCancel(ctx), p, res.RunID, *results); err != nil {
						return err
					}
					fmt.Fprintf(w, "Results written to %s\n", *results)
				}
				if res.State != load.StateDone || res.Counts[load.StatusFailed]+res.Counts[load.StatusRejected] > 0 {
					return errRollbackIncomplete
				}
				return nil
			}
		},
	})
}

// newestRollbackable is the newest load run (not itself a rollback) whose records are still in
// the crosswalk.
func newestRollbackable(ctx context.Context, p *project.Project) (int64, error) {
	var id int64
	err := p.Reader().QueryRowContext(ctx, `SELECT ifnull(max(c.run_id), 0) FROM ferry_crosswalk c
		JOIN ferry_load_runs l ON l.run_id = c.run_id WHERE l.mode <> 'rollback'`).Scan(&id)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, fmt.Errorf("%s has no load run that left records in a new system: nothing to roll back", p.Name())
	}
	return id, nil
}

func printWindow(w io.Writer, win *rollback.Window) {
	label := map[rollback.Kind]string{rollback.Full: "full rollback", rollback.Partial: "partial rollback",
		rollback.ForwardFix: "forward-fix only", rollback.Files: "rollback in the target's own tools",
		rollback.Nothing: "nothing left to roll back"}[win.Kind]
	fmt.Fprintf(w, "Run %d (%s) to %s: %s.\n%s\n", win.Run, win.Mode, win.Destination, label, win.Reason)
	shown := 0
	for _, r := range win.Records {
		if r.State == "edited" && shown < 20 {
			fmt.Fprintf(w, "  edited: %s %s (%s) – %s\n", r.Entity, r.Key, r.NewID, r.Note)
			shown++
		}
	}
	if win.Edited > shown {
		fmt.Fprintf(w, "  … and %d more edited records\n", win.Edited-shown)
	}
}

func printRollback(w io.Writer, res *rollback.Result) {
	var parts []string
	for _, st := range []string{load.StatusDeleted, load.StatusSkipped, load.StatusRejected, load.StatusFailed, load.StatusPending} {
		if n := res.Counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", auditThousands(n), st))
		}
	}
	fmt.Fprintf(w, "Rollback run %d of run %d: %s – %s.\n", res.RunID, res.Parent, res.State, strings.Join(parts, ", "))
	for i, r := range res.Problem {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more\n", len(res.Problem)-20)
			break
		}
		fmt.Fprintf(w, "  not deleted: %s %s (%s): %s\n", r.Entity, r.LegacyKey, r.NewID, r.Error)
	}
}

// rollbackPrinter prints a progress line every few seconds.
type rollbackPrinter struct {
	mu   sync.Mutex
	out  io.Writer
	last time.Time
}

func (r *rollbackPrinter) progress(pr rollback.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.last) < 2*time.Second || pr.Done == pr.Total {
		return
	}
	r.last = time.Now()
	verb := map[string]string{"check": "reading back", "delete": "deleting"}[pr.Stage]
	fmt.Fprintf(r.out, "%s: %s of %s records (%s)\n", verb, auditThousands(pr.Done), auditThousands(pr.Total), pr.Entity)
}
