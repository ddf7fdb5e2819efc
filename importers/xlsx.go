package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/ferry-migrate/ferry/app/staging"
)

// xlsxImporter reads Excel workbooks (.xlsx, .xlsm, strict OOXML) with excelize, one staged table
// per sheet, streaming rows so a huge sheet does not have to fit in memory.
//
// What is staged is what a person saw in Excel, with two exceptions that keep information:
// dates and times become ISO text (2024-03-05, 2024-03-05T14:30:00, 14:30:00) whatever their
// format and date system; and a number whose format hides digits (3.7 shown as "4", 0 hidden by
// a ";;" section) is staged as the stored number, with an issue saying so. Leading zeros from a
// 00000 format, currency signs and grouping ("$1,234.50") are kept as shown.
//
// Table names: a workbook with one sheet is staged under the file name ("patients.xlsx" →
// "patients"); with several sheets each becomes "<file>_<sheet>" so two workbooks with a "Sheet1"
// never replace each other. Options.Table replaces the file name part; Options.Sheet picks one sheet.
//
// Hostile files are refused before excelize sees them: zip parts are checked for total size,
// compression ratio and count (zip bombs), and every XML part's prolog for entity declarations
// (billion laughs, quadratic blow-up). Every sheet is scanned once as a stream first, which also
// catches damaged XML that excelize would silently treat as the end of the sheet.
type xlsxImporter struct{}

func init() { register(xlsxImporter{}) }

const (
	xlsxMaxUnzipped   = 2 << 30   // all parts together, uncompressed
	xlsxMaxInMemory   = 512 << 20 // parts excelize keeps in memory (everything but big sheets / shared strings)
	xlsxRatioLimit    = 100       // compression ratio above which a big part is a zip bomb ...
	xlsxRatioFloor    = 100 << 20 // ... when it unpacks to more than this
	xlsxMaxParts      = 50000
	xlsxMaxPrologPart = 64 << 10 // how much of each XML part's start is read for entity declarations
	xlsxHeaderMerges  = 200      // merged ranges starting in the first rows are kept for the header
	xlsxMaxHeaderRows = 6        // a multi-row header is at most this tall
	xlsxLookahead     = 12       // rows looked at to find a title above the header
	xlsxMaxRowErrors  = 100      // consecutive unreadable rows before giving up on a sheet
	xlsxExampleIssues = 20       // per-cell issues reported before summarising
)

// xlsxXMLInMemory: sheets and shared strings above this size are unpacked to temp files and
// streamed from there (a variable so tests can exercise that path with small sheets).
var xlsxXMLInMemory uint64 = 16 << 20

// Sentinels placed between the date and the time by the ISO formats Ferry gives date cells; they
// tell the post-processing what the original format showed.
const (
	xlsxShowsDateTime = '\uE000'
	xlsxShowsDate     = '\uE001'
	xlsxShowsTime     = '\uE002'
	xlsxShowsEither   = '\uE003' // a locale format whose meaning depends on the system (CJK built-ins)
)

func (xlsxImporter) Format() string { return "xlsx" }

// Probe: a zip with Excel's parts is certain; the extension helps when the parts are further in.
func (xlsxImporter) Probe(head []byte, name string) int {
	if !bytes.HasPrefix(head, magicZip) || zipHeadMimetype(head) != nil {
		return 0
	}
	ext := strings.ToLower(filepath.Ext(name))
	excelExt := ext == ".xlsx" || ext == ".xlsm" || ext == ".xltx" || ext == ".xltm"
	switch {
	case bytes.Contains(head, []byte("xl/workbook.xml")), bytes.Contains(head, []byte("xl/worksheets/")):
		return 100
	case bytes.Contains(head, []byte("xl/")):
		return 95
	case bytes.Contains(head, []byte("word/")), bytes.Contains(head, []byte("ppt/")):
		return 0
	case bytes.Contains(head, []byte("[Content_Types].xml")) && excelExt:
		return 90
	case bytes.Contains(head, []byte("[Content_Types].xml")):
		return 60
	case excelExt:
		return 50
	}
	return 0
}

