package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// findingDetail is the JSON kept in ferry_audit_findings.detail.
type findingDetail struct {
	Examples []Example         `json:"examples,omitempty"`
	Values   map[string]int64  `json:"values,omitempty"`
	Mapping  map[string]string `json:"mapping,omitempty"`
	Order    string            `json:"order,omitempty"`
	Parent   string            `json:"parent,omitempty"`
	Missing  []string          `json:"missing,omitempty"`
	Method   string            `json:"method,omitempty"`
	Clusters int               `json:"clusters,omitempty"`
}

// store writes the run and its audit.run custody event in one transaction, and fills in the
// ids of the run, its findings and clusters.
func store(ctx context.Context, p *project.Project, rep *Report, opts Options) error {
	var total int64
	for _, t := range rep.Tables {
		total += t.Rows
	}
	inputs := map[string]string{}
	rows, err := p.Reader().QueryContext(ctx, `SELECT t.name, s.sha256 FROM ferry_tables t JOIN ferry_sources s ON s.id = t.source_id`)
	if err == nil {
		for rows.Next() {
			var n, h string
			if rows.Scan(&n, &h) == nil {
				inputs["table "+n] = h
			}
		}
		rows.Close()
	}
	params := map[string]any{"tables": len(rep.Tables), "rows": total, "findings": rep.Summary.Findings,
		"errors": rep.Summary.Errors, "warnings": rep.Summary.Warnings, "infos": rep.Summary.Infos,
		"by_kind": rep.Summary.ByKind, "region": rep.Region, "reference_date": rep.ReferenceDate}
	return p.Do(ctx, "audit.run", params, inputs, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT ifnull(max(seq), 0) + 1 FROM ferry_custody`).Scan(&seq); err != nil {
			return fmt.Errorf("saving the audit: %w", err)
		}
		optJSON := mustJSON(opts)
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_audit_runs(started_at, finished_at, tables, rows, findings, errors,
			warnings, infos, region, reference_date, custody_seq, options, totals) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			rep.Started.Format(time.RFC3339Nano), rep.Finished.Format(time.RFC3339Nano), len(rep.Tables), total,
			rep.Summary.Findings, rep.Summary.Errors, rep.Summary.Warnings, rep.Summary.Infos, rep.Region, rep.ReferenceDate,
			seq, optJSON, mustJSON(rep.Totals))
		if err != nil {
			return fmt.Errorf("saving the audit: %w", err)
		}
		runID, _ := res.LastInsertId()
		for i, t := range rep.Tables {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_audit_tables(run_id, ord, table_name, rows, key_column, key_origin, people)
				VALUES (?,?,?,?,?,?,?)`, runID, i, t.Name, t.Rows, t.KeyColumn, t.KeyOrigin, t.People); err != nil {
				return fmt.Errorf("saving the audit of %s: %w", t.Name, err)
			}
			for j, c := range t.Columns {
				if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_audit_columns(run_id, table_name, ord, column_name, type,
					confidence, nulls, distinct_count, date_order, sum, profile) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
					runID, t.Name, j, c.Name, c.Type, c.Confidence, c.Nulls, c.Distinct, c.DateOrder, c.Sum, mustJSON(c)); err != nil {
					return fmt.Errorf("saving the audit of %s.%s: %w", t.Name, c.Name, err)
				}
			}
		}
		insRows, err := tx.PrepareContext(ctx, `INSERT INTO ferry_audit_finding_rows(finding_id, seq, first_row, last_row, n, rows) VALUES (?,?,?,?,?,?)`)
		if err != nil {
			return fmt.Errorf("saving the audit: %w", err)
		}
		defer insRows.Close()
		insCluster, err := tx.PrepareContext(ctx, `INSERT INTO ferry_audit_clusters(finding_id, ord, method, score, size) VALUES (?,?,?,?,?)`)
		if err != nil {
			return fmt.Errorf("saving the audit: %w", err)
		}
		defer insCluster.Close()
		const perStmt = 200
		insMembers, err := tx.PrepareContext(ctx, `INSERT INTO ferry_audit_cluster_members(cluster_id, ord, row, key_value, score) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", perStmt), ","))
		if err != nil {
			return fmt.Errorf("saving the audit: %w", err)
		}
		defer insMembers.Close()
		var pending []any
		flush := func(all bool) error {
			for len(pending) >= perStmt*5 {
				if _, err := insMembers.ExecContext(ctx, pending[:perStmt*5]...); err != nil {
					return err
				}
				pending = pending[perStmt*5:]
			}
			if all && len(pending) > 0 {
				n := len(pending) / 5
				q := `INSERT INTO ferry_audit_cluster_members(cluster_id, ord, row, key_value, score) VALUES ` +
					strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", n), ",")
				if _, err := tx.ExecContext(ctx, q, pending...); err != nil {
					return err
				}
				pending = nil
			}
			return nil
		}
		for i := range rep.Findings {
			f := &rep.Findings[i]
			sugg := ""
			if len(f.Suggest) > 0 {
				sugg = mustJSON(f.Suggest)
			}
			det := findingDetail{Examples: f.Examples, Values: f.Values, Mapping: f.Mapping, Order: f.Order, Parent: f.Parent,
				Missing: f.Missing, Method: f.Method, Clusters: f.Clusters}
			res, err := tx.ExecContext(ctx, `INSERT INTO ferry_audit_findings(run_id, ord, kind, severity, table_name, column_name,
				count, row_count, message, suggestion, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
				runID, i, f.Kind, f.Severity, f.Table, f.Column, f.Count, f.RowCount, f.Message, sugg, mustJSON(det))
			if err != nil {
				return fmt.Errorf("saving finding %s on %s: %w", f.Kind, f.Table, err)
			}
			f.ID, _ = res.LastInsertId()
			for k, ch := range f.rows.chunks() {
				if _, err := insRows.ExecContext(ctx, f.ID, k, ch.first, ch.lastRow, ch.n, ch.data); err != nil {
					return fmt.Errorf("saving the rows of finding %s on %s: %w", f.Kind, f.Table, err)
				}
			}
			var ids []int64
			for k, c := range f.clus {
				res, err := insCluster.ExecContext(ctx, f.ID, k, c.method, c.score, len(c.members))
				if err != nil {
					return fmt.Errorf("saving the groups of finding %s on %s: %w", f.Kind, f.Table, err)
				}
				cid, _ := res.LastInsertId()
				ids = append(ids, cid)
				for m, mem := range c.members {
					pending = append(pending, cid, m, mem.Row, mem.Key, mem.Score)
				}
				if err := flush(false); err != nil {
					return fmt.Errorf("saving the groups of finding %s on %s: %w", f.Kind, f.Table, err)
				}
			}
			if len(ids) > 0 && f.Suggest != nil {
				f.Suggest["finding_id"] = f.ID
				if len(ids) <= 1000 {
					f.Suggest["cluster_ids"] = ids
				}
				if _, err := tx.ExecContext(ctx, `UPDATE ferry_audit_findings SET suggestion = ? WHERE id = ?`, mustJSON(f.Suggest), f.ID); err != nil {
					return fmt.Errorf("saving finding %s on %s: %w", f.Kind, f.Table, err)
				}
			}
		}
		if err := flush(true); err != nil {
			return fmt.Errorf("saving the duplicate groups: %w", err)
		}
		rep.RunID = runID
		return nil
	})
}

