package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// demoProject creates the demo practice exactly as a person would: embedded exports imported,
// keys and relationships declared.
func demoProject(t testing.TB) (*project.Project, *demo.Manifest) {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Auditor"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	m, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	return p, m
}

func refDate(t testing.TB, m *demo.Manifest) time.Time {
	d, err := time.Parse("2006-01-02", m.ReferenceDate)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func ints(rows []int) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = int64(r)
	}
	return out
}

// checkManifest asserts that every planted defect is found with its exact count (and rows,
// groups, clusters, breakdowns where the manifest has them), that no finding of a planted kind
// appears where the manifest plants none, and that the money totals match.
func checkManifest(t *testing.T, p *project.Project, rep *audit.Report, m *demo.Manifest) {
	t.Helper()
	ctx := context.Background()
	planted := map[string]bool{}
	for _, d := range m.Defects {
		planted[d.Kind] = true
		name := fmt.Sprintf("%s %s.%s", d.Kind, d.Table, d.Column)
		fs := rep.Find(d.Kind, d.Table, d.Column)
		if len(fs) != 1 {
			t.Errorf("%s: %d findings, want 1 (count %d)", name, len(fs), d.Count)
			continue
		}
		f := fs[0]
		if f.Count != int64(d.Count) {
			t.Errorf("%s: count %d, manifest %d", name, f.Count, d.Count)
		}
		if len(d.Rows) > 0 {
			rows, err := audit.FindingRows(ctx, p, f.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows, ints(d.Rows)) {
				t.Errorf("%s: rows %v\n manifest %v", name, rows, d.Rows)
			}
		}
		switch d.Kind {
		case demo.KindDuplicateExact, demo.KindDuplicateKey:
			cs, err := audit.Clusters(ctx, p, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]int
			for _, c := range cs {
				var g []int
				for _, mem := range c.Members {
					g = append(g, int(mem.Row))
				}
				got = append(got, g)
			}
			if fmt.Sprint(got) != fmt.Sprint(d.Groups) {
				t.Errorf("%s: groups %v\n manifest %v", name, got, d.Groups)
			}
		case demo.KindDuplicateFuzzy:
			cs, err := audit.Clusters(ctx, p, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, c := range cs {
				var keys []string
				for _, mem := range c.Members {
					keys = append(keys, mem.Key)
				}
				got = append(got, strings.Join(keys, " "))
				if c.Method == "" || c.Score <= 0 || c.Score > 1 {
					t.Errorf("%s: cluster %v without method or score", name, keys)
				}
			}
			for _, c := range d.Clusters {
				want = append(want, strings.Join(c, " "))
			}
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: clusters %v\n manifest %v", name, got, want)
			}
		case demo.KindDateAmbiguous:
			if f.Order != d.Order {
				t.Errorf("%s: order %s, manifest %s", name, f.Order, d.Order)
			}
			if c := rep.Table(d.Table).Column(d.Column); c == nil || c.DateOrder != d.Order {
				t.Errorf("%s: column date_order %+v, manifest %s", name, c, d.Order)
			}
			for k, v := range d.Values {
				if f.Values[k] != int64(v) {
					t.Errorf("%s: %s %d, manifest %d", name, k, f.Values[k], v)
				}
			}
		case demo.KindOrphan:
			want := d.Missing
			if len(want) > 100 {
				want = want[:100] // Finding.Missing lists at most 100
			}
			if f.Parent != d.Parent || !slices.Equal(f.Missing, want) {
				t.Errorf("%s: parent %s missing %v, manifest %s %v", name, f.Parent, f.Missing, d.Parent, d.Missing)
			}
		case demo.KindPicklistFreetext, demo.KindPlaceholder, demo.KindMoneyText, demo.KindEmailTypo, demo.KindDateMixed, demo.KindDateImpossible:
			if len(d.Values) != len(f.Values) {
				t.Errorf("%s: values %v, manifest %v", name, f.Values, d.Values)
			}
			for k, v := range d.Values {
				if f.Values[k] != int64(v) {
					t.Errorf("%s: values[%q] %d, manifest %d", name, k, f.Values[k], v)
				}
			}
			for k, v := range d.Mapping {
				if d.Kind == demo.KindEmailTypo && f.Mapping[k] != v {
					t.Errorf("%s: %s maps to %q, manifest %q", name, k, f.Mapping[k], v)
				}
			}
		}
	}
	// nothing of a planted kind where the manifest plants none
	for _, f := range rep.Findings {
		if planted[f.Kind] && m.Find(f.Kind, f.Table, f.Column) == nil {
			t.Errorf("unexpected %s on %s.%s (count %d): %s", f.Kind, f.Table, f.Column, f.Count, f.Message)
		}
	}
	// money totals
	for _, mc := range m.Money {
		var got *audit.MoneyTotal
		for i := range rep.Totals.Money {
			if rep.Totals.Money[i].Table == mc.Table && rep.Totals.Money[i].Column == mc.Column {
				got = &rep.Totals.Money[i]
			}
		}
		if got == nil {
			t.Errorf("money %s.%s: no total", mc.Table, mc.Column)
			continue
		}
		if got.Sum != mc.Sum || got.Parsed != int64(mc.Parsed) || got.Formatted != int64(mc.Formatted) || got.NonNumeric != int64(mc.NonNumeric) {
			t.Errorf("money %s.%s: %+v, manifest %+v", mc.Table, mc.Column, *got, mc)
		}
	}
	if len(rep.Totals.Money) != len(m.Money) {
		t.Errorf("money totals for %d columns, manifest %d: %+v", len(rep.Totals.Money), len(m.Money), rep.Totals.Money)
	}
	for _, f := range m.Files {
		if rep.Totals.Rows[f.Table] != int64(f.Rows) {
			t.Errorf("%s: %d rows, manifest %d", f.Table, rep.Totals.Rows[f.Table], f.Rows)
		}
	}
}

