// Package demotest makes the demo practice for tests: a fresh demo project, made ready to load
// by app/demoflow, closed when the test ends. Only tests import it.
package demotest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// Ready is a fresh demo project (actor Dana) after demoflow.Ready.
func Ready(t testing.TB) *project.Project {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Audited is a fresh demo project ("Harbour View.ferry", actor Dana) audited at
// demo.ReferenceDate before anything changes, as the wizard goes, then after demoflow.Ready.
func Audited(t testing.TB) *project.Project {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"},
		assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := audit.Run(ctx, p, audit.Options{ReferenceDate: demo.ReferenceDate}, nil); err != nil {
		t.Fatal(err)
	}
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}
