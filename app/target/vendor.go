package target

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A vendor's import template is a spreadsheet or CSV whose header row names the fields the new
// system imports; some add rows under it saying which are required and how values are written
// ("required", "DD/MM/YYYY", "max 50", "one of: Active, Inactive"), and then maybe an example
// row. FromTemplate reads the header and the hint rows; IsHintRow tells hint rows from examples.

// hint is what one cell of a hint row (or the bracketed part of a header) says about a field.
type hint struct {
	required, optional bool
	typ                Type
	format             string
	maxLen             int
	values             []string
	recognised         bool
}

var (
	reMaxLen    = regexp.MustCompile(`(?i)^(?:max(?:imum)?\.?\s*(?:length|len|chars|characters)?\s*[:=]?\s*(\d+)(?:\s*(?:chars?|characters|digits))?|(?:up to|length[:=]?|len[:=]?)\s*(\d+)(?:\s*(?:chars?|characters|digits))?|(\d+)\s*(?:chars?|characters|digits)(?:\s*max(?:imum)?)?|(?:varchar|char|text|string|nvarchar)\s*\(\s*(\d+)\s*\)|\(\s*(\d+)\s*\))$`)
	reDateFmt   = regexp.MustCompile(`(?i)^(?:y{2,4}|m{1,2}|d{1,2}|mon)(?:[-/. ,]+(?:y{2,4}|m{1,2}|d{1,2}|mon)){2}(?:[ t]h{1,2}:m{2}(?::s{2})?)?$`)
	reValues    = regexp.MustCompile(`(?i)^(?:one of|values?|allowed(?: values)?|options?|choose(?: from)?|pick(?: one)?|list)\s*[:=]?\s*(.+)$`)
	reTypedDate = regexp.MustCompile(`(?i)^(date(?:\s*time)?|datetime|timestamp)\s*[:(\[]?\s*([^)\]]+?)\s*[)\]]?$`)
	reNumSize   = regexp.MustCompile(`(?i)^(?:number|numeric|decimal)\s*\(\s*\d+\s*,\s*(\d+)\s*\)$`)
)

var typeWords = map[string]Type{
	"text": Text, "string": Text, "varchar": Text, "char": Text, "alphanumeric": Text, "free text": Text, "freetext": Text,
	"number": Integer, "numeric": Integer, "integer": Integer, "int": Integer, "whole number": Integer, "digits": Integer,
	"decimal": Decimal, "float": Decimal, "double": Decimal, "real": Decimal,
	"money": Money, "currency": Money, "amount": Money, "$": Money, "£": Money, "€": Money,
	"date": Date, "datetime": DateTime, "date time": DateTime, "date/time": DateTime, "timestamp": DateTime,
	"boolean": Boolean, "bool": Boolean, "checkbox": Boolean, "flag": Boolean, "yes/no": Boolean, "y/n": Boolean,
	"true/false": Boolean, "1/0": Boolean, "t/f": Boolean,
	"phone": Phone, "telephone": Phone, "phone number": Phone, "tel": Phone, "mobile": Phone,
	"email": Email, "e-mail": Email, "email address": Email,
	"code": Code, "list": Code, "pick list": Code, "picklist": Code, "pick-list": Code, "dropdown": Code, "drop-down": Code, "lookup": Code,
}

var requiredWords = map[string]bool{"required": true, "mandatory": true, "req": true, "req.": true, "must": true,
	"compulsory": true, "not null": true, "*": true, "yes - required": true, "required field": true, "must be filled": true}
var optionalWords = map[string]bool{"optional": true, "opt": true, "opt.": true, "not required": true, "nullable": true,
	"if known": true, "may be blank": true, "can be blank": true}

// parseHint reads one hint cell. Several hints may share a cell, separated by ";" or ","
// ("Required; DD/MM/YYYY"), except a list of values, which takes the rest of the cell.
func parseHint(cell string) hint {
	var h hint
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return h
	}
	if one, ok := parseOneHint(cell); ok {
		return one
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == ',' || r == '|' })
	if len(parts) < 2 {
		return h
	}
	for i, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if m := reValues.FindStringSubmatch(part); m != nil {
			// a list of values takes the rest of the cell
			rest := strings.Join(append([]string{m[1]}, parts[i+1:]...), ",")
			h.values = splitValues(rest)
			h.recognised = len(h.values) > 0
			if h.typ == "" {
				h.typ = Code
			}
			return h
		}
		one, ok := parseOneHint(part)
		if !ok {
			return hint{}
		}
		h.merge(one)
	}
	return h
}

