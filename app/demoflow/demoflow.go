// Package demoflow takes the demo practice (app/demo) through the wizard as a person following
// the README's walkthrough would: the shipped cleanse recipe, the shipped FHIR R4 mapping
// template, then the decisions a person makes from validation's drill-down (unusable phone
// numbers, e-mail addresses and amounts blanked; records of patients the export does not have
// purged). The load, sample, reconcile and whole-wizard tests start from its result, and the
// screenshot script's FERRY_DEMO_STAGE (cmd/ferry/demo.go) uses it.
package demoflow

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
)

// Cleanse replays the shipped demo recipe (assets/recipes/demo-cleanse.json).
func Cleanse(ctx context.Context, p *project.Project) error {
	b, err := assets.Recipes.ReadFile("recipes/demo-cleanse.json")
	if err != nil {
		return err
	}
	rc, err := cleanse.ParseRecipe(b)
	if err != nil {
		return err
	}
	_, err = cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{})
	return err
}

// Map applies the shipped demo mapping (assets/maps/demo-fhir-r4.json), creating the FHIR R4
// target when the project has none by that name, and reports what did not fit as an error.
func Map(ctx context.Context, p *project.Project) error {
	f, err := assets.Maps.Open("maps/demo-fhir-r4.json")
	if err != nil {
		return err
	}
	defer f.Close()
	tpl, err := mapping.ReadTemplate(f)
	if err != nil {
		return err
	}
	if _, err := mapping.TargetFor(ctx, p, tpl); err != nil {
		return err
	}
	rep, err := mapping.New(p).ApplyTemplate(ctx, tpl, "demo-fhir-r4.json")
	if err != nil {
		return err
	}
	if len(rep.Misfits) > 0 {
		return fmt.Errorf("the demo mapping does not fit this project: %d misfits, first: %+v", len(rep.Misfits), rep.Misfits[0])
	}
	return nil
}

// Decide validates the map and applies, through the Cleanse step, what a person decides about
// each remaining issue; it returns the validation after the decisions.
func Decide(ctx context.Context, p *project.Project) (*mapping.Report, error) {
	m := mapping.New(p)
	rep, err := m.Validate(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := Apply(ctx, p, rep); err != nil {
		return nil, err
	}
	return m.Validate(ctx, nil)
}

// Apply makes the decisions about each issue of a validation report (see Decide).
func Apply(ctx context.Context, p *project.Project, rep *mapping.Report) error {
	m := mapping.New(p)
	table := map[string]string{"Patient": "patients", "Appointment": "appointments", "Invoice": "invoices", "PaymentReconciliation": "payments"}
	column := map[string]string{"telecom.phone": "Phone", "telecom.email": "Email", "totalGross": "Amount"}
	for _, is := range rep.Issues {
		rows, err := m.IssueRows(ctx, is.ID, 0, 0)
		if err != nil {
			return err
		}
		var step cleanse.Step
		switch {
		case is.Kind == mapping.KindBadPhone || is.Kind == mapping.KindBadEmail || (is.Kind == mapping.KindBadNumber && is.Entity == "Invoice"):
			step = cleanse.Step{Op: cleanse.OpSetBlank, Table: table[is.Entity], Column: column[is.Field], Note: "not usable; the practice will ask"}
			for _, v := range is.Values {
				step.Values = append(step.Values, v.Value)
			}
		case is.Kind == mapping.KindRefNotFound || is.Kind == mapping.KindBadNumber:
			step = cleanse.Step{Op: cleanse.OpPurge, Table: table[is.Entity], Reason: "reviewed: " + is.Kind + ", not migrated"}
			for _, r := range rows {
				step.Records = append(step.Records, cleanse.RowRef{Row: r.Row})
			}
		default:
			return fmt.Errorf("no decision for %s: %s", is.Kind, is.Message)
		}
		if step.Table == "" {
			return fmt.Errorf("no decision for %s in %s", is.Kind, is.Entity)
		}
		if _, err := cleanse.Apply(ctx, p, step, cleanse.Options{}); err != nil {
			return fmt.Errorf("%s: %w", is.Message, err)
		}
	}
	return nil
}

// Ready takes a freshly created demo project through Cleanse, Map and the decisions, and
// checks that validation then finds no error: the project is ready to load.
func Ready(ctx context.Context, p *project.Project) error {
	if err := Cleanse(ctx, p); err != nil {
		return fmt.Errorf("cleansing the demo: %w", err)
	}
	if err := Map(ctx, p); err != nil {
		return fmt.Errorf("mapping the demo: %w", err)
	}
	rep, err := Decide(ctx, p)
	if err != nil {
		return fmt.Errorf("deciding about the demo's issues: %w", err)
	}
	if rep.Errors != 0 {
		return fmt.Errorf("the demo still has %d validation errors after the walkthrough", rep.Errors)
	}
	return nil
}
