package importers

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/ferry-migrate/ferry/app/staging"
)

// sqliteImporter reads a SQLite database file from an old system: every table (or those named in
// Options.Tables; views only when named) becomes a staged table of the same name.
//
// The user's file is never changed: it is opened read-only and immutable, so SQLite takes no
// locks and writes no journal, WAL or shared-memory file beside it. When the file has a -wal or
// hot -journal beside it (its newest data may live there), the database and that file are copied
// to a temporary folder and the copy is opened instead, so SQLite can fold them together without
// touching the original.
//
// Values: INTEGER and TEXT as SQLite stores them; REAL in Go's shortest exact form with ".0" kept
// on whole numbers (as SQLite prints them); NULL as a real NULL (Row.Nulls); BLOB as standard
// base64 text, with SourceInfo.Options["blob_encoding"] = "base64" and an issue naming each
// column that held binary data. Row.Line is the row's rowid (so a person can find it with
// SELECT ... WHERE rowid = N), or its position for WITHOUT ROWID tables.
//
// A Ferry project file (application_id "FRRY") is refused: it is not a source.
type sqliteImporter struct{}

func init() { register(sqliteImporter{}) }

const sqliteMaxIssues = 50

func (sqliteImporter) Format() string { return "sqlite" }

func (sqliteImporter) Probe(head []byte, name string) int {
	if !bytes.HasPrefix(head, magicSQLite) || isFerryProjectHead(head) {
		return 0
	}
	return 100
}

type sqliteTable struct {
	name, kind string
	virtual    bool
}

// Import stages the database's tables.
func (sqliteImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if err := sqliteCheckHeader(path, name); err != nil {
		return err
	}

	open := path
	query := "mode=ro&immutable=1"
	var note string
	if tmp, copied, err := sqliteCopyIfHot(ctx, path); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	} else if tmp != "" {
		defer os.RemoveAll(tmp)
		open = filepath.Join(tmp, filepath.Base(path))
		query = "mode=rw"
		note = fmt.Sprintf("the database had a %s file beside it holding recent changes; Ferry read a copy of both, so those changes are included and the original files were not touched", copied)
	}
	abs, err := filepath.Abs(open)
	if err != nil {
		abs = open
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: query +
		"&_pragma=trusted_schema(0)&_pragma=query_only(1)"}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // C:/... on Windows
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return sqliteError(name, "opening the database", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return sqliteError(name, "opening the database", err)
	}
	defer conn.Close()

	all, err := sqliteTables(ctx, conn)
	if err != nil {
		return sqliteError(name, "listing its tables", err)
	}
	chosen, skipped, err := sqliteChoose(name, all, opts.Tables)
	if err != nil {
		return err
	}
	if len(chosen) == 0 {
		return fmt.Errorf("%s: the database has no tables, so there is nothing to import", name)
	}

	run := &sqliteRun{ctx: ctx, conn: conn, name: name, size: st.Size(), sink: sink,
		prog: &progressEvery{fn: progress, every: 1000}}
	for _, t := range chosen {
		var n int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+sqliteQuote(t.name)).Scan(&n); err != nil {
			return sqliteError(name, fmt.Sprintf("counting the rows of %q", t.name), err)
		}
		run.total += n
	}
	var notes []staging.Issue
	if note != "" {
		notes = append(notes, staging.Issue{File: name, Kind: "wal", Message: note})
	}
	for _, t := range skipped {
		notes = append(notes, staging.Issue{File: name, Kind: "skipped_table",
			Message: fmt.Sprintf("the virtual table %q (a full-text index or similar) was not staged; its data is in the ordinary tables that back it", t.name)})
	}
	for i, t := range chosen {
		table := t.name
		if opts.Table != "" && len(chosen) == 1 {
			table = opts.Table
		}
		var first []staging.Issue
		if i == 0 {
			first = notes
		}
		if err := run.table(t, table, first); err != nil {
			return err
		}
	}
	run.prog.report(run.size, run.size, run.rows, true)
	return nil
}

// sqliteCheckHeader refuses what is not a SQLite database, and Ferry's own project files.
func sqliteCheckHeader(path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	head := make([]byte, 100)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	if isFerryProjectHead(head) {
		return recognizeUnsupported(path)
	}
	if !bytes.HasPrefix(head, magicSQLite) {
		return fmt.Errorf("%s: this is not a SQLite database (it does not start with SQLite's header); it may be encrypted, damaged or another kind of file. Export the data from the old system as CSV instead", name)
	}
	if n >= 100 && binary.BigEndian.Uint16(head[16:18]) != 1 && binary.BigEndian.Uint16(head[16:18])&(binary.BigEndian.Uint16(head[16:18])-1) != 0 {
		return fmt.Errorf("%s: the database header is damaged (impossible page size). Make a fresh copy from the old system and add it again", name)
	}
	return nil
}

