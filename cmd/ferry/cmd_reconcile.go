package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// errDifferences makes ferry reconcile exit 1 when it found differences (after printing them).
var errDifferences = errors.New("the new system differs from what was loaded")

func init() {
	register(&command{
		Name:    "reconcile",
		Args:    "FILE.ferry",
		Summary: "Prove that nothing was lost: counts, money totals and every record against the new system (exit 1 on differences).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			var exportsF, norms listFlag
			fs.Var(&exportsF, "target-export", "an export of the new system (CSV, XLSX …) to read its records back from; one `file` per kind of record (named like Patient.csv), repeatable")
			asJSON := fs.Bool("json", false, "print the result as JSON: {\"verdict\", \"records\", \"differences\", \"entities\": [...], \"sums\": [...], \"diffs\": [...]}")
			fs.Var(&norms, "normalise", "compare a field after these normalisations: `Entity.field=trim,case` (none, trim, space, case, digits, phone, number, date, datetime, bool); repeatable")
			idCol := fs.String("id-column", "", "the export's `column` with the new system's id (default: id, new_id or record_id)")
			reaudit := fs.Bool("audit", true, "audit the data again, for the report's before-and-after comparison")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			from := fs.String("from", "", "the `destination` whose loads are reconciled and, without --target-export, read back over its API (default: the destination of the newest load); its secret comes from the keyring or $"+secretEnv)
			api := fs.Bool("api", true, "without --target-export, read the new system's records back over its API; --api=false compares with the load's own records only")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry reconcile FILE.ferry [--target-export FILE]"); err != nil {
					return err
				}
				opts := reconcile.Options{IDColumn: *idCol, Normalise: map[string][]string{}}
				for _, n := range norms {
					field, list, ok := strings.Cut(n, "=")
					if !ok || !strings.Contains(field, ".") {
						return usageError(fmt.Sprintf("--normalise %q: write it as Entity.field=trim,case", n))
					}
					opts.Normalise[strings.TrimSpace(field)] = strings.Split(list, ",")
				}
				for _, path := range exportsF {
					exs, err := readExports(ctx, path)
					if err != nil {
						return err
					}
					opts.Exports = append(opts.Exports, exs...)
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name})
				if err != nil {
					return err
				}
				defer p.Close()
				warnStorage(p)
				if *reaudit {
					if _, err := audit.Run(ctx, p, audit.Options{}, nil); err != nil {
						return fmt.Errorf("auditing the data again: %w", err)
					}
				}
				if err := readBackFrom(ctx, p, &opts, *from, *api && len(exportsF) == 0); err != nil {
					return err
				}
				res, err := reconcile.Run(ctx, p, opts)
				if err != nil {
					if ctx.Err() != nil {
						return fmt.Errorf("reconciliation cancelled; nothing was saved")
					}
					return err
				}
				saveErr := reconcile.Save(ctx, p, res)
				if saveErr != nil && !errors.Is(saveErr, reconcile.ErrNoSchema) {
					return saveErr
				}
				if *asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					if err := enc.Encode(res); err != nil {
						return err
					}
				} else {
					printReconciliation(out, res)
				}
				if saveErr != nil {
					fmt.Fprintln(os.Stderr, "Note: not kept in the project:", saveErr)
				}
				if res.Differences > 0 {
					return fmt.Errorf("%w: %s", errDifferences, res.Verdict)
				}
				return nil
			}
		},
	})
}

