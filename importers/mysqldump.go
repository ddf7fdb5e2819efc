package importers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"

	"github.com/ferry-migrate/ferry/app/staging"
)

// mysqlDumpImporter reads a mysqldump (or MariaDB dump, or phpMyAdmin SQL export) without a MySQL
// server: a streaming tokenizer reads each statement once, in order.
//
//   - CREATE TABLE gives a staged table its columns, in their order (constraints such as PRIMARY
//     KEY, KEY, FOREIGN KEY are not columns; the primary key is recorded in
//     SourceInfo.Options["primary_key"]). A table created but never filled is staged empty.
//   - INSERT INTO … VALUES (…),(…); (also REPLACE, INSERT IGNORE, and an explicit column list)
//     gives its rows. An INSERT for a table the dump never created takes its column names from
//     its column list, or column_1, column_2 … when it has none.
//   - Strings: MySQL's escapes (\' \" \\ \n \r \t \b \0 \Z, ” doubling) are undone; a NUL byte is
//     removed and the row flagged (as the other importers do); bytes that are not UTF-8 are read in
//     Options.Encoding when given, otherwise replaced by U+FFFD and flagged.
//   - NULL is a real NULL (Row.Nulls), its cell empty, as the SQLite and JSON importers store it.
//   - Binary values (_binary '…', 0x… and X'…' literals, as --hex-blob writes them) are staged as
//     standard base64 text, as the SQLite importer stages BLOBs: SourceInfo.Options["blob_encoding"]
//     is "base64" and an issue names each column that held binary data.
//   - Numbers and anything else (an expression such as NOW()) are kept as written.
//   - Comments (-- , #, /* */ including /*!40101 … */), LOCK/UNLOCK, SET, DROP, USE, ALTER and
//     DELIMITER blocks (triggers, routines) are read past.
//
// Row.Line is the line of the dump where the row's "(" is. Several tables in one dump are several
// staged tables; Options.Tables restricts the import to the named ones. A dump cut short keeps the
// rows read so far, the last one flagged, and says so.
type mysqlDumpImporter struct{}

func init() { register(mysqlDumpImporter{}) }

const mysqlMaxIssues = 50

func (mysqlDumpImporter) Format() string { return "mysqldump" }

// Probe is sure of a .sql file that looks like SQL text, and of any text whose first statements
// are a dump's.
func (mysqlDumpImporter) Probe(head []byte, name string) int {
	if len(head) == 0 || !looksText(head) {
		return 0
	}
	h := bytes.ToUpper(head)
	dumpy := bytes.Contains(h, []byte("-- MYSQL DUMP")) || bytes.Contains(h, []byte("-- MARIADB DUMP")) ||
		bytes.Contains(h, []byte("PHPMYADMIN SQL DUMP"))
	stmt := bytes.Contains(h, []byte("CREATE TABLE")) || bytes.Contains(h, []byte("INSERT INTO"))
	switch {
	case dumpy:
		return 100
	case strings.EqualFold(filepath.Ext(name), ".sql") && stmt:
		return 95
	case strings.EqualFold(filepath.Ext(name), ".sql"):
		return 85
	case stmt && bytes.Contains(h, []byte("VALUES")) && bytes.Contains(h, []byte("`")):
		return 70
	}
	return 0
}

