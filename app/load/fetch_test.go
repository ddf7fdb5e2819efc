package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/reconcile"
)

// fhirStore is a FHIR R4 server in miniature: conditional create on the identifier, read,
// delete, and search that pages at most 100 resources a page with absolute next links, as
// real servers cap _count.
type fhirStore struct {
	mu      sync.Mutex
	url     string
	byIdent map[string]string
	res     map[string]map[string]any // "Patient/f1" → resource
	order   map[string][]string       // type → ids in creation order
	n       int
	gets    int
}

func newFHIRStore(t *testing.T) *fhirStore {
	s := &fhirStore{byIdent: map[string]string{}, res: map[string]map[string]any{}, order: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *fhirStore) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	typ := parts[0]
	w.Header().Set("Content-Type", "application/fhir+json")
	switch {
	case r.Method == "POST" && len(parts) == 1:
		cond := typ + "?" + r.Header.Get("If-None-Exist")
		if id, ok := s.byIdent[cond]; ok {
			w.WriteHeader(200)
			json.NewEncoder(w).Encode(s.res[typ+"/"+id])
			return
		}
		var res map[string]any
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &res) != nil {
			w.WriteHeader(400)
			return
		}
		s.n++
		id := fmt.Sprintf("f%d", s.n)
		res["id"] = id
		// A server adds what it keeps about a resource.
		res["meta"] = map[string]any{"versionId": "1", "lastUpdated": "2025-01-02T03:04:05.678+00:00"}
		s.byIdent[cond] = id
		s.res[typ+"/"+id] = res
		s.order[typ] = append(s.order[typ], id)
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(res)
	case r.Method == "GET" && len(parts) == 1:
		s.gets++
		count, _ := strconv.Atoi(r.URL.Query().Get("_count"))
		count = min(max(count, 1), 100)
		off, _ := strconv.Atoi(r.URL.Query().Get("_offset"))
		var ids []string
		for _, id := range s.order[typ] {
			if s.res[typ+"/"+id] != nil {
				ids = append(ids, id)
			}
		}
		b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(ids)}
		var entries []any
		for _, id := range ids[min(off, len(ids)):min(off+count, len(ids))] {
			entries = append(entries, map[string]any{"fullUrl": s.url + "/" + typ + "/" + id, "resource": s.res[typ+"/"+id]})
		}
		b["entry"] = entries
		if off+count < len(ids) {
			b["link"] = []any{map[string]any{"relation": "next", "url": fmt.Sprintf("%s/%s?_count=%d&_offset=%d", s.url, typ, count, off+count)}}
		}
		json.NewEncoder(w).Encode(b)
	case r.Method == "GET" && len(parts) == 2:
		res := s.res[typ+"/"+parts[1]]
		if res == nil {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`)
			return
		}
		json.NewEncoder(w).Encode(res)
	case r.Method == "DELETE" && len(parts) == 2:
		if s.res[typ+"/"+parts[1]] == nil {
			w.WriteHeader(404)
			return
		}
		delete(s.res, typ+"/"+parts[1])
		w.WriteHeader(204)
	default:
		w.WriteHeader(405)
	}
}

// Read back from a FHIR server, every resource flattens to the fields that were sent: a clean
// load reconciles with zero differences; Get reads one, Delete deletes it (twice is fine).
func TestAFHIRDestinationIsReadBackPageByPageExactlyAsItWasSent(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	s := newFHIRStore(t)
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "fhir", Kind: load.KindFHIR,
		Config: load.Config{URL: s.url, IdentifierSystem: "https://harbourview.example/{entity}", Concurrency: 4}}); err != nil {
		t.Fatal(err)
	}
	run, err := load.Run(ctx, p, load.Options{Destination: "fhir"})
	if err != nil || !run.Complete() {
		t.Fatalf("%+v %v", run, err)
	}
	cl, err := load.OpenClient(ctx, p, "fhir", nil)
	if err != nil {
		t.Fatal(err)
	}
	var _ reconcile.Reader = cl
	res, err := reconcile.Run(ctx, p, reconcile.Options{Reader: cl})
	if err != nil {
		t.Fatal(err)
	}
	if res.Differences != 0 || res.Reconciled != res.Records || res.Records == 0 {
		t.Fatalf("%s: %d of %d reconciled, first differences %+v", res.Verdict, res.Reconciled, res.Records, res.Diffs[:min(5, len(res.Diffs))])
	}
	f, recs := feedRecords(t, p)
	for _, e := range res.Entities {
		if len(e.Compared) != len(f.Entity(e.Entity).Fields) {
			t.Errorf("%s: compared %v of %d fields", e.Entity, e.Compared, len(f.Entity(e.Entity).Fields))
		}
	}
	if s.gets < 18 { // 1,726 appointments alone take 18 pages of 100
		t.Errorf("%d search requests: the next links were not followed", s.gets)
	}

	// A patient's phone changed on the server is one difference, named by the target's field.
	s.mu.Lock()
	var changedKey string
	for _, res := range s.res {
		if res["resourceType"] != "Patient" || changedKey != "" {
			continue
		}
		tels, _ := res["telecom"].([]any)
		for _, x := range tels {
			if tel := x.(map[string]any); tel["system"] == "phone" {
				tel["value"] = "+1 555 0100 999"
				changedKey = res["identifier"].([]any)[0].(map[string]any)["value"].(string)
				break
			}
		}
	}
	s.mu.Unlock()
	again, err := reconcile.Run(ctx, p, reconcile.Options{Reader: cl})
	if err != nil {
		t.Fatal(err)
	}
	if again.Differences != 1 || len(again.Diffs) != 1 || again.Diffs[0].Key != changedKey || again.Diffs[0].Field != "telecom.phone" {
		t.Fatalf("after changing a phone: %s %+v", again.Verdict, again.Diffs)
	}

	// One appointment by its id: the fields as mapped, the participants as the new ids.
	appt := recs["Appointment"][0]
	ents, _ := load.Records(ctx, p, run.RunID, load.Filter{Entity: "Appointment"})
	id := ""
	for _, r := range ents {
		if r.LegacyKey == appt.Key {
			id = r.NewID
		}
	}
	got, ok, err := cl.Get(ctx, "Appointment", id)
	if err != nil || !ok || got["identifier"] != appt.Key || got["status"] != appt.Values[1] || !strings.HasPrefix(got["participant.patient"], "f") {
		t.Fatalf("get %s: %v %v %v (mapped %v)", id, got, ok, err, appt.Values)
	}
	if err := cl.Delete(ctx, "Appointment", id); err != nil {
		t.Fatal(err)
	}
	if err := cl.Delete(ctx, "Appointment", id); err != nil {
		t.Fatalf("deleting what is already gone: %v", err)
	}
	if _, ok, err := cl.Get(ctx, "Appointment", id); ok || err != nil {
		t.Fatalf("after delete: found %v, %v", ok, err)
	}

	// fn's error stops the listing and comes back as it is.
	stop := errors.New("enough")
	n := 0
	if err := cl.Fetch(ctx, "Appointment", func(string, map[string]string) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("fetch stopped after %d with %v", n, err)
	}
}

func TestAFilesDestinationCannotBeReadBackOverAnAPI(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	if _, err := load.SaveDestination(ctx, p, load.Destination{Name: "files", Kind: load.KindFiles,
		Config: load.Config{Files: json.RawMessage(`{"dir":"` + t.TempDir() + `"}`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := load.OpenClient(ctx, p, "files", nil); !errors.Is(err, load.ErrCannotReadBack) {
		t.Fatalf("%v", err)
	}
	if _, err := load.LatestDestination(ctx, p); !errors.Is(err, load.ErrNoRun) {
		t.Fatalf("before any load: %v", err)
	}
}
