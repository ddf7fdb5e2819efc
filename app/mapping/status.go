package mapping

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Map, Status) }

// Status is the Map step's status:
//   - not started: no target chosen;
//   - in progress: "4 of 6 entities mapped, 3 required fields unmapped", with what is still to
//     do (tables no entity reads, problems of the map, validation not run or out of date);
//   - done: every entity with a source table has its required fields mapped, the map has no
//     problems, and the newest validation – of the current target version, map and data – found
//     no errors (staged tables no entity reads are named in the detail: they will not move);
//   - needs attention: the newest validation is current and found errors.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	if !wizard.TableExists(ctx, p.Reader(), "ferry_targets") {
		return wizard.NotStarted, "", nil
	}
	m := New(p)
	ov, err := m.Overview(ctx)
	if errors.Is(err, target.ErrNoTarget) {
		return wizard.NotStarted, "", nil
	}
	if err != nil {
		return wizard.NotStarted, "", err
	}
	rep, err := m.LatestReport(ctx)
	if err != nil {
		return wizard.NotStarted, "", err
	}
	title := ov.Target.Title
	if title == "" {
		title = ov.Target.Name
	}
	var unread []string
	for _, tb := range ov.Tables {
		if len(tb.UsedBy) == 0 {
			unread = append(unread, tb.Name)
		}
	}
	configErrors := 0
	for _, pr := range ov.Problems {
		if pr.Severity == SevError {
			configErrors++
		}
	}
	detail := fmt.Sprintf("%s: %d of %d entities mapped", title, ov.Complete, ov.WithData)
	if ov.WithData == 0 {
		detail = fmt.Sprintf("%s: no entity has a source table yet", title)
	}
	if ov.RequiredUnmapped > 0 {
		detail += ", " + plural(int64(ov.RequiredUnmapped), "required field unmapped", "required fields unmapped")
	}
	detail += "."
	if len(unread) > 0 {
		if len(unread) <= 3 {
			detail += " Not mapped yet: " + strings.Join(unread, ", ") + "."
		} else {
			detail += fmt.Sprintf(" %d staged tables are not mapped yet.", len(unread))
		}
	}
	if rep != nil && rep.Current && rep.Errors > 0 {
		return wizard.NeedsAttention, fmt.Sprintf("%s Validation of version %d found %s.", detail, rep.TargetVersion,
			plural(rep.Errors, "error", "errors")), nil
	}
	complete := ov.WithData > 0 && ov.Complete == ov.WithData && configErrors == 0
	if complete && rep != nil && rep.Current && rep.Errors == 0 {
		done := fmt.Sprintf("%s: all %d entities mapped; version %d validated with no errors.", title, ov.WithData, rep.TargetVersion)
		if len(unread) > 0 {
			// not a blocker (a person may leave a table behind on purpose), but never silent
			done += fmt.Sprintf(" %s not mapped, so not migrated: %s.", plural(int64(len(unread)), "staged table is", "staged tables are"),
				strings.Join(unread, ", "))
		}
		return wizard.Done, done, nil
	}
	switch {
	case configErrors > 0:
		detail += " " + plural(int64(configErrors), "problem", "problems") + " in the map to fix."
	case rep == nil:
		detail += " Not validated yet."
	case !rep.Current:
		detail += " The last validation is out of date: validate again."
	}
	return wizard.InProgress, detail, nil
}
