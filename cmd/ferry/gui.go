package main

import (
	"io"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"

	"github.com/ferry-migrate/ferry/screens"
	"github.com/ferry-migrate/ferry/screens/nativedialog"
)

// AppID identifies Ferry to the OS (preferences, notifications); matches FyneApp.toml.
const AppID = "io.ferry.desktop"

// startGUI opens the window, on the welcome screen or on a project, and runs until it closes.
func startGUI(path string, view bool, _ io.Writer) int {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	ui := screens.NewUI(a, services())
	if path != "" {
		ui.OpenProject(path, view)
	}
	ui.Window().ShowAndRun()
	return 0
}

// services wires the engine into the window.
func services() screens.Services {
	return screens.Services{
		CreateDemo: createDemo,
		NewPicker:  nativedialog.New,
		Importer:   importers.Service{},
		ReadTable:  readTable,
	}
}
