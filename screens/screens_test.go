package screens

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// walk visits every object under o, descending into containers and widgets' renderers.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !visit(o) {
		return false
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if !walk(c, visit) {
				return false
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if !walk(c, visit) {
				return false
			}
		}
	}
	return true
}

func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			found = b
			return false
		}
		return true
	})
	if found == nil {
		t.Fatalf("no button %q on screen", text)
	}
	return found
}

func hasText(root fyne.CanvasObject, text string) bool {
	found := false
	walk(root, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *widget.Label:
			found = found || strings.Contains(x.Text, text)
		case *widget.RichText:
			found = found || strings.Contains(x.String(), text)
		}
		return !found
	})
	return found
}

// entryAfterLabel finds the entry of a form item by its label.
func formEntry(t *testing.T, root fyne.CanvasObject, label string) fyne.CanvasObject {
	t.Helper()
	var found fyne.CanvasObject
	walk(root, func(o fyne.CanvasObject) bool {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				if it.Text == label {
					found = it.Widget
					return false
				}
			}
		}
		return true
	})
	if found == nil {
		t.Fatalf("no form field %q", label)
	}
	return found
}

type fakeWelcome struct{ calls []string }

func (f *fakeWelcome) NewProject()        { f.calls = append(f.calls, "new") }
func (f *fakeWelcome) OpenProjectDialog() { f.calls = append(f.calls, "open") }
func (f *fakeWelcome) OpenProject(p string, ro bool) {
	f.calls = append(f.calls, "open "+filepath.Base(p))
}
func (f *fakeWelcome) TryDemo()            { f.calls = append(f.calls, "demo") }
func (f *fakeWelcome) Recent() []string    { return []string{"/office/Harbour View.ferry"} }
func (f *fakeWelcome) ForgetRecent(string) {}

func TestWelcomeOffersNewOpenRecentAndTheDemo(t *testing.T) {
	test.NewTempApp(t)
	deps := &fakeWelcome{}
	w := test.NewTempWindow(t, NewWelcome(nil, deps))
	w.Resize(fyne.NewSize(1280, 800))
	root := w.Content()
	test.Tap(findButton(t, root, "Try the demo practice"))
	test.Tap(findButton(t, root, "New project…"))
	test.Tap(findButton(t, root, "Open project…"))
	test.Tap(findButton(t, root, "View only"))
	want := []string{"demo", "new", "open", "open Harbour View.ferry"}
	if !reflect.DeepEqual(deps.calls, want) {
		t.Fatalf("calls %v, want %v", deps.calls, want)
	}
	if !hasText(root, "Harbour View") {
		t.Fatal("recent project not listed")
	}
}

func openShell(t *testing.T) (*Shell, *project.Project, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	// Background results (sidebar refreshes, pages loading) wait for the test goroutine, as they
	// would for Fyne's main loop: run concurrently they race with the test driver's rendering.
	uiQueue = queueUI(t)
	w := test.NewTempWindow(t, nil)
	s := NewShell(w, p, NewFynePicker(w), func() {}, func() {})
	w.SetContent(s.Content())
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(s.Close) // before the project closes: typed text still pending is saved, not lost
	settle(t)
	return s, p, w
}

func TestShellListsEveryStepAndNavigates(t *testing.T) {
	s, _, w := openShell(t)
	if s.Current() != wizard.Plan {
		t.Fatalf("opens on %s, want plan", s.Current())
	}
	if len(s.Statuses()) != 9 {
		t.Fatalf("%d steps in the sidebar", len(s.Statuses()))
	}
	test.Tap(findButton(t, w.Content(), "Next: Sources"))
	if s.Current() != wizard.Sources {
		t.Fatalf("after Next: %s", s.Current())
	}
	s.GoTo(wizard.Audit)
	if s.Current() != wizard.Audit {
		t.Fatalf("GoTo audit: %s", s.Current())
	}
	// Unbuilt or unavailable steps say so plainly, never fake content.
	if !hasText(w.Content(), "not built yet") && !hasText(w.Content(), "Available once") {
		t.Fatal("audit page does not say why it cannot be used")
	}
	test.Tap(findButton(t, w.Content(), "Sources"))
	if s.Current() != wizard.Sources {
		t.Fatalf("Previous: %s", s.Current())
	}
}

func TestPlanEditingIsSavedAsTypedAndUpdatesStatus(t *testing.T) {
	s, p, w := openShell(t)
	root := w.Content()
	name := formEntry(t, root, "Practice name *").(*widget.Entry)
	test.Type(name, "Harbour View Dental")
	formEntry(t, root, "Kind of practice *").(*widget.Select).SetSelected("dental")
	for label, v := range map[string]string{"Staff who use the system": "25", "Locations": "1", "Connected systems": "2"} {
		e := formEntry(t, root, label).(*widget.Entry)
		test.Type(e, v)
	}
	formEntry(t, root, "Downtime you can tolerate *").(*widget.Select).SetSelected("a weekend")
	if !hasText(root, "Ferry recommends: parallel") || !hasText(root, "25 staff") {
		t.Fatal("recommendation with its reason not shown")
	}
	test.Tap(findButton(t, root, "Use the recommendation"))
	s.Close() // flushes what is still being typed, as closing the window does
	got, err := plan.Load(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got["practice_name"] != "Harbour View Dental" || got["staff"] != "25" || got["strategy"] != plan.Parallel {
		t.Fatalf("saved plan %v", got)
	}
	evs, _ := custody.List(context.Background(), p.Reader(), 0)
	edits := 0
	for _, e := range evs {
		if e.Action == "plan.edit" {
			edits++
		}
	}
	if edits < 6 || edits > 8 { // one per field changed, not one per keystroke
		t.Fatalf("%d plan.edit events for 7 fields", edits)
	}
	steps, err := wizard.Steps(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if steps[0].State != wizard.InProgress {
		t.Fatalf("plan status %v", steps[0].State)
	}
}

func TestPlanShowsDateProblemsInWords(t *testing.T) {
	_, _, w := openShell(t)
	root := w.Content()
	test.Type(formEntry(t, root, "Data freeze *").(*widget.Entry), "2027-03-05")
	test.Type(formEntry(t, root, "Go-live *").(*widget.Entry), "2027-03-01")
	time.Sleep(10 * time.Millisecond)
	if !hasText(root, "Go-live is before the data freeze") {
		t.Fatal("go-live before freeze not explained")
	}
}

// firstEntry is the first entry under o (a dialog's), or nil.
func firstEntry(o fyne.CanvasObject) *widget.Entry {
	var entry *widget.Entry
	walk(o, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok {
			entry = e
			return false
		}
		return true
	})
	return entry
}
