package mapping

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DateValue is a date (and maybe a time of day) read from one value.
type DateValue struct {
	Year, Month, Day     int
	Hour, Minute, Second int
	HasTime              bool
}

// Time is the value as a time.Time (UTC, the wall clock as written).
func (d DateValue) Time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, d.Second, 0, time.UTC)
}

// minYear is the earliest year taken as a real date: 0001-01-01 and 1800-01-01 stand for
// "unknown" in many old systems.
const minYear = 1800

var (
	reISO      = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	reYMD      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	reCompact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reXY       = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$`)
	reDayMon   = regexp.MustCompile(`^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ ,-]+(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$`)
	reMonDay   = regexp.MustCompile(`^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$`)
	monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
		"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
)

// ParseDate reads a date as old systems write it. order says how day/month values are read:
//
//   - auto (or ""): year-first values (2020-04-03, 2020/4/3, 20200403) and month names
//     (3 Apr 2020, April 3, 2020) are read as written; 03/04/2020 is read only when its parts
//     show the order (13/04/2020 is day-first, 04/13/2020 month-first, 04/04/2020 is the same
//     either way) and is otherwise an ambiguous_date error, never a guess.
//   - DMY or MDY: a person has said how this column is written; day/month values are read so.
//   - YMD: only year-first values. ISO: only YYYY-MM-DD (with an optional time).
//
// Two-digit years are ambiguous (19xx or 20xx?) in every order; years before 1800 and
// impossible dates (31/02/2020) are bad dates.
func ParseDate(v, order string) (DateValue, *CellError) {
	s := strings.TrimSpace(v)
	var d DateValue
	var tm []string // hour, minute, second, am/pm
	switch {
	case reISO.MatchString(s):
		m := reISO.FindStringSubmatch(s)
		d.Year, d.Month, d.Day = atoi(m[1]), atoi(m[2]), atoi(m[3])
		tm = []string{m[4], m[5], m[6], ""}
	case order == OrderISO:
		return d, cellErr(KindBadDate, "%q is not written as YYYY-MM-DD", v)
	case reYMD.MatchString(s):
		m := reYMD.FindStringSubmatch(s)
		d.Year, d.Month, d.Day = atoi(m[1]), atoi(m[2]), atoi(m[3])
		tm = m[4:8]
	case reCompact.MatchString(s):
		m := reCompact.FindStringSubmatch(s)
		d.Year, d.Month, d.Day = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case order == OrderYMD:
		return d, cellErr(KindBadDate, "%q is not written year first", v)
	case reDayMon.MatchString(s):
		m := reDayMon.FindStringSubmatch(s)
		mon, ok := monthNames[strings.ToLower(m[2])[:min(len(m[2]), 4)]]
		if !ok {
			mon, ok = monthNames[strings.ToLower(m[2])[:3]]
		}
		if !ok {
			return d, cellErr(KindBadDate, "%q: %q is not a month", v, m[2])
		}
		d.Year, d.Month, d.Day = atoi(m[3]), mon, atoi(m[1])
		tm = m[4:8]
	case reMonDay.MatchString(s):
		m := reMonDay.FindStringSubmatch(s)
		mon, ok := monthNames[strings.ToLower(m[1])[:3]]
		if !ok {
			return d, cellErr(KindBadDate, "%q: %q is not a month", v, m[1])
		}
		d.Year, d.Month, d.Day = atoi(m[3]), mon, atoi(m[2])
		tm = m[4:8]
	case reXY.MatchString(s):
		m := reXY.FindStringSubmatch(s)
		a, b := atoi(m[1]), atoi(m[2])
		if len(m[3]) == 2 {
			return d, cellErr(KindAmbiguousDate, "%q has a two-digit year: 19%s or 20%s? Say which in Cleanse", v, m[3], m[3])
		}
		d.Year = atoi(m[3])
		switch order {
		case OrderDMY:
			d.Day, d.Month = a, b
		case OrderMDY:
			d.Month, d.Day = a, b
		default:
			switch {
			case a == 0 && b == 0:
				return d, cellErr(KindBadDate, "%q is no date (a placeholder for unknown?)", v)
			case a > 12 && b <= 12:
				d.Day, d.Month = a, b
			case b > 12 && a <= 12:
				d.Month, d.Day = a, b
			case a == b:
				d.Day, d.Month = a, b
			case a <= 12 && b <= 12:
				return d, cellErr(KindAmbiguousDate, "%q could be day-first or month-first; choose the column's order (DMY or MDY) in the date step or normalise it in Cleanse", v)
			default:
				return d, cellErr(KindBadDate, "%q is not a date", v)
			}
		}
		tm = m[4:8]
	default:
		return d, cellErr(KindBadDate, "%q is not a date", v)
	}
	if d.Year < minYear {
		return d, cellErr(KindBadDate, "%q: the year %d is no real date (a placeholder for unknown?)", v, d.Year)
	}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Year, d.Month) {
		return d, cellErr(KindBadDate, "%q is not a real date", v)
	}
	if len(tm) >= 2 && tm[0] != "" {
		d.HasTime = true
		d.Hour, d.Minute = atoi(tm[0]), atoi(tm[1])
		if len(tm) > 2 && tm[2] != "" {
			d.Second = atoi(tm[2])
		}
		if len(tm) > 3 && tm[3] != "" {
			pm := strings.EqualFold(tm[3], "pm")
			if d.Hour < 1 || d.Hour > 12 {
				return d, cellErr(KindBadDate, "%q: %d o'clock with AM/PM", v, d.Hour)
			}
			if d.Hour == 12 {
				d.Hour = 0
			}
			if pm {
				d.Hour += 12
			}
		}
		if d.Hour > 23 || d.Minute > 59 || d.Second > 59 {
			return d, cellErr(KindBadDate, "%q: not a time of day", v)
		}
	}
	return d, nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
