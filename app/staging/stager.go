package staging

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/ferry-migrate/ferry/app/project"
)

// Errors the Stager wraps with the table or column concerned.
var (
	ErrNoTable   = errors.New("no staged table by that name")
	ErrNoColumn  = errors.New("no column by that name")
	ErrNameTaken = errors.New("a table with that name already exists")
	ErrBadName   = errors.New("not a usable name")
	ErrNothing   = errors.New("the file has nothing to import")
	ErrTooWide   = errors.New("too many columns")
)

// MaxColumns is how many user columns one staged table can have: SQLite allows 2000 columns and
// four are Ferry's provenance columns.
const MaxColumns = 2000 - 4

// sqliteMaxVars is SQLite's default limit on ? parameters in one statement.
const sqliteMaxVars = 32766

// importCacheKiB is SQLite's page cache during an import.
const importCacheKiB = 64 << 10

// maxBatchRows caps the rows of one INSERT statement (SQLite's variable limit caps it too).
const maxBatchRows = 500

// maxIssuesPerKind caps how many issues of one kind are stored per table; the rest are counted
// and summed up in one closing issue (the rows themselves stay flagged in _ferry_flags).
const maxIssuesPerKind = 10000

// FileImporter reads a file into a project: the importers package implements it and cmd wires
// it up, so screens and app/demo can import without depending on the importers.
type FileImporter interface {
	ImportFile(ctx context.Context, p *project.Project, req ImportRequest, progress ImportProgress) (ImportResult, error)
}

// ImportRequest is what a person chose for one file. Zero values mean "detect".
type ImportRequest struct {
	Path      string
	Table     string   // table name to stage into (single-table formats); default from the file name
	Encoding  string   // utf-8, utf-16le, windows-1252, big5 ...
	Delimiter string   // ",", ";", "\t", "|", ":"
	Header    string   // "", "yes" or "no"
	SkipLines int      // leading junk lines to skip; -1 = none, 0 = detect
	Sheet     string   // workbook sheet; empty = every sheet
	Tables    []string // tables of a database file; empty = all
}

// ImportProgress reports bytes read so far against the file's size, and rows staged.
type ImportProgress func(bytesRead, totalBytes, rows int64)

// ImportResult is what one import staged.
type ImportResult struct {
	Source SourceInfo    `json:"source"` // the file as a whole
	Tables []TableResult `json:"tables"`
}

// TableResult is one table of an import.
type TableResult struct {
	Name        string           `json:"name"`        // the staged table's name
	SourceName  string           `json:"source_name"` // the name the importer asked for
	SourceID    int64            `json:"source_id"`
	Source      SourceInfo       `json:"source"` // encoding, delimiter, sheet ... of this table
	Columns     []string         `json:"columns"`
	Rows        int64            `json:"rows"`
	FlaggedRows int64            `json:"flagged_rows"`
	Issues      int64            `json:"issues"`
	IssueKinds  map[string]int64 `json:"issue_kinds,omitempty"`
	Replaced    bool             `json:"replaced"` // a table of that name was there before and is replaced
}

// Stager keeps staged tables in a project file. Imports go through Import; the rest reads and
// changes the registry of staged tables, each change logged in the custody log.
type Stager struct {
	p *project.Project
}

// NewStager works on p.
func NewStager(p *project.Project) *Stager { return &Stager{p: p} }

// Project is the project the Stager works on.
func (s *Stager) Project() *project.Project { return s.p }