func TestDemoPracticeEveryPlantedDefectIsFound(t *testing.T) {
	p, m := demoProject(t)
	rep, err := audit.Run(context.Background(), p, audit.Options{ReferenceDate: refDate(t, m)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, p, rep, m)
	if testing.Verbose() {
		for _, f := range rep.Findings {
			t.Logf("%-8s %-18s %-14s %-14s %6d  %s", f.Severity, f.Kind, f.Table, f.Column, f.Count, f.Message)
		}
	}
}

// generatedProject writes the demo practice at another seed and size and imports it file by
// file, declaring keys and relationships from the manifest: the detectors, not the fixture.
func generatedProject(t testing.TB, cfg demo.Config) (*project.Project, *demo.Manifest) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	m, err := demo.Generate(filepath.Join(dir, "export"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Create(ctx, filepath.Join(dir, "gen.ferry"), project.Options{Actor: "Auditor"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for _, f := range m.Files {
		if _, err := importers.ImportFile(ctx, p, filepath.Join(dir, "export", f.Name), importers.Options{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	st := staging.NewStager(p)
	for _, tb := range m.Tables {
		if err := st.SetKey(ctx, tb.Name, tb.Key); err != nil {
			t.Fatal(err)
		}
		for _, r := range tb.Relationships {
			if err := st.DeclareRelationship(ctx, staging.Relationship{ChildTable: tb.Name, ChildColumn: r.Column,
				ParentTable: r.ParentTable, ParentColumn: r.ParentColumn}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p, m
}

func TestAnotherSeedAndSizeEveryPlantedDefectIsFound(t *testing.T) {
	size := 3000
	if testing.Short() {
		size = 1200
	}
	p, m := generatedProject(t, demo.Config{Seed: 20261121, Patients: size})
	ctx := context.Background()
	rep, err := audit.Run(ctx, p, audit.Options{ReferenceDate: refDate(t, m)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, p, rep, m)

	// one row range or three: the same report
	one, err := audit.Run(ctx, p, audit.Options{ReferenceDate: refDate(t, m), Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Findings) != len(rep.Findings) {
		t.Fatalf("%d findings with one worker, %d with three", len(one.Findings), len(rep.Findings))
	}
	for i, f := range one.Findings {
		g := rep.Findings[i]
		if f.Kind != g.Kind || f.Table != g.Table || f.Column != g.Column || f.Count != g.Count || f.RowCount != g.RowCount {
			t.Errorf("finding %d: one worker %s %s.%s %d, three %s %s.%s %d", i, f.Kind, f.Table, f.Column, f.Count, g.Kind, g.Table, g.Column, g.Count)
		}
		a, _ := audit.FindingRows(ctx, p, f.ID, 0, 0)
		b, _ := audit.FindingRows(ctx, p, g.ID, 0, 0)
		if !slices.Equal(a, b) {
			t.Errorf("%s %s.%s: rows differ between one and three workers", f.Kind, f.Table, f.Column)
		}
	}
	for ti, tb := range one.Tables {
		for ci, c := range tb.Columns {
			d := rep.Tables[ti].Columns[ci]
			if c.Type != d.Type || c.Nulls != d.Nulls || (c.DistinctExact && c.Distinct != d.Distinct) || c.DateOrder != d.DateOrder || c.Sum != d.Sum {
				t.Errorf("%s.%s: one worker %+v\n three %+v", tb.Name, c.Name, c, d)
			}
		}
	}
}
