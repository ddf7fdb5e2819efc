package target

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// Target is a target as kept in a project: its working definition, where it came from, whether
// it is the one the Map step works on, and its frozen versions.
type Target struct {
	ID     int64  `json:"id"`
	Origin string `json:"origin"` // "preset:fhir-r4", "vendor:patients.xlsx", "hand"
	Active bool   `json:"active"`
	// Version is the newest frozen version (0: never frozen). Changed says whether the working
	// definition differs from it, so that the next run will freeze a new version.
	Version   int    `json:"version"`
	Changed   bool   `json:"changed"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Definition
}

// Version is one frozen version of a target.
type Version struct {
	TargetID int64      `json:"target_id"`
	Version  int        `json:"version"`
	SHA256   string     `json:"sha256"`
	FrozenAt string     `json:"frozen_at"`
	FrozenBy string     `json:"frozen_by"`
	Def      Definition `json:"definition"`
}

// Run is one use of a frozen target: a validation now, a sample or full load later.
type Run struct {
	ID            int64           `json:"id"`
	Kind          string          `json:"kind"` // validation, sample, load
	TargetID      int64           `json:"target_id"`
	TargetName    string          `json:"target_name"`
	TargetVersion int             `json:"target_version"`
	MapRevision   int64           `json:"map_revision"`
	CustodySeq    int64           `json:"custody_seq"`
	StartedAt     string          `json:"started_at"`
	FinishedAt    string          `json:"finished_at"`
	Actor         string          `json:"actor"`
	Status        string          `json:"status"` // ok, errors, failed
	Rows          int64           `json:"rows"`
	Errors        int64           `json:"errors"`
	Summary       json.RawMessage `json:"summary,omitempty"`
}

// Run kinds.
const (
	RunValidation = "validation"
	RunSample     = "sample"
	RunLoad       = "load"
)

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// canonical is the stored form of a definition and what its hash is taken of.
func canonical(d Definition) (string, string) {
	d.Format = FormatVersion
	b, _ := json.Marshal(d)
	s := sha256.Sum256(b)
	return string(b), hex.EncodeToString(s[:])
}

// Create adds a target to the project. The first target becomes the active one.
func Create(ctx context.Context, p *project.Project, origin string, def Definition) (Target, error) {
	def.Format = FormatVersion
	if err := def.Validate(); err != nil {
		return Target{}, err
	}
	var id int64
	body, _ := canonical(def)
	err := p.Do(ctx, "target.create", map[string]any{"target": def.Name, "origin": origin, "entities": len(def.Entities)}, nil,
		func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_targets WHERE name = ?`, def.Name).Scan(&n); err != nil {
				return fmt.Errorf("creating target %s: %w", def.Name, err)
			}
			if n > 0 {
				return fmt.Errorf("creating target %s: %w", def.Name, ErrExists)
			}
			var active int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_targets WHERE active = 1`).Scan(&active); err != nil {
				return err
			}
			t := now()
			r, err := tx.ExecContext(ctx, `INSERT INTO ferry_targets(name, origin, definition, active, created_at, updated_at)
				VALUES (?,?,?,?,?,?)`, def.Name, origin, body, active == 0, t, t)
			if err != nil {
				return fmt.Errorf("creating target %s: %w", def.Name, err)
			}
			id, _ = r.LastInsertId()
			return nil
		})
	if err != nil {
		return Target{}, err
	}
	return Get(ctx, p, id)
}

// FromPreset returns the project's target made from a built-in preset, creating it (named as
// the preset) the first time.
func FromPreset(ctx context.Context, p *project.Project, preset string) (Target, error) {
	if t, err := ByName(ctx, p, preset); err == nil {
		return t, nil
	} else if !errors.Is(err, ErrNoTarget) {
		return Target{}, err
	}
	def, err := Preset(preset)
	if err != nil {
		return Target{}, err
	}
	return Create(ctx, p, "preset:"+preset, def)
}

const selectTarget = `SELECT t.id, t.name, t.origin, t.definition, t.active, t.created_at, t.updated_at,
	coalesce((SELECT max(version) FROM ferry_target_versions v WHERE v.target_id = t.id), 0),
	coalesce((SELECT sha256 FROM ferry_target_versions v WHERE v.target_id = t.id ORDER BY version DESC LIMIT 1), '')
	FROM ferry_targets t`

func scanTarget(row interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var body, name, lastSHA string
	if err := row.Scan(&t.ID, &name, &t.Origin, &body, &t.Active, &t.CreatedAt, &t.UpdatedAt, &t.Version, &lastSHA); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(body), &t.Definition); err != nil {
		return t, fmt.Errorf("reading target %s: %w", name, err)
	}
	t.Name = name
	_, sha := canonical(t.Definition)
	t.Changed = t.Version == 0 || sha != lastSHA
	return t, nil
}

// Get reads a target by id.
func Get(ctx context.Context, p *project.Project, id int64) (Target, error) {
	t, err := scanTarget(p.Reader().QueryRowContext(ctx, selectTarget+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("target %d: %w", id, ErrNoTarget)
	}
	return t, err
}

// ByName reads a target by its name (case-insensitive).
func ByName(ctx context.Context, p *project.Project, name string) (Target, error) {
	if !hasTargets(ctx, p) {
		return Target{}, fmt.Errorf("%s: %w", name, ErrNoTarget)
	}
	t, err := scanTarget(p.Reader().QueryRowContext(ctx, selectTarget+` WHERE t.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%s: %w", name, ErrNoTarget)
	}
	return t, err
}

