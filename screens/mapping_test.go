package screens

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

// The Map screen tests run on the demo practice imported with the real importers, so that what
// validation finds is exactly what app/mapping's own tests find (and what the demo's manifest
// says was planted). Only this test file imports importers; the screen reaches them through
// Services like the rest of the window.

// mapDemoFixture is the demo mapped onto FHIR R4 as app/mapping's tests map it.
const mapDemoFixture = "../assets/maps/demo-fhir-r4.json"

type mapFixture struct {
	t    *testing.T
	p    *project.Project
	man  *demo.Manifest
	deps *mapDeps
	step *MapStep
	win  fyne.Window
	m    *mapping.Mapper
}

// mapDeps is the shell as far as the Map step sees it, with a picker that also saves.
type mapDeps struct {
	stepDeps
	saveTo string
}

func (d *mapDeps) Files() FilePicker { return &mapPicker{fakePicker: d.picker, saveTo: &d.saveTo} }

type mapPicker struct {
	*fakePicker
	saveTo *string
}

func (m *mapPicker) Save(_, _ string, _ []Filter, done func(string, error)) { done(*m.saveTo, nil) }

// newMapDemo opens the Map step on a fresh demo practice; prepare runs on the project first.
func newMapDemo(t *testing.T, prepare func(ctx context.Context, p *project.Project)) *mapFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"},
		assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	man, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(ctx, p)
	}
	deps := &mapDeps{stepDeps: stepDeps{p: p, picker: &fakePicker{}, svc: Services{ReadTable: mapReadCSV}}}
	w := test.NewTempWindow(t, nil)
	step := NewMapStep(w, deps).(*MapStep)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	f := &mapFixture{t: t, p: p, man: man, deps: deps, step: step, win: w, m: mapping.New(p)}
	f.settle()
	return f
}

