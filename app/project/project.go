// Package project opens, creates and copies .ferry project files: one SQLite file holding every
// staged table, finding, operation, mapping, run and the custody log. One read-write connection
// does all writing (WAL, busy timeout, immediate transactions); a small read-only pool serves grids
// and reports while the writer works.
package project

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/ferry-migrate/ferry/app/custody"
)

// AppID is written to SQLite's application_id header field ("FRRY") so that a Ferry project can be
// told from any other SQLite file by its first 100 bytes, before anything is opened.
const AppID = 0x46525259

// Ext is the project file extension.
const Ext = ".ferry"

// Version of this build; set by the linker in release builds.
var Version = "0.1.0-dev"

// Options controls how a project is opened.
type Options struct {
	// ReadOnly opens for viewing: no lock is taken, nothing can be changed.
	ReadOnly bool
	// Actor is the person custody events are attributed to; empty means the OS user name.
	Actor string
}

// Project is an open .ferry file.
type Project struct {
	Path     string
	ID       string
	readOnly bool

	w    *sql.DB // exactly one connection: the only writer
	r    *sql.DB // read-only pool
	lock *flock.Flock

	mu  sync.Mutex
	who custody.Who
}

// Create makes a new, empty project at path. It fails with ErrExists if a file is already there.
// The file appears at path only once it is complete.
func Create(ctx context.Context, path string, opts Options) (*Project, error) {
	path = filepath.Clean(path)
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("creating %s: %w", path, ErrExists)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the folder for %s: %w", path, err)
		}
	}
	tmp := path + ".creating"
	os.Remove(tmp)
	db, err := sql.Open("sqlite", dsn(tmp, "journal_mode(DELETE)", false))
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	id := newID()
	who := whoFor(opts.Actor)
	err = func() error {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, AppID)); err != nil {
			return err
		}
		if _, _, err := migrate(ctx, db); err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		now := time.Now().UTC().Format(time.RFC3339)
		for k, v := range map[string]string{"project_id": id, "created_at": now, "created_by": who.Actor,
			"created_with": "Ferry " + Version} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_meta(key, value) VALUES (?, ?)`, k, v); err != nil {
				return err
			}
		}
		if _, err := custody.Append(ctx, tx, id, who, "project.create", map[string]any{
			"file": filepath.Base(path), "schema": SchemaVersion, "ferry": Version}, nil); err != nil {
			return err
		}
		return tx.Commit()
	}()
	db.Close()
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("creating %s: %w", path, diskFull(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return open(ctx, path, opts, false)
}

// Open opens an existing project. The file is checked by its header before SQLite touches it, so a
// file that is not a project, or is from a newer Ferry, is left exactly as it was.
func Open(ctx context.Context, path string, opts Options) (*Project, error) {
	return open(ctx, filepath.Clean(path), opts, true)
}

func open(ctx context.Context, path string, opts Options, logOpen bool) (*Project, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	p := &Project{Path: path, readOnly: opts.ReadOnly, who: whoFor(opts.Actor)}
	if err := quickCheck(ctx, path); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
				return nil, fmt.Errorf("opening %s: the file cannot be written (%v): %w", path, err, ErrReadOnly)
			}
			return nil, fmt.Errorf("opening %s: %w", path, err)
		} else {
			f.Close()
		}
		p.lock = flock.New(lockPath(path))
		ok, err := p.lock.TryLock()
		if err != nil {
			return nil, fmt.Errorf("opening %s: cannot take the project lock %s: %w", path, lockPath(path), err)
		}
		if !ok {
			holder, _ := os.ReadFile(lockPath(path))
			return nil, fmt.Errorf("opening %s (%s): %w", path, strings.TrimSpace(string(holder)), ErrLocked)
		}
		host, _ := os.Hostname()
		_ = os.WriteFile(lockPath(path), []byte(fmt.Sprintf("%s on %s, pid %d, since %s",
			p.who.Actor, host, os.Getpid(), time.Now().Format("2 Jan 15:04"))), 0o644)
	}
	fail := func(err error) (*Project, error) {
		p.Close()
		return nil, err
	}
	var err error
	if !opts.ReadOnly {
		// Hook (issue 13): WAL on a local disk, a rollback journal on network shares and in synced
		// folders, where WAL is unsafe. See fsinfo.go; Project.StorageWarning says why to the person.
		p.w, err = sql.Open("sqlite", dsn(path, journalMode(path), false))
		if err != nil {
			return fail(fmt.Errorf("opening %s: %w", path, err))
		}
		p.w.SetMaxOpenConns(1)
		p.w.SetConnMaxIdleTime(0)
		p.w.SetConnMaxLifetime(0)
		if _, _, err := migrate(ctx, p.w); err != nil {
			return fail(classify(path, err))
		}
	}
	rdsn := dsn(path, "", true)
	if opts.ReadOnly && !writable(path) && !exists(path+"-wal") {
		// a read-only file or disk: SQLite cannot make the -shm file WAL needs, and nobody can
		// be changing the file, so it is read as it is
		rdsn += "&immutable=1"
	}
	p.r, err = sql.Open("sqlite", rdsn)
	if err != nil {
		return fail(fmt.Errorf("opening %s: %w", path, err))
	}
	p.r.SetMaxOpenConns(4)
	if opts.ReadOnly {
		var v int
		if err := p.r.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return fail(classify(path, err))
		}
		if v > SchemaVersion {
			return fail(fmt.Errorf("opening %s: %w", path, ErrNewerVersion))
		}
	}
	if err := p.r.QueryRowContext(ctx, `SELECT value FROM ferry_meta WHERE key = 'project_id'`).Scan(&p.ID); err != nil {
		return fail(classify(path, err))
	}
	if logOpen && !opts.ReadOnly {
		if err := p.Do(ctx, "project.open", map[string]any{"file": filepath.Base(path), "ferry": Version}, nil, nil); err != nil {
			return fail(classify(path, err))
		}
	}
	return p, nil
}

// quickCheckMax is the largest file checked with SQLite's quick_check before it is opened for
// changes (about 0.4 s per 64 MB here); a larger file is checked by SQLite page by page as it
// is read, which also refuses to change a damaged page.
const quickCheckMax = 512 << 20

// quickCheck runs PRAGMA quick_check through a read-only connection before anything can write,
// so that a damaged file is reported and left exactly as it is instead of being written into.
func quickCheck(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err != nil || st.Size() > quickCheckMax {
		return nil
	}
	src := dsn(path, "", true)
	if walHeader(path) && !exists(path+"-wal") {
		// a WAL file with no -wal beside it is open nowhere (a writer keeps its -wal while open):
		// read it as it is, leaving no -wal or -shm behind. A rollback-journal file (network
		// drives, synced folders) is read with SQLite's locks, as another Ferry may be writing it.
		src += "&immutable=1"
	}
	db, err := sql.Open("sqlite", src)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&res); err != nil {
		return classify(path, err)
	}
	if res != "ok" {
		return fmt.Errorf("opening %s: SQLite's check found %s: %w", path, strings.ReplaceAll(strings.TrimSpace(res), "\n", " "), ErrDamaged)
	}
	return nil
}

// walHeader reports whether the file's header says WAL (read and write versions 2).
func walHeader(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [20]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return false
	}
	return h[18] == 2 && h[19] == 2
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writable reports whether this process may write the file (not on a read-only disk, not a
// read-only file).
func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// checkHeader reads the first 100 bytes: SQLite's magic, application_id and user_version.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("opening %s: %w", path, ErrNotFound)
		}
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("opening %s: it is a folder: %w", path, ErrNotFerry)
	}
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	const magic = "SQLite format 3\x00"
	if n >= len(magic) && string(h[:len(magic)]) == magic && n < 100 {
		return fmt.Errorf("opening %s: the file is cut short (%d bytes): %w", path, n, ErrDamaged)
	}
	if err != nil || string(h[:len(magic)]) != magic {
		return fmt.Errorf("opening %s: %w", path, ErrNotFerry)
	}
	if binary.BigEndian.Uint32(h[68:72]) != AppID {
		return fmt.Errorf("opening %s: it is a SQLite database but not one Ferry made: %w", path, ErrNotFerry)
	}
	if v := int(binary.BigEndian.Uint32(h[60:64])); v > SchemaVersion {
		return fmt.Errorf("opening %s: schema %d, this Ferry knows up to %d: %w", path, v, SchemaVersion, ErrNewerVersion)
	}
	return nil
}

// classify maps driver errors to the package's sentinels.
func classify(path string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNewerVersion) || errors.Is(err, ErrNotFerry) || errors.Is(err, ErrDamaged) {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "malformed") || strings.Contains(msg, "not a database") ||
		strings.Contains(msg, "SQLITE_CORRUPT") || strings.Contains(msg, "SQLITE_NOTADB") || strings.Contains(msg, "disk image") {
		return fmt.Errorf("opening %s: %v: %w", path, err, ErrDamaged)
	}
	if strings.Contains(msg, "no such table: ferry_meta") {
		return fmt.Errorf("opening %s: %w", path, ErrNotFerry)
	}
	if isDiskFull(err) {
		return fmt.Errorf("opening %s: %v: %w", path, err, ErrDiskFull)
	}
	if strings.Contains(msg, "readonly") || strings.Contains(msg, "READONLY") {
		return fmt.Errorf("opening %s: %v: %w", path, err, ErrReadOnly)
	}
	return fmt.Errorf("opening %s: %w", path, err)
}

func lockPath(path string) string { return path + ".lock" }

// dsn builds a modernc.org/sqlite URI. Paths are escaped so that spaces, '#' and '?' survive.
func dsn(path, journal string, readOnly bool) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // Windows drive letters: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: abs}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", journal)
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func whoFor(actor string) custody.Who {
	host, _ := os.Hostname()
	if actor == "" {
		if u, err := user.Current(); err == nil {
			actor = u.Username
			if u.Name != "" {
				actor = u.Name
			}
		}
	}
	if actor == "" {
		actor = "unknown"
	}
	return custody.Who{Actor: actor, Machine: host}
}

// ReadOnly reports whether the project was opened for viewing only.
func (p *Project) ReadOnly() bool { return p.readOnly }

// Name is the file name without folder and extension, as shown in title bars.
func (p *Project) Name() string { return strings.TrimSuffix(filepath.Base(p.Path), Ext) }

// Reader is the read-only pool: use it for grids, profiles and reports.
func (p *Project) Reader() *sql.DB { return p.r }

// Writer is the single read-write connection; nil when read-only. Prefer Write or Do.
func (p *Project) Writer() *sql.DB { return p.w }

// Who is whom new events are attributed to.
func (p *Project) Who() custody.Who {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.who
}

// SetActor changes the person events are attributed to (the user's name from Plan or preferences).
func (p *Project) SetActor(name string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return
	}
	p.mu.Lock()
	p.who.Actor = name
	p.mu.Unlock()
}

// Write runs fn in one immediate transaction on the writer.
func (p *Project) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if p.readOnly || p.w == nil {
		return ErrReadOnly
	}
	tx, err := p.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a change to %s: %w", p.Name(), err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return diskFull(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("saving a change to %s: %w", p.Name(), diskFull(err))
	}
	return nil
}

// Log appends a custody event inside tx.
func (p *Project) Log(ctx context.Context, tx *sql.Tx, action string, params any, inputs map[string]string) error {
	_, err := custody.Append(ctx, tx, p.ID, p.Who(), action, params, inputs)
	return err
}

// Do runs fn and logs the action in the same transaction: either both happen or neither.
// fn may be nil for events that change nothing else.
func (p *Project) Do(ctx context.Context, action string, params any, inputs map[string]string, fn func(tx *sql.Tx) error) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		if fn != nil {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return p.Log(ctx, tx, action, params, inputs)
	})
}

// Meta reads a value from ferry_meta ("" if absent).
func (p *Project) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := p.r.QueryRowContext(ctx, `SELECT value FROM ferry_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// Verify checks the custody chain.
func (p *Project) Verify(ctx context.Context) (custody.Report, error) {
	return custody.Verify(ctx, p.r, p.ID)
}

