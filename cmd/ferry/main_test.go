package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// ferry runs the CLI in-process and returns exit code, stdout and stderr.
func ferry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommandAndEachCommandHasHelp(t *testing.T) {
	code, out, _ := ferry(t, "--help")
	if code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for name := range commands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("--help does not list %s", name)
		}
		code, out, errb := ferry(t, name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: ferry "+name) {
			t.Errorf("ferry %s --help: exit %d\n%s%s", name, code, out, errb)
		}
	}
}

func TestWrongCallsPrintUsageAndExit2(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"new"},
		{"new", "a.ferry", "b.ferry"},
		{"new", "--no-such-flag", "x.ferry"},
		{"new", filepath.Join(t.TempDir(), "no-extension")},
		{"open"},
		{"verify"},
	} {
		code, _, errb := ferry(t, args...)
		if code != 2 || !strings.Contains(errb, "sage") {
			t.Errorf("ferry %v: exit %d, stderr %q; want 2 with usage", args, code, errb)
		}
	}
}

func TestNewThenVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Harbour View.ferry")
	code, out, errb := ferry(t, "new", path, "--user", "Dana Reyes")
	if code != 0 || !strings.Contains(out, "Created") {
		t.Fatalf("new: %d %s %s", code, out, errb)
	}
	code, out, _ = ferry(t, "verify", path)
	if code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
	code, _, errb = ferry(t, "new", path)
	if code != 1 || !strings.Contains(errb, "already exists") {
		t.Fatalf("second new: %d %s", code, errb)
	}
}

func TestVerifyOnSomethingElseSaysWhat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.ferry")
	os.WriteFile(path, []byte("not sqlite"), 0o644)
	code, _, errb := ferry(t, "verify", path)
	if code != 1 || !strings.Contains(errb, "not a Ferry project") {
		t.Fatalf("verify garbage: %d %s", code, errb)
	}
}

// readyDemoCLI makes a demo project with `ferry new --demo` (user Tess) and takes it through
// demoflow.Ready; it returns the project file's path.
func readyDemoCLI(t *testing.T) string {
	t.Helper()
	proj := filepath.Join(t.TempDir(), "demo.ferry")
	if code, out, errb := ferry(t, "new", proj, "--demo", "--user", "Tess"); code != 0 {
		t.Fatalf("new --demo: %d %s %s", code, out, errb)
	}
	p, err := project.Open(context.Background(), proj, project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := demoflow.Ready(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return proj
}

// pocketBaseFor reads the project's feed and starts PocketBase with collections for its target
// (rate limited by rules): the server, the regular user's token and the feed.
func pocketBaseFor(t *testing.T, proj string, rules ...pocketbase.Rule) (*pocketbase.Server, string, *mapping.Feed) {
	t.Helper()
	p, err := project.Open(context.Background(), proj, project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	feed, err := mapping.New(p).Feed(context.Background())
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	pb, token := pocketbase.StartFor(t, feed.Def, rules...)
	return pb, token, feed
}

// addPocketBaseCLI adds the destination "pb" for pb with `ferry target --add`.
func addPocketBaseCLI(t *testing.T, proj string, pb *pocketbase.Server) {
	t.Helper()
	if code, out, errb := ferry(t, "target", proj, "--add", "pb", "--kind", "rest", "--url", pb.URL, "--auth", "bearer",
		"--preset", "pocketbase", "--concurrency", "8", "--user", "Tess"); code != 0 {
		t.Fatalf("target --add: %d %s %s", code, out, errb)
	}
}
