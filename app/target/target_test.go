package target_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

func TestPresetsAreValidAndSayWhatFHIRSays(t *testing.T) {
	ps, err := target.Presets()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "cliniko,clio,fhir-r4,generic,medplum,nookal,openemr" {
		t.Fatalf("presets: %v", names)
	}
	fhir, err := target.Preset("fhir-r4")
	if err != nil {
		t.Fatal(err)
	}
	appt := fhir.Entity("Appointment")
	if appt == nil {
		t.Fatal("no Appointment")
	}
	if got := strings.Join(appt.Field("status").Values, ","); got != "proposed,pending,booked,arrived,fulfilled,cancelled,noshow,entered-in-error,checked-in,waitlist" {
		t.Errorf("Appointment.status: %s", got)
	}
	pat := fhir.Entity("Patient")
	if got := strings.Join(pat.Field("gender").Values, ","); got != "male,female,other,unknown" {
		t.Errorf("Patient.gender: %s", got)
	}
	if f := pat.Field("birthDate"); f.Type != target.Date || f.EffectiveFormat() != "YYYY-MM-DD" {
		t.Errorf("Patient.birthDate: %+v", f)
	}
	for _, e := range fhir.Entities {
		if k := e.KeyField(); k == nil || k.Name != "identifier" || !k.Required {
			t.Errorf("%s: the identifier does not carry the legacy key: %+v", e.Name, k)
		}
	}
	if _, err := target.Preset("../../etc/passwd"); !errors.Is(err, target.ErrNoPreset) {
		t.Errorf("a path as preset name: %v", err)
	}
	if _, err := target.Preset("synonyms"); !errors.Is(err, target.ErrNoPreset) {
		t.Errorf("the dictionary as preset: %v", err)
	}
	d, err := target.Synonyms()
	if err != nil {
		t.Fatal(err)
	}
	for col, concept := range map[string]string{"PatNum": "patient.id", "fname": "given", "LName": "family", "DOB": "birthdate",
		"postal_code": "postcode", "phone_cell": "mobile", "HmPhone": "phone", "WirelessPhone": "mobile", "BIRTHDATE": "birthdate",
		"AptDateTime": "start", "ProvNum": "provider.id", "pubpid": "patient.id", "providerID": "provider.id"} {
		found := false
		for _, c := range d.FieldConcepts(col) {
			found = found || c == concept
		}
		if !found {
			t.Errorf("%s is not known as %s: %v", col, concept, d.FieldConcepts(col))
		}
	}
}