// Import stages every sheet (or Options.Sheet) of the workbook.
func (xlsxImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if err := xlsxCheckContainer(path, name); err != nil {
		return err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: this Excel workbook is damaged: its zip container cannot be read (%v). Open it in Excel or LibreOffice Calc and save a fresh copy, then add that file", name, err)
	}
	defer zr.Close()
	parts, err := xlsxCheckParts(ctx, name, zr)
	if err != nil {
		return err
	}
	layout := xlsxReadLayout(parts)

	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: xlsxMaxUnzipped, UnzipXMLSizeLimit: int64(xlsxXMLInMemory)})
	if err != nil {
		return xlsxOpenError(name, err)
	}
	defer f.Close()

	run := &xlsxRun{ctx: ctx, name: name, opts: opts, sink: sink, f: f, size: st.Size(),
		prog: &progressEvery{fn: progress, every: 500}}
	if f.WorkBook != nil && f.WorkBook.WorkbookPr != nil {
		run.date1904 = f.WorkBook.WorkbookPr.Date1904
	}
	if err := xlsxRewriteDateStyles(f); err != nil {
		run.pending = append(run.pending, staging.Issue{File: name, Kind: "dates",
			Message: fmt.Sprintf("Ferry could not read the workbook's date formats (%v), so dates are staged as Excel shows them instead of as ISO dates", err)})
	}

	all := f.GetSheetList()
	if len(all) == 0 {
		return fmt.Errorf("%s: this workbook lists no sheets, so there is nothing to import. Open it in Excel or LibreOffice Calc; if you can see data, save a fresh copy and add that", name)
	}
	chosen := all
	if opts.Sheet != "" {
		chosen = nil
		for _, s := range all {
			if s == opts.Sheet {
				chosen = []string{s}
			}
		}
		for _, s := range all {
			if chosen == nil && strings.EqualFold(s, opts.Sheet) {
				chosen = []string{s}
			}
		}
		if chosen == nil {
			return fmt.Errorf("%s: there is no sheet %q; the workbook has %s. Choose one of those", name, opts.Sheet, xlsxQuoteList(all))
		}
	}
	stem := srcStem(path)
	if opts.Table != "" {
		stem = opts.Table
	}

	// Scan every chosen sheet first: damaged or hostile XML is refused before anything is staged,
	// empty sheets are known, and the row counts drive progress.
	sheets := make([]*xlsxSheet, 0, len(chosen))
	for _, s := range chosen {
		sh := &xlsxSheet{name: s, hidden: layout.hidden[s]}
		if part := layout.sheets[s]; part != nil {
			sh.part = part.Name
			if sh.scan, err = xlsxScanSheet(ctx, part); err != nil {
				return xlsxScanError(name, s, err)
			}
			run.totalRows += int64(sh.scan.maxRow)
		}
		sheets = append(sheets, sh)
	}
	for _, sh := range sheets {
		table := stem
		switch {
		case opts.Table != "" && len(chosen) == 1, len(all) == 1:
		default:
			table = stem + "_" + sh.name
		}
		if err := run.sheet(sh, table); err != nil {
			return err
		}
	}
	if len(run.writers) == 0 {
		if len(run.pending) > 0 && run.pending[0].Kind == "empty_sheet" {
			return fmt.Errorf("%s: there is no data to import: %s empty. If you expected data, check it is not in another file", name,
				xlsxPlural(len(sheets), "the sheet is", "every sheet is"))
		}
		return fmt.Errorf("%s: there is no data to import in this workbook", name)
	}
	for _, is := range run.pending {
		run.writers[0].Issue(is)
	}
	for i, w := range run.writers {
		if err := w.Close(); err != nil {
			return stagingError(name, run.tables[i], err)
		}
	}
	run.prog.report(run.size, run.size, run.rows, true)
	return nil
}

// xlsxRun is the state of one workbook import.
type xlsxRun struct {
	ctx       context.Context
	name      string
	opts      Options
	sink      staging.Sink
	f         *excelize.File
	size      int64
	prog      *progressEvery
	totalRows int64 // sum of the sheets' last row numbers, for progress
	doneRows  int64 // rows of the sheets already finished
	rows      int64 // rows staged
	date1904  bool
	pending   []staging.Issue
	writers   []staging.TableWriter
	tables    []string
}

type xlsxSheet struct {
	name, part string
	hidden     bool
	scan       *xlsxScan // nil when Ferry could not find the sheet's part itself
}

// xlsxRow is one non-empty sheet row: the cells as Excel formats them and as stored.
type xlsxRow struct {
	n         int
	disp, raw []string
	err       error
}

// xlsxRows reads a sheet twice in lockstep, formatted and raw, so each cell is known both as
// shown and as stored. Empty rows are skipped; their numbers are kept.
type xlsxRows struct {
	ctx    context.Context
	fr, rr *excelize.Rows
	row    int
	buf    []xlsxRow
	done   bool
	err    error
	errRun int
}

func (x *xlsxRows) read() (xlsxRow, bool) {
	for !x.done && x.err == nil {
		if !x.fr.Next() {
			x.done = true
			if err := x.fr.Error(); err != nil {
				x.err = err
			}
			break
		}
		x.rr.Next()
		x.row++
		if x.row%256 == 0 {
			if err := x.ctx.Err(); err != nil {
				x.err = err
				break
			}
		}
		disp, derr := x.fr.Columns()
		raw, rerr := x.rr.Columns(excelize.Options{RawCellValue: true})
		if derr == nil {
			derr = rerr
		}
		if derr != nil {
			x.errRun++
			if x.errRun > xlsxMaxRowErrors {
				x.err = fmt.Errorf("more than %d rows in a row could not be read, the last at row %d: %w", xlsxMaxRowErrors, x.row, derr)
				break
			}
		} else {
			x.errRun = 0
		}
		if derr == nil && xlsxBlank(disp) && xlsxBlank(raw) {
			continue
		}
		return xlsxRow{n: x.row, disp: disp, raw: raw, err: derr}, true
	}
	return xlsxRow{}, false
}

// peek returns the i-th upcoming non-empty row without consuming it.
func (x *xlsxRows) peek(i int) (xlsxRow, bool) {
	for len(x.buf) <= i {
		r, ok := x.read()
		if !ok {
			return xlsxRow{}, false
		}
		x.buf = append(x.buf, r)
	}
	return x.buf[i], true
}

func (x *xlsxRows) next() (xlsxRow, bool) {
	if r, ok := x.peek(0); ok {
		x.buf = x.buf[1:]
		return r, true
	}
	return xlsxRow{}, false
}

