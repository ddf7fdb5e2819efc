package importers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"

	"github.com/ferry-migrate/ferry/app/staging"
)

// jsonImporter reads JSON ("json") and newline-delimited JSON ("ndjson", also .jsonl).
//
// Shapes understood, each record becoming a row:
//   - a top-level array of objects: one table named after the file;
//   - a top-level object whose members are arrays of records ({"patients":[...]}): one table per
//     array member (the file's name when there is one, "<file>_<member>" when there are several);
//     the object's other members become a one-row table "<file>_info" so nothing is dropped;
//     an object with no array member is itself one record;
//   - an array of arrays: positional cells, the first inner array being the headings when it is
//     all text (Options.Header "no" / "yes" overrides);
//   - several top-level values one after another, or one per line (NDJSON): one record each.
//
// Nested objects are flattened to dotted column names (address.city); arrays inside a record are
// kept as compact JSON text. Numbers keep their exact source text (1.50 stays 1.50, 1e3 stays
// 1e3), booleans are true/false, null is a real NULL (Row.Nulls), and a key a record lacks is
// also staged as NULL. Row.Line is the record number (JSON) or the line number (NDJSON).
// The file is read twice with the streaming token API - once for the column set, once for the
// rows - so memory is bounded by the widest record, not the file. Nesting deeper than
// jsonMaxDepth is refused with a message rather than risking the stack.
type jsonImporter struct{ lines bool }

func init() {
	register(jsonImporter{})
	register(jsonImporter{lines: true})
}

const (
	jsonMaxDepth   = 100      // nesting levels, counted from the top of the file
	jsonMaxColumns = 2000 - 4 // what one staged table can hold
	jsonMaxCell    = 64 << 20 // JSON text kept for one array/object value
	jsonMaxLine    = 64 << 20 // one NDJSON line
	jsonMaxIssues  = 50       // per-record issues of one kind before summarising
	jsonValueCol   = "value"  // the column for records that are not objects
)

func (j jsonImporter) Format() string {
	if j.lines {
		return "ndjson"
	}
	return "json"
}

// Probe: '[' or '{' that starts valid JSON is likely JSON; lines that each hold a whole object
// are NDJSON; the extension settles it.
func (j jsonImporter) Probe(head []byte, name string) int {
	ext := strings.ToLower(filepath.Ext(name))
	lineExt := ext == ".ndjson" || ext == ".jsonl" || ext == ".ldjson"
	b := bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || (b[0] != '[' && b[0] != '{') {
		if lineExt && j.lines {
			return 40
		}
		return 0
	}
	lines := jsonLooksLikeLines(b)
	if j.lines {
		switch {
		case lineExt:
			return 98
		case lines:
			return 85
		}
		return 0
	}
	if !lines && !jsonValidPrefix(b) {
		return 5
	}
	switch {
	case lineExt:
		return 20
	case lines:
		return 40
	case ext == ".json":
		return 95
	}
	return 70
}

// jsonValidPrefix says whether b starts like valid JSON (running out of bytes is fine).
func jsonValidPrefix(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	for i := 0; i < 2000; i++ {
		if _, err := dec.Token(); err != nil {
			return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		}
	}
	return true
}

// jsonLooksLikeLines: the first line is a complete JSON object or array and the next non-empty
// line starts another.
func jsonLooksLikeLines(b []byte) bool {
	first, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return false
	}
	first = bytes.TrimSpace(first)
	if len(first) < 2 || !json.Valid(first) || (first[0] != '{' && first[0] != '[') {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) > 0 && (rest[0] == '{' || rest[0] == '[')
}

// Import stages the file's records.
func (j jsonImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	run := &jsonRun{ctx: ctx, path: path, name: filepath.Base(path), opts: opts, sink: sink,
		prog: &progressEvery{fn: progress, every: 500}, format: j.Format(), stem: srcStem(path)}
	if opts.Table != "" {
		run.stem = opts.Table
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", run.name, err)
	}
	run.size = st.Size()
	if err := run.chooseEncoding(); err != nil {
		return err
	}
	if j.lines {
		err = run.importLines()
	} else {
		err = run.importJSON()
	}
	if errors.Is(err, errJSONWide) {
		return fmt.Errorf("%s: the records have more than %d different fields, more than one table can hold; this does not look like a list of records. Export the data as CSV, or as JSON records with fewer fields", run.name, jsonMaxColumns)
	}
	if err != nil {
		return err
	}
	for _, t := range run.tables {
		if t.w != nil {
			if err := t.w.Close(); err != nil {
				return stagingError(run.name, t.name, err)
			}
		}
	}
	run.prog.report(run.size, run.size, run.rows, true)
	return nil
}

