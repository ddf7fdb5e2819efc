package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
)

var (
	readyOnce sync.Once
	readyPath string
	readyErr  error
)

// demoCopy is a copy of one ready demo project (made once per test binary): the httptest
// tests need the data, not a fresh cleanse and map each.
func demoCopy(t *testing.T) *project.Project { return demoCopyB(t) }

func demoCopyB(t testing.TB) *project.Project {
	t.Helper()
	readyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ferry-load-test")
		if err != nil {
			readyErr = err
			return
		}
		p := readyDemoAt(t, filepath.Join(dir, "ready.ferry"))
		readyPath = p.Path
		readyErr = p.Close()
	})
	if readyErr != nil {
		t.Fatal(readyErr)
	}
	b, err := os.ReadFile(readyPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo.ferry")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Open(context.Background(), path, project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// fakeREST is a small in-memory REST server shaped like PocketBase's records API; fault, when
// set, may answer a request itself (return true) to inject trouble.
type fakeREST struct {
	mu      sync.Mutex
	ids     map[string]string // collection/legacy_key → id
	posts   map[string]int    // collection/legacy_key → POSTs that reached the handler
	n       int
	fault   func(w http.ResponseWriter, r *http.Request, key string, n int) bool
	srv     *httptest.Server
	history []string
}

var filterKey = regexp.MustCompile(`legacy_key='((?:[^'\\]|\\.)*)'`)

func newFake(t *testing.T) *fakeREST {
	f := &fakeREST{ids: map[string]string{}, posts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeREST) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // api collections NAME records
	if len(parts) < 4 {
		http.NotFound(w, r)
		return
	}
	coll := parts[2]
	switch r.Method {
	case "GET":
		m := filterKey.FindStringSubmatch(r.URL.Query().Get("filter"))
		items := []any{}
		if m != nil {
			f.mu.Lock()
			if id, ok := f.ids[coll+"/"+strings.ReplaceAll(m[1], `\'`, `'`)]; ok {
				items = append(items, map[string]string{"id": id})
			}
			f.mu.Unlock()
		}
		json.NewEncoder(w).Encode(map[string]any{"items": items})
	case "POST":
		b, _ := io.ReadAll(r.Body)
		var body map[string]string
		json.Unmarshal(b, &body)
		key := coll + "/" + body["legacy_key"]
		f.mu.Lock()
		f.n++
		n := f.n
		f.posts[key]++
		f.history = append(f.history, fmt.Sprintf("%s %s", time.Now().Format(time.RFC3339Nano), key))
		fault := f.fault
		f.mu.Unlock()
		if fault != nil && fault(w, r, key, n) {
			return
		}
		f.create(w, key)
	}
}

func (f *fakeREST) create(w http.ResponseWriter, key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ids[key]; ok {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"status":400,"message":"Failed to create record.","data":{"legacy_key":{"code":"validation_not_unique","message":"Value must be unique."}}}`)
		return ""
	}
	id := fmt.Sprintf("id%06d", len(f.ids)+1)
	f.ids[key] = id
	if w != nil {
		json.NewEncoder(w).Encode(map[string]string{"id": id})
	}
	return id
}

func (f *fakeREST) dest(t *testing.T, p *project.Project, name string, tweak func(*load.Config)) {
	t.Helper()
	feed, _ := feedRecords(t, p)
	c := load.Config{Kind: load.KindREST, URL: f.srv.URL, Entities: load.PocketBaseEntities(feed.Def), Concurrency: 4,
		RetryWaitMS: 10, RetryMaxWaitMS: 50, CircuitFailures: 5, TimeoutSeconds: 5}
	if tweak != nil {
		tweak(&c)
	}
	if _, err := load.SaveDestination(context.Background(), p, load.Destination{Name: name, Kind: load.KindREST, Config: c}); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownOutcomeIsLookedUpNotSentTwice(t *testing.T) {
	p := demoCopy(t)
	f := newFake(t)
	f.dest(t, p, "fake", nil)
	dropped := 0
	// Every 100th create is stored, then the connection drops before any answer.
	f.fault = func(w http.ResponseWriter, r *http.Request, key string, n int) bool {
		if n%100 != 0 {
			return false
		}
		f.create(nil, key)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		dropped++
		return true
	}
	res, err := load.Run(context.Background(), p, load.Options{Destination: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete() || dropped < 10 {
		t.Fatalf("run %+v, %d dropped", res, dropped)
	}
	for k, n := range f.posts {
		if n != 1 {
			t.Errorf("%s was sent %d times", k, n)
		}
	}
	if int64(len(f.ids)) != res.Counts[load.StatusCreated] {
		t.Errorf("server has %d records, run created %d", len(f.ids), res.Counts[load.StatusCreated])
	}
}

func TestRetryAfterIsHonouredInSecondsAndAsAnHTTPDate(t *testing.T) {
	p := demoCopy(t)
	f := newFake(t)
	f.dest(t, p, "fake", func(c *load.Config) { c.Concurrency = 1 })
	var mu sync.Mutex
	var refusedAt []time.Time
	var waited []time.Duration
	var nextAfterRefusal bool
	f.fault = func(w http.ResponseWriter, r *http.Request, key string, n int) bool {
		mu.Lock()
		defer mu.Unlock()
		if nextAfterRefusal {
			waited = append(waited, time.Since(refusedAt[len(refusedAt)-1]))
			nextAfterRefusal = false
		}
		switch n {
		case 5:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		case 20:
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
			fmt.Fprint(w, "<html><head><title>Down for maintenance</title></head><body>back soon</body></html>")
		default:
			return false
		}
		refusedAt = append(refusedAt, time.Now())
		nextAfterRefusal = true
		return true
	}
	res, err := load.Run(context.Background(), p, load.Options{Destination: "fake"})
	if err != nil || !res.Complete() {
		t.Fatalf("run %+v, %v", res, err)
	}
	if len(waited) != 2 {
		t.Fatalf("waits seen: %v", waited)
	}
	// The next request came no sooner than the server asked (an HTTP date has whole seconds).
	if waited[0] < 950*time.Millisecond || waited[1] < time.Second {
		t.Errorf("Retry-After not honoured: waited %v", waited)
	}
}

func TestHTMLAndEmptyRejectionsReachTheResultsInWords(t *testing.T) {
	p := demoCopy(t)
	f := newFake(t)
	f.dest(t, p, "fake", nil)
	f.fault = func(w http.ResponseWriter, r *http.Request, key string, n int) bool {
		switch {
		case strings.HasPrefix(key, "patient/") && strings.HasSuffix(key, "7"):
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			fmt.Fprint(w, "<html><head><title>Forbidden</title></head><body><h1>Access denied</h1><p>WAF rule 942100</p></body></html>")
			return true
		case strings.HasPrefix(key, "practitioner/"):
			w.WriteHeader(422)
			return true
		}
		return false
	}
	res, err := load.Run(context.Background(), p, load.Options{Destination: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	rej, _ := load.Records(context.Background(), p, res.RunID, load.Filter{Statuses: []string{load.StatusRejected}})
	if len(rej) == 0 || res.State != load.StateDone {
		t.Fatalf("run %+v", res)
	}
	for _, r := range rej {
		switch r.Entity {
		case "Patient":
			if !strings.Contains(r.Error, "Forbidden") || !strings.Contains(r.Error, "WAF rule 942100") || strings.Contains(r.Error, "<") {
				t.Errorf("%+v", r)
			}
		case "Practitioner":
			if !strings.Contains(r.Error, "HTTP 422") || !strings.Contains(r.Error, "no explanation") {
				t.Errorf("%+v", r)
			}
		}
	}
}

func TestCircuitPausesARunWhenTheTargetKeepsFailingAndResumeFinishesIt(t *testing.T) {
	ctx := context.Background()
	p := demoCopy(t)
	f := newFake(t)
	f.dest(t, p, "fake", nil)
	var down sync.Mutex
	broken := true
	f.fault = func(w http.ResponseWriter, r *http.Request, key string, n int) bool {
		down.Lock()
		defer down.Unlock()
		if n > 300 && broken {
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			return true
		}
		return false
	}
	res, err := load.Run(ctx, p, load.Options{Destination: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != load.StatePaused || !strings.Contains(res.Message, "Paused") || !strings.Contains(res.Message, "502 Bad Gateway") {
		t.Fatalf("run %+v", res)
	}
	runs, _ := load.Runs(ctx, p)
	if runs[0].State != load.StatePaused || runs[0].Message != res.Message {
		t.Errorf("stored run %+v", runs[0])
	}
	down.Lock()
	broken = false
	down.Unlock()
	again, err := load.Run(ctx, p, load.Options{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.RunID != res.RunID || !again.Complete() {
		bad, _ := load.Records(ctx, p, again.RunID, load.Filter{Statuses: []string{load.StatusFailed}, Limit: 3})
		t.Fatalf("resumed %+v\n%+v", again, bad)
	}
	for k, n := range f.posts {
		if n > 1 && f.ids[k] == "" {
			t.Errorf("%s: %d posts and not created", k, n)
		}
	}
	if int64(len(f.ids)) != again.Counts[load.StatusCreated] {
		t.Errorf("server has %d, run says %d created", len(f.ids), again.Counts[load.StatusCreated])
	}
}
