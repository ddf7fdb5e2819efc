package cleanse

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/textkit"
)

// MapSuggestion is Ferry's guess at the target for one free-text value.
type MapSuggestion struct {
	Value  string  `json:"value"`
	Target string  `json:"target,omitempty"` // "" when nothing fits: a person decides
	Score  float64 `json:"score,omitempty"`  // 1 = the same word
	Why    string  `json:"why,omitempty"`    // same word, known synonym, abbreviation, similar spelling
}

// synonym groups: words people type for one meaning (folded: lower case, letters and digits),
// and the folded names a target list may use for it.
type concept struct {
	names []string
	words []string
}

var concepts = []concept{
	{names: []string{"completed", "complete", "done", "attended", "seen", "finished"},
		words: []string{"c", "cmp", "comp", "compl", "complete", "completed", "done", "finished", "seen", "checkedout",
			"txcomplete", "treatmentcompleted", "treatmentcomplete", "attended", "fin", "closed"}},
	{names: []string{"noshow", "didnotattend", "dna", "missed", "failed"},
		words: []string{"ns", "noshow", "nshow", "dna", "fta", "didnotcome", "didnotshow", "didnotattend", "patientdidnotshow",
			"ptnoshow", "failedappt", "failedappointment", "failed", "brokenappt", "brokenappointment", "ba", "missed", "missedappt"}},
	{names: []string{"cancelledbypatient", "canceledbypatient", "cancelled", "canceled", "cancellation"},
		words: []string{"cx", "cxl", "canc", "cancel", "cancelled", "canceled", "latecancel", "ptcancelled", "ptcanceled",
			"cancelledbypatient", "canceledbypatient", "cancelledbypt", "canceledbypt", "cancbypatient", "ptcalledtocancel",
			"shortnoticecxl", "cancelledptrequest", "canceledptrequest"}},
	{names: []string{"cancelledbypractice", "canceledbypractice", "cancelledbyoffice", "canceledbyoffice"},
		words: []string{"cancelledbyoffice", "canceledbyoffice", "officecancelled", "officecanceled", "practicecxl", "cxlbyoffice",
			"drout", "droutsick", "cancelledofficeclosed", "canceledofficeclosed", "providerunavailable", "cancelledbypractice",
			"canceledbypractice", "snowday", "officeclosed"}},
	{names: []string{"confirmed"},
		words: []string{"conf", "cnf", "cf", "confirmed", "ptconfirmed", "confirmedbyphone", "confviaemail", "confirmedtext",
			"confirmedvm", "confirmedemail", "cfd"}},
	{names: []string{"scheduled", "booked"},
		words: []string{"sch", "sched", "scheduled", "booked", "apptmade", "pending", "unconfirmed", "booking", "reserved"}},
	{names: []string{"arrived", "checkedin"},
		words: []string{"arrived", "arr", "here", "checkedin", "seated", "inchair", "waitingroom", "inoffice", "present"}},
	{names: []string{"rescheduled", "moved"},
		words: []string{"rs", "resched", "reschd", "rescheduled", "moved", "rebooked", "movedtolaterdate"}},
	{names: []string{"yes", "y", "true"}, words: []string{"y", "yes", "true", "t", "1"}},
	{names: []string{"no", "n", "false"}, words: []string{"n", "no", "false", "f", "0"}},
	{names: []string{"male", "m"}, words: []string{"m", "male", "man"}},
	{names: []string{"female", "f"}, words: []string{"f", "female", "woman"}},
}

