// Package target describes the new system a practice is moving to: its entities (patients,
// providers, appointments, invoices …), each entity's fields with their type, whether they are
// required, their maximum length, format and allowed values, and the references between
// entities. A target is what the Map step maps the old data onto; app/mapping reads it.
//
// # Where a target comes from
//
//   - A built-in preset (data in assets/targets: "fhir-r4", "generic"): FromPreset copies it into
//     the project.
//   - The new vendor's import template: FromTemplate turns its header row, plus optional hint rows
//     ("required", "DD/MM/YYYY", "max 50", "one of: A, B, C"), into an entity. Reading the file
//     is the caller's business (cmd reads it with the importers into a staging.MemorySink);
//     IsHintRow tells hint rows from example data.
//   - Edited by hand: AddEntity, UpdateEntity, RemoveEntity, AddField, UpdateField, RemoveField,
//     or Update with any change. Every change is validated, saved and logged in the custody log
//     in one transaction.
//
// # Versions and runs
//
// A project keeps the working definition of each target and, separately, numbered frozen
// versions. Freeze makes a version when a run is about to use the target (validation now,
// sample and full loads later) and returns the existing version when nothing changed since.
// Changing the target afterwards changes only the working definition, so the next run freezes
// version n+1. RecordRun stores which version each run used; Runs lists them.
//
// # The JSON format (ferry-target/1)
//
//	{
//	  "format": "ferry-target/1",
//	  "name": "fhir-r4",                 // handle, unique in a project
//	  "title": "FHIR R4",
//	  "description": "…",
//	  "entities": [{
//	    "name": "Patient", "label": "Patients", "concept": "patient", "description": "…",
//	    "fields": [{
//	      "name": "birthDate",             // unique in the entity
//	      "label": "Date of birth",
//	      "type": "date",                  // text integer decimal money date datetime boolean phone email code reference
//	      "required": false,
//	      "key": false,                    // carries the old system's key (at most one per entity)
//	      "max_length": 0,                 // characters; 0 = no limit
//	      "format": "YYYY-MM-DD",          // date/datetime: YYYY YY MM M DD D MON hh mm ss; phone: E.164, national,
//	                                       // international; boolean: the true/false words, e.g. "Y/N"
//	      "values": ["male", "female"],    // code: the allowed values
//	      "references": "Practitioner",    // reference: the entity referred to (its key field)
//	      "concepts": ["birthdate"],       // what the field is, for auto-suggest (see synonyms.json)
//	      "description": "…"
//	    }]
//	  }],
//	  "load": {"route": "api", …}        // optional: how records reach the new system (Load, load.go)
//	}
//
// Unknown members are errors: a definition is data only and is checked strictly (Parse).
package target

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FormatVersion names the JSON format of a target definition.
const FormatVersion = "ferry-target/1"

// Type is a field's kind of value.
type Type string

// Field types.
const (
	Text      Type = "text"
	Integer   Type = "integer"
	Decimal   Type = "decimal"
	Money     Type = "money"
	Date      Type = "date"
	DateTime  Type = "datetime"
	Boolean   Type = "boolean"
	Phone     Type = "phone"
	Email     Type = "email"
	Code      Type = "code" // a pick-list: Values are the allowed values
	Reference Type = "reference"
)

// Types lists the field types in the order a type picker shows them.
var Types = []Type{Text, Integer, Decimal, Money, Date, DateTime, Boolean, Phone, Email, Code, Reference}

// Phone formats.
const (
	PhoneE164          = "E.164"         // +16175550123
	PhoneNational      = "national"      // (617) 555-0123
	PhoneInternational = "international" // +1 617-555-0123
)

// Default formats of the types that have one.
const (
	DefaultDateFormat     = "YYYY-MM-DD"
	DefaultDateTimeFormat = "YYYY-MM-DDThh:mm:ss"
	DefaultBooleanFormat  = "true/false"
)

// Limits that keep a definition (which may come from a file someone sent) reasonable.
const (
	MaxEntities = 500
	MaxFields   = 2000
	MaxValues   = 5000
	maxName     = 200
	maxText     = 4000
)

// Errors wrapped with what was concerned.
var (
	ErrNoTarget = errors.New("no such target")
	ErrNoPreset = errors.New("no such preset")
	ErrExists   = errors.New("a target with that name already exists")
	ErrInvalid  = errors.New("the target definition is not valid")
	ErrNoEntity = errors.New("no such entity")
	ErrNoField  = errors.New("no such field")
	ErrInUse    = errors.New("the target has been used by a run")
)

