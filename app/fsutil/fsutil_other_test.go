//go:build !windows

package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fakeSharing makes errno 32 mean ERROR_SHARING_VIOLATION, as it does on Windows, for one test.
func fakeSharing(t *testing.T) {
	old := inUse
	inUse = func(err error) bool {
		var en syscall.Errno
		return errors.As(err, &en) && (en == 32 || en == 33)
	}
	t.Cleanup(func() { inUse = old })
}

func TestASharingViolationSaysCloseItInExcel(t *testing.T) {
	fakeSharing(t)
	path := filepath.Join("C:", "exports", "patients.csv")
	err := Check(path, &os.PathError{Op: "open", Path: path, Err: syscall.Errno(32)})
	if !errors.Is(err, ErrFileInUse) || !IsInUse(err) {
		t.Fatalf("want ErrFileInUse, got %v", err)
	}
	if !errors.Is(err, syscall.Errno(32)) {
		t.Fatal("the OS error must stay reachable for logs")
	}
	want := "patients.csv is open in another program (Excel?). Close it there and try again."
	if err.Error() != want {
		t.Fatalf("message:\n got %q\nwant %q", err, want)
	}
	var iu *InUseError
	if !errors.As(err, &iu) || iu.Path != path {
		t.Fatalf("want *InUseError for %s, got %#v", path, err)
	}
	// Wrapping it again, as importers do with %w, keeps it recognisable and does not double it.
	again := Check(path, err)
	if again != err || strings.Count(again.Error(), "Excel") != 1 {
		t.Fatalf("Check wrapped twice: %v", again)
	}
}

func TestALockViolationMidReadIsInUseToo(t *testing.T) {
	fakeSharing(t)
	err := Check("ledger.xlsx", &os.PathError{Op: "read", Path: "ledger.xlsx", Err: syscall.Errno(33)})
	if !errors.Is(err, ErrFileInUse) {
		t.Fatalf("want ErrFileInUse, got %v", err)
	}
}

func TestOpenForReadGivesUpOnAFileThatStaysInUse(t *testing.T) {
	// A permission error stands in for the sharing violation Linux cannot produce.
	old := inUse
	inUse = func(err error) bool { return errors.Is(err, os.ErrPermission) }
	t.Cleanup(func() { inUse = old })
	if os.Geteuid() == 0 {
		t.Skip("root reads files without permission")
	}
	path := filepath.Join(t.TempDir(), "held.csv")
	if err := os.WriteFile(path, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, err := OpenForRead(path)
	if !errors.Is(err, ErrFileInUse) {
		t.Fatalf("want ErrFileInUse, got %v", err)
	}
}
