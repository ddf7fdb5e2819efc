package mapping_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// demoFixture is the demo practice mapped onto FHIR R4 as a consultant would map it for the
// cleansed data: appointment statuses by their cleansed names (scheduled, no_show …).
const demoFixture = "../../assets/maps/demo-fhir-r4.json"

func newDemo(t testing.TB) (*project.Project, *demo.Manifest) {
	t.Helper()
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	man, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	return p, man
}

func readFixture(t testing.TB, path string) (mapping.Template, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mapping.ReadTemplate(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return tpl, b
}

func applyFixture(t testing.TB, p *project.Project) mapping.ApplyReport {
	t.Helper()
	ctx := context.Background()
	tpl, _ := readFixture(t, demoFixture)
	if _, err := mapping.TargetFor(ctx, p, tpl); err != nil {
		t.Fatal(err)
	}
	rep, err := mapping.New(p).ApplyTemplate(ctx, tpl, "fixture")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type issueKey struct{ entity, field, kind string }

func issueCounts(rep *mapping.Report) map[issueKey]int64 {
	out := map[issueKey]int64{}
	for _, is := range rep.Issues {
		out[issueKey{is.Entity, is.Field, is.Kind}] = is.Count
	}
	return out
}

func defect(t *testing.T, m *demo.Manifest, kind, table, column string) *demo.Defect {
	t.Helper()
	d := m.Find(kind, table, column)
	if d == nil {
		t.Fatalf("the manifest has no %s on %s.%s", kind, table, column)
	}
	return d
}

func TestDemoOnFHIRFindsThePlantedDefectsAndNoErrorsOnceCleansed(t *testing.T) {
	ctx := context.Background()
	p, man := newDemo(t)
	m := mapping.New(p)
	if st, _, _ := mapping.Status(ctx, p); st != wizard.NotStarted {
		t.Errorf("status before a target is chosen: %v", st)
	}
	ap := applyFixture(t, p)
	if len(ap.Misfits) != 0 {
		t.Fatalf("the fixture does not fit the demo: %+v", ap.Misfits)
	}
	if probs, _ := m.Problems(ctx); len(probs) != 0 {
		t.Fatalf("problems of the map: %+v", probs)
	}
	if st, detail, _ := mapping.Status(ctx, p); st != wizard.InProgress || !strings.Contains(detail, "6 of 6 entities mapped") ||
		!strings.Contains(detail, "Not validated yet") {
		t.Errorf("status before validation: %v %q", st, detail)
	}

	rep, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What the demo's generator planted, as the map sees it.
	canonical := map[string]bool{"scheduled": true, "confirmed": true, "arrived": true, "completed": true, "no_show": true,
		"cancelled_by_patient": true, "cancelled_by_practice": true, "rescheduled": true}
	var unmappedStatus int64
	for v, n := range defect(t, man, demo.KindPicklistFreetext, "appointments", "Status").Values {
		if !canonical[strings.TrimSpace(v)] {
			unmappedStatus += int64(n)
		}
	}
	placeholders := defect(t, man, demo.KindPlaceholder, "patients", "BirthDate")
	money := map[string]int64{}
	for _, mc := range man.Money {
		money[mc.Table] = int64(mc.NonNumeric)
	}
	want := map[issueKey]int64{
		{"Patient", "identifier", mapping.KindDuplicateKey}:               int64(defect(t, man, demo.KindDuplicateKey, "patients", "PatientID").Count),
		{"Patient", "birthDate", mapping.KindAmbiguousDate}:               int64(defect(t, man, demo.KindDateAmbiguous, "patients", "BirthDate").Count),
		{"Patient", "birthDate", mapping.KindBadDate}:                     int64(placeholders.Count - placeholders.Values[""]), // blanks are missing, not bad
		{"Patient", "telecom.phone", mapping.KindBadPhone}:                int64(defect(t, man, demo.KindInvalidPhone, "patients", "Phone").Count),
		{"Patient", "telecom.email", mapping.KindBadEmail}:                int64(defect(t, man, demo.KindInvalidEmail, "patients", "Email").Count),
		{"Appointment", "status", mapping.KindUnmappedValue}:              unmappedStatus,
		{"Appointment", "start", mapping.KindAmbiguousDate}:               int64(defect(t, man, demo.KindDateAmbiguous, "appointments", "Date").Count),
		{"Appointment", "participant.patient", mapping.KindRefNotFound}:   int64(defect(t, man, demo.KindOrphan, "appointments", "PatientID").Count),
		{"Invoice", "subject", mapping.KindRefNotFound}:                   int64(defect(t, man, demo.KindOrphan, "invoices", "PatientID").Count),
		{"Invoice", "totalGross", mapping.KindBadNumber}:                  money["invoices"],
		{"PaymentReconciliation", "paymentAmount", mapping.KindBadNumber}: money["payments"],
		{"PaymentReconciliation", "patient", mapping.KindRefNotFound}:     int64(defect(t, man, demo.KindOrphan, "payments", "PatientID").Count),
	}
	got := issueCounts(rep)
	var total int64
	for k, n := range want {
		total += n
		if got[k] != n {
			t.Errorf("%s.%s %s: %d; the manifest says %d", k.entity, k.field, k.kind, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected: %s.%s %s: %d", k.entity, k.field, k.kind, n)
		}
	}
	if rep.Errors != total || rep.TargetVersion != 1 {
		t.Errorf("%d errors (version %d); want %d (version 1)", rep.Errors, rep.TargetVersion, total)
	}
	// The rows behind an issue are stored: they are the rows the manifest lists.
	for _, is := range rep.Issues {
		if is.Entity != "Patient" || is.Kind != mapping.KindBadPhone {
			continue
		}
		rows, err := m.IssueRows(ctx, is.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantRows := defect(t, man, demo.KindInvalidPhone, "patients", "Phone").Rows
		if len(rows) != len(wantRows) {
			t.Fatalf("bad phone rows: %v; want %v", rows, wantRows)
		}
		for i, r := range rows {
			if r.Row != int64(wantRows[i]) {
				t.Errorf("bad phone row %d: %d; want %d", i, r.Row, wantRows[i])
			}
		}
	}
	if st, detail, _ := mapping.Status(ctx, p); st != wizard.NeedsAttention || !strings.Contains(detail, "errors") {
		t.Errorf("status with errors: %v %q", st, detail)
	}
	latest, err := m.LatestReport(ctx)
	if err != nil || latest == nil || !latest.Current || latest.Errors != rep.Errors || len(latest.Issues) != len(rep.Issues) {
		t.Fatalf("latest report: %+v %v", latest, err)
	}

	// The preview marks each ambiguous appointment date among the first rows, and only those.
	pv, err := m.Preview(ctx, "Appointment", 40)
	if err != nil {
		t.Fatal(err)
	}
	startCol := -1
	for i, f := range pv.Fields {
		if f.Field.Name == "start" {
			startCol = i
		}
	}
	ambiguous := 0
	for _, r := range pv.Rows {
		c := r.Cells[startCol]
		var a, b int
		parts := strings.Split(c.Source[0], "/")
		if len(parts) == 3 {
			a, b = atoi(parts[0]), atoi(parts[1])
		}
		isAmb := a <= 12 && b <= 12 && a != b
		if isAmb != (c.Error != nil && c.Error.Kind == mapping.KindAmbiguousDate) {
			t.Errorf("preview line %d: %q marked %v", r.Line, c.Source, c.Error)
		}
		if isAmb {
			ambiguous++
		}
	}
	if len(pv.Rows) != 40 || ambiguous == 0 {
		t.Errorf("preview: %d rows, %d ambiguous", len(pv.Rows), ambiguous)
	}

	// Cleanse: the shipped recipe, then what a person decides about what it leaves.
	b, err := assets.Recipes.ReadFile("recipes/demo-cleanse.json")
	if err != nil {
		t.Skipf("the demo's cleanse recipe is not in this build yet (assets/recipes/demo-cleanse.json): %v", err)
	}
	rc, err := cleanse.ParseRecipe(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{}); err != nil {
		t.Fatal(err)
	}
	if latest, _ := m.LatestReport(ctx); latest.Current {
		t.Error("the validation is still current after the data was cleansed")
	}
	rep, err = m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []issueKey{{"Patient", "identifier", mapping.KindDuplicateKey}, {"Patient", "birthDate", mapping.KindAmbiguousDate},
		{"Patient", "birthDate", mapping.KindBadDate}, {"Appointment", "start", mapping.KindAmbiguousDate},
		{"Appointment", "status", mapping.KindUnmappedValue}} {
		if n := issueCounts(rep)[k]; n != 0 {
			t.Errorf("after the recipe, %s.%s %s: %d", k.entity, k.field, k.kind, n)
		}
	}
	// The recipe fixes what can be fixed without a person: it leaves numbers that are no phone
	// numbers, addresses that are no addresses, records of patients the export does not have and
	// amounts that are words. The person's decisions, made from the validation's drill-down:
	if err := demoflow.Apply(ctx, p, rep); err != nil {
		t.Fatal(err)
	}
	rep, err = m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 {
		for _, is := range rep.Issues {
			t.Errorf("after cleansing: %s", is.Message)
		}
		t.Fatalf("%d errors after cleansing", rep.Errors)
	}
	// Appointments of patients merged into another record refer to the survivor: without the
	// crosswalk these would be errors.
	fuzzy := defect(t, man, demo.KindDuplicateFuzzy, "patients", "")
	var merged int
	q := `SELECT count(*) FROM appointments WHERE PatientID IN (` + strings.TrimSuffix(strings.Repeat("?,", len(fuzzy.Keys)), ",") + `)`
	args := make([]any, len(fuzzy.Keys))
	for i, k := range fuzzy.Keys {
		args[i] = k
	}
	if err := p.Reader().QueryRow(q, args...).Scan(&merged); err != nil || merged == 0 {
		t.Errorf("no appointment names a merged patient (%d, %v): the crosswalk is not exercised", merged, err)
	}
	if st, detail, _ := mapping.Status(ctx, p); st != wizard.Done {
		t.Errorf("status after a clean validation: %v %q", st, detail)
	}
	runs, err := target.Runs(ctx, p, 0, target.RunValidation)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	for _, r := range runs {
		if r.TargetVersion != 1 || r.TargetName != "fhir-r4" {
			t.Errorf("run %d used %s version %d", r.ID, r.TargetName, r.TargetVersion)
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func TestSyntheaPatientsMapToFHIRPatientBySuggestion(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "synthea.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := importers.ImportFile(ctx, p, "../../../shared/data/synthea-csv/patients.csv", importers.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
		t.Fatal(err)
	}
	m := mapping.New(p)
	res, err := m.AcceptCertain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) == 0 {
		t.Fatal("nothing applied")
	}
	em, err := m.Map(ctx, "Patient")
	if err != nil {
		t.Fatal(err)
	}
	if em.Table != "patients" {
		t.Fatalf("Patient ← %q", em.Table)
	}
	for field, col := range map[string]string{
		"identifier": "Id", "name.given": "FIRST", "name.family": "LAST", "name.prefix": "PREFIX", "name.suffix": "SUFFIX",
		"birthDate": "BIRTHDATE", "deceasedDateTime": "DEATHDATE", "gender": "GENDER", "maritalStatus": "MARITAL",
		"address.line": "ADDRESS", "address.city": "CITY", "address.state": "STATE", "address.district": "COUNTY",
		"address.postalCode": "ZIP",
	} {
		fm := em.Field(field)
		if fm == nil || len(fm.Sources) != 1 || fm.Sources[0] != col {
			t.Errorf("Patient.%s ← %+v; want %s", field, fm, col)
		}
	}
	if fm := em.Field("birthDate"); fm != nil {
		hasDate := false
		for _, s := range fm.Steps {
			hasDate = hasDate || s.Op == mapping.OpDate
		}
		if !hasDate {
			t.Errorf("birthDate has no date step: %+v", fm.Steps)
		}
	}
	if fm := em.Field("gender"); fm != nil {
		vm := fm.ValueMapStep()
		if vm == nil || vm.Map["M"] != "male" || vm.Map["F"] != "female" {
			t.Errorf("gender value map: %+v", fm.Steps)
		}
	}
	for _, f := range []string{"telecom.phone", "telecom.email", "active", "generalPractitioner"} {
		if fm := em.Field(f); fm != nil {
			t.Errorf("Patient.%s mapped from %v, which Synthea does not have", f, fm.Sources)
		}
	}
	rep, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 {
		t.Errorf("Synthea patients mapped by suggestion have %d errors: %+v", rep.Errors, rep.Issues)
	}
}

func TestTemplatesRoundTripAndSayWhatDidNotFit(t *testing.T) {
	ctx := context.Background()
	p, _ := newDemo(t)
	applyFixture(t, p)
	m := mapping.New(p)
	exp, err := m.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := exp.Marshal()
	back, err := mapping.ReadTemplate(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	fixture, _ := readFixture(t, demoFixture)
	if got, want := mustJSON(back.Entities), mustJSON(fixture.Entities); got != want {
		t.Errorf("the exported map differs from the one applied:\n%s\n%s", got, want)
	}
	if back.Target.Name != "fhir-r4" || back.Target.Definition == nil || len(back.Target.Definition.Entities) != 8 {
		t.Errorf("exported target: %+v", back.Target.Name)
	}

	// Another practice: patients only, and no Email column; the template also names a field the
	// target lacks and an entity it lacks.
	dir := t.TempDir()
	src, _ := assets.Demo.ReadFile("demo/patients.csv")
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(src), "\r\n") {
		if line == "" {
			continue
		}
		cells := strings.Split(line, ",")
		if len(cells) > 7 && !strings.Contains(line, "\"") {
			cells = append(cells[:7], cells[8:]...) // Email is the 8th column
			out.WriteString(strings.Join(cells, ","))
		}
	}
	csv := filepath.Join(dir, "patients.csv")
	if err := os.WriteFile(csv, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := project.Create(ctx, filepath.Join(dir, "next.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, err := importers.ImportFile(ctx, q, csv, importers.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	tpl := back
	tpl.Target.Definition = nil // the preset is known by name
	tpl.Entities[0].Fields = append(tpl.Entities[0].Fields, mapping.FieldMap{Field: "favouriteColour", Sources: []string{"Notes"}})
	tpl.Entities = append(tpl.Entities, mapping.EntityMap{Entity: "Spaceship", Table: "patients"})
	if _, err := mapping.TargetFor(ctx, q, tpl); err != nil {
		t.Fatal(err)
	}
	mq := mapping.New(q)
	rep, err := mq.ApplyTemplate(ctx, tpl, "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]string{}
	for _, mf := range rep.Misfits {
		kinds[mf.Kind] = append(kinds[mf.Kind], mf.Entity+"."+mf.Field+mf.Column)
	}
	if got := strings.Join(kinds[mapping.MisfitColumn], ","); got != "Patient.telecom.emailEmail" {
		t.Errorf("missing columns: %q", got)
	}
	if got := len(kinds[mapping.MisfitTable]); got != 5 {
		t.Errorf("missing tables: %v", kinds[mapping.MisfitTable])
	}
	if got := strings.Join(kinds[mapping.MisfitField], ","); got != "Patient.favouriteColour" {
		t.Errorf("missing fields: %q", got)
	}
	if got := strings.Join(kinds[mapping.MisfitEntity], ","); got != "Spaceship." {
		t.Errorf("missing entities: %q", got)
	}
	em, _ := mq.Map(ctx, "Patient")
	if em.Table != "patients" || em.Field("birthDate") == nil || em.Field("telecom.email") != nil {
		t.Errorf("what fits was not applied: %+v", em)
	}
	// applying a template is one edit: one undo takes it back
	if _, err := mq.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if em, _ := mq.Map(ctx, "Patient"); em.Table != "" || len(em.Fields) != 0 {
		t.Errorf("after undo: %+v", em)
	}
}

func TestReadingATemplateIsStrict(t *testing.T) {
	good := `{"format":"ferry-map-template/1","target":{"name":"fhir-r4"},"entities":[{"entity":"Patient","table":"patients",
		"fields":[{"field":"identifier","sources":["PatientID"],"steps":[{"op":"trim"}]}]}]}`
	if _, err := mapping.ReadTemplate(strings.NewReader(good)); err != nil {
		t.Fatalf("a good template: %v", err)
	}
	for name, bad := range map[string]string{
		"unknown member":  strings.Replace(good, `"format"`, `"include":"/etc/passwd","format"`, 1),
		"unknown step op": strings.Replace(good, `"op":"trim"`, `"op":"exec"`, 1),
		"bad regex":       strings.Replace(good, `"op":"trim"`, `"op":"regex","pattern":"(["`, 1),
		"wrong format":    strings.Replace(good, `ferry-map-template/1`, `ferry-map-template/9`, 1),
		"trailing data":   good + `{}`,
		"no target":       strings.Replace(good, `"name":"fhir-r4"`, `"name":""`, 1),
		"control chars":   strings.Replace(good, `"PatientID"`, `"Patient\u0000ID"`, 1),
		"twice":           strings.Replace(good, `"steps":[{"op":"trim"}]}]`, `"steps":[{"op":"trim"}]},{"field":"identifier"}]`, 1),
		"not json":        `<xml/>`,
	} {
		if _, err := mapping.ReadTemplate(strings.NewReader(bad)); !errors.Is(err, mapping.ErrBadTempl) {
			t.Errorf("%s: %v", name, err)
		}
	}
	huge := strings.NewReader(`{"format":"` + strings.Repeat("x", mapping.MaxTemplateSize) + `"}`)
	if _, err := mapping.ReadTemplate(huge); !errors.Is(err, mapping.ErrBadTempl) {
		t.Errorf("an oversized template: %v", err)
	}
}

func TestUndoAndRedoMapEdits(t *testing.T) {
	ctx := context.Background()
	p, _ := newDemo(t)
	if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
		t.Fatal(err)
	}
	m := mapping.New(p)
	if _, err := m.Undo(ctx); !errors.Is(err, mapping.ErrNothing) {
		t.Errorf("undo with nothing done: %v", err)
	}
	steps := func(ss ...mapping.Step) []mapping.Step { return ss }
	if _, err := m.SetSource(ctx, "Patient", "patients"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetField(ctx, "Patient", mapping.FieldMap{Field: "birthDate", Sources: []string{"BirthDate"},
		Steps: steps(mapping.Step{Op: mapping.OpDate, From: mapping.OrderMDY})}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Connect(ctx, "Patient", "gender", "Gender"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetValues(ctx, "Patient", "gender", map[string]string{"M": "male", "F": "female"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetField(ctx, "Patient", mapping.FieldMap{Field: "birthDate", Sources: []string{"NoSuchColumn"}}); !errors.Is(err, mapping.ErrNoColumn) {
		t.Errorf("a column the table lacks: %v", err)
	}
	if _, err := m.SetValues(ctx, "Patient", "gender", map[string]string{"X": "alien"}); err == nil {
		t.Error("a value the field does not allow was accepted")
	}
	rev0, _ := m.Revision(ctx)
	gender := func() map[string]string {
		em, _ := m.Map(ctx, "Patient")
		if fm := em.Field("gender"); fm != nil && fm.ValueMapStep() != nil {
			return fm.ValueMapStep().Map
		}
		return nil
	}
	if g := gender(); g["M"] != "male" {
		t.Fatalf("gender map: %v", g)
	}
	ed, err := m.Undo(ctx)
	if err != nil || ed.Action != "set_values" {
		t.Fatalf("undo: %+v %v", ed, err)
	}
	if g := gender(); len(g) != 0 {
		t.Errorf("after undo the value map is %v", g)
	}
	if _, err := m.Undo(ctx); err != nil { // the connect
		t.Fatal(err)
	}
	if em, _ := m.Map(ctx, "Patient"); em.Field("gender") != nil || em.Field("birthDate") == nil {
		t.Errorf("after two undos: %+v", em)
	}
	if ed, err := m.Redo(ctx); err != nil || ed.Action != "connect" {
		t.Fatalf("redo: %+v %v", ed, err)
	}
	if em, _ := m.Map(ctx, "Patient"); em.Field("gender") == nil {
		t.Error("redo did not put the connection back")
	}
	if undo, redo, _ := m.CanUndo(ctx); !undo || !redo {
		t.Errorf("can undo %v, redo %v", undo, redo)
	}
	// a new edit ends the redo branch
	if _, err := m.ClearField(ctx, "Patient", "birthDate"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Redo(ctx); !errors.Is(err, mapping.ErrNothing) {
		t.Errorf("redo after a new edit: %v", err)
	}
	if rev, _ := m.Revision(ctx); rev != rev0+4 {
		t.Errorf("revision %d; want %d (undo, undo, redo, edit)", rev, rev0+4)
	}
	hist, _ := m.History(ctx)
	if len(hist) != 4 || hist[0].Action != "clear_field" || hist[0].Undone {
		t.Errorf("history: %+v", hist)
	}
	var undos, redos int
	rows, _ := p.Reader().Query(`SELECT action FROM ferry_custody WHERE action IN ('map.undo', 'map.redo')`)
	for rows.Next() {
		var a string
		rows.Scan(&a)
		if a == "map.undo" {
			undos++
		} else {
			redos++
		}
	}
	rows.Close()
	if undos != 2 || redos != 1 {
		t.Errorf("custody: %d undos, %d redos", undos, redos)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("custody chain: %+v %v", rep, err)
	}
}

func TestChangingTheTargetAfterARunMakesANewVersion(t *testing.T) {
	ctx := context.Background()
	p, _ := newDemo(t)
	applyFixture(t, p)
	m := mapping.New(p)
	r1, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := m.Target(ctx)
	if _, err := target.UpdateField(ctx, p, tg.ID, "Patient", "name.family", target.Field{Name: "name.family", Type: target.Text,
		Required: true, MaxLength: 5}); err != nil {
		t.Fatal(err)
	}
	if latest, _ := m.LatestReport(ctx); latest.Current {
		t.Error("the validation is current although the target changed")
	}
	r2, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.TargetVersion != 1 || r2.TargetVersion != 2 {
		t.Errorf("versions %d, %d; want 1, 2", r1.TargetVersion, r2.TargetVersion)
	}
	if n := issueCounts(r2)[issueKey{"Patient", "name.family", mapping.KindTooLong}]; n == 0 {
		t.Error("a 5-character family name limit found nothing too long")
	}
	v1, err := target.GetVersion(ctx, p, tg.ID, 1)
	if err != nil || v1.Def.Entity("Patient").Field("name.family").MaxLength != 100 {
		t.Errorf("version 1 changed: %v", err)
	}
	if v, _ := target.Freeze(ctx, p, tg.ID); v != 2 {
		t.Errorf("freezing an unchanged target: version %d", v)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTheAuditGivesColumnBadgesAndDateOrderHints(t *testing.T) {
	ctx := context.Background()
	p, _ := newDemo(t)
	m := mapping.New(p)
	if h, err := m.ColumnHints(ctx); err != nil || len(h) != 0 {
		t.Fatalf("hints before an audit: %v %v", h, err)
	}
	if _, err := audit.Run(ctx, p, audit.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	h, err := m.ColumnHints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := h["appointments"]["Date"]
	if d.DateOrder != "DMY" || d.Type != audit.TypeDate || !strings.Contains(strings.Join(d.Findings, ","), audit.KindDateAmbiguous) {
		t.Errorf("appointments.Date: %+v", d)
	}
	if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
		t.Fatal(err)
	}
	props, err := m.Suggest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range props {
		if pr.ID == "field:Appointment/start" && !strings.Contains(pr.Reason, "the audit found the dates are written DMY") {
			t.Errorf("no date order hint: %s", pr.Reason)
		}
	}
}

func TestOpenDentalAndOpenEMRColumnsAreRecognised(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		table, csv string
		want       map[string]string
	}{
		"Open Dental": {"patient", "PatNum,LName,FName,MiddleI,Birthdate,Gender,HmPhone,WkPhone,WirelessPhone,Email,Address,City,State,Zip,PatStatus,PriProv\r\n" +
			"1,Lee,Ann,B,1980-02-01,1,(617) 555-0101,(617) 555-0102,(617) 555-0103,ann@example.com,1 Main St,Boston,MA,02115,0,3\r\n",
			map[string]string{"identifier": "PatNum", "name.family": "LName", "name.given": "FName", "birthDate": "Birthdate",
				"gender": "Gender", "telecom.phone": "HmPhone", "telecom.work": "WkPhone", "telecom.mobile": "WirelessPhone",
				"telecom.email": "Email", "address.postalCode": "Zip"}},
		"OpenEMR": {"patient_data", "pid,pubpid,fname,mname,lname,DOB,sex,street,city,state,postal_code,phone_home,phone_cell,phone_biz,email,providerID\r\n" +
			"7,A-7,Ann,B,Lee,1980-02-01,Female,1 Main St,Boston,MA,02115,617-555-0101,617-555-0103,617-555-0102,ann@example.com,3\r\n",
			map[string]string{"name.given": "fname", "name.family": "lname", "birthDate": "DOB", "gender": "sex", "address.line": "street",
				"address.postalCode": "postal_code", "telecom.phone": "phone_home", "telecom.mobile": "phone_cell",
				"telecom.work": "phone_biz", "telecom.email": "email", "generalPractitioner": "providerID"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p, err := project.Create(ctx, filepath.Join(dir, "p.ferry"), project.Options{Actor: "Dana"})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			src := filepath.Join(dir, tc.table+".csv")
			os.WriteFile(src, []byte(tc.csv), 0o644)
			if _, err := importers.ImportFile(ctx, p, src, importers.Options{}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
				t.Fatal(err)
			}
			props, err := mapping.New(p).Suggest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			source := ""
			for _, pr := range props {
				if pr.Entity != "Patient" {
					continue
				}
				if pr.Kind == mapping.ProposeSource {
					source = pr.Table
				}
				if pr.Kind == mapping.ProposeField && pr.Certain {
					got[pr.Field] = strings.Join(pr.Sources, "+")
				}
			}
			if source != tc.table {
				t.Errorf("Patient ← %q", source)
			}
			for f, c := range tc.want {
				if got[f] != c {
					t.Errorf("Patient.%s ← %q; want %s", f, got[f], c)
				}
			}
		})
	}
}
