package cleanse_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/cleanse"
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

// benchProject stages the patients of a demo practice of n patients, once: the project is kept
// under os.TempDir (ferry-cleanse-bench/patients-N) for the next run. The audit benchmark's
// generated patients.csv is used when it is there (same generator, same seed).
func benchProject(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "ferry-cleanse-bench", fmt.Sprintf("patients-%d", n))
	path := filepath.Join(dir, "bench.ferry")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx := context.Background()
	csv := filepath.Join(os.TempDir(), "ferry-audit-bench", fmt.Sprintf("patients-%d", n), "patients.csv")
	if _, err := os.Stat(csv); err != nil {
		gen := filepath.Join(dir, "export")
		if _, err := demo.Generate(gen, demo.Config{Patients: n, Seed: 42}); err != nil {
			b.Fatal(err)
		}
		csv = filepath.Join(dir, "patients.csv")
		if err := os.Rename(filepath.Join(gen, "patients.csv"), csv); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(gen)
	}
	tmp := path + ".building"
	os.Remove(tmp)
	p, err := project.Create(ctx, tmp, project.Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importers.ImportFile(ctx, p, csv, importers.Options{Table: "patients"}, nil); err != nil {
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

// BenchmarkCleanse1M applies each operation to the staged patients of a 1M-patient practice and
// undoes it again; ns/op is the apply, undo-s the undo (both with their transaction, commit and
// custody event), cpu-s and undo-cpu-s the CPU time they took (on a shared machine the wall
// time also counts waiting for the disk and for other processes). Generation and import happen
// once, outside the timing.
func BenchmarkCleanse1M(b *testing.B) {
	n := benchPatients()
	path := benchProject(b, n)
	ctx := context.Background()
	p, err := project.Open(ctx, path, project.Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	// a run that stopped half way left operations behind: undo them, the table is as imported
	for {
		if _, err := cleanse.Undo(ctx, p); errors.Is(err, cleanse.ErrNothingUndo) {
			break
		} else if err != nil {
			b.Fatal(err)
		}
	}
	steps := []cleanse.Step{
		{Op: "trim", Table: "patients", Columns: []string{"City", "LastName", "FirstName"}, Collapse: true},
		{Op: "change_case", Table: "patients", Column: "LastName", Case: "upper"},
		{Op: "change_case", Table: "patients", Column: "LastName", Case: "name", All: true},
		{Op: "normalise_phone", Table: "patients", Column: "Phone", Region: "US"},
		{Op: "normalise_email", Table: "patients", Column: "Email", FixTypos: true},
		{Op: "restore_zip_zeros", Table: "patients", Column: "Zip"},
		{Op: "normalise_date", Table: "patients", Column: "BirthDate", Order: "MDY", Ambiguous: "MDY"},
		{Op: "split_name", Table: "patients", Column: "LastName", Last: "Last", First: "First"},
		{Op: "merge_columns", Table: "patients", Columns: []string{"FirstName", "LastName"}, Target: "FullName"},
		{Op: "replace", Table: "patients", Column: "Address", Find: `\bSt$`, With: "Street", Regex: true},
		{Op: "map_values", Table: "patients", Column: "Status", Mapping: map[string]string{"Active": "active", "Inactive": "inactive", "Archived": "inactive"}},
		{Op: "fill_blank", Table: "patients", Column: "Email", Value: "none@example.com"},
		{Op: "set_blank", Table: "patients", Column: "BirthDate", Values: []string{"0001-01-01", "N/A", "00/00/0000"}},
		{Op: "purge", Table: "patients", TestRecords: true, Reason: "test records"},
		{Op: "purge", Table: "patients", Column: "CreatedDate", Before: "2015-01-01", Reason: "inactive before 2015"},
		{Op: "merge_duplicates", Table: "patients", Match: "identical"},
		{Op: "merge_duplicates", Table: "patients", Match: "same_key", FillBlanks: true},
	}
	// the floor: SQLite rewriting one column of every row, nothing recorded (the values stay)
	b.Run("sqlite_update_floor", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			c0 := cpuTime()
			err := p.Write(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patients SET LastName = LastName || ''`)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - c0
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	})
	for _, s := range steps {
		name := s.Op
		if s.Case != "" {
			name += "_" + s.Case
		}
		if s.Before != "" {
			name += "_before"
		}
		if s.Match != "" {
			name += "_" + s.Match
		}
		b.Run(name, func(b *testing.B) {
			var res *cleanse.Result
			var undo, cpu, undoCPU time.Duration
			for i := 0; i < b.N; i++ {
				c0 := cpuTime()
				res, err = cleanse.Apply(ctx, p, s, cleanse.Options{})
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
				b.StopTimer()
				t0, c0 := time.Now(), cpuTime()
				if _, err := cleanse.Undo(ctx, p); err != nil {
					b.Fatal(err)
				}
				undo += time.Since(t0)
				undoCPU += cpuTime() - c0
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(float64(res.Cells), "cells")
			b.ReportMetric(float64(res.Removed), "removed")
			b.ReportMetric(cpu.Seconds()/n, "cpu-s")
			b.ReportMetric(undo.Seconds()/n, "undo-s")
			b.ReportMetric(undoCPU.Seconds()/n, "undo-cpu-s")
		})
	}
}
