// Package pocketbase starts a real PocketBase server (the `base` example binary,
// github.com/pocketbase/pocketbase/examples/base@v0.36.8) on 127.0.0.1 for tests: a fresh data
// folder, a superuser, collections for a target's entities, a regular user whose token the load
// uses, and PocketBase's own rate limiter switched on so that real 429s happen. The server is
// stopped when the test ends.
//
// The binary is found at $FERRY_POCKETBASE, else $(go env GOPATH)/bin/base, else on PATH;
// scripts/setup.sh (run by `make test`) installs it. A test that needs it fails when it is
// missing, unless FERRY_SKIP_POCKETBASE=1 is set (then it is skipped).
package pocketbase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/target"
)

// Version is the PocketBase version the tests are written against.
const Version = "v0.36.8"

// InstallHint says how to install the binary.
const InstallHint = "go install github.com/pocketbase/pocketbase/examples/base@" + Version + " (or run scripts/setup.sh)"

// Binary finds the `base` binary.
func Binary() (string, error) {
	if p := os.Getenv("FERRY_POCKETBASE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("FERRY_POCKETBASE=%s: %w", p, err)
		}
		return p, nil
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "base")
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath("base"); err == nil {
		return p, nil
	}
	return "", errors.New("PocketBase's `base` binary was not found: " + InstallHint)
}

// Server is a running PocketBase.
type Server struct {
	URL      string
	Dir      string
	Email    string
	Password string
	token    string // the superuser's
	cmd      *exec.Cmd
	log      *lockedBuffer
	ids      map[string]string // collection name → id
}

