package reconcile

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// ErrNoSchema: the project file has no tables for reconciliations (a build without migration
// 0010); the result can be shown and exported but not kept.
var ErrNoSchema = errors.New("this project file cannot keep reconciliations yet (its schema predates them)")

// Save stores a reconciliation and its differences, with a reconcile.run custody event naming
// the export files read back (by SHA-256), in one transaction. It sets res.ID.
func Save(ctx context.Context, p *project.Project, res *Result) error {
	if !wizard.TableExists(ctx, p.Reader(), "ferry_reconciliations") {
		return ErrNoSchema
	}
	body, err := json.Marshal(resultBody(res))
	if err != nil {
		return err
	}
	runs, _ := json.Marshal(res.Runs)
	if res.Runs == nil {
		runs = []byte("[]")
	}
	inputs := map[string]string{}
	for _, s := range res.Sources {
		inputs[s.Name] = s.SHA256
	}
	params := map[string]any{"destination": res.Destination.ID, "runs": res.Runs, "source": res.Source,
		"verdict": res.Verdict, "records": res.Records, "differences": res.Differences, "by_kind": res.ByKind}
	return p.Write(ctx, func(tx *sql.Tx) error {
		if err := p.Log(ctx, tx, "reconcile.run", params, inputs); err != nil {
			return err
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM ferry_custody`).Scan(&seq); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO ferry_reconciliations
			(at, actor, destination_id, runs, source, verdict, records, differences, custody_seq, result)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			res.At, p.Who().Actor, res.Destination.ID, string(runs), res.Source, res.Verdict, res.Records, res.Differences, seq, string(body))
		if err != nil {
			return fmt.Errorf("saving the reconciliation: %w", err)
		}
		id, _ := r.LastInsertId()
		const batch = 200
		for i := 0; i < len(res.Diffs); i += batch {
			end := min(i+batch, len(res.Diffs))
			q := strings.Builder{}
			q.WriteString(`INSERT INTO ferry_reconcile_diffs (recon_id, seq, entity, legacy_key, source_row, new_id, kind, field, sent, found, detail) VALUES `)
			args := make([]any, 0, (end-i)*11)
			for j := i; j < end; j++ {
				if j > i {
					q.WriteString(",")
				}
				q.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
				d := res.Diffs[j]
				args = append(args, id, j+1, d.Entity, d.Key, d.Row, d.NewID, d.Kind, d.Field, d.Sent, d.Found, d.Detail)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("saving the differences: %w", err)
			}
		}
		res.ID = id
		return nil
	})
}

func resultBody(res *Result) *Result {
	c := *res
	c.Diffs = nil
	return &c
}

// Latest reads the newest reconciliation back, with its differences (ErrNoReconciliation before
// the first).
func Latest(ctx context.Context, p *project.Project) (*Result, error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_reconciliations") {
		return nil, ErrNoReconciliation
	}
	var id int64
	var body string
	err := db.QueryRowContext(ctx, `SELECT id, result FROM ferry_reconciliations ORDER BY id DESC LIMIT 1`).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoReconciliation
	}
	if err != nil {
		return nil, fmt.Errorf("reading the reconciliation: %w", err)
	}
	res := &Result{}
	if err := json.Unmarshal([]byte(body), res); err != nil {
		return nil, fmt.Errorf("reading the reconciliation: %w", err)
	}
	res.ID = id
	rows, err := db.QueryContext(ctx, `SELECT entity, legacy_key, source_row, new_id, kind, field, sent, found, detail
		FROM ferry_reconcile_diffs WHERE recon_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Diff
		if err := rows.Scan(&d.Entity, &d.Key, &d.Row, &d.NewID, &d.Kind, &d.Field, &d.Sent, &d.Found, &d.Detail); err != nil {
			return nil, err
		}
		res.Diffs = append(res.Diffs, d)
	}
	return res, rows.Err()
}

// DiffsOf lists the differences the newest reconciliation found for one legacy record.
func DiffsOf(ctx context.Context, p *project.Project, entity, key string) (reconID int64, diffs []Diff, err error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_reconciliations") {
		return 0, nil, nil
	}
	err = db.QueryRowContext(ctx, `SELECT id FROM ferry_reconciliations ORDER BY id DESC LIMIT 1`).Scan(&reconID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT entity, legacy_key, source_row, new_id, kind, field, sent, found, detail
		FROM ferry_reconcile_diffs WHERE recon_id = ? AND entity = ? AND legacy_key = ? ORDER BY seq`, reconID, entity, key)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Diff
		if err := rows.Scan(&d.Entity, &d.Key, &d.Row, &d.NewID, &d.Kind, &d.Field, &d.Sent, &d.Found, &d.Detail); err != nil {
			return 0, nil, err
		}
		diffs = append(diffs, d)
	}
	return reconID, diffs, rows.Err()
}

func init() { wizard.RegisterStatus(wizard.Reconcile, Status) }

// Status (registered for wizard.Reconcile): not started before the first reconciliation, done
// when the newest one read the new system back and found no difference, needs attention when it
// found differences, in progress when it only had the load's own records.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_reconciliations") {
		return wizard.NotStarted, "", nil
	}
	var source, verdict string
	var diffs int
	err := db.QueryRowContext(ctx, `SELECT source, verdict, differences FROM ferry_reconciliations ORDER BY id DESC LIMIT 1`).Scan(&source, &verdict, &diffs)
	if errors.Is(err, sql.ErrNoRows) {
		return wizard.NotStarted, "", nil
	}
	if err != nil {
		return wizard.NotStarted, "", err
	}
	switch {
	case diffs > 0:
		return wizard.NeedsAttention, verdict + ".", nil
	case source == SourceLog:
		return wizard.InProgress, verdict + ".", nil
	}
	return wizard.Done, verdict + ".", nil
}
