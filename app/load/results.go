package load

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/xuri/excelize/v2"
)

// Plan is what a load would do, before it runs.
type Plan struct {
	Destination string       `json:"destination"`
	Kind        string       `json:"kind"`
	Entities    []PlanEntity `json:"entities"` // in the order they load
	Records     int64        `json:"records"`
	Invalid     int64        `json:"invalid"`  // not sent: mapping errors
	Existing    int64        `json:"existing"` // already at the destination (crosswalk)
	ToSend      int64        `json:"to_send"`
	RateLimit   float64      `json:"rate_limit"` // requests per second, 0 = none
	// Estimate is ToSend at the rate limit (0 when there is no limit to go by).
	Estimate time.Duration `json:"estimate"`
	// Unfinished is the newest run to this destination that can be resumed (0: none).
	Unfinished int64 `json:"unfinished"`
}

// PlanEntity is one entity's part of a plan.
type PlanEntity struct {
	Name      string   `json:"name"`
	Records   int64    `json:"records"`
	Invalid   int64    `json:"invalid"`
	Existing  int64    `json:"existing"`
	ToSend    int64    `json:"to_send"`
	DependsOn []string `json:"depends_on,omitempty"`
}

// MakePlan reads the mapped data and the crosswalk and says what a load to the destination
// would send, in which order, and how long the rate limit makes it take at least.
func MakePlan(ctx context.Context, p *project.Project, destination string) (*Plan, error) {
	d, err := GetDestination(ctx, p, destination)
	if err != nil {
		return nil, err
	}
	cfg := d.Config
	cfg.defaults()
	feed, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the mapped data: %w", err)
	}
	pl := &Plan{Destination: d.Name, Kind: d.Kind, RateLimit: cfg.RateLimit}
	for _, e := range feed.Entities {
		known := map[string]bool{}
		rows, err := p.Reader().QueryContext(ctx, `SELECT legacy_key FROM ferry_crosswalk WHERE destination_id = ? AND entity = ?`, d.ID, e.Name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			rows.Scan(&k)
			known[k] = true
		}
		rows.Close()
		pe := PlanEntity{Name: e.Name, DependsOn: e.DependsOn}
		err = feed.Scan(ctx, e.Name, nil, func(rec mapping.Record) error {
			pe.Records++
			switch {
			case !rec.Valid():
				pe.Invalid++
			case d.Kind != KindFiles && known[rec.Key]:
				pe.Existing++
			default:
				pe.ToSend++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		pl.Entities = append(pl.Entities, pe)
		pl.Records += pe.Records
		pl.Invalid += pe.Invalid
		pl.Existing += pe.Existing
		pl.ToSend += pe.ToSend
	}
	if cfg.RateLimit > 0 && d.Kind != KindFiles {
		pl.Estimate = time.Duration(float64(pl.ToSend) / cfg.RateLimit * float64(time.Second))
	}
	p.Reader().QueryRowContext(ctx, `SELECT ifnull(max(run_id), 0) FROM ferry_load_runs WHERE destination_id = ? AND state IN ('running','paused','cancelled')`, d.ID).Scan(&pl.Unfinished)
	return pl, nil
}

// RunInfo is one load run, for lists.
type RunInfo struct {
	ID          int64            `json:"id"`
	Kind        string           `json:"kind"`
	Destination string           `json:"destination"`
	DestVersion int              `json:"dest_version"`
	Mode        string           `json:"mode"`
	State       string           `json:"state"`
	Message     string           `json:"message,omitempty"`
	Parent      int64            `json:"parent,omitempty"`
	StartedAt   string           `json:"started_at"`
	FinishedAt  string           `json:"finished_at"`
	Actor       string           `json:"actor"`
	Counts      map[string]int64 `json:"counts"`
}

// Runs lists load runs, newest first.
func Runs(ctx context.Context, p *project.Project) ([]RunInfo, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT r.id, r.kind, d.name, l.dest_version, l.mode, l.state, l.message, l.parent,
		r.started_at, r.finished_at, r.actor FROM ferry_load_runs l JOIN ferry_runs r ON r.id = l.run_id
		JOIN ferry_destinations d ON d.id = l.destination_id ORDER BY r.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("reading load runs: %w", err)
	}
	var out []RunInfo
	for rows.Next() {
		var ri RunInfo
		if err := rows.Scan(&ri.ID, &ri.Kind, &ri.Destination, &ri.DestVersion, &ri.Mode, &ri.State, &ri.Message, &ri.Parent,
			&ri.StartedAt, &ri.FinishedAt, &ri.Actor); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ri)
	}
	rows.Close()
	for i := range out {
		out[i].Counts = map[string]int64{}
		cr, err := p.Reader().QueryContext(ctx, `SELECT status, count(*) FROM ferry_load_records WHERE run_id = ? GROUP BY status`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for cr.Next() {
			var st string
			var n int64
			cr.Scan(&st, &n)
			out[i].Counts[st] = n
		}
		cr.Close()
	}
	return out, nil
}

// RecordResult is one legacy record's outcome in a run.
type RecordResult struct {
	Seq        int64  `json:"seq"`
	Entity     string `json:"entity"`
	LegacyKey  string `json:"legacy_key"`
	SourceRow  int64  `json:"source_row"`
	NewID      string `json:"new_id"`
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	HTTPStatus int    `json:"http_status"`
	Error      string `json:"error"`
	UpdatedAt  string `json:"updated_at"`
}

// Filter narrows Records: by status (none = all) and entity, from seq After, at most Limit (0 = all).
type Filter struct {
	Statuses []string
	Entity   string
	After    int64
	Limit    int
}

// Records lists a run's records in seq order.
func Records(ctx context.Context, p *project.Project, runID int64, f Filter) ([]RecordResult, error) {
	var out []RecordResult
	err := eachRecord(ctx, p.Reader(), runID, f, func(r RecordResult) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func eachRecord(ctx context.Context, db *sql.DB, runID int64, f Filter, fn func(RecordResult) error) error {
	q := `SELECT seq, entity, legacy_key, source_row, new_id, status, attempts, http_status, error, updated_at
		FROM ferry_load_records WHERE run_id = ? AND seq > ?`
	args := []any{runID, f.After}
	if f.Entity != "" {
		q += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if len(f.Statuses) > 0 {
		q += ` AND status IN (?` + strings.Repeat(",?", len(f.Statuses)-1) + `)`
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	q += ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading the run's records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r RecordResult
		if err := rows.Scan(&r.Seq, &r.Entity, &r.LegacyKey, &r.SourceRow, &r.NewID, &r.Status, &r.Attempts, &r.HTTPStatus, &r.Error, &r.UpdatedAt); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LatestRun is the newest load run's id (0 when there is none).
func LatestRun(ctx context.Context, p *project.Project) (int64, error) {
	var id int64
	err := p.Reader().QueryRowContext(ctx, `SELECT ifnull(max(run_id), 0) FROM ferry_load_runs`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// ResultsHeader is the results file's header row.
var ResultsHeader = []string{"entity", "legacy_key", "new_id", "status", "attempts", "error"}

// Neutralise keeps a spreadsheet from reading a value as a formula: one beginning with = + - @
// (or a tab or carriage return) gets a leading apostrophe.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteResults writes every legacy record of the run exactly once, in load order, as CSV or
// XLSX (format "csv" or "xlsx"): entity, legacy key, new ID, status, attempts, error.
func WriteResults(ctx context.Context, p *project.Project, runID int64, w io.Writer, format string) error {
	row := func(r RecordResult) []string {
		return []string{Neutralise(r.Entity), Neutralise(r.LegacyKey), Neutralise(r.NewID), r.Status, fmt.Sprint(r.Attempts), Neutralise(r.Error)}
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(ResultsHeader)
		err := eachRecord(ctx, p.Reader(), runID, Filter{}, func(r RecordResult) error { return cw.Write(row(r)) })
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		const sheet = "Results"
		f.SetSheetName("Sheet1", sheet)
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		cells := func(s []string) []any {
			out := make([]any, len(s))
			for i, v := range s {
				out[i] = v
			}
			return out
		}
		sw.SetColWidth(1, 1, 22)
		sw.SetColWidth(2, 3, 18)
		sw.SetColWidth(6, 6, 80)
		sw.SetRow("A1", cells(ResultsHeader))
		n := 1
		err = eachRecord(ctx, p.Reader(), runID, Filter{}, func(r RecordResult) error {
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n)
			vals := cells(row(r))
			vals[4] = r.Attempts
			return sw.SetRow(cell, vals)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(w)
	}
	return fmt.Errorf("results format %q: choose csv or xlsx", format)
}