// jsonTable is one table being discovered (pass 1) and staged (pass 2).
type jsonTable struct {
	name      string
	key       string // the top-level member holding it, "" for the file itself
	cols      []string
	index     map[string]int
	positions bool  // records are arrays of cells
	header    bool  // positions: the first record holds the headings
	headWidth int   // positions: how many headings there were
	records   int64 // records seen
	w         staging.TableWriter
	issues    map[string]int

	// pass 2: the row being built
	cells    []string
	nulls    []bool
	set      []bool
	flags    staging.Flag
	over     []string
	recStart int64
	pending  []staging.Issue
}

func (t *jsonTable) col(name string) (int, error) {
	if i, ok := t.index[name]; ok {
		return i, nil
	}
	if len(t.cols) >= jsonMaxColumns {
		return 0, errJSONWide
	}
	t.index[name] = len(t.cols)
	t.cols = append(t.cols, name)
	return len(t.cols) - 1, nil
}

var errJSONWide = errors.New("too many different fields")

type jsonRun struct {
	ctx    context.Context
	path   string
	name   string
	format string
	stem   string
	opts   Options
	sink   staging.Sink
	prog   *progressEvery
	size   int64
	rows   int64

	encLabel string
	enc      encoding.Encoding // nil: UTF-8
	skip     int               // byte order mark

	dec      *json.Decoder
	pass2    bool
	lineMode bool // NDJSON: errors belong to one line
	tokens   int
	tables   []*jsonTable
	cur      *jsonTable
	scratch  bytes.Buffer
	notes    []staging.Issue // about the file, given to the first table

	// invalid UTF-8 found in pass 1, as offsets into the decoded stream
	watch   *jsonUTF8Watch
	badAt   []int64
	badNext int
}

func (r *jsonRun) chooseEncoding() error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", r.name, err)
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	r.encLabel = "utf-8"
	if label, enc, skip, ok := bomEncoding(head[:n]); ok {
		r.encLabel, r.enc, r.skip = label, enc, skip
	}
	if r.opts.Encoding != "" {
		label, enc, err := encodingByName(r.opts.Encoding)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		r.encLabel, r.enc = label, enc
	}
	return nil
}

// open returns the file's text as UTF-8 (byte order mark removed, transcoded when needed).
func (r *jsonRun) open() (io.ReadCloser, *jsonCounter, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", r.name, err)
	}
	counter := &jsonCounter{r: f}
	var rd io.Reader = bufio.NewReaderSize(counter, 256<<10)
	if r.skip > 0 {
		if _, err := io.CopyN(io.Discard, rd, int64(r.skip)); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("reading %s: %w", r.name, err)
		}
	}
	if r.enc != nil {
		rd = r.enc.NewDecoder().Reader(rd)
	}
	rd = &jsonStringGuard{r: rd, name: r.name}
	return struct {
		io.Reader
		io.Closer
	}{rd, f}, counter, nil
}

type jsonCounter struct {
	r io.Reader
	n int64
}

