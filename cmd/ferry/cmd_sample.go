package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
)

func init() {
	register(&command{
		Name: "sample",
		Args: "FILE.ferry",
		Summary: "The 10% sample run: list the sample, add or remove records by hand, run it into a sandbox or the " +
			"live system, and clean it up again.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			list := fs.Bool("list", false, "list the sample (counts per entity and why each record is in) and stop")
			asJSON := fs.Bool("json", false, "with --list: print the selection as JSON")
			var add, remove multiFlag
			fs.Var(&add, "add", "add a record by hand: `ENTITY:KEY` (repeatable), e.g. --add Patient:1001")
			fs.Var(&remove, "remove", "take out a record added by hand: `ENTITY:KEY` (repeatable)")
			note := fs.String("note", "", "with --add: why the record is added, in your words")
			dest := fs.String("destination", "", "the destination `name` to run into (default: the sandbox, else the only one)")
			results := fs.String("results", "", "write every record's outcome to `file` (.csv or .xlsx)")
			cleanup := fs.Bool("cleanup", false, "delete from the destination exactly what the newest sample run created")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry sample FILE.ferry"); err != nil {
					return err
				}
				if err := resultsFile(*results); err != nil {
					return err
				}
				if *cleanup && (*list || len(add)+len(remove) > 0) {
					return usageError("--cleanup cleans up the newest sample run; use it on its own")
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name, ReadOnly: *list && len(add)+len(remove) == 0})
				if err != nil {
					return err
				}
				defer p.Close()
				warnStorage(p)
				for _, a := range add {
					entity, key, err := entityKey(a)
					if err != nil {
						return err
					}
					if err := sample.Add(ctx, p, entity, key, *note); err != nil {
						return err
					}
					fmt.Fprintf(out, "Added %s %s to the sample.\n", entity, key)
				}
				for _, r := range remove {
					entity, key, err := entityKey(r)
					if err != nil {
						return err
					}
					if err := sample.Remove(ctx, p, entity, key); err != nil {
						return err
					}
					fmt.Fprintf(out, "Took %s %s out of the records added by hand.\n", entity, key)
				}
				if *cleanup {
					return cleanUpSample(ctx, p, out)
				}
				if *list || len(add)+len(remove) > 0 {
					sel, err := sample.Select(ctx, p, sample.Options{})
					if err != nil {
						return err
					}
					if *asJSON {
						enc := json.NewEncoder(out)
						enc.SetIndent("", "  ")
						return enc.Encode(sel)
					}
					printSelection(out, sel)
					return nil
				}
				return runSample(ctx, p, *dest, *results, out)
			}
		},
	})
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// entityKey splits ENTITY:KEY (the key may hold colons itself).
func entityKey(s string) (string, string, error) {
	e, k, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(e) == "" || strings.TrimSpace(k) == "" {
		return "", "", usageError(fmt.Sprintf("%q: name a record as ENTITY:KEY, e.g. Patient:1001", s))
	}
	return strings.TrimSpace(e), strings.TrimSpace(k), nil
}

