package crashtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/killtest"
)

// tmpfs mounts a RAM disk of size bytes at a new folder and returns it, or "" when this process
// may not mount (not root, or in a container without the right): tests then use a file size
// limit instead.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Getuid() != 0 {
		return ""
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Logf("cannot mount a tmpfs (%v: %s); using a file size limit instead", err, strings.TrimSpace(string(out)))
		return ""
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v %s", dir, opts, err, out)
	}
}

// ferryLimited runs ferry with its files limited to limit bytes each (RLIMIT_FSIZE): a write past
// it fails with EFBIG, as a full disk fails with ENOSPC. Go programs ignore SIGXFSZ, so the
// process is not killed by the signal. limit 0 means no limit.
func ferryLimited(t *testing.T, bin string, limit int64, args ...string) (string, error) {
	t.Helper()
	if limit == 0 {
		return killtest.Ferry(t, bin, nil, args...)
	}
	all := append([]string{"-c", fmt.Sprintf(`ulimit -f %d && exec "$0" "$@"`, limit/1024), bin}, args...)
	cmd := exec.Command("bash", all...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func assertDiskFullMessage(t *testing.T, out string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded on a full disk:\n%s", out)
	}
	if !strings.Contains(out, "disk is full") || !strings.Contains(out, "Free some space") {
		t.Fatalf("the message does not say the disk is full and what to do:\n%s", out)
	}
}

// assertSound: the file opens, passes integrity_check and ferry verify.
func assertSound(t *testing.T, bin, path string) {
	t.Helper()
	db := killtest.OpenDB(t, path)
	if msg := killtest.Integrity(db); msg != "" {
		t.Fatalf("integrity_check: %s", msg)
	}
	db.Close()
	if out, err := killtest.Ferry(t, bin, nil, "verify", path); err != nil {
		t.Fatalf("ferry verify: %v\n%s", err, out)
	}
}

// A full disk during an import and before a purge: a clear message, the project as it was
// (apart from the custody event of opening it), and the same command works once there is room.
func TestFullDiskSaysSoAndLeavesTheProjectAsItWas(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 200,000 rows")
	}
	bin := killtest.Binary(t)
	src := t.TempDir()
	csv := filepath.Join(src, "patients.csv")
	writePatientsCSV(t, csv, killRows)
	purge := filepath.Join(src, "purge.json")
	os.WriteFile(purge, []byte(`{"format": "ferry-cleanse-recipe", "version": 1, "name": "purge-tests",
		"steps": [{"op": "purge", "table": "patients", "column": "FirstName", "values": ["Ann"], "reason": "test records"}]}`), 0o644)

	for _, mode := range []string{"tmpfs", "rlimit"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			if mode == "tmpfs" {
				if dir = tmpfs(t, "6m"); dir == "" {
					t.Skip("no tmpfs here")
				}
			}
			path := filepath.Join(dir, "practice.ferry")
			smallProject(t, path, 2000)
			st, _ := os.Stat(path)
			var limit int64
			if mode == "rlimit" {
				limit = st.Size() + 2<<20
			}
			before := contentHash(t, path)
			out, err := ferryLimited(t, bin, limit, "import", path, csv)
			assertDiskFullMessage(t, out, err)
			assertSound(t, bin, path)
			if h := contentHash(t, path); h != before {
				t.Fatal("the failed import changed the project")
			}
			// room again: the same import works
			if mode == "tmpfs" {
				remount(t, dir, "size=200m")
			}
			if out, err := killtest.Ferry(t, bin, nil, "import", path, csv); err != nil {
				t.Fatalf("import with room: %v\n%s", err, out)
			}
			assertSound(t, bin, path)

			// a purge needs a backup copy first; no room for it: nothing is purged
			st, _ = os.Stat(path)
			if mode == "tmpfs" {
				remount(t, dir, fmt.Sprintf("size=%d", st.Size()+st.Size()/2))
			} else {
				limit = st.Size() / 2
			}
			before = contentHash(t, path)
			out, err = ferryLimited(t, bin, limit, "cleanse", path, "--apply", purge)
			assertDiskFullMessage(t, out, err)
			assertSound(t, bin, path)
			if h := contentHash(t, path); h != before {
				t.Fatal("a purge went ahead without its backup")
			}
			t.Logf("full disk (%s):\n%s", mode, out)
		})
	}
}

// A read-only file (or a read-only disk): changing it is refused with what to do, viewing works,
// and the file is not touched.
func TestReadOnlyFileIsRefusedForChangesAndStillViewable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ferry")
	}
	bin := killtest.Binary(t)
	var dir string
	if os.Getuid() == 0 {
		// root may write a file whatever its mode: use a read-only file system instead
		if dir = tmpfs(t, "16m"); dir == "" {
			t.Skip("root, and no tmpfs to make read-only")
		}
	} else {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "practice.ferry")
	smallProject(t, path, 500)
	csv := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(csv, []byte("ID,Name\n1,Ann\n"), 0o644)
	if os.Getuid() == 0 {
		remount(t, dir, "ro")
	} else {
		os.Chmod(path, 0o444)
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	before := fileHash(t, path)
	out, err := killtest.Ferry(t, bin, nil, "import", path, csv)
	if err == nil || !strings.Contains(out, "read-only") || !strings.Contains(out, "Save as") {
		t.Fatalf("import into a read-only file: %v\n%s", err, out)
	}
	if out, err := killtest.Ferry(t, bin, nil, "tables", path); err != nil || !strings.Contains(out, "patients") {
		t.Fatalf("viewing a read-only file: %v\n%s", err, out)
	}
	if out, err := killtest.Ferry(t, bin, nil, "verify", path); err != nil {
		t.Fatalf("verifying a read-only file: %v\n%s", err, out)
	}
	if fileHash(t, path) != before {
		t.Fatal("the read-only file changed")
	}
}
