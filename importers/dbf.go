package importers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/Valentin-Kaiser/go-dbase/dbase"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/ferry-migrate/ferry/app/staging"
)

// dbfImporter reads dBase III/IV, FoxPro and Visual FoxPro tables (.dbf) with go-dbase, which
// opens the table read-only, parses its header and field list and reads each record's bytes.
// Ferry turns those bytes into text itself, because the person must see what was stored:
//
//   - C: the text in the table's code page (header byte 29; Options.Encoding overrides; an
//     unmarked table is read as Windows-1252 and an issue says so), trailing padding removed;
//   - N, F: the digits exactly as stored ("12.50" stays "12.50");
//   - D: YYYYMMDD becomes YYYY-MM-DD (even impossible dates: cleansing judges them); blank is "";
//   - L: T, F, Y or N as stored (upper case); "?" or blank (never set) is a NULL;
//   - T (FoxPro date-time): 2024-03-05T14:30:00; I: the integer; Y (currency): four decimals;
//     B (double): shortest exact form;
//   - M: the memo text from the .fpt (FoxPro) or .dbt (dBase III/IV) beside the table; a table
//     with memo fields whose memo file is missing is refused rather than staged without them;
//   - G, P, W, Q and binary memos: base64 text (SourceInfo.Options["blob_encoding"]), with an
//     issue naming the column;
//   - Visual FoxPro NULLs (the hidden _NullFlags field) become real NULLs (Row.Nulls).
//
// Deleted records (marked "*", kept in the file until the table is packed) are never skipped:
// they are staged with the others, an extra column "dbf_deleted" says true for them (no DBF field
// name can be that long, so it cannot clash), and an issue counts them. Row.Line is the record
// number (1-based). The table is named after the file.
type dbfImporter struct{}

func init() { register(dbfImporter{}) }

const (
	dbfDeletedCol = "dbf_deleted"
	dbfMaxMemo    = 64 << 20
	dbfMaxIssues  = 50
)

func (dbfImporter) Format() string { return "dbf" }

var dbfVersions = map[byte]string{
	0x02: "FoxBASE", 0x03: "dBase III / FoxBASE+", 0x04: "dBase 7", 0x05: "dBase V",
	0x30: "Visual FoxPro", 0x31: "Visual FoxPro (autoincrement)", 0x32: "Visual FoxPro (varchar)",
	0x43: "dBase IV SQL table", 0x63: "dBase IV SQL system", 0x7B: "dBase IV with memo",
	0x83: "dBase III+ with memo", 0x8B: "dBase IV with memo", 0x8C: "dBase 7 with memo",
	0x8E: "dBase IV with SQL table", 0xCB: "dBase IV SQL table with memo", 0xE5: "Clipper SIX with memo",
	0xF5: "FoxPro 2 with memo", 0xFB: "FoxBASE with memo",
}

const dbfFieldTypes = "CNFDLMGBPIYTVQW0@+O"

// Probe: a known version byte, a plausible last-update date, header and record lengths that fit
// whole 32-byte field descriptors, and a first descriptor that looks like one.
func (dbfImporter) Probe(head []byte, name string) int {
	if len(head) < 64 {
		return 0
	}
	if _, ok := dbfVersions[head[0]]; !ok {
		return 0
	}
	mm, dd := head[2], head[3]
	if mm > 12 || dd > 31 || (mm == 0) != (dd == 0) {
		return 0
	}
	hlen := int(binary.LittleEndian.Uint16(head[8:10]))
	rlen := int(binary.LittleEndian.Uint16(head[10:12]))
	if hlen < 65 || rlen < 2 {
		return 0
	}
	if (hlen-33)%32 != 0 && (hlen-33-263)%32 != 0 {
		// some writers pad the header; accept when a terminator is where the fields end
		if hlen <= len(head) && bytes.IndexByte(head[32:hlen], 0x0D) < 0 {
			return 0
		}
	}
	// first field descriptor: a NUL-padded name, then a known type
	name0 := head[32:43]
	end := bytes.IndexByte(name0, 0)
	if end == 0 {
		return 0
	}
	if end < 0 {
		end = 11
	}
	for _, c := range name0[:end] {
		if c < 0x20 || c == 0x7F {
			return 0
		}
	}
	if !strings.ContainsRune(dbfFieldTypes, rune(head[43])) || head[43] == 0 {
		return 0
	}
	score := 75
	if bytes.IndexByte(head[32:min(hlen, len(head))], 0x0D) >= 0 {
		score = 80
	}
	if strings.EqualFold(filepath.Ext(name), ".dbf") {
		score += 15
	}
	return score
}

