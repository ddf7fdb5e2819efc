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

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/parallel"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

func init() {
	register(&command{
		Name:    "checklist",
		Args:    "FILE.ferry",
		Summary: "Show the parallel run's checklist and what blocks go-live; export it with the comparisons to XLSX.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			fs.Bool("list", true, "list the checklist (the default)")
			asJSON := fs.Bool("json", false, "print the checklist and its summary as JSON")
			export := fs.String("export", "", "write the checklist, comparisons and differences to this `XLSX` file")
			load := fs.Bool("load", false, "load the checklist template for the plan's kind of practice if there is no checklist yet")
			tpl := fs.String("template", "", "add the template items for this `kind` of practice that are missing (dental, law …)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry checklist FILE.ferry"); err != nil {
					return err
				}
				if *export != "" && !strings.HasSuffix(strings.ToLower(*export), ".xlsx") {
					return usageError(fmt.Sprintf("--export writes an Excel workbook: name it %s.xlsx", *export))
				}
				if *tpl != "" {
					f, _ := plan.FieldByKey("practice_type")
					if !oneOf(f.Options, *tpl) {
						return usageError(fmt.Sprintf("--template: choose one of %s", strings.Join(f.Options, ", ")))
					}
				}
				writes := *load || *tpl != ""
				who := actorName(*actor)
				p, err := project.Open(ctx, args[0], project.Options{ReadOnly: !writes, Actor: who})
				if err != nil {
					return err
				}
				defer p.Close()
				if *load {
					if ok, err := checklist.EnsureTemplate(ctx, p); err != nil {
						return err
					} else if ok {
						fmt.Fprintln(out, "Loaded the checklist template.")
					}
				}
				if *tpl != "" {
					n, err := checklist.ApplyTemplate(ctx, p, *tpl)
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "Added %d items from the %s template.\n", n, *tpl)
				}
				if *export != "" {
					if err := parallel.ExportFile(ctx, p, *export); err != nil {
						return err
					}
					if !*asJSON {
						fmt.Fprintf(out, "Wrote %s\n", *export)
						return nil
					}
				}
				c, err := checklist.Load(ctx, p)
				if err != nil {
					return err
				}
				s := c.Summary(time.Now())
				if *asJSON {
					return printChecklistJSON(out, c, s)
				}
				if !c.Loaded() {
					fmt.Fprintf(out, "%s has no checklist yet. Open the Parallel run step, or run: ferry checklist --load %s\n", p.Name(), args[0])
					return nil
				}
				printChecklist(out, p.Name(), c, s)
				return nil
			}
		},
	})
}

func oneOf(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func printChecklistJSON(out io.Writer, c *checklist.Checklist, s checklist.Summary) error {
	type blocker struct {
		Item   int64  `json:"item"`
		Group  string `json:"group"`
		Title  string `json:"title"`
		Reason string `json:"reason"`
	}
	var bl []blocker
	for _, b := range s.Blockers {
		bl = append(bl, blocker{b.Item.ID, b.Group, b.Item.Title, b.Reason})
	}
	var overdue []int64
	for _, it := range s.Overdue {
		overdue = append(overdue, it.ID)
	}
	if c.Groups == nil {
		c.Groups = []*checklist.Group{}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"settings": c.Settings,
		"summary": map[string]any{"total": s.Total, "required": s.Required, "by_status": s.ByStatus, "closed": s.Closed,
			"started": s.Started, "days_elapsed": s.DaysElapsed, "time_box_days": s.TimeBox, "over_time_box": s.OverTimeBox,
			"ready_for_go_live": s.Ready(), "blockers": emptyIfNil(bl), "overdue": emptyIfNil(overdue), "evidence_files": s.Evidence},
		"groups": c.Groups,
	})
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var statusMarks = map[checklist.Status]string{checklist.Open: "[ ]", checklist.InProgress: "[~]", checklist.Done: "[x]",
	checklist.Blocked: "[!]", checklist.NotApplicable: "[-]"}

func printChecklist(out io.Writer, name string, c *checklist.Checklist, s checklist.Summary) {
	fmt.Fprintf(out, "%s — parallel run\n", name)
	if s.Started {
		fmt.Fprintf(out, "Started %s: %d days elapsed of a %d-day time box", s.Start, s.DaysElapsed, s.TimeBox)
		if s.OverTimeBox {
			fmt.Fprintf(out, " (%d days over)", s.DaysOver)
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintf(out, "Not started yet; time box %d days.\n", s.TimeBox)
	}
	var counts []string
	for _, st := range checklist.Statuses {
		if n := s.ByStatus[st]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, st))
		}
	}
	fmt.Fprintf(out, "%d items: %s. %d block go-live, %d overdue.\n", s.Total, strings.Join(counts, ", "), len(s.Blockers), len(s.Overdue))

	overdue := map[int64]bool{}
	for _, it := range s.Overdue {
		overdue[it.ID] = true
	}
	for _, g := range c.Groups {
		fmt.Fprintf(out, "\n%s\n", g.Name)
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		for _, it := range g.Items {
			due := it.Due
			if overdue[it.ID] {
				due += " (overdue)"
			}
			var state []string
			state = append(state, string(it.Status))
			if it.SignedBy != "" {
				state = append(state, "signed by "+it.SignedBy+" "+it.SignedAt.Local().Format("2 Jan 15:04"))
			} else if it.CheckedBy != "" {
				state = append(state, "checked by "+it.CheckedBy+" "+it.CheckedAt.Local().Format("2 Jan 15:04"))
			}
			if n := len(it.Evidence); n > 0 {
				state = append(state, countWord(n, "file"))
			}
			req := ""
			if it.Required {
				req = "*"
			}
			fmt.Fprintf(tw, "  %s %s%s\t%s\t%s\t%s\n", statusMarks[it.Status], it.Title, req, dashIfEmpty(it.Owner), dashIfEmpty(due), strings.Join(state, " · "))
		}
		tw.Flush()
	}
	if len(s.Blockers) > 0 {
		fmt.Fprintln(out, "\nBlocking go-live")
		for _, b := range s.Blockers {
			fmt.Fprintf(out, "  - %s / %s: %s\n", b.Group, b.Item.Title, b.Reason)
		}
	} else {
		fmt.Fprintln(out, "\nNothing blocks go-live.")
	}
	fmt.Fprintln(out, "\n* required before go-live")
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
