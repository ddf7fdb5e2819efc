package demo_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/assets"
)

func generate(t testing.TB, cfg demo.Config) (string, *demo.Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := demo.Generate(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestSameSeedAndSizeGiveIdenticalFiles(t *testing.T) {
	a, _ := generate(t, demo.Config{Patients: 700, Seed: 9})
	b, _ := generate(t, demo.Config{Patients: 700, Seed: 9})
	fa, fb := readDir(t, a), readDir(t, b)
	if len(fa) != 7 {
		t.Fatalf("wrote %d files, want 6 CSVs and the manifest", len(fa))
	}
	for name, x := range fa {
		if !bytes.Equal(x, fb[name]) {
			t.Errorf("%s differs between two runs with the same config", name)
		}
	}
	c, _ := generate(t, demo.Config{Patients: 700, Seed: 10})
	fc := readDir(t, c)
	for _, name := range []string{"patients.csv", "appointments.csv", "payments.csv"} {
		if bytes.Equal(fa[name], fc[name]) {
			t.Errorf("%s is the same for seeds 9 and 10", name)
		}
	}
}

// The embedded demo practice must be what the generator writes today.
func TestEmbeddedDemoIsCurrent(t *testing.T) {
	dir, _ := generate(t, demo.Config{})
	fresh := readDir(t, dir)
	embedded := map[string]bool{}
	err := fs.WalkDir(assets.Demo, "demo", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(path, "demo/")
		embedded[name] = true
		b, err := fs.ReadFile(assets.Demo, path)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, fresh[name]) {
			t.Errorf("assets/demo/%s is stale: run go generate ./assets", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range fresh {
		if !embedded[name] {
			t.Errorf("assets/demo/%s is missing: run go generate ./assets", name)
		}
	}
}

func TestManifestRoundTrips(t *testing.T) {
	dir, m := generate(t, demo.Config{Patients: 120, Seed: 3})
	got, err := demo.LoadManifest(filepath.Join(dir, demo.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	a, b := fmt.Sprintf("%+v", *m), fmt.Sprintf("%+v", *got)
	if a != b {
		t.Error("manifest.json does not read back as the manifest Generate returned")
	}
	if got.Seed != 3 || got.Patients != 120 || got.ReferenceDate != "2026-06-30" {
		t.Errorf("header = seed %d, patients %d, date %s", got.Seed, got.Patients, got.ReferenceDate)
	}
}

func TestPatientsFileIsWindows1252(t *testing.T) {
	dir, m := generate(t, demo.Config{})
	raw, err := os.ReadFile(filepath.Join(dir, "patients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(raw) {
		t.Error("patients.csv is valid UTF-8; it should be Windows-1252")
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"€", "’", "“", "”", "–"} {
		if !bytes.Contains(text, []byte(s)) {
			t.Errorf("patients.csv has no %q", s)
		}
	}
	accented := 0
	for _, r := range string(text) {
		if unicode.IsLetter(r) && r > unicode.MaxASCII {
			accented++
		}
	}
	if accented < 20 {
		t.Errorf("patients.csv has only %d accented letters", accented)
	}
	if f := m.File("patients"); f.Encoding != "windows-1252" || f.BOM {
		t.Errorf("manifest says patients.csv is %s bom=%v", f.Encoding, f.BOM)
	}
	inv, _ := os.ReadFile(filepath.Join(dir, "invoices.csv"))
	if !bytes.HasPrefix(inv, []byte("\xEF\xBB\xBF")) {
		t.Error("invoices.csv should start with a UTF-8 BOM")
	}
	appts, _ := os.ReadFile(filepath.Join(dir, "appointments.csv"))
	if !utf8.Valid(appts) || !bytes.Contains(appts, []byte("“")) {
		t.Error("appointments.csv should be UTF-8 with curly quotes in notes")
	}
}

func TestManifestCountsMatchTheFiles(t *testing.T) {
	for _, cfg := range []demo.Config{{}, {Patients: 3, Seed: 2}, {Patients: 60, Seed: 5}, {Patients: 20000, Seed: 42}} {
		t.Run(fmt.Sprintf("%d_%d", cfg.Patients, cfg.Seed), func(t *testing.T) {
			dir, m := generate(t, cfg)
			audit(t, dir, m)
		})
	}
}

func TestStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := demo.GenerateContext(ctx, t.TempDir(), demo.Config{Patients: 5000}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRejectsSizesItCannotMake(t *testing.T) {
	if _, err := demo.Generate(t.TempDir(), demo.Config{Patients: -1}); err == nil {
		t.Error("negative patient count accepted")
	}
	if _, err := demo.Generate(t.TempDir(), demo.Config{Patients: demo.MaxPatients + 1}); err == nil {
		t.Error("patient count above MaxPatients accepted")
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := demo.Generate(dir, demo.Config{Patients: 100000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// ---- an independent audit: re-read the files and recount every defect with plain logic ----

type tbl struct {
	cols []string
	rows [][]string
}

func (t tbl) col(name string) int { return slices.Index(t.cols, name) }

func (t tbl) values(name string) []string {
	i := t.col(name)
	out := make([]string, len(t.rows))
	for r, row := range t.rows {
		out[r] = row[i]
	}
	return out
}

func load(t *testing.T, dir string, f demo.File) tbl {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, f.Name))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")) != f.BOM {
		t.Errorf("%s: BOM presence does not match the manifest", f.Name)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) || bytes.Count(raw, []byte("\r")) != bytes.Count(raw, []byte("\r\n")) {
		t.Errorf("%s: not every line ends in CRLF", f.Name)
	}
	var r io.Reader = bytes.NewReader(raw)
	switch f.Encoding {
	case "windows-1252":
		r = transform.NewReader(r, charmap.Windows1252.NewDecoder())
	case "utf-8":
		if !utf8.Valid(raw) {
			t.Errorf("%s is not valid UTF-8", f.Name)
		}
	default:
		t.Fatalf("%s: encoding %q", f.Name, f.Encoding)
	}
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	if !slices.Equal(recs[0], f.Columns) {
		t.Errorf("%s header %v, manifest %v", f.Name, recs[0], f.Columns)
	}
	if len(recs)-1 != f.Rows {
		t.Errorf("%s has %d data rows, manifest %d", f.Name, len(recs)-1, f.Rows)
	}
	multi := 0
	for _, rec := range recs[1:] {
		for _, v := range rec {
			if strings.Contains(v, "\n") {
				multi++
			}
		}
	}
	if multi != f.Multiline {
		t.Errorf("%s has %d multi-line values, manifest %d", f.Name, multi, f.Multiline)
	}
	return tbl{cols: recs[0], rows: recs[1:]}
}

// found is what the audit below finds for one (kind, table, column).
type found struct {
	keys   []string
	rows   []int
	values map[string]int
}

func (f *found) add(key string, row int) {
	f.keys = append(f.keys, key)
	f.rows = append(f.rows, row)
}

func (f *found) value(v string) {
	if f.values == nil {
		f.values = map[string]int{}
	}
	f.values[v]++
}

type auditor struct {
	t       *testing.T
	m       *demo.Manifest
	checked map[*demo.Defect]bool
}

// expect compares a finding to the manifest: same count, keys and rows; none means no entry.
func (a *auditor) expect(kind, table, column string, f found) *demo.Defect {
	a.t.Helper()
	d := a.m.Find(kind, table, column)
	if len(f.rows) == 0 {
		if d != nil {
			a.t.Errorf("%s %s.%s: manifest says %d, the files have none", kind, table, column, d.Count)
		}
		return nil
	}
	if d == nil {
		a.t.Errorf("%s %s.%s: the files have %d, manifest has no entry", kind, table, column, len(f.rows))
		return nil
	}
	a.checked[d] = true
	if d.Count != len(f.rows) {
		a.t.Errorf("%s %s.%s: count %d, files have %d", kind, table, column, d.Count, len(f.rows))
	}
	if !slices.Equal(d.Keys, f.keys) {
		a.t.Errorf("%s %s.%s: keys %v, files %v", kind, table, column, d.Keys, f.keys)
	}
	if !slices.Equal(d.Rows, f.rows) {
		a.t.Errorf("%s %s.%s: rows %v, files %v", kind, table, column, d.Rows, f.rows)
	}
	if f.values != nil && fmt.Sprint(d.Values) != fmt.Sprint(f.values) {
		a.t.Errorf("%s %s.%s: values %v, files %v", kind, table, column, d.Values, f.values)
	}
	return d
}

var (
	ref        = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	isoRe      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	slashRe    = regexp.MustCompile(`^(\d{2})/(\d{2})/(\d{4})$`)
	emailRe    = regexp.MustCompile(`^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
	moneyRe    = regexp.MustCompile(`^(-?)\$?(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})$`)
	typoDomain = map[string]bool{"gmial.com": true, "gamil.com": true, "gmail.con": true, "yaho.com": true, "hotmial.com": true, "outlok.com": true}
	placeholds = map[string]bool{"": true, "0001-01-01": true, "N/A": true, "00/00/0000": true}
)

func parseISO(s string) (time.Time, bool) {
	if !isoRe.MatchString(s) {
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", s)
	return d, err == nil
}

func fold(s string) string {
	s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lev(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
		}
	}
	return d[len(ra)][len(rb)]
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	return d
}

func audit(t *testing.T, dir string, m *demo.Manifest) {
	a := &auditor{t: t, m: m, checked: map[*demo.Defect]bool{}}
	tabs := map[string]tbl{}
	for _, f := range m.Files {
		tabs[f.Table] = load(t, dir, f)
	}
	if len(tabs) != 6 {
		t.Fatalf("manifest lists %d files", len(tabs))
	}
	pat := tabs["patients"]
	ids := pat.values("PatientID")

	// Duplicates: identical rows, then repeated PatientIDs.
	var exact, dupKey found
	var exactGroups, keyGroups [][]int
	seenRow, seenID := map[string]int{}, map[string]int{}
	rowGroups, idGroups := map[int][]int{}, map[int][]int{}
	for i, row := range pat.rows {
		n := i + 1
		j := strings.Join(row, "\x00")
		if first, ok := seenRow[j]; ok {
			exact.add(row[0], n)
			rowGroups[first] = append(rowGroups[first], n)
		} else {
			seenRow[j] = n
			rowGroups[n] = []int{n}
		}
		if first, ok := seenID[row[0]]; ok {
			dupKey.add(row[0], n)
			idGroups[first] = append(idGroups[first], n)
		} else {
			seenID[row[0]] = n
			idGroups[n] = []int{n}
		}
	}
	for n := 1; n <= len(pat.rows); n++ {
		if len(rowGroups[n]) > 1 {
			exactGroups = append(exactGroups, rowGroups[n])
		}
		if len(idGroups[n]) > 1 {
			keyGroups = append(keyGroups, idGroups[n])
		}
	}
	if d := a.expect(demo.KindDuplicateExact, "patients", "", exact); d != nil && fmt.Sprint(d.Groups) != fmt.Sprint(exactGroups) {
		t.Errorf("duplicate_exact groups %v, files %v", d.Groups, exactGroups)
	}
	if d := a.expect(demo.KindDuplicateKey, "patients", "PatientID", dupKey); d != nil && fmt.Sprint(d.Groups) != fmt.Sprint(keyGroups) {
		t.Errorf("duplicate_key groups %v, files %v", d.Groups, keyGroups)
	}
	for _, name := range []string{"providers", "appointments", "invoices", "payments", "recalls"} {
		tb := tabs[name]
		seen := map[string]bool{}
		for _, k := range tb.values(tb.cols[0]) {
			if seen[k] {
				t.Errorf("%s: key %s repeats", name, k)
			}
			seen[k] = true
		}
	}

	// Test records, by name.
	var tests found
	isTest := make([]bool, len(pat.rows))
	for i, row := range pat.rows {
		f, l := fold(row[2]), fold(row[1])
		name := f + " " + l
		if strings.Contains(f, "test") || strings.Contains(l, "test") || name == "mickey mouse" || name == "minnie mouse" || name == "donald duck" {
			isTest[i] = true
			tests.add(row[0], i+1)
		}
	}
	a.expect(demo.KindTestRecord, "patients", "", tests)

	// Names typed "Last, First" into LastName.
	var lastFirst found
	for i, row := range pat.rows {
		if strings.Contains(row[1], ",") {
			if row[2] != "" {
				t.Errorf("row %d: %q with first name %q", i+1, row[1], row[2])
			}
			lastFirst.add(row[0], i+1)
		}
	}
	a.expect(demo.KindNameLastFirst, "patients", "LastName", lastFirst)

	// Birth dates: formats, placeholders, impossible dates, day/month ambiguity.
	var placeholder, impossible found
	formats := map[string]int{}
	amb := map[string]int{}
	dobs := make([]time.Time, len(pat.rows))
	for i, row := range pat.rows {
		v := row[pat.col("BirthDate")]
		var d time.Time
		switch {
		case placeholds[v]:
			placeholder.add(row[0], i+1)
			placeholder.value(v)
			continue
		case isoRe.MatchString(v):
			var ok bool
			if d, ok = parseISO(v); !ok {
				t.Fatalf("row %d: BirthDate %q is not a date", i+1, v)
			}
			formats["YYYY-MM-DD"]++
		case slashRe.MatchString(v):
			p := slashRe.FindStringSubmatch(v)
			first, _ := strconv.Atoi(p[1])
			second, _ := strconv.Atoi(p[2])
			if first > 12 {
				t.Errorf("row %d: BirthDate %q reads only as day-first", i+1, v)
			}
			var err error
			if d, err = time.Parse("01/02/2006", v); err != nil {
				t.Fatalf("row %d: BirthDate %q is not a month-first date", i+1, v)
			}
			formats["MM/DD/YYYY"]++
			switch {
			case first <= 12 && second <= 12 && first != second:
				amb["ambiguous"]++
			case first == second:
				amb["same_day_month"]++
			default:
				amb["proves_order"]++
			}
		default:
			t.Fatalf("row %d: BirthDate %q in no known shape", i+1, v)
		}
		dobs[i] = d
		switch {
		case d.After(ref):
			impossible.add(row[0], i+1)
			impossible.value("future")
		case d.Before(ref.AddDate(-120, 0, 0)):
			impossible.add(row[0], i+1)
			impossible.value("over_120")
		}
	}
	a.expect(demo.KindPlaceholder, "patients", "BirthDate", placeholder)
	a.expect(demo.KindDateImpossible, "patients", "BirthDate", impossible)
	if d := m.Find(demo.KindDateMixed, "patients", "BirthDate"); d == nil {
		if len(formats) > 1 {
			t.Error("no date_mixed entry for patients.BirthDate")
		}
	} else {
		a.checked[d] = true
		if d.Count != min(formats["YYYY-MM-DD"], formats["MM/DD/YYYY"]) || fmt.Sprint(d.Values) != fmt.Sprint(formats) {
			t.Errorf("date_mixed: count %d values %v, files %v", d.Count, d.Values, formats)
		}
	}
	a.ambiguity("patients", "BirthDate", "MDY", amb)

	// Appointment dates: all day-first.
	amb = map[string]int{}
	for i, v := range tabs["appointments"].values("Date") {
		p := slashRe.FindStringSubmatch(v)
		if p == nil {
			t.Fatalf("appointments row %d: Date %q", i+1, v)
		}
		first, _ := strconv.Atoi(p[1])
		second, _ := strconv.Atoi(p[2])
		if _, err := time.Parse("02/01/2006", v); err != nil || second > 12 {
			t.Errorf("appointments row %d: Date %q is not day-first", i+1, v)
		}
		switch {
		case first <= 12 && second <= 12 && first != second:
			amb["ambiguous"]++
		case first == second:
			amb["same_day_month"]++
		default:
			amb["proves_order"]++
		}
	}
	a.ambiguity("appointments", "Date", "DMY", amb)
	for _, c := range [][2]string{{"patients", "CreatedDate"}, {"invoices", "Date"}, {"payments", "Date"}, {"recalls", "DueDate"}} {
		for i, v := range tabs[c[0]].values(c[1]) {
			if _, ok := parseISO(v); !ok {
				t.Errorf("%s row %d: %s %q is not ISO", c[0], i+1, c[1], v)
			}
		}
	}

	// Phones: libphonenumber decides.
	var badPhone found
	for i, row := range pat.rows {
		v := row[pat.col("Phone")]
		if v == "" {
			continue
		}
		if n, err := phonenumbers.Parse(v, "US"); err != nil || !phonenumbers.IsValidNumberForRegion(n, "US") {
			badPhone.add(row[0], i+1)
		}
	}
	a.expect(demo.KindInvalidPhone, "patients", "Phone", badPhone)
	for _, v := range tabs["providers"].values("NPI") {
		if !validNPI(v) {
			t.Errorf("provider NPI %q fails its check digit", v)
		}
	}
	for _, v := range tabs["providers"].values("Phone") {
		if n, err := phonenumbers.Parse(v, "US"); err != nil || !phonenumbers.IsValidNumber(n) {
			t.Errorf("provider phone %q is invalid", v)
		}
	}

	// E-mail: shape, then misspelled providers.
	var badEmail, typo found
	for i, row := range pat.rows {
		v := row[pat.col("Email")]
		if v == "" {
			continue
		}
		if !emailRe.MatchString(v) {
			badEmail.add(row[0], i+1)
			continue
		}
		if addr, err := mail.ParseAddress(v); err != nil || addr.Address != v {
			t.Errorf("row %d: %q passes the shape test but not net/mail", i+1, v)
		}
		if dom := v[strings.LastIndexByte(v, '@')+1:]; typoDomain[dom] {
			typo.add(row[0], i+1)
			typo.value(dom)
		}
	}
	a.expect(demo.KindInvalidEmail, "patients", "Email", badEmail)
	if d := a.expect(demo.KindEmailTypo, "patients", "Email", typo); d != nil {
		for dom, want := range d.Mapping {
			if !typoDomain[dom] || lev(dom, want) > 2 {
				t.Errorf("email_typo mapping %s → %s", dom, want)
			}
		}
	}
	for _, v := range tabs["providers"].values("Email") {
		if !emailRe.MatchString(v) {
			t.Errorf("provider email %q is invalid", v)
		}
	}

	// ZIP codes.
	var zip4 found
	for i, row := range pat.rows {
		switch v := row[pat.col("Zip")]; len(v) {
		case 4:
			zip4.add(row[0], i+1)
		case 5:
		default:
			t.Errorf("row %d: Zip %q", i+1, v)
		}
	}
	a.expect(demo.KindZipLeadingZero, "patients", "Zip", zip4)

	// Orphans, and every other reference resolves.
	patientSet := map[string]bool{}
	for _, id := range ids {
		patientSet[id] = true
	}
	for _, name := range []string{"appointments", "invoices", "payments", "recalls"} {
		tb := tabs[name]
		var orphans found
		var missing []string
		for i, row := range tb.rows {
			if pid := row[tb.col("PatientID")]; !patientSet[pid] {
				orphans.add(row[0], i+1)
				if !slices.Contains(missing, pid) {
					missing = append(missing, pid)
				}
			}
		}
		if d := a.expect(demo.KindOrphan, name, "PatientID", orphans); d != nil {
			if !slices.Equal(d.Missing, missing) || d.Parent != "patients.PatientID" {
				t.Errorf("orphan %s: missing %v parent %s, files %v", name, d.Missing, d.Parent, missing)
			}
		}
	}
	for _, tb := range m.Tables {
		for _, rel := range tb.Relationships {
			if rel.Column == "PatientID" {
				continue
			}
			parent := map[string]bool{}
			for _, k := range tabs[rel.ParentTable].values(rel.ParentColumn) {
				parent[k] = true
			}
			for i, v := range tabs[tb.Name].values(rel.Column) {
				if !parent[v] {
					t.Errorf("%s row %d: %s %q has no %s", tb.Name, i+1, rel.Column, v, rel.ParentTable)
				}
			}
		}
	}

	// Appointment status: free text standing for a short picklist.
	statuses := map[string]int{}
	for _, v := range tabs["appointments"].values("Status") {
		statuses[v]++
	}
	if d := m.Find(demo.KindPicklistFreetext, "appointments", "Status"); d == nil {
		if len(statuses) > 1 {
			t.Error("no picklist_freetext entry")
		}
	} else {
		a.checked[d] = true
		if d.Count != len(statuses) || fmt.Sprint(d.Values) != fmt.Sprint(statuses) || len(d.Mapping) != len(statuses) {
			t.Errorf("picklist: count %d (%d mapped), files have %d distinct", d.Count, len(d.Mapping), len(statuses))
		}
		canon := map[string]bool{"scheduled": true, "confirmed": true, "arrived": true, "completed": true, "no_show": true,
			"cancelled_by_patient": true, "cancelled_by_practice": true, "rescheduled": true}
		byKey := map[string]string{} // values that only differ by case and spaces mean the same
		for v, c := range d.Mapping {
			if !canon[c] || statuses[v] == 0 {
				t.Errorf("picklist maps %q → %q", v, c)
			}
			k := strings.ToLower(strings.TrimSpace(v))
			if prev, ok := byKey[k]; ok && prev != c {
				t.Errorf("picklist: %q maps to %s and %s", k, prev, c)
			}
			byKey[k] = c
		}
		for v, want := range map[string]string{"NS": "no_show", "cxl": "cancelled_by_patient", "completed ": "completed", "Dr out": "cancelled_by_practice", "R/S": "rescheduled"} {
			if got, ok := d.Mapping[v]; ok && got != want {
				t.Errorf("picklist maps %q to %s, want %s", v, got, want)
			}
		}
		if cfg := m.Patients; cfg >= 400 && len(statuses) < 100 {
			t.Errorf("only %d distinct statuses", len(statuses))
		}
	}

	// Untrimmed values: any column of any table.
	for _, f := range m.Files {
		tb := tabs[f.Table]
		for c, col := range tb.cols {
			var u found
			for i, row := range tb.rows {
				if row[c] != strings.TrimSpace(row[c]) {
					u.add(row[0], i+1)
				}
			}
			a.expect(demo.KindUntrimmed, f.Table, col, u)
		}
	}

	// Money: parse, total in cents, count the text.
	for _, mc := range m.Money {
		var text found
		var sum int64
		parsed, formatted := 0, 0
		tb := tabs[mc.Table]
		for i, row := range tb.rows {
			v := row[tb.col(mc.Column)]
			p := moneyRe.FindStringSubmatch(v)
			if p == nil {
				text.add(row[0], i+1)
				text.value(v)
				continue
			}
			whole, _ := strconv.ParseInt(strings.ReplaceAll(p[2], ",", ""), 10, 64)
			cents, _ := strconv.ParseInt(p[3], 10, 64)
			c := whole*100 + cents
			if p[1] == "-" {
				c = -c
			}
			sum += c
			parsed++
			if strings.ContainsAny(v, "$,") {
				formatted++
			}
		}
		a.expect(demo.KindMoneyText, mc.Table, mc.Column, text)
		s := fmt.Sprintf("%d.%02d", sum/100, abs(sum%100))
		if sum < 0 && sum > -100 {
			s = "-" + s
		}
		if mc.Sum != s || mc.Parsed != parsed || mc.Formatted != formatted || mc.NonNumeric != len(text.rows) {
			t.Errorf("money %s.%s: manifest %+v, files sum %s parsed %d formatted %d text %d", mc.Table, mc.Column, mc, s, parsed, formatted, len(text.rows))
		}
	}

	a.fuzzy(pat, dobs, isTest)

	for i := range m.Defects {
		if !a.checked[&m.Defects[i]] {
			t.Errorf("manifest entry %s %s.%s was not found in the files", m.Defects[i].Kind, m.Defects[i].Table, m.Defects[i].Column)
		}
	}
}

// validNPI is the Luhn check over "80840" + the NPI's ten digits.
func validNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	s := "80840" + npi
	sum := 0
	for i := range len(s) {
		v := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (a *auditor) ambiguity(table, column, order string, counts map[string]int) {
	a.t.Helper()
	d := a.m.Find(demo.KindDateAmbiguous, table, column)
	if counts["ambiguous"] == 0 {
		if d != nil {
			a.t.Errorf("date_ambiguous %s.%s: manifest %d, files none", table, column, d.Count)
		}
		return
	}
	if d == nil {
		a.t.Errorf("date_ambiguous %s.%s: files have %d, no entry", table, column, counts["ambiguous"])
		return
	}
	a.checked[d] = true
	for _, k := range []string{"ambiguous", "same_day_month", "proves_order"} {
		if d.Values[k] != counts[k] {
			a.t.Errorf("date_ambiguous %s.%s %s: manifest %d, files %d", table, column, k, d.Values[k], counts[k])
		}
	}
	if d.Count != counts["ambiguous"] || d.Order != order {
		a.t.Errorf("date_ambiguous %s.%s: count %d order %s, files %d %s", table, column, d.Count, d.Order, counts["ambiguous"], order)
	}
}

// fuzzy finds near-duplicate patients the plain way (block on birth date and folded last name,
// match folded first names within one edit), and checks that nothing else comes close.
func (a *auditor) fuzzy(pat tbl, dobs []time.Time, isTest []bool) {
	t := a.t
	type rec struct {
		id, first, last, phone, email string
	}
	byDOB := map[time.Time][]rec{}
	for i, row := range pat.rows {
		if isTest[i] || dobs[i].IsZero() {
			continue
		}
		r := rec{id: row[0], first: row[2], last: row[1], phone: digits(row[6]), email: row[7]}
		if r.first == "" && strings.Contains(r.last, ",") {
			parts := strings.SplitN(r.last, ",", 2)
			r.last, r.first = parts[0], strings.TrimSpace(parts[1])
		}
		r.first, r.last = fold(r.first), fold(r.last)
		byDOB[dobs[i]] = append(byDOB[dobs[i]], r)
	}
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			r := find(p)
			parent[x] = r
			return r
		}
		return x
	}
	for _, rs := range byDOB {
		for _, r := range rs {
			parent[r.id] = r.id
		}
	}
	for _, rs := range byDOB {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				x, y := rs[i], rs[j]
				if x.id != y.id && x.last == y.last && lev(x.first, y.first) <= 1 {
					rx, ry := find(x.id), find(y.id)
					if rx != ry {
						parent[rx] = ry
					}
				}
			}
		}
	}
	groups := map[string][]string{}
	for _, id := range pat.values("PatientID") {
		if _, ok := parent[id]; !ok {
			continue
		}
		r := find(id)
		if !slices.Contains(groups[r], id) {
			groups[r] = append(groups[r], id)
		}
	}
	var got []string
	count := 0
	clusterOf := map[string]int{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		count += len(g) - 1
		sort.Strings(g)
		got = append(got, strings.Join(g, " "))
	}
	sort.Strings(got)
	d := a.m.Find(demo.KindDuplicateFuzzy, "patients", "")
	var want []string
	if d != nil {
		a.checked[d] = true
		for ci, c := range d.Clusters {
			c = slices.Clone(c)
			for _, id := range c {
				clusterOf[id] = ci + 1
			}
			sort.Strings(c)
			want = append(want, strings.Join(c, " "))
		}
		if d.Count != count || len(d.Keys) != count {
			t.Errorf("duplicate_fuzzy count %d (%d keys), files %d", d.Count, len(d.Keys), count)
		}
	}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("duplicate_fuzzy clusters:\n manifest %v\n files    %v", want, got)
	}
	if len(want) == 0 && a.m.Patients >= 400 {
		t.Error("no fuzzy duplicates planted")
	}

	// Nothing outside a cluster is even close: same birth date means last names 3+ edits apart,
	// and no pair that matches with first and last name swapped.
	phones, emails := map[string]string{}, map[string]string{}
	for _, rs := range byDOB {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				x, y := rs[i], rs[j]
				if x.id == y.id || (clusterOf[x.id] != 0 && clusterOf[x.id] == clusterOf[y.id]) {
					continue
				}
				if lev(x.last, y.last) < 3 || (lev(x.first, y.last) < 2 && lev(x.last, y.first) < 2) {
					t.Errorf("patients %s (%s %s) and %s (%s %s) share a birth date and look alike", x.id, x.first, x.last, y.id, y.first, y.last)
				}
			}
		}
	}
	// Valid phones and e-mails are shared only inside a cluster (or by rows with the same
	// PatientID); the planted invalid phones ("n/a", "123" ...) repeat.
	for _, row := range pat.rows {
		id := row[0]
		phone := digits(row[6])
		if n, err := phonenumbers.Parse(row[6], "US"); err != nil || !phonenumbers.IsValidNumber(n) {
			phone = ""
		}
		for _, kv := range [][2]string{{phone, "phone"}, {row[7], "email"}} {
			v, what := kv[0], kv[1]
			if v == "" {
				continue
			}
			seen := phones
			if what == "email" {
				seen = emails
			}
			if other, ok := seen[v]; ok && other != id && (clusterOf[id] == 0 || clusterOf[id] != clusterOf[other]) {
				t.Errorf("%s %s is shared by patients %s and %s", what, v, other, id)
			}
			seen[v] = id
		}
	}
}
