package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
)

// errLoadIncomplete: exit 1, the summary has said what did not arrive.
var errLoadIncomplete = errors.New("not every record was loaded (see the summary)")

func init() {
	register(&command{
		Name:    "load",
		Args:    "FILE.ferry",
		Summary: "Load the mapped data into the new system (a destination set up with ferry target); exit 1 if any record did not arrive.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			to := fs.String("to", "", "the destination `name` (default: the only one)")
			resume := fs.Bool("resume", false, "continue the newest unfinished load from where it stopped")
			retry := fs.Bool("retry-failed", false, "send again only what did not arrive in the last load (not the rejected records)")
			results := fs.String("results", "", "write every record's outcome to `file` (.csv or .xlsx)")
			plan := fs.Bool("plan", false, "only show the plan: entities, counts, order and the time the rate limit needs")
			asJSON := fs.Bool("json", false, "print the plan or result as JSON (progress goes to standard error)")
			every := fs.Duration("progress", 2*time.Second, "how often to print a progress `interval`")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			delta := fs.Bool("delta", false, "load only what changed in the old system: SRC… is its fresh export")
			del := fs.Bool("delete", false, "with --delta: delete in the new system what the old one deleted")
			override := fs.String("override", "", "load without a passing sample run, for this `reason` (kept in the custody log)")
			return func(ctx context.Context, args []string, w io.Writer) error {
				if *delta {
					if err := needArgs(args, 2, -1, "the project and the fresh export: ferry load FILE.ferry --delta SRC… [--to NAME] [--delete]"); err != nil {
						return err
					}
				} else if err := needArgs(args, 1, 1, "one project file: ferry load FILE.ferry [--to NAME] [--resume | --retry-failed] [--results OUT.csv|OUT.xlsx] [--delta SRC…]"); err != nil {
					return err
				}
				if *del && !*delta {
					return usageError("--delete goes with --delta")
				}
				if *delta && (*resume || *retry || *plan) {
					return usageError("--delta loads a fresh export: leave out --resume, --retry-failed and --plan")
				}
				if *resume && *retry {
					return usageError("choose --resume or --retry-failed")
				}
				if err := resultsFile(*results); err != nil {
					return err
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name, ReadOnly: *plan})
				if err != nil {
					return err
				}
				defer p.Close()
				warnStorage(p)
				dest := *to
				if dest == "" && !*resume {
					ds, err := load.Destinations(ctx, p)
					if err != nil {
						return err
					}
					switch len(ds) {
					case 0:
						return fmt.Errorf("%s has no destination yet: set one up with ferry target %s --add NAME --kind rest|fhir|files …", p.Name(), args[0])
					case 1:
						dest = ds[0].Name
					default:
						var names []string
						for _, d := range ds {
							names = append(names, d.Name)
						}
						return usageError("choose the destination with --to: " + strings.Join(names, ", "))
					}
				}
				if *delta {
					return loadDelta(ctx, p, dest, args[1:], *del, w, (&loadPrinter{out: w, every: *every}).progress)
				}
				if *plan {
					pl, err := load.MakePlan(ctx, p, dest)
					if err != nil {
						return err
					}
					if *asJSON {
						return printTargetJSON(w, pl)
					}
					printLoadPlan(w, pl)
					return nil
				}
				progOut := w
				if *asJSON {
					progOut = os.Stderr
				}
				pr := &loadPrinter{out: progOut, every: *every}
				progress := pr.progress
				if !*resume {
					// A new full load needs a passing sample run for the current map and target, or a
					// person's reason for going without one, recorded on the run as soon as it exists.
					ok, _, why := sample.Passing(ctx, p)
					if !ok && strings.TrimSpace(*override) == "" {
						return fmt.Errorf("%s\n  Run the sample first (ferry sample %s), or load anyway with --override \"why\" (kept in the custody log)", why, args[0])
					}
					if !ok {
						var recorded bool
						var recErr error
						progress = func(lp load.Progress) {
							if !recorded && lp.RunID != 0 {
								recorded = true
								recErr = load.RecordOverride(context.WithoutCancel(ctx), p, lp.RunID, *override)
							}
							pr.progress(lp)
						}
						defer func() {
							if recErr != nil {
								fmt.Fprintln(os.Stderr, "Note: the override reason could not be recorded:", recErr)
							}
						}()
					}
				}
				res, err := load.Run(ctx, p, load.Options{Destination: dest, Resume: *resume, RetryFailed: *retry,
					Secret: destinationSecret, Progress: progress})
				if err != nil {
					return err
				}
				if why := strings.TrimSpace(*override); why != "" && res.RunID != 0 {
					if have, _ := load.Override(ctx, p, res.RunID); have == "" {
						if ok, _, _ := sample.Passing(ctx, p); !ok {
							if err := load.RecordOverride(context.WithoutCancel(ctx), p, res.RunID, why); err != nil {
								return err
							}
						}
					}
				}
				if *results != "" {
					if err := writeLoadResults(context.WithoutCancel(ctx), p, res.RunID, *results); err != nil {
						return err
					}
				}
				if *asJSON {
					if err := printTargetJSON(w, res); err != nil {
						return err
					}
				} else {
					printLoadResult(w, res, args[0])
					if *results != "" {
						fmt.Fprintf(w, "Results written to %s\n", *results)
					}
				}
				if !res.Complete() || res.Counts[load.StatusInvalid] > 0 {
					return errLoadIncomplete
				}
				return nil
			}
		},
	})
}

