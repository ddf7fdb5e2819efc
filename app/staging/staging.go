// Package staging is where imported legacy data lives inside the project file: one SQLite table per
// source table, every value kept as the text the user had, every row with its provenance (source
// file, sheet, line). Importers stream rows into a Sink; the Stager implements it on the project.
package staging

import "context"

// Flag marks what was odd about a staged row; stored in the _ferry_flags column.
type Flag uint16

const (
	FlagMissingCells Flag = 1 << iota // fewer cells than columns: the missing ones are empty
	FlagExtraCells                    // more cells than columns: the extra ones are in _ferry_overflow
	FlagInvalidBytes                  // bytes not valid in the detected encoding were replaced
	FlagNUL                           // a NUL byte was removed
	FlagParse                         // the parser had to recover (e.g. a stray quote)
)

// Provenance columns every staged table has besides the user's own columns.
const (
	ColRow      = "_ferry_row"      // INTEGER PRIMARY KEY: stable row id
	ColLine     = "_ferry_line"     // line (CSV), row (XLSX) or record number in the source
	ColFlags    = "_ferry_flags"    // Flag bits
	ColOverflow = "_ferry_overflow" // extra cells, JSON array of strings
)

// SourceInfo describes the file a table came from; recorded in ferry_sources and the custody log.
type SourceInfo struct {
	Path         string            `json:"path"`
	FileName     string            `json:"file_name"`
	SHA256       string            `json:"sha256"`
	Size         int64             `json:"size"`
	Format       string            `json:"format"`   // csv, xlsx, json, ndjson, sqlite, dbf ...
	Encoding     string            `json:"encoding"` // as detected or chosen: utf-8, utf-8-bom, utf-16le, windows-1252 ...
	Delimiter    string            `json:"delimiter,omitempty"`
	Sheet        string            `json:"sheet,omitempty"`
	HeaderRow    bool              `json:"header_row"`
	SkippedLines int               `json:"skipped_lines,omitempty"` // leading junk lines
	Options      map[string]string `json:"options,omitempty"`
}

// TableSpec announces a table an importer is about to stream.
type TableSpec struct {
	Name    string   // wanted table name; the Stager makes it unique and safe
	Columns []string // header names as in the file; blanks and duplicates are fixed by the Stager
	Source  SourceInfo
}

// Row is one source record. Cells has at most len(Columns) entries (fewer means missing cells,
// which the importer flags); extra cells go in Overflow.
type Row struct {
	Line     int64
	Cells    []string
	Nulls    []bool // optional: true where the source had a real NULL (JSON null, SQL NULL)
	Flags    Flag
	Overflow []string
}

// Issue is something a person must hear about: what, and where (file, sheet, line, column).
type Issue struct {
	File       string `json:"file"`
	Sheet      string `json:"sheet,omitempty"`
	Line       int64  `json:"line"`
	Column     int    `json:"column,omitempty"` // 1-based; 0 when the whole row is concerned
	ColumnName string `json:"column_name,omitempty"`
	Kind       string `json:"kind"` // missing_cells, extra_cells, invalid_bytes, nul_byte, parse ...
	Message    string `json:"message"`
}

// Sink receives tables from an importer. Everything written through one Sink is committed together
// by its owner, or not at all (a cancelled import leaves nothing half-staged).
type Sink interface {
	Table(ctx context.Context, spec TableSpec) (TableWriter, error)
}

// TableWriter receives the rows of one table.
type TableWriter interface {
	Write(r Row) error
	Issue(i Issue)
	// Close finishes the table (its rows stay part of the Sink's pending transaction).
	Close() error
}
