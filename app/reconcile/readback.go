package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
)

// Reader reads the new system's records of one entity back over its API, for reconciliation
// without an export. The load engine's destination client implements it (app/load): for each
// record of the entity it calls fn with the record's id in the new system and its fields by the
// target's field names (references as the new ids they point at; a field the system does not
// return is left out and then not compared). Fetch pages, batches and throttles as the
// destination needs; it stops when fn returns an error and returns that error.
type Reader interface {
	Fetch(ctx context.Context, entity string, fn func(newID string, fields map[string]string) error) error
}

// Export is one table of an export of the new system, read by the caller (cmd and the screen
// use the importers) after the load.
type Export struct {
	Name   string `json:"name"`   // file (and sheet) it came from, for the report
	SHA256 string `json:"sha256"` // of the file, for the custody log
	// Entity names the target entity the table holds; "" finds it by the table's name
	// ("Patient", "patients", the entity's label), then by which entity's fields its columns name.
	Entity string               `json:"entity,omitempty"`
	Table  *staging.MemoryTable `json:"-"`
}

// readback is one entity's records as the new system has them, from an export or the API.
type readback struct {
	source   string
	api      bool
	fieldCol []int // field index → cell index, -1 when the source does not have the field
	keyCol   int   // cell index of the legacy key, -1 when none
	ids      []string
	rows     [][]string
	lines    []int64
	byID     map[string]int
	byKey    map[string]int32 // legacy key → its first row; nextKey chains the rows sharing it
	nextKey  []int32          // row → the next row with the same legacy key, -1 at the end
	claimed  []bool
	ours     []bool // row whose legacy key is one of the records staged now
	sharedKy []bool // row whose legacy key another row has too
}

// rowsWithKey calls fn with the rows whose legacy key is k, in order, until fn returns false.
func (rb *readback) rowsWithKey(k string, fn func(int) bool) {
	i, ok := rb.byKey[k]
	if !ok {
		return
	}
	for ; i >= 0; i = rb.nextKey[i] {
		if !fn(int(i)) {
			return
		}
	}
}

// markOurs notes that a record with legacy key k is staged now.
func (rb *readback) markOurs(k string) {
	i, ok := rb.byKey[k]
	if !ok {
		return
	}
	for ; i >= 0; i = rb.nextKey[i] {
		rb.ours[i] = true
	}
}

func (rb *readback) cell(row, field int) (string, bool) {
	c := rb.fieldCol[field]
	if c < 0 {
		return "", false
	}
	r := rb.rows[row]
	if c < len(r) {
		return r[c], true
	}
	return "", true
}

func (rb *readback) key(row int) string {
	if rb.keyCol < 0 || rb.keyCol >= len(rb.rows[row]) {
		return ""
	}
	return strings.TrimSpace(rb.rows[row][rb.keyCol])
}

func (rb *readback) index() {
	n := len(rb.rows)
	rb.claimed = make([]bool, n)
	rb.ours = make([]bool, n)
	rb.nextKey = make([]int32, n)
	rb.sharedKy = make([]bool, n)
	if rb.keyCol >= 0 {
		rb.byKey = make(map[string]int32, n)
	}
	if rb.ids != nil {
		rb.byID = make(map[string]int, n)
	}
	for i := range rb.rows {
		if rb.ids != nil && rb.ids[i] != "" {
			if _, dup := rb.byID[rb.ids[i]]; !dup {
				rb.byID[rb.ids[i]] = i
			}
		}
	}
	// Backwards, so each key's chain runs in row order.
	for i := n - 1; i >= 0; i-- {
		rb.nextKey[i] = -1
		if k := rb.key(i); k != "" {
			if j, ok := rb.byKey[k]; ok {
				rb.nextKey[i] = j
				rb.sharedKy[i], rb.sharedKy[j] = true, true
			}
			rb.byKey[k] = int32(i)
		}
	}
}

// idHeaders are the column names an export gives the new system's own id.
var idHeaders = map[string]bool{"id": true, "newid": true, "recordid": true, "uuid": true, "ferrynewid": true}

