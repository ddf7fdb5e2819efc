package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"

	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/ferry-migrate/ferry/app/staging"
)

func init() { register(csvImporter{}) }

// csvImporter reads delimited text: CSV, TSV, semicolon- and pipe-separated exports, in any
// common encoding, with or without a header row, with junk lines above the header.
type csvImporter struct{}

func (csvImporter) Format() string { return "csv" }

var textExts = map[string]int{".csv": 80, ".tsv": 80, ".tab": 75, ".psv": 75, ".txt": 60, ".dat": 40, ".asc": 40, ".prn": 40}

// Probe is sure of text files with a delimited-text extension, less sure of other text.
func (csvImporter) Probe(head []byte, name string) int {
	for _, magic := range []string{"PK\x03\x04", "\xD0\xCF\x11\xE0", "SQLite format 3\x00", "%PDF", "\x1f\x8b", "Rar!", "7z\xBC\xAF"} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return 0
		}
	}
	text := looksText(head)
	if s, ok := textExts[strings.ToLower(filepath.Ext(name))]; ok {
		if text {
			return s
		}
		return 10
	}
	if text {
		return 25
	}
	return 0
}

// looksText: a byte order mark, a UTF-16 pattern, or few control bytes.
func looksText(head []byte) bool {
	if len(head) == 0 {
		return true
	}
	if _, _, _, ok := bomEncoding(head); ok {
		return true
	}
	if le, be := utf16Guess(head); le || be {
		return true
	}
	ctl := 0
	for _, c := range head {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f {
			ctl++
		}
	}
	return ctl*20 <= len(head)
}

// csvSample is how much of the file detection looks at.
const csvSample = 1 << 20

// csvDialect is what detection decided (or the person chose) about a file.
type csvDialect struct {
	Encoding  string            // label: utf-8, utf-8-bom, utf-16le, windows-1252, latin-1, big5 ...
	enc       encoding.Encoding // nil: UTF-8, parsed as it is
	bom       int               // bytes of UTF-8 BOM to skip
	Delimiter byte
	Quote     byte
	Header    bool
	Skip      int // leading records (junk lines) skipped before the header or first row
	Columns   int // columns when there is no header row
	LineEnds  string
	Notes     []string // said once, at line 0
}

