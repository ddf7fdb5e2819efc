// Package killtest proves crash safety the hard way: it builds the ferry binary once, runs a CLI
// command as a child process, kills it with SIGKILL (no deferred code, no Close, no checkpoint) at
// a random point, reopens the project file and checks that
//
//   - the file opens and `PRAGMA integrity_check` says ok,
//   - `ferry verify` passes (the custody chain holds),
//   - the interrupted work either finished completely or left no trace (the scenario's
//     Fingerprint of the work equals the one after a clean run, or the one before it),
//   - running the command again afterwards gives exactly the result of a clean run.
//
// A kill point is chosen three ways, in turn, from a seeded generator (so a failure can be
// replayed with the same seed): a random delay within the calibrated duration of a clean run; the
// moment the write-ahead log (NAME.ferry-wal) first reaches a random size within the peak seen in
// the clean run, which spreads kills over the writing itself; and, for commands that print
// progress, right after the Nth progress line on stdout or stderr (Scenario.Progress).
//
// # Adding a scenario (for example "load" or "report export")
//
// A scenario is one table entry; crash tests live in internal/crashtest (crash_test.go holds the
// table). Give it:
//
//	killtest.Scenario{
//		Name: "load",
//		// Fixture builds, once, everything the command needs in dir: the project (from
//		// app/demoflow or by running the binary), input files, a server address ...
//		Fixture: func(t testing.TB, bin, dir string) { ... },
//		Project: "practice.ferry",            // the project file in dir
//		Args:    []string{"load", "{dir}/practice.ferry", "--target", "http://127.0.0.1:PORT"},
//		// Fingerprint reads the project (a plain read-write *sql.DB on the reopened file) and
//		// returns a string standing for the work the command does: a hash of the loaded-row
//		// ledger, of the report's bytes and its custody event, etc. It must differ before and
//		// after a clean run, and be the same for two clean runs.
//		Fingerprint: func(t testing.TB, dir string, db *sql.DB) string { ... },
//		Progress:    regexp.MustCompile(`^batch \d+`), // optional
//	}
//
// and call killtest.Run(t, sc, killtest.Trials(10)). A command that resumes rather than restarts
// (a load that continues from its ledger) fits as it is: the "run it again" step is the resume,
// and its result must equal a clean run's. If the outcome depends on something outside the file
// (a server's state), reset it in Reset, which runs before every trial and before each re-run.
// FERRY_SOAK=N runs N trials per scenario instead of the count given (see `make soak`), and
// FERRY_KILLTEST_RECORD=FILE appends each scenario's numbers to FILE.
package killtest

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver for the checks
)

// Scenario is one command to kill and what to check afterwards.
type Scenario struct {
	Name string
	// Fixture prepares dir once: the project and any input files. bin is the ferry binary.
	Fixture func(t testing.TB, bin, dir string)
	// Project is the project file's name inside dir.
	Project string
	// Args are the command's arguments; "{dir}" is replaced by the trial's folder.
	Args []string
	// Fingerprint stands for the work the command does (see the package comment).
	Fingerprint func(t testing.TB, dir string, db *sql.DB) string
	// Progress, when set, marks progress lines in the command's output: one kill in three
	// then comes right after a random one of them.
	Progress *regexp.Regexp
	// Reset, when set, restores anything outside dir the command changes (a test server).
	Reset func(t testing.TB)
	// Env is added to the command's environment.
	Env []string
}

// Result counts what the trials saw.
type Result struct {
	Trials   int
	Finished int // the work was complete when the process died (or it finished first)
	NoTrace  int // the work had left no trace
	Failures int
	Modes    map[string]int // kills per way of choosing the moment
}

func (r Result) String() string {
	return fmt.Sprintf("%d trials: %d finished, %d left no trace, %d failures (kills by %v)",
		r.Trials, r.Finished, r.NoTrace, r.Failures, r.Modes)
}

