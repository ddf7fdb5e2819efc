package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

func TestATraceFollowsARecordFromItsSourceLineToTheNewSystem(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	info, err := staging.NewStager(p).Describe(ctx, "patients")
	if err != nil {
		t.Fatal(err)
	}
	// A patient Cleanse changed a cell of, and whose family name the new system changed.
	var row int64
	var key string
	err = p.Reader().QueryRow(`SELECT c.row_id, p.`+staging.QuoteIdent(info.KeyColumn)+` FROM ferry_cleanse_changes c
		JOIN ferry_cleanse_ops o ON o.id = c.op_id JOIN patients p ON p._ferry_row = c.row_id
		WHERE o.table_name = 'patients' AND o.state = 'applied' ORDER BY c.row_id LIMIT 1`).Scan(&row, &key)
	if err != nil {
		t.Fatal(err)
	}
	pat := tables["Patient"]
	for i, c := range pat.Spec.Columns {
		if c == "name.family" {
			for _, r := range pat.Rows {
				if r.Cells[1] == key {
					r.Cells[i] = "Renamed"
				}
			}
		}
	}
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exports(tables)})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}

	tr, err := reconcile.TraceRecord(ctx, p, "patients", key)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Row != row || tr.Line == 0 || tr.File == "" || tr.State != "staged" || len(tr.Values) != len(tr.Columns) {
		t.Fatalf("trace %+v", tr)
	}
	if len(tr.Changes) == 0 || tr.Changes[0].OpID == 0 {
		t.Fatalf("cleanse changes: %+v", tr.Changes)
	}
	if len(tr.Mapped) != 1 {
		t.Fatalf("mapped: %+v", tr.Mapped)
	}
	m := tr.Mapped[0]
	if m.Entity != "Patient" || len(m.Attempts) != 1 || m.Attempts[0].Status != "created" || len(m.NewIDs) != 1 ||
		m.NewIDs[0].NewID != ids["Patient"][m.Key] {
		t.Fatalf("load history: %+v", m)
	}
	if !strings.Contains(m.Reconciliation, "changed name.family") || len(m.Diffs) != 1 {
		t.Fatalf("reconciliation: %q", m.Reconciliation)
	}
	text := tr.Text()
	for _, want := range []string{"Record " + key + " of patients", "line ", "by operation", "Mapped as Patient", "run ", "created", "name.family: sent"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}

	// A record merged away in Cleanse says into which.
	cw, err := cleanse.Crosswalk(ctx, p, "patients")
	if err != nil || len(cw) == 0 {
		t.Fatalf("crosswalk %v %v", cw, err)
	}
	// (exact duplicates share their key with the survivor: row:N names the merged row itself)
	tr, err = reconcile.TraceRecord(ctx, p, "patients", fmt.Sprintf("row:%d", cw[0].MergedRow))
	if err != nil {
		t.Fatal(err)
	}
	if tr.State != "merged" || tr.MergedInto == nil || tr.MergedInto.SurvivorKey != cw[0].SurvivorKey || !strings.Contains(tr.Text(), "MERGED") {
		t.Fatalf("merged trace %+v", tr)
	}
	tr, err = reconcile.TraceRecord(ctx, p, "patients", cw[0].SurvivorKey)
	if err != nil || len(tr.Absorbed) == 0 || tr.State != "staged" {
		t.Fatalf("survivor trace %+v %v", tr, err)
	}
	if _, err := reconcile.TraceRecord(ctx, p, "patients", "no-such-key"); !errors.Is(err, reconcile.ErrNoRecord) {
		t.Fatalf("unknown key: %v", err)
	}
}
