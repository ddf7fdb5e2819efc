// Package presets knows the systems practices move between, by name: source presets (what an
// old system's tables, columns and coded values mean) and target presets (the new systems of
// app/target, with how to load them). A practice manager says "from Open Dental to Cliniko";
// Ferry finds the presets by those names.
//
// # Where presets come from
//
// Built-in presets are data in assets/sources (ferry-source/1) and assets/targets
// (ferry-target/1, read by app/target). A consultant adds their own by putting a file in the
// settings folder (app/settings.Dir, FERRY_CONFIG_DIR overrides it): presets/sources/NAME.json or
// presets/targets/NAME.json. Install copies a checked file there; Export writes one out to share.
// A user preset with the name of a built-in one takes its place.
//
// # The source format (ferry-source/1)
//
//	{
//	  "format": "ferry-source/1",
//	  "name": "open-dental",               // handle: lower case, digits, "-"
//	  "title": "Open Dental",              // what a person calls it
//	  "aliases": ["OpenDental"],           // other names that find it
//	  "kind": "dental",                    // the kind of practice (plan.practice_type)
//	  "description": "…",
//	  "export": "…",                       // what to ask the old vendor for, and the formats it comes as
//	  "tables": [{
//	    "name": "patient", "aliases": ["patients"],
//	    "meaning": "…",
//	    "concept": "patient",              // an entity concept of synonyms.json
//	    "key": "PatNum",                   // the column that identifies a row
//	    "columns": [{
//	      "name": "Gender",
//	      "meaning": "…",
//	      "concept": "gender",             // a field concept of synonyms.json
//	      "codes": {"0": "male", "1": "female", "2": "unknown"},   // stored value → meaning
//	      "placeholders": ["0001-01-01"],  // values that mean "none"
//	      "references": "provider.ProvNum",// table.column this column refers to
//	      "money": true                    // an amount of money
//	    }]
//	  }]
//	}
//
// Unknown members are errors; Parse names each problem with its member path
// (tables[0].columns[3].concept) and, for a JSON syntax error, the line and column.
//
// # Effects
//
// ForPlan finds the source preset the plan's "Old system" names. app/audit declares its
// relationships and keys, counts its placeholders as nulls and shows its codes with their
// meanings; app/mapping's suggestions use its column concepts and codes (Dictionary) and turn
// its placeholders into blanks before a value reaches the new system.
package presets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/settings"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/assets"
)

// SourceFormat names the JSON format of a source preset.
const SourceFormat = "ferry-source/1"

// Errors wrapped with what was concerned.
var (
	ErrInvalid  = errors.New("the preset is not valid")
	ErrNoPreset = errors.New("no such preset")
)