// QuoteIdent quotes a table or column name for SQL: names come from files users did not write.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Import runs fn with a Sink whose tables, source rows, issues and one source.import custody event
// are committed together in one transaction when fn returns nil, and not at all otherwise.
// src describes the file (path, name, hash, size, format); importers add encoding, sheet and so on
// per table.
func (s *Stager) Import(ctx context.Context, src SourceInfo, fn func(ctx context.Context, sink Sink) error) (ImportResult, error) {
	res := ImportResult{Source: src}
	db := s.p.Writer()
	if s.p.ReadOnly() || db == nil {
		return res, fmt.Errorf("importing %s: %w", src.FileName, project.ErrReadOnly)
	}
	defer lessGC()()
	// The import keeps the writer's one connection for itself: the bulk inserts go straight to
	// the driver on it, inside the transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("importing %s: %w", src.FileName, err)
	}
	defer conn.Close()
	// A bigger page cache while importing keeps SQLite from writing the b-tree's inner pages to
	// the WAL again and again; it is a bound (64 MiB), not a share of the file.
	var was int64
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err == nil && was > -importCacheKiB && was < importCacheKiB/4 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, importCacheKiB)); err == nil {
			defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, was))
		}
	}
	// Cancellation is ours to handle (we roll back and stop): database/sql would otherwise roll
	// back on its own while a driver-level insert may still follow, outside the transaction.
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return res, fmt.Errorf("starting a change to %s: %w", s.p.Name(), err)
	}
	defer tx.Rollback()
	sink := &importSink{s: s, ctx: ctx, conn: conn, tx: tx, src: src, now: time.Now().UTC().Format(time.RFC3339), who: s.p.Who().Actor}
	err = func() error {
		defer sink.release()
		if err := fn(ctx, sink); err != nil {
			return err
		}
		for _, w := range sink.writers {
			if err := w.Close(); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(sink.writers) == 0 {
			return fmt.Errorf("%s: %w", src.FileName, ErrNothing)
		}
		tables := make([]map[string]any, 0, len(sink.writers))
		for _, w := range sink.writers {
			res.Tables = append(res.Tables, w.result())
			t := map[string]any{"table": w.name, "rows": w.rows, "flagged_rows": w.flagged, "issues": w.issues}
			if w.src.Sheet != "" {
				t["sheet"] = w.src.Sheet
			}
			if w.replaced {
				t["replaced"] = true
			}
			tables = append(tables, t)
		}
		first := sink.writers[0].src
		params := map[string]any{"file": src.FileName, "format": first.Format, "size": src.Size, "tables": tables}
		if first.Encoding != "" {
			params["encoding"] = first.Encoding
		}
		if first.Delimiter != "" {
			params["delimiter"] = first.Delimiter
		}
		return s.p.Log(ctx, tx, "source.import", params, map[string]string{src.FileName: src.SHA256})
	}()
	if err != nil {
		return ImportResult{Source: src}, err
	}
	if err := ctx.Err(); err != nil {
		return ImportResult{Source: src}, err
	}
	if err := tx.Commit(); err != nil {
		return ImportResult{Source: src}, fmt.Errorf("saving the import of %s in %s: %w", src.FileName, s.p.Name(), err)
	}
	return res, nil
}

// The SQLite driver makes a few hundred bytes of garbage per staged row (argument boxing and its
// own bookkeeping) while the live heap stays small, so at the default GOGC the collector runs
// constantly: measured, it was a third of an import's CPU time. While imports run the collector
// waits for 4× the live heap instead: still a bound that does not grow with the file.
var gcMu struct {
	sync.Mutex
	n   int
	was int
}

const importGCPercent = 400

func lessGC() (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcMu.n == 0 {
		gcMu.was = debug.SetGCPercent(importGCPercent)
		if gcMu.was < 0 || gcMu.was > importGCPercent {
			debug.SetGCPercent(gcMu.was) // off or already generous: leave it
		}
	}
	gcMu.n++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		gcMu.n--
		if gcMu.n == 0 {
			debug.SetGCPercent(gcMu.was)
		}
	}
}

// importSink is the Sink of one import: everything happens on its transaction.
type importSink struct {
	s       *Stager
	ctx     context.Context
	conn    *sql.Conn
	tx      *sql.Tx
	src     SourceInfo
	now     string
	who     string
	writers []*tableWriter
	issue   *sql.Stmt
}

func (k *importSink) release() {
	for _, w := range k.writers {
		w.release()
	}
	if k.issue != nil {
		k.issue.Close()
	}
}

// prepare makes a driver-level statement on the import's connection. database/sql would copy
// every batch's arguments into a fresh []driver.NamedValue and convert each one; the Stager's
// own slice is reused from batch to batch.
func (k *importSink) prepare(query string) (driver.Stmt, error) {
	var ds driver.Stmt
	err := k.conn.Raw(func(dc any) error {
		cp, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("the SQLite driver cannot prepare statements with a context")
		}
		var err error
		ds, err = cp.PrepareContext(k.ctx, query)
		return err
	})
	return ds, err
}

