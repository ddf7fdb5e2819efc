package project

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeFS makes every folder look like it is on the file system with statfs magic number magic.
func fakeFS(t *testing.T, magic int64) {
	old := statfsType
	statfsType = func(string) (int64, error) { return magic, nil }
	t.Cleanup(func() { statfsType = old })
}

func journalOf(t *testing.T, p *Project) string {
	t.Helper()
	var mode string
	if err := p.Writer().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

func TestNetworkFileSystemsAreRecognisedByStatfs(t *testing.T) {
	dir := t.TempDir()
	for magic, want := range map[int64]string{
		0x6969:             "NFS",
		0xFF534D42:         "CIFS",
		0xFE534D42:         "SMB",
		int64(-0x00ACB2BE): "CIFS", // 0xFF534D42 as a 32-bit system's negative long
		0x65735546:         "FUSE",
		0xEF53:             "", // ext4
		0x01021994:         "", // tmpfs
		0x9123683E:         "", // btrfs
	} {
		fakeFS(t, magic)
		got := remoteFS(filepath.Join(dir, "not yet", "a.ferry"))
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("magic %#x: remoteFS = %q, want something with %q", magic, got, want)
		}
	}
}

func TestAProjectOnANetworkShareUsesARollbackJournalAndSaysSo(t *testing.T) {
	ctx := context.Background()
	fakeFS(t, 0xFE534D42) // SMB2
	path := filepath.Join(t.TempDir(), "my projects", "Harbour View.ferry")
	p, err := Create(ctx, path, Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if mode := journalOf(t, p); mode != "delete" {
		t.Fatalf("journal mode %q on a network share, want delete", mode)
	}
	if err := p.Do(ctx, "test.write", nil, nil, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO ferry_meta(key, value) VALUES ('k', 'v')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Errorf("%s%s is left beside the project between writes", filepath.Base(path), side)
		}
	}
	// Readers still work alongside the writer: locking is not exclusive.
	var v string
	if err := p.Reader().QueryRow(`SELECT value FROM ferry_meta WHERE key = 'k'`).Scan(&v); err != nil || v != "v" {
		t.Fatalf("reader: %q, %v", v, err)
	}
	w := p.StorageWarning()
	if !strings.Contains(w, "Harbour View.ferry is on an SMB network share") {
		t.Fatalf("warning: %q", w)
	}
}

func TestAProjectMovedIntoASyncedFolderLeavesWALAndComesBackToIt(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	local := filepath.Join(root, "Documents", "Harbour View.ferry")
	p, err := Create(ctx, local, Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	if mode := journalOf(t, p); mode != "wal" {
		t.Fatalf("local disk: journal mode %q, want wal", mode)
	}
	if w := p.StorageWarning(); w != "" {
		t.Fatalf("local disk: unexpected warning %q", w)
	}
	p.Close()

	synced := filepath.Join(root, "OneDrive - Harbour View Dental", "Harbour View.ferry")
	if err := os.MkdirAll(filepath.Dir(synced), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(local, synced); err != nil {
		t.Fatal(err)
	}
	p, err = Open(ctx, synced, Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	if mode := journalOf(t, p); mode != "delete" {
		t.Fatalf("OneDrive folder: journal mode %q, want delete", mode)
	}
	if w := p.StorageWarning(); !strings.Contains(w, "is in a folder that OneDrive syncs") {
		t.Fatalf("OneDrive folder: warning %q", w)
	}
	p.Close()
	// The file header says "rollback journal" now (bytes 18 and 19 are 1, WAL is 2), so a copy the
	// sync client uploads opens anywhere without a -wal file.
	b, err := os.ReadFile(synced)
	if err != nil {
		t.Fatal(err)
	}
	if b[18] != 1 || b[19] != 1 {
		t.Fatalf("file format bytes %d %d, want 1 1", b[18], b[19])
	}

	if err := os.Rename(synced, local); err != nil {
		t.Fatal(err)
	}
	p, err = Open(ctx, local, Options{Actor: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if mode := journalOf(t, p); mode != "wal" {
		t.Fatalf("back on the local disk: journal mode %q, want wal", mode)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("custody log after the moves: %+v, %v", rep, err)
	}
}
