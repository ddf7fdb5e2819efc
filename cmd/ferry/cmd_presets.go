package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/presets"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

func init() {
	register(&command{
		Name:    "presets",
		Args:    "",
		Summary: "List the systems Ferry knows (source and target presets); check, add or export a preset file.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			asJSON := fs.Bool("json", false, "print the list as JSON")
			check := fs.String("check", "", "check a preset `FILE` (ferry-source/1 or ferry-target/1) and say what is wrong where")
			add := fs.String("add", "", "check a preset `FILE` and add it to your presets (in the settings folder)")
			export := fs.String("export", "", "print the preset with this `NAME` as JSON, to share it")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 0, 0, "no arguments: ferry presets [--json] [--check FILE] [--add FILE] [--export NAME]"); err != nil {
					return err
				}
				switch {
				case *check != "":
					b, err := os.ReadFile(*check)
					if err != nil {
						return err
					}
					var head struct {
						Format string `json:"format"`
					}
					_ = json.Unmarshal(b, &head)
					if head.Format == presets.SourceFormat {
						s, err := presets.ReadSourceFile(*check)
						if err != nil {
							return err
						}
						fmt.Fprintf(out, "%s: a valid source preset, %q (%s), %d tables\n", *check, s.Name, s.Title, len(s.Tables))
						return nil
					}
					d, err := presets.ReadTargetFile(*check)
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "%s: a valid target preset, %q (%s), %d entities\n", *check, d.Name, d.Title, len(d.Entities))
					return nil
				case *add != "":
					kind, name, err := presets.Install(*add)
					if err != nil {
						return err
					}
					dir, _ := presets.UserDir(kind + "s")
					fmt.Fprintf(out, "Added the %s preset %q (saved in %s)\n", kind, name, dir)
					return nil
				case *export != "":
					b, err := presets.Export(*export)
					if err != nil {
						return err
					}
					_, err = out.Write(b)
					return err
				}
				list, bad := presets.List()
				for _, err := range bad {
					fmt.Fprintf(os.Stderr, "ferry: a preset was left out: %v\n", err)
				}
				if *asJSON {
					if list == nil {
						list = []presets.Info{}
					}
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
				}
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KIND\tNAME\tTITLE\tTABLES\tLOAD\tFROM")
				for _, in := range list {
					route := in.Route
					if route == "" {
						route = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", in.Kind, in.Name, in.Title, in.Tables, route, in.Origin)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintln(out, strings.TrimSpace(`
Use a preset by name: ferry new FILE.ferry --from "Open Dental" --to Cliniko`))
				return nil
			}
		},
	})
}

// recordSystems records ferry new's --from and --to in the plan, by the preset's title when
// Ferry knows the system (as typed otherwise), and makes a known new system the project's target.
func recordSystems(ctx context.Context, p *project.Project, from, to string, out io.Writer) error {
	if from = strings.TrimSpace(from); from != "" {
		name := from
		if s, ok := presets.FindSource(from); ok {
			name = s.Title
			fmt.Fprintf(out, "Old system: %s (Ferry knows its tables and codes: the %s preset)\n", name, s.Name)
		} else {
			fmt.Fprintf(out, "Old system: %s (no preset by that name: ferry presets lists them; recorded as typed)\n", name)
		}
		if err := plan.Set(ctx, p, "legacy_system", name); err != nil {
			return err
		}
	}
	if to = strings.TrimSpace(to); to != "" {
		name := to
		if d, ok := presets.FindTarget(to); ok {
			name = d.Title
			var err error
			if _, perr := target.Preset(d.Name); perr == nil {
				_, err = target.FromPreset(ctx, p, d.Name)
			} else {
				_, err = target.Create(ctx, p, "preset:"+d.Name, d)
			}
			if err != nil {
				return err
			}
			route := ""
			if d.Load != nil {
				route = fmt.Sprintf("; load route %s", d.Load.Route)
			}
			fmt.Fprintf(out, "New system: %s (target %s added%s)\n", name, d.Name, route)
		} else {
			fmt.Fprintf(out, "New system: %s (no preset by that name: ferry presets lists them; recorded as typed)\n", name)
		}
		if err := plan.Set(ctx, p, "new_system", name); err != nil {
			return err
		}
	}
	return nil
}
