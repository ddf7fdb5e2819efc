package secretscan

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestScanFindsEveryForm(t *testing.T) {
	const secret = "pa55 wörd&Token/+="
	dir := t.TempDir()
	for name, content := range map[string]string{
		"plain.txt":  "x" + secret + "y",
		"basic.txt":  "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("reception:"+secret)),
		"url.txt":    "https://api.example/?key=" + url.QueryEscape(secret),
		"json.txt":   `{"password":"pa55 w\u00f6rd\u0026Token/+="}`,
		"b64url.txt": base64.URLEncoding.EncodeToString([]byte("ab" + secret)),
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "clean.txt"), []byte("nothing to see"), 0o644)
	found, err := ScanDir(dir, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	hit := map[string]bool{}
	for _, f := range found {
		hit[filepath.Base(f.File)] = true
	}
	for _, name := range []string{"plain.txt", "basic.txt", "url.txt", "b64url.txt"} {
		if !hit[name] {
			t.Errorf("%s: secret not found (found %v)", name, found)
		}
	}
	if hit["clean.txt"] {
		t.Error("a false alarm in clean.txt")
	}
}

func TestScanFileLooksBesideTheFileAndInItsBackups(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.ferry")
	os.WriteFile(p, []byte("clean"), 0o644)
	os.MkdirAll(p+"-backups", 0o755)
	os.WriteFile(p+"-backups/x-1.ferry", []byte("hunter22"), 0o644)
	os.WriteFile(p+"-wal", []byte("..hunter22.."), 0o644)
	found, err := ScanFile(p, []string{"hunter22"})
	if err != nil || len(found) != 2 {
		t.Fatalf("found %v, %v; want the WAL and the backup", found, err)
	}
	if _, err := ScanFile(p, []string{"abc"}); err == nil {
		t.Fatal("a 3-byte secret was accepted")
	}
}