func (c *jsonCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// --- JSON ---

func (r *jsonRun) importJSON() error {
	var stream bool
	for pass := 1; pass <= 2; pass++ {
		rc, counter, err := r.open()
		if err != nil {
			return err
		}
		var in io.Reader = rc
		if pass == 1 && r.enc == nil {
			r.watch = &jsonUTF8Watch{r: rc}
			in = r.watch
		}
		r.dec = json.NewDecoder(in)
		r.dec.UseNumber()
		r.pass2 = pass == 2
		r.tokens = 0
		report := func() {
			done := counter.n / 2
			if r.pass2 {
				done += r.size / 2
			}
			r.prog.report(done, r.size, r.rows, false)
		}
		err = r.topLevel(&stream, report)
		rc.Close()
		if err != nil {
			return err
		}
		if pass == 1 {
			if r.watch != nil {
				r.badAt = r.watch.bad
			}
			if err := r.checkFound(); err != nil {
				return err
			}
			if err := r.openTables(); err != nil {
				return err
			}
		}
	}
	return nil
}

// topLevel walks the whole file once.
func (r *jsonRun) topLevel(stream *bool, report func()) error {
	first, err := r.tokenTop()
	if err == io.EOF {
		return fmt.Errorf("%s: the file is empty; there is nothing to import", r.name)
	}
	if err != nil {
		return err
	}
	if *stream {
		return r.records(r.table("", r.stem), first, report, false)
	}
	switch first {
	case json.Delim('['):
		if err := r.records(r.table("", r.stem), nil, report, true); err != nil {
			return err
		}
	case json.Delim('{'):
		if err := r.container(report); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: the file holds a single value (%v), not records; export the data as a list of records (CSV or JSON) instead", r.name, first)
	}
	// Another top-level value: the file is a stream of records (concatenated JSON).
	next, err := r.tokenTop()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if r.pass2 || next == nil {
		return fmt.Errorf("%s: unexpected data after the end of the JSON value (%v)", r.name, next)
	}
	if _, ok := next.(json.Delim); !ok {
		return r.syntax(fmt.Errorf("unexpected %v after the end of the JSON value", next))
	}
	// Restart pass 1 treating every top-level value as one record.
	*stream = true
	r.tables = nil
	rc, _, err := r.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var in io.Reader = rc
	if r.enc == nil {
		r.watch = &jsonUTF8Watch{r: rc}
		in = r.watch
	}
	r.dec = json.NewDecoder(in)
	r.dec.UseNumber()
	first, err = r.token()
	if err != nil {
		return err
	}
	return r.records(r.table("", r.stem), first, report, false)
}

// table returns (pass 2) or creates (pass 1) the table for a top-level member ("" = the file).
func (r *jsonRun) table(key, name string) *jsonTable {
	for _, t := range r.tables {
		if t.key == key {
			return t
		}
	}
	t := &jsonTable{name: name, key: key, index: map[string]int{}, issues: map[string]int{}}
	r.tables = append(r.tables, t)
	return t
}

// container walks a top-level object: array members are tables, the rest is one record.
func (r *jsonRun) container(report func()) error {
	info := r.table("\x00info", "")
	info.records = 1
	hasInfo := false
	if r.pass2 {
		if err := r.begin(info); err != nil {
			return err
		}
	}
	for r.dec.More() {
		kt, err := r.token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		tok, err := r.token()
		if err != nil {
			return err
		}
		if tok == json.Delim('[') {
			if err := r.records(r.table(key, key), nil, report, true); err != nil {
				return err
			}
			if r.pass2 {
				r.cur = info
			}
			continue
		}
		hasInfo = true
		r.cur = info
		if err := r.value(key, tok, 2); err != nil {
			return err
		}
	}
	if _, err := r.token(); err != nil { // '}'
		return err
	}
	if r.pass2 {
		if info.w != nil {
			r.cur = info
			return r.end(1)
		}
		return nil
	}
	if !hasInfo {
		info.records = 0
	}
	return nil
}

// records walks the elements of an array (inArray) or the rest of a stream of values, one record
// each. first is an already-read first token of the first record (stream mode), or nil.
func (r *jsonRun) records(t *jsonTable, first json.Token, report func(), inArray bool) error {
	r.cur = t
	var n int64
	for {
		var tok json.Token
		if first != nil {
			tok, first = first, nil
		} else {
			if inArray && !r.dec.More() {
				_, err := r.token() // ']'
				return err
			}
			var err error
			if inArray {
				tok, err = r.token()
			} else {
				tok, err = r.tokenTop()
				if err == io.EOF {
					return nil
				}
			}
			if err != nil {
				return err
			}
		}
		n++
		if !r.pass2 && n == 1 {
			t.positions = tok == json.Delim('[')
		}
		if r.pass2 {
			if t.positions && t.header && n == 1 {
				if err := r.skipValue(tok, 2); err != nil {
					return err
				}
				continue
			}
			if err := r.begin(t); err != nil {
				return err
			}
		} else {
			t.records++
		}
		if t.positions {
			if err := r.cellsRecord(t, tok, n); err != nil {
				return err
			}
		} else if tok == json.Delim('{') {
			if err := r.object("", 2); err != nil {
				return err
			}
		} else {
			if err := r.value(jsonValueCol, tok, 2); err != nil {
				return err
			}
		}
		if r.pass2 {
			line := n
			if t.header {
				line = n - 1
			}
			if err := r.end(line); err != nil {
				return err
			}
		}
		if n%256 == 0 {
			report()
		}
	}
}

// cellsRecord reads one array-of-cells record.
func (r *jsonRun) cellsRecord(t *jsonTable, tok json.Token, n int64) error {
	if tok != json.Delim('[') {
		// a non-array among arrays: its text goes in the first cell
		if !r.pass2 {
			_, err := t.col("")
			if err != nil {
				return err
			}
			return r.skipValue(tok, 2)
		}
		t.flags |= staging.FlagParse
		r.issue("not_array", fmt.Sprintf("record %d is not a list of cells like the others; its value was staged in the first column", n))
		return r.cellValue(0, tok, 2)
	}
	var heads []string
	allText := true
	for i := 0; r.dec.More(); i++ {
		v, err := r.token()
		if err != nil {
			return err
		}
		if !r.pass2 {
			if _, err := t.col(strconv.Itoa(i)); err != nil {
				return err
			}
			if n == 1 {
				s, ok := v.(string)
				allText = allText && ok
				heads = append(heads, s)
			}
			if err := r.skipValue(v, 3); err != nil {
				return err
			}
			continue
		}
		if err := r.cellValue(i, v, 3); err != nil {
			return err
		}
	}
	if _, err := r.token(); err != nil { // ']'
		return err
	}
	if !r.pass2 && n == 1 {
		t.header = r.opts.Header == "yes" || r.opts.Header != "no" && allText && len(heads) > 0
		if t.header {
			for i, h := range heads {
				t.cols[i] = h
			}
			t.headWidth = len(heads)
			t.records--
		}
	}
	return nil
}

// cellValue stages one positional cell (pass 2).
func (r *jsonRun) cellValue(i int, tok json.Token, depth int) error {
	t := r.cur
	if i >= len(t.cells) {
		text, err := r.text(tok, depth)
		if err != nil {
			return err
		}
		t.over = append(t.over, text)
		t.flags |= staging.FlagExtraCells
		return nil
	}
	switch v := tok.(type) {
	case json.Delim:
		text, err := r.text(tok, depth)
		if err != nil {
			return err
		}
		r.put(i, text, false)
	case nil:
		r.put(i, "", true)
	default:
		r.put(i, jsonScalar(v), false)
	}
	return nil
}

func (r *jsonRun) put(i int, v string, null bool) {
	t := r.cur
	t.cells[i], t.nulls[i], t.set[i] = v, null, true
}

// object flattens the rest of an object whose '{' was read.
func (r *jsonRun) object(prefix string, depth int) error {
	if depth > jsonMaxDepth {
		return r.tooDeep()
	}
	empty := true
	for r.dec.More() {
		empty = false
		kt, err := r.token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		tok, err := r.token()
		if err != nil {
			return err
		}
		if err := r.value(jsonJoin(prefix, key), tok, depth+1); err != nil {
			return err
		}
	}
	if _, err := r.token(); err != nil { // '}'
		return err
	}
	if empty && prefix != "" {
		return r.emit(prefix, "{}", false)
	}
	return nil
}

// value stages one value under column col (nested objects flatten below it).
func (r *jsonRun) value(col string, tok json.Token, depth int) error {
	if depth > jsonMaxDepth {
		return r.tooDeep()
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return r.object(col, depth)
		}
		text, err := r.text(tok, depth)
		if err != nil {
			return err
		}
		return r.emit(col, text, false)
	case nil:
		return r.emit(col, "", true)
	default:
		return r.emit(col, jsonScalar(v), false)
	}
}

