package screens

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// fynePicker uses Fyne's own file dialogs: the fallback where no native dialog works (no GTK,
// no display for it) and what tests see.
type fynePicker struct{ w fyne.Window }

// NewFynePicker returns a FilePicker built on Fyne's dialogs.
func NewFynePicker(w fyne.Window) FilePicker { return fynePicker{w} }

func exts(filters []Filter) []string {
	var out []string
	for _, f := range filters {
		out = append(out, f.Exts...)
	}
	return out
}

func (p fynePicker) Open(title string, filters []Filter, done func(string, error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("", err)
			return
		}
		r.Close()
		done(r.URI().Path(), nil)
	}, p.w)
	if e := exts(filters); len(e) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(e))
	}
	d.SetTitleText(title)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// OpenMany opens one file at a time: Fyne's dialog has no multi-select.
func (p fynePicker) OpenMany(title string, filters []Filter, done func([]string, error)) {
	p.Open(title, filters, func(path string, err error) {
		if path == "" {
			done(nil, err)
			return
		}
		done([]string{path}, err)
	})
}

func (p fynePicker) Save(title, suggested string, filters []Filter, done func(string, error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			done("", err)
			return
		}
		path := w.URI().Path()
		w.Close()
		// Fyne creates the file; the engine wants to create it itself (atomically).
		if st, err := os.Stat(path); err == nil && st.Size() == 0 {
			os.Remove(path)
		}
		done(path, nil)
	}, p.w)
	if suggested != "" {
		d.SetFileName(filepath.Base(suggested))
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(suggested))); err == nil {
			d.SetLocation(dir)
		}
	}
	if e := exts(filters); len(e) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(e))
	}
	d.SetTitleText(title)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}
