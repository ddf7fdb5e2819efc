package sample

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
)

// RunOptions say where the sample goes and how to report on it.
type RunOptions struct {
	// Destination names the destination: a sandbox (a second configuration of the new system)
	// or the live one.
	Destination string
	// Selection is the sample to send (nil: Select with the defaults).
	Selection *Selection
	Secret    func(load.Destination) (string, error)
	Progress  func(load.Progress)
	Pause     *load.PauseControl
}

// RunResult is a finished (or stopped) sample run.
type RunResult struct {
	*load.Result
	Selection *Selection `json:"selection"`
}

// recordPicks keeps the selection a run used, with each record's reasons.
func recordPicks(ctx context.Context, p *project.Project, run int64, sel *Selection) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO ferry_sample_picks(run_id, entity, legacy_key, source_row, reasons)
			VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, pk := range sel.Picks {
			why, _ := json.Marshal(pk.Why)
			if _, err := stmt.ExecContext(ctx, run, pk.Entity, pk.Key, pk.Row, string(why)); err != nil {
				return err
			}
		}
		return p.Log(ctx, tx, "sample.run", map[string]any{"run": run, "seed": sel.Seed, "percent": sel.Percent, "records": len(sel.Picks)}, nil)
	})
}

// PickReasons reads why each record of a past sample run was in it: entity \x00 key → reasons.
func PickReasons(ctx context.Context, p *project.Project, run int64) (map[string][]Why, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT entity, legacy_key, reasons FROM ferry_sample_picks WHERE run_id = ?`, run)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Why{}
	for rows.Next() {
		var e, k, r string
		if err := rows.Scan(&e, &k, &r); err != nil {
			return nil, err
		}
		var why []Why
		json.Unmarshal([]byte(r), &why)
		out[e+"\x00"+k] = why
	}
	return out, rows.Err()
}