func (h *hint) merge(o hint) {
	h.recognised = h.recognised || o.recognised
	h.required = h.required || o.required
	h.optional = h.optional || o.optional
	if o.typ != "" {
		h.typ = o.typ
	}
	if o.format != "" {
		h.format = o.format
	}
	if o.maxLen > 0 {
		h.maxLen = o.maxLen
	}
	if len(o.values) > 0 {
		h.values = o.values
	}
}

func parseOneHint(s string) (hint, bool) {
	var h hint
	low := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(low, "(") && strings.HasSuffix(low, ")") {
		low = strings.TrimSpace(low[1 : len(low)-1])
	}
	if low == "" {
		return h, false
	}
	switch {
	case requiredWords[low]:
		h.required = true
	case optionalWords[low]:
		h.optional = true
	case reDateFmt.MatchString(low):
		h.typ, h.format = dateFormatHint(low)
	case reNumSize.MatchString(low):
		m := reNumSize.FindStringSubmatch(low)
		h.typ = Decimal
		if m[1] == "0" {
			h.typ = Integer
		}
	case reMaxLen.MatchString(low):
		m := reMaxLen.FindStringSubmatch(low)
		for _, g := range m[1:] {
			if g != "" {
				h.maxLen, _ = strconv.Atoi(g)
			}
		}
		if strings.HasPrefix(low, "varchar") || strings.HasPrefix(low, "char") || strings.HasPrefix(low, "nvarchar") ||
			strings.HasPrefix(low, "text") || strings.HasPrefix(low, "string") {
			h.typ = Text
		}
	case typeWords[low] != "":
		h.typ = typeWords[low]
		if h.typ == Boolean && strings.Contains(low, "/") {
			t, f := BooleanWords(strings.TrimSpace(s))
			h.format = t + "/" + f
		}
	default:
		if m := reTypedDate.FindStringSubmatch(low); m != nil && reDateFmt.MatchString(strings.TrimSpace(m[2])) {
			h.typ, h.format = dateFormatHint(strings.TrimSpace(m[2]))
			break
		}
		if m := reValues.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			h.values = splitValues(m[1])
			h.typ = Code
			break
		}
		// "Active/Inactive/Archived", "M/F/U": short words separated by slashes
		if parts := strings.Split(strings.TrimSpace(s), "/"); len(parts) >= 2 && len(parts) <= 20 && !strings.ContainsAny(s, ",;") {
			ok := true
			for _, p := range parts {
				p = strings.TrimSpace(p)
				if p == "" || len(p) > 30 || strings.ContainsAny(p, "0123456789") && len(p) > 2 {
					ok = false
				}
			}
			if ok {
				if len(parts) == 2 && isBooleanPair(parts[0], parts[1]) {
					h.typ, h.format = Boolean, strings.TrimSpace(parts[0])+"/"+strings.TrimSpace(parts[1])
				} else {
					h.typ = Code
					for _, p := range parts {
						h.values = append(h.values, strings.TrimSpace(p))
					}
				}
				break
			}
		}
		return h, false
	}
	h.recognised = true
	return h, true
}

func isBooleanPair(a, b string) bool {
	pair := strings.ToLower(strings.TrimSpace(a)) + "/" + strings.ToLower(strings.TrimSpace(b))
	switch pair {
	case "y/n", "yes/no", "true/false", "t/f", "1/0", "n/y", "no/yes", "false/true", "0/1":
		return true
	}
	return false
}

// dateFormatHint turns "dd/mm/yyyy", "MM-DD-YY hh:mm" into a format: the date part in capitals,
// the time part in small letters.
func dateFormatHint(s string) (Type, string) {
	date, tm := s, ""
	if i := strings.IndexAny(strings.ToLower(s), " t"); i > 0 && strings.Contains(s[i:], ":") {
		date, tm = s[:i], s[i+1:]
	}
	date = strings.ToUpper(date)
	// "MON" must stay a token; "M" is a month either way
	if tm == "" {
		return Date, date
	}
	tm = strings.ToLower(tm)
	return DateTime, date + " " + tm
}

