// Package rollback takes a run back out of the new system: it deletes the records that run
// created (ferry_crosswalk rows with its run id), children before parents, with the
// destination's own rate limit and retries, and records the outcome as a run of its own
// (ferry_runs kind 'rollback', ferry_load_runs mode 'rollback', parent = the run), one record
// each: 'deleted' (its crosswalk row removed in the same transaction), 'skipped' (kept: staff
// edited it since), 'rejected' or 'failed' with the target's message. Clean up sample is the
// rollback of a sample run; confirmed deletions of a delta cutover are a rollback limited to
// some keys.
//
// Check says how far a run can be rolled back – the rollback window:
//
//   - full while only Ferry has written to the new system: every record it created still
//     holds what Ferry sent, checked by reading each one back;
//   - partial once staff have edited migrated records: those are listed and kept, the rest
//     can go;
//   - forward-fix only after the legacy system is retired (the Plan's "legacy_retired" date
//     has passed): the old system can no longer take the work back, so mistakes are fixed in
//     the new system;
//   - for file destinations Ferry never wrote to the new system: rollback happens in the
//     target's own tools.
//
// Reading back: a rest destination's record is read at its Delete path (the record's own
// URL, /api/collections/patient/records/{id} on PocketBase), and each field of the flat body
// Ferry sent is compared with what the record holds now (references through the crosswalk).
// What Ferry sent is known from the record as mapped now when its hash still equals the
// crosswalk's sent_hash; otherwise, or for a body template, whether it was edited cannot be
// told and the record is counted as unknown. A FHIR resource whose meta.versionId is no longer
// "1" was edited.
package rollback

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// Kind is the rollback window.
type Kind string

const (
	Full       Kind = "full"
	Partial    Kind = "partial"
	ForwardFix Kind = "forward_fix"
	Files      Kind = "files"
	Nothing    Kind = "nothing" // the run left nothing in the new system (already rolled back)
)

// PlanRetired is the Plan field with the date the legacy system is retired (YYYY-MM-DD).
const PlanRetired = "legacy_retired"

var (
	// ErrNoRun is returned for a run that is not a load run.
	ErrNoRun = errors.New("no such load run")
	// ErrFiles is returned when asked to roll back a files destination.
	ErrFiles = errors.New("Ferry only wrote import files for this destination: roll it back in the new system's own tools")
	// ErrForwardFix is returned when the legacy system is retired.
	ErrForwardFix = errors.New("the old system is retired: fix forward in the new system instead of rolling back")
	// ErrNoDelete is returned when an entity's configuration has no Delete path.
	ErrNoDelete = errors.New("the destination does not say how to delete")
)

