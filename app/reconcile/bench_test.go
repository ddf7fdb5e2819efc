package reconcile

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/importers"
)

// BenchmarkReconcileExport reconciles 1M loaded invoices (FHIR R4 Invoice: ten fields, money,
// references to patients and appointments) against the new system's export of them, a 1M-row
// CSV file: reading the file with the importers, matching every record by its new id,
// comparing every field after normalisation, totalling the money per patient exactly, and
// looking for duplicates and extras. The mapped records are generated in the loop (the Feed's
// own scan of the staged table is the mapping step's cost, measured there).
func BenchmarkReconcileExport(b *testing.B) {
	const n = 1_000_000
	def, err := target.Preset("fhir-r4")
	if err != nil {
		b.Fatal(err)
	}
	ent := def.Entity("Invoice")
	fe := &mapping.FeedEntity{Name: "Invoice", Table: "invoices", Fields: ent.Fields, Key: "identifier"}
	value := func(i int, f target.Field, rec bool) string {
		switch f.Name {
		case "identifier":
			return "INV-" + strconv.Itoa(i)
		case "status":
			return "issued"
		case "subject":
			if rec {
				return "P" + strconv.Itoa(i%50000)
			}
			return "p" + strconv.Itoa(i%50000)
		case "date":
			return "2024-03-" + strconv.Itoa(10+i%18)
		case "totalGross", "totalNet":
			return strconv.Itoa(i%900+10) + "." + strconv.Itoa(10+i%90)
		case "lineItem.chargeItemText":
			return "Check-up and clean"
		}
		return ""
	}
	path := filepath.Join(b.TempDir(), "Invoice.csv")
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(fh)
	w.WriteString("id")
	for _, f := range fe.Fields {
		w.WriteString("," + f.Name)
	}
	w.WriteString("\n")
	for i := 0; i < n; i++ {
		w.WriteString("n" + strconv.Itoa(i))
		for _, f := range fe.Fields {
			w.WriteString("," + value(i, f, false))
		}
		w.WriteString("\n")
	}
	w.Flush()
	fh.Close()
	outcomes := make(map[string]*outcome, n)
	for i := 0; i < n; i++ {
		outcomes["INV-"+strconv.Itoa(i)] = &outcome{status: "created", newID: "n" + strconv.Itoa(i), inCrosswalk: true}
	}
	patients := map[string]string{}
	back := map[string]string{}
	for i := 0; i < 50000; i++ {
		patients["P"+strconv.Itoa(i)] = "p" + strconv.Itoa(i)
		back["p"+strconv.Itoa(i)] = "P" + strconv.Itoa(i)
	}
	newIDOf := map[string]map[string]string{"Patient": patients}
	keyOfNew := map[string]map[string]string{"Patient": back}
	ctx := context.Background()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		var sink staging.MemorySink
		if _, err := importers.Import(ctx, path, importers.Options{}, &sink, nil); err != nil {
			b.Fatal(err)
		}
		rb, err := fromExport(Export{Name: "Invoice.csv", Table: sink.Tables[0]}, fe, "")
		if err != nil {
			b.Fatal(err)
		}
		ec := newEntityCheck(fe, &def, rb, outcomes, newIDOf, keyOfNew, Options{}, "US")
		var er EntityResult
		vals := make([]string, len(fe.Fields))
		for i := 0; i < n; i++ {
			for j, f := range fe.Fields {
				vals[j] = value(i, f, true)
			}
			ec.record(mapping.Record{Entity: "Invoice", Row: int64(i + 1), Key: vals[0], Values: vals}, &er)
		}
		ec.finish(&er)
		if er.Matched != n || len(ec.diffs) != 0 || ec.sums[0].result(true).Equal != true {
			b.Fatalf("%d matched, %d diffs: %v", er.Matched, len(ec.diffs), ec.diffs[:min(3, len(ec.diffs))])
		}
	}
	b.ReportMetric(float64(n), "records/op")
	_ = fmt.Sprint
}