// Field is one field of an entity of the new system.
type Field struct {
	Name        string   `json:"name"`
	Label       string   `json:"label,omitempty"`
	Type        Type     `json:"type"`
	Required    bool     `json:"required,omitempty"`
	Key         bool     `json:"key,omitempty"`
	MaxLength   int      `json:"max_length,omitempty"`
	Format      string   `json:"format,omitempty"`
	Values      []string `json:"values,omitempty"`
	References  string   `json:"references,omitempty"`
	Concepts    []string `json:"concepts,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Title is the label, or the name when there is none.
func (f Field) Title() string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// EffectiveFormat is the format values must have: the field's own, or the type's default.
func (f Field) EffectiveFormat() string {
	if f.Format != "" {
		return f.Format
	}
	switch f.Type {
	case Date:
		return DefaultDateFormat
	case DateTime:
		return DefaultDateTimeFormat
	case Boolean:
		return DefaultBooleanFormat
	case Phone:
		return PhoneE164
	}
	return ""
}

// Allowed lists the values a pick-list field accepts: Values for a code, the true and false
// words of the format for a boolean ("true", "false" by default), nil otherwise.
func (f Field) Allowed() []string {
	switch f.Type {
	case Code:
		return f.Values
	case Boolean:
		t, fl := BooleanWords(f.EffectiveFormat())
		return []string{t, fl}
	}
	return nil
}

// BooleanWords splits a boolean format ("Y/N", "true/false", "1/0") into its true and false words.
func BooleanWords(format string) (trueWord, falseWord string) {
	t, f, ok := strings.Cut(format, "/")
	if !ok || strings.TrimSpace(t) == "" || strings.TrimSpace(f) == "" {
		return "true", "false"
	}
	return strings.TrimSpace(t), strings.TrimSpace(f)
}

// Entity is one kind of record of the new system.
type Entity struct {
	Name        string  `json:"name"`
	Label       string  `json:"label,omitempty"`
	Concept     string  `json:"concept,omitempty"` // patient, provider, appointment … for auto-suggest
	Description string  `json:"description,omitempty"`
	Fields      []Field `json:"fields"`
}

// Title is the label, or the name when there is none.
func (e Entity) Title() string {
	if e.Label != "" {
		return e.Label
	}
	return e.Name
}

// Field returns the named field, or nil.
func (e *Entity) Field(name string) *Field {
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			return &e.Fields[i]
		}
	}
	return nil
}

// KeyField returns the field that carries the old system's key, or nil.
func (e *Entity) KeyField() *Field {
	for i := range e.Fields {
		if e.Fields[i].Key {
			return &e.Fields[i]
		}
	}
	return nil
}

// Definition is a target as data: what a preset file, a template export and a frozen version hold.
type Definition struct {
	Format      string   `json:"format"`
	Name        string   `json:"name"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Entities    []Entity `json:"entities"`
	Load        *Load    `json:"load,omitempty"` // how records reach the new system (load.go)
}

// Entity returns the named entity, or nil.
func (d *Definition) Entity(name string) *Entity {
	for i := range d.Entities {
		if d.Entities[i].Name == name {
			return &d.Entities[i]
		}
	}
	return nil
}

// Clone is a deep copy, so that edits to it leave d alone.
func (d Definition) Clone() Definition {
	b, _ := json.Marshal(d)
	var out Definition
	_ = json.Unmarshal(b, &out)
	return out
}

// Parse reads a definition strictly: unknown members, trailing data and invalid content are
// errors. It reads at most limit bytes (0: 16 MiB).
func Parse(r io.Reader, limit int64) (Definition, error) {
	if limit <= 0 {
		limit = 16 << 20
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Definition{}, fmt.Errorf("reading the target definition: %w", err)
	}
	if int64(len(b)) > limit {
		return Definition{}, fmt.Errorf("the target definition is larger than %d bytes: %w", limit, ErrInvalid)
	}
	var d Definition
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Definition{}, fmt.Errorf("reading the target definition: %v: %w", err, ErrInvalid)
	}
	if dec.More() {
		return Definition{}, fmt.Errorf("reading the target definition: data after the definition: %w", ErrInvalid)
	}
	if err := d.Validate(); err != nil {
		return Definition{}, err
	}
	return d, nil
}

// Marshal writes the definition as indented JSON.
func (d Definition) Marshal() []byte {
	b, _ := json.MarshalIndent(d, "", "  ")
	return append(b, '\n')
}