func xlsxBlank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// sheet stages one sheet as one table.
func (run *xlsxRun) sheet(sh *xlsxSheet, table string) error {
	name := run.name
	defer func() {
		if sh.scan != nil {
			run.doneRows += int64(sh.scan.maxRow)
		}
	}()
	if sh.scan != nil && sh.scan.maxCol == 0 {
		run.pending = append(run.pending, staging.Issue{File: name, Sheet: sh.name, Kind: "empty_sheet",
			Message: fmt.Sprintf("sheet %q is empty; nothing was staged from it", sh.name)})
		return nil
	}
	fr, err := run.f.Rows(sh.name)
	if err != nil {
		return xlsxSheetError(name, sh, err)
	}
	defer fr.Close()
	rr, err := run.f.Rows(sh.name)
	if err != nil {
		return xlsxSheetError(name, sh, err)
	}
	defer rr.Close()
	rows := &xlsxRows{ctx: run.ctx, fr: fr, rr: rr}

	var issues []staging.Issue
	src := staging.SourceInfo{FileName: name, Format: "xlsx", Encoding: "utf-8", Sheet: sh.name, HeaderRow: run.opts.Header != "no"}
	if sh.hidden {
		src.Options = map[string]string{"hidden_sheet": "true"}
	}

	// Rows above the header: those the person asked to skip, or a title detected above it.
	skip := run.opts.SkipLines
	for skip > 0 {
		r, ok := rows.peek(0)
		if !ok || r.n > skip {
			break
		}
		rows.next()
	}
	if skip > 0 {
		src.SkippedLines = skip
	}
	titles := 0
	if skip == 0 && run.opts.Header != "no" {
		for {
			r, ok := rows.peek(0)
			if !ok || !xlsxLooksLikeTitle(rows) {
				break
			}
			rows.next()
			titles++
			text := strings.Join(xlsxNonBlank(xlsxValues(r.disp, r.raw, run.date1904, nil)), " ")
			issues = append(issues, staging.Issue{File: name, Sheet: sh.name, Line: int64(r.n), Kind: "skipped_line",
				Message: fmt.Sprintf("row %d (%q) looks like a title above the column headings, so it was not staged as data; if it is data, import again with no lines skipped", r.n, text)})
		}
	}
	first, ok := rows.peek(0)
	if !ok {
		if rows.err != nil {
			return xlsxSheetError(name, sh, rows.err)
		}
		run.pending = append(run.pending, staging.Issue{File: name, Sheet: sh.name, Kind: "empty_sheet",
			Message: fmt.Sprintf("sheet %q has no data below the rows that were skipped; nothing was staged from it", sh.name)})
		return nil
	}
	if titles > 0 {
		src.SkippedLines = titles
	}

	// The header: one row, or a block of rows tied together by vertically merged cells.
	var merges []xlsxRange
	if sh.scan != nil {
		merges = sh.scan.merges
	}
	var header []string
	headerEnd := first.n - 1
	if run.opts.Header != "no" {
		headerEnd = first.n
		for changed := true; changed; {
			changed = false
			for _, m := range merges {
				if m.r1 >= first.n && m.r1 <= headerEnd && m.r2 > headerEnd {
					headerEnd = min(m.r2, first.n+xlsxMaxHeaderRows-1)
					changed = true
				}
			}
		}
		var block []xlsxRow
		for {
			r, ok := rows.peek(0)
			if !ok || r.n > headerEnd {
				break
			}
			rows.next()
			block = append(block, r)
		}
		maxCol := 0
		if sh.scan != nil {
			maxCol = sh.scan.maxCol
		}
		header = xlsxHeader(block, first.n, headerEnd, merges, run.date1904, maxCol)
		for _, r := range block {
			if r.err != nil {
				issues = append(issues, staging.Issue{File: name, Sheet: sh.name, Line: int64(r.n), Kind: "parse",
					Message: fmt.Sprintf("heading row %d could not be read completely (%v)", r.n, r.err)})
			}
		}
	}
	width := len(header)
	if sh.scan != nil {
		width = max(width, sh.scan.maxCol)
	} else {
		for i := 0; ; i++ {
			r, ok := rows.peek(i)
			if !ok || i >= xlsxLookahead {
				break
			}
			width = max(width, len(r.disp), len(r.raw))
		}
	}
	for len(header) < width {
		header = append(header, "")
	}

	w, err := run.sink.Table(run.ctx, staging.TableSpec{Name: table, Columns: header, Source: src})
	if err != nil {
		return stagingError(name, table, err)
	}
	run.writers = append(run.writers, w)
	run.tables = append(run.tables, table)
	if len(run.writers) == 1 {
		for _, is := range run.pending {
			w.Issue(is)
		}
		run.pending = nil
	}
	for _, is := range issues {
		w.Issue(is)
	}

	// Merged ranges below the header: Excel showed one value across them.
	dataMerges, firstMerge := 0, ""
	if sh.scan != nil {
		dataMerges = sh.scan.otherMerges
		firstMerge = sh.scan.firstOther
		for _, m := range merges {
			if m.r1 > headerEnd {
				if dataMerges == 0 || firstMerge == "" {
					firstMerge = m.String()
				}
				dataMerges++
			}
		}
	}
	if dataMerges > 0 {
		w.Issue(staging.Issue{File: name, Sheet: sh.name, Kind: "merged_cells",
			Message: fmt.Sprintf("%s below the headings (the first is %s): Excel shows one value across each, Ferry staged it in the first cell only",
				xlsxPlural(dataMerges, "1 range of cells is merged", fmt.Sprintf("%d ranges of cells are merged", dataMerges)), firstMerge)})
	}

	hidden := make([]xlsxHidden, width)
	cells := make([]string, width)
	for {
		r, ok := rows.next()
		if !ok {
			break
		}
		row := staging.Row{Line: int64(r.n), Cells: cells}
		values := xlsxValues(r.disp, r.raw, run.date1904, func(col int, disp, raw, staged string) {
			if col < width {
				h := &hidden[col]
				h.count++
				if h.count == 1 {
					h.row, h.disp, h.raw = r.n, disp, staged
				}
			}
		})
		for i := range cells {
			cells[i] = ""
		}
		copy(cells, values)
		if len(values) > width {
			row.Overflow = values[width:]
			row.Flags |= staging.FlagExtraCells
			w.Issue(staging.Issue{File: name, Sheet: sh.name, Line: int64(r.n), Column: width + 1, Kind: "extra_cells",
				Message: fmt.Sprintf("row %d has %d cells beyond the last column with a heading; they were kept as extra cells", r.n, len(values)-width)})
		}
		if r.err != nil {
			row.Flags |= staging.FlagParse
			w.Issue(staging.Issue{File: name, Sheet: sh.name, Line: int64(r.n), Kind: "parse",
				Message: fmt.Sprintf("row %d could not be read completely (%v); the cells Ferry could read were staged. Open the file in Excel and check this row", r.n, r.err)})
		}
		if err := w.Write(row); err != nil {
			return stagingError(name, table, err)
		}
		run.rows++
		if run.totalRows > 0 {
			done := min(run.doneRows+int64(r.n), run.totalRows)
			run.prog.report(run.size*done/run.totalRows, run.size, run.rows, false)
		} else {
			run.prog.report(0, run.size, run.rows, false)
		}
	}
	if rows.err != nil {
		if errors.Is(rows.err, context.Canceled) || errors.Is(rows.err, context.DeadlineExceeded) {
			return rows.err
		}
		return xlsxSheetError(name, sh, rows.err)
	}
	if err := run.ctx.Err(); err != nil {
		return err
	}
	for col, h := range hidden {
		if h.count == 0 {
			continue
		}
		w.Issue(staging.Issue{File: name, Sheet: sh.name, Line: int64(h.row), Column: col + 1, ColumnName: header[col], Kind: "display_rounded",
			Message: fmt.Sprintf("%s in this column Excel shows differently from the number stored (row %d shows %q but holds %s); Ferry staged the stored number so nothing is lost. Check the column's number format in Excel if that is unexpected",
				xlsxPlural(h.count, "1 cell", fmt.Sprintf("%d cells", h.count)), h.row, h.disp, h.raw)})
	}
	return nil
}