func (k *importSink) exec(ds driver.Stmt, args []driver.NamedValue) error {
	if err := k.ctx.Err(); err != nil {
		return err
	}
	return k.conn.Raw(func(any) error {
		se, ok := ds.(driver.StmtExecContext)
		if !ok {
			return errors.New("the SQLite driver cannot execute statements with a context")
		}
		_, err := se.ExecContext(k.ctx, args)
		return err
	})
}

func (k *importSink) closeStmt(ds driver.Stmt) {
	_ = k.conn.Raw(func(any) error { return ds.Close() })
}

// merge fills what the importer left blank from what the service knows about the file.
func merge(file, table SourceInfo) SourceInfo {
	out := table
	if out.Path == "" {
		out.Path = file.Path
	}
	if out.FileName == "" {
		out.FileName = file.FileName
	}
	if out.SHA256 == "" {
		out.SHA256 = file.SHA256
	}
	if out.Size == 0 {
		out.Size = file.Size
	}
	if out.Format == "" {
		out.Format = file.Format
	}
	if out.Encoding == "" {
		out.Encoding = file.Encoding
	}
	if out.Delimiter == "" {
		out.Delimiter = file.Delimiter
	}
	if out.Sheet == "" {
		out.Sheet = file.Sheet
	}
	if len(out.Options) == 0 {
		out.Options = file.Options
	}
	return out
}

