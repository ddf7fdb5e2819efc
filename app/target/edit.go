package target

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
)

// Editing by hand. Each function changes the working definition through Update: validated,
// saved and logged together. Renaming an entity or field leaves maps that used the old name
// pointing at nothing; the Map step reports them so the person can map the field again.

// AddEntity appends an entity (or inserts it at position at, 0-based; at < 0 appends).
func AddEntity(ctx context.Context, p *project.Project, id int64, e Entity, at int) (Target, error) {
	return Update(ctx, p, id, "add_entity", map[string]any{"entity": e.Name}, func(d *Definition) error {
		if d.Entity(e.Name) != nil {
			return fmt.Errorf("adding entity %s: it is already there: %w", e.Name, ErrInvalid)
		}
		if e.Fields == nil {
			e.Fields = []Field{}
		}
		d.Entities = insertAt(d.Entities, e, at)
		return nil
	})
}

// UpdateEntity replaces the entity named name with e (which may carry a new name, label or fields).
func UpdateEntity(ctx context.Context, p *project.Project, id int64, name string, e Entity) (Target, error) {
	return Update(ctx, p, id, "update_entity", map[string]any{"entity": name, "as": e.Name}, func(d *Definition) error {
		for i := range d.Entities {
			if d.Entities[i].Name == name {
				if e.Fields == nil {
					e.Fields = []Field{}
				}
				d.Entities[i] = e
				if e.Name != name {
					renameReferences(d, name, e.Name)
				}
				return nil
			}
		}
		return fmt.Errorf("%s: %w", name, ErrNoEntity)
	})
}

// PutEntity adds e, or replaces the entity of the same name (a vendor template read again).
func PutEntity(ctx context.Context, p *project.Project, id int64, e Entity) (Target, error) {
	return Update(ctx, p, id, "put_entity", map[string]any{"entity": e.Name, "fields": len(e.Fields)}, func(d *Definition) error {
		if e.Fields == nil {
			e.Fields = []Field{}
		}
		for i := range d.Entities {
			if strings.EqualFold(d.Entities[i].Name, e.Name) {
				d.Entities[i] = e
				return nil
			}
		}
		d.Entities = append(d.Entities, e)
		return nil
	})
}

// RemoveEntity removes an entity. Reference fields of other entities that pointed at it must be
// changed first (validation says which).
func RemoveEntity(ctx context.Context, p *project.Project, id int64, name string) (Target, error) {
	return Update(ctx, p, id, "remove_entity", map[string]any{"entity": name}, func(d *Definition) error {
		for i := range d.Entities {
			if d.Entities[i].Name == name {
				d.Entities = append(d.Entities[:i], d.Entities[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%s: %w", name, ErrNoEntity)
	})
}

// AddField adds a field to an entity at position at (0-based; at < 0 appends).
func AddField(ctx context.Context, p *project.Project, id int64, entity string, f Field, at int) (Target, error) {
	return Update(ctx, p, id, "add_field", map[string]any{"entity": entity, "field": f.Name, "type": f.Type}, func(d *Definition) error {
		e := d.Entity(entity)
		if e == nil {
			return fmt.Errorf("%s: %w", entity, ErrNoEntity)
		}
		if e.Field(f.Name) != nil {
			return fmt.Errorf("adding field %s.%s: it is already there: %w", entity, f.Name, ErrInvalid)
		}
		e.Fields = insertAt(e.Fields, f, at)
		return nil
	})
}

// UpdateField replaces field name of entity with f (f may carry a new name).
func UpdateField(ctx context.Context, p *project.Project, id int64, entity, name string, f Field) (Target, error) {
	return Update(ctx, p, id, "update_field", map[string]any{"entity": entity, "field": name, "as": f.Name, "type": f.Type},
		func(d *Definition) error {
			e := d.Entity(entity)
			if e == nil {
				return fmt.Errorf("%s: %w", entity, ErrNoEntity)
			}
			for i := range e.Fields {
				if e.Fields[i].Name == name {
					e.Fields[i] = f
					return nil
				}
			}
			return fmt.Errorf("%s.%s: %w", entity, name, ErrNoField)
		})
}

// RemoveField removes a field from an entity.
func RemoveField(ctx context.Context, p *project.Project, id int64, entity, name string) (Target, error) {
	return Update(ctx, p, id, "remove_field", map[string]any{"entity": entity, "field": name}, func(d *Definition) error {
		e := d.Entity(entity)
		if e == nil {
			return fmt.Errorf("%s: %w", entity, ErrNoEntity)
		}
		for i := range e.Fields {
			if e.Fields[i].Name == name {
				e.Fields = append(e.Fields[:i], e.Fields[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%s.%s: %w", entity, name, ErrNoField)
	})
}

func renameReferences(d *Definition, from, to string) {
	for i := range d.Entities {
		for j := range d.Entities[i].Fields {
			if d.Entities[i].Fields[j].References == from {
				d.Entities[i].Fields[j].References = to
			}
		}
	}
}

func insertAt[T any](s []T, v T, at int) []T {
	if at < 0 || at >= len(s) {
		return append(s, v)
	}
	s = append(s, v)
	copy(s[at+1:], s[at:])
	s[at] = v
	return s
}
