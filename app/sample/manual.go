package sample

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// ErrNoRecord is returned when a record added by hand is not in the mapped data.
var ErrNoRecord = errors.New("no such record")

// ErrNotAdded is returned when Remove names a record nobody added by hand.
var ErrNotAdded = errors.New("not added by hand")

// Hand is a record a person added to the sample.
type Hand struct {
	Entity  string `json:"entity"`
	Key     string `json:"key"`
	Note    string `json:"note,omitempty"`
	AddedBy string `json:"added_by"`
	AddedAt string `json:"added_at"`
}

// Manual lists the records added by hand, by entity and key.
func Manual(ctx context.Context, p *project.Project) ([]Hand, error) {
	if !wizard.TableExists(ctx, p.Reader(), "ferry_sample_manual") {
		return nil, nil // a project file from before the sample's schema: nobody added anything
	}
	rows, err := p.Reader().QueryContext(ctx, `SELECT entity, legacy_key, note, added_by, added_at
		FROM ferry_sample_manual ORDER BY entity, legacy_key`)
	if err != nil {
		return nil, fmt.Errorf("reading the records added to the sample by hand: %w", err)
	}
	defer rows.Close()
	var out []Hand
	for rows.Next() {
		var h Hand
		if err := rows.Scan(&h.Entity, &h.Key, &h.Note, &h.AddedBy, &h.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Add puts the entity's record with that legacy key into every sample from now on. The record
// must be in the mapped data; adding one that is already added only updates the note.
func Add(ctx context.Context, p *project.Project, entity, key, note string) error {
	entity, key = strings.TrimSpace(entity), strings.TrimSpace(key)
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return fmt.Errorf("reading the mapped records: %w", err)
	}
	if f.Entity(entity) == nil {
		var names []string
		for _, e := range f.Entities {
			names = append(names, e.Name)
		}
		return fmt.Errorf("%s is not a mapped entity (mapped: %s): %w", entity, strings.Join(names, ", "), ErrNoRecord)
	}
	found := false
	stop := errors.New("found")
	err = f.Scan(ctx, entity, nil, func(r mapping.Record) error {
		if r.Key == key {
			found = true
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		return fmt.Errorf("looking for %s %s: %w", entity, key, err)
	}
	if !found {
		return fmt.Errorf("no %s has the key %q: %w", entity, key, ErrNoRecord)
	}
	who := p.Who().Actor
	return p.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_sample_manual (entity, legacy_key, note, added_by, added_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity, legacy_key) DO UPDATE SET note = excluded.note`,
			entity, key, note, who, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("adding %s %s to the sample: %w", entity, key, err)
		}
		return p.Log(ctx, tx, "sample.add", map[string]string{"entity": entity, "key": key, "note": note}, nil)
	})
}

// Remove takes a record added by hand out again. Records in the sample for any other reason
// stay in: only what a person added can be taken out.
func Remove(ctx context.Context, p *project.Project, entity, key string) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM ferry_sample_manual WHERE entity = ? AND legacy_key = ?`, entity, key)
		if err != nil {
			return fmt.Errorf("removing %s %s from the sample: %w", entity, key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s %s: %w", entity, key, ErrNotAdded)
		}
		return p.Log(ctx, tx, "sample.remove", map[string]string{"entity": entity, "key": key}, nil)
	})
}