// Table implements Sink: it creates the staged table (replacing one of the same name from an
// earlier import) and registers it.
func (k *importSink) Table(ctx context.Context, spec TableSpec) (TableWriter, error) {
	if len(spec.Columns) > MaxColumns {
		return nil, fmt.Errorf("%s: %d columns, Ferry can stage at most %d in one table: %w",
			spec.Name, len(spec.Columns), MaxColumns, ErrTooWide)
	}
	src := merge(k.src, spec.Source)
	tx := k.tx
	name := cleanTableName(spec.Name)
	if name == "" {
		name = cleanTableName(strings.TrimSuffix(src.FileName, fileExt(src.FileName)))
	}
	if name == "" {
		name = "table"
	}
	// A name used earlier in this import, or by something that is not a staged table, is made
	// unique; a staged table from an earlier import is replaced.
	base := name
	var replaced bool
	var kept []Relationship
	for n := 2; ; n++ {
		taken := false
		for _, w := range k.writers {
			if asciiFold(w.name) == asciiFold(name) {
				taken = true
			}
		}
		if !taken {
			staged, other, err := nameUse(ctx, tx, name)
			if err != nil {
				return nil, err
			}
			switch {
			case staged != "":
				kept, err = relationshipsOf(ctx, tx, staged)
				if err != nil {
					return nil, err
				}
				if _, err := tx.ExecContext(ctx, `DROP TABLE `+QuoteIdent(staged)); err != nil {
					return nil, fmt.Errorf("replacing %s: %w", staged, err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_tables WHERE name = ?`, staged); err != nil {
					return nil, fmt.Errorf("replacing %s: %w", staged, err)
				}
				replaced = true
			case other:
				taken = true
			}
		}
		if !taken {
			break
		}
		name = base + "_" + strconv.Itoa(n)
	}
	cols := ColumnNames(spec.Columns)

	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE " + QuoteIdent(name) + " (\n  " + QuoteIdent(ColRow) + " INTEGER PRIMARY KEY,\n  " +
		QuoteIdent(ColLine) + " INTEGER NOT NULL,\n  " + QuoteIdent(ColFlags) + " INTEGER NOT NULL DEFAULT 0,\n  " +
		QuoteIdent(ColOverflow) + " TEXT")
	for _, c := range cols {
		ddl.WriteString(",\n  " + QuoteIdent(c) + " TEXT")
	}
	ddl.WriteString("\n) STRICT")
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return nil, fmt.Errorf("creating table %s: %w", name, err)
	}
	opts, _ := json.Marshal(src.Options)
	if src.Options == nil {
		opts = []byte("{}")
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO ferry_sources(path, file_name, sha256, size, format, encoding, delimiter,
		sheet, header_row, skipped_lines, options, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		src.Path, src.FileName, src.SHA256, src.Size, src.Format, src.Encoding, src.Delimiter, src.Sheet,
		src.HeaderRow, src.SkippedLines, string(opts), k.now, k.who)
	if err != nil {
		return nil, fmt.Errorf("registering %s: %w", src.FileName, err)
	}
	sourceID, _ := r.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_tables(name, source_id, source_name, created_at) VALUES (?,?,?,?)`,
		name, sourceID, spec.Name, k.now); err != nil {
		return nil, fmt.Errorf("registering table %s: %w", name, err)
	}
	for i, c := range cols {
		orig := ""
		if i < len(spec.Columns) {
			orig = spec.Columns[i]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_columns(table_name, ord, name, source_name) VALUES (?,?,?,?)`,
			name, i+1, c, orig); err != nil {
			return nil, fmt.Errorf("registering the columns of %s: %w", name, err)
		}
	}
	if err := restoreRelationships(ctx, tx, kept); err != nil {
		return nil, err
	}
	if k.issue == nil {
		k.issue, err = tx.PrepareContext(ctx, `INSERT INTO ferry_import_issues(source_id, table_name, file, sheet, line,
			col, column_name, kind, message) VALUES (?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return nil, err
		}
	}
	w := &tableWriter{k: k, ctx: ctx, name: name, requested: spec.Name, cols: cols, src: src, sourceID: sourceID,
		replaced: replaced, kinds: map[string]int64{}}
	w.width = 3 + len(cols)
	w.batch = sqliteMaxVars / w.width
	w.batch = min(w.batch, maxBatchRows)
	w.args = make([]driver.NamedValue, w.batch*w.width)
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	k.writers = append(k.writers, w)
	return w, nil
}

// nameUse says whether name is a staged table (its stored name) or another object in the file.
func nameUse(ctx context.Context, tx *sql.Tx, name string) (staged string, other bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT name FROM ferry_tables WHERE name = ?`, name).Scan(&staged)
	if err == nil {
		return staged, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("looking up table %s: %w", name, err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = ? COLLATE NOCASE`, name).Scan(&n); err != nil {
		return "", false, fmt.Errorf("looking up table %s: %w", name, err)
	}
	return "", n > 0, nil
}

// tableWriter writes the rows of one table with a prepared multi-row INSERT.
type tableWriter struct {
	k         *importSink
	ctx       context.Context
	name      string
	requested string
	cols      []string
	src       SourceInfo
	sourceID  int64
	replaced  bool

	width int // parameters per row
	batch int // rows per full statement
	stmt  driver.Stmt
	args  []driver.NamedValue
	n     int // rows waiting in args

	rows, flagged, issues int64
	kinds                 map[string]int64
	err                   error
	closed                bool
}

func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + QuoteIdent(table) + " (" + QuoteIdent(ColLine) + ", " + QuoteIdent(ColFlags) + ", " + QuoteIdent(ColOverflow))
	for _, c := range cols {
		b.WriteString(", " + QuoteIdent(c))
	}
	b.WriteString(") VALUES ")
	one := "(?" + strings.Repeat(",?", 2+len(cols)) + ")"
	b.Grow(rows * (len(one) + 1))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

// Write implements TableWriter. Cells are kept as given (strings are immutable, so the importer
// may reuse its Cells slice).
func (w *tableWriter) Write(r Row) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("table %s: write after close", w.name)
	}
	a := w.args[w.n*w.width : (w.n+1)*w.width]
	a[0].Value = r.Line
	a[1].Value = int64(r.Flags)
	if len(r.Overflow) > 0 {
		b, _ := json.Marshal(r.Overflow)
		a[2].Value = string(b)
	} else {
		a[2].Value = nil
	}
	cells := a[3:]
	for i := range cells {
		switch {
		case i >= len(r.Cells):
			cells[i].Value = ""
		case i < len(r.Nulls) && r.Nulls[i]:
			cells[i].Value = nil
		default:
			cells[i].Value = r.Cells[i]
		}
	}
	w.rows++
	if r.Flags != 0 {
		w.flagged++
	}
	w.n++
	if w.n == w.batch {
		return w.flush()
	}
	return nil
}

func (w *tableWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	var err error
	stmt := w.stmt
	if w.n == w.batch && stmt == nil {
		// prepared once, reused for every full batch
		if w.stmt, err = w.k.prepare(insertSQL(w.name, w.cols, w.batch)); err != nil {
			w.err = fmt.Errorf("staging %s: %w", w.name, err)
			return w.err
		}
		stmt = w.stmt
	} else if w.n < w.batch {
		// the last, shorter batch
		if stmt, err = w.k.prepare(insertSQL(w.name, w.cols, w.n)); err != nil {
			w.err = fmt.Errorf("staging %s: %w", w.name, err)
			return w.err
		}
		defer w.k.closeStmt(stmt)
	}
	if err := w.k.exec(stmt, w.args[:w.n*w.width]); err != nil {
		if w.k.ctx.Err() != nil {
			w.err = w.k.ctx.Err()
		} else {
			w.err = fmt.Errorf("staging %s, rows %d to %d: %w", w.name, w.rows-int64(w.n)+1, w.rows, err)
		}
		return w.err
	}
	w.n = 0
	return nil
}

// Issue implements TableWriter.
func (w *tableWriter) Issue(i Issue) {
	if w.err != nil {
		return
	}
	w.issues++
	w.kinds[i.Kind]++
	if w.kinds[i.Kind] > maxIssuesPerKind {
		return
	}
	w.storeIssue(i)
}

func (w *tableWriter) storeIssue(i Issue) {
	if i.File == "" {
		i.File = w.src.FileName
	}
	if i.Sheet == "" {
		i.Sheet = w.src.Sheet
	}
	if _, err := w.k.issue.ExecContext(w.ctx, w.sourceID, w.name, i.File, i.Sheet, i.Line, i.Column, i.ColumnName,
		i.Kind, i.Message); err != nil {
		w.err = fmt.Errorf("recording an issue in %s: %w", w.name, err)
	}
}

// Close implements TableWriter: the last rows are written and the counts registered. The rows
// stay part of the import's transaction.
func (w *tableWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.flush(); err != nil {
		return err
	}
	kinds := make([]string, 0, len(w.kinds))
	for k := range w.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if n := w.kinds[k]; n > maxIssuesPerKind {
			w.storeIssue(Issue{Kind: k, Message: fmt.Sprintf("%d more issues of this kind are not listed one by one; their rows are flagged in %s",
				n-maxIssuesPerKind, ColFlags)})
		}
	}
	if w.err != nil {
		return w.err
	}
	if _, err := w.k.tx.ExecContext(w.ctx, `UPDATE ferry_tables SET rows = ?, flagged_rows = ?, issues = ? WHERE name = ?`,
		w.rows, w.flagged, w.issues, w.name); err != nil {
		w.err = fmt.Errorf("registering table %s: %w", w.name, err)
	}
	return w.err
}