type xlsxHidden struct {
	count     int
	row       int
	disp, raw string
}

// xlsxLooksLikeTitle says whether the next row is a title above the real header: a row with one
// filled cell, followed closely by a row of at least three text headings.
func xlsxLooksLikeTitle(rows *xlsxRows) bool {
	r, _ := rows.peek(0)
	if len(xlsxNonBlank(r.disp)) != 1 {
		return false
	}
	for i := 1; i < xlsxLookahead; i++ {
		next, ok := rows.peek(i)
		if !ok {
			return false
		}
		filled := 0
		for j, c := range next.disp {
			if c == "" {
				continue
			}
			filled++
			if j < len(next.raw) {
				if _, err := strconv.ParseFloat(next.raw[j], 64); err == nil {
					return false // a number: data, not headings
				}
			}
		}
		if filled >= 3 {
			return true
		}
		if filled > 1 {
			return false
		}
	}
	return false
}

func xlsxNonBlank(cells []string) []string {
	var out []string
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			out = append(out, c)
		}
	}
	return out
}

// xlsxHeader builds column names from the header block (rows h0..h1). A heading merged across
// columns fills its span as Name, Name_2 ...; in a multi-row header the parts of each column are
// joined top to bottom ("Address Street").
func xlsxHeader(block []xlsxRow, h0, h1 int, merges []xlsxRange, date1904 bool, maxCol int) []string {
	height := h1 - h0 + 1
	grid := make([][]string, height)
	width := 0
	for _, r := range block {
		grid[r.n-h0] = xlsxValues(r.disp, r.raw, date1904, nil)
		width = max(width, len(grid[r.n-h0]))
	}
	// a merged heading widens the table only as far as the sheet has values: a title merged
	// across all 16384 columns is formatting, not 16384 columns
	for _, m := range merges {
		if m.r1 >= h0 && m.r1 <= h1 {
			width = max(width, min(m.c2, maxCol))
		}
	}
	at := func(r, c int) string { // 1-based sheet coordinates
		row := grid[r-h0]
		if c-1 < len(row) {
			return row[c-1]
		}
		return ""
	}
	names := make([]string, width)
	for c := 1; c <= width; c++ {
		var parts []string
		for r := h0; r <= h1; r++ {
			v := at(r, c)
			if v == "" {
				for _, m := range merges {
					if m.contains(r, c) && m.r1 >= h0 {
						v = at(m.r1, m.c1)
						break
					}
				}
			}
			if v != "" && (len(parts) == 0 || parts[len(parts)-1] != v) {
				parts = append(parts, v)
			}
		}
		names[c-1] = strings.Join(parts, " ")
	}
	for _, m := range merges {
		if m.r1 < h0 || m.r1 > h1 || m.c2 <= m.c1 {
			continue
		}
		for c := m.c1 + 1; c <= m.c2 && c <= width; c++ {
			if names[c-1] != "" && names[c-1] == names[m.c1-1] {
				names[c-1] += "_" + strconv.Itoa(c-m.c1+1)
			}
		}
	}
	return names
}

