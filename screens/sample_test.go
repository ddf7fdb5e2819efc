package screens

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/internal/demotest"
)

// sampleFixture is the Sample run step on the demo practice, audited and taken through Cleanse
// and Map.
type sampleFixture struct {
	t    *testing.T
	p    *project.Project
	deps *stepDeps
	step *SampleStep
	win  fyne.Window
}

func newSampleDemo(t *testing.T) *sampleFixture {
	t.Helper()
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	p := demotest.Audited(t)
	deps := &stepDeps{p: p, picker: &fakePicker{}}
	w := test.NewTempWindow(t, nil)
	step := NewSampleStep(w, deps).(*SampleStep)
	w.SetContent(step)
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		step.Close()
		p.Close()
	})
	f := &sampleFixture{t: t, p: p, deps: deps, step: step, win: w}
	f.settle()
	return f
}

func (f *sampleFixture) settle() {
	f.t.Helper()
	settle(f.t)
	if len(f.deps.errs) > 0 {
		f.t.Fatalf("errors shown: %v", f.deps.errs)
	}
}

func TestSampleStepShowsTheSelectionWithCountsAndReasons(t *testing.T) {
	f := newSampleDemo(t)
	sel := f.step.Selection()
	if sel == nil || sel.Total() == 0 {
		t.Fatal("no selection shown")
	}
	want, err := sample.Select(context.Background(), f.p, sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Total() != sel.Total() {
		t.Fatalf("screen shows %d records, the engine picks %d", sel.Total(), want.Total())
	}
	root := f.win.Content()
	if !hasText(root, fmtInt(int64(sel.Total()))+" of ") || !hasText(root, "chosen by each record's legacy key") {
		t.Error("summary line missing")
	}
	// The first entity's records are listed with why each is in.
	rows := f.step.RecordRows()
	if len(rows) != sel.Entities[0].Picked {
		t.Fatalf("%d rows listed for %s, %d picked", len(rows), sel.Entities[0].Entity, sel.Entities[0].Picked)
	}
	reasons := map[string]bool{}
	for _, r := range rows {
		if r.why == "" {
			t.Errorf("%s: no reason shown", r.key)
		}
		reasons[strings.SplitN(r.why, ":", 2)[0]] = true
	}
	if !reasons["hash"] || !reasons["finding"] {
		t.Errorf("patients' reasons shown: %v", reasons)
	}
	// Choosing another entity in the counts table lists its records.
	f.step.counts.Select(widget.TableCellID{Row: 3, Col: 0})
	f.settle()
	if got := f.step.entity; got != sel.Entities[2].Entity {
		t.Errorf("chose row 3, shows %s", got)
	}
}

func TestSampleStepAddsAndRemovesARecordByHand(t *testing.T) {
	f := newSampleDemo(t)
	before := f.step.Selection()
	var key string
	for _, k := range []string{"50100", "50200", "50300", "50400", "50500", "50600"} {
		if _, in := before.Pick("Appointment", k); !in {
			key = k
			break
		}
	}
	if key == "" {
		t.Skip("every candidate appointment is sampled already")
	}
	f.step.entitySel.SetSelected("Appointment")
	test.Type(f.step.keyEntry, key)
	test.Type(f.step.noteEntry, "Dana remembers this one")
	test.Tap(findButton(t, f.win.Content(), "Add to the sample"))
	f.settle()
	pk, ok := f.step.Selection().Pick("Appointment", key)
	if !ok || !pk.Has(sample.ReasonManual) {
		t.Fatalf("appointment %s not in the sample after adding it: %+v", key, pk)
	}
	if f.step.entity != "Appointment" || !hasText(f.win.Content(), "Dana remembers this one") {
		t.Error("the hand-added record is not listed")
	}
	// A key that is not there is said so, and nothing changes.
	f.step.entitySel.SetSelected("Patient")
	test.Type(f.step.keyEntry, "no-such-patient")
	test.Tap(findButton(t, f.win.Content(), "Add to the sample"))
	f.settle()
	if !strings.Contains(f.step.notice.Text(), "No Patient has the legacy key") {
		t.Errorf("notice %q", f.step.notice.Text())
	}
	if err := sample.Remove(context.Background(), f.p, "Appointment", key); err != nil {
		t.Fatal(err)
	}
	f.step.Recompute()
	f.settle()
	if _, in := f.step.Selection().Pick("Appointment", key); in {
		t.Error("still in after removing it")
	}
}
