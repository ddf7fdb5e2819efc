package main

import (
	"context"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// createDemo creates the demo practice project: the embedded exports imported through the real
// importers, as the GUI's "Try the demo practice" and `ferry new --demo` both do.
func createDemo(ctx context.Context, path, actor string) (*project.Project, error) {
	return demo.CreateProject(ctx, path, project.Options{Actor: actor}, assets.Demo, importers.Service{})
}