// SuggestMapping proposes a target for each value, for a person to confirm: the same word
// once case, spaces and punctuation are folded away; a known synonym ("NS", "no show", "DNA"
// → no_show; "Cxl" → cancelled); an abbreviation of a target ("Sched" → scheduled, "Cmp" →
// completed); a spelling within a few edits. Values nothing fits get no target.
func SuggestMapping(values []string, targets []string) []MapSuggestion {
	type tgt struct{ name, fold string }
	var ts []tgt
	for _, t := range targets {
		ts = append(ts, tgt{t, foldKey(t)})
	}
	out := make([]MapSuggestion, 0, len(values))
	for _, v := range values {
		s := MapSuggestion{Value: v}
		fv := foldKey(v)
		if fv == "" {
			out = append(out, s)
			continue
		}
		set := func(t string, score float64, why string) {
			if score > s.Score {
				s.Target, s.Score, s.Why = t, score, why
			}
		}
		for _, t := range ts {
			if t.fold == fv {
				set(t.name, 1, "same word")
			}
		}
		if s.Score < 1 {
			best, bestLen := -1, 0
			for ci, c := range concepts {
				for _, w := range c.words {
					if (w == fv || (len(w) >= 4 && strings.HasPrefix(fv, w))) && len(w) > bestLen {
						best, bestLen = ci, len(w)
					}
				}
			}
			if best >= 0 {
				for _, n := range concepts[best].names {
					for _, t := range ts {
						if t.fold == n && s.Score < 0.9 {
							set(t.name, 0.9, "known synonym")
						}
					}
				}
			}
		}
		if s.Score < 0.7 && len(fv) >= 2 {
			for _, t := range ts {
				if strings.HasPrefix(t.fold, fv) || subsequence(fv, t.fold) {
					set(t.name, 0.7, "abbreviation")
					break
				}
			}
		}
		if s.Score < 0.7 {
			for _, t := range ts {
				limit := max(1, len(t.fold)/4)
				if d := textkit.OSA(fv, t.fold, limit); d <= limit {
					set(t.name, 1-float64(d)/float64(max(len(t.fold), 1)), "similar spelling")
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// subsequence: every letter of a, in order, in b, starting with b's first letter.
func subsequence(a, b string) bool {
	if a == "" || b == "" || a[0] != b[0] {
		return false
	}
	j := 0
	for i := 0; i < len(b) && j < len(a); i++ {
		if a[j] == b[i] {
			j++
		}
	}
	return j == len(a)
}

// Values lists the distinct values of a column, byte-exact, most frequent first (limit <= 0:
// all): what a person maps with map_values, or decides dates from. NULLs are left out.
func Values(ctx context.Context, p *project.Project, table, column string, limit int) ([]ValueCount, error) {
	t, err := loadTable(ctx, p.Reader(), table)
	if err != nil {
		return nil, err
	}
	e := &env{t: t}
	col, err := e.column(column)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1
	}
	q := staging.QuoteIdent(col)
	rows, err := p.Reader().QueryContext(ctx, `SELECT `+q+`, count(*) FROM `+staging.QuoteIdent(t.Name)+` WHERE `+q+
		` IS NOT NULL GROUP BY `+q+` ORDER BY 2 DESC, 1 LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the values of %s.%s: %w", t.Name, col, err)
	}
	defer rows.Close()
	var out []ValueCount
	for rows.Next() {
		var v ValueCount
		if err := rows.Scan(&v.Value, &v.Count); err != nil {
			return nil, fmt.Errorf("reading the values of %s.%s: %w", t.Name, col, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FromFinding turns an audit finding's suggestion into a step for the finding's table, ready to
// preview: test records become a test_records purge and exact duplicates a match "identical"
// merge (both replay on a new export by rule), a map_values suggestion starts from the audit's
// spellings. It fails when a person must decide first (no suggestion, or duplicate groups to
// review: use ReviewClusters) or when Ferry has no such operation.
func FromFinding(f audit.Finding) (Step, error) {
	if len(f.Suggest) == 0 {
		return Step{}, fmt.Errorf("%s on %s: no operation fits this finding; a person decides what to do: %w", f.Kind, f.Table, ErrBadStep)
	}
	m := map[string]any{}
	for k, v := range f.Suggest {
		m[k] = v
	}
	if _, ok := m["table"]; !ok {
		m["table"] = f.Table
	}
	op, _ := m["op"].(string)
	switch {
	case op == OpPurge && f.Kind == audit.KindTestRecord:
		m["test_records"] = true
	case op == OpPurge:
		if _, ok := m["finding_id"]; !ok {
			m["finding_id"] = f.ID
		}
	case op == OpMergeDuplicates && f.Kind == audit.KindDuplicateExact:
		m = map[string]any{"op": op, "table": f.Table, "match": "identical"}
	case op == OpMapValues:
		if _, ok := m["mapping"]; !ok && len(f.Mapping) > 0 {
			m["mapping"] = f.Mapping
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Step{}, fmt.Errorf("%s on %s: %w", f.Kind, f.Table, err)
	}
	return ParseStep(b)
}

// ReviewClusters are the groups of a duplicate finding as merge clusters, the first member as
// survivor, for a person to review (choose the survivor, take values from other members) and
// then merge with a merge_duplicates step.
func ReviewClusters(ctx context.Context, p *project.Project, findingID int64) ([]Cluster, error) {
	cs, err := audit.Clusters(ctx, p, findingID)
	if err != nil {
		return nil, err
	}
	out := make([]Cluster, 0, len(cs))
	for _, c := range cs {
		cl := Cluster{Source: c.ID}
		for _, m := range c.Members {
			cl.Members = append(cl.Members, RowRef{Row: m.Row, Key: m.Key})
		}
		out = append(out, cl)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Members[0].Row < out[j].Members[0].Row })
	return out, nil
}
