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

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/project"
)

// maxRecipeFile is the largest recipe the CLI reads (a recipe is steps, not data).
const maxRecipeFile = 256 << 20

func init() {
	register(&command{
		Name:    "cleanse",
		Args:    "FILE.ferry --list | --apply RECIPE.json | --undo | --redo | --export RECIPE.json",
		Summary: "List, replay, undo, redo and export the cleanse operations of a project.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			list := fs.Bool("list", false, "list the operations applied (and undone), with what each changed")
			applyFile := fs.String("apply", "", "replay the recipe in `file` on this project's tables (stops, changing nothing, if a column is missing)")
			undo := fs.Bool("undo", false, "undo the latest operation")
			redo := fs.Bool("redo", false, "redo the operation undone last")
			export := fs.String("export", "", "write the applied operations as a recipe to `file`")
			asJSON := fs.Bool("json", false, "with --list or --apply: print JSON")
			dryRun := fs.Bool("dry-run", false, "with --apply: run every step, show what it would change, then change nothing")
			all := fs.Bool("all", false, "with --undo: undo every operation")
			name := fs.String("name", "", "with --export: the recipe's `name` (default: the file's name)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry cleanse FILE.ferry --list"); err != nil {
					return err
				}
				n := 0
				for _, on := range []bool{*list, *applyFile != "", *undo, *redo, *export != ""} {
					if on {
						n++
					}
				}
				if n != 1 {
					return usageError("say what to do: one of --list, --apply RECIPE.json, --undo, --redo, --export RECIPE.json")
				}
				if *dryRun && *applyFile == "" {
					return usageError("--dry-run goes with --apply")
				}
				if *all && !*undo {
					return usageError("--all goes with --undo")
				}
				if *asJSON && !*list && *applyFile == "" {
					return usageError("--json goes with --list or --apply")
				}
				if *name != "" && *export == "" {
					return usageError("--name goes with --export")
				}
				who := actorName(*actor)
				var rc *cleanse.Recipe
				if *applyFile != "" {
					// the recipe is read before the project is opened: a bad one changes nothing
					var err error
					if rc, err = readRecipe(*applyFile); err != nil {
						return err
					}
				}
				// a dry run needs the writer: it runs the steps in a transaction it then rolls back
				p, err := project.Open(ctx, args[0], project.Options{Actor: who, ReadOnly: *list || *export != ""})
				if err != nil {
					return err
				}
				defer p.Close()
				switch {
				case *list:
					return cleanseList(ctx, p, out, *asJSON)
				case rc != nil:
					return cleanseApply(ctx, p, rc, out, *dryRun, *asJSON)
				case *undo:
					return cleanseUndo(ctx, p, out, *all)
				case *redo:
					res, err := cleanse.Redo(ctx, p, cleanse.Options{})
					if errors.Is(err, cleanse.ErrNothingRedo) {
						fmt.Fprintln(out, "Nothing to redo.")
						return nil
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "Redid operation %d: %s\n", res.OpID, describeOutcome(res.Outcome))
					printLeft(out, res.Left, "  ")
					return nil
				default:
					return cleanseExport(ctx, p, *export, *name, out)
				}
			}
		},
	})
}

