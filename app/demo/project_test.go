package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

func TestCreateProjectImportsTheWholeDemoPractice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "Demo practice.ferry")
	p, err := demo.CreateProject(ctx, path, project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	st := staging.NewStager(p)
	tables, err := st.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, tb := range tables {
		rows[tb.Name] = tb.Rows
	}
	for _, f := range m.Files {
		if rows[f.Table] != int64(f.Rows) {
			t.Errorf("%s: %d rows staged, manifest says %d", f.Table, rows[f.Table], f.Rows)
		}
	}
	rels, _ := st.Relationships(ctx)
	want := 0
	for _, tb := range m.Tables {
		want += len(tb.Relationships)
	}
	confirmed := 0
	for _, r := range rels {
		if r.Confirmed {
			confirmed++
		}
	}
	if confirmed != want {
		t.Errorf("%d confirmed relationships, manifest has %d", confirmed, want)
	}
	// The Windows-1252 file decoded: accented names are there as the practice typed them.
	var n int
	if err := p.Reader().QueryRow(`SELECT count(*) FROM patients WHERE LastName LIKE '%ü%' OR FirstName LIKE '%é%' OR FirstName LIKE '%ë%'`).Scan(&n); err != nil || n == 0 {
		t.Errorf("no accented names after import (%d, %v)", n, err)
	}
	pl, _ := plan.Load(ctx, p)
	if pl["practice_name"] != demo.PracticeName {
		t.Errorf("plan practice name %q", pl["practice_name"])
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("custody chain: %v %v", rep, err)
	}
	if !strings.HasSuffix(p.Path, "Demo practice.ferry") {
		t.Errorf("path %s", p.Path)
	}
}