func (w *tableWriter) release() {
	if w.stmt != nil {
		w.k.closeStmt(w.stmt)
		w.stmt = nil
	}
}

func (w *tableWriter) result() TableResult {
	kinds := make(map[string]int64, len(w.kinds))
	for k, v := range w.kinds {
		kinds[k] = v
	}
	return TableResult{Name: w.name, SourceName: w.requested, SourceID: w.sourceID, Source: w.src,
		Columns: append([]string(nil), w.cols...), Rows: w.rows, FlaggedRows: w.flagged, Issues: w.issues,
		IssueKinds: kinds, Replaced: w.replaced}
}

// asciiFold lowers ASCII letters only, as SQLite does when it compares names.
func asciiFold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// cleanTableName keeps the name as the user sees it, less NUL bytes and surrounding space; names
// SQLite or Ferry reserve (sqlite_…, ferry_…) get a "src_" prefix.
func cleanTableName(name string) string {
	name = strings.TrimSpace(strings.ReplaceAll(name, "\x00", ""))
	f := asciiFold(name)
	if strings.HasPrefix(f, "sqlite_") || strings.HasPrefix(f, "ferry_") || strings.HasPrefix(f, "_ferry_") {
		name = "src_" + name
	}
	return name
}

// ColumnNames turns header texts into column names: exactly the header where possible; a blank
// header becomes column_N, a repeated one Name_2 (SQLite compares names ignoring ASCII case), and
// a name that starts like Ferry's own columns (_ferry_…) loses its leading underscores.
func ColumnNames(headers []string) []string {
	out := make([]string, len(headers))
	used := make(map[string]bool, len(headers))
	wanted := make(map[string]int, len(headers))
	clean := make([]string, len(headers))
	for i, h := range headers {
		// Control characters (a line break in a spreadsheet header, ESC from a crafted file) would
		// reach terminals and file names: each run of them becomes one space.
		h = strings.Join(strings.FieldsFunc(h, unicode.IsControl), " ")
		if strings.TrimSpace(h) == "" {
			h = "column_" + strconv.Itoa(i+1)
		}
		if strings.HasPrefix(asciiFold(h), "_ferry_") {
			h = strings.TrimLeft(h, "_")
		}
		clean[i] = h
		wanted[asciiFold(h)]++
	}
	for i, h := range clean {
		name := h
		if used[asciiFold(name)] {
			// Name_2, Name_3 ... skipping names another header has
			for n := 2; ; n++ {
				name = h + "_" + strconv.Itoa(n)
				if f := asciiFold(name); !used[f] && wanted[f] == 0 {
					break
				}
			}
		}
		used[asciiFold(name)] = true
		out[i] = name
	}
	return out
}

