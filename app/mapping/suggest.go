package mapping

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/target"
	"github.com/ferry-migrate/ferry/app/textkit"
)

// CertainThreshold is the confidence from which a suggestion counts as certain: AcceptCertain
// (and ferry map --suggest) applies those without asking. Only a name the synonym dictionary
// knows for the field, the field's own name, or a pick-list value equal to an allowed value but
// for case and punctuation (or a known spelling of it) reaches it; similar-looking names and
// value shapes alone never do.
const CertainThreshold = 0.9

// Proposal kinds.
const (
	ProposeSource = "source" // entity ← table
	ProposeField  = "field"  // field ← columns, with a chain
	ProposeValue  = "value"  // value map entry of a pick-list field
)

// Proposal is one suggestion: what it would map, how sure Ferry is, and why.
type Proposal struct {
	// ID names the slot the proposal fills (source:Patient, field:Patient/birthDate,
	// value:Appointment/status/Cancelled); Accept takes these.
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Entity     string   `json:"entity"`
	Field      string   `json:"field,omitempty"`
	Table      string   `json:"table,omitempty"`   // source
	Sources    []string `json:"sources,omitempty"` // field
	Steps      []Step   `json:"steps,omitempty"`   // field
	Value      string   `json:"value,omitempty"`   // value: the old value
	To         string   `json:"to,omitempty"`      // value: the allowed value proposed
	Rows       int64    `json:"rows,omitempty"`    // value: rows with the old value
	Confidence float64  `json:"confidence"`
	Certain    bool     `json:"certain"`
	Reason     string   `json:"reason"`
}

// AcceptResult is what Accept applied, as one undoable edit.
type AcceptResult struct {
	Edit    Edit       `json:"edit"`
	Applied []Proposal `json:"applied"`
	Missing []string   `json:"missing,omitempty"` // ids no current suggestion has
}

// value shapes of a column, from a sample of its values
const (
	shapeEmpty    = ""
	shapeText     = "text"
	shapeNumber   = "number"
	shapeDate     = "date"
	shapeDateTime = "datetime"
	shapeTime     = "time"
	shapePhone    = "phone"
	shapeEmail    = "email"
	shapeMixed    = "mixed"
)

const (
	sampleRows       = 500
	maxPicklistValue = 1000
)

