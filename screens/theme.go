package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/settings"
)

// Brand colours: a calm harbour blue for action, status colours that read in light and dark.
var (
	brandBlue    = color.NRGBA{R: 0x1f, G: 0x5f, B: 0x8b, A: 0xff}
	brandBlueDk  = color.NRGBA{R: 0x5a, G: 0x9f, B: 0xd0, A: 0xff}
	statusGrey   = color.NRGBA{R: 0x9a, G: 0xa3, B: 0xad, A: 0xff}
	statusBlue   = color.NRGBA{R: 0x2f, G: 0x80, B: 0xc4, A: 0xff}
	statusGreen  = color.NRGBA{R: 0x2e, G: 0x9e, B: 0x5b, A: 0xff}
	statusOrange = color.NRGBA{R: 0xe0, G: 0x8a, B: 0x1e, A: 0xff}
)

// Theme choices as stored in settings.Settings.Theme: "" follows the operating system.
const (
	ThemeSystem = ""
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// themeChoices are the choices in the View menu, in order, with their labels.
var themeChoices = []struct{ Value, Label string }{
	{ThemeSystem, "Like the system"},
	{ThemeLight, "Light"},
	{ThemeDark, "Dark"},
}

// ferryTheme is Fyne's default theme with Ferry's primary colour; forced, when set, overrides the
// variant the operating system asks for (the person chose Light or Dark in the View menu).
type ferryTheme struct {
	fyne.Theme
	forced *fyne.ThemeVariant
}

// NewTheme returns Ferry's theme following the operating system's light or dark preference.
func NewTheme() fyne.Theme { return themeFor(ThemeSystem) }

// themeFor returns Ferry's theme for a stored choice; anything unknown follows the system.
func themeFor(choice string) fyne.Theme {
	t := ferryTheme{Theme: theme.DefaultTheme()}
	switch choice {
	case ThemeLight:
		v := theme.VariantLight
		t.forced = &v
	case ThemeDark:
		v := theme.VariantDark
		t.forced = &v
	}
	return t
}

// applyThemeChoice sets the app's theme from a choice and remembers the choice in the settings.
func applyThemeChoice(a fyne.App, choice string) error {
	a.Settings().SetTheme(themeFor(choice))
	return settings.Update(func(s *settings.Settings) { s.Theme = choice })
}

func (t ferryTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced != nil {
		v = *t.forced
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		if v == theme.VariantDark {
			return brandBlueDk
		}
		return brandBlue
	case theme.ColorNameSelection:
		c := brandBlue
		if v == theme.VariantDark {
			c = brandBlueDk
		}
		c.A = 0x30
		return c
	}
	return t.Theme.Color(n, v)
}

// themedText is a large text drawn in a theme colour that follows a change of theme (a plain
// canvas.Text keeps the colour it was made with).
type themedText struct {
	widget.BaseWidget
	text  *canvas.Text
	color fyne.ThemeColorName
}

func newThemedText(text string, size float32, bold bool, c fyne.ThemeColorName) *themedText {
	t := &themedText{text: canvas.NewText(text, theme.Color(c)), color: c}
	t.text.TextSize = size
	t.text.TextStyle = fyne.TextStyle{Bold: bold}
	t.ExtendBaseWidget(t)
	return t
}

// Text is what the text says.
func (t *themedText) Text() string { return t.text.Text }

func (t *themedText) CreateRenderer() fyne.WidgetRenderer {
	return &themedTextRenderer{t: t, SimpleRenderer: widget.NewSimpleRenderer(t.text)}
}

// themedTextRenderer lays out like a simple renderer; Refresh re-reads the colour.
type themedTextRenderer struct {
	t              *themedText
	SimpleRenderer fyne.WidgetRenderer
}

func (r *themedTextRenderer) Layout(s fyne.Size)           { r.SimpleRenderer.Layout(s) }
func (r *themedTextRenderer) MinSize() fyne.Size           { return r.SimpleRenderer.MinSize() }
func (r *themedTextRenderer) Objects() []fyne.CanvasObject { return r.SimpleRenderer.Objects() }
func (r *themedTextRenderer) Destroy()                     {}
func (r *themedTextRenderer) Refresh() {
	r.t.text.Color = theme.Color(r.t.color)
	r.t.text.Refresh()
}
