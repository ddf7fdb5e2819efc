package staging

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Sources, Status) }

// Status is the Sources step's status: not started until a table is staged, in progress while
// some table has no key column, done when every table has one. The detail says what is staged,
// how many rows were flagged, and what is still to do.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	tables, err := NewStager(p).Tables(ctx)
	if err != nil {
		return wizard.NotStarted, "", err
	}
	if len(tables) == 0 {
		return wizard.NotStarted, "", nil
	}
	var rows, flagged int64
	var noKey []string
	for _, t := range tables {
		rows += t.Rows
		flagged += t.FlaggedRows
		if t.KeyColumn == "" {
			noKey = append(noKey, t.Name)
		}
	}
	detail := fmt.Sprintf("%s, %s staged", statusCount(int64(len(tables)), "table", "tables"), statusCount(rows, "row", "rows"))
	if flagged > 0 {
		detail += fmt.Sprintf("; %s flagged", statusCount(flagged, "row", "rows"))
	}
	detail += "."
	switch {
	case len(noKey) == 0:
		return wizard.Done, detail, nil
	case len(noKey) <= 3:
		detail += " No key column yet: " + strings.Join(noKey, ", ") + "."
	default:
		detail += fmt.Sprintf(" %d tables have no key column yet.", len(noKey))
	}
	return wizard.InProgress, detail, nil
}

func statusCount(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
