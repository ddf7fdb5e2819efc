// Package report writes what the Reconcile & report step proves as the pack people read and
// sign: an XLSX workbook (Summary, one sheet per entity, Differences, Purges, Merges, Results,
// Checklist, Custody log) and a PDF sign-off pack (summary, key figures, bar charts of the
// waterfall and of the audit's findings then and now, exceptions, checklist status and sign-off
// lines for the owner, the practice manager and the consultant).
//
//	pk, err := report.Build(ctx, p, res, report.Options{Redact: true})
//	err = pk.WriteXLSX(w) / pk.WritePDF(w)
//	sum, err := report.Export(ctx, p, res, "report.pdf", opts) // atomic; custody event with its SHA-256
//
// Every value that begins with =, +, - or @ is neutralised (a leading apostrophe) so that no
// spreadsheet runs it as a formula; numbers are written as numbers. Redact replaces patient
// names and contact details (names, phones, e-mails, addresses) with "[redacted]".
package report

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/reconcile"
	"github.com/ferry-migrate/ferry/app/target"
)

// Options tune a report.
type Options struct {
	Redact bool      // replace patient names and contact details
	Now    time.Time // the report's date (zero: now)
}

// Pack is everything a report shows, gathered once.
type Pack struct {
	Generated   time.Time
	Redacted    bool
	Project     string
	Practice    string
	Legacy      string
	NewSystem   string
	Owner       string
	SignOff     string
	Result      *reconcile.Result
	Purges      []Removed
	Merges      []Merge
	Runs        []LoadRun
	Checklist   *checklist.Checklist
	Audit       AuditCompare
	Custody     []Event
	sensitiveFn func(entity, field string) bool
}

// Removed is one row Cleanse took out.
type Removed struct {
	Table  string
	Row    int64
	Line   int64
	Key    string
	Kind   string
	Reason string
}

// Merge is one record merged into another.
type Merge struct {
	Table string
	cleanse.CrosswalkEntry
}

// LoadRun is one load run with its records' outcomes.
type LoadRun struct {
	ID          int64
	Mode        string
	State       string
	Destination string
	Started     string
	Finished    string
	Actor       string
	ByStatus    map[string]int64
}

// AuditCompare is the audit's findings by kind at the first audit and at the newest.
type AuditCompare struct {
	ThenRun, NowRun int64
	ThenAt, NowAt   string
	Kinds           []string
	Then, Now       map[string]int64
}

// Event is one custody log event.
type Event struct {
	Seq     int64
	At      string
	Actor   string
	Machine string
	Action  string
	Params  string
	Hash    string
}

