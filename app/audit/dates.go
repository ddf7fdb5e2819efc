package audit

import (
	"strings"
	"time"
)

// A date as read from one value, before the column's day/month order is known: year-first values
// are complete; slash values (1/2/2020, 01-02-2020, 01.02.20) keep both of their first two parts
// until the whole column has been seen.
type dateVal struct {
	kind   uint8 // dateNone, dateYMD, dateXY (a/b/year, order to be decided), dateBad (looks like a date, is not one)
	family uint8 // index into dateFamilies
	padded bool  // every part written with two digits
	y      int16
	a, b   uint8 // dateYMD: month, day; dateXY: first and second part
}

const (
	dateNone uint8 = iota
	dateYMD
	dateXY
	dateBad
)

// Date families: the ways of writing a date that count as different formats. Zero-padding does
// not make another format; separators, the order of the parts, two-digit years and times do.
var dateFamilies = []string{
	"",                 // 0 unused
	"YYYY-MM-DD",       // 1
	"YYYY/MM/DD",       // 2
	"YYYY.MM.DD",       // 3
	"YYYY-MM-DDThh:mm", // 4 ISO date and time (T or space, seconds and zone optional)
	"XX/XX/YYYY",       // 5 day and month in an order to be decided
	"XX-XX-YYYY",       // 6
	"XX.XX.YYYY",       // 7
	"XX/XX/YY",         // 8
	"XX-XX-YY",         // 9
	"XX.XX.YY",         // 10
	"XX/XX/YYYY hh:mm", // 11
	"DD Mon YYYY",      // 12 month written as a word
	"YYYYMMDD",         // 13
}

const (
	famISO      = 1
	famISOTime  = 4
	famXYSlash4 = 5
	famXYSlash2 = 8
	famXYTime   = 11
	famMonName  = 12
	famCompact  = 13
)

// familyLabel names a family for people, with the column's decided order for day/month dates.
func familyLabel(fam uint8, padded bool, order string) string {
	s := dateFamilies[fam]
	if !strings.Contains(s, "XX") {
		if !padded && fam <= 3 {
			s = strings.NewReplacer("MM", "M", "DD", "D").Replace(s)
		}
		return s
	}
	first, second := "XX", "XX"
	switch order {
	case "DMY":
		first, second = "DD", "MM"
	case "MDY":
		first, second = "MM", "DD"
	}
	if !padded {
		first, second = first[:1], second[:1]
	}
	return strings.Replace(strings.Replace(s, "XX", first, 1), "XX", second, 1)
}

func digitsAt(s string, i int) (v, n int) {
	for i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' && n < 5 {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	return v, n
}

// timeTail accepts what may follow a date: [T or space] hh:mm[:ss[.fff]] [AM|PM] [Z|±hh[:]mm|UTC].
func timeTail(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != 'T' && s[0] != ' ' {
		return false
	}
	s = strings.TrimSpace(s[1:])
	h, n := digitsAt(s, 0)
	if n < 1 || n > 2 || h > 24 || len(s) <= n || s[n] != ':' {
		return false
	}
	s = s[n+1:]
	m, n := digitsAt(s, 0)
	if n != 2 || m > 59 {
		return false
	}
	s = s[n:]
	if len(s) > 0 && s[0] == ':' {
		sec, n := digitsAt(s, 1)
		if n != 2 || sec > 60 {
			return false
		}
		s = s[1+n:]
		if len(s) > 0 && s[0] == '.' {
			_, n := digitsAt(s, 1)
			if n == 0 {
				return false
			}
			s = s[1+n:]
			for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
				s = s[1:]
			}
		}
	}
	s = strings.TrimSpace(s)
	u := strings.ToUpper(s)
	for _, suf := range []string{"AM", "PM"} {
		if strings.HasPrefix(u, suf) {
			s, u = strings.TrimSpace(s[2:]), strings.TrimSpace(u[2:])
		}
	}
	switch {
	case s == "", u == "Z", u == "UTC", u == "GMT":
		return true
	case s[0] == '+' || s[0] == '-':
		_, n := digitsAt(s, 1)
		if n == 4 && len(s) == 5 {
			return true
		}
		if n == 2 && (len(s) == 3 || (len(s) == 6 && s[3] == ':')) {
			return true
		}
	}
	return false
}

var monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4,
	"june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12}