func (f *mapFixture) settle() {
	f.t.Helper()
	settle(f.t)
	if len(f.deps.errs) > 0 {
		f.t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func (f *mapFixture) fieldMap(entity, field string) *mapping.FieldMap {
	f.t.Helper()
	em, err := f.m.Map(context.Background(), entity)
	if err != nil {
		f.t.Fatal(err)
	}
	return em.Field(field)
}

func (f *mapFixture) selectEntity(name string) {
	f.t.Helper()
	for i, e := range f.step.ov.Entities {
		if e.Entity.Name == name {
			f.step.entities.Select(i)
			f.settle()
			return
		}
	}
	f.t.Fatalf("entity %s not listed", name)
}

// drag drags a source column's row onto a field's row with the pointer, as test.Drag does it.
func (f *mapFixture) drag(column, field string) {
	f.t.Helper()
	c := f.step.canvas
	src, dst := c.SourceRow(column), c.FieldRow(field)
	if src == nil || dst == nil {
		f.t.Fatalf("no row for column %s or field %s", column, field)
	}
	c.reveal(dst)
	d := fyne.CurrentApp().Driver()
	from := d.AbsolutePositionForObject(src).Add(fyne.NewPos(30, src.Size().Height/2))
	to := d.AbsolutePositionForObject(dst).Add(fyne.NewPos(dst.Size().Width/2, dst.Size().Height/2))
	test.Drag(f.win.Canvas(), from, to.X-from.X, to.Y-from.Y)
	f.settle()
}

func mapPatientFromPatients(ctx context.Context, p *project.Project) {
	if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
		panic(err)
	}
	if _, err := mapping.New(p).SetSource(ctx, "Patient", "patients"); err != nil {
		panic(err)
	}
}

func TestMapWithoutATargetOffersThePresetsAndTheVendorTemplate(t *testing.T) {
	f := newMapDemo(t, nil)
	root := f.win.Content()
	if !hasText(root, "Start from a built-in description") {
		t.Fatal("no target chooser")
	}
	findButton(t, root, "Use the new vendor's import template…")
	test.Tap(findButton(t, root, "Use FHIR R4"))
	f.settle()
	tg, err := target.Active(context.Background(), f.p)
	if err != nil || tg.Name != "fhir-r4" {
		t.Fatalf("active target %q, %v", tg.Name, err)
	}
	if !hasText(root, "New system: FHIR R4") || len(f.step.ov.Entities) != 8 {
		t.Fatalf("the target is not shown: %d entities", len(f.step.ov.Entities))
	}
	if f.deps.refreshes == 0 {
		t.Error("the sidebar status was not recomputed")
	}
}

func TestMapDraggingAColumnOntoAFieldMapsItAndUndoRedoTakeItBackAndForth(t *testing.T) {
	f := newMapDemo(t, mapPatientFromPatients)
	f.selectEntity("Patient")
	c := f.step.canvas
	if !hasText(f.win.Content(), "required · not mapped") {
		t.Error("the unmapped required identifier is not marked")
	}

	// While dragging, a ghost follows the pointer and the field under it is highlighted.
	src, dst := c.SourceRow("BirthDate"), c.FieldRow("birthDate")
	c.reveal(dst)
	d := fyne.CurrentApp().Driver()
	from := fyne.NewPos(30, 10)
	to := d.AbsolutePositionForObject(dst).Add(fyne.NewPos(20, 10)).Subtract(d.AbsolutePositionForObject(src))
	src.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: from}, Dragged: fyne.NewDelta(to.X-from.X, to.Y-from.Y)})
	if !dst.Hot() || !c.ghost.Visible() || !strings.Contains(c.ghostText.Text, "BirthDate  →  birthDate") {
		t.Fatalf("during the drag: hot %v, ghost %v %q", dst.Hot(), c.ghost.Visible(), c.ghostText.Text)
	}
	src.DragEnd()
	f.settle()
	if c.ghost.Visible() {
		t.Error("the ghost stays after the drop")
	}
	if fm := f.fieldMap("Patient", "birthDate"); fm == nil || len(fm.Sources) != 1 || fm.Sources[0] != "BirthDate" {
		t.Fatalf("after the drop birthDate ← %+v", fm)
	}

	// The same with test.Drag, the way the pointer does it: two columns onto one field join.
	f.drag("FirstName", "name.given")
	f.drag("MiddleInitial", "name.given")
	if fm := f.fieldMap("Patient", "name.given"); fm == nil || strings.Join(fm.Sources, "+") != "FirstName+MiddleInitial" {
		t.Fatalf("name.given ← %+v", fm)
	}
	// One column onto several fields.
	f.drag("PatientID", "identifier")
	if fm := f.fieldMap("Patient", "identifier"); fm == nil || fm.Sources[0] != "PatientID" {
		t.Fatalf("identifier ← %+v", fm)
	}
	if hasText(f.win.Content(), "required · not mapped") {
		t.Error("identifier is still marked as required and not mapped")
	}
	if len(c.lines) != 4 {
		t.Errorf("%d lines drawn for 4 connections", len(c.lines))
	}
	if f.deps.refreshes == 0 {
		t.Error("the sidebar status was not recomputed")
	}

	// A drop outside every field changes nothing.
	rev, _ := f.m.Revision(context.Background())
	test.Drag(f.win.Canvas(), d.AbsolutePositionForObject(c.SourceRow("Phone")).Add(fyne.NewPos(30, 10)), 5, 0)
	f.settle()
	if r, _ := f.m.Revision(context.Background()); r != rev {
		t.Error("a drop on no field changed the map")
	}

	// Undo takes the last drop back, Redo does it again; so do Ctrl+Z and Ctrl+Shift+Z.
	test.Tap(findButton(t, f.win.Content(), "Undo"))
	f.settle()
	if fm := f.fieldMap("Patient", "identifier"); fm != nil {
		t.Fatalf("after Undo identifier ← %+v", fm)
	}
	if !f.step.canRedo {
		t.Fatal("Redo is not offered")
	}
	test.Tap(findButton(t, f.win.Content(), "Redo"))
	f.settle()
	if fm := f.fieldMap("Patient", "identifier"); fm == nil {
		t.Fatal("Redo did not put identifier back")
	}
	sc := f.win.Canvas().(fyne.Shortcutable)
	sc.TypedShortcut(&fyne.ShortcutUndo{}) // what the driver makes of Ctrl+Z
	f.settle()
	if fm := f.fieldMap("Patient", "identifier"); fm != nil {
		t.Fatal("Ctrl+Z did not undo")
	}
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	f.settle()
	if fm := f.fieldMap("Patient", "identifier"); fm == nil {
		t.Fatal("Ctrl+Shift+Z did not redo")
	}

	// The ✕ on a field's chip removes that column.
	var chip *mapChip
	walk(c.FieldRow("name.given"), func(o fyne.CanvasObject) bool {
		if ch, ok := o.(*mapChip); ok && ch.text == "← MiddleInitial" {
			chip = ch
		}
		return chip == nil
	})
	if chip == nil {
		t.Fatal("no chip for MiddleInitial on name.given")
	}
	test.TapAt(chip, fyne.NewPos(chip.Size().Width-8, chip.Size().Height/2))
	f.settle()
	if fm := f.fieldMap("Patient", "name.given"); fm == nil || strings.Join(fm.Sources, "+") != "FirstName" {
		t.Fatalf("after ✕ name.given ← %+v", fm)
	}
}

