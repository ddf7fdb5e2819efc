package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/richardlehane/mscfb"

	"github.com/ferry-migrate/ferry/app/staging"
)

// unsupportedImporter claims files Ferry recognises but cannot read (legacy .xls, .ods, password
// protected workbooks, SQL Server backups, Access databases, PDFs, archives, Ferry's own project
// file) so that the person hears what the file is and how to convert it, instead of "unknown
// format" or a CSV importer reading binary noise. Its Import always fails with ErrUnsupported.
type unsupportedImporter struct{}

func init() { register(unsupportedImporter{}) }

// convertAdvice is what to do with a spreadsheet Ferry cannot open.
const convertAdvice = "Open it in Excel or LibreOffice Calc and use File → Save As → Excel Workbook (.xlsx) or CSV UTF-8, then add that file."

// ferryApplicationID is the SQLite application_id of a .ferry project file ("FRRY").
const ferryApplicationID = 0x46525259

var (
	magicOLE    = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZip    = []byte("PK\x03\x04")
	magicSQLite = []byte("SQLite format 3\x00")
	magicGzip   = []byte{0x1F, 0x8B}
	magic7z     = []byte{'7', 'z', 0xBC, 0xAF, 0x27, 0x1C}
	magicRar    = []byte("Rar!\x1A\x07")
	magicPDF    = []byte("%PDF-")
	magicMTF    = []byte("TAPE") // Microsoft Tape Format: SQL Server .bak
	mimeODS     = []byte("application/vnd.oasis.opendocument.spreadsheet")
	mimeODF     = []byte("application/vnd.oasis.opendocument.")
)

func (unsupportedImporter) Format() string { return "unsupported" }

// Probe is decisive for formats no other importer reads, and stays out of the way otherwise.
func (unsupportedImporter) Probe(head []byte, name string) int {
	switch {
	case bytes.HasPrefix(head, magicOLE),
		bytes.HasPrefix(head, magicMTF),
		bytes.HasPrefix(head, magicPDF),
		bytes.HasPrefix(head, magicGzip),
		bytes.HasPrefix(head, magic7z),
		bytes.HasPrefix(head, magicRar),
		isFerryProjectHead(head):
		return 100
	case legacyDatabaseKind(head, name) != "":
		return 60 // above the CSV importer's guess at binary noise, below any real reader
	case bytes.HasPrefix(head, magicZip):
		switch {
		case zipHeadMimetype(head) != nil:
			return 100 // OpenDocument: .ods, .odt ...
		case bytes.Contains(head, []byte("xl/")):
			return 0 // an Excel workbook: the xlsx importer's
		case bytes.Contains(head, []byte("word/")), bytes.Contains(head, []byte("ppt/")),
			bytes.Contains(head, []byte("Index/Document.iwa")):
			return 90
		case bytes.Contains(head, []byte("[Content_Types].xml")):
			return 5 // probably OOXML with its workbook further in; let xlsx have it
		}
		return 30 // some other zip archive
	}
	return 0
}

// Import never stages anything: it says what the file is and how to convert it.
func (unsupportedImporter) Import(ctx context.Context, path string, _ Options, _ staging.Sink, _ Progress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := recognizeUnsupported(path); err != nil {
		return err
	}
	return fmt.Errorf("%s: Ferry does not recognise this kind of file; export it from the old system as CSV or XLSX and add that instead: %w",
		filepath.Base(path), ErrUnsupported)
}

// recognizeUnsupported returns an error wrapping ErrUnsupported that says what the file is and what
// to do, or nil when the file is none of the kinds Ferry recognises but cannot read.
func recognizeUnsupported(path string) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	head = head[:n]
	unsupported := func(format string, a ...any) error {
		return fmt.Errorf("%s: "+format+": %w", append(append([]any{name}, a...), ErrUnsupported)...)
	}
	switch {
	case bytes.HasPrefix(head, magicOLE):
		return describeOLE(f, name)
	case bytes.HasPrefix(head, magicMTF):
		return unsupported("this is a SQL Server backup (.bak), which Ferry cannot read directly. " +
			"Ask whoever supports the old system to restore it and export each table as CSV " +
			"(in SQL Server Management Studio: right-click the database → Tasks → Export Data), then add those files")
	case isAccessHead(head):
		return unsupported("this is a Microsoft Access database, which Ferry cannot read directly. " +
			"Open it in Access and export each table with External Data → Export → Text File (CSV) or Excel, then add those files")
	case bytes.HasPrefix(head, magicPDF):
		return unsupported("this is a PDF document. Ferry needs the data itself, not a printed report: " +
			"export it from the old system as CSV or Excel and add that file")
	case isFerryProjectHead(head):
		return unsupported("this is a Ferry project file, not data from the old system. " +
			"Open it with Ferry's Open project instead of adding it as a source")
	case bytes.HasPrefix(head, magicGzip), bytes.HasPrefix(head, magic7z), bytes.HasPrefix(head, magicRar):
		return unsupported("this is a compressed archive. Extract it (right-click → Extract All, or with 7-Zip) and add the files inside")
	case bytes.HasPrefix(head, magicZip):
		return describeZip(path, name)
	}
	switch legacyDatabaseKind(head, name) {
	case "sqlanywhere":
		return unsupported("this looks like a SQL Anywhere (Sybase) database, as Eaglesoft and other practice systems use, which Ferry cannot read directly. " +
			"Ask the old vendor (or whoever supports the server) for an export of every table as CSV — SQL Anywhere's UNLOAD statement or Sybase Central's Unload Database writes one file per table — then add those files")
	case "ctree":
		return unsupported("this looks like a c-tree (FairCom) data file, as older Dentrix and other practice systems use, which Ferry cannot read directly. " +
			"Ask the old vendor for a data conversion export (CSV per table), or use the system's own report or export screens to save CSV, then add those files")
	case "backup":
		return unsupported("this looks like a database backup (.bak) that Ferry cannot read directly. " +
			"Ask whoever supports the old system to restore it and export each table as CSV, then add those files")
	}
	return nil
}

