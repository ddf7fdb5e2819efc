package screens

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/staging"
)

// StagedSource is a staged table as a GridSource, paged from the project file with Stager.Page.
// The Sources, Audit and Cleanse screens show staged tables through it.
type StagedSource struct {
	st    *staging.Stager
	table string
	cols  []string
	rows  int64
}

// NewStagedSource reads what the grid needs to know up front (columns, row count) about table.
// It queries the project file: call it off the UI goroutine.
func NewStagedSource(ctx context.Context, st *staging.Stager, table string) (*StagedSource, error) {
	t, err := st.Describe(ctx, table)
	if err != nil {
		return nil, err
	}
	return StagedSourceOf(st, t), nil
}

// StagedSourceOf makes the source from a TableInfo already read.
func StagedSourceOf(st *staging.Stager, t staging.TableInfo) *StagedSource {
	s := &StagedSource{st: st, table: t.Name, rows: t.Rows}
	for _, c := range t.Columns {
		s.cols = append(s.cols, c.Name)
	}
	return s
}

// Table is the staged table's name.
func (s *StagedSource) Table() string { return s.table }

// Columns implements GridSource.
func (s *StagedSource) Columns() []string { return s.cols }

// RowCount implements GridSource.
func (s *StagedSource) RowCount() int64 { return s.rows }

// Page implements GridSource.
func (s *StagedSource) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	pg, err := s.st.Page(ctx, s.table, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]GridRow, len(pg.Rows))
	for i, r := range pg.Rows {
		out[i] = gridRowOf(r)
	}
	return out, nil
}

// Rows implements RowFetcher: the rows with the given _ferry_row ids, in that order.
//
// Until the Stager can read rows by id (requested in NOTES-sources-gui.md) this reads them from
// the read-only pool itself, with every identifier quoted.
func (s *StagedSource) Rows(ctx context.Context, ids []int64) ([]GridRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow) + ", " + staging.QuoteIdent(staging.ColLine) + ", " +
		staging.QuoteIdent(staging.ColFlags) + ", " + staging.QuoteIdent(staging.ColOverflow))
	for _, c := range s.cols {
		q.WriteString(", " + staging.QuoteIdent(c))
	}
	q.WriteString(" FROM " + staging.QuoteIdent(s.table) + " WHERE " + staging.QuoteIdent(staging.ColRow) + " IN (")
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('?')
		args[i] = id
	}
	q.WriteByte(')')
	rows, err := s.st.Project().Reader().QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("reading rows of %s: %w", s.table, err)
	}
	defer rows.Close()
	byID := make(map[int64]GridRow, len(ids))
	n := len(s.cols)
	vals := make([]sql.NullString, n)
	dest := make([]any, 4+n)
	var r staging.PageRow
	var overflow sql.NullString
	dest[0], dest[1], dest[2], dest[3] = &r.ID, &r.Line, &r.Flags, &overflow
	for i := range vals {
		dest[4+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("reading rows of %s: %w", s.table, err)
		}
		pr := staging.PageRow{ID: r.ID, Line: r.Line, Flags: r.Flags, Cells: make([]string, n)}
		for i, v := range vals {
			pr.Cells[i] = v.String
			if !v.Valid {
				if pr.Nulls == nil {
					pr.Nulls = make([]bool, n)
				}
				pr.Nulls[i] = true
			}
		}
		if overflow.Valid {
			_ = json.Unmarshal([]byte(overflow.String), &pr.Overflow)
		}
		byID[pr.ID] = gridRowOf(pr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading rows of %s: %w", s.table, err)
	}
	out := make([]GridRow, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func gridRowOf(r staging.PageRow) GridRow {
	return GridRow{ID: r.ID, Line: r.Line, Cells: r.Cells, Nulls: r.Nulls, Flagged: r.Flags != 0,
		Note: flagNote(r.Flags, r.Overflow)}
}

// flagNote says in words what was odd about a staged row.
func flagNote(f staging.Flag, overflow []string) string {
	var out []string
	if f&staging.FlagMissingCells != 0 {
		out = append(out, "the row had fewer values than there are columns; the missing ones are left empty")
	}
	if f&staging.FlagExtraCells != 0 {
		extra := "the row had more values than there are columns"
		if len(overflow) > 0 {
			shown := overflow
			if len(shown) > 5 {
				shown = shown[:5]
			}
			extra += fmt.Sprintf("; the extra ones are kept aside: %q", shown)
		}
		out = append(out, extra)
	}
	if f&staging.FlagInvalidBytes != 0 {
		out = append(out, "some characters could not be read in the file's encoding and were replaced by �")
	}
	if f&staging.FlagNUL != 0 {
		out = append(out, "a hidden NUL character was removed")
	}
	if f&staging.FlagParse != 0 {
		out = append(out, "the row was malformed (for example a stray quote) and was read as well as possible")
	}
	return strings.Join(out, "; ")
}

// flaggedRowIDs lists the ids of a staged table's flagged rows (at most 100,000), for the grid's
// "only flagged rows" view. Until the Stager offers it (requested in NOTES-sources-gui.md) it is
// read here from the read-only pool.
func flaggedRowIDs(ctx context.Context, st *staging.Stager, table string) ([]int64, error) {
	rows, err := st.Project().Reader().QueryContext(ctx, "SELECT "+staging.QuoteIdent(staging.ColRow)+" FROM "+
		staging.QuoteIdent(table)+" WHERE "+staging.QuoteIdent(staging.ColFlags)+" <> 0 ORDER BY "+
		staging.QuoteIdent(staging.ColRow)+" LIMIT 100000")
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