// Trials is n, or FERRY_SOAK when that is set to a number.
func Trials(n int) int {
	if s, err := strconv.Atoi(os.Getenv("FERRY_SOAK")); err == nil && s > 0 {
		return s
	}
	return n
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds ./cmd/ferry once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "ferry-killtest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "ferry")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(gobin, "build", "-o", buildPath, "./cmd/ferry")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building ferry: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// ModuleRoot is the folder holding go.mod, found upwards from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Ferry runs the binary to completion and returns its combined output and error.
func Ferry(t testing.TB, bin string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "LANG=C.UTF-8"), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// OpenDB opens a project file with a plain read-write connection, as SQLite itself would: the
// checks must see what a person reopening the file sees (a hot WAL is recovered here).
func OpenDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	u.RawQuery = "_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// Integrity runs PRAGMA integrity_check; "" means ok.
func Integrity(db *sql.DB) string {
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		if s != "ok" {
			msgs = append(msgs, s)
		}
	}
	return strings.Join(msgs, "; ")
}

// CopyFile copies src to dst.
func CopyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			copyDir(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
			continue
		}
		CopyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
}

func (sc Scenario) args(dir string) []string {
	out := make([]string, len(sc.Args))
	for i, a := range sc.Args {
		out[i] = strings.ReplaceAll(a, "{dir}", dir)
	}
	return out
}

// calibration is what a clean run looks like.
type calibration struct {
	before, after string
	duration      time.Duration
	peakWAL       int64
	progress      int
}

// killMode says how a trial picks its moment.
type killMode int

const (
	byDelay killMode = iota
	byWAL
	byProgress
)

func (m killMode) String() string { return [...]string{"delay", "wal-size", "progress-line"}[m] }

// run starts the command and kills it when stop says so; it returns how long it ran, whether it
// exited by itself first, the WAL's peak size and the progress lines seen.
func (sc Scenario) run(t testing.TB, bin, dir string, stop func(elapsed time.Duration, wal int64, lines int) bool) (time.Duration, bool, int64, int) {
	t.Helper()
	cmd := exec.Command(bin, sc.args(dir)...)
	cmd.Env = append(append(os.Environ(), "LANG=C.UTF-8"), sc.Env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var mu sync.Mutex
	lines := 0
	var output bytes.Buffer
	go func() {
		sc2 := bufio.NewScanner(pr)
		sc2.Buffer(make([]byte, 64<<10), 1<<20)
		for sc2.Scan() {
			mu.Lock()
			output.WriteString(sc2.Text() + "\n")
			if sc.Progress != nil && sc.Progress.MatchString(sc2.Text()) {
				lines++
			}
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	wal := filepath.Join(dir, sc.Project+"-wal")
	var peak int64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			pw.Close()
			if err != nil && stop != nil {
				mu.Lock()
				t.Fatalf("%s exited by itself with %v:\n%s", sc.Name, err, output.String())
			}
			if err != nil {
				t.Fatalf("%s failed: %v\n%s", sc.Name, err, output.String())
			}
			mu.Lock()
			defer mu.Unlock()
			return time.Since(start), true, peak, lines
		case <-tick.C:
			var size int64
			if st, err := os.Stat(wal); err == nil {
				size = st.Size()
			}
			peak = max(peak, size)
			mu.Lock()
			n := lines
			mu.Unlock()
			if stop != nil && stop(time.Since(start), size, n) {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				pw.Close()
				return time.Since(start), false, peak, n
			}
		}
	}
}

func (sc Scenario) fingerprint(t testing.TB, dir string) string {
	t.Helper()
	db := OpenDB(t, filepath.Join(dir, sc.Project))
	defer db.Close()
	return sc.Fingerprint(t, dir, db)
}

// Run calibrates the scenario with a clean run, then runs trials kills with seeds 1..trials.
func Run(t *testing.T, sc Scenario, trials int) Result {
	t.Helper()
	bin := Binary(t)
	fixture := t.TempDir()
	sc.Fixture(t, bin, fixture)
	if sc.Reset != nil {
		sc.Reset(t)
	}
	var cal calibration
	cal.before = sc.fingerprint(t, fixture)
	{
		dir := t.TempDir()
		copyDir(t, fixture, dir)
		cal.duration, _, cal.peakWAL, cal.progress = sc.run(t, bin, dir, nil)
		cal.after = sc.fingerprint(t, dir)
		if cal.after == cal.before {
			t.Fatalf("%s: a clean run did not change the fingerprint; the scenario checks nothing", sc.Name)
		}
		// a second clean run gives the same result: otherwise "the exact expected result" means nothing
		dir2 := t.TempDir()
		copyDir(t, fixture, dir2)
		if sc.Reset != nil {
			sc.Reset(t)
		}
		sc.run(t, bin, dir2, nil)
		if again := sc.fingerprint(t, dir2); again != cal.after {
			t.Fatalf("%s: two clean runs differ (%s vs %s); the fingerprint must be deterministic", sc.Name, again, cal.after)
		}
	}
	t.Logf("%s: clean run %v, peak WAL %d bytes, %d progress lines", sc.Name, cal.duration.Round(time.Millisecond), cal.peakWAL, cal.progress)
	res := Result{Modes: map[string]int{}}
	for i := 1; i <= trials; i++ {
		seed := uint64(i)
		ok := t.Run(fmt.Sprintf("%s/seed-%d", sc.Name, seed), func(t *testing.T) {
			trial(t, sc, bin, fixture, cal, seed, &res)
		})
		res.Trials++
		if !ok {
			res.Failures++
		}
	}
	t.Logf("killtest %s: %s", sc.Name, res)
	if rec := os.Getenv("FERRY_KILLTEST_RECORD"); rec != "" {
		// one line per scenario run, kept across runs: the numbers the README quotes
		if f, err := os.OpenFile(rec, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339), sc.Name, res)
			f.Close()
		}
	}
	return res
}

