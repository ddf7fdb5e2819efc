package staging_test

import (
	"context"
	"testing"

	"github.com/ferry-migrate/ferry/app/staging"
)

func TestRowsByIDFlaggedRowsAndIssueCounts(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	_, err := st.Import(ctx, fileInfo, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: "patients", Columns: []string{"Id", "Name"}})
		if err != nil {
			return err
		}
		w.Write(staging.Row{Line: 2, Cells: []string{"007", "Ann"}})
		w.Write(staging.Row{Line: 3, Cells: []string{"008"}, Flags: staging.FlagMissingCells})
		w.Issue(staging.Issue{File: "patients.csv", Line: 3, Kind: "missing_cells", Message: "short row"})
		w.Write(staging.Row{Line: 4, Cells: []string{"009", "Cy"}, Nulls: []bool{false, true}})
		w.Write(staging.Row{Line: 5, Cells: []string{"010", "Di"}, Flags: staging.FlagExtraCells, Overflow: []string{"x"}})
		w.Issue(staging.Issue{File: "patients.csv", Line: 5, Kind: "extra_cells", Message: "long row"})
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.Rows(ctx, "patients", []int64{4, 1, 99})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != 4 || rows[1].ID != 1 {
		t.Fatalf("rows %+v: want ids 4 then 1, the missing 99 skipped", rows)
	}
	if rows[0].Cells[0] != "010" || rows[0].Line != 5 || len(rows[0].Overflow) != 1 || rows[1].Cells[0] != "007" {
		t.Fatalf("values %+v", rows)
	}
	cy, _ := st.Rows(ctx, "patients", []int64{3})
	if !cy[0].Nulls[1] {
		t.Fatalf("NULL lost: %+v", cy[0])
	}
	flagged, err := st.FlaggedRows(ctx, "patients", 10)
	if err != nil || len(flagged) != 2 || flagged[0] != 2 || flagged[1] != 4 {
		t.Fatalf("flagged %v %v", flagged, err)
	}
	if one, _ := st.FlaggedRows(ctx, "patients", 1); len(one) != 1 {
		t.Fatalf("limit ignored: %v", one)
	}
	counts, err := st.IssueCounts(ctx, "patients")
	if err != nil || counts["missing_cells"] != 1 || counts["extra_cells"] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
}
