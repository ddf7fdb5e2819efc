package load

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Load, Status) }

// Status is the Full load step's status, judged by the newest full load (or retry) run:
//   - not started: no load run yet (the detail says how many destinations are set up);
//   - in progress: that run is unfinished (running, paused by the circuit, cancelled or cut
//     off): resuming it goes on from its records;
//   - needs attention: it finished but records were rejected, failed or not sent because of
//     mapping errors;
//   - done: every record of it arrived (created or already there).
//
// Sample runs, delta cutovers and rollbacks have steps of their own and do not count here.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_load_runs") {
		return wizard.NotStarted, "", nil
	}
	runs, err := Runs(ctx, p)
	if err != nil {
		return wizard.NotStarted, "", err
	}
	var run *RunInfo
	for i := range runs {
		if runs[i].Kind == RunLoad {
			run = &runs[i]
			break
		}
	}
	if run == nil {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ferry_destinations`).Scan(&n); err != nil {
			return wizard.NotStarted, "", fmt.Errorf("reading the destinations: %w", err)
		}
		if n == 0 {
			return wizard.NotStarted, "", nil
		}
		return wizard.NotStarted, fmt.Sprintf("%s set up; nothing loaded yet.", statusPlural(n, "destination", "destinations")), nil
	}
	c := run.Counts
	var total int64
	for _, n := range c {
		total += n
	}
	arrived := c[StatusCreated] + c[StatusExisting] + c[StatusUpdated]
	head := fmt.Sprintf("Load run %d to %s: %s of %s arrived", run.ID, run.Destination, statusCount(arrived), statusPlural(total, "record", "records"))
	switch run.State {
	case StateRunning, StatePaused, StateCancelled:
		why := ""
		if run.Message != "" {
			why = " (" + run.Message + ")"
		}
		return wizard.InProgress, fmt.Sprintf("%s; not finished%s. Resume it to go on.", head, why), nil
	}
	var probs []string
	if n := c[StatusRejected]; n > 0 {
		probs = append(probs, statusCount(n)+" rejected")
	}
	if n := c[StatusFailed]; n > 0 {
		probs = append(probs, statusCount(n)+" failed")
	}
	if n := c[StatusInvalid]; n > 0 {
		probs = append(probs, statusCount(n)+" not sent because of mapping errors")
	}
	if n := c[StatusPending] + c[StatusSending]; n > 0 {
		probs = append(probs, statusCount(n)+" never sent")
	}
	if run.State == StateFailed || len(probs) > 0 {
		detail := head
		for i, pr := range probs {
			sep := ", "
			if i == 0 {
				sep = "; "
			}
			detail += sep + pr
		}
		if run.State == StateFailed && run.Message != "" {
			detail += "; it stopped: " + run.Message
		}
		return wizard.NeedsAttention, detail + ".", nil
	}
	return wizard.Done, head + ".", nil
}

func statusPlural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return statusCount(n) + " " + many
}

// statusCount is 12,345.
func statusCount(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + statusCount(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