// parseDate reads one value. compact allows YYYYMMDD (only in columns named as dates: otherwise
// any eight-digit number would look like one).
func parseDate(s string, compact bool) dateVal {
	s = strings.TrimSpace(s)
	if len(s) < 6 || len(s) > 40 || s[0] < '0' || s[0] > '9' {
		if len(s) >= 8 && len(s) <= 30 && s[0] >= 'A' {
			return parseMonthName(s)
		}
		return dateVal{}
	}
	if compact && len(s) == 8 {
		if _, n := digitsAt(s, 0); n == 5 {
			y, _ := digitsAt(s[:4], 0)
			m, _ := digitsAt(s[4:6], 0)
			d, _ := digitsAt(s[6:8], 0)
			if _, n := digitsAt(s[4:], 0); n == 4 {
				return ymd(famCompact, true, y, m, d)
			}
		}
	}
	v1, n1 := digitsAt(s, 0)
	if n1 == 4 && len(s) >= 8 {
		sep := s[4]
		if sep != '-' && sep != '/' && sep != '.' {
			return dateVal{}
		}
		m, n2 := digitsAt(s, 5)
		if n2 < 1 || n2 > 2 || 5+n2 >= len(s) || s[5+n2] != sep {
			return dateVal{}
		}
		d, n3 := digitsAt(s, 6+n2)
		if n3 < 1 || n3 > 2 {
			return dateVal{}
		}
		rest := s[6+n2+n3:]
		fam := uint8(famISO)
		switch sep {
		case '/':
			fam = 2
		case '.':
			fam = 3
		}
		if rest != "" {
			if sep != '-' || !timeTail(rest) {
				return dateVal{}
			}
			fam = famISOTime
		}
		return ymd(fam, n2 == 2 && n3 == 2, v1, m, d)
	}
	if n1 < 1 || n1 > 2 || n1 >= len(s) {
		return dateVal{}
	}
	sep := s[n1]
	if sep == ' ' {
		return parseMonthName(s)
	}
	if sep != '/' && sep != '-' && sep != '.' {
		return dateVal{}
	}
	v2, n2 := digitsAt(s, n1+1)
	if n2 < 1 || n2 > 2 || n1+1+n2 >= len(s) || s[n1+1+n2] != sep {
		if n2 == 0 && sep != '.' {
			return parseMonthName(s)
		}
		return dateVal{}
	}
	i := n1 + 2 + n2
	y, n3 := digitsAt(s, i)
	if n3 != 4 && n3 != 2 {
		return dateVal{}
	}
	rest := s[i+n3:]
	var fam uint8
	switch {
	case n3 == 4 && rest == "":
		fam = famXYSlash4 + map[byte]uint8{'/': 0, '-': 1, '.': 2}[sep]
	case n3 == 2 && rest == "":
		fam = famXYSlash2 + map[byte]uint8{'/': 0, '-': 1, '.': 2}[sep]
	case n3 == 4 && sep == '/' && timeTail(rest):
		fam = famXYTime
	default:
		return dateVal{}
	}
	if n3 == 2 {
		y += 1900 // two-digit years are placed in a century when the order is decided (see resolveYear)
	}
	d := dateVal{kind: dateXY, family: fam, padded: n1 == 2 && n2 == 2, y: int16(y), a: uint8(v1), b: uint8(v2)}
	if v1 == 0 || v2 == 0 || v1 > 31 || v2 > 31 || (v1 > 12 && v2 > 12) {
		d.kind = dateBad
	}
	return d
}

func parseMonthName(s string) dateVal {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == ',' || r == '/' || r == '.' })
	if len(f) != 3 {
		return dateVal{}
	}
	var day, mon, year int
	for _, w := range f {
		if m, ok := monthNames[w]; ok && mon == 0 {
			mon = m
			continue
		}
		v, n := digitsAt(w, 0)
		switch {
		case n != len(w):
			return dateVal{}
		case n == 4 && year == 0:
			year = v
		case n <= 2 && day == 0:
			day = v
		default:
			return dateVal{}
		}
	}
	if mon == 0 || year == 0 || day == 0 {
		return dateVal{}
	}
	return ymd(famMonName, true, year, mon, day)
}

func ymd(fam uint8, padded bool, y, m, d int) dateVal {
	v := dateVal{kind: dateYMD, family: fam, padded: padded, y: int16(y), a: uint8(m), b: uint8(d)}
	if !validDay(y, m, d) {
		v.kind = dateBad
	}
	return v
}

func validDay(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayNumber is days since 1970-01-01.
func dayNumber(y, m, d int) int32 {
	return int32(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// resolve gives the date under order ("DMY" or "MDY"; a value only the other order can read is
// read that way). ok is false for values no order can read.
func (d dateVal) resolve(order string, refYear int) (y, m, day int, ok bool) {
	y = int(d.y)
	switch d.kind {
	case dateYMD:
		return y, int(d.a), int(d.b), true
	case dateXY:
		if d.family >= famXYSlash2 && d.family < famXYTime {
			y = resolveYear(y-1900, refYear)
		}
		dmy, mdy := validDay(y, int(d.b), int(d.a)), validDay(y, int(d.a), int(d.b))
		switch {
		case order == "DMY" && dmy, !mdy && dmy:
			return y, int(d.b), int(d.a), true
		case mdy:
			return y, int(d.a), int(d.b), true
		}
	}
	return 0, 0, 0, false
}

// resolveYear puts a two-digit year in the century that keeps it no later than ten years after
// the reference year.
func resolveYear(yy, refYear int) int {
	y := refYear/100*100 + yy
	if y > refYear+10 {
		y -= 100
	}
	return y
}
