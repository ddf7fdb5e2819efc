// Package plan holds the migration plan: the practice, the two systems, the dates, the people, and
// the adoption strategy with a recommendation derived from the answers.
package plan

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// Kind is how a field is edited.
type Kind int

const (
	Text Kind = iota
	Choice
	Date
	Number
	LongText
)

// Field describes one question of the plan.
type Field struct {
	Key      string
	Label    string
	Kind     Kind
	Options  []string // Choice
	Help     string
	Required bool
	Group    string
}

// Strategy names, as stored.
const (
	BigBang  = "big bang"
	Phased   = "phased"
	Parallel = "parallel"
)

// Downtime choices, from least to most tolerated.
var Downtimes = []string{"none", "a few hours", "one day", "a weekend", "a week or more"}

// Fields is the plan, in the order it is asked.
var Fields = []Field{
	{Key: "practice_name", Label: "Practice name", Kind: Text, Required: true, Group: "Practice"},
	{Key: "practice_type", Label: "Kind of practice", Kind: Choice, Required: true, Group: "Practice",
		Options: []string{"dental", "medical", "physiotherapy", "veterinary", "law", "accounting", "other"}},
	{Key: "region", Label: "Country", Kind: Choice, Group: "Practice",
		Options: []string{"US", "CA", "GB", "IE", "AU", "NZ"},
		Help:    "Phone numbers and postcodes are checked against this country's rules. US if left empty."},
	{Key: "staff", Label: "Staff who use the system", Kind: Number, Group: "Practice", Help: "Everyone with a login: reception, clinicians, billing."},
	{Key: "locations", Label: "Locations", Kind: Number, Group: "Practice"},
	{Key: "integrations", Label: "Connected systems", Kind: Number, Group: "Practice",
		Help: "Imaging, accounting, SMS reminders, labs, claims, card terminals, the spreadsheet someone keeps."},
	{Key: "legacy_system", Label: "Old system", Kind: Text, Required: true, Group: "Systems", Help: "The system you are leaving, e.g. Open Dental."},
	{Key: "new_system", Label: "New system", Kind: Text, Required: true, Group: "Systems", Help: "The system you are moving to, e.g. Cliniko."},
	{Key: "data_freeze", Label: "Data freeze", Kind: Date, Required: true, Group: "Dates",
		Help: "The day staff stop entering into the old system. YYYY-MM-DD."},
	{Key: "go_live", Label: "Go-live", Kind: Date, Required: true, Group: "Dates", Help: "The first day the practice works in the new system. YYYY-MM-DD."},
	{Key: "legacy_retired", Label: "Old system retired", Kind: Date, Group: "Dates",
		Help: "The day the old system is switched off for good. Until then a load can be rolled back; after it, only fixed forward. YYYY-MM-DD."},
	{Key: "downtime", Label: "Downtime you can tolerate", Kind: Choice, Options: Downtimes, Required: true, Group: "Dates"},
	{Key: "your_name", Label: "Your name", Kind: Text, Group: "People", Help: "Every change you make is recorded under this name."},
	{Key: "owner", Label: "Who owns the migration", Kind: Text, Required: true, Group: "People"},
	{Key: "sign_off", Label: "Who signs off the final data", Kind: Text, Required: true, Group: "People", Help: "Usually the practice owner."},
	{Key: "must_work", Label: "What must work on day one", Kind: LongText, Group: "Key questions",
		Help: "Bookings, billing, recalls … the things that would stop the practice if missing."},
	{Key: "strategy", Label: "Adoption strategy", Kind: Choice, Options: []string{Phased, Parallel, BigBang}, Required: true, Group: "Strategy"},
}

// Region is the country phone numbers and postcodes are checked against (ISO 3166 code).
func (pl Plan) Region() string {
	if r := strings.TrimSpace(pl["region"]); r != "" {
		return r
	}
	return "US"
}