// Import implements Importer.
func (csvImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) error {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	head := make([]byte, csvSample)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	d, err := sniffCSV(head[:n], n < csvSample, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	cr := &countingReader{r: f}
	return importCSV(ctx, cr, name, st.Size(), cr, d, opts, sink, progress)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// decoded puts the decoder for the dialect's encoding in front of r.
func (d csvDialect) decoded(r io.Reader) (io.Reader, error) {
	if d.bom > 0 {
		if _, err := io.CopyN(io.Discard, r, int64(d.bom)); err != nil && err != io.EOF {
			return nil, err
		}
	}
	if d.enc != nil {
		return transform.NewReader(r, d.enc.NewDecoder()), nil
	}
	return r, nil
}

// importCSV streams the records of r into one table of sink.
func importCSV(ctx context.Context, r io.Reader, name string, size int64, counter *countingReader, d csvDialect,
	opts Options, sink staging.Sink, progress Progress) error {
	in, err := d.decoded(r)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	c := &csvRun{p: newCSVParser(in, d.Delimiter, d.Quote), d: d, name: name, utf8Mode: d.enc == nil}
	var pending []staging.Issue
	for _, n := range d.Notes {
		pending = append(pending, staging.Issue{File: name, Kind: "encoding", Message: n})
	}
	blank, firstBlank := 0, int64(0)
	nextRecord := func() bool {
		for c.p.next() {
			if !c.p.blank() {
				return true
			}
			blank++
			if firstBlank == 0 {
				firstBlank = c.p.recLine
			}
		}
		return false
	}
	skipped := 0
	for skipped < d.Skip && nextRecord() {
		skipped++
		text := strings.Join(c.build(), string(d.Delimiter))
		pending = append(pending, c.issues...)
		pending = append(pending, staging.Issue{File: name, Line: c.p.recLine, Kind: "skipped_line",
			Message: fmt.Sprintf("line above the header, not imported: %s", quoteShort(text, 200))})
	}
	var columns []string
	has := nextRecord()
	if err := c.p.err(); err != nil {
		return c.readError(err)
	}
	if !has {
		return fmt.Errorf("%s: %w", name, staging.ErrNothing)
	}
	headerLine := c.p.recLine
	if d.Header {
		columns = append(columns, c.build()...)
		pending = append(pending, c.issues...)
		has = nextRecord()
	} else {
		columns = make([]string, max(d.Columns, len(c.p.fields), 1))
	}
	c.cols = staging.ColumnNames(columns)
	table := opts.Table
	if table == "" {
		table = strings.TrimSuffix(name, filepath.Ext(name))
	}
	src := staging.SourceInfo{Format: "csv", Encoding: d.Encoding, Delimiter: string(d.Delimiter), HeaderRow: d.Header,
		SkippedLines: skipped, Options: map[string]string{"quote": string(d.Quote), "line_ends": d.LineEnds}}
	if d.Header {
		src.Options["header_line"] = strconv.FormatInt(headerLine, 10)
	}
	w, err := sink.Table(ctx, staging.TableSpec{Name: table, Columns: columns, Source: src})
	if err != nil {
		return err
	}
	c.w = w
	for _, i := range pending {
		w.Issue(i)
	}
	ncols := len(columns)
	var rows int64
	last := time.Now()
	report := func() {
		if progress != nil {
			progress(counter.n, size, rows)
		}
	}
	for ; has; has = nextRecord() {
		cells := c.build()
		row := staging.Row{Line: c.p.recLine, Flags: c.flags}
		switch {
		case len(cells) < ncols:
			row.Flags |= staging.FlagMissingCells
			w.Issue(staging.Issue{File: name, Line: row.Line, Column: len(cells) + 1, ColumnName: columns[len(cells)],
				Kind: "missing_cells", Message: fmt.Sprintf("%s, the table has %d columns: the missing %s left empty",
					cellCount(len(cells)), ncols, plural(ncols-len(cells), "cell is", "cells are"))})
		case len(cells) > ncols:
			row.Flags |= staging.FlagExtraCells
			row.Overflow = append([]string(nil), cells[ncols:]...)
			cells = cells[:ncols]
			w.Issue(staging.Issue{File: name, Line: row.Line, Column: ncols + 1, Kind: "extra_cells",
				Message: fmt.Sprintf("%s, the table has %d columns: the extra %s kept in %s",
					cellCount(len(cells)+len(row.Overflow)), ncols, plural(len(row.Overflow), "cell is", "cells are"), staging.ColOverflow)})
		}
		for _, i := range c.issues {
			w.Issue(i)
		}
		row.Cells = cells
		if err := w.Write(row); err != nil {
			return err
		}
		rows++
		if rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if now := time.Now(); now.Sub(last) >= 100*time.Millisecond {
				last = now
				report()
			}
		}
	}
	if err := c.p.err(); err != nil {
		return c.readError(err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.p.quotesOff {
		w.Issue(staging.Issue{File: name, Line: c.p.quotesOffLine, Kind: "parse",
			Message: "quotes do not pair up from this line on; the rest of the file was read with quotes as plain characters"})
	}
	if blank > 0 {
		w.Issue(staging.Issue{File: name, Line: firstBlank, Kind: "blank_lines",
			Message: fmt.Sprintf("%s skipped (the first at line %d)", plural(blank, "blank line", "blank lines"), firstBlank)})
	}
	report()
	return w.Close()
}

func (c *csvRun) readError(err error) error {
	if errors.Is(err, errRecordTooLong) {
		return fmt.Errorf("%s, line %d: a record runs past %d MiB without a line break; this does not look like a text export",
			c.name, c.p.recLine, c.p.maxRecord>>20)
	}
	return fmt.Errorf("reading %s near line %d: %w", c.name, c.p.line, err)
}

// csvRun turns parsed records into rows: one string per row, cells sliced from it.
type csvRun struct {
	p        *csvParser
	d        csvDialect
	name     string
	cols     []string
	w        staging.TableWriter
	utf8Mode bool

	rowBuf  []byte
	ends    []int
	scratch []byte
	cells   []string
	flags   staging.Flag
	issues  []staging.Issue
}

// build makes the cells of the current record, cleaning NUL and invalid bytes; c.flags and
// c.issues say what was found.
func (c *csvRun) build() []string {
	c.rowBuf, c.ends, c.flags, c.issues = c.rowBuf[:0], c.ends[:0], 0, c.issues[:0]
	for i := range c.p.fields {
		f := &c.p.fields[i]
		off := len(c.rowBuf)
		c.rowBuf = c.p.appendField(c.rowBuf, f)
		if f.special {
			c.rowBuf = c.clean(c.rowBuf, off, i, f)
		}
		if f.stray && !f.quoted {
			c.flags |= staging.FlagParse
			c.issue(i, f, "parse", "the quotes in this cell do not pair up before the line ends; it was read as plain text, quotes included")
		} else if f.stray {
			c.flags |= staging.FlagParse
			c.issue(i, f, "parse", fmt.Sprintf("a quote inside this quoted cell is not followed by %s or a line end; it was kept as a plain character",
				delimName(c.d.Delimiter)))
		}
		if f.unterminated {
			c.flags |= staging.FlagParse
			c.issue(i, f, "parse", "the quote that starts this cell is never closed; it was read as a plain character")
		}
		c.ends = append(c.ends, len(c.rowBuf))
	}
	s := string(c.rowBuf)
	c.cells = c.cells[:0]
	prev := 0
	for _, e := range c.ends {
		c.cells = append(c.cells, s[prev:e])
		prev = e
	}
	return c.cells
}

func (c *csvRun) issue(i int, f *csvField, kind, msg string) {
	is := staging.Issue{File: c.name, Line: f.line, Column: i + 1, Kind: kind, Message: msg}
	if i < len(c.cols) {
		is.ColumnName = c.cols[i]
	}
	c.issues = append(c.issues, is)
}

var fffd = []byte("\uFFFD")

// clean fixes buf[off:], the text of field i: NUL bytes are removed; bytes that are not UTF-8 in
// a UTF-8 file are read as Windows-1252 (the usual reason: a record pasted from another system).
// Every change is flagged and reported with line and column.
func (c *csvRun) clean(buf []byte, off, i int, f *csvField) []byte {
	seg := buf[off:]
	nul := bytes.Count(seg, []byte{0})
	if !c.utf8Mode {
		if n := bytes.Count(seg, fffd); n > 0 {
			c.flags |= staging.FlagInvalidBytes
			c.issue(i, f, "invalid_bytes", fmt.Sprintf("%s could not be decoded as %s and show as \uFFFD",
				plural(n, "character", "characters"), c.d.Encoding))
		}
		if nul == 0 {
			return buf
		}
		out := append(c.scratch[:0], seg...)
		out = bytes.ReplaceAll(out, []byte{0}, nil)
		c.scratch = out
		c.flags |= staging.FlagNUL
		c.issue(i, f, "nul_byte", fmt.Sprintf("%s removed from this cell", plural(nul, "NUL byte", "NUL bytes")))
		return append(buf[:off], out...)
	}
	if nul == 0 && utf8.Valid(seg) {
		return buf
	}
	out := c.scratch[:0]
	bad, firstBad, chars := 0, 0, 0
	var badByte byte
	for j := 0; j < len(seg); {
		b := seg[j]
		switch {
		case b == 0:
			j++
			continue
		case b < utf8.RuneSelf:
			out = append(out, b)
			j++
		default:
			r, size := utf8.DecodeRune(seg[j:])
			if r == utf8.RuneError && size <= 1 {
				if bad == 0 {
					firstBad, badByte = chars+1, b
				}
				bad++
				out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(b))
				j++
			} else {
				out = append(out, seg[j:j+size]...)
				j += size
			}
		}
		chars++
	}
	c.scratch = out
	if nul > 0 {
		c.flags |= staging.FlagNUL
		c.issue(i, f, "nul_byte", fmt.Sprintf("%s removed from this cell", plural(nul, "NUL byte", "NUL bytes")))
	}
	if bad > 0 {
		c.flags |= staging.FlagInvalidBytes
		what := fmt.Sprintf("byte 0x%02X at character %d is", badByte, firstBad)
		if bad > 1 {
			what = fmt.Sprintf("%d bytes (the first 0x%02X at character %d) are", bad, badByte, firstBad)
		}
		c.issue(i, f, "invalid_bytes", fmt.Sprintf("%s not valid UTF-8; read as Windows-1252, the cell is %s",
			what, quoteShort(string(out), 80)))
	}
	return append(buf[:off], out...)
}

func quoteShort(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n]) + "…"
	}
	return strconv.Quote(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func cellCount(n int) string {
	if n == 1 {
		return "this line has 1 cell"
	}
	return "this line has " + strconv.Itoa(n) + " cells"
}

func delimName(d byte) string {
	switch d {
	case ',':
		return "a comma"
	case ';':
		return "a semicolon"
	case '\t':
		return "a tab"
	case '|':
		return "a pipe"
	case ':':
		return "a colon"
	case ' ':
		return "a space"
	}
	return strconv.QuoteRune(rune(d))
}

// --- detection ---

// bomEncoding recognises a byte order mark.
func bomEncoding(head []byte) (label string, enc encoding.Encoding, skip int, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return "utf-8-bom", nil, 3, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}):
		return "utf-32le", utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), 0, true
	case bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "utf-32be", utf32.UTF32(utf32.BigEndian, utf32.UseBOM), 0, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return "utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), 0, true
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), 0, true
	}
	return "", nil, 0, false
}

