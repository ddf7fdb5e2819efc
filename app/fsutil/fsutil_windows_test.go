package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// holdExclusively opens path the way Excel opens a CSV: no sharing at all, until the returned
// function closes it.
func holdExclusively(t *testing.T, path string) func() {
	t.Helper()
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("holding %s: %v", path, err)
	}
	return func() { syscall.CloseHandle(h) }
}

func TestAFileHeldByAnotherProgramIsInUse(t *testing.T) {
	path := filepath.Join(scratchDir(t), "Patients export.csv")
	if err := os.WriteFile(path, []byte("id,name\r\n1,Ann\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	release := holdExclusively(t, path)
	start := time.Now()
	_, err := OpenForRead(path)
	release()
	if !errors.Is(err, ErrFileInUse) || !errors.Is(err, errorSharingViolation) {
		t.Fatalf("want ErrFileInUse wrapping ERROR_SHARING_VIOLATION, got %v", err)
	}
	if err.Error() != "Patients export.csv is open in another program (Excel?). Close it there and try again." {
		t.Fatalf("message: %q", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("gave up only after %v", d)
	}
	// Closed in "Excel": now it reads.
	b, err := ReadFile(path)
	if err != nil || string(b) != "id,name\r\n1,Ann\r\n" {
		t.Fatalf("after release: %q, %v", b, err)
	}
}

func TestALockedRangeMidReadIsInUse(t *testing.T) {
	path := filepath.Join(scratchDir(t), "ledger.csv")
	if err := os.WriteFile(path, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another handle locks the whole file, as a program saving it does (LockFileEx).
	locker, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	lockFileEx := syscall.NewLazyDLL("kernel32.dll").NewProc("LockFileEx")
	var ol syscall.Overlapped
	const lockExclusive, failImmediately = 2, 1
	if r, _, e := lockFileEx.Call(uintptr(locker.Fd()), lockExclusive|failImmediately, 0, 0xffffffff, 0xffffffff, uintptr(unsafe.Pointer(&ol))); r == 0 {
		t.Skipf("LockFileEx: %v", e)
	}
	f, err := OpenForRead(path)
	if err != nil {
		t.Fatalf("opening a range-locked file should work, reading should not: %v", err)
	}
	defer f.Close()
	_, err = f.Read(make([]byte, 10))
	if err == nil {
		t.Skip("this Windows lets a locked range be read")
	}
	if err := Check(path, err); !errors.Is(err, ErrFileInUse) {
		t.Fatalf("want ErrFileInUse, got %v", err)
	}
}
