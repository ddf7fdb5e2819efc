package staging

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// Rows reads the staged rows with the given _ferry_row ids, in the order of ids; ids that are not
// there are skipped. Drill-downs (audit findings, cleanse previews) show exactly these rows.
func (s *Stager) Rows(ctx context.Context, table string, ids []int64) ([]PageRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cols, err := s.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	var q strings.Builder
	q.WriteString("SELECT " + QuoteIdent(ColRow) + ", " + QuoteIdent(ColLine) + ", " + QuoteIdent(ColFlags) + ", " + QuoteIdent(ColOverflow))
	for _, c := range cols {
		q.WriteString(", " + QuoteIdent(c.Name))
	}
	q.WriteString(" FROM " + QuoteIdent(table) + " WHERE " + QuoteIdent(ColRow) + " IN (SELECT value FROM json_each(?))")
	idJSON, _ := json.Marshal(ids)
	rows, err := s.p.Reader().QueryContext(ctx, q.String(), string(idJSON))
	if err != nil {
		return nil, fmt.Errorf("reading rows of %s: %w", table, err)
	}
	defer rows.Close()
	n := len(cols)
	byID := make(map[int64]PageRow, len(ids))
	vals := make([]sql.NullString, n)
	dest := make([]any, 4+n)
	var id, line int64
	var flags Flag
	var overflow sql.NullString
	dest[0], dest[1], dest[2], dest[3] = &id, &line, &flags, &overflow
	for i := range vals {
		dest[4+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("reading rows of %s: %w", table, err)
		}
		pr := PageRow{ID: id, Line: line, Flags: flags, Cells: make([]string, n)}
		for i, v := range vals {
			pr.Cells[i] = v.String
			if !v.Valid {
				if pr.Nulls == nil {
					pr.Nulls = make([]bool, n)
				}
				pr.Nulls[i] = true
			}
		}
		if overflow.Valid && overflow.String != "" {
			_ = json.Unmarshal([]byte(overflow.String), &pr.Overflow)
		}
		byID[id] = pr
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading rows of %s: %w", table, err)
	}
	out := make([]PageRow, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// FlaggedRows lists the ids of rows the importer flagged (ragged, bad bytes ...), in row order,
// at most limit of them.
func (s *Stager) FlaggedRows(ctx context.Context, table string, limit int) ([]int64, error) {
	rows, err := s.p.Reader().QueryContext(ctx, "SELECT "+QuoteIdent(ColRow)+" FROM "+QuoteIdent(table)+
		" WHERE "+QuoteIdent(ColFlags)+" <> 0 ORDER BY "+QuoteIdent(ColRow)+" LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("finding the flagged rows of %s: %w", table, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("finding the flagged rows of %s: %w", table, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// IssueCounts counts the stored import issues of table by kind ("" = every table). Beyond
// maxIssuesPerKind of one kind a single summary issue stands for the rest.
func (s *Stager) IssueCounts(ctx context.Context, table string) (map[string]int64, error) {
	q := `SELECT kind, count(*) FROM ferry_import_issues`
	var args []any
	if table != "" {
		q += ` WHERE table_name = ?`
		args = append(args, table)
	}
	rows, err := s.p.Reader().QueryContext(ctx, q+` GROUP BY kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("counting import issues: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("counting import issues: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}
