// Package wizard knows the migration's steps, their order, and each step's status as computed from
// the project file: not started, in progress, done or needs attention, and why a step is not yet
// available when an earlier one must come first.
package wizard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

// StepID names a step; stable, used in settings and tests.
type StepID string

const (
	Plan      StepID = "plan"
	Sources   StepID = "sources"
	Audit     StepID = "audit"
	Cleanse   StepID = "cleanse"
	Map       StepID = "map"
	Sample    StepID = "sample"
	Parallel  StepID = "parallel"
	Load      StepID = "load"
	Reconcile StepID = "reconcile"
)

// State of a step.
type State int

const (
	NotStarted State = iota
	InProgress
	Done
	NeedsAttention
)

func (s State) String() string {
	return [...]string{"not started", "in progress", "done", "needs attention"}[s]
}

// Def is the fixed description of a step.
type Def struct {
	ID      StepID
	Title   string
	Purpose string // one or two sentences: what the step is for and why it matters
	Built   bool   // false: the step is planned but not in this version of Ferry
	After   []StepID
}

// Defs lists the steps in wizard order.
var Defs = []Def{
	{ID: Plan, Title: "Plan", Built: true,
		Purpose: "Agree what is moving, when, and who decides. The dates and the strategy you choose here shape every later step."},
	{ID: Sources, Title: "Sources", After: nil,
		Purpose: "Bring in the exports from the old system exactly as they are, so nothing is lost before the work starts."},
	{ID: Audit, Title: "Audit", After: []StepID{Sources},
		Purpose: "Find duplicates, orphans, mixed-up dates and bad values now, before anyone maps a field."},
	{ID: Cleanse, Title: "Cleanse", After: []StepID{Audit},
		Purpose: "Fix what the audit found with operations you can undo, trace and replay on the final export."},
	{ID: Map, Title: "Map", After: []StepID{Sources},
		Purpose: "Connect each old field to the new system's field, with the changes it needs on the way."},
	{ID: Sample, Title: "Sample run", After: []StepID{Map},
		Purpose: "Load a fixed 10% first, so problems show up while they are cheap to fix."},
	{ID: Parallel, Title: "Parallel run", After: []StepID{Plan},
		Purpose: "Run old and new side by side with a checklist, so workflows, reports and integrations are proven before go-live."},
	{ID: Load, Title: "Full load", After: []StepID{Map},
		Purpose: "Load everything into the new system: throttled, resumable, and never twice."},
	{ID: Reconcile, Title: "Reconcile & report", After: []StepID{Load},
		Purpose: "Prove that nothing was lost, and produce the report the owner signs."},
}

// Def returns the definition of a step.
func DefOf(id StepID) Def {
	for _, d := range Defs {
		if d.ID == id {
			return d
		}
	}
	return Def{ID: id, Title: string(id)}
}

// Status is a step's computed state.
type Status struct {
	Def
	State     State
	Detail    string // what is done / what needs attention, in a sentence
	Available bool
	Blocker   string // why the step is not yet available
}

// statusFuncs compute the state of built steps. Each capability adds its own.
var statusFuncs = map[StepID]func(ctx context.Context, p *project.Project) (State, string, error){
	Plan: planStatus,
}

// RegisterStatus lets a capability say how its step's status is computed, and marks it built.
func RegisterStatus(id StepID, fn func(ctx context.Context, p *project.Project) (State, string, error)) {
	statusFuncs[id] = fn
	for i := range Defs {
		if Defs[i].ID == id {
			Defs[i].Built = true
		}
	}
}

// Steps computes every step's status from the project file.
func Steps(ctx context.Context, p *project.Project) ([]Status, error) {
	out := make([]Status, 0, len(Defs))
	byID := map[StepID]Status{}
	for _, d := range Defs {
		st := Status{Def: d, Available: true}
		if fn := statusFuncs[d.ID]; d.Built && fn != nil {
			s, detail, err := fn(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("working out the status of %s: %w", d.Title, err)
			}
			st.State, st.Detail = s, detail
		} else if !d.Built {
			st.Detail = "Not built yet in this version of Ferry."
		}
		var need []string
		for _, a := range d.After {
			if prev := byID[a]; prev.State != Done && prev.State != NeedsAttention && prev.State != InProgress {
				need = append(need, prev.Title)
			}
		}
		if len(need) > 0 {
			st.Available = false
			st.Blocker = fmt.Sprintf("Available once %s has been started.", strings.Join(need, " and "))
		}
		out = append(out, st)
		byID[d.ID] = st
	}
	return out, nil
}

func planStatus(ctx context.Context, p *project.Project) (State, string, error) {
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return NotStarted, "", err
	}
	if probs := pl.Validate(); len(probs) > 0 {
		return NeedsAttention, probs[0].Message, nil
	}
	missing := pl.Missing()
	switch {
	case len(missing) == 0:
		return Done, "Plan complete.", nil
	case len(missing) == len(requiredCount()):
		return NotStarted, "", nil
	default:
		return InProgress, fmt.Sprintf("Still to answer: %s.", strings.Join(missing, ", ")), nil
	}
}

func requiredCount() []string {
	var out []string
	for _, f := range plan.Fields {
		if f.Required {
			out = append(out, f.Key)
		}
	}
	return out
}

// TableExists reports whether the project has a table; status functions of capabilities whose
// migrations may not have run use it.
func TableExists(ctx context.Context, db *sql.DB, name string) bool {
	var n int
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?`, name).Scan(&n)
	return n > 0
}
