package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-migrate/ferry/app/delta"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/importers"
)

// loadDelta is `ferry load FILE.ferry --delta SRC…`: the fresh export SRC… is compared with
// the staged data (by legacy key, the cleanse recipe replayed on it), the new, changed and
// deleted records are shown per entity with the Plan's data freeze, and only those are
// loaded: new ones created, changed ones updated through the crosswalk, deleted ones deleted
// only with --delete (confirmed), otherwise reported.
func loadDelta(ctx context.Context, p *project.Project, dest string, sources []string, deletes bool, w io.Writer, progress func(load.Progress)) error {
	opts := delta.Options{Importer: importers.Service{}}
	d, err := delta.Compare(ctx, p, sources, opts)
	if err != nil {
		return err
	}
	printDiff(w, d)
	created, changed, deleted := d.Total()
	if created+changed+deleted == 0 {
		fmt.Fprintln(w, "Nothing changed in the old system since the load: nothing to send.")
		return nil
	}
	if deleted > 0 && !deletes {
		fmt.Fprintf(w, "%d deleted records are only reported; add --delete to delete them in the new system too.\n", deleted)
	}
	res, err := delta.Load(ctx, p, d, delta.LoadOptions{Options: opts, Destination: dest, Deletes: deletes,
		Secret: destinationSecret, Progress: progress})
	if err != nil {
		return err
	}
	var parts []string
	for _, st := range []string{load.StatusCreated, load.StatusUpdated, load.StatusDeleted, load.StatusExisting,
		load.StatusRejected, load.StatusFailed, load.StatusInvalid} {
		if n := res.Counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", auditThousands(n), st))
		}
	}
	fmt.Fprintf(w, "Delta run %d to %s: %s.\n", res.Run.RunID, dest, strings.Join(parts, ", "))
	for i, r := range res.Problems {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more\n", len(res.Problems)-20)
			break
		}
		fmt.Fprintf(w, "  not loaded: %s %s: %s %s\n", r.Entity, r.LegacyKey, r.Status, r.Error)
	}
	if !res.Complete() {
		return errLoadIncomplete
	}
	return nil
}

// printDiff shows the delta per entity: counts, then each record with what changed; changes
// made after the Plan's data freeze are marked.
func printDiff(w io.Writer, d *delta.Diff) {
	freeze := "the Plan has no data freeze date"
	if d.Freeze != "" {
		freeze = "data freeze " + d.Freeze + "; * = changed after it"
	}
	fmt.Fprintf(w, "Delta of the fresh export against the staged data (%s):\n", freeze)
	for _, e := range d.Entities {
		if e.New+e.Changed+e.Deleted == 0 {
			continue
		}
		mod := ""
		if e.ModifiedColumn != "" {
			mod = fmt.Sprintf(" (modified date: %s; %d after the freeze)", e.ModifiedColumn, e.AfterFreeze)
		}
		fmt.Fprintf(w, "  %s: %d new, %d changed, %d deleted, %d unchanged%s\n", e.Entity, e.New, e.Changed, e.Deleted, e.Unchanged, mod)
		for i, c := range e.Changes {
			if i == 30 {
				fmt.Fprintf(w, "    … and %d more\n", len(e.Changes)-30)
				break
			}
			mark := " "
			if c.AfterFreeze {
				mark = "*"
			}
			what := ""
			if c.Kind == delta.KindChanged {
				what = ": " + strings.Join(c.Columns, ", ")
			}
			fmt.Fprintf(w, "   %s %-7s %s%s\n", mark, c.Kind, c.Key, what)
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintln(w, "Note:", n)
	}
}