func TestDefinitionsAreCheckedStrictly(t *testing.T) {
	ok := `{"format":"ferry-target/1","name":"x","entities":[{"name":"A","fields":[{"name":"id","type":"text","key":true}]}]}`
	if _, err := target.Parse(strings.NewReader(ok), 0); err != nil {
		t.Fatalf("a good definition: %v", err)
	}
	for name, bad := range map[string]string{
		"unknown member": strings.Replace(ok, `"name":"x"`, `"name":"x","script":"rm"`, 1),
		"unknown type":   strings.Replace(ok, `"type":"text"`, `"type":"blob"`, 1),
		"code no values": strings.Replace(ok, `"type":"text"`, `"type":"code"`, 1),
		"bad reference":  strings.Replace(ok, `"type":"text","key":true`, `"type":"reference","references":"B"`, 1),
		"bad format":     strings.Replace(ok, `"type":"text"`, `"type":"date","format":"DD/QQ/YYYY"`, 1),
		"two keys":       strings.Replace(ok, `"key":true}`, `"key":true},{"name":"id2","type":"text","key":true}`, 1),
		"same field":     strings.Replace(ok, `"key":true}`, `"key":true},{"name":"id","type":"text"}`, 1),
		"blank name":     strings.Replace(ok, `"name":"id"`, `"name":" "`, 1),
		"control":        strings.Replace(ok, `"name":"id"`, `"name":"i\u0007d"`, 1),
		"trailing":       ok + "[]",
	} {
		if _, err := target.Parse(strings.NewReader(bad), 0); !errors.Is(err, target.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDateFormats(t *testing.T) {
	f, err := target.ParseDateFormat("DD/MM/YYYY")
	if err != nil || f.Layout != "02/01/2006" || f.HasTime {
		t.Fatalf("%+v %v", f, err)
	}
	if !f.Check("31/12/2020") || f.Check("2020-12-31") || f.Check("31/02/2020") {
		t.Error("DD/MM/YYYY checks wrongly")
	}
	f, err = target.ParseDateFormat("YYYY-MM-DDThh:mm:ss")
	if err != nil || !f.HasTime || !f.Check("2020-12-31T08:30:00") {
		t.Fatalf("%+v %v", f, err)
	}
	for _, bad := range []string{"", "DD/MM", "YYYY-MM-DD hh", "YYYY-QQ-DD", "YYYY-MM-DD-DD"} {
		if _, err := target.ParseDateFormat(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAVendorTemplateBecomesAnEntity(t *testing.T) {
	header := []string{"Patient ID*", "First Name", "Last Name (required)", "Date of Birth", "Sex", "Mobile", "Email address",
		"Status", "Notes", "Active", "Balance", ""}
	hints := [][]string{
		{"Required", "required", "max 50", "dd/mm/yyyy", "M/F/U", "", "", "one of: Active, Inactive, Deceased", "max. 500 characters", "Y/N", "currency", ""},
		{"", "varchar(40)", "", "", "", "", "optional", "", "", "", "", ""},
	}
	for _, h := range hints {
		if !target.IsHintRow(h) {
			t.Errorf("%v is not taken as a hint row", h)
		}
	}
	if target.IsHintRow([]string{"1001", "Ann", "Lee", "01/02/1980", "F", "", "", "Active", "", "Y", "0.00"}) {
		t.Error("an example record is taken as a hint row")
	}
	e, notes, err := target.FromTemplate("Patients", header, hints)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]target.Field{
		"Patient ID":    {Type: target.Text, Required: true, Key: true},
		"First Name":    {Type: target.Text, Required: true, MaxLength: 40},
		"Last Name":     {Type: target.Text, Required: true, MaxLength: 50},
		"Date of Birth": {Type: target.Date, Format: "DD/MM/YYYY"},
		"Sex":           {Type: target.Code},
		"Mobile":        {Type: target.Phone},
		"Email address": {Type: target.Email},
		"Status":        {Type: target.Code},
		"Notes":         {Type: target.Text, MaxLength: 500},
		"Active":        {Type: target.Boolean, Format: "Y/N"},
		"Balance":       {Type: target.Money},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("%d fields: %+v", len(e.Fields), e.Fields)
	}
	for _, f := range e.Fields {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("unexpected field %q", f.Name)
			continue
		}
		if f.Type != w.Type || f.Required != w.Required || f.Key != w.Key || f.MaxLength != w.MaxLength || (w.Format != "" && f.Format != w.Format) {
			t.Errorf("%s: %+v; want %+v", f.Name, f, w)
		}
	}
	if got := strings.Join(e.Field("Sex").Values, ","); got != "M,F,U" {
		t.Errorf("Sex values %s", got)
	}
	if got := strings.Join(e.Field("Status").Values, ","); got != "Active,Inactive,Deceased" {
		t.Errorf("Status values %s", got)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "column 12 has no name") {
		t.Errorf("notes: %v", notes)
	}
	def := target.Definition{Name: "vendor", Entities: []target.Entity{e}}
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
	appts, _, err := target.FromTemplate("Appointments", []string{"Appointment ID", "Patient ID", "Start (YYYY-MM-DD hh:mm)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	def.Entities = append(def.Entities, appts)
	links := target.LinkReferences(&def)
	if f := def.Entity("Appointments").Field("Patient ID"); f.Type != target.Reference || f.References != "Patients" {
		t.Errorf("Patient ID in appointments: %+v (%v)", f, links)
	}
	if f := def.Entity("Appointments").Field("Start"); f.Type != target.DateTime || f.Format != "YYYY-MM-DD hh:mm" {
		t.Errorf("Start: %+v", f)
	}
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestTargetsInAProjectAreEditedAndFrozenAsVersions(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "t.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := target.Active(ctx, p); !errors.Is(err, target.ErrNoTarget) {
		t.Errorf("active before any: %v", err)
	}
	g, err := target.FromPreset(ctx, p, "generic")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := target.FromPreset(ctx, p, "generic"); err != nil || again.ID != g.ID {
		t.Errorf("a preset is added once: %v %v", again.ID, err)
	}
	f, err := target.FromPreset(ctx, p, "fhir-r4")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := target.Active(ctx, p); a.ID != g.ID {
		t.Errorf("the first target is the active one: %s", a.Name)
	}
	if err := target.SetActive(ctx, p, f.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := target.Active(ctx, p); a.ID != f.ID {
		t.Errorf("active: %s", a.Name)
	}
	if !f.Changed || f.Version != 0 {
		t.Errorf("a new target: version %d, changed %v", f.Version, f.Changed)
	}
	v, err := target.Freeze(ctx, p, f.ID)
	if err != nil || v != 1 {
		t.Fatalf("freeze: %d %v", v, err)
	}
	if v, _ := target.Freeze(ctx, p, f.ID); v != 1 {
		t.Errorf("freezing again without a change: %d", v)
	}
	f, err = target.AddField(ctx, p, f.ID, "Patient", target.Field{Name: "nickname", Type: target.Text, MaxLength: 30}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Changed || f.Version != 1 {
		t.Errorf("after an edit: version %d, changed %v", f.Version, f.Changed)
	}
	if _, err := target.AddField(ctx, p, f.ID, "Patient", target.Field{Name: "bad", Type: target.Code}, -1); !errors.Is(err, target.ErrInvalid) {
		t.Errorf("an invalid field: %v", err)
	}
	if _, err := target.RemoveField(ctx, p, f.ID, "Nobody", "x"); !errors.Is(err, target.ErrNoEntity) {
		t.Errorf("removing from no entity: %v", err)
	}
	if _, err := target.RemoveEntity(ctx, p, f.ID, "Practitioner"); !errors.Is(err, target.ErrInvalid) {
		t.Errorf("removing an entity others refer to: %v", err)
	}
	if v, _ := target.Freeze(ctx, p, f.ID); v != 2 {
		t.Errorf("freeze after a change: %d", v)
	}
	vs, err := target.Versions(ctx, p, f.ID)
	if err != nil || len(vs) != 2 || vs[0].Def.Entity("Patient").Field("nickname") != nil || vs[1].Def.Entity("Patient").Field("nickname") == nil {
		t.Errorf("versions: %d %v", len(vs), err)
	}
	err = p.Write(ctx, func(tx *sql.Tx) error {
		_, err := target.RecordRun(ctx, tx, target.Run{Kind: target.RunSample, TargetID: f.ID, TargetVersion: 2, Actor: "Dana", Status: "ok"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := target.Runs(ctx, p, f.ID, "")
	if err != nil || len(runs) != 1 || runs[0].TargetVersion != 2 || runs[0].TargetName != "fhir-r4" {
		t.Errorf("runs: %+v %v", runs, err)
	}
	if err := target.Delete(ctx, p, f.ID); !errors.Is(err, target.ErrInUse) {
		t.Errorf("deleting a target a run used: %v", err)
	}
	if err := target.Delete(ctx, p, g.ID); err != nil {
		t.Errorf("deleting an unused target: %v", err)
	}
	var events int
	p.Reader().QueryRow(`SELECT count(*) FROM ferry_custody WHERE action LIKE 'target.%'`).Scan(&events)
	if events != 7 { // create ×2, activate, edit, freeze ×2, delete
		t.Errorf("%d target events in the custody log", events)
	}
}