func printSelection(out io.Writer, sel *sample.Selection) {
	var records int64
	for _, c := range sel.Entities {
		records += c.Records
	}
	fmt.Fprintf(out, "Sample: %d of %d records (%.0f%% by the seeded hash of the legacy key, seed %q, plus the strata and parents)\n\n",
		sel.Total(), records, sel.Percent, sel.Seed)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "ENTITY\tRECORDS\tIN SAMPLE\tSHARE\t")
	for _, r := range sample.Reasons {
		fmt.Fprintf(tw, "%s\t", strings.ToUpper(string(r)))
	}
	fmt.Fprintln(tw)
	for _, c := range sel.Entities {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t", c.Entity, c.Records, c.Picked, c.Percent())
		for _, r := range sample.Reasons {
			fmt.Fprintf(tw, "%d\t", c.ByReason[r])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(out)
	gone := 0
	for _, st := range sel.Strata {
		switch {
		case st.Reason == sample.ReasonPicklist:
		case st.Key != "":
			fmt.Fprintf(out, "  %s %d → %s %s: %s\n", st.Reason, st.Ref, st.Entity, st.Key, oneLineText(st.Detail, 90))
		case strings.Contains(st.Note, "taken out"):
			gone++
		}
	}
	if gone > 0 {
		fmt.Fprintf(out, "  %d findings or operations stand for no record: their rows were all purged in Cleanse.\n", gone)
	}
	for _, n := range sel.Notes {
		fmt.Fprintln(out, "Note:", n)
	}
}

func oneLineText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// runSample sends the sample into the destination and reports per entity: accepted, rejected
// with the target's reason, error rate.
func runSample(ctx context.Context, p *project.Project, dest, results string, out io.Writer) error {
	if dest == "" {
		ds, err := load.Destinations(ctx, p)
		if err != nil {
			return err
		}
		var sandboxes, names []string
		for _, d := range ds {
			names = append(names, d.Name)
			if d.Role == "sandbox" {
				sandboxes = append(sandboxes, d.Name)
			}
		}
		switch {
		case len(sandboxes) == 1:
			dest = sandboxes[0]
		case len(ds) == 1:
			dest = ds[0].Name
		case len(ds) == 0:
			return fmt.Errorf("%s has no destination yet: set one up with ferry target %s --add NAME …", p.Name(), p.Path)
		default:
			return usageError("choose where the sample goes with --destination: " + strings.Join(names, ", "))
		}
	}
	sel, err := sample.Select(ctx, p, sample.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Sending the sample (%d records) to %s.\n", sel.Total(), dest)
	pr := &loadPrinter{out: out, every: 2 * time.Second}
	res, err := sample.Run(ctx, p, sample.RunOptions{Destination: dest, Selection: sel, Secret: destinationSecret, Progress: pr.progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Sample run %d to %s: %s.\n", res.RunID, dest, res.State)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ENTITY\tRECORDS\tACCEPTED\tREJECTED\tFAILED\tINVALID\tERROR RATE\t")
	for _, e := range res.Entities {
		ok := e.Counts[load.StatusCreated] + e.Counts[load.StatusExisting]
		bad := e.Counts[load.StatusRejected] + e.Counts[load.StatusFailed] + e.Counts[load.StatusInvalid]
		rate := 0.0
		if e.Total > 0 {
			rate = 100 * float64(bad) / float64(e.Total)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.1f%%\t\n", e.Name, e.Total, ok, e.Counts[load.StatusRejected],
			e.Counts[load.StatusFailed], e.Counts[load.StatusInvalid], rate)
	}
	tw.Flush()
	bad, err := load.Records(ctx, p, res.RunID, load.Filter{Statuses: []string{load.StatusRejected, load.StatusFailed, load.StatusInvalid}, Limit: 30})
	if err != nil {
		return err
	}
	for _, r := range bad {
		fmt.Fprintf(out, "  %s %s %s: %s\n", r.Status, r.Entity, r.LegacyKey, oneLineText(r.Error, 120))
	}
	if results != "" {
		if err := writeLoadResults(context.WithoutCancel(ctx), p, res.RunID, results); err != nil {
			return err
		}
		fmt.Fprintf(out, "Results written to %s\n", results)
	}
	_, _, reason := sample.Passing(ctx, p)
	fmt.Fprintln(out, reason)
	if !res.Complete() {
		return errLoadIncomplete
	}
	return nil
}

// cleanUpSample deletes exactly what the newest sample run created, and says what it could not.
func cleanUpSample(ctx context.Context, p *project.Project, out io.Writer) error {
	pr := &rollbackPrinter{out: out}
	res, err := sample.Cleanup(ctx, p, sample.CleanupOptions{Secret: destinationSecret, Progress: pr.progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Clean up of sample run %d in %s:\n", res.Parent, res.Window.Destination)
	printRollback(out, res)
	if res.State != load.StateDone || len(res.Problem) > 0 {
		return errRollbackIncomplete
	}
	return nil
}