// Source is what Ferry knows about an old system.
type Source struct {
	Format      string   `json:"format"`
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Aliases     []string `json:"aliases,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	Description string   `json:"description,omitempty"`
	Export      string   `json:"export,omitempty"`
	Tables      []Table  `json:"tables"`
}

// Table is one table (or export file) of the old system.
type Table struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	Meaning string   `json:"meaning,omitempty"`
	Concept string   `json:"concept,omitempty"`
	Key     string   `json:"key,omitempty"`
	Columns []Column `json:"columns"`
}

// Column is one column of a table.
type Column struct {
	Name         string            `json:"name"`
	Meaning      string            `json:"meaning,omitempty"`
	Concept      string            `json:"concept,omitempty"`
	Codes        map[string]string `json:"codes,omitempty"`
	Placeholders []string          `json:"placeholders,omitempty"`
	References   string            `json:"references,omitempty"`
	Money        bool              `json:"money,omitempty"`
}

var known = map[string][]string{
	"":        {"format", "name", "title", "aliases", "kind", "description", "export", "tables"},
	"tables":  {"name", "aliases", "meaning", "concept", "key", "columns"},
	"columns": {"name", "meaning", "concept", "codes", "placeholders", "references", "money"},
}

// ParseSource reads a source preset strictly and validates it. Errors wrap ErrInvalid and say
// what is wrong where.
func ParseSource(b []byte) (Source, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Source{}, fmt.Errorf("%s: %w", jsonError(b, err), ErrInvalid)
	}
	if dec.More() {
		return Source{}, fmt.Errorf("data after the preset: %w", ErrInvalid)
	}
	var probs []string
	checkMembers(raw, "", "", &probs)
	var s Source
	d2 := json.NewDecoder(bytes.NewReader(b))
	if err := d2.Decode(&s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			probs = append(probs, fmt.Sprintf("%s: a %s where %s belongs", te.Field, te.Value, te.Type))
		} else {
			probs = append(probs, jsonError(b, err))
		}
	}
	if len(probs) == 0 {
		probs = s.problems()
	}
	if len(probs) > 0 {
		if len(probs) > 20 {
			probs = append(probs[:20], fmt.Sprintf("and %d more", len(probs)-20))
		}
		return Source{}, fmt.Errorf("%s: %w", strings.Join(probs, "; "), ErrInvalid)
	}
	return s, nil
}

// checkMembers reports members the format does not have, with their paths.
func checkMembers(v any, path, level string, probs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		allowed, strict := known[level]
		if level == "codes" {
			strict = false
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strict && level != "codes" && !contains(allowed, k) {
				*probs = append(*probs, fmt.Sprintf("%s: unknown member (a %s preset has %s)", p, levelWord(level), strings.Join(allowed, ", ")))
				continue
			}
			next := k
			if level == "codes" {
				next = "value"
			}
			checkMembers(v[k], p, next, probs)
		}
	case []any:
		for i, e := range v {
			checkMembers(e, fmt.Sprintf("%s[%d]", path, i), level, probs)
		}
	}
}

func levelWord(level string) string {
	switch level {
	case "tables":
		return "table of a"
	case "columns":
		return "column of a"
	}
	return "source"
}

// jsonError says where a JSON syntax error is, in lines and columns.
func jsonError(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := 1, 1
		for _, c := range b[:min(int(se.Offset), len(b))] {
			if c == '\n' {
				line++
				col = 1
			} else {
				col++
			}
		}
		return fmt.Sprintf("line %d, column %d: %v", line, col, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the file ends before the preset does (a missing } or ])"
	}
	return err.Error()
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// problems checks the content: names, concepts known to the synonym dictionary, keys and
// references that exist.
func (s *Source) problems() []string {
	var probs []string
	bad := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if s.Format != SourceFormat {
		bad("format: %q; a source preset says %q", s.Format, SourceFormat)
	}
	if !nameRE.MatchString(s.Name) {
		bad("name: %q is not a handle (lower-case letters, digits and -, e.g. open-dental)", s.Name)
	}
	if strings.TrimSpace(s.Title) == "" {
		bad("title: empty; it is the name a person knows the system by")
	}
	if len(s.Tables) == 0 {
		bad("tables: none; a source preset describes at least one table")
	}
	d, _ := target.Synonyms()
	entityConcepts := map[string]bool{}
	fieldConcepts := map[string]bool{}
	if d != nil {
		for c := range d.Concepts {
			fieldConcepts[c] = true
		}
	}
	for _, c := range []string{"patient", "provider", "appointment", "invoice", "payment", "recall", "coverage", "account", "procedure", "ledger", "organization", "payer", "claim", "encounter", "note"} {
		entityConcepts[c] = true
	}
	tables := map[string]*Table{}
	for i := range s.Tables {
		t := &s.Tables[i]
		where := fmt.Sprintf("tables[%d]", i)
		if strings.TrimSpace(t.Name) == "" {
			bad("%s.name: empty", where)
			continue
		}
		if tables[strings.ToLower(t.Name)] != nil {
			bad("%s.name: the table %q appears twice", where, t.Name)
		}
		tables[strings.ToLower(t.Name)] = t
		if t.Concept != "" && !entityConcepts[t.Concept] {
			bad("%s.concept: %q is not a kind of record Ferry knows (%s)", where, t.Concept, strings.Join(sortedKeys(entityConcepts), ", "))
		}
		cols := map[string]bool{}
		for j, c := range t.Columns {
			cw := fmt.Sprintf("%s.columns[%d]", where, j)
			if strings.TrimSpace(c.Name) == "" {
				bad("%s.name: empty", cw)
				continue
			}
			if cols[strings.ToLower(c.Name)] {
				bad("%s.name: the column %q appears twice in %s", cw, c.Name, t.Name)
			}
			cols[strings.ToLower(c.Name)] = true
			if c.Concept != "" && !fieldConcepts[c.Concept] {
				bad("%s.concept: %q is not a concept of the synonym dictionary (e.g. given, family, birthdate, patient.id)", cw, c.Concept)
			}
			for k, v := range c.Codes {
				if strings.TrimSpace(v) == "" {
					bad("%s.codes.%s: the meaning is empty", cw, k)
				}
			}
		}
		if t.Key != "" && !cols[strings.ToLower(t.Key)] {
			bad("%s.key: %q is not a column of %s", where, t.Key, t.Name)
		}
	}
	for i, t := range s.Tables {
		for j, c := range t.Columns {
			if c.References == "" {
				continue
			}
			cw := fmt.Sprintf("tables[%d].columns[%d].references", i, j)
			tn, cn, ok := strings.Cut(c.References, ".")
			pt := tables[strings.ToLower(tn)]
			switch {
			case !ok:
				bad("%s: %q is not table.column", cw, c.References)
			case pt == nil:
				bad("%s: the table %q is not in this preset", cw, tn)
			case pt.Column(cn) == nil:
				bad("%s: %q has no column %q", cw, tn, cn)
			}
		}
	}
	return probs
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Table finds a table by name or alias (case, spaces and punctuation ignored), or nil.
func (s *Source) Table(name string) *Table {
	f := target.Fold(name)
	for i := range s.Tables {
		t := &s.Tables[i]
		if target.Fold(t.Name) == f {
			return t
		}
		for _, a := range t.Aliases {
			if target.Fold(a) == f {
				return t
			}
		}
	}
	return nil
}

// Column finds a column by name (case, spaces and punctuation ignored), or nil.
func (t *Table) Column(name string) *Column {
	f := target.Fold(name)
	for i := range t.Columns {
		if target.Fold(t.Columns[i].Name) == f {
			return &t.Columns[i]
		}
	}
	return nil
}

// IsPlaceholder says whether v stands for "none" in this column.
func (c *Column) IsPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	for _, p := range c.Placeholders {
		if v == p {
			return true
		}
	}
	return false
}

// Matches says whether name is this preset's name, title or one of its aliases.
func (s *Source) Matches(name string) bool {
	f := target.Fold(name)
	if f == "" {
		return false
	}
	for _, n := range append([]string{s.Name, s.Title}, s.Aliases...) {
		if target.Fold(n) == f {
			return true
		}
	}
	return false
}

// Dictionary extends d with what the preset knows: its table names per entity concept, its
// column names per concept, and its codes as spellings of what they mean ("0" for male when a
// Gender column codes male as 0).
func (s *Source) Dictionary(d *target.Dictionary) *target.Dictionary {
	entities := map[string][]string{}
	fields := map[string][]string{}
	values := map[string][]string{}
	for _, t := range s.Tables {
		if t.Concept != "" {
			entities[t.Concept] = append(entities[t.Concept], append([]string{t.Name}, t.Aliases...)...)
		}
		for _, c := range t.Columns {
			if c.Concept != "" {
				fields[c.Concept] = append(fields[c.Concept], c.Name)
			}
			for code, meaning := range c.Codes {
				targets := append([]string{strings.ToLower(meaning)}, d.ValueCodes(meaning)...)
				for _, tc := range targets {
					values[tc] = append(values[tc], code)
				}
			}
		}
	}
	return d.With(entities, fields, values)
}

// Relationship is a reference the preset declares between two tables.
type Relationship struct {
	ChildTable, ChildColumn, ParentTable, ParentColumn string
}

// Relationships lists the references between the preset's tables.
func (s *Source) Relationships() []Relationship {
	var out []Relationship
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if tn, cn, ok := strings.Cut(c.References, "."); ok {
				out = append(out, Relationship{t.Name, c.Name, tn, cn})
			}
		}
	}
	return out
}

// Info is one preset in a listing.
type Info struct {
	Kind        string `json:"kind"` // source or target
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Origin      string `json:"origin"`          // built-in or the file it was read from
	Route       string `json:"route,omitempty"` // targets: file, api or both
	Tables      int    `json:"tables"`          // tables (sources) or entities (targets)
}

// sourceFS is where the built-in source presets are read from; tests may swap it.
var sourceFS fs.FS = assets.Sources

// UserDir is the folder user presets of a kind ("sources", "targets") live in.
func UserDir(kind string) (string, error) {
	d, err := settings.Dir()
	if err != nil {
		return "", fmt.Errorf("finding the settings folder: %w", err)
	}
	return filepath.Join(d, "presets", kind), nil
}

// Sources lists every source preset: the built-in ones and the user's (which win on the same
// name). A user file that is not valid is reported in bad and left out.
func Sources() (out []Source, origins map[string]string, bad []error) {
	origins = map[string]string{}
	byName := map[string]Source{}
	entries, _ := fs.ReadDir(sourceFS, "sources")
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := fs.ReadFile(sourceFS, path.Join("sources", e.Name()))
		if err == nil {
			var s Source
			if s, err = ParseSource(b); err == nil {
				byName[s.Name] = s
				origins[s.Name] = "built-in"
				continue
			}
		}
		bad = append(bad, fmt.Errorf("the built-in source preset %s: %w", e.Name(), err))
	}
	if dir, err := UserDir("sources"); err == nil {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			s, err := ReadSourceFile(f)
			if err != nil {
				bad = append(bad, err)
				continue
			}
			byName[s.Name] = s
			origins[s.Name] = f
		}
	}
	for _, s := range byName {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, origins, bad
}

// ReadSourceFile reads and checks a source preset file; the error names the file.
func ReadSourceFile(file string) (Source, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Source{}, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(b) > 16<<20 {
		return Source{}, fmt.Errorf("%s: larger than 16 MB: %w", filepath.Base(file), ErrInvalid)
	}
	s, err := ParseSource(b)
	if err != nil {
		return Source{}, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	return s, nil
}

// FindSource finds a source preset by name, title or alias.
func FindSource(name string) (Source, bool) {
	all, _, _ := Sources()
	for _, s := range all {
		if s.Matches(name) {
			return s, true
		}
	}
	return Source{}, false
}

// Targets lists every target preset: app/target's built-in ones and the user's.
func Targets() (out []target.Definition, origins map[string]string, bad []error) {
	origins = map[string]string{}
	byName := map[string]target.Definition{}
	infos, err := target.Presets()
	if err != nil {
		bad = append(bad, err)
	}
	for _, in := range infos {
		d, err := target.Preset(in.Name)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		byName[d.Name] = d
		origins[d.Name] = "built-in"
	}
	if dir, err := UserDir("targets"); err == nil {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			d, err := ReadTargetFile(f)
			if err != nil {
				bad = append(bad, err)
				continue
			}
			byName[d.Name] = d
			origins[d.Name] = f
		}
	}
	for _, d := range byName {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, origins, bad
}

// ReadTargetFile reads and checks a target preset file (ferry-target/1).
func ReadTargetFile(file string) (target.Definition, error) {
	f, err := os.Open(file)
	if err != nil {
		return target.Definition{}, fmt.Errorf("reading %s: %w", file, err)
	}
	defer f.Close()
	d, err := target.Parse(f, 0)
	if err != nil {
		return target.Definition{}, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	return d, nil
}

// FindTarget finds a target preset by name or title ("Cliniko", "fhir-r4").
func FindTarget(name string) (target.Definition, bool) {
	all, _, _ := Targets()
	f := target.Fold(name)
	for _, d := range all {
		if f != "" && (target.Fold(d.Name) == f || target.Fold(d.Title) == f) {
			return d, true
		}
	}
	return target.Definition{}, false
}

// List is every preset, sources first, each with where it came from.
func List() ([]Info, []error) {
	var out []Info
	srcs, so, bad := Sources()
	for _, s := range srcs {
		out = append(out, Info{Kind: "source", Name: s.Name, Title: s.Title, Description: s.Description, Origin: so[s.Name], Tables: len(s.Tables)})
	}
	tgts, to, bad2 := Targets()
	for _, d := range tgts {
		in := Info{Kind: "target", Name: d.Name, Title: d.Title, Description: d.Description, Origin: to[d.Name], Tables: len(d.Entities)}
		if d.Load != nil {
			in.Route = d.Load.Route
		}
		out = append(out, in)
	}
	return out, append(bad, bad2...)
}

// Titles lists the names a person picks from: the titles of every source (or target) preset.
func Titles(kind string) []string {
	var out []string
	if kind == "source" {
		srcs, _, _ := Sources()
		for _, s := range srcs {
			out = append(out, s.Title)
		}
	} else {
		tgts, _, _ := Targets()
		for _, d := range tgts {
			t := d.Title
			if t == "" {
				t = d.Name
			}
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// Install checks a preset file and copies it into the user's presets folder, where Ferry finds
// it from then on. It returns the kind ("source" or "target") and the name.
func Install(file string) (kind, name string, err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", "", fmt.Errorf("reading %s: %w", file, err)
	}
	var head struct {
		Format string `json:"format"`
	}
	_ = json.Unmarshal(b, &head)
	var sub string
	switch head.Format {
	case SourceFormat:
		s, err := ParseSource(b)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
		kind, name, sub = "source", s.Name, "sources"
	case target.FormatVersion:
		d, err := target.Parse(bytes.NewReader(b), 0)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
		kind, name, sub = "target", d.Name, "targets"
	default:
		return "", "", fmt.Errorf("%s: format is %q; a preset is %s or %s: %w", filepath.Base(file), head.Format, SourceFormat, target.FormatVersion, ErrInvalid)
	}
	dir, err := UserDir(sub)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("making %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
		return "", "", fmt.Errorf("saving the preset: %w", err)
	}
	return kind, name, nil
}

// Export returns a preset's JSON by name, title or alias, for sharing.
func Export(name string) ([]byte, error) {
	if s, ok := FindSource(name); ok {
		b, _ := json.MarshalIndent(s, "", "  ")
		return append(b, '\n'), nil
	}
	if d, ok := FindTarget(name); ok {
		return d.Marshal(), nil
	}
	return nil, fmt.Errorf("%q: %w", name, ErrNoPreset)
}

// ForPlan returns the source preset the plan's "Old system" names, if Ferry knows it.
func ForPlan(ctx context.Context, p *project.Project) (Source, bool) {
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return Source{}, false
	}
	return FindSource(pl["legacy_system"])
}
