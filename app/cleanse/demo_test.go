package cleanse_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/encoding/charmap"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
)

const demoRecipe = "recipes/demo-cleanse.json"

// demoProject is the demo practice imported into a new project; files holds the exports under
// "demo/" (assets.Demo, or a generated practice).
func demoProject(t testing.TB, files fs.FS) *project.Project {
	t.Helper()
	p, err := demo.CreateProject(context.Background(), filepath.Join(t.TempDir(), "demo.ferry"), project.Options{Actor: "Dana"},
		files, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func manifest(t testing.TB) *demo.Manifest {
	t.Helper()
	m, err := demo.LoadManifestFS(assets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// demoSteps are the decisions a person makes for the demo practice, from its manifest: the
// recipe in assets/recipes is these steps applied and exported (FERRY_UPDATE_RECIPE=1 writes it).
func demoSteps(m *demo.Manifest) []cleanse.Step {
	var clusters []cleanse.Cluster
	for _, keys := range m.Find(demo.KindDuplicateFuzzy, "patients", "").Clusters {
		var c cleanse.Cluster
		for _, k := range keys {
			c.Members = append(c.Members, cleanse.RowRef{Key: k})
		}
		clusters = append(clusters, c)
	}
	status := m.Find(demo.KindPicklistFreetext, "appointments", "Status").Mapping
	trimmed := map[string]string{}
	for k, v := range status {
		trimmed[strings.TrimSpace(k)] = v
	}
	return []cleanse.Step{
		{Op: "purge", Table: "patients", TestRecords: true, Reason: "test records",
			Note: "TEST PATIENT, Mickey Mouse and the like were never patients"},
		{Op: "merge_duplicates", Table: "patients", Match: "identical"},
		{Op: "merge_duplicates", Table: "patients", Match: "same_key", FillBlanks: true,
			Note: "1048 was entered twice, the second time with a phone number"},
		{Op: "split_name", Table: "patients", Column: "LastName", Order: "last_first", Last: "LastName", First: "FirstName"},
		{Op: "trim", Table: "patients", Columns: []string{"LastName", "FirstName", "City"}},
		{Op: "change_case", Table: "patients", Columns: []string{"LastName", "FirstName"}, Case: "name"},
		{Op: "set_blank", Table: "patients", Column: "Phone", Values: []string{"n/a", "000-000-0000"}},
		{Op: "normalise_phone", Table: "patients", Column: "Phone", Region: "US", Format: "e164"},
		{Op: "normalise_phone", Table: "providers", Column: "Phone", Region: "US", Format: "e164"},
		{Op: "normalise_email", Table: "patients", Column: "Email", FixTypos: true},
		{Op: "restore_zip_zeros", Table: "patients", Column: "Zip"},
		{Op: "set_blank", Table: "patients", Column: "BirthDate", Values: []string{"0001-01-01", "00/00/0000", "N/A"}},
		{Op: "normalise_date", Table: "patients", Column: "BirthDate", Order: "MDY", Ambiguous: "MDY",
			Note: "checked against the old system: every slash date in BirthDate is month first"},
		{Op: "merge_duplicates", Table: "patients", Clusters: clusters, FillBlanks: true,
			Note: "reviewed: the same people entered again under another PatientID"},
		{Op: "trim", Table: "appointments", Column: "Status"},
		{Op: "map_values", Table: "appointments", Column: "Status", Mapping: trimmed},
		{Op: "normalise_date", Table: "appointments", Column: "Date", Order: "DMY", Ambiguous: "DMY",
			Note: "checked against the old system: appointment dates are day first"},
	}
}

// TestWriteDemoRecipe rebuilds assets/recipes/demo-cleanse.json from demoSteps when
// FERRY_UPDATE_RECIPE=1.
func TestWriteDemoRecipe(t *testing.T) {
	if os.Getenv("FERRY_UPDATE_RECIPE") == "" {
		t.Skip("set FERRY_UPDATE_RECIPE=1 to rewrite " + demoRecipe)
	}
	ctx := context.Background()
	p := demoProject(t, assets.Demo)
	for _, s := range demoSteps(manifest(t)) {
		apply(t, p, s)
	}
	rc, err := cleanse.Export(ctx, p, "demo-cleanse")
	if err != nil {
		t.Fatal(err)
	}
	rc.Description = "Fixes what can be fixed of the demo practice's planted defects (assets/demo/manifest.json): test records purged, " +
		"duplicates merged, names split and cased, phones in E.164, e-mails and ZIP codes repaired, dates in ISO, statuses mapped. " +
		"Orphans, impossible birth dates, invalid phones and e-mails and amounts written as text are left for a person."
	rc.ExportedAt, rc.ExportedBy, rc.Ferry = "", "", ""
	b, err := rc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "assets", demoRecipe), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadDemoRecipe(t testing.TB) *cleanse.Recipe {
	t.Helper()
	b, err := fs.ReadFile(assets.Recipes, demoRecipe)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cleanse.ParseRecipe(b)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func hashAll(t testing.TB, p *project.Project) map[string]string {
	t.Helper()
	tables, err := staging.NewStager(p).Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		out[tb.Name] = tableHash(t, p, tb.Name)
	}
	return out
}

// original reads a column of one of the demo's CSV files, record by record.
func original(t testing.TB, file, col string) []string {
	t.Helper()
	b, err := fs.ReadFile(assets.Demo, path.Join("demo", file))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if file == "patients.csv" {
		r = charmap.Windows1252.NewDecoder().Reader(r)
	}
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(recs[0], col)
	var out []string
	for _, rec := range recs[1:] {
		out = append(out, rec[i])
	}
	return out
}

// byRow reads a staged column by _ferry_row (the record number); removed rows are absent.
func byRow(t testing.TB, p *project.Project, table, col string) map[int]string {
	t.Helper()
	rows, err := p.Reader().Query(`SELECT _ferry_row, ifnull("` + col + `", 'NULL') FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var r int
		var v string
		rows.Scan(&r, &v)
		out[r] = v
	}
	return out
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// TestDemoRecipeFixesThePlantedDefects replays the shipped recipe on the demo practice and
// counts again, from the staged tables, that each defect it can fix is gone exactly as the
// manifest defines it; reruns the audit; then undoes everything and finds every table byte for
// byte as it was.
func TestDemoRecipeFixesThePlantedDefects(t *testing.T) {
	ctx := context.Background()
	m := manifest(t)
	p := demoProject(t, assets.Demo)
	before := hashAll(t, p)
	rc := loadDemoRecipe(t)

	dry, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !maps(before, hashAll(t, p)) {
		t.Fatal("a dry run changed the tables")
	}
	res, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Steps {
		if r.Cells != dry.Steps[i].Cells || r.Removed != dry.Steps[i].Removed {
			t.Errorf("step %d: dry run said %d cells, %d removed; the replay did %d, %d", i+1, dry.Steps[i].Cells,
				dry.Steps[i].Removed, r.Cells, r.Removed)
		}
		for _, l := range r.Left {
			if l.Reason == cleanse.LeftNotFound || l.Reason == cleanse.LeftChanged {
				t.Errorf("step %d (%s): %d records not found on the practice the recipe was made for: %+v", i+1, r.Step.Op, l.Count, l.Values)
			}
		}
	}

	removed := map[int]string{} // patients record → kind
	rr, err := cleanse.RemovedRows(ctx, p, "patients", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rr {
		removed[int(r.Row)] = r.Kind + ": " + r.Reason
	}
	// test records: purged, with the reason, kept in the file
	tests := m.Find(demo.KindTestRecord, "patients", "")
	for _, row := range tests.Rows {
		if removed[row] != "purge: test records" {
			t.Errorf("test record %d: %q", row, removed[row])
		}
	}
	counts, _ := cleanse.RemovedCounts(ctx, p)
	if !slices.Contains(counts, cleanse.RemovedCount{Table: "patients", Kind: "purge", Reason: "test records", Rows: int64(tests.Count)}) {
		t.Errorf("removed counts: %+v", counts)
	}
	// exact duplicates, same-key duplicates and reviewed fuzzy clusters: one row left of each,
	// every other one merged and in the crosswalk
	cw, _ := cleanse.Crosswalk(ctx, p, "patients")
	survivor := map[int64]int64{}
	for _, c := range cw {
		survivor[c.MergedRow] = c.SurvivorRow
	}
	ids := byRow(t, p, "patients", "PatientID")
	for _, kind := range []string{demo.KindDuplicateExact, demo.KindDuplicateKey} {
		d := m.Find(kind, "patients", map[string]string{demo.KindDuplicateKey: "PatientID"}[kind])
		for _, g := range d.Groups {
			if _, ok := ids[g[0]]; !ok {
				t.Errorf("%s: the first row of %v is gone", kind, g)
			}
			for _, r := range g[1:] {
				if _, ok := ids[r]; ok || survivor[int64(r)] != int64(g[0]) {
					t.Errorf("%s: row %d of %v still there or not merged into %d (%d)", kind, r, g, g[0], survivor[int64(r)])
				}
			}
		}
	}
	keys := map[string]int{}
	for r, k := range ids {
		keys[k]++
		_ = r
	}
	for k, n := range keys {
		if n > 1 {
			t.Errorf("PatientID %s is still on %d rows", k, n)
		}
	}
	for _, c := range m.Find(demo.KindDuplicateFuzzy, "patients", "").Clusters {
		for _, k := range c[1:] {
			if keys[k] != 0 {
				t.Errorf("fuzzy duplicate %s is still there", k)
			}
			if s, ok, err := cleanse.SurvivorOf(ctx, p, "patients", k); err != nil || !ok || s != c[0] {
				t.Errorf("SurvivorOf(%s) = %q %v %v, want %s", k, s, ok, err, c[0])
			}
		}
	}
	// Last, First: split (the rows that are still there)
	last, first := byRow(t, p, "patients", "LastName"), byRow(t, p, "patients", "FirstName")
	for _, r := range m.Find(demo.KindNameLastFirst, "patients", "LastName").Rows {
		if _, ok := last[r]; ok && (strings.Contains(last[r], ",") || first[r] == "") {
			t.Errorf("row %d: %q / %q", r, last[r], first[r])
		}
	}
	// dates: ISO, read in the column's true order; placeholders blank
	for _, c := range []struct{ table, file, col, order string }{
		{"patients", "patients.csv", "BirthDate", "MDY"}, {"appointments", "appointments.csv", "Date", "DMY"}} {
		got := byRow(t, p, c.table, c.col)
		for i, v := range original(t, c.file, c.col) {
			now, ok := got[i+1]
			if !ok {
				continue
			}
			if now != "" && !isoDate.MatchString(now) {
				t.Errorf("%s.%s row %d: %q is not ISO", c.table, c.col, i+1, now)
			}
			if want := readAs(v, c.order); want != "" && now != want {
				t.Errorf("%s.%s row %d: %q became %q, want %q", c.table, c.col, i+1, v, now, want)
			}
		}
	}
	// phones: E.164 and valid, but for the invalid ones a person must fix
	bad := map[int]bool{}
	for _, r := range m.Find(demo.KindInvalidPhone, "patients", "Phone").Rows {
		bad[r] = true
	}
	origPhone := original(t, "patients.csv", "Phone")
	for r, v := range byRow(t, p, "patients", "Phone") {
		if v == "" || bad[r] {
			if bad[r] && v != origPhone[r-1] && v != "" {
				t.Errorf("invalid phone row %d changed: %q → %q", r, origPhone[r-1], v)
			}
			continue
		}
		n, err := phonenumbers.Parse(v, "US")
		if !strings.HasPrefix(v, "+") || err != nil || !phonenumbers.IsValidNumber(n) || phonenumbers.Format(n, phonenumbers.E164) != v {
			t.Errorf("phone row %d: %q is not valid E.164", r, v)
		}
	}
	// e-mails: lower case, typos fixed, invalid ones untouched
	emails := byRow(t, p, "patients", "Email")
	origEmail := original(t, "patients.csv", "Email")
	typo := m.Find(demo.KindEmailTypo, "patients", "Email")
	for _, r := range typo.Rows {
		o := origEmail[r-1]
		dom := o[strings.IndexByte(o, '@')+1:]
		if want := strings.ToLower(strings.TrimSuffix(o, dom) + typo.Mapping[dom]); emails[r] != want {
			t.Errorf("email row %d: %q, want %q", r, emails[r], want)
		}
	}
	for _, r := range m.Find(demo.KindInvalidEmail, "patients", "Email").Rows {
		if emails[r] != origEmail[r-1] {
			t.Errorf("invalid email row %d changed: %q", r, emails[r])
		}
	}
	for r, e := range emails {
		if e != strings.ToLower(e) && e != origEmail[r-1] {
			t.Errorf("email row %d: %q", r, e)
		}
	}
	// ZIP codes: five digits again
	zips := byRow(t, p, "patients", "Zip")
	origZip := original(t, "patients.csv", "Zip")
	for _, r := range m.Find(demo.KindZipLeadingZero, "patients", "Zip").Rows {
		if z, ok := zips[r]; ok && z != "0"+origZip[r-1] {
			t.Errorf("zip row %d: %q", r, z)
		}
	}
	for r, z := range zips {
		if len(z) != 5 {
			t.Errorf("zip row %d: %q", r, z)
		}
	}
	// statuses: exactly the manifest's mapping, onto the eight values
	mapping := m.Find(demo.KindPicklistFreetext, "appointments", "Status").Mapping
	canon := map[string]bool{}
	for _, v := range mapping {
		canon[v] = true
	}
	if len(canon) != 8 {
		t.Fatalf("the manifest maps onto %d values", len(canon))
	}
	status := byRow(t, p, "appointments", "Status")
	for i, v := range original(t, "appointments.csv", "Status") {
		if status[i+1] != mapping[v] {
			t.Errorf("appointment %d: %q became %q, want %q", i+1, v, status[i+1], mapping[v])
		}
	}
	// untrimmed
	for r, v := range byRow(t, p, "patients", "City") {
		if v != strings.TrimSpace(v) {
			t.Errorf("city row %d: %q", r, v)
		}
	}

	// the audit, run again, finds none of these any more
	rep, err := audit.Run(ctx, p, audit.Options{ReferenceDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gone := []struct{ kind, table, col string }{
		{audit.KindTestRecord, "patients", ""}, {audit.KindDuplicateExact, "patients", ""},
		{audit.KindDuplicateKey, "patients", "PatientID"}, {audit.KindDuplicateFuzzy, "patients", ""},
		{audit.KindNameLastFirst, "patients", "LastName"}, {audit.KindDateMixed, "patients", "BirthDate"},
		{audit.KindDateAmbiguous, "patients", "BirthDate"}, {audit.KindDateAmbiguous, "appointments", "Date"},
		{audit.KindPlaceholder, "patients", "BirthDate"}, {audit.KindEmailTypo, "patients", "Email"},
		{audit.KindZipLeadingZero, "patients", "Zip"}, {audit.KindPicklistFreetext, "appointments", "Status"},
		{audit.KindUntrimmed, "patients", "City"}, {audit.KindUntrimmed, "appointments", "Status"},
		{audit.KindMixedCase, "patients", "LastName"}, {audit.KindMixedCase, "patients", "FirstName"},
	}
	for _, g := range gone {
		if fs := rep.Find(g.kind, g.table, g.col); len(fs) > 0 {
			t.Errorf("the audit still finds %s in %s.%s: %s", g.kind, g.table, g.col, fs[0].Message)
		}
	}
	if st, detail, err := cleanse.Status(ctx, p); err != nil || st != wizard.InProgress || !strings.Contains(detail, "operations") {
		t.Errorf("status: %v %q %v", st, detail, err)
	}

	// undo everything: every table byte for byte as it was, purged and merged rows back, new
	// columns gone
	for {
		if _, err := cleanse.Undo(ctx, p); errors.Is(err, cleanse.ErrNothingUndo) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	after := hashAll(t, p)
	for name, h := range before {
		if after[name] != h {
			t.Errorf("%s is not as it was after undoing everything", name)
		}
	}
	if n, _ := cleanse.RemovedCounts(ctx, p); len(n) != 0 {
		t.Errorf("removed rows left after undo: %+v", n)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("custody: %v %v", rep, err)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// readAs reads a slash date in a known order as ISO ("" for anything else).
func readAs(v, order string) string {
	var a, b, y int
	if n, _ := sscanDate(v, &a, &b, &y); n != 3 {
		return ""
	}
	d, mo := a, b
	if order == "MDY" {
		d, mo = b, a
	}
	tm := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if tm.Day() != d || int(tm.Month()) != mo || y < 1000 {
		return ""
	}
	return tm.Format("2006-01-02")
}

var slashDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)

func sscanDate(v string, a, b, y *int) (int, error) {
	m := slashDate.FindStringSubmatch(v)
	if m == nil {
		return 0, nil
	}
	atoi := func(s string) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	*a, *b, *y = atoi(m[1]), atoi(m[2]), atoi(m[3])
	return 3, nil
}

// generated writes the demo practice with another seed into a folder laid out like
// assets.Demo, with edit applied to each file's bytes.
func generated(t testing.TB, seed uint64, edit func(name string, b []byte) []byte) fs.FS {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "demo")
	if _, err := demo.Generate(dir, demo.Config{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			os.WriteFile(filepath.Join(dir, e.Name()), edit(e.Name(), b), 0o644)
		}
	}
	return os.DirFS(root)
}

// TestDemoRecipeReplaysOnAnotherExport: the cutover export (here, the practice generated with
// another seed) takes the recipe; the rules apply to its own rows, and the reviewed duplicate
// groups, which name people of the first export, are not applied to whoever has those keys now.
func TestDemoRecipeReplaysOnAnotherExport(t *testing.T) {
	ctx := context.Background()
	p := demoProject(t, generated(t, 7, nil))
	rc := loadDemoRecipe(t)
	res, err := cleanse.Replay(ctx, p, rc, cleanse.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != len(rc.Steps) {
		t.Fatalf("%d of %d steps", len(res.Steps), len(rc.Steps))
	}
	for i, r := range res.Steps {
		if r.Step.Op == "purge" && r.Removed == 0 {
			t.Errorf("step %d purged nothing", i+1)
		}
		if r.Step.Op == "merge_duplicates" && len(r.Step.Clusters) > 0 {
			if r.Removed != 0 {
				t.Errorf("step %d merged %d records of other people", i+1, r.Removed)
			}
			n := int64(0)
			for _, l := range r.Left {
				n += l.Count
			}
			if n == 0 {
				t.Errorf("step %d does not say its groups could not be applied", i+1)
			}
		}
	}
	var bad int
	p.Reader().QueryRow(`SELECT count(*) FROM appointments WHERE Date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d appointment dates not ISO after replay", bad)
	}
}

// TestReplayStopsOnARenamedColumn: a renamed header stops the replay before anything changes,
// and the message names the column and what it seems to be called now.
func TestReplayStopsOnARenamedColumn(t *testing.T) {
	ctx := context.Background()
	p := demoProject(t, generated(t, 1, func(name string, b []byte) []byte {
		if name == "patients.csv" {
			return bytes.Replace(b, []byte(",Phone,"), []byte(",Telephone,"), 1)
		}
		return b
	}))
	before := hashAll(t, p)
	_, err := cleanse.Replay(ctx, p, loadDemoRecipe(t), cleanse.ReplayOptions{})
	var mm *cleanse.MismatchError
	if !errors.As(err, &mm) || !errors.Is(err, cleanse.ErrMismatch) {
		t.Fatalf("replay: %v", err)
	}
	if len(mm.Report.Problems) != 1 || mm.Report.Problems[0].Column != "Phone" || mm.Report.Problems[0].Candidate != "Telephone" {
		t.Fatalf("problems: %+v", mm.Report.Problems)
	}
	if !strings.Contains(err.Error(), "Phone") || !strings.Contains(err.Error(), "Telephone") {
		t.Errorf("message: %v", err)
	}
	if !maps(before, hashAll(t, p)) {
		t.Error("a stopped replay changed the tables")
	}
	if h, _ := cleanse.History(ctx, p); len(h) != 0 {
		t.Errorf("a stopped replay left %d operations", len(h))
	}
}
