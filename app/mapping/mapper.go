package mapping

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
)

// Mapper reads and edits the map of a project's active target. It holds no state of its own:
// every call reads the project, so the GUI and the CLI may use one each.
type Mapper struct {
	p *project.Project
}

// New works on p.
func New(p *project.Project) *Mapper { return &Mapper{p: p} }

// Project is the project the Mapper works on.
func (m *Mapper) Project() *project.Project { return m.p }

// Problem is something wrong with the map itself (not with the data): a required field without
// a mapping, a column or table that is not there, a step that cannot run.
type Problem struct {
	Entity   string `json:"entity"`
	Field    string `json:"field,omitempty"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"` // error, warning
	Message  string `json:"message"`
}

// Severities.
const (
	SevError   = "error"
	SevWarning = "warning"
	SevInfo    = "info"
)

// Overview is everything the Map screen shows at once: the target with each entity's map and
// what it still needs, and the staged tables with the columns nothing uses yet.
type Overview struct {
	Target   target.Target `json:"target"`
	Revision int64         `json:"revision"`
	Entities []EntityView  `json:"entities"`
	Tables   []TableView   `json:"tables"`
	Problems []Problem     `json:"problems"`
	// Entities with a source table, how many of those have every required field mapped, and how
	// many required fields of those entities are not mapped.
	WithData         int `json:"with_data"`
	Complete         int `json:"complete"`
	RequiredUnmapped int `json:"required_unmapped"`
}

// EntityView is one entity of the target with its map.
type EntityView struct {
	Entity           target.Entity `json:"entity"`
	Map              EntityMap     `json:"map"`
	Rows             int64         `json:"rows"`   // rows of its source table
	Mapped           int           `json:"mapped"` // fields with a mapping
	RequiredUnmapped []string      `json:"required_unmapped,omitempty"`
	Complete         bool          `json:"complete"` // a source table and every required field mapped
}

// TableView is one staged table and what of it the map uses.
type TableView struct {
	Name          string   `json:"name"`
	Rows          int64    `json:"rows"`
	KeyColumn     string   `json:"key_column,omitempty"`
	Columns       []string `json:"columns"`
	UsedBy        []string `json:"used_by,omitempty"`        // entities with this table as source
	UnusedColumns []string `json:"unused_columns,omitempty"` // columns of a used table no field reads
}

// state is what most operations need: the active target, its maps, the staged tables.
type state struct {
	t      target.Target
	maps   map[string]EntityMap
	tables map[string]staging.TableInfo // by folded name
	order  []staging.TableInfo
	region string
}

func (m *Mapper) load(ctx context.Context) (*state, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return nil, err
	}
	maps, err := loadMaps(ctx, m.p.Reader(), t.ID)
	if err != nil {
		return nil, err
	}
	tabs, err := staging.NewStager(m.p).Tables(ctx)
	if err != nil {
		return nil, err
	}
	st := &state{t: t, maps: maps, tables: map[string]staging.TableInfo{}, order: tabs}
	for _, tb := range tabs {
		st.tables[strings.ToLower(tb.Name)] = tb
	}
	pl, err := plan.Load(ctx, m.p)
	if err != nil {
		return nil, err
	}
	st.region = pl.Region()
	return st, nil
}

func (st *state) table(name string) (staging.TableInfo, bool) {
	tb, ok := st.tables[strings.ToLower(name)]
	return tb, ok
}

func hasColumn(tb staging.TableInfo, col string) (string, bool) {
	for _, c := range tb.Columns {
		if strings.EqualFold(c.Name, col) {
			return c.Name, true
		}
	}
	return "", false
}

// Target is the active target.
func (m *Mapper) Target(ctx context.Context) (target.Target, error) { return target.Active(ctx, m.p) }

// Map returns the map of one entity of the active target (empty when not mapped yet).
func (m *Mapper) Map(ctx context.Context, entity string) (EntityMap, error) {
	st, err := m.load(ctx)
	if err != nil {
		return EntityMap{}, err
	}
	if st.t.Entity(entity) == nil {
		return EntityMap{}, fmt.Errorf("%s: %w", entity, ErrNoEntity)
	}
	em, ok := st.maps[entity]
	if !ok {
		em = EntityMap{Entity: entity, Fields: []FieldMap{}}
	}
	return em, nil
}

