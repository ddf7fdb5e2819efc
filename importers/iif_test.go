package importers

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/staging"
)

// quickBooksIIF is laid out as QuickBooks Desktop exports a ledger: an account list, then
// transactions with their splits.
const quickBooksIIF = "!ACCNT\tNAME\tACCNTTYPE\tDESC\r\n" +
	"ACCNT\tChecking\tBANK\t\"Main, operating\"\r\n" +
	"ACCNT\tPatient Fees\tINC\t\r\n" +
	"!TRNS\tTRNSID\tTRNSTYPE\tDATE\tACCNT\tNAME\tAMOUNT\tMEMO\r\n" +
	"!SPL\tSPLID\tTRNSTYPE\tDATE\tACCNT\tNAME\tAMOUNT\tMEMO\r\n" +
	"!ENDTRNS\r\n" +
	"TRNS\t\tDEPOSIT\t03/05/2024\tChecking\tSmith, Ann\t150.00\tVisit\r\n" +
	"SPL\t\tDEPOSIT\t03/05/2024\tPatient Fees\tSmith, Ann\t-100.00\tExam\r\n" +
	"SPL\t\tDEPOSIT\t03/05/2024\tPatient Fees\tSmith, Ann\t-50.00\tX-ray\r\n" +
	"ENDTRNS\r\n" +
	"TRNS\t\tDEPOSIT\t03/06/2024\tChecking\tO'Neill\t80.00\t\r\n" +
	"SPL\t\tDEPOSIT\t03/06/2024\tPatient Fees\tO'Neill\t-80.00\tCaf\xe9\r\n" +
	"ENDTRNS\r\n"

func TestIIFStagesOneTablePerRecordTypeWithTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.iif")
	os.WriteFile(path, []byte(quickBooksIIF), 0o644)
	if imp, err := Detect(path); err != nil || imp.Format() != "iif" {
		t.Fatalf("Detect = %v, %v", imp, err)
	}
	sink, err := importForTest(t, iifImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range sink.Tables {
		names = append(names, tb.Spec.Name)
	}
	if !reflect.DeepEqual(names, []string{"ACCNT", "TRNS", "SPL"}) {
		t.Fatalf("tables = %v", names)
	}
	acc := sink.Find("ACCNT")
	if !reflect.DeepEqual(acc.Spec.Columns, []string{"NAME", "ACCNTTYPE", "DESC"}) ||
		!reflect.DeepEqual(acc.Rows[0].Cells, []string{"Checking", "BANK", "Main, operating"}) || acc.Rows[1].Line != 3 {
		t.Errorf("ACCNT = %+v", acc)
	}
	trns := sink.Find("TRNS")
	if trns.Spec.Columns[0] != iifTransCol || len(trns.Rows) != 2 || trns.Rows[1].Cells[0] != "2" || trns.Rows[1].Cells[5] != "O'Neill" {
		t.Errorf("TRNS = %+v", trns)
	}
	spl := sink.Find("SPL")
	var ids []string
	for _, r := range spl.Rows {
		ids = append(ids, r.Cells[0])
	}
	if !reflect.DeepEqual(ids, []string{"1", "1", "2"}) {
		t.Errorf("SPL transaction ids = %v", ids)
	}
	if got := spl.Rows[2].Cells[7]; got != "Café" || spl.Spec.Source.Encoding != "windows-1252" {
		t.Errorf("Windows-1252 memo = %q (%s)", got, spl.Spec.Source.Encoding)
	}
	if !hasIssue(acc.Issues, "encoding") {
		t.Errorf("no encoding note: %+v", acc.Issues)
	}
}

func TestIIFOddFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.iif")
	os.WriteFile(path, []byte("SPL\tx\ty\n!CUST\tNAME\nCUST\tAnn\textra\n"), 0o644)
	sink, err := importForTest(t, iifImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	spl := sink.Find("SPL")
	if spl == nil || !hasIssue(spl.Issues, "no_header") || !hasIssue(spl.Issues, "orphan_split") || spl.Rows[0].Cells[0] != "" {
		t.Errorf("SPL = %+v", spl)
	}
	cust := sink.Find("CUST")
	if cust == nil || cust.Rows[0].Flags&staging.FlagExtraCells == 0 || !reflect.DeepEqual(cust.Rows[0].Overflow, []string{"extra"}) {
		t.Errorf("CUST = %+v", cust)
	}
	os.WriteFile(path, []byte("!TRNS\tA\n!ENDTRNS\n"), 0o644)
	if _, err := importForTest(t, iifImporter{}, path, Options{}); err == nil || !strings.Contains(err.Error(), "odd.iif") {
		t.Errorf("headers only: %v", err)
	}
}

func FuzzIIF(f *testing.F) {
	f.Add([]byte(quickBooksIIF))
	f.Add([]byte("!TRNS\tA\tB\rTRNS\t1\r\rSPL\t\"q\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.iif")
		os.WriteFile(path, data, 0o644)
		sink, err := importForTest(t, iifImporter{}, path, Options{})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.iif") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, tb := range sink.Tables {
			for _, r := range tb.Rows {
				if len(r.Cells) > len(tb.Spec.Columns) {
					t.Fatalf("%s: %d cells for %d columns", tb.Spec.Name, len(r.Cells), len(tb.Spec.Columns))
				}
			}
		}
	})
}
