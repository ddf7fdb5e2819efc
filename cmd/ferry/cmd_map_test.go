package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/mapping"
)

func mapDemoProject(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.ferry")
	if code, _, errb := ferry(t, "new", "--demo", path, "--user", "Dana"); code != 0 {
		t.Fatalf("new --demo: %d %s", code, errb)
	}
	return path
}

func TestMapWrongCallsExit2(t *testing.T) {
	path := mapDemoProject(t)
	for _, args := range [][]string{
		{"map"},
		{"map", path, path},
		{"map", path, "--suggest", "--validate"},
		{"map", path, "--export", "a.json", "--apply", "b.json"},
		{"map", path, "--entity", "Patients"},
		{"map", path, "--frobnicate"},
	} {
		if code, _, errb := ferry(t, args...); code != 2 || !strings.Contains(errb, "Usage: ferry map") {
			t.Errorf("ferry %v: exit %d, %s", args[1:], code, errb)
		}
	}
}

func TestMapSuggestValidateExportApply(t *testing.T) {
	path := mapDemoProject(t)
	code, _, errb := ferry(t, "map", path)
	if code != 1 || !strings.Contains(errb, "no target yet") {
		t.Errorf("map without a target: %d %s", code, errb)
	}
	if code, _, errb := ferry(t, "map", path, "--target", "hl7-v2"); code != 1 || !strings.Contains(errb, "fhir-r4, generic") {
		t.Errorf("an unknown target: %d %s", code, errb)
	}

	code, out, errb := ferry(t, "map", path, "--target", "fhir-r4", "--suggest")
	if code != 0 || !strings.Contains(out, "Applied") || !strings.Contains(out, "Patient.birthDate") ||
		!strings.Contains(out, "Appointment.status: 15 of 106 values (131 rows)") || !strings.Contains(out, "Invoice.status is required and not mapped") {
		t.Fatalf("--suggest: %d\n%s%s", code, out, errb)
	}

	// Validation with errors exits 1, after printing the counts.
	code, out, errb = ferry(t, "map", path, "--validate")
	if code != 1 || !strings.Contains(out, "ambiguous_date") || !strings.Contains(out, "665") ||
		!strings.Contains(errb, "validation found errors") {
		t.Errorf("--validate: %d\n%s%s", code, out, errb)
	}
	code, out, _ = ferry(t, "map", path, "--validate", "--json")
	var rep mapping.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Errors == 0 || rep.TargetVersion != 1 {
		t.Errorf("--validate --json: %d %v %+v", code, err, rep.Errors)
	}

	// A template: applied, exported, and applied again to a project that lacks a column.
	code, out, errb = ferry(t, "map", path, "--apply", filepath.Join("..", "..", "assets", "maps", "demo-fhir-r4.json"))
	if code != 0 || !strings.Contains(out, "Applied demo-fhir-r4.json to target fhir-r4") || strings.Contains(out, "Did not fit") {
		t.Errorf("--apply: %d\n%s%s", code, out, errb)
	}
	export := filepath.Join(t.TempDir(), "harbour-view.json")
	code, out, errb = ferry(t, "map", path, "--export", export)
	if code != 0 || !strings.Contains(out, "6 entities") {
		t.Fatalf("--export: %d\n%s%s", code, out, errb)
	}
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mapping.ReadTemplate(f)
	f.Close()
	if err != nil || len(tpl.Entities) != 6 {
		t.Fatalf("the exported template: %v", err)
	}
	code, out, _ = ferry(t, "map", path)
	if code != 0 || !strings.Contains(out, "Target fhir-r4 (FHIR R4), version 1") || !strings.Contains(out, "validation of fhir-r4 version 1") {
		t.Errorf("summary: %d\n%s", code, out)
	}

	other := filepath.Join(t.TempDir(), "other.ferry")
	if code, _, errb := ferry(t, "new", other); code != 0 {
		t.Fatal(errb)
	}
	csv := filepath.Join(t.TempDir(), "patients.csv")
	os.WriteFile(csv, []byte("PatientID,LastName,FirstName,BirthDate\r\n1,Lee,Ann,1980-02-01\r\n"), 0o644)
	if code, _, errb := ferry(t, "import", other, csv); code != 0 {
		t.Fatal(errb)
	}
	code, out, errb = ferry(t, "map", other, "--apply", export)
	if code != 0 || !strings.Contains(out, "Did not fit") || !strings.Contains(out, "missing_column") ||
		!strings.Contains(out, "patients has no column Email") || !strings.Contains(out, "no staged table appointments") {
		t.Errorf("--apply to another practice: %d\n%s%s", code, out, errb)
	}
}

func TestMapBuildsTheTargetFromAVendorTemplate(t *testing.T) {
	path := mapDemoProject(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "Patient import.csv")
	os.WriteFile(csv, []byte("External ID*,First Name,Last Name,DOB,Gender,Cell Phone,E-mail\r\n"+
		"required,required,required,DD/MM/YYYY,Male/Female/Other,,\r\n"+
		"12345,Ann,Lee,01/02/1980,Female,0412 345 678,ann@example.com\r\n"), 0o644)
	code, out, errb := ferry(t, "map", path, "--template-file", csv, "--entity", "Patients")
	if code != 0 || !strings.Contains(out, "Entity Patients from Patient import.csv: 7 fields (3 required, 1 hint rows read)") {
		t.Fatalf("--template-file csv: %d\n%s%s", code, out, errb)
	}

	book := filepath.Join(dir, "vendor.xlsx")
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "Appointments")
	x.SetSheetRow("Appointments", "A1", &[]any{"Appointment ID", "Patient External ID", "Start (YYYY-MM-DD hh:mm)", "Status"})
	x.SetSheetRow("Appointments", "A2", &[]any{"required", "required", "required", "one of: Booked, Done, DNA, Cancelled"})
	if err := x.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	code, out, errb = ferry(t, "map", path, "--template-file", book, "--suggest")
	if code != 0 || !strings.Contains(out, "Entity Appointments from vendor.xlsx: 4 fields (3 required") {
		t.Fatalf("--template-file xlsx: %d\n%s%s", code, out, errb)
	}
	code, out, _ = ferry(t, "map", path, "--json")
	var sum struct {
		Overview mapping.Overview `json:"overview"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 0 {
		t.Fatalf("summary json: %d %v\n%s", code, err, out)
	}
	if sum.Overview.Target.Name != "vendor" || len(sum.Overview.Target.Entities) != 2 {
		t.Fatalf("vendor target: %+v", sum.Overview.Target.Name)
	}
	for _, e := range sum.Overview.Entities {
		if e.Entity.Name == "Appointments" {
			if f := e.Entity.Field("Patient External ID"); f == nil || f.Type != "reference" || f.References != "Patients" {
				t.Errorf("the patient column of appointments: %+v", f)
			}
			if e.Map.Table != "appointments" || e.Map.Field("Start") == nil || len(e.Map.Field("Start").Sources) != 2 {
				t.Errorf("suggested map of vendor Appointments: %+v", e.Map)
			}
		}
		if e.Entity.Name == "Patients" {
			if e.Map.Table != "patients" || e.Map.Field("First Name") == nil || e.Map.Field("DOB") == nil {
				t.Errorf("suggested map of vendor Patients: %+v", e.Map)
			}
		}
	}
}
