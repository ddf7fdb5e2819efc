package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ferry-migrate/ferry/app/project"
)

func init() {
	register(&command{
		Name:    "verify",
		Args:    "FILE.ferry",
		Summary: "Check the project's custody log: say which event was altered, removed or inserted.",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry verify FILE.ferry"); err != nil {
					return err
				}
				p, err := project.Open(ctx, args[0], project.Options{ReadOnly: true})
				if err != nil {
					return err
				}
				defer p.Close()
				rep, err := p.Verify(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintln(out, rep.String())
				if !rep.OK {
					return fmt.Errorf("the custody log of %s has been tampered with or damaged", p.Name())
				}
				return nil
			}
		},
	})
}