// FieldByKey finds a field.
func FieldByKey(key string) (Field, bool) {
	for _, f := range Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Plan is the set of answers, by field key.
type Plan map[string]string

// Load reads the plan from the project.
func Load(ctx context.Context, p *project.Project) (Plan, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT key, value FROM ferry_plan`)
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	defer rows.Close()
	pl := Plan{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("reading the plan: %w", err)
		}
		pl[k] = v
	}
	return pl, rows.Err()
}

// Set saves one answer as typed and records it in the custody log. An invalid value is still
// saved (nothing typed is lost); Validate says what is wrong with it.
func Set(ctx context.Context, p *project.Project, key, value string) error {
	if _, ok := FieldByKey(key); !ok {
		return fmt.Errorf("the plan has no field %q", key)
	}
	if key == "your_name" {
		p.SetActor(value)
	}
	return p.Do(ctx, "plan.edit", map[string]string{"field": key, "value": value}, nil, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ferry_plan(key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("saving %s in the plan: %w", key, err)
		}
		return nil
	})
}

// Problem is a field whose answer does not hold.
type Problem struct {
	Key     string
	Message string
}

// Validate checks the answers that are there; missing required answers are reported by Missing.
func (pl Plan) Validate() []Problem {
	var out []Problem
	for _, f := range Fields {
		v := strings.TrimSpace(pl[f.Key])
		if v == "" {
			continue
		}
		switch f.Kind {
		case Date:
			if _, err := time.Parse("2006-01-02", v); err != nil {
				out = append(out, Problem{f.Key, fmt.Sprintf("%s: %q is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01.", f.Label, v)})
			}
		case Number:
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				out = append(out, Problem{f.Key, fmt.Sprintf("%s: %q is not a whole number.", f.Label, v)})
			}
		case Choice:
			ok := false
			for _, o := range f.Options {
				ok = ok || o == v
			}
			if !ok {
				out = append(out, Problem{f.Key, fmt.Sprintf("%s: choose one of %s.", f.Label, strings.Join(f.Options, ", "))})
			}
		}
	}
	freeze, e1 := time.Parse("2006-01-02", pl["data_freeze"])
	live, e2 := time.Parse("2006-01-02", pl["go_live"])
	if e1 == nil && e2 == nil && live.Before(freeze) {
		out = append(out, Problem{"go_live", "Go-live is before the data freeze: staff would be entering into both systems. Move the freeze to on or before go-live."})
	}
	return out
}

// Missing lists the labels of required fields without an answer.
func (pl Plan) Missing() []string {
	var out []string
	for _, f := range Fields {
		if f.Required && strings.TrimSpace(pl[f.Key]) == "" {
			out = append(out, f.Label)
		}
	}
	return out
}

// Recommendation is the strategy Ferry suggests and why.
type Recommendation struct {
	Strategy string
	Reason   string
}

func (pl Plan) num(key string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(pl[key]))
	return n, err == nil
}

// Recommend derives a strategy from the answers: big bang only for small, simple practices that
// can stop for a while; phased across several locations; parallel otherwise.
func (pl Plan) Recommend() Recommendation {
	staff, okStaff := pl.num("staff")
	locs, okLocs := pl.num("locations")
	integ, okInteg := pl.num("integrations")
	down := -1
	for i, d := range Downtimes {
		if pl["downtime"] == d {
			down = i
		}
	}
	if !okStaff || !okLocs || !okInteg || down < 0 {
		return Recommendation{Reason: "Answer staff, locations, connected systems and tolerated downtime to get a recommendation."}
	}
	if locs > 1 {
		return Recommendation{Phased, fmt.Sprintf("With %d locations, move one location at a time: each phase is small enough to check and to roll back, and later locations learn from the first.", locs)}
	}
	var why []string
	if staff > 10 {
		why = append(why, fmt.Sprintf("%d staff need time to learn the new system", staff))
	}
	if integ > 2 {
		why = append(why, fmt.Sprintf("%d connected systems must each be proven in the new setup", integ))
	}
	if down < 3 {
		why = append(why, fmt.Sprintf("you can tolerate only %s of downtime", Downtimes[down]))
	}
	if len(why) == 0 {
		return Recommendation{BigBang, fmt.Sprintf("A single location with %d staff, %d connected systems and %s of tolerated downtime is small and simple enough to switch over in one go, over a quiet period.", staff, integ, Downtimes[down])}
	}
	return Recommendation{Parallel, "Run the old and new systems side by side for at least one billing cycle, because " +
		strings.Join(why, ", and ") + ". A big bang is only safe for small, simple practices."}
}
