package screens

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

func TestSampleStepRunsIntoASandboxShowsResultsAndCleansUp(t *testing.T) {
	f := newSampleDemo(t)
	ctx := context.Background()
	feed, err := mapping.New(f.p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb := pocketbase.Start(t)
	if err := pb.CreateCollections(feed.Def, pocketbase.Options{}); err != nil {
		t.Fatal(err)
	}
	token, err := pb.UserToken()
	if err != nil {
		t.Fatal(err)
	}
	cfg := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
		Entities: load.PocketBaseEntities(feed.Def), Concurrency: 8}
	if _, err := load.SaveDestination(ctx, f.p, load.Destination{Name: "sandbox", Kind: load.KindREST, Role: "sandbox", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	f.step.buildRunBar() // the destination was added after the step opened
	f.settle()
	if f.step.destSel.Selected != "sandbox (sandbox)" {
		t.Fatalf("destination chosen: %q", f.step.destSel.Selected)
	}

	test.Tap(findButton(t, f.win.Content(), "Run sample"))
	// The token is asked for: the keyring has none.
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no sign-in dialog")
	}
	var entry *widget.Entry
	walk(top, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok {
			entry = e
			return false
		}
		return true
	})
	if entry == nil {
		t.Fatal("no password entry in the dialog")
	}
	test.Type(entry, token)
	test.Tap(findButton(t, top, "Continue"))
	settleUntil(t, func() bool { return !f.step.Busy() && f.step.results != nil })
	f.settle()

	sel := f.step.Selection()
	if f.step.results == nil || f.step.results.run.Mode != load.ModeSample {
		t.Fatal("no sample run shown")
	}
	for _, r := range f.step.RecordRows() {
		if r.status != load.StatusCreated || r.newID == "" {
			t.Errorf("%s: %s %q %s", r.key, r.status, r.newID, r.message)
		}
	}
	if got := f.step.results.left; got != int64(sel.Total()) {
		t.Errorf("%d records in the sandbox, %d in the sample", got, sel.Total())
	}
	if !hasText(f.win.Content(), "0.0%") || !hasText(f.win.Content(), "arrived in sandbox") {
		t.Error("error rate or the run's outcome not shown")
	}

	test.Tap(findButton(t, f.win.Content(), "Clean up sample"))
	test.Tap(findButton(t, f.win.Canvas().Overlays().Top(), "Yes"))
	top = f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no sign-in dialog for the clean-up")
	}
	entry = nil
	walk(top, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok {
			entry = e
			return false
		}
		return true
	})
	test.Type(entry, token)
	test.Tap(findButton(t, top, "Continue"))
	settleUntil(t, func() bool { return !f.step.Busy() && f.step.results != nil && f.step.results.left == 0 })
	f.settle()
	for _, e := range feed.Entities {
		if recs, _ := pb.Records(pocketbase.CollectionName(e.Name)); len(recs) != 0 {
			t.Errorf("%s: %d records left in the sandbox", e.Name, len(recs))
		}
	}
	if !hasText(f.win.Content(), "Cleaned up") {
		t.Errorf("notice: %q", f.step.notice.Text())
	}
}
