package cleanse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Op names. They are the "op" of a step in a recipe and of the audit's suggestions.
const (
	OpTrim            = "trim"
	OpChangeCase      = "change_case"
	OpTitleCase       = "title_case" // the audit's name for change_case with case "name"
	OpNormalisePhone  = "normalise_phone"
	OpNormaliseEmail  = "normalise_email"
	OpFixEmailDomain  = "fix_email_domain"
	OpRestoreZipZeros = "restore_zip_zeros"
	OpNormaliseDate   = "normalise_date"
	OpSplitName       = "split_name"
	OpMergeColumns    = "merge_columns"
	OpReplace         = "replace"
	OpMapValues       = "map_values"
	OpFillBlank       = "fill_blank"
	OpSetBlank        = "set_blank"
	OpPurge           = "purge"
	OpMergeDuplicates = "merge_duplicates"
)

// Errors a step or recipe can fail with; each is wrapped with the step and what is wrong.
var (
	ErrUnknownOp    = errors.New("unknown operation")
	ErrBadStep      = errors.New("the step's parameters are not usable")
	ErrBadRecipe    = errors.New("not a usable recipe")
	ErrMismatch     = errors.New("the recipe does not fit these tables")
	ErrNothingUndo  = errors.New("there is no operation to undo")
	ErrNothingRedo  = errors.New("there is no operation to redo")
	ErrStale        = errors.New("the table was imported again since this operation")
	ErrNoKey        = errors.New("the table has no key column")
	ErrNeedsReview  = errors.New("these duplicate groups must be reviewed by a person first")
	ErrNoSuchColumn = errors.New("no such column")
	ErrNoSuchTable  = errors.New("no such table")
)

