package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-migrate/ferry/app/fsutil"
)

// KeepBackups is how many backup copies are kept per project; older ones are removed.
const KeepBackups = 5

// BackupDir is the folder, beside the project, that holds its backups: "NAME.ferry-backups".
func BackupDir(path string) string { return path + "-backups" }

// Backup writes a consistent copy of the project (SQLite's VACUUM INTO: every committed change,
// nothing half-written) into NAME.ferry-backups/ beside the file, before a destructive step
// (purge, merge, rollback). reason goes into the copy's name and the custody event
// "project.backup", which also records the copy's SHA-256. Only the newest KeepBackups copies
// are kept. It returns the copy's path. A full disk fails with ErrDiskFull and leaves no partial
// copy; the caller must then not go on with the destructive step.
func (p *Project) Backup(ctx context.Context, reason string) (string, error) {
	if p.readOnly || p.w == nil {
		return "", ErrReadOnly
	}
	dir := BackupDir(p.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("making a backup copy of %s (%s): %w", p.Name(), reason, diskFull(err))
	}
	stamp := time.Now().UTC().Format("20060102-150405.000")
	stamp = strings.Replace(stamp, ".", "-", 1)
	name := fmt.Sprintf("%s-%s-%s%s", p.Name(), stamp, slug(reason), Ext)
	dest := filepath.Join(dir, name)
	tmp := dest + ".saving"
	os.Remove(tmp)
	if _, err := p.w.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("making a backup copy of %s (%s): %w", p.Name(), reason, diskFull(err))
	}
	sum, err := fsutil.SHA256(ctx, tmp)
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("making a backup copy of %s (%s): %w", p.Name(), reason, diskFull(err))
	}
	if err := p.Do(ctx, "project.backup", map[string]any{"reason": reason, "file": filepath.Join(filepath.Base(dir), name)},
		map[string]string{name: sum}, nil); err != nil {
		return dest, err
	}
	p.pruneBackups(dir)
	return dest, nil
}

// Backups lists the project's backup copies, the newest first.
func Backups(path string) ([]string, error) {
	dir := BackupDir(path)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), Ext) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	// names carry a sortable UTC time stamp after the project name
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

func (p *Project) pruneBackups(dir string) {
	all, err := Backups(p.Path)
	if err != nil {
		return
	}
	prefix := p.Name() + "-"
	kept := 0
	for _, b := range all {
		if !strings.HasPrefix(filepath.Base(b), prefix) {
			continue
		}
		kept++
		if kept > KeepBackups {
			os.Remove(b)
		}
	}
}

// slug turns a reason into something safe in a file name: "before purge" -> "before-purge".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		out = "backup"
	}
	return out
}

// diskFull wraps err with ErrDiskFull when it says the disk (or a file size limit) is full, so
// that the person is told what happened and what to do.
func diskFull(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	if isDiskFull(err) {
		return fmt.Errorf("%v: %w", err, ErrDiskFull)
	}
	return err
}

func isDiskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) {
		return true
	}
	msg := err.Error()
	// SQLite says "database or disk is full" (13) on ENOSPC; a write refused for another reason,
	// such as a file size limit, is "disk I/O error (778)" (SQLITE_IOERR_WRITE).
	for _, s := range []string{"database or disk is full", "SQLITE_FULL", "no space left", "file too large", "disk quota",
		"disk I/O error (778)", "SQLITE_IOERR_WRITE"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
