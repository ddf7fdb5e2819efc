//go:build !((linux && cgo) || windows || (darwin && cgo))

// Package nativedialog shows the operating system's own file dialogs; this build has none (no
// cgo), so it uses Fyne's.
package nativedialog

import (
	"fyne.io/fyne/v2"

	"github.com/ferry-migrate/ferry/screens"
)

// New returns Fyne's picker: this build cannot show native dialogs.
func New(w fyne.Window) screens.FilePicker { return screens.NewFynePicker(w) }
