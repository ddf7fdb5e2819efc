// Package reconcile is the Reconcile & report step: it proves that nothing was lost between the
// old system's export and the new system.
//
// Run counts every entity as a waterfall (legacy rows imported → purged by reason → merged
// duplicates → invalid, not sent → loaded → rejected → failed → still missing; the numbers add
// up exactly to the rows imported), totals every money field in the old data and in the new
// system (overall and per patient or account, exact decimals), and, when the new system's
// records are read back (from an export the person imports after the load, or over the API
// through a Reader), compares each record as sent with the record found: field by field, after
// normalising what the target is known to reformat, so there are no false alarms. It catches
// records missing in the target, records changed after the load, duplicates created in the
// target (two records carrying one legacy key) and extra records that did not come from Ferry.
//
//	res, err := reconcile.Run(ctx, p, reconcile.Options{Exports: exports})
//	err = reconcile.Save(ctx, p, res)         // stored with a reconcile.run custody event
//	res, err = reconcile.Latest(ctx, p)       // what the report and the status read
//	refs, err := reconcile.Records(ctx, p, "Patient", reconcile.StageRejected) // drill-down
//	tr, err := reconcile.TraceRecord(ctx, p, "patients", "1045")              // one record's story
//
// The load's outcome comes from the load engine's tables (migration 0007: ferry_load_records,
// ferry_crosswalk); the mapped records from mapping.Feed. Status is registered for
// wizard.Reconcile.
package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// Waterfall stages, for Records.
const (
	StageImported = "imported" // every legacy row imported
	StagePurged   = "purged"   // taken out in Cleanse (with a reason)
	StageMerged   = "merged"   // merged into a survivor in Cleanse
	StageInvalid  = "invalid"  // not sent: the mapped record has errors
	StageLoaded   = "loaded"   // created in (or found already in) the new system
	StageRejected = "rejected" // the new system refused it
	StageFailed   = "failed"   // gave up after retries
	StageMissing  = "missing"  // still missing: not sent yet, or removed again
)

// Difference kinds.
const (
	KindMissing   = "missing"    // loaded, but the new system does not have it
	KindChanged   = "changed"    // the new system has it with another value
	KindDuplicate = "duplicate"  // a second record in the new system carries the legacy key
	KindExtra     = "extra"      // in the new system, not from Ferry
	KindNotLoaded = "not_loaded" // never made it (Field: its status)
)

// Read-back sources.
const (
	SourceExport = "export"
	SourceAPI    = "api"
	SourceLog    = "log" // nothing read back: the load's own records only
)

// ErrNoReconciliation: nothing has been reconciled yet.
var ErrNoReconciliation = errors.New("nothing has been reconciled yet")

// Options say what to reconcile against.
type Options struct {
	// Destination is the destination whose loads are reconciled; 0 means the one of the newest
	// full, delta or retry load.
	Destination int64
	// Exports are the new system's records from its own export; Reader reads them over the API
	// instead. With neither, the reconciliation uses the load's records only (SourceLog).
	Exports []Export
	Reader  Reader
	// Normalise sets a field's normalisers ("Patient.telecom.phone": {"trim", "digits"}),
	// replacing the defaults of its type; see Normalisers.
	Normalise map[string][]string
	// IDColumn is the export column with the new system's id ("" finds id, new_id, record_id).
	IDColumn string
	// Progress is called as entities are worked through (throttle it in a GUI).
	Progress func(Progress)

	only  string // Records: this entity only, without read-back
	keep  bool   // Records: keep every record's stage
	stage string
}

// Progress of a run.
type Progress struct {
	Entity string `json:"entity"`
	Done   int64  `json:"done"`  // records worked through so far
	Total  int64  `json:"total"` // records to work through
}

