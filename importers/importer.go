// Package importers reads legacy exports (CSV/TSV/text, XLSX, JSON/NDJSON, SQLite, DBF ...) and
// streams them, value for value, into a staging.Sink. One interface, one factory choosing by
// content and extension, one file per format.
package importers

import (
	"context"
	"errors"

	"github.com/ferry-migrate/ferry/app/staging"
)

// Options are what a person can override after seeing the first import. Zero values mean "detect".
type Options struct {
	Table     string   // table name to stage into (single-table formats); default from the file name
	Encoding  string   // utf-8, utf-16le, utf-16be, windows-1252, latin-1 ...
	Delimiter string   // ",", ";", "\t", "|", ":"
	Header    string   // "", "yes" or "no"
	SkipLines int      // leading junk lines to skip; -1 = none, 0 = detect
	Sheet     string   // XLSX sheet; empty = every sheet
	Tables    []string // SQLite tables to import; empty = all
}

// Progress reports bytes read so far against the file's size, for rows/s and ETA.
type Progress func(bytesRead, totalBytes, rows int64)

// Importer reads one format.
type Importer interface {
	// Format is the short name stored with the source: "csv", "xlsx", "json" ...
	Format() string
	// Probe says how sure the importer is that it reads this file (0 = not at all, 100 = certain),
	// from the first bytes and the file name.
	Probe(head []byte, name string) int
	// Import streams every table in the file into sink. It checks ctx often and returns ctx.Err()
	// when cancelled.
	Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) error
}

// ErrUnsupported is wrapped by messages for formats Ferry recognises but cannot read
// (legacy .xls, .ods, SQL Server backups ...): the message says what to do instead.
var ErrUnsupported = errors.New("format not supported")

// registry holds one Importer per format; each format file registers itself in init.
var registry []Importer

func register(i Importer) { registry = append(registry, i) }

// Formats lists the registered formats.
func Formats() []string {
	out := make([]string, 0, len(registry))
	for _, i := range registry {
		out = append(out, i.Format())
	}
	return out
}
