package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

// issuesShown is how many issues per table the import prints; the rest are in the project.
const issuesShown = 5

func init() {
	register(&command{
		Name:    "import",
		Args:    "FILE.ferry SRC…",
		Summary: "Stage exports (CSV, TSV, XLSX, JSON, SQLite, DBF …) into a project, every value as it was.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			var opts importers.Options
			fs.StringVar(&opts.Table, "table", "", "stage into this table `name` (one source file only; default: the file name)")
			fs.StringVar(&opts.Encoding, "encoding", "", "read text files in this `encoding` (utf-8, utf-16le, windows-1252, latin-1, big5 …; default: detect)")
			fs.StringVar(&opts.Delimiter, "delimiter", "", "cell `delimiter` of text files: , ; tab | : (default: detect)")
			fs.StringVar(&opts.Sheet, "sheet", "", "import only this `sheet` of a workbook (default: every sheet)")
			fs.StringVar(&opts.Header, "header", "", "whether the first row is a header: yes or no (default: detect)")
			fs.IntVar(&opts.SkipLines, "skip-lines", 0, "skip this many `lines` above the header (-1: none; default: detect)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 2, -1, "a project file and at least one source: ferry import FILE.ferry SRC…"); err != nil {
					return err
				}
				if opts.Table != "" && len(args) > 2 {
					return usageError("--table names the table of one source file; import the files one by one")
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name})
				if err != nil {
					return err
				}
				defer p.Close()
				warnStorage(p)
				st := staging.NewStager(p)
				var failed []error
				imported := 0
				for _, src := range args[1:] {
					res, err := importers.ImportFile(ctx, p, src, opts, nil)
					if err != nil {
						if ctx.Err() != nil {
							return fmt.Errorf("import of %s cancelled; nothing of it was staged", filepath.Base(src))
						}
						fmt.Fprintf(out, "Not imported: %s\n", filepath.Base(src))
						failed = append(failed, withAdvice(err))
						continue
					}
					imported++
					printImport(ctx, out, st, res)
				}
				if imported > 0 {
					if err := printSuggestions(ctx, out, st); err != nil {
						return err
					}
				}
				return errors.Join(failed...)
			}
		},
	})
}

// withAdvice adds what to do next, when the staging package knows.
func withAdvice(err error) error {
	if a := staging.Advice(err); a != "" {
		return fmt.Errorf("%w\n  %s", err, a)
	}
	return err
}

func describeSource(s staging.SourceInfo) string {
	parts := []string{s.Format}
	if s.Encoding != "" {
		parts = append(parts, s.Encoding)
	}
	if s.Delimiter != "" {
		d, ok := map[string]string{",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon", " ": "space"}[s.Delimiter]
		if !ok {
			d = fmt.Sprintf("%q", s.Delimiter)
		}
		parts = append(parts, d+"-separated")
	}
	if s.Sheet != "" {
		parts = append(parts, "sheet "+s.Sheet)
	}
	if s.Format == "csv" {
		if s.HeaderRow {
			parts = append(parts, "header row")
		} else {
			parts = append(parts, "no header row")
		}
	}
	if s.SkippedLines > 0 {
		lines := "lines"
		if s.SkippedLines == 1 {
			lines = "line"
		}
		parts = append(parts, fmt.Sprintf("%d %s above the header skipped", s.SkippedLines, lines))
	}
	return strings.Join(parts, ", ")
}

func printImport(ctx context.Context, out io.Writer, st *staging.Stager, res staging.ImportResult) {
	for _, t := range res.Tables {
		fmt.Fprintf(out, "%s → %s (%s)\n", res.Source.FileName, t.Name, describeSource(t.Source))
		line := fmt.Sprintf("  %d rows, %d flagged, %d issues", t.Rows, t.FlaggedRows, t.Issues)
		if len(t.IssueKinds) > 0 {
			kinds := make([]string, 0, len(t.IssueKinds))
			for k, n := range t.IssueKinds {
				kinds = append(kinds, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
			}
			sort.Strings(kinds)
			line += " (" + strings.Join(kinds, ", ") + ")"
		}
		if t.Replaced {
			line += "; replaced the earlier import"
		}
		fmt.Fprintln(out, line)
		if t.Issues == 0 {
			continue
		}
		issues, err := st.Issues(ctx, t.Name, 0, issuesShown)
		if err != nil {
			continue
		}
		for _, i := range issues {
			fmt.Fprintf(out, "    %s: %s\n", where(i), i.Message)
		}
		if t.Issues > issuesShown {
			fmt.Fprintf(out, "    … and %d more: see Sources in the Ferry window\n", t.Issues-issuesShown)
		}
	}
}

// where says where an issue is: "line 12, column 3 (DOB)", or "the file".
func where(i staging.Issue) string {
	var parts []string
	if i.Sheet != "" {
		parts = append(parts, "sheet "+i.Sheet)
	}
	if i.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", i.Line))
	}
	if i.Column > 0 {
		c := fmt.Sprintf("column %d", i.Column)
		if i.ColumnName != "" {
			c += " (" + i.ColumnName + ")"
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		return "the file"
	}
	return strings.Join(parts, ", ")
}

func printSuggestions(ctx context.Context, out io.Writer, st *staging.Stager) error {
	sugg, err := st.SuggestRelationships(ctx)
	if err != nil {
		return err
	}
	if len(sugg) == 0 {
		return nil
	}
	fmt.Fprintln(out, "Relationships found:")
	for _, r := range sugg {
		state := "suggested"
		if r.Confirmed {
			state = "confirmed"
		}
		fmt.Fprintf(out, "  %s  %s, %s of %d values found\n", r, state, pct(r.Share), r.ChildRows)
	}
	return nil
}

func pct(f float64) string {
	if p := f * 100; p > 99 && p < 100 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", f*100)
}
