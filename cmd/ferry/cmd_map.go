package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/settings"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/importers"
)

// errMapValidation is returned (exit 1) when validation found errors: scripts notice, and the
// report has already been printed.
var errMapValidation = errors.New("validation found errors")

func init() {
	register(&command{
		Name:    "map",
		Args:    "FILE.ferry",
		Summary: "Map the staged tables onto the new system: choose the target, suggest, apply or export a template, validate (exit 1 on errors).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			suggest := fs.Bool("suggest", false, "suggest a mapping and apply the certain suggestions; list the rest for a person")
			apply := fs.String("apply", "", "apply a mapping template `file` (JSON) and report what did not fit")
			export := fs.String("export", "", "write the map as a template `file` (JSON) to reuse at the next client")
			validate := fs.Bool("validate", false, "freeze the target and validate every row; exit 1 if there are errors")
			asJSON := fs.Bool("json", false, "print JSON instead of text")
			targetName := fs.String("target", "", "the target `name` to map onto: a preset (fhir-r4, generic) or a target of the project; made active")
			templateFile := fs.String("template-file", "", "build the target's entity from the new vendor's import template `file` (XLSX or CSV)")
			entity := fs.String("entity", "", "the entity `name` a vendor template describes (default: the sheet or file name)")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry map FILE.ferry [--suggest | --apply T.json | --export T.json | --validate]"); err != nil {
					return err
				}
				actions := 0
				for _, on := range []bool{*suggest, *apply != "", *export != "", *validate} {
					if on {
						actions++
					}
				}
				if actions > 1 {
					return usageError("choose one of --suggest, --apply, --export, --validate")
				}
				if *entity != "" && *templateFile == "" {
					return usageError("--entity names the entity a vendor template describes: give --template-file too")
				}
				readOnly := (*export != "" || actions == 0) && *targetName == "" && *templateFile == ""
				p, err := project.Open(ctx, args[0], project.Options{Actor: settings.Load().UserName, ReadOnly: readOnly})
				if err != nil {
					return err
				}
				defer p.Close()
				c := &mapCmd{p: p, m: mapping.New(p), out: out, json: *asJSON}
				if *templateFile != "" {
					if err := c.vendorTarget(ctx, *templateFile, *entity, *targetName); err != nil {
						return err
					}
				} else if *targetName != "" {
					if err := c.chooseTarget(ctx, *targetName); err != nil {
						return err
					}
				}
				switch {
				case *suggest:
					return c.suggest(ctx)
				case *apply != "":
					return c.apply(ctx, *apply, *targetName != "" || *templateFile != "")
				case *export != "":
					return c.export(ctx, *export)
				case *validate:
					return c.validate(ctx)
				}
				return c.summary(ctx)
			}
		},
	})
}

type mapCmd struct {
	p    *project.Project
	m    *mapping.Mapper
	out  io.Writer
	json bool
}

func (c *mapCmd) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *mapCmd) note(format string, a ...any) {
	if !c.json {
		fmt.Fprintf(c.out, format+"\n", a...)
	}
}

// noMapTarget says what to do when the project has no target yet.
func noMapTarget(p *project.Project) error {
	names := targetPresetNames()
	return fmt.Errorf("%s has no target yet: choose one with --target (%s) or build one from the vendor's template with --template-file",
		p.Name(), strings.Join(names, ", "))
}

