package files

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// tempPrefix starts the name of every file Write has not finished; a crash's leftovers carry
// it, and the next Write in the folder removes them.
const tempPrefix = ".ferry-partial-"

// progressEvery is how many records pass between progress calls.
const progressEvery = 1000

// KindFileLimit is the CellError kind of a value the chosen file format cannot hold.
const KindFileLimit = "file_limit"

// manifestHeader is manifest.csv's header row.
var manifestHeader = []string{"entity", "legacy_key", "source_row", "source_line", "status", "file", "file_row", "note"}

// Statuses in manifest.csv.
const (
	StatusWritten = "written"
	StatusInvalid = "invalid"
	StatusSkipped = "skipped"
)

// Write writes every record of feed's entities, in the feed's dependency order, as import files
// in cfg.Dir (created if missing), with manifest.csv and manifest.json beside them; see the
// package comment for the layout. only, when not nil, chooses the records to write (the others
// are "skipped" in the manifest). progress, when not nil, is called about every 1000 records of
// an entity with the records read so far and the entity's total. placed, when not nil, is
// called for every written record once all files and manifests are in place, in manifest
// order; an error from it ends Write with the files left in place. Cancelling ctx before the
// files are in place removes every file Write made and leaves Dir as it was. One Write at a
// time per folder.
func Write(ctx context.Context, feed *mapping.Feed, cfg Config, only func(entity, key string) bool,
	progress func(entity string, done, total int64), placed func(Placed) error) (Manifest, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Manifest{}, err
	}
	if feed == nil {
		return Manifest{}, errors.New("there is no mapped data to write (no feed)")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("creating the folder %s for the import files: %w", cfg.Dir, err)
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return Manifest{}, fmt.Errorf("opening the folder %s for the import files: %w", cfg.Dir, err)
	}
	defer root.Close()

	w := &writer{ctx: ctx, cfg: cfg, root: root, feed: feed, only: only, progress: progress, names: newNamer()}
	defer w.removeTemps()
	w.removeLeftovers()
	old := w.oldFiles()

	w.m = Manifest{Format: ManifestFormat, Target: feed.Def.Name, TargetVersion: feed.TargetVersion,
		MapRevision: feed.MapRevision, Config: cfg, Entities: []EntityInfo{}, Files: []FileInfo{},
		ManifestPath: filepath.Join(cfg.Dir, ManifestCSV), JSONPath: filepath.Join(cfg.Dir, ManifestJSON)}
	if w.m.Target == "" {
		w.m.Target = feed.Target.Name
	}
	mf, mtmp, err := w.create(ManifestCSV)
	if err != nil {
		return Manifest{}, err
	}
	if w.man, err = newCSVChunk(mf, Config{Delimiter: ",", LineEnding: "crlf"}, manifestHeader); err != nil {
		return Manifest{}, fmt.Errorf("writing %s: %w", ManifestCSV, err)
	}
	for i := range feed.Entities {
		if err := w.entity(&feed.Entities[i]); err != nil {
			if w.cur != nil {
				w.cur.abort()
			}
			w.man.abort()
			return Manifest{}, err
		}
	}
	if _, _, err := w.man.finish(); err != nil {
		return Manifest{}, fmt.Errorf("writing %s: %w", ManifestCSV, err)
	}
	if err := ctx.Err(); err != nil {
		return Manifest{}, err
	}
	w.m.WrittenAt = time.Now().UTC().Format(time.RFC3339)
	if err := w.commit(mtmp, old); err != nil {
		return w.m, err
	}
	if placed != nil {
		if err := w.replay(placed); err != nil {
			return w.m, err
		}
	}
	return w.m, nil
}

// writer is the state of one Write.
type writer struct {
	ctx      context.Context
	cfg      Config
	root     *os.Root
	feed     *mapping.Feed
	only     func(entity, key string) bool
	progress func(entity string, done, total int64)
	names    *namer
	m        Manifest
	man      *csvChunk
	temps    []string    // temporary names still to remove if Write fails
	renames  [][2]string // temporary → final, data files in order
	cur      chunk
	mrow     []string
}

