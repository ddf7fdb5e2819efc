// Package checklist is the parallel run's checklist: groups of items, each with an owner, a due
// date, a status, notes, evidence kept inside the project file and who checked it when. It ships
// with templates per kind of practice, and says what still blocks go-live. Every status change,
// sign-off and attached file is recorded in the custody log.
package checklist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// Status of an item.
type Status string

const (
	Open          Status = "open"
	InProgress    Status = "in progress"
	Done          Status = "done"
	Blocked       Status = "blocked"
	NotApplicable Status = "not applicable"
)

// Statuses in the order they are offered.
var Statuses = []Status{Open, InProgress, Done, Blocked, NotApplicable}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Closed is true for done and not applicable: nothing more to do.
func (s Status) Closed() bool { return s == Done || s == NotApplicable }

// Kind of item: a task to do, or a sign-off a named person signs.
type Kind string

const (
	Task    Kind = "task"
	SignOff Kind = "signoff"
)

// Origin says where an item came from.
const (
	OriginTemplate   = "template"
	OriginUser       = "user"
	OriginComparison = "comparison"
)

// Areas a group can cover; templates must cover every one of RequiredAreas.
const (
	AreaWorkflow     = "workflow"
	AreaReports      = "reports"
	AreaIntegrations = "integrations"
	AreaShadow       = "shadow"
	AreaFreeze       = "freeze"
	AreaTraining     = "training"
	AreaCutover      = "cutover"
	AreaRollback     = "rollback"
	AreaSignOff      = "signoff"
	AreaComparison   = "comparison"
	AreaOther        = "other"
)

// RequiredAreas are what every parallel run must look at.
var RequiredAreas = []string{AreaWorkflow, AreaReports, AreaIntegrations, AreaShadow, AreaFreeze,
	AreaTraining, AreaCutover, AreaRollback, AreaSignOff}

// DefaultTimeBox is the length of a parallel run, in days, unless the practice sets another.
const DefaultTimeBox = 14

// Date formats of due dates: a day, or a day and an hour for cutover steps.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02 15:04"
)

// Errors a screen can name.
var (
	ErrNotFound      = errors.New("no such checklist item")
	ErrGroupNotEmpty = errors.New("the group still has items")
	ErrNotSignOff    = errors.New("only sign-off items can be signed")
	ErrTooLarge      = errors.New("the file is too large to keep in the project")
	ErrSignToClose   = errors.New("a sign-off is closed by signing it, with the signer's name")
)

// Evidence is a file attached to an item; its bytes stay in the project file.
type Evidence struct {
	ID      int64     `json:"id"`
	ItemID  int64     `json:"item_id"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Item is one thing to check.
type Item struct {
	ID          int64      `json:"id"`
	GroupID     int64      `json:"group_id"`
	Kind        Kind       `json:"kind"`
	TemplateKey string     `json:"template_key,omitempty"`
	Origin      string     `json:"origin"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Owner       string     `json:"owner"`
	Due         string     `json:"due"`
	Status      Status     `json:"status"`
	Required    bool       `json:"required"`
	Notes       string     `json:"notes,omitempty"`
	CheckedBy   string     `json:"checked_by,omitempty"`
	CheckedAt   time.Time  `json:"checked_at,omitzero"`
	SignedBy    string     `json:"signed_by,omitempty"`
	SignedAt    time.Time  `json:"signed_at,omitzero"`
	Evidence    []Evidence `json:"evidence,omitempty"`
}

// DueTime is the moment the item is due: the given hour, or the end of the given day. ok is
// false when there is no due date or it cannot be read.
func (it *Item) DueTime(loc *time.Location) (time.Time, bool) {
	return parseDue(it.Due, loc)
}

func parseDue(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.Local
	}
	if t, err := time.ParseInLocation(DateTimeLayout, s, loc); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation(DateLayout, s, loc); err == nil {
		return t.Add(24*time.Hour - time.Second), true
	}
	return time.Time{}, false
}

// ValidDue checks a due date as typed: empty, YYYY-MM-DD or YYYY-MM-DD HH:MM.
func ValidDue(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if _, ok := parseDue(s, time.UTC); !ok {
		return fmt.Errorf("%q is not a date: write YYYY-MM-DD, or YYYY-MM-DD HH:MM for a time of day", s)
	}
	return nil
}