func jsonScalar(v json.Token) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

func jsonJoin(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// emit records a column (pass 1) or a cell (pass 2).
func (r *jsonRun) emit(col, v string, null bool) error {
	t := r.cur
	if !r.pass2 {
		if _, err := t.col(col); err != nil {
			return err
		}
		return nil
	}
	i, ok := t.index[col]
	if !ok {
		return fmt.Errorf("%s: the file changed while Ferry was reading it (a field %q appeared); add it again", r.name, col)
	}
	if t.set[i] {
		t.over = append(t.over, col+"="+v)
		t.flags |= staging.FlagExtraCells
		r.issue("duplicate_key", fmt.Sprintf("the field %q appears twice in this record (or clashes with a nested field of the same dotted name); the second value %q was kept as an extra cell", col, jsonShort(v)))
		return nil
	}
	r.put(i, v, null)
	return nil
}

// text returns a value as compact JSON text; tok is its first token.
func (r *jsonRun) text(tok json.Token, depth int) (string, error) {
	r.scratch.Reset()
	if err := r.writeValue(tok, depth); err != nil {
		return "", err
	}
	return r.scratch.String(), nil
}

func (r *jsonRun) writeValue(tok json.Token, depth int) error {
	if depth > jsonMaxDepth {
		return r.tooDeep()
	}
	b := &r.scratch
	if b.Len() > jsonMaxCell {
		return fmt.Errorf("%s: record %d holds a value larger than %d MB, which Ferry will not keep in one cell; export the data in smaller pieces", r.name, r.cur.records, jsonMaxCell>>20)
	}
	switch v := tok.(type) {
	case json.Delim:
		closer := byte(']')
		if v == '{' {
			closer = '}'
		}
		b.WriteByte(byte(v))
		for first := true; r.dec.More(); first = false {
			if !first {
				b.WriteByte(',')
			}
			if v == '{' {
				kt, err := r.token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				jsonQuote(b, key)
				b.WriteByte(':')
			}
			next, err := r.token()
			if err != nil {
				return err
			}
			if err := r.writeValue(next, depth+1); err != nil {
				return err
			}
		}
		if _, err := r.token(); err != nil {
			return err
		}
		b.WriteByte(closer)
	case string:
		jsonQuote(b, v)
	case nil:
		b.WriteString("null")
	default:
		b.WriteString(jsonScalar(v))
	}
	return nil
}

// skipValue reads past a value whose first token is tok.
func (r *jsonRun) skipValue(tok json.Token, depth int) error {
	if depth > jsonMaxDepth {
		return r.tooDeep()
	}
	if _, ok := tok.(json.Delim); !ok {
		return nil
	}
	for r.dec.More() {
		next, err := r.token()
		if err != nil {
			return err
		}
		if _, isKey := next.(string); isKey && tok == json.Delim('{') {
			if next, err = r.token(); err != nil {
				return err
			}
		}
		if err := r.skipValue(next, depth+1); err != nil {
			return err
		}
	}
	_, err := r.token()
	return err
}

// jsonQuote writes s as a JSON string without escaping <, > and & (unlike json.Marshal).
func jsonQuote(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
}

// token reads the next token inside a value: the input ending there is an error.
func (r *jsonRun) token() (json.Token, error) {
	tok, err := r.tokenTop()
	if err == io.EOF {
		if r.lineMode {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, r.syntax(io.ErrUnexpectedEOF)
	}
	return tok, err
}

// tokenTop reads a token where the input may end (between top-level values): io.EOF is returned.
func (r *jsonRun) tokenTop() (json.Token, error) {
	r.tokens++
	if r.tokens%1024 == 0 {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	tok, err := r.dec.Token()
	if err != nil && err != io.EOF && !r.lineMode {
		return nil, r.syntax(err)
	}
	return tok, err
}

// syntax turns a decoder error into a message with the place in the file.
func (r *jsonRun) syntax(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || strings.HasPrefix(err.Error(), r.name+":") {
		return err
	}
	off := r.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	where := r.where(off)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: the JSON ends too early (%s): the file looks cut short. Export it again from the old system", r.name, where)
	}
	return fmt.Errorf("%s: the JSON is damaged at %s (%v). Export it again from the old system, or fix it in a text editor", r.name, where, err)
}

// where describes a decoded-stream offset as a line and column when the file is UTF-8.
func (r *jsonRun) where(off int64) string {
	if r.enc != nil {
		return fmt.Sprintf("character %d", off)
	}
	line, col := jsonLineCol(r.path, off+int64(r.skip))
	return fmt.Sprintf("line %d, column %d", line, col)
}

func jsonLineCol(path string, off int64) (line, col int64) {
	line, col = 1, 1
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, off))
	for {
		c, err := br.ReadByte()
		if err != nil {
			return
		}
		if c == '\n' {
			line, col = line+1, 1
		} else if c&0xC0 != 0x80 {
			col++
		}
	}
}

