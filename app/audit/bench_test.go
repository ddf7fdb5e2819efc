package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

// benchPatients is the benchmark's practice size; FERRY_BENCH_PATIENTS overrides it.
func benchPatients() int {
	if n, err := strconv.Atoi(os.Getenv("FERRY_BENCH_PATIENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchProject generates the demo practice at n patients and stages its patients.csv, once: the
// result is kept under os.TempDir (ferry-audit-bench/patients-N) for the next run, and for
// running DuckDB and pandas on the same file (docs/bench-audit.md).
func benchProject(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "ferry-audit-bench", fmt.Sprintf("patients-%d", n))
	path := filepath.Join(dir, "bench.ferry")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, demo.ManifestName)); err != nil {
		gen := filepath.Join(dir, "export")
		if _, err := demo.Generate(gen, demo.Config{Patients: n, Seed: 42}); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(filepath.Join(gen, "patients.csv"), filepath.Join(dir, "patients.csv")); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(filepath.Join(gen, demo.ManifestName), filepath.Join(dir, demo.ManifestName)); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(gen) // the other tables are not benchmarked
	}
	tmp := path + ".building"
	os.Remove(tmp)
	p, err := project.Create(ctx, tmp, project.Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importers.ImportFile(ctx, p, filepath.Join(dir, "patients.csv"), importers.Options{}, nil); err != nil {
		b.Fatal(err)
	}
	if err := staging.NewStager(p).SetKey(ctx, "patients", "PatientID"); err != nil {
		b.Fatal(err)
	}
	p.Close()
	os.Remove(tmp + ".lock")
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkAudit1M is a full audit (profile, duplicates exact, by key and fuzzy, values, saving
// the run) of a staged 1M-patient table. Generation and import happen once, outside the timing.
// Run it with: go test ./app/audit -run '^$' -bench BenchmarkAudit1M -benchtime 1x
// (docs/bench-audit.md has the figures and the DuckDB and pandas comparison).
func BenchmarkAudit1M(b *testing.B) {
	n := benchPatients()
	path := benchProject(b, n)
	ctx := context.Background()
	p, err := project.Open(ctx, path, project.Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	m, err := demo.LoadManifest(filepath.Join(filepath.Dir(path), demo.ManifestName))
	if err != nil {
		b.Fatal(err)
	}
	var rep *audit.Report
	b.ResetTimer()
	for b.Loop() {
		rep, err = audit.Run(ctx, p, audit.Options{ReferenceDate: refDate(b, m)}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	rows := rep.Totals.Rows["patients"]
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(rep.Findings)), "findings")
	for _, mc := range m.Money {
		for _, got := range rep.Totals.Money {
			if got.Table == mc.Table && got.Column == mc.Column && (got.Sum != mc.Sum || got.NonNumeric != int64(mc.NonNumeric)) {
				b.Errorf("money %s.%s: %s (%d not amounts), manifest %s (%d)", mc.Table, mc.Column, got.Sum, got.NonNumeric, mc.Sum, mc.NonNumeric)
			}
		}
	}
	// every planted defect of the table, at a million rows too
	for _, d := range m.Defects {
		if d.Table != "patients" {
			continue
		}
		fs := rep.Find(d.Kind, d.Table, d.Column)
		if len(fs) != 1 || fs[0].Count != int64(d.Count) {
			got := int64(-1)
			if len(fs) == 1 {
				got = fs[0].Count
			}
			b.Errorf("%s %s.%s: %d, manifest %d", d.Kind, d.Table, d.Column, got, d.Count)
		}
	}
}
