package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func init() {
	register(&command{
		Name:    "tables",
		Args:    "FILE.ferry",
		Summary: "List the staged tables of a project with their row counts, sources and relationships.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			asJSON := fs.Bool("json", false, "print JSON: {\"tables\": [...], \"relationships\": [...]}")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry tables FILE.ferry"); err != nil {
					return err
				}
				p, err := project.Open(ctx, args[0], project.Options{ReadOnly: true})
				if err != nil {
					return err
				}
				defer p.Close()
				st := staging.NewStager(p)
				tables, err := st.Tables(ctx)
				if err != nil {
					return err
				}
				rels, err := st.Relationships(ctx)
				if err != nil {
					return err
				}
				if *asJSON {
					if tables == nil {
						tables = []staging.TableInfo{}
					}
					if rels == nil {
						rels = []staging.Relationship{}
					}
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(map[string]any{"tables": tables, "relationships": rels})
				}
				if len(tables) == 0 {
					fmt.Fprintf(out, "%s has no staged tables yet: ferry import %s SRC…\n", p.Name(), args[0])
					return nil
				}
				tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "TABLE\tROWS\tFLAGGED\tISSUES\t")
				for _, t := range tables {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", t.Name, t.Rows, t.FlaggedRows, t.Issues)
				}
				tw.Flush()
				fmt.Fprintln(out)
				tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "TABLE\tKEY\tSOURCE\tIMPORTED")
				for _, t := range tables {
					key := t.KeyColumn
					if key == "" {
						key = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s by %s\n", t.Name, key, t.Source.FileName, describeSource(t.Source), t.ImportedAt, t.ImportedBy)
				}
				tw.Flush()
				if len(rels) > 0 {
					fmt.Fprintln(out, "\nRelationships:")
					for _, r := range rels {
						state := r.Origin
						if r.Confirmed {
							state += ", confirmed"
						}
						if r.ChildRows > 0 {
							state += fmt.Sprintf(", %s of %d values found", pct(r.Share), r.ChildRows)
						}
						fmt.Fprintf(out, "  %s  (%s)\n", r, state)
					}
				}
				return nil
			}
		},
	})
}