func splitValues(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == ';' || r == '/' }) {
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if v != "" && !seen[v] {
			out = append(out, v)
			seen[v] = true
		}
	}
	return out
}

// IsHintRow says whether a row under a template's header says something about the fields
// (every non-blank cell is a hint) rather than being an example record.
func IsHintRow(row []string) bool {
	n := 0
	for _, c := range row {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if !parseHint(c).recognised {
			return false
		}
		n++
	}
	return n > 0
}

var reHeaderMark = regexp.MustCompile(`\s*[(\[]([^)\]]*)[)\]]\s*`)

// FromTemplate makes an entity from a vendor template: header names the fields (in order), each
// hint row may say per column whether it is required, its type, format, maximum length or
// allowed values. Marks in the header itself count too: "Last name*", "DOB (DD/MM/YYYY)",
// "Status (required)". Fields without a stated type get one from their name where the
// dictionary knows it (a date of birth is a date), otherwise text. notes says what was guessed
// or skipped, in words for the person checking it.
func FromTemplate(entity string, header []string, hints [][]string) (Entity, []string, error) {
	e := Entity{Name: strings.TrimSpace(entity), Label: strings.TrimSpace(entity), Fields: []Field{}}
	if e.Name == "" {
		return e, nil, fmt.Errorf("the entity needs a name: %w", ErrInvalid)
	}
	d, _ := Synonyms()
	if cs := d.EntityConcepts(e.Name); len(cs) > 0 {
		e.Concept = cs[0]
	}
	var notes []string
	seen := map[string]bool{}
	for col, raw := range header {
		label := strings.TrimSpace(raw)
		var h hint
		// "Last name*" / "*Last name"
		if strings.HasSuffix(label, "*") || strings.HasPrefix(label, "*") {
			h.required = true
			label = strings.TrimSpace(strings.Trim(label, "*"))
		}
		// bracketed hints in the header
		for _, m := range reHeaderMark.FindAllStringSubmatch(label, -1) {
			if one := parseHint(m[1]); one.recognised {
				h.merge(one)
				label = strings.TrimSpace(strings.Replace(label, m[0], " ", 1))
			}
		}
		label = strings.Join(strings.Fields(label), " ")
		if label == "" {
			notes = append(notes, fmt.Sprintf("column %d has no name in the template's header row and was left out", col+1))
			continue
		}
		name := label
		if seen[strings.ToLower(name)] {
			for n := 2; ; n++ {
				if c := fmt.Sprintf("%s_%d", label, n); !seen[strings.ToLower(c)] {
					name = c
					break
				}
			}
			notes = append(notes, fmt.Sprintf("%q appears twice in the header; the second is field %q", label, name))
		}
		seen[strings.ToLower(name)] = true
		for _, row := range hints {
			if col < len(row) {
				h.merge(parseHint(row[col]))
			}
		}
		f := Field{Name: name, Label: label, Type: h.typ, Required: h.required && !h.optional, MaxLength: h.maxLen,
			Format: h.format, Values: h.values}
		f.Concepts = d.FieldConcepts(name)
		if len(f.Concepts) == 0 {
			f.Concepts = d.FieldConcepts(stripEntityWord(name, e.Concept))
		}
		if len(f.Concepts) == 0 {
			f.Concepts = idConcept(d, name)
		}
		f.Concepts = orderConcepts(f.Concepts, e.Concept)
		if f.Type == "" {
			f.Type = typeFromConcepts(f.Concepts, name)
			if f.Type != Text {
				notes = append(notes, fmt.Sprintf("%s: no type stated; taken as %s from its name", name, f.Type))
			}
		}
		if f.Type == Code && len(f.Values) == 0 {
			notes = append(notes, fmt.Sprintf("%s: a pick-list without its values; taken as text until the values are added", name))
			f.Type = Text
		}
		if f.Type != Code {
			f.Values = nil
		}
		if f.Format != "" {
			if msg := checkFormat(f.Type, f.Format); msg != "" {
				notes = append(notes, fmt.Sprintf("%s: %s; the format was left out", name, msg))
				f.Format = ""
			}
		}
		e.Fields = append(e.Fields, f)
	}
	if len(e.Fields) == 0 {
		return e, notes, fmt.Errorf("the template's header row names no fields: %w", ErrInvalid)
	}
	// the key: a field named like the old system's id, or this entity's id
	for i := range e.Fields {
		f := &e.Fields[i]
		fold := Fold(f.Name)
		if strings.Contains(fold, "legacy") || strings.Contains(fold, "external") || strings.Contains(fold, "import") ||
			contains(f.Concepts, "id") || (e.Concept != "" && contains(f.Concepts, e.Concept+".id")) {
			f.Key = true
			notes = append(notes, fmt.Sprintf("%s carries the old system's key", f.Name))
			break
		}
	}
	return e, notes, nil
}

