// Package secretscan proves that no credential reaches a file Ferry writes: the project file and
// what SQLite keeps beside it (-wal, -journal), its backups, logs and exports. It looks for each
// secret as it is and in the forms it could take on the way: base64 (standard and URL alphabets,
// at every alignment, so a secret inside "user:password" of a Basic header is still found), URL
// and path escaping, JSON escaping, hexadecimal and UTF-16.
//
// Tests that run with credentials set call it afterwards, for example after a load run:
//
//	secretscan.Check(t, projectPath, password, apiToken)
//	secretscan.CheckDir(t, exportDir, password, apiToken)
package secretscan

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// Finding is one place a secret was found.
type Finding struct {
	File   string
	Offset int64
	Form   string // "plain", "base64", "url", ...
	Secret int    // index into the secrets given
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: secret #%d found (%s) at byte %d", f.File, f.Secret+1, f.Form, f.Offset)
}

// minLen is the shortest secret worth scanning for: shorter ones would match by chance.
const minLen = 4

// Forms lists what the scanner looks for, form name to the bytes, for one secret.
func Forms(secret string) map[string][][]byte {
	out := map[string][][]byte{}
	seen := map[string]bool{}
	add := func(form string, b []byte) {
		if len(b) >= minLen && !seen[string(b)] { // the same bytes are one form: the first named
			seen[string(b)] = true
			out[form] = append(out[form], b)
		}
	}
	add("plain", []byte(secret))
	add("url", []byte(url.QueryEscape(secret)))
	add("url-path", []byte(url.PathEscape(secret)))
	if j, err := json.Marshal(secret); err == nil {
		add("json", j[1:len(j)-1])
	}
	add("hex", []byte(hex.EncodeToString([]byte(secret))))
	add("HEX", []byte(strings.ToUpper(hex.EncodeToString([]byte(secret)))))
	var u16 []byte
	for _, r := range utf16.Encode([]rune(secret)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	add("utf-16le", u16)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := 0; k < 3; k++ {
			// the characters that depend only on the secret, whatever came before it
			e := enc.EncodeToString(append(make([]byte, k), secret...))
			from := (8*k + 5) / 6
			to := 8 * (k + len(secret)) / 6
			if to > from {
				add("base64", []byte(e[from:to]))
			}
		}
	}
	return out
}

// Scan reads one file and reports every secret found in it. Secrets shorter than 4 bytes are
// an error: they would be found everywhere.
func Scan(path string, secrets []string) ([]Finding, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for i, s := range secrets {
		if len(s) < minLen {
			return nil, fmt.Errorf("secret #%d is shorter than %d bytes; use a longer test secret", i+1, minLen)
		}
		for form, needles := range Forms(s) {
			for _, n := range needles {
				if at := bytes.Index(data, n); at >= 0 {
					out = append(out, Finding{File: path, Offset: int64(at), Form: form, Secret: i})
				}
			}
		}
	}
	return out, nil
}

// ScanFile scans a project (or any) file together with SQLite's files beside it (-wal, -shm,
// -journal) and every file in its backup folder (NAME.ferry-backups).
func ScanFile(path string, secrets []string) ([]Finding, error) {
	var out []Finding
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		f, err := Scan(p, secrets)
		if err != nil && !os.IsNotExist(err) {
			return out, err
		}
		out = append(out, f...)
	}
	if st, err := os.Stat(path + "-backups"); err == nil && st.IsDir() {
		f, err := ScanDir(path+"-backups", secrets)
		if err != nil {
			return out, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// ScanDir scans every file under dir (exports, logs, a settings folder).
func ScanDir(dir string, secrets []string) ([]Finding, error) {
	var out []Finding
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := Scan(p, secrets)
		out = append(out, f...)
		return err
	})
	return out, err
}

// Check fails the test if any secret is in the file, beside it or in its backups.
func Check(t testing.TB, path string, secrets ...string) {
	t.Helper()
	report(t, path, secrets, ScanFile)
}

// CheckDir fails the test if any secret is in a file under dir.
func CheckDir(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	report(t, dir, secrets, ScanDir)
}

func report(t testing.TB, path string, secrets []string, scan func(string, []string) ([]Finding, error)) {
	t.Helper()
	found, err := scan(path, secrets)
	if err != nil {
		t.Fatalf("scanning %s for secrets: %v", path, err)
	}
	for _, f := range found {
		t.Errorf("credential leaked: %s", f)
	}
}
