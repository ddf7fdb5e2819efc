package target_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/assets"
)

// FuzzParse: a target definition (the vendor's template) comes from outside; Parse accepts it or
// says why (ErrInvalid), never panics, and what it accepts reads back.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"generic.json", "fhir-r4.json", "cliniko.json"} {
		if b, err := assets.Targets.ReadFile("targets/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"name":"x","entities":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := target.Parse(bytes.NewReader(data), 1<<20)
		if err != nil {
			if !errors.Is(err, target.ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := target.Parse(bytes.NewReader(b), 1<<20); err != nil {
			t.Fatalf("an accepted definition does not read back: %v\n%s", err, b)
		}
	})
}