// orderConcepts puts first what a name means in this entity ("Status" of appointments is an
// appointment's status before an account's), then general meanings, then the rest.
func orderConcepts(cs []string, entity string) []string {
	rank := func(c string) int {
		switch {
		case entity != "" && strings.HasPrefix(c, entity+"."):
			return 0
		case !strings.Contains(c, "."):
			return 1
		}
		return 2
	}
	out := append([]string(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// idConcept reads "Patient External ID", "Provider No." as the key of another kind of record:
// the first word names the record (the dictionary's table names), the last says it is a key.
func idConcept(d *Dictionary, name string) []string {
	words := strings.Fields(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(name))
	if len(words) < 2 {
		return nil
	}
	switch Fold(words[len(words)-1]) {
	case "id", "ids", "number", "no", "num", "key", "ref", "code":
	default:
		return nil
	}
	if cs := d.EntityConcepts(words[0]); len(cs) > 0 {
		return []string{cs[0] + ".id"}
	}
	return nil
}

// stripEntityWord takes "Patient First Name" to "First Name" in a patient entity.
func stripEntityWord(name, concept string) string {
	words := strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(name))
	if len(words) > 1 {
		w := strings.ToLower(words[0])
		if w == concept || w == concept+"s" || w == "pt" || w == "appt" || w == "client" {
			return strings.Join(words[1:], " ")
		}
	}
	return name
}

func typeFromConcepts(concepts []string, name string) Type {
	for _, c := range concepts {
		switch c {
		case "birthdate", "deathdate", "date", "created", "due", "period.start", "period.end":
			return Date
		case "start", "end":
			return DateTime
		case "phone", "mobile", "workphone":
			return Phone
		case "email":
			return Email
		case "amount", "balance", "net":
			return Money
		case "duration", "recall.interval":
			return Integer
		}
	}
	f := Fold(name)
	switch {
	case strings.Contains(f, "email"):
		return Email
	case strings.Contains(f, "phone") || strings.Contains(f, "mobile") || strings.HasSuffix(f, "tel") || strings.Contains(f, "fax"):
		return Phone
	case strings.Contains(f, "date") || strings.HasSuffix(f, "dob"):
		return Date
	}
	return Text
}

// LinkReferences turns text fields whose name says they hold another entity's key (a
// "Patient ID" in appointments when the target has patients) into references to that entity.
// Vendor templates name such columns but cannot say they are links. It returns what it changed.
func LinkReferences(d *Definition) []string {
	var notes []string
	byConcept := map[string]string{}
	for _, e := range d.Entities {
		if e.Concept != "" && e.KeyField() != nil {
			byConcept[e.Concept+".id"] = e.Name
		}
	}
	for i := range d.Entities {
		e := &d.Entities[i]
		for j := range e.Fields {
			f := &e.Fields[j]
			if f.Key || f.Type != Text {
				continue
			}
			for _, c := range f.Concepts {
				if parent, ok := byConcept[c]; ok && parent != e.Name {
					f.Type, f.References, f.MaxLength = Reference, parent, 0
					notes = append(notes, fmt.Sprintf("%s.%s refers to %s", e.Name, f.Name, parent))
					break
				}
			}
		}
	}
	return notes
}
