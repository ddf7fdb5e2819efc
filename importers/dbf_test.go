package importers

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Valentin-Kaiser/go-dbase/dbase"
	"golang.org/x/text/encoding/charmap"
)

type dbfTestField struct {
	name      string
	typ       byte
	len, decs int
}

// dbaseIII writes a dBase III+ table (version 0x83) by hand, with a .dbt memo file when memos
// is not nil. Each record is the deletion marker followed by the raw field bytes.
func dbaseIII(t *testing.T, dir, name string, codePage byte, fields []dbfTestField, records [][]string, memos []string) string {
	t.Helper()
	recLen := 1
	for _, f := range fields {
		recLen += f.len
	}
	var b bytes.Buffer
	hdr := make([]byte, 32)
	hdr[0] = 0x03
	if memos != nil {
		hdr[0] = 0x83
	}
	hdr[1], hdr[2], hdr[3] = 124, 3, 5
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(records)))
	binary.LittleEndian.PutUint16(hdr[8:], uint16(32+32*len(fields)+1))
	binary.LittleEndian.PutUint16(hdr[10:], uint16(recLen))
	hdr[29] = codePage
	b.Write(hdr)
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d, f.name)
		d[11] = f.typ
		d[16], d[17] = byte(f.len), byte(f.decs)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	for _, r := range records {
		rec := []byte(strings.Join(r, ""))
		if len(rec) != recLen {
			t.Fatalf("record %q is %d bytes, want %d", r, len(rec), recLen)
		}
		b.Write(rec)
	}
	b.WriteByte(0x1A)
	path := writeTestFile(t, dir, name+".dbf", b.Bytes())
	if memos != nil {
		var m bytes.Buffer
		head := make([]byte, 512)
		binary.LittleEndian.PutUint32(head, uint32(len(memos)+1))
		m.Write(head)
		for _, text := range memos {
			block := make([]byte, 512)
			copy(block, text+"\x1a\x1a")
			m.Write(block)
		}
		writeTestFile(t, dir, strings.ToUpper(name)+".DBT", m.Bytes())
	}
	return path
}

