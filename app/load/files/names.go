package files

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxStem bounds a file name's stem in bytes, leaving room for "_0001.xlsx" and the
// ".ferry-partial-…" temporary prefix within common 255-byte name limits.
const maxStem = 120

// windowsReserved are device names Windows will not create a file under, with any extension.
var windowsReserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true, "conin$": true, "conout$": true}

func init() {
	for i := 0; i <= 9; i++ {
		windowsReserved[fmt.Sprintf("com%d", i)] = true
		windowsReserved[fmt.Sprintf("lpt%d", i)] = true
	}
	for _, s := range []string{"¹", "²", "³"} {
		windowsReserved["com"+s] = true
		windowsReserved["lpt"+s] = true
	}
}

// fileStem makes an entity name into a file name stem that is one plain name on every system:
// no path separators or characters Windows refuses, no control or invisible format characters
// (a right-to-left override could disguise the extension), no leading dots (".." or a hidden
// file) or trailing dots and spaces, not a Windows device name, at most maxStem bytes.
func fileStem(entity string) string {
	var b strings.Builder
	for _, r := range entity {
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r), strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteByte('_')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := trimStem(b.String())
	if len(s) > maxStem {
		cut := maxStem
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = trimStem(s[:cut])
	}
	if s == "" {
		s = "entity"
	}
	base := strings.ToLower(s)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if windowsReserved[strings.TrimRight(base, " ")] {
		s = "_" + s
	}
	return s
}

func trimStem(s string) string {
	return strings.TrimRight(strings.TrimLeft(strings.TrimSpace(s), ". "), ". ")
}

// sheetName makes an entity name into an Excel sheet name: at most 31 characters, none of
// []:*?/\, not beginning or ending with an apostrophe, not Excel's reserved "History".
func sheetName(entity string) string {
	var b strings.Builder
	n := 0
	for _, r := range entity {
		if n == 31 {
			break
		}
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`[]:*?/\`, r):
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	s := strings.TrimSpace(strings.Trim(b.String(), "'"))
	switch {
	case s == "":
		return "Sheet1"
	case strings.EqualFold(s, "History"):
		return s + "_"
	}
	return s
}

// chunkName is the file name of chunk i (1-based) of n, with the digits wide enough for n.
func chunkName(stem string, i, n int, ext string) string {
	if n <= 1 {
		return stem + "." + ext
	}
	w := max(3, len(fmt.Sprint(n)))
	return fmt.Sprintf("%s_%0*d.%s", stem, w, i, ext)
}

// namer hands out file stems so that no two entities share a file, compared without case
// (Windows and macOS folders ignore it), and none takes a manifest's name.
type namer struct{ used map[string]bool }

func newNamer() *namer {
	return &namer{used: map[string]bool{strings.ToLower(ManifestCSV): true, strings.ToLower(ManifestJSON): true}}
}

// take returns a stem for entity whose n chunk file names are all still free, and reserves them.
func (nm *namer) take(entity string, n int, ext string) string {
	stem := fileStem(entity)
	for k := 1; ; k++ {
		s := stem
		if k > 1 {
			s = fmt.Sprintf("%s-%d", stem, k)
		}
		if strings.EqualFold(s, "manifest") {
			continue
		}
		free := true
		for i := 1; i <= n && free; i++ {
			free = !nm.used[strings.ToLower(chunkName(s, i, n, ext))]
		}
		if !free {
			continue
		}
		for i := 1; i <= n; i++ {
			nm.used[strings.ToLower(chunkName(s, i, n, ext))] = true
		}
		return s
	}
}
