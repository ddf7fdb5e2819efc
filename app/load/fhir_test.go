package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
)

// A FHIR server in miniature: conditional create on the identifier, 201 with the id.
func TestFHIRDestinationSendsR4ResourcesConditionallyWithReferencesToNewIDs(t *testing.T) {
	p := demoCopy(t)
	var mu sync.Mutex
	byIdent := map[string]string{}
	bodies := map[string]map[string]any{} // id → resource
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != "POST" {
			w.WriteHeader(404)
			return
		}
		cond := r.Header.Get("If-None-Exist")
		if id, ok := byIdent[cond]; ok {
			w.WriteHeader(200)
			fmt.Fprintf(w, `{"resourceType":%q,"id":%q}`, strings.Trim(r.URL.Path, "/"), id)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var res map[string]any
		if err := json.Unmarshal(b, &res); err != nil || r.Header.Get("Content-Type") != "application/fhir+json" {
			w.WriteHeader(400)
			return
		}
		n++
		id := fmt.Sprintf("f%d", n)
		byIdent[cond] = id
		bodies[id] = res
		w.Header().Set("Location", r.URL.Path+"/"+id+"/_history/1")
		w.WriteHeader(201)
		res["id"] = id
		json.NewEncoder(w).Encode(res)
	}))
	defer srv.Close()
	_, err := load.SaveDestination(context.Background(), p, load.Destination{Name: "fhir", Kind: load.KindFHIR,
		Config: load.Config{URL: srv.URL, IdentifierSystem: "https://harbourview.example/{entity}", Concurrency: 4}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := load.Run(context.Background(), p, load.Options{Destination: "fhir"})
	if err != nil || !res.Complete() {
		t.Fatalf("%+v %v", res, err)
	}
	patients, appts := 0, 0
	for id, r := range bodies {
		switch r["resourceType"] {
		case "Patient":
			patients++
			ident := r["identifier"].([]any)[0].(map[string]any)
			if ident["system"] != "https://harbourview.example/Patient" || ident["value"] == "" {
				t.Fatalf("patient %s identifier %v", id, ident)
			}
			if names, ok := r["name"].([]any); !ok || names[0].(map[string]any)["family"] == nil {
				t.Fatalf("patient %s name %v", id, r["name"])
			}
		case "Appointment":
			appts++
			for _, pa := range r["participant"].([]any) {
				ref := pa.(map[string]any)["actor"].(map[string]any)["reference"].(string)
				kind, target, _ := strings.Cut(ref, "/")
				if (kind != "Patient" && kind != "Practitioner") || bodies[target] == nil || bodies[target]["resourceType"] != kind {
					t.Fatalf("appointment %s refers to %q", id, ref)
				}
			}
		}
	}
	if patients == 0 || appts == 0 {
		t.Fatalf("%d patients, %d appointments", patients, appts)
	}
	// A second run sends nothing new: every record is existing, none is created twice.
	again, err := load.Run(context.Background(), p, load.Options{Destination: "fhir"})
	if err != nil || again.Counts[load.StatusExisting] != res.Counts[load.StatusCreated] || len(bodies) != int(res.Counts[load.StatusCreated]) {
		t.Fatalf("again %+v %v; server has %d", again, err, len(bodies))
	}
}
