package reconcile

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/cases"

	"github.com/ferry-migrate/ferry/app/target"
)

// Normalisers, by name, for Options.Normalise. A field's values (sent and found) are both run
// through its normalisers before they are compared, so formatting the new system is known to
// apply is not a difference. Every field is compared with "trim" plus its type's default
// (phone → phone, email and code → case, money, decimal and integer → number, date → date,
// datetime → datetime, boolean → bool) unless Options.Normalise names its normalisers: then
// exactly those ("none": byte for byte).
const (
	NormNone     = "none"     // byte for byte
	NormTrim     = "trim"     // spaces at both ends
	NormSpace    = "space"    // runs of white space inside become one space (and trim)
	NormCase     = "case"     // Unicode case folding
	NormDigits   = "digits"   // digits only ("(617) 555-0123" = "6175550123")
	NormPhone    = "phone"    // the number in E.164 for the Plan's region, digits only if it is none
	NormNumber   = "number"   // numerically equal ("12.5" = "12.50" = "+12.500")
	NormDate     = "date"     // the same day, however written (ISO, with a time, DD/MM/YYYY by the field's format)
	NormDateTime = "datetime" // the same moment to the second, zone dropped ("2024-01-02 10:00:00.000Z")
	NormBool     = "bool"     // true/yes/y/1/t alike, false/no/n/0/f alike
)

// Normalisers lists the names Options.Normalise accepts.
var Normalisers = []string{NormNone, NormTrim, NormSpace, NormCase, NormDigits, NormPhone, NormNumber, NormDate, NormDateTime, NormBool}

// defaultNorms are the normalisers a field gets from its type.
func defaultNorms(f target.Field) []string {
	n := []string{NormTrim}
	switch f.Type {
	case target.Phone:
		n = append(n, NormPhone)
	case target.Email, target.Code:
		n = append(n, NormCase)
	case target.Money, target.Decimal, target.Integer:
		n = append(n, NormNumber)
	case target.Date:
		n = append(n, NormDate)
	case target.DateTime:
		n = append(n, NormDateTime)
	case target.Boolean:
		n = append(n, NormBool)
	}
	return n
}

// normaliser is a field's compiled chain.
type normaliser struct {
	steps  []string
	region string
	layout string // the field's date format as a Go layout, for dates written the target's way
	folder cases.Caser
}

func newNormaliser(f target.Field, names []string, region string) (*normaliser, error) {
	if names == nil {
		names = defaultNorms(f)
	}
	n := &normaliser{region: region, folder: cases.Fold()}
	for _, s := range names {
		s = strings.ToLower(strings.TrimSpace(s))
		known := false
		for _, k := range Normalisers {
			known = known || k == s
		}
		if !known {
			return nil, fmt.Errorf("%s: unknown normalisation %q (known: %s)", f.Name, s, strings.Join(Normalisers, ", "))
		}
		if s == NormNone {
			continue
		}
		n.steps = append(n.steps, s)
	}
	if f.Type == target.Date || f.Type == target.DateTime {
		if df, err := target.ParseDateFormat(f.EffectiveFormat()); err == nil {
			n.layout = df.Layout
		}
	}
	return n, nil
}

// apply normalises one value. It never fails: a value a step cannot read passes through as it
// is, so it still compares equal only to the same text.
func (n *normaliser) apply(v string) string {
	for _, s := range n.steps {
		switch s {
		case NormTrim:
			v = strings.TrimSpace(v)
		case NormSpace:
			v = strings.Join(strings.Fields(v), " ")
		case NormCase:
			v = n.folder.String(v)
		case NormDigits:
			v = digits(v)
		case NormPhone:
			if v == "" {
				continue
			}
			if num, err := phonenumbers.Parse(v, n.region); err == nil && phonenumbers.IsValidNumber(num) {
				v = phonenumbers.Format(num, phonenumbers.E164)
			} else {
				v = digits(v)
			}
		case NormNumber:
			v = canonNumber(v)
		case NormDate:
			if t, ok := parseWhen(v, n.layout); ok {
				v = t.Format("2006-01-02")
			}
		case NormDateTime:
			if t, ok := parseWhen(v, n.layout); ok {
				v = t.Format("2006-01-02T15:04:05")
			}
		case NormBool:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "yes", "y", "1", "t":
				v = "true"
			case "false", "no", "n", "0", "f":
				v = "false"
			}
		}
	}
	return v
}

func digits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// canonNumber writes a number the one way ("12.50" → "25/2" is not wanted: "12.5"), or returns
// the value unchanged when it is not a number.
func canonNumber(v string) string {
	s := strings.TrimSpace(v)
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return v
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return v
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(r.FloatString(12), "0"), ".")
}

// whenLayouts are the ways systems write dates and times back.
var whenLayouts = []string{
	"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.000Z", "2006-01-02 15:04:05Z",
	"2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05.000", "2006-01-02 15:04:05.000",
}

func parseWhen(v, layout string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if layout != "" {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	for _, l := range whenLayouts {
		if t, err := time.Parse(l, v); err == nil {
			// The zone is dropped: systems that store UTC write the wall time they were given.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC), true
		}
	}
	return time.Time{}, false
}
