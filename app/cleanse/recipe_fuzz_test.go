package cleanse_test

import (
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/assets"
)

// FuzzParseRecipe: a recipe comes from another machine; whatever it holds, ParseRecipe returns a
// recipe or an ErrBadRecipe-wrapped error, never panics, and what it accepts survives a round trip.
func FuzzParseRecipe(f *testing.F) {
	if b, err := assets.Recipes.ReadFile("recipes/demo-cleanse.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"trim","table":"t","column":"c"}]}`))
	f.Add([]byte(`{"format":"ferry-cleanse-recipe","version":1,"tables":[{"name":"../../etc/passwd","columns":[{"name":"\u0000"}]}],"steps":[]}`))
	f.Add([]byte(`{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"replace","table":"t","column":"c","find":"(a+)+$","regex":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, err := cleanse.ParseRecipe(data)
		if err != nil {
			if rc != nil {
				t.Fatalf("a recipe and an error: %v", err)
			}
			if !errors.Is(err, cleanse.ErrBadRecipe) && !errors.Is(err, cleanse.ErrBadStep) && !errors.Is(err, cleanse.ErrUnknownOp) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		out, err := rc.Marshal()
		if err != nil {
			t.Fatalf("an accepted recipe does not marshal: %v", err)
		}
		if _, err := cleanse.ParseRecipe(out); err != nil {
			t.Fatalf("an accepted recipe does not read back: %v\n%s", err, out)
		}
	})
}
