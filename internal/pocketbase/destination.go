package pocketbase

import (
	"context"
	"testing"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// StartFor starts PocketBase with collections for def and a regular user, switches the rate
// limiter on with rules (none: it stays off), and returns the server and the user's token.
func StartFor(t testing.TB, def target.Definition, rules ...Rule) (*Server, string) {
	t.Helper()
	s := Start(t)
	if err := s.CreateCollections(def, Options{}); err != nil {
		t.Fatal(err)
	}
	token, err := s.UserToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) > 0 {
		if err := s.RateLimit(rules...); err != nil {
			t.Fatal(err)
		}
	}
	return s, token
}

// Config is a rest destination's configuration for this server and def's entities (bearer
// token, 8 at a time, retries on 429).
func (s *Server) Config(def target.Definition) load.Config {
	return load.Config{Kind: load.KindREST, URL: s.URL, Auth: load.Auth{Type: load.AuthBearer},
		Entities: load.PocketBaseEntities(def), Concurrency: 8, RetryWaitMS: 100, RetryMaxWaitMS: 2000, MaxAttempts: 12}
}

// SaveDestination saves d (Kind rest) in p.
func SaveDestination(t testing.TB, p *project.Project, d load.Destination) {
	t.Helper()
	d.Kind = load.KindREST
	if _, err := load.SaveDestination(context.Background(), p, d); err != nil {
		t.Fatal(err)
	}
}