// Group is a heading of the checklist with its items in order.
type Group struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Area        string  `json:"area"`
	Intro       string  `json:"intro,omitempty"`
	TemplateKey string  `json:"template_key,omitempty"`
	Items       []*Item `json:"items"`
}

// Settings of the parallel run.
type Settings struct {
	Start       string `json:"start"`         // YYYY-MM-DD, "" until the run starts
	TimeBoxDays int    `json:"time_box_days"` // how long the run should take
	Template    string `json:"template"`      // the template loaded ("" = none yet)
}

// Checklist is the whole checklist as stored.
type Checklist struct {
	Settings Settings `json:"settings"`
	Groups   []*Group `json:"groups"`
}

// Item finds an item by id.
func (c *Checklist) Item(id int64) *Item {
	for _, g := range c.Groups {
		for _, it := range g.Items {
			if it.ID == id {
				return it
			}
		}
	}
	return nil
}

// Group finds a group by id.
func (c *Checklist) Group(id int64) *Group {
	for _, g := range c.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// Loaded reports whether the checklist has anything in it yet.
func (c *Checklist) Loaded() bool { return len(c.Groups) > 0 || c.Settings.Template != "" }

// Load reads the checklist from the project (the read pool: fine while the writer works).
func Load(ctx context.Context, p *project.Project) (*Checklist, error) {
	return load(ctx, p.Reader())
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadTx(ctx context.Context, tx *sql.Tx) (*Checklist, error) { return load(ctx, tx) }

func load(ctx context.Context, db queryer) (*Checklist, error) {
	c := &Checklist{}
	var err error
	if c.Settings, err = loadSettings(ctx, db); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, name, area, intro, template_key FROM ferry_checklist_groups ORDER BY ord, id`)
	if err != nil {
		return nil, fmt.Errorf("reading the checklist: %w", err)
	}
	byID := map[int64]*Group{}
	for rows.Next() {
		g := &Group{}
		if err := rows.Scan(&g.ID, &g.Name, &g.Area, &g.Intro, &g.TemplateKey); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the checklist: %w", err)
		}
		c.Groups = append(c.Groups, g)
		byID[g.ID] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the checklist: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT id, group_id, kind, template_key, origin, title, description, owner, due,
		status, required, notes, checked_by, checked_at, signed_by, signed_at FROM ferry_checklist_items ORDER BY ord, id`)
	if err != nil {
		return nil, fmt.Errorf("reading the checklist items: %w", err)
	}
	items := map[int64]*Item{}
	for rows.Next() {
		it := &Item{}
		var checkedAt, signedAt string
		var req int
		if err := rows.Scan(&it.ID, &it.GroupID, &it.Kind, &it.TemplateKey, &it.Origin, &it.Title, &it.Description,
			&it.Owner, &it.Due, &it.Status, &req, &it.Notes, &it.CheckedBy, &checkedAt, &it.SignedBy, &signedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the checklist items: %w", err)
		}
		it.Required = req != 0
		it.CheckedAt, _ = time.Parse(time.RFC3339, checkedAt)
		it.SignedAt, _ = time.Parse(time.RFC3339, signedAt)
		if g := byID[it.GroupID]; g != nil {
			g.Items = append(g.Items, it)
		}
		items[it.ID] = it
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the checklist items: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT id, item_id, name, size, sha256, added_by, added_at FROM ferry_checklist_evidence ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("reading the evidence list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Evidence
		var at string
		if err := rows.Scan(&e.ID, &e.ItemID, &e.Name, &e.Size, &e.SHA256, &e.AddedBy, &at); err != nil {
			return nil, fmt.Errorf("reading the evidence list: %w", err)
		}
		e.AddedAt, _ = time.Parse(time.RFC3339, at)
		if it := items[e.ItemID]; it != nil {
			it.Evidence = append(it.Evidence, e)
		}
	}
	return c, rows.Err()
}

func loadSettings(ctx context.Context, db queryer) (Settings, error) {
	s := Settings{TimeBoxDays: DefaultTimeBox}
	rows, err := db.QueryContext(ctx, `SELECT key, value FROM ferry_parallel`)
	if err != nil {
		return s, fmt.Errorf("reading the parallel run's settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("reading the parallel run's settings: %w", err)
		}
		switch k {
		case "start":
			s.Start = v
		case "time_box_days":
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				s.TimeBoxDays = n
			}
		case "template":
			s.Template = v
		}
	}
	return s, rows.Err()
}

// SetStart sets the day the parallel run started (YYYY-MM-DD; "" clears it).
func SetStart(ctx context.Context, p *project.Project, day string) error {
	day = strings.TrimSpace(day)
	if day != "" {
		if _, err := time.Parse(DateLayout, day); err != nil {
			return fmt.Errorf("the start date %q is not a date: write it as YYYY-MM-DD", day)
		}
	}
	return p.Do(ctx, "parallel.start", map[string]string{"start": day}, nil, func(tx *sql.Tx) error {
		return setSetting(ctx, tx, "start", day)
	})
}

// SetTimeBox sets how many days the run should take.
func SetTimeBox(ctx context.Context, p *project.Project, days int) error {
	if days < 1 || days > 366 {
		return fmt.Errorf("the time box must be between 1 and 366 days, not %d", days)
	}
	return p.Do(ctx, "parallel.time_box", map[string]int{"days": days}, nil, func(tx *sql.Tx) error {
		return setSetting(ctx, tx, "time_box_days", strconv.Itoa(days))
	})
}

func setSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ferry_parallel(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now())
	if err != nil {
		return fmt.Errorf("saving the parallel run's %s: %w", strings.ReplaceAll(key, "_", " "), err)
	}
	return nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// Blocker is an item that stands between the practice and go-live, and why.
type Blocker struct {
	Item   *Item  `json:"item"`
	Group  string `json:"group"`
	Reason string `json:"reason"`
}

// Summary is the state of the run at a moment.
type Summary struct {
	Total       int            `json:"total"`
	Required    int            `json:"required"`
	ByStatus    map[Status]int `json:"by_status"`
	Closed      int            `json:"closed"` // done or not applicable
	Blockers    []Blocker      `json:"blockers"`
	Overdue     []*Item        `json:"overdue"`
	Started     bool           `json:"started"`
	Start       string         `json:"start,omitempty"`
	DaysElapsed int            `json:"days_elapsed"` // whole days since the start (0 on the first day)
	TimeBox     int            `json:"time_box_days"`
	OverTimeBox bool           `json:"over_time_box"`
	DaysOver    int            `json:"days_over,omitempty"`
	Evidence    int            `json:"evidence"` // files attached
}

// Ready says nothing blocks go-live.
func (s Summary) Ready() bool { return s.Total > 0 && len(s.Blockers) == 0 }

// BlockReason says why an item blocks go-live, or "" when it does not. Required items block until
// done or not applicable; sign-offs block until signed.
func BlockReason(it *Item) string {
	if !it.Required {
		return ""
	}
	if it.Kind == SignOff {
		if it.SignedBy == "" {
			return "not signed yet"
		}
		return ""
	}
	switch it.Status {
	case Blocked:
		return "blocked"
	case InProgress:
		return "still in progress"
	case Open:
		return "not done yet"
	}
	return ""
}

// Summary counts the items at now.
func (c *Checklist) Summary(now time.Time) Summary {
	s := Summary{ByStatus: map[Status]int{}, TimeBox: c.Settings.TimeBoxDays, Start: c.Settings.Start}
	if s.TimeBox <= 0 {
		s.TimeBox = DefaultTimeBox
	}
	for _, g := range c.Groups {
		for _, it := range g.Items {
			s.Total++
			s.ByStatus[it.Status]++
			s.Evidence += len(it.Evidence)
			if it.Required {
				s.Required++
			}
			if it.Status.Closed() {
				s.Closed++
			}
			if r := BlockReason(it); r != "" {
				s.Blockers = append(s.Blockers, Blocker{Item: it, Group: g.Name, Reason: r})
			}
			if due, ok := it.DueTime(now.Location()); ok && due.Before(now) && !it.Status.Closed() {
				s.Overdue = append(s.Overdue, it)
			}
		}
	}
	if start, err := time.ParseInLocation(DateLayout, c.Settings.Start, now.Location()); err == nil {
		s.Started = true
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
		s.DaysElapsed = int(today.Sub(start).Hours()/24 + 0.5)
		if s.DaysElapsed > s.TimeBox {
			s.OverTimeBox = true
			s.DaysOver = s.DaysElapsed - s.TimeBox
		}
	}
	return s
}
