package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/custody"
)

// custodyRecheck is how often the badge checks the chain again while the project is open, so
// that it stays true as steps add events (a check reads and hashes the log: milliseconds).
const custodyRecheck = 20 * time.Second

// custodyBadge shows, in the project header, whether the custody log holds: "Custody log verified:
// 214 events", or what broke ("Custody log broken: event 12 altered"). Tapping it checks again
// and shows the details. The check runs off the UI goroutine.
type custodyBadge struct {
	widget.BaseWidget
	s      *Shell
	button *widget.Button
	last   custody.Report
	err    error
}

func newCustodyBadge(s *Shell) fyne.CanvasObject {
	b := &custodyBadge{s: s}
	b.button = widget.NewButton("Checking the custody log…", b.tapped)
	b.button.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	b.check(nil)
	// not goBackground: this waits for as long as the project is open, and tests settle on that
	stop := make(chan struct{})
	s.OnClose(func() { close(stop) })
	go func() {
		tick := time.NewTicker(custodyRecheck)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if !s.closed.Load() {
					b.check(nil)
				}
			}
		}
	}()
	return b
}

func (b *custodyBadge) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(b.button)
}

// check verifies the chain in the background and updates the badge; then runs after, if set.
func (b *custodyBadge) check(after func()) {
	goBackground(func() {
		if b.s.closed.Load() {
			return
		}
		rep, err := b.s.proj.Verify(context.Background())
		if b.s.closed.Load() {
			return
		}
		uiDo(func() {
			b.last, b.err = rep, err
			b.button.SetText(custodyBadgeText(rep, err))
			switch {
			case err != nil || !rep.OK:
				b.button.SetIcon(theme.ErrorIcon())
				b.button.Importance = widget.DangerImportance
			default:
				b.button.SetIcon(nil) // the text has its tick
				b.button.Importance = widget.LowImportance
			}
			b.button.Refresh()
			if after != nil {
				after()
			}
		})
	})
}

// custodyBadgeText is the badge's words for a verification outcome.
func custodyBadgeText(rep custody.Report, err error) string {
	switch {
	case err != nil:
		return "Custody log could not be checked"
	case rep.OK:
		return fmt.Sprintf("Custody log verified: %s events", fmtInt(int64(rep.Events)))
	case len(rep.Problems) == 1:
		p := rep.Problems[0]
		return fmt.Sprintf("Custody log broken: event %d %s", p.Seq, p.Kind)
	default:
		return fmt.Sprintf("Custody log broken: %d problems, first event %d %s", len(rep.Problems), rep.Problems[0].Seq, rep.Problems[0].Kind)
	}
}

func (b *custodyBadge) tapped() {
	b.check(func() {
		var body string
		switch {
		case b.err != nil:
			body = "Ferry could not read the custody log: " + b.err.Error()
		case b.last.OK:
			body = fmt.Sprintf("Every one of the %s events in this project's custody log is intact and in order: "+
				"nothing was altered, removed or inserted since Ferry wrote it. Each event records who did what, "+
				"on which computer, and when.", fmtInt(int64(b.last.Events)))
		default:
			var lines []string
			for _, p := range b.last.Problems {
				lines = append(lines, fmt.Sprintf("• Event %d %s: %s", p.Seq, p.Kind, p.Detail))
			}
			body = "The custody log does not hold: someone or something changed the project file outside Ferry.\n\n" +
				strings.Join(lines, "\n") + "\n\nKeep this file as evidence and carry on from a backup copy " +
				"(the NAME.ferry-backups folder beside the project) or your last good copy."
		}
		d := dialog.NewCustom("Custody log", "Close", container.NewVBox(wrapped(body)), b.s.win)
		d.Resize(fyne.NewSize(560, 260))
		d.Show()
	})
}