var reTime = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?$`)
var rePhoneish = regexp.MustCompile(`^\+?[\d\s().\-/]{7,}$`)

func shapeOf(v, region string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return shapeEmpty
	case checkEmail(v) == "":
		return shapeEmail
	case reTime.MatchString(v):
		return shapeTime
	}
	if d, err := ParseDate(v, OrderAuto); err == nil || err.Kind == KindAmbiguousDate {
		if err == nil && d.HasTime {
			return shapeDateTime
		}
		return shapeDate
	}
	if rePhoneish.MatchString(v) && strings.ContainsAny(v, " ().-+/") {
		if _, ok := parsePhone(v, region); ok {
			return shapePhone
		}
	}
	if _, err := NormaliseNumber(v, "decimal"); err == nil {
		return shapeNumber
	}
	return shapeText
}

// sampleShapes reads the first rows of a table and says what each column's values look like:
// a shape when at least 80% of its non-blank values have it.
func (m *Mapper) sampleShapes(ctx context.Context, tb staging.TableInfo, region string) (map[string]string, error) {
	pg, err := staging.NewStager(m.p).Page(ctx, tb.Name, 0, sampleRows)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, c := range pg.Columns {
		counts := map[string]int{}
		n := 0
		for _, r := range pg.Rows {
			s := shapeOf(r.Cells[i], region)
			if s == shapeEmpty {
				continue
			}
			n++
			counts[s]++
		}
		if n == 0 {
			out[strings.ToLower(c)] = shapeEmpty
			continue
		}
		best, bn := shapeMixed, 0
		for s, k := range counts {
			if k > bn || (k == bn && s < best) {
				best, bn = s, k
			}
		}
		// phones written as plain digits count as numbers too
		if best == shapeNumber && counts[shapePhone]*5 >= n*2 {
			best, bn = shapePhone, counts[shapePhone]+counts[shapeNumber]
		}
		if bn*5 < n*4 {
			best = shapeMixed
		}
		out[strings.ToLower(c)] = best
	}
	return out, nil
}

// shapeFits says how a column's shape agrees with a field's type: 1 fits, 0 says nothing, -1
// contradicts.
func shapeFits(t target.Type, shape string) int {
	switch shape {
	case shapeEmpty, shapeMixed:
		return 0
	}
	switch t {
	case target.Date:
		if shape == shapeDate || shape == shapeDateTime {
			return 1
		}
		return -1
	case target.DateTime:
		if shape == shapeDateTime || shape == shapeDate {
			return 1
		}
		return -1
	case target.Phone:
		if shape == shapePhone {
			return 1
		}
		if shape == shapeNumber {
			return 0
		}
		return -1
	case target.Email:
		if shape == shapeEmail {
			return 1
		}
		return -1
	case target.Integer, target.Decimal, target.Money:
		if shape == shapeNumber {
			return 1
		}
		if shape == shapeText {
			return 0 // "n/a" and "TBD" among amounts are for validation to report
		}
		return -1
	case target.Text, target.Code, target.Boolean, target.Reference:
		if shape == shapeDate || shape == shapeDateTime || shape == shapeEmail || shape == shapePhone || shape == shapeTime {
			return -1
		}
	}
	return 0
}

// candidate is one column considered for one field.
type candidate struct {
	field   *target.Field
	column  string
	score   float64
	reason  string
	byShape bool
}

// scoreColumn says how well a column's name (and its values' shape) fits a field.
func scoreColumn(d *target.Dictionary, def *target.Definition, e *target.Entity, f *target.Field, col, shape string) (float64, string) {
	colConcepts := d.FieldConcepts(col)
	if len(colConcepts) == 0 {
		colConcepts = d.FieldConcepts(stripWord(col, e.Concept))
	}
	var score float64
	var reason string
	for i, fc := range fieldConcepts(def, e, f) {
		if !containsStr(colConcepts, fc) {
			continue
		}
		s := 0.95
		if i > 0 {
			s = 0.92
		}
		if fc == "id" && target.Fold(col) != "id" {
			s = 0.8 // "number", "ref": generic
		}
		if s > score {
			score, reason = s, fmt.Sprintf("%s is a usual name for %s", col, conceptWords(fc))
		}
	}
	fc := target.Fold(col)
	last := f.Name
	if i := strings.LastIndex(last, "."); i >= 0 {
		last = last[i+1:]
	}
	for _, n := range []string{f.Name, f.Label, last} {
		if n != "" && target.Fold(n) == fc && 0.95 > score {
			score, reason = 0.95, fmt.Sprintf("%s has the field's name", col)
		}
	}
	if score == 0 {
		best := 0.0
		for _, n := range []string{f.Name, f.Label, last} {
			if n == "" {
				continue
			}
			if s := textkit.JaroWinkler(fc, target.Fold(n)); s > best {
				best = s
			}
		}
		if best >= 0.85 {
			score = min(0.5+(best-0.85)*2.5, 0.85)
			reason = fmt.Sprintf("%s looks like %s", col, f.Title())
		}
	}
	switch shapeFits(f.Type, shape) {
	case 1:
		if score > 0 {
			score = min(score+0.02, 0.99)
			reason += fmt.Sprintf(", and its values look like %s", shapeWords(shape))
		}
	case -1:
		if score > 0 {
			if score >= CertainThreshold {
				score -= 0.15 // a known name with values of the wrong kind: a person should look
			} else {
				score -= 0.4
			}
			reason += fmt.Sprintf(", but its values look like %s", shapeWords(shape))
		}
	}
	return score, reason
}

// fieldConcepts are what a field is, for matching: its own concepts, and for a key field or a
// reference (a vendor's "External ID", "Patient External ID") the key of the entity concerned.
func fieldConcepts(def *target.Definition, e *target.Entity, f *target.Field) []string {
	out := append([]string(nil), f.Concepts...)
	add := func(c string) {
		if c != "" && !containsStr(out, c) {
			out = append(out, c)
		}
	}
	if f.Key && e.Concept != "" {
		add(e.Concept + ".id")
		add("id")
	}
	if f.Type == target.Reference && def != nil {
		if pe := def.Entity(f.References); pe != nil && pe.Concept != "" {
			add(pe.Concept + ".id")
		}
	}
	return out
}

func shapeWords(shape string) string {
	switch shape {
	case shapeDateTime:
		return "dates and times"
	case shapeEmail:
		return "e-mail addresses"
	case shapePhone:
		return "phone numbers"
	case shapeText:
		return "text"
	case shapeTime:
		return "times of day"
	}
	return shape + "s"
}

func conceptWords(c string) string {
	return strings.ReplaceAll(c, ".", " ")
}

func stripWord(col, concept string) string {
	f := target.Fold(col)
	for _, p := range []string{concept, "pt", "pat", "appt", "apt"} {
		if p != "" && strings.HasPrefix(f, p) && len(f) > len(p)+2 {
			return f[len(p):]
		}
	}
	return col
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Suggest proposes, for the active target, a source table for each entity without one, a
// mapping for each field without one (with the chain its type needs), and values for the value
// maps of pick-list fields. Nothing is changed: Accept applies proposals, AcceptCertain those
// that are certain.
func (m *Mapper) Suggest(ctx context.Context) ([]Proposal, error) {
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.suggestDictionary(ctx) // the source preset's names and codes too (presets.go)
	if err != nil {
		return nil, err
	}
	var auditRep *audit.Report
	if r, err := audit.Latest(ctx, m.p); err == nil {
		auditRep = r
	}
	var out []Proposal

	// 1. source tables
	sources := map[string]string{} // entity → table (current or proposed)
	claimed := map[string]bool{}   // tables a name claims for some entity
	for _, e := range st.t.Entities {
		if em, ok := st.maps[e.Name]; ok && em.Table != "" {
			sources[e.Name] = em.Table
			claimed[strings.ToLower(em.Table)] = true
		}
	}
	type tableScore struct {
		table  string
		score  float64
		reason string
	}
	best := map[string]tableScore{}
	for _, e := range st.t.Entities {
		if _, ok := sources[e.Name]; ok {
			continue
		}
		for _, tb := range st.order {
			var s float64
			var why string
			if e.Concept != "" && containsStr(d.EntityConcepts(tb.Name), e.Concept) {
				s, why = 0.95, fmt.Sprintf("%s is a usual name for %s", tb.Name, strings.ToLower(e.Title()))
			}
			if sameName(tb.Name, e.Name) || sameName(tb.Name, e.Label) {
				s, why = 0.96, fmt.Sprintf("%s has the entity's name", tb.Name)
			}
			if s > best[e.Name].score {
				best[e.Name] = tableScore{tb.Name, s, why}
			}
		}
		if b := best[e.Name]; b.score > 0 {
			claimed[strings.ToLower(b.table)] = true
		}
	}
	// entities no table name fits: the unclaimed table whose columns fit best, never certain
	shapesCache := map[string]map[string]string{}
	shapes := func(tb staging.TableInfo) map[string]string {
		k := strings.ToLower(tb.Name)
		if s, ok := shapesCache[k]; ok {
			return s
		}
		s, err := m.sampleShapes(ctx, tb, st.region)
		if err != nil {
			s = map[string]string{}
		}
		shapesCache[k] = s
		return s
	}
	for _, e := range st.t.Entities {
		if _, ok := sources[e.Name]; ok || best[e.Name].score > 0 || len(e.Fields) == 0 {
			continue
		}
		for _, tb := range st.order {
			if claimed[strings.ToLower(tb.Name)] {
				continue
			}
			hit := 0
			for i := range e.Fields {
				for _, c := range tb.Columns {
					if s, _ := scoreColumn(d, &st.t.Definition, &e, &e.Fields[i], c.Name, ""); s >= CertainThreshold {
						hit++
						break
					}
				}
			}
			cover := float64(hit) / float64(len(e.Fields))
			if cover >= 0.4 {
				s := min(0.5+cover*0.35, 0.85)
				if s > best[e.Name].score {
					best[e.Name] = tableScore{tb.Name, s, fmt.Sprintf("%d of %s's %d fields have a column of that name in %s", hit, e.Name, len(e.Fields), tb.Name)}
				}
			}
		}
	}
	unsure := map[string]bool{} // entities whose table is only proposed, not certain
	for _, e := range st.t.Entities {
		b, ok := best[e.Name]
		if !ok || b.score == 0 {
			continue
		}
		out = append(out, Proposal{ID: "source:" + e.Name, Kind: ProposeSource, Entity: e.Name, Table: b.table,
			Confidence: round2(b.score), Certain: b.score >= CertainThreshold, Reason: b.reason})
		sources[e.Name] = b.table
		unsure[e.Name] = b.score < CertainThreshold
	}
	// a field is no more certain than the table it is read from
	capped := func(e string, c float64) float64 {
		if unsure[e] {
			return min(c, best[e].score)
		}
		return c
	}

	// 2. fields, and 3. values
	for ei := range st.t.Entities {
		e := &st.t.Entities[ei]
		tname, ok := sources[e.Name]
		if !ok {
			continue
		}
		tb, ok := st.table(tname)
		if !ok {
			continue
		}
		em := st.maps[e.Name]
		used := map[string]bool{}
		for _, fm := range em.Fields {
			for _, c := range fm.Sources {
				used[strings.ToLower(c)] = true
			}
		}
		sh := shapes(tb)
		var cands []candidate
		for fi := range e.Fields {
			f := &e.Fields[fi]
			if em.Field(f.Name) != nil {
				continue
			}
			for _, c := range tb.Columns {
				if used[strings.ToLower(c.Name)] {
					continue
				}
				s, why := scoreColumn(d, &st.t.Definition, e, f, c.Name, sh[strings.ToLower(c.Name)])
				// values alone: a column whose name says nothing (a CreatedDate is no date of death)
				if s == 0 && len(d.FieldConcepts(c.Name)) == 0 && shapeFits(f.Type, sh[strings.ToLower(c.Name)]) == 1 &&
					(f.Type == target.Date || f.Type == target.DateTime || f.Type == target.Phone || f.Type == target.Email) {
					s, why = 0.55, fmt.Sprintf("%s's values look like %s", c.Name, shapeWords(sh[strings.ToLower(c.Name)]))
				}
				if s >= 0.5 {
					cands = append(cands, candidate{field: f, column: c.Name, score: s, reason: why})
				}
			}
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
		assigned := map[string]candidate{}
		colTaken := map[string]bool{}
		for _, c := range cands {
			if _, ok := assigned[c.field.Name]; ok || colTaken[strings.ToLower(c.column)] {
				continue
			}
			assigned[c.field.Name] = c
			colTaken[strings.ToLower(c.column)] = true
		}
		// a required field may share a column another field has (created and paymentDate ← Date)
		for _, c := range cands {
			if _, ok := assigned[c.field.Name]; !ok && c.field.Required && c.score >= CertainThreshold {
				c.reason += " (also used for another field)"
				assigned[c.field.Name] = c
			}
		}
		for fi := range e.Fields {
			f := &e.Fields[fi]
			c, ok := assigned[f.Name]
			if !ok {
				continue
			}
			p := Proposal{ID: "field:" + e.Name + "/" + f.Name, Kind: ProposeField, Entity: e.Name, Field: f.Name,
				Sources: []string{c.column}, Steps: DefaultSteps(*f), Confidence: round2(capped(e.Name, c.score)),
				Certain: capped(e.Name, c.score) >= CertainThreshold, Reason: c.reason}
			// a date and a separate time of day make one date-time
			if f.Type == target.DateTime && sh[strings.ToLower(c.column)] == shapeDate {
				for _, col := range tb.Columns {
					lc := strings.ToLower(col.Name)
					if colTaken[lc] && !strings.EqualFold(col.Name, c.column) || used[lc] {
						continue
					}
					if sh[lc] == shapeTime || containsStr(d.FieldConcepts(col.Name), "time") {
						p.Sources = append(p.Sources, col.Name)
						p.Steps = []Step{{Op: OpTrim}, {Op: OpConcat, Sep: " "}, {Op: OpDate, From: OrderAuto}}
						p.Reason += fmt.Sprintf("; the time of day is in %s", col.Name)
						break
					}
				}
			}
			if (f.Type == target.Date || f.Type == target.DateTime) && auditRep != nil {
				if tp := auditRep.Table(tb.Name); tp != nil {
					if cp := tp.Column(c.column); cp != nil && (cp.DateOrder == OrderDMY || cp.DateOrder == OrderMDY) {
						p.Reason += fmt.Sprintf("; the audit found the dates are written %s: set the date step's order to %s once you have checked, or normalise them in Cleanse", cp.DateOrder, cp.DateOrder)
					}
				}
			}
			if len(f.Allowed()) > 0 {
				vals, err := m.valueProposals(ctx, d, st, e, f, tb, p.Sources, p.Steps)
				if err != nil {
					return nil, err
				}
				certain := map[string]string{}
				for i := range vals {
					if vals[i].Certain && unsure[e.Name] {
						vals[i].Certain = false
					}
					if vals[i].Certain {
						certain[vals[i].Value] = vals[i].To
					}
				}
				p.setValues(certain)
				out = append(out, p)
				for _, v := range vals {
					if !v.Certain {
						out = append(out, v)
					}
				}
				continue
			}
			out = append(out, p)
		}
		// value maps of pick-list fields mapped already
		for _, fm := range em.Fields {
			f := e.Field(fm.Field)
			if f == nil || len(f.Allowed()) == 0 || len(fm.Sources) == 0 {
				continue
			}
			vals, err := m.valueProposals(ctx, d, st, e, f, tb, fm.Sources, fm.Steps)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
	}
	return m.presetPlaceholders(ctx, out), nil
}

// setValueEntries on a proposal's chain.
func (p *Proposal) setValues(vals map[string]string) {
	fm := FieldMap{Steps: p.Steps}
	setValueEntries(&fm, vals)
	p.Steps = fm.Steps
}

func sameName(a, b string) bool {
	fa, fb := target.Fold(a), target.Fold(b)
	if fa == "" || fb == "" {
		return false
	}
	return fa == fb || fa == fb+"s" || fb == fa+"s" || fa == fb+"es" || fb == fa+"es"
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// distinctValues reads the distinct values of the given columns (as the chain's steps before its
// value map leave them) with their row counts; ok is false when there are more than
// maxPicklistValue (not a pick-list).
func (m *Mapper) distinctValues(ctx context.Context, tb staging.TableInfo, f target.Field, sources []string, steps []Step) ([]ValueCount, bool, error) {
	if len(sources) == 0 {
		return nil, true, nil
	}
	var sel []string
	for _, c := range sources {
		name, ok := hasColumn(tb, c)
		if !ok {
			return nil, true, nil
		}
		sel = append(sel, "coalesce("+staging.QuoteIdent(name)+", '')")
	}
	q := "SELECT " + strings.Join(sel, ", ") + ", count(*) FROM " + staging.QuoteIdent(tb.Name) + " GROUP BY " +
		strings.Join(sel, ", ") + " LIMIT ?"
	rows, err := m.p.Reader().QueryContext(ctx, q, maxPicklistValue*4+1)
	if err != nil {
		return nil, false, fmt.Errorf("reading the values of %s: %w", tb.Name, err)
	}
	defer rows.Close()
	// the steps before the value map, so that values are shown as the map will see them
	var pre []Step
	for _, s := range steps {
		if s.Op == OpValueMap || s.Op == OpLookup {
			break
		}
		pre = append(pre, s)
	}
	ch, err := Compile(FieldMap{Field: f.Name, Sources: sources, Steps: pre}, target.Field{Name: f.Name, Type: target.Text}, nil, "")
	if err != nil {
		ch, _ = Compile(FieldMap{Field: f.Name, Sources: sources}, target.Field{Name: f.Name, Type: target.Text}, nil, "")
	}
	counts := map[string]int64{}
	raw := make([]string, len(sources))
	dest := make([]any, len(sources)+1)
	for i := range raw {
		dest[i] = &raw[i]
	}
	var n int64
	dest[len(sources)] = &n
	groups := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, false, err
		}
		groups++
		v, cerr := ch.Run(raw)
		if cerr != nil {
			continue
		}
		counts[v] += n
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if groups > maxPicklistValue*4 || len(counts) > maxPicklistValue {
		return nil, false, nil
	}
	delete(counts, "")
	return topValues(counts, maxPicklistValue), true, nil
}

// valueProposals proposes an allowed value for each distinct value the field's value map does
// not cover yet.
func (m *Mapper) valueProposals(ctx context.Context, d *target.Dictionary, st *state, e *target.Entity, f *target.Field,
	tb staging.TableInfo, sources []string, steps []Step) ([]Proposal, error) {
	vals, ok, err := m.distinctValues(ctx, tb, *f, sources, steps)
	if err != nil || !ok {
		return nil, err
	}
	have := map[string]string{}
	for _, s := range steps {
		if s.Op == OpValueMap {
			have = s.Map
		}
	}
	var out []Proposal
	for _, v := range vals {
		if _, ok := have[v.Value]; ok {
			continue
		}
		to, conf, why := SuggestValue(d, *f, v.Value)
		if to == "" {
			continue
		}
		out = append(out, Proposal{ID: "value:" + e.Name + "/" + f.Name + "/" + v.Value, Kind: ProposeValue, Entity: e.Name,
			Field: f.Name, Value: v.Value, To: to, Rows: v.Count, Confidence: round2(conf), Certain: conf >= CertainThreshold,
			Reason: why})
	}
	return out, nil
}

// SuggestValue proposes the allowed value of a pick-list (or boolean) field that an old value
// stands for, with a confidence and the reason; to is "" when nothing fits. Certain: the same
// value but for case, spaces and punctuation, or a spelling the synonym dictionary knows for
// exactly one allowed value. Not certain: a first word or abbreviation that fits, a similar
// spelling, a known spelling of several allowed values.
func SuggestValue(d *target.Dictionary, f target.Field, v string) (to string, confidence float64, reason string) {
	allowed := f.Allowed()
	if len(allowed) == 0 || strings.TrimSpace(v) == "" {
		return "", 0, ""
	}
	// the dictionary's codes for a boolean are "true" and "false"
	code := func(a string, i int) string {
		if f.Type == target.Boolean {
			return []string{"true", "false"}[i]
		}
		return a
	}
	fv := target.Fold(v)
	for _, a := range allowed {
		if a == v {
			return a, 1, "the same value"
		}
	}
	for _, a := range allowed {
		if target.Fold(a) == fv && fv != "" {
			return a, 0.97, "the same value but for case, spaces or punctuation"
		}
	}
	known := map[string]bool{}
	for _, c := range d.ValueCodes(v) {
		known[target.Fold(c)] = true
	}
	// a spelling of the allowed value itself ("canceled" for Cancelled)
	var hits []string
	for i, a := range allowed {
		if known[target.Fold(code(a, i))] || known[target.Fold(a)] {
			hits = append(hits, a)
		}
	}
	if len(hits) == 1 {
		return hits[0], 0.93, fmt.Sprintf("%q is a usual way of writing %s", v, hits[0])
	}
	if len(hits) > 1 {
		return hits[0], 0.6, fmt.Sprintf("%q could be %s", v, strings.Join(hits, " or "))
	}
	// a spelling of what the allowed value stands for ("completed" and a vendor's "Done" are both
	// fulfilled)
	for _, a := range allowed {
		for _, c := range d.ValueCodes(a) {
			if known[target.Fold(c)] && !containsStr(hits, a) {
				hits = append(hits, a)
			}
		}
	}
	if len(hits) == 1 {
		return hits[0], 0.9, fmt.Sprintf("%q and %s are usual ways of writing the same", v, hits[0])
	}
	if len(hits) > 1 {
		return hits[0], 0.6, fmt.Sprintf("%q could be %s", v, strings.Join(hits, " or "))
	}
	// the first word: "Confirmed by phone", "Canc. by patient"
	words := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == '(' || r == ',' })
	if len(words) > 1 {
		first := words[0]
		fk := d.ValueCodes(first)
		for i, a := range allowed {
			if target.Fold(a) == target.Fold(first) || containsStr(fk, code(a, i)) || containsStr(fk, a) {
				return a, 0.75, fmt.Sprintf("%q starts with a word for %s", v, a)
			}
		}
	}
	// abbreviations: "sched" for scheduled, "canc" for cancelled
	if len(fv) >= 3 {
		for _, a := range allowed {
			if fa := target.Fold(a); strings.HasPrefix(fa, fv) {
				return a, 0.7, fmt.Sprintf("%q looks like an abbreviation of %s", v, a)
			}
		}
		for _, a := range allowed {
			for _, s := range spellingsOf(d, code(a, indexOf(allowed, a))) {
				if strings.HasPrefix(s, fv) && len(fv)*2 >= len(s) {
					return a, 0.7, fmt.Sprintf("%q looks like an abbreviation of %s", v, a)
				}
			}
		}
	}
	bestA, bestS := "", 0.0
	for _, a := range allowed {
		if s := textkit.JaroWinkler(fv, target.Fold(a)); s > bestS {
			bestA, bestS = a, s
		}
	}
	if bestS >= 0.88 {
		return bestA, min(0.5+(bestS-0.88)*2.5, 0.8), fmt.Sprintf("%q is spelt like %s", v, bestA)
	}
	return "", 0, ""
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// spellingsOf lists the folded spellings the dictionary knows for a code.
func spellingsOf(d *target.Dictionary, code string) []string {
	if d == nil {
		return nil
	}
	return d.Spellings(code)
}

// Accept applies the proposals with the given ids (from Suggest, computed again now) as one
// undoable edit: a source table where the entity has none, a field mapping where the field
// has none, value map entries where the value has none. What a person mapped meanwhile is
// never overwritten.
func (m *Mapper) Accept(ctx context.Context, ids []string) (AcceptResult, error) {
	props, err := m.Suggest(ctx)
	if err != nil {
		return AcceptResult{}, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var chosen []Proposal
	for _, p := range props {
		if want[p.ID] {
			chosen = append(chosen, p)
			delete(want, p.ID)
		}
	}
	res := AcceptResult{}
	for id := range want {
		res.Missing = append(res.Missing, id)
	}
	sort.Strings(res.Missing)
	if len(chosen) == 0 {
		return res, nil
	}
	summary := fmt.Sprintf("%s accepted", plural(int64(len(chosen)), "suggestion", "suggestions"))
	res.Edit, err = m.change(ctx, "accept", summary, map[string]any{"ids": proposalIDs(chosen)},
		func(t *target.Target, maps map[string]*EntityMap) error {
			res.Applied = res.Applied[:0]
			for _, p := range chosen {
				if p.Kind != ProposeSource {
					continue
				}
				_, em, err := entityFor(t, maps, p.Entity)
				if err != nil {
					return err
				}
				if em.Table == "" {
					em.Table = p.Table
					res.Applied = append(res.Applied, p)
				}
			}
			for _, p := range chosen {
				if p.Kind != ProposeField {
					continue
				}
				_, em, err := entityFor(t, maps, p.Entity)
				if err != nil {
					return err
				}
				if em.Field(p.Field) != nil {
					continue
				}
				if em.Table == "" {
					// a field accepted with the table it was proposed from
					for _, sp := range props {
						if sp.Kind == ProposeSource && sp.Entity == p.Entity {
							em.Table = sp.Table
							res.Applied = append(res.Applied, sp)
						}
					}
				}
				fm := FieldMap{Field: p.Field, Sources: p.Sources, Steps: p.Steps, Origin: "suggested", Confidence: p.Confidence, Note: p.Reason}
				if err := m.putField(ctx, t, maps, p.Entity, fm); err != nil {
					return err
				}
				res.Applied = append(res.Applied, p)
			}
			for _, p := range chosen {
				if p.Kind != ProposeValue {
					continue
				}
				_, em, err := entityFor(t, maps, p.Entity)
				if err != nil {
					return err
				}
				fm := em.Field(p.Field)
				if fm == nil {
					continue
				}
				if vm := fm.ValueMapStep(); vm != nil {
					if _, ok := vm.Map[p.Value]; ok {
						continue
					}
				}
				setValueEntries(fm, map[string]string{p.Value: p.To})
				res.Applied = append(res.Applied, p)
			}
			return nil
		})
	return res, err
}

// AcceptCertain applies every certain proposal (confidence ≥ CertainThreshold), as one edit.
func (m *Mapper) AcceptCertain(ctx context.Context) (AcceptResult, error) {
	props, err := m.Suggest(ctx)
	if err != nil {
		return AcceptResult{}, err
	}
	var ids []string
	for _, p := range props {
		if p.Certain {
			ids = append(ids, p.ID)
		}
	}
	return m.Accept(ctx, ids)
}

func proposalIDs(ps []Proposal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
