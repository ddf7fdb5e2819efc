// Package parallel ties the parallel run together: the wizard status of the step, computed from the
// checklist and the daily comparisons, and the XLSX export of both that the final report uses.
package parallel

import (
	"context"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/compare"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Parallel, Status) }

// Status is the Parallel run step's state: not started until the checklist is there; needing
// attention when something is blocked or the run overstays its time box; done when nothing blocks
// go-live.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	if !wizard.TableExists(ctx, p.Reader(), "ferry_checklist_items") {
		return wizard.NotStarted, "", nil
	}
	c, err := checklist.Load(ctx, p)
	if err != nil {
		return wizard.NotStarted, "", err
	}
	if !c.Loaded() && c.Settings.Start == "" {
		return wizard.NotStarted, "", nil
	}
	s := c.Summary(time.Now())
	switch {
	case s.Ready():
		return wizard.Done, fmt.Sprintf("All %d items checked and signed off.", s.Total), nil
	case s.OverTimeBox:
		return wizard.NeedsAttention, fmt.Sprintf("%d days past the %d-day time box; %s block go-live.", s.DaysOver, s.TimeBox, plural(len(s.Blockers), "item")), nil
	case s.ByStatus[checklist.Blocked] > 0:
		return wizard.NeedsAttention, fmt.Sprintf("%s blocked; %s block go-live.", plural(s.ByStatus[checklist.Blocked], "item"), plural(len(s.Blockers), "item")), nil
	}
	return wizard.InProgress, fmt.Sprintf("%d of %d done; %s block go-live.", s.Closed, s.Total, plural(len(s.Blockers), "item")), nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Overview is everything the Parallel run step shows, read in one go.
type Overview struct {
	Checklist   *checklist.Checklist
	Summary     checklist.Summary
	Comparisons []*compare.Result
	Trend       []compare.Point
}

// Load reads the checklist, its summary at now, the comparisons and their trend.
func Load(ctx context.Context, p *project.Project, now time.Time) (*Overview, error) {
	c, err := checklist.Load(ctx, p)
	if err != nil {
		return nil, err
	}
	runs, err := compare.List(ctx, p)
	if err != nil {
		return nil, err
	}
	trend, err := compare.Trend(ctx, p)
	if err != nil {
		return nil, err
	}
	return &Overview{Checklist: c, Summary: c.Summary(now), Comparisons: runs, Trend: trend}, nil
}
