package screens

import (
	"context"
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
func (s *StagedSource) Rows(ctx context.Context, ids []int64) ([]GridRow, error) {
	rows, err := s.st.Rows(ctx, s.table, ids)
	if err != nil {
		return nil, err
	}
	out := make([]GridRow, len(rows))
	for i, r := range rows {
		out[i] = gridRowOf(r)
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
// "only flagged rows" view.
func flaggedRowIDs(ctx context.Context, st *staging.Stager, table string) ([]int64, error) {
	return st.FlaggedRows(ctx, table, 100000)
}