var errJSONDeep = fmt.Errorf("nested more than %d levels deep", jsonMaxDepth)

func (r *jsonRun) tooDeep() error {
	if r.lineMode {
		return errJSONDeep
	}
	return fmt.Errorf("%s: the JSON is nested more than %d levels deep (at %s); Ferry cannot lay that out as a table. Export the data from the old system as CSV, or as JSON records with fewer levels",
		r.name, jsonMaxDepth, r.where(r.dec.InputOffset()))
}

// checkFound fails clearly when pass 1 found nothing to stage.
func (r *jsonRun) checkFound() error {
	kept := r.tables[:0]
	var empty []string
	for _, t := range r.tables {
		if t.records == 0 {
			if t.key != "\x00info" && t.key != "" {
				empty = append(empty, t.key)
			}
			continue
		}
		if len(t.cols) > jsonMaxColumns {
			return fmt.Errorf("%s: more than %d different fields; it does not look like a table of records", r.name, jsonMaxColumns)
		}
		kept = append(kept, t)
	}
	r.tables = kept
	if len(r.tables) == 0 {
		return fmt.Errorf("%s: there are no records in this file (an empty list); there is nothing to import", r.name)
	}
	for _, key := range empty {
		r.notes = append(r.notes, staging.Issue{File: r.name, Kind: "empty_list",
			Message: fmt.Sprintf("the member %q is an empty list; there was nothing to stage from it", key)})
	}
	return nil
}