// TableInfo describes a staged table.
type TableInfo struct {
	Name        string     `json:"name"`
	SourceName  string     `json:"source_name"`
	Rows        int64      `json:"rows"`
	FlaggedRows int64      `json:"flagged_rows"`
	Issues      int64      `json:"issues"`
	KeyColumn   string     `json:"key_column,omitempty"`
	Columns     []Column   `json:"columns"`
	Source      SourceInfo `json:"source"`
	SourceID    int64      `json:"source_id"`
	ImportedAt  string     `json:"imported_at"`
	ImportedBy  string     `json:"imported_by"`
}

// Column is one user column of a staged table.
type Column struct {
	Name       string `json:"name"`        // the SQLite column name
	SourceName string `json:"source_name"` // the header as it was in the file
}

// Tables lists the staged tables in the order they were imported.
func (s *Stager) Tables(ctx context.Context) ([]TableInfo, error) {
	return s.tables(ctx, "")
}

// Describe returns one staged table, or ErrNoTable.
func (s *Stager) Describe(ctx context.Context, name string) (TableInfo, error) {
	ts, err := s.tables(ctx, name)
	if err != nil {
		return TableInfo{}, err
	}
	if len(ts) == 0 {
		return TableInfo{}, fmt.Errorf("%s: %w", name, ErrNoTable)
	}
	return ts[0], nil
}

