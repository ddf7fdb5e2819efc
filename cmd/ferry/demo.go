package main

import (
	"context"
	"errors"
	"io"

	"github.com/ferry-migrate/ferry/app/project"
)

// createDemo creates the demo practice project. (Wired to the importers once they land.)
func createDemo(ctx context.Context, path, actor string) (*project.Project, error) {
	return nil, errors.New("the demo practice is not available yet")
}

func printDemoTables(ctx context.Context, p *project.Project, out io.Writer) error { return nil }
