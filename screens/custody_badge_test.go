package screens

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

func custodyBadgeButton(t *testing.T, root fyne.CanvasObject) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "Custody log") {
			found = b
			return false
		}
		return true
	})
	if found == nil {
		t.Fatal("no custody badge in the header")
	}
	return found
}

func TestCustodyBadgeSaysTheChainHoldsAndNamesWhatBroke(t *testing.T) {
	_, p, w := openShell(t)
	badge := custodyBadgeButton(t, w.Content())
	evs, _ := custody.List(context.Background(), p.Reader(), 0)
	if want := "Custody log verified: " + fmtInt(int64(len(evs))) + " events"; badge.Text != want {
		t.Fatalf("badge %q, want %q", badge.Text, want)
	}
	// someone edits the file behind Ferry's back: tapping the badge checks again and says which event
	if _, err := p.Writer().Exec(`UPDATE ferry_custody SET actor = 'Someone Else' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	test.Tap(badge)
	settle(t)
	if badge.Text != "Custody log broken: event 1 altered" || badge.Importance != widget.DangerImportance {
		t.Fatalf("badge after tampering: %q (importance %v)", badge.Text, badge.Importance)
	}
	overlay := w.Canvas().Overlays().Top()
	if overlay == nil || !hasText(overlay, "Event 1 altered") || !hasText(overlay, "ferry-backups") {
		t.Fatal("tapping the broken badge does not show which event and what to do")
	}
}

func TestCustodyBadgeTexts(t *testing.T) {
	for _, c := range []struct {
		rep  custody.Report
		want string
	}{
		{custody.Report{OK: true, Events: 1234}, "Custody log verified: 1,234 events"},
		{custody.Report{Events: 9, Problems: []custody.Problem{{Seq: 4, Kind: "inserted"}}}, "Custody log broken: event 4 inserted"},
		{custody.Report{Events: 9, Problems: []custody.Problem{{Seq: 2, Kind: "removed"}, {Seq: 5, Kind: "altered"}}},
			"Custody log broken: 2 problems, first event 2 removed"},
	} {
		if got := custodyBadgeText(c.rep, nil); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// Autosave: what is typed in Plan is in the file when the window is closed straight after typing,
// without any Save. The window's close button runs exactly u.closeProject() and then closes it.
func TestPlanTypedThenWindowClosedIsSaved(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	a := test.NewTempApp(t)
	uiQueue = queueUI(t)
	path := filepath.Join(t.TempDir(), "Typed.ferry")
	p, err := project.Create(context.Background(), path, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	u := NewUI(a, Services{})
	u.Show(p)
	settle(t)
	root := u.Window().Content()
	name := formEntry(t, root, "Practice name *").(*widget.Entry)
	test.Type(name, "Harbour View Dental")
	// no settle, no Save: close at once, as the close button does
	u.closeProject()
	u.Window().Close()
	settle(t)
	q, err := project.Open(context.Background(), path, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	got, err := plan.Load(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got["practice_name"] != "Harbour View Dental" {
		t.Fatalf("after closing the window the plan holds %q", got["practice_name"])
	}
}
