package demoflow_test

import (
	"context"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/internal/demotest"
)

func TestTheDemoBecomesReadyToLoadAndItsFeedIsComplete(t *testing.T) {
	ctx := context.Background()
	p := demotest.Ready(t)
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, e := range f.Entities {
		pos[e.Name] = i
	}
	for _, e := range f.Entities {
		for _, d := range e.DependsOn {
			if pos[d] > pos[e.Name] {
				t.Errorf("%s comes before %s, which it refers to", e.Name, d)
			}
		}
		var n int64
		keys := map[string]bool{}
		err := f.Scan(ctx, e.Name, nil, func(r mapping.Record) error {
			n++
			if !r.Valid() {
				t.Errorf("%s row %d: %s", e.Name, r.Row, r.Error(e.Fields))
			}
			if r.Key == "" || keys[r.Key] {
				t.Errorf("%s row %d: key %q blank or repeated", e.Name, r.Row, r.Key)
			}
			keys[r.Key] = true
			if len(r.Values) != len(e.Fields) || len(r.Hash(e.Fields)) != 64 {
				t.Errorf("%s row %d: %d values for %d fields", e.Name, r.Row, len(r.Values), len(e.Fields))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		tb, _ := f.Table(e.Name)
		if err := p.Reader().QueryRow(`SELECT count(*) FROM "` + tb.Name + `"`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if n != rows || n == 0 {
			t.Errorf("%s: %d records from %d rows", e.Name, n, rows)
		}
	}
	if pos["Patient"] > pos["Appointment"] {
		t.Errorf("order: %v", pos)
	}
}
