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
	"time"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func init() {
	register(&command{
		Name:    "audit",
		Args:    "FILE.ferry",
		Summary: "Profile every staged table and list what needs fixing: duplicates, orphans, mixed-up dates, bad values.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			asJSON := fs.Bool("json", false, "print the report as JSON: {\"tables\": [{\"name\", \"rows\", \"columns\": [...]}], \"findings\": [...]}")
			xlsx := fs.String("xlsx", "", "also write the report as an XLSX workbook to `file`")
			last := fs.Bool("last", false, "show the last audit instead of running a new one")
			region := fs.String("region", "", "check phone numbers and postcodes for this `country` (US, CA, GB, IE, AU, NZ; default: the Plan's)")
			today := fs.String("today", "", "the reference `date` (YYYY-MM-DD) for impossible dates (default: today)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry audit FILE.ferry"); err != nil {
					return err
				}
				opts := audit.Options{Region: *region}
				if *today != "" {
					d, err := time.Parse("2006-01-02", *today)
					if err != nil {
						return usageError(fmt.Sprintf("--today %q: write the date as YYYY-MM-DD", *today))
					}
					opts.ReferenceDate = d
				}
				name := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{Actor: name, ReadOnly: *last})
				if err != nil {
					return err
				}
				defer p.Close()
				var rep *audit.Report
				if *last {
					rep, err = audit.Latest(ctx, p)
					if errors.Is(err, audit.ErrNoRun) {
						return fmt.Errorf("%s has not been audited yet: run ferry audit %s", p.Name(), args[0])
					}
				} else {
					rep, err = audit.Run(ctx, p, opts, nil)
					if err != nil && ctx.Err() != nil {
						return fmt.Errorf("audit cancelled; nothing was saved")
					}
				}
				if err != nil {
					return err
				}
				if *xlsx != "" {
					if err := writeAuditXLSX(rep, *xlsx); err != nil {
						return err
					}
				}
				if *asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				unchecked := 0
				if rels, err := staging.NewStager(p).Relationships(ctx); err == nil {
					for _, r := range rels {
						if !r.Confirmed {
							unchecked++
						}
					}
				}
				printAudit(out, p.Name(), rep, unchecked)
				if *xlsx != "" {
					fmt.Fprintf(out, "\nWorkbook written to %s\n", *xlsx)
				}
				return nil
			}
		},
	})
}

// writeAuditXLSX writes the workbook atomically: complete or not at all.
func writeAuditXLSX(rep *audit.Report, path string) error {
	tmp := path + ".writing"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := audit.WriteXLSX(rep, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return nil
}

func printAudit(out io.Writer, name string, rep *audit.Report, unchecked int) {
	var rows int64
	for _, t := range rep.Tables {
		rows += t.Rows
	}
	s := rep.Summary
	fmt.Fprintf(out, "Audit of %s: %d tables, %s rows, %s (%s, %s, %d for information).\n", name, len(rep.Tables),
		auditThousands(rows), auditCount(s.Findings, "finding"), auditCount(s.Errors, "error"), auditCount(s.Warnings, "warning"), s.Infos)
	if len(rep.Tables) == 0 {
		fmt.Fprintf(out, "Nothing is staged yet: ferry import %s.ferry SRC…\n", name)
		return
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tROWS\tCOLUMNS\tERRORS\tWARNINGS\tINFO\t")
	for _, t := range rep.Tables {
		n := map[string]int{}
		for _, f := range rep.Findings {
			if f.Table == t.Name {
				n[f.Severity]++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", t.Name, auditThousands(t.Rows), len(t.Columns), n[audit.Error], n[audit.Warning], n[audit.Info])
	}
	tw.Flush()
	for _, sev := range []string{audit.Error, audit.Warning, audit.Info} {
		first := true
		for _, f := range rep.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(out, "\n%s:\n", map[string]string{audit.Error: "Errors", audit.Warning: "Warnings", audit.Info: "For information"}[sev])
				first = false
			}
			where := f.Table
			if f.Column != "" {
				where += "." + f.Column
			}
			fmt.Fprintf(out, "  %-34s %-18s %8s  %s\n", where, f.Kind, auditThousands(f.Count), f.Message)
		}
	}
	if len(rep.Totals.Money) > 0 {
		fmt.Fprintln(out, "\nMoney totals (exact):")
		for _, m := range rep.Totals.Money {
			line := fmt.Sprintf("  %-34s %14s  from %s", m.Table+"."+m.Column, m.Sum, auditCount(int(m.Parsed), "amount"))
			if m.NonNumeric > 0 {
				line += fmt.Sprintf("; %s not amounts", auditCount(int(m.NonNumeric), "value"))
			}
			fmt.Fprintln(out, line)
		}
	}
	if unchecked > 0 {
		fmt.Fprintf(out, "\n%s suggested but not confirmed: not checked for orphans. Confirm them in the Sources step.\n",
			auditCount(unchecked, "relationship"))
	}
}

func auditCount(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return auditThousands(int64(n)) + " " + what + "s"
}

func auditThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