// dbfField is one field descriptor as stored, _NullFlags included.
type dbfField struct {
	name     string
	typ      byte
	offset   int // in the record, after the deletion marker
	length   int
	decimals int
	flags    byte
	nullBit  int // Visual FoxPro: bit in _NullFlags saying NULL, -1 when not nullable
	varBit   int // Visual FoxPro V/Q: bit saying the length is in the last byte, -1 otherwise
}

// Import stages the table.
func (dbfImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	hdr, fields, nullFlags, err := dbfReadHeader(path, name, st.Size())
	if err != nil {
		return err
	}
	version := hdr[0]
	codePage := hdr[29]
	headerLen := int64(binary.LittleEndian.Uint16(hdr[8:10]))
	recLen := int64(binary.LittleEndian.Uint16(hdr[10:12]))
	declared := int64(binary.LittleEndian.Uint32(hdr[4:8]))

	// the code page
	encLabel, enc, assumed := dbfEncoding(codePage)
	if opts.Encoding != "" {
		encLabel, enc, err = dbfEncodingByName(opts.Encoding)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		assumed = false
	}

	// the memo file, when a field needs it
	needMemo := false
	for _, f := range fields {
		if f.isMemo() {
			needMemo = true
		}
	}
	var memo *dbfMemo
	if needMemo {
		memo, err = dbfOpenMemo(path, version)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer memo.Close()
	}

	// go-dbase opens the table read-only and checks its header and fields.
	table, err := dbase.OpenTable(&dbase.Config{Filename: path, ReadOnly: true, Untested: true, InterpretCodePage: true})
	if err != nil {
		return fmt.Errorf("%s: this dBase/FoxPro table could not be opened (%v). Make a fresh copy from the old system, with its .fpt/.dbt memo file beside it, and add it again", name, err)
	}
	defer table.Close()
	if got := len(table.Columns()); got != len(fields) {
		return fmt.Errorf("%s: the table's field list is damaged (%d fields read one way, %d another). Make a fresh copy from the old system and add it again", name, got, len(fields))
	}

	available := (st.Size() - headerLen) / recLen
	count := min(declared, available, int64(table.RowsCount()))
	deleted, err := dbfCountDeleted(ctx, path, headerLen, recLen, count)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}

	columns := make([]string, 0, len(fields)+1)
	for _, f := range fields {
		columns = append(columns, dbfDecode(enc, []byte(f.name)))
	}
	if deleted > 0 {
		columns = append(columns, dbfDeletedCol)
	}
	table2 := srcStem(path)
	if opts.Table != "" {
		table2 = opts.Table
	}
	vname := dbfVersions[version]
	src := staging.SourceInfo{FileName: name, Format: "dbf", Encoding: encLabel, HeaderRow: true,
		Options: map[string]string{"dbf_version": fmt.Sprintf("0x%02X %s", version, vname), "code_page_mark": fmt.Sprintf("0x%02X", codePage), "blob_encoding": "base64"}}
	if memo != nil {
		src.Options["memo_file"] = filepath.Base(memo.path)
	}
	w, err := sink.Table(ctx, staging.TableSpec{Name: table2, Columns: columns, Source: src})
	if err != nil {
		return stagingError(name, table2, err)
	}

	run := &dbfRun{name: name, w: w, enc: enc, memo: memo, issues: map[string]int{}, binSeen: map[int]bool{}}
	if count < declared {
		w.Issue(staging.Issue{File: name, Kind: "truncated",
			Message: fmt.Sprintf("the header says the table has %d records but the file holds only %d: it looks cut short. The %d records present were staged; make a fresh copy from the old system if records are missing", declared, count, count)})
	}
	if deleted > 0 {
		w.Issue(staging.Issue{File: name, Kind: "deleted_records",
			Message: fmt.Sprintf("%d of the %d records are marked as deleted in the old system (dBase keeps them until the table is packed). They were staged like the others with %s = true; decide in mapping whether to migrate them", deleted, count, dbfDeletedCol)})
	}

	prog := &progressEvery{fn: progress, every: 1000}
	cells := make([]string, len(columns))
	nulls := make([]bool, len(columns))
	nonASCII := false
	for i := int64(0); i < count; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw, err := table.ReadRow(uint32(i))
		if err != nil {
			return fmt.Errorf("%s: record %d could not be read (%v). Make a fresh copy from the old system and add it again", name, i+1, err)
		}
		if int64(len(raw)) < recLen {
			return fmt.Errorf("%s: record %d is shorter than the table's record length; the file is damaged", name, i+1)
		}
		line := i + 1
		var flags staging.Flag
		var nullBits []byte
		if nullFlags != nil {
			nullBits = raw[1+nullFlags.offset : 1+nullFlags.offset+nullFlags.length]
		}
		for j, f := range fields {
			cells[j], nulls[j] = "", false
			data := raw[1+f.offset : 1+f.offset+f.length]
			if f.nullBit >= 0 && dbfBit(nullBits, f.nullBit) {
				nulls[j] = true
				continue
			}
			if !nonASCII && f.typ == 'C' {
				for _, c := range data {
					if c >= 0x80 {
						nonASCII = true
						break
					}
				}
			}
			v, null, fflags := run.value(f, j, data, nullBits, line)
			cells[j], nulls[j] = v, null
			flags |= fflags
		}
		if deleted > 0 {
			cells[len(fields)] = "false"
			if raw[0] == '*' {
				cells[len(fields)] = "true"
			}
		}
		if err := w.Write(staging.Row{Line: line, Cells: cells, Nulls: nulls, Flags: flags}); err != nil {
			return stagingError(name, table2, err)
		}
		prog.report(headerLen+(i+1)*recLen, st.Size(), i+1, false)
	}
	if assumed && nonASCII {
		w.Issue(staging.Issue{File: name, Kind: "encoding",
			Message: "the table does not say which code page its text uses; Ferry read it as Windows-1252. If accented letters look wrong, import again choosing the encoding (DOS programs often used cp437 or cp850)"})
	}
	if err := w.Close(); err != nil {
		return stagingError(name, table2, err)
	}
	prog.report(st.Size(), st.Size(), count, true)
	return nil
}