// Import stages every table of the dump.
func (mysqlDumpImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	var enc encoding.Encoding
	label := "utf-8"
	if opts.Encoding != "" {
		if label, enc, err = encodingByName(opts.Encoding); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	counter := &countingReader{r: f}
	run := &mysqlRun{ctx: ctx, name: name, sink: sink, size: st.Size(), counter: counter, enc: enc, encLabel: label,
		lx:   &sqlLexer{r: bufio.NewReaderSize(counter, 256<<10), line: 1},
		prog: &progressEvery{fn: progress, every: 1000}, tables: map[string]*mysqlTable{}}
	if len(opts.Tables) > 0 {
		run.want = map[string]bool{}
		for _, t := range opts.Tables {
			run.want[strings.ToLower(t)] = true
		}
	}
	if err := run.read(); err != nil {
		return err
	}
	for _, t := range run.order {
		if err := t.w.Close(); err != nil {
			return stagingError(name, t.name, err)
		}
	}
	if len(run.order) == 0 {
		if run.want != nil {
			return fmt.Errorf("%s: the dump has no table named %s", name, xlsxQuoteList(opts.Tables))
		}
		return fmt.Errorf("%s: Ferry found no CREATE TABLE or INSERT statements in this SQL file, so there is nothing to import. If it came from the old system, ask for a full mysqldump (with data) or for CSV exports", name)
	}
	run.prog.report(run.size, run.size, run.rows, true)
	return nil
}

// The tokenizer.

type sqlTokKind uint8

const (
	sqlEOF    sqlTokKind = iota
	sqlWord              // keyword, bare identifier, number, 0x… literal
	sqlIdent             // `quoted identifier`
	sqlString            // '…' or "…", escapes undone (bytes, may be binary)
	sqlPunct             // ( ) , ; . = and the rest
)

type sqlToken struct {
	kind  sqlTokKind
	text  []byte
	line  int64
	space bool // whitespace or a comment came before it
}

func (t sqlToken) is(p byte) bool { return t.kind == sqlPunct && len(t.text) == 1 && t.text[0] == p }

func (t sqlToken) word(w string) bool {
	return t.kind == sqlWord && strings.EqualFold(string(t.text), w)
}

// errSQLEOF is an unterminated string, identifier or comment at the end of the file.
type errSQLEOF struct {
	what string
	line int64
}

func (e *errSQLEOF) Error() string {
	return fmt.Sprintf("the file ends inside %s that began on line %d", e.what, e.line)
}

type sqlLexer struct {
	r      *bufio.Reader
	line   int64
	err    error // the first read error other than io.EOF
	back   *sqlToken
	unterm *errSQLEOF
	buf    []byte
}

func (l *sqlLexer) readByte() (byte, bool) {
	c, err := l.r.ReadByte()
	if err != nil {
		if err != io.EOF && l.err == nil {
			l.err = err
		}
		return 0, false
	}
	if c == '\n' {
		l.line++
	}
	return c, true
}

func (l *sqlLexer) unreadByte(c byte) {
	if l.r.UnreadByte() == nil && c == '\n' {
		l.line--
	}
}

func (l *sqlLexer) peekByte() (byte, bool) {
	b, err := l.r.Peek(1)
	if err != nil || len(b) == 0 {
		return 0, false
	}
	return b[0], true
}

// skipLine reads to the end of the line.
func (l *sqlLexer) skipLine() {
	for {
		c, ok := l.readByte()
		if !ok || c == '\n' {
			return
		}
	}
}

// restOfLine returns what is left of the line.
func (l *sqlLexer) restOfLine() string {
	var b []byte
	for {
		c, ok := l.readByte()
		if !ok || c == '\n' {
			return strings.TrimSpace(string(b))
		}
		b = append(b, c)
	}
}

func (l *sqlLexer) unread(t sqlToken) { l.back = &t }

func sqlWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// next returns the next token. The text of a token is valid until the next call.
func (l *sqlLexer) next() sqlToken {
	if l.back != nil {
		t := *l.back
		l.back = nil
		return t
	}
	space := false
	for {
		c, ok := l.readByte()
		if !ok {
			return sqlToken{kind: sqlEOF, line: l.line, space: space}
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
		case c == '#':
			l.skipLine()
			space = true
		case c == '-':
			if p, _ := l.r.Peek(2); len(p) >= 1 && p[0] == '-' && (len(p) < 2 || p[1] <= ' ') {
				l.skipLine() // "-- comment"; "--x" is minus minus x, never in a dump
				space = true
				continue
			}
			return sqlToken{kind: sqlPunct, text: append(l.buf[:0], c), line: l.line, space: space}
		case c == '/':
			if n, ok := l.peekByte(); ok && n == '*' {
				start := l.line
				l.readByte()
				var prev byte
				closed := false
				for {
					d, ok := l.readByte()
					if !ok {
						break
					}
					if prev == '*' && d == '/' {
						closed = true
						break
					}
					prev = d
				}
				if !closed && l.unterm == nil {
					l.unterm = &errSQLEOF{"a /* comment */", start}
				}
				space = true
				continue
			}
			return sqlToken{kind: sqlPunct, text: append(l.buf[:0], c), line: l.line, space: space}
		case c == '`':
			return l.quoted(c, sqlIdent, "a `quoted` name", space)
		case c == '\'' || c == '"':
			return l.quoted(c, sqlString, "a quoted value", space)
		case sqlWordByte(c):
			line := l.line
			b := append(l.buf[:0], c)
			for {
				d, ok := l.readByte()
				if !ok {
					break
				}
				// 12.50 and 1e-5 are one word; `a`.`b` is not (a backtick starts it)
				if sqlWordByte(d) || d == '.' && len(b) > 0 && b[0] >= '0' && b[0] <= '9' ||
					(d == '-' || d == '+') && b[0] >= '0' && b[0] <= '9' && (b[len(b)-1] == 'e' || b[len(b)-1] == 'E') {
					b = append(b, d)
					continue
				}
				l.unreadByte(d)
				break
			}
			l.buf = b
			return sqlToken{kind: sqlWord, text: b, line: line, space: space}
		default:
			if n, ok := l.peekByte(); c == '.' && ok && n >= '0' && n <= '9' { // .5
				line := l.line
				b := append(l.buf[:0], '.')
				for {
					d, ok := l.readByte()
					if !ok {
						break
					}
					if sqlWordByte(d) || d == '.' {
						b = append(b, d)
						continue
					}
					l.unreadByte(d)
					break
				}
				l.buf = b
				return sqlToken{kind: sqlWord, text: b, line: line, space: space}
			}
			return sqlToken{kind: sqlPunct, text: append(l.buf[:0], c), line: l.line, space: space}
		}
	}
}

// quoted reads a quoted string or identifier (the opening quote is read). Backslash escapes
// apply to strings only; a doubled quote is one quote in both.
func (l *sqlLexer) quoted(q byte, kind sqlTokKind, what string, space bool) sqlToken {
	start := l.line
	b := l.buf[:0]
	for {
		c, ok := l.readByte()
		if !ok {
			if l.unterm == nil {
				l.unterm = &errSQLEOF{what, start}
			}
			l.buf = b
			return sqlToken{kind: kind, text: b, line: start, space: space}
		}
		switch {
		case c == q:
			if n, ok := l.peekByte(); ok && n == q {
				l.readByte()
				b = append(b, q)
				continue
			}
			l.buf = b
			return sqlToken{kind: kind, text: b, line: start, space: space}
		case c == '\\' && kind == sqlString:
			d, ok := l.readByte()
			if !ok {
				continue
			}
			switch d {
			case '0':
				b = append(b, 0)
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'Z':
				b = append(b, 0x1A)
			case '%', '_': // kept with their backslash, as MySQL does
				b = append(b, '\\', d)
			default: // \' \" \\ and any other character stand for themselves
				b = append(b, d)
			}
		default:
			b = append(b, c)
		}
	}
}

// The statements.

type mysqlTable struct {
	name    string // as in the dump
	columns []string
	index   map[string]int // lower-case column name → position
	w       staging.TableWriter
	binSeen map[int]bool
	issues  map[string]int
	pk      []string
}

type mysqlRun struct {
	ctx      context.Context
	name     string
	sink     staging.Sink
	size     int64
	counter  *countingReader
	enc      encoding.Encoding
	encLabel string
	lx       *sqlLexer
	prog     *progressEvery
	rows     int64
	want     map[string]bool
	tables   map[string]*mysqlTable // lower-case name → table
	order    []*mysqlTable
	stmts    int64
}

func (run *mysqlRun) lexError() error {
	if run.lx.err != nil {
		return fmt.Errorf("reading %s: %w", run.name, run.lx.err)
	}
	return nil
}

func (run *mysqlRun) read() error {
	lx := run.lx
	for {
		run.stmts++
		if run.stmts%64 == 0 {
			if err := run.ctx.Err(); err != nil {
				return err
			}
		}
		t := lx.next()
		switch {
		case t.kind == sqlEOF:
			return run.lexError()
		case t.is(';'):
			continue
		case t.word("CREATE"):
			if err := run.create(); err != nil {
				return err
			}
		case t.word("INSERT"), t.word("REPLACE"):
			if err := run.insert(t.line); err != nil {
				return err
			}
		case t.word("DELIMITER"):
			if d := lx.restOfLine(); d != ";" && d != "" {
				run.skipDelimited()
			}
		default:
			run.skipStatement()
		}
		if err := run.lexError(); err != nil {
			return err
		}
	}
}

// skipStatement reads up to and including the next ";" outside quotes.
func (run *mysqlRun) skipStatement() {
	for {
		t := run.lx.next()
		if t.kind == sqlEOF || t.is(';') {
			return
		}
	}
}

// skipDelimited reads past a DELIMITER block (triggers, routines) up to "DELIMITER ;".
func (run *mysqlRun) skipDelimited() {
	for {
		line := run.lx.restOfLine()
		if _, err := run.lx.r.Peek(1); err != nil && line == "" {
			return
		}
		if f := strings.Fields(line); len(f) == 2 && strings.EqualFold(f[0], "DELIMITER") && f[1] == ";" {
			return
		}
	}
}

// tableName reads a possibly qualified name (db.table) and returns the table part.
func (run *mysqlRun) tableName() (string, bool) {
	lx := run.lx
	var name string
	for {
		t := lx.next()
		switch t.kind {
		case sqlIdent, sqlString:
			name = string(t.text)
		case sqlWord:
			name = string(t.text)
			if i := strings.LastIndexByte(name, '.'); i >= 0 { // bare db.table
				name = name[i+1:]
			}
		default:
			lx.unread(t)
			return name, name != ""
		}
		dot := lx.next()
		if !dot.is('.') {
			lx.unread(dot)
			return name, name != ""
		}
	}
}

var mysqlConstraintWords = map[string]bool{"PRIMARY": true, "KEY": true, "INDEX": true, "UNIQUE": true,
	"CONSTRAINT": true, "FOREIGN": true, "FULLTEXT": true, "SPATIAL": true, "CHECK": true, "PERIOD": true}

// create reads CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name ( … ) options;
func (run *mysqlRun) create() error {
	lx := run.lx
	t := lx.next()
	createLine := t.line
	if t.word("TEMPORARY") {
		t = lx.next()
	}
	if !t.word("TABLE") {
		if t.kind != sqlEOF && !t.is(';') {
			run.skipStatement()
		}
		return nil
	}
	t = lx.next()
	if t.word("IF") {
		lx.next() // NOT
		lx.next() // EXISTS
	} else {
		lx.unread(t)
	}
	name, ok := run.tableName()
	if !ok {
		run.skipStatement()
		return nil
	}
	if t := lx.next(); !t.is('(') {
		if !t.is(';') && t.kind != sqlEOF {
			run.skipStatement() // CREATE TABLE x LIKE y, AS SELECT …
		}
		return nil
	}
	var cols, pk []string
	depth := 1
	start := true
	var first string
	for depth > 0 {
		t := lx.next()
		switch {
		case t.kind == sqlEOF:
			depth = 0
		case t.is('('):
			depth++
		case t.is(')'):
			depth--
		case t.is(',') && depth == 1:
			start = true
			first = ""
			continue
		case start && depth == 1:
			switch t.kind {
			case sqlIdent, sqlString:
				cols = append(cols, string(t.text))
			case sqlWord:
				w := strings.ToUpper(string(t.text))
				if !mysqlConstraintWords[w] {
					cols = append(cols, string(t.text))
				}
				first = w
			}
		case depth == 2 && first == "PRIMARY" && (t.kind == sqlIdent || t.kind == sqlWord):
			pk = append(pk, string(t.text))
		}
		start = false
	}
	run.skipStatement()
	if len(cols) == 0 {
		return nil
	}
	if run.want != nil && !run.want[strings.ToLower(name)] {
		return nil
	}
	key := strings.ToLower(name)
	if _, ok := run.tables[key]; ok {
		// DROP TABLE then CREATE TABLE of the same name again (two dumps concatenated): a new table
		tbl, err := run.open(name, cols, pk)
		if err != nil {
			return err
		}
		tbl.w.Issue(staging.Issue{File: run.name, Line: createLine, Kind: "repeated_table",
			Message: fmt.Sprintf("the dump creates the table %q a second time (line %d); its rows after that point are staged as a separate table", name, createLine)})
		return nil
	}
	_, err := run.open(name, cols, pk)
	return err
}

func (run *mysqlRun) open(name string, cols, pk []string) (*mysqlTable, error) {
	src := staging.SourceInfo{FileName: run.name, Format: "mysqldump", Encoding: run.encLabel, HeaderRow: true,
		Options: map[string]string{"table": name, "blob_encoding": "base64"}}
	if len(pk) > 0 {
		src.Options["primary_key"] = strings.Join(pk, ",")
	}
	w, err := run.sink.Table(run.ctx, staging.TableSpec{Name: name, Columns: cols, Source: src})
	if err != nil {
		return nil, stagingError(run.name, name, err)
	}
	tbl := &mysqlTable{name: name, columns: cols, index: map[string]int{}, w: w, binSeen: map[int]bool{},
		issues: map[string]int{}, pk: pk}
	for i, c := range cols {
		if _, ok := tbl.index[strings.ToLower(c)]; !ok {
			tbl.index[strings.ToLower(c)] = i
		}
	}
	run.tables[strings.ToLower(name)] = tbl
	run.order = append(run.order, tbl)
	return tbl, nil
}

func (tbl *mysqlTable) issue(is staging.Issue) {
	tbl.issues[is.Kind]++
	switch c := tbl.issues[is.Kind]; {
	case c <= mysqlMaxIssues:
		tbl.w.Issue(is)
	case c == mysqlMaxIssues+1:
		tbl.w.Issue(staging.Issue{File: is.File, Line: is.Line, Kind: is.Kind,
			Message: fmt.Sprintf("more rows have the same problem (%s); only the first %d are listed, the rows themselves are flagged", is.Kind, mysqlMaxIssues)})
	}
}

// mysqlValue is one value of a row, as tokens.
type mysqlValue struct {
	toks []sqlToken
}

// insert reads INSERT [IGNORE] INTO name [(cols)] VALUES (…),(…) [ON DUPLICATE KEY UPDATE …];
func (run *mysqlRun) insert(line int64) error {
	lx := run.lx
	t := lx.next()
	for t.word("LOW_PRIORITY") || t.word("DELAYED") || t.word("HIGH_PRIORITY") || t.word("IGNORE") {
		t = lx.next()
	}
	if !t.word("INTO") {
		lx.unread(t)
	}
	name, ok := run.tableName()
	if !ok {
		run.skipStatement()
		return nil
	}
	var listed []string
	t = lx.next()
	if t.is('(') {
		for {
			c := lx.next()
			if c.kind == sqlEOF || c.is(')') {
				break
			}
			if c.kind == sqlIdent || c.kind == sqlWord || c.kind == sqlString {
				listed = append(listed, string(c.text))
			}
		}
		t = lx.next()
	}
	if !t.word("VALUES") && !t.word("VALUE") {
		if !t.is(';') && t.kind != sqlEOF {
			run.skipStatement() // INSERT … SELECT, INSERT … SET: no literal rows
		}
		return nil
	}
	if run.want != nil && !run.want[strings.ToLower(name)] {
		run.skipStatement()
		return nil
	}
	tbl := run.tables[strings.ToLower(name)]
	if tbl == nil {
		cols := listed
		var err error
		if len(cols) == 0 {
			// no CREATE TABLE and no column list: the width of the first row names the columns
			first := lx.next()
			if !first.is('(') {
				run.skipStatement()
				return nil
			}
			vals, end := run.tuple()
			cols = make([]string, max(len(vals), 1))
			for i := range cols {
				cols[i] = fmt.Sprintf("column_%d", i+1)
			}
			if tbl, err = run.open(name, cols, nil); err != nil {
				return err
			}
			tbl.w.Issue(staging.Issue{File: run.name, Line: line, Kind: "no_columns",
				Message: fmt.Sprintf("the dump has no CREATE TABLE for %q and its INSERT names no columns, so the columns are numbered; the old system's documentation says what each one holds", name)})
			if err := run.write(tbl, nil, vals, first.line, end); err != nil {
				return err
			}
			if !run.afterTuple() {
				return nil
			}
		} else if tbl, err = run.open(name, cols, nil); err != nil {
			return err
		} else {
			tbl.w.Issue(staging.Issue{File: run.name, Line: line, Kind: "no_create",
				Message: fmt.Sprintf("the dump has no CREATE TABLE for %q; its columns were taken from the INSERT statement", name)})
		}
	}
	// where each listed column goes in the table
	var pos []int
	if len(listed) > 0 {
		pos = make([]int, len(listed))
		for i, c := range listed {
			p, ok := tbl.index[strings.ToLower(c)]
			if !ok {
				p = -1
				tbl.issue(staging.Issue{File: run.name, Line: line, ColumnName: c, Kind: "unknown_column",
					Message: fmt.Sprintf("line %d: the INSERT names a column %q that the table's CREATE TABLE does not have; its values are kept in the row's overflow", line, c)})
			}
			pos[i] = p
		}
	}
	for {
		t := lx.next()
		if !t.is('(') {
			if t.kind != sqlEOF && !t.is(';') {
				lx.unread(t)
				run.skipStatement()
			}
			return nil
		}
		vals, end := run.tuple()
		if err := run.write(tbl, pos, vals, t.line, end); err != nil {
			return err
		}
		if !run.afterTuple() {
			return nil
		}
	}
}

// afterTuple reads what follows a row: "," (another row follows) or the end of the statement.
func (run *mysqlRun) afterTuple() bool {
	t := run.lx.next()
	switch {
	case t.is(','):
		return true
	case t.is(';'), t.kind == sqlEOF:
		return false
	}
	run.lx.unread(t)
	run.skipStatement() // ON DUPLICATE KEY UPDATE …
	return false
}

// tuple reads the values of one row after its "(". ended is false when the file ended inside it.
func (run *mysqlRun) tuple() (vals []mysqlValue, ended bool) {
	lx := run.lx
	var cur mysqlValue
	depth := 0
	for {
		t := lx.next()
		if t.kind == sqlEOF {
			if len(cur.toks) > 0 {
				vals = append(vals, cur)
			}
			return vals, false
		}
		switch {
		case t.is('('):
			depth++
		case t.is(')') && depth == 0:
			if len(cur.toks) > 0 || len(vals) > 0 {
				vals = append(vals, cur)
			}
			return vals, true
		case t.is(')'):
			depth--
		case t.is(',') && depth == 0:
			vals = append(vals, cur)
			cur = mysqlValue{}
			continue
		}
		t.text = append([]byte(nil), t.text...)
		cur.toks = append(cur.toks, t)
	}
}

// cell turns a value's tokens into the staged text.
func (run *mysqlRun) cell(v mysqlValue) (text string, null, binary bool, flags staging.Flag, note string) {
	toks := v.toks
	switch {
	case len(toks) == 0:
		return "", false, false, staging.FlagParse, "an empty value"
	case len(toks) == 1 && toks[0].word("NULL"):
		return "", true, false, 0, ""
	case len(toks) == 1 && toks[0].kind == sqlString:
		s, f, n := run.text(toks[0].text)
		return s, false, false, f, n
	case len(toks) == 2 && toks[1].kind == sqlString && !toks[1].space && toks[0].kind == sqlWord:
		w := strings.ToLower(string(toks[0].text))
		switch {
		case w == "_binary":
			return base64.StdEncoding.EncodeToString(toks[1].text), false, true, 0, ""
		case w == "x":
			if b, err := hex.DecodeString(string(toks[1].text)); err == nil {
				return base64.StdEncoding.EncodeToString(b), false, true, 0, ""
			}
		case strings.HasPrefix(w, "_"): // _utf8mb4'…', _latin1'…': a charset introducer
			s, f, n := run.text(toks[1].text)
			return s, false, false, f, n
		}
	case len(toks) == 2 && toks[0].word("_binary") && toks[1].kind == sqlString:
		return base64.StdEncoding.EncodeToString(toks[1].text), false, true, 0, ""
	case len(toks) == 2 && toks[0].kind == sqlWord && strings.HasPrefix(string(toks[0].text), "_") && toks[1].kind == sqlString:
		s, f, n := run.text(toks[1].text)
		return s, false, false, f, n
	case len(toks) == 1 && toks[0].kind == sqlWord && len(toks[0].text) > 2 && (string(toks[0].text[:2]) == "0x"):
		h := string(toks[0].text[2:])
		if len(h)%2 == 1 {
			h = "0" + h // MySQL pads an odd number of digits on the left
		}
		if b, err := hex.DecodeString(h); err == nil {
			return base64.StdEncoding.EncodeToString(b), false, true, 0, ""
		}
	}
	// a number or an expression: as written
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		switch t.kind {
		case sqlString:
			b.WriteByte('\'')
			b.WriteString(strings.ReplaceAll(string(t.text), "'", "''"))
			b.WriteByte('\'')
		case sqlIdent:
			b.WriteByte('`')
			b.WriteString(string(t.text))
			b.WriteByte('`')
		default:
			b.Write(t.text)
		}
	}
	s, f, n := run.text([]byte(b.String()))
	return s, false, false, f, n
}

