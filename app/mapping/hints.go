package mapping

import (
	"context"
	"errors"

	"github.com/ferry-migrate/ferry/app/audit"
)

// ColumnHint is what the newest audit found about a source column: the badges the Map screen
// shows on it (a date column written day-first, three findings to look at).
type ColumnHint struct {
	Type       string   `json:"type"` // the audit's inferred type: date, phone, email, pick-list …
	Confidence float64  `json:"confidence"`
	DateOrder  string   `json:"date_order,omitempty"` // DMY, MDY, mixed, ambiguous
	Errors     int      `json:"errors"`               // findings of severity error on the column
	Warnings   int      `json:"warnings"`
	Findings   []string `json:"findings,omitempty"` // their kinds
}

// ColumnHints reads the newest audit as table → column → hint. It is empty, without an error,
// when the project has not been audited.
func (m *Mapper) ColumnHints(ctx context.Context) (map[string]map[string]ColumnHint, error) {
	out := map[string]map[string]ColumnHint{}
	rep, err := audit.Latest(ctx, m.p)
	if errors.Is(err, audit.ErrNoRun) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, t := range rep.Tables {
		cols := map[string]ColumnHint{}
		for _, c := range t.Columns {
			cols[c.Name] = ColumnHint{Type: c.Type, Confidence: c.Confidence, DateOrder: c.DateOrder}
		}
		out[t.Name] = cols
	}
	for _, f := range rep.Findings {
		cols := out[f.Table]
		if cols == nil || f.Column == "" {
			continue
		}
		h := cols[f.Column]
		switch f.Severity {
		case audit.Error:
			h.Errors++
		case audit.Warning:
			h.Warnings++
		}
		h.Findings = append(h.Findings, f.Kind)
		cols[f.Column] = h
	}
	return out, nil
}
