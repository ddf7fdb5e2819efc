package importers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/ferry-migrate/ferry/app/staging"
)

// iifImporter reads QuickBooks Intuit Interchange Format (.iif): tab-delimited text where a line
// starting with "!" names the columns of a record type (!TRNS, !SPL, !ENDTRNS, !ACCNT, !CUST,
// !VEND, !INVITEM …) and each following line starting with that type is one record.
//
// Each record type becomes one staged table named after it (TRNS, SPL, ACCNT …), with the
// header's columns. A transaction is a TRNS line, its SPL (split) lines and ENDTRNS: the TRNS and
// SPL tables get an extra first column iif_transaction, the transaction's number in the file
// (1, 2 …), so a split can be joined to its transaction. An SPL outside a TRNS … ENDTRNS block is
// kept with an empty iif_transaction and an issue. ENDTRNS lines carry no data and are not staged.
//
// Values are kept as written, except that a value wrapped in double quotes (as QuickBooks writes
// text holding commas) loses the quotes. QuickBooks writes IIF in the Windows code page: a file
// that is not valid UTF-8 is read as Windows-1252 (Options.Encoding overrides) and an issue says
// so. A record whose type has no header line gets columns column_1 … and an issue. Row.Line is
// the line in the file.
type iifImporter struct{}

func init() { register(iifImporter{}) }

const iifTransCol = "iif_transaction"

func (iifImporter) Format() string { return "iif" }

func (iifImporter) Probe(head []byte, name string) int {
	ext := strings.EqualFold(filepath.Ext(name), ".iif")
	h := bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	if len(h) > 1 && h[0] == '!' {
		line := h
		if i := bytes.IndexAny(h, "\r\n"); i >= 0 {
			line = h[:i]
		}
		if bytes.IndexByte(line, '\t') > 1 {
			if ext {
				return 100
			}
			return 90
		}
	}
	if ext && looksText(head) {
		return 60
	}
	return 0
}

type iifTable struct {
	kind    string
	columns []string
	w       staging.TableWriter
	trans   bool // has the iif_transaction column
	issues  map[string]int
}

func (t *iifTable) issue(is staging.Issue) {
	t.issues[is.Kind]++
	switch c := t.issues[is.Kind]; {
	case c <= mysqlMaxIssues:
		t.w.Issue(is)
	case c == mysqlMaxIssues+1:
		t.w.Issue(staging.Issue{File: is.File, Line: is.Line, Kind: is.Kind,
			Message: fmt.Sprintf("more rows have the same problem (%s); only the first %d are listed, the rows themselves are flagged", is.Kind, mysqlMaxIssues)})
	}
}