func targetPresetNames() []string {
	ps, _ := target.Presets()
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func (c *mapCmd) chooseTarget(ctx context.Context, name string) error {
	t, err := target.ByName(ctx, c.p, name)
	if errors.Is(err, target.ErrNoTarget) {
		t, err = target.FromPreset(ctx, c.p, name)
		if errors.Is(err, target.ErrNoPreset) {
			return fmt.Errorf("no target or preset named %q; the presets are %s", name, strings.Join(targetPresetNames(), ", "))
		}
		if err == nil {
			c.note("Target %s (%s) added from the built-in preset: %d entities.", t.Name, t.Title, len(t.Entities))
		}
	}
	if err != nil {
		return err
	}
	return target.SetActive(ctx, c.p, t.ID)
}

// vendorTarget reads a vendor's import template (every sheet, or the one named like the entity)
// and puts its entity into the target (default "vendor").
func (c *mapCmd) vendorTarget(ctx context.Context, path, entity, name string) error {
	sink := &staging.MemorySink{}
	if _, err := importers.Import(ctx, path, importers.Options{Header: "yes"}, sink, nil); err != nil {
		return fmt.Errorf("reading the vendor template %s: %w", filepath.Base(path), err)
	}
	tables := sink.Tables
	if entity != "" && len(tables) > 1 {
		var match []*staging.MemoryTable
		for _, t := range tables {
			if target.Fold(t.Spec.Name) == target.Fold(entity) || target.Fold(t.Spec.Source.Sheet) == target.Fold(entity) {
				match = append(match, t)
			}
		}
		if len(match) != 1 {
			var names []string
			for _, t := range tables {
				names = append(names, t.Spec.Name)
			}
			return usageError(fmt.Sprintf("%s has %d sheets (%s): name the sheet with --entity", filepath.Base(path), len(tables), strings.Join(names, ", ")))
		}
		tables = match
	}
	if len(tables) == 0 {
		return fmt.Errorf("the vendor template %s has no header row", filepath.Base(path))
	}
	if name == "" {
		name = "vendor"
	}
	t, err := target.ByName(ctx, c.p, name)
	if errors.Is(err, target.ErrNoTarget) {
		// a preset named with --target: the vendor's entity goes into a copy of it
		if pt, perr := target.FromPreset(ctx, c.p, name); perr == nil {
			t, err = pt, nil
		} else if !errors.Is(perr, target.ErrNoPreset) {
			return perr
		}
	}
	if err != nil && !errors.Is(err, target.ErrNoTarget) {
		return err
	}
	for _, mt := range tables {
		ename := entity
		if ename == "" || len(tables) > 1 {
			ename = mt.Spec.Name
			if mt.Spec.Source.Sheet != "" {
				ename = mt.Spec.Source.Sheet
			}
		}
		var hints [][]string
		for _, r := range mt.Rows {
			if !target.IsHintRow(r.Cells) {
				break
			}
			hints = append(hints, r.Cells)
		}
		e, notes, err := target.FromTemplate(ename, mt.Spec.Columns, hints)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		if t.ID == 0 {
			t, err = target.Create(ctx, c.p, "vendor:"+filepath.Base(path), target.Definition{Name: name,
				Title: "Vendor template", Description: "Built from the new system's import template " + filepath.Base(path),
				Entities: []target.Entity{e}})
		} else {
			t, err = target.PutEntity(ctx, c.p, t.ID, e)
		}
		if err != nil {
			return err
		}
		required := 0
		for _, f := range e.Fields {
			if f.Required {
				required++
			}
		}
		c.note("Entity %s from %s: %d fields (%d required, %d hint rows read).", e.Name, filepath.Base(path), len(e.Fields), required, len(hints))
		for _, n := range notes {
			c.note("  %s", n)
		}
	}
	def := t.Definition.Clone()
	if links := target.LinkReferences(&def); len(links) > 0 {
		if t, err = target.Update(ctx, c.p, t.ID, "link_references", map[string]any{"links": links}, func(d *target.Definition) error {
			*d = def
			return nil
		}); err != nil {
			return err
		}
		for _, l := range links {
			c.note("  %s", l)
		}
	}
	return target.SetActive(ctx, c.p, t.ID)
}

func (c *mapCmd) suggest(ctx context.Context) error {
	res, err := c.m.AcceptCertain(ctx)
	if errors.Is(err, target.ErrNoTarget) {
		return noMapTarget(c.p)
	}
	if err != nil {
		return err
	}
	rest, err := c.m.Suggest(ctx)
	if err != nil {
		return err
	}
	if c.json {
		if res.Applied == nil {
			res.Applied = []mapping.Proposal{}
		}
		if rest == nil {
			rest = []mapping.Proposal{}
		}
		return c.printJSON(map[string]any{"applied": res.Applied, "proposals": rest})
	}
	if len(res.Applied) == 0 {
		fmt.Fprintln(c.out, "No certain suggestions to apply.")
	} else {
		fmt.Fprintf(c.out, "Applied %s (certain: confidence %.0f%% or more; undo with the Map step's Undo):\n",
			mapPlural(len(res.Applied), "suggestion", "suggestions"), mapping.CertainThreshold*100)
		printMapProposals(c.out, res.Applied)
	}
	if len(rest) > 0 {
		fmt.Fprintf(c.out, "\nFor a person to decide (%d):\n", len(rest))
		printMapProposals(c.out, rest)
	}
	if err := c.printUnmappedValues(ctx); err != nil {
		return err
	}
	return c.printProblems(ctx)
}

// printUnmappedValues lists, per mapped pick-list field, the values no entry covers yet.
func (c *mapCmd) printUnmappedValues(ctx context.Context) error {
	ov, err := c.m.Overview(ctx)
	if err != nil {
		return err
	}
	first := true
	for _, e := range ov.Entities {
		for _, fm := range e.Map.Fields {
			f := e.Entity.Field(fm.Field)
			if f == nil || len(f.Allowed()) == 0 || len(fm.Sources) == 0 {
				continue
			}
			v, err := c.m.Values(ctx, e.Entity.Name, f.Name)
			if err != nil {
				return err
			}
			if v.Unmapped == 0 {
				continue
			}
			if first {
				fmt.Fprintln(c.out, "\nValues not mapped yet:")
				first = false
			}
			var vs []string
			for _, r := range v.Values {
				if r.To != "" {
					continue
				}
				if len(vs) == 8 {
					vs = append(vs, "…")
					break
				}
				vs = append(vs, fmt.Sprintf("%q (%d)", r.Value, r.Rows))
			}
			fmt.Fprintf(c.out, "  %s.%s: %d of %d values (%s): %s\n", e.Entity.Name, f.Name, v.Unmapped, len(v.Values),
				mapPlural(int(v.UnmappedRows), "row", "rows"), strings.Join(vs, ", "))
		}
	}
	return nil
}

func printMapProposals(w io.Writer, ps []mapping.Proposal) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	values := map[string]int{}
	for _, p := range ps {
		switch p.Kind {
		case mapping.ProposeSource:
			fmt.Fprintf(tw, "  %s\t← table %s\t%.0f%%\t%s\n", p.Entity, p.Table, p.Confidence*100, p.Reason)
		case mapping.ProposeField:
			fmt.Fprintf(tw, "  %s.%s\t← %s\t%.0f%%\t%s\n", p.Entity, p.Field, strings.Join(p.Sources, " + "), p.Confidence*100, p.Reason)
		case mapping.ProposeValue:
			if p.Certain {
				values[p.Entity+"."+p.Field]++
				continue
			}
			fmt.Fprintf(tw, "  %s.%s\t%q → %s\t%.0f%%\t%s (%s)\n", p.Entity, p.Field, p.Value, p.To, p.Confidence*100, p.Reason,
				mapPlural(int(p.Rows), "row", "rows"))
		}
	}
	tw.Flush()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s mapped\n", k, mapPlural(values[k], "value", "values"))
	}
}

func mapPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (c *mapCmd) printProblems(ctx context.Context) error {
	probs, err := c.m.Problems(ctx)
	if err != nil || len(probs) == 0 {
		return err
	}
	fmt.Fprintf(c.out, "\nStill to do in the map (%d):\n", len(probs))
	for _, pr := range probs {
		fmt.Fprintf(c.out, "  %s\n", pr.Message)
	}
	return nil
}

func (c *mapCmd) apply(ctx context.Context, path string, targetChosen bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the template: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, mapping.MaxTemplateSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("reading the template %s: %w", filepath.Base(path), err)
	}
	t, err := mapping.ReadTemplate(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if !targetChosen {
		if _, err := mapping.TargetFor(ctx, c.p, t); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(b)
	rep, err := c.m.ApplyTemplate(ctx, t, hex.EncodeToString(sum[:]))
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(rep)
	}
	fmt.Fprintf(c.out, "Applied %s to target %s: %s.\n", filepath.Base(path), rep.Target, mapPlural(len(rep.Applied), "mapping", "mappings"))
	if len(rep.Misfits) > 0 {
		fmt.Fprintf(c.out, "\nDid not fit (%d), left out:\n", len(rep.Misfits))
		for _, mf := range rep.Misfits {
			fmt.Fprintf(c.out, "  %-17s %s\n", mf.Kind, mf.Message)
		}
	}
	return c.printProblems(ctx)
}

func (c *mapCmd) export(ctx context.Context, path string) error {
	t, err := c.m.Export(ctx)
	if errors.Is(err, target.ErrNoTarget) {
		return noMapTarget(c.p)
	}
	if err != nil {
		return err
	}
	if err := writeMapFile(path, t.Marshal()); err != nil {
		return fmt.Errorf("writing the template: %w", err)
	}
	fields := 0
	for _, em := range t.Entities {
		fields += len(em.Fields)
	}
	if c.json {
		return c.printJSON(map[string]any{"file": path, "target": t.Target.Name, "entities": len(t.Entities), "fields": fields})
	}
	fmt.Fprintf(c.out, "Exported the map onto %s to %s: %s, %s.\n", t.Target.Name, path,
		mapPlural(len(t.Entities), "entity", "entities"), mapPlural(fields, "field", "fields"))
	return nil
}

// writeMapFile writes a file next to where it goes and renames it into place, so a failed
// write never leaves half a template.
func writeMapFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

func (c *mapCmd) validate(ctx context.Context) error {
	rep, err := c.m.Validate(ctx, nil)
	if errors.Is(err, target.ErrNoTarget) {
		return noMapTarget(c.p)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("validation cancelled; nothing was saved")
		}
		return err
	}
	if c.json {
		if err := c.printJSON(rep); err != nil {
			return err
		}
	} else {
		printMapReport(c.out, rep)
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%w: %s (run %d)", errMapValidation, mapPlural(int(rep.Errors), "error", "errors"), rep.RunID)
	}
	return nil
}