func cp1252(t *testing.T, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDBFDBaseIIIWithMemoDeletedRecordAndWindows1252(t *testing.T) {
	dir := t.TempDir()
	fields := []dbfTestField{{"ID", 'N', 5, 0}, {"NAME", 'C', 20, 0}, {"DOB", 'D', 8, 0}, {"ACTIVE", 'L', 1, 0}, {"BAL", 'N', 8, 2}, {"NOTES", 'M', 10, 0}}
	name := cp1252(t, "Zoë “Quote” €")
	path := dbaseIII(t, dir, "patient", 0x03, fields, [][]string{
		{" ", "    1", name + strings.Repeat(" ", 20-len(name)), "20240305", "T", "   12.50", "         1"},
		{"*", "    2", "Deleted Dan         ", "19991231", "f", "    0.00", "          "},
		{" ", "00003", "Ann                 ", "        ", "?", "  -45.10", "         2"},
	}, []string{cp1252(t, "Allergic to penicillin.\r\nSee letter ©"), "Second memo"})

	imp, err := Detect(path)
	if err != nil || imp.Format() != "dbf" {
		t.Fatalf("Detect: %v %v", imp, err)
	}
	sink, err := importForTest(t, imp, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if tb.Spec.Name != "patient" || tb.Spec.Source.Encoding != "windows-1252" || tb.Spec.Source.Options["memo_file"] != "PATIENT.DBT" {
		t.Errorf("spec %+v", tb.Spec)
	}
	if want := []string{"ID", "NAME", "DOB", "ACTIVE", "BAL", "NOTES", "dbf_deleted"}; !reflect.DeepEqual(tb.Spec.Columns, want) {
		t.Errorf("columns %q", tb.Spec.Columns)
	}
	want := [][]string{
		{"1", "Zoë “Quote” €", "2024-03-05", "T", "12.50", "Allergic to penicillin.\r\nSee letter ©", "false"},
		{"2", "Deleted Dan", "1999-12-31", "F", "0.00", "", "true"},
		{"00003", "Ann", "", "", "-45.10", "Second memo", "false"},
	}
	if got := tableCells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	if got := tableNulls(tb); !reflect.DeepEqual(got[2], []bool{false, false, false, true, false, false, false}) {
		t.Errorf("a '?' logical is NULL: nulls %v", got[2])
	}
	if got := tableLines(tb); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Errorf("lines %v", got)
	}
	if kinds := tableIssueKinds(tb); !reflect.DeepEqual(kinds, []string{"deleted_records"}) || !strings.Contains(tb.Issues[0].Message, "1 of the 3 records") {
		t.Errorf("issues %+v", tb.Issues)
	}

	// without its memo file the table is refused, not staged without the memos
	os.Remove(filepath.Join(dir, "PATIENT.DBT"))
	_, err = importForTest(t, dbfImporter{}, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "patient.dbt") || !strings.HasPrefix(err.Error(), "patient.dbf:") {
		t.Errorf("missing memo: %v", err)
	}
}

func TestDBFCodePages(t *testing.T) {
	dir := t.TempDir()
	fields := []dbfTestField{{"NAME", 'C', 10, 0}}
	dos, _ := charmap.CodePage850.NewEncoder().String("Müller   ")
	// marked as DOS code page 850
	path := dbaseIII(t, dir, "dos", 0x02, fields, [][]string{{" ", dos + " "}}, nil)
	sink, err := importForTest(t, dbfImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Tables[0].Rows[0].Cells[0]; got != "Müller" || sink.Tables[0].Spec.Source.Encoding != "cp850" {
		t.Errorf("cp850: %q %s", got, sink.Tables[0].Spec.Source.Encoding)
	}
	// unmarked: read as Windows-1252, said so, and the person can choose
	path = dbaseIII(t, dir, "unmarked", 0x00, fields, [][]string{{" ", dos + " "}}, nil)
	sink, err = importForTest(t, dbfImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kinds := tableIssueKinds(sink.Tables[0]); !reflect.DeepEqual(kinds, []string{"encoding"}) {
		t.Errorf("an unmarked table with accents needs an encoding issue: %v", sink.Tables[0].Issues)
	}
	sink, err = importForTest(t, dbfImporter{}, path, Options{Encoding: "cp850"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Tables[0].Rows[0].Cells[0]; got != "Müller" {
		t.Errorf("Options.Encoding cp850: %q", got)
	}
}

func TestDBFVisualFoxProWrittenByGoDbase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // go-dbase upper-cases the whole path it creates
	col := func(name string, typ dbase.DataType, length, decimals uint8, nullable bool) *dbase.Column {
		c, err := dbase.NewColumn(name, typ, length, decimals, nullable)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	file, err := dbase.NewTable(dbase.FoxProVar, &dbase.Config{Filename: "VISITS.DBF", Converter: dbase.NewDefaultConverter(charmap.Windows1252)},
		[]*dbase.Column{
			col("NICK", dbase.Varchar, 12, 0, true),
			col("ID", dbase.Integer, 4, 0, false),
			col("NAME", dbase.Character, 20, 0, false),
			col("FEE", dbase.Currency, 8, 0, false),
			col("WHEN", dbase.DateTime, 8, 0, false),
			col("RATIO", dbase.Double, 8, 2, false),
			col("PAID", dbase.Logical, 1, 0, false),
			col("DUE", dbase.Date, 8, 0, false),
		}, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	add := func(deleted bool, vals map[string]any) {
		row := file.NewRow()
		for k, v := range vals {
			if err := row.FieldByName(k).SetValue(v); err != nil {
				t.Fatal(err)
			}
		}
		row.Deleted = deleted
		if err := row.Add(); err != nil {
			t.Fatal(err)
		}
	}
	when := time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)
	add(false, map[string]any{"NICK": "Annie", "ID": int32(1), "NAME": "Ann Ó Briain", "FEE": 85.5, "WHEN": when, "RATIO": 0.25, "PAID": true, "DUE": when})
	add(true, map[string]any{"NICK": "", "ID": int32(-2), "NAME": "Gone", "FEE": -1.0, "WHEN": when, "RATIO": 1.0, "PAID": false, "DUE": when})
	file.Close()

	path := filepath.Join(dir, "VISITS.DBF")
	sink, err := importForTest(t, dbfImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if want := []string{"NICK", "ID", "NAME", "FEE", "WHEN", "RATIO", "PAID", "DUE", "dbf_deleted"}; !reflect.DeepEqual(tb.Spec.Columns, want) {
		t.Errorf("columns %q", tb.Spec.Columns)
	}
	want := [][]string{
		{"Annie", "1", "Ann Ó Briain", "85.5000", "2024-03-05T14:30:00", "0.25", "T", "2024-03-05", "false"},
		{"", "-2", "Gone", "-1.0000", "2024-03-05T14:30:00", "1", "F", "2024-03-05", "true"},
	}
	if got := tableCells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	if !tb.Rows[1].Nulls[0] || tb.Rows[0].Nulls[0] {
		t.Errorf("the NULL varchar should be NULL: %v / %v", tb.Rows[0].Nulls, tb.Rows[1].Nulls)
	}
	if !strings.HasPrefix(tb.Spec.Source.Options["dbf_version"], "0x32") || tb.Spec.Source.Encoding != "windows-1252" {
		t.Errorf("source %+v", tb.Spec.Source)
	}
}

func TestDBFDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	fields := []dbfTestField{{"ID", 'N', 3, 0}, {"NAME", 'C', 5, 0}}
	good := dbaseIII(t, dir, "good", 0x03, fields, [][]string{{" ", "  1", "Ann  "}, {" ", "  2", "Bob  "}, {" ", "  3", "Cy   "}}, nil)
	data, _ := os.ReadFile(good)

	// cut short: the records present are staged, and the person is told
	cut := writeTestFile(t, dir, "cut.dbf", data[:len(data)-5])
	sink, err := importForTest(t, dbfImporter{}, cut, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tb := sink.Tables[0]; len(tb.Rows) != 2 || !reflect.DeepEqual(tableIssueKinds(tb), []string{"truncated"}) {
		t.Errorf("cut: %d rows, issues %v", len(tb.Rows), tb.Issues)
	}
	// a header that lies about its fields
	bad := append([]byte(nil), data...)
	binary.LittleEndian.PutUint16(bad[10:], 3)
	if _, err := importForTest(t, dbfImporter{}, writeTestFile(t, dir, "bad.dbf", bad), Options{}); err == nil || !strings.HasPrefix(err.Error(), "bad.dbf:") {
		t.Errorf("bad header: %v", err)
	}
	// not a table at all
	if _, err := importForTest(t, dbfImporter{}, writeTestFile(t, dir, "text.dbf", []byte("id,name\n1,Ann\n")), Options{}); err == nil {
		t.Errorf("text accepted as a table")
	}
	// probe: decisive on a real header, silent on text
	if s := (dbfImporter{}).Probe(data, "GOOD.DBF"); s < 80 {
		t.Errorf("Probe(table) = %d", s)
	}
	for _, head := range []string{"id,name\n1,Ann\n2,Bob\n" + strings.Repeat("x", 100), "0123456789" + strings.Repeat("9", 100)} {
		if s := (dbfImporter{}).Probe([]byte(head), "x.csv"); s != 0 {
			t.Errorf("Probe(%q) = %d", head[:10], s)
		}
	}
}

// FuzzDBF: damaged tables give rows or an error, never a panic.
func FuzzDBF(f *testing.F) {
	var b bytes.Buffer
	hdr := make([]byte, 32)
	hdr[0], hdr[1], hdr[2], hdr[3] = 0x03, 124, 1, 1
	binary.LittleEndian.PutUint32(hdr[4:], 1)
	binary.LittleEndian.PutUint16(hdr[8:], 32+32*2+1)
	binary.LittleEndian.PutUint16(hdr[10:], 1+3+8)
	b.Write(hdr)
	for _, fd := range []struct {
		n string
		t byte
		l byte
	}{{"ID", 'N', 3}, {"DOB", 'D', 8}} {
		d := make([]byte, 32)
		copy(d, fd.n)
		d[11], d[16] = fd.t, fd.l
		b.Write(d)
	}
	b.WriteString("\r   120240305\x1a")
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.dbf")
		os.WriteFile(path, data, 0o644)
		sink, err := importForTest(t, dbfImporter{}, path, Options{})
		if err == nil {
			for _, tb := range sink.Tables {
				for _, r := range tb.Rows {
					if len(r.Cells) != len(tb.Spec.Columns) {
						t.Fatalf("row with %d cells for %d columns", len(r.Cells), len(tb.Spec.Columns))
					}
				}
			}
		}
	})
}

// A Visual FoxPro table with its .fpt memo file, written the way FoxPro does: a 512-byte memo
// header, 64-byte blocks, each memo a big-endian type and length; nullable fields in _NullFlags.
func TestDBFVisualFoxProMemosAndNulls(t *testing.T) {
	dir := t.TempDir()
	type fd struct {
		name       string
		typ        byte
		len, flags byte
	}
	fields := []fd{{"ID", 'I', 4, 0}, {"NOTES", 'M', 4, 0}, {"PHOTO", 'G', 4, 0}, {"TEL", 'C', 10, 0x02}, {"_NullFlags", '0', 1, 0x05}}
	recLen := 1
	for _, f := range fields {
		recLen += int(f.len)
	}
	var b bytes.Buffer
	hdr := make([]byte, 32)
	hdr[0], hdr[1], hdr[2], hdr[3] = 0x30, 124, 3, 5
	binary.LittleEndian.PutUint32(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[8:], uint16(32+32*len(fields)+1+263))
	binary.LittleEndian.PutUint16(hdr[10:], uint16(recLen))
	hdr[28], hdr[29] = 0x02, 0x03 // has memo; Windows-1252
	b.Write(hdr)
	pos := 1
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d, f.name)
		d[11] = f.typ
		binary.LittleEndian.PutUint32(d[12:], uint32(pos))
		d[16], d[18] = f.len, f.flags
		pos += int(f.len)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	b.Write(make([]byte, 263)) // the database container backlink
	record := func(deleted bool, id int32, notes, photo uint32, tel string, null byte) {
		if deleted {
			b.WriteByte('*')
		} else {
			b.WriteByte(' ')
		}
		binary.Write(&b, binary.LittleEndian, id)
		binary.Write(&b, binary.LittleEndian, notes)
		binary.Write(&b, binary.LittleEndian, photo)
		b.WriteString(tel + strings.Repeat(" ", 10-len(tel)))
		b.WriteByte(null)
	}
	record(false, 1, 8, 9, "021 555", 0)
	record(false, 2, 0, 0, "", 0x01) // TEL is NULL: the first nullable field's bit
	path := writeTestFile(t, dir, "contacts.dbf", b.Bytes())

	var m bytes.Buffer
	mh := make([]byte, 512)
	binary.BigEndian.PutUint32(mh, 10)
	binary.BigEndian.PutUint16(mh[6:], 64)
	m.Write(mh)
	memo := func(typ uint32, data []byte) {
		blk := make([]byte, 64)
		binary.BigEndian.PutUint32(blk, typ)
		binary.BigEndian.PutUint32(blk[4:], uint32(len(data)))
		copy(blk[8:], data)
		m.Write(blk)
	}
	memo(1, []byte(cp1252(t, "Prefers mornings – café")))
	memo(0, []byte{0x89, 'P', 'N', 'G'})
	writeTestFile(t, dir, "contacts.fpt", m.Bytes())

	sink, err := importForTest(t, dbfImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if want := []string{"ID", "NOTES", "PHOTO", "TEL"}; !reflect.DeepEqual(tb.Spec.Columns, want) {
		t.Errorf("columns %q", tb.Spec.Columns)
	}
	want := [][]string{{"1", "Prefers mornings – café", "iVBORw==", "021 555"}, {"2", "", "", ""}}
	if got := tableCells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	if got := tableNulls(tb); !reflect.DeepEqual(got, [][]bool{{false, false, false, false}, {false, false, false, true}}) {
		t.Errorf("nulls %v", got)
	}
	if kinds := tableIssueKinds(tb); !reflect.DeepEqual(kinds, []string{"binary"}) || tb.Issues[0].ColumnName != "PHOTO" {
		t.Errorf("issues %+v", tb.Issues)
	}
	if tb.Spec.Source.Options["memo_file"] != "contacts.fpt" {
		t.Errorf("source %+v", tb.Spec.Source)
	}
}
