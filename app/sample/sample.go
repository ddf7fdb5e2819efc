// Package sample is the Sample run's selection: a deterministic 10% of each mapped entity,
// stratified so that the few hundred records loaded first exercise everything the full load
// will meet.
//
// A record is in when a seeded hash of its entity and legacy key falls below Percent of the
// hash range: the key decides, never the row number, so the same records are picked on every
// run and after the same files are imported again. A record that refers to another (an
// appointment to its patient) shares the hash of the record it refers to – of the biggest
// entity it refers to, followed up to a record that refers to none – so the sample holds whole
// families: a tenth of the patients with all their appointments, invoices and payments, rather
// than a tenth of the appointments that would drag in most of the patients. Then, so that no
// problem hides in the 90% left out, the selection always holds
//
//   - a record touched by every audit finding (audit.FindingRows),
//   - a record touched by every applied cleanse operation (cleanse.ChangedRows; for rows a
//     merge took out, the survivor they went into),
//   - a record for every distinct value of every pick-list (code) field, as mapped,
//   - every record picked by hand (Add, Remove),
//   - and the parents of every record picked, transitively: an appointment is never loaded
//     without its patient and its practitioner.
//
// Where a stratum can be stood for by a record already picked, that record is used (the one
// with the lowest hash), so stratification adds as few records as it can. Every pick says why
// it is in (Pick.Why). Select computes the selection; Selection.Only gives the rows for
// mapping.Feed.Scan, Selection.Keys the legacy keys.
//
//	sel, err := sample.Select(ctx, p, sample.Options{})
//	err = feed.Scan(ctx, "Patient", sel.Only("Patient"), fn)
package sample

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// DefaultPercent is the share of each entity the hash picks.
const DefaultPercent = 10.0

// DefaultSeed seeds the hash. It is a constant, not a random number per project, so that a
// project made again from the same files picks the same records.
const DefaultSeed = "ferry-sample/1"

// Reason says why a record is in the sample.
type Reason string

const (
	ReasonHash     Reason = "hash"     // its key's seeded hash is in the first Percent of the range
	ReasonFinding  Reason = "finding"  // it stands for an audit finding
	ReasonCleanse  Reason = "cleanse"  // it stands for a cleanse operation
	ReasonPicklist Reason = "picklist" // it stands for a pick-list value
	ReasonParent   Reason = "parent"   // a picked record refers to it
	ReasonManual   Reason = "manual"   // a person added it
)

// Reasons lists the reasons in the order the screen and CLI show them.
var Reasons = []Reason{ReasonHash, ReasonFinding, ReasonCleanse, ReasonPicklist, ReasonParent, ReasonManual}

// Why is one reason a record is in, with its detail in words: finding "5 appointments whose
// patient is missing", picklist "status = noshow", parent "of Appointment 50001", hash "with
// Patient 1001" (the record whose hash it shares).
type Why struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail,omitempty"`
	Ref    int64  `json:"ref,omitempty"` // the finding's or operation's id
}

// Pick is one record of the selection.
type Pick struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Row    int64  `json:"row"` // _ferry_row of the entity's staged table
	Why    []Why  `json:"why"`
}

// Has says whether the pick is in for reason r.
func (pk Pick) Has(r Reason) bool {
	for _, w := range pk.Why {
		if w.Reason == r {
			return true
		}
	}
	return false
}

