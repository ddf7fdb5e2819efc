package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/cleanse"
)

const demoRecipeFile = "../../assets/recipes/demo-cleanse.json"

func newDemoProject(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.ferry")
	if code, out, errb := ferry(t, "new", "--demo", path, "--user", "Dana"); code != 0 {
		t.Fatalf("new --demo: %d %s %s", code, out, errb)
	}
	return path
}

func TestCleanseApplyListUndoRedoExport(t *testing.T) {
	proj := newDemoProject(t)
	code, out, _ := ferry(t, "cleanse", proj, "--list")
	if code != 0 || !strings.Contains(out, "no cleanse operations yet") {
		t.Fatalf("list of nothing: %d %s", code, out)
	}

	code, out, errb := ferry(t, "cleanse", proj, "--apply", demoRecipeFile, "--dry-run")
	if code != 0 || !strings.Contains(out, "Dry run of demo-cleanse") || !strings.Contains(out, "nothing was changed") ||
		!strings.Contains(out, "10 rows merged") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errb)
	}
	if _, out, _ := ferry(t, "cleanse", proj, "--list"); !strings.Contains(out, "no cleanse operations yet") {
		t.Fatalf("the dry run applied something:\n%s", out)
	}

	code, out, errb = ferry(t, "cleanse", proj, "--apply", demoRecipeFile, "--user", "Dana")
	if code != 0 {
		t.Fatalf("apply: %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{"Replayed demo-cleanse", "normalise_phone on patients.Phone", "(operation 17)",
		`not valid phone numbers: left as they are for a person to correct: "555-01" (3)`, "6 rows purged"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = ferry(t, "cleanse", proj, "--list")
	if code != 0 || !strings.Contains(out, "17 operations applied") || !strings.Contains(out, "6 rows purged, 15 rows merged") ||
		!strings.Contains(out, "map_values") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, _ = ferry(t, "cleanse", proj, "--list", "--json")
	var doc struct {
		Summary    cleanse.Summary
		Operations []cleanse.Op
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Operations) != 17 || doc.Summary.Merged != 15 {
		t.Fatalf("list --json: %d %.300s", code, out)
	}

	rec := filepath.Join(t.TempDir(), "mine.json")
	code, out, errb = ferry(t, "cleanse", proj, "--export", rec)
	if code != 0 || !strings.Contains(out, "17 steps on 3 tables") {
		t.Fatalf("export: %d %s %s", code, out, errb)
	}
	b, _ := os.ReadFile(rec)
	rc, err := cleanse.ParseRecipe(b)
	if err != nil || len(rc.Steps) != 17 || rc.Name != "mine" {
		t.Fatalf("exported recipe: %v %+v", err, rc)
	}

	code, out, _ = ferry(t, "cleanse", proj, "--undo")
	if code != 0 || !strings.Contains(out, "Undid operation 17 (normalise_date on appointments): 1,731 cells restored.") {
		t.Fatalf("undo: %d %s", code, out)
	}
	code, out, _ = ferry(t, "cleanse", proj, "--redo")
	if code != 0 || !strings.Contains(out, "Redid operation 17") {
		t.Fatalf("redo: %d %s", code, out)
	}
	code, out, _ = ferry(t, "cleanse", proj, "--undo", "--all")
	if code != 0 || !strings.Contains(out, "Undid operation 1 (purge on patients): 6 rows put back.") {
		t.Fatalf("undo --all: %d %s", code, out)
	}
	if code, out, _ = ferry(t, "cleanse", proj, "--undo"); code != 0 || !strings.Contains(out, "Nothing to undo.") {
		t.Fatalf("undo of nothing: %d %s", code, out)
	}
	if code, out, _ = ferry(t, "verify", proj); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
}

func TestCleanseStopsOnWhatDoesNotFit(t *testing.T) {
	proj := newDemoProject(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	missing := write("missing.json", `{"format":"ferry-cleanse-recipe","version":1,"steps":[
		{"op":"trim","table":"patients","column":"City"},
		{"op":"normalise_phone","table":"patients","column":"Telephone"},
		{"op":"trim","table":"clients","column":"Name"}]}`)
	code, _, errb := ferry(t, "cleanse", proj, "--apply", missing)
	if code != 1 || !strings.Contains(errb, "patients has no column Telephone") || !strings.Contains(errb, "there is no table clients") ||
		!strings.Contains(errb, "nothing was changed") {
		t.Fatalf("missing column: %d %s", code, errb)
	}
	if _, out, _ := ferry(t, "cleanse", proj, "--list"); !strings.Contains(out, "no cleanse operations yet") {
		t.Fatalf("a stopped replay applied something:\n%s", out)
	}
	unknown := write("unknown.json", `{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"shred","table":"patients"}]}`)
	if code, _, errb := ferry(t, "cleanse", proj, "--apply", unknown); code != 1 || !strings.Contains(errb, `"shred"`) {
		t.Fatalf("unknown op: %d %s", code, errb)
	}
	badRegex := write("regex.json", `{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"replace","table":"patients","column":"City","find":"([","regex":true}]}`)
	if code, _, errb := ferry(t, "cleanse", proj, "--apply", badRegex); code != 1 || !strings.Contains(errb, "regular expression") {
		t.Fatalf("bad regex: %d %s", code, errb)
	}
	if code, _, errb := ferry(t, "cleanse", proj, "--export", filepath.Join(dir, "x.json")); code != 1 || !strings.Contains(errb, "nothing to export") {
		t.Fatalf("export of nothing: %d %s", code, errb)
	}
}

func TestCleanseWrongCallsExit2(t *testing.T) {
	proj := newTestProject(t)
	for _, args := range [][]string{
		{"cleanse"},
		{"cleanse", proj},
		{"cleanse", proj, "--undo", "--redo"},
		{"cleanse", proj, "--list", "--export", "x.json"},
		{"cleanse", proj, "--undo", "--dry-run"},
		{"cleanse", proj, "--redo", "--all"},
		{"cleanse", proj, "--undo", "--json"},
		{"cleanse", proj, "other.ferry", "--list"},
	} {
		code, _, errb := ferry(t, args...)
		if code != 2 || !strings.Contains(errb, "Usage: ferry cleanse") {
			t.Errorf("ferry %v: exit %d, stderr %q; want 2 with usage", args, code, errb)
		}
	}
}