// SaveAs writes a consistent copy of the project to dest (VACUUM INTO a temporary file, then an
// atomic rename) and switches this Project to the copy. The original stays as it was.
func (p *Project) SaveAs(ctx context.Context, dest string) error {
	if p.readOnly {
		return ErrReadOnly
	}
	dest = filepath.Clean(dest)
	if same(dest, p.Path) {
		return nil
	}
	tmp := dest + ".saving"
	os.Remove(tmp)
	if err := p.Do(ctx, "project.save_as", map[string]any{"from": filepath.Base(p.Path), "to": filepath.Base(dest)}, nil, nil); err != nil {
		return err
	}
	if _, err := p.w.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving a copy as %s: %w", dest, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving a copy as %s: %w", dest, err)
	}
	opts := Options{Actor: p.Who().Actor}
	p.Close()
	np, err := open(ctx, dest, opts, false)
	if err != nil {
		return err
	}
	// the lock and the connections move to the new file
	p.Path, p.ID, p.w, p.r, p.lock = np.Path, np.ID, np.w, np.r, np.lock
	return nil
}

func same(a, b string) bool {
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}

// Close checkpoints the WAL into the main file and releases the lock.
func (p *Project) Close() error {
	var first error
	// Readers close first so that the writer is the last connection and SQLite can fold the WAL
	// back into the file and remove it.
	// The closed *sql.DB values stay: late callers get "database is closed", not a nil pointer.
	if p.r != nil {
		first = p.r.Close()
	}
	if p.w != nil {
		_, _ = p.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		if err := p.w.Close(); err != nil && first == nil {
			first = err
		}
	}
	if p.lock != nil {
		// The lock file itself stays: deleting it would let two processes lock different inodes.
		_ = os.Truncate(lockPath(p.Path), 0)
		_ = p.lock.Unlock()
		p.lock = nil
	}
	return first
}