// Latest reads the current (newest) audit run, or ErrNoRun.
func Latest(ctx context.Context, p *project.Project) (*Report, error) {
	db := p.Reader()
	rep := &Report{}
	var started, finished, totals string
	err := db.QueryRowContext(ctx, `SELECT id, started_at, finished_at, region, reference_date, totals FROM ferry_audit_runs
		ORDER BY id DESC LIMIT 1`).Scan(&rep.RunID, &started, &finished, &rep.Region, &rep.ReferenceDate, &totals)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoRun
	}
	if err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	rep.Started, _ = time.Parse(time.RFC3339Nano, started)
	rep.Finished, _ = time.Parse(time.RFC3339Nano, finished)
	_ = json.Unmarshal([]byte(totals), &rep.Totals)
	trows, err := db.QueryContext(ctx, `SELECT table_name, rows, key_column, key_origin, people FROM ferry_audit_tables
		WHERE run_id = ? ORDER BY ord`, rep.RunID)
	if err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	for trows.Next() {
		var t TableProfile
		if err := trows.Scan(&t.Name, &t.Rows, &t.KeyColumn, &t.KeyOrigin, &t.People); err != nil {
			trows.Close()
			return nil, fmt.Errorf("reading the audit: %w", err)
		}
		t.Columns = []ColumnProfile{}
		rep.Tables = append(rep.Tables, t)
	}
	trows.Close()
	crows, err := db.QueryContext(ctx, `SELECT table_name, profile FROM ferry_audit_columns WHERE run_id = ? ORDER BY table_name, ord`, rep.RunID)
	if err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	for crows.Next() {
		var table, prof string
		if err := crows.Scan(&table, &prof); err != nil {
			crows.Close()
			return nil, fmt.Errorf("reading the audit: %w", err)
		}
		var c ColumnProfile
		if err := json.Unmarshal([]byte(prof), &c); err != nil {
			crows.Close()
			return nil, fmt.Errorf("reading the audit of %s: %w", table, err)
		}
		if t := rep.Table(table); t != nil {
			t.Columns = append(t.Columns, c)
		}
	}
	crows.Close()
	rep.Findings, err = readFindings(ctx, db, `run_id = ? ORDER BY ord`, rep.RunID)
	if err != nil {
		return nil, err
	}
	if rep.Tables == nil {
		rep.Tables = []TableProfile{}
	}
	rep.summarise()
	return rep, nil
}

