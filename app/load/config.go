package load

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
)

// ConfigFormat names the JSON format of a destination's configuration.
const ConfigFormat = "ferry-destination/1"

// Destination kinds.
const (
	KindFiles = "files" // CSV or XLSX import files laid out as the target's template (app/load/files)
	KindREST  = "rest"  // a REST API (PocketBase, a vendor's API …)
	KindFHIR  = "fhir"  // a FHIR R4 server
)

// Auth types.
const (
	AuthNone   = ""
	AuthBearer = "bearer"  // Authorization: Bearer SECRET
	AuthAPIKey = "api_key" // HEADER: SECRET
	AuthBasic  = "basic"   // Authorization: Basic base64(User:SECRET)
)

// KeyringService is the OS keyring service Ferry keeps destination secrets under.
const KeyringService = "Ferry"

// Sentinels; each is wrapped with the destination's name.
var (
	ErrNoDestination = errors.New("no such destination")
	ErrBadConfig     = errors.New("the destination's configuration is not usable")
	ErrNoSecret      = errors.New("no password or token was given for the destination")
	ErrNoRun         = errors.New("no load run to continue")
)

// Destination is one configured place data goes to.
type Destination struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Role      string `json:"role"` // live or sandbox
	Version   int    `json:"version"`
	Config    Config `json:"config"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// Config is a destination's configuration (format ferry-destination/1). It holds no secret:
// Auth.Keyring names the keyring entry that does. Unknown members are errors.
type Config struct {
	Format string `json:"format"`
	Kind   string `json:"kind"`
	// URL is the base URL of a rest or fhir destination (no user or password in it).
	URL  string `json:"url,omitempty"`
	Auth Auth   `json:"auth,omitzero"`
	// RateLimit is the most requests per second Ferry sends (0: no limit); Burst how many may
	// go at once after a quiet spell (default 1).
	RateLimit float64 `json:"rate_limit,omitempty"`
	Burst     int     `json:"burst,omitempty"`
	// Concurrency is how many requests may be in flight at once (default 4).
	Concurrency int `json:"concurrency,omitempty"`
	// TimeoutSeconds bounds one request (default 30).
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
	// MaxAttempts is how many times a record is tried before it is 'failed' (default 6).
	MaxAttempts int `json:"max_attempts,omitempty"`
	// RetryWaitMS and RetryMaxWaitMS bound the exponential backoff (defaults 500 and 30000).
	RetryWaitMS    int `json:"retry_wait_ms,omitempty"`
	RetryMaxWaitMS int `json:"retry_max_wait_ms,omitempty"`
	// CircuitFailures: this many failed attempts in a row (5xx, timeouts, dropped connections;
	// not 429) pause the run (default 20).
	CircuitFailures int `json:"circuit_failures,omitempty"`
	// LegacyKeyField is the body field that carries the legacy key (rest; default "legacy_key").
	LegacyKeyField string `json:"legacy_key_field,omitempty"`
	// Entities configures each entity of a rest destination, by the target's entity name.
	Entities map[string]*EntityConfig `json:"entities,omitempty"`
	// IdentifierSystem is the identifier system URI legacy keys get on a fhir destination
	// (default "urn:ferry:legacy:ENTITY"; "{entity}" in it is replaced by the entity's name).
	IdentifierSystem string `json:"identifier_system,omitempty"`
	// Currency of money fields on a fhir destination (default "USD").
	Currency string `json:"currency,omitempty"`
	// Files configures a files destination: the app/load/files Config as JSON
	// ({"dir": …, "format": "csv"|"xlsx", "chunk_rows": N, …}).
	Files json.RawMessage `json:"files,omitempty"`
}

// Auth says how to authenticate; the secret itself is in the keyring or asked for.
type Auth struct {
	Type    string `json:"type,omitempty"`    // "", bearer, api_key, basic
	Header  string `json:"header,omitempty"`  // api_key: the header's name (default X-API-Key)
	User    string `json:"user,omitempty"`    // basic: the user name
	Keyring string `json:"keyring,omitempty"` // the keyring entry (service "Ferry") holding the secret
}

// EntityConfig is how one entity goes to a rest destination.
type EntityConfig struct {
	// Endpoint is the path (or URL) records are created at, e.g. /api/collections/patient/records.
	Endpoint string `json:"endpoint"`
	// Method defaults to POST.
	Method string `json:"method,omitempty"`
	// Body is a JSON template; a string "{{field}}" is replaced by the field's value (a
	// reference field's value is the new system's id), "{{legacy_key}}" by the legacy key, and
	// placeholders inside longer strings are interpolated. Empty: a flat object with each
	// mapped field under its name (non-letters and digits become "_": name.family →
	// name_family, or as Fields renames it) plus LegacyKeyField.
	Body json.RawMessage `json:"body,omitempty"`
	// Fields renames fields of the flat body: mapped field name → body field name ("" drops it).
	Fields map[string]string `json:"fields,omitempty"`
	// IDPath is where the new id is in the create response (dotted, default "id").
	IDPath string `json:"id_path,omitempty"`
	// Find is the path (with query) that finds a record by its legacy key, "{key}" replaced by
	// the key (quotes escaped, URL-encoded), e.g.
	// /api/collections/patient/records?filter=(legacy_key='{key}'); FindIDPath is where the id
	// is in its answer (default "items.0.id"). Without Find a record whose outcome is unknown
	// is not sent again but reported 'failed' for a person to check.
	Find       string `json:"find,omitempty"`
	FindIDPath string `json:"find_id_path,omitempty"`
	// Delete is the path that deletes a record, "{id}" replaced by its new id (rollback, sample cleanup).
	Delete string `json:"delete,omitempty"`
}

// Defaults fills what was left out.
func (c *Config) defaults() {
	if c.Format == "" {
		c.Format = ConfigFormat
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.TimeoutSeconds <= 0 {
		c.TimeoutSeconds = 30
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 6
	}
	if c.RetryWaitMS <= 0 {
		c.RetryWaitMS = 500
	}
	if c.RetryMaxWaitMS <= 0 {
		c.RetryMaxWaitMS = 30000
	}
	if c.CircuitFailures <= 0 {
		c.CircuitFailures = 20
	}
	if c.LegacyKeyField == "" {
		c.LegacyKeyField = "legacy_key"
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}
	if c.Auth.Type == AuthAPIKey && c.Auth.Header == "" {
		c.Auth.Header = "X-API-Key"
	}
}

var secretWords = regexp.MustCompile(`(?i)"(token|password|passwd|secret|api_?key|bearer)"\s*:`)

// ParseConfig reads a configuration strictly: unknown members (a "token" or "password" pasted
// in, for instance) are errors, so a secret cannot slip into the project file.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		if m := secretWords.FindSubmatch(b); m != nil {
			return c, fmt.Errorf("%w: it holds %q; secrets go in the keyring (auth.keyring names the entry) or are asked for when the load runs", ErrBadConfig, m[1])
		}
		return c, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if c.Format != "" && c.Format != ConfigFormat {
		return c, fmt.Errorf("%w: format %q, this Ferry reads %s", ErrBadConfig, c.Format, ConfigFormat)
	}
	return c, nil
}

// Validate checks that the configuration can be used, in words a person can act on.
func (c Config) Validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("%w: "+f, append([]any{ErrBadConfig}, a...)...) }
	switch c.Kind {
	case KindREST, KindFHIR:
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("the URL %q is not an http:// or https:// address", c.URL)
		}
		if u.User != nil {
			return bad("the URL has a user name or password in it; put the password in the keyring instead")
		}
	case KindFiles:
		var fc struct {
			Dir    string `json:"dir"`
			Format string `json:"format"`
		}
		if len(c.Files) > 0 {
			if err := json.Unmarshal(c.Files, &fc); err != nil {
				return bad("files: %v", err)
			}
		}
		if fc.Dir == "" {
			return bad("a files destination needs a folder (files.dir)")
		}
		if f := fc.Format; f != "" && f != "csv" && f != "xlsx" {
			return bad("files.format %q: choose csv or xlsx", f)
		}
	default:
		return bad("kind %q: choose files, rest or fhir", c.Kind)
	}
	switch c.Auth.Type {
	case AuthNone, AuthBearer, AuthAPIKey:
	case AuthBasic:
		if c.Auth.User == "" {
			return bad("basic authentication needs a user name (auth.user)")
		}
	default:
		return bad("auth.type %q: choose bearer, api_key or basic", c.Auth.Type)
	}
	if c.RateLimit < 0 || c.Concurrency < 0 || c.MaxAttempts < 0 {
		return bad("rate_limit, concurrency and max_attempts cannot be negative")
	}
	if c.Kind == KindREST {
		for name, e := range c.Entities {
			if e == nil || e.Endpoint == "" {
				return bad("entity %s has no endpoint", name)
			}
			if len(e.Body) > 0 && !json.Valid(e.Body) {
				return bad("entity %s: the body template is not valid JSON", name)
			}
		}
	}
	return nil
}

// NeedsSecret says whether the destination authenticates with a secret.
func (c Config) NeedsSecret() bool { return c.Auth.Type != AuthNone }

func nowText() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// SaveDestination adds a destination or replaces the one with the same name (its version is
// bumped), in one transaction with its custody event.
func SaveDestination(ctx context.Context, p *project.Project, d Destination) (Destination, error) {
	d.Config.Kind = d.Kind
	if d.Kind == "" {
		d.Kind = d.Config.Kind
	}
	d.Config.Format = ConfigFormat
	if d.Role == "" {
		d.Role = "live"
	}
	if strings.TrimSpace(d.Name) == "" {
		return d, fmt.Errorf("%w: a destination needs a name", ErrBadConfig)
	}
	if err := d.Config.Validate(); err != nil {
		return d, fmt.Errorf("destination %s: %w", d.Name, err)
	}
	cfg, err := json.Marshal(d.Config)
	if err != nil {
		return d, err
	}
	now := nowText()
	err = p.Write(ctx, func(tx *sql.Tx) error {
		var id int64
		var version int
		err := tx.QueryRowContext(ctx, `SELECT id, version FROM ferry_destinations WHERE name = ?`, d.Name).Scan(&id, &version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO ferry_destinations(name, kind, role, config, version, created_at, updated_at)
				VALUES (?,?,?,?,1,?,?)`, d.Name, d.Kind, d.Role, string(cfg), now, now)
			if err != nil {
				return err
			}
			d.ID, _ = res.LastInsertId()
			d.Version, d.CreatedAt = 1, now
		case err != nil:
			return err
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE ferry_destinations SET kind = ?, role = ?, config = ?, version = version + 1,
				updated_at = ? WHERE id = ?`, d.Kind, d.Role, string(cfg), now, id); err != nil {
				return err
			}
			d.ID, d.Version = id, version+1
		}
		d.UpdatedAt = now
		return p.Log(ctx, tx, "destination.save", map[string]any{"name": d.Name, "kind": d.Kind, "role": d.Role,
			"version": d.Version, "config": json.RawMessage(cfg)}, nil)
	})
	if err != nil {
		return d, fmt.Errorf("saving destination %s: %w", d.Name, err)
	}
	return d, nil
}

// DeleteDestination removes a destination that no run has used.
func DeleteDestination(ctx context.Context, p *project.Project, name string) error {
	d, err := GetDestination(ctx, p, name)
	if err != nil {
		return err
	}
	return p.Write(ctx, func(tx *sql.Tx) error {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_load_runs WHERE destination_id = ?`, d.ID).Scan(&n)
		if n > 0 {
			return fmt.Errorf("destination %s has %d load runs: it is kept so that their records still say where they went", d.Name, n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_destinations WHERE id = ?`, d.ID); err != nil {
			return err
		}
		return p.Log(ctx, tx, "destination.delete", map[string]any{"name": d.Name, "version": d.Version}, nil)
	})
}

const destCols = `id, name, kind, role, version, config, created_at, updated_at`

func scanDest(sc interface{ Scan(...any) error }) (Destination, error) {
	var d Destination
	var cfg string
	if err := sc.Scan(&d.ID, &d.Name, &d.Kind, &d.Role, &d.Version, &cfg, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return d, err
	}
	c, err := ParseConfig([]byte(cfg))
	if err != nil {
		return d, fmt.Errorf("destination %s: %w", d.Name, err)
	}
	c.Kind = d.Kind
	d.Config = c
	return d, nil
}

// Destinations lists the project's destinations by name.
func Destinations(ctx context.Context, p *project.Project) ([]Destination, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT `+destCols+` FROM ferry_destinations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("reading destinations: %w", err)
	}
	defer rows.Close()
	var out []Destination
	for rows.Next() {
		d, err := scanDest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// GetDestination returns the named destination (names are case-insensitive).
func GetDestination(ctx context.Context, p *project.Project, name string) (Destination, error) {
	d, err := scanDest(p.Reader().QueryRowContext(ctx, `SELECT `+destCols+` FROM ferry_destinations WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%q: %w", name, ErrNoDestination)
	}
	return d, err
}

