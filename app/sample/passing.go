package sample

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Sample, Status) }

// RunSummary is one sample run as Passing and the wizard judge it.
type RunSummary struct {
	ID            int64  `json:"id"`
	State         string `json:"state"`
	Destination   string `json:"destination"`
	Role          string `json:"role"` // live or sandbox
	TargetVersion int    `json:"target_version"`
	MapRevision   int64  `json:"map_revision"`
	Records       int64  `json:"records"`
	Accepted      int64  `json:"accepted"` // created, existing, updated
	Problems      int64  `json:"problems"` // rejected, failed, invalid, or never sent
	Deleted       int64  `json:"deleted"`  // cleaned up
	CleanedUp     bool   `json:"cleaned_up"`
}

// notPassing are the record statuses that keep a sample run from passing.
const notPassing = `'rejected', 'failed', 'invalid', 'pending', 'sending'`

// latestSample reads the newest sample run of the target (0: of any), or nil.
func latestSample(ctx context.Context, db *sql.DB, targetID int64) (*RunSummary, error) {
	if !wizard.TableExists(ctx, db, "ferry_load_runs") {
		return nil, nil
	}
	q := `SELECT r.id, lr.state, d.name, d.role, r.target_version, r.map_revision,
			(SELECT count(*) FROM ferry_load_records x WHERE x.run_id = r.id),
			(SELECT count(*) FROM ferry_load_records x WHERE x.run_id = r.id AND x.status IN ('created', 'existing', 'updated')),
			(SELECT count(*) FROM ferry_load_records x WHERE x.run_id = r.id AND x.status IN (` + notPassing + `)),
			(SELECT count(*) FROM ferry_load_records x WHERE x.run_id = r.id AND x.status = 'deleted'),
			EXISTS (SELECT 1 FROM ferry_load_runs c WHERE c.parent = r.id AND c.mode = 'rollback' AND c.state = 'done')
		FROM ferry_runs r JOIN ferry_load_runs lr ON lr.run_id = r.id
		LEFT JOIN ferry_destinations d ON d.id = lr.destination_id
		WHERE lr.mode = 'sample' AND (? = 0 OR r.target_id = ?)
		ORDER BY r.id DESC LIMIT 1`
	var s RunSummary
	var dest, role sql.NullString
	err := db.QueryRowContext(ctx, q, targetID, targetID).Scan(&s.ID, &s.State, &dest, &role, &s.TargetVersion, &s.MapRevision,
		&s.Records, &s.Accepted, &s.Problems, &s.Deleted, &s.CleanedUp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the sample runs: %w", err)
	}
	s.Destination, s.Role = dest.String, role.String
	return &s, nil
}

// Passing says whether a passing sample run exists for the current mapping and target
// version: the newest sample run used the target version and map revision in force now,
// finished, and every record of it arrived (none rejected, failed, invalid or unsent). The
// Full load step calls it; loading without a passing sample needs an explicit, logged
// override (ferry_load_runs.override). reason says in words why not, or which run passed.
func Passing(ctx context.Context, p *project.Project) (ok bool, run int64, reason string) {
	return passing(ctx, p, true)
}

// passing is Passing; freeze false compares with the newest frozen version without freezing
// the target again (the wizard's status must not write).
func passing(ctx context.Context, p *project.Project, freeze bool) (ok bool, run int64, reason string) {
	t, err := target.Active(ctx, p)
	if err != nil {
		return false, 0, "No target is chosen yet: choose the new system's layout in the Map step."
	}
	version := 0
	freeze = freeze && !p.ReadOnly()
	if freeze {
		version, err = target.Freeze(ctx, p, t.ID)
	}
	if !freeze || err != nil {
		vs, verr := target.Versions(ctx, p, t.ID)
		if verr != nil || len(vs) == 0 {
			return false, 0, "The target has no frozen version yet: run a sample first."
		}
		for _, v := range vs {
			version = max(version, v.Version)
		}
	}
	rev, err := mapping.New(p).Revision(ctx)
	if err != nil {
		return false, 0, "The map cannot be read: " + err.Error()
	}
	s, err := latestSample(ctx, p.Reader(), t.ID)
	switch {
	case err != nil:
		return false, 0, err.Error()
	case s == nil:
		return false, 0, "No sample run yet: run the sample before the full load."
	case s.TargetVersion != version:
		return false, s.ID, fmt.Sprintf("Sample run %d used version %d of the target; the target has changed since (version %d): run the sample again.", s.ID, s.TargetVersion, version)
	case s.MapRevision != rev:
		return false, s.ID, fmt.Sprintf("Sample run %d used revision %d of the map; the map has changed since (revision %d): run the sample again.", s.ID, s.MapRevision, rev)
	case s.State != "done":
		return false, s.ID, fmt.Sprintf("Sample run %d is %s, not finished: resume it or run the sample again.", s.ID, s.State)
	case s.Problems > 0:
		return false, s.ID, fmt.Sprintf("Sample run %d has %s that did not arrive (rejected, failed or invalid): fix them and run the sample again.", s.ID, plural(s.Problems, "record", "records"))
	}
	return true, s.ID, fmt.Sprintf("Sample run %d passed: all %s arrived in %s, with the current map and target.", s.ID, plural(s.Accepted, "record", "records"), s.Destination)
}

// Status is the Sample run step's status: not started until a sample run exists; done when
// Passing; needs attention with Passing's reason otherwise; in progress while a run is going.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	s, err := latestSample(ctx, p.Reader(), 0)
	if err != nil || s == nil {
		return wizard.NotStarted, "", err
	}
	if s.State == "running" {
		return wizard.InProgress, fmt.Sprintf("Sample run %d is going: %s of %s done.", s.ID, plural(s.Accepted+s.Problems, "record", "records"), fmt.Sprint(s.Records)), nil
	}
	ok, _, reason := passing(ctx, p, false)
	if ok {
		if s.CleanedUp {
			reason = strings.TrimSuffix(reason, ".") + "; cleaned up since."
		}
		return wizard.Done, reason, nil
	}
	return wizard.NeedsAttention, reason, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