// Maps returns every entity's map, in the target's order of entities.
func (m *Mapper) Maps(ctx context.Context) ([]EntityMap, error) {
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	var out []EntityMap
	for _, e := range st.t.Entities {
		em, ok := st.maps[e.Name]
		if !ok {
			em = EntityMap{Entity: e.Name, Fields: []FieldMap{}}
		}
		out = append(out, em)
	}
	return out, nil
}

// Revision counts the edits, undos and redos of the active target's map.
func (m *Mapper) Revision(ctx context.Context) (int64, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return 0, err
	}
	return revisionOf(ctx, m.p.Reader(), t.ID)
}

// Overview reads the target, the map and the staged tables together.
func (m *Mapper) Overview(ctx context.Context) (*Overview, error) {
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	ov := &Overview{Target: st.t, Entities: []EntityView{}, Tables: []TableView{}}
	if ov.Revision, err = revisionOf(ctx, m.p.Reader(), st.t.ID); err != nil {
		return nil, err
	}
	ov.Problems = st.problems()
	used := map[string][]string{}        // table → entities
	read := map[string]map[string]bool{} // table → columns read
	for _, e := range st.t.Entities {
		em, ok := st.maps[e.Name]
		if !ok {
			em = EntityMap{Entity: e.Name, Fields: []FieldMap{}}
		}
		v := EntityView{Entity: e, Map: em}
		for _, f := range e.Fields {
			if fm := em.Field(f.Name); fm != nil && (len(fm.Sources) > 0 || hasConstant(fm)) {
				v.Mapped++
			} else if f.Required {
				v.RequiredUnmapped = append(v.RequiredUnmapped, f.Name)
			}
		}
		if em.Table != "" {
			tb, ok := st.table(em.Table)
			if ok {
				v.Rows = tb.Rows
				key := strings.ToLower(tb.Name)
				used[key] = append(used[key], e.Name)
				if read[key] == nil {
					read[key] = map[string]bool{}
				}
				for _, fm := range em.Fields {
					for _, c := range fm.Sources {
						read[key][strings.ToLower(c)] = true
					}
				}
			}
			ov.WithData++
			ov.RequiredUnmapped += len(v.RequiredUnmapped)
			if ok && len(v.RequiredUnmapped) == 0 {
				v.Complete = true
				ov.Complete++
			}
		}
		ov.Entities = append(ov.Entities, v)
	}
	for _, tb := range st.order {
		tv := TableView{Name: tb.Name, Rows: tb.Rows, KeyColumn: tb.KeyColumn, Columns: []string{}}
		key := strings.ToLower(tb.Name)
		tv.UsedBy = used[key]
		for _, c := range tb.Columns {
			tv.Columns = append(tv.Columns, c.Name)
			if len(tv.UsedBy) > 0 && !read[key][strings.ToLower(c.Name)] {
				tv.UnusedColumns = append(tv.UnusedColumns, c.Name)
			}
		}
		ov.Tables = append(ov.Tables, tv)
	}
	return ov, nil
}

func hasConstant(fm *FieldMap) bool {
	for _, s := range fm.Steps {
		if s.Op == OpConstant {
			return true
		}
	}
	return false
}

// Problems lists what is wrong with the map itself, before any data is read.
func (m *Mapper) Problems(ctx context.Context) ([]Problem, error) {
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	return st.problems(), nil
}

