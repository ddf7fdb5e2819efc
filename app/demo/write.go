package demo

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// table writes one CSV file the way a Windows export does: header row, commas, RFC 4180 quoting,
// CRLF line ends (also inside quoted values), in Windows-1252 or UTF-8 (with or without BOM).
type table struct {
	info *File
	f    *os.File
	fbw  *bufio.Writer // file side
	tw   io.WriteCloser
	cw   *csv.Writer
	err  error
}

func newTable(dir string, info *File) (*table, error) {
	f, err := os.Create(filepath.Join(dir, info.Name))
	if err != nil {
		return nil, err
	}
	t := &table{info: info, f: f, fbw: bufio.NewWriterSize(f, 1<<16)}
	info.Delimiter, info.LineEnding = ",", "CRLF"
	w := io.Writer(t.fbw)
	switch info.Encoding {
	case "windows-1252":
		t.tw = transform.NewWriter(t.fbw, charmap.Windows1252.NewEncoder())
		w = bufio.NewWriterSize(t.tw, 1<<16)
	case "utf-8":
		if info.BOM {
			t.fbw.WriteString("\uFEFF")
		}
	default:
		f.Close()
		return nil, fmt.Errorf("unknown encoding %q", info.Encoding)
	}
	t.cw = csv.NewWriter(w)
	t.cw.UseCRLF = true
	if err := t.cw.Write(info.Columns); err != nil {
		f.Close()
		return nil, err
	}
	return t, nil
}

// write appends a record and returns its 1-based record number.
func (t *table) write(rec []string) int {
	for _, v := range rec {
		if strings.ContainsAny(v, "\r\n") {
			t.info.Multiline++
		}
	}
	if err := t.cw.Write(rec); err != nil && t.err == nil {
		t.err = fmt.Errorf("writing %s: %w", t.info.Name, err)
	}
	t.info.Rows++
	return t.info.Rows
}

func (t *table) close() error {
	if t.f == nil {
		return nil
	}
	t.cw.Flush()
	err := t.err
	if e := t.cw.Error(); e != nil {
		err = errors.Join(err, fmt.Errorf("writing %s: %w", t.info.Name, e))
	}
	if t.tw != nil {
		err = errors.Join(err, t.tw.Close())
	}
	err = errors.Join(err, t.fbw.Flush(), t.f.Close())
	t.f = nil
	return err
}

func writeManifest(path string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
