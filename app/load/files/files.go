// Package files is the "Import files" destination of a full load: the mapped records of a
// mapping.Feed written as CSV or XLSX files laid out exactly as the target's template (its
// entities, its fields in their order, its header text, values already in the field's date,
// number, boolean and phone formats), one file per entity or, for importers with a row limit,
// chunks of Config.ChunkRows rows, next to a manifest saying which legacy record went into
// which file and row.
//
//	m, err := files.Write(ctx, feed, files.Config{Dir: dir, Format: "xlsx", ChunkRows: 5000},
//	    nil,                                          // only: nil writes every record
//	    func(entity string, done, total int64) { … }, // throttled, about every 1000 records
//	    func(pl files.Placed) error { … })            // every written record, once the files are in place
//
// # What lands in Dir
//
//   - Patient.csv (or Patient.xlsx) per entity; Patient_001.csv, Patient_002.csv … when the
//     entity has more rows than a chunk holds. An entity whose records are all invalid still
//     gets its file, with the header row only.
//   - manifest.csv: one row per legacy record of the feed, in file order: entity, legacy_key,
//     source_row, source_line, status ("written", "invalid" or "skipped"), file, file_row
//     (the row a spreadsheet shows: below a header the first record is row 2) and a note
//     (why a record is invalid; which cells had an apostrophe put in front, see below).
//   - manifest.json: the summary (target and map versions, the Config, per entity the counts
//     and files, per file its rows, size and SHA-256).
//
// placed is called for each written record only after every file and both manifests are in
// place (read back from manifest.csv), so a loader never records an id for a file that a
// cancel or crash took away. The same feed and Config write byte-identical files (only
// manifest.json's written_at differs), so a resumed load may simply write them again.
//
// Nothing disappears silently: a record with mapping errors is not written but is listed in
// manifest.csv as invalid with its errors in words, counted in the Manifest, and handed to
// Config.Invalid. So is a record the chosen format cannot hold (an XLSX cell is limited to
// 32,767 characters and cannot hold most control characters; excelize would truncate or
// replace them).
//
// # Safety
//
// Every file is written under a temporary name (".ferry-partial-…") in Dir and renamed into
// place only when all of them are complete and synced, then the manifests; a crash or a
// cancelled context never leaves a half file that looks whole (cancelling removes the
// temporary files; a crash's leftovers are removed by the next Write). Files of an earlier
// Write that the new one does not produce (a chunk fewer) are removed, as its manifest.json
// lists them; no other file in Dir is touched. All file operations go through an os.Root on
// Dir, and file names made from entity names are sanitised (separators, control and format
// characters, Windows' reserved names), so no entity name can place a file outside Dir.
//
// Formula injection: a cell whose text begins with = + - @, a tab or a carriage return gets a
// leading apostrophe, so a spreadsheet shows it as text instead of running it (OWASP's advice),
// unless Config.KeepFormulas. Numbers and phone numbers (+44 20…, -12.50) are left alone: they
// cannot call anything. manifest.csv notes every cell that was changed this way, and keeps the
// legacy keys exactly as they are (the true values stay in the project).
//
// XLSX: excelize's StreamWriter (memory stays bounded for a million rows); the header row bold
// and frozen; text columns formatted as text ("@") and every value of a text, code, date,
// phone … field stored as a string, so "00123" keeps its zeros; integer, decimal and money
// values in plain decimal notation are stored as numbers with a format showing the same
// decimals ("95.00" stays 95.00) unless Config.NumbersAsText. A sheet holds at most 1,048,575
// data rows, so larger entities are chunked whatever ChunkRows says.
//
// CSV: RFC 4180 quoting (a value is quoted when it holds the delimiter, a quote, a line break
// or leading/trailing spaces; line breaks inside values are written exactly as they are), CRLF
// line ends unless Config.LineEnding is "lf", UTF-8 with a byte order mark when
// Config.Encoding is "utf-8-bom" (what Excel needs to read accents).
package files

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/app/mapping"
)

// Formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Header choices.
const (
	HeaderAuto  = ""      // the field's label for a target made from a vendor's template, else its name
	HeaderLabel = "label" // the field's label (its name where it has none)
	HeaderName  = "name"  // the field's name
	HeaderNone  = "none"  // no header row
)

// Manifest file names in Dir.
const (
	ManifestCSV  = "manifest.csv"
	ManifestJSON = "manifest.json"
	// ManifestFormat names the format of manifest.json.
	ManifestFormat = "ferry-files-manifest/1"
)

// XLSXMaxRows is the most data rows one sheet holds (Excel's 1,048,576 rows less the header).
const XLSXMaxRows = 1048575

// xlsxMaxRows is XLSXMaxRows, a variable so that tests can reach the limit cheaply.
var xlsxMaxRows = XLSXMaxRows

// ErrBadConfig is wrapped by every complaint about a Config.
var ErrBadConfig = errors.New("the import files settings are not usable")