// Start starts PocketBase for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("FERRY_SKIP_POCKETBASE") == "1" {
			t.Skip("FERRY_SKIP_POCKETBASE=1: " + err.Error())
		}
		t.Fatal(err)
	}
	s := &Server{Dir: t.TempDir(), Email: "ferry@example.test", Password: "ferry-test-password-1", log: &lockedBuffer{}, ids: map[string]string{}}
	if out, err := exec.Command(bin, "superuser", "upsert", s.Email, s.Password, "--dir", s.Dir).CombinedOutput(); err != nil {
		t.Fatalf("pocketbase superuser upsert: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.URL = "http://" + addr
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", s.Dir)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting pocketbase: %v", err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pocketbase did not answer on %s within 30 s:\n%s", s.URL, s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	var auth struct {
		Token string `json:"token"`
	}
	if err := s.call("POST", "/api/collections/_superusers/auth-with-password", map[string]string{"identity": s.Email, "password": s.Password}, &auth); err != nil {
		t.Fatalf("superuser login: %v", err)
	}
	s.token = auth.Token
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Call sends a request as the superuser (not rate limited) and decodes the answer into out.
func (s *Server) Call(method, path string, body, out any) error {
	return s.call(method, path, body, out)
}

func (s *Server) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Collections options.
type Options struct {
	// MaxLength limits text fields: "Patient.name.family" → characters (PocketBase rejects longer).
	MaxLength map[string]int
	// Required makes fields required: "Appointment.start".
	Required map[string]bool
	// Rule is the list/view/create/update/delete rule (default: any signed-in user).
	Rule *string
}

// CollectionName is the collection an entity is kept in (as app/load names it).
func CollectionName(entity string) string { return strings.ToLower(fieldName(entity)) }

func fieldName(s string) string {
	var b strings.Builder
	last := byte('_')
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !ok {
			c = '_'
		}
		if c == '_' && last == '_' {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return strings.Trim(b.String(), "_")
}

// CreateCollections makes one collection per entity of the target (named CollectionName),
// referred-to entities first: a text field per mapped field (name.family → name_family), a
// relation field per reference (so PocketBase itself refuses a reference to a record it does
// not have), and legacy_key with a unique index.
func (s *Server) CreateCollections(def target.Definition, opts Options) error {
	rule := `@request.auth.id != ""`
	if opts.Rule != nil {
		rule = *opts.Rule
	}
	done := map[string]bool{}
	var create func(e target.Entity) error
	byName := map[string]target.Entity{}
	for _, e := range def.Entities {
		byName[e.Name] = e
	}
	create = func(e target.Entity) error {
		if done[e.Name] {
			return nil
		}
		done[e.Name] = true
		for _, f := range e.Fields {
			if f.Type == target.Reference && f.References != e.Name {
				if dep, ok := byName[f.References]; ok {
					if err := create(dep); err != nil {
						return err
					}
				}
			}
		}
		name := CollectionName(e.Name)
		fields := []map[string]any{{"name": "legacy_key", "type": "text", "required": true, "max": 200}}
		for _, f := range e.Fields {
			fm := map[string]any{"name": fieldName(f.Name), "type": "text", "max": 5000}
			if f.Type == target.Reference && s.ids[CollectionName(f.References)] != "" {
				fm = map[string]any{"name": fieldName(f.Name), "type": "relation", "collectionId": s.ids[CollectionName(f.References)], "maxSelect": 1}
			}
			if n := opts.MaxLength[e.Name+"."+f.Name]; n > 0 {
				fm["max"] = n
			}
			if opts.Required[e.Name+"."+f.Name] {
				fm["required"] = true
			}
			fields = append(fields, fm)
		}
		body := map[string]any{"name": name, "type": "base", "fields": fields,
			"indexes":  []string{fmt.Sprintf("CREATE UNIQUE INDEX idx_%s_legacy ON %s (legacy_key)", name, name)},
			"listRule": rule, "viewRule": rule, "createRule": rule, "updateRule": rule, "deleteRule": rule}
		var out struct {
			ID string `json:"id"`
		}
		if err := s.call("POST", "/api/collections", body, &out); err != nil {
			return fmt.Errorf("creating collection %s: %w", name, err)
		}
		s.ids[name] = out.ID
		return nil
	}
	for _, e := range def.Entities {
		if err := create(e); err != nil {
			return err
		}
	}
	return nil
}

// UserToken creates a regular user (in the default "users" collection) and returns its auth
// token: requests with it are rate limited, unlike the superuser's.
func (s *Server) UserToken() (string, error) {
	email := fmt.Sprintf("loader%d@example.test", time.Now().UnixNano())
	pass := "loader-password-1"
	if err := s.call("POST", "/api/collections/users/records", map[string]any{"email": email, "password": pass, "passwordConfirm": pass}, nil); err != nil {
		return "", fmt.Errorf("creating the user: %w", err)
	}
	var auth struct {
		Token string `json:"token"`
	}
	if err := s.call("POST", "/api/collections/users/auth-with-password", map[string]string{"identity": email, "password": pass}, &auth); err != nil {
		return "", fmt.Errorf("user login: %w", err)
	}
	return auth.Token, nil
}

// Rule is one of PocketBase's rate limit rules: at most MaxRequests per Duration seconds for
// requests matching Label ("*:create", "/api/", "POST /api/collections/patient/records" …).
type Rule struct {
	Label       string `json:"label"`
	MaxRequests int    `json:"maxRequests"`
	Duration    int    `json:"duration"`
	Audience    string `json:"audience"`
}

// RateLimit switches PocketBase's rate limiter on with these rules (superusers are exempt).
func (s *Server) RateLimit(rules ...Rule) error {
	return s.call("PATCH", "/api/settings", map[string]any{"rateLimits": map[string]any{"enabled": true, "rules": rules}}, nil)
}

// Records reads every record of a collection (as the superuser).
func (s *Server) Records(collection string) ([]map[string]any, error) {
	var all []map[string]any
	for page := 1; ; page++ {
		var out struct {
			Items      []map[string]any `json:"items"`
			TotalPages int              `json:"totalPages"`
		}
		if err := s.call("GET", fmt.Sprintf("/api/collections/%s/records?page=%d&perPage=500", url.PathEscape(collection), page), nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if page >= out.TotalPages {
			return all, nil
		}
	}
}

// Log is what the server printed so far (for a failing test's message).
func (s *Server) Log() string { return s.log.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
