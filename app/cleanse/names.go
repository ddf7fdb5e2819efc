package cleanse

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Particles written in lower case inside a name: Ludwig van Beethoven, van der Berg, de la Cruz.
var nameParticles = map[string]bool{"van": true, "von": true, "der": true, "den": true, "de": true, "del": true,
	"della": true, "la": true, "le": true, "du": true, "da": true, "das": true, "dos": true, "ten": true, "ter": true,
	"y": true, "bin": true, "binti": true}

// Mac names whose next letter is a capital. "Mac" alone is not enough: Mack, Macy, Machado.
var macNames = map[string]bool{"macdonald": true, "macleod": true, "mackenzie": true, "macgregor": true,
	"macarthur": true, "macmillan": true, "macintyre": true, "mackay": true, "maclean": true, "macneil": true,
	"macpherson": true, "macqueen": true, "macrae": true, "macaulay": true, "macdougall": true, "macfarlane": true,
	"macinnes": true, "mackinnon": true, "maclachlan": true, "macnamara": true, "macallister": true, "macbride": true,
	"maccormack": true, "macdonnell": true, "maclaren": true, "macaskill": true, "maccallum": true, "mackintosh": true}

var romanNumerals = map[string]bool{"ii": true, "iii": true, "iv": true, "vi": true, "vii": true, "viii": true}

// A cases.Caser keeps state: each goroutine takes its own.
var lowerPool = sync.Pool{New: func() any { return cases.Lower(language.Und) }}

func lowerString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	c := lowerPool.Get().(cases.Caser)
	out := c.String(s)
	lowerPool.Put(c)
	return out
}

// NameCase writes a name the way people write their own: each part capitalised (Unicode-aware:
// JÄRVINEN → Järvinen), McDonald, O'Brien, D'Angelo, Smith-Jones, MacLeod for the known Mac
// names (not Mack or Machado), particles in lower case inside a name (van der Berg,
// Ludwig van Beethoven), II and III in capitals, Jr and Sr.
func NameCase(v string) string {
	words := strings.Split(v, " ")
	// index of the last word with letters: particles before it stay lower case
	last := -1
	for i, w := range words {
		if hasLetter(w) {
			last = i
		}
	}
	for i, w := range words {
		if w == "" {
			continue
		}
		lw := lowerString(w)
		bare := strings.Trim(lw, ".,")
		switch {
		case nameParticles[bare] && i < last:
			words[i] = lw
		case romanNumerals[bare] && i > 0:
			words[i] = strings.ToUpper(w)
		default:
			parts := strings.Split(lw, "-")
			for j, p := range parts {
				parts[j] = namePart(p)
			}
			words[i] = strings.Join(parts, "-")
		}
	}
	return strings.Join(words, " ")
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// namePart capitalises one lower-case part of a name.
func namePart(p string) string {
	if p == "" {
		return p
	}
	// O'Brien, D'Angelo: one letter, an apostrophe, the rest
	for _, apos := range []string{"'", "’"} {
		if i := strings.Index(p, apos); i > 0 {
			head := p[:i]
			if utf8.RuneCountInString(head) == 1 && i+len(apos) < len(p) {
				return capFirst(head) + apos + namePart(p[i+len(apos):])
			}
			return capFirst(head) + apos + p[i+len(apos):]
		}
	}
	letters := strings.TrimRight(p, ".,")
	switch {
	case strings.HasPrefix(p, "mc") && len(letters) > 3:
		return "Mc" + capFirst(p[2:])
	case macNames[letters]:
		return "Mac" + capFirst(p[3:])
	}
	return capFirst(p)
}

// capFirst puts the first letter in title case (ǆ → ǅ), the rest as it is.
func capFirst(s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			return s[:i] + string(unicode.ToTitle(r)) + s[i+utf8.RuneLen(r):]
		}
	}
	return s
}

// Name suffixes, folded: "Smith, Jr." is not "Last, First".
var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "md": true, "dds": true,
	"dmd": true, "phd": true, "esq": true, "rn": true, "do": true}

// splitLastFirst reads "Last, First [Middle]" the way people type names into one box.
func splitLastFirst(s string) (last, first, middle string, ok bool) {
	l, f, found := strings.Cut(s, ",")
	if !found || strings.Contains(f, ",") {
		return "", "", "", false
	}
	l, f = trimSpace(l), trimSpace(f)
	if !hasLetter(l) || !hasLetter(f) || nameSuffixes[foldKey(f)] {
		return "", "", "", false
	}
	words := strings.Fields(f)
	return l, words[0], strings.Join(words[1:], " "), true
}

// splitFirstLast reads "First [Middle …] Last", keeping particles and suffixes with the last
// name: "Ludwig van Beethoven" → Ludwig / van Beethoven, "John Smith Jr." → John / Smith Jr.
func splitFirstLast(s string) (first, middle, last string, ok bool) {
	if strings.Contains(s, ",") {
		return "", "", "", false
	}
	w := strings.Fields(s)
	if len(w) < 2 {
		return "", "", "", false
	}
	end := len(w) - 1
	if nameSuffixes[foldKey(w[end])] && end >= 2 {
		end--
	}
	start := end
	for start > 1 && nameParticles[strings.ToLower(w[start-1])] {
		start--
	}
	return w[0], strings.Join(w[1:start], " "), strings.Join(w[start:], " "), true
}

// Column names that hold people's names and birth dates, folded.
var (
	firstNameCols = []string{"firstname", "fname", "givenname", "forename", "first", "given"}
	lastNameCols  = []string{"lastname", "lname", "surname", "familyname", "last", "family"}
	fullNameCols  = []string{"name", "fullname", "patientname", "clientname", "petname", "customername"}
	birthCols     = []string{"birthdate", "dateofbirth", "dob", "birthday", "birth"}
)

// findColumn returns the first column whose folded name is one of names (in names' order).
func findColumn(cols []string, names []string) string {
	for _, n := range names {
		for _, c := range cols {
			if foldKey(c) == n {
				return c
			}
		}
	}
	return ""
}

// peopleColumns finds a table's first, last and full name columns (any may be "").
func peopleColumns(cols []string, first, last string) (f, l, full string) {
	f, l = first, last
	if f == "" {
		f = findColumn(cols, firstNameCols)
	}
	if l == "" {
		l = findColumn(cols, lastNameCols)
	}
	if f == "" && l == "" {
		full = findColumn(cols, fullNameCols)
	}
	return f, l, full
}

// identityColumns are what a row found by key in another export is checked against: its names
// and birth date.
func identityColumns(cols []string) []string {
	var out []string
	f, l, full := peopleColumns(cols, "", "")
	for _, c := range []string{l, f, full, findColumn(cols, birthCols)} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// isTestName is the audit's test-record rule: a folded first or last name containing "test",
// a cartoon character, "do not use" or "dummy".
func isTestName(first, last string) bool {
	f, l := foldName(first), foldName(last)
	if f == "" && l == "" {
		return false
	}
	if strings.Contains(f, "test") || strings.Contains(l, "test") {
		return true
	}
	switch f + " " + l {
	case "mickey mouse", "minnie mouse", "donald duck", "daffy duck", "bugs bunny":
		return true
	}
	return strings.Contains(f+l, "donotuse") || strings.Contains(f+l, "dummy")
}

// foldName: lower case, no accents, letters only (spaces between words become nothing).
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, foldKey(s))
}