// Active is the target the Map step works on, or ErrNoTarget.
func Active(ctx context.Context, p *project.Project) (Target, error) {
	if !hasTargets(ctx, p) {
		return Target{}, fmt.Errorf("no target chosen yet: %w", ErrNoTarget)
	}
	t, err := scanTarget(p.Reader().QueryRowContext(ctx, selectTarget+` WHERE t.active = 1 ORDER BY t.id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("no target chosen yet: %w", ErrNoTarget)
	}
	return t, err
}

// hasTargets says whether the project has the targets table (a read-only project of an older
// schema may not).
func hasTargets(ctx context.Context, p *project.Project) bool {
	var n int
	_ = p.Reader().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ferry_targets'`).Scan(&n)
	return n > 0
}

// List lists the project's targets in the order they were added.
func List(ctx context.Context, p *project.Project) ([]Target, error) {
	if !hasTargets(ctx, p) {
		return nil, nil
	}
	rows, err := p.Reader().QueryContext(ctx, selectTarget+` ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("listing targets: %w", err)
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetActive makes a target the one the Map step works on.
func SetActive(ctx context.Context, p *project.Project, id int64) error {
	t, err := Get(ctx, p, id)
	if err != nil {
		return err
	}
	if t.Active {
		return nil
	}
	return p.Do(ctx, "target.activate", map[string]any{"target": t.Name}, nil, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_targets SET active = (id = ?)`, id); err != nil {
			return fmt.Errorf("choosing target %s: %w", t.Name, err)
		}
		return nil
	})
}

// Update changes a target's working definition with fn, validates the result and saves it with
// a target.edit custody event (action and params say what changed). Frozen versions are never
// changed: the next run freezes a new one.
func Update(ctx context.Context, p *project.Project, id int64, action string, params map[string]any, fn func(d *Definition) error) (Target, error) {
	t, err := Get(ctx, p, id)
	if err != nil {
		return t, err
	}
	def := t.Definition.Clone()
	if err := fn(&def); err != nil {
		return t, err
	}
	def.Name = t.Name // the handle is fixed: maps and runs refer to it
	if err := def.Validate(); err != nil {
		return t, err
	}
	body, _ := canonical(def)
	if params == nil {
		params = map[string]any{}
	}
	params["target"] = t.Name
	params["change"] = action
	err = p.Do(ctx, "target.edit", params, nil, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ferry_targets SET definition = ?, updated_at = ? WHERE id = ?`, body, now(), id)
		if err != nil {
			return fmt.Errorf("saving target %s: %w", t.Name, err)
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	return Get(ctx, p, id)
}

// Delete removes a target that no run has used, with its maps.
func Delete(ctx context.Context, p *project.Project, id int64) error {
	t, err := Get(ctx, p, id)
	if err != nil {
		return err
	}
	return p.Do(ctx, "target.delete", map[string]any{"target": t.Name}, nil, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_runs WHERE target_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("deleting target %s: %d runs used it: %w", t.Name, n, ErrInUse)
		}
		for _, q := range []string{`DELETE FROM ferry_target_versions WHERE target_id = ?`, `DELETE FROM ferry_targets WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("deleting target %s: %w", t.Name, err)
			}
		}
		if t.Active {
			_, err := tx.ExecContext(ctx, `UPDATE ferry_targets SET active = 1 WHERE id = (SELECT min(id) FROM ferry_targets)`)
			return err
		}
		return nil
	})
}