func trial(t *testing.T, sc Scenario, bin, fixture string, cal calibration, seed uint64, res *Result) {
	rng := rand.New(rand.NewPCG(seed, 0x4b494c4c))
	dir := t.TempDir()
	copyDir(t, fixture, dir)
	if sc.Reset != nil {
		sc.Reset(t)
	}
	modes := []killMode{byDelay, byWAL}
	if sc.Progress != nil && cal.progress > 0 {
		modes = append(modes, byProgress)
	}
	if cal.peakWAL == 0 {
		modes = modes[:1]
	}
	mode := modes[int(seed)%len(modes)]
	var stop func(time.Duration, int64, int) bool
	switch mode {
	case byDelay:
		at := time.Duration(rng.Int64N(int64(cal.duration)))
		stop = func(el time.Duration, _ int64, _ int) bool { return el >= at }
		t.Logf("kill after %v of a %v run", at.Round(time.Millisecond), cal.duration.Round(time.Millisecond))
	case byWAL:
		at := 1 + rng.Int64N(cal.peakWAL)
		stop = func(_ time.Duration, wal int64, _ int) bool { return wal >= at }
		t.Logf("kill when the WAL reaches %d of %d bytes", at, cal.peakWAL)
	case byProgress:
		at := 1 + rng.IntN(cal.progress)
		stop = func(_ time.Duration, _ int64, n int) bool { return n >= at }
		t.Logf("kill after progress line %d of %d", at, cal.progress)
	}
	_, exited, _, _ := sc.run(t, bin, dir, func(el time.Duration, wal int64, n int) bool {
		// a slow machine can take longer than the clean run: give up waiting at 4x and kill anyway
		return stop(el, wal, n) || el > 4*cal.duration+2*time.Second
	})
	res.Modes[mode.String()]++
	check := func(when string) {
		t.Helper()
		path := filepath.Join(dir, sc.Project)
		db := OpenDB(t, path)
		if msg := Integrity(db); msg != "" {
			t.Fatalf("%s: integrity_check: %s", when, msg)
		}
		db.Close()
		if out, err := Ferry(t, bin, nil, "verify", path); err != nil {
			t.Fatalf("%s: ferry verify: %v\n%s", when, err, out)
		}
	}
	check("after the kill")
	got := sc.fingerprint(t, dir)
	switch got {
	case cal.after:
		res.Finished++
		t.Logf("the work had finished (exited by itself: %v)", exited)
	case cal.before:
		res.NoTrace++
		t.Logf("the work left no trace")
	default:
		t.Fatalf("after the kill the work is half done: fingerprint %s, want %s (done) or %s (no trace)", got, cal.after, cal.before)
	}
	if sc.Reset != nil {
		sc.Reset(t)
	}
	_, _, _, _ = sc.run(t, bin, dir, nil)
	check("after running it again")
	if again := sc.fingerprint(t, dir); again != cal.after {
		t.Fatalf("running the command again gave %s, want %s (a clean run's result)", again, cal.after)
	}
}
