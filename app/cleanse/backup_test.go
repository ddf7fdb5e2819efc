package cleanse_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/internal/killtest"
)

// Purge and merge are the destructive steps: a backup copy of the project as it was comes first,
// and it still holds the rows the step moves aside.
func TestPurgeAndMergeKeepABackupFirst(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	stage(t, p, "patients", []string{"ID", "Name"}, []string{"1", "Ann"}, []string{"2", "TEST PATIENT"},
		[]string{"3", "Bob"}, []string{"3", "Bob"})
	if _, err := cleanse.Apply(ctx, p, cleanse.Step{Op: "change_case", Table: "patients", Column: "Name", Case: "upper"}, cleanse.Options{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := project.Backups(p.Path); len(b) != 0 {
		t.Fatalf("a reversible cell operation made a backup: %v", b)
	}
	if _, err := cleanse.Apply(ctx, p, cleanse.Step{Op: "purge", Table: "patients", Column: "Name", Values: []string{"TEST PATIENT"},
		Reason: "test record"}, cleanse.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cleanse.Apply(ctx, p, cleanse.Step{Op: "merge_duplicates", Table: "patients", Match: "identical"}, cleanse.Options{}); err != nil {
		t.Fatal(err)
	}
	backups, err := project.Backups(p.Path)
	if err != nil || len(backups) != 2 {
		t.Fatalf("backups %v, %v; want one before the purge and one before the merge", backups, err)
	}
	if !strings.Contains(backups[0], "before-merge-duplicates") || !strings.Contains(backups[1], "before-purge") {
		t.Fatalf("backups %v", backups)
	}
	// the copy made before the purge still has the test patient in the staged table
	db := killtest.OpenDB(t, backups[1])
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM patients WHERE Name = 'TEST PATIENT'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("backup before the purge: %d rows, %v", n, err)
	}
	var actions string
	p.Reader().QueryRow(`SELECT group_concat(action, ' ') FROM (SELECT action FROM ferry_custody ORDER BY seq)`).Scan(&actions)
	if !strings.Contains(actions, "project.backup cleanse.apply project.backup cleanse.apply") {
		t.Fatalf("custody log: %s", actions)
	}
}
