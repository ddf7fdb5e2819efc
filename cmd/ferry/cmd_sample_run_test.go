package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

func TestSampleRunsIntoTheDestinationAndCleansUpAfter(t *testing.T) {
	proj, pb, feed := readyDemoWithPocketBase(t)
	code, out, errb := ferry(t, "sample", proj, "--user", "Tess", "--results", filepath.Join(t.TempDir(), "sample.xlsx"))
	if code != 0 {
		t.Fatalf("sample: %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{"Sending the sample", "Sample run", "ERROR RATE", "Patient", "0.0%", "Results written to", "passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("sample output lacks %q:\n%s", want, out)
		}
	}
	n := 0
	for _, e := range feed.Entities {
		recs, _ := pb.Records(pocketbase.CollectionName(e.Name))
		n += len(recs)
	}
	if n == 0 {
		t.Fatal("nothing in the destination after the sample run")
	}
	code, out, errb = ferry(t, "sample", proj, "--cleanup", "--user", "Tess")
	if code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("sample --cleanup: %d\n%s%s", code, out, errb)
	}
	for _, e := range feed.Entities {
		if recs, _ := pb.Records(pocketbase.CollectionName(e.Name)); len(recs) != 0 {
			t.Errorf("%s: %d records left after the clean-up", e.Name, len(recs))
		}
	}
	if code, _, _ := ferry(t, "sample", proj, "--cleanup", "--list"); code != 2 {
		t.Errorf("--cleanup with --list: exit %d", code)
	}
}
