package screens

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

// The window never freezes during long work: issue 12 asks that the UI goroutine is never blocked
// for more than 100 ms during a 1M-row audit.
//
// How it is measured. In these tests the UI goroutine is the test's own goroutine, locked to its
// OS thread like Fyne's main loop, running every callback the screen hands to uiDo (Fyne's
// fyne.Do) in order, as the real loop does. Two things are recorded while the Audit step audits a
// staged patient table from start to the results on screen:
//   - how long each callback runs: the screen's own work on the UI goroutine;
//   - the delay of a probe scheduled every 10 ms from another goroutine: from uiDo to the moment
//     the UI goroutine runs it, which is what a click or a repaint would wait.
//
// What is asserted, so that a loaded 2-CPU machine does not fail it for the wrong reason:
//   - no callback uses more than 100 ms of its thread's CPU time (Linux's RUSAGE_THREAD). This is
//     the freeze Ferry can cause; unlike wall time it does not grow when other processes take the
//     CPU. Callbacks over 100 ms of wall time are listed in the log with their CPU time.
//   - the 99th percentile of the probe delay is at most 100 ms: one late probe in a hundred may be
//     the OS or the garbage collector, not Ferry (with a few hundred probes the 99.9th percentile
//     is simply the maximum, which a busy machine decides). The maximum is logged. When the
//     machine is overloaded (1-minute load average above the number of CPUs, as when several
//     builds share this 2-core machine) wall-clock delays say more about the other processes than
//     about Ferry, so the delay is then logged, not judged; the CPU-time check still is. The test driver does
//
// not paint with OpenGL, so painting itself is not part of the measure; everything Ferry's code
// does on the UI goroutine is.
//
// Size: 200,000 patients by default (about 5–15 s here); FERRY_LONG=1 audits 1,000,000 as the
// issue states (about 20–40 s on this 2-core machine, plus a one-off minute to build the
// fixture, kept under os.TempDir()/ferry-ui-latency for the next run).
func TestAuditKeepsTheWindowResponsive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large staged table; not in -short")
	}
	n := 200_000
	if os.Getenv("FERRY_LONG") != "" {
		n = 1_000_000
	}
	path := latencyFixture(t, n)
	p, err := project.Open(context.Background(), path, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f := openAudit(t, p)

	var probes []time.Duration
	var longest, longestCPU time.Duration
	var slow []string // callbacks over 100 ms on the wall clock, by function
	var callbacks int
	var stop atomic.Bool
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		for !stop.Load() {
			sent := time.Now()
			uiDo(func() { probes = append(probes, time.Since(sent)) })
			time.Sleep(10 * time.Millisecond)
		}
	}()
	run := func(fn func()) {
		cpu0 := threadCPU()
		t0 := time.Now()
		fn()
		d := time.Since(t0)
		callbacks++
		if d > longest {
			longest = d
		}
		if d > 100*time.Millisecond {
			// Over budget on the wall clock: was it Ferry's work, or this thread waiting its turn?
			c := threadCPU() - cpu0
			longestCPU = max(longestCPU, c)
			slow = append(slow, fmt.Sprintf("%s (%v, CPU %v)", runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name(),
				d.Round(time.Millisecond), c.Round(time.Millisecond)))
		}
	}

	started := false
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case fn := <-uiQueue:
			run(fn)
			continue
		case <-time.After(2 * time.Millisecond):
		}
		if !started && !f.step.Running() && f.step.rep == nil && background.Load() == 0 {
			run(f.step.Run)
		}
		started = started || f.step.Running()
		if started && !f.step.Running() && f.step.rep != nil && background.Load() <= 1 && len(uiQueue) == 0 {
			break // the probe goroutine is the one left
		}
	}
	stop.Store(true)
	<-probeDone
	for len(uiQueue) > 0 {
		run(<-uiQueue)
	}
	settle(t) // what the results started (the duplicate groups shown) finishes before the project closes
	if f.step.rep == nil {
		t.Fatal("the audit did not finish and show its results")
	}
	if got := f.step.rep.Tables[0].Rows; got < int64(n) {
		t.Fatalf("audited %d rows, want at least %d", got, n)
	}

	slices.Sort(probes)
	pct := func(q float64) time.Duration { return probes[min(len(probes)-1, int(q*float64(len(probes))))] }
	t.Logf("%d rows audited; %d UI callbacks, longest %v (thread CPU of those over 100 ms: %v); %d probes: median %v, 99th %v, 99.9th %v, max %v",
		n, callbacks, longest.Round(time.Millisecond), longestCPU.Round(time.Millisecond), len(probes),
		pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(0.999).Round(time.Millisecond), probes[len(probes)-1].Round(time.Millisecond))
	if len(slow) > 0 {
		t.Logf("callbacks over 100 ms: %v", slow)
	}
	if raceEnabled {
		t.Log("built with -race: the race detector slows every goroutine several times, so timings are logged, not judged")
		return
	}
	if len(probes) < 50 {
		t.Fatalf("only %d probes ran: the audit was too short to say anything", len(probes))
	}
	if p := pct(0.99); p > 100*time.Millisecond {
		if load := loadAverage(); load > float64(runtime.NumCPU()) {
			// Other processes had the CPUs; the CPU-time check below still judges Ferry's own work.
			t.Logf("99th percentile of the UI goroutine's delay is %v, but the machine is overloaded (load %.1f on %d CPUs): not judged",
				p.Round(time.Millisecond), load, runtime.NumCPU())
		} else {
			t.Errorf("the window was unresponsive: 99th percentile of the UI goroutine's delay is %v (over 100 ms)", p)
		}
	}
	if longestCPU > 100*time.Millisecond {
		t.Errorf("a UI callback used %v of CPU on the UI goroutine (over 100 ms): move that work to a goroutine", longestCPU)
	}
}

// loadAverage is the 1-minute load average (0 where /proc/loadavg does not exist).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	fmt.Sscan(string(b), &l)
	return l
}

// latencyFixture is a project with n generated demo patients staged, built once and kept under
// os.TempDir() (the audit benchmark does the same); each test audits its own copy.
func latencyFixture(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "ferry-ui-latency", fmt.Sprintf("patients-%d", n))
	cached := filepath.Join(dir, "patients.ferry")
	if _, err := os.Stat(cached); err != nil {
		ctx := context.Background()
		gen := filepath.Join(dir, "export")
		if _, err := demo.Generate(gen, demo.Config{Patients: n, Seed: 42}); err != nil {
			t.Fatal(err)
		}
		tmp := cached + ".building"
		os.Remove(tmp)
		p, err := project.Create(ctx, tmp, project.Options{Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importers.ImportFile(ctx, p, filepath.Join(gen, "patients.csv"), importers.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		if err := staging.NewStager(p).SetKey(ctx, "patients", "PatientID"); err != nil {
			t.Fatal(err)
		}
		p.Close()
		os.Remove(tmp + ".lock")
		os.RemoveAll(gen)
		if err := os.Rename(tmp, cached); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "patients.ferry")
	copyFile(t, cached, path)
	return path
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
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