// openTables names the tables found in pass 1 and announces them to the sink.
func (r *jsonRun) openTables() error {
	arrays := 0
	for _, t := range r.tables {
		if t.key != "\x00info" {
			arrays++
		}
	}
	for _, t := range r.tables {
		switch {
		case t.key == "\x00info" && arrays == 0:
			t.name = r.stem
		case t.key == "\x00info":
			t.name = r.stem + "_info"
		case arrays == 1:
			t.name = r.stem
		case t.key != "":
			t.name = r.stem + "_" + t.key
		}
		cols := t.cols
		if t.positions {
			// positional cells: headings from the first record, blanks for the Stager to name
			cols = make([]string, len(t.cols))
			if t.header {
				copy(cols, t.cols[:t.headWidth])
			}
		}
		src := staging.SourceInfo{FileName: r.name, Format: r.format, Encoding: r.encLabel, HeaderRow: !t.positions || t.header}
		if t.key != "" && t.key != "\x00info" {
			src.Options = map[string]string{"json_member": t.key}
		}
		w, err := r.sink.Table(r.ctx, staging.TableSpec{Name: t.name, Columns: cols, Source: src})
		if err != nil {
			return stagingError(r.name, t.name, err)
		}
		t.w = w
		for _, is := range r.notes {
			w.Issue(is)
		}
		r.notes = nil
		if len(r.badAt) > 0 {
			w.Issue(staging.Issue{File: r.name, Kind: "invalid_bytes",
				Message: fmt.Sprintf("the file has %d byte(s) that are not valid UTF-8; they were replaced by � in the records flagged. If names look wrong, import again choosing the file's real encoding (for example windows-1252)", len(r.badAt))})
		}
	}
	return nil
}

// begin starts a row of t (pass 2).
func (r *jsonRun) begin(t *jsonTable) error {
	r.cur = t
	n := len(t.cols)
	if len(t.cells) != n {
		t.cells, t.nulls, t.set = make([]string, n), make([]bool, n), make([]bool, n)
	}
	for i := range t.cells {
		t.cells[i], t.nulls[i], t.set[i] = "", false, false
	}
	t.flags, t.over = 0, nil
	t.recStart = r.dec.InputOffset()
	return r.ctx.Err()
}

