package files

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFileStemIsOnePlainNameOnEverySystem(t *testing.T) {
	for in, want := range map[string]string{
		"Patient":              "Patient",
		"../x":                 "_x",
		"../../etc/passwd":     "_.._etc_passwd",
		`..\..\Windows\win`:    `_.._Windows_win`,
		"/abs":                 "_abs",
		"a\x00b\nc\x7f":        "a_b_c_",
		"CON":                  "_CON",
		"nul.txt":              "_nul.txt",
		"com1":                 "_com1",
		"Lpt9 ":                "_Lpt9",
		"...":                  "entity",
		"":                     "entity",
		" . ":                  "entity",
		"invoice\u202Efdp.exe": "invoice_fdp.exe",
		"Rendez-vous (été)":    "Rendez-vous (été)",
		"a:b*c?d\"e<f>g|h":     "a_b_c_d_e_f_g_h",
	} {
		got := fileStem(in)
		if got != want {
			t.Errorf("fileStem(%q) = %q, want %q", in, got, want)
		}
		if filepath.Base(got) != got || strings.ContainsAny(got, `/\`) || strings.HasPrefix(got, ".") {
			t.Errorf("fileStem(%q) = %q is not a plain name", in, got)
		}
	}
	long := fileStem(strings.Repeat("é", 200))
	if len(long) > maxStem || !strings.HasPrefix(long, "é") || strings.ContainsRune(long, '\uFFFD') {
		t.Errorf("long name cut badly: %d bytes", len(long))
	}
}

func TestNamesNeverCollideNorTakeTheManifest(t *testing.T) {
	nm := newNamer()
	got := []string{
		nm.take("Patient", 1, "csv"),
		nm.take("patient", 1, "csv"), // same file on Windows and macOS
		nm.take("A", 3, "csv"),       // A_001 … A_003
		nm.take("A_002", 1, "csv"),
		nm.take("manifest", 1, "csv"),
		nm.take("a/b", 1, "csv"),
		nm.take("a_b", 1, "csv"),
	}
	want := []string{"Patient", "patient-2", "A", "A_002-2", "manifest-2", "a_b", "a_b-2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stem %d = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
	if chunkName("A", 2, 3, "csv") != "A_002.csv" || chunkName("A", 1, 1, "xlsx") != "A.xlsx" || chunkName("A", 7, 1200, "csv") != "A_0007.csv" {
		t.Error("chunk names")
	}
}

func TestSheetNames(t *testing.T) {
	for in, want := range map[string]string{
		"Patient":                                "Patient",
		"a[b]:c*d?e/f\\g":                        "a_b__c_d_e_f_g",
		"'quoted'":                               "quoted",
		"History":                                "History_",
		"":                                       "Sheet1",
		"PaymentReconciliationWithAVeryLongName": "PaymentReconciliationWithAVeryL",
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)":               "'=SUM(A1)",
		"@SUM(A1)":               "'@SUM(A1)",
		"+cmd|' /C calc'!A0":     "'+cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
		"\tx":                    "'\tx",
		"\rx":                    "'\rx",
		"-12.50":                 "-12.50",
		"+12038480676":           "+12038480676",
		"+1 (203) 848-0676":      "+1 (203) 848-0676",
		"-":                      "-",
		"Smith":                  "Smith",
		"a=b":                    "a=b",
		"":                       "",
		"-abc":                   "'-abc",
	} {
		got, changed := neutralise(in)
		if got != want || changed != (got != in) {
			t.Errorf("neutralise(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

func TestXLSXNumbersOnlyWhenShownExactly(t *testing.T) {
	for in, want := range map[string]int{ // decimals, or -1: stays text
		"95.00":            2,
		"0":                0,
		"0.5":              1,
		"-12.50":           2,
		"1234567890":       0,
		"00123":            -1,
		"1e5":              -1,
		"+5":               -1,
		"-0":               -1,
		"-0.00":            -1,
		"1,234.50":         -1,
		"12.":              -1,
		".5":               -1,
		"1234567890123456": -1, // 16 digits: a double cannot keep them all
		"":                 -1,
	} {
		_, dec, ok := xlsxNumber(in)
		if !ok {
			dec = -1
		}
		if dec != want {
			t.Errorf("xlsxNumber(%q): %d decimals, want %d", in, dec, want)
		}
	}
	if xlsxProblem("Zoë 🙂\n\ttab") != "" || xlsxProblem("a\x01") == "" || xlsxProblem("\xff") == "" ||
		xlsxProblem(strings.Repeat("x", xlsxMaxCellChars)) != "" || xlsxProblem(strings.Repeat("🙂", xlsxMaxCellChars/2+1)) == "" {
		t.Error("xlsxProblem")
	}
}

func TestConfigIsCheckedInWords(t *testing.T) {
	for _, c := range []Config{
		{},
		{Dir: "x", Format: "pdf"},
		{Dir: "x", ChunkRows: -1},
		{Dir: "x", Delimiter: `"`},
		{Dir: "x", Delimiter: ",,"},
		{Dir: "x", Encoding: "utf-16"},
		{Dir: "x", LineEnding: "cr"},
		{Dir: "x", Header: "both"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	c, err := Config{Dir: "x", Format: ".XLSX", Delimiter: "tab"}.withDefaults()
	if err != nil || c.Format != "xlsx" || c.Delimiter != "\t" || c.Encoding != "utf-8" || c.LineEnding != "crlf" {
		t.Errorf("%+v %v", c, err)
	}
	if (Config{Dir: "x", Format: "xlsx", ChunkRows: 2000000}).chunkRows() != XLSXMaxRows || (Config{Dir: "x", Format: "csv"}).chunkRows() != 0 {
		t.Error("chunkRows")
	}
}
