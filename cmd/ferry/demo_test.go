package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/wizard"
)

// FERRY_DEMO_STAGE takes a new demo as far as scripts/screenshots.sh needs, through the same
// engine steps a person's walkthrough takes; an unknown stage is an error that says the choices.
func TestDemoStageTakesTheDemoThroughTheWalkthrough(t *testing.T) {
	ctx := context.Background()
	t.Setenv("FERRY_DEMO_STAGE", "ready")
	p, err := createDemo(ctx, filepath.Join(t.TempDir(), "demo.ferry"), "Dana")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	steps, err := wizard.Steps(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[wizard.StepID]wizard.State{wizard.Audit: wizard.NeedsAttention, wizard.Cleanse: wizard.InProgress, wizard.Map: wizard.Done}
	for _, st := range steps {
		if w, ok := want[st.ID]; ok && st.State != w {
			t.Errorf("%s is %s, want %s (%s)", st.Title, st.State, w, st.Detail)
		}
	}

	t.Setenv("FERRY_DEMO_STAGE", "mapped")
	bad := filepath.Join(t.TempDir(), "demo.ferry")
	if _, err := createDemo(ctx, bad, "Dana"); err == nil || !strings.Contains(err.Error(), "use cleanse, map or ready") {
		t.Fatalf("unknown stage: %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatalf("an unknown stage left a file behind: %v", err)
	}
}