// Validate checks that the definition is usable: names present, unique and printable, types
// known, formats readable, pick-lists not empty, references pointing at entities, at most one
// key field per entity. The error lists every problem.
func (d *Definition) Validate() error {
	var probs []string
	bad := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if d.Format != "" && d.Format != FormatVersion {
		bad("format is %q; this Ferry reads %q", d.Format, FormatVersion)
	}
	if msg := checkName(d.Name); msg != "" {
		bad("target name: %s", msg)
	}
	for _, s := range []string{d.Title, d.Description} {
		if msg := checkText(s); msg != "" {
			bad("target title or description: %s", msg)
		}
	}
	if len(d.Entities) > MaxEntities {
		bad("%d entities; at most %d", len(d.Entities), MaxEntities)
	}
	entities := map[string]bool{}
	for _, e := range d.Entities {
		if entities[strings.ToLower(e.Name)] {
			bad("entity %q appears twice", e.Name)
		}
		entities[strings.ToLower(e.Name)] = true
	}
	for _, e := range d.Entities {
		if msg := checkName(e.Name); msg != "" {
			bad("entity name %q: %s", e.Name, msg)
		}
		for _, s := range []string{e.Label, e.Concept, e.Description} {
			if msg := checkText(s); msg != "" {
				bad("entity %s: %s", e.Name, msg)
			}
		}
		if len(e.Fields) > MaxFields {
			bad("entity %s has %d fields; at most %d", e.Name, len(e.Fields), MaxFields)
		}
		fields := map[string]bool{}
		keys := 0
		for _, f := range e.Fields {
			where := e.Name + "." + f.Name
			if msg := checkName(f.Name); msg != "" {
				bad("field name %q in %s: %s", f.Name, e.Name, msg)
			}
			if fields[strings.ToLower(f.Name)] {
				bad("field %s appears twice", where)
			}
			fields[strings.ToLower(f.Name)] = true
			for _, s := range append([]string{f.Label, f.Description, f.Format}, f.Concepts...) {
				if msg := checkText(s); msg != "" {
					bad("field %s: %s", where, msg)
				}
			}
			if !knownType(f.Type) {
				bad("field %s: type %q is not one of %s", where, f.Type, typeList())
				continue
			}
			if f.MaxLength < 0 {
				bad("field %s: max_length %d is negative", where, f.MaxLength)
			}
			if f.Key {
				keys++
				if f.Type == Reference {
					bad("field %s: a key field cannot be a reference", where)
				}
			}
			if f.Type == Code {
				if len(f.Values) == 0 {
					bad("field %s: a code field needs its allowed values", where)
				}
				if len(f.Values) > MaxValues {
					bad("field %s: %d allowed values; at most %d", where, len(f.Values), MaxValues)
				}
				seen := map[string]bool{}
				for _, v := range f.Values {
					if msg := checkText(v); msg != "" || strings.TrimSpace(v) == "" {
						bad("field %s: allowed value %q is blank or unprintable", where, v)
					}
					if seen[v] {
						bad("field %s: allowed value %q appears twice", where, v)
					}
					seen[v] = true
				}
			} else if len(f.Values) > 0 {
				bad("field %s: only code fields have allowed values (this one is %s)", where, f.Type)
			}
			if f.Type == Reference {
				if f.References == "" {
					bad("field %s: a reference field names the entity it refers to", where)
				} else if !entities[strings.ToLower(f.References)] {
					bad("field %s refers to %q, which is not an entity of this target", where, f.References)
				}
			} else if f.References != "" {
				bad("field %s: only reference fields refer to an entity (this one is %s)", where, f.Type)
			}
			if f.Format != "" {
				if msg := checkFormat(f.Type, f.Format); msg != "" {
					bad("field %s: %s", where, msg)
				}
			}
		}
		if keys > 1 {
			bad("entity %s has %d key fields; at most one carries the old system's key", e.Name, keys)
		}
	}
	probs = append(probs, validateLoad(d.Load)...)
	if len(probs) > 0 {
		if len(probs) > 20 {
			probs = append(probs[:20], fmt.Sprintf("and %d more", len(probs)-20))
		}
		return fmt.Errorf("%s: %w", strings.Join(probs, "; "), ErrInvalid)
	}
	return nil
}

func checkFormat(t Type, format string) string {
	switch t {
	case Date, DateTime:
		if _, err := ParseDateFormat(format); err != nil {
			return err.Error()
		}
	case Phone:
		switch format {
		case PhoneE164, PhoneNational, PhoneInternational:
		default:
			return fmt.Sprintf("phone format %q is not one of E.164, national, international", format)
		}
	case Boolean:
		if t, f, ok := strings.Cut(format, "/"); !ok || strings.TrimSpace(t) == "" || strings.TrimSpace(f) == "" || t == f {
			return fmt.Sprintf("boolean format %q is not two words such as Y/N or true/false", format)
		}
	}
	return ""
}

func knownType(t Type) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

func typeList() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func checkName(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "blank"
	case len(s) > maxName:
		return fmt.Sprintf("longer than %d characters", maxName)
	case s != strings.TrimSpace(s):
		return "starts or ends with spaces"
	}
	return checkText(s)
}

func checkText(s string) string {
	if len(s) > maxText {
		return fmt.Sprintf("text longer than %d characters", maxText)
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return "holds control characters"
		}
	}
	return ""
}
