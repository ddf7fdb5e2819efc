package cleanse

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// Distinct is a group of rows a person reviewed and found to be different records.
type Distinct struct {
	ID        int64    `json:"id"`
	Table     string   `json:"table"`
	Members   []RowRef `json:"members"` // row and key of each
	Note      string   `json:"note,omitempty"`
	DecidedAt string   `json:"decided_at"`
	DecidedBy string   `json:"decided_by"`
}

// MarkDistinct records that the rows of table are not duplicates of each other (a duplicate
// group a person reviewed and rejected), with a cleanse.distinct custody event. It changes no
// data; the audit can leave such groups out, and the merge review need not show them again.
func MarkDistinct(ctx context.Context, p *project.Project, table string, rows []int64, note string) (int64, error) {
	var id int64
	err := p.Write(ctx, func(tx *sql.Tx) error {
		t, err := loadTable(ctx, tx, table)
		if err != nil {
			return err
		}
		ids := slices.Clone(rows)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) < 2 {
			return fmt.Errorf("marking rows of %s as different records: give two or more rows: %w", t.Name, ErrBadStep)
		}
		e := &env{ctx: ctx, p: p, q: tx, t: t}
		found, err := e.loadRows(ids, nil)
		if err != nil {
			return err
		}
		members := make([]RowRef, 0, len(ids))
		for _, r := range ids {
			m := found[r]
			if m == nil {
				return fmt.Errorf("marking rows of %s as different records: row %d is not in the table", t.Name, r)
			}
			members = append(members, RowRef{Row: r, Key: m.Key})
		}
		b, _ := json.Marshal(members)
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_cleanse_distinct(source_id, table_name, members, note, decided_at, decided_by)
			VALUES (?,?,?,?,?,?)`, t.SourceID, t.Name, string(b), note, time.Now().UTC().Format(time.RFC3339), p.Who().Actor)
		if err != nil {
			return fmt.Errorf("marking rows of %s as different records: %w", t.Name, err)
		}
		id, _ = res.LastInsertId()
		return p.Log(ctx, tx, "cleanse.distinct", map[string]any{"id": id, "table": t.Name, "members": members, "note": note}, nil)
	})
	return id, err
}

// UnmarkDistinct withdraws a MarkDistinct decision (cleanse.distinct_withdrawn in the custody log).
func UnmarkDistinct(ctx context.Context, p *project.Project, id int64) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		var table string
		err := tx.QueryRowContext(ctx, `SELECT table_name FROM ferry_cleanse_distinct WHERE id = ?`, id).Scan(&table)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("there is no decision %d about different records", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_cleanse_distinct WHERE id = ?`, id); err != nil {
			return err
		}
		return p.Log(ctx, tx, "cleanse.distinct_withdrawn", map[string]any{"id": id, "table": table}, nil)
	})
}

// DistinctGroups lists the groups of table people found to be different records, oldest first.
func DistinctGroups(ctx context.Context, p *project.Project, table string) ([]Distinct, error) {
	db := p.Reader()
	if !tableExists(ctx, db, "ferry_cleanse_distinct") {
		return nil, nil
	}
	t, err := loadTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, members, note, decided_at, decided_by FROM ferry_cleanse_distinct
		WHERE source_id = ? ORDER BY id`, t.SourceID)
	if err != nil {
		return nil, fmt.Errorf("reading the groups of %s found to be different records: %w", t.Name, err)
	}
	defer rows.Close()
	var out []Distinct
	for rows.Next() {
		d := Distinct{Table: t.Name}
		var members string
		if err := rows.Scan(&d.ID, &members, &d.Note, &d.DecidedAt, &d.DecidedBy); err != nil {
			return nil, fmt.Errorf("reading the groups of %s found to be different records: %w", t.Name, err)
		}
		_ = json.Unmarshal([]byte(members), &d.Members)
		out = append(out, d)
	}
	return out, rows.Err()
}
