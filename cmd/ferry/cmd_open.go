package main

import (
	"context"
	"flag"
	"io"
)

func init() {
	register(&command{
		Name:    "open",
		Args:    "FILE.ferry",
		Summary: "Open the Ferry window on a project (--view: read only, landing on the report).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			view := fs.Bool("view", false, "open for viewing only: nothing can be changed")
			return func(ctx context.Context, args []string, out io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry open FILE.ferry"); err != nil {
					return err
				}
				if code := startGUI(args[0], *view, out); code != 0 {
					return errExit(code)
				}
				return nil
			}
		},
	})
}

// errExit carries an exit code from the GUI.
type errExit int

func (e errExit) Error() string { return "the window closed with an error" }
