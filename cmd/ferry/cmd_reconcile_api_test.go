package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/internal/secretscan"
)

// `ferry reconcile FILE.ferry` without an export reads the new system back over the API of the
// newest load's destination, with the secret from $FERRY_SECRET, and finds a record deleted
// there afterwards.
func TestReconcileReadsTheNewSystemBackOverItsAPIWhenNoExportIsGiven(t *testing.T) {
	proj := readyDemoCLI(t)
	pb, token, _ := pocketBaseFor(t, proj)
	addPocketBaseCLI(t, proj, pb)
	t.Setenv(secretEnv, token)
	if code, out, errb := ferry(t, "load", proj, "--to", "pb", "--override", "test: no sample run"); code != 0 {
		t.Fatalf("load: %d %s %s", code, out, errb)
	}

	code, out, errb := ferry(t, "reconcile", proj, "--audit=false", "--user", "Tess")
	if code != 0 || !strings.Contains(out, "records reconciled") || !strings.Contains(out, "over its API") {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errb)
	}

	appts, err := pb.Records("appointment")
	if err != nil {
		t.Fatal(err)
	}
	// An appointment no invoice refers to, so that PocketBase changes nothing else when it goes.
	refd := map[string]bool{}
	invoices, _ := pb.Records("invoice")
	for _, in := range invoices {
		refd[in["appointment"].(string)] = true
	}
	var gone map[string]any
	for _, a := range appts {
		if !refd[a["id"].(string)] {
			gone = a
			break
		}
	}
	if gone == nil {
		t.Fatal("every appointment has an invoice")
	}
	if err := pb.Call("DELETE", "/api/collections/appointment/records/"+gone["id"].(string), nil, nil); err != nil {
		t.Fatal(err)
	}
	code, out, errb = ferry(t, "reconcile", proj, "--audit=false", "--from", "pb", "--json", "--user", "Tess")
	var res reconcile.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 {
		t.Fatalf("reconcile --from pb: exit %d %v\n%s\n%s", code, err, out, errb)
	}
	if res.Differences != 1 || len(res.Diffs) != 1 || res.Diffs[0].Kind != reconcile.KindMissing ||
		res.Diffs[0].Key != gone["legacy_key"] || res.Source != reconcile.SourceAPI {
		t.Fatalf("%s, %+v", res.Verdict, res.Diffs)
	}
	// --api=false: the load's own records only, which know nothing of the deletion.
	code, out, _ = ferry(t, "reconcile", proj, "--audit=false", "--api=false", "--user", "Tess")
	if code != 0 || !strings.Contains(out, "the load's own records") {
		t.Fatalf("reconcile --api=false: exit %d\n%s", code, out)
	}
	code, _, errb = ferry(t, "reconcile", proj, "--from", "nowhere")
	if code == 0 || !strings.Contains(errb, "nowhere") {
		t.Fatalf("--from nowhere: exit %d %s", code, errb)
	}
	secretscan.Check(t, proj, token, pb.Password)
}