func readFindings(ctx context.Context, db *sql.DB, where string, args ...any) ([]Finding, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, kind, severity, table_name, column_name, count, row_count, message,
		suggestion, detail FROM ferry_audit_findings WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit findings: %w", err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var f Finding
		var sugg, det string
		if err := rows.Scan(&f.ID, &f.Kind, &f.Severity, &f.Table, &f.Column, &f.Count, &f.RowCount, &f.Message, &sugg, &det); err != nil {
			return nil, fmt.Errorf("reading the audit findings: %w", err)
		}
		if sugg != "" {
			_ = json.Unmarshal([]byte(sugg), &f.Suggest)
		}
		var d findingDetail
		_ = json.Unmarshal([]byte(det), &d)
		f.Examples, f.Values, f.Mapping, f.Order, f.Parent, f.Missing, f.Method, f.Clusters =
			d.Examples, d.Values, d.Mapping, d.Order, d.Parent, d.Missing, d.Method, d.Clusters
		out = append(out, f)
	}
	return out, rows.Err()
}

// GetFinding reads one finding by id (of any run).
func GetFinding(ctx context.Context, p *project.Project, findingID int64) (Finding, error) {
	fs, err := readFindings(ctx, p.Reader(), `id = ?`, findingID)
	if err != nil {
		return Finding{}, err
	}
	if len(fs) == 0 {
		return Finding{}, fmt.Errorf("finding %d: %w", findingID, ErrNoFinding)
	}
	return fs[0], nil
}

// FindingRows returns the _ferry_row ids behind a finding, ascending, from offset on; limit <= 0
// means all of them. The rows are those the finding counts (for duplicate kinds, the rows a
// merge would remove; Clusters gives whole groups).
func FindingRows(ctx context.Context, p *project.Project, findingID int64, offset, limit int) ([]int64, error) {
	db := p.Reader()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ferry_audit_findings WHERE id = ?`, findingID).Scan(&n); err != nil {
		return nil, fmt.Errorf("reading the rows of finding %d: %w", findingID, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("finding %d: %w", findingID, ErrNoFinding)
	}
	if offset < 0 {
		offset = 0
	}
	rows, err := db.QueryContext(ctx, `SELECT first_row, rows FROM ferry_audit_finding_rows WHERE finding_id = ? AND seq >= ?
		ORDER BY seq`, findingID, offset/chunkRows)
	if err != nil {
		return nil, fmt.Errorf("reading the rows of finding %d: %w", findingID, err)
	}
	defer rows.Close()
	out := []int64{}
	skip := offset % chunkRows
	for rows.Next() {
		var first int64
		var data []byte
		if err := rows.Scan(&first, &data); err != nil {
			return nil, fmt.Errorf("reading the rows of finding %d: %w", findingID, err)
		}
		decodeChunk(first, data, func(r int64) {
			if skip > 0 {
				skip--
				return
			}
			if limit <= 0 || len(out) < limit {
				out = append(out, r)
			}
		})
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, rows.Err()
}

// Clusters returns the groups behind a duplicate finding, in file order, each with its members
// (the first is the one a merge keeps).
func Clusters(ctx context.Context, p *project.Project, findingID int64) ([]Cluster, error) {
	db := p.Reader()
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.method, c.score, m.row, m.key_value, m.score
		FROM ferry_audit_clusters c JOIN ferry_audit_cluster_members m ON m.cluster_id = c.id
		WHERE c.finding_id = ? ORDER BY c.ord, m.ord`, findingID)
	if err != nil {
		return nil, fmt.Errorf("reading the groups of finding %d: %w", findingID, err)
	}
	defer rows.Close()
	out := []Cluster{}
	for rows.Next() {
		var id, row int64
		var method, key string
		var score, mscore float64
		if err := rows.Scan(&id, &method, &score, &row, &key, &mscore); err != nil {
			return nil, fmt.Errorf("reading the groups of finding %d: %w", findingID, err)
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Cluster{ID: id, Method: method, Score: score})
		}
		c := &out[len(out)-1]
		c.Members = append(c.Members, Member{Row: row, Key: key, Score: mscore})
	}
	return out, rows.Err()
}
