package custody_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
)

func TestExportWritesEveryEventAsCSVAndJSON(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "x.ferry"), project.Options{Actor: "Dr Ada Byrne"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Do(ctx, "source.import", map[string]any{"file": "=cmd|' /C calc'!A0"}, map[string]string{"patients.csv": "abc123"}, nil)

	var j bytes.Buffer
	if err := custody.Export(ctx, p, &j, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format   string          `json:"format"`
		Verified custody.Report  `json:"verified"`
		Events   []custody.Event `json:"events"`
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != custody.ExportFormat || !doc.Verified.OK || len(doc.Events) != 2 || doc.Events[1].Inputs["patients.csv"] != "abc123" ||
		doc.Events[1].Actor != "Dr Ada Byrne" || doc.Events[1].Machine == "" {
		t.Fatalf("json export: %s", j.String())
	}

	var c bytes.Buffer
	if err := custody.Export(ctx, p, &c, "csv"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "seq" || recs[2][4] != "source.import" || recs[2][8] != doc.Events[1].Hash {
		t.Fatalf("csv export: %q", recs)
	}
	if err := custody.Export(ctx, p, &c, "pdf"); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}