func TestMapWithoutDraggingAndEditingTheChainShowsTheResultLive(t *testing.T) {
	f := newMapDemo(t, mapPatientFromPatients)
	f.selectEntity("Patient")
	test.Tap(f.step.canvas.FieldRow("birthDate"))
	if _, field := f.step.Selected(); field != "birthDate" {
		t.Fatalf("selected field %q", field)
	}
	// keyboard users: pick the column from a list
	f.step.editor.addCol.SetSelected("BirthDate")
	f.settle()
	fm := f.fieldMap("Patient", "birthDate")
	if fm == nil || fm.Sources[0] != "BirthDate" || len(fm.Steps) != 2 || fm.Steps[1].Op != mapping.OpDate {
		t.Fatalf("birthDate ← %+v", fm)
	}
	// the result on the first rows: some birth dates are ambiguous with "auto"
	if !strings.Contains(f.step.editor.resultSum.Text, "have a problem") {
		t.Fatalf("live result: %q", f.step.editor.resultSum.Text)
	}
	// say the column is written month first: the chain is saved and the ambiguity is gone
	var from *widget.Select
	walk(f.step.editor.stepsBox, func(o fyne.CanvasObject) bool {
		if s, ok := o.(*widget.Select); ok && s.Selected == mapping.OrderAuto {
			from = s
		}
		return from == nil
	})
	if from == nil {
		t.Fatal("no 'written' select on the date step")
	}
	from.SetSelected(mapping.OrderMDY)
	f.settle()
	fm = f.fieldMap("Patient", "birthDate")
	if fm.Steps[1].From != mapping.OrderMDY {
		t.Fatalf("date step %+v", fm.Steps[1])
	}
	if strings.Contains(f.step.editor.resultSum.Text, "ambiguous") {
		t.Errorf("live result: %q", f.step.editor.resultSum.Text)
	}
	// add, move and remove a step
	f.step.editor.addStep.SetSelected(mapOpWords[mapping.OpDefault])
	f.settle()
	if n := len(f.fieldMap("Patient", "birthDate").Steps); n != 3 {
		t.Fatalf("%d steps after adding one", n)
	}
	f.step.editor.MoveStep(2, -1)
	f.settle()
	if st := f.fieldMap("Patient", "birthDate").Steps; st[1].Op != mapping.OpDefault {
		t.Fatalf("after moving up: %+v", st)
	}
	f.step.editor.RemoveStep(1)
	f.settle()
	if st := f.fieldMap("Patient", "birthDate").Steps; len(st) != 2 || st[1].Op != mapping.OpDate {
		t.Fatalf("after removing: %+v", st)
	}
}

