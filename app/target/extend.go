package target

// With returns a copy of the dictionary that also knows the given names: table names per entity
// concept, column names per field concept, and spellings per pick-list code (as synonyms.json
// holds them). A source preset extends the built-in dictionary this way, so auto-suggest knows
// that system's names and codes. d is left alone.
func (d *Dictionary) With(entities, fields, values map[string][]string) *Dictionary {
	out := &Dictionary{entities: map[string][]string{}, fields: map[string][]string{}, values: map[string][]string{},
		spell: map[string][]string{}, Concepts: map[string][]string{}}
	if d != nil {
		for k, v := range d.entities {
			out.entities[k] = append([]string(nil), v...)
		}
		for k, v := range d.fields {
			out.fields[k] = append([]string(nil), v...)
		}
		for k, v := range d.values {
			out.values[k] = append([]string(nil), v...)
		}
		for k, v := range d.spell {
			out.spell[k] = append([]string(nil), v...)
		}
		for k, v := range d.Concepts {
			out.Concepts[k] = append([]string(nil), v...)
		}
	}
	add := func(m map[string][]string, name, concept string) {
		if f := Fold(name); f != "" && !contains(m[f], concept) {
			m[f] = append(m[f], concept)
		}
	}
	for concept, names := range entities {
		for _, n := range names {
			add(out.entities, n, concept)
		}
	}
	for concept, names := range fields {
		for _, n := range names {
			add(out.fields, n, concept)
			if !contains(out.Concepts[concept], n) {
				out.Concepts[concept] = append(out.Concepts[concept], n)
			}
		}
	}
	for code, spellings := range values {
		for _, s := range spellings {
			add(out.values, s, code)
			if f := Fold(s); f != "" && !contains(out.spell[code], f) {
				out.spell[code] = append(out.spell[code], f)
			}
		}
	}
	return out
}
