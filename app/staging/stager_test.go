package staging_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func newProject(t *testing.T) *project.Project {
	t.Helper()
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "test.ferry"), project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

var fileInfo = staging.SourceInfo{Path: "/old/patients.csv", FileName: "patients.csv", SHA256: "abc123", Size: 99, Format: "csv"}

// stage imports one table with the given header and rows.
func stage(t *testing.T, st *staging.Stager, src staging.SourceInfo, name string, cols []string, rows ...[]string) staging.ImportResult {
	t.Helper()
	res, err := st.Import(context.Background(), src, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: name, Columns: cols, Source: staging.SourceInfo{Encoding: "utf-8", Delimiter: ","}})
		if err != nil {
			return err
		}
		for i, r := range rows {
			if err := w.Write(staging.Row{Line: int64(i + 2), Cells: r}); err != nil {
				return err
			}
		}
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func events(t *testing.T, p *project.Project, action string) []custody.Event {
	t.Helper()
	all, err := custody.List(context.Background(), p.Reader(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []custody.Event
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestImportStagesTablesWithProvenanceAndCustody(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	res, err := st.Import(ctx, fileInfo, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: "patients", Columns: []string{"PatientID", "Name", "DOB"},
			Source: staging.SourceInfo{Encoding: "windows-1252", Delimiter: ";", HeaderRow: true, SkippedLines: 2}})
		if err != nil {
			return err
		}
		rows := []staging.Row{
			{Line: 4, Cells: []string{"007", "Ann O'Neil", "0001-01-01"}},
			{Line: 5, Cells: []string{"008", " N/A "}, Flags: staging.FlagMissingCells},
			{Line: 6, Cells: []string{"009", "Zoë", "2001-02-03"}, Overflow: []string{"extra", "more"}, Flags: staging.FlagExtraCells},
			{Line: 7, Cells: []string{"010", "", "x"}, Nulls: []bool{false, true, false}},
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		w.Issue(staging.Issue{Line: 5, Column: 3, ColumnName: "DOB", Kind: "missing_cells", Message: "1 cell missing"})
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 1 || res.Tables[0].Name != "patients" || res.Tables[0].Rows != 4 || res.Tables[0].FlaggedRows != 2 ||
		res.Tables[0].Issues != 1 || res.Tables[0].IssueKinds["missing_cells"] != 1 {
		t.Fatalf("result = %+v", res.Tables)
	}

	tables, err := st.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 {
		t.Fatalf("tables = %+v", tables)
	}
	tb := tables[0]
	if tb.Rows != 4 || tb.Source.SHA256 != "abc123" || tb.Source.Encoding != "windows-1252" || tb.Source.Delimiter != ";" ||
		tb.Source.SkippedLines != 2 || !tb.Source.HeaderRow || tb.ImportedBy != "Tess" || len(tb.Columns) != 3 {
		t.Fatalf("table = %+v", tb)
	}

	pg, err := st.Page(ctx, "patients", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pg.Columns, ",") != "PatientID,Name,DOB" || pg.Total != 4 || len(pg.Rows) != 4 {
		t.Fatalf("page = %+v", pg)
	}
	want := [][]string{{"007", "Ann O'Neil", "0001-01-01"}, {"008", " N/A ", ""}, {"009", "Zoë", "2001-02-03"}, {"010", "", "x"}}
	for i, r := range pg.Rows {
		if strings.Join(r.Cells, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, r.Cells, want[i])
		}
		if r.ID != int64(i+1) || r.Line != int64(i+4) {
			t.Errorf("row %d provenance = %d/%d", i, r.ID, r.Line)
		}
	}
	if pg.Rows[1].Flags != staging.FlagMissingCells || strings.Join(pg.Rows[2].Overflow, ",") != "extra,more" {
		t.Errorf("flags/overflow = %v %q", pg.Rows[1].Flags, pg.Rows[2].Overflow)
	}
	if pg.Rows[3].Nulls == nil || !pg.Rows[3].Nulls[1] || pg.Rows[0].Nulls != nil {
		t.Errorf("nulls = %v / %v", pg.Rows[3].Nulls, pg.Rows[0].Nulls)
	}
	pg, err = st.Page(ctx, "PATIENTS", 3, 10)
	if err != nil || len(pg.Rows) != 1 || pg.Rows[0].Cells[0] != "010" {
		t.Fatalf("page from offset 3 = %+v, %v", pg, err)
	}

	issues, err := st.Issues(ctx, "patients", 0, 0)
	if err != nil || len(issues) != 1 || issues[0].File != "patients.csv" || issues[0].Line != 5 || issues[0].ColumnName != "DOB" {
		t.Fatalf("issues = %+v, %v", issues, err)
	}

	evs := events(t, p, "source.import")
	if len(evs) != 1 || evs[0].Inputs["patients.csv"] != "abc123" {
		t.Fatalf("custody = %+v", evs)
	}
	var params struct {
		File, Format, Encoding, Delimiter string
		Tables                            []struct {
			Table string
			Rows  int64
		}
	}
	if err := json.Unmarshal(evs[0].Params, &params); err != nil {
		t.Fatal(err)
	}
	if params.File != "patients.csv" || params.Encoding != "windows-1252" || params.Delimiter != ";" ||
		len(params.Tables) != 1 || params.Tables[0].Table != "patients" || params.Tables[0].Rows != 4 {
		t.Fatalf("params = %s", evs[0].Params)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("custody chain: %+v %v", rep, err)
	}
}

func TestFailedOrCancelledImportLeavesNothing(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	before := len(events(t, p, ""))
	boom := errors.New("line 3: cannot read")
	_, err := st.Import(ctx, fileInfo, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: "patients", Columns: []string{"a"}})
		if err != nil {
			return err
		}
		for i := 0; i < 2000; i++ {
			if err := w.Write(staging.Row{Line: int64(i), Cells: []string{"x"}}); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	_, err = st.Import(cctx, fileInfo, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: "patients", Columns: []string{"a"}})
		if err != nil {
			return err
		}
		for i := 0; ; i++ {
			if i == 1500 {
				cancel()
			}
			if err := w.Write(staging.Row{Line: int64(i), Cells: []string{"x"}}); err != nil {
				return err
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: err = %v", err)
	}
	_, err = st.Import(ctx, fileInfo, func(ctx context.Context, sink staging.Sink) error { return nil })
	if !errors.Is(err, staging.ErrNothing) {
		t.Fatalf("empty import: err = %v", err)
	}
	tables, _ := st.Tables(ctx)
	var n int
	p.Reader().QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'patients'`).Scan(&n)
	var sources int
	p.Reader().QueryRow(`SELECT count(*) FROM ferry_sources`).Scan(&sources)
	if len(tables) != 0 || n != 0 || sources != 0 || len(events(t, p, "")) != before {
		t.Fatalf("left behind: tables %v, sqlite table %d, sources %d, events %d→%d", tables, n, sources, before, len(events(t, p, "")))
	}
}

func TestNamesAreKeptQuotedAndMadeUnique(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	cols := []string{"Name", "", "name", "Name_2", `say "hi"; DROP TABLE x`, "_ferry_row", "  ", "Zoë"}
	res := stage(t, st, fileInfo, `Patient "List"; 2024`, cols, []string{"1", "2", "3", "4", "5", "6", "7", "8"})
	want := []string{"Name", "column_2", "name_3", "Name_2", `say "hi"; DROP TABLE x`, "ferry_row", "column_7", "Zoë"}
	if got := res.Tables[0].Columns; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("columns = %q, want %q", got, want)
	}
	if res.Tables[0].Name != `Patient "List"; 2024` {
		t.Fatalf("table = %q", res.Tables[0].Name)
	}
	cs, err := st.Columns(ctx, res.Tables[0].Name)
	if err != nil || cs[1].SourceName != "" || cs[2].SourceName != "name" {
		t.Fatalf("columns = %+v %v", cs, err)
	}
	pg, err := st.Page(ctx, res.Tables[0].Name, 0, 5)
	if err != nil || strings.Join(pg.Rows[0].Cells, "") != "12345678" {
		t.Fatalf("page = %+v %v", pg, err)
	}
	for _, tc := range []struct{ want, got string }{{"sqlite_master", "src_sqlite_master"}, {"ferry_tables", "src_ferry_tables"}, {"  ", "patients"}} {
		res := stage(t, st, fileInfo, tc.want, []string{"a"})
		if res.Tables[0].Name != tc.got {
			t.Errorf("table %q staged as %q, want %q", tc.want, res.Tables[0].Name, tc.got)
		}
	}
	// two tables of one file with the same name
	res, err = st.Import(ctx, fileInfo, func(ctx context.Context, sink staging.Sink) error {
		for range 2 {
			w, err := sink.Table(ctx, staging.TableSpec{Name: "Sheet", Columns: []string{"a"}})
			if err != nil {
				return err
			}
			w.Close()
		}
		return nil
	})
	if err != nil || res.Tables[0].Name != "Sheet" || res.Tables[1].Name != "Sheet_2" {
		t.Fatalf("same-name sheets: %+v %v", res.Tables, err)
	}
}

func TestReimportReplacesAndKeepsRelationships(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	stage(t, st, fileInfo, "patients", []string{"PatientID", "Name"}, []string{"1", "Ann"}, []string{"2", "Bob"})
	stage(t, st, staging.SourceInfo{FileName: "appointments.csv", SHA256: "x"}, "appointments", []string{"ApptID", "PatientID"},
		[]string{"a1", "1"}, []string{"a2", "2"}, []string{"a3", "9"})
	rel := staging.Relationship{ChildTable: "appointments", ChildColumn: "PatientID", ParentTable: "patients", ParentColumn: "PatientID"}
	if err := st.DeclareRelationship(ctx, rel); err != nil {
		t.Fatal(err)
	}
	res := stage(t, st, staging.SourceInfo{FileName: "patients.csv", SHA256: "new"}, "patients", []string{"PatientID", "Name", "Phone"},
		[]string{"1", "Ann", "555"})
	if !res.Tables[0].Replaced || res.Tables[0].Name != "patients" {
		t.Fatalf("re-import = %+v", res.Tables[0])
	}
	tb, err := st.Describe(ctx, "patients")
	if err != nil || tb.Rows != 1 || len(tb.Columns) != 3 || tb.Source.SHA256 != "new" {
		t.Fatalf("after re-import: %+v %v", tb, err)
	}
	rels, err := st.Relationships(ctx)
	if err != nil || len(rels) != 1 || !rels[0].Confirmed || rels[0].Origin != "user" {
		t.Fatalf("relationships = %+v %v", rels, err)
	}
	// a re-import without the column drops the relationship
	stage(t, st, fileInfo, "patients", []string{"ID"}, []string{"1"})
	if rels, _ := st.Relationships(ctx); len(rels) != 0 {
		t.Fatalf("relationship to a column that is gone: %+v", rels)
	}
}

func TestRenameSetKeyAndCustody(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	stage(t, st, fileInfo, "Sheet1", []string{"PatNum", "LName"}, []string{"1", "Smith"})
	stage(t, st, fileInfo, "other", []string{"x"})
	if err := st.Rename(ctx, "Sheet1", "patient"); err != nil {
		t.Fatal(err)
	}
	if err := st.Rename(ctx, "patient", "Patient"); err != nil {
		t.Fatalf("case-only rename: %v", err)
	}
	if err := st.Rename(ctx, "Patient", "OTHER"); !errors.Is(err, staging.ErrNameTaken) {
		t.Fatalf("rename onto another table: %v", err)
	}
	if err := st.Rename(ctx, "Patient", "sqlite_x"); !errors.Is(err, staging.ErrBadName) {
		t.Fatalf("reserved name: %v", err)
	}
	if err := st.Rename(ctx, "nope", "x"); !errors.Is(err, staging.ErrNoTable) {
		t.Fatalf("missing table: %v", err)
	}
	if err := st.SetKey(ctx, "patient", "patnum"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetKey(ctx, "patient", "nope"); !errors.Is(err, staging.ErrNoColumn) {
		t.Fatalf("missing column: %v", err)
	}
	tb, err := st.Describe(ctx, "patient")
	if err != nil || tb.Name != "Patient" || tb.KeyColumn != "PatNum" || tb.Columns[1].Name != "LName" {
		t.Fatalf("after rename and key: %+v %v", tb, err)
	}
	pg, err := st.Page(ctx, "Patient", 0, 1)
	if err != nil || pg.Rows[0].Cells[1] != "Smith" {
		t.Fatalf("page after rename: %+v %v", pg, err)
	}
	if n := len(events(t, p, "table.rename")); n != 2 {
		t.Errorf("rename events = %d", n)
	}
	if n := len(events(t, p, "table.set_key")); n != 1 {
		t.Errorf("set_key events = %d", n)
	}
	if err := st.Drop(ctx, "Patient"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Describe(ctx, "Patient"); !errors.Is(err, staging.ErrNoTable) {
		t.Fatalf("after drop: %v", err)
	}
}

func TestSuggestRelationshipsByNameAndValues(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	st := staging.NewStager(p)
	var pats, appts, encs [][]string
	for i := 1; i <= 50; i++ {
		pats = append(pats, []string{fmt.Sprintf("P%03d", i), "Name"})
	}
	for i := 1; i <= 40; i++ {
		pid := fmt.Sprintf("P%03d", i)
		if i > 36 {
			pid = "P999" // orphans: 4 of 40
		}
		appts = append(appts, []string{fmt.Sprintf("A%d", i), pid, "R1"})
		encs = append(encs, []string{fmt.Sprintf("E%d", i), fmt.Sprintf("P%03d", i), "Dr"})
	}
	stage(t, st, fileInfo, "patients", []string{"PatientID", "Name"}, pats...)
	stage(t, st, fileInfo, "appointments", []string{"ApptID", "PatientID", "Room"}, appts...)
	stage(t, st, fileInfo, "visits", []string{"Id", "PATIENT", "Doctor"}, encs...)
	sugg, err := st.SuggestRelationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]staging.Relationship{}
	for _, r := range sugg {
		got[r.String()] = r
	}
	a, ok := got["appointments.PatientID → patients.PatientID"]
	if !ok || a.ChildRows != 40 || a.MatchedRows != 36 || a.Share != 0.9 || a.Origin != "suggested" || a.Confirmed {
		t.Fatalf("suggestions = %+v", sugg)
	}
	if _, ok := got["visits.PATIENT → patients.PatientID"]; !ok {
		t.Fatalf("PATIENT not suggested: %+v", sugg)
	}
	if len(sugg) != 2 {
		t.Fatalf("unexpected suggestions: %+v", sugg)
	}
	rels, _ := st.Relationships(ctx)
	if len(rels) != 2 {
		t.Fatalf("recorded = %+v", rels)
	}
	// turned down stays turned down; confirmed stays confirmed
	if err := st.DeleteRelationship(ctx, got["visits.PATIENT → patients.PatientID"]); err != nil {
		t.Fatal(err)
	}
	if err := st.DeclareRelationship(ctx, a); err != nil {
		t.Fatal(err)
	}
	sugg, err = st.SuggestRelationships(ctx)
	if err != nil || len(sugg) != 1 || !sugg[0].Confirmed {
		t.Fatalf("second run = %+v %v", sugg, err)
	}
	rels, _ = st.Relationships(ctx)
	if len(rels) != 1 || !rels[0].Confirmed || rels[0].MatchedRows != 36 {
		t.Fatalf("after second run = %+v", rels)
	}
	if err := st.DeleteRelationship(ctx, staging.Relationship{ChildTable: "x", ChildColumn: "y", ParentTable: "z", ParentColumn: "w"}); !errors.Is(err, staging.ErrNoRelationship) {
		t.Fatalf("delete missing: %v", err)
	}
	if err := st.DeclareRelationship(ctx, staging.Relationship{ChildTable: "visits", ChildColumn: "nope", ParentTable: "patients", ParentColumn: "PatientID"}); !errors.Is(err, staging.ErrNoColumn) {
		t.Fatalf("declare missing column: %v", err)
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{`a`: `"a"`, `a"b`: `"a""b"`, `"`: `""""`, ``: `""`} {
		if got := staging.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestKeyCandidates(t *testing.T) {
	ctx := context.Background()
	st := staging.NewStager(newProject(t))
	stage(t, st, fileInfo, "patients", []string{"Name", "PatNum", "Guarantor", "Id"},
		[]string{"Ann", "1", "1", "x"}, []string{"Ann", "2", "1", ""}, []string{"Bob", "3", "2", "y"})
	ks, err := st.KeyCandidates(ctx, "patients")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 3 || ks[0].Column != "PatNum" || !ks[0].Unique() || ks[1].Column != "Name" || ks[1].Unique() ||
		ks[2].Column != "Id" || ks[2].Filled != 2 || ks[2].Unique() {
		t.Fatalf("candidates = %+v", ks)
	}
}
