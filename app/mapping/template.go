package mapping

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// TemplateFormat names the JSON format of a mapping template.
const TemplateFormat = "ferry-map-template/1"

// MaxTemplateSize is the largest template file Ferry reads.
const MaxTemplateSize = 32 << 20

// Template is a map as a file a consultant keeps and applies at the next client: the target it
// maps onto (its name and, so that a vendor's own layout travels with it, its definition) and
// each entity's map. It is data only: nothing in it names a file, a command or a place.
type Template struct {
	Format     string         `json:"format"`
	Name       string         `json:"name,omitempty"`
	Note       string         `json:"note,omitempty"`
	ExportedAt string         `json:"exported_at,omitempty"`
	ExportedBy string         `json:"exported_by,omitempty"`
	Target     TemplateTarget `json:"target"`
	Entities   []EntityMap    `json:"entities"`
}

// TemplateTarget names the target a template maps onto.
type TemplateTarget struct {
	Name       string             `json:"name"`
	Version    int                `json:"version,omitempty"` // the newest frozen version when exported, for people
	Definition *target.Definition `json:"definition,omitempty"`
}

// Misfit is a part of a template that did not fit the project and was not applied.
type Misfit struct {
	Kind    string `json:"kind"` // missing_entity, missing_table, missing_field, missing_column, bad_step, value_not_allowed
	Entity  string `json:"entity"`
	Field   string `json:"field,omitempty"`
	Table   string `json:"table,omitempty"`
	Column  string `json:"column,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// Misfit kinds.
const (
	MisfitEntity = "missing_entity" // the target has no such entity
	MisfitTable  = "missing_table"  // no staged table of that name
	MisfitField  = "missing_field"  // the target's entity has no such field
	MisfitColumn = "missing_column" // the source table has no such column
	MisfitStep   = "bad_step"       // a step does not fit the field here
	MisfitValue  = "value_not_allowed"
)

// ApplyReport says what a template did: what it mapped, what did not fit.
type ApplyReport struct {
	Template string   `json:"template"`
	Target   string   `json:"target"`
	Edit     Edit     `json:"edit"`
	Applied  []string `json:"applied"`
	Misfits  []Misfit `json:"misfits"`
}

// Export makes a template of the active target's map.
func (m *Mapper) Export(ctx context.Context) (Template, error) {
	st, err := m.load(ctx)
	if err != nil {
		return Template{}, err
	}
	def := st.t.Definition.Clone()
	def.Format = target.FormatVersion
	t := Template{Format: TemplateFormat, Name: st.t.Title, ExportedAt: now(), ExportedBy: m.p.Who().Actor,
		Target: TemplateTarget{Name: st.t.Name, Version: st.t.Version, Definition: &def}, Entities: []EntityMap{}}
	if t.Name == "" {
		t.Name = st.t.Name
	}
	for _, e := range st.t.Entities {
		em, ok := st.maps[e.Name]
		if !ok {
			continue
		}
		t.Entities = append(t.Entities, em.Clone())
	}
	return t, nil
}

// Marshal writes the template as indented JSON.
func (t Template) Marshal() []byte {
	b, _ := json.MarshalIndent(t, "", "  ")
	return append(b, '\n')
}

// ReadTemplate reads a template strictly: at most MaxTemplateSize bytes, the right format name,
// no unknown members, no trailing data, names printable, steps valid, within limits. It only
// reads r; applying is ApplyTemplate's.
func ReadTemplate(r io.Reader) (Template, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxTemplateSize+1))
	if err != nil {
		return Template{}, fmt.Errorf("reading the template: %w", err)
	}
	if len(b) > MaxTemplateSize {
		return Template{}, fmt.Errorf("the template is larger than %d MiB: %w", MaxTemplateSize>>20, ErrBadTempl)
	}
	var t Template
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Template{}, fmt.Errorf("%v: %w", err, ErrBadTempl)
	}
	if dec.More() {
		return Template{}, fmt.Errorf("data after the template: %w", ErrBadTempl)
	}
	if t.Format != TemplateFormat {
		return Template{}, fmt.Errorf("format %q, not %s: %w", t.Format, TemplateFormat, ErrBadTempl)
	}
	if err := t.check(); err != nil {
		return Template{}, fmt.Errorf("%v: %w", err, ErrBadTempl)
	}
	return t, nil
}

func (t *Template) check() error {
	for _, s := range []string{t.Name, t.Note, t.ExportedAt, t.ExportedBy} {
		if !printable(s, 4000) {
			return errors.New("a name or note is too long or holds control characters")
		}
	}
	if strings.TrimSpace(t.Target.Name) == "" || !printable(t.Target.Name, 200) {
		return errors.New("the template does not name its target")
	}
	var def *target.Definition
	if t.Target.Definition != nil {
		if err := t.Target.Definition.Validate(); err != nil {
			return fmt.Errorf("the target in the template: %w", err)
		}
		def = t.Target.Definition
	}
	if len(t.Entities) > target.MaxEntities {
		return fmt.Errorf("%d entities; at most %d", len(t.Entities), target.MaxEntities)
	}
	seenE := map[string]bool{}
	for _, em := range t.Entities {
		if strings.TrimSpace(em.Entity) == "" || !printable(em.Entity, 200) || !printable(em.Table, 200) {
			return errors.New("an entity or table name is blank, too long or holds control characters")
		}
		if seenE[em.Entity] {
			return fmt.Errorf("entity %s appears twice", em.Entity)
		}
		seenE[em.Entity] = true
		if len(em.Fields) > target.MaxFields {
			return fmt.Errorf("%s: %d fields; at most %d", em.Entity, len(em.Fields), target.MaxFields)
		}
		seenF := map[string]bool{}
		for _, fm := range em.Fields {
			if strings.TrimSpace(fm.Field) == "" || !printable(fm.Field, 200) || !printable(fm.Note, 4000) || !printable(fm.Origin, 50) {
				return fmt.Errorf("%s: a field name is blank, too long or holds control characters", em.Entity)
			}
			if seenF[fm.Field] {
				return fmt.Errorf("%s.%s appears twice", em.Entity, fm.Field)
			}
			seenF[fm.Field] = true
			if len(fm.Sources) > maxSources || len(fm.Steps) > maxSteps {
				return fmt.Errorf("%s.%s: too many columns or steps", em.Entity, fm.Field)
			}
			if fm.Confidence < 0 || fm.Confidence > 1 {
				return fmt.Errorf("%s.%s: confidence %v is not between 0 and 1", em.Entity, fm.Field, fm.Confidence)
			}
			for _, c := range fm.Sources {
				if strings.TrimSpace(c) == "" || !printable(c, 200) {
					return fmt.Errorf("%s.%s: a column name is blank, too long or holds control characters", em.Entity, fm.Field)
				}
			}
			var f *target.Field
			if def != nil {
				if e := def.Entity(em.Entity); e != nil {
					f = e.Field(fm.Field)
				}
			}
			for _, s := range fm.Steps {
				if err := s.Check(f, nil); err != nil {
					return fmt.Errorf("%s.%s: %w", em.Entity, fm.Field, err)
				}
			}
		}
	}
	return nil
}

func printable(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return false
		}
	}
	return true
}

// TargetFor returns the project's target a template maps onto, making it the active one: the
// project's target of that name, else a built-in preset of that name, else the definition the
// template carries (added to the project).
func TargetFor(ctx context.Context, p *project.Project, t Template) (target.Target, error) {
	tg, err := target.ByName(ctx, p, t.Target.Name)
	if errors.Is(err, target.ErrNoTarget) {
		tg, err = target.FromPreset(ctx, p, t.Target.Name)
		if errors.Is(err, target.ErrNoPreset) && t.Target.Definition != nil {
			def := t.Target.Definition.Clone()
			def.Name = t.Target.Name
			tg, err = target.Create(ctx, p, "template", def)
		}
	}
	if err != nil {
		return tg, err
	}
	return tg, target.SetActive(ctx, p, tg.ID)
}

// ApplyTemplate applies a template to the active target's map as one undoable edit. What fits is
// applied (replacing the map of the same fields); what does not — an entity the target lacks, a
// table that is not staged, a field the entity lacks, a column the table lacks, a step or a
// mapped value the field does not take — is left out and reported. sha256 names the template
// file in the custody log.
func (m *Mapper) ApplyTemplate(ctx context.Context, t Template, sha256 string) (ApplyReport, error) {
	rep := ApplyReport{Template: t.Name, Applied: []string{}, Misfits: []Misfit{}}
	st, err := m.load(ctx)
	if err != nil {
		return rep, err
	}
	rep.Target = st.t.Name
	miss := func(mf Misfit) { rep.Misfits = append(rep.Misfits, mf) }
	type planned struct {
		entity string
		table  string
		fields []FieldMap
	}
	var plan []planned
	for _, em := range t.Entities {
		e := st.t.Entity(em.Entity)
		if e == nil {
			miss(Misfit{Kind: MisfitEntity, Entity: em.Entity, Message: fmt.Sprintf("the target %s has no entity %s", st.t.Name, em.Entity)})
			continue
		}
		pl := planned{entity: e.Name}
		if em.Table == "" {
			if len(em.Fields) > 0 {
				miss(Misfit{Kind: MisfitTable, Entity: e.Name, Message: fmt.Sprintf("the template names no source table for %s: its %d fields were not mapped",
					e.Name, len(em.Fields))})
			}
			continue
		}
		tb, ok := st.table(em.Table)
		if !ok {
			miss(Misfit{Kind: MisfitTable, Entity: e.Name, Table: em.Table, Message: fmt.Sprintf("no staged table %s: %s and its %d fields were not mapped",
				em.Table, e.Name, len(em.Fields))})
			continue
		}
		pl.table = tb.Name
		for _, fm := range em.Fields {
			f := e.Field(fm.Field)
			if f == nil {
				miss(Misfit{Kind: MisfitField, Entity: e.Name, Field: fm.Field, Message: fmt.Sprintf("%s has no field %s", e.Name, fm.Field)})
				continue
			}
			fm = fm.Clone()
			ok := true
			for i, c := range fm.Sources {
				name, found := hasColumn(tb, c)
				if !found {
					miss(Misfit{Kind: MisfitColumn, Entity: e.Name, Field: f.Name, Table: tb.Name, Column: c,
						Message: fmt.Sprintf("%s has no column %s, which %s.%s reads", tb.Name, c, e.Name, f.Name)})
					ok = false
					continue
				}
				fm.Sources[i] = name
			}
			if !ok {
				continue
			}
			if allowed := f.Allowed(); len(allowed) > 0 {
				if vm := fm.ValueMapStep(); vm != nil {
					for k, v := range vm.Map {
						if !containsStr(allowed, v) {
							miss(Misfit{Kind: MisfitValue, Entity: e.Name, Field: f.Name, Value: k,
								Message: fmt.Sprintf("%s.%s does not allow %q, which the template maps %q to; that value is left unmapped", e.Name, f.Name, v, k)})
							delete(vm.Map, k)
						}
					}
				}
			}
			if _, err := Compile(fm, *f, &st.t.Definition, st.region); err != nil {
				miss(Misfit{Kind: MisfitStep, Entity: e.Name, Field: f.Name, Message: unwrapStep(err)})
				continue
			}
			if fm.Origin == "" || fm.Origin == "suggested" {
				fm.Origin = "template"
			}
			pl.fields = append(pl.fields, fm)
		}
		plan = append(plan, pl)
	}
	name := t.Name
	if name == "" {
		name = "a template"
	}
	rep.Edit, err = m.change(ctx, "apply_template", "applied "+name, map[string]any{"template": t.Name, "template_sha256": sha256,
		"misfits": len(rep.Misfits)}, func(tg *target.Target, maps map[string]*EntityMap) error {
		rep.Applied = rep.Applied[:0]
		for _, pl := range plan {
			_, em, err := entityFor(tg, maps, pl.entity)
			if err != nil {
				return err
			}
			if pl.table != "" {
				em.Table = pl.table
				rep.Applied = append(rep.Applied, pl.entity+" ← "+pl.table)
			}
			for _, fm := range pl.fields {
				if cur := em.Field(fm.Field); cur != nil {
					*cur = fm
				} else {
					em.Fields = append(em.Fields, fm)
				}
				rep.Applied = append(rep.Applied, fmt.Sprintf("%s.%s ← %s", pl.entity, fm.Field, describeSources(fm)))
			}
		}
		return nil
	})
	return rep, err
}
