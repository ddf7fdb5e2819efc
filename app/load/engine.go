package load

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/secrets"
	"github.com/ferry-migrate/ferry/app/target"
)

// Run kinds (ferry_runs.kind).
const (
	RunSample   = "sample"
	RunLoad     = "load"
	RunDelta    = "delta"
	RunRollback = "rollback"
)

// Run modes (ferry_load_runs.mode).
const (
	ModeFull     = "full"
	ModeSample   = "sample"
	ModeDelta    = "delta"
	ModeRollback = "rollback"
	ModeRetry    = "retry" // only what did not arrive in run parent
)

// Run states (ferry_load_runs.state).
const (
	StateRunning   = "running"
	StatePaused    = "paused"
	StateCancelled = "cancelled"
	StateDone      = "done"
	StateFailed    = "failed"
)

// Record statuses (ferry_load_records.status); a record is in exactly one at a time.
const (
	StatusPending  = "pending"
	StatusSending  = "sending"
	StatusCreated  = "created"
	StatusExisting = "existing"
	StatusUpdated  = "updated"
	StatusDeleted  = "deleted"
	StatusRejected = "rejected"
	StatusFailed   = "failed"
	StatusInvalid  = "invalid"
	StatusSkipped  = "skipped"
)

// Statuses lists the statuses in the order summaries show them.
var Statuses = []string{StatusCreated, StatusExisting, StatusUpdated, StatusDeleted, StatusRejected, StatusFailed,
	StatusInvalid, StatusSkipped, StatusSending, StatusPending}

// BatchSize is how many records one custody event of a run's outcomes covers.
const BatchSize = 500

// Options says which run to make and how to report on it.
type Options struct {
	// Destination names the destination; with Resume it may be "" (the newest unfinished run).
	Destination string
	// Kind is the ferry_runs kind (default RunLoad).
	Kind string
	// Resume continues the newest unfinished run to the destination from its records.
	Resume bool
	// RetryFailed starts a run that sends again what did not arrive in the newest run to the
	// destination (failed, left sending, never sent); rejected records stay rejected.
	RetryFailed bool
	// Secret is asked for the token, API key or password when the keyring has none.
	Secret func(d Destination) (string, error)
	// Progress is called about ten times a second and at the end, from the engine's goroutines.
	Progress func(Progress)
	// Pause lets the caller pause and resume the run; nil for none.
	Pause *PauseControl
	// Only, when set, limits a new run to these source rows of each entity (mapping.Feed.Scan's
	// only; an empty set: none of that entity): the sample run's selection (sample.Selection.Only).
	Only func(entity string) map[int64]bool
}

// Progress is where a run stands.
type Progress struct {
	RunID     int64            `json:"run_id"`
	State     string           `json:"state"`
	Entity    string           `json:"entity"` // being sent now
	Entities  []EntityProgress `json:"entities"`
	Done      int64            `json:"done"` // records with their final outcome
	Total     int64            `json:"total"`
	PerSecond float64          `json:"per_second"` // records finished per second in this session
	ETA       time.Duration    `json:"eta"`
	Counts    map[string]int64 `json:"counts"`
	// LastError is the newest problem, "Patient P0012: HTTP 400 …", for the running error list.
	LastError string `json:"last_error,omitempty"`
	Message   string `json:"message,omitempty"`
}

// EntityProgress is one entity's part of a run.
type EntityProgress struct {
	Name   string           `json:"name"`
	Done   int64            `json:"done"`
	Total  int64            `json:"total"`
	Counts map[string]int64 `json:"counts"`
}

// Result is how a run ended.
type Result struct {
	RunID       int64            `json:"run_id"`
	Destination string           `json:"destination"`
	Mode        string           `json:"mode"`
	State       string           `json:"state"`
	Message     string           `json:"message,omitempty"`
	Total       int64            `json:"total"`
	Counts      map[string]int64 `json:"counts"`
	Entities    []EntityProgress `json:"entities"`
	Elapsed     time.Duration    `json:"elapsed"`
	PerSecond   float64          `json:"per_second"`
}

// Complete says whether every valid record arrived (created or existing) and nothing is left.
func (r *Result) Complete() bool {
	return r.State == StateDone && r.Counts[StatusRejected] == 0 && r.Counts[StatusFailed] == 0 &&
		r.Counts[StatusPending] == 0 && r.Counts[StatusSending] == 0
}

// PauseControl pauses and resumes a run from another goroutine (the GUI's Pause button).
type PauseControl struct {
	mu      sync.Mutex
	paused  bool
	resumed chan struct{}
	notify  func(bool)
}

// NewPauseControl returns a control in the running position.
func NewPauseControl() *PauseControl { return &PauseControl{resumed: make(chan struct{})} }

// Pause stops new requests from starting; those in flight finish.
func (c *PauseControl) Pause() {
	c.mu.Lock()
	was := c.paused
	c.paused = true
	n := c.notify
	c.mu.Unlock()
	if !was && n != nil {
		n(true)
	}
}

