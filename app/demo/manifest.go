package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Defect kinds, as the Audit step names its findings.
const (
	KindDuplicateExact   = "duplicate_exact"
	KindDuplicateKey     = "duplicate_key"
	KindDuplicateFuzzy   = "duplicate_fuzzy"
	KindNameLastFirst    = "name_last_first"
	KindDateMixed        = "date_mixed"
	KindDateAmbiguous    = "date_ambiguous"
	KindPlaceholder      = "placeholder"
	KindDateImpossible   = "date_impossible"
	KindInvalidPhone     = "invalid_phone"
	KindInvalidEmail     = "invalid_email"
	KindEmailTypo        = "email_typo"
	KindZipLeadingZero   = "zip_leading_zero"
	KindOrphan           = "orphan"
	KindPicklistFreetext = "picklist_freetext"
	KindUntrimmed        = "untrimmed"
	KindMoneyText        = "money_text"
	KindTestRecord       = "test_record"
)

// Manifest says what Generate wrote and, exactly, which defects it planted.
type Manifest struct {
	Generator     string        `json:"generator"`
	Practice      string        `json:"practice"`
	Seed          uint64        `json:"seed"`
	Patients      int           `json:"patients"`       // people generated (Config.Patients); patients.csv has more rows
	ReferenceDate string        `json:"reference_date"` // "today" for every date in the files
	Files         []File        `json:"files"`
	Tables        []Table       `json:"tables"`
	Money         []MoneyColumn `json:"money"`
	Defects       []Defect      `json:"defects"`
}

// File describes one written file.
type File struct {
	Name       string   `json:"name"`
	Table      string   `json:"table"`
	Encoding   string   `json:"encoding"` // "windows-1252" or "utf-8"
	BOM        bool     `json:"bom"`      // starts with the UTF-8 byte order mark
	Delimiter  string   `json:"delimiter"`
	LineEnding string   `json:"line_ending"`
	Rows       int      `json:"rows"` // data records, header excluded
	Columns    []string `json:"columns"`
	Multiline  int      `json:"multiline_values"` // values holding a line break (quoted CRLF)
}

// Table names a table's key and the columns that point at other tables.
type Table struct {
	Name          string         `json:"name"`
	Key           string         `json:"key"`
	Relationships []Relationship `json:"relationships,omitempty"`
}

// Relationship is child column → parent table.column.
type Relationship struct {
	Column       string `json:"column"`
	ParentTable  string `json:"parent_table"`
	ParentColumn string `json:"parent_column"`
}

// MoneyColumn totals a money column over the values that parse as money.
type MoneyColumn struct {
	Table      string `json:"table"`
	Column     string `json:"column"`
	Sum        string `json:"sum"`         // exact, two decimals, e.g. "123456.78"
	Parsed     int    `json:"parsed"`      // values that parse
	Formatted  int    `json:"formatted"`   // of those, written with "$" and/or thousands commas
	NonNumeric int    `json:"non_numeric"` // values that do not parse (the money_text count)
}

// Defect is one planted problem in one table (and column).
type Defect struct {
	Kind   string `json:"kind"`
	Table  string `json:"table"`
	Column string `json:"column,omitempty"`
	// Count is what a correct detector reports: affected values/rows, surplus rows for the
	// duplicate kinds, distinct values for picklist_freetext. Note says precisely.
	Count int    `json:"count"`
	Note  string `json:"note,omitempty"`
	// Keys are the legacy keys of the affected rows, in file order (a key repeats when rows share it).
	Keys []string `json:"keys,omitempty"`
	// Rows are the affected 1-based data record numbers (header excluded; a record with a quoted
	// line break is still one record), in file order.
	Rows []int `json:"rows,omitempty"`
	// Groups (duplicate_exact, duplicate_key) are the record numbers of every row in each group.
	Groups [][]int `json:"groups,omitempty"`
	// Clusters (duplicate_fuzzy) are the PatientIDs of each cluster, original first.
	Clusters [][]string `json:"clusters,omitempty"`
	// Order (date_ambiguous) is the column's true day/month order: "DMY" or "MDY".
	Order string `json:"order,omitempty"`
	// Values breaks the count down: per placeholder value, per date format, per typo domain ...
	Values map[string]int `json:"values,omitempty"`
	// Mapping is picklist value → canonical value, or typo domain → intended domain.
	Mapping map[string]string `json:"mapping,omitempty"`
	// Parent and Missing (orphan): the referenced table.column and the distinct missing keys.
	Parent  string   `json:"parent,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// Find returns the defect of that kind on table.column ("" column for row-level kinds), or nil.
func (m *Manifest) Find(kind, table, column string) *Defect {
	for i := range m.Defects {
		d := &m.Defects[i]
		if d.Kind == kind && d.Table == table && d.Column == column {
			return d
		}
	}
	return nil
}

// File returns the file entry for a table, or nil.
func (m *Manifest) File(table string) *File {
	for i := range m.Files {
		if m.Files[i].Table == table {
			return &m.Files[i]
		}
	}
	return nil
}

// ReadManifest decodes a manifest.json.
func ReadManifest(r io.Reader) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("reading the demo manifest: %w", err)
	}
	return &m, nil
}

// LoadManifest reads the manifest.json at path.
func LoadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the demo manifest: %w", err)
	}
	defer f.Close()
	return ReadManifest(f)
}
