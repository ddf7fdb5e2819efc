package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These run on Windows and under Wine (make windows-smoke), which maps the drive letter in
// FERRY_TEST_NETWORK_DRIVE (e.g. "N:") to a folder and tells Windows it is a network drive.

// winScratch is t.TempDir without os.RemoveAll, which Wine 8 cannot do for Go 1.26.
func winScratch(t *testing.T, parent string) string {
	t.Helper()
	dir, err := os.MkdirTemp(parent, "ferry-fsinfo-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
		os.Remove(dir)
	})
	return dir
}

func TestWindowsUNCPathsAreNetworkShares(t *testing.T) {
	s := StorageAt(`\\server\practice\Ferry\Harbour View.ferry`)
	if s.Kind != StorageNetwork || s.Where != `the network share \\server\practice` {
		t.Fatalf("got %+v", s)
	}
}

func TestWindowsLocalDiskKeepsWAL(t *testing.T) {
	ctx := context.Background()
	p, err := Create(ctx, filepath.Join(winScratch(t, ""), "my projects", "Harbour View.ferry"), Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.Close()
		os.Remove(p.Path)
		os.Remove(lockPath(p.Path))
		os.Remove(filepath.Dir(p.Path))
	}()
	var mode string
	if err := p.Writer().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v; want wal", mode, err)
	}
	if w := p.StorageWarning(); w != "" {
		t.Fatalf("warning on a local disk: %q", w)
	}
}

func TestWindowsMappedNetworkDriveGetsARollbackJournal(t *testing.T) {
	drive := os.Getenv("FERRY_TEST_NETWORK_DRIVE")
	if drive == "" {
		t.Skip("FERRY_TEST_NETWORK_DRIVE (a drive letter mapped to a network share) is not set")
	}
	ctx := context.Background()
	dir := winScratch(t, drive+`\`)
	path := filepath.Join(dir, "Harbour View.ferry")
	if s := StorageAt(path); s.Kind != StorageNetwork || !strings.Contains(s.Where, strings.ToUpper(drive)) {
		t.Fatalf("StorageAt(%s) = %+v", path, s)
	}
	p, err := Create(ctx, path, Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.Close()
		os.Remove(path)
		os.Remove(lockPath(path))
	}()
	var mode string
	if err := p.Writer().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("journal mode %q, %v; want delete", mode, err)
	}
	if w := p.StorageWarning(); !strings.Contains(w, "network drive "+strings.ToUpper(drive)) {
		t.Fatalf("warning: %q", w)
	}
}
