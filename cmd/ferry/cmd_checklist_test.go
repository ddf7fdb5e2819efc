package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

func TestChecklistLoadsListsAndExports(t *testing.T) {
	dir := t.TempDir()
	proj := newProjectFile(t, dir)
	ctx := context.Background()
	p, err := project.Open(ctx, proj, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	plan.Set(ctx, p, "practice_type", "veterinary")
	plan.Set(ctx, p, "sign_off", "Dr Amelia Lee")
	p.Close()

	code, out, _ := ferry(t, "checklist", proj)
	if code != 0 || !strings.Contains(out, "no checklist yet") {
		t.Fatalf("before loading: %d %s", code, out)
	}
	code, out, errb := ferry(t, "checklist", proj, "--load", "--user", "Dana")
	if code != 0 || !strings.Contains(out, "Loaded the checklist template") || !strings.Contains(out, "Workflow audit") ||
		!strings.Contains(out, "In-house analysers and external lab") || !strings.Contains(out, "Blocking go-live") {
		t.Fatalf("--load: %d %s %s", code, out, errb)
	}

	// Tick one item and sign one off, then read it back as JSON.
	p, _ = project.Open(ctx, proj, project.Options{Actor: "Dana"})
	c, _ := checklist.Load(ctx, p)
	var task, sign *checklist.Item
	for _, g := range c.Groups {
		for _, it := range g.Items {
			switch it.TemplateKey {
			case "reports.takings":
				task = it
			case "signoff.final-data":
				sign = it
			}
		}
	}
	checklist.SetStatus(ctx, p, task.ID, checklist.Done)
	checklist.Sign(ctx, p, sign.ID, "Dr Amelia Lee")
	p.Close()

	code, out, _ = ferry(t, "checklist", proj, "--list", "--json")
	if code != 0 {
		t.Fatalf("--json: %d", code)
	}
	var doc struct {
		Settings checklist.Settings
		Summary  struct {
			Total    int            `json:"total"`
			ByStatus map[string]int `json:"by_status"`
			Blockers []struct {
				Title string `json:"title"`
			} `json:"blockers"`
		}
		Groups []checklist.Group
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Settings.Template != "veterinary" || doc.Summary.ByStatus["done"] != 2 || len(doc.Summary.Blockers) == 0 ||
		doc.Summary.Total != doc.Summary.ByStatus["done"]+doc.Summary.ByStatus["open"] {
		t.Fatalf("json %+v", doc.Summary)
	}
	signed := false
	for _, g := range doc.Groups {
		for _, it := range g.Items {
			signed = signed || (it.ID == sign.ID && it.SignedBy == "Dr Amelia Lee")
		}
	}
	if !signed {
		t.Fatal("sign-off not in the JSON")
	}
	code, out, _ = ferry(t, "checklist", proj)
	if !strings.Contains(out, "[x] The day's takings match for the same day*") || !strings.Contains(out, "signed by Dr Amelia Lee") {
		t.Fatalf("list: %s", out)
	}

	xlsx := filepath.Join(dir, "parallel run.xlsx")
	code, out, errb = ferry(t, "checklist", proj, "--export", xlsx)
	if code != 0 || !strings.Contains(out, "Wrote") {
		t.Fatalf("--export: %d %s %s", code, out, errb)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.Join(f.GetSheetList(), ",") != "Checklist,Comparisons,Differences" {
		t.Fatalf("sheets %v", f.GetSheetList())
	}

	for _, args := range [][]string{{"checklist"}, {"checklist", proj, "--export", "out.csv"}, {"checklist", proj, "--template", "bakery"}} {
		if code, _, errb := ferry(t, args...); code != 2 || !strings.Contains(errb, "Usage") {
			t.Errorf("%v: exit %d %s", args, code, errb)
		}
	}
}
