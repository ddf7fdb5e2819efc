// Package audit is the Audit step: it profiles every staged table and column and turns what it
// finds into findings a practice manager can read, drill into and act on, before anyone maps a
// field.
//
// # Running
//
//	rep, err := audit.Run(ctx, p, audit.Options{}, func(pr audit.Progress) { ... })
//
// Run streams every staged table from the project's read pool (in parallel row ranges, one
// connection each), profiles each column in Go, looks for duplicates, orphans and bad values,
// and stores the run in the project together with an audit.run custody event – all in one
// transaction. A cancelled context stops the run and stores nothing. Progress reports the table
// and rows done; it is called often (every few thousand rows), so callers throttle it.
//
// Latest reads the current (newest) run back. A run is current until the data changes: Status,
// registered for wizard.Audit, says "needs attention" once a table has been imported, dropped or
// renamed, or keys and relationships changed, after the last run.
//
// For a screen:
//
//	rep, err := audit.Latest(ctx, p)                    // ErrNoRun before the first run
//	ids, err := audit.FindingRows(ctx, p, f.ID, 0, 100) // _ferry_row ids, ascending, paged
//	cs, err := audit.Clusters(ctx, p, f.ID)             // duplicate groups: members, score, method
//	f, err := audit.GetFinding(ctx, p, id)              // one finding, by id
//	err = audit.WriteXLSX(rep, w)                       // the workbook ferry audit --xlsx writes
//
// The date_order of a column tells the Cleanse step how to read its day/month dates; a finding's
// Suggest names the cleanse operation that fits it (normalise_date, restore_zip_zeros,
// map_values, merge_duplicates with cluster_ids, purge, trim, set_blank, fix_email_domain,
// split_name, split_values, title_case) or is nil when a person must decide.
//
// # Report
//
// A Report (JSON-serialisable; the CLI prints it with ferry audit --json) holds, per table, its
// name, rows and column profiles – type (text, integer, decimal, money, date, datetime, time,
// boolean, phone, email, postcode, identifier, pick-list) with a confidence, nulls (SQL NULLs,
// blanks and placeholders alike), distinct values, top values, min/max, length range, value
// shapes, a small histogram, and for dates date_order (DMY, MDY, YMD, mixed or ambiguous) and
// the formats seen – and the list of findings.
//
// Distinct values are counted exactly up to Options.ExactDistinct (10,000) per column; beyond
// that the count is a HyperLogLog estimate (precision 14, about 0.8% error) and DistinctExact is
// false. Top values are then approximate too (Space-Saving), and the type shares, confidence and
// shapes of such a varied column are counted on one value in eight – while every value still
// gets its column's own checks (dates, amounts, phones, e-mails, postcodes, blanks), so finding
// counts and money sums stay exact. The key column's distinct count is always exact: duplicate
// keys are found by sorting 96-bit hashes of every key.
//
// Dates such as 1900-01-01, 1899-12-30 or 1753-01-01 count as placeholders where they repeat; a
// single one is read as a date (and is usually impossible as a birth date).
//
// # Findings
//
// Each Finding has a snake_case kind, a severity (error, warning, info), its table and column,
// a count, a message in plain words, a few example rows, and, where a cleanse operation fits, a
// Suggestion such as {"op":"normalise_date","column":"Date","order":"DMY"}. The exact rows behind
// a finding (_ferry_row values) are stored: FindingRows pages through them, so a grid can show
// exactly those rows. Duplicate findings also store clusters (members, score, method) for the
// Cleanse step's merge review: Clusters.
//
// Kinds and how each count is made:
//
//   - missing: values that are empty or SQL NULL (a column with placeholders reports them as
//     placeholder instead, blanks included).
//   - placeholder: values standing for "unknown" (N/A, NULL, -, 0001-01-01, 1900-01-01,
//     00/00/0000, 0 in dates, 00000/99999 in postcodes …) plus blanks, in a column that has any.
//   - date_mixed: dates written in more than one format; count = values not in the majority
//     format (placeholders excluded).
//   - date_ambiguous: day/month dates whose first two parts are both 12 or less and differ.
//     The column's order is decided from evidence only (a value with a part over 12 proves it),
//     never value by value; without evidence the order is "ambiguous" and a person decides.
//   - date_impossible: birth dates in the future or more than 120 years before the reference
//     date; any date before 1800 or more than 100 years ahead. date_invalid: values in a date
//     column that are no date at all (31/02/2020, "soon").
//   - duplicate_exact: rows identical in every column to an earlier row; duplicate_key: rows
//     whose key (the declared key column, or an identifier-looking one) appeared earlier;
//     duplicate_fuzzy: people entered twice under different keys – same birth date and nearly
//     the same name, or a near name with a shared phone or e-mail. For all three, count = rows
//     beyond the first of each group (the rows a merge would remove).
//   - orphan: rows whose value in a confirmed relationship's child column is not in the parent
//     column (blank values are missing, not orphans); one finding per relationship.
//   - invalid_phone (libphonenumber, the Plan's region), invalid_email, email_typo (gmial.com →
//     gmail.com), zip_leading_zero (4-digit US ZIP codes), invalid_postcode.
//   - name_last_first: "Last, First" in a last-name column whose first-name cell is blank, or
//     in a full-name column.
//   - multi_value: several pick-list values in one cell ("Red, Blue").
//   - picklist_freetext: a column that looks like a short list of choices but was typed freely
//     (Completed, completed, COMPLETED …); count = distinct raw values, byte-exact.
//   - money_text: non-blank values in a money column that are not amounts.
//   - untrimmed: values with spaces before or after; mixed_case: names or places in capitals
//     (or lower case) among mostly Title Case ones.
//   - test_record: people whose first or last name contains "test", or Mickey Mouse, Minnie Mouse,
//     Donald Duck, "do not use" and the like.
//
// Totals reconciliation needs later are in Report.Totals: rows per table and, per money column,
// the exact sum of its amounts in cents written as a decimal string ("104517.90").
//
// # Scale
//
// Memory stays bounded: values are counted exactly up to a cap per column, rows behind findings
// are kept as varint-coded deltas (about a byte a row), and duplicate detection keeps 24 bytes
// per row. Fuzzy duplicates are found by blocking on the birth date, so the comparison work
// grows with the rows, not their square. docs/bench-audit.md has the figures for a million
// patients.
package audit