// Config says where and how the files are written. Only Dir is required.
type Config struct {
	Dir string `json:"dir"`
	// Format is "csv" (the default) or "xlsx".
	Format string `json:"format"`
	// ChunkRows is the most records per file; 0 means no limit (XLSX still splits at
	// 1,048,575 rows per file).
	ChunkRows int `json:"chunk_rows"`
	// Header is the header row's text: "" (auto), "label", "name" or "none".
	Header string `json:"header,omitempty"`
	// Delimiter separates CSV values (default ","); one character, not a quote or line break.
	Delimiter string `json:"delimiter,omitempty"`
	// Encoding of CSV files: "utf-8" (default) or "utf-8-bom".
	Encoding string `json:"encoding,omitempty"`
	// LineEnding of CSV files: "crlf" (default) or "lf".
	LineEnding string `json:"line_ending,omitempty"`
	// KeepFormulas writes values beginning with = + - @ as they are, for importers that read
	// the apostrophe literally and whose files no person opens in a spreadsheet.
	KeepFormulas bool `json:"keep_formulas,omitempty"`
	// NumbersAsText stores integer, decimal and money values as text cells in XLSX.
	NumbersAsText bool `json:"numbers_as_text,omitempty"`
	// Invalid, when set, is called with every record that is not written because of its
	// errors (the mapping's, or a value the format cannot hold: then Errors says so). An
	// error it returns stops the Write.
	Invalid func(rec mapping.Record) error `json:"-"`
}

// Placed says where one legacy record went. Row is the source row (_ferry_row); FileRow is the
// row number a spreadsheet shows for it (below a header the first record is row 2). A loader
// keeps File + ":" + strconv.Itoa(FileRow) as the record's new id.
type Placed struct {
	Entity  string `json:"entity"`
	Key     string `json:"key"`
	Row     int64  `json:"row"`
	Line    int64  `json:"line"`
	File    string `json:"file"`
	FileRow int    `json:"file_row"`
}

// FileInfo is one written file.
type FileInfo struct {
	Entity string `json:"entity"`
	File   string `json:"file"` // name in Dir
	Rows   int    `json:"rows"` // data rows, without the header
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// EntityInfo counts one entity's records: Records = Written + Invalid + Skipped.
type EntityInfo struct {
	Name    string   `json:"name"`
	Header  []string `json:"header"` // the header as written (before any apostrophe)
	Records int64    `json:"records"`
	Written int64    `json:"written"`
	Invalid int64    `json:"invalid"`
	Skipped int64    `json:"skipped"` // left out by the only filter
	Files   []string `json:"files"`
}

// Manifest is what Write wrote; it is also manifest.json.
type Manifest struct {
	Format        string       `json:"format"`
	Target        string       `json:"target"`
	TargetVersion int          `json:"target_version"`
	MapRevision   int64        `json:"map_revision"`
	WrittenAt     string       `json:"written_at"` // RFC 3339, UTC
	Config        Config       `json:"config"`
	Entities      []EntityInfo `json:"entities"`
	Files         []FileInfo   `json:"files"`
	Written       int64        `json:"written"`
	Invalid       int64        `json:"invalid"`
	Skipped       int64        `json:"skipped"`
	// ManifestPath is manifest.csv's path (every record's place), JSONPath manifest.json's.
	ManifestPath string `json:"-"`
	JSONPath     string `json:"-"`
}

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, a ...any) (Config, error) {
		return c, fmt.Errorf("%w: "+format, append([]any{ErrBadConfig}, a...)...)
	}
	if strings.TrimSpace(c.Dir) == "" {
		return bad("choose a folder to write the import files into")
	}
	c.Format = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c.Format), "."))
	switch c.Format {
	case "":
		c.Format = FormatCSV
	case FormatCSV, FormatXLSX:
	default:
		return bad("the file format %q is not one Ferry writes; choose csv or xlsx", c.Format)
	}
	if c.ChunkRows < 0 {
		return bad("the rows per file cannot be negative (0 means no limit)")
	}
	switch c.Header {
	case HeaderAuto, HeaderLabel, HeaderName, HeaderNone:
	default:
		return bad("header %q: choose label, name or none", c.Header)
	}
	if c.Delimiter == "" {
		c.Delimiter = ","
	}
	if c.Delimiter == `\t` || strings.EqualFold(c.Delimiter, "tab") {
		c.Delimiter = "\t"
	}
	if r, n := utf8.DecodeRuneInString(c.Delimiter); n != len(c.Delimiter) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		return bad("the delimiter %q must be one character other than a quote or a line break", c.Delimiter)
	}
	switch strings.ToLower(c.Encoding) {
	case "", "utf-8", "utf8":
		c.Encoding = "utf-8"
	case "utf-8-bom", "utf8-bom", "utf-8 with bom":
		c.Encoding = "utf-8-bom"
	default:
		return bad("the encoding %q is not one Ferry writes; choose utf-8 or utf-8-bom", c.Encoding)
	}
	switch strings.ToLower(c.LineEnding) {
	case "", "crlf":
		c.LineEnding = "crlf"
	case "lf":
		c.LineEnding = "lf"
	default:
		return bad("line ending %q: choose crlf or lf", c.LineEnding)
	}
	return c, nil
}

// Validate says whether c can be used, in words for the person setting it up.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// chunkRows is the most records per file for c's format.
func (c Config) chunkRows() int {
	n := c.ChunkRows
	if c.Format == FormatXLSX && (n == 0 || n > xlsxMaxRows) {
		n = xlsxMaxRows
	}
	return n
}
