package compare

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

// ErrNotFound: no comparison or difference with that id.
var ErrNotFound = errors.New("no such comparison")

// Save stores a comparison with its sums and differences, and records it in the custody log with
// the fingerprints of both files. It sets r.ID and the differences' IDs.
func Save(ctx context.Context, p *project.Project, r *Result) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	if r.CreatedBy == "" {
		r.CreatedBy = p.Who().Actor
	}
	notes, _ := json.Marshal(r.Notes)
	inputs := map[string]string{}
	if r.OldSHA256 != "" {
		inputs["old: "+r.OldFile] = r.OldSHA256
	}
	if r.NewSHA256 != "" {
		inputs["new: "+r.NewFile] = r.NewSHA256
	}
	return p.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_comparisons(day, entity, key_column, old_file, old_sha256, new_file,
			new_sha256, old_rows, new_rows, matched, missing_in_old, missing_in_new, changed, notes, created_at, created_by)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, r.Day, r.Entity, r.KeyColumn, r.OldFile, r.OldSHA256, r.NewFile, r.NewSHA256,
			r.OldRows, r.NewRows, r.Matched, r.MissingInOld, r.MissingInNew, r.Changed, string(notes),
			r.CreatedAt.Format(time.RFC3339), r.CreatedBy)
		if err != nil {
			return fmt.Errorf("saving the comparison of %s: %w", r.Entity, err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, s := range r.Sums {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_comparison_sums(comparison_id, ord, column_name, old_sum, new_sum, difference)
				VALUES (?,?,?,?,?,?)`, r.ID, i, s.Column, s.Old, s.New, s.Difference); err != nil {
				return fmt.Errorf("saving the comparison of %s: %w", r.Entity, err)
			}
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO ferry_comparison_diffs(comparison_id, kind, record_key, column_name,
			old_value, new_value, old_line, new_line) VALUES (?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range r.Differences {
			d := &r.Differences[i]
			res, err := stmt.ExecContext(ctx, r.ID, string(d.Kind), d.Key, d.Column, d.Old, d.New, d.OldLine, d.NewLine)
			if err != nil {
				return fmt.Errorf("saving the differences of %s: %w", r.Entity, err)
			}
			d.ID, _ = res.LastInsertId()
		}
		var sums []string
		for _, s := range r.Sums {
			if !s.Equal() {
				sums = append(sums, s.Column)
			}
		}
		return p.Log(ctx, tx, "compare.run", map[string]any{"comparison": r.ID, "day": r.Day, "entity": r.Entity,
			"key": r.KeyColumn, "old_file": r.OldFile, "new_file": r.NewFile, "old_rows": r.OldRows, "new_rows": r.NewRows,
			"missing_in_old": r.MissingInOld, "missing_in_new": r.MissingInNew, "changed": r.Changed, "sums_differ": sums}, inputs)
	})
}

const runCols = `id, day, entity, key_column, old_file, old_sha256, new_file, new_sha256, old_rows, new_rows, matched,
	missing_in_old, missing_in_new, changed, notes, created_at, created_by`

func scanRun(sc interface{ Scan(...any) error }) (*Result, error) {
	r := &Result{}
	var notes, at string
	if err := sc.Scan(&r.ID, &r.Day, &r.Entity, &r.KeyColumn, &r.OldFile, &r.OldSHA256, &r.NewFile, &r.NewSHA256,
		&r.OldRows, &r.NewRows, &r.Matched, &r.MissingInOld, &r.MissingInNew, &r.Changed, &notes, &at, &r.CreatedBy); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(notes), &r.Notes)
	r.CreatedAt, _ = time.Parse(time.RFC3339, at)
	return r, nil
}

// List returns every stored comparison with its sums, without the differences, newest first.
func List(ctx context.Context, p *project.Project) ([]*Result, error) {
	db := p.Reader()
	rows, err := db.QueryContext(ctx, `SELECT `+runCols+` FROM ferry_comparisons ORDER BY day DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("reading the comparisons: %w", err)
	}
	var out []*Result
	byID := map[int64]*Result{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the comparisons: %w", err)
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the comparisons: %w", err)
	}
	srows, err := db.QueryContext(ctx, `SELECT comparison_id, column_name, old_sum, new_sum, difference FROM ferry_comparison_sums ORDER BY comparison_id, ord`)
	if err != nil {
		return nil, fmt.Errorf("reading the comparisons' totals: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var s ColumnSum
		if err := srows.Scan(&id, &s.Column, &s.Old, &s.New, &s.Difference); err != nil {
			return nil, err
		}
		if r := byID[id]; r != nil {
			r.Sums = append(r.Sums, s)
		}
	}
	return out, srows.Err()
}

// Get returns one comparison with its sums and differences.
func Get(ctx context.Context, p *project.Project, id int64) (*Result, error) {
	db := p.Reader()
	r, err := scanRun(db.QueryRowContext(ctx, `SELECT `+runCols+` FROM ferry_comparisons WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("comparison %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading comparison %d: %w", id, err)
	}
	srows, err := db.QueryContext(ctx, `SELECT column_name, old_sum, new_sum, difference FROM ferry_comparison_sums WHERE comparison_id = ? ORDER BY ord`, id)
	if err != nil {
		return nil, fmt.Errorf("reading comparison %d: %w", id, err)
	}
	for srows.Next() {
		var s ColumnSum
		if err := srows.Scan(&s.Column, &s.Old, &s.New, &s.Difference); err != nil {
			srows.Close()
			return nil, err
		}
		r.Sums = append(r.Sums, s)
	}
	srows.Close()
	drows, err := db.QueryContext(ctx, `SELECT id, kind, record_key, column_name, old_value, new_value, old_line, new_line,
		coalesce(item_id, 0) FROM ferry_comparison_diffs WHERE comparison_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the differences of comparison %d: %w", id, err)
	}
	defer drows.Close()
	for drows.Next() {
		var d Difference
		if err := drows.Scan(&d.ID, &d.Kind, &d.Key, &d.Column, &d.Old, &d.New, &d.OldLine, &d.NewLine, &d.ItemID); err != nil {
			return nil, err
		}
		r.Differences = append(r.Differences, d)
	}
	return r, drows.Err()
}

// Point is one day and entity of the trend: the latest comparison made for it.
type Point struct {
	Day          string `json:"day"`
	Entity       string `json:"entity"`
	Comparison   int64  `json:"comparison"`
	OldRows      int    `json:"old_rows"`
	NewRows      int    `json:"new_rows"`
	MissingInOld int    `json:"missing_in_old"`
	MissingInNew int    `json:"missing_in_new"`
	Changed      int    `json:"changed"`
	SumsDiffer   int    `json:"sums_differ"`
}

// Records is how many records differed that day.
func (pt Point) Records() int { return pt.MissingInOld + pt.MissingInNew + pt.Changed }

// Trend returns, for each day and entity, the latest comparison, oldest day first: a comparison
// made again (a corrected export) replaces the earlier one in the trend, not in the history.
func Trend(ctx context.Context, p *project.Project) ([]Point, error) {
	all, err := List(ctx, p)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Point
	for _, r := range all { // newest first
		k := r.Day + "\x00" + strings.ToLower(r.Entity)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Point{Day: r.Day, Entity: r.Entity, Comparison: r.ID, OldRows: r.OldRows, NewRows: r.NewRows,
			MissingInOld: r.MissingInOld, MissingInNew: r.MissingInNew, Changed: r.Changed, SumsDiffer: r.SumsDiffer()})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Group of the checklist that collects the items made from differences.
const itemGroupName = "Differences from daily comparisons"

// ItemFor is the checklist item a difference becomes: what differs, where, and what to find out.
func ItemFor(r *Result, d Difference) checklist.NewItem {
	var title, what string
	switch d.Kind {
	case MissingInNew:
		title = fmt.Sprintf("%s %s: %s %s is missing in the new system", r.Entity, r.Day, r.KeyColumn, d.Key)
		what = fmt.Sprintf("The old system's report has this record (line %d of %s) but the new system's does not:\n%s", d.OldLine, r.OldFile, d.Old)
	case MissingInOld:
		title = fmt.Sprintf("%s %s: %s %s is only in the new system", r.Entity, r.Day, r.KeyColumn, d.Key)
		what = fmt.Sprintf("The new system's report has this record (line %d of %s) but the old system's does not:\n%s", d.NewLine, r.NewFile, d.New)
	default:
		title = fmt.Sprintf("%s %s: %s %s, %s differs", r.Entity, r.Day, r.KeyColumn, d.Key, d.Column)
		what = fmt.Sprintf("%s is %q in the old system (line %d of %s) and %q in the new one (line %d of %s).",
			d.Column, d.Old, d.OldLine, r.OldFile, d.New, d.NewLine, r.NewFile)
	}
	return checklist.NewItem{Title: title, Origin: checklist.OriginComparison, Required: true,
		Description: what + "\n\nFind out why: a workflow done differently, a report that counts differently, or data " +
			"that did not come across. Note the answer here and attach what shows it is resolved."}
}

// MakeItem turns a difference into a checklist item (once: asking again returns the same item).
func MakeItem(ctx context.Context, p *project.Project, diffID int64) (int64, error) {
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return 0, err
	}
	var itemID int64
	err = p.Write(ctx, func(tx *sql.Tx) error {
		var runID int64
		var existing sql.NullInt64
		var d Difference
		err := tx.QueryRowContext(ctx, `SELECT comparison_id, item_id, kind, record_key, column_name, old_value, new_value,
			old_line, new_line FROM ferry_comparison_diffs WHERE id = ?`, diffID).Scan(&runID, &existing, &d.Kind, &d.Key,
			&d.Column, &d.Old, &d.New, &d.OldLine, &d.NewLine)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("difference %d: %w", diffID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reading difference %d: %w", diffID, err)
		}
		if existing.Valid {
			itemID = existing.Int64
			return nil
		}
		d.ID = diffID
		r, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runCols+` FROM ferry_comparisons WHERE id = ?`, runID))
		if err != nil {
			return fmt.Errorf("reading comparison %d: %w", runID, err)
		}
		gid, err := checklist.EnsureGroupTx(ctx, tx, itemGroupName, checklist.AreaComparison,
			"Each difference found by a daily comparison that needs an explanation before go-live.")
		if err != nil {
			return err
		}
		n := ItemFor(r, d)
		n.Owner = strings.TrimSpace(pl["owner"])
		if itemID, err = checklist.AddItemTx(ctx, p, tx, gid, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_comparison_diffs SET item_id = ? WHERE id = ?`, itemID, diffID); err != nil {
			return err
		}
		return p.Log(ctx, tx, "compare.make_item", map[string]any{"comparison": runID, "difference": diffID, "item": itemID}, nil)
	})
	return itemID, err
}