import (
	"encoding/json"
	"errors"
	"time"
)

// Severities of a finding.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// Kinds of finding.
const (
	KindMissing          = "missing"
	KindPlaceholder      = "placeholder"
	KindDateMixed        = "date_mixed"
	KindDateAmbiguous    = "date_ambiguous"
	KindDateImpossible   = "date_impossible"
	KindDateInvalid      = "date_invalid"
	KindDuplicateExact   = "duplicate_exact"
	KindDuplicateKey     = "duplicate_key"
	KindDuplicateFuzzy   = "duplicate_fuzzy"
	KindOrphan           = "orphan"
	KindInvalidPhone     = "invalid_phone"
	KindInvalidEmail     = "invalid_email"
	KindEmailTypo        = "email_typo"
	KindZipLeadingZero   = "zip_leading_zero"
	KindInvalidPostcode  = "invalid_postcode"
	KindNameLastFirst    = "name_last_first"
	KindMultiValue       = "multi_value"
	KindPicklistFreetext = "picklist_freetext"
	KindMoneyText        = "money_text"
	KindUntrimmed        = "untrimmed"
	KindMixedCase        = "mixed_case"
	KindTestRecord       = "test_record"
)

// Column types a profile can infer.
const (
	TypeText       = "text"
	TypeInteger    = "integer"
	TypeDecimal    = "decimal"
	TypeMoney      = "money"
	TypeDate       = "date"
	TypeDateTime   = "datetime"
	TypeTime       = "time"
	TypeBoolean    = "boolean"
	TypePhone      = "phone"
	TypeEmail      = "email"
	TypePostcode   = "postcode"
	TypeIdentifier = "identifier"
	TypePicklist   = "pick-list"
)

// ErrNoRun is returned by Latest when the project has never been audited.
var ErrNoRun = errors.New("the audit has not been run yet")

// ErrNoFinding is wrapped when a finding id is not in the project.
var ErrNoFinding = errors.New("no such finding")