// exported is the file format of an exported destination.
type exported struct {
	Format string `json:"format"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Role   string `json:"role"`
	Config Config `json:"config"`
}

// ExportDestination writes the destination as JSON to reuse in another project. There is no
// secret in it to leave out: the configuration only names the keyring entry.
func ExportDestination(ctx context.Context, p *project.Project, name string) ([]byte, error) {
	d, err := GetDestination(ctx, p, name)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(exported{Format: ConfigFormat, Name: d.Name, Kind: d.Kind, Role: d.Role, Config: d.Config}, "", "  ")
}

// ImportDestination reads an exported destination (or a bare configuration with "name") and
// saves it, replacing one of the same name.
func ImportDestination(ctx context.Context, p *project.Project, r io.Reader) (Destination, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return Destination{}, err
	}
	var raw struct {
		Format string          `json:"format"`
		Name   string          `json:"name"`
		Kind   string          `json:"kind"`
		Role   string          `json:"role"`
		Config json.RawMessage `json:"config"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		if m := secretWords.FindSubmatch(b); m != nil {
			return Destination{}, fmt.Errorf("%w: the file holds %q; secrets go in the keyring, not in a destination file", ErrBadConfig, m[1])
		}
		return Destination{}, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if raw.Format != ConfigFormat {
		return Destination{}, fmt.Errorf("%w: format %q, this Ferry reads %s", ErrBadConfig, raw.Format, ConfigFormat)
	}
	c, err := ParseConfig(raw.Config)
	if err != nil {
		return Destination{}, err
	}
	if raw.Kind == "" {
		raw.Kind = c.Kind
	}
	return SaveDestination(ctx, p, Destination{Name: raw.Name, Kind: raw.Kind, Role: raw.Role, Config: c})
}