func TestMapSuggestAppliesTheCertainMatchesAndListsTheRest(t *testing.T) {
	f := newMapDemo(t, func(ctx context.Context, p *project.Project) {
		if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
			t.Fatal(err)
		}
	})
	test.Tap(findButton(t, f.win.Content(), "Suggest matches"))
	f.settle()
	d := f.step.suggestions
	if d == nil || f.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no suggestions dialog")
	}
	if !strings.Contains(d.applied.Text, "Applied 54 suggestions") || !strings.Contains(f.step.notice.Text(), "certain") {
		t.Fatalf("applied: %q / notice %q", d.applied.Text, f.step.notice.Text())
	}
	for entity, table := range map[string]string{"Patient": "patients", "Practitioner": "providers", "Appointment": "appointments",
		"Invoice": "invoices", "PaymentReconciliation": "payments", "ServiceRequest": "recalls"} {
		em, _ := f.m.Map(context.Background(), entity)
		if em.Table != table {
			t.Errorf("%s ← %q after the certain suggestions", entity, em.Table)
		}
	}
	for field, col := range map[string]string{"identifier": "PatientID", "birthDate": "BirthDate", "telecom.phone": "Phone"} {
		if fm := f.fieldMap("Patient", field); fm == nil || fm.Sources[0] != col {
			t.Errorf("Patient.%s ← %+v", field, fm)
		}
	}
	if fm := f.fieldMap("Appointment", "start"); fm == nil || strings.Join(fm.Sources, "+") != "Date+Time" {
		t.Errorf("Appointment.start ← %+v", fm)
	}
	// On FHIR R4 the dictionary knows every column of the demo: nothing is left uncertain.
	if len(d.Proposals()) != 0 || !d.empty.Visible() {
		t.Errorf("left for a person: %+v", d.Proposals())
	}
	test.Tap(findButton(t, f.win.Canvas().Overlays().Top(), "Close"))
	if !f.step.canUndo {
		t.Error("Undo is not offered after accepting suggestions")
	}

	// On the generic system one appointment status is only likely: it is listed, with why.
	f.step.UsePreset("generic")
	f.settle()
	test.Tap(findButton(t, f.win.Content(), "Suggest matches"))
	f.settle()
	d = f.step.suggestions
	if len(d.Proposals()) != 1 || d.Proposals()[0].Value != "Reschd - pt request" || d.Proposals()[0].Certain {
		t.Fatalf("proposals %+v", d.Proposals())
	}
	top := f.win.Canvas().Overlays().Top()
	if !hasText(top, "starts with a word for rescheduled") || !hasText(top, "75%") {
		t.Error("the proposal's confidence and reason are not shown")
	}
	test.Tap(findButton(t, top, "Accept"))
	f.settle()
	status := func() string {
		fm := f.fieldMap("appointments", "status")
		if fm == nil || fm.ValueMapStep() == nil {
			return ""
		}
		return fm.ValueMapStep().Map["Reschd - pt request"]
	}
	if status() != "rescheduled" || len(d.Proposals()) != 0 {
		t.Fatalf("after Accept: %q, %d proposals left", status(), len(d.Proposals()))
	}
	// undone, suggested again, and accepted with Accept all
	test.Tap(findButton(t, f.win.Content(), "Undo"))
	f.settle()
	if status() != "" {
		t.Fatal("Undo did not take the accepted value back")
	}
	test.Tap(findButton(t, f.win.Content(), "Suggest matches"))
	f.settle()
	d = f.step.suggestions
	test.Tap(d.all)
	f.settle()
	if status() != "rescheduled" {
		t.Error("Accept all did not map the value")
	}
}