// Options tune a run. The zero value audits every staged table.
type Options struct {
	// Region is the country phone numbers and postcodes are checked against (ISO code); empty
	// means the Plan's region (US if the Plan has none).
	Region string `json:"region,omitempty"`
	// ReferenceDate is "today" for impossible dates; zero means today.
	ReferenceDate time.Time `json:"reference_date,omitempty"`
	// Workers is how many row ranges of a large table are read at once, each on its own read
	// connection; 0 means one per CPU, at most 3.
	Workers int `json:"workers,omitempty"`
	// ExactDistinct is how many distinct values per column are counted exactly before the count
	// becomes an estimate; 0 means 10,000.
	ExactDistinct int `json:"exact_distinct,omitempty"`
	// Examples is how many example rows a finding shows; 0 means 5.
	Examples int `json:"examples,omitempty"`
}

// Progress is reported while a run works.
type Progress struct {
	Stage      string `json:"stage"` // "profile", "duplicates", "relationships", "save"
	Table      string `json:"table,omitempty"`
	TableIndex int    `json:"table_index"` // 1-based
	Tables     int    `json:"tables"`
	RowsDone   int64  `json:"rows_done"`
	RowsTotal  int64  `json:"rows_total"`
}

// Report is one audit run: what every table and column looks like, and what was found.
type Report struct {
	RunID         int64          `json:"run_id"`
	Started       time.Time      `json:"started"`
	Finished      time.Time      `json:"finished"`
	Region        string         `json:"region"`
	ReferenceDate string         `json:"reference_date"`
	Tables        []TableProfile `json:"tables"`
	Findings      []Finding      `json:"findings"`
	Totals        Totals         `json:"totals"`
	Summary       Summary        `json:"summary"`
}

