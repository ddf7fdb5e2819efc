package importers

import (
	"bytes"
	"errors"
	"io"
)

// csvParser is a streaming, byte-level CSV state machine over UTF-8 text (files in other encodings
// are decoded before they reach it). It keeps the current record in its buffer and hands out field
// offsets, so an ordinary field is never copied until the row is built, and a quote that turns
// out not to open a quoted cell can be re-read as a plain character.
//
// It accepts what real exports contain: CR, LF and CRLF line ends (mixed), quoted cells with
// line breaks and doubled quotes, blanks around a quoted cell, stray quotes (kept, reported) and
// quotes that never close (re-read as plain characters, reported).
type csvParser struct {
	r    io.Reader
	buf  []byte
	beg  int // first byte of the current record
	pos  int // next byte to read
	end  int // end of the data in buf
	eof  bool
	rerr error

	delim, quote byte
	class        [256]byte
	line         int64 // line of the byte at pos, from 1

	fields  []csvField
	recLine int64

	maxRecord, maxQuoted int
	// Re-reading unterminated quoted cells costs time; past a budget quotes are no longer
	// special for the rest of the file (and that is reported), so no input makes it quadratic.
	read, rereadBytes int64
	quotesOffLine     int64
	quotesOff         bool
	quotesOffShown    bool
}

type csvField struct {
	s, e         int   // content, relative to the record's first byte
	line         int64 // line the field starts on
	quoted       bool
	esc          bool // holds doubled quotes to collapse
	stray        bool // a quote inside a quoted cell was kept as a plain character
	unterminated bool // an opening quote never closed; the cell was re-read without it
	special      bool // holds NUL or non-ASCII bytes: check and clean when building the row
}

const (
	clsDelim = 1 << iota
	clsLF
	clsCR
	clsSpecial
)

var errRecordTooLong = errors.New("record too long")

// Limits that keep memory bounded whatever the input: a record (one line, or several inside a
// quoted cell) may not pass csvMaxRecord; a quoted cell longer than csvMaxQuoted is taken to be
// a stray quote and re-read as plain text.
var (
	csvMaxRecord = 64 << 20
	csvMaxQuoted = 16 << 20
)

func newCSVParser(r io.Reader, delim, quote byte) *csvParser {
	p := &csvParser{r: r, buf: make([]byte, min(256<<10, csvMaxRecord)), delim: delim, quote: quote, line: 1,
		maxRecord: csvMaxRecord, maxQuoted: csvMaxQuoted}
	p.class['\n'] |= clsLF
	p.class['\r'] |= clsCR
	p.class[0] |= clsSpecial
	for c := 0x80; c < 0x100; c++ {
		p.class[c] |= clsSpecial
	}
	p.class[delim] = clsDelim
	return p
}