// legacyDatabaseKind recognises database files of servers no library here reads. Neither SQL
// Anywhere nor c-tree publishes a file signature, so the name's extension must agree with binary
// content (control bytes in the first block, not text, not a format another importer claims).
func legacyDatabaseKind(head []byte, name string) string {
	if len(head) < 64 || looksText(head) || bytes.HasPrefix(head, magicSQLite) || bytes.HasPrefix(head, magicOLE) ||
		bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, magicMTF) || isAccessHead(head) {
		return ""
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".db", ".sadb":
		return "sqlanywhere"
	case ".dat", ".idx", ".dtx":
		if len(head) > 0 && (head[0] == 0x03 || head[0] == 0x30 || head[0] == 0x31 || head[0] == 0x83 || head[0] == 0x8B || head[0] == 0xF5) {
			return "" // a dBase/FoxPro table named .dat: the dbf importer's
		}
		return "ctree"
	case ".bak":
		return "backup"
	}
	return ""
}

// describeZip tells OpenDocument, Word, PowerPoint, Numbers and plain archives apart by their parts.
// An Excel workbook is not unsupported: nil.
func describeZip(path, name string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: this looks like a zip file (as .xlsx files are) but it is damaged (%v). Make a fresh copy from the old system and add it again",
			name, err)
	}
	defer zr.Close()
	has := func(prefix string) bool {
		for _, f := range zr.File {
			if strings.HasPrefix(strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")), prefix) {
				return true
			}
		}
		return false
	}
	for _, f := range zr.File {
		if f.Name != "mimetype" || f.UncompressedSize64 > 512 {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			break
		}
		mime, _ := io.ReadAll(io.LimitReader(rc, 512))
		rc.Close()
		switch {
		case bytes.HasPrefix(mime, mimeODS):
			return fmt.Errorf("%s: this is an OpenDocument spreadsheet (.ods), which Ferry cannot read. %s: %w", name, convertAdvice, ErrUnsupported)
		case bytes.HasPrefix(mime, mimeODF):
			return fmt.Errorf("%s: this is an OpenDocument file (%s), not a spreadsheet. Export the data from the old system as CSV or Excel instead: %w",
				name, strings.TrimPrefix(string(mime), string(mimeODF)), ErrUnsupported)
		}
	}
	switch {
	case has("xl/"):
		return nil
	case has("word/"):
		return fmt.Errorf("%s: this is a Word document, not a table of data. If it holds a table, copy it into Excel and save as Excel Workbook (.xlsx); better, export the data from the old system as CSV or Excel: %w", name, ErrUnsupported)
	case has("ppt/"):
		return fmt.Errorf("%s: this is a PowerPoint presentation, not a table of data. Export the data from the old system as CSV or Excel instead: %w", name, ErrUnsupported)
	case has("index/document.iwa"):
		return fmt.Errorf("%s: this is an Apple Numbers spreadsheet. In Numbers use File → Export To → Excel (or CSV), then add that file: %w", name, ErrUnsupported)
	}
	return fmt.Errorf("%s: this is a zip archive. Extract it (right-click → Extract All) and add the files inside: %w", name, ErrUnsupported)
}

