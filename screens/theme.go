package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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

// ferryTheme is Fyne's default theme with Ferry's primary colour.
type ferryTheme struct{ fyne.Theme }

// NewTheme returns Ferry's theme.
func NewTheme() fyne.Theme { return ferryTheme{theme.DefaultTheme()} }

func (t ferryTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
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
