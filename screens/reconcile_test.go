package screens

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

// reconcileScreen opens the Reconcile & report step on a loaded demo whose new system lost one
// appointment and changed one invoice.
func reconcileScreen(t *testing.T, readOnly bool) (*ReconcileStep, fyne.Window, *project.Project) {
	t.Helper()
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	tables["Appointment"].Rows = tables["Appointment"].Rows[1:]
	inv := tables["Invoice"]
	for i, c := range inv.Spec.Columns {
		if c == "totalGross" {
			inv.Rows[0].Cells[i] = "1.00"
		}
	}
	var exs []reconcile.Export
	for n, mt := range tables {
		exs = append(exs, reconcile.Export{Name: n + ".csv", Table: mt})
	}
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exs})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}
	if readOnly {
		path := p.Path
		p.Close()
		if p, err = project.Open(ctx, path, project.Options{ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
	}
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	w := test.NewTempWindow(t, nil)
	sh := NewShell(w, p, NewFynePicker(w), func() {}, func() {})
	t.Cleanup(sh.Close)
	step := NewReconcileStep(w, sh)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	rs := findReconcile(step)
	settleUntil(t, func() bool { return rs.Result() != nil })
	settle(t)
	return rs, w, p
}

func findReconcile(o fyne.CanvasObject) *ReconcileStep { return reconcileOf[o] }

func TestReconcileShowsTheVerdictFirstAndListsTheDifferences(t *testing.T) {
	s, w, p := reconcileScreen(t, false)
	if s.verdict.Text() != "2 differences" {
		t.Fatalf("verdict %q", s.verdict.Text())
	}
	if s.grid.Source().RowCount() != 2 || !hasText(w.Content(), "2 records with a difference") {
		t.Fatalf("differences listed: %d", s.grid.Source().RowCount())
	}
	if !hasText(w.Content(), "Invoice.totalGross") || !hasText(w.Content(), "DIFFERS") {
		t.Error("the money totals do not show the invoice's difference")
	}
	// Drill down from the waterfall: the appointments loaded.
	s.show.SetSelected("Appointment: loaded")
	settleUntil(t, func() bool { return s.grid.Source().RowCount() > 2 })
	var staged int64
	if err := p.Reader().QueryRow(`SELECT count(*) FROM ` + staging.QuoteIdent("appointments")).Scan(&staged); err != nil {
		t.Fatal(err)
	}
	if s.grid.Source().RowCount() != staged {
		t.Fatalf("%d appointments listed, %d staged and loaded", s.grid.Source().RowCount(), staged)
	}
	// Export the sign-off pack.
	out := filepath.Join(t.TempDir(), "pack.pdf")
	s.Export(out)
	settleUntil(t, func() bool { return s.notice.Visible() })
	if st, err := os.Stat(out); err != nil || st.Size() < 2000 || !hasText(w.Content(), "custody log") {
		t.Fatalf("export: %v", err)
	}
	if findButton(t, w.Content(), "Reconcile now") == nil {
		t.Fatal("no Reconcile now")
	}
}

func TestTheOwnersViewOnlyReconcileChangesNothing(t *testing.T) {
	s, w, _ := reconcileScreen(t, true)
	if s.runBtn.Visible() || s.readBtn.Visible() {
		t.Fatal("view only offers to reconcile")
	}
	if s.xlsxBtn.Disabled() || s.pdfBtn.Disabled() {
		t.Fatal("view only cannot export the report")
	}
	s.Run(nil) // does nothing in view-only mode
	settle(t)
	if s.verdict.Text() != "2 differences" || !hasText(w.Content(), "Trace a record") {
		t.Fatalf("verdict %q", s.verdict.Text())
	}
}
