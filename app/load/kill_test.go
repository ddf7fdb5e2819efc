package load_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// TestMain doubles as the child process of the kill test: with FERRY_LOAD_CHILD set to a
// project path it runs a load to destination "pb" and exits, so the test can kill it.
func TestMain(m *testing.M) {
	if path := os.Getenv("FERRY_LOAD_CHILD"); path != "" {
		ctx := context.Background()
		p, err := project.Open(ctx, path, project.Options{Actor: "child"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		_, err = load.Run(ctx, p, load.Options{Destination: "pb", Secret: secretIs(os.Getenv("FERRY_SECRET"))})
		p.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestLoadKilledMidRunResumesToExactlyOneRecordPerLegacyRecord(t *testing.T) {
	ctx := context.Background()
	p := readyDemo(t)
	f, recs := feedRecords(t, p)
	pb, token := pocketBaseDest(t, p, f, pocketbase.Options{}, nil)
	path := p.Path
	p.Close()

	child := exec.Command(os.Args[0], "-test.run", "^$")
	child.Env = append(os.Environ(), "FERRY_LOAD_CHILD="+path, "FERRY_SECRET="+token)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	// Kill it (SIGKILL: no chance to tidy up) once about a third of the records are through.
	var at map[string]int64
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the load finished before it could be killed (%v); counts %v", err, at)
		default:
		}
		at = statusCounts(t, path)
		if at[load.StatusCreated] >= 1500 {
			break
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("the load did not get going: %v", at)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	at = statusCounts(t, path)
	t.Logf("killed with %v", at)

	p2, err := project.Open(ctx, path, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	res, err := load.Run(ctx, p2, load.Options{Resume: true, Secret: secretIs(token)})
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, r := range recs {
		total += int64(len(r))
	}
	if !res.Complete() || res.Total != total || res.Counts[load.StatusCreated] != total {
		t.Fatalf("resumed run: %+v", res)
	}
	// Exactly one PocketBase record per legacy record, and the results say where each went.
	results, _ := load.Records(ctx, p2, res.RunID, load.Filter{})
	want := map[string]string{}
	for _, r := range results {
		want[r.Entity+"\x00"+r.LegacyKey] = r.NewID
	}
	if int64(len(want)) != total || int64(len(results)) != total {
		t.Fatalf("results: %d records, %d distinct, want %d", len(results), len(want), total)
	}
	for _, e := range f.Entities {
		got, err := pb.Records(load.CollectionName(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, r := range got {
			k := r["legacy_key"].(string)
			n[k]++
			if want[e.Name+"\x00"+k] != r["id"] {
				t.Errorf("%s %s: PocketBase id %v, results say %q", e.Name, k, r["id"], want[e.Name+"\x00"+k])
			}
		}
		for _, rec := range recs[e.Name] {
			if n[rec.Key] != 1 {
				t.Errorf("%s %s is in PocketBase %d times", e.Name, rec.Key, n[rec.Key])
			}
		}
	}
}

// statusCounts reads a run's record counts by status through a view-only open of the project.
func statusCounts(t testing.TB, path string) map[string]int64 {
	t.Helper()
	p, err := project.Open(context.Background(), path, project.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := map[string]int64{}
	rows, err := p.Reader().Query(`SELECT status, count(*) FROM ferry_load_records GROUP BY status`)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int64
		rows.Scan(&st, &n)
		out[st] = n
	}
	return out
}