// sqliteCopyIfHot copies the database and its -wal or -journal file to a temporary folder when
// either exists and is not empty. It returns the folder ("" when there is nothing to copy).
func sqliteCopyIfHot(ctx context.Context, path string) (dir, which string, err error) {
	var side []string
	for _, suffix := range []string{"-wal", "-journal"} {
		if fi, err := os.Stat(path + suffix); err == nil && fi.Size() > 0 {
			side = append(side, suffix)
		}
	}
	if len(side) == 0 {
		return "", "", nil
	}
	dir, err = os.MkdirTemp("", "ferry-sqlite-")
	if err != nil {
		return "", "", fmt.Errorf("making a temporary copy: %w", err)
	}
	copyFile := func(from, to string) error {
		in, err := os.Open(from)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, sqliteCtxReader{ctx, in}); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	base := filepath.Join(dir, filepath.Base(path))
	if err := copyFile(path, base); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("making a temporary copy: %w", err)
	}
	for _, suffix := range side {
		if err := copyFile(path+suffix, base+suffix); err != nil {
			os.RemoveAll(dir)
			return "", "", fmt.Errorf("making a temporary copy: %w", err)
		}
	}
	return dir, strings.Join(side, " and "), nil
}

type sqliteCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c sqliteCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func sqliteTables(ctx context.Context, conn *sql.Conn) ([]sqliteTable, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, type, coalesce(sql, '') FROM sqlite_schema
		WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sqliteTable
	for rows.Next() {
		var t sqliteTable
		var ddl string
		if err := rows.Scan(&t.name, &t.kind, &ddl); err != nil {
			return nil, err
		}
		t.virtual = strings.HasPrefix(strings.ToUpper(strings.TrimSpace(ddl)), "CREATE VIRTUAL")
		out = append(out, t)
	}
	return out, rows.Err()
}

// sqliteChoose picks the tables to stage: all ordinary tables, or the ones asked for.
func sqliteChoose(name string, all []sqliteTable, want []string) (chosen, skipped []sqliteTable, err error) {
	if len(want) == 0 {
		for _, t := range all {
			switch {
			case t.kind != "table":
			case t.virtual:
				skipped = append(skipped, t)
			default:
				chosen = append(chosen, t)
			}
		}
		return chosen, skipped, nil
	}
	for _, w := range want {
		found := -1
		for i, t := range all {
			if t.name == w {
				found = i
			}
		}
		for i, t := range all {
			if found < 0 && strings.EqualFold(t.name, w) {
				found = i
			}
		}
		if found < 0 {
			names := make([]string, 0, len(all))
			for _, t := range all {
				names = append(names, t.name)
			}
			return nil, nil, fmt.Errorf("%s: there is no table %q in this database; it has %s", name, w, xlsxQuoteList(names))
		}
		chosen = append(chosen, all[found])
	}
	return chosen, nil, nil
}

type sqliteRun struct {
	ctx   context.Context
	conn  *sql.Conn
	name  string
	size  int64
	sink  staging.Sink
	prog  *progressEvery
	total int64
	done  int64
	rows  int64
}

type sqliteColumn struct {
	name, decl string
}

