package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAuditDemoPrintsSummaryJSONAndWorkbook(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "demo.ferry")
	if code, out, errb := ferry(t, "new", proj, "--demo", "--user", "Tess"); code != 0 {
		t.Fatalf("new --demo: %d %s %s", code, out, errb)
	}
	book := filepath.Join(t.TempDir(), "audit.xlsx")
	code, out, errb := ferry(t, "audit", proj, "--today", "2026-06-30", "--xlsx", book, "--user", "Tess")
	if code != 0 {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{"Audit of demo: 6 tables, 4,478 rows", "TABLE", "appointments", "Errors:",
		"patients.PatientID", "duplicate_key", "11 rows in patients reuse a PatientID",
		"appointments.Status", "picklist_freetext", "Money totals (exact):", "104517.90", "Workbook written to"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}

	code, out, errb = ferry(t, "audit", proj, "--json", "--last")
	if code != 0 {
		t.Fatalf("audit --json --last: exit %d %s", code, errb)
	}
	var rep struct {
		Tables []struct {
			Name    string `json:"name"`
			Rows    int64  `json:"rows"`
			Columns []struct {
				Name      string `json:"name"`
				Type      string `json:"type"`
				Nulls     *int64 `json:"nulls"`
				Distinct  *int64 `json:"distinct"`
				DateOrder string `json:"date_order"`
			} `json:"columns"`
		} `json:"tables"`
		Findings []struct {
			Kind   string `json:"kind"`
			Table  string `json:"table"`
			Column string `json:"column"`
			Count  int64  `json:"count"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	orders := map[string]string{}
	types := map[string]string{}
	for _, tb := range rep.Tables {
		if tb.Rows == 0 || len(tb.Columns) == 0 {
			t.Errorf("table %s: %d rows, %d columns", tb.Name, tb.Rows, len(tb.Columns))
		}
		for _, c := range tb.Columns {
			if c.Nulls == nil || c.Distinct == nil || c.Type == "" {
				t.Errorf("%s.%s lacks type, nulls or distinct", tb.Name, c.Name)
			}
			orders[tb.Name+"."+c.Name] = c.DateOrder
			types[tb.Name+"."+c.Name] = c.Type
		}
	}
	for col, want := range map[string]string{"appointments.Date": "DMY", "patients.BirthDate": "MDY", "invoices.Date": "YMD", "patients.Phone": ""} {
		if orders[col] != want {
			t.Errorf("%s: date_order %q, want %q", col, orders[col], want)
		}
	}
	for col, want := range map[string]string{"patients.Phone": "phone", "patients.Email": "email", "patients.Zip": "postcode",
		"invoices.Amount": "money", "patients.BirthDate": "date", "appointments.Status": "pick-list", "patients.PatientID": "identifier"} {
		if types[col] != want {
			t.Errorf("%s: type %q, want %q", col, types[col], want)
		}
	}
	found := map[string]int64{}
	for _, f := range rep.Findings {
		found[f.Kind+" "+f.Table+"."+f.Column] = f.Count
	}
	for k, want := range map[string]int64{"duplicate_exact patients.": 10, "orphan appointments.PatientID": 5, "placeholder patients.BirthDate": 11} {
		if found[k] != want {
			t.Errorf("%s: %d, want %d", k, found[k], want)
		}
	}

	x, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := strings.Join(x.GetSheetList(), ",")
	if sheets != "Summary,Findings,patients,providers,appointments,invoices,payments,recalls" {
		t.Errorf("sheets %s", sheets)
	}
	rows, _ := x.GetRows("Findings")
	if len(rows) != len(rep.Findings)+1 || rows[0][1] != "Kind" {
		t.Errorf("Findings sheet: %d rows, header %v", len(rows), rows[0])
	}
}

func TestAuditWrongCalls(t *testing.T) {
	proj := newTestProject(t)
	for _, args := range [][]string{{"audit"}, {"audit", proj, proj}, {"audit", proj, "--today", "30/06/2026"}} {
		if code, _, errb := ferry(t, args...); code != 2 || !strings.Contains(errb, "sage") {
			t.Errorf("ferry %v: exit %d %s", args, code, errb)
		}
	}
	code, _, errb := ferry(t, "audit", proj, "--last")
	if code != 1 || !strings.Contains(errb, "not been audited yet") {
		t.Errorf("audit --last before any run: exit %d %s", code, errb)
	}
	code, out, errb := ferry(t, "audit", proj)
	if code != 0 || !strings.Contains(out, "Nothing is staged yet") {
		t.Errorf("audit of an empty project: exit %d %s %s", code, out, errb)
	}
}
