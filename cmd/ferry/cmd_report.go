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

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/report"
)

func init() {
	register(&command{
		Name:    "report",
		Args:    "FILE.ferry --out report.xlsx|report.pdf",
		Summary: "Write the reconciliation as an XLSX workbook or a PDF sign-off pack (--redact: without patient names and contact details).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			outPath := fs.String("out", "", "the `file` to write: .xlsx for the workbook, .pdf for the sign-off pack")
			redact := fs.Bool("redact", false, "replace patient names and contact details with [redacted]")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry report FILE.ferry --out report.pdf"); err != nil {
					return err
				}
				ext := strings.ToLower(filepath.Ext(*outPath))
				if *outPath == "" || (ext != ".xlsx" && ext != ".pdf") {
					return usageError("--out needs a file ending in .xlsx or .pdf")
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name})
				if err != nil {
					return err
				}
				defer p.Close()
				res, err := reconcile.Latest(ctx, p)
				if errors.Is(err, reconcile.ErrNoReconciliation) {
					fmt.Fprintf(os.Stderr, "Note: nothing reconciled is kept in %s; this report reconciles against the load's own records now (ferry reconcile %s --target-export FILE reads the new system back).\n", p.Name(), args[0])
					res, err = reconcile.Run(ctx, p, reconcile.Options{})
				}
				if err != nil {
					return err
				}
				sum, logged, err := report.Export(ctx, p, res, *outPath, report.Options{Redact: *redact})
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%s written: %s.\nSHA-256 %s", *outPath, res.Verdict, sum)
				if logged {
					fmt.Fprint(out, " (recorded in the custody log)")
				}
				fmt.Fprintln(out)
				return nil
			}
		},
	})
}
