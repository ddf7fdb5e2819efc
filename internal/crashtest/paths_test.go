package crashtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/killtest"
)

// tree lists every file under dir (relative names), to see what a command created.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// A recipe or a mapping template from another machine names tables, columns and fields - never
// files. Names that look like paths ("../../etc/passwd", an absolute path) stay names: Ferry
// neither reads nor writes there. Each such path here is a FIFO: opening it for reading or
// writing would block, so a command that tried would hang and be killed by the test's deadline.
func TestRecipesAndTemplatesCannotReachFilesOutsideTheProject(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ferry")
	}
	bin := killtest.Binary(t)
	root := t.TempDir()
	work := filepath.Join(root, "clients", "harbour")
	os.MkdirAll(work, 0o755)
	trap := filepath.Join(root, "trap")
	if err := syscall.Mkfifo(trap, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	passwd := filepath.Join(root, "etc", "passwd")
	os.MkdirAll(filepath.Dir(passwd), 0o755)
	if err := syscall.Mkfifo(passwd, 0o644); err != nil {
		t.Fatal(err)
	}
	proj := filepath.Join(work, "practice.ferry")
	if out, err := killtest.Ferry(t, bin, nil, "new", proj, "--demo"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	names := []string{"../../trap", "../../etc/passwd", trap, passwd, "file://" + passwd, `..\..\trap`}
	q := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	var steps, entities []string
	for _, n := range names {
		steps = append(steps, `{"op":"trim","table":`+q(n)+`,"column":`+q(n)+`}`,
			`{"op":"trim","table":"patients","column":`+q(n)+`}`)
		entities = append(entities, `{"entity":"Patient","table":`+q(n)+`,"fields":[{"field":"identifier","sources":[`+q(n)+`]}]}`)
	}
	recipe := filepath.Join(work, "from-elsewhere.json")
	os.WriteFile(recipe, []byte(`{"format":"ferry-cleanse-recipe","version":1,"name":"elsewhere","steps":[`+strings.Join(steps, ",")+`]}`), 0o644)
	runs := [][]string{
		{"cleanse", proj, "--apply", recipe},
		{"cleanse", proj, "--apply", recipe, "--dry-run"},
	}
	for i, e := range entities { // one entity per template: a template maps each entity once
		tmpl := filepath.Join(work, "template-"+string(rune('a'+i))+".json")
		os.WriteFile(tmpl, []byte(`{"format":"ferry-map-template/1","name":"elsewhere","target":{"name":"fhir-r4"},"entities":[`+
			e+`]}`), 0o644)
		runs = append(runs, []string{"map", proj, "--target", "fhir-r4", "--apply", tmpl})
	}
	runs = append(runs, []string{"map", proj, "--validate"})
	before := tree(t, root)
	for _, args := range runs {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
		out, err := cmd.CombinedOutput()
		hung := ctx.Err() == context.DeadlineExceeded
		cancel()
		if hung {
			t.Fatalf("ferry %s hung: it opened a path named in the file\n%s", args[0], out)
		}
		t.Logf("ferry %s: %v\n%s", strings.Join(args[:1], " "), err, out)
	}
	after := tree(t, root)
	for _, f := range after {
		if !strings.HasPrefix(f, filepath.Join("clients", "harbour", "practice.ferry")) && !contains(before, f) {
			t.Errorf("a file appeared outside the project: %s", f)
		}
	}
	for _, f := range before {
		if !contains(after, f) {
			t.Errorf("a file disappeared: %s", f)
		}
	}
	for _, p := range []string{trap, passwd} {
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("%s was replaced: %v", p, err)
		}
	}
	assertSound(t, bin, proj)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
