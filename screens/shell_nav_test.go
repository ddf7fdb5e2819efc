package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/settings"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func TestStepKeysMoveBetweenSteps(t *testing.T) {
	s, _, w := openShell(t)
	keys := w.Canvas().(fyne.Shortcutable)
	press := func(sc fyne.Shortcut, want wizard.StepID) {
		t.Helper()
		keys.TypedShortcut(sc)
		settle(t)
		if s.Current() != want {
			t.Fatalf("after %s: on %s, want %s", sc.ShortcutName(), s.Current(), want)
		}
	}
	press(shortcutPreviousStep, wizard.Plan) // nothing before the first step
	press(shortcutNextStep, wizard.Sources)
	press(shortcutNextAlt, wizard.Audit)
	press(shortcutPreviousStep, wizard.Sources)
	press(shortcutPreviousAlt, wizard.Plan)
	for range wizard.Defs {
		keys.TypedShortcut(shortcutNextStep)
	}
	settle(t)
	if last := wizard.Defs[len(wizard.Defs)-1].ID; s.Current() != last {
		t.Fatalf("Ctrl+Page Down past the end: on %s, want %s", s.Current(), last)
	}
}

func TestBottomLineSaysWhereTheStepStandsAndWhatIsNext(t *testing.T) {
	def := func(id wizard.StepID) wizard.Status {
		return wizard.Status{Def: wizard.DefOf(id), Available: true}
	}
	with := func(st wizard.Status, f func(*wizard.Status)) wizard.Status { f(&st); return st }
	for _, c := range []struct {
		name      string
		st, next  wizard.Status
		want      []string
		important bool
	}{
		{"done", with(def(wizard.Sources), func(s *wizard.Status) { s.Built, s.State, s.Detail = true, wizard.Done, "6 tables, 4478 rows staged." }),
			with(def(wizard.Audit), func(s *wizard.Status) { s.Built = true }), []string{"✓ Done. 6 tables, 4478 rows staged."}, true},
		{"not started", with(def(wizard.Sources), func(s *wizard.Status) { s.Built = true }),
			with(def(wizard.Audit), func(s *wizard.Status) {
				s.Built, s.Available, s.Blocker = true, false, "Available once Sources has been started."
			}),
			[]string{"Add files…", "Audit: available once Sources has been started."}, false},
		{"in progress", with(def(wizard.Plan), func(s *wizard.Status) {
			s.Built, s.State, s.Detail = true, wizard.InProgress, "Still to answer: Go-live."
		}),
			with(def(wizard.Sources), func(s *wizard.Status) { s.Built = true }), []string{"Still to answer: Go-live.", "You can go on and come back"}, false},
		{"needs attention", with(def(wizard.Map), func(s *wizard.Status) { s.Built, s.State, s.Detail = true, wizard.NeedsAttention, "12 errors." }),
			with(def(wizard.Sample), func(s *wizard.Status) { s.Built = false }), []string{"Needs attention: 12 errors.", "Sample run is not built yet."}, false},
	} {
		next := c.next
		line, _, high := whatNext(c.st, &next)
		for _, w := range c.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q does not say %q", c.name, line, w)
			}
		}
		if high != c.important {
			t.Errorf("%s: Next stands out: %v, want %v", c.name, high, c.important)
		}
	}
}

func TestEnterAndEscapeAnswerDialogs(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("behind"))
	w.Resize(fyne.NewSize(800, 600))
	dialogKeys(w.Canvas())
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }

	var answers []bool
	confirm := func() {
		dialog.NewConfirm("Remove the table?", "It can be imported again.", func(ok bool) { answers = append(answers, ok) }, w).Show()
	}
	confirm()
	key(fyne.KeyEscape)
	confirm()
	key(fyne.KeyReturn)
	if len(answers) != 2 || answers[0] || !answers[1] {
		t.Fatalf("Escape then Enter answered %v, want [false true]", answers)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is still open")
	}

	showError(w, errForTest("the file is open in another program"))
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("the error was not shown")
	}
	key(fyne.KeyEscape)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape did not close the error")
	}
}

type errForTest string

func (e errForTest) Error() string { return string(e) }

func TestThemeChoiceIsRememberedAndRepaintsHeadings(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	a := test.NewTempApp(t)
	title := heading("Audit", 22)
	w := test.NewTempWindow(t, title)
	for _, c := range []struct {
		choice string
		want   fyne.ThemeVariant
	}{{ThemeDark, theme.VariantDark}, {ThemeLight, theme.VariantLight}} {
		if err := applyThemeChoice(a, c.choice); err != nil {
			t.Fatal(err)
		}
		if got := settings.Load().Theme; got != c.choice {
			t.Fatalf("settings remember %q, want %q", got, c.choice)
		}
		// Whatever the system asks for, the chosen variant is drawn.
		for _, asked := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			if got, want := a.Settings().Theme().Color(theme.ColorNameBackground, asked), theme.DefaultTheme().Color(theme.ColorNameBackground, c.want); got != want {
				t.Fatalf("%s chosen, system asks %v: background %v, want %v", c.choice, asked, got, want)
			}
		}
		w.Content().Refresh()
		if got, want := title.text.Color, a.Settings().Theme().Color(theme.ColorNameForeground, c.want); got != want {
			t.Fatalf("%s: heading drawn in %v, want %v", c.choice, got, want)
		}
	}
	if err := applyThemeChoice(a, ThemeSystem); err != nil {
		t.Fatal(err)
	}
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); got != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Fatal("'Like the system' does not follow the system's dark mode")
	}
}