// Step is one cleanse operation with its parameters: what a recipe holds, what Apply and
// Preview take. Only the fields of its op may be set (ParseStep rejects the others); see the
// package documentation for each op's parameters.
type Step struct {
	Op      string   `json:"op"`
	Table   string   `json:"table"`
	Column  string   `json:"column,omitempty"`
	Columns []string `json:"columns,omitempty"`
	Note    string   `json:"note,omitempty"` // the person's own words: why

	// trim
	Collapse bool `json:"collapse,omitempty"`
	// change_case
	Case string `json:"case,omitempty"`
	All  bool   `json:"all,omitempty"`
	// normalise_phone
	Region string `json:"region,omitempty"`
	Format string `json:"format,omitempty"`
	// normalise_email
	FixTypos bool `json:"fix_typos,omitempty"`
	// fix_email_domain, map_values
	Mapping map[string]string `json:"mapping,omitempty"`
	// map_values
	Fold bool `json:"fold,omitempty"`
	// restore_zip_zeros
	Digits int `json:"digits,omitempty"`
	// normalise_date, split_name, purge (before)
	Order     string            `json:"order,omitempty"`
	Ambiguous string            `json:"ambiguous,omitempty"`
	Decisions map[string]string `json:"decisions,omitempty"`
	// split_name
	Into   []string `json:"into,omitempty"`
	First  string   `json:"first,omitempty"`
	Middle string   `json:"middle,omitempty"`
	Last   string   `json:"last,omitempty"`
	// merge_columns
	Target    string  `json:"target,omitempty"`
	Separator *string `json:"separator,omitempty"`
	// replace
	Find       string `json:"find,omitempty"`
	With       string `json:"with,omitempty"`
	Regex      bool   `json:"regex,omitempty"`
	IgnoreCase bool   `json:"ignore_case,omitempty"`
	Whole      bool   `json:"whole,omitempty"`
	// fill_blank
	Value string `json:"value,omitempty"`
	// set_blank, purge
	Values []string `json:"values,omitempty"`
	// purge
	Reason      string   `json:"reason,omitempty"`
	Records     []RowRef `json:"records,omitempty"`
	TestRecords bool     `json:"test_records,omitempty"`
	Before      string   `json:"before,omitempty"`
	// purge, merge_duplicates: rows or groups from an audit finding (resolved when applied)
	FindingID  int64   `json:"finding_id,omitempty"`
	ClusterIDs []int64 `json:"cluster_ids,omitempty"`
	// merge_duplicates
	Match      string    `json:"match,omitempty"`
	Keep       string    `json:"keep,omitempty"`
	FillBlanks bool      `json:"fill_blanks,omitempty"`
	Clusters   []Cluster `json:"clusters,omitempty"`
	Identity   []string  `json:"identity,omitempty"`
	Review     bool      `json:"review,omitempty"`
	// purge, merge_duplicates, split_name: the names of the people columns, when Ferry cannot
	// tell them from their headers
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// RowRef names one row: by its _ferry_row in the project it was chosen in, and by its legacy
// key (and, when rows share a key, which occurrence in file order) so that a recipe can find it
// in another export. Check holds identifying values (names, birth date) the row had when a
// person chose it: a row found by key in another export is only touched if they still match.
type RowRef struct {
	Row        int64             `json:"row,omitempty"`
	Key        string            `json:"key,omitempty"`
	Occurrence int               `json:"occurrence,omitempty"` // 0 or 1: the first row with Key; 2: the second …
	Check      map[string]string `json:"check,omitempty"`
}

// Cluster is one group of rows a merge makes into one record: Survivor and Fields index
// Members. Fields takes a column's value from another member (column → member index); every
// other value is the survivor's (with fill_blanks, a blank survivor value is filled from the
// first member that has one).
type Cluster struct {
	Members  []RowRef       `json:"members"`
	Survivor int            `json:"survivor,omitempty"`
	Fields   map[string]int `json:"fields,omitempty"`
	Source   int64          `json:"source,omitempty"` // the audit cluster it came from, if any
}

// Parameters each op accepts besides op, table, column(s) and note.
var opParams = map[string][]string{
	OpTrim:            {"collapse"},
	OpChangeCase:      {"case", "all"},
	OpNormalisePhone:  {"region", "format"},
	OpNormaliseEmail:  {"fix_typos"},
	OpFixEmailDomain:  {"mapping"},
	OpRestoreZipZeros: {"digits"},
	OpNormaliseDate:   {"order", "ambiguous", "decisions"},
	OpSplitName:       {"order", "into", "first", "middle", "last"},
	OpMergeColumns:    {"target", "separator"},
	OpReplace:         {"find", "with", "regex", "ignore_case", "whole"},
	OpMapValues:       {"mapping", "fold"},
	OpFillBlank:       {"value"},
	OpSetBlank:        {"values"},
	OpPurge:           {"reason", "records", "test_records", "before", "order", "values", "finding_id", "first_name", "last_name"},
	OpMergeDuplicates: {"match", "keep", "fill_blanks", "clusters", "identity", "finding_id", "cluster_ids", "review", "first_name", "last_name"},
}

// Ops lists the op names a step may have, sorted.
func Ops() []string {
	out := make([]string, 0, len(opParams)+1)
	for k := range opParams {
		out = append(out, k)
	}
	out = append(out, OpTitleCase)
	sort.Strings(out)
	return out
}

// cellOps change each cell of their columns on its own, from its value alone.
var cellOps = map[string]bool{OpTrim: true, OpChangeCase: true, OpNormalisePhone: true, OpNormaliseEmail: true,
	OpFixEmailDomain: true, OpRestoreZipZeros: true, OpNormaliseDate: true, OpReplace: true, OpMapValues: true,
	OpFillBlank: true, OpSetBlank: true}

// Limits that keep a recipe from another machine from asking for unbounded work.
const (
	maxNameLen   = 1000
	maxListLen   = 5_000_000
	maxRegexLen  = 10_000
	maxRecipeLen = 512 << 20
)

// ParseStep reads one step from JSON, strictly: an unknown op or parameter, a parameter that
// does not belong to the op, a bad regular expression or date is an error that names it.
func ParseStep(data []byte) (Step, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Step{}, fmt.Errorf("reading a step: %v: %w", err, ErrBadStep)
	}
	var op string
	if r, ok := raw["op"]; ok {
		_ = json.Unmarshal(r, &op)
	}
	if op == "" {
		return Step{}, fmt.Errorf("a step has no \"op\": %w", ErrBadStep)
	}
	canon := op
	if op == OpTitleCase {
		canon = OpChangeCase
	}
	allowed, ok := opParams[canon]
	if !ok {
		return Step{}, fmt.Errorf("%q: %w (Ferry knows %s)", op, ErrUnknownOp, strings.Join(Ops(), ", "))
	}
	allow := map[string]bool{"op": true, "table": true, "column": true, "columns": true, "note": true}
	for _, a := range allowed {
		allow[a] = true
	}
	var extra []string
	for k := range raw {
		if !allow[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return Step{}, fmt.Errorf("%s does not take %s: %w", op, quoteList(extra), ErrBadStep)
	}
	var s Step
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Step{}, fmt.Errorf("reading a %s step: %v: %w", op, err, ErrBadStep)
	}
	if op == OpTitleCase {
		s.Op = OpChangeCase
		if s.Case == "" {
			s.Case = "name"
		}
	}
	if err := s.Validate(); err != nil {
		return Step{}, err
	}
	return s, nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// TargetColumns are the columns a step reads and changes, in order (the column and columns).
func (s Step) TargetColumns() []string {
	var out []string
	if s.Column != "" {
		out = append(out, s.Column)
	}
	for _, c := range s.Columns {
		if c != s.Column {
			out = append(out, c)
		}
	}
	return out
}

func (s Step) bad(format string, args ...any) error {
	return fmt.Errorf("%s on %s: %s: %w", s.Op, s.Table, fmt.Sprintf(format, args...), ErrBadStep)
}

func okName(n string) bool {
	return n != "" && len(n) <= maxNameLen && utf8.ValidString(n) && !strings.ContainsRune(n, 0)
}

// Validate checks a step's parameters without looking at any table.
func (s *Step) Validate() error {
	if s.Op == OpTitleCase {
		s.Op = OpChangeCase
		if s.Case == "" {
			s.Case = "name"
		}
	}
	if _, ok := opParams[s.Op]; !ok {
		return fmt.Errorf("%q: %w", s.Op, ErrUnknownOp)
	}
	if !okName(s.Table) {
		return s.bad("which table? give \"table\"")
	}
	for _, c := range s.TargetColumns() {
		if !okName(c) {
			return s.bad("%q is not a usable column name", c)
		}
	}
	cols := s.TargetColumns()
	if cellOps[s.Op] && len(cols) == 0 {
		return s.bad("which column? give \"column\" or \"columns\"")
	}
	if len(s.Note) > 10_000 {
		return s.bad("the note is too long")
	}
	switch s.Op {
	case OpChangeCase:
		switch s.Case {
		case "upper", "lower", "title", "name":
		default:
			return s.bad("case must be upper, lower, title or name, not %q", s.Case)
		}
	case OpNormalisePhone:
		if s.Format == "" {
			s.Format = "e164"
		}
		switch s.Format {
		case "e164", "national", "international":
		default:
			return s.bad("format must be e164, national or international, not %q", s.Format)
		}
		s.Region = strings.ToUpper(strings.TrimSpace(s.Region))
		if s.Region != "" && !validRegion(s.Region) {
			return s.bad("%q is not a country Ferry knows phone numbers of (use a two-letter code such as US, GB, CA)", s.Region)
		}
	case OpFixEmailDomain:
		if len(s.Mapping) == 0 {
			return s.bad("give the mapping of misspelled domains to the right ones, e.g. {\"gmial.com\": \"gmail.com\"}")
		}
		m := map[string]string{}
		for k, v := range s.Mapping {
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
			if k == "" || v == "" || strings.ContainsAny(k+v, "@ ") {
				return s.bad("%q → %q: both must be domains like gmail.com", k, v)
			}
			m[k] = v
		}
		s.Mapping = m
	case OpRestoreZipZeros:
		if s.Digits == 0 {
			s.Digits = 5
		}
		if s.Digits < 3 || s.Digits > 10 {
			return s.bad("digits must be between 3 and 10")
		}
	case OpNormaliseDate:
		s.Order = strings.ToUpper(s.Order)
		switch s.Order {
		case "DMY", "MDY", "YMD", "MIXED":
		default:
			return s.bad("order must be the column's confirmed order: DMY, MDY, YMD or mixed, not %q", s.Order)
		}
		if s.Order == "MIXED" {
			s.Order = "mixed"
		}
		s.Ambiguous = strings.ToUpper(s.Ambiguous)
		switch s.Ambiguous {
		case "", "DMY", "MDY":
		default:
			return s.bad("ambiguous (what a person decided for dates that read both ways) must be DMY or MDY, not %q", s.Ambiguous)
		}
		if len(s.Decisions) > maxListLen {
			return s.bad("too many decisions")
		}
		for k, v := range s.Decisions {
			switch strings.ToUpper(v) {
			case "DMY", "MDY":
				s.Decisions[k] = strings.ToUpper(v)
				continue
			}
			if _, err := time.Parse("2006-01-02", v); err != nil {
				return s.bad("the decision for %q must be a date written YYYY-MM-DD, or DMY or MDY, not %q", k, v)
			}
		}
	case OpSplitName:
		if len(cols) != 1 {
			return s.bad("give the one column that holds the whole name")
		}
		switch s.Order {
		case "":
			s.Order = "last_first"
		case "last_first", "first_last":
		default:
			return s.bad("order must be last_first (\"Smith, John\") or first_last (\"John Smith\"), not %q", s.Order)
		}
		if len(s.Into) > 0 {
			if s.First != "" || s.Last != "" || s.Middle != "" {
				return s.bad("give either into or first/last/middle, not both")
			}
			if len(s.Into) < 2 || len(s.Into) > 3 {
				return s.bad("into lists two or three columns: last, first[, middle] for last_first; first, last[, middle] for first_last")
			}
			if s.Order == "last_first" {
				s.Last, s.First = s.Into[0], s.Into[1]
			} else {
				s.First, s.Last = s.Into[0], s.Into[1]
			}
			if len(s.Into) == 3 {
				s.Middle = s.Into[2]
			}
			s.Into = nil
		}
		if s.First == "" || s.Last == "" {
			return s.bad("give the columns the parts go into: first and last (and middle, if wanted)")
		}
		seen := map[string]bool{}
		for _, c := range []string{s.First, s.Last, s.Middle} {
			if c == "" {
				continue
			}
			if !okName(c) || strings.HasPrefix(strings.ToLower(c), "_ferry_") {
				return s.bad("%q is not a usable column name", c)
			}
			if seen[strings.ToLower(c)] {
				return s.bad("%q is named twice", c)
			}
			seen[strings.ToLower(c)] = true
		}
	case OpMergeColumns:
		if len(cols) < 2 {
			return s.bad("give two or more columns to merge")
		}
		if !okName(s.Target) || strings.HasPrefix(strings.ToLower(s.Target), "_ferry_") {
			return s.bad("give the target column the merged value goes into")
		}
		if s.Separator == nil {
			sp := " "
			s.Separator = &sp
		}
	case OpReplace:
		if s.Find == "" {
			return s.bad("give what to find")
		}
		if s.Regex {
			if len(s.Find) > maxRegexLen {
				return s.bad("the regular expression is too long")
			}
			if _, err := s.compile(); err != nil {
				return s.bad("the regular expression %q does not work: %v", s.Find, err)
			}
		}
	case OpMapValues:
		if len(s.Mapping) == 0 {
			return s.bad("give the mapping of old values to new ones (Ferry can suggest one: SuggestMapping)")
		}
		if len(s.Mapping) > maxListLen {
			return s.bad("too many values in the mapping")
		}
		if s.Fold {
			seen := map[string]string{}
			for k, v := range s.Mapping {
				f := foldKey(k)
				if o, ok := seen[f]; ok && o != v {
					return s.bad("%q and another spelling of it map to different values (%q and %q); with fold they are one value", k, o, v)
				}
				seen[f] = v
			}
		}
	case OpFillBlank:
		if s.Value == "" {
			return s.bad("give the value blanks get")
		}
	case OpSetBlank:
		if len(s.Values) == 0 {
			return s.bad("give the values that stand for nothing, e.g. [\"N/A\", \"0001-01-01\"]")
		}
	case OpPurge:
		if strings.TrimSpace(s.Reason) == "" {
			return s.bad("give the reason (reconciliation reports purged rows by reason)")
		}
		n := 0
		if len(s.Records) > 0 {
			n++
		}
		if s.TestRecords {
			n++
		}
		if s.Before != "" {
			n++
			if len(cols) != 1 {
				return s.bad("before needs the one date column it compares")
			}
			if _, err := time.Parse("2006-01-02", s.Before); err != nil {
				return s.bad("before must be a date written YYYY-MM-DD, not %q", s.Before)
			}
			if s.Order != "" {
				s.Order = strings.ToUpper(s.Order)
				if s.Order != "DMY" && s.Order != "MDY" && s.Order != "YMD" {
					return s.bad("order must be DMY, MDY or YMD, not %q", s.Order)
				}
			}
		}
		if len(s.Values) > 0 {
			n++
			if len(cols) != 1 {
				return s.bad("values needs the one column they are in")
			}
		}
		if s.FindingID != 0 {
			n++
		}
		if n != 1 {
			return s.bad("say which rows, in exactly one way: records, test_records, before (with column), values (with column) or finding_id")
		}
		if len(s.Records) > maxListLen {
			return s.bad("too many records")
		}
		if (len(cols) > 0) != (s.Before != "" || len(s.Values) > 0) {
			return s.bad("column is only for before and values")
		}
	case OpMergeDuplicates:
		switch s.Keep {
		case "", "first":
			s.Keep = ""
		default:
			return s.bad("keep must be first (the first row in the file survives), not %q", s.Keep)
		}
		n := 0
		if len(s.Clusters) > 0 {
			n++
		}
		if s.Match != "" {
			n++
			if s.Match != "identical" && s.Match != "same_key" {
				return s.bad("match must be identical or same_key, not %q", s.Match)
			}
		}
		if s.FindingID != 0 {
			n++
		}
		if n != 1 {
			return s.bad("say which groups, in exactly one way: clusters, match (identical or same_key) or finding_id")
		}
		if s.Review && len(s.Clusters) == 0 {
			return fmt.Errorf("%s on %s: %w: open the groups, choose the survivor and its values, then merge", s.Op, s.Table, ErrNeedsReview)
		}
		s.Review = false
		if len(cols) > 0 {
			// the audit names the key column of a same-key finding; it is the table's key
			s.Column, s.Columns = "", nil
		}
		if len(s.Clusters) > maxListLen {
			return s.bad("too many groups")
		}
		for i, c := range s.Clusters {
			if len(c.Members) < 2 {
				return s.bad("group %d has fewer than two members", i+1)
			}
			if c.Survivor < 0 || c.Survivor >= len(c.Members) {
				return s.bad("group %d: the survivor must be one of its members", i+1)
			}
			for col, m := range c.Fields {
				if m < 0 || m >= len(c.Members) || !okName(col) {
					return s.bad("group %d: %q must be taken from one of its members", i+1, col)
				}
			}
			for j, m := range c.Members {
				if m.Row == 0 && m.Key == "" {
					return s.bad("group %d, member %d: give its row or its key", i+1, j+1)
				}
			}
		}
	}
	for _, r := range s.Records {
		if r.Row == 0 && r.Key == "" {
			return s.bad("each record needs its row or its key")
		}
	}
	return nil
}

// compile builds the regular expression of a replace step (RE2: linear time, whatever the input).
func (s Step) compile() (*regexp.Regexp, error) {
	pat := s.Find
	if !s.Regex {
		pat = regexp.QuoteMeta(pat)
	}
	if s.Whole {
		pat = `^(?:` + pat + `)$`
	}
	if s.IgnoreCase {
		pat = `(?i)` + pat
	}
	return regexp.Compile(pat)
}

// rowSpecific says whether the step names particular rows (which a recipe finds by key).
func (s Step) rowSpecific() bool {
	return len(s.Records) > 0 || len(s.Clusters) > 0 || s.FindingID != 0
}

// clone is a deep copy.
func (s Step) clone() Step {
	b, err := json.Marshal(s)
	if err != nil {
		return s
	}
	var c Step
	if json.Unmarshal(b, &c) != nil {
		return s
	}
	return c
}
