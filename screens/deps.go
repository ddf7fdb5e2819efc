// Package screens is Ferry's window: the welcome screen, the wizard shell with its sidebar of
// steps, one file per wizard step, and small shared widgets. Screens never compute what the engine
// (app/...) should; long work runs on goroutines and results come back through fyne.Do.
package screens

import (
	"context"

	"fyne.io/fyne/v2"

	_ "github.com/ferry-migrate/ferry/internal/locale" // a parseable locale before Fyne reads it

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// StepDeps is what a wizard step needs from the shell around it.
type StepDeps interface {
	Project() *project.Project
	// Refresh recomputes every step's status (after the step changed the project).
	Refresh()
	// GoTo shows another step.
	GoTo(id wizard.StepID)
	// ShowError tells the person what went wrong and what to do, once.
	ShowError(err error)
	// Files picks files with the native dialog (or Fyne's where there is none).
	Files() FilePicker
	// Services are the engine functions cmd wired (the file importer ...).
	Services() Services
}

// Filter narrows a file dialog to some extensions, e.g. {"Ferry projects", []string{".ferry"}}.
type Filter struct {
	Name string
	Exts []string
}

// FilePicker is a file dialog. Callbacks run on the UI goroutine; path is "" when cancelled.
type FilePicker interface {
	Open(title string, filters []Filter, done func(path string, err error))
	OpenMany(title string, filters []Filter, done func(paths []string, err error))
	Save(title, suggested string, filters []Filter, done func(path string, err error))
}

// Services are the engine functions the window starts; cmd wires the real ones so that screens
// do not import importers.
type Services struct {
	// CreateDemo creates the demo practice project at path (the demo data imported and ready).
	CreateDemo func(ctx context.Context, path string, actor string) (*project.Project, error)
	// NewPicker makes the file picker for a window.
	NewPicker func(w fyne.Window) FilePicker
	// Importer reads legacy exports into the project (the importers package's implementation).
	Importer staging.FileImporter
	// ReadTable reads the first table of a file into memory without staging it (the Parallel run's
	// daily comparisons of the old and new systems' same-day reports).
	ReadTable func(ctx context.Context, path string) (*staging.MemoryTable, error)
}
