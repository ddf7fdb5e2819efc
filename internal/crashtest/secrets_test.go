package crashtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/secrets"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
	"github.com/ferry-migrate/ferry/internal/secretscan"
)

// With a password and an API token saved for the new system, a whole demo migration up to the
// load (import, cleanse, map, validation, a backup, the custody log exported) writes neither of
// them anywhere: not in the project file, its WAL, its backups nor the export. The load tests
// call secretscan.Check the same way after a run with credentials set.
func TestNoCredentialReachesTheProjectItsBackupsOrExports(t *testing.T) {
	keyring.MockInit() // the keyring's own in-memory store, in place of the OS's
	const password, token = "Tr0ub4dor&3 pässwörd", "sk_live_51HxFerryTestToken0042"
	if err := secrets.Set("Ferry: Cliniko", "reception@harbourview.example", password); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Set("Ferry: Cliniko API", "harbour-view", token); err != nil {
		t.Fatal(err)
	}
	if got, err := secrets.Get("Ferry: Cliniko", "reception@harbourview.example"); err != nil || got != password {
		t.Fatalf("the store does not hold the password: %q %v", got, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.ferry")
	p, err := demo.CreateProject(ctx, path, project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Backup(ctx, "before the secrets scan"); err != nil {
		t.Fatal(err)
	}
	exports := filepath.Join(dir, "exports")
	os.MkdirAll(exports, 0o755)
	for _, format := range []string{"csv", "json"} {
		f, _ := os.Create(filepath.Join(exports, "custody."+format))
		if err := custody.Export(ctx, p, f, format); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	secretscan.Check(t, path, password, token) // while open: the WAL holds the latest pages
	p.Close()
	secretscan.Check(t, path, password, token)
	secretscan.CheckDir(t, exports, password, token)
	// the scanner does find them when they are there
	leak := filepath.Join(dir, "leak.ferry")
	os.WriteFile(leak, []byte("..."+password+"..."), 0o644)
	if found, _ := secretscan.ScanFile(leak, []string{password}); len(found) == 0 {
		t.Fatal("the scanner missed a planted password")
	}
}