// Destination is where the reconciled loads went.
type Destination struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Result is one reconciliation.
type Result struct {
	ID            int64       `json:"id,omitempty"` // once saved
	At            string      `json:"at"`
	Actor         string      `json:"actor,omitempty"`
	Destination   Destination `json:"destination"`
	Runs          []int64     `json:"runs"`   // load runs whose records were read
	Source        string      `json:"source"` // export, api or log
	Sources       []Export    `json:"sources,omitempty"`
	TargetVersion int         `json:"target_version"`
	MapRevision   int64       `json:"map_revision"`
	// Verdict in words: "All 4,512 records reconciled", "3 differences", "Nothing has been loaded yet".
	Verdict    string `json:"verdict"`
	Records    int64  `json:"records"`    // legacy records (staged, after cleanse)
	Reconciled int64  `json:"reconciled"` // loaded and found exactly as sent (0 when not read back)
	// Differences counts records with a difference (a record with three changed fields counts once).
	Differences int            `json:"differences"`
	ByKind      map[string]int `json:"by_kind"` // records with a difference, per kind
	Entities    []EntityResult `json:"entities"`
	Sums        []Sum          `json:"sums"`
	Diffs       []Diff         `json:"diffs,omitempty"`
	Notes       []string       `json:"notes,omitempty"`

	keys map[string]map[string][]RecordRef // Records: entity → stage → records
}

// EntityResult is one entity's waterfall and read-back.
type EntityResult struct {
	Entity   string        `json:"entity"`
	Table    string        `json:"table"`
	Imported int64         `json:"imported"`
	Purged   []ReasonCount `json:"purged,omitempty"`
	PurgedN  int64         `json:"purged_total"`
	Merged   int64         `json:"merged"`
	Staged   int64         `json:"staged"` // after cleanse: imported − purged − merged
	Invalid  int64         `json:"invalid"`
	Loaded   int64         `json:"loaded"`
	Rejected int64         `json:"rejected"`
	Failed   int64         `json:"failed"`
	Missing  int64         `json:"missing"` // still missing: not sent yet (or removed again)
	// Read back (when ReadBack): records found as sent, found with a change, not found,
	// duplicates and extras in the new system, and the fields compared.
	ReadBack   bool     `json:"read_back"`
	Found      int64    `json:"found"`
	Matched    int64    `json:"matched"`
	Changed    int64    `json:"changed"`
	NotFound   int64    `json:"not_found"`
	Duplicates int64    `json:"duplicates"`
	Extra      int64    `json:"extra"`
	Compared   []string `json:"compared,omitempty"`
	// Stale counts loaded records whose mapped values differ from what was sent (the old data or
	// the map changed since the load): they are compared as they are mapped now.
	Stale int64 `json:"stale,omitempty"`
}

// AddsUp says whether the waterfall's numbers add up to the rows imported.
func (e EntityResult) AddsUp() bool {
	return e.Imported == e.PurgedN+e.Merged+e.Invalid+e.Loaded+e.Rejected+e.Failed+e.Missing &&
		e.Staged == e.Invalid+e.Loaded+e.Rejected+e.Failed+e.Missing
}

// ReasonCount is how many rows were purged for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Rows   int64  `json:"rows"`
}

