package importers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLegacyDatabasesAreRecognisedWithAdvice(t *testing.T) {
	dir := t.TempDir()
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	mdb := make([]byte, 2048)
	copy(mdb[4:], "Standard ACE DB")
	for _, c := range []struct{ name, want, format string }{
		{"PattersonPM.db", "SQL Anywhere", "unsupported"},
		{"PATIENT.DAT", "c-tree", "unsupported"},
		{"practice.bak", "database backup", "unsupported"},
		{"practice.accdb", "mdbtools", "mdb"},
	} {
		path := filepath.Join(dir, c.name)
		data := bin
		if c.format == "mdb" {
			data = mdb
		}
		os.WriteFile(path, data, 0o644)
		imp, err := Detect(path)
		if err != nil || imp.Format() != c.format {
			t.Fatalf("%s: Detect = %v, %v", c.name, imp, err)
		}
		if c.format == "mdb" {
			saved := mdbLookPath
			mdbLookPath = func(string) (string, error) { return "", errors.New("not installed") }
			defer func() { mdbLookPath = saved }()
		}
		_, err = importForTest(t, imp, path, Options{})
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.format == "mdb" && !strings.Contains(err.Error(), "sudo apt install mdbtools") {
			t.Errorf("no install advice: %v", err)
		}
	}
}
