package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/ferry-migrate/ferry/app/demo"
)

func init() {
	register(&command{
		Name:    "generate",
		Args:    "--out DIR",
		Summary: "Write the Harbour View Dental demo practice: a legacy export with known, listed defects.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			patients := fs.Int("patients", demo.DefaultPatients, "number of patients (people); duplicates and test records come on top")
			dir := fs.String("out", "", "directory for the CSV files and manifest.json (created if missing)")
			seed := fs.Uint64("seed", demo.DefaultSeed, "random seed: the same seed and size give byte-identical files")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 0, 0, "no arguments: ferry generate --out DIR"); err != nil {
					return err
				}
				if *dir == "" {
					return usageError("--out DIR is required: where to write the demo practice")
				}
				if *patients < 1 || *patients > demo.MaxPatients {
					return usageError(fmt.Sprintf("--patients must be between 1 and %d", demo.MaxPatients))
				}
				if *seed == 0 {
					return usageError("--seed must be 1 or more")
				}
				m, err := demo.GenerateContext(ctx, *dir, demo.Config{Patients: *patients, Seed: *seed})
				if err != nil {
					return err
				}
				printGenerated(out, *dir, m)
				return nil
			}
		},
	})
}

func printGenerated(out io.Writer, dir string, m *demo.Manifest) {
	fmt.Fprintf(out, "Wrote %s (%d patients, seed %d) to %s\n\n", m.Practice, m.Patients, m.Seed, dir)
	for _, f := range m.Files {
		enc := f.Encoding
		if f.BOM {
			enc += " with BOM"
		}
		fmt.Fprintf(out, "  %-18s %9s rows  %s\n", f.Name, strconv.Itoa(f.Rows), enc)
	}
	fmt.Fprintf(out, "\nPlanted defects (all listed in %s):\n", demo.ManifestName)
	for _, d := range m.Defects {
		where := d.Table
		if d.Column != "" {
			where += "." + d.Column
		}
		fmt.Fprintf(out, "  %-18s %-24s %7d\n", d.Kind, where, d.Count)
	}
}
