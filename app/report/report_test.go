package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/report"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/internal/reconciletest"
)

// A reconciliation with a changed family name (to a formula), a changed amount and a missing
// appointment, exported both ways.
func reconciled(t *testing.T) (*reconcile.Result, func(redact bool) *report.Pack, *project.Project) {
	ctx := context.Background()
	p := reconciletest.ReadyDemo(t)
	ids := reconciletest.FakeLoad(t, p, reconciletest.AllCreated)
	tables := reconciletest.ExportOf(t, p, ids)
	set := func(mt *staging.MemoryTable, row int, col, v string) string {
		for i, c := range mt.Spec.Columns {
			if c == col {
				old := mt.Rows[row].Cells[i]
				mt.Rows[row].Cells[i] = v
				return old
			}
		}
		t.Fatalf("no column %s", col)
		return ""
	}
	set(tables["Patient"], 5, "name.family", `=HYPERLINK("http://evil.example","click")`)
	set(tables["Invoice"], 2, "totalGross", "0.01")
	tables["Appointment"].Rows = tables["Appointment"].Rows[1:]
	var exs []reconcile.Export
	for n, mt := range tables {
		exs = append(exs, reconcile.Export{Name: n + ".csv", Table: mt})
	}
	if _, err := audit.Run(ctx, p, audit.Options{}, nil); err != nil { // "now", after Cleanse
		t.Fatal(err)
	}
	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exs})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Save(ctx, p, res); err != nil {
		t.Fatal(err)
	}
	if res.Differences != 3 {
		t.Fatalf("%d differences: %+v", res.Differences, res.Diffs)
	}
	return res, func(redact bool) *report.Pack {
		pk, err := report.Build(ctx, p, res, report.Options{Redact: redact})
		if err != nil {
			t.Fatal(err)
		}
		return pk
	}, p
}

func TestTheWorkbookHasEverySheetAndNoFormulaSurvives(t *testing.T) {
	res, build, _ := reconciled(t)
	var buf bytes.Buffer
	if err := build(false).WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := strings.Join(f.GetSheetList(), "|")
	for _, want := range []string{"Summary", "Patient", "Appointment", "Invoice", "Differences", "Purges", "Merges", "Results", "Checklist", "Custody log"} {
		if !strings.Contains(sheets, want) {
			t.Errorf("no sheet %s in %s", want, sheets)
		}
	}
	rows, err := f.GetRows("Differences")
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, r := range rows {
		all += strings.Join(r, "\t") + "\n"
	}
	if !strings.Contains(all, `'=HYPERLINK`) {
		t.Errorf("the formula was not neutralised:\n%s", all)
	}
	for _, r := range rows[1:] {
		for _, c := range r {
			if strings.HasPrefix(c, "=") || strings.HasPrefix(c, "@") || strings.HasPrefix(c, "+") {
				t.Errorf("a cell begins with a formula character: %q", c)
			}
		}
	}
	// The per-patient money difference is listed, and the summary's verdict is the result's.
	if !strings.Contains(all, "money per subject") {
		t.Errorf("no per-account difference:\n%s", all)
	}
	sum, _ := f.GetCellValue("Summary", "B2")
	if sum != res.Verdict {
		t.Errorf("summary verdict %q", sum)
	}
	formulas := 0
	for _, sh := range f.GetSheetList() {
		rs, _ := f.GetRows(sh)
		for i, r := range rs {
			for j := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
					formulas++
				}
			}
		}
	}
	if formulas != 0 {
		t.Errorf("%d formulas in the workbook", formulas)
	}
	purges, _ := f.GetRows("Purges")
	merges, _ := f.GetRows("Merges")
	if len(purges) < 2 || len(merges) < 2 {
		t.Errorf("purges %d rows, merges %d rows", len(purges), len(merges))
	}
}

func TestRedactionRemovesNamesAndContactDetails(t *testing.T) {
	_, build, _ := reconciled(t)
	var buf bytes.Buffer
	if err := build(true).WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Differences")
	found := false
	for _, r := range rows {
		line := strings.Join(r, "\t")
		if strings.Contains(line, "HYPERLINK") {
			t.Errorf("a family name survived redaction: %s", line)
		}
		if strings.Contains(line, "name.family") && strings.Contains(line, report.Redaction) {
			found = true
		}
	}
	if !found {
		t.Error("the changed name is not shown as redacted")
	}
}

func TestThePDFPackIsWrittenAndTheExportIsInTheCustodyLog(t *testing.T) {
	res, build, p := reconciled(t)
	var buf bytes.Buffer
	if err := build(false).WritePDF(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || buf.Len() < 3000 {
		t.Fatalf("not a PDF: %d bytes", buf.Len())
	}
	if dir := os.Getenv("FERRY_REPORT_OUT"); dir != "" { // for looking at it: pdftoppm -png
		_ = os.WriteFile(filepath.Join(dir, "signoff.pdf"), buf.Bytes(), 0o644)
		var x bytes.Buffer
		_ = build(false).WriteXLSX(&x)
		_ = os.WriteFile(filepath.Join(dir, "report.xlsx"), x.Bytes(), 0o644)
	}
	path := filepath.Join(t.TempDir(), "pack.pdf")
	sum, logged, err := report.Export(context.Background(), p, res, path, report.Options{Redact: true})
	if err != nil || !logged {
		t.Fatalf("export: %v (logged %v)", err, logged)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	if hex.EncodeToString(h[:]) != sum {
		t.Fatal("the SHA-256 returned is not the file's")
	}
	var action, inputs string
	if err := p.Reader().QueryRow(`SELECT action, inputs FROM ferry_custody ORDER BY seq DESC LIMIT 1`).Scan(&action, &inputs); err != nil {
		t.Fatal(err)
	}
	if action != "report.export" || !strings.Contains(inputs, sum) {
		t.Fatalf("custody: %s %s", action, inputs)
	}
	if _, _, err := report.Export(context.Background(), p, res, filepath.Join(t.TempDir(), "pack.docx"), report.Options{}); err == nil {
		t.Fatal("a .docx report was accepted")
	}
}
