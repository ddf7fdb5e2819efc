package reconcile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

func exports(tables map[string]*staging.MemoryTable) []reconcile.Export {
	var out []reconcile.Export
	for name, t := range tables {
		out = append(out, reconcile.Export{Name: name + ".csv", SHA256: strings.Repeat("ab", 32), Table: t})
	}
	return out
}

func TestACleanLoadReadBackFromAnExportReconcilesWithZeroDifferences(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exports(reconciletest.ExportOf(t, p, ids))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Differences != 0 || len(res.Diffs) != 0 {
		t.Fatalf("%d differences, first: %+v", res.Differences, res.Diffs[:min(3, len(res.Diffs))])
	}
	if res.Source != reconcile.SourceExport || res.Reconciled != res.Records || res.Records == 0 {
		t.Fatalf("source %s, %d of %d reconciled", res.Source, res.Reconciled, res.Records)
	}
	if !strings.HasPrefix(res.Verdict, "All ") || !strings.HasSuffix(res.Verdict, " records reconciled") {
		t.Fatalf("verdict %q", res.Verdict)
	}
	var purged, merged int64
	for _, e := range res.Entities {
		if !e.AddsUp() {
			t.Errorf("%s does not add up: %+v", e.Entity, e)
		}
		var rows int64
		tb := e.Table
		if err := p.Reader().QueryRow(`SELECT count(*) FROM ` + staging.QuoteIdent(tb)).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if e.Staged != rows || e.Loaded != rows || e.Matched != rows || !e.ReadBack {
			t.Errorf("%s: staged %d loaded %d matched %d of %d rows", e.Entity, e.Staged, e.Loaded, e.Matched, rows)
		}
		purged += e.PurgedN
		merged += e.Merged
	}
	// The demo's cleanse purges test patients and orphans and merges duplicate patients: the
	// waterfall starts from every row imported.
	if purged == 0 || merged == 0 {
		t.Errorf("purged %d, merged %d: the demo's cleanse took rows out", purged, merged)
	}
	var money int
	for _, s := range res.Sums {
		money++
		if !s.Equal || s.Legacy != s.New || s.Diff != "0.00" || len(s.Accounts) != 0 || s.By == "" {
			t.Errorf("sum %+v", s)
		}
	}
	if money < 2 {
		t.Errorf("money fields summed: %d (Invoice.totalGross, PaymentReconciliation.paymentAmount …)", money)
	}

	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}
	back, err := reconcile.Latest(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != res.ID || back.Verdict != res.Verdict || len(back.Entities) != len(res.Entities) {
		t.Fatalf("read back %+v", back)
	}
	steps, err := wizard.Steps(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.ID == wizard.Reconcile && (s.State != wizard.Done || !strings.Contains(s.Detail, "reconciled")) {
			t.Errorf("status %v %q", s.State, s.Detail)
		}
	}
}

// The "done means", on the export path: a deleted record, a changed field and
// a duplicate created in the new system are exactly the differences reported; an extra record
// that never came from Ferry is a fourth.
func TestMissingChangedDuplicateAndExtraRecordsAreExactlyTheDifferences(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	pat := tables["Patient"]
	col := map[string]int{}
	for i, c := range pat.Spec.Columns {
		col[c] = i
	}
	deleted := pat.Rows[3].Cells[col["identifier"]]
	changed := pat.Rows[10].Cells[col["identifier"]]
	dupOf := pat.Rows[20].Cells[col["identifier"]]
	oldFamily := pat.Rows[10].Cells[col["name.family"]]
	pat.Rows[10].Cells[col["name.family"]] = "Changed-After-Load"
	dup := append([]string(nil), pat.Rows[20].Cells...)
	dup[col["id"]] = "typed-in-by-hand"
	pat.Rows = append(pat.Rows[:3], pat.Rows[4:]...)
	pat.Rows = append(pat.Rows, staging.Row{Line: 9999, Cells: dup})

	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exports(tables)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Differences != 3 || len(res.Diffs) != 3 {
		t.Fatalf("%d differences: %+v", res.Differences, res.Diffs)
	}
	want := map[string]string{reconcile.KindMissing: deleted, reconcile.KindChanged: changed, reconcile.KindDuplicate: dupOf}
	for _, d := range res.Diffs {
		if d.Entity != "Patient" || want[d.Kind] != d.Key {
			t.Errorf("unexpected %+v", d)
		}
		if d.Kind == reconcile.KindChanged && (d.Field != "name.family" || d.Sent != oldFamily || d.Found != "Changed-After-Load") {
			t.Errorf("changed field %+v", d)
		}
		if d.Kind == reconcile.KindDuplicate && d.NewID != "typed-in-by-hand" {
			t.Errorf("duplicate %+v", d)
		}
	}
	if res.Verdict != "3 differences" {
		t.Errorf("verdict %q", res.Verdict)
	}

	// An extra record nobody loaded.
	extra := make([]string, len(pat.Spec.Columns))
	extra[col["id"]], extra[col["identifier"]], extra[col["name.family"]] = "walk-in", "NEW-1", "Walk-in"
	pat.Rows = append(pat.Rows, staging.Row{Line: 10000, Cells: extra})
	res, err = reconcile.Run(ctx, p, reconcile.Options{Exports: exports(tables)})
	if err != nil {
		t.Fatal(err)
	}
	if res.ByKind[reconcile.KindExtra] != 1 || res.Differences != 4 {
		t.Fatalf("with an extra record: %v", res.ByKind)
	}
}

