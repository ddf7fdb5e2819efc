package mapping

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ferry-migrate/ferry/app/presets"
	"github.com/ferry-migrate/ferry/app/target"
)

// suggestDictionary is the synonym dictionary Suggest matches names and values with: the
// built-in one, extended with the source preset the plan's "Old system" names (its column
// concepts, table names and codes: Open Dental's Gender 1 is female).
func (m *Mapper) suggestDictionary(ctx context.Context) (*target.Dictionary, error) {
	d, err := target.Synonyms()
	if err != nil {
		return nil, err
	}
	if sp, ok := presets.ForPlan(ctx, m.p); ok {
		return sp.Dictionary(d), nil
	}
	return d, nil
}

// presetPlaceholders makes a proposed field turn the source preset's placeholders (Open
// Dental's Birthdate 0001-01-01, a provider number 0) into blanks, first thing after trimming,
// so "none" never reaches the new system as a date or a key.
func (m *Mapper) presetPlaceholders(ctx context.Context, props []Proposal) []Proposal {
	sp, ok := presets.ForPlan(ctx, m.p)
	if !ok {
		return props
	}
	st, err := m.load(ctx)
	if err != nil {
		return props
	}
	for i := range props {
		p := &props[i]
		if p.Kind != ProposeField || len(p.Sources) != 1 {
			continue
		}
		table := p.Table
		if em, ok := st.maps[p.Entity]; ok && em.Table != "" {
			table = em.Table
		}
		if table == "" {
			for _, q := range props {
				if q.Kind == ProposeSource && q.Entity == p.Entity {
					table = q.Table
				}
			}
		}
		t := sp.Table(table)
		if t == nil {
			continue
		}
		c := t.Column(p.Sources[0])
		if c == nil || len(c.Placeholders) == 0 {
			continue
		}
		quoted := make([]string, len(c.Placeholders))
		for j, ph := range c.Placeholders {
			quoted[j] = regexp.QuoteMeta(ph)
		}
		step := Step{Op: OpRegex, Pattern: "^(" + strings.Join(quoted, "|") + ")$", Replace: ""}
		at := 0
		if len(p.Steps) > 0 && p.Steps[0].Op == OpTrim {
			at = 1
		}
		p.Steps = append(p.Steps[:at], append([]Step{step}, p.Steps[at:]...)...)
		p.Reason += fmt.Sprintf("; %s (%s) means none, so it becomes blank", strings.Join(c.Placeholders, " or "), sp.Title)
	}
	return props
}