// Record is one record a run created.
type Record struct {
	Entity   string `json:"entity"`
	Key      string `json:"key"`
	NewID    string `json:"new_id"`
	Row      int64  `json:"row"`
	SentHash string `json:"-"`
	// State after a Check: "same" (holds what Ferry sent), "edited", "gone" (not in the new
	// system any more), "unknown" (could not tell), "" (not checked).
	State string `json:"state,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Window is how far a run can be rolled back, and why.
type Window struct {
	Run         int64    `json:"run"`
	Mode        string   `json:"mode"`
	Destination string   `json:"destination"`
	DestKind    string   `json:"destination_kind"`
	Kind        Kind     `json:"kind"`
	Reason      string   `json:"reason"`
	Records     []Record `json:"records"` // what the run created that is still in the crosswalk
	Edited      int      `json:"edited"`
	Unknown     int      `json:"unknown"`
	Gone        int      `json:"gone"`
	Checked     bool     `json:"checked"` // records were read back
}

// Progress is where a check or a rollback stands.
type Progress struct {
	Stage  string `json:"stage"` // check, delete
	Entity string `json:"entity"`
	Done   int64  `json:"done"`
	Total  int64  `json:"total"`
}

// Options say which run to take back and how.
type Options struct {
	Run int64
	// Keys limits a rollback to these legacy keys per entity (nil: everything the run
	// created). A delta's confirmed deletions use it with Run 0: whatever run created them.
	Keys map[string]map[string]bool
	// KeepEdited leaves records staff edited in place (a partial rollback); without it they
	// are deleted too, when a person has said so.
	KeepEdited bool
	// NoCheck skips reading records back before deleting (sample clean-up: delete exactly
	// what the sample created).
	NoCheck  bool
	Secret   func(load.Destination) (string, error)
	Progress func(Progress)
	// Kind is the ferry_runs kind of the rollback run (default load.RunRollback).
	Kind string
	// Now is today for the Plan's retirement date (tests); zero means now.
	Now time.Time
}

// Result is how a rollback ended.
type Result struct {
	RunID   int64            `json:"run_id"`
	Parent  int64            `json:"parent"`
	Window  *Window          `json:"window"`
	Counts  map[string]int64 `json:"counts"`
	Problem []load.RecordResult
	State   string `json:"state"`
}

type runInfo struct {
	id, destID, targetID int64
	targetVersion        int
	mode                 string
	dest                 load.Destination
}

func readRun(ctx context.Context, p *project.Project, run int64) (*runInfo, error) {
	ri := &runInfo{id: run}
	var cfg string
	err := p.Reader().QueryRowContext(ctx, `SELECT l.destination_id, l.mode, l.dest_config, r.target_id, r.target_version
		FROM ferry_load_runs l JOIN ferry_runs r ON r.id = l.run_id WHERE l.run_id = ?`, run).
		Scan(&ri.destID, &ri.mode, &cfg, &ri.targetID, &ri.targetVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("run %d: %w", run, ErrNoRun)
	}
	if err != nil {
		return nil, fmt.Errorf("reading run %d: %w", run, err)
	}
	ds, err := load.Destinations(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.ID == ri.destID {
			ri.dest = d
		}
	}
	if ri.dest.ID == 0 {
		return nil, fmt.Errorf("run %d: its destination was deleted from the project", run)
	}
	// The configuration the run used, not a later edit of it.
	if c, err := load.ParseConfig([]byte(cfg)); err == nil {
		ri.dest.Config = c
	}
	return ri, nil
}

// created reads the crosswalk rows of the run (or of every run when run is 0, limited to keys).
func created(ctx context.Context, p *project.Project, ri *runInfo, keys map[string]map[string]bool) ([]Record, error) {
	q := `SELECT c.entity, c.legacy_key, c.new_id, c.sent_hash, ifnull(r.source_row, 0) FROM ferry_crosswalk c
		LEFT JOIN ferry_load_records r ON r.run_id = c.run_id AND r.entity = c.entity AND r.legacy_key = c.legacy_key
		WHERE c.destination_id = ? AND (? = 0 OR c.run_id = ?) ORDER BY c.entity, c.legacy_key`
	rows, err := p.Reader().QueryContext(ctx, q, ri.destID, ri.id, ri.id)
	if err != nil {
		return nil, fmt.Errorf("reading what run %d created: %w", ri.id, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Entity, &r.Key, &r.NewID, &r.SentHash, &r.Row); err != nil {
			return nil, err
		}
		if keys != nil && !keys[r.Entity][r.Key] {
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// order sorts records children before parents: entities in the reverse of the order their
// references need (a patient after its appointments), then by key.
func order(def target.Definition, recs []Record) {
	rank := map[string]int{}
	state := map[string]int{}
	byName := map[string]target.Entity{}
	for _, e := range def.Entities {
		byName[e.Name] = e
	}
	n := 0
	var visit func(name string)
	visit = func(name string) {
		if state[name] != 0 {
			return
		}
		state[name] = 1
		for _, f := range byName[name].Fields {
			if f.References != "" && f.References != name {
				visit(f.References)
			}
		}
		state[name] = 2
		rank[name] = n
		n++
	}
	for _, e := range def.Entities {
		visit(e.Name)
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.Entity != b.Entity {
			return rank[a.Entity] > rank[b.Entity]
		}
		return a.Key < b.Key
	})
}

// Check works out the rollback window of a run, reading every record it created back from the
// new system (unless opts.NoCheck).
func Check(ctx context.Context, p *project.Project, opts Options) (*Window, error) {
	ri, err := readRun(ctx, p, opts.Run)
	if err != nil {
		return nil, err
	}
	return check(ctx, p, ri, opts)
}

func check(ctx context.Context, p *project.Project, ri *runInfo, opts Options) (*Window, error) {
	w := &Window{Run: ri.id, Mode: ri.mode, Destination: ri.dest.Name, DestKind: ri.dest.Kind}
	if ri.dest.Kind == load.KindFiles {
		w.Kind, w.Reason = Files, "Ferry wrote import files for "+ri.dest.Name+"; it never wrote to the new system itself. "+
			"Rolling back happens in the new system's own tools (its import history or a restore)."
		return w, nil
	}
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if d := strings.TrimSpace(pl[PlanRetired]); d != "" && d <= now.Format("2006-01-02") {
		w.Kind, w.Reason = ForwardFix, fmt.Sprintf("The old system was retired on %s: it can no longer take the work back. "+
			"Fix forward in the new system; rolling back would leave the practice with neither.", d)
		return w, nil
	}
	recs, err := created(ctx, p, ri, opts.Keys)
	if err != nil {
		return nil, err
	}
	w.Records = recs
	if len(recs) == 0 {
		w.Kind, w.Reason = Nothing, fmt.Sprintf("Nothing run %d created is left in %s: it has been rolled back or cleaned up already.", ri.id, ri.dest.Name)
		return w, nil
	}
	if !opts.NoCheck {
		if err := readBack(ctx, p, ri, w, opts); err != nil {
			return nil, err
		}
	}
	switch {
	case w.Edited > 0:
		w.Kind = Partial
		w.Reason = fmt.Sprintf("Staff have changed %s of the %s run %d created since Ferry wrote them. A rollback now deletes "+
			"the %s nobody touched and leaves the edited ones for a person to decide.",
			count(w.Edited, "record", "records"), count(len(recs), "record", "records"), ri.id, count(len(recs)-w.Edited-w.Gone, "record", "records"))
	default:
		w.Kind = Full
		w.Reason = fmt.Sprintf("Only Ferry has written the %s run %d created: all of them can be deleted.", count(len(recs), "record", "records"), ri.id)
		if !w.Checked {
			w.Reason = fmt.Sprintf("Run %d created %s; they were not read back to look for staff edits.", ri.id, count(len(recs), "record", "records"))
		}
	}
	if w.Unknown > 0 {
		w.Reason += fmt.Sprintf(" Whether %s changed cannot be told (the data changed since, or the body is a template).",
			count(w.Unknown, "record was", "records were"))
	}
	if w.Gone > 0 {
		w.Reason += fmt.Sprintf(" %s already gone from the new system.", count(w.Gone, "record is", "records are"))
	}
	return w, nil
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Do rolls back opts.Run (see the package comment).
func Do(ctx context.Context, p *project.Project, opts Options) (*Result, error) {
	ri, err := readRun(ctx, p, opts.Run)
	if err != nil {
		return nil, err
	}
	return do(ctx, p, ri, opts)
}

// DeleteKeys deletes records of a destination by legacy key, whatever run created them (a
// delta's confirmed deletions).
func DeleteKeys(ctx context.Context, p *project.Project, destination string, keys map[string]map[string]bool, opts Options) (*Result, error) {
	d, err := load.GetDestination(ctx, p, destination)
	if err != nil {
		return nil, err
	}
	ri := &runInfo{destID: d.ID, dest: d, mode: load.ModeDelta}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, err
	}
	ri.targetID, ri.targetVersion = f.Target.ID, f.TargetVersion
	opts.Keys = keys
	return do(ctx, p, ri, opts)
}

func do(ctx context.Context, p *project.Project, ri *runInfo, opts Options) (*Result, error) {
	w, err := check(ctx, p, ri, opts)
	if err != nil {
		return nil, err
	}
	switch w.Kind {
	case Files:
		return nil, ErrFiles
	case ForwardFix:
		return nil, fmt.Errorf("%w (%s)", ErrForwardFix, w.Reason)
	}
	res := &Result{Parent: ri.id, Window: w, Counts: map[string]int64{}}
	if opts.Kind == "" {
		opts.Kind = load.RunRollback
	}
	def := target.Definition{}
	if v, err := target.GetVersion(ctx, p, ri.targetID, ri.targetVersion); err == nil {
		def = v.Def
	}
	recs := append([]Record(nil), w.Records...)
	order(def, recs)
	cfg := ri.dest.Config
	for _, r := range recs {
		if ec := cfg.Entities[r.Entity]; ri.dest.Kind == load.KindREST && (ec == nil || ec.Delete == "") {
			return nil, fmt.Errorf("destination %s, %s: %w: add its Delete path (e.g. /api/collections/x/records/{id})", ri.dest.Name, r.Entity, ErrNoDelete)
		}
	}
	c, err := openClient(ctx, p, ri.dest, opts)
	if err != nil {
		return nil, err
	}
	if err := start(ctx, p, ri, recs, opts, res); err != nil {
		return nil, err
	}
	state, err := deleteAll(ctx, p, c, ri, recs, opts, res)
	if ferr := finish(context.WithoutCancel(ctx), p, res, state); ferr != nil && err == nil {
		err = ferr
	}
	res.State = state
	return res, err
}

// start records the rollback run and its records (pending; edited ones 'skipped' when kept).
func start(ctx context.Context, p *project.Project, ri *runInfo, recs []Record, opts Options, res *Result) error {
	now := time.Now().UTC().Format(time.RFC3339)
	cfgJSON, _ := json.Marshal(ri.dest.Config)
	return p.Write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO ferry_runs(kind, target_id, target_version, map_revision, custody_seq,
			started_at, finished_at, actor, status, rows, errors, summary) VALUES (?,?,?,0,
			(SELECT ifnull(max(seq), 0) + 1 FROM ferry_custody),?,'',?,'running',?,0,'{}')`,
			opts.Kind, ri.targetID, ri.targetVersion, now, p.Who().Actor, len(recs))
		if err != nil {
			return fmt.Errorf("recording the rollback: %w", err)
		}
		res.RunID, _ = r.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_load_runs(run_id, destination_id, dest_version, dest_config, mode, state,
			parent, updated_at) VALUES (?,?,?,?,?,'running',?,?)`, res.RunID, ri.destID, ri.dest.Version, string(cfgJSON),
			load.ModeRollback, ri.id, now); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO ferry_load_records(run_id, entity, legacy_key, source_row, seq, status,
			new_id, error, sent_hash, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, r := range recs {
			status, msg := load.StatusPending, ""
			if r.State == "edited" && opts.KeepEdited {
				status, msg = load.StatusSkipped, "kept: "+r.Note
			}
			if _, err := ins.ExecContext(ctx, res.RunID, r.Entity, r.Key, r.Row, i+1, status, r.NewID, msg, r.SentHash, now); err != nil {
				return err
			}
		}
		return p.Log(ctx, tx, "load.rollback", map[string]any{"run": res.RunID, "parent": ri.id, "destination": ri.dest.Name,
			"records": len(recs), "window": res.Window.Kind}, nil)
	})
}

func finish(ctx context.Context, p *project.Project, res *Result, state string) error {
	now := time.Now().UTC().Format(time.RFC3339)
	rows, err := p.Reader().QueryContext(ctx, `SELECT status, count(*) FROM ferry_load_records WHERE run_id = ? GROUP BY status`, res.RunID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var st string
		var n int64
		rows.Scan(&st, &n)
		res.Counts[st] = n
	}
	rows.Close()
	if state == load.StateDone && res.Counts[load.StatusFailed]+res.Counts[load.StatusRejected] > 0 {
		state = load.StateDone
	}
	status := "ok"
	if res.Counts[load.StatusFailed]+res.Counts[load.StatusRejected] > 0 {
		status = "errors"
	}
	if state != load.StateDone {
		status = "failed"
	}
	sum, _ := json.Marshal(res.Counts)
	res.Problem, _ = load.Records(ctx, p, res.RunID, load.Filter{Statuses: []string{load.StatusFailed, load.StatusRejected}})
	return p.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_runs SET finished_at = ?, status = ?, errors = ?, summary = ? WHERE id = ?`,
			now, status, res.Counts[load.StatusFailed]+res.Counts[load.StatusRejected], string(sum), res.RunID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET state = ?, updated_at = ? WHERE run_id = ?`, state, now, res.RunID); err != nil {
			return err
		}
		return p.Log(ctx, tx, "load.rollback.finish", map[string]any{"run": res.RunID, "state": state, "counts": res.Counts}, nil)
	})
}

// deleteAll deletes the records entity by entity (children first), each entity's records by
// the destination's concurrency.
func deleteAll(ctx context.Context, p *project.Project, c *load.Client, ri *runInfo, recs []Record, opts Options, res *Result) (string, error) {
	var done int64
	total := int64(len(recs))
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].Entity == recs[i].Entity {
			j++
		}
		batch := recs[i:j]
		i = j
		jobs := make(chan Record)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for range max(1, ri.dest.Config.Concurrency) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range jobs {
					status, msg, code := remove(ctx, c, r)
					err := p.Write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
						if _, err := tx.ExecContext(ctx, `UPDATE ferry_load_records SET status = ?, error = ?, http_status = ?,
							attempts = attempts + 1, updated_at = ? WHERE run_id = ? AND entity = ? AND legacy_key = ?`,
							status, msg, code, time.Now().UTC().Format(time.RFC3339), res.RunID, r.Entity, r.Key); err != nil {
							return err
						}
						if status == load.StatusDeleted {
							_, err := tx.ExecContext(ctx, `DELETE FROM ferry_crosswalk WHERE destination_id = ? AND entity = ? AND legacy_key = ?`,
								ri.destID, r.Entity, r.Key)
							return err
						}
						return nil
					})
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					done++
					if opts.Progress != nil {
						opts.Progress(Progress{Stage: "delete", Entity: r.Entity, Done: done, Total: total})
					}
					mu.Unlock()
				}
			}()
		}
		for _, r := range batch {
			if r.State == "edited" && opts.KeepEdited {
				mu.Lock()
				done++
				mu.Unlock()
				continue
			}
			select {
			case jobs <- r:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		close(jobs)
		wg.Wait()
		if firstErr != nil {
			return load.StateFailed, firstErr
		}
		if ctx.Err() != nil {
			return load.StateCancelled, nil
		}
	}
	return load.StateDone, nil
}

// openClient is the destination's load.Client for the run's configuration, with the fields of
// the project's map (without them records can still be deleted, not compared or updated).
func openClient(ctx context.Context, p *project.Project, d load.Destination, opts Options) (*load.Client, error) {
	secret := ""
	if d.Config.NeedsSecret() {
		var err error
		if secret, err = load.Secret(d, opts.Secret); err != nil {
			return nil, err
		}
	}
	var entities []mapping.FeedEntity
	if f, err := mapping.New(p).Feed(ctx); err == nil {
		entities = f.Entities
	}
	return load.NewClient(d, entities, secret)
}

// remove deletes one record and says how it went: deleted (also when it was gone already),
// rejected with the target's words, or failed when no answer came.
func remove(ctx context.Context, cl *load.Client, r Record) (status, msg string, code int) {
	code, msg, err := cl.Remove(ctx, r.Entity, r.NewID)
	switch {
	case err != nil:
		return load.StatusFailed, err.Error(), code
	case code == http.StatusNotFound || code == http.StatusGone:
		return load.StatusDeleted, "already gone from the new system", code
	case msg != "":
		return load.StatusRejected, msg, code
	}
	return load.StatusDeleted, "", code
}
