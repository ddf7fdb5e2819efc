package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenForReadReadsAnOrdinaryFile(t *testing.T) {
	path := filepath.Join(scratchDir(t), "patients.csv")
	if err := os.WriteFile(path, []byte("id,name\n1,Ann\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(path)
	if err != nil || string(b) != "id,name\n1,Ann\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
}

func TestAMissingFileIsNotInUse(t *testing.T) {
	_, err := OpenForRead(filepath.Join(scratchDir(t), "nope.csv"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want ErrNotExist, got %v", err)
	}
	if IsInUse(err) || errors.Is(err, ErrFileInUse) {
		t.Fatalf("a missing file was reported as in use: %v", err)
	}
}

func TestCheckLeavesOtherErrorsAlone(t *testing.T) {
	if Check("x.csv", nil) != nil {
		t.Fatal("Check(nil) must be nil")
	}
	other := errors.New("disk on fire")
	if got := Check("x.csv", other); got != other {
		t.Fatalf("Check changed an unrelated error: %v", got)
	}
}

// scratchDir is t.TempDir without os.RemoveAll, so that these tests also run under Wine 8 (make
// windows-smoke), which lacks the FileDispositionInformationEx call that Go 1.26's RemoveAll makes
// ("Invalid function"). Files are removed one by one with os.Remove (DeleteFile).
func scratchDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ferry-fsutil-*")
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
