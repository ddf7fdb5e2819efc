package crashtest

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/killtest"
)

// killRows is the size of the CSV the kill tests import and cleanse.
const killRows = 200_000

// killTrials is how many kills each scenario gets in `make test`; FERRY_SOAK=N (make soak) runs N.
const killTrials = 10

// writePatientsCSV writes n deterministic patient rows.
func writePatientsCSV(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("PatientID,LastName,FirstName,BirthDate,Phone,Email,Notes\n")
	last := []string{"murphy", "Kelly", "o'brien", "SMITH", "van der Berg", "Ní Bhriain", "McDonald", "walsh"}
	first := []string{"Ann", "brian", "Ciara", "DÓNAL", "eve", "Fionn"}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%07d,%s,%s,%02d/%02d/%d,+353 1 %07d,p%d@example.ie,\"note %d, with a comma\"\n",
			i, last[i%len(last)], first[i%len(first)], 1+i%28, 1+i%12, 1930+i%90, i, i, i)
		if b.Len() > 1<<20 {
			if _, err := f.WriteString(b.String()); err != nil {
				t.Fatal(err)
			}
			b.Reset()
		}
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// tableFingerprint hashes every value of a staged table in row order, with the row count and
// the table's entry in ferry_tables; "absent" when the table is not there at all.
func tableFingerprint(t testing.TB, db *sql.DB, table string) string {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	var listed int
	if err := db.QueryRow(`SELECT count(*) FROM ferry_tables WHERE name = ?`, table).Scan(&listed); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		if listed != 0 {
			t.Fatalf("ferry_tables lists %s but the table is missing", table)
		}
		return "absent"
	}
	if listed != 1 {
		t.Fatalf("the table %s exists but ferry_tables lists it %d times", table, listed)
	}
	rows, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY _ferry_row`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	h := sha256.New()
	fmt.Fprintln(h, strings.Join(cols, "\x1f"))
	count := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(h, "%v\x1f%s\x1e", v.Valid, v.String)
		}
		count++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d rows %s", count, hex.EncodeToString(h.Sum(nil))[:16])
}

func mustFerry(t testing.TB, bin string, args ...string) {
	t.Helper()
	if out, err := killtest.Ferry(t, bin, nil, args...); err != nil {
		t.Fatalf("ferry %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// kill-test scenarios: add "load" and "report export" here (see the killtest package comment).
var scenarios = []killtest.Scenario{
	{
		Name:    "import",
		Project: "practice.ferry",
		Args:    []string{"import", "{dir}/practice.ferry", "{dir}/patients.csv", "--user", "Kill Test"},
		Fixture: func(t testing.TB, bin, dir string) {
			writePatientsCSV(t, filepath.Join(dir, "patients.csv"), killRows)
			mustFerry(t, bin, "new", filepath.Join(dir, "practice.ferry"))
		},
		Fingerprint: func(t testing.TB, _ string, db *sql.DB) string { return tableFingerprint(t, db, "patients") },
	},
	{
		Name:    "cleanse",
		Project: "practice.ferry",
		Args:    []string{"cleanse", "{dir}/practice.ferry", "--apply", "{dir}/upper.json", "--user", "Kill Test"},
		Fixture: func(t testing.TB, bin, dir string) {
			csv := filepath.Join(dir, "patients.csv")
			writePatientsCSV(t, csv, killRows)
			p := filepath.Join(dir, "practice.ferry")
			mustFerry(t, bin, "new", p)
			mustFerry(t, bin, "import", p, csv)
			os.Remove(csv)
			// a whole-column operation: every last name in capitals
			recipe := `{"format": "ferry-cleanse-recipe", "version": 1, "name": "kill-upper",
				"steps": [{"op": "change_case", "table": "patients", "column": "LastName", "case": "upper", "all": true}]}`
			if err := os.WriteFile(filepath.Join(dir, "upper.json"), []byte(recipe), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		Fingerprint: func(t testing.TB, _ string, db *sql.DB) string {
			// the table and the cells the history keeps for undo: both change together or not at all
			var changes int64
			if err := db.QueryRow(`SELECT count(*) FROM ferry_cleanse_changes`).Scan(&changes); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%s, %d kept changes", tableFingerprint(t, db, "patients"), changes)
		},
	},
}

// reportScenario kills `ferry report` while it writes the PDF sign-off pack: the pack at the
// path asked for is either a whole PDF or not there (never half a file that looks like one).
var reportScenario = killtest.Scenario{
	Name:    "report export",
	Project: "practice.ferry",
	Args:    []string{"report", "{dir}/practice.ferry", "--out", "{dir}/report.pdf", "--user", "Kill Test"},
	Fixture: func(t testing.TB, bin, dir string) {
		p := filepath.Join(dir, "practice.ferry")
		out := filepath.Join(dir, "out")
		if o, err := killtest.Ferry(t, bin, []string{"FERRY_DEMO_STAGE=ready"}, "new", p, "--demo"); err != nil {
			t.Fatalf("new --demo: %v\n%s", err, o)
		}
		mustFerry(t, bin, "target", p, "--add", "files", "--kind", "files", "--dir", out)
		mustFerry(t, bin, "load", p, "--override", "kill test: no sample run")
		args := []string{"reconcile", p}
		written, _ := filepath.Glob(filepath.Join(out, "*.csv"))
		for _, f := range written {
			if filepath.Base(f) != "manifest.csv" {
				args = append(args, "--target-export", f)
			}
		}
		mustFerry(t, bin, args...)
	},
	Fingerprint: func(t testing.TB, dir string, _ *sql.DB) string {
		b, err := os.ReadFile(filepath.Join(dir, "report.pdf"))
		switch {
		case os.IsNotExist(err):
			return "absent"
		case err != nil:
			t.Fatal(err)
		}
		if strings.HasPrefix(string(b), "%PDF-") && strings.Contains(string(b[max(0, len(b)-64):]), "%%EOF") {
			return "a whole PDF"
		}
		return fmt.Sprintf("a broken file of %d bytes", len(b))
	},
}

func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kill tests build ferry and import 200,000 rows many times")
	}
	for _, sc := range append(scenarios, reportScenario) {
		t.Run(sc.Name, func(t *testing.T) {
			res := killtest.Run(t, sc, killtest.Trials(killTrials))
			if res.Failures > 0 {
				t.Errorf("%s: %s", sc.Name, res)
			}
		})
	}
}
