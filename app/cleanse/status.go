package cleanse

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

func init() { wizard.RegisterStatus(wizard.Cleanse, Status) }

// Status is the Cleanse step's status, kept simple and honest: not started until an operation
// is applied; then in progress with what the history holds ("7 operations, 1,204 cells changed,
// 6 rows purged, 15 merged"). Whether the data is clean enough is the audit's to say: rerun it.
func Status(ctx context.Context, p *project.Project) (wizard.State, string, error) {
	db := p.Reader()
	if !wizard.TableExists(ctx, db, "ferry_cleanse_ops") {
		return wizard.NotStarted, "", nil
	}
	s, err := summarise(ctx, db)
	if err != nil {
		return wizard.NotStarted, "", err
	}
	if s.Ops == 0 {
		if s.Undone > 0 {
			return wizard.NotStarted, fmt.Sprintf("Every operation was undone (%s can be redone).", count(s.Undone, "operation", "operations")), nil
		}
		return wizard.NotStarted, "", nil
	}
	detail := fmt.Sprintf("%s, %s changed", count(s.Ops, "operation", "operations"), count(s.Cells, "cell", "cells"))
	if s.Purged > 0 {
		detail += fmt.Sprintf(", %s purged", count(s.Purged, "row", "rows"))
	}
	if s.Merged > 0 {
		detail += fmt.Sprintf(", %s merged", count(s.Merged, "row", "rows"))
	}
	return wizard.InProgress, detail + ".", nil
}

// count writes "1 cell", "1,204 cells".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
