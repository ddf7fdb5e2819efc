// Package archtest keeps the dependency rules of STYLE.md true: cmd → screens → app,
// cmd → importers → app; app never imports Fyne, screens, importers or cmd; only cmd imports
// Fyne's app package.
package archtest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "github.com/ferry-migrate/ferry"

// touchSources stats every Go file of the module: go test's result cache then knows this test
// depends on them (it cannot see what the go list subprocess reads).
func touchSources(t *testing.T) {
	t.Helper()
	root, _ := filepath.Abs("../..")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			os.Stat(path)
		}
		if err == nil && d.IsDir() && d.Name() != "." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return nil
	})
}

// deps lists every package pkgs depend on, by package.
func deps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	touchSources(t)
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}}|{{join .Deps \",\"}}", pattern).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pattern, err, out)
	}
	res := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, ds, _ := strings.Cut(line, "|")
		res[pkg] = strings.Split(ds, ",")
	}
	return res
}

func TestEngineHasNoGUIAndPointsOneWay(t *testing.T) {
	for pkg, ds := range deps(t, mod+"/app/...") {
		for _, d := range ds {
			switch {
			case strings.HasPrefix(d, "fyne.io/"):
				t.Errorf("%s depends on %s: the engine must not import Fyne", pkg, d)
			case strings.HasPrefix(d, mod+"/screens"), strings.HasPrefix(d, mod+"/cmd"), strings.HasPrefix(d, mod+"/importers"):
				t.Errorf("%s depends on %s: app must not import screens, importers or cmd", pkg, d)
			}
		}
	}
}

func TestOnlyCmdImportsFyneApp(t *testing.T) {
	for _, pattern := range []string{mod + "/screens/...", mod + "/importers/...", mod + "/app/...", mod + "/assets/..."} {
		for pkg, ds := range deps(t, pattern) {
			for _, d := range ds {
				if d == "fyne.io/fyne/v2/app" {
					t.Errorf("%s depends on fyne.io/fyne/v2/app: only cmd/ferry may", pkg)
				}
				if strings.HasPrefix(d, mod+"/cmd") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
}

func TestScreensReachImportersOnlyThroughApp(t *testing.T) {
	for pkg, ds := range deps(t, mod+"/screens/...") {
		for _, d := range ds {
			if strings.HasPrefix(d, mod+"/importers") {
				t.Errorf("%s depends on %s: screens use the app interfaces that cmd wires", pkg, d)
			}
		}
	}
	for pkg, ds := range deps(t, mod+"/importers/...") {
		for _, d := range ds {
			if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, mod+"/screens") {
				t.Errorf("%s depends on %s: importers are engine code", pkg, d)
			}
		}
	}
}
