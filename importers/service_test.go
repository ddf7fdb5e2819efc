package importers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

const syntheaDir = "../../shared/data/synthea-csv"

func csvTempProject(t testing.TB) *project.Project {
	t.Helper()
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "practice.ferry"), project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestSyntheaStagesAndSuggestsForeignKeys(t *testing.T) {
	ctx := context.Background()
	p := csvTempProject(t)
	files, _ := filepath.Glob(filepath.Join(syntheaDir, "*.csv"))
	if len(files) != 18 {
		t.Fatalf("%d Synthea files, want 18", len(files))
	}
	var fi staging.FileImporter = Service{}
	for _, f := range files {
		var last int64
		res, err := fi.ImportFile(ctx, p, staging.ImportRequest{Path: f}, func(read, total, rows int64) { last = read })
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(f)
		if len(res.Tables) != 1 || res.Tables[0].FlaggedRows != 0 || res.Tables[0].Issues != 0 || last != st.Size() {
			t.Errorf("%s: %+v (progress %d of %d)", f, res.Tables, last, st.Size())
		}
	}
	s := staging.NewStager(p)
	tables, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, tb := range tables {
		rows[tb.Name] = tb.Rows
	}
	for name, n := range map[string]int64{"patients": 27, "encounters": 604, "claims": 1267, "claims_transactions": 5228} { // README counts lines, not rows
		if rows[name] != n {
			t.Errorf("%s: %d rows, want %d", name, rows[name], n)
		}
	}
	if len(tables) != 18 {
		t.Errorf("%d tables", len(tables))
	}
	// ZIP codes keep their leading zeros; blanks stay blank
	pg, err := s.Page(ctx, "organizations", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	zip := -1
	for i, c := range pg.Columns {
		if c == "ZIP" {
			zip = i
		}
	}
	zeros := 0
	for _, r := range pg.Rows {
		if strings.HasPrefix(r.Cells[zip], "0") {
			zeros++
		}
	}
	if zeros == 0 {
		t.Errorf("no ZIP with a leading zero in organizations: %q", pg.Rows[0].Cells)
	}

	sugg, err := s.SuggestRelationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]staging.Relationship{}
	for _, r := range sugg {
		got[r.ChildTable+"."+r.ChildColumn] = r
	}
	for child, parent := range map[string]string{
		"encounters.PATIENT":                     "patients.Id",
		"encounters.PROVIDER":                    "providers.Id",
		"encounters.ORGANIZATION":                "organizations.Id",
		"encounters.PAYER":                       "payers.Id",
		"conditions.PATIENT":                     "patients.Id",
		"conditions.ENCOUNTER":                   "encounters.Id",
		"providers.ORGANIZATION":                 "organizations.Id",
		"claims.PATIENTID":                       "patients.Id",
		"claims.PROVIDERID":                      "providers.Id",
		"claims_transactions.CLAIMID":            "claims.Id",
		"claims_transactions.PATIENTID":          "patients.Id",
		"payer_transitions.PATIENT":              "patients.Id",
		"payer_transitions.PAYER":                "payers.Id",
		"medications.ENCOUNTER":                  "encounters.Id",
		"observations.PATIENT":                   "patients.Id",
		"claims.SUPERVISINGPROVIDERID":           "providers.Id",
		"payer_transitions.SECONDARY_PAYER":      "payers.Id",
		"imaging_studies.ENCOUNTER":              "encounters.Id",
		"careplans.PATIENT":                      "patients.Id",
		"claims_transactions.PLACEOFSERVICE":     "",
		"claims.APPOINTMENTID":                   "",
		"patients.Id":                            "",
		"encounters.Id":                          "",
		"observations.CODE":                      "",
		"claims_transactions.PROCEDURECODE":      "",
		"claims.PRIMARYPATIENTINSURANCEID":       "",
		"claims_transactions.DEPARTMENTID":       "",
		"claims.DIAGNOSIS1":                      "",
		"encounters.REASONCODE":                  "",
		"payer_transitions.MEMBERID":             "",
		"claims_transactions.TRANSFEROUTID":      "",
		"claims_transactions.CHARGEID":           "",
		"claims_transactions.PATIENTINSURANCEID": "",
	} {
		r, ok := got[child]
		switch {
		case parent == "" && ok:
			t.Errorf("%s: unexpected suggestion %s (%s)", child, r, r.Reason)
		case parent != "" && !ok:
			t.Errorf("%s → %s not suggested", child, parent)
		case parent != "" && r.ParentTable+"."+r.ParentColumn != parent:
			t.Errorf("%s → %s.%s, want %s", child, r.ParentTable, r.ParentColumn, parent)
		}
	}
	if r := got["encounters.PATIENT"]; r.ChildRows != 604 || r.MatchedRows != 604 || r.Share != 1 || r.Reason == "" {
		t.Errorf("encounters.PATIENT: %+v", r)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("custody: %v %v", rep, err)
	}
}

func TestImportFileRecordsHashAndRollsBackFailures(t *testing.T) {
	ctx := context.Background()
	p := csvTempProject(t)
	path := filepath.Join(syntheaDir, "patients.csv")
	res, err := ImportFile(ctx, p, path, Options{Table: "Patient List"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	if res.Source.SHA256 != want || res.Source.Size != int64(len(data)) || res.Source.Format != "csv" || res.Tables[0].Name != "Patient List" {
		t.Fatalf("result %+v", res)
	}
	evs, _ := custody.List(ctx, p.Reader(), 0)
	last := evs[len(evs)-1]
	if last.Action != "source.import" || last.Inputs["patients.csv"] != want {
		t.Fatalf("last event %+v", last)
	}
	n := len(evs)

	empty := csvTempFile(t, "empty.csv", nil)
	if _, err := ImportFile(ctx, p, empty, Options{}, nil); !errors.Is(err, staging.ErrNothing) || !strings.Contains(err.Error(), "empty.csv") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := ImportFile(ctx, p, filepath.Join(t.TempDir(), "missing.csv"), Options{}, nil); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := ImportFile(ctx, p, path, Options{Encoding: "nope"}, nil); err == nil || !strings.Contains(err.Error(), "patients.csv") {
		t.Fatalf("bad option: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ImportFile(cctx, p, path, Options{Table: "cancelled"}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	evs, _ = custody.List(ctx, p.Reader(), 0)
	tables, _ := staging.NewStager(p).Tables(ctx)
	if len(evs) != n || len(tables) != 1 {
		t.Fatalf("failed imports left %d events (was %d) and tables %+v", len(evs), n, tables)
	}
}