func (f dbfField) isMemo() bool {
	switch f.typ {
	case 'M', 'G', 'P':
		return true
	case 'B', 'W':
		return f.length == 10 || f.typ == 'W'
	}
	return false
}

func dbfBit(bits []byte, n int) bool {
	if n < 0 || n/8 >= len(bits) {
		return false
	}
	return bits[n/8]&(1<<(n%8)) != 0
}

// dbfReadHeader reads and checks the header and every field descriptor, _NullFlags included
// (go-dbase hides it), and works out each field's place in the record.
func dbfReadHeader(path, name string, size int64) (hdr []byte, fields []dbfField, nullFlags *dbfField, err error) {
	damaged := func(what string) error {
		return fmt.Errorf("%s: this is not a readable dBase/FoxPro table: %s. Make a fresh copy from the old system and add it again", name, what)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	hdr = make([]byte, 32)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, nil, nil, damaged("the file is too short for a table header")
	}
	if _, ok := dbfVersions[hdr[0]]; !ok {
		return nil, nil, nil, damaged(fmt.Sprintf("its first byte (0x%02X) is not a known dBase/FoxPro version", hdr[0]))
	}
	if hdr[0] == 0x04 || hdr[0] == 0x8C {
		return nil, nil, nil, fmt.Errorf("%s: this is a dBase 7 table, whose layout Ferry cannot read. Open it in dBase or LibreOffice Calc and save it as dBase III/IV (.dbf) or CSV UTF-8, then add that file: %w", name, ErrUnsupported)
	}
	headerLen := int64(binary.LittleEndian.Uint16(hdr[8:10]))
	recLen := int(binary.LittleEndian.Uint16(hdr[10:12]))
	if headerLen < 33 || headerLen > size || recLen < 1 {
		return nil, nil, nil, damaged("its header sizes are impossible")
	}
	desc := make([]byte, headerLen-32)
	if _, err := io.ReadFull(f, desc); err != nil {
		return nil, nil, nil, damaged("the field list is cut short")
	}
	var all []dbfField
	offset := 0
	for i := 0; ; i += 32 {
		if i >= len(desc) || desc[i] == 0x0D {
			break
		}
		if i+32 > len(desc) {
			return nil, nil, nil, damaged("the field list is not terminated")
		}
		d := desc[i : i+32]
		fname := d[:11]
		if k := bytes.IndexByte(fname, 0); k >= 0 {
			fname = fname[:k]
		}
		fd := dbfField{name: string(bytes.TrimSpace(fname)), typ: d[11], length: int(d[16]), decimals: int(d[17]), flags: d[18], nullBit: -1, varBit: -1}
		all = append(all, fd)
		offset += fd.length
	}
	if len(all) == 0 {
		return nil, nil, nil, damaged("it has no fields")
	}
	// Clipper and FoxPro store character fields longer than 255 with the high byte in "decimals".
	if 1+offset != recLen {
		wide := 0
		for _, fd := range all {
			if fd.typ == 'C' {
				wide += fd.length + fd.decimals*256
			} else {
				wide += fd.length
			}
		}
		if 1+wide == recLen {
			for i := range all {
				if all[i].typ == 'C' {
					all[i].length += all[i].decimals * 256
					all[i].decimals = 0
				}
			}
			offset = wide
		}
	}
	if 1+offset > recLen {
		return nil, nil, nil, damaged(fmt.Sprintf("its fields (%d bytes) do not fit in its records (%d bytes)", offset, recLen-1))
	}
	vfp := hdr[0] == 0x30 || hdr[0] == 0x31 || hdr[0] == 0x32
	pos, bit := 0, 0
	for i := range all {
		all[i].offset = pos
		pos += all[i].length
		if all[i].typ == '0' || strings.EqualFold(all[i].name, "_NullFlags") {
			nf := all[i]
			nullFlags = &nf
			continue
		}
		if vfp {
			// Visual FoxPro: each V/Q field first takes a "length in last byte" bit, then each
			// nullable field a NULL bit, in field order.
			if all[i].typ == 'V' || all[i].typ == 'Q' {
				all[i].varBit = bit
				bit++
			}
			if all[i].flags&0x02 != 0 {
				all[i].nullBit = bit
				bit++
			}
		}
		fields = append(fields, all[i])
	}
	if nullFlags == nil {
		for i := range fields {
			fields[i].nullBit, fields[i].varBit = -1, -1
		}
	} else if nullFlags.length*8 < bit {
		return nil, nil, nil, damaged("its _NullFlags field is too short for its nullable fields")
	}
	return hdr, fields, nullFlags, nil
}

