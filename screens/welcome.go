package screens

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
)

// WelcomeDeps is what the welcome screen needs.
type WelcomeDeps interface {
	NewProject()
	OpenProjectDialog()
	OpenProject(path string, readOnly bool)
	TryDemo()
	Recent() []string
	ForgetRecent(path string)
}

// NewWelcome builds the first screen: new, open, recent projects and the demo practice.
func NewWelcome(w fyne.Window, deps WelcomeDeps) fyne.CanvasObject {
	title := newThemedText("Ferry", 44, true, theme.ColorNamePrimary)
	tagline := widget.NewLabelWithStyle("Move your practice's data to its new system without losing a record.",
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := wrapped("Ferry guides you from planning to a checked, signed-off migration: bring in the old " +
		"system's exports, find what is wrong with them, fix it in steps you can undo, map it onto the new " +
		"system, load it, and prove that every record arrived.")

	action := func(icon fyne.Resource, heading, body, button string, primary bool, fn func()) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(button, icon, fn)
		if primary {
			b.Importance = widget.HighImportance
		}
		return widget.NewCard(heading, "", container.NewBorder(nil, b, nil, nil, container.NewVBox(wrapped(body))))
	}
	actions := container.NewGridWithColumns(3,
		action(theme.MediaPlayIcon(), "See how it works", "Harbour View Dental is a made-up practice whose exports have the "+
			"problems real ones have: duplicate patients, mixed-up dates, orphaned appointments, over a hundred spellings of 8 statuses.",
			"Try the demo practice", true, deps.TryDemo),
		action(theme.DocumentCreateIcon(), "Start a migration", "A new project file holds everything about one practice's "+
			"move: the plan, the imported data, every fix, the load and the proof.", "New project…", false, deps.NewProject),
		action(theme.FolderOpenIcon(), "Carry on", "Open a .ferry project you or your consultant started. "+
			"Owners can open one as View only to read the report.", "Open project…", false, deps.OpenProjectDialog),
	)

	recent := deps.Recent()
	var recentBody fyne.CanvasObject
	if len(recent) == 0 {
		recentBody = wrapped("No recent projects yet. Start with the demo practice to see how Ferry works, or create a new project for your own practice.")
	} else {
		list := widget.NewList(
			func() int { return len(recent) },
			func() fyne.CanvasObject {
				name := widget.NewLabelWithStyle("Project name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
				where := muted("/path/to/folder")
				where.Wrapping = fyne.TextWrapOff
				where.Truncation = fyne.TextTruncateEllipsis
				view := widget.NewButtonWithIcon("View only", theme.VisibilityIcon(), nil)
				view.Importance = widget.LowImportance
				return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), view,
					container.NewBorder(nil, nil, name, nil, where))
			},
			func(i widget.ListItemID, o fyne.CanvasObject) {
				b := o.(*fyne.Container)
				texts := b.Objects[0].(*fyne.Container)
				texts.Objects[1].(*widget.Label).SetText(strings.TrimSuffix(filepath.Base(recent[i]), project.Ext))
				texts.Objects[0].(*widget.Label).SetText(filepath.Dir(recent[i]))
				path := recent[i]
				b.Objects[2].(*widget.Button).OnTapped = func() { deps.OpenProject(path, true) }
			},
		)
		list.OnSelected = func(i widget.ListItemID) {
			list.UnselectAll()
			if _, err := os.Stat(recent[i]); err != nil {
				deps.ForgetRecent(recent[i])
			}
			deps.OpenProject(recent[i], false)
		}
		recentBody = list
	}
	recentCard := widget.NewCard("Recent projects", "", recentBody)

	top := container.NewVBox(title, tagline, intro, layout.NewSpacer(), actions)
	page := container.NewBorder(top, nil, nil, nil, recentCard)
	return container.NewPadded(container.New(&maxWidth{Width: 1100}, container.NewPadded(page)))
}

// maxWidth centres its content and keeps it at most Width wide, so wide screens read well.
type maxWidth struct{ Width float32 }

func (m *maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (m *maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, m.Width)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}