// end writes the row built since begin (pass 2). Keys a record lacks are NULL.
func (r *jsonRun) end(line int64) error {
	t := r.cur
	for i := range t.cells {
		if !t.set[i] {
			t.nulls[i] = true
		}
	}
	if r.recordHasBadBytes(t.recStart, r.dec.InputOffset()) {
		t.flags |= staging.FlagInvalidBytes
	}
	row := staging.Row{Line: line, Cells: t.cells, Nulls: t.nulls, Flags: t.flags, Overflow: t.over}
	r.flushIssues(t, line)
	if err := t.w.Write(row); err != nil {
		return stagingError(r.name, t.name, err)
	}
	r.rows++
	return nil
}

// recordHasBadBytes says whether invalid UTF-8 found in pass 1 lies in the current record.
func (r *jsonRun) recordHasBadBytes(start, end int64) bool {
	bad := false
	for r.badNext < len(r.badAt) && r.badAt[r.badNext] < end {
		if r.badAt[r.badNext] >= start {
			bad = true
		}
		r.badNext++
	}
	return bad
}

// issue queues an issue about the current record; it is written with the record's line.
func (r *jsonRun) issue(kind, msg string) {
	r.cur.pending = append(r.cur.pending, staging.Issue{File: r.name, Kind: kind, Message: msg})
}

func (r *jsonRun) flushIssues(t *jsonTable, line int64) {
	for _, is := range t.pending {
		t.issues[is.Kind]++
		switch n := t.issues[is.Kind]; {
		case n <= jsonMaxIssues:
			is.Line = line
			is.Message = fmt.Sprintf("%s %d: %s", r.unit(), line, is.Message)
			t.w.Issue(is)
		case n == jsonMaxIssues+1:
			t.w.Issue(staging.Issue{File: r.name, Line: line, Kind: is.Kind,
				Message: fmt.Sprintf("more records have the same problem (%s); only the first %d are listed, the rows themselves are flagged", is.Kind, jsonMaxIssues)})
		}
	}
	t.pending = t.pending[:0]
}

func (r *jsonRun) unit() string {
	if r.format == "ndjson" {
		return "line"
	}
	return "record"
}

func jsonShort(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// jsonUTF8Watch passes bytes through, noting where they are not valid UTF-8 (the JSON decoder
// silently replaces those with U+FFFD; Ferry flags the rows instead).
type jsonUTF8Watch struct {
	r    io.Reader
	off  int64
	pend []byte
	bad  []int64
}

func (u *jsonUTF8Watch) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	u.scan(p[:n], err != nil)
	return n, err
}

func (u *jsonUTF8Watch) scan(b []byte, final bool) {
	data := b
	if len(u.pend) > 0 {
		data = append(append([]byte(nil), u.pend...), b...)
	}
	base := u.off - int64(len(u.pend))
	i := 0
	for i < len(data) {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		c, size := utf8.DecodeRune(data[i:])
		if c == utf8.RuneError && size <= 1 {
			if !final && !utf8.FullRune(data[i:]) {
				break
			}
			if len(u.bad) < 1<<20 {
				u.bad = append(u.bad, base+int64(i))
			}
			i++
			continue
		}
		i += size
	}
	u.pend = append(u.pend[:0], data[i:]...)
	u.off += int64(len(b))
}

// --- NDJSON ---