// dbfCountDeleted reads the deletion marker of every record (one sequential pass).
func dbfCountDeleted(ctx context.Context, path string, headerLen, recLen, count int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(headerLen, io.SeekStart); err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(f, 1<<20)
	var deleted int64
	for i := int64(0); i < count; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		c, err := br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("record %d could not be read: %w", i+1, err)
		}
		if c == '*' {
			deleted++
		}
		if _, err := br.Discard(int(recLen - 1)); err != nil {
			return 0, fmt.Errorf("record %d could not be read: %w", i+1, err)
		}
	}
	return deleted, nil
}

type dbfRun struct {
	name    string
	w       staging.TableWriter
	enc     encoding.Encoding
	memo    *dbfMemo
	issues  map[string]int
	binSeen map[int]bool
}

func (run *dbfRun) issue(is staging.Issue) {
	run.issues[is.Kind]++
	switch n := run.issues[is.Kind]; {
	case n <= dbfMaxIssues:
		run.w.Issue(is)
	case n == dbfMaxIssues+1:
		run.w.Issue(staging.Issue{File: run.name, Line: is.Line, Kind: is.Kind,
			Message: fmt.Sprintf("more records have the same problem (%s); only the first %d are listed, the rows themselves are flagged", is.Kind, dbfMaxIssues)})
	}
}

func (run *dbfRun) binary(col int, f dbfField, line int64, b []byte) string {
	if !run.binSeen[col] {
		run.binSeen[col] = true
		run.w.Issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: f.name, Kind: "binary",
			Message: fmt.Sprintf("the field %s holds binary data (type %c, e.g. in record %d); Ferry staged it as base64 text", f.name, f.typ, line)})
	}
	return base64.StdEncoding.EncodeToString(b)
}

