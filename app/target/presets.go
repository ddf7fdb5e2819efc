package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"

	"github.com/ferry-migrate/ferry/assets"
)

// PresetInfo names a built-in target.
type PresetInfo struct {
	Name        string `json:"name"` // fhir-r4, generic
	Title       string `json:"title"`
	Description string `json:"description"`
	Entities    int    `json:"entities"`
}

// presetFS is where presets and the synonym dictionary are read from; tests may swap it.
var presetFS fs.FS = assets.Targets

const presetDir = "targets"

// Presets lists the built-in targets by name.
func Presets() ([]PresetInfo, error) {
	entries, err := fs.ReadDir(presetFS, presetDir)
	if err != nil {
		return nil, fmt.Errorf("reading the built-in targets: %w", err)
	}
	var out []PresetInfo
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || name == synonymsFile {
			continue
		}
		d, err := Preset(strings.TrimSuffix(name, ".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, PresetInfo{Name: d.Name, Title: d.Title, Description: d.Description, Entities: len(d.Entities)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Preset reads a built-in target by name ("fhir-r4", "generic").
func Preset(name string) (Definition, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) || name+".json" == synonymsFile {
		return Definition{}, fmt.Errorf("%q: %w", name, ErrNoPreset)
	}
	b, err := fs.ReadFile(presetFS, path.Join(presetDir, name+".json"))
	if err != nil {
		return Definition{}, fmt.Errorf("%q: %w", name, ErrNoPreset)
	}
	d, err := Parse(bytes.NewReader(b), 0)
	if err != nil {
		return Definition{}, fmt.Errorf("the built-in target %s: %w", name, err)
	}
	if d.Name != name {
		return Definition{}, fmt.Errorf("the built-in target %s.json is named %q: %w", name, d.Name, ErrInvalid)
	}
	return d, nil
}

// Dictionary is what auto-suggest knows about the names old systems use: table names per kind
// of record, column names per concept, and spellings of pick-list values per target code. Every
// name is compared folded (Fold).
type Dictionary struct {
	entities map[string][]string // folded table name → entity concepts
	fields   map[string][]string // folded column name → concepts
	values   map[string][]string // folded spelling → codes
	spell    map[string][]string // code → folded spellings
	Concepts map[string][]string // concept → column names as written in the dictionary
}

const synonymsFile = "synonyms.json"

var dict struct {
	once sync.Once
	d    *Dictionary
	err  error
}

// Synonyms is the built-in dictionary (assets/targets/synonyms.json).
func Synonyms() (*Dictionary, error) {
	dict.once.Do(func() {
		b, err := fs.ReadFile(presetFS, path.Join(presetDir, synonymsFile))
		if err != nil {
			dict.err = fmt.Errorf("reading the synonym dictionary: %w", err)
			return
		}
		dict.d, dict.err = ParseDictionary(b)
	})
	return dict.d, dict.err
}

// ParseDictionary reads a synonym dictionary (the format of synonyms.json) strictly.
func ParseDictionary(b []byte) (*Dictionary, error) {
	var raw struct {
		Format      string              `json:"format"`
		Description string              `json:"description"`
		Entities    map[string][]string `json:"entities"`
		Fields      map[string][]string `json:"fields"`
		Values      map[string][]string `json:"values"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("reading the synonym dictionary: %w", err)
	}
	if raw.Format != "ferry-synonyms/1" {
		return nil, fmt.Errorf("the synonym dictionary's format is %q, not ferry-synonyms/1", raw.Format)
	}
	d := &Dictionary{entities: map[string][]string{}, fields: map[string][]string{}, values: map[string][]string{},
		spell: map[string][]string{}, Concepts: raw.Fields}
	for code, ss := range raw.Values {
		for _, s := range append([]string{code}, ss...) {
			if f := Fold(s); f != "" && !contains(d.spell[code], f) {
				d.spell[code] = append(d.spell[code], f)
			}
		}
	}
	add := func(m map[string][]string, src map[string][]string) {
		keys := make([]string, 0, len(src))
		for k := range src {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic order of concepts per name
		for _, k := range keys {
			for _, n := range append([]string{k}, src[k]...) {
				f := Fold(n)
				if f == "" {
					continue
				}
				if !contains(m[f], k) {
					m[f] = append(m[f], k)
				}
			}
		}
	}
	add(d.entities, raw.Entities)
	add(d.values, raw.Values)
	// Concept names are not column names ("address.line" is no header), so only the lists count.
	keys := make([]string, 0, len(raw.Fields))
	for k := range raw.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, n := range raw.Fields[k] {
			if f := Fold(n); f != "" && !contains(d.fields[f], k) {
				d.fields[f] = append(d.fields[f], k)
			}
		}
	}
	return d, nil
}

// EntityConcepts are the kinds of record a table name stands for ("patient_data" → patient).
func (d *Dictionary) EntityConcepts(table string) []string {
	if d == nil {
		return nil
	}
	return d.entities[Fold(table)]
}

// FieldConcepts are the concepts a column name stands for ("PatNum" → patient.id).
func (d *Dictionary) FieldConcepts(column string) []string {
	if d == nil {
		return nil
	}
	return d.fields[Fold(column)]
}

// ValueCodes are the target codes a pick-list spelling stands for ("No-Show" → noshow, no_show).
func (d *Dictionary) ValueCodes(value string) []string {
	if d == nil {
		return nil
	}
	return d.values[Fold(value)]
}

// Spellings lists the folded spellings the dictionary knows for a pick-list code.
func (d *Dictionary) Spellings(code string) []string {
	if d == nil {
		return nil
	}
	return d.spell[code]
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var folder = cases.Fold()

// Fold is the match key of a name or value: case folded (Unicode-aware), letters and digits
// only, accents kept. "Pat_Num", "PATNUM" and "pat num" fold alike.
func Fold(s string) string {
	s = folder.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