func (st *state) problems() []Problem {
	out := []Problem{}
	add := func(entity, field, kind, sev, format string, a ...any) {
		out = append(out, Problem{Entity: entity, Field: field, Kind: kind, Severity: sev, Message: fmt.Sprintf(format, a...)})
	}
	names := make([]string, 0, len(st.maps))
	for k := range st.maps {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if st.t.Entity(name) == nil {
			add(name, "", KindUnknownField, SevWarning, "the map has %s, which the target no longer has; it is ignored", name)
		}
	}
	for _, e := range st.t.Entities {
		em, ok := st.maps[e.Name]
		if !ok || em.Table == "" {
			continue
		}
		tb, ok := st.table(em.Table)
		if !ok {
			add(e.Name, "", KindUnknownTable, SevError, "%s is mapped from table %s, which is not staged (dropped or renamed?)", e.Name, em.Table)
			continue
		}
		for _, fm := range em.Fields {
			f := e.Field(fm.Field)
			if f == nil {
				add(e.Name, fm.Field, KindUnknownField, SevWarning, "%s.%s is mapped but the target no longer has that field; it is ignored", e.Name, fm.Field)
				continue
			}
			for _, c := range fm.Sources {
				if _, ok := hasColumn(tb, c); !ok {
					add(e.Name, f.Name, KindUnknownColumn, SevError, "%s.%s reads column %s, which table %s does not have", e.Name, f.Name, c, tb.Name)
				}
			}
			if _, err := Compile(fm, *f, &st.t.Definition, st.region); err != nil {
				add(e.Name, f.Name, KindBadStep, SevError, "%s.%s: %v", e.Name, f.Name, unwrapStep(err))
				continue
			}
			if ref := lookupOf(fm, *f); ref != "" {
				if pm, ok := st.maps[ref]; !ok || pm.Table == "" {
					add(e.Name, f.Name, KindUnmappedEntity, SevError, "%s.%s refers to %s, which is not mapped from any table yet", e.Name, f.Name, ref)
				} else if pe := st.t.Entity(ref); pe != nil && pe.KeyField() != nil && pm.Field(pe.KeyField().Name) == nil {
					add(e.Name, f.Name, KindUnmappedEntity, SevError, "%s.%s refers to %s, whose key field %s is not mapped", e.Name, f.Name, ref, pe.KeyField().Name)
				}
			}
		}
		for _, f := range e.Fields {
			if !f.Required {
				continue
			}
			if fm := em.Field(f.Name); fm == nil || (len(fm.Sources) == 0 && !hasConstant(fm)) {
				add(e.Name, f.Name, KindRequiredUnmapped, SevError, "%s.%s is required and not mapped", e.Name, f.Name)
			}
		}
	}
	return out
}

func unwrapStep(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+ErrBadStep.Error())
}

func lookupOf(fm FieldMap, f target.Field) string {
	if e := fm.LookupEntity(); e != "" {
		return e
	}
	if f.Type == target.Reference {
		return f.References
	}
	return ""
}

// DefaultSteps is the chain a new mapping of a field starts with: trim, then what the field's
// type needs (a date step for dates, a phone step for phones, a value map for pick-lists, a
// lookup for references …).
func DefaultSteps(f target.Field) []Step {
	steps := []Step{{Op: OpTrim}}
	switch f.Type {
	case target.Integer:
		steps = append(steps, Step{Op: OpNumber, Mode: "integer"})
	case target.Decimal:
		steps = append(steps, Step{Op: OpNumber, Mode: "decimal"})
	case target.Money:
		steps = append(steps, Step{Op: OpNumber, Mode: "money"})
	case target.Date, target.DateTime:
		steps = append(steps, Step{Op: OpDate, From: OrderAuto})
	case target.Phone:
		steps = append(steps, Step{Op: OpPhone})
	case target.Email:
		steps = append(steps, Step{Op: OpCase, Mode: "lower"})
	case target.Code, target.Boolean:
		steps = append(steps, Step{Op: OpValueMap, Map: map[string]string{}})
	case target.Reference:
		steps = append(steps, Step{Op: OpLookup, Entity: f.References})
	}
	return steps
}

// entityFor finds the target entity and the (copied) map of it in an edit.
func entityFor(t *target.Target, maps map[string]*EntityMap, entity string) (*target.Entity, *EntityMap, error) {
	e := t.Entity(entity)
	if e == nil {
		return nil, nil, fmt.Errorf("%s: %w", entity, ErrNoEntity)
	}
	em := maps[e.Name]
	if em == nil {
		em = &EntityMap{Entity: e.Name, Fields: []FieldMap{}}
		maps[e.Name] = em
	}
	return e, em, nil
}

// SetSource chooses the staged table an entity is filled from ("" unmaps the entity's table;
// its field maps stay, for when a table is chosen again).
func (m *Mapper) SetSource(ctx context.Context, entity, table string) (Edit, error) {
	if table != "" {
		tb, err := staging.NewStager(m.p).Describe(ctx, table)
		if err != nil {
			if errors.Is(err, staging.ErrNoTable) {
				return Edit{}, fmt.Errorf("%s: %w", table, ErrNoTable)
			}
			return Edit{}, err
		}
		table = tb.Name
	}
	summary := entity + " ← " + table
	if table == "" {
		summary = entity + ": no source table"
	}
	return m.change(ctx, "set_source", summary, map[string]any{"entity": entity, "table": table},
		func(t *target.Target, maps map[string]*EntityMap) error {
			_, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			em.Table = table
			return nil
		})
}