func printMapReport(w io.Writer, rep *mapping.Report) {
	fmt.Fprintf(w, "Validated target %s version %d (map revision %d): %s read, %s.\n\n", rep.Target, rep.TargetVersion,
		rep.MapRevision, mapPlural(int(rep.Rows), "row", "rows"), mapPlural(int(rep.Errors), "error", "errors"))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tTABLE\tROWS\tERRORS\tROWS WITH ERRORS")
	for _, e := range rep.Entities {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", e.Entity, e.Table, e.Rows, e.Errors, e.RowsWithErrors)
	}
	tw.Flush()
	if len(rep.Issues) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FIELD\tKIND\tCOUNT\tEXAMPLE")
		for _, is := range rep.Issues {
			ex := ""
			if len(is.Examples) > 0 {
				ex = fmt.Sprintf("line %d: %q", is.Examples[0].Line, is.Examples[0].Value)
			}
			fmt.Fprintf(tw, "%s.%s\t%s\t%d\t%s\n", is.Entity, is.Field, is.Kind, is.Count, ex)
		}
		tw.Flush()
		fmt.Fprintln(w)
		for _, is := range rep.Issues {
			fmt.Fprintf(w, "  %s\n", is.Message)
			if is.Kind == mapping.KindUnmappedValue || is.Kind == mapping.KindNotInList {
				var vs []string
				for i, v := range is.Values {
					if i == 10 {
						vs = append(vs, fmt.Sprintf("… %d more", len(is.Values)-10))
						break
					}
					vs = append(vs, fmt.Sprintf("%q (%d)", v.Value, v.Count))
				}
				fmt.Fprintf(w, "    %s\n", strings.Join(vs, ", "))
			}
		}
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintln(w, "\nProblems of the map:")
		for _, pr := range rep.Problems {
			fmt.Fprintf(w, "  %s\n", pr.Message)
		}
	}
	if rep.Errors == 0 {
		fmt.Fprintln(w, "\nNo errors: every mapped row fits the target.")
	}
}

func (c *mapCmd) summary(ctx context.Context) error {
	ov, err := c.m.Overview(ctx)
	if errors.Is(err, target.ErrNoTarget) {
		return noMapTarget(c.p)
	}
	if err != nil {
		return err
	}
	runs, err := target.Runs(ctx, c.p, 0, "")
	if err != nil {
		return err
	}
	if c.json {
		if runs == nil {
			runs = []target.Run{}
		}
		return c.printJSON(map[string]any{"overview": ov, "runs": runs})
	}
	t := ov.Target
	state := fmt.Sprintf("version %d", t.Version)
	switch {
	case t.Version == 0:
		state = "not frozen yet"
	case t.Changed:
		state += ", changed since"
	}
	fmt.Fprintf(c.out, "Target %s (%s), %s; map revision %d.\n\n", t.Name, t.Title, state, ov.Revision)
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tTABLE\tFIELDS MAPPED\tREQUIRED UNMAPPED")
	for _, e := range ov.Entities {
		table := e.Map.Table
		if table == "" {
			table = "-"
		}
		req := strings.Join(e.RequiredUnmapped, ", ")
		if e.Map.Table == "" {
			req = "(no data mapped)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d of %d\t%s\n", e.Entity.Name, table, e.Mapped, len(e.Entity.Fields), req)
	}
	tw.Flush()
	for _, tb := range ov.Tables {
		switch {
		case len(tb.UsedBy) == 0:
			fmt.Fprintf(c.out, "\nTable %s (%d rows) is not mapped to any entity.", tb.Name, tb.Rows)
		case len(tb.UnusedColumns) > 0:
			fmt.Fprintf(c.out, "\nColumns of %s no field reads: %s.", tb.Name, strings.Join(tb.UnusedColumns, ", "))
		}
	}
	fmt.Fprintln(c.out)
	if len(ov.Problems) > 0 {
		fmt.Fprintf(c.out, "\nStill to do in the map (%d):\n", len(ov.Problems))
		for _, pr := range ov.Problems {
			fmt.Fprintf(c.out, "  %s\n", pr.Message)
		}
	}
	if len(runs) > 0 {
		fmt.Fprintln(c.out, "\nRuns:")
		for i, r := range runs {
			if i == 10 {
				fmt.Fprintf(c.out, "  … %d more\n", len(runs)-10)
				break
			}
			fmt.Fprintf(c.out, "  #%d %s of %s version %d at %s by %s: %s, %d rows, %d errors\n", r.ID, r.Kind, r.TargetName,
				r.TargetVersion, r.FinishedAt, r.Actor, r.Status, r.Rows, r.Errors)
		}
	}
	return nil
}