// xlsxValues turns a row read both ways into the staged values. rounded, when set, hears about
// each cell whose display hides part of the stored number.
func xlsxValues(disp, raw []string, date1904 bool, rounded func(col int, disp, raw, staged string)) []string {
	n := max(len(disp), len(raw))
	out := make([]string, n)
	for i := range out {
		var d, r string
		if i < len(disp) {
			d = disp[i]
		}
		if i < len(raw) {
			r = raw[i]
		}
		v, hid := xlsxValue(d, r, date1904)
		if hid && rounded != nil {
			rounded(i, d, r, v)
		}
		out[i] = v
	}
	// trailing blanks carry nothing
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// xlsxValue chooses what to stage for one cell. hidden reports a number whose display hid digits.
func xlsxValue(disp, raw string, date1904 bool) (v string, hidden bool) {
	if disp == raw {
		return disp, false
	}
	if v, ok := xlsxDateValue(disp, raw, date1904); ok {
		return v, false
	}
	num, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(num, 0) || math.IsNaN(num) {
		// Not stored as a number. A cell typed as a date (t="d") stores ISO text that excelize
		// turns into a serial number: the stored text is what the person entered.
		if raw != "" {
			if _, err := strconv.ParseFloat(disp, 64); err == nil {
				return raw, false
			}
		}
		if disp == "" {
			return raw, false
		}
		return disp, false
	}
	if disp == "TRUE" || disp == "FALSE" {
		return disp, false
	}
	shown, digits, ok := xlsxShownNumber(disp)
	switch {
	case !digits:
		// "", "-", "zero": the format hides the number entirely.
		return xlsxPlainNumber(raw), true
	case !ok:
		return disp, false // a fraction, phone number, duration ...: as shown
	}
	want := xlsxRound15(num)
	if math.Abs(shown-want) <= 1e-9*math.Max(1, math.Abs(want)) {
		return disp, false
	}
	return xlsxPlainNumber(raw), true
}

// xlsxDateValue finishes a cell that has one of Ferry's ISO date formats: the sentinel says
// what the original format showed; the date itself is computed here from the stored serial
// number (excelize's own conversion is wrong for the first days of the 1904 system).
func xlsxDateValue(disp, raw string, date1904 bool) (string, bool) {
	i := strings.IndexFunc(disp, func(r rune) bool { return r >= xlsxShowsDateTime && r <= xlsxShowsEither })
	if i < 0 {
		return "", false
	}
	kind, size := utf8.DecodeRuneInString(disp[i:])
	showsMS := strings.Contains(disp[i+size:], ".")
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		if raw != "" {
			return raw, true // stored as ISO text (t="d"): keep it as written
		}
		return strings.Replace(disp, string(kind), "T", 1), true
	}
	if serial < 0 || serial >= 2958466 { // Excel shows ##### outside 1900-01-00 .. 9999-12-31
		return xlsxPlainNumber(raw), true
	}
	date, clock, days, ms := xlsxSerialToISO(serial, date1904, showsMS)
	timeOnly := days == 0 && (kind == xlsxShowsTime || kind == xlsxShowsEither && ms > 0)
	switch {
	case timeOnly:
		return clock, true
	case kind == xlsxShowsDateTime:
		return date + "T" + clock, true
	case ms == 0 && kind != xlsxShowsTime:
		return date, true
	}
	return date + "T" + clock, true
}

// xlsxSerialToISO converts an Excel serial date. In the 1900 system day 60 is the 29 February
// 1900 that Excel (after Lotus 1-2-3) believes in, and day 0 is shown as 1900-01-00.
func xlsxSerialToISO(serial float64, date1904, withMS bool) (date, clock string, days, msOfDay int64) {
	const msPerDay = 86400000
	total := int64(math.Round(serial * msPerDay))
	days, msOfDay = total/msPerDay, total%msPerDay
	if !withMS || msOfDay%1000 == 0 {
		msOfDay = (msOfDay + 500) / 1000 * 1000
		if msOfDay == msPerDay {
			days, msOfDay = days+1, 0
		}
	}
	switch {
	case date1904:
		date = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("2006-01-02")
	case days == 0:
		date = "1900-01-00"
	case days < 60:
		date = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("2006-01-02")
	case days == 60:
		date = "1900-02-29"
	default:
		date = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("2006-01-02")
	}
	sec := msOfDay / 1000
	clock = fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	if ms := msOfDay % 1000; ms != 0 {
		clock += fmt.Sprintf(".%03d", ms)
	}
	return date, clock, days, msOfDay
}

