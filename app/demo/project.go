package demo

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// CreateProject makes a new project at projectPath holding the demo practice: the files in
// files (the embedded assets.Demo, under "demo/") imported through imp exactly as a person would
// import them, keys and relationships declared as the old system's schema has them, and the
// practice's own facts filled in on the Plan. Dates, people and the strategy are left for the
// person trying Ferry to decide.
func CreateProject(ctx context.Context, projectPath string, opts project.Options, files fs.FS, imp staging.FileImporter) (*project.Project, error) {
	m, err := LoadManifestFS(files)
	if err != nil {
		return nil, fmt.Errorf("the demo practice is missing from this build: %w", err)
	}
	tmp, err := os.MkdirTemp("", "ferry-demo-")
	if err != nil {
		return nil, fmt.Errorf("preparing the demo practice: %w", err)
	}
	defer os.RemoveAll(tmp)

	p, err := project.Create(ctx, projectPath, opts)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*project.Project, error) {
		p.Close()
		os.Remove(projectPath)
		return nil, fmt.Errorf("creating the demo practice: %w", err)
	}
	for _, f := range m.Files {
		b, err := fs.ReadFile(files, path.Join("demo", f.Name))
		if err != nil {
			return fail(err)
		}
		src := filepath.Join(tmp, f.Name)
		if err := os.WriteFile(src, b, 0o644); err != nil {
			return fail(err)
		}
		if _, err := imp.ImportFile(ctx, p, staging.ImportRequest{Path: src, Table: f.Table}, nil); err != nil {
			return fail(err)
		}
	}
	st := staging.NewStager(p)
	for _, t := range m.Tables {
		if err := st.SetKey(ctx, t.Name, t.Key); err != nil {
			return fail(err)
		}
	}
	for _, t := range m.Tables {
		for _, r := range t.Relationships {
			if err := st.DeclareRelationship(ctx, staging.Relationship{ChildTable: t.Name, ChildColumn: r.Column,
				ParentTable: r.ParentTable, ParentColumn: r.ParentColumn,
				Reason: "how the demo practice's old system links its tables"}); err != nil {
				return fail(err)
			}
		}
	}
	for k, v := range map[string]string{"practice_name": m.Practice, "practice_type": "dental", "staff": "9",
		"locations": "1", "integrations": "3", "region": "US", "legacy_system": "DentalBase 7 (the demo's old system)"} {
		if err := plan.Set(ctx, p, k, v); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

// LoadManifestFS reads the manifest of the embedded demo.
func LoadManifestFS(files fs.FS) (*Manifest, error) {
	f, err := files.Open(path.Join("demo", ManifestName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadManifest(f)
}