// utf16Guess spots UTF-16 without a byte order mark: text that is mostly ASCII has a zero in
// every other byte.
func utf16Guess(head []byte) (le, be bool) {
	n := min(len(head)/2, 4096)
	if n < 2 {
		return false, false
	}
	ze, zo := 0, 0
	for i := 0; i < n; i++ {
		if head[2*i] == 0 {
			ze++
		}
		if head[2*i+1] == 0 {
			zo++
		}
	}
	return zo*10 >= n*3 && ze*20 <= n, ze*10 >= n*3 && zo*20 <= n
}

// validUTF8 is utf8.Valid, forgiving a sequence cut off at the end of an incomplete sample.
func validUTF8(b []byte, complete bool) bool {
	if !complete {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// encodingByName maps what a person may type to an encoding. Latin-1 is read as Windows-1252,
// as browsers do: the bytes 0x80-0x9F are then €, curly quotes and dashes, never control codes.
func encodingByName(name string) (label string, enc encoding.Encoding, err error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "_", "-")
	switch n {
	case "utf-8", "utf8":
		return "utf-8", nil, nil
	case "utf-8-bom", "utf8-bom", "utf-8-sig":
		return "utf-8-bom", nil, nil
	case "utf-16le", "utf-16-le", "utf16le", "ucs-2le", "unicode":
		return "utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), nil
	case "utf-16be", "utf-16-be", "utf16be", "ucs-2be":
		return "utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), nil
	case "utf-16", "utf16":
		return "utf-16", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), nil
	case "utf-32le", "utf32le", "utf-32":
		return "utf-32le", utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), nil
	case "utf-32be", "utf32be":
		return "utf-32be", utf32.UTF32(utf32.BigEndian, utf32.UseBOM), nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1":
		return "latin-1", charmap.Windows1252, nil
	case "windows-1252", "cp1252", "win-1252", "ansi":
		return "windows-1252", charmap.Windows1252, nil
	}
	enc, err = htmlindex.Get(n)
	if err != nil {
		return "", nil, fmt.Errorf("unknown encoding %q: use utf-8, utf-16le, utf-16be, windows-1252, latin-1 or another standard name such as big5, gbk, shift_jis, iso-8859-2", name)
	}
	canon, _ := htmlindex.Name(enc)
	if canon == "" {
		canon = n
	}
	return canon, enc, nil
}

