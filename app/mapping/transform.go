package mapping

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/ferry-migrate/ferry/app/target"
)

// Kinds of problem a value (or the map itself) can have.
const (
	KindRequiredMissing = "required_missing"    // a required field is blank
	KindTooLong         = "too_long"            // longer than the field's max_length
	KindBadDate         = "bad_date"            // not a date, or not in the field's format
	KindAmbiguousDate   = "ambiguous_date"      // 03/04/2020 or a two-digit year: a person must say which
	KindNotInList       = "not_in_list"         // not one of a pick-list's allowed values
	KindUnmappedValue   = "unmapped_value"      // a value the value map does not cover
	KindBadPhone        = "bad_phone"           // not a valid phone number for the region
	KindBadEmail        = "bad_email"           // not an e-mail address
	KindBadNumber       = "bad_number"          // not a number (or an amount) of the field's kind
	KindBadBoolean      = "bad_boolean"         // not one of the field's true/false words
	KindRefNotFound     = "reference_not_found" // the record referred to is not there
	KindDuplicateKey    = "duplicate_key"       // the old key appears on more than one row
	KindTransform       = "transform_error"     // a step could not run on the value

	// Problems of the map itself (no rows behind them).
	KindRequiredUnmapped = "required_unmapped" // a required field has no mapping
	KindUnknownTable     = "unknown_table"     // the entity's source table is not staged
	KindUnknownColumn    = "unknown_column"    // a mapped column is not in the table
	KindUnknownField     = "unknown_field"     // a mapped field is not in the target (it changed)
	KindBadStep          = "bad_step"          // a step's parameters are not valid
	KindUnmappedEntity   = "unmapped_entity"   // an entity referred to by a lookup has no source table
)

// CellError is what is wrong with one value, in words for the grid's tooltip.
type CellError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (e *CellError) Error() string { return e.Message }

func cellErr(kind, format string, a ...any) *CellError {
	return &CellError{Kind: kind, Message: fmt.Sprintf(format, a...)}
}

// Chain is a field's map made ready to run on rows: steps checked, patterns compiled.
type Chain struct {
	Field   target.Field
	Sources []string
	Lookup  string // entity whose key the value is (lookup step or reference field); "" = none
	Region  string // phone numbers without a country code are read as this country's
	steps   []cstep
	dateFmt *target.DateFormat
	// phoneOut is the last value a phone step wrote: Check need not parse it again (parsing a
	// phone number is the costliest check there is).
	phoneOut string
}

type cstep struct {
	Step
	re     *regexp.Regexp
	date   target.DateFormat
	phone  phonenumbers.PhoneNumberFormat
	region string
}

// Compile checks a field map against its target field and readies it. region is the phone
// region used when a phone step names none (the Plan's). def may be nil when lookups need not
// be checked.
func Compile(fm FieldMap, field target.Field, def *target.Definition, region string) (*Chain, error) {
	if len(fm.Steps) > maxSteps {
		return nil, fmt.Errorf("%s: %d steps; at most %d: %w", field.Name, len(fm.Steps), maxSteps, ErrBadStep)
	}
	if len(fm.Sources) > maxSources {
		return nil, fmt.Errorf("%s: %d source columns; at most %d: %w", field.Name, len(fm.Sources), maxSources, ErrBadStep)
	}
	c := &Chain{Field: field, Sources: fm.Sources}
	if field.Type == target.Reference {
		c.Lookup = field.References
	}
	if region == "" {
		region = "US"
	}
	c.Region = region
	for _, s := range fm.Steps {
		if err := s.Check(&field, def); err != nil {
			return nil, fmt.Errorf("%s: %w", field.Name, err)
		}
		cs := cstep{Step: s}
		switch s.Op {
		case OpRegex:
			cs.re = regexp.MustCompile(s.Pattern) // checked above
		case OpDate:
			to := s.To
			if to == "" {
				to = field.EffectiveFormat()
			}
			f, err := target.ParseDateFormat(to)
			if err != nil {
				return nil, fmt.Errorf("%s: date step: %v: %w", field.Name, err, ErrBadStep)
			}
			cs.date = f
		case OpPhone:
			cs.region = s.Region
			if cs.region == "" {
				cs.region = region
			}
			mode := s.Mode
			if mode == "" {
				mode = phoneMode(field.EffectiveFormat())
			}
			cs.phone = phoneFormats[mode]
		case OpLookup:
			c.Lookup = s.Entity
		}
		c.steps = append(c.steps, cs)
	}
	return c, nil
}