func readRecipe(path string) (*cleanse.Recipe, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading the recipe: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("reading the recipe: %s is a folder", path)
	}
	if st.Size() > maxRecipeFile {
		return nil, fmt.Errorf("reading the recipe %s: %d MB is more than a recipe can be", filepath.Base(path), st.Size()>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the recipe: %w", err)
	}
	rc, err := cleanse.ParseRecipe(b)
	if err != nil {
		return nil, fmt.Errorf("reading the recipe %s: %w", filepath.Base(path), err)
	}
	if rc.Name == "" {
		rc.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return rc, nil
}

func cleanseList(ctx context.Context, p *project.Project, out io.Writer, asJSON bool) error {
	ops, err := cleanse.History(ctx, p)
	if err != nil {
		return err
	}
	sum, err := cleanse.Summarise(ctx, p)
	if err != nil {
		return err
	}
	if asJSON {
		if ops == nil {
			ops = []cleanse.Op{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"summary": sum, "operations": ops})
	}
	if len(ops) == 0 {
		fmt.Fprintf(out, "%s has no cleanse operations yet.\n", p.Name())
		return nil
	}
	fmt.Fprintf(out, "%s: %s applied", p.Name(), auditCount(int(sum.Ops), "operation"))
	if sum.Undone > 0 {
		fmt.Fprintf(out, " (%d undone, can be redone)", sum.Undone)
	}
	fmt.Fprintf(out, "; %s changed", auditCount(int(sum.Cells), "cell"))
	if sum.Purged > 0 {
		fmt.Fprintf(out, ", %s purged", auditCount(int(sum.Purged), "row"))
	}
	if sum.Merged > 0 {
		fmt.Fprintf(out, ", %s merged", auditCount(int(sum.Merged), "row"))
	}
	fmt.Fprintln(out, ".")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTATE\tOPERATION\tTABLE\tCOLUMNS\tCELLS\tREMOVED\tBY\tAT")
	for _, o := range ops {
		state := o.State
		if o.Stale {
			state += " (table re-imported)"
		}
		cols := strings.Join(o.Step.TargetColumns(), ", ")
		if len(o.Added) > 0 {
			cols += " → " + strings.Join(o.Added, ", ")
		}
		if cols == "" {
			cols = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, state, o.Op, o.Table, cols, auditThousands(o.Cells),
			auditThousands(o.Removed), o.AppliedBy, o.AppliedAt)
	}
	tw.Flush()
	for _, o := range ops {
		if o.State == cleanse.Applied && len(o.Left) > 0 {
			fmt.Fprintf(out, "\nOperation %d (%s on %s) left alone:\n", o.ID, o.Op, o.Table)
			printLeft(out, o.Left, "  ")
		}
	}
	return nil
}

func describeOutcome(o cleanse.Outcome) string {
	where := o.Table
	if cols := o.Step.TargetColumns(); len(cols) > 0 {
		where += "." + strings.Join(cols, ", ")
	}
	var parts []string
	if o.Cells > 0 || o.Removed == 0 {
		parts = append(parts, fmt.Sprintf("%s changed in %s", auditCount(int(o.Cells), "cell"), auditCount(int(o.Rows), "row")))
	}
	if o.Removed > 0 {
		verb := "purged"
		if o.Step.Op == cleanse.OpMergeDuplicates {
			verb = "merged into their survivors"
		}
		parts = append(parts, fmt.Sprintf("%s %s", auditCount(int(o.Removed), "row"), verb))
	}
	s := o.Step.Op + " on " + where + ": " + strings.Join(parts, ", ")
	if len(o.Added) > 0 {
		s += ", new " + plural(len(o.Added), "column", "columns") + " " + strings.Join(o.Added, ", ")
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// printLeft lists what an operation did not change, with a few of the values.
func printLeft(out io.Writer, left []cleanse.Left, indent string) {
	for _, l := range left {
		where := ""
		if l.Column != "" {
			where = " in " + l.Column
		}
		var vals []string
		for i, v := range l.Values {
			if i == 5 {
				vals = append(vals, fmt.Sprintf("and %d more", len(l.Values)-5))
				break
			}
			vals = append(vals, fmt.Sprintf("%q (%d)", v.Value, v.Count))
		}
		fmt.Fprintf(out, "%s%s%s: %s", indent, auditThousands(l.Count), where, l.Message)
		if len(vals) > 0 {
			fmt.Fprintf(out, ": %s", strings.Join(vals, ", "))
		}
		fmt.Fprintln(out)
	}
}

func cleanseApply(ctx context.Context, p *project.Project, rc *cleanse.Recipe, out io.Writer, dry, asJSON bool) error {
	res, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{DryRun: dry})
	var mm *cleanse.MismatchError
	if errors.As(err, &mm) && asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("replay cancelled; nothing was changed")
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if dry {
		fmt.Fprintf(out, "Dry run of %s on %s: nothing was changed. The %d steps would do this:\n", res.Recipe, p.Name(), len(res.Steps))
	} else {
		fmt.Fprintf(out, "Replayed %s on %s: %d steps, each an operation you can undo.\n", res.Recipe, p.Name(), len(res.Steps))
	}
	for i, r := range res.Steps {
		id := ""
		if r.OpID != 0 {
			id = fmt.Sprintf(" (operation %d)", r.OpID)
		}
		fmt.Fprintf(out, "%3d. %s%s\n", i+1, describeOutcome(r.Outcome), id)
		printLeft(out, r.Left, "       ")
	}
	if res.Check != nil && len(res.Check.Notes) > 0 {
		fmt.Fprintln(out, "\nNotes:")
		for _, n := range res.Check.Notes {
			fmt.Fprintln(out, "  "+n)
		}
	}
	return nil
}

func cleanseUndo(ctx context.Context, p *project.Project, out io.Writer, all bool) error {
	n := 0
	for {
		op, err := cleanse.Undo(ctx, p)
		if errors.Is(err, cleanse.ErrNothingUndo) {
			if n == 0 {
				fmt.Fprintln(out, "Nothing to undo.")
			}
			return nil
		}
		if err != nil {
			return err
		}
		n++
		var parts []string
		if op.Cells > 0 || op.Removed == 0 {
			parts = append(parts, auditCount(int(op.Cells), "cell")+" restored")
		}
		if op.Removed > 0 {
			parts = append(parts, auditCount(int(op.Removed), "row")+" put back")
		}
		if len(op.Added) > 0 {
			parts = append(parts, "new "+plural(len(op.Added), "column", "columns")+" "+strings.Join(op.Added, ", ")+" removed")
		}
		what := strings.Join(parts, ", ")
		if op.Stale {
			what = "its table was imported again since, so no data changed"
		}
		fmt.Fprintf(out, "Undid operation %d (%s on %s): %s.\n", op.ID, op.Op, op.Table, what)
		if !all {
			return nil
		}
	}
}

func cleanseExport(ctx context.Context, p *project.Project, path, name string, out io.Writer) error {
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	rc, err := cleanse.Export(ctx, p, name)
	if err != nil {
		return err
	}
	if len(rc.Steps) == 0 {
		return fmt.Errorf("%s has no applied cleanse operations: there is nothing to export", p.Name())
	}
	b, err := rc.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".writing"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	fmt.Fprintf(out, "Wrote %s: %d steps on %d %s. Replay it with: ferry cleanse OTHER.ferry --apply %s\n", path, len(rc.Steps),
		len(rc.Tables), plural(len(rc.Tables), "table", "tables"), path)
	return nil
}
