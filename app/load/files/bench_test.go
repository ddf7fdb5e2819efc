package files_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load/files"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/importers"
)

// The benchmarks write a generated practice of FERRY_BENCH_PATIENTS patients (default 10,000:
// about 110,000 records over six entities), made ready once per run.
var bench struct {
	once sync.Once
	dir  string
	p    *project.Project
	f    *mapping.Feed
	err  error
}

func benchFeed(b *testing.B) *mapping.Feed {
	b.Helper()
	bench.once.Do(func() {
		n := 10000
		if s := os.Getenv("FERRY_BENCH_PATIENTS"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		ctx := context.Background()
		bench.dir, bench.err = os.MkdirTemp("", "ferry-files-bench-")
		if bench.err != nil {
			return
		}
		if _, bench.err = demo.Generate(filepath.Join(bench.dir, "demo"), demo.Config{Patients: n}); bench.err != nil {
			return
		}
		bench.p, bench.err = demo.CreateProject(ctx, filepath.Join(bench.dir, "bench.ferry"), project.Options{Actor: "bench"},
			os.DirFS(bench.dir), importers.Service{})
		if bench.err != nil {
			return
		}
		if bench.err = demoflow.Ready(ctx, bench.p); bench.err != nil {
			return
		}
		bench.f, bench.err = mapping.New(bench.p).Feed(ctx)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.f
}

func benchWrite(b *testing.B, cfg files.Config) {
	f := benchFeed(b)
	var records int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg.Dir = b.TempDir()
		m, err := files.Write(context.Background(), f, cfg, nil, nil, func(files.Placed) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		records = m.Written + m.Invalid
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(records), "records/op")
}

// BenchmarkScan is the feed alone (mapping every record), the floor under both writers.
func BenchmarkScan(b *testing.B) {
	f := benchFeed(b)
	var records int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		records = 0
		for _, e := range f.Entities {
			if err := f.Scan(context.Background(), e.Name, nil, func(mapping.Record) error { records++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkWriteCSV(b *testing.B)  { benchWrite(b, files.Config{Format: "csv"}) }
func BenchmarkWriteXLSX(b *testing.B) { benchWrite(b, files.Config{Format: "xlsx"}) }

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.p != nil {
		bench.p.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}
