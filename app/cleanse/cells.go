package cleanse

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Reasons a value is left as it was (Left.Reason).
const (
	LeftInvalidPhone   = "invalid_phone"
	LeftPhoneExtension = "phone_extension"
	LeftInvalidEmail   = "invalid_email"
	LeftNotZip         = "not_a_zip"
	LeftAmbiguous      = "ambiguous_date"
	LeftContradicts    = "contradicts_order"
	LeftNotDate        = "not_a_date"
	LeftTwoDigitYear   = "two_digit_year"
	LeftUnmapped       = "unmapped"
	LeftNotName        = "not_a_name"
	LeftTargetFilled   = "target_not_blank"
	LeftNotFound       = "not_found"
	LeftChanged        = "record_changed"
	LeftGone           = "already_removed"
	LeftNoDate         = "blank_date"
)

func leftMessage(reason string) string {
	switch reason {
	case LeftInvalidPhone:
		return "not valid phone numbers: left as they are for a person to correct"
	case LeftPhoneExtension:
		return "numbers with an extension, which E.164 cannot hold: left as they are (use the national or international format)"
	case LeftInvalidEmail:
		return "not e-mail addresses: left as they are for a person to correct"
	case LeftNotZip:
		return "not ZIP or postcodes Ferry can restore: left as they are"
	case LeftAmbiguous:
		return "dates that read both day first and month first: left as they are until a person decides (one by one, or all at once)"
	case LeftContradicts:
		return "dates that cannot be read in the column's order: left as they are for a person to check"
	case LeftNotDate:
		return "not dates: left as they are"
	case LeftTwoDigitYear:
		return "dates with a two-digit year, whose century Ferry will not guess: left as they are"
	case LeftUnmapped:
		return "values the mapping does not cover: left as they are"
	case LeftNotName:
		return "names Ferry cannot split this way: left as they are"
	case LeftTargetFilled:
		return "rows whose target column already holds a value: left as they are"
	case LeftNotFound:
		return "records the step names that are not in this table: nothing done for them"
	case LeftChanged:
		return "records found by their key whose names or birth date differ from when the step was decided: nothing done for them"
	case LeftGone:
		return "records already purged or merged: nothing done for them"
	case LeftNoDate:
		return "rows without a date in the column: kept"
	}
	return reason
}

// cellFn changes one non-NULL value; reason says why a value that could not be changed was
// left alone ("" when it was simply fine). fill_blank also sees NULLs (null true).
type cellFn func(v string, null bool) (out string, changed bool, reason string)

// cellFunc builds the function of a cell op.
func (e *env) cellFunc(s Step) (cellFn, error) {
	switch s.Op {
	case OpTrim:
		return func(v string, null bool) (string, bool, string) {
			if null {
				return v, false, ""
			}
			out := trimSpace(v)
			if s.Collapse {
				out = collapseSpace(out)
			}
			return out, out != v, ""
		}, nil
	case OpChangeCase:
		return caseFunc(s), nil
	case OpNormalisePhone:
		region := s.Region
		if region == "" {
			region = e.planRegion()
		}
		ph := newPhoner(region, s.Format)
		return func(v string, null bool) (string, bool, string) {
			if null || strings.TrimSpace(v) == "" {
				return v, false, ""
			}
			out, reason := ph.normalise(v)
			if reason != "" {
				return v, false, reason
			}
			return out, out != v, ""
		}, nil
	case OpNormaliseEmail:
		return func(v string, null bool) (string, bool, string) {
			if null || strings.TrimSpace(v) == "" {
				return v, false, ""
			}
			out, ok := normaliseEmail(v, s.FixTypos)
			if !ok {
				return v, false, LeftInvalidEmail
			}
			return out, out != v, ""
		}, nil
	case OpFixEmailDomain:
		return func(v string, null bool) (string, bool, string) {
			at := strings.LastIndexByte(v, '@')
			if null || at < 0 {
				return v, false, ""
			}
			dom := strings.TrimSpace(v[at+1:])
			fix, ok := s.Mapping[strings.ToLower(dom)]
			if !ok {
				return v, false, ""
			}
			out := strings.TrimSpace(v[:at]) + "@" + fix
			return out, out != v, ""
		}, nil
	case OpRestoreZipZeros:
		return func(v string, null bool) (string, bool, string) {
			if null || strings.TrimSpace(v) == "" {
				return v, false, ""
			}
			out, ok := restoreZip(v, s.Digits)
			if !ok {
				return v, false, LeftNotZip
			}
			return out, out != v, ""
		}, nil
	case OpNormaliseDate:
		return func(v string, null bool) (string, bool, string) {
			if null || strings.TrimSpace(v) == "" {
				return v, false, ""
			}
			out, reason := normaliseDate(v, s)
			if reason != "" {
				return v, false, reason
			}
			return out, out != v, ""
		}, nil
	case OpReplace:
		re, err := s.compile()
		if err != nil {
			return nil, s.bad("the regular expression %q does not work: %v", s.Find, err)
		}
		return func(v string, null bool) (string, bool, string) {
			if null {
				return v, false, ""
			}
			var out string
			if s.Regex {
				out = re.ReplaceAllString(v, s.With)
			} else {
				out = re.ReplaceAllLiteralString(v, s.With)
			}
			return out, out != v, ""
		}, nil
	case OpMapValues:
		m := s.Mapping
		targets := map[string]bool{}
		for _, t := range s.Mapping {
			targets[t] = true
		}
		if s.Fold {
			m = make(map[string]string, len(s.Mapping))
			for k, t := range s.Mapping {
				m[foldKey(k)] = t
			}
		}
		return func(v string, null bool) (string, bool, string) {
			if null {
				return v, false, ""
			}
			k := v
			if s.Fold {
				k = foldKey(v)
			}
			t, ok := m[k]
			if !ok {
				if targets[v] || strings.TrimSpace(v) == "" {
					return v, false, ""
				}
				return v, false, LeftUnmapped
			}
			return t, t != v, ""
		}, nil
	case OpFillBlank:
		return func(v string, null bool) (string, bool, string) {
			if null || strings.TrimSpace(v) == "" {
				return s.Value, true, ""
			}
			return v, false, ""
		}, nil
	case OpSetBlank:
		set := map[string]bool{}
		for _, x := range s.Values {
			set[strings.TrimSpace(x)] = true
		}
		return func(v string, null bool) (string, bool, string) {
			if null || v == "" || !set[strings.TrimSpace(v)] {
				return v, false, ""
			}
			return "", true, ""
		}, nil
	}
	return nil, fmt.Errorf("%q: %w", s.Op, ErrUnknownOp)
}

