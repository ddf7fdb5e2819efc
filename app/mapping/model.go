package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/app/target"
)

// Ops of a transform step.
const (
	OpTrim     = "trim"      // mode: "" (both ends), "spaces" (both ends and runs of spaces inside)
	OpCase     = "case"      // mode: upper, lower, title, name
	OpDate     = "date"      // from: auto, DMY, MDY, YMD, ISO; to: a format ("" = the field's)
	OpPhone    = "phone"     // mode: e164, national, international ("" = the field's); region ("" = the Plan's)
	OpNumber   = "number"    // mode: decimal, integer, money: "$1,234.50" → 1234.50
	OpSplit    = "split"     // sep, part (1-based; negative counts from the end)
	OpConcat   = "concat"    // sep: joins the source values, blanks skipped
	OpValueMap = "value_map" // map: source value → target value; values not in it are errors
	OpConstant = "constant"  // value: the same value on every row
	OpDefault  = "default"   // value: used when the value is blank
	OpRegex    = "regex"     // pattern, replace ($1 …): every match replaced
	OpLookup   = "lookup"    // entity: the value is that entity's old key; checked to exist, swapped for the new id at load
)

// Ops lists the transform ops in the order a step picker shows them.
var Ops = []string{OpTrim, OpCase, OpDate, OpPhone, OpNumber, OpSplit, OpConcat, OpValueMap, OpConstant, OpDefault,
	OpRegex, OpLookup}

// Date orders a date step reads.
const (
	OrderAuto = "auto" // year-first values, and day/month values whose order shows (a part over 12); others are errors
	OrderDMY  = "DMY"
	OrderMDY  = "MDY"
	OrderYMD  = "YMD"
	OrderISO  = "ISO" // exactly YYYY-MM-DD, optionally with a time
)

// Limits on a map (which may come from a template file someone sent).
const (
	maxSteps    = 50
	maxSources  = 50
	maxMapEntry = 20000
	maxParam    = 4000
	maxPattern  = 1000
)

// Errors of the package, wrapped with what was concerned.
var (
	ErrNoEntity   = errors.New("the target has no entity by that name")
	ErrNoField    = errors.New("the entity has no field by that name")
	ErrNoTable    = errors.New("no staged table by that name")
	ErrNoColumn   = errors.New("the table has no column by that name")
	ErrBadStep    = errors.New("a transform step is not valid")
	ErrNothing    = errors.New("nothing to undo or redo")
	ErrBadTempl   = errors.New("the file is not a Ferry mapping template")
	ErrNotAllowed = errors.New("the field does not allow that value")
)

// Step is one transform of a field's chain. Only the parameters of its op are used; the others
// stay empty.
type Step struct {
	Op      string            `json:"op"`
	Mode    string            `json:"mode,omitempty"`
	From    string            `json:"from,omitempty"`
	To      string            `json:"to,omitempty"`
	Sep     string            `json:"sep,omitempty"`
	Part    int               `json:"part,omitempty"`
	Value   string            `json:"value,omitempty"`
	Pattern string            `json:"pattern,omitempty"`
	Replace string            `json:"replace,omitempty"`
	Map     map[string]string `json:"map,omitempty"`
	Entity  string            `json:"entity,omitempty"`
	Region  string            `json:"region,omitempty"`
}

