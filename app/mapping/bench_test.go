package mapping_test

import (
	"context"
	"testing"

	"github.com/ferry-migrate/ferry/app/mapping"
)

// BenchmarkValidateDemo validates the demo practice (4,478 rows, 2,338 errors) mapped onto FHIR.
func BenchmarkValidateDemo(b *testing.B) {
	p, _ := newDemo(b)
	applyFixture(b, p)
	m := mapping.New(p)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Validate(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
