package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Audit, Status) }

// staleActions are custody actions after which the last audit no longer describes the data:
// what is staged, its keys, or the relationships between tables changed.
var staleActions = []string{"source.import", "table.drop", "table.rename", "table.set_key",
	"relationship.declare", "relationship.delete"}

// Status is the Audit step's status: not started without a run; done with a run newer than
// every change to the staged data ("N findings: X errors, Y warnings"); needs attention when
// the data, keys or relationships changed after the last run ("rerun the audit"), or a cleanse
// step changed the data.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_audit_runs") {
		return wizard.NotStarted, "", nil
	}
	var seq, findings, errs, warns int64
	err := db.QueryRowContext(ctx, `SELECT custody_seq, findings, errors, warnings FROM ferry_audit_runs ORDER BY id DESC LIMIT 1`).
		Scan(&seq, &findings, &errs, &warns)
	if errors.Is(err, sql.ErrNoRows) {
		return wizard.NotStarted, "", nil
	}
	if err != nil {
		return wizard.NotStarted, "", fmt.Errorf("reading the last audit: %w", err)
	}
	args := []any{seq}
	q := `SELECT count(*) FROM ferry_custody WHERE seq > ? AND (action LIKE 'cleanse.%'`
	for _, a := range staleActions {
		q += ` OR action = ?`
		args = append(args, a)
	}
	var changed int64
	if err := db.QueryRowContext(ctx, q+`)`, args...).Scan(&changed); err != nil {
		return wizard.NotStarted, "", fmt.Errorf("reading the custody log: %w", err)
	}
	detail := fmt.Sprintf("%s: %s, %s.", plural(findings, "finding", "findings"), plural(errs, "error", "errors"), plural(warns, "warning", "warnings"))
	if changed > 0 {
		return wizard.NeedsAttention, "The data changed since the last audit: rerun the audit. (Last run: " + detail + ")", nil
	}
	return wizard.Done, detail, nil
}
