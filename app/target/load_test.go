package target

import (
	"errors"
	"strings"
	"testing"
)

func TestEveryPresetValidatesAndSaysHowToLoad(t *testing.T) {
	infos, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, in := range infos {
		names[in.Name] = true
		d, err := Preset(in.Name)
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		if d.Load == nil || d.Load.Idempotency == nil || d.Load.Rollback == "" || d.Load.VendorImports == "" || len(d.Load.Destination) == 0 {
			t.Errorf("%s: the load member is incomplete: %+v", in.Name, d.Load)
		}
	}
	for _, want := range []string{"fhir-r4", "medplum", "cliniko", "clio", "nookal", "openemr", "generic"} {
		if !names[want] {
			t.Errorf("no preset %s among %v", want, infos)
		}
	}
	c, _ := Preset("cliniko")
	if c.Load.RateLimitPerMinute != 200 || !strings.Contains(c.Load.Idempotency.Strategy, "old_reference_id") {
		t.Errorf("cliniko load = %+v", c.Load)
	}
	f, _ := Preset("fhir-r4")
	if !strings.Contains(f.Load.Idempotency.Strategy, "PUT Resource?identifier=system|value") {
		t.Errorf("fhir-r4 idempotency = %+v", f.Load.Idempotency)
	}
	n, _ := Preset("nookal")
	var cols []string
	for _, fl := range n.Entities[0].Fields {
		cols = append(cols, fl.Name)
	}
	if got := strings.Join(cols, "|"); got != "Title|First Name|Middle Name|Last Name|Gender|Date of Birth|Notes|Date Registered|Address Line 1|Address Line 2|City / Suburb|State|Country|Postcode|Home Phone|Mobile Phone|Work Phone|Email Address" {
		t.Errorf("nookal columns = %s", got)
	}
}

func TestLoadMemberIsCheckedStrictly(t *testing.T) {
	base := `{"format":"ferry-target/1","name":"x","entities":[],"load":%s}`
	for in, want := range map[string]string{
		`{"route":"fax"}`: "load.route",
		`{"route":"api","rate_limit_per_minute":-1}`:       "negative",
		`{"route":"api","destination":[1]}`:                "not a JSON object",
		`{"route":"api","destination":{"format":"other"}}`: "ferry-destination/1",
		`{"route":"api","idempotency":{"words":"x"}}`:      "strategy is empty",
		`{"route":"api","surprise":1}`:                     "unknown field",
	} {
		_, err := Parse(strings.NewReader(strings.Replace(base, "%s", in, 1)), 0)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
