package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
)

func init() {
	register(&command{
		Name:    "trace",
		Args:    "FILE.ferry --table T --key K",
		Summary: "One legacy record's story: source line, cleanse changes, merge, mapped record, load attempts, new id, reconciliation.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			table := fs.String("table", "", "the staged `table` the record is in (ferry tables lists them)")
			key := fs.String("key", "", "the record's legacy `key` (row:N for a table without a key column)")
			asJSON := fs.Bool("json", false, "print the trace as JSON: {\"table\", \"key\", \"row\", \"line\", \"file\", \"values\", \"changes\", \"mapped\": [...]}")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry trace FILE.ferry --table T --key K"); err != nil {
					return err
				}
				if *table == "" || *key == "" {
					return usageError("--table and --key are both needed")
				}
				p, err := project.Open(ctx, args[0], project.Options{ReadOnly: true})
				if err != nil {
					return err
				}
				defer p.Close()
				tr, err := reconcile.TraceRecord(ctx, p, *table, *key)
				if err != nil {
					return err
				}
				if *asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(tr)
				}
				_, err = io.WriteString(out, tr.Text())
				return err
			}
		},
	})
}
