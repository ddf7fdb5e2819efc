package checklist

import (
	"testing"
	"testing/fstest"

	"github.com/ferry-migrate/ferry/assets"
)

// FuzzTemplates: a checklist template (one file beside the shipped general one) may hold
// anything; Templates and TemplateFor return templates or an error, and never panic or loop.
func FuzzTemplates(f *testing.F) {
	general, err := assets.Checklists.ReadFile("checklists/general.json")
	if err != nil {
		f.Fatal(err)
	}
	if b, err := assets.Checklists.ReadFile("checklists/dental.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","extends":"x","practice_types":["dental"],"groups":[{"key":"a","before":"a","items":[{"key":"k","due":"freeze-99999999999 25:61"}]}]}`))
	f.Add([]byte(`{"id":"general","groups":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		old := templateFS
		defer func() { templateFS = old }()
		templateFS = fstest.MapFS{
			"checklists/general.json": {Data: general},
			"checklists/fuzz.json":    {Data: data},
		}
		if _, err := Templates(); err != nil {
			return
		}
		for _, kind := range []string{"dental", "medical", "", "x"} {
			tpl, err := TemplateFor(kind)
			if err != nil {
				continue
			}
			_ = tpl.Areas()
			for _, g := range tpl.Groups {
				for _, it := range g.Items {
					_ = resolveDue(it.Due, nil)
				}
			}
		}
	})
}
