package wizard_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func TestStepsInOrderWithStatusFromTheProjectFile(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "p.ferry"), project.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	steps, err := wizard.Steps(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Plan", "Sources", "Audit", "Cleanse", "Map", "Sample run", "Parallel run", "Full load", "Reconcile & report"}
	if len(steps) != len(want) {
		t.Fatalf("%d steps", len(steps))
	}
	for i, s := range steps {
		if s.Title != want[i] {
			t.Fatalf("step %d is %q, want %q", i, s.Title, want[i])
		}
		if !s.Built && s.Detail == "" {
			t.Errorf("%s: unbuilt step does not say so", s.Title)
		}
	}
	if steps[0].State != wizard.NotStarted || !steps[0].Available {
		t.Fatalf("fresh plan: %+v", steps[0])
	}

	plan.Set(ctx, p, "practice_name", "Harbour View")
	steps, _ = wizard.Steps(ctx, p)
	if steps[0].State != wizard.InProgress {
		t.Fatalf("plan with one answer: %v", steps[0].State)
	}
	for k, v := range map[string]string{"practice_type": "dental", "legacy_system": "Open Dental", "new_system": "Cliniko",
		"data_freeze": "2027-02-26", "go_live": "2027-03-01", "downtime": "a weekend", "owner": "Dana", "sign_off": "Dr Lee",
		"strategy": plan.Parallel} {
		plan.Set(ctx, p, k, v)
	}
	steps, _ = wizard.Steps(ctx, p)
	if steps[0].State != wizard.Done {
		t.Fatalf("complete plan: %v (%s)", steps[0].State, steps[0].Detail)
	}
	plan.Set(ctx, p, "go_live", "2027-02-01")
	steps, _ = wizard.Steps(ctx, p)
	if steps[0].State != wizard.NeedsAttention || steps[0].Detail == "" {
		t.Fatalf("go-live before freeze: %v (%s)", steps[0].State, steps[0].Detail)
	}
	// Audit cannot come before Sources, and says why.
	if steps[2].Available || steps[2].Blocker == "" {
		t.Fatalf("audit before any source: %+v", steps[2])
	}
}