// Diff is one difference: a record (and for changed records a field) with what was sent and
// what was found.
type Diff struct {
	Entity string `json:"entity"`
	Key    string `json:"key"` // legacy key ("" for an extra record without one)
	Row    int64  `json:"row,omitempty"`
	NewID  string `json:"new_id,omitempty"`
	Kind   string `json:"kind"`
	Field  string `json:"field,omitempty"`
	Sent   string `json:"sent,omitempty"`
	Found  string `json:"found,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// RecordRef is one record behind a number of the waterfall.
type RecordRef struct {
	Entity string `json:"entity"`
	Table  string `json:"table"`
	Row    int64  `json:"row"`
	Line   int64  `json:"line,omitempty"`
	Key    string `json:"key"`
	Stage  string `json:"stage"`
	Status string `json:"status,omitempty"` // the load's status, or the purge reason
	NewID  string `json:"new_id,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// outcome is a legacy record's result at the destination.
type outcome struct {
	status, newID, sentHash, err string
	run                          int64
	inCrosswalk                  bool
}

// Run reconciles the project's loads. It only reads; Save stores the result.
func Run(ctx context.Context, p *project.Project, opts Options) (*Result, error) {
	res := &Result{At: time.Now().UTC().Format(time.RFC3339), Actor: p.Who().Actor, ByKind: map[string]int{}, Source: SourceLog}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the mapped records: %w", err)
	}
	res.TargetVersion, res.MapRevision = f.TargetVersion, f.MapRevision
	db := p.Reader()
	if err := pickDestination(ctx, db, opts.Destination, res); err != nil {
		return nil, err
	}
	outcomes, err := loadOutcomes(ctx, db, res)
	if err != nil {
		return nil, err
	}
	removed, err := cleanse.RemovedCounts(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("reading what Cleanse took out: %w", err)
	}
	pl, _ := plan.Load(ctx, p)
	region := pl.Region()

	// Read-back sources, by entity.
	rbs := map[string]*readback{}
	if opts.only == "" {
		for _, ex := range opts.Exports {
			e, err := exportEntity(ex, f)
			if err != nil {
				return nil, err
			}
			if rbs[e.Name] != nil {
				return nil, fmt.Errorf("%s and %s both hold %s: give one export per kind of record", rbs[e.Name].source, ex.Name, e.Name)
			}
			rb, err := fromExport(ex, e, opts.IDColumn)
			if err != nil {
				return nil, err
			}
			rbs[e.Name] = rb
			res.Source = SourceExport
			res.Sources = append(res.Sources, Export{Name: ex.Name, SHA256: ex.SHA256, Entity: e.Name})
		}
		if opts.Reader != nil && len(opts.Exports) == 0 {
			res.Source = SourceAPI
			for _, e := range f.Entities {
				if len(outcomes[e.Name]) == 0 {
					continue
				}
				rb, err := fromReader(ctx, opts.Reader, &e)
				if err != nil {
					return nil, err
				}
				rbs[e.Name] = rb
			}
		}
	}

	// The new system's id → legacy key per entity, and legacy key → new id (references).
	newIDOf := map[string]map[string]string{}
	keyOfNew := map[string]map[string]string{}
	for ent, m := range outcomes {
		a, b := map[string]string{}, map[string]string{}
		for k, o := range m {
			if o.newID != "" && loadedStatus(o) {
				a[k] = o.newID
				b[o.newID] = k
			}
		}
		newIDOf[ent], keyOfNew[ent] = a, b
	}

	var total int64
	for _, e := range f.Entities {
		total += e.Rows
	}
	var done int64
	for ei := range f.Entities {
		e := &f.Entities[ei]
		if opts.only != "" && e.Name != opts.only {
			continue
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Entity: e.Name, Done: done, Total: total})
		}
		er := EntityResult{Entity: e.Name, Table: e.Table}
		for _, rc := range removed {
			if rc.Table != e.Table {
				continue
			}
			if rc.Kind == "merge" {
				er.Merged += rc.Rows
			} else {
				er.PurgedN += rc.Rows
				er.Purged = append(er.Purged, ReasonCount{Reason: rc.Reason, Rows: rc.Rows})
			}
		}
		ec := newEntityCheck(e, &f.Def, rbs[e.Name], outcomes[e.Name], newIDOf, keyOfNew, opts, region)
		if ec.err != nil {
			return nil, ec.err
		}
		if opts.keep {
			if res.keys == nil {
				res.keys = map[string]map[string][]RecordRef{}
			}
			ec.keep = map[string][]RecordRef{}
			ec.stage = opts.stage
		}
		err := f.Scan(ctx, e.Name, nil, func(rec mapping.Record) error {
			done++
			if done%8192 == 0 && opts.Progress != nil {
				opts.Progress(Progress{Entity: e.Name, Done: done, Total: total})
			}
			ec.record(rec, &er)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.Name, err)
		}
		ec.finish(&er)
		er.Imported = er.Staged + er.PurgedN + er.Merged
		if !er.AddsUp() {
			return nil, fmt.Errorf("%s: the counts do not add up (%+v): please report this", e.Name, er)
		}
		res.Entities = append(res.Entities, er)
		res.Records += er.Staged
		res.Reconciled += er.Matched
		res.Diffs = append(res.Diffs, ec.diffs...)
		for _, s := range ec.sums {
			res.Sums = append(res.Sums, s.result(ec.rb != nil))
		}
		if opts.keep {
			res.keys[e.Name] = ec.keep
		}
		if ec.rb != nil && ec.missingCols != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %s has no column for %s; those fields were not compared.", e.Name, ec.rb.source, ec.missingCols))
		}
		if er.Stale > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %d loaded records map differently now than when they were sent (the old data or the map changed since the load); they were compared as mapped now.", e.Name, er.Stale))
		}
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Done: done, Total: total})
	}
	res.count()
	return res, nil
}