// Import stages one table per record type.
func (iifImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
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
	// the encoding: chosen, or UTF-8 when the whole file is, or Windows-1252
	var enc encoding.Encoding
	label := "utf-8"
	var encNote string
	if opts.Encoding != "" {
		if label, enc, err = encodingByName(opts.Encoding); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	} else if ok, err := iifValidUTF8(f); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	} else if !ok {
		label, enc = "windows-1252", charmap.Windows1252
		encNote = "the file is not UTF-8, so it was read as Windows-1252 (as QuickBooks writes IIF); if letters look wrong, choose its encoding and import again"
	}
	if _, err := f.Seek(0, 0); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	counter := &countingReader{r: f}
	sc := bufio.NewScanner(counter)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	sc.Split(iifLines)
	prog := &progressEvery{fn: progress, every: 1000}
	headers := map[string][]string{}
	tables := map[string]*iifTable{}
	var order []*iifTable
	var trans int64
	inTrans := false
	var rows, line int64
	open := func(kind string, cols []string, at int64, noHeader bool) (*iifTable, error) {
		withTrans := kind == "TRNS" || kind == "SPL"
		all := cols
		if withTrans {
			all = append([]string{iifTransCol}, cols...)
		}
		src := staging.SourceInfo{FileName: name, Format: "iif", Encoding: label, Delimiter: "\t", HeaderRow: true,
			Options: map[string]string{"record_type": kind}}
		w, err := sink.Table(ctx, staging.TableSpec{Name: kind, Columns: all, Source: src})
		if err != nil {
			return nil, stagingError(name, kind, err)
		}
		t := &iifTable{kind: kind, columns: all, w: w, trans: withTrans, issues: map[string]int{}}
		if len(order) == 0 && encNote != "" {
			w.Issue(staging.Issue{File: name, Line: at, Kind: "encoding", Message: encNote})
		}
		if noHeader {
			w.Issue(staging.Issue{File: name, Line: at, Kind: "no_header",
				Message: fmt.Sprintf("line %d: %s records come before any !%s line naming their columns, so the columns are numbered", at, kind, kind)})
		}
		tables[kind] = t
		order = append(order, t)
		return t, nil
	}
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw := sc.Bytes()
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
		}
		var flags staging.Flag
		text := string(raw)
		if enc != nil {
			if d, err := enc.NewDecoder().Bytes(raw); err == nil {
				text = string(d)
			}
		}
		if strings.IndexByte(text, 0) >= 0 {
			text = strings.ReplaceAll(text, "\x00", "")
			flags |= staging.FlagNUL
		}
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
			flags |= staging.FlagInvalidBytes
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		cells := strings.Split(text, "\t")
		for i, c := range cells {
			cells[i] = iifUnquote(c)
		}
		kind := strings.ToUpper(strings.TrimSpace(cells[0]))
		if strings.HasPrefix(kind, "!") {
			kind = strings.TrimPrefix(kind, "!")
			cols := cells[1:]
			for len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
				cols = cols[:len(cols)-1] // trailing tabs
			}
			headers[kind] = cols
			if t, ok := tables[kind]; ok && !equalStrings(t.columns[btoi(t.trans):], cols) {
				// the same record type with other columns further down: a new table
				delete(tables, kind)
			}
			continue
		}
		switch kind {
		case "TRNS":
			trans++
			inTrans = true
		case "ENDTRNS":
			inTrans = false
			continue
		}
		t := tables[kind]
		if t == nil {
			cols, ok := headers[kind]
			if !ok {
				cols = make([]string, max(len(cells)-1, 1))
				for i := range cols {
					cols[i] = fmt.Sprintf("column_%d", i+1)
				}
			}
			if len(cols) == 0 {
				cols = []string{"column_1"}
			}
			if t, err = open(kind, cols, line, !ok); err != nil {
				return err
			}
		}
		vals := cells[1:]
		if t.trans {
			id := ""
			if kind == "TRNS" || inTrans {
				id = strconv.FormatInt(trans, 10)
			} else {
				t.issue(staging.Issue{File: name, Line: line, Kind: "orphan_split",
					Message: fmt.Sprintf("line %d: a split (SPL) outside a TRNS … ENDTRNS transaction; it is kept with no transaction number", line)})
				flags |= staging.FlagParse
			}
			vals = append([]string{id}, vals...)
		}
		n := len(t.columns)
		var overflow []string
		if len(vals) > n {
			extra := vals[n:]
			blank := true
			for _, e := range extra {
				if strings.TrimSpace(e) != "" {
					blank = false
				}
			}
			if !blank {
				overflow = append([]string(nil), extra...)
				flags |= staging.FlagExtraCells
				t.issue(staging.Issue{File: name, Line: line, Kind: "extra_cells",
					Message: fmt.Sprintf("line %d: the %s record has more values than its header has columns; the extra ones are kept in the row's overflow", line, kind)})
			}
			vals = vals[:n]
		}
		if flags&staging.FlagNUL != 0 {
			t.issue(staging.Issue{File: name, Line: line, Kind: "nul_byte", Message: fmt.Sprintf("line %d: a NUL byte was removed", line)})
		}
		if flags&staging.FlagInvalidBytes != 0 {
			t.issue(staging.Issue{File: name, Line: line, Kind: "invalid_bytes",
				Message: fmt.Sprintf("line %d: bytes that are not valid in %s were replaced by \uFFFD", line, label)})
		}
		if err := t.w.Write(staging.Row{Line: line, Cells: vals, Flags: flags, Overflow: overflow}); err != nil {
			return stagingError(name, kind, err)
		}
		rows++
		prog.report(counter.n, st.Size(), rows, false)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return fmt.Errorf("%s: line %d is longer than 16 MB; this is not an IIF file Ferry can read. Export the data from QuickBooks again", name, line+1)
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	for _, t := range order {
		if err := t.w.Close(); err != nil {
			return stagingError(name, t.kind, err)
		}
	}
	if len(order) == 0 {
		return fmt.Errorf("%s: no records in this IIF file (only headers or nothing), so there is nothing to import: %w", name, staging.ErrNothing)
	}
	prog.report(st.Size(), st.Size(), rows, true)
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// iifUnquote removes the double quotes QuickBooks puts around some text values.
func iifUnquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

// iifLines splits on \n, \r\n and a lone \r.
func iifLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need one more byte to know
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func iifValidUTF8(f *os.File) (bool, error) {
	r := bufio.NewReaderSize(f, 1<<20)
	var carry []byte
	buf := make([]byte, 1<<20)
	for {
		n, err := r.Read(buf)
		chunk := append(carry, buf[:n]...)
		// keep an incomplete rune at the end for the next chunk
		cut := len(chunk)
		for k := 1; k <= 3 && k <= len(chunk); k++ {
			if utf8.RuneStart(chunk[len(chunk)-k]) {
				if !utf8.FullRune(chunk[len(chunk)-k:]) {
					cut = len(chunk) - k
				}
				break
			}
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = append([]byte(nil), chunk[cut:]...)
		if err != nil {
			if err == io.EOF {
				return utf8.Valid(carry), nil
			}
			return false, err
		}
	}
}