// FieldMap says how one field of the new system is filled: from which columns of the entity's
// source table (several are concatenated; none for a constant), through which chain of steps.
type FieldMap struct {
	Field   string   `json:"field"`
	Sources []string `json:"sources,omitempty"`
	Steps   []Step   `json:"steps,omitempty"`
	// Origin is who made it: user, suggested, template. Confidence is a suggestion's, 0..1.
	Origin     string  `json:"origin,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	Note       string  `json:"note,omitempty"`
}

// EntityMap maps one entity of the new system: its source table and its fields.
type EntityMap struct {
	Entity string     `json:"entity"`
	Table  string     `json:"table"` // staged table; "" = not mapped
	Fields []FieldMap `json:"fields"`
}

// Field returns the map of a field, or nil.
func (e *EntityMap) Field(name string) *FieldMap {
	for i := range e.Fields {
		if e.Fields[i].Field == name {
			return &e.Fields[i]
		}
	}
	return nil
}

// ValueMapStep returns the field's value_map step, or nil.
func (f *FieldMap) ValueMapStep() *Step {
	for i := range f.Steps {
		if f.Steps[i].Op == OpValueMap {
			return &f.Steps[i]
		}
	}
	return nil
}

// LookupEntity is the entity a field's lookup step refers to, or "".
func (f *FieldMap) LookupEntity() string {
	for _, s := range f.Steps {
		if s.Op == OpLookup {
			return s.Entity
		}
	}
	return ""
}

// Describe writes a step for people: `date DMY → YYYY-MM-DD`, `value map (12 values)`.
func (s Step) Describe() string {
	switch s.Op {
	case OpTrim:
		if s.Mode == "spaces" {
			return "trim and collapse spaces"
		}
		return "trim"
	case OpCase:
		return s.Mode + " case"
	case OpDate:
		from := s.From
		if from == "" {
			from = OrderAuto
		}
		to := s.To
		if to == "" {
			to = "the field's format"
		}
		return "date " + from + " → " + to
	case OpPhone:
		m := s.Mode
		if m == "" {
			m = "the field's format"
		}
		return "phone → " + m
	case OpNumber:
		m := s.Mode
		if m == "" {
			m = "decimal"
		}
		return "number → " + m
	case OpSplit:
		return fmt.Sprintf("split on %q, part %d", s.Sep, s.Part)
	case OpConcat:
		return fmt.Sprintf("join with %q", s.Sep)
	case OpValueMap:
		return fmt.Sprintf("value map (%d values)", len(s.Map))
	case OpConstant:
		return fmt.Sprintf("constant %q", s.Value)
	case OpDefault:
		return fmt.Sprintf("default %q when blank", s.Value)
	case OpRegex:
		return fmt.Sprintf("replace /%s/ with %q", s.Pattern, s.Replace)
	case OpLookup:
		return "look up the new id of " + s.Entity
	}
	return s.Op
}

// Check validates a step's op and parameters against the field it fills; t may be nil when the
// field is unknown. It does not look at data.
func (s Step) Check(field *target.Field, t *target.Definition) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s step: %s: %w", s.Op, fmt.Sprintf(format, a...), ErrBadStep)
	}
	for _, v := range []string{s.Mode, s.From, s.To, s.Sep, s.Value, s.Replace, s.Entity, s.Region} {
		if len(v) > maxParam || !utf8.ValidString(v) {
			return bad("a parameter is too long or not valid UTF-8")
		}
	}
	switch s.Op {
	case OpTrim:
		if s.Mode != "" && s.Mode != "spaces" {
			return bad("mode %q is not spaces or empty", s.Mode)
		}
	case OpCase:
		switch s.Mode {
		case "upper", "lower", "title", "name":
		default:
			return bad("mode %q is not upper, lower, title or name", s.Mode)
		}
	case OpDate:
		switch s.From {
		case "", OrderAuto, OrderDMY, OrderMDY, OrderYMD, OrderISO:
		default:
			return bad("from %q is not auto, DMY, MDY, YMD or ISO", s.From)
		}
		if s.To != "" {
			if _, err := target.ParseDateFormat(s.To); err != nil {
				return bad("%v", err)
			}
		} else if field != nil && field.Type != target.Date && field.Type != target.DateTime {
			return bad("the field %s is %s, not a date: say which format to write (to)", field.Name, field.Type)
		}
	case OpPhone:
		switch s.Mode {
		case "", "e164", "national", "international":
		default:
			return bad("mode %q is not e164, national or international", s.Mode)
		}
		if s.Region != "" && (len(s.Region) != 2 || strings.ToUpper(s.Region) != s.Region) {
			return bad("region %q is not a two-letter country code such as US or GB", s.Region)
		}
	case OpNumber:
		switch s.Mode {
		case "", "decimal", "integer", "money":
		default:
			return bad("mode %q is not decimal, integer or money", s.Mode)
		}
	case OpSplit:
		if s.Sep == "" {
			return bad("the separator is empty")
		}
		if s.Part == 0 {
			return bad("part is 1 for the first piece, 2 for the second, -1 for the last")
		}
	case OpConcat:
	case OpValueMap:
		if len(s.Map) > maxMapEntry {
			return bad("%d entries; at most %d", len(s.Map), maxMapEntry)
		}
		for k, v := range s.Map {
			if len(k) > maxParam || len(v) > maxParam || !utf8.ValidString(k) || !utf8.ValidString(v) {
				return bad("an entry is too long or not valid UTF-8")
			}
		}
	case OpConstant, OpDefault:
	case OpRegex:
		if s.Pattern == "" {
			return bad("the pattern is empty")
		}
		if len(s.Pattern) > maxPattern {
			return bad("the pattern is longer than %d characters", maxPattern)
		}
		if _, err := regexp.Compile(s.Pattern); err != nil {
			return bad("the pattern does not compile: %v", err)
		}
	case OpLookup:
		if s.Entity == "" {
			return bad("name the entity whose record is referred to")
		}
		if t != nil && t.Entity(s.Entity) == nil {
			return bad("the target has no entity %s", s.Entity)
		}
		if t != nil && t.Entity(s.Entity).KeyField() == nil {
			return bad("entity %s has no key field to look up", s.Entity)
		}
	default:
		return bad("unknown op; the ops are %s", strings.Join(Ops, ", "))
	}
	return nil
}

// Clone is a deep copy.
func (e EntityMap) Clone() EntityMap {
	out := EntityMap{Entity: e.Entity, Table: e.Table, Fields: make([]FieldMap, len(e.Fields))}
	for i, f := range e.Fields {
		out.Fields[i] = f.Clone()
	}
	return out
}

// Clone is a deep copy.
func (f FieldMap) Clone() FieldMap {
	out := f
	out.Sources = append([]string(nil), f.Sources...)
	out.Steps = make([]Step, len(f.Steps))
	for i, s := range f.Steps {
		out.Steps[i] = s
		if s.Map != nil {
			out.Steps[i].Map = make(map[string]string, len(s.Map))
			for k, v := range s.Map {
				out.Steps[i].Map[k] = v
			}
		}
	}
	if len(out.Steps) == 0 {
		out.Steps = nil
	}
	return out
}

// sortFields orders field maps as the target lists its fields (unknown ones last, by name).
func sortFields(fs []FieldMap, e *target.Entity) {
	pos := map[string]int{}
	if e != nil {
		for i, f := range e.Fields {
			pos[f.Name] = i + 1
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		pi, pj := pos[fs[i].Field], pos[fs[j].Field]
		if pi == 0 {
			pi = 1 << 30
		}
		if pj == 0 {
			pj = 1 << 30
		}
		if pi != pj {
			return pi < pj
		}
		return fs[i].Field < fs[j].Field
	})
}
