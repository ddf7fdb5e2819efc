package audit

import (
	"context"
	"errors"
	"strings"

	"github.com/ferry-migrate/ferry/app/presets"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// What the audit takes from the source preset the plan's "Old system" names (app/presets):
// its relationships and keys are declared before the run, its placeholders count as nulls, its
// money columns are audited as money, and its coded values are shown with their meanings.

// sourcePreset is the plan's source preset, or nil.
func sourcePreset(ctx context.Context, p *project.Project) *presets.Source {
	if sp, ok := presets.ForPlan(ctx, p); ok {
		return &sp
	}
	return nil
}

// declarePresetRelationships declares the preset's keys and references between the staged
// tables it describes (each a logged, confirmed relationship a person can delete), when
// they are not there yet. Tables or columns that were not staged are passed over.
func declarePresetRelationships(ctx context.Context, p *project.Project) error {
	sp := sourcePreset(ctx, p)
	if sp == nil || p.ReadOnly() {
		return nil
	}
	st := staging.NewStager(p)
	tables, err := st.Tables(ctx)
	if err != nil {
		return err
	}
	existing, err := st.Relationships(ctx)
	if err != nil {
		return err
	}
	staged := map[string]staging.TableInfo{} // preset table name (lower case) → staged table
	for _, t := range tables {
		if pt := sp.Table(t.Name); pt != nil {
			staged[strings.ToLower(pt.Name)] = t
		}
	}
	col := func(t staging.TableInfo, name string) string {
		for _, c := range t.Columns {
			if strings.EqualFold(c.Name, name) {
				return c.Name
			}
		}
		return ""
	}
	for _, pt := range sp.Tables {
		t, ok := staged[strings.ToLower(pt.Name)]
		if !ok || pt.Key == "" || t.KeyColumn != "" {
			continue
		}
		if c := col(t, pt.Key); c != "" {
			if err := st.SetKey(ctx, t.Name, c); err != nil && !errors.Is(err, context.Canceled) {
				continue // duplicate keys: the audit reports them; the key stays undeclared
			}
		}
	}
	for _, r := range sp.Relationships() {
		ct, ok1 := staged[strings.ToLower(r.ChildTable)]
		pt, ok2 := staged[strings.ToLower(r.ParentTable)]
		if !ok1 || !ok2 {
			continue
		}
		rel := staging.Relationship{ChildTable: ct.Name, ChildColumn: col(ct, r.ChildColumn), ParentTable: pt.Name,
			ParentColumn: col(pt, r.ParentColumn), Reason: "declared by the " + sp.Title + " preset"}
		if rel.ChildColumn == "" || rel.ParentColumn == "" {
			continue
		}
		known := false
		for _, e := range existing {
			if e.ChildTable == rel.ChildTable && e.ChildColumn == rel.ChildColumn && e.ParentTable == rel.ParentTable && e.ParentColumn == rel.ParentColumn {
				known = true
			}
		}
		if !known {
			if err := st.DeclareRelationship(ctx, rel); err != nil {
				return err
			}
		}
	}
	return nil
}

// presetPlans applies the preset to a table's column plans: its placeholders are nulls, its
// money columns are money.
func presetPlans(sp *presets.Source, table string, plans []colPlan) {
	if sp == nil {
		return
	}
	pt := sp.Table(table)
	if pt == nil {
		return
	}
	for i := range plans {
		c := pt.Column(plans[i].name)
		if c == nil {
			continue
		}
		plans[i].nulls = c.Placeholders
		if c.Money && !plans[i].key && !plans[i].refChild {
			plans[i].role = roleMoney
		}
	}
}

// presetMeanings shows a coded column's values with their meanings.
func presetMeanings(sp *presets.Source, prof *TableProfile) {
	if sp == nil {
		return
	}
	pt := sp.Table(prof.Name)
	if pt == nil {
		return
	}
	for i := range prof.Columns {
		c := pt.Column(prof.Columns[i].Name)
		if c == nil {
			continue
		}
		if c.Meaning != "" {
			prof.Columns[i].Meaning = c.Meaning
		}
		if len(c.Codes) > 0 {
			prof.Columns[i].Codes = map[string]string{}
			for k, v := range c.Codes {
				prof.Columns[i].Codes[k] = v
			}
		}
	}
}