// xlsxShownNumber reads the number a formatted cell shows when it shows a plain one: digits with
// grouping, one decimal point and maybe an exponent, with a sign, parentheses, currency, unit or
// percent around them. digits is false when the display has no digit at all; ok is false when
// it shows something else (a fraction, a time, a phone number).
func xlsxShownNumber(s string) (v float64, digits, ok bool) {
	first := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if first < 0 {
		return 0, false, false
	}
	last := strings.LastIndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	core, prefix, suffix := s[first:last+1], s[:first], s[last+1:]
	var b strings.Builder
	dots := 0
	for i := 0; i < len(core); i++ {
		c := core[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ',' || c == ' ':
		case c == '.':
			dots++
			b.WriteByte(c)
		case (c == 'E' || c == 'e') && i+1 < len(core) && (core[i+1] == '+' || core[i+1] == '-'):
			b.WriteByte('E')
			b.WriteByte(core[i+1])
			i++
		default:
			if strings.HasPrefix(core[i:], "\u00a0") || strings.HasPrefix(core[i:], "\u202f") {
				_, size := utf8.DecodeRuneInString(core[i:])
				i += size - 1
				continue
			}
			return 0, true, false
		}
	}
	if dots > 1 {
		return 0, true, false
	}
	for _, r := range prefix + suffix {
		if r == '/' || r == ':' {
			return 0, true, false
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil {
		return 0, true, false
	}
	if strings.ContainsAny(prefix, "-(−") {
		v = -v
	}
	if strings.Contains(suffix, "%") {
		v /= 100
	}
	return v, true, true
}

// xlsxRound15 rounds to the 15 significant digits Excel keeps.
func xlsxRound15(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// xlsxPlainNumber writes a stored number as plain decimal text, to Excel's 15 significant digits.
func xlsxPlainNumber(raw string) string {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return raw
	}
	f = xlsxRound15(f)
	if a := math.Abs(f); a != 0 && (a >= 1e21 || a < 1e-7) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// xlsxRewriteDateStyles points every date/time cell format of the workbook (in memory only) at an
// ISO format with a sentinel between date and time, so excelize's formatter - which knows the
// 1900 and 1904 date systems and Excel's 1900-02-29 - produces ISO text.
func xlsxRewriteDateStyles(f *excelize.File) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	made := map[string]int{}
	n := len(ss.CellXfs.Xf)
	for i := 0; i < n; i++ {
		if ss.CellXfs.Xf[i].NumFmtID == nil {
			continue
		}
		id := *ss.CellXfs.Xf[i].NumFmtID
		var kind rune
		var ms bool
		if code, ok := custom[id]; ok {
			kind, ms = xlsxDateKind(code)
		} else {
			kind, ms = xlsxBuiltinDateKind(id)
		}
		if kind == 0 {
			continue
		}
		code := `yyyy-mm-dd"` + string(kind) + `"hh:mm:ss`
		if ms {
			code += ".000"
		}
		fmtID, ok := made[code]
		if !ok {
			style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			if err != nil {
				return err
			}
			if style < 0 || style >= len(ss.CellXfs.Xf) || ss.CellXfs.Xf[style].NumFmtID == nil {
				return fmt.Errorf("unexpected style %d", style)
			}
			fmtID = *ss.CellXfs.Xf[style].NumFmtID
			made[code] = fmtID
		}
		ss.CellXfs.Xf[i].NumFmtID = &fmtID // after NewStyle: it may have moved the slice
	}
	return nil
}

// xlsxBuiltinDateKind classifies Excel's built-in number formats.
func xlsxBuiltinDateKind(id int) (rune, bool) {
	switch {
	case id >= 14 && id <= 17:
		return xlsxShowsDate, false
	case id >= 18 && id <= 21, id == 45:
		return xlsxShowsTime, false
	case id == 47:
		return xlsxShowsTime, true
	case id == 22:
		return xlsxShowsDateTime, false
	case id >= 27 && id <= 36, id >= 50 && id <= 58:
		return xlsxShowsEither, false
	}
	return 0, false
}

// xlsxDateKind classifies a custom number format code by its first section: date, time, both or
// neither. Elapsed-time formats ([h]:mm) are durations and stay as shown.
func xlsxDateKind(code string) (rune, bool) {
	var b strings.Builder
	elapsed := false
section:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case ';':
			break section
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				break section
			}
			i += j + 1
		case '\\', '_', '*':
			if i+1 < len(code) {
				_, size := utf8.DecodeRuneInString(code[i+1:])
				i += size
			}
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				break section
			}
			inner := strings.ToLower(code[i+1 : i+1+j])
			if inner != "" && strings.Trim(inner, "hms") == "" {
				elapsed = true
			}
			i += j + 1
		default:
			b.WriteByte(byte(unicode.ToLower(rune(c))))
		}
	}
	s := b.String()
	if elapsed {
		return 0, false
	}
	s = strings.ReplaceAll(s, "general", "")
	s = strings.ReplaceAll(s, "am/pm", "")
	s = strings.ReplaceAll(s, "a/p", "")
	ms := false
	for _, frac := range []string{"s.000", "s.00", "s.0"} {
		if strings.Contains(s, frac) {
			ms = true
			s = strings.ReplaceAll(s, frac, "s")
		}
	}
	if strings.ContainsAny(s, "0#?@") {
		return 0, false
	}
	hasDate := strings.ContainsAny(s, "ydeg") || strings.Contains(s, "bb")
	hasTime := strings.ContainsAny(s, "hs")
	switch {
	case hasDate && hasTime:
		return xlsxShowsDateTime, ms
	case hasDate, strings.Contains(s, "m") && !hasTime:
		return xlsxShowsDate, false
	case hasTime:
		return xlsxShowsTime, ms
	}
	return 0, false
}

// xlsxRange is a merged range, 1-based and inclusive.
type xlsxRange struct{ r1, c1, r2, c2 int }

func (m xlsxRange) contains(r, c int) bool { return r >= m.r1 && r <= m.r2 && c >= m.c1 && c <= m.c2 }

func (m xlsxRange) String() string {
	a, _ := excelize.CoordinatesToCellName(m.c1, m.r1)
	b, _ := excelize.CoordinatesToCellName(m.c2, m.r2)
	return a + ":" + b
}

