package mapping

import (
	"context"
	"fmt"
	"sort"

	"github.com/ferry-migrate/ferry/app/target"
)

// ValueMapView is a pick-list field's value map as the person works through it: every distinct
// value the mapped columns hold (as the steps before the value map leave them), what each maps to
// now, and what Ferry suggests for those not mapped yet.
type ValueMapView struct {
	Entity  string     `json:"entity"`
	Field   string     `json:"field"`
	Allowed []string   `json:"allowed"`
	Values  []ValueRow `json:"values"` // most frequent first
	// PickList is false when the columns hold too many distinct values to be a pick-list (more
	// than 1000): Values is then empty.
	PickList     bool  `json:"pick_list"`
	Rows         int64 `json:"rows"`          // rows with a value
	Unmapped     int   `json:"unmapped"`      // distinct values without an entry
	UnmappedRows int64 `json:"unmapped_rows"` // rows with one of those
	// Stale are entries of the value map for values the data no longer has (after a cleanse);
	// harmless, listed so a person can tidy them.
	Stale []string `json:"stale,omitempty"`
}

// ValueRow is one distinct old value.
type ValueRow struct {
	Value      string  `json:"value"`
	Rows       int64   `json:"rows"`
	To         string  `json:"to,omitempty"`         // what it maps to now ("" = not mapped)
	Suggestion string  `json:"suggestion,omitempty"` // for an unmapped value: the allowed value Ferry proposes
	Confidence float64 `json:"confidence,omitempty"`
	Certain    bool    `json:"certain,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// Values reads the value map of a mapped pick-list (code or boolean) field of the active target.
func (m *Mapper) Values(ctx context.Context, entity, field string) (*ValueMapView, error) {
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	e := st.t.Entity(entity)
	if e == nil {
		return nil, fmt.Errorf("%s: %w", entity, ErrNoEntity)
	}
	f := e.Field(field)
	if f == nil {
		return nil, fmt.Errorf("%s.%s: %w", entity, field, ErrNoField)
	}
	allowed := f.Allowed()
	if len(allowed) == 0 {
		return nil, fmt.Errorf("%s.%s is %s, not a pick-list: %w", entity, field, f.Type, ErrNotAllowed)
	}
	v := &ValueMapView{Entity: e.Name, Field: f.Name, Allowed: allowed, Values: []ValueRow{}}
	em := st.maps[e.Name]
	fm := em.Field(f.Name)
	if em.Table == "" || fm == nil || len(fm.Sources) == 0 {
		v.PickList = true
		return v, nil
	}
	tb, ok := st.table(em.Table)
	if !ok {
		return nil, fmt.Errorf("%s: %w", em.Table, ErrNoTable)
	}
	vals, ok, err := m.distinctValues(ctx, tb, *f, fm.Sources, fm.Steps)
	if err != nil {
		return nil, err
	}
	v.PickList = ok
	have := map[string]string{}
	if vm := fm.ValueMapStep(); vm != nil {
		have = vm.Map
	}
	d, _ := target.Synonyms()
	seen := map[string]bool{}
	for _, vc := range vals {
		seen[vc.Value] = true
		r := ValueRow{Value: vc.Value, Rows: vc.Count, To: have[vc.Value]}
		v.Rows += vc.Count
		if r.To == "" {
			v.Unmapped++
			v.UnmappedRows += vc.Count
			r.Suggestion, r.Confidence, r.Reason = SuggestValue(d, *f, vc.Value)
			r.Confidence = round2(r.Confidence)
			r.Certain = r.Suggestion != "" && r.Confidence >= CertainThreshold
		}
		v.Values = append(v.Values, r)
	}
	if ok {
		for k := range have {
			if !seen[k] {
				v.Stale = append(v.Stale, k)
			}
		}
		sort.Strings(v.Stale)
	}
	return v, nil
}