func (run *sqliteRun) table(t sqliteTable, table string, notes []staging.Issue) error {
	ctx, name := run.ctx, run.name
	cols, err := sqliteColumns(ctx, run.conn, t.name)
	if err != nil {
		return sqliteError(name, fmt.Sprintf("reading the columns of %q", t.name), err)
	}
	rowid := ""
	if t.kind == "table" && !t.virtual {
		var wr int
		err := run.conn.QueryRowContext(ctx, `SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`, t.name).Scan(&wr)
		if err == nil && wr == 0 {
			taken := map[string]bool{}
			for _, c := range cols {
				taken[strings.ToLower(c.name)] = true
			}
			for _, alias := range []string{"rowid", "_rowid_", "oid"} {
				if !taken[alias] {
					rowid = alias
					break
				}
			}
		}
	}
	names := make([]string, len(cols))
	exprs := make([]string, 0, len(cols)+1)
	if rowid != "" {
		exprs = append(exprs, rowid)
	}
	for i, c := range cols {
		names[i] = c.name
		// "+col" is the same value without the column's declared type, so the driver does not
		// turn DATE/TIMESTAMP text into time values.
		exprs = append(exprs, "+"+sqliteQuote(c.name))
	}
	src := staging.SourceInfo{FileName: name, Format: "sqlite", Encoding: "utf-8", HeaderRow: true,
		Options: map[string]string{"table": t.name, "blob_encoding": "base64"}}
	if t.kind == "view" {
		src.Options["view"] = "true"
	}
	if len(cols) == 0 {
		return fmt.Errorf("%s: the table %q has no columns Ferry can read", name, t.name)
	}
	w, err := run.sink.Table(ctx, staging.TableSpec{Name: table, Columns: names, Source: src})
	if err != nil {
		return stagingError(name, table, err)
	}
	for _, is := range notes {
		w.Issue(is)
	}
	q := `SELECT ` + strings.Join(exprs, ", ") + ` FROM ` + sqliteQuote(t.name)
	if rowid != "" {
		q += ` ORDER BY ` + rowid
	}
	rows, err := run.conn.QueryContext(ctx, q)
	if err != nil {
		return sqliteError(name, fmt.Sprintf("reading the table %q", t.name), err)
	}
	defer rows.Close()

	n := len(cols)
	vals := make([]any, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cells := make([]string, n)
	nulls := make([]bool, n)
	blobSeen := make([]bool, n)
	issues := map[string]int{}
	issue := func(is staging.Issue) {
		issues[is.Kind]++
		switch c := issues[is.Kind]; {
		case c <= sqliteMaxIssues:
			w.Issue(is)
		case c == sqliteMaxIssues+1:
			w.Issue(staging.Issue{File: name, Line: is.Line, Kind: is.Kind,
				Message: fmt.Sprintf("more rows have the same problem (%s); only the first %d are listed, the rows themselves are flagged", is.Kind, sqliteMaxIssues)})
		}
	}
	var pos int64
	for rows.Next() {
		pos++
		if pos%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			return sqliteError(name, fmt.Sprintf("reading row %d of %q", pos, t.name), err)
		}
		line := pos
		vs := vals
		if rowid != "" {
			if id, ok := vals[0].(int64); ok {
				line = id
			}
			vs = vals[1:]
		}
		var flags staging.Flag
		for i, v := range vs {
			cells[i], nulls[i] = "", false
			switch v := v.(type) {
			case nil:
				nulls[i] = true
			case int64:
				cells[i] = strconv.FormatInt(v, 10)
			case float64:
				cells[i] = sqliteReal(v)
			case []byte:
				cells[i] = base64.StdEncoding.EncodeToString(v)
				if !blobSeen[i] {
					blobSeen[i] = true
					w.Issue(staging.Issue{File: name, Line: line, Column: i + 1, ColumnName: names[i], Kind: "binary",
						Message: fmt.Sprintf("the column %q holds binary data (BLOB), for example in the row with rowid %d; Ferry staged it as base64 text", names[i], line)})
				}
			case string:
				s := v
				if strings.IndexByte(s, 0) >= 0 {
					s = strings.ReplaceAll(s, "\x00", "")
					flags |= staging.FlagNUL
					issue(staging.Issue{File: name, Line: line, Column: i + 1, ColumnName: names[i], Kind: "nul_byte",
						Message: fmt.Sprintf("row %d, column %q: a NUL byte was removed from the text", line, names[i])})
				}
				if !utf8.ValidString(s) {
					s = strings.ToValidUTF8(s, "\uFFFD")
					flags |= staging.FlagInvalidBytes
					issue(staging.Issue{File: name, Line: line, Column: i + 1, ColumnName: names[i], Kind: "invalid_bytes",
						Message: fmt.Sprintf("row %d, column %q: the text has bytes that are not valid UTF-8; they were replaced by �", line, names[i])})
				}
				cells[i] = s
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		if err := w.Write(staging.Row{Line: line, Cells: cells, Nulls: nulls, Flags: flags}); err != nil {
			return stagingError(name, table, err)
		}
		run.rows++
		run.done++
		if run.total > 0 {
			run.prog.report(run.size*min(run.done, run.total)/run.total, run.size, run.rows, false)
		}
	}
	if err := rows.Err(); err != nil {
		return sqliteError(name, fmt.Sprintf("reading the table %q", t.name), err)
	}
	return w.Close()
}

func sqliteColumns(ctx context.Context, conn *sql.Conn, table string) ([]sqliteColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, type, hidden FROM pragma_table_xinfo(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sqliteColumn
	for rows.Next() {
		var c sqliteColumn
		var hidden int
		if err := rows.Scan(&c.name, &c.decl, &hidden); err != nil {
			return nil, err
		}
		if hidden == 1 { // hidden columns of virtual tables
			continue
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// sqliteReal prints a REAL exactly (shortest round-trip form), keeping ".0" on whole numbers.
func sqliteReal(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	var s string
	if a := math.Abs(f); a != 0 && (a >= 1e21 || a < 1e-7) {
		s = strconv.FormatFloat(f, 'g', -1, 64)
	} else {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func sqliteQuote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// sqliteError says what failed in words a person can act on.
func sqliteError(name, doing string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "file is not a database"), strings.Contains(msg, "file is encrypted"):
		return fmt.Errorf("%s: %s failed: the file is not a readable SQLite database; it may be encrypted (password protected) or damaged (%v). Ask whoever supports the old system for an unencrypted copy or a CSV export", name, doing, err)
	case strings.Contains(msg, "malformed"), strings.Contains(msg, "corrupt"):
		return fmt.Errorf("%s: %s failed: the database is damaged (%v). Make a fresh copy from the old system; if that fails too, the sqlite3 tool's .recover command can often rescue the data", name, doing, err)
	case strings.Contains(msg, "no such module"):
		return fmt.Errorf("%s: %s failed: the table needs a SQLite extension Ferry does not have (%v). Leave that table out (choose the other tables) or export it as CSV", name, doing, err)
	}
	return fmt.Errorf("%s: %s failed: %w", name, doing, err)
}