// runCells runs a cell op over its columns in one pass.
func runCells(e *env, s Step, out sink) error {
	var cols []string
	for _, c := range s.TargetColumns() {
		real, err := e.column(c)
		if err != nil {
			return err
		}
		cols = append(cols, real)
	}
	fn, err := e.cellFunc(s)
	if err != nil {
		return err
	}
	return e.scan(cols, func(r *scanRow) error {
		for i, col := range cols {
			v := r.Vals[i]
			nv, changed, reason := fn(v.String, !v.Valid)
			if reason != "" {
				out.leave(reason, col, v.String, r.ID)
			}
			if changed {
				if err := out.cell(r, col, v, sql.NullString{String: nv, Valid: true}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// isSpace: Unicode white space plus the zero-width characters exports leave behind.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u2060'
}

func trimSpace(v string) string { return strings.TrimFunc(v, isSpace) }

// collapseSpace makes every run of spaces and tabs inside a value one space; line breaks stay.
func collapseSpace(v string) string {
	plain := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 || c == '\t' || c == '\v' || c == '\f' || (c == ' ' && i+1 < len(v) && v[i+1] == ' ') {
			plain = false
			break
		}
	}
	if plain {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	run := false
	for _, r := range v {
		if isSpace(r) && r != '\n' && r != '\r' {
			if !run {
				b.WriteByte(' ')
			}
			run = true
			continue
		}
		run = false
		b.WriteRune(r)
	}
	return b.String()
}

func caseFunc(s Step) cellFn {
	var c cases.Caser
	switch s.Case {
	case "upper":
		c = cases.Upper(language.Und)
	case "lower":
		c = cases.Lower(language.Und)
	case "title":
		c = cases.Title(language.Und)
	}
	return func(v string, null bool) (string, bool, string) {
		if null || v == "" {
			return v, false, ""
		}
		if (s.Case == "title" || s.Case == "name") && !s.All && !uniformCase(v) {
			return v, false, "" // typed in mixed case on purpose: McDonald, deBoer
		}
		var out string
		if s.Case == "name" {
			out = NameCase(v)
		} else {
			out = c.String(v)
		}
		return out, out != v, ""
	}
}

// uniformCase: every letter is upper case, or every letter is lower case.
func uniformCase(v string) bool {
	up, low := false, false
	for _, r := range v {
		if unicode.IsUpper(r) {
			up = true
		} else if unicode.IsLower(r) {
			low = true
		}
	}
	return !(up && low)
}

// restoreZip puts back the leading zeros a spreadsheet took from a ZIP code: 2115 → 02115,
// 601 → 00601, 2115-1234 → 02115-1234. Anything else that is not a ZIP code is reported.
func restoreZip(v string, digits int) (string, bool) {
	t := strings.TrimSpace(v)
	main, plus, hasPlus := strings.Cut(t, "-")
	if hasPlus && (len(plus) != 4 || !allDigits(plus)) {
		return v, false
	}
	if !allDigits(main) || len(main) > digits || len(main) < digits-2 {
		return v, false
	}
	out := strings.Repeat("0", digits-len(main)) + main
	if hasPlus {
		out += "-" + plus
	}
	return out, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// folder takes accents off and folds case; its transformers keep state, so each goroutine takes
// its own from the pool.
type folder struct {
	accents transform.Transformer
	fold    cases.Caser
}

var folders = sync.Pool{New: func() any {
	return &folder{accents: transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), fold: cases.Fold()}
}}

// foldKey is how map_values with fold and SuggestMapping compare values: lower case (Unicode
// folding), accents and everything but letters and digits removed. "No-Show", " no show" and
// "NOSHOW" are one key.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		f := folders.Get().(*folder)
		s, _, _ = transform.String(f.accents, s)
		s = f.fold.String(s)
		folders.Put(f)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
