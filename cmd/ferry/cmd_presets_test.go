package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

func TestPresetsListsTheKnownSystems(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	code, out, errb := ferry(t, "presets")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"open-dental", "Open Dental", "openemr", "synthea-csv", "report-export", "cliniko", "clio", "nookal", "medplum", "fhir-r4", "generic"} {
		if !strings.Contains(out, want) {
			t.Errorf("ferry presets does not list %s:\n%s", want, out)
		}
	}
	code, out, _ = ferry(t, "presets", "--json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) < 11 {
		t.Errorf("--json: %d %s", code, out)
	}
}

func TestPresetsCheckAddExport(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"ferry-source/1","name":"x","title":"X","tables":[{"name":"t","columns":[{"name":"a","colour":"red"}]}]}`), 0o644)
	code, _, errb := ferry(t, "presets", "--check", bad)
	if code == 0 || !strings.Contains(errb, "tables[0].columns[0].colour") {
		t.Errorf("--check of a broken preset: %d %s", code, errb)
	}
	code, out, errb := ferry(t, "presets", "--export", "Open Dental")
	if code != 0 || !strings.Contains(out, `"ferry-source/1"`) {
		t.Fatalf("--export: %d %s", code, errb)
	}
	mine := strings.NewReplacer(`"open-dental"`, `"my-dental"`, `"Open Dental"`, `"My Dental"`, `"OpenDental"`, `"MyDental"`, `"Open Dental Software"`, `"My Dental Software"`).Replace(out)
	f := filepath.Join(dir, "mine.json")
	os.WriteFile(f, []byte(mine), 0o644)
	if code, out, errb := ferry(t, "presets", "--add", f); code != 0 || !strings.Contains(out, "my-dental") {
		t.Fatalf("--add: %d %s %s", code, out, errb)
	}
	if _, out, _ := ferry(t, "presets"); !strings.Contains(out, "My Dental") {
		t.Errorf("the added preset is not listed:\n%s", out)
	}
}

func TestNewRecordsFromAndTo(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "X.ferry")
	code, out, errb := ferry(t, "new", path, "--from", "Open Dental", "--to", "Cliniko")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if !strings.Contains(out, "open-dental preset") || !strings.Contains(out, "target cliniko added") {
		t.Errorf("output:\n%s", out)
	}
	ctx := context.Background()
	p, err := project.Open(ctx, path, project.Options{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pl, err := plan.Load(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if pl["legacy_system"] != "Open Dental" || pl["new_system"] != "Cliniko" {
		t.Errorf("plan = %v", pl)
	}
	tg, err := target.Active(ctx, p)
	if err != nil || tg.Name != "cliniko" {
		t.Errorf("active target = %+v, %v", tg, err)
	}
	// an unknown system is recorded as typed
	path2 := filepath.Join(t.TempDir(), "Y.ferry")
	if code, out, _ := ferry(t, "new", path2, "--from", "Dentrix Ascend"); code != 0 || !strings.Contains(out, "recorded as typed") {
		t.Errorf("unknown --from: %d %s", code, out)
	}
}