// text decodes a string's bytes: UTF-8, or the chosen encoding; NUL removed.
func (run *mysqlRun) text(b []byte) (string, staging.Flag, string) {
	var flags staging.Flag
	var notes []string
	if bytes.IndexByte(b, 0) >= 0 {
		b = bytes.ReplaceAll(b, []byte{0}, nil)
		flags |= staging.FlagNUL
		notes = append(notes, "a NUL byte was removed from the text")
	}
	if run.enc != nil {
		if d, err := run.enc.NewDecoder().Bytes(b); err == nil {
			b = d
		}
	}
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		flags |= staging.FlagInvalidBytes
		notes = append(notes, "the text has bytes that are not valid UTF-8; they were replaced by \uFFFD (choose the dump's encoding, e.g. latin-1, and import again)")
	}
	return s, flags, strings.Join(notes, "; ")
}

func (run *mysqlRun) write(tbl *mysqlTable, pos []int, vals []mysqlValue, line int64, ended bool) error {
	n := len(tbl.columns)
	cells := make([]string, n)
	nulls := make([]bool, n)
	var flags staging.Flag
	var overflow []string
	filled := 0
	for i, v := range vals {
		text, null, bin, f, note := run.cell(v)
		col := i
		if pos != nil {
			col = -1
			if i < len(pos) {
				col = pos[i]
			}
		} else if i >= n {
			col = -1
		}
		if col < 0 {
			overflow = append(overflow, text)
			continue
		}
		filled++
		cells[col], nulls[col] = text, null
		flags |= f
		if note != "" {
			kind := "parse"
			switch {
			case f&staging.FlagNUL != 0:
				kind = "nul_byte"
			case f&staging.FlagInvalidBytes != 0:
				kind = "invalid_bytes"
			}
			tbl.issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: tbl.columns[col], Kind: kind,
				Message: fmt.Sprintf("line %d, table %s, column %q: %s", line, tbl.name, tbl.columns[col], note)})
		}
		if bin && !tbl.binSeen[col] {
			tbl.binSeen[col] = true
			tbl.w.Issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: tbl.columns[col], Kind: "binary",
				Message: fmt.Sprintf("the column %q of %s holds binary data, for example on line %d; Ferry staged it as base64 text", tbl.columns[col], tbl.name, line)})
		}
	}
	if len(overflow) > 0 {
		flags |= staging.FlagExtraCells
		tbl.issue(staging.Issue{File: run.name, Line: line, Kind: "extra_cells",
			Message: fmt.Sprintf("line %d: a row of %s has %d values but the table has %d columns; the extra values are kept in the row's overflow", line, tbl.name, len(vals), n)})
	}
	if pos == nil && len(vals) < n || pos != nil && filled < len(pos) {
		flags |= staging.FlagMissingCells
		tbl.issue(staging.Issue{File: run.name, Line: line, Kind: "missing_cells",
			Message: fmt.Sprintf("line %d: a row of %s has %d values but the table has %d columns; the missing ones are empty", line, tbl.name, len(vals), n)})
	}
	if !ended {
		flags |= staging.FlagParse
		what := "the row"
		if u := run.lx.unterm; u != nil {
			what = u.Error()
		}
		tbl.w.Issue(staging.Issue{File: run.name, Line: line, Kind: "truncated",
			Message: fmt.Sprintf("the dump ends in the middle of a row of %s (line %d; %s): the file is probably cut short. The values read are kept in a flagged row; ask for a complete dump", tbl.name, line, what)})
	}
	if err := tbl.w.Write(staging.Row{Line: line, Cells: cells, Nulls: nulls, Flags: flags, Overflow: overflow}); err != nil {
		return stagingError(run.name, tbl.name, err)
	}
	run.rows++
	if run.rows%256 == 0 {
		if err := run.ctx.Err(); err != nil {
			return err
		}
	}
	run.prog.report(min(run.counter.n, run.size), run.size, run.rows, false)
	return nil
}