// phoneFormatOf is the field format the chain's last phone step writes.
func phoneFormatOf(c *Chain) string {
	for i := len(c.steps) - 1; i >= 0; i-- {
		if c.steps[i].Op == OpPhone {
			switch c.steps[i].phone {
			case phonenumbers.NATIONAL:
				return target.PhoneNational
			case phonenumbers.INTERNATIONAL:
				return target.PhoneInternational
			}
			return target.PhoneE164
		}
	}
	return ""
}

var phoneFormats = map[string]phonenumbers.PhoneNumberFormat{
	"e164": phonenumbers.E164, "national": phonenumbers.NATIONAL, "international": phonenumbers.INTERNATIONAL,
}

func phoneMode(format string) string {
	switch format {
	case target.PhoneNational:
		return "national"
	case target.PhoneInternational:
		return "international"
	}
	return "e164"
}

// Run turns the source values of one row (in the order of Sources) into the field's value.
// Until a concat step, trim, case, split and regex work on each source value on its own; any
// other step first joins them with a space (blanks skipped). The result is not yet checked
// against the field: Check does that.
func (c *Chain) Run(values []string) (string, *CellError) {
	c.phoneOut = ""
	cur := append([]string(nil), values...)
	if len(cur) == 0 {
		cur = []string{""}
	}
	for i := range c.steps {
		s := &c.steps[i]
		switch s.Op {
		case OpConcat:
			cur = []string{joinNonBlank(cur, s.Sep)}
			continue
		case OpTrim, OpCase, OpSplit, OpRegex:
			for j := range cur {
				cur[j] = s.apply1(cur[j])
			}
			continue
		}
		if len(cur) != 1 {
			cur = []string{joinNonBlank(cur, " ")}
		}
		v, err := s.apply(cur[0])
		if err != nil {
			return cur[0], err
		}
		cur[0] = v
		if s.Op == OpPhone {
			c.phoneOut = v
		}
	}
	if len(cur) != 1 {
		return joinNonBlank(cur, " "), nil
	}
	return cur[0], nil
}

func joinNonBlank(vs []string, sep string) string {
	var out []string
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return strings.Join(out, sep)
}

var (
	upper = cases.Upper(language.Und)
	lower = cases.Lower(language.Und)
	title = cases.Title(language.Und)
)

// apply1 runs the steps that work on each source value; they cannot fail.
func (s *cstep) apply1(v string) string {
	switch s.Op {
	case OpTrim:
		v = strings.TrimSpace(v)
		if s.Mode == "spaces" {
			v = strings.Join(strings.Fields(v), " ")
		}
	case OpCase:
		switch s.Mode {
		case "upper":
			v = upper.String(v)
		case "lower":
			v = lower.String(v)
		case "title":
			v = title.String(v)
		case "name":
			v = NameCase(v)
		}
	case OpSplit:
		parts := strings.Split(v, s.Sep)
		i := s.Part - 1
		if s.Part < 0 {
			i = len(parts) + s.Part
		}
		if i < 0 || i >= len(parts) {
			return ""
		}
		v = strings.TrimSpace(parts[i])
	case OpRegex:
		v = s.re.ReplaceAllString(v, s.Replace)
	}
	return v
}

func (s *cstep) apply(v string) (string, *CellError) {
	switch s.Op {
	case OpConstant:
		return s.Value, nil
	case OpDefault:
		if strings.TrimSpace(v) == "" {
			return s.Value, nil
		}
		return v, nil
	case OpValueMap:
		if v == "" {
			return v, nil
		}
		if out, ok := s.Map[v]; ok {
			return out, nil
		}
		return v, cellErr(KindUnmappedValue, "%q is not in the value map", v)
	case OpDate:
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
		d, err := ParseDate(v, s.From)
		if err != nil {
			return v, err
		}
		if s.date.HasTime && !d.HasTime {
			return v, cellErr(KindBadDate, "%q has no time of day, and %s needs one", v, s.date.Source)
		}
		return s.date.Format(d.Time()), nil
	case OpPhone:
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
		n, ok := parsePhone(v, s.region)
		if !ok {
			return v, cellErr(KindBadPhone, "%q is not a valid phone number for %s", v, s.region)
		}
		return phonenumbers.Format(n, s.phone), nil
	case OpNumber:
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
		return NormaliseNumber(v, s.Mode)
	case OpLookup:
		return v, nil
	}
	return v, nil
}