// Reasons is the pick's reasons in words, joined.
func (pk Pick) Reasons() string {
	var parts []string
	for _, w := range pk.Why {
		s := string(w.Reason)
		if w.Detail != "" {
			s += ": " + w.Detail
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// EntityCount is one entity's share of the selection.
type EntityCount struct {
	Entity  string `json:"entity"`
	Records int64  `json:"records"` // records the feed has
	Picked  int    `json:"picked"`
	// ByReason counts the picked records that are in for each reason (a record can be in for
	// several).
	ByReason map[Reason]int `json:"by_reason"`
	// Added counts the records only stratification, parents or a person put in: Picked minus
	// the hash's share.
	Added int `json:"added"`
}

// Percent is the picked share of the entity's records.
func (c EntityCount) Percent() float64 {
	if c.Records == 0 {
		return 0
	}
	return 100 * float64(c.Picked) / float64(c.Records)
}

// Stratum is one finding, operation or pick-list value, and the record standing for it.
type Stratum struct {
	Reason Reason `json:"reason"`
	Ref    int64  `json:"ref,omitempty"`
	Detail string `json:"detail"`
	Entity string `json:"entity,omitempty"`
	Key    string `json:"key,omitempty"` // "" when no record of it is left to load
	Note   string `json:"note,omitempty"`
}

// Selection is a computed sample.
type Selection struct {
	Seed          string        `json:"seed"`
	Percent       float64       `json:"percent"`
	TargetVersion int           `json:"target_version"`
	MapRevision   int64         `json:"map_revision"`
	Entities      []EntityCount `json:"entities"` // in the feed's dependency order
	Picks         []Pick        `json:"picks"`    // entity by entity in that order, then by row
	Strata        []Stratum     `json:"strata"`
	// Notes says what could not be represented and why (an audit never run, a finding whose
	// rows were all purged, a hand-added record no longer in the data).
	Notes []string `json:"notes,omitempty"`

	index map[string]map[string]int // entity → key → index in Picks
}

// Only is the source rows of the entity's picks, for mapping.Feed.Scan. It is never nil: an
// entity with nothing picked gives an empty set (Scan passes nil for "all rows").
func (s *Selection) Only(entity string) map[int64]bool {
	out := map[int64]bool{}
	for _, i := range s.index[entity] {
		out[s.Picks[i].Row] = true
	}
	return out
}

// Keys is the legacy keys of the entity's picks, in row order.
func (s *Selection) Keys(entity string) []string {
	var out []string
	for _, pk := range s.Picks {
		if pk.Entity == entity {
			out = append(out, pk.Key)
		}
	}
	return out
}

// Pick returns the pick of the entity with that legacy key.
func (s *Selection) Pick(entity, key string) (Pick, bool) {
	i, ok := s.index[entity][key]
	if !ok {
		return Pick{}, false
	}
	return s.Picks[i], true
}

// Total is how many records are picked over all entities.
func (s *Selection) Total() int { return len(s.Picks) }

// Progress is how far Select is: records read so far of all the feed's records.
type Progress struct {
	Entity string
	Done   int64
	Total  int64
}

// Options tune Select. The zero value is the 10% with the default seed.
type Options struct {
	Percent float64 // share the hash picks, 0 < Percent <= 100 (default DefaultPercent)
	Seed    string  // default DefaultSeed
	// Feed, when set, is used instead of building one (the caller already has it).
	Feed     *mapping.Feed
	Progress func(Progress)
}

// ErrNoFeed is returned when nothing is mapped yet.
var ErrNoFeed = errors.New("nothing is mapped yet: map at least one entity in the Map step first")

// Hash is the record's place in the seeded hash range: the first 8 bytes of
// SHA-256(seed, entity, key), each length-prefixed.
func Hash(seed, entity, key string) uint64 {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s|%d:%s|%d:%s", len(seed), seed, len(entity), entity, len(key), key)
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// threshold is the hash value below which a record is in.
func threshold(percent float64) uint64 {
	if percent >= 100 {
		return math.MaxUint64
	}
	return uint64(percent / 100 * math.Exp2(64))
}

// rec is one record of the feed as the selection needs it.
type rec struct {
	row   int64
	key   string
	h     uint64   // the seeded hash of its key, or of its anchor's
	with  string   // the record whose hash it shares ("Patient 1001"), "" for its own
	codes []string // values of the entity's code fields
	refs  []string // values of the entity's reference fields
}

type entityData struct {
	fe       mapping.FeedEntity
	recs     []rec
	byRow    map[int64]int
	byKey    map[string]int
	codeIdx  []int    // field index of each code field
	refIdx   []int    // field index of each reference field
	refTo    []string // entity each reference field points at
	picked   map[int]*Pick
	hashPick int
}

type selector struct {
	s        *Selection
	ents     []*entityData
	byName   map[string]*entityData
	byTable  map[string][]*entityData
	thr      uint64
	progress func(Progress)
}

// Select computes the sample of the project's mapped data.
func Select(ctx context.Context, p *project.Project, opts Options) (*Selection, error) {
	if opts.Percent == 0 {
		opts.Percent = DefaultPercent
	}
	if opts.Percent < 0 || opts.Percent > 100 || math.IsNaN(opts.Percent) {
		return nil, fmt.Errorf("a sample of %v%%: the share must be more than 0 and at most 100", opts.Percent)
	}
	if opts.Seed == "" {
		opts.Seed = DefaultSeed
	}
	f := opts.Feed
	if f == nil {
		var err error
		f, err = mapping.New(p).Feed(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the mapped records: %w", err)
		}
	}
	if len(f.Entities) == 0 {
		return nil, ErrNoFeed
	}
	sel := &selector{
		s:        &Selection{Seed: opts.Seed, Percent: opts.Percent, TargetVersion: f.TargetVersion, MapRevision: f.MapRevision},
		byName:   map[string]*entityData{},
		byTable:  map[string][]*entityData{},
		thr:      threshold(opts.Percent),
		progress: opts.Progress,
	}
	if err := sel.read(ctx, f); err != nil {
		return nil, err
	}
	for _, ed := range sel.ents {
		for i := range ed.recs {
			if ed.recs[i].h < sel.thr {
				w := Why{Reason: ReasonHash}
				if ed.recs[i].with != "" {
					w.Detail = "with " + ed.recs[i].with
				}
				sel.add(ed, i, w)
				ed.hashPick++
			}
		}
	}
	if err := sel.findings(ctx, p); err != nil {
		return nil, err
	}
	if err := sel.cleanseOps(ctx, p); err != nil {
		return nil, err
	}
	sel.picklists()
	if err := sel.manual(ctx, p); err != nil {
		return nil, err
	}
	sel.parents()
	sel.finish()
	return sel.s, nil
}

// read scans every entity of the feed once.
func (sel *selector) read(ctx context.Context, f *mapping.Feed) error {
	var total, done int64
	for _, fe := range f.Entities {
		total += fe.Rows
	}
	for _, fe := range f.Entities {
		ed := &entityData{fe: fe, byRow: map[int64]int{}, byKey: map[string]int{}, picked: map[int]*Pick{}}
		for i, fl := range fe.Fields {
			switch {
			case fl.Type == target.Code:
				ed.codeIdx = append(ed.codeIdx, i)
			case fl.Type == target.Reference && fl.References != "" && f.Entity(fl.References) != nil:
				ed.refIdx = append(ed.refIdx, i)
				ed.refTo = append(ed.refTo, fl.References)
			}
		}
		// The anchor: the reference to the biggest entity already read. A record with one is in
		// or out with the record it refers to, so that the sample holds whole families (a
		// tenth of the patients with all their appointments) and the parents it must add are few.
		anchor, biggest := -1, -1
		for c, to := range ed.refTo {
			if ped := sel.byName[to]; ped != nil && len(ped.recs) > biggest {
				anchor, biggest = c, len(ped.recs)
			}
		}
		err := f.Scan(ctx, fe.Name, nil, func(r mapping.Record) error {
			rc := rec{row: r.Row, key: r.Key, h: Hash(sel.s.Seed, fe.Name, r.Key)}
			for _, i := range ed.codeIdx {
				rc.codes = append(rc.codes, r.Values[i])
			}
			for _, i := range ed.refIdx {
				rc.refs = append(rc.refs, r.Values[i])
			}
			if anchor >= 0 {
				ped := sel.byName[ed.refTo[anchor]]
				if j, ok := ped.byKey[rc.refs[anchor]]; ok {
					rc.h = ped.recs[j].h
					rc.with = ped.recs[j].with
					if rc.with == "" {
						rc.with = ped.fe.Name + " " + ped.recs[j].key
					}
				}
			}
			ed.byRow[r.Row] = len(ed.recs)
			if _, dup := ed.byKey[r.Key]; !dup {
				ed.byKey[r.Key] = len(ed.recs)
			}
			ed.recs = append(ed.recs, rc)
			done++
			if sel.progress != nil && done%256 == 0 {
				sel.progress(Progress{Entity: fe.Name, Done: done, Total: total})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", fe.Name, err)
		}
		sel.ents = append(sel.ents, ed)
		sel.byName[fe.Name] = ed
		sel.byTable[fe.Table] = append(sel.byTable[fe.Table], ed)
	}
	if sel.progress != nil {
		sel.progress(Progress{Done: done, Total: total})
	}
	return nil
}

func (sel *selector) add(ed *entityData, i int, w Why) {
	if pk := ed.picked[i]; pk != nil {
		for _, o := range pk.Why {
			if o == w {
				return
			}
		}
		pk.Why = append(pk.Why, w)
		return
	}
	ed.picked[i] = &Pick{Entity: ed.fe.Name, Key: ed.recs[i].key, Row: ed.recs[i].row, Why: []Why{w}}
}

// best chooses the record to stand for a stratum among candidates (indexes into ed.recs): one
// already picked if there is one, else the one with the lowest hash; -1 for none.
func best(ed *entityData, cands []int) int {
	bi, bp := -1, false
	for _, i := range cands {
		_, p := ed.picked[i]
		switch {
		case bi < 0, p && !bp:
			bi, bp = i, p
		case p == bp && ed.recs[i].h < ed.recs[bi].h:
			bi = i
		}
	}
	return bi
}

// stand picks a record for a stratum given as staged rows of a table: rows taken out by
// a merge stand for themselves through their survivor.
func (sel *selector) stand(st Stratum, table string, rows []int64, survivors map[int64]int64) {
	eds := sel.byTable[table]
	if len(eds) == 0 {
		st.Note = "its table " + table + " is not mapped: nothing of it is loaded"
		sel.s.Strata = append(sel.s.Strata, st)
		return
	}
	if len(rows) == 0 {
		// A finding about values rather than rows (a pick-list typed freely): the pick-list
		// stratum stands for it.
		st.Note = "it names values, not rows: the pick-list values in the sample stand for it"
		sel.s.Strata = append(sel.s.Strata, st)
		return
	}
	for _, ed := range eds {
		var cands, merged []int
		purged := 0
		for _, r := range rows {
			if i, ok := ed.byRow[r]; ok {
				cands = append(cands, i)
				continue
			}
			if s, ok := survivors[r]; ok && s != 0 {
				if i, ok := ed.byRow[s]; ok {
					merged = append(merged, i)
					continue
				}
			}
			purged++
		}
		one := st
		one.Entity = ed.fe.Name
		i := best(ed, cands)
		if i < 0 {
			i = best(ed, merged)
			if i >= 0 {
				one.Note = "its rows were merged into this record in Cleanse"
			}
		}
		if i < 0 {
			one.Note = fmt.Sprintf("all %d of its rows were taken out in Cleanse: none of them is loaded", purged)
			sel.s.Strata = append(sel.s.Strata, one)
			continue
		}
		one.Key = ed.recs[i].key
		sel.add(ed, i, Why{Reason: st.Reason, Detail: st.Detail, Ref: st.Ref})
		sel.s.Strata = append(sel.s.Strata, one)
	}
}

// survivorsOf maps the rows taken out of a table to the row a merge put them into (0 for
// purged rows).
func survivorsOf(ctx context.Context, p *project.Project, table string, cache map[string]map[int64]int64) (map[int64]int64, error) {
	if m, ok := cache[table]; ok {
		return m, nil
	}
	rr, err := cleanse.RemovedRows(ctx, p, table, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the rows taken out of %s: %w", table, err)
	}
	m := map[int64]int64{}
	for _, r := range rr {
		m[r.Row] = r.Survivor
	}
	cache[table] = m
	return m, nil
}

func (sel *selector) findings(ctx context.Context, p *project.Project) error {
	rep, err := audit.Latest(ctx, p)
	if err != nil {
		if errors.Is(err, audit.ErrNoRun) {
			sel.s.Notes = append(sel.s.Notes, "The audit has not been run: the sample cannot make sure every finding is represented. Run the Audit step first.")
			return nil
		}
		return fmt.Errorf("reading the audit: %w", err)
	}
	cache := map[string]map[int64]int64{}
	for _, fd := range rep.Findings {
		if len(sel.byTable[fd.Table]) == 0 {
			continue // a table nothing reads: nothing of it is loaded, no record can stand for it
		}
		rows, err := audit.FindingRows(ctx, p, fd.ID, 0, 0)
		if err != nil {
			return fmt.Errorf("reading the rows of finding %d: %w", fd.ID, err)
		}
		surv, err := survivorsOf(ctx, p, fd.Table, cache)
		if err != nil {
			return err
		}
		sel.stand(Stratum{Reason: ReasonFinding, Ref: fd.ID, Detail: fd.Message}, fd.Table, rows, surv)
	}
	return nil
}

func (sel *selector) cleanseOps(ctx context.Context, p *project.Project) error {
	ops, err := cleanse.History(ctx, p)
	if err != nil {
		return fmt.Errorf("reading the cleanse history: %w", err)
	}
	cache := map[string]map[int64]int64{}
	for _, op := range ops {
		if op.State != "applied" || op.Stale || len(sel.byTable[op.Table]) == 0 {
			continue
		}
		rows, err := cleanse.ChangedRows(ctx, p, op.ID, 0)
		if err != nil {
			return fmt.Errorf("reading the rows of cleanse operation %d: %w", op.ID, err)
		}
		surv, err := survivorsOf(ctx, p, op.Table, cache)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("operation %d, %s on %s", op.ID, strings.ReplaceAll(op.Op, "_", " "), op.Table)
		if len(op.Columns) > 0 {
			detail += "." + strings.Join(op.Columns, ", ")
		}
		sel.stand(Stratum{Reason: ReasonCleanse, Ref: op.ID, Detail: detail}, op.Table, rows, surv)
	}
	return nil
}

func (sel *selector) picklists() {
	for _, ed := range sel.ents {
		for c, fi := range ed.codeIdx {
			field := ed.fe.Fields[fi].Name
			cands := map[string][]int{}
			var values []string
			for i, r := range ed.recs {
				v := r.codes[c]
				if _, ok := cands[v]; !ok {
					values = append(values, v)
				}
				cands[v] = append(cands[v], i)
			}
			sort.Strings(values)
			for _, v := range values {
				shown := v
				if v == "" {
					shown = "(blank)"
				}
				i := best(ed, cands[v])
				detail := field + " = " + shown
				sel.add(ed, i, Why{Reason: ReasonPicklist, Detail: detail})
				sel.s.Strata = append(sel.s.Strata, Stratum{Reason: ReasonPicklist, Detail: detail, Entity: ed.fe.Name, Key: ed.recs[i].key})
			}
		}
	}
}

func (sel *selector) manual(ctx context.Context, p *project.Project) error {
	hand, err := Manual(ctx, p)
	if err != nil {
		return err
	}
	for _, m := range hand {
		ed := sel.byName[m.Entity]
		if ed == nil {
			sel.s.Notes = append(sel.s.Notes, fmt.Sprintf("%s %s was added by hand, but %s is not mapped now.", m.Entity, m.Key, m.Entity))
			continue
		}
		i, ok := ed.byKey[m.Key]
		if !ok {
			sel.s.Notes = append(sel.s.Notes, fmt.Sprintf("%s %s was added by hand, but no %s has that key now.", m.Entity, m.Key, m.Entity))
			continue
		}
		detail := "added by " + m.AddedBy
		if m.Note != "" {
			detail += ": " + m.Note
		}
		sel.add(ed, i, Why{Reason: ReasonManual, Detail: detail})
	}
	return nil
}

// parents adds the records the picked ones refer to, until nothing more is added.
func (sel *selector) parents() {
	type item struct {
		ed *entityData
		i  int
	}
	var queue []item
	for k := len(sel.ents) - 1; k >= 0; k-- {
		ed := sel.ents[k]
		for _, i := range sortedPicked(ed) {
			queue = append(queue, item{ed, i})
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		r := it.ed.recs[it.i]
		for c, to := range it.ed.refTo {
			v := r.refs[c]
			if v == "" {
				continue
			}
			ped := sel.byName[to]
			j, ok := ped.byKey[v]
			if !ok {
				continue // a dangling reference is the validation's to report; no parent to add
			}
			_, was := ped.picked[j]
			if was && ped.picked[j].Has(ReasonParent) {
				continue
			}
			sel.add(ped, j, Why{Reason: ReasonParent, Detail: "of " + it.ed.fe.Name + " " + r.key})
			if !was {
				queue = append(queue, item{ped, j})
			}
		}
	}
}

func sortedPicked(ed *entityData) []int {
	out := make([]int, 0, len(ed.picked))
	for i := range ed.picked {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

func (sel *selector) finish() {
	s := sel.s
	s.index = map[string]map[string]int{}
	for _, ed := range sel.ents {
		c := EntityCount{Entity: ed.fe.Name, Records: int64(len(ed.recs)), ByReason: map[Reason]int{}}
		idx := map[string]int{}
		for _, i := range sortedPicked(ed) {
			pk := ed.picked[i]
			idx[pk.Key] = len(s.Picks)
			s.Picks = append(s.Picks, *pk)
			seen := map[Reason]bool{}
			for _, w := range pk.Why {
				if !seen[w.Reason] {
					seen[w.Reason] = true
					c.ByReason[w.Reason]++
				}
			}
		}
		c.Picked = len(ed.picked)
		c.Added = c.Picked - ed.hashPick
		s.index[ed.fe.Name] = idx
		s.Entities = append(s.Entities, c)
	}
}
