package audit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Match keys are built here, in Go: SQLite's lower() folds ASCII only, and a name's accents and
// case must not decide whether two charts are the same person.

var folder = cases.Fold()

// foldLetters is the name match key: case folded (full Unicode folding), accents removed,
// letters only. "Núñez", "NUNEZ" and "nunez " all become "nunez".
func foldLetters(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'a' && c <= 'z':
				b = append(b, c)
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
		}
		return string(b)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	s = folder.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldValue is the key under which pick-list spellings are compared: folded, accents removed,
// letters and digits only ("Checked-in", "checked in " → "checkedin").
func foldValue(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b = append(b, c)
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
		}
		return string(b)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	s = folder.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldCache memoises foldLetters and interns the result: names repeat, and the Unicode path
// is slow. One lookup gives a name's match key and its number.
type foldCache struct {
	m     map[string]foldEntry
	ids   map[string]uint32
	names []string
}

type foldEntry struct {
	f  string
	id uint32
}

func (c *foldCache) fold(s string) (string, uint32) {
	if c.m == nil {
		c.m = make(map[string]foldEntry, 1024)
		c.ids = map[string]uint32{"": 0}
		c.names = []string{""}
	}
	if e, ok := c.m[s]; ok {
		return e.f, e.id
	}
	f := foldLetters(s)
	id, ok := c.ids[f]
	if !ok {
		id = uint32(len(c.names))
		c.ids[f] = id
		c.names = append(c.names, f)
	}
	if len(c.m) < 200_000 {
		c.m[strings.Clone(s)] = foldEntry{f, id}
	}
	return f, id
}

// id numbers a folded name (for merging row ranges).
func (c *foldCache) id(f string) uint32 {
	if c.ids == nil {
		c.ids = map[string]uint32{"": 0}
		c.names = []string{""}
	}
	id, ok := c.ids[f]
	if !ok {
		id = uint32(len(c.names))
		c.ids[f] = id
		c.names = append(c.names, f)
	}
	return id
}

// hasOuterSpace says whether a value starts or ends with white space.
func hasOuterSpace(s string) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(r) {
		return true
	}
	r, _ = utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' {
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		return strings.TrimSpace(s) == ""
	}
	return true
}

// soundex is the American Soundex code of a folded name ("" for no letters).
func soundex(s string) string {
	const codes = "01230120022455012623010202" // a..z
	var out [4]byte
	n := 0
	var last byte
	for _, r := range s {
		if r < 'a' || r > 'z' {
			continue
		}
		c := codes[r-'a']
		if n == 0 {
			out[0] = byte(r) - 'a' + 'A'
			n, last = 1, c
			continue
		}
		if c != '0' && c != last {
			out[n] = c
			n++
			if n == 4 {
				break
			}
		}
		if r != 'h' && r != 'w' {
			last = c
		}
	}
	if n == 0 {
		return ""
	}
	for n < 4 {
		out[n] = '0'
		n++
	}
	return string(out[:])
}

// trigramSimilarity is the Jaccard similarity of the padded character trigrams of two strings.
func trigramSimilarity(a, b string) float64 {
	if a == b {
		return 1
	}
	grams := func(s string) map[string]bool {
		r := []rune("  " + s + " ")
		m := make(map[string]bool, len(r))
		for i := 0; i+3 <= len(r); i++ {
			m[string(r[i:i+3])] = true
		}
		return m
	}
	ga, gb := grams(a), grams(b)
	inter := 0
	for g := range ga {
		if gb[g] {
			inter++
		}
	}
	union := len(ga) + len(gb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// nameWords splits a column name into lower-case words: "PatientID" → patient id,
// "BASE_ENCOUNTER_COST" → base encounter cost, "e-mail" → e mail.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	rs := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if i > 0 && len(cur) > 0 && unicode.IsUpper(r) {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || (unicode.IsUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// squash is a column name folded to letters and digits: "Birth_Date" → "birthdate".
func squash(name string) string {
	return foldValue(name)
}

// truncate shortens s for messages.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