func (s *Stager) tables(ctx context.Context, only string) ([]TableInfo, error) {
	db := s.p.Reader()
	q := `SELECT t.name, t.source_name, t.rows, t.flagged_rows, t.issues, t.key_column, s.id, s.path, s.file_name,
		s.sha256, s.size, s.format, s.encoding, s.delimiter, s.sheet, s.header_row, s.skipped_lines, s.options,
		s.imported_at, s.imported_by
		FROM ferry_tables t JOIN ferry_sources s ON s.id = t.source_id`
	var args []any
	if only != "" {
		q += ` WHERE t.name = ?`
		args = append(args, only)
	}
	q += ` ORDER BY s.id, t.name`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing staged tables: %w", err)
	}
	defer rows.Close()
	var out []TableInfo
	for rows.Next() {
		var t TableInfo
		var opts string
		if err := rows.Scan(&t.Name, &t.SourceName, &t.Rows, &t.FlaggedRows, &t.Issues, &t.KeyColumn, &t.SourceID,
			&t.Source.Path, &t.Source.FileName, &t.Source.SHA256, &t.Source.Size, &t.Source.Format, &t.Source.Encoding,
			&t.Source.Delimiter, &t.Source.Sheet, &t.Source.HeaderRow, &t.Source.SkippedLines, &opts,
			&t.ImportedAt, &t.ImportedBy); err != nil {
			return nil, fmt.Errorf("listing staged tables: %w", err)
		}
		if opts != "" && opts != "{}" {
			_ = json.Unmarshal([]byte(opts), &t.Source.Options)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing staged tables: %w", err)
	}
	rows.Close()
	for i := range out {
		if out[i].Columns, err = s.columns(ctx, db, out[i].Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Columns lists the user columns of a staged table in order.
func (s *Stager) Columns(ctx context.Context, table string) ([]Column, error) {
	cols, err := s.columns(ctx, s.p.Reader(), table)
	if err == nil && len(cols) == 0 {
		return nil, fmt.Errorf("%s: %w", table, ErrNoTable)
	}
	return cols, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Stager) columns(ctx context.Context, db querier, table string) ([]Column, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, source_name FROM ferry_columns WHERE table_name = ? ORDER BY ord`, table)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.SourceName); err != nil {
			return nil, fmt.Errorf("reading the columns of %s: %w", table, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Page is a window of a staged table's rows, for the virtualized grid.
type Page struct {
	Table   string    `json:"table"`
	Columns []string  `json:"columns"`
	Total   int64     `json:"total"`
	Offset  int64     `json:"offset"`
	Rows    []PageRow `json:"rows"`
}

// PageRow is one staged row with its provenance.
type PageRow struct {
	ID       int64    `json:"id"`   // _ferry_row
	Line     int64    `json:"line"` // line or record number in the source
	Flags    Flag     `json:"flags,omitempty"`
	Cells    []string `json:"cells"`
	Nulls    []bool   `json:"nulls,omitempty"` // set only when some cell is a real NULL
	Overflow []string `json:"overflow,omitempty"`
}

// Page reads limit rows from offset (0-based, in import order) from the read pool.
func (s *Stager) Page(ctx context.Context, table string, offset, limit int64) (Page, error) {
	t, err := s.Describe(ctx, table)
	if err != nil {
		return Page{}, err
	}
	pg := Page{Table: t.Name, Total: t.Rows, Offset: offset}
	for _, c := range t.Columns {
		pg.Columns = append(pg.Columns, c.Name)
	}
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		return pg, nil
	}
	db := s.p.Reader()
	var sel strings.Builder
	sel.WriteString("SELECT " + QuoteIdent(ColRow) + ", " + QuoteIdent(ColLine) + ", " + QuoteIdent(ColFlags) + ", " + QuoteIdent(ColOverflow))
	for _, c := range pg.Columns {
		sel.WriteString(", " + QuoteIdent(c))
	}
	sel.WriteString(" FROM " + QuoteIdent(t.Name))
	// Rows are numbered 1..n at import; while nothing was deleted a page is a rowid range, which
	// stays fast at the end of a million rows where OFFSET would scan them all.
	var maxID sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max("+QuoteIdent(ColRow)+") FROM "+QuoteIdent(t.Name)).Scan(&maxID); err != nil {
		return pg, fmt.Errorf("reading %s: %w", t.Name, err)
	}
	var args []any
	if maxID.Int64 == t.Rows {
		sel.WriteString(" WHERE " + QuoteIdent(ColRow) + " > ? ORDER BY " + QuoteIdent(ColRow) + " LIMIT ?")
		args = []any{offset, limit}
	} else {
		sel.WriteString(" ORDER BY " + QuoteIdent(ColRow) + " LIMIT ? OFFSET ?")
		args = []any{limit, offset}
	}
	rows, err := db.QueryContext(ctx, sel.String(), args...)
	if err != nil {
		return pg, fmt.Errorf("reading %s: %w", t.Name, err)
	}
	defer rows.Close()
	n := len(pg.Columns)
	vals := make([]sql.NullString, n)
	dest := make([]any, 4+n)
	var r PageRow
	var overflow sql.NullString
	dest[0], dest[1], dest[2], dest[3] = &r.ID, &r.Line, &r.Flags, &overflow
	for i := range vals {
		dest[4+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return pg, fmt.Errorf("reading %s: %w", t.Name, err)
		}
		row := PageRow{ID: r.ID, Line: r.Line, Flags: r.Flags, Cells: make([]string, n)}
		for i, v := range vals {
			row.Cells[i] = v.String
			if !v.Valid {
				if row.Nulls == nil {
					row.Nulls = make([]bool, n)
				}
				row.Nulls[i] = true
			}
		}
		if overflow.Valid {
			_ = json.Unmarshal([]byte(overflow.String), &row.Overflow)
		}
		pg.Rows = append(pg.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return pg, fmt.Errorf("reading %s: %w", t.Name, err)
	}
	return pg, nil
}

// Issues lists what the importer reported for table ("" = every table), in line order.
// limit <= 0 means all.
func (s *Stager) Issues(ctx context.Context, table string, offset, limit int64) ([]Issue, error) {
	q := `SELECT file, sheet, line, col, column_name, kind, message FROM ferry_import_issues`
	var args []any
	if table != "" {
		q += ` WHERE table_name = ?`
		args = append(args, table)
	}
	q += ` ORDER BY table_name, line, id`
	if limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, limit, offset)
	}
	rows, err := s.p.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading import issues: %w", err)
	}
	defer rows.Close()
	var out []Issue
	for rows.Next() {
		var i Issue
		if err := rows.Scan(&i.File, &i.Sheet, &i.Line, &i.Column, &i.ColumnName, &i.Kind, &i.Message); err != nil {
			return nil, fmt.Errorf("reading import issues: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Rename gives a staged table a new name; every reference to it in the registry follows.
func (s *Stager) Rename(ctx context.Context, from, to string) error {
	to = strings.TrimSpace(strings.ReplaceAll(to, "\x00", ""))
	if to == "" || cleanTableName(to) != to {
		return fmt.Errorf("renaming %s to %q: names may not be blank or start with sqlite_ or ferry_: %w", from, to, ErrBadName)
	}
	return s.p.Do(ctx, "table.rename", map[string]any{"from": from, "to": to}, nil, func(tx *sql.Tx) error {
		staged, _, err := nameUse(ctx, tx, from)
		if err != nil {
			return err
		}
		if staged == "" {
			return fmt.Errorf("renaming %s: %w", from, ErrNoTable)
		}
		if staged == to {
			return nil
		}
		if asciiFold(staged) != asciiFold(to) {
			if s2, other, err := nameUse(ctx, tx, to); err != nil {
				return err
			} else if s2 != "" || other {
				return fmt.Errorf("renaming %s to %s: %w", from, to, ErrNameTaken)
			}
		}
		// SQLite will not rename to a name that differs only in case: go through a temporary one.
		tmp := staged
		if asciiFold(staged) == asciiFold(to) {
			tmp = "ferry_renaming_" + strconv.FormatInt(time.Now().UnixNano(), 36)
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+QuoteIdent(staged)+` RENAME TO `+QuoteIdent(tmp)); err != nil {
				return fmt.Errorf("renaming %s: %w", from, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+QuoteIdent(tmp)+` RENAME TO `+QuoteIdent(to)); err != nil {
			return fmt.Errorf("renaming %s to %s: %w", from, to, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_tables SET name = ? WHERE name = ?`, to, staged); err != nil {
			return fmt.Errorf("renaming %s to %s: %w", from, to, err)
		}
		return nil
	})
}