// xlsxScan is what one streaming pass over a sheet's XML found.
type xlsxScan struct {
	maxRow, maxCol int // last row seen; last column holding a value
	merges         []xlsxRange
	otherMerges    int // merged ranges starting further down, counted only
	firstOther     string
}

type xlsxXMLError struct {
	line int
	err  error
}

func (e *xlsxXMLError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

var errXLSXEntities = errors.New("XML entity declarations")

// xlsxScanSheet streams a sheet part once with a strict XML decoder.
func xlsxScanSheet(ctx context.Context, part *zip.File) (*xlsxScan, error) {
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	dec.CharsetReader = xlsxCharsetReader
	scan := &xlsxScan{}
	row, col := 0, 0
	inCell, cellHasValue := false, false
	for tokens := 0; ; tokens++ {
		if tokens%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, &xlsxXMLError{line: line, err: err}
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return nil, errXLSXEntities
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row++
				if v := xlsxAttr(t, "r"); v != "" {
					if n, err := strconv.Atoi(v); err == nil && n > 0 {
						row = n
					}
				}
				col = 0
				scan.maxRow = max(scan.maxRow, row)
			case "c":
				col++
				if v := xlsxAttr(t, "r"); v != "" {
					if c, _, err := excelize.CellNameToCoordinates(v); err == nil {
						col = c
					}
				}
				inCell, cellHasValue = true, false
			case "v", "is", "f":
				if inCell {
					cellHasValue = true
				}
			case "mergeCell":
				var m xlsxRange
				ref := strings.Split(xlsxAttr(t, "ref"), ":")
				var e1, e2 error
				m.c1, m.r1, e1 = excelize.CellNameToCoordinates(ref[0])
				m.c2, m.r2, e2 = m.c1, m.r1, nil
				if len(ref) == 2 {
					m.c2, m.r2, e2 = excelize.CellNameToCoordinates(ref[1])
				}
				if e1 != nil || e2 != nil {
					continue
				}
				if m.r2 < m.r1 {
					m.r1, m.r2 = m.r2, m.r1
				}
				if m.c2 < m.c1 {
					m.c1, m.c2 = m.c2, m.c1
				}
				if m.r1 <= xlsxHeaderMerges && len(scan.merges) < 10000 {
					scan.merges = append(scan.merges, m)
				} else {
					if scan.otherMerges == 0 {
						scan.firstOther = m.String()
					}
					scan.otherMerges++
				}
			}
		case xml.EndElement:
			if t.Name.Local == "c" && inCell {
				if cellHasValue {
					scan.maxCol = max(scan.maxCol, col)
				}
				inCell = false
			}
		}
	}
	return scan, nil
}

func xlsxAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func xlsxCharsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := ianaindex.IANA.Encoding(label)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unsupported XML encoding %q", label)
	}
	return enc.NewDecoder().Reader(input), nil
}

// xlsxCheckContainer sends OLE2 files (legacy .xls, password-protected .xlsx) and other non-zip
// files to a clear message before excelize sees them.
func xlsxCheckContainer(path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	if err := recognizeUnsupported(path); err != nil {
		return err
	}
	if bytes.HasPrefix(head, magicZip) {
		return nil
	}
	if n == 0 {
		return fmt.Errorf("%s: the file is empty (0 bytes). Make a fresh copy from the old system and add it again", name)
	}
	return fmt.Errorf("%s: this is not an Excel workbook (.xlsx): it is not a zip container, so it may be damaged or misnamed. %s", name, convertAdvice)
}