func TestMapValueMapOfAPickList(t *testing.T) {
	f := newMapDemo(t, func(ctx context.Context, p *project.Project) {
		if _, err := target.FromPreset(ctx, p, "fhir-r4"); err != nil {
			t.Fatal(err)
		}
		m := mapping.New(p)
		if _, err := m.SetSource(ctx, "Appointment", "appointments"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Connect(ctx, "Appointment", "status", "Status"); err != nil {
			t.Fatal(err)
		}
	})
	f.selectEntity("Appointment")
	f.step.tabs.Select(f.step.valuesTab)
	f.settle()
	v := f.step.values
	if v.field != "status" || v.View() == nil {
		t.Fatalf("values of %q: %+v", v.field, v.View())
	}
	// every distinct status the demo planted, as the trim step before the value map leaves it
	distinct := map[string]bool{}
	for s := range f.man.Find(demo.KindPicklistFreetext, "appointments", "Status").Values {
		distinct[strings.TrimSpace(s)] = true
	}
	view := v.View()
	if len(view.Values) != len(distinct) || view.Unmapped != len(view.Values) {
		t.Fatalf("%d values (%d unmapped); the demo has %d statuses", len(view.Values), view.Unmapped, len(distinct))
	}
	if !strings.Contains(v.summary.Text, plural64(int64(len(view.Values)), "value", "values")+" still unmapped") {
		t.Errorf("summary %q", v.summary.Text)
	}
	// choose the new value of the first row with its select
	first := view.Values[0]
	var sel *widget.Select
	walk(v.list, func(o fyne.CanvasObject) bool {
		if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 4 {
			if l, ok := c.Objects[0].(*widget.Label); ok && (l.Text == first.Value || l.Text == `"`+first.Value+`"`) {
				sel = c.Objects[2].(*widget.Select)
			}
		}
		return sel == nil
	})
	if sel == nil {
		t.Fatalf("no row for %q", first.Value)
	}
	sel.SetSelected("noshow")
	f.settle()
	vm := f.fieldMap("Appointment", "status").ValueMapStep()
	if vm == nil || vm.Map[first.Value] != "noshow" {
		t.Fatalf("value map %+v", vm)
	}
	if v.View().Unmapped != len(view.Values)-1 {
		t.Errorf("%d unmapped after one was mapped", v.View().Unmapped)
	}
	// accept every suggestion at once
	sugg := 0
	for _, r := range v.View().Values {
		if r.To == "" && r.Suggestion != "" {
			sugg++
		}
	}
	test.Tap(v.acceptAll)
	f.settle()
	if got := v.View().Unmapped; got != len(view.Values)-1-sugg || sugg == 0 {
		t.Errorf("%d unmapped after accepting %d suggestions", got, sugg)
	}
	// undo takes the whole batch back
	test.Tap(findButton(t, f.win.Content(), "Undo"))
	f.settle()
	f.step.values.load()
	f.settle()
	if got := v.View().Unmapped; got != len(view.Values)-1 {
		t.Errorf("%d unmapped after undoing the batch", got)
	}
}

func TestMapTemplateThenValidationFindsWhatTheDemoPlanted(t *testing.T) {
	f := newMapDemo(t, nil)
	f.deps.picker.paths = []string{mapDemoFixture}
	f.step.menuAction(f.step.tplMenu, "Import template…")
	f.settle()
	if len(f.step.misfits) != 0 || !strings.Contains(f.step.notice.Text(), "Applied demo-fhir-r4.json") {
		t.Fatalf("notice %q, misfits %v", f.step.notice.Text(), f.step.misfits)
	}
	if f.step.ov.Complete != 6 || f.step.ov.WithData != 6 {
		t.Fatalf("%d of %d entities complete", f.step.ov.Complete, f.step.ov.WithData)
	}

	// Preview: the first appointments, with the ambiguous dates marked.
	f.selectEntity("Appointment")
	f.step.tabs.Select(f.step.previewTab)
	f.settle()
	pv := f.step.preview.Preview()
	if pv == nil || pv.Kinds[mapping.KindAmbiguousDate] == 0 || !strings.Contains(f.step.preview.summary.Text, "day and month unclear (") {
		t.Fatalf("preview: %+v %q", pv, f.step.preview.summary.Text)
	}
	settleUntil(t, func() bool { _, ok := f.step.preview.grid.Row(0); return ok })

	// Validate all rows, as app/mapping's test validates the demo before cleansing.
	f.step.tabs.Select(f.step.checkTab)
	test.Tap(findButton(t, f.win.Content(), "Validate all rows"))
	f.settle()
	want := mapPlanted(t, f.man)
	got := map[[3]string]int64{}
	var total int64
	var phone *mapping.Issue
	for _, it := range f.step.check.Items() {
		if it.problem != nil {
			t.Errorf("problem of the map: %s", it.problem.Message)
			continue
		}
		got[[3]string{it.issue.Entity, it.issue.Field, it.issue.Kind}] = it.issue.Count
		total += it.issue.Count
		if it.issue.Kind == mapping.KindBadPhone {
			phone = it.issue
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s.%s %s: the screen says %d; the demo planted %d", k[0], k[1], k[2], got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected: %s.%s %s: %d", k[0], k[1], k[2], n)
		}
	}
	if !strings.Contains(f.step.check.summary.Text, plural64(total, "error", "errors")) {
		t.Errorf("summary %q; want %d errors", f.step.check.summary.Text, total)
	}
	if !strings.Contains(f.step.checkTab.Text, fmtInt(total)) {
		t.Errorf("tab title %q", f.step.checkTab.Text)
	}
	// Drill down: the rows behind the bad phone numbers are the rows the demo planted them in.
	for i, it := range f.step.check.Items() {
		if it.issue == phone {
			f.step.check.list.Select(i)
		}
	}
	f.settle()
	g := f.step.check.grid
	planted := f.man.Find(demo.KindInvalidPhone, "patients", "Phone")
	if !g.Filtered() || g.RowCount() != int64(len(planted.Rows)) {
		t.Fatalf("drill-down shows %d rows (filtered %v); %d planted", g.RowCount(), g.Filtered(), len(planted.Rows))
	}
	settleUntil(t, func() bool { _, ok := g.Row(0); return ok })
	if r, _ := g.Row(0); r.ID != int64(planted.Rows[0]) {
		t.Errorf("first row %d; want %d", r.ID, planted.Rows[0])
	}
}