// SetField sets (adds or replaces) the mapping of one field. Its source columns must be columns
// of the entity's source table and its steps must be valid for the field.
func (m *Mapper) SetField(ctx context.Context, entity string, fm FieldMap) (Edit, error) {
	if fm.Origin == "" {
		fm.Origin = "user"
	}
	summary := fmt.Sprintf("%s.%s ← %s", entity, fm.Field, describeSources(fm))
	return m.change(ctx, "set_field", summary, map[string]any{"entity": entity, "field": fm.Field, "sources": fm.Sources,
		"steps": fm.Steps}, func(t *target.Target, maps map[string]*EntityMap) error {
		return m.putField(ctx, t, maps, entity, fm)
	})
}

func (m *Mapper) putField(ctx context.Context, t *target.Target, maps map[string]*EntityMap, entity string, fm FieldMap) error {
	e, em, err := entityFor(t, maps, entity)
	if err != nil {
		return err
	}
	f := e.Field(fm.Field)
	if f == nil {
		return fmt.Errorf("%s.%s: %w", entity, fm.Field, ErrNoField)
	}
	if len(fm.Sources) > 0 {
		if em.Table == "" {
			return fmt.Errorf("%s has no source table yet: choose one before mapping its fields: %w", entity, ErrNoTable)
		}
		tb, err := staging.NewStager(m.p).Describe(ctx, em.Table)
		if err != nil {
			return fmt.Errorf("%s: %w", em.Table, ErrNoTable)
		}
		for i, c := range fm.Sources {
			name, ok := hasColumn(tb, c)
			if !ok {
				return fmt.Errorf("%s.%s: column %s is not in %s: %w", entity, f.Name, c, tb.Name, ErrNoColumn)
			}
			fm.Sources[i] = name
		}
	}
	if _, err := Compile(fm, *f, &t.Definition, ""); err != nil {
		return err
	}
	fm = fm.Clone()
	if cur := em.Field(f.Name); cur != nil {
		*cur = fm
	} else {
		em.Fields = append(em.Fields, fm)
	}
	return nil
}

func describeSources(fm FieldMap) string {
	src := strings.Join(fm.Sources, " + ")
	if src == "" {
		src = "(no column)"
	}
	var steps []string
	for _, s := range fm.Steps {
		steps = append(steps, s.Describe())
	}
	if len(steps) > 0 {
		src += " (" + strings.Join(steps, ", ") + ")"
	}
	return src
}

// Connect is a column dropped on a field: the column is added to the field's sources (the
// field's mapping starts with DefaultSteps when it had none). Dropping it again changes nothing.
func (m *Mapper) Connect(ctx context.Context, entity, field, column string) (Edit, error) {
	return m.change(ctx, "connect", fmt.Sprintf("%s.%s ← %s", entity, field, column),
		map[string]any{"entity": entity, "field": field, "column": column},
		func(t *target.Target, maps map[string]*EntityMap) error {
			e, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			f := e.Field(field)
			if f == nil {
				return fmt.Errorf("%s.%s: %w", entity, field, ErrNoField)
			}
			fm := FieldMap{Field: f.Name, Steps: DefaultSteps(*f), Origin: "user"}
			if cur := em.Field(f.Name); cur != nil {
				fm = cur.Clone()
			}
			for _, c := range fm.Sources {
				if strings.EqualFold(c, column) {
					return nil
				}
			}
			fm.Sources = append(fm.Sources, column)
			return m.putField(ctx, t, maps, entity, fm)
		})
}

// Disconnect removes a column from a field's sources; a field left with no column and no
// constant is unmapped.
func (m *Mapper) Disconnect(ctx context.Context, entity, field, column string) (Edit, error) {
	return m.change(ctx, "disconnect", fmt.Sprintf("%s.%s no longer reads %s", entity, field, column),
		map[string]any{"entity": entity, "field": field, "column": column},
		func(t *target.Target, maps map[string]*EntityMap) error {
			_, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			fm := em.Field(field)
			if fm == nil {
				return nil
			}
			var keep []string
			for _, c := range fm.Sources {
				if !strings.EqualFold(c, column) {
					keep = append(keep, c)
				}
			}
			fm.Sources = keep
			if len(keep) == 0 && !hasConstant(fm) {
				removeField(em, field)
			}
			return nil
		})
}

