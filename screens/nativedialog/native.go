//go:build (linux && cgo) || windows || (darwin && cgo)

// Package nativedialog shows the operating system's own file dialogs (sqweek/dialog: GTK on Linux,
// the common dialogs on Windows, Cocoa on macOS), falling back to Fyne's dialog where the native
// one cannot be shown. The dialog runs off the UI goroutine so Fyne's event loop keeps running.
package nativedialog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"github.com/sqweek/dialog"

	"github.com/ferry-migrate/ferry/screens"
)

type picker struct {
	w        fyne.Window
	fallback screens.FilePicker
}

// New returns the native picker for w.
func New(w fyne.Window) screens.FilePicker {
	if os.Getenv("FERRY_FYNE_DIALOGS") != "" {
		return screens.NewFynePicker(w)
	}
	return picker{w: w, fallback: screens.NewFynePicker(w)}
}

func build(title string, filters []screens.Filter) *dialog.FileBuilder {
	b := dialog.File().Title(title)
	for _, f := range filters {
		var e []string
		for _, x := range f.Exts {
			e = append(e, strings.TrimPrefix(x, "."))
		}
		b = b.Filter(f.Name, e...)
	}
	return b.Filter("All files", "*")
}

func (p picker) Open(title string, filters []screens.Filter, done func(string, error)) {
	go func() {
		path, err := build(title, filters).Load()
		fyne.Do(func() {
			switch {
			case errors.Is(err, dialog.ErrCancelled):
				done("", nil)
			case err != nil:
				p.fallback.Open(title, filters, done)
			default:
				done(path, nil)
			}
		})
	}()
}

// OpenMany: sqweek/dialog picks one file; several files come one after another or by dropping.
func (p picker) OpenMany(title string, filters []screens.Filter, done func([]string, error)) {
	p.Open(title, filters, func(path string, err error) {
		if path == "" {
			done(nil, err)
			return
		}
		done([]string{path}, err)
	})
}

func (p picker) Save(title, suggested string, filters []screens.Filter, done func(string, error)) {
	go func() {
		b := build(title, filters)
		if suggested != "" {
			b = b.SetStartDir(filepath.Dir(suggested)).SetStartFile(filepath.Base(suggested))
		}
		path, err := b.Save()
		fyne.Do(func() {
			switch {
			case errors.Is(err, dialog.ErrCancelled):
				done("", nil)
			case err != nil:
				p.fallback.Save(title, suggested, filters, done)
			default:
				done(path, nil)
			}
		})
	}()
}
