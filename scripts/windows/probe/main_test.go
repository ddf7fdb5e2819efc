package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
)

func TestProbeFindsValuesAndReadsTheJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "my projects", "Harbour View.ferry")
	p, err := project.Create(ctx, path, project.Options{Actor: "Zoë Ó Súilleabháin"})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"journal", path}, &out); err != nil || strings.TrimSpace(out.String()) != "wal" {
		t.Fatalf("journal: %q, %v", out.String(), err)
	}
	out.Reset()
	// The custody log keeps the actor's name: a value with accents, in some table.
	if err := run(ctx, []string{"find", path, "Zoë Ó Súilleabháin"}, &out); err != nil {
		t.Fatalf("find: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"find", path, "Zoe O Suilleabhain"}, &out); err == nil || !strings.Contains(out.String(), "missing") {
		t.Fatalf("a value without its accents must not match: %v\n%s", err, out.String())
	}
}

func TestProbeSavesSettingsInTheConfigFolder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FERRY_CONFIG_DIR", dir)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"settings", "Ann Smith"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dir="+dir) || !strings.Contains(out.String(), "user=Ann Smith") {
		t.Fatalf("output: %s", out.String())
	}
}