func parsePhone(v, region string) (*phonenumbers.PhoneNumber, bool) {
	n, err := phonenumbers.Parse(v, region)
	if err != nil {
		return nil, false
	}
	if strings.HasPrefix(strings.TrimSpace(v), "+") {
		return n, phonenumbers.IsValidNumber(n)
	}
	return n, phonenumbers.IsValidNumberForRegion(n, region)
}

var (
	reDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	reInteger = regexp.MustCompile(`^-?[0-9]+$`)
	reGrouped = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
)

// NormaliseNumber reads an amount or number as people write it ("$1,234.50", "(12.00)",
// "-5") and writes it plainly: 1234.50, -12.00, -5. mode: decimal (as many decimals as
// written), integer (no fraction), money (two decimals; more than two that are not zeros is an
// error, not a rounding).
func NormaliseNumber(v, mode string) (string, *CellError) {
	s := strings.TrimSpace(v)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	for _, sym := range []string{"$", "£", "€", "¥", "USD", "GBP", "EUR", "AUD", "CAD", "NZD"} {
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(s, sym), sym))
	}
	if strings.HasPrefix(s, "-") && !neg {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	if reGrouped.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	if !reDecimal.MatchString(s) || strings.HasPrefix(s, "-") {
		what := "a number"
		if mode == "money" {
			what = "an amount"
		}
		return v, cellErr(KindBadNumber, "%q is not %s", v, what)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	switch mode {
	case "integer":
		if strings.Trim(frac, "0") != "" {
			return v, cellErr(KindBadNumber, "%q is not a whole number", v)
		}
		frac = ""
	case "money":
		if len(frac) > 2 {
			if strings.Trim(frac[2:], "0") != "" {
				return v, cellErr(KindBadNumber, "%q has more than two decimals; Ferry does not round amounts", v)
			}
			frac = frac[:2]
		}
		for len(frac) < 2 {
			frac += "0"
		}
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, nil
}

// Check says what is wrong with a final value for the field, or nil. References are checked by
// the validator, which knows the records referred to.
func (c *Chain) Check(v string) *CellError {
	if c.Field.Type == target.Phone && v != "" && v == c.phoneOut && c.Field.EffectiveFormat() == phoneFormatOf(c) {
		f := c.Field
		f.Type = target.Text // the phone step wrote it, valid and in the field's format
		return checkValue(f, v, c.Region, nil)
	}
	if c.dateFmt == nil && (c.Field.Type == target.Date || c.Field.Type == target.DateTime) {
		if df, err := target.ParseDateFormat(c.Field.EffectiveFormat()); err == nil {
			c.dateFmt = &df
		}
	}
	return checkValue(c.Field, v, c.Region, c.dateFmt)
}

// CheckValue checks a value against a field: required, length, type, format, allowed values.
// region is the country phone numbers without a country code belong to.
func CheckValue(f target.Field, v, region string) *CellError { return checkValue(f, v, region, nil) }

func checkValue(f target.Field, v, region string, df *target.DateFormat) *CellError {
	if strings.TrimSpace(v) == "" {
		if f.Required {
			return cellErr(KindRequiredMissing, "%s is required and is blank", f.Title())
		}
		return nil
	}
	if f.MaxLength > 0 {
		if n := utf8.RuneCountInString(v); n > f.MaxLength {
			return cellErr(KindTooLong, "%d characters; %s takes at most %d", n, f.Title(), f.MaxLength)
		}
	}
	switch f.Type {
	case target.Integer:
		if !reInteger.MatchString(v) {
			return cellErr(KindBadNumber, "%q is not a whole number", v)
		}
	case target.Decimal:
		if !reDecimal.MatchString(v) {
			return cellErr(KindBadNumber, "%q is not a plain number such as 12.5", v)
		}
	case target.Money:
		if !reDecimal.MatchString(v) {
			return cellErr(KindBadNumber, "%q is not a plain amount such as 1234.50", v)
		}
		if _, frac, ok := strings.Cut(v, "."); ok && len(frac) > 2 {
			return cellErr(KindBadNumber, "%q has more than two decimals", v)
		}
	case target.Date, target.DateTime:
		if df == nil {
			p, err := target.ParseDateFormat(f.EffectiveFormat())
			if err != nil {
				return nil
			}
			df = &p
		}
		if !df.Check(v) {
			return cellErr(KindBadDate, "%q is not a date written as %s", v, df.Source)
		}
	case target.Boolean:
		t, fl := target.BooleanWords(f.EffectiveFormat())
		if v != t && v != fl {
			return cellErr(KindBadBoolean, "%q is not %s or %s", v, t, fl)
		}
	case target.Phone:
		if region == "" {
			region = "US"
		}
		n, ok := parsePhone(v, region)
		if !ok {
			return cellErr(KindBadPhone, "%q is not a valid phone number", v)
		}
		if f.EffectiveFormat() == target.PhoneE164 && phonenumbers.Format(n, phonenumbers.E164) != v {
			return cellErr(KindBadPhone, "%q is not written as E.164 (+16175550123): add a phone step", v)
		}
	case target.Email:
		if msg := checkEmail(v); msg != "" {
			return cellErr(KindBadEmail, "%q is not an e-mail address: %s", v, msg)
		}
	case target.Code:
		for _, a := range f.Values {
			if a == v {
				return nil
			}
		}
		return cellErr(KindNotInList, "%q is not one of %s's values", v, f.Title())
	}
	return nil
}

func checkEmail(v string) string {
	if strings.ContainsAny(v, " ,;<>\t") {
		return "it holds spaces or separators"
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || strings.Contains(domain, "@") {
		return "it needs exactly one @"
	}
	if local == "" {
		return "nothing before the @"
	}
	dot := strings.LastIndex(domain, ".")
	if dot <= 0 {
		return "the domain has no dot"
	}
	tld := domain[dot+1:]
	if len(tld) < 2 {
		return "the domain ending is too short"
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return "the domain ending is not letters"
		}
	}
	if strings.Contains(domain, "..") || strings.HasPrefix(domain, "-") {
		return "the domain is malformed"
	}
	return ""
}

// name particles written in small letters inside a name ("Ludwig van Beethoven")
var particles = map[string]bool{"van": true, "von": true, "de": true, "da": true, "del": true, "della": true,
	"der": true, "den": true, "di": true, "du": true, "la": true, "le": true, "dos": true, "das": true,
	"ten": true, "ter": true, "bin": true, "ibn": true, "y": true}

var romans = map[string]bool{"ii": true, "iii": true, "iv": true, "vi": true, "vii": true, "viii": true}

// NameCase writes a person's or place's name the way it is spelt: a name in one case
// ("O'NEILL", "mcdonald-smith") becomes O'Neill, McDonald-Smith; particles inside a name stay
// small (van, de, von); a name already in mixed case ("DeVries") is left as typed.
func NameCase(v string) string {
	hasUpper, hasLower := false, false
	for _, r := range v {
		hasUpper = hasUpper || unicode.IsUpper(r)
		hasLower = hasLower || unicode.IsLower(r)
	}
	if hasUpper && hasLower {
		return v
	}
	words := strings.Split(lower.String(v), " ")
	first := true
	for i, w := range words {
		if w == "" {
			continue
		}
		switch {
		case !first && particles[w]:
		case romans[w]:
			words[i] = upper.String(w)
		default:
			words[i] = capWord(w)
		}
		first = false
	}
	return strings.Join(words, " ")
}

// capWord capitalises each part of a word: after hyphens, O'/D' and Mc.
func capWord(w string) string {
	rs := []rune(w)
	start := true
	for i := range rs {
		if start && unicode.IsLetter(rs[i]) {
			rs[i] = unicode.ToTitle(rs[i])
			start = false
		}
		switch rs[i] {
		case '-', '.':
			start = true
		case '\'', '’':
			// O'Neill, D'Arcy: a single letter before the apostrophe
			if i == 1 {
				start = true
			}
		}
	}
	out := string(rs)
	if strings.HasPrefix(out, "Mc") && len(rs) > 2 {
		r3 := []rune(out)
		r3[2] = unicode.ToTitle(r3[2])
		out = string(r3)
	}
	return out
}
