package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// TestMain doubles as a `ferry` process for the kill test: FERRY_CLI_CHILD holds the
// arguments as JSON, and the process runs them as the ferry command would.
func TestMain(m *testing.M) {
	if a := os.Getenv("FERRY_CLI_CHILD"); a != "" {
		var args []string
		json.Unmarshal([]byte(a), &args)
		os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestTargetAndLoadKilledThenResumedGiveExactlyOneRecordEach(t *testing.T) {
	proj := readyDemoCLI(t)
	pb, token, feed := pocketBaseFor(t, proj, pocketbase.Rule{Label: "*:create", MaxRequests: 150, Duration: 1},
		pocketbase.Rule{Label: "/api/", MaxRequests: 600, Duration: 1})

	code, out, errb := ferry(t, "target", proj, "--add", "pb", "--kind", "rest", "--url", pb.URL, "--auth", "bearer",
		"--preset", "pocketbase", "--concurrency", "8", "--user", "Tess")
	if code != 0 || !strings.Contains(out, "Destination pb saved") || !strings.Contains(out, secretEnv) {
		t.Fatalf("target --add: %d %s %s", code, out, errb)
	}
	code, out, _ = ferry(t, "target", proj, "--list")
	if code != 0 || !strings.Contains(out, "pb") || !strings.Contains(out, pb.URL) {
		t.Fatalf("target --list: %d %s", code, out)
	}
	code, out, _ = ferry(t, "target", proj, "--export", "pb")
	if code != 0 || !strings.Contains(out, `"format": "ferry-destination/1"`) || strings.Contains(out, token) {
		t.Fatalf("target --export: %d %s", code, out)
	}
	os.Setenv(secretEnv, token)
	defer os.Unsetenv(secretEnv)
	code, out, errb = ferry(t, "target", proj, "--test", "pb")
	if code != 0 || !strings.Contains(out, "connected") {
		t.Fatalf("target --test: %d %s %s", code, out, errb)
	}
	code, out, _ = ferry(t, "load", proj, "--plan")
	if code != 0 || !strings.Contains(out, "Patient") || !strings.Contains(out, "to send") {
		t.Fatalf("load --plan: %d %s", code, out)
	}

	// `ferry load` in its own process, killed with SIGKILL part-way; then `ferry load --resume`,
	// killed again at a random point, several times (FERRY_SOAK=N for more), each time checking
	// that the file is whole and its custody chain holds; then a resume to the end.
	killAfter := func(args []string, more int64) {
		t.Helper()
		a, _ := json.Marshal(args)
		child := exec.Command(os.Args[0], "-test.run", "^$")
		child.Env = append(os.Environ(), "FERRY_CLI_CHILD="+string(a), secretEnv+"="+token)
		start := countStatus(t, proj, load.StatusCreated)
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- child.Wait() }()
		deadline := time.Now().Add(3 * time.Minute)
		for created := start; created < start+more; {
			select {
			case err := <-exited:
				if created > start { // it finished what was left before the kill came
					return
				}
				t.Fatalf("ferry %v ended before it was killed: %v", args, err)
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				child.Process.Kill()
				t.Fatal("ferry load did not get going")
			}
			created = countStatus(t, proj, load.StatusCreated)
		}
		child.Process.Signal(syscall.SIGKILL)
		<-exited
		if code, out, errb := ferry(t, "verify", proj); code != 0 {
			t.Fatalf("after a kill, ferry verify: %d %s %s", code, out, errb)
		}
		db, err := sql.Open("sqlite", proj)
		if err != nil {
			t.Fatal(err)
		}
		var ok string
		err = db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
		db.Close()
		if err != nil || ok != "ok" {
			t.Fatalf("after a kill, integrity_check: %q %v", ok, err)
		}
	}
	killAfter([]string{"load", proj, "--to", "pb", "--progress", "200ms", "--override", "test: no sample run"}, 1000)
	kills := 4
	if n, err := strconv.Atoi(os.Getenv("FERRY_SOAK")); err == nil && n > 0 {
		kills = n
	}
	rng := rand.New(rand.NewPCG(7, uint64(kills)))
	for i := 0; i < kills; i++ {
		killAfter([]string{"load", proj, "--resume", "--progress", "200ms"}, 1+rng.Int64N(400))
	}

	results := filepath.Join(t.TempDir(), "results.csv")
	code, out, errb = ferry(t, "load", proj, "--resume", "--results", results)
	if code != 0 || !strings.Contains(out, "done") || !strings.Contains(out, "Results written to") {
		t.Fatalf("load --resume: %d\n%s\n%s", code, out, errb)
	}
	fh, err := os.Open(results)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "entity,legacy_key,new_id,status,attempts,error" {
		t.Fatalf("header %v", rows[0])
	}
	inResults := map[string]string{}
	for _, r := range rows[1:] {
		k := r[0] + "/" + r[1]
		if _, dup := inResults[k]; dup || r[3] != load.StatusCreated {
			t.Fatalf("results row %v (twice or not created)", r)
		}
		inResults[k] = r[2]
	}
	total := 0
	for _, e := range feed.Entities {
		got, err := pb.Records(load.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range got {
			k := r["legacy_key"].(string)
			seen[k]++
			if inResults[e.Name+"/"+k] != r["id"] {
				t.Errorf("%s %s: id %v in PocketBase, %q in the results", e.Name, k, r["id"], inResults[e.Name+"/"+k])
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%s %s is in PocketBase %d times", e.Name, k, n)
			}
		}
		total += len(got)
	}
	if total != len(inResults) {
		t.Errorf("PocketBase has %d records, the results %d", total, len(inResults))
	}
}

func TestLoadWrongCallsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"load"},
		{"load", "a.ferry", "--resume", "--retry-failed"},
		{"load", "a.ferry", "--results", "out.txt"},
		{"target"},
		{"target", "a.ferry", "--list", "--show", "x"},
		{"target", "a.ferry", "--kind", "rest"},
	} {
		code, _, errb := ferry(t, args...)
		if code != 2 || !strings.Contains(errb, "sage") {
			t.Errorf("ferry %v: exit %d, stderr %q; want 2 with usage", args, code, errb)
		}
	}
}

func countStatus(t *testing.T, path, status string) int64 {
	p, err := project.Open(context.Background(), path, project.Options{ReadOnly: true})
	if err != nil {
		return 0
	}
	defer p.Close()
	var n int64
	p.Reader().QueryRow(`SELECT count(*) FROM ferry_load_records WHERE status = ?`, status).Scan(&n)
	return n
}
