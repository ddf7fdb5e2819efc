package mapping_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/assets"
)

// FuzzReadTemplate: a mapping template comes from another machine; ReadTemplate accepts it or
// says why (ErrBadTempl), never panics, and what it accepts reads back the same.
func FuzzReadTemplate(f *testing.F) {
	if b, err := assets.Maps.ReadFile("maps/demo-fhir-r4.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"format":"ferry-mapping-template","target":{"name":"x"}}`))
	f.Add([]byte(`{"format":"ferry-mapping-template","target":{"name":"../../etc/passwd"},"entities":[{"entity":"Patient","table":"/etc/shadow"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := mapping.ReadTemplate(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, mapping.ErrBadTempl) && !errors.Is(err, mapping.ErrBadStep) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if _, err := mapping.ReadTemplate(bytes.NewReader(tpl.Marshal())); err != nil {
			t.Fatalf("an accepted template does not read back: %v", err)
		}
	})
}
