package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// The load command's --delta flag calls loadDelta (see cmd_load_delta.go); until it is wired in
// cmd_load.go, this test calls it as the flag would.
func TestLoadDeltaShowsTheChangesAndSendsOnlyThose(t *testing.T) {
	proj, pb, _ := readyDemoWithPocketBase(t)
	if code, out, errb := ferry(t, "load", proj, "--to", "pb", "--user", "Tess", "--override", "test: no sample run"); code != 0 {
		t.Fatalf("load: %d %s %s", code, out, errb)
	}
	dir := t.TempDir()
	var paths []string
	fs.WalkDir(assets.Demo, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		b, _ := fs.ReadFile(assets.Demo, path)
		if filepath.Base(path) == "appointments.csv" {
			b = bytes.Replace(b, []byte("50001,1001,HYG01,02/04/2012,13:00,90,"), []byte("50001,1001,HYG01,02/04/2012,13:00,45,"), 1)
			b = append(b, []byte("59999,1001,DR01,23/07/2026,09:00,30,Completed,\r\n")...)
		}
		out := filepath.Join(dir, filepath.Base(path))
		paths = append(paths, out)
		return os.WriteFile(out, b, 0o644)
	})
	p, err := project.Open(context.Background(), proj, project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var out bytes.Buffer
	if err := loadDelta(context.Background(), p, "pb", paths, false, &out, nil); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"Delta of the fresh export", "Appointment: 1 new, 1 changed, 0 deleted", "new     59999",
		"changed 50001: Duration", "1 created, 1 updated"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	recs, err := pb.Records(pocketbase.CollectionName("Appointment"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		switch r["legacy_key"] {
		case "59999":
			found = true
		case "50001":
			if r["minutesDuration"] != "45" {
				t.Errorf("50001 in the new system: %v", r)
			}
		}
	}
	if !found {
		t.Error("the new appointment is not in the new system")
	}
}