// detectEncoding decides how to read the bytes of the file.
func detectEncoding(head []byte, complete bool) (label string, enc encoding.Encoding, skip int, note string) {
	if l, e, s, ok := bomEncoding(head); ok {
		return l, e, s, ""
	}
	if le, be := utf16Guess(head); le {
		return "utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), 0, ""
	} else if be {
		return "utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), 0, ""
	}
	if validUTF8(head, complete) {
		return "utf-8", nil, 0, ""
	}
	label = "latin-1"
	high, paired := 0, 0
	for i, c := range head {
		if c >= 0x80 {
			high++
			if c <= 0x9F {
				label = "windows-1252"
			}
			if (i > 0 && head[i-1] >= 0x80) || (i+1 < len(head) && head[i+1] >= 0x80) {
				paired++
			}
		}
	}
	note = "The file is not UTF-8; it was read as " + map[string]string{"latin-1": "Latin-1", "windows-1252": "Windows-1252"}[label] +
		" (Western European)."
	if high >= 16 && paired*10 >= high*6 {
		note += " Its letters come in byte pairs, as in Chinese, Japanese or Korean text: if names look garbled, import it again choosing its encoding (for example big5, gbk, shift_jis or euc-kr)."
	} else {
		note += " If names look wrong, import it again choosing its encoding."
	}
	return label, charmap.Windows1252, 0, note
}