// readBackFrom points the reconciliation at the named destination (default: the newest
// load's) and, when readBack, reads the new system back over its API. A files destination, or
// a project nothing was loaded from yet, is reconciled with the load's own records.
func readBackFrom(ctx context.Context, p *project.Project, opts *reconcile.Options, from string, readBack bool) error {
	var d load.Destination
	var err error
	if from != "" {
		if d, err = load.GetDestination(ctx, p, from); err != nil {
			return fmt.Errorf("--from %s: %w (ferry target %s --list shows the destinations)", from, err, p.Path)
		}
		opts.Destination = d.ID
	} else if readBack {
		d, err = load.LatestDestination(ctx, p)
		if errors.Is(err, load.ErrNoRun) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	if !readBack {
		return nil
	}
	if d.Kind == load.KindFiles {
		fmt.Fprintf(os.Stderr, "Note: %s writes import files, which cannot be read back over an API; give the new system's export with --target-export to compare every record.\n", d.Name)
		return nil
	}
	cl, err := load.OpenClient(ctx, p, d.Name, destinationSecret)
	if err != nil {
		return fmt.Errorf("reading the new system back from %s: %w (or give its export with --target-export, or --api=false)", d.Name, err)
	}
	opts.Reader, opts.Destination = cl, d.ID
	return nil
}

// readExports reads every table of an export file into memory (not staged: it is the new
// system's data, read back only to compare).
func readExports(ctx context.Context, path string) ([]reconcile.Export, error) {
	var sink staging.MemorySink
	if _, err := importers.Import(ctx, path, importers.Options{}, &sink, nil); err != nil {
		return nil, err
	}
	sum, err := fsutil.SHA256(ctx, path)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(path)
	var out []reconcile.Export
	for _, t := range sink.Tables {
		if len(t.Spec.Columns) == 0 {
			continue
		}
		ex := reconcile.Export{Name: base, SHA256: sum, Table: t}
		if len(sink.Tables) > 1 {
			ex.Name = base + ":" + t.Spec.Name
		}
		out = append(out, ex)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no table to read back", base)
	}
	return out, nil
}

func printReconciliation(out io.Writer, res *reconcile.Result) {
	fmt.Fprintf(out, "%s.\n", res.Verdict)
	src := "the load's own records (nothing read back from the new system)"
	switch res.Source {
	case reconcile.SourceExport:
		var names []string
		for _, s := range res.Sources {
			names = append(names, s.Name)
		}
		src = "the new system's export: " + strings.Join(names, ", ")
	case reconcile.SourceAPI:
		src = "the new system, over its API"
	}
	dest := res.Destination.Name
	if dest == "" {
		dest = "(nothing loaded yet)"
	}
	fmt.Fprintf(out, "Destination %s, load runs %v; checked against %s.\n\n", dest, res.Runs, src)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ENTITY\tIMPORTED\tPURGED\tMERGED\tINVALID\tLOADED\tREJECTED\tFAILED\tMISSING\tFOUND AS SENT\tCHANGED\tNOT FOUND\tDUPLICATES\tEXTRA\t")
	for _, e := range res.Entities {
		rb := func(n int64) string {
			if !e.ReadBack {
				return "-"
			}
			return auditThousands(n)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Entity, auditThousands(e.Imported), auditThousands(e.PurgedN),
			auditThousands(e.Merged), auditThousands(e.Invalid), auditThousands(e.Loaded), auditThousands(e.Rejected), auditThousands(e.Failed),
			auditThousands(e.Missing), rb(e.Matched), rb(e.Changed), rb(e.NotFound), rb(e.Duplicates), rb(e.Extra))
	}
	tw.Flush()
	for _, e := range res.Entities {
		for _, r := range e.Purged {
			fmt.Fprintf(out, "  %s purged: %s × %q\n", e.Entity, auditThousands(r.Rows), r.Reason)
		}
	}
	if len(res.Sums) > 0 {
		fmt.Fprintln(out, "\nMoney (exact):")
		tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  FIELD\tOLD DATA\tNEW SYSTEM\tDIFFERENCE\t")
		for _, s := range res.Sums {
			nw, d := s.New, s.Diff
			if nw == "" {
				nw, d = "-", "-"
			}
			fmt.Fprintf(tw, "  %s.%s\t%s\t%s\t%s\t\n", s.Entity, s.Field, s.Legacy, nw, d)
		}
		tw.Flush()
		for _, s := range res.Sums {
			for _, a := range s.Accounts {
				fmt.Fprintf(out, "  %s.%s for %s %s: old %s, new %s (%s)\n", s.Entity, s.Field, s.By, a.Account, a.Legacy, a.New, a.Diff)
			}
		}
	}
	if len(res.Diffs) > 0 {
		fmt.Fprintln(out, "\nDifferences:")
		for i, d := range res.Diffs {
			if i == 200 {
				fmt.Fprintf(out, "  … and %d more (--json lists them all; ferry report writes them to the workbook)\n", len(res.Diffs)-i)
				break
			}
			fmt.Fprintf(out, "  %s\n", diffLine(d))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(out, "\nNote: %s\n", n)
	}
}

func diffLine(d reconcile.Diff) string {
	who := d.Entity + " " + d.Key
	if d.Key == "" {
		who = d.Entity + " (no legacy key)"
	}
	if d.NewID != "" {
		who += " [" + d.NewID + "]"
	}
	switch d.Kind {
	case reconcile.KindChanged:
		return fmt.Sprintf("%-10s %s: %s sent %q, found %q", d.Kind, who, d.Field, d.Sent, d.Found)
	case reconcile.KindNotLoaded:
		return fmt.Sprintf("%-10s %s: %s", "not loaded", who, d.Detail)
	}
	return fmt.Sprintf("%-10s %s: %s", d.Kind, who, d.Detail)
}
