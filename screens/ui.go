package screens

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/settings"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// UI is the window: the welcome screen or the wizard on an open project.
type UI struct {
	app    fyne.App
	win    fyne.Window
	svc    Services
	picker FilePicker

	proj  *project.Project
	shell *Shell
}

// NewUI makes Ferry's main window showing the welcome screen.
func NewUI(a fyne.App, svc Services) *UI {
	a.Settings().SetTheme(themeFor(settings.Load().Theme))
	w := a.NewWindow("Ferry")
	w.Resize(fyne.NewSize(1280, 800))
	u := &UI{app: a, win: w, svc: svc}
	u.setMenu()
	dialogKeys(w.Canvas())
	if svc.NewPicker != nil {
		u.picker = svc.NewPicker(w)
	} else {
		u.picker = NewFynePicker(w)
	}
	w.SetCloseIntercept(func() {
		u.closeProject()
		w.Close()
	})
	u.ShowWelcome()
	return u
}

// setMenu gives the window its menu: projects, the light or dark theme, and moving between steps
// with the keyboard (the menu shows the shortcuts, and its shortcuts work even in a text field).
func (u *UI) setMenu() {
	withShell := func(fn func(s *Shell)) func() {
		return func() {
			if u.shell != nil {
				fn(u.shell)
			}
		}
	}
	file := fyne.NewMenu("File",
		fyne.NewMenuItem("New project…", u.NewProject),
		fyne.NewMenuItem("Open project…", u.OpenProjectDialog),
		fyne.NewMenuItem("Try the demo practice", u.TryDemo),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Save as…", func() {
			if u.proj != nil && !u.proj.ReadOnly() {
				u.saveAs()
			}
		}),
		fyne.NewMenuItem("Close project", func() {
			if u.proj != nil {
				u.closeProject()
				u.ShowWelcome()
			}
		}),
	)
	current := settings.Load().Theme
	var themeItems []*fyne.MenuItem
	for _, c := range themeChoices {
		it := fyne.NewMenuItem(c.Label, nil)
		it.Checked = c.Value == current
		themeItems = append(themeItems, it)
	}
	view := fyne.NewMenu("View", themeItems...)
	for i, c := range themeChoices {
		c := c
		themeItems[i].Action = func() {
			if err := applyThemeChoice(u.app, c.Value); err != nil {
				showError(u.win, err)
			}
			for j := range themeItems {
				themeItems[j].Checked = j == i
			}
			view.Refresh()
		}
	}
	themeLabel := fyne.NewMenuItem("Theme", nil)
	themeLabel.Disabled = true
	view.Items = append([]*fyne.MenuItem{themeLabel}, view.Items...)
	next := fyne.NewMenuItem("Next step", withShell((*Shell).NextStep))
	next.Shortcut = shortcutNextStep
	prev := fyne.NewMenuItem("Previous step", withShell((*Shell).PreviousStep))
	prev.Shortcut = shortcutPreviousStep
	goMenu := fyne.NewMenu("Go", next, prev)
	u.win.SetMainMenu(fyne.NewMainMenu(file, view, goMenu))
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Shell is the wizard of the open project, or nil.
func (u *UI) Shell() *Shell { return u.shell }

// Project is the open project, or nil.
func (u *UI) Project() *project.Project { return u.proj }

// ShowWelcome shows the welcome screen.
func (u *UI) ShowWelcome() {
	u.win.SetTitle("Ferry")
	u.win.SetContent(NewWelcome(u.win, u))
}

// Recent implements WelcomeDeps.
func (u *UI) Recent() []string { return settings.RecentExisting() }

// ForgetRecent implements WelcomeDeps.
func (u *UI) ForgetRecent(path string) { _ = settings.RemoveRecent(path) }

// NewProject asks where to save a new project and creates it.
func (u *UI) NewProject() {
	_ = os.MkdirAll(settings.ProjectsDir(), 0o755)
	u.picker.Save("New Ferry project", filepath.Join(settings.ProjectsDir(), "My practice.ferry"),
		[]Filter{{Name: "Ferry projects", Exts: []string{project.Ext}}}, func(path string, err error) {
			if err != nil {
				showError(u.win, err)
				return
			}
			if path == "" {
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), project.Ext) {
				path += project.Ext
			}
			u.busy("Creating "+filepath.Base(path)+"…", func(ctx context.Context) (*project.Project, error) {
				return project.Create(ctx, path, project.Options{Actor: settings.Load().UserName})
			})
		})
}