// mapPlanted is what validation must find on the demo before cleansing, worked out from the
// manifest exactly as app/mapping's TestDemoOnFHIRFindsThePlantedDefectsAndNoErrorsOnceCleansed.
func mapPlanted(t *testing.T, man *demo.Manifest) map[[3]string]int64 {
	t.Helper()
	def := func(kind, table, column string) *demo.Defect {
		d := man.Find(kind, table, column)
		if d == nil {
			t.Fatalf("the manifest has no %s on %s.%s", kind, table, column)
		}
		return d
	}
	canonical := map[string]bool{"scheduled": true, "confirmed": true, "arrived": true, "completed": true, "no_show": true,
		"cancelled_by_patient": true, "cancelled_by_practice": true, "rescheduled": true}
	var unmappedStatus int64
	for v, n := range def(demo.KindPicklistFreetext, "appointments", "Status").Values {
		if !canonical[strings.TrimSpace(v)] {
			unmappedStatus += int64(n)
		}
	}
	placeholders := def(demo.KindPlaceholder, "patients", "BirthDate")
	money := map[string]int64{}
	for _, mc := range man.Money {
		money[mc.Table] = int64(mc.NonNumeric)
	}
	return map[[3]string]int64{
		{"Patient", "identifier", mapping.KindDuplicateKey}:               int64(def(demo.KindDuplicateKey, "patients", "PatientID").Count),
		{"Patient", "birthDate", mapping.KindAmbiguousDate}:               int64(def(demo.KindDateAmbiguous, "patients", "BirthDate").Count),
		{"Patient", "birthDate", mapping.KindBadDate}:                     int64(placeholders.Count - placeholders.Values[""]),
		{"Patient", "telecom.phone", mapping.KindBadPhone}:                int64(def(demo.KindInvalidPhone, "patients", "Phone").Count),
		{"Patient", "telecom.email", mapping.KindBadEmail}:                int64(def(demo.KindInvalidEmail, "patients", "Email").Count),
		{"Appointment", "status", mapping.KindUnmappedValue}:              unmappedStatus,
		{"Appointment", "start", mapping.KindAmbiguousDate}:               int64(def(demo.KindDateAmbiguous, "appointments", "Date").Count),
		{"Appointment", "participant.patient", mapping.KindRefNotFound}:   int64(def(demo.KindOrphan, "appointments", "PatientID").Count),
		{"Invoice", "subject", mapping.KindRefNotFound}:                   int64(def(demo.KindOrphan, "invoices", "PatientID").Count),
		{"Invoice", "totalGross", mapping.KindBadNumber}:                  money["invoices"],
		{"PaymentReconciliation", "paymentAmount", mapping.KindBadNumber}: money["payments"],
		{"PaymentReconciliation", "patient", mapping.KindRefNotFound}:     int64(def(demo.KindOrphan, "payments", "PatientID").Count),
	}
}

