package cleanse

import (
	"fmt"
	"strings"
	"time"
)

// Kinds of date a value can be.
const (
	dateNone     = iota
	dateYMD      // year first: 2021-03-04, 2021/3/4 – one reading
	dateXY       // a/b/yyyy: day/month or month/day
	dateNamed    // 4 Mar 2021, March 4, 2021 – one reading
	dateTwoDigit // a/b/yy
)

// dateValue is a parsed date value: for dateXY, a and b are the first two parts.
type dateValue struct {
	kind    int
	y, m, d int
	a, b    int
	rest    string // a time after the date, kept as written: " 10:30", "T10:30:00"
}

var monthNames = map[string]int{"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
	"april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12}

// parseDate reads the date forms practice systems export; it never decides an order.
func parseDate(v string) dateValue {
	s := trimSpace(v)
	// numeric: g1 sep g2 sep g3 [time]
	var g [3]int
	var gl [3]int
	i, part := 0, 0
	var sep byte
	for part < 3 {
		start := i
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 4 {
			n = n*10 + int(s[i]-'0')
			i++
		}
		if i == start {
			break
		}
		g[part], gl[part] = n, i-start
		part++
		if part == 3 {
			break
		}
		if i >= len(s) || (s[i] != '-' && s[i] != '/' && s[i] != '.') {
			break
		}
		if sep == 0 {
			sep = s[i]
		} else if s[i] != sep {
			break
		}
		i++
	}
	if part == 3 {
		rest := s[i:]
		if rest != "" && !timeLike(rest) {
			return dateValue{}
		}
		switch {
		case gl[0] == 4 && gl[1] <= 2 && gl[2] <= 2:
			if !validDate(g[0], g[1], g[2]) {
				return dateValue{}
			}
			return dateValue{kind: dateYMD, y: g[0], m: g[1], d: g[2], rest: rest}
		case gl[0] <= 2 && gl[1] <= 2 && gl[2] == 4:
			return dateValue{kind: dateXY, a: g[0], b: g[1], y: g[2], rest: rest}
		case gl[0] <= 2 && gl[1] <= 2 && gl[2] == 2 && rest == "":
			return dateValue{kind: dateTwoDigit}
		}
		return dateValue{}
	}
	// named months: 4 Mar 2021, 4-Mar-2021, Mar 4, 2021, March 4 2021
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == ',' || r == '/' || r == '.' })
	if len(f) != 3 {
		return dateValue{}
	}
	num := func(t string, max int) (int, bool) {
		if len(t) == 0 || len(t) > max {
			return 0, false
		}
		n := 0
		for j := 0; j < len(t); j++ {
			if t[j] < '0' || t[j] > '9' {
				return 0, false
			}
			n = n*10 + int(t[j]-'0')
		}
		return n, true
	}
	y, ok := num(f[2], 4)
	if !ok || len(f[2]) != 4 {
		return dateValue{}
	}
	if m, isMonth := monthNames[strings.ToLower(f[1])]; isMonth {
		if d, ok := num(f[0], 2); ok && validDate(y, m, d) {
			return dateValue{kind: dateNamed, y: y, m: m, d: d}
		}
	}
	if m, isMonth := monthNames[strings.ToLower(f[0])]; isMonth {
		if d, ok := num(f[1], 2); ok && validDate(y, m, d) {
			return dateValue{kind: dateNamed, y: y, m: m, d: d}
		}
	}
	return dateValue{}
}

// timeLike: what follows a date is a time (" 10:30", "T10:30:00Z", " 3:15 PM").
func timeLike(s string) bool {
	if s[0] != ' ' && s[0] != 'T' {
		return false
	}
	digits := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case strings.IndexByte(" :.+-ZAPMapm", c) >= 0:
		default:
			return false
		}
	}
	return digits && strings.Contains(s, ":")
}

func validDate(y, m, d int) bool {
	if y < 1 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func iso(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

// readings of a day/month value: which orders give a real date.
func (dv dateValue) readings() (dmy, mdy bool) {
	return validDate(dv.y, dv.b, dv.a), validDate(dv.y, dv.a, dv.b)
}

// normaliseDate writes a value as YYYY-MM-DD (a time after it kept as it was), or says why not.
// A value that reads both day first and month first is only converted by a person's decision:
// one for that value (decisions) or one for them all (ambiguous). A value that can only be read
// against the column's order is reported, not converted.
func normaliseDate(v string, s Step) (string, string) {
	key := trimSpace(v)
	dec, decided := s.Decisions[key]
	if decided && dec != "DMY" && dec != "MDY" {
		return dec, ""
	}
	dv := parseDate(v)
	switch dv.kind {
	case dateYMD, dateNamed:
		// year first or a named month: one reading, whatever the column's order
		return iso(dv.y, dv.m, dv.d) + dv.rest, ""
	case dateTwoDigit:
		return "", LeftTwoDigitYear
	case dateNone:
		return "", LeftNotDate
	}
	dmy, mdy := dv.readings()
	read := func(order string) string {
		if order == "DMY" {
			return iso(dv.y, dv.b, dv.a) + dv.rest
		}
		return iso(dv.y, dv.a, dv.b) + dv.rest
	}
	switch {
	case !dmy && !mdy:
		return "", LeftNotDate
	case decided:
		if (dec == "DMY" && !dmy) || (dec == "MDY" && !mdy) {
			return "", LeftContradicts
		}
		return read(dec), ""
	case dmy && mdy && dv.a == dv.b:
		return read("DMY"), ""
	case dmy && mdy:
		if s.Ambiguous != "" {
			return read(s.Ambiguous), ""
		}
		return "", LeftAmbiguous
	case s.Order == "mixed":
		if dmy {
			return read("DMY"), ""
		}
		return read("MDY"), ""
	case s.Order == "DMY" && dmy:
		return read("DMY"), ""
	case s.Order == "MDY" && mdy:
		return read("MDY"), ""
	}
	return "", LeftContradicts
}

// dateOf reads a value as a date for purge's cut-off: ISO and named dates always, day/month
// values in order ("" = never guess). ok is false when it cannot say.
func dateOf(v, order string) (string, string) {
	dv := parseDate(v)
	switch dv.kind {
	case dateYMD, dateNamed:
		return iso(dv.y, dv.m, dv.d), ""
	case dateXY:
		dmy, mdy := dv.readings()
		switch {
		case order == "DMY" && dmy:
			return iso(dv.y, dv.b, dv.a), ""
		case order == "MDY" && mdy:
			return iso(dv.y, dv.a, dv.b), ""
		case dmy && mdy && dv.a == dv.b:
			return iso(dv.y, dv.a, dv.b), ""
		case order == "" && dmy != mdy:
			if dmy {
				return iso(dv.y, dv.b, dv.a), ""
			}
			return iso(dv.y, dv.a, dv.b), ""
		case dmy && mdy:
			return "", LeftAmbiguous
		}
		return "", LeftContradicts
	case dateTwoDigit:
		return "", LeftTwoDigitYear
	}
	return "", LeftNotDate
}

// DateReadings gives the two readings of a value that reads both ways (for a person to choose
// from, one by one): day first and month first, as YYYY-MM-DD. ok is false for other values.
func DateReadings(v string) (dayFirst, monthFirst string, ok bool) {
	dv := parseDate(v)
	if dv.kind != dateXY {
		return "", "", false
	}
	dmy, mdy := dv.readings()
	if !dmy || !mdy || dv.a == dv.b {
		return "", "", false
	}
	return iso(dv.y, dv.b, dv.a), iso(dv.y, dv.a, dv.b), true
}
