package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/demo"
)

func TestGenerateWritesThePracticeAndSaysWhat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "harbour")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"generate", "--patients", "150", "--seed", "4", "--out", dir}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m, err := demo.LoadManifest(filepath.Join(dir, demo.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if m.Patients != 150 || m.Seed != 4 {
		t.Errorf("manifest says %d patients, seed %d", m.Patients, m.Seed)
	}
	for _, f := range m.Files {
		st, err := os.Stat(filepath.Join(dir, f.Name))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f.Name, err)
		}
		if !strings.Contains(out.String(), f.Name) {
			t.Errorf("summary does not mention %s:\n%s", f.Name, out.String())
		}
	}
	for _, want := range []string{"Harbour View Dental", "150 patients", "windows-1252", "duplicate_fuzzy", "orphan"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestGenerateIsTheSameAsTheLibrary(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"generate", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lib := t.TempDir()
	if _, err := demo.Generate(lib, demo.Config{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"patients.csv", "manifest.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(lib, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s from the CLI defaults differs from demo.Config{}", name)
		}
	}
}

func TestGenerateWrongCalls(t *testing.T) {
	for _, args := range [][]string{
		{"generate"},
		{"generate", "--patients", "0", "--out", t.TempDir()},
		{"generate", "--seed", "0", "--out", t.TempDir()},
		{"generate", "--out", t.TempDir(), "extra"},
		{"generate", "--patients", "many", "--out", t.TempDir()},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
		if !strings.Contains(errb.String(), "Usage: ferry generate") {
			t.Errorf("%v: no usage on stderr:\n%s", args, errb.String())
		}
	}
}
