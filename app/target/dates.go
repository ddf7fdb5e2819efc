package target

import (
	"fmt"
	"strings"
	"time"
)

// DateFormat is a date or date-and-time format as people write it ("DD/MM/YYYY",
// "YYYY-MM-DDThh:mm:ss") turned into something that formats and checks values.
//
// Tokens: YYYY (2024), YY (24), MM (03), M (3), DD (07), D (7), MON (Mar), hh or HH (24-hour
// hours), mm (minutes), ss (seconds). Anything else must be a separator: - / . , : space or T.
type DateFormat struct {
	Source  string // as written
	Layout  string // Go time layout
	HasTime bool
	HasDate bool
}

var dateTokens = []struct{ tok, layout string }{
	{"YYYY", "2006"}, {"YY", "06"}, {"MON", "Jan"}, {"MM", "01"}, {"M", "1"}, {"DD", "02"}, {"D", "2"},
	{"hh", "15"}, {"HH", "15"}, {"mm", "04"}, {"ss", "05"},
}

// ParseDateFormat reads a format.
func ParseDateFormat(f string) (DateFormat, error) {
	out := DateFormat{Source: f}
	if strings.TrimSpace(f) == "" {
		return out, fmt.Errorf("the date format is blank")
	}
	var b strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(f); {
		matched := false
		for _, t := range dateTokens {
			if strings.HasPrefix(f[i:], t.tok) {
				key := t.layout
				if seen[key] {
					return out, fmt.Errorf("date format %q names %s twice", f, t.tok)
				}
				seen[key] = true
				b.WriteString(t.layout)
				i += len(t.tok)
				matched = true
				switch t.tok {
				case "hh", "HH", "mm", "ss":
					out.HasTime = true
				default:
					out.HasDate = true
				}
				break
			}
		}
		if matched {
			continue
		}
		switch c := f[i]; c {
		case '-', '/', '.', ',', ':', ' ', 'T':
			b.WriteByte(c)
			i++
		default:
			return out, fmt.Errorf("date format %q: %q is not one of YYYY YY MM M DD D MON hh mm ss or a separator", f, f[i:])
		}
	}
	hasY := seen["2006"] || seen["06"]
	hasM := seen["01"] || seen["1"] || seen["Jan"]
	hasD := seen["02"] || seen["2"]
	if out.HasDate && !(hasY && hasM && hasD) {
		return out, fmt.Errorf("date format %q needs a year, a month and a day", f)
	}
	if !out.HasDate {
		return out, fmt.Errorf("date format %q has no date in it", f)
	}
	if out.HasTime && !(seen["15"] && seen["04"]) {
		return out, fmt.Errorf("date format %q: a time needs hours and minutes (hh:mm)", f)
	}
	out.Layout = b.String()
	return out, nil
}

// Format writes t in the format.
func (d DateFormat) Format(t time.Time) string { return t.Format(d.Layout) }

// Check says whether v is written exactly in the format (and is a real date).
func (d DateFormat) Check(v string) bool {
	t, err := time.Parse(d.Layout, v)
	return err == nil && t.Format(d.Layout) == v
}
