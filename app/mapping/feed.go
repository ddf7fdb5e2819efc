package mapping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
)

// Feed is the mapped data as the load, sample and reconcile steps read it: the active target
// frozen at one version, the map at one revision, and for every mapped entity, in dependency
// order (an entity after the entities its references point at), each source row run through
// its map. References come out as the referred record's legacy key after merges (a reference
// to a patient merged away in Cleanse names the survivor), so a loader only has to translate
// legacy keys into the new system's ids.
//
//	f, err := mapping.New(p).Feed(ctx)
//	for _, e := range f.Entities {
//	    err = f.Scan(ctx, e.Name, nil, func(rec mapping.Record) error { … })
//	}
type Feed struct {
	Target        target.Target     `json:"-"`
	TargetVersion int               `json:"target_version"`
	MapRevision   int64             `json:"map_revision"`
	Def           target.Definition `json:"-"` // the frozen definition
	Entities      []FeedEntity      `json:"entities"`
	en            *engine
}

// FeedEntity is one mapped entity: its source table and the fields its map fills, in the
// target's order.
type FeedEntity struct {
	Name     string         `json:"name"`
	Table    string         `json:"table"`
	SourceID int64          `json:"source_id"`
	Rows     int64          `json:"rows"`
	Key      string         `json:"key"` // the key field ("" when the entity has none)
	Fields   []target.Field `json:"fields"`
	// DependsOn lists the entities its reference fields point at (other than itself).
	DependsOn []string `json:"depends_on,omitempty"`
}

// Record is one source row run through its entity's map. Values and Errors follow the entity's
// Fields. Key is the legacy key (the key field's value; when the entity has no key field, the
// source row id as "row:N", so every record still has one stable name).
type Record struct {
	Entity string       `json:"entity"`
	Row    int64        `json:"row"`  // _ferry_row of the source table
	Line   int64        `json:"line"` // line or record number in the source file
	Key    string       `json:"key"`
	Values []string     `json:"values"`
	Errors []*CellError `json:"errors,omitempty"`
}

// Valid says whether no field of the record has an error.
func (r Record) Valid() bool {
	for _, e := range r.Errors {
		if e != nil {
			return false
		}
	}
	return true
}

// Error is the record's errors in words ("" when valid): "birthDate: not a date; gender: …".
func (r Record) Error(fields []target.Field) string {
	var parts []string
	for i, e := range r.Errors {
		if e != nil && i < len(fields) {
			parts = append(parts, fields[i].Name+": "+e.Message)
		}
	}
	return strings.Join(parts, "; ")
}

// Hash is the canonical hash of the record as mapped: SHA-256 over entity, then every field
// name and value in the entity's field order, length-prefixed, hex. Two records hash alike
// exactly when every mapped value is the same.
func (r Record) Hash(fields []target.Field) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s", len(r.Entity), r.Entity)
	for i, f := range fields {
		v := ""
		if i < len(r.Values) {
			v = r.Values[i]
		}
		fmt.Fprintf(h, "|%d:%s=%d:%s", len(f.Name), f.Name, len(v), v)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Entity returns the named entity of the feed, or nil.
func (f *Feed) Entity(name string) *FeedEntity {
	for i := range f.Entities {
		if f.Entities[i].Name == name {
			return &f.Entities[i]
		}
	}
	return nil
}

// Feed freezes the active target (target.Freeze: a new version only if it changed) and readies
// every mapped entity for reading: the keys of all entities are collected first, so that Scan
// can check references and follow merges.
func (m *Mapper) Feed(ctx context.Context) (*Feed, error) {
	fr, err := m.freeze(ctx)
	if err != nil {
		return nil, err
	}
	t, version, rev, def := fr.t, fr.version, fr.rev, fr.def
	en, err := m.newEngine(ctx, fr.st, &def)
	if err != nil {
		return nil, err
	}
	if err := en.collectKeys(ctx, nil); err != nil {
		return nil, err
	}
	f := &Feed{Target: t, TargetVersion: version, MapRevision: rev, Def: def, en: en}
	for _, r := range dependencyOrder(en.order) {
		fe := FeedEntity{Name: r.e.Name, Table: r.table.Name, SourceID: r.table.SourceID, Rows: r.table.Rows}
		seen := map[string]bool{}
		for i, c := range r.fields {
			fe.Fields = append(fe.Fields, c.Field)
			if i == r.key {
				fe.Key = c.Field.Name
			}
			if c.Lookup != "" && c.Lookup != r.e.Name && !seen[c.Lookup] {
				seen[c.Lookup] = true
				fe.DependsOn = append(fe.DependsOn, c.Lookup)
			}
		}
		f.Entities = append(f.Entities, fe)
	}
	return f, nil
}

// dependencyOrder puts each entity after the mapped entities it refers to, keeping the
// target's order otherwise; entities in a reference cycle keep the target's order.
func dependencyOrder(runs []*entityRun) []*entityRun {
	byName := map[string]*entityRun{}
	for _, r := range runs {
		byName[r.e.Name] = r
	}
	var out []*entityRun
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(r *entityRun)
	visit = func(r *entityRun) {
		if state[r.e.Name] != 0 {
			return
		}
		state[r.e.Name] = 1
		for _, c := range r.fields {
			if dep := byName[c.Lookup]; dep != nil && dep != r && state[dep.e.Name] == 0 {
				visit(dep)
			}
		}
		state[r.e.Name] = 2
		out = append(out, r)
	}
	for _, r := range runs {
		visit(r)
	}
	return out
}

// Scan runs the entity's rows through its map in row order and calls fn with each record.
// only, when not nil, limits the scan to those source rows (_ferry_row). A reference to a
// merged-away record comes out as its survivor's key. Records with errors are passed on too,
// with their Errors set: what to do with them is the caller's decision, never a silent skip.
func (f *Feed) Scan(ctx context.Context, entity string, only map[int64]bool, fn func(Record) error) error {
	r := f.en.runs[entity]
	if r == nil {
		return fmt.Errorf("%s: %w", entity, ErrNoEntity)
	}
	var buf []string
	n := 0
	return f.en.scan(ctx, r, 0, func(row, line int64, vals []string) error {
		if only != nil && !only[row] {
			return nil
		}
		res := f.en.runRow(r, row, vals, buf)
		for i, c := range r.fields {
			if c.Lookup == "" || res.errs[i] != nil || res.values[i] == "" {
				continue
			}
			if _, ok := f.en.keys[c.Lookup][res.values[i]]; ok {
				continue
			}
			if pr := f.en.runs[c.Lookup]; pr != nil {
				if s, ok := f.en.cw.survivor(pr.table.SourceID, res.values[i]); ok {
					res.values[i] = s
				}
			}
		}
		rec := Record{Entity: entity, Row: row, Line: line, Key: res.key, Values: res.values}
		if rec.Key == "" && r.key < 0 {
			rec.Key = fmt.Sprintf("row:%d", row)
		}
		for _, e := range res.errs {
			if e != nil {
				rec.Errors = res.errs
				break
			}
		}
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return fn(rec)
	})
}

// Table is the staged table an entity of the feed reads (for a record trace).
func (f *Feed) Table(entity string) (staging.TableInfo, bool) {
	r := f.en.runs[entity]
	if r == nil {
		return staging.TableInfo{}, false
	}
	return r.table, true
}