func (r *jsonRun) importLines() error {
	r.lineMode = true
	for pass := 1; pass <= 2; pass++ {
		r.pass2 = pass == 2
		if err := r.linesPass(); err != nil {
			return err
		}
		if pass == 1 {
			if err := r.checkFound(); err != nil {
				return err
			}
			if err := r.openTables(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *jsonRun) linesPass() error {
	rc, counter, err := r.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 256<<10)
	t := r.table("", r.stem)
	var lineNo, records int64
	var buf []byte
	for {
		if lineNo%256 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			done := counter.n / 2
			if r.pass2 {
				done += r.size / 2
			}
			r.prog.report(done, r.size, r.rows, false)
		}
		buf = buf[:0]
		var rerr error
		for {
			chunk, err := br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if len(buf) > jsonMaxLine {
				return fmt.Errorf("%s: line %d is longer than %d MB; that is not one record per line. Check the file is really NDJSON (one JSON object per line)", r.name, lineNo+1, jsonMaxLine>>20)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			rerr = err
			break
		}
		if len(buf) == 0 && rerr != nil {
			break
		}
		lineNo++
		line := bytes.TrimSpace(buf)
		if len(line) == 0 {
			if rerr != nil {
				break
			}
			continue
		}
		records++
		if err := r.oneLine(t, line, lineNo, records); err != nil {
			return err
		}
		if rerr != nil {
			break
		}
	}
	return nil
}

// oneLine stages one NDJSON line. A line that is not valid JSON is kept: its text goes in the
// row's extra cells, flagged, with an issue saying where it broke.
func (r *jsonRun) oneLine(t *jsonTable, line []byte, lineNo, record int64) error {
	r.cur = t
	r.dec = json.NewDecoder(bytes.NewReader(line))
	r.dec.UseNumber()
	if !r.pass2 {
		t.records++
		if record == 1 {
			t.positions = false // NDJSON records are objects; arrays and scalars go in "value"
		}
	} else if err := r.begin(t); err != nil {
		return err
	}
	t.recStart = 0
	err := r.lineRecord(line)
	if err != nil {
		var perr *jsonLineError
		if !errors.As(err, &perr) {
			return err
		}
		if !r.pass2 {
			return nil
		}
		for i := range t.cells {
			t.cells[i], t.nulls[i], t.set[i] = "", false, true
		}
		t.over = []string{string(line)}
		t.flags = staging.FlagParse
		r.issue("parse", fmt.Sprintf("this line could not be read as a JSON record (%v, at column %d); its text was kept as an extra cell. Fix the line in a text editor and import again", perr.err, perr.col))
	}
	if !r.pass2 {
		return nil
	}
	if !utf8.Valid(line) {
		t.flags |= staging.FlagInvalidBytes
		r.issue("invalid_bytes", "this line has bytes that are not valid UTF-8; they were replaced by �. If names look wrong, import again choosing the file's real encoding")
	}
	r.badAt = nil
	return r.end(lineNo)
}

type jsonLineError struct {
	col int64
	err error
}

func (e *jsonLineError) Error() string { return fmt.Sprintf("column %d: %v", e.col, e.err) }

func (r *jsonRun) lineRecord(line []byte) (err error) {
	fail := func(err error) error {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if errors.Is(err, errJSONWide) || strings.HasPrefix(err.Error(), r.name+":") {
			return err
		}
		off := r.dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("the line ends in the middle of a value")
		}
		return &jsonLineError{col: int64(utf8.RuneCount(line[:min(int(off), len(line))])) + 1, err: err}
	}
	tok, err := r.tokenTop()
	if err != nil {
		return fail(err)
	}
	if tok == json.Delim('{') {
		err = r.object("", 1)
	} else {
		err = r.value(jsonValueCol, tok, 1)
	}
	if err != nil {
		return fail(err)
	}
	if _, err := r.tokenTop(); err != io.EOF {
		if err == nil {
			err = errors.New("more than one JSON value on the line")
		}
		return fail(err)
	}
	return nil
}

// jsonStringGuard stops reading when one JSON string is longer than jsonMaxCell: encoding/json
// buffers a whole token before handing it over, so a crafted 2 GB string would otherwise be
// held in memory (several times) before any cell limit could refuse it.
type jsonStringGuard struct {
	r        io.Reader
	name     string
	inString bool
	escaped  bool
	run      int64 // bytes of the current string so far
	offset   int64 // bytes read before the current buffer
}

func (g *jsonStringGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		switch {
		case !g.inString:
			if c == '"' {
				g.inString, g.run = true, 0
			}
		case g.escaped:
			g.escaped = false
			g.run++
		case c == '\\':
			g.escaped = true
			g.run++
		case c == '"':
			g.inString = false
		default:
			g.run++
		}
		if g.inString && g.run > jsonMaxCell {
			return i, fmt.Errorf("%s: byte %d: a text value longer than %d MB, which Ferry will not keep in one cell; export the data in smaller pieces",
				g.name, g.offset+int64(i), jsonMaxCell>>20)
		}
	}
	g.offset += int64(n)
	return n, err
}
