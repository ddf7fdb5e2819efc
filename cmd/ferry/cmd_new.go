package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func init() {
	register(&command{
		Name:    "new",
		Args:    "FILE.ferry",
		Summary: "Create a new project file (--demo: with the demo practice's exports imported).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			demo := fs.Bool("demo", false, "import the embedded demo practice (Harbour View Dental)")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			from := fs.String("from", "", "the old system's `NAME` (ferry presets lists those Ferry knows), recorded in the plan")
			to := fs.String("to", "", "the new system's `NAME`, recorded in the plan; a known one becomes the project's target")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file name: ferry new FILE.ferry"); err != nil {
					return err
				}
				path := args[0]
				if !strings.HasSuffix(strings.ToLower(path), project.Ext) {
					return usageError(fmt.Sprintf("project files end in %s: try %s%s", project.Ext, path, project.Ext))
				}
				name := actorName(*actor)
				var p *project.Project
				var err error
				if *demo {
					p, err = createDemo(ctx, path, name)
				} else {
					p, err = project.Create(ctx, path, project.Options{Actor: name})
				}
				if err != nil {
					return err
				}
				defer p.Close()
				fmt.Fprintf(out, "Created %s\n", p.Path)
				warnStorage(p)
				if err := recordSystems(ctx, p, *from, *to, out); err != nil { // cmd_presets_new.go
					return err
				}
				if *demo {
					tables, err := staging.NewStager(p).Tables(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "Imported the demo practice (Harbour View Dental):\n")
					for _, t := range tables {
						fmt.Fprintf(out, "  %-14s %7d rows\n", t.Name, t.Rows)
					}
				}
				return nil
			}
		},
	})
}