// Resume lets the run go on.
func (c *PauseControl) Resume() {
	c.mu.Lock()
	was := c.paused
	if was {
		c.paused = false
		close(c.resumed)
		c.resumed = make(chan struct{})
	}
	n := c.notify
	c.mu.Unlock()
	if was && n != nil {
		n(false)
	}
}

// Paused says whether the run is paused.
func (c *PauseControl) Paused() bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused
}

func (c *PauseControl) wait(ctx context.Context) error {
	if c == nil {
		return ctx.Err()
	}
	for {
		c.mu.Lock()
		p, ch := c.paused, c.resumed
		c.mu.Unlock()
		if !p {
			return ctx.Err()
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// item is one record on its way.
type item struct {
	entity   string
	key      string
	row      int64
	seq      int64
	prev     string // status when this session picked it up
	attempts int
	values   []string
	hash     string
}

type outcome struct {
	it       *item
	status   string
	newID    string
	attempts int
	http     int
	err      string
}

type entProg struct {
	name   string
	total  int64
	done   int64
	counts map[string]int64
}

type runner struct {
	p     *project.Project
	opts  Options
	dest  Destination
	cfg   Config
	feed  *mapping.Feed
	runID int64
	mode  string
	proto protocol
	cl    *client

	xmu sync.Mutex
	xw  map[string]map[string]string // entity → legacy key → new id at this destination

	pmu      sync.Mutex
	ents     []*entProg
	byName   map[string]*entProg
	counts   map[string]int64
	total    int64
	session  int64 // outcomes written in this session
	start    time.Time
	lastProg time.Time
	current  string
	lastErr  string

	fails     atomic.Int64
	coolUntil atomic.Int64
	tripped   atomic.Pointer[string]
	fatal     atomic.Pointer[error]
	cancel    context.CancelFunc

	outs      chan outcome
	flushReq  chan chan struct{}
	writerEnd chan struct{}
	batch     map[string]int64
	batchN    int64
}

// Run makes a load run (or resumes one) and returns how it ended. An error is returned only
// when the run could not start or the project could not be written; what the new system did
// with each record is in the run's records, and Result.State says whether the run finished.
func Run(ctx context.Context, p *project.Project, opts Options) (*Result, error) {
	if opts.Kind == "" {
		opts.Kind = RunLoad
	}
	r := &runner{p: p, opts: opts, xw: map[string]map[string]string{}, counts: map[string]int64{},
		byName: map[string]*entProg{}, batch: map[string]int64{}}
	var err error
	if opts.Resume {
		err = r.resume(ctx)
	} else {
		r.dest, err = GetDestination(ctx, p, opts.Destination)
		r.cfg = r.dest.Config
	}
	if err != nil {
		return nil, err
	}
	r.cfg.Kind = r.dest.Kind
	r.cfg.defaults()
	if err := r.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("destination %s: %w", r.dest.Name, err)
	}
	if r.feed, err = mapping.New(p).Feed(ctx); err != nil {
		return nil, fmt.Errorf("reading the mapped data: %w", err)
	}
	if r.cfg.Kind == KindREST {
		var missing []string
		for _, e := range r.feed.Entities {
			if r.cfg.Entities[e.Name] == nil {
				missing = append(missing, e.Name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("destination %s: %w: no endpoint for %s", r.dest.Name, ErrBadConfig, strings.Join(missing, ", "))
		}
	}
	secret := ""
	if r.cfg.NeedsSecret() {
		if secret, err = resolveSecret(r.dest, opts.Secret); err != nil {
			return nil, err
		}
	}
	if !opts.Resume {
		if err := r.prepare(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.loadProgress(ctx); err != nil {
		return nil, err
	}
	return r.run(ctx, secret)
}

// Secret is the destination's secret: from the keyring entry its configuration names, else
// from ask (the GUI's password dialog, the CLI's environment variable or prompt).
func Secret(d Destination, ask func(Destination) (string, error)) (string, error) {
	return resolveSecret(d, ask)
}

func resolveSecret(d Destination, ask func(Destination) (string, error)) (string, error) {
	if k := d.Config.Auth.Keyring; k != "" {
		if s, err := secrets.Get(KeyringService, k); err == nil && s != "" {
			return s, nil
		}
	}
	if ask != nil {
		s, err := ask(d)
		if err != nil {
			return "", err
		}
		if s != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("destination %s: %w (save it in the keyring, or give it when the load starts)", d.Name, ErrNoSecret)
}

// resume finds the newest unfinished run (of the named destination, when one is named).
func (r *runner) resume(ctx context.Context) error {
	q := `SELECT l.run_id, l.destination_id, l.dest_config, l.mode FROM ferry_load_runs l
		WHERE l.state IN ('running','paused','cancelled')`
	var args []any
	if r.opts.Destination != "" {
		d, err := GetDestination(ctx, r.p, r.opts.Destination)
		if err != nil {
			return err
		}
		q += ` AND l.destination_id = ?`
		args = append(args, d.ID)
	}
	var destID int64
	var cfg string
	err := r.p.Reader().QueryRowContext(ctx, q+` ORDER BY l.run_id DESC LIMIT 1`, args...).Scan(&r.runID, &destID, &cfg, &r.mode)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: every load run has finished; start a new one", ErrNoRun)
	}
	if err != nil {
		return fmt.Errorf("finding the run to resume: %w", err)
	}
	r.dest, err = scanDest(r.p.Reader().QueryRowContext(ctx, `SELECT `+destCols+` FROM ferry_destinations WHERE id = ?`, destID))
	if err != nil {
		return fmt.Errorf("reading the run's destination: %w", err)
	}
	// The run goes on with the configuration it started with; only the secret comes from now.
	if c, err := ParseConfig([]byte(cfg)); err == nil {
		c.Auth.Keyring = r.dest.Config.Auth.Keyring
		r.dest.Config, r.cfg = c, c
	} else {
		r.cfg = r.dest.Config
	}
	return r.p.Do(ctx, "load.resume", map[string]any{"run": r.runID, "destination": r.dest.Name}, nil, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET state = 'running', message = '', updated_at = ? WHERE run_id = ?`, nowText(), r.runID)
		return err
	})
}

// prepare writes the run and every legacy record of the feed, in one transaction: a crash
// leaves either no run or a complete plan.
func (r *runner) prepare(ctx context.Context) error {
	r.mode = ModeFull
	if r.opts.Kind == RunSample {
		r.mode = ModeSample
	}
	var parent int64
	prior := map[string]string{} // entity \x00 key → status to carry over
	priorErr := map[string][3]string{}
	rd := r.p.Reader()
	// Records whose fate an earlier run did not learn must be looked up before anything is sent.
	rows, err := rd.QueryContext(ctx, `SELECT r.entity, r.legacy_key, r.status, r.error, r.attempts, r.http_status, r.run_id
		FROM ferry_load_records r JOIN ferry_load_runs l ON l.run_id = r.run_id
		WHERE l.destination_id = ? AND r.status IN ('sending','failed','rejected') ORDER BY r.run_id`, r.dest.ID)
	if err != nil {
		return fmt.Errorf("reading earlier runs: %w", err)
	}
	for rows.Next() {
		var e, k, st, msg string
		var att, hs, run int64
		if err := rows.Scan(&e, &k, &st, &msg, &att, &hs, &run); err != nil {
			rows.Close()
			return err
		}
		prior[e+"\x00"+k] = st
		priorErr[e+"\x00"+k] = [3]string{msg, fmt.Sprint(att), fmt.Sprint(hs)}
		parent = max(parent, run)
	}
	rows.Close()
	if r.opts.RetryFailed {
		r.mode = ModeRetry
		err := rd.QueryRowContext(ctx, `SELECT ifnull(max(run_id), 0) FROM ferry_load_runs WHERE destination_id = ?`, r.dest.ID).Scan(&parent)
		if err != nil || parent == 0 {
			return fmt.Errorf("%w: nothing has been loaded to %s yet", ErrNoRun, r.dest.Name)
		}
	} else {
		parent = 0
	}
	cfgJSON, _ := json.Marshal(r.dest.Config)
	now := nowText()
	who := r.p.Who()
	var n, invalid int64
	err = r.p.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_runs(kind, target_id, target_version, map_revision, custody_seq,
			started_at, finished_at, actor, status, rows, errors, summary) VALUES (?,?,?,?,
			(SELECT ifnull(max(seq), 0) + 1 FROM ferry_custody),?,'',?,'running',0,0,'{}')`,
			r.opts.Kind, r.feed.Target.ID, r.feed.TargetVersion, r.feed.MapRevision, now, who.Actor)
		if err != nil {
			return fmt.Errorf("recording the run: %w", err)
		}
		r.runID, _ = res.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_load_runs(run_id, destination_id, dest_version, dest_config, mode, state,
			parent, updated_at) VALUES (?,?,?,?,?,'running',?,?)`, r.runID, r.dest.ID, r.dest.Version, string(cfgJSON), r.mode, parent, now); err != nil {
			return err
		}
		// An unfinished earlier run to the same place is superseded: its records carry over.
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET state = 'cancelled', message = ?, updated_at = ?
			WHERE destination_id = ? AND run_id <> ? AND state IN ('running','paused')`,
			fmt.Sprintf("superseded by run %d", r.runID), now, r.dest.ID, r.runID); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO ferry_load_records(run_id, entity, legacy_key, source_row, seq, status,
			attempts, http_status, error, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, e := range r.feed.Entities {
			var only map[int64]bool
			if r.opts.Only != nil {
				only = r.opts.Only(e.Name)
			}
			err := r.feed.Scan(ctx, e.Name, only, func(rec mapping.Record) error {
				n++
				status, msg, att, hs := StatusPending, "", "0", "0"
				if !rec.Valid() {
					status, msg = StatusInvalid, rec.Error(e.Fields)
					invalid++
				} else if st := prior[e.Name+"\x00"+rec.Key]; st == StatusSending || st == StatusFailed {
					status = StatusSending // its fate is unknown: looked up before it is sent
				} else if st == StatusRejected && r.opts.RetryFailed {
					status = StatusRejected
					pe := priorErr[e.Name+"\x00"+rec.Key]
					msg, att, hs = pe[0], pe[1], pe[2]
				}
				_, err := ins.ExecContext(ctx, r.runID, e.Name, rec.Key, rec.Row, n, status, att, hs, msg, now)
				if err != nil && strings.Contains(err.Error(), "UNIQUE") {
					return fmt.Errorf("%s: the legacy key %q is used by more than one record; the load needs one record per key (merge or fix the duplicates in Cleanse)", e.Name, rec.Key)
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		r.total = n
		return r.p.Log(ctx, tx, "load.start", map[string]any{"run": r.runID, "kind": r.opts.Kind, "mode": r.mode,
			"destination": r.dest.Name, "dest_version": r.dest.Version, "target_version": r.feed.TargetVersion,
			"map_revision": r.feed.MapRevision, "records": n, "invalid": invalid, "parent": parent}, nil)
	})
	if err != nil {
		return fmt.Errorf("preparing the load: %w", err)
	}
	return nil
}

// loadProgress reads the run's records' counts per entity and status.
func (r *runner) loadProgress(ctx context.Context) error {
	for _, e := range r.feed.Entities {
		ep := &entProg{name: e.Name, counts: map[string]int64{}}
		r.ents = append(r.ents, ep)
		r.byName[e.Name] = ep
	}
	rows, err := r.p.Reader().QueryContext(ctx, `SELECT entity, status, count(*) FROM ferry_load_records WHERE run_id = ? GROUP BY entity, status`, r.runID)
	if err != nil {
		return err
	}
	defer rows.Close()
	r.total = 0
	for rows.Next() {
		var e, st string
		var n int64
		if err := rows.Scan(&e, &st, &n); err != nil {
			return err
		}
		ep := r.byName[e]
		if ep == nil {
			ep = &entProg{name: e, counts: map[string]int64{}}
			r.ents = append(r.ents, ep)
			r.byName[e] = ep
		}
		ep.total += n
		ep.counts[st] += n
		if st != StatusPending && st != StatusSending {
			ep.done += n
		}
		r.counts[st] += n
		r.total += n
	}
	return rows.Err()
}

func (r *runner) run(ctx context.Context, secret string) (*Result, error) {
	r.start = time.Now()
	ctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	defer cancel()
	if r.opts.Pause != nil {
		r.opts.Pause.mu.Lock()
		r.opts.Pause.notify = func(paused bool) {
			st := StateRunning
			if paused {
				st = StatePaused
			}
			r.setState(context.Background(), st, "")
			r.progress(true)
		}
		r.opts.Pause.mu.Unlock()
		defer func() {
			r.opts.Pause.mu.Lock()
			r.opts.Pause.notify = nil
			r.opts.Pause.mu.Unlock()
		}()
	}
	r.outs = make(chan outcome, 256)
	r.flushReq = make(chan chan struct{})
	r.writerEnd = make(chan struct{})
	go r.writer()
	var err error
	if r.cfg.Kind == KindFiles {
		if writeFiles == nil {
			err = fmt.Errorf("%w: import files cannot be written by this build of Ferry", ErrBadConfig)
		} else {
			err = writeFiles(ctx, r)
		}
	} else {
		r.cl = newClient(r.cfg, secret)
		r.proto = newProtocol(r.cfg)
		for i := range r.feed.Entities {
			if err = r.sendEntity(ctx, &r.feed.Entities[i]); err != nil || ctx.Err() != nil {
				break
			}
		}
	}
	close(r.outs)
	<-r.writerEnd
	return r.finish(ctx, err)
}

// finish writes how the run ended.
func (r *runner) finish(ctx context.Context, runErr error) (*Result, error) {
	bg := context.WithoutCancel(ctx)
	state, msg := StateDone, ""
	switch {
	case r.fatal.Load() != nil:
		state, msg = StateFailed, (*r.fatal.Load()).Error()
	case r.tripped.Load() != nil:
		state, msg = StatePaused, *r.tripped.Load()
	case runErr != nil && !errors.Is(runErr, context.Canceled):
		state, msg = StateFailed, runErr.Error()
	case ctx.Err() != nil || runErr != nil:
		state, msg = StateCancelled, "cancelled; nothing is lost: resume to go on from here"
	}
	counts := map[string]int64{}
	rows, err := r.p.Reader().QueryContext(bg, `SELECT status, count(*) FROM ferry_load_records WHERE run_id = ? GROUP BY status`, r.runID)
	if err != nil {
		return nil, err
	}
	var total int64
	for rows.Next() {
		var st string
		var n int64
		rows.Scan(&st, &n)
		counts[st] = n
		total += n
	}
	rows.Close()
	if state == StateDone && counts[StatusPending]+counts[StatusSending] > 0 {
		state, msg = StateFailed, fmt.Sprintf("%d records were not sent", counts[StatusPending]+counts[StatusSending])
	}
	elapsed := time.Since(r.start)
	now := nowText()
	problems := counts[StatusRejected] + counts[StatusFailed] + counts[StatusInvalid]
	err = r.p.Write(bg, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(bg, `UPDATE ferry_load_runs SET state = ?, message = ?, updated_at = ? WHERE run_id = ?`, state, msg, now, r.runID); err != nil {
			return err
		}
		summary, _ := json.Marshal(map[string]any{"destination": r.dest.Name, "state": state, "counts": counts})
		if state == StateDone || state == StateFailed {
			status := "ok"
			if state == StateFailed {
				status = "failed"
			} else if problems > 0 {
				status = "errors"
			}
			if _, err := tx.ExecContext(bg, `UPDATE ferry_runs SET finished_at = ?, status = ?, rows = ?, errors = ?, summary = ? WHERE id = ?`,
				now, status, total, problems, string(summary), r.runID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(bg, `UPDATE ferry_runs SET rows = ?, errors = ?, summary = ? WHERE id = ?`,
			total, problems, string(summary), r.runID); err != nil {
			return err
		}
		return r.p.Log(bg, tx, "load.finish", map[string]any{"run": r.runID, "destination": r.dest.Name, "state": state,
			"message": msg, "counts": counts, "records": total, "seconds": elapsed.Seconds()}, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("recording the end of load run %d: %w", r.runID, err)
	}
	res := &Result{RunID: r.runID, Destination: r.dest.Name, Mode: r.mode, State: state, Message: msg, Total: total,
		Counts: counts, Elapsed: elapsed}
	r.pmu.Lock()
	res.Entities = r.entitySnapshot()
	if s := elapsed.Seconds(); s > 0 {
		res.PerSecond = float64(r.session) / s
	}
	r.pmu.Unlock()
	r.progressState(state, msg)
	return res, nil
}

func (r *runner) setState(ctx context.Context, state, msg string) {
	r.p.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET state = ?, message = ?, updated_at = ? WHERE run_id = ?`, state, msg, nowText(), r.runID)
		return err
	})
}

// ---- sending -------------------------------------------------------------------------------

// sendEntity sends the entity's records that are still to do, in seq order.
func (r *runner) sendEntity(ctx context.Context, e *mapping.FeedEntity) error {
	todo := map[int64]*item{}
	rows, err := r.p.Reader().QueryContext(ctx, `SELECT legacy_key, source_row, seq, status, attempts FROM ferry_load_records
		WHERE run_id = ? AND entity = ? AND status IN ('pending','sending')`, r.runID, e.Name)
	if err != nil {
		return err
	}
	for rows.Next() {
		it := &item{entity: e.Name}
		if err := rows.Scan(&it.key, &it.row, &it.seq, &it.prev, &it.attempts); err != nil {
			rows.Close()
			return err
		}
		todo[it.row] = it
	}
	rows.Close()
	if len(todo) == 0 {
		return nil
	}
	r.pmu.Lock()
	r.current = e.Name
	r.pmu.Unlock()
	if err := r.loadCrosswalk(ctx, e.Name); err != nil {
		return err
	}
	for _, f := range e.Fields {
		if f.Type == target.Reference && f.References != "" {
			if err := r.loadCrosswalk(ctx, f.References); err != nil {
				return err
			}
		}
	}
	chunk := max(8, 2*r.cfg.Concurrency)
	work := make(chan *item, chunk)
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				r.outs <- r.send(ctx, e, it)
			}
		}()
	}
	var batch []*item
	dispatch := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := r.markSending(ctx, batch); err != nil {
			return err
		}
		for _, it := range batch {
			work <- it
		}
		batch = batch[:0]
		return nil
	}
	only := make(map[int64]bool, len(todo))
	for row := range todo {
		only[row] = true
	}
	seen := 0
	scanErr := r.feed.Scan(ctx, e.Name, only, func(rec mapping.Record) error {
		it := todo[rec.Row]
		if it == nil || ctx.Err() != nil {
			return ctx.Err()
		}
		delete(todo, rec.Row)
		seen++
		if rec.Key != it.key || !rec.Valid() {
			r.outs <- outcome{it: it, status: StatusFailed, attempts: it.attempts,
				err: "the record changed since the run started (its key or mapped values are no longer what they were): start a new load"}
			return nil
		}
		it.hash = rec.Hash(e.Fields)
		if id := r.crosswalk(e.Name, it.key); id != "" {
			r.outs <- outcome{it: it, status: StatusExisting, newID: id, attempts: it.attempts}
			return nil
		}
		vals := append([]string(nil), rec.Values...)
		for i, f := range e.Fields {
			if f.Type != target.Reference || vals[i] == "" || r.feed.Entity(f.References) == nil {
				continue
			}
			id := r.crosswalk(f.References, vals[i])
			if id == "" {
				r.outs <- outcome{it: it, status: StatusFailed, attempts: it.attempts,
					err: fmt.Sprintf("not sent: %s refers to %s %s, which has not been loaded (see that record); retry failed once it is", f.Name, f.References, vals[i])}
				return nil
			}
			vals[i] = id
		}
		it.values = vals
		batch = append(batch, it)
		if len(batch) >= chunk {
			return dispatch()
		}
		return nil
	})
	if scanErr == nil {
		scanErr = dispatch()
	}
	close(work)
	wg.Wait()
	if scanErr != nil && ctx.Err() == nil {
		return fmt.Errorf("reading %s: %w", e.Name, scanErr)
	}
	if ctx.Err() == nil {
		for _, it := range todo { // rows the feed no longer has
			r.outs <- outcome{it: it, status: StatusFailed, attempts: it.attempts,
				err: fmt.Sprintf("source row %d is no longer in the staged table: start a new load", it.row)}
		}
	}
	r.barrier()
	return nil
}

// send creates one record, retrying as the answers allow. It returns the record's outcome;
// 'sending' when the outcome is unknown and the run stops, 'pending' when it was never sent.
func (r *runner) send(ctx context.Context, e *mapping.FeedEntity, it *item) outcome {
	o := outcome{it: it, attempts: it.attempts}
	lookup := it.prev == StatusSending
	unknown := lookup // whether the record may exist at the destination now
	stop := func() outcome {
		o.status = StatusPending
		if unknown {
			o.status = StatusSending
		}
		return o
	}
	tries, throttled := 0, 0
	limit := it.attempts + r.cfg.MaxAttempts
	var ask time.Duration
	for {
		if err := r.opts.Pause.wait(ctx); err != nil {
			return stop()
		}
		if tries > 0 && ask >= 0 {
			if err := sleep(ctx, backoff(r.cfg, tries-throttled, ask)); err != nil {
				return stop()
			}
		}
		if err := r.cooled(ctx); err != nil {
			return stop()
		}
		tries++
		if tries-throttled > r.cfg.MaxAttempts*2 {
			o.status = StatusFailed
			if o.err == "" {
				o.err = "gave up"
			}
			return o
		}
		if lookup {
			path := r.proto.findPath(e, it.key)
			if path == "" {
				o.status, o.err = StatusFailed, "sent earlier but the answer never came, and this destination cannot look a record up by its legacy key: check in the new system whether it arrived, then retry failed"
				return o
			}
			a := r.cl.do(ctx, "GET", path, nil, nil)
			switch a.verdict(ctx) {
			case vOK:
				// A working search does not close the circuit: only creates that work do.
				if id := r.proto.found(e, a); id != "" {
					o.status, o.newID, o.http = StatusCreated, id, a.Status
					return o
				}
				lookup = false
				unknown = false
			case vCancelled:
				return stop()
			case vRejected:
				o.status, o.err, o.http = StatusFailed, "looking the record up by its legacy key failed: "+a.message(), a.Status
				return o
			default:
				ask = a.RetryAfter
				if r.failure(a) {
					return stop()
				}
				o.err = "looking it up: " + a.message()
				continue
			}
		}
		method, path, body, hdr, err := r.proto.request(e, it.key, it.values)
		if err != nil {
			o.status, o.err = StatusFailed, err.Error()
			return o
		}
		if o.attempts >= limit {
			o.status = StatusFailed
			return o
		}
		o.attempts++
		a := r.cl.do(ctx, method, path, body, hdr)
		o.http = a.Status
		switch a.verdict(ctx) {
		case vOK:
			r.ok()
			id, existing := r.proto.created(e, a)
			if id == "" {
				unknown, lookup = true, true
				o.err = "the new system said OK but its answer has no id where the configuration says (" + clip(string(a.Body), 120) + ")"
				o.status = StatusFailed
				if r.proto.findPath(e, it.key) == "" {
					return o
				}
				continue
			}
			o.status, o.newID, o.err = StatusCreated, id, ""
			if existing {
				o.status = StatusExisting
			}
			return o
		case vRejected:
			r.ok()
			msg := a.message()
			if a.Status == 409 || strings.Contains(strings.ToLower(msg), "unique") {
				// Perhaps it is already there (sent by someone else, or before Ferry knew).
				if p := r.proto.findPath(e, it.key); p != "" {
					if f := r.cl.do(ctx, "GET", p, nil, nil); f.verdict(ctx) == vOK {
						if id := r.proto.found(e, f); id != "" {
							o.status, o.newID, o.err = StatusExisting, id, ""
							return o
						}
					}
				}
			}
			o.status, o.err = StatusRejected, msg
			return o
		case vThrottled:
			// Too many requests: every worker waits, not just this one, and the attempt does
			// not count against the record (the server is slowing us down, not refusing it).
			throttled++
			o.err = a.message()
			if throttled > 10*r.cfg.MaxAttempts {
				o.status = StatusFailed
				o.err = fmt.Sprintf("still refused after %d tries: %s", o.attempts, o.err)
				return o
			}
			r.coolDown(backoff(r.cfg, min(throttled, 6), a.RetryAfter))
			ask = -1
			limit++
		case vCancelled:
			unknown = true
			return stop()
		case vUnknown:
			ask = a.RetryAfter
			unknown, lookup = true, true
			o.err = a.message()
			if r.failure(a) {
				return stop()
			}
			if o.attempts >= limit {
				// One last look: it may have arrived after all.
				if p := r.proto.findPath(e, it.key); p != "" {
					if f := r.cl.do(ctx, "GET", p, nil, nil); f.verdict(ctx) == vOK {
						if id := r.proto.found(e, f); id != "" {
							o.status, o.newID, o.err = StatusCreated, id, ""
							return o
						}
						o.status = StatusFailed
						o.err = fmt.Sprintf("gave up after %d tries: %s", o.attempts, o.err)
						return o
					}
				}
				// Not known whether it arrived: left 'sending' so that it is looked up first.
				o.status = StatusFailed
				o.err = fmt.Sprintf("gave up after %d tries (it may have arrived; it is looked up before it is sent again): %s", o.attempts, o.err)
				return o
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// coolDown makes every worker wait d before its next request (after a 429).
func (r *runner) coolDown(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := r.coolUntil.Load()
		if cur >= until || r.coolUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// cooled waits out a cool-down.
func (r *runner) cooled(ctx context.Context) error {
	if d := time.Until(time.Unix(0, r.coolUntil.Load())); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}

// ok notes that the destination answered sensibly: the circuit closes.
func (r *runner) ok() { r.fails.Store(0) }

// failure counts a failed attempt; true when the circuit trips and the run pauses.
func (r *runner) failure(a answer) bool {
	n := r.fails.Add(1)
	if n < int64(r.cfg.CircuitFailures) {
		return false
	}
	msg := fmt.Sprintf("Paused: %s failed %d times in a row (the last answer: %s). Nothing is lost: when it works again, resume the load and it goes on from here.",
		r.dest.Name, n, a.message())
	if r.tripped.CompareAndSwap(nil, &msg) {
		r.cancel()
	}
	return true
}

// markSending records, before the requests leave, that these records are being sent.
func (r *runner) markSending(ctx context.Context, items []*item) error {
	now := nowText()
	return r.p.Write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE ferry_load_records SET status = 'sending', updated_at = ? WHERE run_id = ? AND entity = ? AND legacy_key = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, now, r.runID, it.entity, it.key); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *runner) loadCrosswalk(ctx context.Context, entity string) error {
	r.xmu.Lock()
	_, ok := r.xw[entity]
	r.xmu.Unlock()
	if ok {
		return nil
	}
	m := map[string]string{}
	rows, err := r.p.Reader().QueryContext(ctx, `SELECT legacy_key, new_id FROM ferry_crosswalk WHERE destination_id = ? AND entity = ?`, r.dest.ID, entity)
	if err != nil {
		return fmt.Errorf("reading the crosswalk: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		m[k] = id
	}
	r.xmu.Lock()
	r.xw[entity] = m
	r.xmu.Unlock()
	return rows.Err()
}

func (r *runner) crosswalk(entity, key string) string {
	r.xmu.Lock()
	defer r.xmu.Unlock()
	return r.xw[entity][key]
}

// ---- writing outcomes ------------------------------------------------------------------------

// writer writes outcomes in batches (every 100 ms or 256 outcomes), each batch in one
// transaction with the crosswalk rows of the records created, and a custody event per
// BatchSize records with the counts by status.
func (r *runner) writer() {
	defer close(r.writerEnd)
	var buf []outcome
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	flush := func() {
		if len(buf) > 0 {
			if err := r.write(buf); err != nil {
				e := fmt.Errorf("writing the load's progress to the project: %w", err)
				r.fatal.CompareAndSwap(nil, &e)
				r.cancel()
			}
			buf = buf[:0]
		}
		r.progress(false)
	}
	for {
		select {
		case o, ok := <-r.outs:
			if !ok {
				flush()
				r.logBatch(true)
				return
			}
			buf = append(buf, o)
			if len(buf) >= 256 {
				flush()
			}
		case ack := <-r.flushReq:
			// Drain what is queued first, so the barrier covers every outcome sent before it.
			for len(r.outs) > 0 {
				buf = append(buf, <-r.outs)
			}
			flush()
			close(ack)
		case <-tick.C:
			flush()
		}
	}
}

// barrier returns once every outcome queued so far is written.
func (r *runner) barrier() {
	ack := make(chan struct{})
	r.flushReq <- ack
	<-ack
}

func (r *runner) write(buf []outcome) error {
	ctx := context.Background()
	now := nowText()
	err := r.p.Write(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `UPDATE ferry_load_records SET status = ?, new_id = ?, attempts = ?, http_status = ?,
			error = ?, sent_hash = ?, updated_at = ? WHERE run_id = ? AND entity = ? AND legacy_key = ?`)
		if err != nil {
			return err
		}
		defer up.Close()
		xw, err := tx.PrepareContext(ctx, `INSERT INTO ferry_crosswalk(destination_id, entity, legacy_key, new_id, run_id, sent_hash, created_at)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer xw.Close()
		for _, o := range buf {
			if _, err := up.ExecContext(ctx, o.status, o.newID, o.attempts, o.http, o.err, o.it.hash, now, r.runID, o.it.entity, o.it.key); err != nil {
				return err
			}
			if (o.status == StatusCreated || o.status == StatusExisting) && r.cfg.Kind != KindFiles {
				if _, err := xw.ExecContext(ctx, r.dest.ID, o.it.entity, o.it.key, o.newID, r.runID, o.it.hash, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.xmu.Lock()
	for _, o := range buf {
		if o.status == StatusCreated || o.status == StatusExisting {
			if m := r.xw[o.it.entity]; m != nil {
				m[o.it.key] = o.newID
			}
		}
	}
	r.xmu.Unlock()
	r.pmu.Lock()
	for _, o := range buf {
		ep := r.byName[o.it.entity]
		prev := o.it.prev
		ep.counts[prev]--
		r.counts[prev]--
		ep.counts[o.status]++
		r.counts[o.status]++
		o.it.prev = o.status
		wasFinal := prev != StatusPending && prev != StatusSending
		if !wasFinal && o.status != StatusPending && o.status != StatusSending {
			ep.done++
			r.session++
			r.batch[o.status]++
			r.batchN++
		}
		if o.err != "" && o.status != StatusPending && o.status != StatusSending {
			r.lastErr = o.it.entity + " " + o.it.key + ": " + o.err
		}
	}
	r.pmu.Unlock()
	r.logBatch(false)
	return nil
}

// logBatch writes a custody event with the counts of the last BatchSize outcomes.
func (r *runner) logBatch(final bool) {
	r.pmu.Lock()
	if r.batchN == 0 || (!final && r.batchN < BatchSize) {
		r.pmu.Unlock()
		return
	}
	counts := r.batch
	n := r.batchN
	r.batch, r.batchN = map[string]int64{}, 0
	r.pmu.Unlock()
	r.p.Do(context.Background(), "load.batch", map[string]any{"run": r.runID, "records": n, "counts": counts}, nil, nil)
}

// ---- progress --------------------------------------------------------------------------------

func (r *runner) entitySnapshot() []EntityProgress {
	out := make([]EntityProgress, 0, len(r.ents))
	for _, ep := range r.ents {
		c := map[string]int64{}
		for k, v := range ep.counts {
			if v != 0 {
				c[k] = v
			}
		}
		out = append(out, EntityProgress{Name: ep.name, Done: ep.done, Total: ep.total, Counts: c})
	}
	return out
}

func (r *runner) snapshot(state, msg string) Progress {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	pr := Progress{RunID: r.runID, State: state, Entity: r.current, Entities: r.entitySnapshot(), Total: r.total,
		Counts: map[string]int64{}, LastError: r.lastErr, Message: msg}
	for k, v := range r.counts {
		if v != 0 {
			pr.Counts[k] = v
		}
	}
	for _, ep := range r.ents {
		pr.Done += ep.done
	}
	if s := time.Since(r.start).Seconds(); s > 0.5 && r.session > 0 {
		pr.PerSecond = float64(r.session) / s
		pr.ETA = time.Duration(float64(pr.Total-pr.Done) / pr.PerSecond * float64(time.Second))
	}
	return pr
}

func (r *runner) progress(force bool) {
	if r.opts.Progress == nil {
		return
	}
	r.pmu.Lock()
	due := force || time.Since(r.lastProg) >= 100*time.Millisecond
	if due {
		r.lastProg = time.Now()
	}
	r.pmu.Unlock()
	if !due {
		return
	}
	state := StateRunning
	if r.opts.Pause.Paused() {
		state = StatePaused
	}
	r.opts.Progress(r.snapshot(state, ""))
}

func (r *runner) progressState(state, msg string) {
	if r.opts.Progress != nil {
		r.opts.Progress(r.snapshot(state, msg))
	}
}

// writeFiles is the files destination's run (files.go); nil when this build has none.
var writeFiles func(ctx context.Context, r *runner) error

var _ = sort.Strings
