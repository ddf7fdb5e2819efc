package project_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
)

func TestBackupIsAConsistentCopyBesideTheFileAndLogged(t *testing.T) {
	p := newProject(t, "Harbour View.ferry")
	if err := p.Do(ctx, "test.write", nil, nil, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO ferry_plan(key, value, updated_at) VALUES ('practice_name', 'Harbour View', 'now')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dest, err := p.Backup(ctx, "before purge")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dest) != p.Path+"-backups" || !strings.Contains(filepath.Base(dest), "before-purge") {
		t.Fatalf("backup at %s", dest)
	}
	// the copy is a Ferry project in its own right, with the data and an intact chain
	b, err := project.Open(ctx, dest, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var name string
	if err := b.Reader().QueryRow(`SELECT value FROM ferry_plan WHERE key = 'practice_name'`).Scan(&name); err != nil || name != "Harbour View" {
		t.Fatalf("backup holds %q, %v", name, err)
	}
	if rep, err := b.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("backup chain: %v %v", rep, err)
	}
	// the project records the backup, with the copy's hash
	evs, _ := custody.List(ctx, p.Reader(), 1)
	if len(evs) != 1 || evs[0].Action != "project.backup" || evs[0].Inputs[filepath.Base(dest)] == "" {
		t.Fatalf("last event %+v", evs)
	}
	// every event names the person and this machine
	host, _ := os.Hostname()
	if evs[0].Actor != "Test Manager" || evs[0].Machine != host {
		t.Fatalf("event by %q on %q, want Test Manager on %q", evs[0].Actor, evs[0].Machine, host)
	}
	if rep, _ := p.Verify(ctx); !rep.OK {
		t.Fatalf("chain after backup: %v", rep)
	}
}

func TestBackupsKeepOnlyTheNewest(t *testing.T) {
	p := newProject(t, "keep.ferry")
	var made []string
	for i := 0; i < project.KeepBackups+3; i++ {
		d, err := p.Backup(ctx, fmt.Sprintf("step %d", i))
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, d)
	}
	left, err := project.Backups(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != project.KeepBackups {
		t.Fatalf("%d backups kept, want %d", len(left), project.KeepBackups)
	}
	if left[0] != made[len(made)-1] {
		t.Fatalf("newest kept is %s, want %s", left[0], made[len(made)-1])
	}
	if _, err := os.Stat(made[0]); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the oldest backup is still there: %v", err)
	}
}

func TestBackupOfAViewOnlyProjectIsRefused(t *testing.T) {
	p := newProject(t, "ro-backup.ferry")
	v, err := project.Open(ctx, p.Path, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Backup(ctx, "x"); !errors.Is(err, project.ErrReadOnly) {
		t.Fatalf("got %v", err)
	}
}

func TestAdviceForAFullDisk(t *testing.T) {
	for _, err := range []error{project.ErrDiskFull, errors.New("saving: database or disk is full (13)"),
		errors.New("saving the import of p.csv in x: disk I/O error (778)")} {
		if a := project.Advice(err); !strings.Contains(a, "disk is full") || !strings.Contains(a, "Free some space") {
			t.Fatalf("advice for %v: %q", err, a)
		}
	}
}

func TestADamagedPageIsFoundBeforeAnythingIsWritten(t *testing.T) {
	p := newProject(t, "damaged.ferry")
	path := p.Path
	for i := 0; i < 200; i++ {
		p.Do(ctx, "test.fill", map[string]string{"pad": strings.Repeat("x", 500)}, nil, nil)
	}
	p.Close()
	b, _ := os.ReadFile(path)
	page := len(b) / 4096 / 2
	for i := 0; i < 4000; i++ { // its header and cell pointers too
		b[page*4096+i] = byte(i*7 + 3)
	}
	os.WriteFile(path, b, 0o644)
	assertOpenFailsUnchanged(t, path, project.ErrDamaged)
}
