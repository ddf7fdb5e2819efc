package mapping_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/importers"
)

// openDentalExport is what Open Dental's User Query export of three tables looks like: small
// integer codes, 0001-01-01 for "no date", 0 for "no provider".
var openDentalExport = map[string]string{
	"patient.csv": "PatNum,LName,FName,MiddleI,Birthdate,Gender,PatStatus,WirelessPhone,Email,Zip,PriProv,EstBalance\n" +
		"1,Smith,Ann,J,1980-04-13,1,0,(617) 555-0101,ann@example.com,02134,1,12.50\n" +
		"2,O'Neill,Sean,,0001-01-01,0,0,(617) 555-0102,sean@example.com,02135,0,0.00\n" +
		"3,Nguyen,Linh,,1975-11-02,1,2,,linh@example.com,02136,2,-5.25\n" +
		"4,Brown,Alex,,0001-01-01,2,5,(617) 555-0104,,02137,1,100.00\n",
	"provider.csv": "ProvNum,Abbr,LName,FName,NationalProvID\n1,DOC1,Jones,Mary,1234567893\n2,HYG1,Lee,Sam,\n",
	"appointment.csv": "AptNum,PatNum,AptStatus,AptDateTime,ProvNum,Note\n" +
		"10,1,1,2026-03-05 09:00:00,1,Cleaning\n11,2,2,2026-02-01 10:30:00,1,\n12,3,5,2026-01-15 14:00:00,2,Broken\n13,4,1,2026-03-06 11:00:00,1,\n",
}

func TestOpenDentalExportAuditsAndMapsWithThePreset(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	ctx := context.Background()
	dir := t.TempDir()
	p, err := project.Create(ctx, filepath.Join(dir, "od.ferry"), project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := plan.Set(ctx, p, "legacy_system", "Open Dental"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"patient.csv", "provider.csv", "appointment.csv"} {
		f := filepath.Join(dir, name)
		os.WriteFile(f, []byte(openDentalExport[name]), 0o644)
		if _, err := importers.ImportFile(ctx, p, f, importers.Options{}, nil); err != nil {
			t.Fatal(err)
		}
	}

	// Audit: placeholders are nulls, codes have meanings, relationships and keys declared.
	rep, err := audit.Run(ctx, p, audit.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pat := rep.Table("patient")
	if bd := pat.Column("Birthdate"); bd.Placeholders["0001-01-01"] != 2 || bd.Nulls != 2 {
		t.Errorf("Birthdate: placeholders %v, nulls %d; want 0001-01-01 ×2 counted as nulls", bd.Placeholders, bd.Nulls)
	}
	if pp := pat.Column("PriProv"); pp.Placeholders["0"] != 1 || pp.Nulls != 1 {
		t.Errorf("PriProv: placeholders %v, nulls %d; want the 0 counted as none", pp.Placeholders, pp.Nulls)
	}
	if g := pat.Column("Gender"); g.Codes["0"] != "Male" || g.Codes["1"] != "Female" || g.Meaning == "" {
		t.Errorf("Gender codes %v meaning %q", g.Codes, g.Meaning)
	}
	if st := pat.Column("PatStatus"); st.Codes["5"] != "Deceased" {
		t.Errorf("PatStatus codes %v", st.Codes)
	}
	if eb := pat.Column("EstBalance"); eb.Type != "money" {
		t.Errorf("EstBalance type %s, want money", eb.Type)
	}
	rels, err := staging.NewStager(p).Relationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rels {
		if r.Confirmed {
			got = append(got, r.String())
		}
	}
	joined := strings.Join(got, "; ")
	for _, want := range []string{"appointment.PatNum", "appointment.ProvNum", "patient.PriProv"} {
		if !strings.Contains(joined, want) {
			t.Errorf("relationship from %s not declared: %s", want, joined)
		}
	}
	if info, _ := staging.NewStager(p).Describe(ctx, "patient"); info.KeyColumn != "PatNum" {
		t.Errorf("patient key = %q", info.KeyColumn)
	}

	// Map onto FHIR R4: the obvious fields and the coded values are suggested with certainty.
	if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
		t.Fatal(err)
	}
	props, err := mapping.New(p).Suggest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]mapping.Proposal{}
	for _, pr := range props {
		byID[pr.ID] = pr
	}
	for id, col := range map[string]string{
		"source:Patient": "patient", "source:Practitioner": "provider", "source:Appointment": "appointment",
		"field:Patient/identifier": "PatNum", "field:Patient/name.family": "LName", "field:Patient/name.given": "FName",
		"field:Patient/birthDate": "Birthdate", "field:Patient/gender": "Gender", "field:Patient/telecom.mobile": "WirelessPhone",
		"field:Patient/telecom.email": "Email", "field:Patient/address.postalCode": "Zip",
		"field:Appointment/participant.patient": "PatNum", "field:Appointment/start": "AptDateTime",
	} {
		pr, ok := byID[id]
		if !ok {
			t.Errorf("%s: no proposal", id)
			continue
		}
		have := pr.Table
		if pr.Kind == mapping.ProposeField {
			have = strings.Join(pr.Sources, "+")
		}
		if have != col || !pr.Certain {
			t.Errorf("%s = %s (certain %v, %s), want %s", id, have, pr.Certain, pr.Reason, col)
		}
	}
	// Gender's codes map to FHIR's values.
	gender := byID["field:Patient/gender"]
	var vm map[string]string
	for _, s := range gender.Steps {
		if s.Op == mapping.OpValueMap {
			vm = s.Map
		}
	}
	if vm["0"] != "male" || vm["1"] != "female" || vm["2"] != "unknown" {
		t.Errorf("gender value map = %v (steps %+v)", vm, gender.Steps)
	}
	// The birth date's 0001-01-01 becomes blank, not the year 1.
	bd := byID["field:Patient/birthDate"]
	chain, err := mapping.Compile(mapping.FieldMap{Field: "birthDate", Sources: bd.Sources, Steps: bd.Steps},
		target.Field{Name: "birthDate", Type: target.Date, Format: "YYYY-MM-DD"}, nil, "US")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"0001-01-01": "", "1980-04-13": "1980-04-13"} {
		if out, cerr := chain.Run([]string{in}); cerr != nil || out != want {
			t.Errorf("birthDate chain on %q = %q, %v; want %q", in, out, cerr, want)
		}
	}
}