// value turns one field's bytes into the staged text.
func (run *dbfRun) value(f dbfField, col int, data, nullBits []byte, line int64) (string, bool, staging.Flag) {
	bad := func(what string) (string, bool, staging.Flag) {
		v := strings.TrimSpace(dbfDecode(run.enc, bytes.TrimRight(data, "\x00")))
		run.issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: f.name, Kind: "parse",
			Message: fmt.Sprintf("record %d, field %s: %s (%q); it was staged as stored", line, f.name, what, v)})
		return v, false, staging.FlagParse
	}
	switch f.typ {
	case 'C':
		return dbfDecode(run.enc, bytes.TrimRight(data, " \x00")), false, 0
	case 'N', 'F':
		return string(bytes.Trim(data, " \x00")), false, 0
	case 'D':
		d := bytes.Trim(data, " \x00")
		if len(d) == 0 {
			return "", false, 0
		}
		if len(d) == 8 && dbfDigits(d) {
			return string(d[:4]) + "-" + string(d[4:6]) + "-" + string(d[6:]), false, 0
		}
		return bad("the date is not in the YYYYMMDD form")
	case 'L':
		if len(data) == 0 {
			return "", true, 0
		}
		switch c := data[0]; c {
		case 'T', 't', 'Y', 'y', 'F', 'f', 'N', 'n':
			return strings.ToUpper(string(c)), false, 0
		case '?', ' ', 0:
			return "", true, 0
		}
		return bad("the logical value is not T, F, Y, N or ?")
	case 'I':
		if len(data) == 4 {
			return strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(data))), 10), false, 0
		}
	case 'Y':
		if len(data) == 8 {
			return dbfCurrency(int64(binary.LittleEndian.Uint64(data))), false, 0
		}
	case 'B':
		if f.length == 8 {
			v := math.Float64frombits(binary.LittleEndian.Uint64(data))
			s := sqliteReal(v)
			return strings.TrimSuffix(s, ".0"), false, 0
		}
	case 'T':
		if len(data) == 8 {
			return dbfDateTime(data), false, 0
		}
	case 'V', 'Q':
		b := data
		if dbfBit(nullBits, f.varBit) && len(b) > 0 {
			n := int(b[len(b)-1])
			b = b[:min(n, len(b)-1)]
		}
		if f.typ == 'Q' || f.flags&0x04 != 0 {
			return run.binary(col, f, line, b), false, 0
		}
		return dbfDecode(run.enc, bytes.TrimRight(b, " \x00")), false, 0
	}
	if f.isMemo() {
		return run.memoValue(f, col, data, line)
	}
	// unknown or odd-sized types: text if it is printable, else base64
	if utf8.Valid(data) && !bytes.ContainsAny(data, "\x00\x01\x02\x03\x04\x05\x06\x07\x08") {
		return strings.TrimRight(string(data), " "), false, 0
	}
	return run.binary(col, f, line, data), false, 0
}

func (run *dbfRun) memoValue(f dbfField, col int, ptr []byte, line int64) (string, bool, staging.Flag) {
	var block int64
	if len(ptr) == 4 {
		block = int64(binary.LittleEndian.Uint32(ptr))
	} else {
		p := bytes.Trim(ptr, " \x00")
		if len(p) == 0 {
			return "", false, 0
		}
		n, err := strconv.ParseInt(string(p), 10, 64)
		if err != nil {
			run.issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: f.name, Kind: "memo",
				Message: fmt.Sprintf("record %d, field %s: the memo pointer %q is not a number; the memo was not staged", line, f.name, p)})
			return "", false, staging.FlagParse
		}
		block = n
	}
	if block == 0 {
		return "", false, 0
	}
	data, text, err := run.memo.read(block)
	if err != nil {
		run.issue(staging.Issue{File: run.name, Line: line, Column: col + 1, ColumnName: f.name, Kind: "memo",
			Message: fmt.Sprintf("record %d, field %s: the memo could not be read from %s (%v); it was staged empty. Make sure the memo file is the one that belongs with this table", line, f.name, filepath.Base(run.memo.path), err)})
		return "", false, staging.FlagParse
	}
	if f.typ == 'M' && text {
		return dbfDecode(run.enc, bytes.TrimRight(data, "\x00\x1a")), false, 0
	}
	return run.binary(col, f, line, data), false, 0
}

func dbfDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dbfCurrency prints FoxPro's currency (an integer in ten-thousandths) exactly.
func dbfCurrency(v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	s := fmt.Sprintf("%d.%04d", u/10000, u%10000)
	if neg {
		s = "-" + s
	}
	return s
}

// dbfDateTime reads FoxPro's date-time: a Julian day number and milliseconds since midnight.
func dbfDateTime(b []byte) string {
	jd := int64(int32(binary.LittleEndian.Uint32(b[:4])))
	ms := int64(int32(binary.LittleEndian.Uint32(b[4:])))
	if jd == 0 && ms == 0 {
		return ""
	}
	t := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(jd-2440588)).Add(time.Duration(ms) * time.Millisecond)
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000")
	}
	return t.Format("2006-01-02T15:04:05")
}

func dbfDecode(enc encoding.Encoding, b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || enc == nil {
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// dbfEncoding maps the code page mark (language driver id) in the header to an encoding.
// assumed is true when the table does not say.
func dbfEncoding(mark byte) (label string, enc encoding.Encoding, assumed bool) {
	switch mark {
	case 0x01, 0x09, 0x0B, 0x0D, 0x0F, 0x11, 0x15, 0x18, 0x19, 0x1B:
		return "cp437", charmap.CodePage437, false
	case 0x02, 0x0A, 0x0E, 0x10, 0x12, 0x14, 0x16, 0x1A, 0x1D, 0x25, 0x37:
		return "cp850", charmap.CodePage850, false
	case 0x03, 0x57, 0x58, 0x59:
		return "windows-1252", charmap.Windows1252, false
	case 0x04:
		return "macintosh", charmap.Macintosh, false
	case 0x08, 0x17, 0x66:
		return "cp865", charmap.CodePage865, false
	case 0x1C:
		return "cp863", charmap.CodePage863, false
	case 0x1F, 0x22, 0x23, 0x40, 0x64:
		return "cp852", charmap.CodePage852, false
	case 0x24:
		return "cp860", charmap.CodePage860, false
	case 0x26, 0x65:
		return "cp866", charmap.CodePage866, false
	case 0x13, 0x7B:
		return "shift_jis", japanese.ShiftJIS, false
	case 0x4D, 0x7A:
		return "gbk", simplifiedchinese.GBK, false
	case 0x4E, 0x79:
		return "euc-kr", korean.EUCKR, false
	case 0x4F, 0x78:
		return "big5", traditionalchinese.Big5, false
	case 0x50, 0x7C:
		return "windows-874", charmap.Windows874, false
	case 0x7D:
		return "windows-1255", charmap.Windows1255, false
	case 0x7E:
		return "windows-1256", charmap.Windows1256, false
	case 0x96:
		return "x-mac-cyrillic", charmap.MacintoshCyrillic, false
	case 0xC8:
		return "windows-1250", charmap.Windows1250, false
	case 0xC9:
		return "windows-1251", charmap.Windows1251, false
	case 0xCA:
		return "windows-1254", charmap.Windows1254, false
	case 0xCB:
		return "windows-1253", charmap.Windows1253, false
	case 0xCC:
		return "windows-1257", charmap.Windows1257, false
	}
	return "windows-1252", charmap.Windows1252, true
}

// dbfEncodingByName adds the DOS code pages of the dBase era to the names the CSV importer knows.
func dbfEncodingByName(name string) (string, encoding.Encoding, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(n, "ibm"), "cp"), "dos-")
	switch n {
	case "437":
		return "cp437", charmap.CodePage437, nil
	case "850":
		return "cp850", charmap.CodePage850, nil
	case "852":
		return "cp852", charmap.CodePage852, nil
	case "860":
		return "cp860", charmap.CodePage860, nil
	case "863":
		return "cp863", charmap.CodePage863, nil
	case "865":
		return "cp865", charmap.CodePage865, nil
	case "866":
		return "cp866", charmap.CodePage866, nil
	}
	label, enc, err := encodingByName(name)
	if err != nil {
		return "", nil, err
	}
	if enc == nil {
		return label, nil, nil // UTF-8: bytes as they are
	}
	return label, enc, nil
}