// create makes a new temporary file for final.
func (w *writer) create(final string) (*os.File, string, error) {
	var b [6]byte
	rand.Read(b[:])
	tmp := tempPrefix + hex.EncodeToString(b[:]) + "-" + final
	f, err := w.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("creating %s in %s: %w", final, w.cfg.Dir, err)
	}
	w.temps = append(w.temps, tmp)
	return f, tmp, nil
}

// removeTemps removes the temporary files of a Write that did not finish.
func (w *writer) removeTemps() {
	for _, t := range w.temps {
		w.root.Remove(t)
	}
}

// removeLeftovers removes what a crashed Write left in the folder.
func (w *writer) removeLeftovers() {
	d, err := w.root.Open(".")
	if err != nil {
		return
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	for _, n := range names {
		if strings.HasPrefix(n, tempPrefix) {
			w.root.Remove(n)
		}
	}
}

// oldFiles lists the data files of the previous Write into the folder, from its manifest.json.
func (w *writer) oldFiles() []string {
	b, err := w.root.ReadFile(ManifestJSON)
	if err != nil {
		return nil
	}
	var m Manifest
	if json.Unmarshal(b, &m) != nil || m.Format != ManifestFormat {
		return nil
	}
	var out []string
	for _, f := range m.Files {
		if f.File != "" && filepath.Base(f.File) == f.File && !strings.ContainsAny(f.File, `/\`) {
			out = append(out, f.File)
		}
	}
	return out
}

// header is the header row for fields, or nil when there is none.
func (w *writer) header(fields []target.Field) []string {
	mode := w.cfg.Header
	if mode == HeaderAuto {
		mode = HeaderName
		if strings.HasPrefix(w.feed.Target.Origin, "vendor:") {
			mode = HeaderLabel
		}
	}
	if mode == HeaderNone {
		return nil
	}
	h := make([]string, len(fields))
	for i, f := range fields {
		h[i] = f.Name
		if mode == HeaderLabel && strings.TrimSpace(f.Label) != "" {
			h[i] = f.Label
		}
	}
	return h
}

// entity writes one entity's files.
func (w *writer) entity(e *mapping.FeedEntity) error {
	cfg := w.cfg
	info := EntityInfo{Name: e.Name, Header: w.header(e.Fields), Files: []string{}}
	header := info.Header
	if header != nil && !cfg.KeepFormulas {
		header = make([]string, len(info.Header))
		for i, h := range info.Header {
			header[i], _ = neutralise(h)
		}
	}
	offset := 0
	if header != nil {
		offset = 1
	}
	limit := cfg.chunkRows()
	planned := 1
	if limit > 0 && e.Rows > int64(limit) {
		planned = int((e.Rows + int64(limit) - 1) / int64(limit))
	}
	stem := w.names.take(e.Name, planned, cfg.Format)
	sheet := sheetName(e.Name)
	var (
		name        string
		tmp         string
		rows, index int
	)
	open := func() error {
		index++
		n := planned
		if index > planned {
			n = max(planned, 2) // more records than the entity's count said: keep numbering
			name = chunkName(stem, index, n, cfg.Format)
			if w.names.used[strings.ToLower(name)] {
				return fmt.Errorf("%s: more records than expected and the next file name %s is taken", e.Name, name)
			}
			w.names.used[strings.ToLower(name)] = true
		} else {
			name = chunkName(stem, index, n, cfg.Format)
		}
		f, t, err := w.create(name)
		if err != nil {
			return err
		}
		tmp, rows = t, 0
		if cfg.Format == FormatXLSX {
			w.cur, err = newXLSXChunk(f, cfg, sheet, e.Fields, header)
		} else {
			w.cur, err = newCSVChunk(f, cfg, header)
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("starting %s: %w", name, err)
		}
		return nil
	}
	closeChunk := func() error {
		c := w.cur
		w.cur = nil
		size, sum, err := c.finish()
		if err != nil {
			return fmt.Errorf("writing %s in %s: %w", name, cfg.Dir, err)
		}
		w.m.Files = append(w.m.Files, FileInfo{Entity: e.Name, File: name, Rows: rows, Bytes: size, SHA256: sum})
		info.Files = append(info.Files, name)
		w.renames = append(w.renames, [2]string{tmp, name})
		return nil
	}

	var done int64
	report := func() {
		if w.progress != nil {
			w.progress(e.Name, done, max(e.Rows, done))
		}
	}
	report()
	cells := make([]string, len(e.Fields))
	changed := make([]string, 0, 4)
	err := w.feed.Scan(w.ctx, e.Name, nil, func(rec mapping.Record) error {
		done++
		info.Records++
		if done%progressEvery == 0 {
			report()
		}
		if done%256 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		if w.only != nil && !w.only(e.Name, rec.Key) {
			info.Skipped++
			return w.manifestRow(rec, StatusSkipped, "", 0, "")
		}
		if !rec.Valid() {
			return w.invalid(rec, e.Fields, &info)
		}
		changed = changed[:0]
		for i := range cells {
			v := ""
			if i < len(rec.Values) {
				v = rec.Values[i]
			}
			if cfg.Format == FormatXLSX {
				if msg := xlsxProblem(v); msg != "" {
					bad := rec
					bad.Errors = make([]*mapping.CellError, len(e.Fields))
					bad.Errors[i] = &mapping.CellError{Kind: KindFileLimit, Message: "the value " + msg}
					return w.invalid(bad, e.Fields, &info)
				}
			}
			if !cfg.KeepFormulas {
				var n bool
				if v, n = neutralise(v); n {
					changed = append(changed, e.Fields[i].Name)
				}
			}
			cells[i] = v
		}
		if w.cur == nil || (limit > 0 && rows == limit) {
			if w.cur != nil {
				if err := closeChunk(); err != nil {
					return err
				}
			}
			if err := open(); err != nil {
				return err
			}
		}
		if err := w.cur.row(cells); err != nil {
			return fmt.Errorf("writing %s in %s: %w", name, cfg.Dir, err)
		}
		rows++
		info.Written++
		note := ""
		if len(changed) > 0 {
			note = "apostrophe put before " + strings.Join(changed, ", ") + " so a spreadsheet does not run it as a formula"
		}
		return w.manifestRow(rec, StatusWritten, name, rows+offset, note)
	})
	if err != nil {
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		return fmt.Errorf("writing the import files for %s: %w", e.Name, err)
	}
	if w.cur == nil {
		if err := open(); err != nil {
			return err
		}
	}
	if err := closeChunk(); err != nil {
		return err
	}
	report()
	w.m.Entities = append(w.m.Entities, info)
	w.m.Written += info.Written
	w.m.Invalid += info.Invalid
	w.m.Skipped += info.Skipped
	return nil
}

// invalid lists a record that is not written and hands it to Config.Invalid.
func (w *writer) invalid(rec mapping.Record, fields []target.Field, info *EntityInfo) error {
	info.Invalid++
	if err := w.manifestRow(rec, StatusInvalid, "", 0, rec.Error(fields)); err != nil {
		return err
	}
	if w.cfg.Invalid != nil {
		return w.cfg.Invalid(rec)
	}
	return nil
}

func (w *writer) manifestRow(rec mapping.Record, status, file string, fileRow int, note string) error {
	fr := ""
	if file != "" {
		fr = strconv.Itoa(fileRow)
	}
	w.mrow = append(w.mrow[:0], rec.Entity, rec.Key, strconv.FormatInt(rec.Row, 10), strconv.FormatInt(rec.Line, 10), status, file, fr, note)
	if err := w.man.row(w.mrow); err != nil {
		return fmt.Errorf("writing %s: %w", ManifestCSV, err)
	}
	return nil
}

// commit puts the finished files in place: the old manifests go first (so no manifest ever
// describes files it does not match), then the data files, manifest.csv and manifest.json;
// last, files of the previous Write the new one did not replace.
func (w *writer) commit(manifestTmp string, old []string) error {
	for _, m := range []string{ManifestJSON, ManifestCSV} {
		if err := w.root.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return w.placeError(m, err)
		}
	}
	written := map[string]bool{}
	for _, r := range w.renames {
		if err := w.root.Rename(r[0], r[1]); err != nil {
			return w.placeError(r[1], err)
		}
		written[strings.ToLower(r[1])] = true
	}
	if err := w.root.Rename(manifestTmp, ManifestCSV); err != nil {
		return w.placeError(ManifestCSV, err)
	}
	b, err := json.MarshalIndent(w.m, "", "  ")
	if err != nil {
		return err
	}
	f, tmp, err := w.create(ManifestJSON)
	if err != nil {
		return err
	}
	s := newSink(f)
	if _, err := s.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", ManifestJSON, err)
	}
	if _, _, err := s.close(); err != nil {
		return fmt.Errorf("writing %s: %w", ManifestJSON, err)
	}
	if err := w.root.Rename(tmp, ManifestJSON); err != nil {
		return w.placeError(ManifestJSON, err)
	}
	w.temps = nil
	for _, o := range old {
		if !written[strings.ToLower(o)] {
			w.root.Remove(o)
		}
	}
	w.syncDir()
	return nil
}

func (w *writer) placeError(name string, err error) error {
	path := filepath.Join(w.cfg.Dir, name)
	return fmt.Errorf("putting %s in place: %w; the folder now has some new and some old files and no manifest, so run the load again", name, fsutil.Check(path, err))
}

// syncDir makes the renames durable where the system allows syncing a directory.
func (w *writer) syncDir() {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := w.root.Open("."); err == nil {
		d.Sync()
		d.Close()
	}
}

// replay calls placed for every written record, reading manifest.csv back.
func (w *writer) replay(placed func(Placed) error) error {
	f, err := w.root.Open(ManifestCSV)
	if err != nil {
		return fmt.Errorf("reading %s back: %w", ManifestCSV, err)
	}
	defer f.Close()
	recs, err := ReadManifestCSV(f)
	if err != nil {
		return err
	}
	for {
		r, err := recs()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Status != StatusWritten {
			continue
		}
		if err := placed(r.Placed); err != nil {
			return err
		}
	}
}

// Entry is one row of manifest.csv.
type Entry struct {
	Placed
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

// ReadManifestCSV reads manifest.csv one row at a time: next returns io.EOF after the last.
func ReadManifestCSV(r io.Reader) (next func() (Entry, error), err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(manifestHeader)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ManifestCSV, err)
	}
	if strings.Join(h, ",") != strings.Join(manifestHeader, ",") {
		return nil, fmt.Errorf("%s does not start with Ferry's header (%s)", ManifestCSV, strings.Join(manifestHeader, ","))
	}
	return func() (Entry, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return Entry{}, err
		}
		if err != nil {
			return Entry{}, fmt.Errorf("reading %s: %w", ManifestCSV, err)
		}
		e := Entry{Placed: Placed{Entity: rec[0], Key: rec[1], File: rec[5]}, Status: rec[4], Note: rec[7]}
		line, _ := cr.FieldPos(0)
		if e.Row, err = strconv.ParseInt(rec[2], 10, 64); err == nil {
			e.Line, err = strconv.ParseInt(rec[3], 10, 64)
		}
		if err == nil && rec[6] != "" {
			e.FileRow, err = strconv.Atoi(rec[6])
		}
		if err != nil {
			return Entry{}, fmt.Errorf("%s line %d: %w", ManifestCSV, line, err)
		}
		return e, nil
	}, nil
}
