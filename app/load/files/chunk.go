package files

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/target"
)

// chunk is one output file being written under its temporary name.
type chunk interface {
	// row writes one record's cells (already neutralised).
	row(cells []string) error
	// finish completes the file, syncs it to disk and closes it.
	finish() (bytes int64, sha string, err error)
	// abort closes the file without completing it (the caller removes it).
	abort()
}

// sink counts and hashes what goes into the temporary file.
type sink struct {
	f *os.File
	h hash.Hash
	n int64
}

func newSink(f *os.File) *sink { return &sink{f: f, h: sha256.New()} }

func (s *sink) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

func (s *sink) close() (int64, string, error) {
	if err := s.f.Sync(); err != nil {
		s.f.Close()
		return 0, "", err
	}
	if err := s.f.Close(); err != nil {
		return 0, "", err
	}
	return s.n, hex.EncodeToString(s.h.Sum(nil)), nil
}

// csvChunk writes RFC 4180 CSV. encoding/csv is not used: with CRLF line ends it rewrites
// line breaks inside values and drops a lone carriage return, and a value must come back
// exactly as it went in.
type csvChunk struct {
	s     *sink
	w     *bufio.Writer
	delim string
	eol   string
}

func newCSVChunk(f *os.File, cfg Config, header []string) (*csvChunk, error) {
	s := newSink(f)
	c := &csvChunk{s: s, w: bufio.NewWriterSize(s, 256<<10), delim: cfg.Delimiter, eol: "\r\n"}
	if cfg.LineEnding == "lf" {
		c.eol = "\n"
	}
	if cfg.Encoding == "utf-8-bom" {
		c.w.WriteString("\uFEFF")
	}
	if header != nil {
		if err := c.row(header); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *csvChunk) row(cells []string) error {
	for i, v := range cells {
		if i > 0 {
			c.w.WriteString(c.delim)
		}
		if !c.needsQuotes(v) {
			c.w.WriteString(v)
			continue
		}
		c.w.WriteByte('"')
		c.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
		c.w.WriteByte('"')
	}
	_, err := c.w.WriteString(c.eol)
	return err
}

func (c *csvChunk) needsQuotes(v string) bool {
	if v == "" {
		return false
	}
	if strings.ContainsAny(v, "\"\r\n") || strings.Contains(v, c.delim) {
		return true
	}
	first, last := v[0], v[len(v)-1]
	return first == ' ' || first == '\t' || last == ' ' || last == '\t' || strings.HasPrefix(v, "\uFEFF")
}

func (c *csvChunk) finish() (int64, string, error) {
	if err := c.w.Flush(); err != nil {
		c.s.f.Close()
		return 0, "", err
	}
	return c.s.close()
}

// xlsxChunk writes one workbook with one sheet through excelize's StreamWriter, which keeps at
// most a bounded buffer of rows in memory (the rest in its own temporary file).
type xlsxChunk struct {
	s       *sink
	x       *excelize.File
	sw      *excelize.StreamWriter
	r       int
	numeric []bool // the field's values may be stored as numbers
	text    int    // style: the "@" text format
	numFmt  map[int]int
	buf     []any
}

func newXLSXChunk(f *os.File, cfg Config, sheet string, fields []target.Field, header []string) (_ *xlsxChunk, err error) {
	x := excelize.NewFile()
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	if err := x.SetSheetName(x.GetSheetName(0), sheet); err != nil {
		return nil, err
	}
	c := &xlsxChunk{s: newSink(f), x: x, numeric: make([]bool, len(fields)), numFmt: map[int]int{}, buf: make([]any, len(fields))}
	if c.text, err = x.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return nil, err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, err
	}
	if c.sw, err = x.NewStreamWriter(sheet); err != nil {
		return nil, err
	}
	if header != nil {
		if err := c.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return nil, err
		}
	}
	for i, fl := range fields {
		c.numeric[i] = numericType(fl.Type) && !cfg.NumbersAsText
		w := 10.0
		if i < len(header) {
			w = min(max(float64(len([]rune(header[i])))+2, 10), 40)
		}
		if err := c.sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
		if !c.numeric[i] {
			if err := c.sw.SetColStyle(i+1, i+1, c.text); err != nil {
				return nil, err
			}
		}
	}
	if header != nil {
		c.r = 1
		row := make([]any, len(header))
		for i, h := range header {
			row[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := c.sw.SetRow("A1", row); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *xlsxChunk) row(cells []string) error {
	c.r++
	for i, v := range cells {
		switch {
		case v == "":
			c.buf[i] = nil
		case c.numeric[i]:
			if f, dec, ok := xlsxNumber(v); ok {
				st, err := c.numStyle(dec)
				if err != nil {
					return err
				}
				c.buf[i] = excelize.Cell{StyleID: st, Value: f}
				continue
			}
			c.buf[i] = excelize.Cell{StyleID: c.text, Value: v}
		default:
			c.buf[i] = excelize.Cell{StyleID: c.text, Value: v}
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, c.r)
	if err != nil {
		return err
	}
	return c.sw.SetRow(cell, c.buf[:len(cells)])
}

// numStyle is the style showing a number with dec decimals ("0", "0.00" …).
func (c *xlsxChunk) numStyle(dec int) (int, error) {
	if st, ok := c.numFmt[dec]; ok {
		return st, nil
	}
	code := "0"
	if dec > 0 {
		code += "." + strings.Repeat("0", dec)
	}
	st, err := c.x.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, err
	}
	c.numFmt[dec] = st
	return st, nil
}

func (c *xlsxChunk) finish() (int64, string, error) {
	defer c.x.Close()
	if err := c.sw.Flush(); err != nil {
		c.s.f.Close()
		return 0, "", err
	}
	if err := c.x.Write(c.s); err != nil {
		c.s.f.Close()
		return 0, "", fmt.Errorf("writing the workbook: %w", err)
	}
	return c.s.close()
}

func (c *csvChunk) abort() { c.s.f.Close() }

func (c *xlsxChunk) abort() {
	c.x.Close()
	c.s.f.Close()
}

var _ io.Writer = (*sink)(nil)