func TestFormattingTheTargetAppliesIsNoDifference(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	pat := tables["Patient"]
	col := map[string]int{}
	for i, c := range pat.Spec.Columns {
		col[c] = i
	}
	// The new system writes phones nationally, dates with a time, e-mails in capitals, and
	// pads names with spaces; and its export names columns by label in capitals.
	reformatted := 0
	for i := range pat.Rows {
		c := pat.Rows[i].Cells
		if v := c[col["telecom.phone"]]; strings.HasPrefix(v, "+1") && len(v) == 12 {
			c[col["telecom.phone"]] = "(" + v[2:5] + ") " + v[5:8] + "-" + v[8:]
			reformatted++
		}
		if v := c[col["birthDate"]]; v != "" {
			c[col["birthDate"]] = v + " 00:00:00.000Z"
		}
		c[col["telecom.email"]] = strings.ToUpper(c[col["telecom.email"]])
		c[col["name.family"]] = "  " + c[col["name.family"]] + " "
	}
	if reformatted == 0 {
		t.Fatal("no phone to reformat")
	}
	pat.Spec.Columns[col["name.family"]] = "NAME FAMILY"
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exports(tables)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Differences != 0 {
		t.Fatalf("false alarms: %+v", res.Diffs[:min(5, len(res.Diffs))])
	}
	// A person who says phones must match byte for byte gets every reformatted one.
	res, err = reconcile.Run(ctx, p, reconcile.Options{Exports: exports(tables),
		Normalise: map[string][]string{"Patient.telecom.phone": {"none"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ByKind[reconcile.KindChanged] != reformatted {
		t.Fatalf("with exact phones: %v, want %d changed", res.ByKind, reformatted)
	}
	if _, err := reconcile.Run(ctx, p, reconcile.Options{Normalise: map[string][]string{"Patient.gender": {"soundex"}}}); err == nil {
		t.Fatal("an unknown normalisation was accepted")
	}
}

func TestTheWaterfallCountsRejectedFailedInvalidAndUnsentRecordsAndListsThem(t *testing.T) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	n := 0
	reconciletest.FakeLoad(t, p, func(r mapping.Record) string {
		if r.Entity != "Appointment" {
			return "created"
		}
		n++
		switch n % 10 {
		case 1:
			return "rejected"
		case 2:
			return "failed"
		case 3:
			return "" // not in the run: still missing
		case 4:
			return "invalid"
		}
		return "created"
	})
	res, err := reconcile.Run(ctx, p, reconcile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != reconcile.SourceLog || !strings.Contains(res.Verdict, "differences") {
		t.Fatalf("source %s verdict %q", res.Source, res.Verdict)
	}
	var ap reconcile.EntityResult
	for _, e := range res.Entities {
		if e.Entity == "Appointment" {
			ap = e
		}
		if !e.AddsUp() {
			t.Errorf("%s does not add up: %+v", e.Entity, e)
		}
	}
	count := func(k int) int64 {
		var c int64
		for i := 1; i <= n; i++ {
			if i%10 == k {
				c++
			}
		}
		return c
	}
	if ap.Rejected != count(1) || ap.Failed != count(2) || ap.Missing != count(3) || ap.Invalid != count(4) || ap.Staged != int64(n) {
		t.Fatalf("appointments %+v", ap)
	}
	if res.ByKind[reconcile.KindNotLoaded] != int(count(1)+count(2)+count(3)+count(4)) {
		t.Fatalf("not loaded %v", res.ByKind)
	}
	for stage, want := range map[string]int64{reconcile.StageRejected: ap.Rejected, reconcile.StageFailed: ap.Failed,
		reconcile.StageMissing: ap.Missing, reconcile.StageLoaded: ap.Loaded, reconcile.StageImported: ap.Imported, reconcile.StagePurged: ap.PurgedN} {
		refs, err := reconcile.Records(ctx, p, "Appointment", stage)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(refs)) != want {
			t.Errorf("%s: %d records listed, the waterfall says %d", stage, len(refs), want)
		}
		for _, r := range refs {
			if r.Key == "" || (stage != reconcile.StageImported && r.Stage != stage) {
				t.Errorf("%s: %+v", stage, r)
				break
			}
		}
	}
	if _, err := reconcile.Latest(ctx, p); !errors.Is(err, reconcile.ErrNoReconciliation) {
		t.Fatalf("latest before any save: %v", err)
	}
}