func TestMapTemplatesExportAndTheVendorTemplateBecomesTheTarget(t *testing.T) {
	f := newMapDemo(t, nil)
	// the vendor's import template: header, a row of rules, an example
	dir := t.TempDir()
	vendor := filepath.Join(dir, "Patients.csv")
	os.WriteFile(vendor, []byte("External ID,Last name*,First name,Date of birth,Sex\nrequired,required,,DD/MM/YYYY,one of: M, F, U\n"+
		"A1,Lee,Ann,01/02/1980,F\n"), 0o644)
	f.deps.picker.paths = []string{vendor}
	test.Tap(findButton(t, f.win.Content(), "Use the new vendor's import template…"))
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog asking what the template imports")
	}
	test.Tap(findButton(t, top, "Read it"))
	f.settle()
	// what was guessed is said in words
	top = f.win.Canvas().Overlays().Top()
	if top == nil || !hasText(top, "External ID carries the old system's key") {
		t.Fatal("the notes on the template are not shown")
	}
	test.Tap(findButton(t, top, "OK"))
	tg, err := target.Active(context.Background(), f.p)
	if err != nil || tg.Name != "vendor" {
		t.Fatalf("target %q: %v", tg.Name, err)
	}
	e := tg.Entity("Patients")
	if e == nil || len(e.Fields) != 5 || !e.Field("External ID").Required || !e.Field("External ID").Key ||
		e.Field("Date of birth").Format != "DD/MM/YYYY" || e.Field("Sex").Type != target.Code {
		t.Fatalf("entity from the template: %+v", e)
	}
	// hand edits: a maximum length on a field
	ln := *e.Field("Last name")
	ln.MaxLength = 40
	f.step.SaveField("Patients", "Last name", ln)
	f.settle()
	if tg, _ := target.Active(context.Background(), f.p); tg.Entity("Patients").Field("Last name").MaxLength != 40 {
		t.Error("the field edit was not saved")
	}
	// map something and export it as a template
	f.selectEntity("Patients")
	f.step.tableSelect.SetSelected("patients")
	f.settle()
	f.drag("LastName", "Last name")
	out := filepath.Join(dir, "vendor map.json")
	f.deps.saveTo = out
	f.step.menuAction(f.step.tplMenu, "Export template…")
	f.settle()
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mapping.ReadTemplate(bytes.NewReader(b))
	if err != nil || tpl.Target.Name != "vendor" || len(tpl.Entities) != 1 || len(tpl.Entities[0].Fields) != 1 ||
		strings.Join(tpl.Entities[0].Fields[0].Sources, "+") != "LastName" {
		t.Fatalf("exported %+v: %v", tpl, err)
	}
}

// mapReadCSV is Services.ReadTable for tests, as cmd wires it: the first table of a file.
func mapReadCSV(ctx context.Context, path string) (*staging.MemoryTable, error) {
	var sink staging.MemorySink
	if _, err := importers.Import(ctx, path, importers.Options{Header: "yes"}, &sink, nil); err != nil {
		return nil, err
	}
	return sink.Tables[0], nil
}

func TestMapViewOnlyShowsTheMapButChangesNothing(t *testing.T) {
	f := newMapDemo(t, mapPatientFromPatients)
	path := f.p.Path
	f.step.Close()
	f.p.Close()
	p, err := project.Open(context.Background(), path, project.Options{ReadOnly: true, Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	deps := &mapDeps{stepDeps: stepDeps{p: p, picker: &fakePicker{}}}
	step := NewMapStep(f.win, deps).(*MapStep)
	defer step.Close()
	f.win.SetContent(step)
	settle(t)
	if step.ov == nil || step.entity != "Patient" {
		t.Fatalf("the map is not shown read-only: %v", deps.errs)
	}
	if !step.suggestBtn.Disabled() || !step.check.run.Disabled() || !step.tableSelect.Disabled() {
		t.Error("editing is offered on a project opened for viewing only")
	}
	rev, _ := mapping.New(p).Revision(context.Background())
	src, dst := step.canvas.SourceRow("BirthDate"), step.canvas.FieldRow("birthDate")
	d := fyne.CurrentApp().Driver()
	from := d.AbsolutePositionForObject(src).Add(fyne.NewPos(30, 10))
	to := d.AbsolutePositionForObject(dst).Add(fyne.NewPos(30, 10))
	test.Drag(f.win.Canvas(), from, to.X-from.X, to.Y-from.Y)
	settle(t)
	if r, _ := mapping.New(p).Revision(context.Background()); r != rev || len(deps.errs) != 0 {
		t.Errorf("a drop changed a read-only map (revision %d → %d, %v)", rev, r, deps.errs)
	}
}