// Freeze makes the target's working definition a numbered version, for a run to use, and
// returns its number. If nothing changed since the newest version, that version is returned and
// nothing is written; otherwise version n+1 is stored with a target.freeze custody event.
func Freeze(ctx context.Context, p *project.Project, targetID int64) (version int, err error) {
	t, err := Get(ctx, p, targetID)
	if err != nil {
		return 0, err
	}
	if !t.Changed {
		return t.Version, nil
	}
	body, sha := canonical(t.Definition)
	err = p.Write(ctx, func(tx *sql.Tx) error {
		// read again inside the write: another freeze may have come first
		var last int
		var lastSHA string
		err := tx.QueryRowContext(ctx, `SELECT version, sha256 FROM ferry_target_versions WHERE target_id = ?
			ORDER BY version DESC LIMIT 1`, targetID).Scan(&last, &lastSHA)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("freezing target %s: %w", t.Name, err)
		}
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT definition FROM ferry_targets WHERE id = ?`, targetID).Scan(&cur); err != nil {
			return fmt.Errorf("freezing target %s: %w", t.Name, err)
		}
		if cur != body {
			var d Definition
			if err := json.Unmarshal([]byte(cur), &d); err != nil {
				return err
			}
			body, sha = canonical(d)
		}
		if sha == lastSHA {
			version = last
			return nil
		}
		version = last + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_target_versions(target_id, version, definition, sha256, frozen_at, frozen_by)
			VALUES (?,?,?,?,?,?)`, targetID, version, body, sha, now(), p.Who().Actor); err != nil {
			return fmt.Errorf("freezing target %s: %w", t.Name, err)
		}
		return p.Log(ctx, tx, "target.freeze", map[string]any{"target": t.Name, "version": version, "sha256": sha}, nil)
	})
	return version, err
}

// Versions lists a target's frozen versions, oldest first.
func Versions(ctx context.Context, p *project.Project, targetID int64) ([]Version, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT target_id, version, sha256, frozen_at, frozen_by, definition
		FROM ferry_target_versions WHERE target_id = ? ORDER BY version`, targetID)
	if err != nil {
		return nil, fmt.Errorf("reading target versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var body string
		if err := rows.Scan(&v.TargetID, &v.Version, &v.SHA256, &v.FrozenAt, &v.FrozenBy, &body); err != nil {
			return nil, fmt.Errorf("reading target versions: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &v.Def); err != nil {
			return nil, fmt.Errorf("reading target version %d: %w", v.Version, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// GetVersion reads one frozen version.
func GetVersion(ctx context.Context, p *project.Project, targetID int64, version int) (Version, error) {
	vs, err := Versions(ctx, p, targetID)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if v.Version == version {
			return v, nil
		}
	}
	return Version{}, fmt.Errorf("target %d version %d: %w", targetID, version, ErrNoTarget)
}

// RecordRun stores a run inside the caller's transaction (the run's results and its custody
// event belong in the same one) and returns its id. The target version must have been frozen.
func RecordRun(ctx context.Context, tx *sql.Tx, r Run) (int64, error) {
	if r.StartedAt == "" {
		r.StartedAt = now()
	}
	if r.FinishedAt == "" {
		r.FinishedAt = now()
	}
	summary := string(r.Summary)
	if summary == "" {
		summary = "{}"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ferry_runs(kind, target_id, target_version, map_revision, custody_seq,
		started_at, finished_at, actor, status, rows, errors, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.Kind, r.TargetID, r.TargetVersion, r.MapRevision, r.CustodySeq, r.StartedAt, r.FinishedAt, r.Actor,
		r.Status, r.Rows, r.Errors, summary)
	if err != nil {
		return 0, fmt.Errorf("recording the %s run: %w", r.Kind, err)
	}
	return res.LastInsertId()
}

// Runs lists runs, newest first: of one target (targetID > 0) or of all, of one kind ("" = all).
func Runs(ctx context.Context, p *project.Project, targetID int64, kind string) ([]Run, error) {
	if !hasTargets(ctx, p) {
		return nil, nil
	}
	q := `SELECT r.id, r.kind, r.target_id, t.name, r.target_version, r.map_revision, r.custody_seq, r.started_at,
		r.finished_at, r.actor, r.status, r.rows, r.errors, r.summary FROM ferry_runs r JOIN ferry_targets t ON t.id = r.target_id`
	var where []string
	var args []any
	if targetID > 0 {
		where = append(where, `r.target_id = ?`)
		args = append(args, targetID)
	}
	if kind != "" {
		where = append(where, `r.kind = ?`)
		args = append(args, kind)
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := p.Reader().QueryContext(ctx, q+` ORDER BY r.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var summary string
		if err := rows.Scan(&r.ID, &r.Kind, &r.TargetID, &r.TargetName, &r.TargetVersion, &r.MapRevision, &r.CustodySeq,
			&r.StartedAt, &r.FinishedAt, &r.Actor, &r.Status, &r.Rows, &r.Errors, &summary); err != nil {
			return nil, fmt.Errorf("reading runs: %w", err)
		}
		r.Summary = json.RawMessage(summary)
		out = append(out, r)
	}
	return out, rows.Err()
}
