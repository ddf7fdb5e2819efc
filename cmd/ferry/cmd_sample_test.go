package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSampleListsTheSelectionAndTakesRecordsByHand(t *testing.T) {
	proj := readyDemoCLI(t)

	code, out, errb := ferry(t, "sample", proj, "--list")
	if code != 0 {
		t.Fatalf("sample --list: %d %s %s", code, out, errb)
	}
	for _, want := range []string{"Sample:", "ENTITY", "IN SAMPLE", "Patient", "Appointment", "HASH", "PARENT", "The audit has not been run"} {
		if !strings.Contains(out, want) {
			t.Errorf("sample --list lacks %q:\n%s", want, out)
		}
	}
	var sel struct {
		Picks []struct {
			Entity string `json:"entity"`
			Key    string `json:"key"`
			Why    []struct {
				Reason string `json:"reason"`
			} `json:"why"`
		} `json:"picks"`
	}
	code, out, _ = ferry(t, "sample", proj, "--list", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &sel) != nil || len(sel.Picks) == 0 {
		t.Fatalf("sample --list --json: %d %.300s", code, out)
	}
	in := map[string]bool{}
	for _, pk := range sel.Picks {
		in[pk.Entity+":"+pk.Key] = true
	}
	key := ""
	for _, k := range []string{"1003", "1004", "1006", "1007", "1008", "1009", "1010", "1011"} {
		if !in["Patient:"+k] {
			key = k
			break
		}
	}
	if key == "" {
		t.Fatal("every candidate patient is sampled already")
	}
	code, out, errb = ferry(t, "sample", proj, "--add", "Patient:"+key, "--note", "asked by the owner", "--user", "Tess")
	if code != 0 || !strings.Contains(out, "Added Patient "+key) {
		t.Fatalf("--add: %d %s %s", code, out, errb)
	}
	if code, _, errb := ferry(t, "sample", proj, "--add", "Patient:no-such"); code != 1 || !strings.Contains(errb, "no Patient has the key") {
		t.Errorf("--add of a missing key: %d %s", code, errb)
	}
	if code, _, _ := ferry(t, "sample", proj, "--add", "Patient"); code != 2 {
		t.Errorf("--add without a key: exit %d", code)
	}
	code, out, _ = ferry(t, "sample", proj, "--remove", "Patient:"+key)
	if code != 0 || !strings.Contains(out, "Took Patient "+key) {
		t.Fatalf("--remove: %d %s", code, out)
	}
}