// dbfMemo reads memo blocks from a FoxPro .fpt or dBase .dbt file.
type dbfMemo struct {
	f         *os.File
	path      string
	size      int64
	fpt       bool
	blockSize int64
	dbase4    bool
}

func (m *dbfMemo) Close() error { return m.f.Close() }

// dbfOpenMemo finds the memo file beside the table (any letter case).
func dbfOpenMemo(path string, version byte) (*dbfMemo, error) {
	dir, base := filepath.Dir(path), srcStem(path)
	prefer := []string{".fpt", ".dbt"}
	if version == 0x83 || version == 0x8B || version == 0xCB || version == 0x7B || version == 0x8C || version == 0x8E {
		prefer = []string{".dbt", ".fpt"}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var found string
	for _, ext := range prefer {
		for _, e := range entries {
			if strings.EqualFold(e.Name(), base+ext) {
				found = filepath.Join(dir, e.Name())
				break
			}
		}
		if found != "" {
			break
		}
	}
	if found == "" {
		ext := prefer[0]
		if filepath.Ext(path) == strings.ToUpper(filepath.Ext(path)) {
			ext = strings.ToUpper(ext)
		}
		return nil, fmt.Errorf("the table has memo fields (long text) kept in a separate file, %s%s, which is not next to it. Copy that file from the old system into the same folder as %s and add the table again; without it the memo text would be lost",
			base, ext, filepath.Base(path))
	}
	f, err := os.Open(found)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	m := &dbfMemo{f: f, path: found, size: st.Size(), fpt: strings.EqualFold(filepath.Ext(found), ".fpt"), blockSize: 512}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if m.fpt {
		if n >= 8 {
			if bs := int64(binary.BigEndian.Uint16(head[6:8])); bs > 0 {
				m.blockSize = bs
			}
		}
	} else if version != 0x83 && n >= 22 {
		if bs := int64(binary.LittleEndian.Uint16(head[20:22])); bs > 0 {
			m.blockSize = bs
			m.dbase4 = true
		}
	}
	return m, nil
}

var errDBFMemoRange = errors.New("the memo is outside the memo file")

// read returns the memo at block and whether it is text.
func (m *dbfMemo) read(block int64) ([]byte, bool, error) {
	pos := block * m.blockSize
	if block < 0 || pos >= m.size || pos/m.blockSize != block {
		return nil, false, errDBFMemoRange
	}
	if m.fpt {
		var h [8]byte
		if _, err := m.f.ReadAt(h[:], pos); err != nil {
			return nil, false, errDBFMemoRange
		}
		typ := binary.BigEndian.Uint32(h[:4])
		n := int64(binary.BigEndian.Uint32(h[4:]))
		if n > dbfMaxMemo || pos+8+n > m.size {
			return nil, false, fmt.Errorf("memo length %d is impossible", n)
		}
		buf := make([]byte, n)
		if _, err := m.f.ReadAt(buf, pos+8); err != nil {
			return nil, false, err
		}
		return buf, typ == 1, nil
	}
	// dBase IV: FF FF 08 00 and a length (header included); dBase III: text up to 0x1A
	var h [8]byte
	if _, err := m.f.ReadAt(h[:], pos); err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	if h[0] == 0xFF && h[1] == 0xFF && h[2] == 0x08 && h[3] == 0x00 {
		n := int64(binary.LittleEndian.Uint32(h[4:])) - 8
		if n < 0 || n > dbfMaxMemo || pos+8+n > m.size {
			return nil, false, fmt.Errorf("memo length %d is impossible", n)
		}
		buf := make([]byte, n)
		if _, err := m.f.ReadAt(buf, pos+8); err != nil {
			return nil, false, err
		}
		return buf, true, nil
	}
	var out []byte
	chunk := make([]byte, 4096)
	for off := pos; off < m.size && len(out) <= dbfMaxMemo; off += int64(len(chunk)) {
		n, err := m.f.ReadAt(chunk, off)
		if i := bytes.IndexByte(chunk[:n], 0x1A); i >= 0 {
			return append(out, chunk[:i]...), true, nil
		}
		out = append(out, chunk[:n]...)
		if err != nil {
			break
		}
	}
	if len(out) > dbfMaxMemo {
		return nil, false, fmt.Errorf("the memo has no end marker within %d MB", dbfMaxMemo>>20)
	}
	return out, true, nil
}
