// Package demo writes Harbour View Dental: a fictional Boston dental practice's legacy export
// (patients, providers, appointments, invoices, payments, recalls), with the defects real exports
// have planted in exactly known numbers and recorded in manifest.json. The Audit, Cleanse and
// Map steps are tested against that manifest, so every count in it is what a correct detector
// finds in the files, and random "normal" data never adds an instance of a defect.
//
// Output is a pure function of (Seed, Patients): no clock, no map order, one PCG stream. It is
// written streaming, so a million patients take seconds and little memory.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Defaults: the embedded demo practice (assets/demo) is Generate with the zero Config.
const (
	DefaultPatients = 400
	DefaultSeed     = 1
	// MaxPatients keeps every patient's (birth date, last name) pair unique: see person().
	MaxPatients = 5_000_000

	PracticeName = "Harbour View Dental"
	ManifestName = "manifest.json"
)

// ReferenceDate is "today" in the demo practice; every date is relative to it, not to the clock.
var ReferenceDate = time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)

// Config chooses the practice's size and its random stream. Zero fields take the defaults.
type Config struct {
	Patients int    // people in the practice; patients.csv also holds their duplicates and test records
	Seed     uint64 // 0 means DefaultSeed
}

func (c Config) withDefaults() Config {
	if c.Patients == 0 {
		c.Patients = DefaultPatients
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	return c
}

// Generate writes the practice's files and manifest.json into dir, creating it if needed.
func Generate(dir string, cfg Config) (*Manifest, error) {
	return GenerateContext(context.Background(), dir, cfg)
}

// GenerateContext is Generate that stops, with ctx.Err(), when ctx is cancelled.
func GenerateContext(ctx context.Context, dir string, cfg Config) (*Manifest, error) {
	cfg = cfg.withDefaults()
	if cfg.Patients < 0 || cfg.Patients > MaxPatients {
		return nil, fmt.Errorf("generating the demo practice: patients must be between 1 and %d, not %d", MaxPatients, cfg.Patients)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("generating the demo practice: %w", err)
	}
	g, err := newGen(ctx, dir, cfg)
	if err != nil {
		return nil, fmt.Errorf("generating the demo practice: %w", err)
	}
	m, err := g.run()
	if cerr := g.close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("generating the demo practice in %s: %w", dir, err)
	}
	if err := writeManifest(filepath.Join(dir, ManifestName), m); err != nil {
		return nil, fmt.Errorf("generating the demo practice: %w", err)
	}
	return m, nil
}