// loadPrinter prints a progress line now and then (and when the entity changes).
type loadPrinter struct {
	mu     sync.Mutex
	out    io.Writer
	every  time.Duration
	last   time.Time
	entity string
}

func (l *loadPrinter) progress(pr load.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if pr.State == load.StateRunning && pr.Entity == l.entity && time.Since(l.last) < l.every {
		return
	}
	if pr.State != load.StateRunning && pr.State != load.StatePaused {
		return // the summary follows
	}
	l.last, l.entity = time.Now(), pr.Entity
	line := fmt.Sprintf("%s: %s of %s records", pr.State, auditThousands(pr.Done), auditThousands(pr.Total))
	for _, e := range pr.Entities {
		if e.Name == pr.Entity {
			line += fmt.Sprintf(" · %s %s/%s", e.Name, auditThousands(e.Done), auditThousands(e.Total))
		}
	}
	if pr.PerSecond > 0 {
		line += fmt.Sprintf(" · %.0f/s · about %s left", pr.PerSecond, pr.ETA.Round(time.Second))
	}
	if n := pr.Counts[load.StatusRejected] + pr.Counts[load.StatusFailed]; n > 0 {
		line += fmt.Sprintf(" · %d not loaded", n)
	}
	fmt.Fprintln(l.out, line)
}

func printLoadPlan(w io.Writer, pl *load.Plan) {
	fmt.Fprintf(w, "Plan for %s (%s): %s records, %s to send, %s already there, %s not sendable (mapping errors).\n",
		pl.Destination, pl.Kind, auditThousands(pl.Records), auditThousands(pl.ToSend), auditThousands(pl.Existing), auditThousands(pl.Invalid))
	for i, e := range pl.Entities {
		after := ""
		if len(e.DependsOn) > 0 {
			after = " (after " + strings.Join(e.DependsOn, ", ") + ")"
		}
		fmt.Fprintf(w, "  %d. %-24s %8s records, %8s to send%s\n", i+1, e.Name, auditThousands(e.Records), auditThousands(e.ToSend), after)
	}
	if pl.Estimate > 0 {
		fmt.Fprintf(w, "At %g requests a second this takes at least %s.\n", pl.RateLimit, pl.Estimate.Round(time.Second))
	}
	if pl.Unfinished > 0 {
		fmt.Fprintf(w, "Run %d did not finish: ferry load --resume goes on with it.\n", pl.Unfinished)
	}
}

func printLoadResult(w io.Writer, res *load.Result, file string) {
	fmt.Fprintf(w, "Load run %d to %s: %s in %s (%.0f records/s).\n", res.RunID, res.Destination, res.State,
		res.Elapsed.Round(time.Second), res.PerSecond)
	if res.Message != "" {
		fmt.Fprintln(w, res.Message)
	}
	for _, e := range res.Entities {
		var parts []string
		for _, st := range load.Statuses {
			if n := e.Counts[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", auditThousands(n), st))
			}
		}
		fmt.Fprintf(w, "  %-24s %8s  %s\n", e.Name, auditThousands(e.Total), strings.Join(parts, ", "))
	}
	var parts []string
	for _, st := range load.Statuses {
		if n := res.Counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", auditThousands(n), st))
		}
	}
	fmt.Fprintf(w, "  %-24s %8s  %s\n", "All", auditThousands(res.Total), strings.Join(parts, ", "))
	switch {
	case res.State == load.StatePaused || res.State == load.StateCancelled:
		fmt.Fprintf(w, "Go on with: ferry load %s --resume\n", file)
	case res.Counts[load.StatusFailed] > 0:
		fmt.Fprintf(w, "Send the failed ones again with: ferry load %s --retry-failed\n", file)
	}
}

// writeLoadResults writes the results file atomically: complete or not at all.
func writeLoadResults(ctx context.Context, p *project.Project, runID int64, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	tmp := path + ".writing"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := load.WriteResults(ctx, p, runID, f, format); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