func removeField(em *EntityMap, field string) {
	for i := range em.Fields {
		if em.Fields[i].Field == field {
			em.Fields = append(em.Fields[:i], em.Fields[i+1:]...)
			return
		}
	}
}

// SetSteps replaces the transform chain of a mapped field.
func (m *Mapper) SetSteps(ctx context.Context, entity, field string, steps []Step) (Edit, error) {
	var descr []string
	for _, s := range steps {
		descr = append(descr, s.Describe())
	}
	return m.change(ctx, "set_steps", fmt.Sprintf("%s.%s: %s", entity, field, strings.Join(descr, ", ")),
		map[string]any{"entity": entity, "field": field, "steps": steps},
		func(t *target.Target, maps map[string]*EntityMap) error {
			_, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			fm := em.Field(field)
			if fm == nil {
				fm = &FieldMap{Field: field, Origin: "user"}
			}
			c := fm.Clone()
			c.Steps = append([]Step(nil), steps...)
			return m.putField(ctx, t, maps, entity, c)
		})
}

// ClearField removes a field's mapping.
func (m *Mapper) ClearField(ctx context.Context, entity, field string) (Edit, error) {
	return m.change(ctx, "clear_field", fmt.Sprintf("%s.%s unmapped", entity, field),
		map[string]any{"entity": entity, "field": field},
		func(t *target.Target, maps map[string]*EntityMap) error {
			_, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			removeField(em, field)
			return nil
		})
}

// ClearEntity removes an entity's whole map: its table and every field.
func (m *Mapper) ClearEntity(ctx context.Context, entity string) (Edit, error) {
	return m.change(ctx, "clear_entity", entity+" unmapped", map[string]any{"entity": entity},
		func(t *target.Target, maps map[string]*EntityMap) error {
			if t.Entity(entity) == nil {
				return fmt.Errorf("%s: %w", entity, ErrNoEntity)
			}
			delete(maps, entity)
			return nil
		})
}

// SetValues sets entries of a pick-list field's value map (source value → target value; an
// empty target value removes the entry). The field gets a value_map step if it had none,
// placed before any lookup.
func (m *Mapper) SetValues(ctx context.Context, entity, field string, values map[string]string) (Edit, error) {
	summary := fmt.Sprintf("%s.%s: %d values mapped", entity, field, len(values))
	if len(values) == 1 {
		for k, v := range values {
			summary = fmt.Sprintf("%s.%s: %q → %q", entity, field, k, v)
			if v == "" {
				summary = fmt.Sprintf("%s.%s: %q unmapped", entity, field, k)
			}
		}
	}
	return m.change(ctx, "set_values", summary, map[string]any{"entity": entity, "field": field, "values": values},
		func(t *target.Target, maps map[string]*EntityMap) error {
			e, em, err := entityFor(t, maps, entity)
			if err != nil {
				return err
			}
			f := e.Field(field)
			if f == nil {
				return fmt.Errorf("%s.%s: %w", entity, field, ErrNoField)
			}
			fm := em.Field(field)
			if fm == nil {
				return fmt.Errorf("%s.%s is not mapped yet: connect a column first: %w", entity, field, ErrNoField)
			}
			if allowed := f.Allowed(); len(allowed) > 0 {
				for k, v := range values {
					if v != "" && !containsStr(allowed, v) {
						return fmt.Errorf("%s.%s: %q → %q: %q is not one of %s: %w", entity, field, k, v, v,
							strings.Join(allowed, ", "), ErrNotAllowed)
					}
				}
			}
			c := fm.Clone()
			setValueEntries(&c, values)
			return m.putField(ctx, t, maps, entity, c)
		})
}

// setValueEntries writes entries into fm's value map, adding the step when needed.
func setValueEntries(fm *FieldMap, values map[string]string) {
	vm := fm.ValueMapStep()
	if vm == nil {
		at := len(fm.Steps)
		for i, s := range fm.Steps {
			if s.Op == OpLookup {
				at = i
				break
			}
		}
		fm.Steps = append(fm.Steps, Step{})
		copy(fm.Steps[at+1:], fm.Steps[at:])
		fm.Steps[at] = Step{Op: OpValueMap, Map: map[string]string{}}
		vm = &fm.Steps[at]
	}
	if vm.Map == nil {
		vm.Map = map[string]string{}
	}
	for k, v := range values {
		if v == "" {
			delete(vm.Map, k)
		} else {
			vm.Map[k] = v
		}
	}
}