// xlsxCheckParts refuses zip bombs by the sizes the zip declares (Go's zip reader refuses to
// unpack more than declared) and returns the parts by lower-case name.
func xlsxCheckParts(ctx context.Context, name string, zr *zip.ReadCloser) (map[string]*zip.File, error) {
	if len(zr.File) > xlsxMaxParts {
		return nil, fmt.Errorf("%s: refused: the workbook has %d parts, far more than any real workbook; it looks crafted to exhaust memory. If it is genuine, save it again from Excel as CSV UTF-8 and add that", name, len(zr.File))
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var total, inMemory uint64
	for _, p := range zr.File {
		size := p.UncompressedSize64
		total += size
		pname := strings.ToLower(strings.ReplaceAll(p.Name, `\`, "/"))
		parts[pname] = p
		if size > xlsxRatioFloor && (p.CompressedSize64 == 0 || size/max(p.CompressedSize64, 1) > xlsxRatioLimit) {
			return nil, fmt.Errorf("%s: refused: the part %s would unpack from %s to %s (more than %d:1); that is a 'zip bomb', not a real workbook",
				name, p.Name, xlsxBytes(p.CompressedSize64), xlsxBytes(size), xlsxRatioLimit)
		}
		// excelize keeps every part in memory except big sheets and shared strings
		bigXML := size > xlsxXMLInMemory && (strings.HasPrefix(pname, "xl/worksheets/sheet") || pname == "xl/sharedstrings.xml")
		if !bigXML {
			inMemory += size
		}
	}
	if total > xlsxMaxUnzipped {
		return nil, fmt.Errorf("%s: refused: the workbook would unpack to %s, more than Ferry's limit of %s; a practice's export is far smaller. If it is genuine, save each sheet from Excel as CSV UTF-8 and add those",
			name, xlsxBytes(total), xlsxBytes(xlsxMaxUnzipped))
	}
	if inMemory > xlsxMaxInMemory {
		return nil, fmt.Errorf("%s: refused: the workbook's pictures, styles and other parts would take %s of memory, more than Ferry's limit of %s. Save the sheets from Excel as CSV UTF-8 and add those instead",
			name, xlsxBytes(inMemory), xlsxBytes(xlsxMaxInMemory))
	}
	// Entity declarations sit in an XML part's prolog, before its first element: reading that is
	// enough to refuse billion-laughs and quadratic blow-up files, whichever part carries them.
	for pname, p := range parts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(pname, ".xml") && !strings.HasSuffix(pname, ".rels") {
			continue
		}
		if err := xlsxCheckProlog(p); errors.Is(err, errXLSXEntities) {
			return nil, fmt.Errorf("%s: refused: the part %s declares XML entities, which Excel never writes; the file looks crafted to exhaust memory (a 'billion laughs' attack). If you trust it, open it in Excel, save a fresh copy and add that",
				name, p.Name)
		}
	}
	return parts, nil
}

func xlsxCheckProlog(p *zip.File) error {
	rc, err := p.Open()
	if err != nil {
		return nil // excelize will say the part is damaged
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, xlsxMaxPrologPart))
	dec.Strict = false
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return errXLSXEntities
			}
		case xml.StartElement:
			return nil
		}
	}
}

// xlsxLayout is what Ferry itself reads of the workbook's structure: which part holds each sheet.
type xlsxLayout struct {
	sheets map[string]*zip.File
	hidden map[string]bool
}

type xlsxRelsXML struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xlsxWorkbookXML struct {
	Sheets []struct {
		Name  string     `xml:"name,attr"`
		State string     `xml:"state,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

func xlsxReadLayout(parts map[string]*zip.File) xlsxLayout {
	out := xlsxLayout{sheets: map[string]*zip.File{}, hidden: map[string]bool{}}
	read := func(name string, v any) bool {
		p := parts[strings.ToLower(strings.TrimPrefix(name, "/"))]
		if p == nil || p.UncompressedSize64 > 16<<20 {
			return false
		}
		rc, err := p.Open()
		if err != nil {
			return false
		}
		defer rc.Close()
		dec := xml.NewDecoder(rc)
		dec.CharsetReader = xlsxCharsetReader
		return dec.Decode(v) == nil
	}
	wbPath := "xl/workbook.xml"
	var root xlsxRelsXML
	if read("_rels/.rels", &root) {
		for _, r := range root.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	var wb xlsxWorkbookXML
	var rels xlsxRelsXML
	if !read(wbPath, &wb) || !read(path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &rels) {
		return out
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join(path.Dir(wbPath), t)
		}
		targets[r.ID] = strings.ToLower(t)
	}
	for _, s := range wb.Sheets {
		if s.State == "hidden" || s.State == "veryHidden" {
			out.hidden[s.Name] = true
		}
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				if p := parts[targets[a.Value]]; p != nil {
					out.sheets[s.Name] = p
				}
			}
		}
	}
	return out
}

func xlsxOpenError(name string, err error) error {
	switch {
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrAlgorithm):
		return fmt.Errorf("%s: this Excel workbook is damaged: its zip container cannot be read (%v). Open it in Excel or LibreOffice Calc and save a fresh copy, then add that file", name, err)
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return fmt.Errorf("%s: this Excel workbook is protected with a password, so Ferry cannot read it. Open it in Excel, remove the password and save, or use File → Save As → CSV UTF-8, then add that file: %w", name, ErrUnsupported)
	}
	return fmt.Errorf("%s: Ferry could not open this Excel workbook (%v). Open it in Excel or LibreOffice Calc and save a fresh copy as Excel Workbook (.xlsx) or CSV UTF-8, then add that file", name, err)
}

func xlsxScanError(name, sheet string, err error) error {
	var xe *xlsxXMLError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, errXLSXEntities):
		return fmt.Errorf("%s: refused: sheet %q declares XML entities, which Excel never writes; the file looks crafted to exhaust memory. If you trust it, open it in Excel, save a fresh copy and add that", name, sheet)
	case errors.As(err, &xe):
		return fmt.Errorf("%s: sheet %q is damaged: its XML is invalid at line %d of the sheet (%v). Open the file in Excel or LibreOffice Calc (Excel may offer to repair it), save it again and add the saved copy",
			name, sheet, xe.line, xe.err)
	}
	return fmt.Errorf("%s: sheet %q cannot be read (%v). Open the file in Excel or LibreOffice Calc, save it again and add the saved copy", name, sheet, err)
}

func xlsxSheetError(name string, sh *xlsxSheet, err error) error {
	var missing excelize.ErrSheetNotExist
	if errors.As(err, &missing) || sh.part == "" && strings.Contains(err.Error(), "does not exist") {
		return fmt.Errorf("%s: the workbook lists a sheet %q but its data is missing from the file, so the file is damaged. Open it in Excel or LibreOffice Calc, check the sheet, save a fresh copy and add that", name, sh.name)
	}
	if errors.Is(err, excelize.ErrMaxRows) {
		return fmt.Errorf("%s: sheet %q has a row number beyond Excel's limit of %d rows, so the file is damaged. Open it in Excel, save a fresh copy and add that", name, sh.name, excelize.TotalRows)
	}
	return fmt.Errorf("%s: sheet %q could not be read (%v). Open the file in Excel or LibreOffice Calc, save it again and add the saved copy", name, sh.name, err)
}

func xlsxBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func xlsxQuoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

func xlsxPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