// count works out the differences per record and the verdict.
func (res *Result) count() {
	seen := map[string]bool{}
	res.ByKind = map[string]int{}
	for _, d := range res.Diffs {
		id := d.Entity + "\x00" + d.Kind + "\x00" + d.Key + "\x00" + d.NewID
		if !seen[id] {
			seen[id] = true
			res.ByKind[d.Kind]++
			res.Differences++
		}
	}
	var loaded int64
	for _, e := range res.Entities {
		loaded += e.Loaded
	}
	switch {
	case loaded == 0 && res.Destination.ID == 0:
		res.Verdict = fmt.Sprintf("Nothing has been loaded yet: %s records are waiting", thousands(res.Records))
	case res.Differences == 1:
		res.Verdict = "1 difference"
	case res.Differences > 0:
		res.Verdict = fmt.Sprintf("%s differences", thousands(int64(res.Differences)))
	case res.Source == SourceLog:
		res.Verdict = fmt.Sprintf("All %s records loaded; read the new system back to prove it", thousands(res.Records))
	default:
		res.Verdict = fmt.Sprintf("All %s records reconciled", thousands(res.Records))
	}
}

func loadedStatus(o *outcome) bool {
	if o.inCrosswalk {
		return true
	}
	switch o.status {
	case "created", "existing", "updated":
		return true
	}
	return false
}

func pickDestination(ctx context.Context, db *sql.DB, id int64, res *Result) error {
	if id == 0 {
		err := db.QueryRowContext(ctx, `SELECT destination_id FROM ferry_load_runs
			WHERE mode IN ('full', 'delta', 'retry') ORDER BY run_id DESC LIMIT 1`).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("finding the load to reconcile: %w", err)
		}
	}
	d := &res.Destination
	err := db.QueryRowContext(ctx, `SELECT id, name, kind FROM ferry_destinations WHERE id = ?`, id).Scan(&d.ID, &d.Name, &d.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("there is no destination %d", id)
	}
	if err != nil {
		return fmt.Errorf("reading the destination: %w", err)
	}
	return nil
}