// SetKey records which column identifies a row of table ("" clears it). The key is what
// relationships point at and what duplicate checks use.
func (s *Stager) SetKey(ctx context.Context, table, column string) error {
	return s.p.Do(ctx, "table.set_key", map[string]any{"table": table, "column": column}, nil, func(tx *sql.Tx) error {
		staged, _, err := nameUse(ctx, tx, table)
		if err != nil {
			return err
		}
		if staged == "" {
			return fmt.Errorf("setting the key of %s: %w", table, ErrNoTable)
		}
		if column != "" {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM ferry_columns WHERE table_name = ? AND name = ?`, staged, column).Scan(&column); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("setting the key of %s to %s: %w", table, column, ErrNoColumn)
				}
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE ferry_tables SET key_column = ? WHERE name = ?`, column, staged)
		return err
	})
}

// Drop removes a staged table and what the registry knows about it (its source rows stay, as
// history). The custody log records it.
func (s *Stager) Drop(ctx context.Context, table string) error {
	return s.p.Do(ctx, "table.drop", map[string]any{"table": table}, nil, func(tx *sql.Tx) error {
		staged, _, err := nameUse(ctx, tx, table)
		if err != nil {
			return err
		}
		if staged == "" {
			return fmt.Errorf("removing %s: %w", table, ErrNoTable)
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+QuoteIdent(staged)); err != nil {
			return fmt.Errorf("removing %s: %w", table, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM ferry_tables WHERE name = ?`, staged)
		return err
	})
}

// Advice says what an error from this package means for a person, or "".
func Advice(err error) string {
	switch {
	case errors.Is(err, ErrNoTable):
		return "There is no table by that name in the project. Run 'ferry tables' (or look in Sources) for the names."
	case errors.Is(err, ErrNoColumn):
		return "That table has no column by that name. Column names are as in the file's header row."
	case errors.Is(err, ErrNameTaken):
		return "Another table already has that name. Choose a different name."
	case errors.Is(err, ErrBadName):
		return "Choose a name that is not blank and does not start with sqlite_ or ferry_."
	case errors.Is(err, ErrNothing):
		return "The file has no rows and no header. Check that it is the right file, exported completely."
	case errors.Is(err, ErrTooWide):
		return "Export fewer columns from the old system, or split the file into two."
	}
	return ""
}