// Summary counts findings by severity and kind.
type Summary struct {
	Findings int            `json:"findings"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Infos    int            `json:"infos"`
	ByKind   map[string]int `json:"by_kind"`
}

// Totals are the figures reconciliation checks the loaded data against.
type Totals struct {
	Rows  map[string]int64 `json:"rows"` // per table
	Money []MoneyTotal     `json:"money"`
}

// MoneyTotal is the exact total of one money column.
type MoneyTotal struct {
	Table      string `json:"table"`
	Column     string `json:"column"`
	Sum        string `json:"sum"`         // exact, in cents, as a decimal string: "104517.90"
	Parsed     int64  `json:"parsed"`      // values that are amounts
	Formatted  int64  `json:"formatted"`   // of those, written with a currency sign or thousands separators
	NonNumeric int64  `json:"non_numeric"` // values that are not amounts (the money_text count)
}

// TableProfile describes one staged table.
type TableProfile struct {
	Name      string          `json:"name"`
	Rows      int64           `json:"rows"`
	KeyColumn string          `json:"key_column,omitempty"`
	KeyOrigin string          `json:"key_origin,omitempty"` // "declared" or "inferred"
	People    bool            `json:"people,omitempty"`     // has name columns: checked for test records and fuzzy duplicates
	Columns   []ColumnProfile `json:"columns"`
}

// ColumnProfile describes one column.
type ColumnProfile struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Confidence float64 `json:"confidence"` // share of non-null values that fit Type
	Role       string  `json:"role,omitempty"`
	// Nulls counts every value that holds nothing: SQL NULLs, blanks and placeholders alike.
	Nulls        int64            `json:"nulls"`
	Blanks       int64            `json:"blanks"` // of Nulls: SQL NULL or empty/whitespace-only
	Placeholders map[string]int64 `json:"placeholders,omitempty"`
	// Distinct counts distinct non-null values: exact when DistinctExact, else an estimate.
	Distinct      int64            `json:"distinct"`
	DistinctExact bool             `json:"distinct_exact"`
	Top           []ValueCount     `json:"top,omitempty"` // most frequent values
	TopExact      bool             `json:"top_exact"`
	Min           string           `json:"min,omitempty"`
	Max           string           `json:"max,omitempty"`
	MinLength     int              `json:"min_length"`
	MaxLength     int              `json:"max_length"`
	Shapes        []ValueCount     `json:"shapes,omitempty"`    // 999-999-9999, Aaaa, Aaaa …
	Histogram     []Bucket         `json:"histogram,omitempty"` // years for dates, magnitudes for numbers, lengths for text
	DateOrder     string           `json:"date_order,omitempty"`
	DateFormats   map[string]int64 `json:"date_formats,omitempty"`
	Sum           string           `json:"sum,omitempty"` // exact sum of numbers and money
	// Meaning and Codes come from the source preset: what the column holds, and what each
	// stored code stands for ("1": "Female").
	Meaning string            `json:"meaning,omitempty"`
	Codes   map[string]string `json:"codes,omitempty"`
}

// ValueCount is a value (or shape) and how often it occurs.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Bucket is one bar of a histogram.
type Bucket struct {
	Label string `json:"label"`
	Count int64  `json:"count"`
}

// Finding is one thing the audit found.
type Finding struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Table    string `json:"table"`
	Column   string `json:"column"`
	// Count is what the message counts: affected values or rows; for duplicate kinds the rows
	// beyond the first of each group; for picklist_freetext the distinct raw values.
	Count int64 `json:"count"`
	// RowCount is how many row ids are stored for drill-down (FindingRows).
	RowCount int64     `json:"row_count"`
	Message  string    `json:"message"`
	Examples []Example `json:"examples,omitempty"`
	// Values breaks Count down: per placeholder, per date format, per typo domain, per raw value.
	Values map[string]int64 `json:"values,omitempty"`
	// Mapping proposes a value for each raw value: typo domain → provider, spelling → the
	// most used spelling of the same word.
	Mapping  map[string]string `json:"mapping,omitempty"`
	Order    string            `json:"order,omitempty"`    // date_ambiguous: DMY, MDY, mixed or ambiguous
	Parent   string            `json:"parent,omitempty"`   // orphan: table.column referred to
	Missing  []string          `json:"missing,omitempty"`  // orphan: distinct missing values (at most 100)
	Method   string            `json:"method,omitempty"`   // duplicate kinds: how members were matched
	Clusters int               `json:"clusters,omitempty"` // duplicate kinds: groups found
	Suggest  Suggestion        `json:"suggest,omitempty"`

	rows *rowList
	col  int // column ordinal for sorting; -1 for row-level findings
	tab  int
	clus []cluster
}

// Example is one row behind a finding, as a person would look it up.
type Example struct {
	Row   int64  `json:"row"`           // _ferry_row
	Line  int64  `json:"line"`          // line or record number in the source file
	Key   string `json:"key,omitempty"` // the row's key value
	Value string `json:"value"`         // the value concerned (several columns joined with " | ")
}

// Suggestion is the cleanse operation that fits a finding: an op name and its parameters,
// e.g. {"op":"normalise_date","column":"Date","order":"DMY"}. nil when a person must decide.
type Suggestion map[string]any

// Cluster is a group of rows the audit thinks are one record.
type Cluster struct {
	ID      int64    `json:"id"`
	Method  string   `json:"method"` // identical rows, same key, fingerprint, Jaro-Winkler, phonetic, n-gram
	Score   float64  `json:"score"`  // 0..1, 1 = certain
	Members []Member `json:"members"`
}

// Member is one row of a cluster; the first member is the one kept by a merge (the first in
// the file).
type Member struct {
	Row   int64   `json:"row"`
	Key   string  `json:"key,omitempty"`
	Score float64 `json:"score"`
}

// cluster is a cluster before it is stored.
type cluster struct {
	method  string
	score   float64
	members []Member
}

func (r *Report) summarise() {
	s := Summary{ByKind: map[string]int{}}
	for _, f := range r.Findings {
		s.Findings++
		s.ByKind[f.Kind]++
		switch f.Severity {
		case Error:
			s.Errors++
		case Warning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
	r.Summary = s
}

// Table returns the profile of a table, or nil.
func (r *Report) Table(name string) *TableProfile {
	for i := range r.Tables {
		if r.Tables[i].Name == name {
			return &r.Tables[i]
		}
	}
	return nil
}

// Column returns the profile of a column, or nil.
func (t *TableProfile) Column(name string) *ColumnProfile {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Find returns the findings of a kind on table.column ("" column for row-level kinds).
func (r *Report) Find(kind, table, column string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Kind == kind && f.Table == table && f.Column == column {
			out = append(out, f)
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