// loadOutcomes reads every legacy record's result at the destination: the newest status from
// its load runs (sample runs left out), and the crosswalk, which says what is there now.
func loadOutcomes(ctx context.Context, db *sql.DB, res *Result) (map[string]map[string]*outcome, error) {
	out := map[string]map[string]*outcome{}
	if res.Destination.ID == 0 {
		return out, nil
	}
	runs, err := db.QueryContext(ctx, `SELECT run_id FROM ferry_load_runs WHERE destination_id = ? AND mode <> 'sample' ORDER BY run_id`, res.Destination.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the load runs: %w", err)
	}
	for runs.Next() {
		var id int64
		if err := runs.Scan(&id); err != nil {
			runs.Close()
			return nil, err
		}
		res.Runs = append(res.Runs, id)
	}
	runs.Close()
	get := func(ent, key string) *outcome {
		m := out[ent]
		if m == nil {
			m = map[string]*outcome{}
			out[ent] = m
		}
		o := m[key]
		if o == nil {
			o = &outcome{}
			m[key] = o
		}
		return o
	}
	rows, err := db.QueryContext(ctx, `SELECT r.run_id, r.entity, r.legacy_key, r.status, r.new_id, r.error, r.sent_hash
		FROM ferry_load_records r JOIN ferry_load_runs l ON l.run_id = r.run_id
		WHERE l.destination_id = ? AND l.mode <> 'sample' AND r.status <> 'skipped'
		ORDER BY r.run_id`, res.Destination.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the load's records: %w", err)
	}
	for rows.Next() {
		var run int64
		var ent, key, st, nid, msg, h string
		if err := rows.Scan(&run, &ent, &key, &st, &nid, &msg, &h); err != nil {
			rows.Close()
			return nil, err
		}
		o := get(ent, key)
		o.run, o.status, o.err = run, st, msg
		if nid != "" {
			o.newID = nid
		}
		if h != "" {
			o.sentHash = h
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cw, err := db.QueryContext(ctx, `SELECT entity, legacy_key, new_id, run_id, sent_hash FROM ferry_crosswalk WHERE destination_id = ?`, res.Destination.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the crosswalk: %w", err)
	}
	defer cw.Close()
	for cw.Next() {
		var ent, key, nid, h string
		var run int64
		if err := cw.Scan(&ent, &key, &nid, &run, &h); err != nil {
			return nil, err
		}
		o := get(ent, key)
		o.inCrosswalk, o.newID = true, nid
		if h != "" {
			o.sentHash = h
		}
		if o.run == 0 {
			o.run = run
		}
	}
	return out, cw.Err()
}

// entityCheck works through one entity's records.
type entityCheck struct {
	e        *mapping.FeedEntity
	def      *target.Entity
	rb       *readback
	outcomes map[string]*outcome
	norms    []*normaliser
	refs     []map[string]string // field → legacy key → new id of the entity referred to
	sums     []*sumAcc
	accs     *accounts        // the accounts (patients) money is totalled per, shared by sums
	newAcc   map[string]int32 // account as the new system names it → index in accs
	keyOfNew map[string]map[string]string
	refEnt   []string
	diffs    []Diff
	keep     map[string][]RecordRef
	stage    string
	err      error

	missingCols string
}

func newEntityCheck(e *mapping.FeedEntity, def *target.Definition, rb *readback, outcomes map[string]*outcome,
	newIDOf, keyOfNew map[string]map[string]string, opts Options, region string) *entityCheck {
	ec := &entityCheck{e: e, def: def.Entity(e.Name), rb: rb, outcomes: outcomes, keyOfNew: keyOfNew,
		accs: newAccounts(), newAcc: map[string]int32{}}
	ec.norms = make([]*normaliser, len(e.Fields))
	ec.refs = make([]map[string]string, len(e.Fields))
	ec.refEnt = make([]string, len(e.Fields))
	by, bi := "", -1
	for i, fl := range e.Fields {
		n, err := newNormaliser(fl, opts.Normalise[e.Name+"."+fl.Name], region)
		if err != nil {
			ec.err = fmt.Errorf("%s: %w", e.Name, err)
			return ec
		}
		ec.norms[i] = n
		if fl.Type == target.Reference && fl.References != "" {
			ec.refs[i] = newIDOf[fl.References]
			ec.refEnt[i] = fl.References
			if bi < 0 && isAccount(fl.References, def) {
				by, bi = fl.Name, i
			}
		}
	}
	for i, fl := range e.Fields {
		if fl.Type == target.Money {
			ec.sums = append(ec.sums, newSumAcc(e.Name, fl.Name, i, by, bi, ec.accs))
		}
	}
	if rb != nil {
		var miss []string
		for i, fl := range e.Fields {
			if rb.fieldCol[i] < 0 {
				miss = append(miss, fl.Name)
			}
		}
		ec.missingCols = strings.Join(miss, ", ")
	}
	return ec
}

// isAccount says whether an entity is the one money is kept per: the patient (or client,
// account holder) – by concept, else by name.
func isAccount(entity string, def *target.Definition) bool {
	if e := def.Entity(entity); e != nil {
		switch strings.ToLower(e.Concept) {
		case "patient", "client", "account":
			return true
		}
	}
	switch strings.ToLower(entity) {
	case "patient", "client", "account":
		return true
	}
	return false
}

func (ec *entityCheck) add(ref RecordRef) {
	if ec.keep == nil || (ec.stage != "" && ec.stage != ref.Stage && ec.stage != StageImported) {
		return
	}
	ref.Entity, ref.Table = ec.e.Name, ec.e.Table
	ec.keep[ref.Stage] = append(ec.keep[ref.Stage], ref)
}

func (ec *entityCheck) record(rec mapping.Record, er *EntityResult) {
	er.Staged++
	claimed := -1 // the row of the new system this record matched
	o := ec.outcomes[rec.Key]
	acc := int32(-1) // every sum is kept per the same account field
	for _, s := range ec.sums {
		v := rec.Values[s.fieldIdx]
		s.legacy.add(v)
		if s.byIdx >= 0 {
			if acc < 0 {
				acc = ec.accs.of(rec.Values[s.byIdx])
			}
			s.at(&s.accLegacy, acc).add(v)
		}
	}
	ref := RecordRef{Row: rec.Row, Line: rec.Line, Key: rec.Key}
	if o != nil {
		ref.Status, ref.NewID = o.status, o.newID
	}
	notLoaded := func(stage, status, detail string) { ec.notLoaded(ref, rec, stage, status, detail) }
	switch {
	case o != nil && loadedStatus(o):
		er.Loaded++
		ref.Stage = StageLoaded
		ec.add(ref)
		if o.sentHash != "" && o.sentHash != rec.Hash(ec.e.Fields) {
			er.Stale++
		}
		if ec.rb != nil {
			claimed = ec.compare(rec, o, er)
		}
	case o != nil && o.status == "rejected":
		er.Rejected++
		notLoaded(StageRejected, "", "the new system refused it: "+o.err)
	case o != nil && o.status == "failed":
		er.Failed++
		notLoaded(StageFailed, "", "gave up after retries: "+o.err)
	case (o != nil && o.status == "invalid") || ((o == nil || o.status == "") && !rec.Valid()):
		er.Invalid++
		msg := rec.Error(ec.e.Fields)
		if o != nil && o.err != "" {
			msg = o.err
		}
		notLoaded(StageInvalid, "invalid", "not sent, the mapped record has errors: "+msg)
	default:
		er.Missing++
		st, why := "not sent", "not sent yet"
		if o != nil && o.status != "" {
			st = o.status
			switch o.status {
			case "deleted":
				why = "removed again from the new system (rollback or cleanup)"
			case "sending":
				why = "sent, outcome unknown (the run stopped): resume the load to look it up"
			case "pending":
				why = "waiting in an unfinished run"
			default:
				why = "status " + o.status
			}
		}
		notLoaded(StageMissing, st, why)
	}
	// Rows with this legacy key are ours (not extras) – nothing to note when the only one is
	// the row just claimed.
	if rb := ec.rb; rb != nil && rb.byKey != nil &&
		(claimed < 0 || rb.sharedKy[claimed] || rb.key(claimed) != rec.Key) {
		rb.markOurs(rec.Key)
	}
}

func (ec *entityCheck) notLoaded(ref RecordRef, rec mapping.Record, stage, status, detail string) {
	ref.Stage, ref.Detail = stage, detail
	if status != "" {
		ref.Status = status
	}
	ec.add(ref)
	ec.diffs = append(ec.diffs, Diff{Entity: ec.e.Name, Key: rec.Key, Row: rec.Row, NewID: ref.NewID, Kind: KindNotLoaded, Field: ref.Status, Detail: detail})
}

// compare checks one loaded record against the new system's, and returns the row it matched
// (-1 when none).
func (ec *entityCheck) compare(rec mapping.Record, o *outcome, er *EntityResult) int {
	rb := ec.rb
	// By the new system's id when the source has ids (a record deleted and typed in again by
	// hand is then missing plus an extra or duplicate); otherwise by the legacy key.
	idx := -1
	if rb.byID != nil && o.newID != "" {
		if i, ok := rb.byID[o.newID]; ok && !rb.claimed[i] {
			idx = i
		}
	} else if rb.keyCol >= 0 {
		rb.rowsWithKey(rec.Key, func(i int) bool {
			if !rb.claimed[i] {
				idx = i
				return false
			}
			return true
		})
	}
	if idx < 0 {
		er.NotFound++
		ec.diffs = append(ec.diffs, Diff{Entity: ec.e.Name, Key: rec.Key, Row: rec.Row, NewID: o.newID, Kind: KindMissing,
			Detail: fmt.Sprintf("loaded (run %d) but not in %s", o.run, rb.source)})
		return -1
	}
	rb.claimed[idx] = true
	er.Found++
	ec.sumNew(idx)
	changed := false
	for i, fl := range ec.e.Fields {
		found, ok := rb.cell(idx, i)
		if !ok {
			continue
		}
		sent := rec.Values[i]
		if ec.same(i, sent, found) {
			continue
		}
		changed = true
		ec.diffs = append(ec.diffs, Diff{Entity: ec.e.Name, Key: rec.Key, Row: rec.Row, NewID: o.newID, Kind: KindChanged,
			Field: fl.Name, Sent: sent, Found: found})
	}
	if changed {
		er.Changed++
	} else {
		er.Matched++
	}
	return idx
}

func (ec *entityCheck) same(i int, sent, found string) bool {
	if sent == found {
		return true
	}
	if m := ec.refs[i]; m != nil {
		s := strings.TrimSpace(sent)
		if id, ok := m[s]; ok && id == strings.TrimSpace(found) {
			return true
		}
	}
	n := ec.norms[i]
	return n.apply(sent) == n.apply(found)
}

// sumNew adds a record of the new system to the money totals, its account translated back to
// the legacy key.
func (ec *entityCheck) sumNew(idx int) {
	ai := int32(-1)
	for _, s := range ec.sums {
		v, ok := ec.rb.cell(idx, s.fieldIdx)
		if !ok {
			continue
		}
		s.new.add(v)
		if s.byIdx >= 0 {
			if ai < 0 {
				ai = ec.newAccount(idx, s.byIdx)
			}
			s.at(&s.accNew, ai).add(v)
		}
	}
}

// newAccount is the account of a record of the new system, translated back to the legacy key
// (once per account: the translation is remembered).
func (ec *entityCheck) newAccount(idx, byIdx int) int32 {
	acc, _ := ec.rb.cell(idx, byIdx)
	acc = strings.TrimSpace(acc)
	if ai, ok := ec.newAcc[acc]; ok {
		return ai
	}
	k := acc
	if l, ok := ec.keyOfNew[ec.refEnt[byIdx]][acc]; ok {
		k = l
	}
	ai := ec.accs.of(k)
	ec.newAcc[acc] = ai
	return ai
}

// finish lists what the new system has that no loaded record claimed: duplicates of a legacy
// key and extra records.
func (ec *entityCheck) finish(er *EntityResult) {
	rb := ec.rb
	if rb == nil {
		return
	}
	er.ReadBack = true
	for i, fl := range ec.e.Fields {
		if rb.fieldCol[i] >= 0 {
			er.Compared = append(er.Compared, fl.Name)
		}
	}
	for i := range rb.rows {
		if rb.claimed[i] {
			continue
		}
		ec.sumNew(i)
		id := ""
		if rb.ids != nil {
			id = rb.ids[i]
		}
		k := rb.key(i)
		where := fmt.Sprintf("%s line %d", rb.source, rb.lines[i])
		if rb.api {
			where = "the new system"
		}
		switch {
		case k != "" && rb.ours[i]:
			er.Duplicates++
			ec.diffs = append(ec.diffs, Diff{Entity: ec.e.Name, Key: k, NewID: id, Kind: KindDuplicate,
				Detail: "a second record with this legacy key in " + where})
		default:
			er.Extra++
			d := "not from Ferry (" + where + ")"
			if o := ec.outcomes[k]; k != "" && o != nil && loadedStatus(o) {
				d = fmt.Sprintf("loaded by Ferry (run %d) but no longer in the old data (%s)", o.run, where)
			}
			ec.diffs = append(ec.diffs, Diff{Entity: ec.e.Name, Key: k, NewID: id, Kind: KindExtra, Detail: d})
		}
	}
}

// Records lists the records behind one number of an entity's waterfall (a Stage constant);
// for purged and merged rows, the reason or the survivor is in Status and Detail.
func Records(ctx context.Context, p *project.Project, entity, stage string) ([]RecordRef, error) {
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, err
	}
	fe := f.Entity(entity)
	if fe == nil {
		return nil, fmt.Errorf("%s: %w", entity, mapping.ErrNoEntity)
	}
	var out []RecordRef
	if stage == StagePurged || stage == StageMerged || stage == StageImported {
		rem, err := cleanse.RemovedRows(ctx, p, fe.Table, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, r := range rem {
			st := StagePurged
			ref := RecordRef{Entity: entity, Table: fe.Table, Row: r.Row, Line: r.Line, Key: r.Key, Status: r.Reason}
			if r.Kind == "merge" {
				st = StageMerged
				ref.Status = "merged"
				ref.Detail = fmt.Sprintf("merged into row %d", r.Survivor)
			}
			ref.Stage = st
			if stage == StageImported || stage == st {
				out = append(out, ref)
			}
		}
		if stage != StageImported {
			return out, nil
		}
	}
	res, err := Run(ctx, p, Options{only: entity, keep: true, stage: stage})
	if err != nil {
		return nil, err
	}
	for st, refs := range res.keys[entity] {
		if stage == StageImported || st == stage {
			out = append(out, refs...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out, nil
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