// ConnectionResult is what testing a destination found.
type ConnectionResult struct {
	OK      bool          `json:"ok"`
	Status  int           `json:"status,omitempty"`
	Message string        `json:"message"`
	Elapsed time.Duration `json:"elapsed"`
}

// TestConnection checks that the destination can be reached and accepts the credentials: a
// FHIR server's /metadata, a REST destination's find request (or its base URL), a files
// destination's folder.
func TestConnection(ctx context.Context, d Destination, secret string) ConnectionResult {
	start := time.Now()
	cfg := d.Config
	cfg.Kind = d.Kind
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return ConnectionResult{Message: err.Error()}
	}
	if cfg.Kind == KindFiles {
		return filesCheck(cfg)
	}
	c := newClient(cfg, secret)
	path := "/"
	if cfg.Kind == KindFHIR {
		path = "/metadata"
	} else {
		names := make([]string, 0, len(cfg.Entities))
		for n := range cfg.Entities {
			names = append(names, n)
		}
		sort.Strings(names)
		pr := &restProtocol{cfg: cfg}
		for _, n := range names {
			if p := pr.findPath(&mapping.FeedEntity{Name: n}, "ferry-connection-test"); p != "" {
				path = p
				break
			}
		}
	}
	a := c.do(ctx, "GET", path, nil, nil)
	res := ConnectionResult{Status: a.Status, Elapsed: time.Since(start)}
	switch {
	case a.Err != nil:
		res.Message = networkMessage(a.Err)
	case a.Status == 401 || a.Status == 403:
		res.Message = "the server answered but did not accept the credentials: " + a.message()
	case a.Status >= 200 && a.Status < 300, path == "/" && a.Status < 500:
		res.OK = true
		res.Message = fmt.Sprintf("connected to %s (HTTP %d in %s)", cfg.URL, a.Status, res.Elapsed.Round(time.Millisecond))
	default:
		res.Message = a.message()
	}
	return res
}

func filesCheck(cfg Config) ConnectionResult {
	var fc struct {
		Dir string `json:"dir"`
	}
	json.Unmarshal(cfg.Files, &fc)
	if err := os.MkdirAll(fc.Dir, 0o755); err != nil {
		return ConnectionResult{Message: "the folder cannot be made: " + err.Error()}
	}
	f, err := os.CreateTemp(fc.Dir, ".ferry-test-*")
	if err != nil {
		return ConnectionResult{Message: "the folder cannot be written: " + err.Error()}
	}
	f.Close()
	os.Remove(f.Name())
	return ConnectionResult{OK: true, Message: "the folder " + fc.Dir + " can be written"}
}
