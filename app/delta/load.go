package delta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/rollback"
)

// LoadOptions say where a delta goes and whether its deletions are confirmed.
type LoadOptions struct {
	Options
	Destination string
	// Deletes: a person confirmed that the records deleted in the old system are deleted in
	// the new one too. Without it they are only reported.
	Deletes  bool
	Secret   func(load.Destination) (string, error)
	Progress func(load.Progress)
	// Rollback reports the updates' and deletions' progress.
	Rollback func(rollback.Progress)
}

// LoadResult is what a delta load did.
type LoadResult struct {
	Run     *load.Result     `json:"run"`               // the delta run: new records created, changed ones updated
	Counts  map[string]int64 `json:"counts"`            // of the delta's records, by status
	Deleted *rollback.Result `json:"deleted,omitempty"` // the confirmed deletions, when there were any
	// Problems are the delta's records that did not arrive, with the target's words.
	Problems []load.RecordResult `json:"problems,omitempty"`
}

// Complete says whether every record of the delta arrived (and every confirmed deletion
// happened).
func (r *LoadResult) Complete() bool {
	return len(r.Problems) == 0 && r.Run != nil && r.Run.State == load.StateDone &&
		(r.Deleted == nil || r.Deleted.State == load.StateDone)
}

// Load sends the delta: Apply stages the export in the project, a delta run of the load
// engine creates the new records (everything already in the crosswalk is left alone), the
// changed records are updated at the ids the crosswalk has for them (rollback.Update), and
// the deleted ones are deleted in the new system only when opts.Deletes says a person
// confirmed it. Records of the run that are not in the delta are marked 'skipped' (unchanged).
func Load(ctx context.Context, p *project.Project, d *Diff, opts LoadOptions) (*LoadResult, error) {
	if opts.Destination == "" {
		return nil, errors.New("the delta load needs a destination")
	}
	dst, err := load.GetDestination(ctx, p, opts.Destination)
	if err != nil {
		return nil, err
	}
	if dst.Kind == load.KindFiles {
		return nil, fmt.Errorf("%s writes import files: a delta of changed and deleted records cannot be expressed as import files; load the new records with a full load and make the changes in the new system", dst.Name)
	}
	if err := Apply(ctx, p, d, opts.Options); err != nil {
		return nil, err
	}
	res := &LoadResult{Counts: map[string]int64{}}
	res.Run, err = load.Run(ctx, p, load.Options{Destination: opts.Destination, Kind: load.RunDelta, Secret: opts.Secret, Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	run := res.Run.RunID
	changed := map[string]map[string]bool{}
	deleted := map[string]map[string]bool{}
	want := map[string]bool{}
	for _, it := range d.Set(true) {
		want[it.Entity+"\x00"+it.Key] = true
		m := changed
		if it.Kind == KindDeleted {
			m = deleted
		} else if it.Kind != KindChanged {
			continue
		}
		if m[it.Entity] == nil {
			m[it.Entity] = map[string]bool{}
		}
		m[it.Entity][it.Key] = true
	}
	// What the run left alone because it was already there and did not change is skipped.
	err = p.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET mode = ? WHERE run_id = ?`, load.ModeDelta, run); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT entity, legacy_key FROM ferry_load_records WHERE run_id = ? AND status = ?`, run, load.StatusExisting)
		if err != nil {
			return err
		}
		var skip [][2]string
		for rows.Next() {
			var e, k string
			if err := rows.Scan(&e, &k); err != nil {
				rows.Close()
				return err
			}
			if !want[e+"\x00"+k] {
				skip = append(skip, [2]string{e, k})
			}
		}
		rows.Close()
		stmt, err := tx.PrepareContext(ctx, `UPDATE ferry_load_records SET status = ?, error = 'unchanged since the last load' WHERE run_id = ? AND entity = ? AND legacy_key = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, s := range skip {
			if _, err := stmt.ExecContext(ctx, load.StatusSkipped, run, s[0], s[1]); err != nil {
				return err
			}
		}
		if d.ID > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE ferry_delta_sets SET run_id = ? WHERE id = ?`, run, d.ID); err != nil {
				return err
			}
		}
		return p.Log(ctx, tx, "delta.load", map[string]any{"set": d.ID, "run": run, "unchanged": len(skip)}, nil)
	})
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		if _, err := rollback.Update(ctx, p, run, opts.Destination, changed, rollback.Options{Secret: opts.Secret, Progress: opts.Rollback}); err != nil {
			return nil, fmt.Errorf("updating the changed records: %w", err)
		}
	}
	if opts.Deletes && len(deleted) > 0 {
		res.Deleted, err = rollback.DeleteKeys(ctx, p, opts.Destination, deleted, rollback.Options{Secret: opts.Secret,
			Progress: opts.Rollback, NoCheck: true, Kind: load.RunDelta})
		if err != nil {
			return nil, fmt.Errorf("deleting the records the old system deleted: %w", err)
		}
	}
	recs, err := load.Records(ctx, p, run, load.Filter{})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if !want[r.Entity+"\x00"+r.LegacyKey] {
			continue
		}
		res.Counts[r.Status]++
		switch r.Status {
		case load.StatusCreated, load.StatusUpdated, load.StatusExisting:
		default:
			res.Problems = append(res.Problems, r)
		}
	}
	if res.Deleted != nil {
		res.Counts[load.StatusDeleted] = res.Deleted.Counts[load.StatusDeleted]
		res.Problems = append(res.Problems, res.Deleted.Problem...)
	}
	return res, nil
}