func delimiterByName(s string) (byte, error) {
	switch strings.ToLower(s) {
	case "tab", `\t`, "\t":
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	case "colon":
		return ':', nil
	case "space":
		return ' ', nil
	}
	if len(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r' && s[0] < utf8.RuneSelf {
		return s[0], nil
	}
	return 0, fmt.Errorf("the delimiter must be one character such as , ; | : or tab, not %q", s)
}

// sampleRecords parses up to max records of a decoded sample; a record cut off by the end of an
// incomplete sample is left out. Blank lines are skipped.
func sampleRecords(text []byte, complete bool, delim, quote byte, max int) (recs [][]string, quoted, singleQuoted int) {
	p := newCSVParser(bytes.NewReader(text), delim, quote)
	for len(recs) < max+1 && p.next() {
		if p.blank() {
			continue
		}
		rec := make([]string, len(p.fields))
		for i := range p.fields {
			f := &p.fields[i]
			rec[i] = string(p.appendField(nil, f))
			if f.quoted {
				quoted++
			} else if r := rec[i]; len(r) >= 2 && r[0] == '\'' && r[len(r)-1] == '\'' {
				singleQuoted++
			}
		}
		recs = append(recs, rec)
	}
	if len(recs) > max || (!complete && len(recs) > 1) {
		recs = recs[:len(recs)-1]
	}
	return recs, quoted, singleQuoted
}

// modal is the most common field count (ties: the larger) and the share of records that have it.
func modal(recs [][]string) (m int, share float64) {
	counts := map[int]int{}
	for _, r := range recs {
		counts[len(r)]++
	}
	best := 0
	for k, v := range counts {
		if v > best || (v == best && k > m) {
			m, best = k, v
		}
	}
	if len(recs) == 0 {
		return 0, 0
	}
	return m, float64(best) / float64(len(recs))
}