// describeOLE looks inside an OLE2 compound file (the container of legacy Office files and of
// password-protected .xlsx) to say exactly what it is.
func describeOLE(f *os.File, name string) error {
	generic := fmt.Errorf("%s: this is an older Microsoft Office file (OLE2) that Ferry cannot read. Open it in the program that made it and save the data as Excel Workbook (.xlsx) or CSV UTF-8, then add that file: %w", name, ErrUnsupported)
	r, err := mscfb.New(f)
	if err != nil {
		return generic
	}
	var workbook *mscfb.File
	streams := map[string]bool{}
	for entry, err := r.Next(); err == nil; entry, err = r.Next() {
		streams[entry.Name] = true
		if (entry.Name == "Workbook" || entry.Name == "Book") && workbook == nil && len(entry.Path) == 0 {
			workbook = entry
			if biffHasFilePass(entry) {
				streams["FILEPASS"] = true
			}
		}
	}
	switch {
	case streams["EncryptionInfo"] || streams["EncryptedPackage"]:
		return fmt.Errorf("%s: this Excel workbook is protected with a password (encrypted), so Ferry cannot read it. "+
			"Open it in Excel with the password, remove it (File → Info → Protect Workbook → Encrypt with Password, clear the password) and save, "+
			"or use File → Save As → CSV UTF-8; then add that file: %w", name, ErrUnsupported)
	case streams["FILEPASS"]:
		return fmt.Errorf("%s: this is a legacy Excel 97-2003 workbook (.xls) protected with a password, which Ferry cannot read. "+
			"Open it in Excel or LibreOffice Calc (entering the password), then use File → Save As → Excel Workbook (.xlsx) or CSV UTF-8 without a password, and add that file: %w",
			name, ErrUnsupported)
	case workbook != nil:
		return fmt.Errorf("%s: this is a legacy Excel 97-2003 workbook (.xls), which Ferry cannot read. %s: %w", name, convertAdvice, ErrUnsupported)
	case streams["WordDocument"]:
		return fmt.Errorf("%s: this is a Word document, not a table of data. Export the data from the old system as CSV or Excel instead: %w", name, ErrUnsupported)
	case streams["PowerPoint Document"]:
		return fmt.Errorf("%s: this is a PowerPoint presentation, not a table of data. Export the data from the old system as CSV or Excel instead: %w", name, ErrUnsupported)
	}
	return generic
}

// biffHasFilePass reads the first BIFF records of a Workbook stream looking for FILEPASS (0x002F),
// which Excel writes right after the first BOF when the workbook is encrypted.
func biffHasFilePass(stream io.Reader) bool {
	var hdr [4]byte
	for i := 0; i < 64; i++ {
		if _, err := io.ReadFull(stream, hdr[:]); err != nil {
			return false
		}
		typ := binary.LittleEndian.Uint16(hdr[:2])
		size := int64(binary.LittleEndian.Uint16(hdr[2:]))
		if typ == 0x002F {
			return true
		}
		if _, err := io.CopyN(io.Discard, stream, size); err != nil {
			return false
		}
	}
	return false
}

// zipHeadMimetype returns the OpenDocument mimetype stored uncompressed as the first zip entry, if any.
func zipHeadMimetype(head []byte) []byte {
	// local file header: 30 bytes, then the name "mimetype", then (stored) the content
	if len(head) < 38 || !bytes.Equal(head[30:38], []byte("mimetype")) {
		return nil
	}
	rest := head[38:]
	if i := bytes.Index(rest, mimeODF); i >= 0 && i < 64 {
		return rest[i:]
	}
	return nil
}

func isAccessHead(head []byte) bool {
	return len(head) > 20 && (bytes.Equal(head[4:19], []byte("Standard Jet DB")) || bytes.Equal(head[4:19], []byte("Standard ACE DB")))
}

func isFerryProjectHead(head []byte) bool {
	return bytes.HasPrefix(head, magicSQLite) && len(head) >= 72 && binary.BigEndian.Uint32(head[68:72]) == ferryApplicationID
}

// The helpers below are shared by the xlsx, json, sqlite and dbf importers.

// srcStem is the file name without its extension: the default table name.
func srcStem(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// recoverImport turns a panic inside a third-party reader into an error a person can act on:
// a damaged or hostile file must never take the whole application down.
func recoverImport(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: Ferry could not read this file; it seems damaged (%v). Open it in the program that made it, save a fresh copy and add that instead",
			filepath.Base(path), r)
	}
}

// progressEvery calls progress at most once per n rows (and always when force is set), so a
// GUI binding is not woken for every row.
type progressEvery struct {
	fn    Progress
	every int64
	last  int64
}

func (p *progressEvery) report(bytesRead, total, rows int64, force bool) {
	if p.fn == nil {
		return
	}
	if force || rows-p.last >= p.every || rows < p.last {
		p.last = rows
		p.fn(bytesRead, total, rows)
	}
}

// stagingError says which table could not be staged (the project file itself failed).
func stagingError(name, table string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s: staging table %q: %w", name, table, err)
}
