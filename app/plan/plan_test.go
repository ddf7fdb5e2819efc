package plan_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

func TestRecommendation(t *testing.T) {
	small := plan.Plan{"staff": "4", "locations": "1", "integrations": "1", "downtime": "a weekend"}
	cases := []struct {
		name string
		p    plan.Plan
		want string
		why  string
	}{
		{"small simple practice", small, plan.BigBang, "single location"},
		{"two locations", with(small, "locations", "2"), plan.Phased, "2 locations"},
		{"many staff", with(small, "staff", "25"), plan.Parallel, "25 staff"},
		{"many integrations", with(small, "integrations", "5"), plan.Parallel, "5 connected systems"},
		{"no downtime", with(small, "downtime", "none"), plan.Parallel, "only none"},
		{"unanswered", plan.Plan{"staff": "4"}, "", "Answer staff"},
	}
	for _, c := range cases {
		r := c.p.Recommend()
		if r.Strategy != c.want || !strings.Contains(r.Reason, c.why) {
			t.Errorf("%s: got %q (%s), want %q mentioning %q", c.name, r.Strategy, r.Reason, c.want, c.why)
		}
	}
}

func with(p plan.Plan, k, v string) plan.Plan {
	out := plan.Plan{}
	for a, b := range p {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestValidate(t *testing.T) {
	p := plan.Plan{"go_live": "2027-03-01", "data_freeze": "2027-03-05", "staff": "many", "downtime": "forever"}
	probs := p.Validate()
	keys := map[string]bool{}
	for _, pr := range probs {
		keys[pr.Key] = true
	}
	for _, k := range []string{"go_live", "staff", "downtime"} {
		if !keys[k] {
			t.Errorf("no problem reported for %s: %v", k, probs)
		}
	}
	if probs := (plan.Plan{"go_live": "1 March"}).Validate(); len(probs) != 1 || !strings.Contains(probs[0].Message, "YYYY-MM-DD") {
		t.Errorf("bad date not explained: %v", probs)
	}
}

func TestSetSavesAsTypedAndLogsEachEdit(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "p.ferry"), project.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := plan.Set(ctx, p, "practice_name", "  Harbour View Dental "); err != nil {
		t.Fatal(err)
	}
	if err := plan.Set(ctx, p, "your_name", "Dana Reyes"); err != nil {
		t.Fatal(err)
	}
	if err := plan.Set(ctx, p, "go_live", "not a date"); err != nil {
		t.Fatalf("an invalid value must still be saved: %v", err)
	}
	if err := plan.Set(ctx, p, "nonsense", "x"); err == nil {
		t.Fatal("unknown field accepted")
	}
	got, _ := plan.Load(ctx, p)
	if got["practice_name"] != "  Harbour View Dental " || got["go_live"] != "not a date" {
		t.Fatalf("not saved as typed: %q", got)
	}
	evs, _ := custody.List(ctx, p.Reader(), 0)
	last := evs[len(evs)-1]
	if last.Action != "plan.edit" || last.Actor != "Dana Reyes" || !strings.Contains(string(last.Params), "go_live") {
		t.Fatalf("last event %+v", last)
	}
}