// Build gathers a report of the reconciliation res.
func Build(ctx context.Context, p *project.Project, res *reconcile.Result, opts Options) (*Pack, error) {
	if res == nil {
		return nil, reconcile.ErrNoReconciliation
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	pk := &Pack{Generated: now, Redacted: opts.Redact, Project: p.Name(), Result: res}
	if pl, err := plan.Load(ctx, p); err == nil {
		pk.Practice, pk.Legacy, pk.NewSystem, pk.Owner, pk.SignOff = pl["practice_name"], pl["legacy_system"], pl["new_system"], pl["owner"], pl["sign_off"]
	}
	if pk.Practice == "" {
		pk.Practice = p.Name()
	}
	if t, err := target.Active(ctx, p); err == nil {
		pk.sensitiveFn = sensitiveFields(&t.Definition)
	}
	seen := map[string]bool{}
	for _, e := range res.Entities {
		if seen[e.Table] {
			continue
		}
		seen[e.Table] = true
		rem, err := cleanse.RemovedRows(ctx, p, e.Table, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, r := range rem {
			pk.Purges = append(pk.Purges, Removed{Table: e.Table, Row: r.Row, Line: r.Line, Key: r.Key, Kind: r.Kind, Reason: r.Reason})
		}
		cw, err := cleanse.Crosswalk(ctx, p, e.Table)
		if err != nil {
			return nil, err
		}
		for _, c := range cw {
			pk.Merges = append(pk.Merges, Merge{Table: e.Table, CrosswalkEntry: c})
		}
	}
	db := p.Reader()
	var err error
	if pk.Runs, err = loadRuns(ctx, db); err != nil {
		return nil, err
	}
	if pk.Checklist, err = checklist.Load(ctx, p); err != nil {
		return nil, err
	}
	if pk.Audit, err = auditCompare(ctx, db); err != nil {
		return nil, err
	}
	if pk.Custody, err = custodyLog(ctx, db); err != nil {
		return nil, err
	}
	return pk, nil
}

// sensitiveFields says which fields hold names and contact details.
func sensitiveFields(d *target.Definition) func(entity, field string) bool {
	return func(entity, field string) bool {
		if e := d.Entity(entity); e != nil {
			if f := e.Field(field); f != nil && (f.Type == target.Phone || f.Type == target.Email) {
				return true
			}
		}
		return sensitiveName(field)
	}
}

func sensitiveName(field string) bool {
	f := strings.ToLower(field)
	for _, w := range []string{"name", "telecom", "address", "phone", "mobile", "email", "contact", "street", "city", "postal", "zip"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// Redaction is what replaces a redacted value.
const Redaction = "[redacted]"

func (pk *Pack) value(entity, field, v string) string {
	if !pk.Redacted || v == "" {
		return v
	}
	if (pk.sensitiveFn != nil && pk.sensitiveFn(entity, field)) || sensitiveName(field) {
		return Redaction
	}
	return v
}

// Safe neutralises a value a spreadsheet would run as a formula (= + - @, and tab or carriage
// return before them) with a leading apostrophe. A plain number ("-12.50") is left as it is.
func Safe(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, ok := new(big.Rat).SetString(v); ok && !strings.ContainsAny(v, "/eE") {
			return v
		}
		return "'" + v
	}
	return v
}

func loadRuns(ctx context.Context, db *sql.DB) ([]LoadRun, error) {
	rows, err := db.QueryContext(ctx, `SELECT r.id, l.mode, l.state, coalesce(d.name, ''), r.started_at, r.finished_at, r.actor
		FROM ferry_runs r JOIN ferry_load_runs l ON l.run_id = r.id LEFT JOIN ferry_destinations d ON d.id = l.destination_id ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("reading the load runs: %w", err)
	}
	var out []LoadRun
	idx := map[int64]int{}
	for rows.Next() {
		var r LoadRun
		if err := rows.Scan(&r.ID, &r.Mode, &r.State, &r.Destination, &r.Started, &r.Finished, &r.Actor); err != nil {
			rows.Close()
			return nil, err
		}
		r.ByStatus = map[string]int64{}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	st, err := db.QueryContext(ctx, `SELECT run_id, status, count(*) FROM ferry_load_records GROUP BY run_id, status`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	for st.Next() {
		var id, n int64
		var s string
		if err := st.Scan(&id, &s, &n); err != nil {
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].ByStatus[s] = n
		}
	}
	return out, st.Err()
}

// Audit reads the audit's findings by kind at the first audit and at the newest (the Reconcile
// & report screen's before-and-after chart).
func Audit(ctx context.Context, p *project.Project) (AuditCompare, error) {
	return auditCompare(ctx, p.Reader())
}

func auditCompare(ctx context.Context, db *sql.DB) (AuditCompare, error) {
	var a AuditCompare
	a.Then, a.Now = map[string]int64{}, map[string]int64{}
	err := db.QueryRowContext(ctx, `SELECT id, started_at FROM ferry_audit_runs ORDER BY id LIMIT 1`).Scan(&a.ThenRun, &a.ThenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("reading the audits: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT id, started_at FROM ferry_audit_runs ORDER BY id DESC LIMIT 1`).Scan(&a.NowRun, &a.NowAt); err != nil {
		return a, err
	}
	kinds := map[string]bool{}
	for _, side := range []struct {
		run int64
		m   map[string]int64
	}{{a.ThenRun, a.Then}, {a.NowRun, a.Now}} {
		rows, err := db.QueryContext(ctx, `SELECT kind, sum(count) FROM ferry_audit_findings WHERE run_id = ? GROUP BY kind ORDER BY kind`, side.run)
		if err != nil {
			return a, err
		}
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return a, err
			}
			side.m[k] = n
			if !kinds[k] {
				kinds[k] = true
				a.Kinds = append(a.Kinds, k)
			}
		}
		rows.Close()
	}
	return a, nil
}

func custodyLog(ctx context.Context, db *sql.DB) ([]Event, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, machine, action, params, hash FROM ferry_custody ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("reading the custody log: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Machine, &e.Action, &e.Params, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Export writes the report to path (.xlsx or .pdf) atomically and logs a report.export custody
// event with the file's SHA-256 (a project open for viewing only cannot log: logged is false).
func Export(ctx context.Context, p *project.Project, res *reconcile.Result, path string, opts Options) (sum string, logged bool, err error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && ext != ".pdf" {
		return "", false, fmt.Errorf("%s: a report is written as .xlsx or .pdf", filepath.Base(path))
	}
	pk, err := Build(ctx, p, res, opts)
	if err != nil {
		return "", false, err
	}
	tmp := path + ".writing"
	f, err := os.Create(tmp)
	if err != nil {
		return "", false, fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	h := sha256.New()
	w := io.MultiWriter(f, h)
	if ext == ".xlsx" {
		err = pk.WriteXLSX(w)
	} else {
		err = pk.WritePDF(w)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", false, fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if p.ReadOnly() {
		return sum, false, nil
	}
	params := map[string]any{"file": filepath.Base(path), "format": strings.TrimPrefix(ext, "."), "redacted": opts.Redact,
		"reconciliation": res.ID, "verdict": res.Verdict}
	err = p.Do(ctx, "report.export", params, map[string]string{filepath.Base(path): sum}, nil)
	return sum, err == nil, err
}
