package presets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/target"
)

func TestEveryBuiltInPresetValidates(t *testing.T) {
	t.Setenv("FERRY_CONFIG_DIR", t.TempDir())
	srcs, _, bad := Sources()
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "open-dental,openemr,report-export,synthea-csv" {
		t.Errorf("sources = %s", got)
	}
	od, ok := FindSource("Open Dental")
	if !ok {
		t.Fatal("Open Dental not found by its title")
	}
	pat := od.Table("Patient")
	if pat.Column("Gender").Codes["1"] != "Female" || !pat.Column("birthdate").IsPlaceholder("0001-01-01") || !pat.Column("EstBalance").Money {
		t.Errorf("Open Dental patient = %+v", pat)
	}
	if len(od.Relationships()) == 0 {
		t.Error("no relationships")
	}
	if _, ok := FindTarget("Cliniko"); !ok {
		t.Error("Cliniko target not found by title")
	}
	if list, bad := List(); len(bad) > 0 || len(list) < 11 {
		t.Errorf("List = %d presets, %v", len(list), bad)
	}
}

func TestABrokenPresetSaysWhatAndWhere(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FERRY_CONFIG_DIR", dir)
	for body, want := range map[string]string{
		`{"format":"ferry-source/1","name":"x","title":"X","tables":[{"name":"t","columns":[{"name":"a","colour":"red"}]}]}`:                  "tables[0].columns[0].colour: unknown member",
		`{"format":"ferry-source/1","name":"x","title":"X","tables":[{"name":"t","columns":[{"name":"a","concept":"shoe size"}]}]}`:           "tables[0].columns[0].concept",
		`{"format":"ferry-source/1","name":"x","title":"X","tables":[{"name":"t","key":"nope","columns":[{"name":"a","references":"u.b"}]}]}`: "tables[0].key",
		"{\"format\":\"ferry-source/1\",\n \"name\": \"x\",,}":                                                                                "line 2, column",
		`{"format":"ferry-source/1","name":"Bad Name","title":"X","tables":[{"name":"t","columns":[]}]}`:                                      "name: \"Bad Name\"",
	} {
		f := filepath.Join(dir, "broken.json")
		os.WriteFile(f, []byte(body), 0o644)
		_, err := ReadSourceFile(f)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "broken.json") {
			t.Errorf("%s:\n got %v\nwant %q", body, err, want)
		}
		if _, _, err := Install(f); err == nil {
			t.Errorf("Install took a broken preset")
		}
	}
}

func TestInstallExportAndUserPresets(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FERRY_CONFIG_DIR", dir)
	b, err := Export("Open Dental")
	if err != nil {
		t.Fatal(err)
	}
	mine := strings.Replace(string(b), `"name": "open-dental"`, `"name": "dentrix-g5"`, 1)
	mine = strings.Replace(mine, `"title": "Open Dental"`, `"title": "Dentrix G5"`, 1)
	mine = strings.Replace(mine, `"OpenDental"`, `"Dentrix"`, 1)
	mine = strings.Replace(mine, `"Open Dental Software"`, `"Dentrix G"`, 1)
	f := filepath.Join(t.TempDir(), "dentrix.json")
	os.WriteFile(f, []byte(mine), 0o644)
	kind, name, err := Install(f)
	if err != nil || kind != "source" || name != "dentrix-g5" {
		t.Fatalf("Install = %s %s %v", kind, name, err)
	}
	if s, ok := FindSource("dentrix g5"); !ok || s.Title != "Dentrix G5" {
		t.Errorf("installed preset not found: %+v", s)
	}
	tb, _ := Export("cliniko")
	if _, err := target.Parse(strings.NewReader(string(tb)), 0); err != nil {
		t.Errorf("exported target does not parse: %v", err)
	}
}

func TestSourcePresetTeachesTheDictionary(t *testing.T) {
	od, _ := FindSource("open-dental")
	base, err := target.Synonyms()
	if err != nil {
		t.Fatal(err)
	}
	d := od.Dictionary(base)
	has := func(s []string, v string) bool {
		for _, x := range s {
			if x == v {
				return true
			}
		}
		return false
	}
	if !has(d.ValueCodes("0"), "male") || !has(d.ValueCodes("1"), "female") || has(base.ValueCodes("0"), "male") {
		t.Errorf("codes: %v / base %v", d.ValueCodes("0"), base.ValueCodes("0"))
	}
	if !has(d.FieldConcepts("WirelessPhone"), "mobile") || !has(d.EntityConcepts("procedurelog"), "procedure") {
		t.Errorf("names: %v %v", d.FieldConcepts("WirelessPhone"), d.EntityConcepts("procedurelog"))
	}
}
