package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
)

// mdbImporter reads Microsoft Access databases (.mdb, .accdb) through the mdbtools programs when
// they are installed: `mdb-tables -1` lists the tables and `mdb-export` writes each one as CSV
// (dates as YYYY-MM-DD hh:mm:ss, binary fields as hex), which the CSV importer then reads
// exactly as it reads any other CSV. Each Access table becomes a staged table of the same name;
// SourceInfo.Format is "mdb" and Options["mdbtools"] says which program read it. mdb-export
// writes a NULL and an empty text alike, so both are staged empty.
//
// Without mdbtools (or when it cannot read the file) the import fails with ErrUnsupported and a
// message saying how to install it or how to export CSV from Access.
type mdbImporter struct{}

func init() { register(mdbImporter{}) }

func (mdbImporter) Format() string { return "mdb" }

func (mdbImporter) Probe(head []byte, name string) int {
	if isAccessHead(head) {
		return 100
	}
	return 0
}

// mdbMissing is what to do when mdbtools is not there.
const mdbMissing = "this is a Microsoft Access database. Ferry reads Access files with the free mdbtools programs, which are not installed on this computer: " +
	"on Linux run `sudo apt install mdbtools` (on a Mac `brew install mdbtools`) and add the file again. " +
	"Or open it in Access and export each table with External Data → Export → Text File (CSV) or Excel, then add those files"

// mdbLookPath finds an mdbtools program; tests may replace it.
var mdbLookPath = exec.LookPath

// Import exports each table with mdb-export and stages it through the CSV importer.
func (mdbImporter) Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (err error) {
	defer recoverImport(path, &err)
	name := filepath.Base(path)
	if err := ctx.Err(); err != nil {
		return err
	}
	tablesProg, err1 := mdbLookPath("mdb-tables")
	exportProg, err2 := mdbLookPath("mdb-export")
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%s: %s: %w", name, mdbMissing, ErrUnsupported)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tablesProg, "-1", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: this is a Microsoft Access database, but mdbtools could not list its tables (%s). It may be damaged or password protected: "+
			"open it in Access and export each table with External Data → Export → Text File (CSV), then add those files: %w",
			name, mdbStderr(err, stderr.String()), ErrUnsupported)
	}
	var tables []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimRight(l, "\r"); strings.TrimSpace(l) != "" {
			tables = append(tables, l)
		}
	}
	if len(opts.Tables) > 0 {
		var chosen []string
		for _, w := range opts.Tables {
			found := ""
			for _, t := range tables {
				if strings.EqualFold(t, w) {
					found = t
				}
			}
			if found == "" {
				return fmt.Errorf("%s: there is no table %q in this Access database; it has %s", name, w, xlsxQuoteList(tables))
			}
			chosen = append(chosen, found)
		}
		tables = chosen
	}
	if len(tables) == 0 {
		return fmt.Errorf("%s: this Access database has no tables, so there is nothing to import: %w", name, staging.ErrNothing)
	}
	tmp, err := os.MkdirTemp("", "ferry-mdb-")
	if err != nil {
		return fmt.Errorf("%s: making a temporary folder: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	for i, t := range tables {
		csvPath := filepath.Join(tmp, fmt.Sprintf("table%d.csv", i+1))
		f, err := os.Create(csvPath)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		stderr.Reset()
		cmd := exec.CommandContext(ctx, exportProg, "-D", "%Y-%m-%d %H:%M:%S", "-b", "hex", path, t)
		cmd.Stdout, cmd.Stderr = f, &stderr
		err = cmd.Run()
		f.Close()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: mdbtools could not export the table %q (%s). Open the database in Access and export that table as CSV instead: %w",
				name, t, mdbStderr(err, stderr.String()), ErrUnsupported)
		}
		wrap := mdbSink{sink: sink, file: name, table: t}
		copts := Options{Table: t, Delimiter: ",", Header: "yes", SkipLines: -1, Encoding: "utf-8"}
		if err := (csvImporter{}).Import(ctx, csvPath, copts, wrap, nil); err != nil {
			if errors.Is(err, staging.ErrNothing) {
				continue // an empty table: mdb-export wrote nothing
			}
			return fmt.Errorf("%s, table %q: %w", name, t, err)
		}
		if progress != nil {
			progress(int64(i+1), int64(len(tables)), 0)
		}
	}
	return nil
}

func mdbStderr(err error, stderr string) string {
	if s := strings.TrimSpace(stderr); s != "" {
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		return s
	}
	return err.Error()
}

// mdbSink records that the CSV came from an Access table.
type mdbSink struct {
	sink        staging.Sink
	file, table string
}

func (m mdbSink) Table(ctx context.Context, spec staging.TableSpec) (staging.TableWriter, error) {
	spec.Name = m.table
	spec.Source.FileName = m.file
	spec.Source.Format = "mdb"
	if spec.Source.Options == nil {
		spec.Source.Options = map[string]string{}
	}
	spec.Source.Options["table"] = m.table
	spec.Source.Options["mdbtools"] = "mdb-export"
	spec.Source.Options["blob_encoding"] = "hex"
	w, err := m.sink.Table(ctx, spec)
	if err != nil {
		return nil, err
	}
	return mdbWriter{w, m.file, m.table}, nil
}

// mdbWriter names the Access file and table in issues instead of the temporary CSV.
type mdbWriter struct {
	staging.TableWriter
	file, table string
}

func (w mdbWriter) Issue(is staging.Issue) {
	is.File = w.file
	is.Sheet = w.table
	w.TableWriter.Issue(is)
}
