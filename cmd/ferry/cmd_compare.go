package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

func init() {
	register(&command{
		Name:    "compare",
		Args:    "FILE.ferry OLD NEW",
		Summary: "Compare the same day's report from the old and the new system and keep the result for the parallel run.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			key := fs.String("key", "", "match records by this `column` (default: the old file's first column)")
			day := fs.String("date", "", "the day the reports cover, `YYYY-MM-DD` (default: today)")
			name := fs.String("name", "", "what is compared, e.g. Appointments (default: the old file's name)")
			asJSON := fs.Bool("json", false, "print the comparison as JSON")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 3, 3, "a project file and the two reports: ferry compare FILE.ferry OLD NEW"); err != nil {
					return err
				}
				if *day != "" {
					if _, err := time.Parse("2006-01-02", *day); err != nil {
						return usageError(fmt.Sprintf("--date %q: write the day as YYYY-MM-DD", *day))
					}
				}
				who := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: who})
				if err != nil {
					return err
				}
				defer p.Close()
				entity := *name
				if entity == "" {
					entity = strings.TrimSuffix(filepath.Base(args[1]), filepath.Ext(args[1]))
				}
				r, err := compareFiles(ctx, compare.ReadFunc(readTable), args[1], args[2], compare.Options{Key: *key, Day: *day, Entity: entity})
				if err != nil {
					return err
				}
				if err := compare.Save(ctx, p, r); err != nil {
					return err
				}
				if *asJSON {
					if r.Differences == nil {
						r.Differences = []compare.Difference{}
					}
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(r)
				}
				printComparison(out, r)
				fmt.Fprintf(out, "\nSaved as comparison %d in %s.\n", r.ID, filepath.Base(p.Path))
				return nil
			}
		},
	})
}

// compareFiles reads both files, fingerprints them and compares their first tables.
func compareFiles(ctx context.Context, rd compare.TableReader, oldPath, newPath string, opts compare.Options) (*compare.Result, error) {
	var tables [2]compare.Table
	var sums [2]string
	for i, path := range []string{oldPath, newPath} {
		mt, err := rd.ReadTable(ctx, path)
		if err != nil {
			return nil, err
		}
		tables[i] = compare.FromStaging(mt)
		if sums[i], err = fsutil.SHA256(ctx, path); err != nil {
			return nil, err
		}
	}
	r, err := compare.Compare(tables[0], tables[1], opts)
	if err != nil {
		return nil, err
	}
	r.OldFile, r.OldSHA256 = filepath.Base(oldPath), sums[0]
	r.NewFile, r.NewSHA256 = filepath.Base(newPath), sums[1]
	return r, nil
}

// readTable reads the first table of a file with the importers, into memory only: the reports
// compared during the parallel run are not staged as sources.
func readTable(ctx context.Context, path string) (*staging.MemoryTable, error) {
	var sink staging.MemorySink
	if _, err := importers.Import(ctx, path, importers.Options{}, &sink, nil); err != nil {
		return nil, err
	}
	for _, t := range sink.Tables {
		if len(t.Rows) > 0 {
			return t, nil
		}
	}
	if len(sink.Tables) > 0 {
		return sink.Tables[0], nil
	}
	return nil, fmt.Errorf("%s has no table to compare", filepath.Base(path))
}

func printComparison(out io.Writer, r *compare.Result) {
	fmt.Fprintf(out, "%s on %s, records matched by %s\n", r.Entity, r.Day, r.KeyColumn)
	fmt.Fprintf(out, "  old: %s (%d rows)\n  new: %s (%d rows)\n\n", r.OldFile, r.OldRows, r.NewFile, r.NewRows)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Matched\t%d\n", r.Matched)
	fmt.Fprintf(tw, "Missing in the new system\t%d\n", r.MissingInNew)
	fmt.Fprintf(tw, "Only in the new system\t%d\n", r.MissingInOld)
	fmt.Fprintf(tw, "Changed\t%d\n", r.Changed)
	tw.Flush()
	if len(r.Sums) > 0 {
		fmt.Fprintln(out, "\nTotals")
		tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  COLUMN\tOLD\tNEW\tDIFFERENCE\t")
		for _, s := range r.Sums {
			mark := ""
			if !s.Equal() {
				mark = "  ≠"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\t\n", s.Column, s.Old, s.New, s.Difference, mark)
		}
		tw.Flush()
	}
	for _, n := range []struct {
		label string
		list  []string
	}{{"Columns only in the old file", r.Notes.OnlyInOld}, {"Columns only in the new file", r.Notes.OnlyInNew},
		{"Keys found more than once", r.Notes.DuplicateKeys}, {"Totals lines left out", r.Notes.TotalLines}} {
		if len(n.list) > 0 {
			fmt.Fprintf(out, "\n%s: %s\n", n.label, strings.Join(n.list, ", "))
		}
	}
	if r.Equal() {
		fmt.Fprintln(out, "\nThe two reports agree: same records, same values, same totals.")
		return
	}
	if len(r.Differences) == 0 {
		return
	}
	fmt.Fprintf(out, "\nDifferences (%d records)\n", r.Records())
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	for _, d := range r.Differences {
		switch d.Kind {
		case compare.MissingInNew:
			fmt.Fprintf(tw, "  missing in new\t%s\t%s\t(old line %d)\n", d.Key, d.Old, d.OldLine)
		case compare.MissingInOld:
			fmt.Fprintf(tw, "  only in new\t%s\t%s\t(new line %d)\n", d.Key, d.New, d.NewLine)
		default:
			fmt.Fprintf(tw, "  changed\t%s\t%s: %s → %s\t(lines %d/%d)\n", d.Key, d.Column, blankWord(d.Old), blankWord(d.New), d.OldLine, d.NewLine)
		}
	}
	tw.Flush()
}

func blankWord(s string) string {
	if s == "" {
		return "(blank)"
	}
	return s
}
