package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// createDemo creates the demo practice project: the embedded exports imported through the real
// importers, as the GUI's "Try the demo practice" and `ferry new --demo` both do.
//
// FERRY_DEMO_STAGE (cleanse, map or ready; not in --help, it is for scripts/screenshots.sh and
// for trying a later step quickly) then takes the fresh demo that far through the walkthrough
// with app/demoflow: the shipped cleanse recipe, plus the shipped FHIR R4 map, plus the
// decisions that leave no validation error. The audit runs first, as it would for a person.
func createDemo(ctx context.Context, path, actor string) (*project.Project, error) {
	stage := os.Getenv("FERRY_DEMO_STAGE")
	switch stage {
	case "", "cleanse", "map", "ready":
	default: // said before any file is made
		return nil, fmt.Errorf("FERRY_DEMO_STAGE=%q: use cleanse, map or ready (or leave it unset for a fresh demo)", stage)
	}
	p, err := demo.CreateProject(ctx, path, project.Options{Actor: actor}, assets.Demo, importers.Service{})
	if err != nil {
		return nil, err
	}
	if err := demoStage(ctx, p, stage); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func demoStage(ctx context.Context, p *project.Project, stage string) error {
	if stage == "" {
		return nil
	}
	if _, err := audit.Run(ctx, p, audit.Options{}, nil); err != nil {
		return fmt.Errorf("auditing the demo: %w", err)
	}
	switch stage {
	case "cleanse":
		return demoflow.Cleanse(ctx, p)
	case "map":
		if err := demoflow.Cleanse(ctx, p); err != nil {
			return err
		}
		return demoflow.Map(ctx, p)
	case "ready":
		return demoflow.Ready(ctx, p)
	}
	return nil
}
