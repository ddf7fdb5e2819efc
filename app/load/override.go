package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
)

// ErrNoReason is returned when an override is recorded without a reason.
var ErrNoReason = errors.New("say why the load goes ahead without a passing sample run")

// RecordOverride notes on a load run why it ran without a passing sample run (the Full load
// step asks for a reason in the person's own words), in ferry_load_runs.override and as a
// custody event (load.override), so the report shows who decided it and why.
func RecordOverride(ctx context.Context, p *project.Project, runID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNoReason
	}
	return p.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ferry_load_runs SET override = ? WHERE run_id = ?`, reason, runID)
		if err != nil {
			return fmt.Errorf("recording why load run %d went ahead: %w", runID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("recording why load run %d went ahead: %w", runID, ErrNoRun)
		}
		return p.Log(ctx, tx, "load.override", map[string]any{"run": runID, "reason": reason}, nil)
	})
}

// Override is the reason recorded for a run that went ahead without a passing sample run ("":
// none).
func Override(ctx context.Context, p *project.Project, runID int64) (string, error) {
	var s string
	err := p.Reader().QueryRowContext(ctx, `SELECT override FROM ferry_load_runs WHERE run_id = ?`, runID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("load run %d: %w", runID, ErrNoRun)
	}
	return s, err
}