// sniffCSV detects encoding, delimiter, quote, junk lines and header from the first bytes.
func sniffCSV(head []byte, complete bool, opts Options) (csvDialect, error) {
	var d csvDialect
	if opts.Encoding != "" {
		label, enc, err := encodingByName(opts.Encoding)
		if err != nil {
			return d, err
		}
		d.Encoding, d.enc = label, enc
		if enc == nil && bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
			d.bom = 3
		}
	} else {
		var note string
		d.Encoding, d.enc, d.bom, note = detectEncoding(head, complete)
		if note != "" {
			d.Notes = append(d.Notes, note)
		}
	}
	text := head[d.bom:]
	if d.enc != nil {
		t, _, err := transform.Bytes(d.enc.NewDecoder(), text)
		if err != nil {
			return d, fmt.Errorf("the start of the file cannot be read as %s: %v", d.Encoding, err)
		}
		text = t
	}
	crlf := bytes.Count(text, []byte("\r\n"))
	cr, lf := bytes.Count(text, []byte("\r"))-crlf, bytes.Count(text, []byte("\n"))-crlf
	switch {
	case crlf > 0 && cr == 0 && lf == 0:
		d.LineEnds = "crlf"
	case cr > 0 && crlf == 0 && lf == 0:
		d.LineEnds = "cr"
	case lf > 0 && crlf == 0 && cr == 0:
		d.LineEnds = "lf"
	case crlf+cr+lf == 0:
		d.LineEnds = "none"
	default:
		d.LineEnds = "mixed"
	}

	const maxRecs = 500
	if opts.Delimiter != "" {
		b, err := delimiterByName(opts.Delimiter)
		if err != nil {
			return d, err
		}
		d.Delimiter = b
	} else {
		d.Delimiter = ','
		bestShare := 0.0
		for _, cand := range []byte{',', '\t', ';', '|', ':'} {
			recs, _, _ := sampleRecords(text, complete, cand, '"', maxRecs)
			m, share := modal(recs)
			if m < 2 {
				continue
			}
			if cand == ':' && (share < 0.9 || bestShare >= 0.5) {
				continue // times and URLs have colons; only a clear colon layout counts
			}
			if share > bestShare+0.001 {
				d.Delimiter, bestShare = cand, share
			}
		}
	}
	d.Quote = '"'
	recs, quoted, single := sampleRecords(text, complete, d.Delimiter, '"', maxRecs)
	if quoted == 0 && single >= 2 {
		d.Quote = '\''
		recs, _, _ = sampleRecords(text, complete, d.Delimiter, '\'', maxRecs)
	}

	m, _ := modal(recs)
	switch {
	case opts.SkipLines > 0:
		d.Skip = opts.SkipLines
	case opts.SkipLines == 0 && m >= 2:
		// Lines above the header with far fewer cells ("Report generated 2024-01-01") are junk.
		for d.Skip < len(recs)-1 && d.Skip < 50 {
			n := len(recs[d.Skip])
			if n >= m || (n != 1 && n*2 > m) {
				break
			}
			d.Skip++
		}
	}
	rest := recs
	if d.Skip < len(rest) {
		rest = rest[d.Skip:]
	} else {
		rest = nil
	}
	switch strings.ToLower(opts.Header) {
	case "yes", "y", "true", "1":
		d.Header = true
	case "no", "n", "false", "0":
		d.Header = false
	case "":
		d.Header = len(rest) > 0 && looksLikeHeader(rest[0])
	default:
		return d, fmt.Errorf("--header must be yes or no, not %q", opts.Header)
	}
	for _, r := range rest {
		d.Columns = max(d.Columns, len(r))
	}
	return d, nil
}

// looksLikeHeader: every filled cell is a distinct text (with a letter, not a number or date),
// and most cells are filled.
func looksLikeHeader(rec []string) bool {
	seen := map[string]bool{}
	filled := 0
	for _, f := range rec {
		t := strings.TrimSpace(f)
		if t == "" {
			continue
		}
		filled++
		if seen[t] || dataLike(t) {
			return false
		}
		seen[t] = true
	}
	return filled > 0 && filled*2 >= len(rec)
}

// dataLike: digits and no letters, as in 42, 3.50, -1, 2024-01-01, 01/02/2024, (555) 123-4567.
func dataLike(s string) bool {
	digit := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			return false
		}
		if unicode.IsDigit(r) {
			digit = true
		}
	}
	return digit
}