// OpenProjectDialog asks for a project file and opens it.
func (u *UI) OpenProjectDialog() {
	u.picker.Open("Open a Ferry project", []Filter{{Name: "Ferry projects", Exts: []string{project.Ext}}}, func(path string, err error) {
		if err != nil {
			showError(u.win, err)
			return
		}
		if path != "" {
			u.OpenProject(path, false)
		}
	})
}

// OpenProject opens a project file; readOnly opens it for viewing only.
func (u *UI) OpenProject(path string, readOnly bool) {
	u.busy("Opening "+filepath.Base(path)+"…", func(ctx context.Context) (*project.Project, error) {
		return project.Open(ctx, path, project.Options{ReadOnly: readOnly, Actor: settings.Load().UserName})
	})
}

// TryDemo creates a fresh copy of the demo practice and opens it.
func (u *UI) TryDemo() {
	if u.svc.CreateDemo == nil {
		showError(u.win, fmt.Errorf("the demo practice is not available in this build"))
		return
	}
	path := DemoPath()
	u.busy("Creating the demo practice…", func(ctx context.Context) (*project.Project, error) {
		return u.svc.CreateDemo(ctx, path, settings.Load().UserName)
	})
}

// DemoPath is a new file name for the demo project, never overwriting an earlier one.
func DemoPath() string {
	dir := settings.ProjectsDir()
	for i := 1; ; i++ {
		name := "Demo practice.ferry"
		if i > 1 {
			name = fmt.Sprintf("Demo practice %d.ferry", i)
		}
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return p
		}
	}
}

// busy runs open/create work off the UI goroutine with a progress dialog, then shows the project.
func (u *UI) busy(msg string, work func(ctx context.Context) (*project.Project, error)) {
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(msg, bar, u.win)
	d.Show()
	go func() {
		p, err := work(context.Background())
		fyne.Do(func() {
			d.Hide()
			if err != nil {
				showError(u.win, err)
				return
			}
			u.Show(p)
		})
	}()
}

// Show puts an open project in the window (closing the one before).
func (u *UI) Show(p *project.Project) {
	if u.proj != p {
		u.closeProject()
	} else if u.shell != nil {
		u.shell.Close()
	}
	u.proj = p
	_ = settings.AddRecent(p.Path)
	u.shell = NewShell(u.win, p, u.picker, u.saveAs, func() {
		u.closeProject()
		u.ShowWelcome()
	})
	u.shell.SetServices(u.svc)
	if id := os.Getenv("FERRY_STEP"); id != "" {
		u.shell.GoTo(wizard.StepID(id))
	} else if p.ReadOnly() {
		u.shell.GoTo(wizard.Reconcile) // owners open a project to read the report
	}
	title := "Ferry — " + p.Name()
	if p.ReadOnly() {
		title += " (view only)"
	}
	u.win.SetTitle(title)
	u.win.SetContent(u.shell.Content())
}

func (u *UI) saveAs() {
	if u.proj == nil {
		return
	}
	u.picker.Save("Save a copy of the project as", filepath.Join(filepath.Dir(u.proj.Path), u.proj.Name()+" copy"+project.Ext),
		[]Filter{{Name: "Ferry projects", Exts: []string{project.Ext}}}, func(path string, err error) {
			if err != nil || path == "" {
				showError(u.win, err)
				return
			}
			if !strings.HasSuffix(strings.ToLower(path), project.Ext) {
				path += project.Ext
			}
			p := u.proj
			if u.shell != nil {
				u.shell.Close()
			}
			u.busy("Saving a copy as "+filepath.Base(path)+"…", func(ctx context.Context) (*project.Project, error) {
				if err := p.SaveAs(ctx, path); err != nil {
					return p, err
				}
				return p, nil
			})
		})
}

func (u *UI) closeProject() {
	if u.shell != nil {
		u.shell.Close()
		u.shell = nil
	}
	if u.proj != nil {
		_ = u.proj.Close()
		u.proj = nil
	}
}
