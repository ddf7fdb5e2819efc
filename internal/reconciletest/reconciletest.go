// Package reconciletest holds fixtures for the tests of reconciliation, the report, the CLI and
// the Reconcile & report screen: a demo project made ready to load (app/demoflow), a fake load
// that writes a load's outcome into the load engine's tables the way the engine does, and the
// new system's export of what was loaded. The fake load stands in for app/load until the
// engine exists; the end-to-end test against PocketBase uses the real engine.
package reconciletest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// EnsureSchema checks that the project has the reconciliation tables (migration 0008).
func EnsureSchema(t testing.TB, p *project.Project) {
	t.Helper()
	if !wizard.TableExists(context.Background(), p.Reader(), "ferry_reconciliations") {
		t.Fatal("the project has no ferry_reconciliations table: migration 0008 did not run")
	}
}

var (
	readyOnce sync.Once
	readyPath string
	readyErr  error
)

// ReadyDemo is a fresh copy of the demo practice after demoflow.Ready (made once per test
// binary: the walkthrough takes seconds), closed when the test ends.
func ReadyDemo(t testing.TB) *project.Project {
	t.Helper()
	ctx := context.Background()
	readyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ferry-reconcile-ready")
		if err != nil {
			readyErr = err
			return
		}
		path := filepath.Join(dir, "ready.ferry")
		p, err := demo.CreateProject(ctx, path, project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
		if err != nil {
			readyErr = err
			return
		}
		// Audited before anything changes, as the wizard goes: the report's "then".
		if _, err := audit.Run(ctx, p, audit.Options{}, nil); err != nil {
			readyErr = err
			p.Close()
			return
		}
		if err := demoflow.Ready(ctx, p); err != nil {
			readyErr = err
			p.Close()
			return
		}
		if _, err := mapping.New(p).Feed(ctx); err != nil { // freezes the target once
			readyErr = err
		}
		p.Close()
		readyPath = path
	})
	if readyErr != nil {
		t.Fatal(readyErr)
	}
	dst := filepath.Join(t.TempDir(), "demo.ferry")
	b, err := os.ReadFile(readyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Open(ctx, dst, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	EnsureSchema(t, p)
	return p
}

// FakeLoad puts a load's outcome into the load engine's tables (migration 0007) the way the
// engine writes them: a destination, a run, one record per legacy record with its status and
// the hash of what was sent, and the crosswalk of what was created. outcome decides each
// record's status ("created", "rejected" ...; "" leaves the record out of the run). It returns
// the new ids by entity and legacy key. This is a fixture for the reconcile logic until the
// engine (app/load) exists; the PocketBase test uses the real engine.
func FakeLoad(t testing.TB, p *project.Project, outcome func(r mapping.Record) string) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string]string{}
	err = p.Write(ctx, func(tx *sql.Tx) error {
		now := "2026-11-21T10:00:00Z"
		r, err := tx.Exec(`INSERT INTO ferry_destinations (name, kind, config, created_at, updated_at) VALUES ('New system', 'rest', '{}', ?, ?)
			ON CONFLICT(name) DO UPDATE SET version = version + 1`, now, now)
		if err != nil {
			return err
		}
		var dest int64
		if err := tx.QueryRow(`SELECT id FROM ferry_destinations WHERE name = 'New system'`).Scan(&dest); err != nil {
			return err
		}
		_ = r
		run, err := tx.Exec(`INSERT INTO ferry_runs (kind, target_id, target_version, map_revision, started_at, finished_at, actor, status)
			VALUES ('load', ?, ?, ?, ?, ?, 'Dana', 'ok')`, f.Target.ID, f.TargetVersion, f.MapRevision, now, now)
		if err != nil {
			return err
		}
		runID, _ := run.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO ferry_load_runs (run_id, destination_id, dest_version, dest_config, mode, state, updated_at)
			VALUES (?, ?, 1, '{}', 'full', 'done', ?)`, runID, dest, now); err != nil {
			return err
		}
		seq := 0
		for _, e := range f.Entities {
			ids[e.Name] = map[string]string{}
			err := f.Scan(ctx, e.Name, nil, func(rec mapping.Record) error {
				st := outcome(rec)
				if st == "" {
					return nil
				}
				seq++
				newID, msg, hash := "", "", rec.Hash(e.Fields)
				switch st {
				case "created", "existing":
					newID = fmt.Sprintf("%s-%06d", e.Name[:3], seq)
					ids[e.Name][rec.Key] = newID
					if _, err := tx.Exec(`INSERT INTO ferry_crosswalk (destination_id, entity, legacy_key, new_id, run_id, sent_hash, created_at)
						VALUES (?, ?, ?, ?, ?, ?, ?)`, dest, e.Name, rec.Key, newID, runID, hash, now); err != nil {
						return err
					}
				case "rejected":
					msg = "422: field is invalid"
				case "failed":
					msg = "503: service unavailable"
				}
				_, err := tx.Exec(`INSERT INTO ferry_load_records (run_id, entity, legacy_key, source_row, seq, status, new_id, attempts, error, sent_hash, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, runID, e.Name, rec.Key, rec.Row, seq, st, newID, msg, hash, now)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// ExportOf makes "the new system's export" of every entity: a table per entity with an id
// column and one column per field, the values as sent with references translated to new ids,
// the way a system that stored them faithfully exports them.
func ExportOf(t testing.TB, p *project.Project, ids map[string]map[string]string) map[string]*staging.MemoryTable {
	t.Helper()
	ctx := context.Background()
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*staging.MemoryTable{}
	for _, e := range f.Entities {
		mt := &staging.MemoryTable{Spec: staging.TableSpec{Name: e.Name, Columns: []string{"id"}}}
		for _, fl := range e.Fields {
			mt.Spec.Columns = append(mt.Spec.Columns, fl.Name)
		}
		line := int64(1)
		err := f.Scan(ctx, e.Name, nil, func(rec mapping.Record) error {
			id, ok := ids[e.Name][rec.Key]
			if !ok {
				return nil
			}
			cells := []string{id}
			for i, fl := range e.Fields {
				v := rec.Values[i]
				if fl.References != "" && v != "" {
					v = ids[fl.References][v]
				}
				cells = append(cells, v)
			}
			line++
			mt.Rows = append(mt.Rows, staging.Row{Line: line, Cells: cells})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name] = mt
	}
	return out
}

// AllCreated is a FakeLoad outcome: every record created.
func AllCreated(mapping.Record) string { return "created" }

// WriteCSV writes a table as a CSV file (an export of the new system on disk).
func WriteCSV(t testing.TB, path string, mt *staging.MemoryTable) {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(mt.Spec.Columns)
	for _, r := range mt.Rows {
		_ = w.Write(r.Cells)
	}
	w.Flush()
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