// fromExport reads an export table for an entity: columns are matched to fields by name or
// label (folded: "name.given", "Name Given" and "NAME_GIVEN" alike), the legacy key by the
// entity's key field, the new system's id by idColumn or a column called id, new_id, record_id.
func fromExport(ex Export, e *mapping.FeedEntity, idColumn string) (*readback, error) {
	mt := ex.Table
	rb := &readback{source: ex.Name, keyCol: -1, fieldCol: make([]int, len(e.Fields))}
	byName := map[string]int{}
	for i, h := range mt.Spec.Columns {
		if _, ok := byName[target.Fold(h)]; !ok {
			byName[target.Fold(h)] = i
		}
	}
	idCol := -1
	for i, h := range mt.Spec.Columns {
		f := target.Fold(h)
		if (idColumn != "" && f == target.Fold(idColumn)) || (idColumn == "" && idHeaders[f]) {
			idCol = i
			break
		}
	}
	for i, f := range e.Fields {
		rb.fieldCol[i] = -1
		for _, n := range []string{f.Name, f.Label} {
			if c, ok := byName[target.Fold(n)]; ok && n != "" && c != idCol {
				rb.fieldCol[i] = c
				break
			}
		}
		if f.Name == e.Key {
			rb.keyCol = rb.fieldCol[i]
		}
	}
	if idCol < 0 && rb.keyCol < 0 {
		return nil, fmt.Errorf("%s: the export has no column with the new system's id (id) nor the old key (%s), so its records cannot be matched: export them with one of those columns", ex.Name, e.Key)
	}
	if idCol >= 0 {
		rb.ids = make([]string, 0, len(mt.Rows))
	}
	rb.rows = make([][]string, 0, len(mt.Rows))
	rb.lines = make([]int64, 0, len(mt.Rows))
	for _, r := range mt.Rows {
		rb.rows = append(rb.rows, r.Cells)
		rb.lines = append(rb.lines, r.Line)
		if idCol >= 0 {
			id := ""
			if idCol < len(r.Cells) {
				id = strings.TrimSpace(r.Cells[idCol])
			}
			rb.ids = append(rb.ids, id)
		}
	}
	rb.index()
	return rb, nil
}

// fromReader reads an entity back over the API.
func fromReader(ctx context.Context, rd Reader, e *mapping.FeedEntity) (*readback, error) {
	rb := &readback{source: "the new system", api: true, keyCol: -1, fieldCol: make([]int, len(e.Fields)), ids: []string{}}
	seen := make([]bool, len(e.Fields))
	pos := map[string]int{}
	for i, f := range e.Fields {
		pos[f.Name] = i
		rb.fieldCol[i] = -1
		if f.Name == e.Key {
			rb.keyCol = i
		}
	}
	err := rd.Fetch(ctx, e.Name, func(id string, fields map[string]string) error {
		row := make([]string, len(e.Fields))
		for k, v := range fields {
			if i, ok := pos[k]; ok {
				row[i] = v
				seen[i] = true
			}
		}
		rb.ids = append(rb.ids, id)
		rb.rows = append(rb.rows, row)
		rb.lines = append(rb.lines, int64(len(rb.rows)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s back from the new system: %w", e.Name, err)
	}
	for i := range e.Fields {
		if seen[i] {
			rb.fieldCol[i] = i
		}
	}
	if rb.keyCol >= 0 && !seen[rb.keyCol] {
		rb.keyCol = -1
	}
	rb.index()
	return rb, nil
}

// exportEntity decides which entity an export table holds.
func exportEntity(ex Export, f *mapping.Feed) (*mapping.FeedEntity, error) {
	if ex.Entity != "" {
		if e := f.Entity(ex.Entity); e != nil {
			return e, nil
		}
		for i := range f.Entities {
			if strings.EqualFold(f.Entities[i].Name, ex.Entity) {
				return &f.Entities[i], nil
			}
		}
		return nil, fmt.Errorf("%s: the target has no mapped entity %q", ex.Name, ex.Entity)
	}
	names := []string{ex.Name}
	if ex.Table != nil {
		names = append([]string{ex.Table.Spec.Name}, names...)
	}
	for _, n := range names {
		n = strings.TrimSuffix(n, fileExt(n))
		fn := target.Fold(n)
		for i := range f.Entities {
			e := &f.Entities[i]
			ent := f.Def.Entity(e.Name)
			cands := []string{e.Name, e.Name + "s", e.Table}
			if ent != nil && ent.Label != "" {
				cands = append(cands, ent.Label)
			}
			for _, c := range cands {
				if target.Fold(c) == fn {
					return e, nil
				}
			}
		}
	}
	// By columns: the entity whose field names the most columns (and at least half of them).
	if ex.Table != nil {
		var best *mapping.FeedEntity
		bestN := 0
		cols := map[string]bool{}
		for _, h := range ex.Table.Spec.Columns {
			cols[target.Fold(h)] = true
		}
		for i := range f.Entities {
			e := &f.Entities[i]
			n := 0
			for _, fl := range e.Fields {
				if cols[target.Fold(fl.Name)] || (fl.Label != "" && cols[target.Fold(fl.Label)]) {
					n++
				}
			}
			if n > bestN {
				best, bestN = e, n
			}
		}
		if best != nil && bestN*2 >= len(ex.Table.Spec.Columns)-1 {
			return best, nil
		}
	}
	return nil, fmt.Errorf("%s: cannot tell which kind of record this export holds; name the file after it (e.g. Patient.csv) or choose the entity", ex.Name)
}

func fileExt(n string) string {
	if i := strings.LastIndexByte(n, '.'); i > 0 && i >= len(n)-6 {
		return n[i:]
	}
	return ""
}