// fill reads more input, keeping the current record at the front of the buffer. It reports
// whether any byte was added.
func (p *csvParser) fill() bool {
	if p.eof {
		return false
	}
	if p.beg > 0 {
		n := copy(p.buf, p.buf[p.beg:p.end])
		p.pos -= p.beg
		p.end = n
		p.beg = 0
	}
	if p.end == len(p.buf) {
		if len(p.buf) >= p.maxRecord {
			p.rerr = errRecordTooLong
			p.eof = true
			return false
		}
		nb := make([]byte, min(2*len(p.buf), p.maxRecord))
		copy(nb, p.buf[:p.end])
		p.buf = nb
	}
	for {
		n, err := p.r.Read(p.buf[p.end:])
		p.end += n
		p.read += int64(n)
		if err != nil {
			if err != io.EOF {
				p.rerr = err
			}
			p.eof = true
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

func (p *csvParser) peek(k int) (byte, bool) {
	for p.pos+k >= p.end {
		if !p.fill() {
			return 0, false
		}
	}
	return p.buf[p.pos+k], true
}

// err is the reason reading stopped early: a read error or a record past the size limit.
func (p *csvParser) err() error { return p.rerr }

// next parses the next record into p.fields; false at the end of the input or on an error.
func (p *csvParser) next() bool {
	p.fields = p.fields[:0]
	if p.rerr != nil {
		return false
	}
	p.beg = p.pos
	if p.pos >= p.end && !p.fill() {
		return false
	}
	p.recLine = p.line
	for p.field() {
	}
	return p.rerr == nil
}

// blank reports whether the record is an empty line.
func (p *csvParser) blank() bool {
	return len(p.fields) == 1 && !p.fields[0].quoted && p.fields[0].s == p.fields[0].e
}

// field parses one field; it reports whether the record goes on (a delimiter followed).
func (p *csvParser) field() bool {
	f := csvField{s: p.pos - p.beg, line: p.line}
	if p.quote != 0 && !p.quotesOff {
		lead := 0
		c, ok := p.peek(0)
		for ok && (c == ' ' || c == '\t') && c != p.delim {
			lead++
			c, ok = p.peek(lead)
		}
		if ok && c == p.quote {
			return p.quoted(&f, lead)
		}
	}
	return p.unquoted(&f)
}

func (p *csvParser) unquoted(f *csvField) bool {
	for {
		buf := p.buf[p.pos:p.end]
		for i, c := range buf {
			cls := p.class[c]
			if cls == 0 {
				continue
			}
			switch {
			case cls&clsDelim != 0:
				f.e = p.pos + i - p.beg
				p.pos += i + 1
				p.fields = append(p.fields, *f)
				return true
			case cls&clsLF != 0:
				f.e = p.pos + i - p.beg
				p.pos += i + 1
				p.line++
				p.fields = append(p.fields, *f)
				return false
			case cls&clsCR != 0:
				f.e = p.pos + i - p.beg
				p.pos += i + 1
				p.line++
				if c, ok := p.peek(0); ok && c == '\n' {
					p.pos++
				}
				p.fields = append(p.fields, *f)
				return false
			default:
				f.special = true
			}
		}
		p.pos = p.end
		if !p.fill() {
			f.e = p.pos - p.beg
			p.fields = append(p.fields, *f)
			return false
		}
	}
}

// quoted parses a field that starts with lead blanks and a quote at p.pos.
func (p *csvParser) quoted(f *csvField, lead int) bool {
	startRel, startLine := p.pos-p.beg, p.line
	p.pos += lead + 1
	f.quoted = true
	f.s = p.pos - p.beg
	for {
		buf := p.buf[p.pos:p.end]
		j := bytes.IndexByte(buf, p.quote)
		chunk := buf
		if j >= 0 {
			chunk = buf[:j]
		} else if n := len(chunk); n > 0 && chunk[n-1] == '\r' {
			chunk = chunk[:n-1] // its LF may follow after the next read: count the pair once
		}
		if f.stray && bytes.ContainsAny(chunk, "\r\n") {
			// A stray quote and then a line break: the opening quote was most likely not one
			// either ("Jones"x,...). Read the cell as plain text rather than swallow lines.
			return p.reread(f, startRel, startLine, false, true)
		}
		p.countLines(chunk)
		if !f.special {
			for _, c := range chunk {
				if c == 0 || c >= 0x80 {
					f.special = true
					break
				}
			}
		}
		p.pos += len(chunk)
		if p.pos-p.beg-f.s > p.maxQuoted {
			return p.reread(f, startRel, startLine, true, false)
		}
		if j < 0 {
			if !p.fill() {
				return p.reread(f, startRel, startLine, true, false)
			}
			continue
		}
		// at a quote: what follows decides whether it closes the cell
		c, ok := p.peek(1)
		if !ok {
			f.e = p.pos - p.beg
			p.pos++
			p.fields = append(p.fields, *f)
			return false
		}
		k := 1
		if c == p.quote {
			f.esc = true
			p.pos += 2
			continue
		}
		for ok && (c == ' ' || c == '\t') && c != p.delim {
			k++
			c, ok = p.peek(k)
		}
		switch {
		case !ok:
			f.e = p.pos - p.beg
			p.pos += k
			p.fields = append(p.fields, *f)
			return false
		case c == p.delim:
			f.e = p.pos - p.beg
			p.pos += k + 1
			p.fields = append(p.fields, *f)
			return true
		case c == '\n' || c == '\r':
			f.e = p.pos - p.beg
			p.pos += k + 1
			p.line++
			if c == '\r' {
				if c, ok := p.peek(0); ok && c == '\n' {
					p.pos++
				}
			}
			p.fields = append(p.fields, *f)
			return false
		}
		// A quote followed by anything else is not a closing one.
		if lead > 0 {
			// blanks, then something in quotes, then more: ` "Big" Joe` is plain text
			return p.reread(f, startRel, startLine, false, false)
		}
		f.stray = true
		p.pos++
	}
}

// reread goes back to the start of a field and reads it as plain text, its quote included.
func (p *csvParser) reread(f *csvField, startRel int, startLine int64, unterminated, stray bool) bool {
	p.rereadBytes += int64(p.pos - (p.beg + startRel))
	p.pos = p.beg + startRel
	p.line = startLine
	*f = csvField{s: startRel, line: startLine, unterminated: unterminated, stray: stray}
	if p.rereadBytes > 64<<20+4*p.read && !p.quotesOff {
		p.quotesOff, p.quotesOffLine = true, startLine
	}
	return p.unquoted(f)
}

func (p *csvParser) countLines(b []byte) {
	n := bytes.Count(b, []byte{'\n'})
	if cr := bytes.Count(b, []byte{'\r'}); cr > 0 {
		n += cr - bytes.Count(b, []byte("\r\n"))
	}
	p.line += int64(n)
}

// raw is the field's bytes as in the input, without its enclosing quotes.
func (p *csvParser) raw(f *csvField) []byte { return p.buf[p.beg+f.s : p.beg+f.e] }

// appendField appends the field's text to dst, doubled quotes collapsed.
func (p *csvParser) appendField(dst []byte, f *csvField) []byte {
	raw := p.raw(f)
	if !f.esc {
		return append(dst, raw...)
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		dst = append(dst, c)
		if c == p.quote && i+1 < len(raw) && raw[i+1] == p.quote {
			i++
		}
	}
	return dst
}
