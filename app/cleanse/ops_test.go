package cleanse

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNameCase(t *testing.T) {
	for in, want := range map[string]string{
		"MCDONALD":              "McDonald",
		"o'brien":               "O'Brien",
		"D'ANGELO":              "D'Angelo",
		"VAN DER BERG":          "van der Berg",
		"ludwig van beethoven":  "Ludwig van Beethoven",
		"MACLEOD":               "MacLeod",
		"MACK":                  "Mack",
		"MACHADO":               "Machado",
		"SMITH-JONES":           "Smith-Jones",
		"JÄRVINEN":              "Järvinen",
		"ZOË":                   "Zoë",
		"JOHN SMITH III":        "John Smith III",
		"DE LA CRUZ":            "de la Cruz",
		"VAN":                   "Van",
		"mary-kate o'neill":     "Mary-Kate O'Neill",
		"ÉMILE ZOLA":            "Émile Zola",
		"J. R. R. TOLKIEN":      "J. R. R. Tolkien",
		"GONÇALVES AOIFE":       "Gonçalves Aoife",
		"ΟΔΥΣΣΕΑΣ":              "Οδυσσεας",
		"henry ford jr":         "Henry Ford Jr",
		"  SPACED   OUT  ":      "  Spaced   Out  ",
		"MCKENZIE-MACDONALD":    "McKenzie-MacDonald",
		"o’connor":              "O’Connor",
		"ABDUL AL-HAKIM":        "Abdul Al-Hakim",
		"DOS SANTOS":            "dos Santos",
		"WILLIAMS, SERENA":      "Williams, Serena",
		"anne-marie d'souza ii": "Anne-Marie D'Souza II",
	} {
		if got := NameCase(in); got != want {
			t.Errorf("NameCase(%q) = %q, want %q", in, got, want)
		}
	}
	// only values in one case change, unless all
	f := caseFunc(Step{Case: "name"})
	if out, ch, _ := f("deBoer", false); ch || out != "deBoer" {
		t.Errorf("mixed case changed: %q", out)
	}
	f = caseFunc(Step{Case: "upper"})
	if out, _, _ := f("straße", false); out != "STRASSE" {
		t.Errorf("upper: %q", out)
	}
}

func TestSplitNames(t *testing.T) {
	for in, want := range map[string]string{
		"Smith, John":          "Smith|John|",
		"Smith, John K.":       "Smith|John|K.",
		"  van der Berg, Anna": "van der Berg|Anna|",
	} {
		l, f, m, ok := splitLastFirst(in)
		if !ok || l+"|"+f+"|"+m != want {
			t.Errorf("splitLastFirst(%q) = %q %q %q %v", in, l, f, m, ok)
		}
	}
	for _, in := range []string{"Smith, Jr.", "Smith", ", John", "A, B, C"} {
		if _, _, _, ok := splitLastFirst(in); ok {
			t.Errorf("splitLastFirst(%q) split", in)
		}
	}
	for in, want := range map[string]string{
		"John Smith":           "John||Smith",
		"John K. Smith":        "John|K.|Smith",
		"Ludwig van Beethoven": "Ludwig||van Beethoven",
		"John Smith Jr.":       "John||Smith Jr.",
		"Mary Ann de la Cruz":  "Mary|Ann|de la Cruz",
	} {
		f, m, l, ok := splitFirstLast(in)
		if !ok || f+"|"+m+"|"+l != want {
			t.Errorf("splitFirstLast(%q) = %q %q %q %v", in, f, m, l, ok)
		}
	}
}

func TestNormaliseDateNeverGuesses(t *testing.T) {
	s := Step{Order: "DMY"}
	for in, want := range map[string]string{
		"13/04/2021":        "2021-04-13",
		"05/05/2021":        "2021-05-05",
		"2021-4-3":          "2021-04-03",
		"2021/04/03":        "2021-04-03",
		"3 Apr 2021":        "2021-04-03",
		"April 3, 2021":     "2021-04-03",
		"13.04.2021 10:30":  "2021-04-13 10:30",
		"2021-04-03T10:30Z": "2021-04-03T10:30Z",
		"03/04/2021":        "!" + LeftAmbiguous,
		"04/13/2021":        "!" + LeftContradicts,
		"31/02/2021":        "!" + LeftNotDate,
		"00/00/0000":        "!" + LeftNotDate,
		"N/A":               "!" + LeftNotDate,
		"3/4/21":            "!" + LeftTwoDigitYear,
		"soon":              "!" + LeftNotDate,
	} {
		out, reason := normaliseDate(in, s)
		if reason != "" {
			out = "!" + reason
		}
		if out != want {
			t.Errorf("DMY %q → %q, want %q", in, out, want)
		}
	}
	// the person's decisions: in bulk, and value by value
	bulk := Step{Order: "DMY", Ambiguous: "MDY"}
	if out, _ := normaliseDate("03/04/2021", bulk); out != "2021-03-04" {
		t.Errorf("bulk: %q", out)
	}
	one := Step{Order: "mixed", Decisions: map[string]string{"03/04/2021": "DMY", "05/06/2021": "2021-06-05"}}
	for in, want := range map[string]string{"03/04/2021": "2021-04-03", "05/06/2021": "2021-06-05", "04/13/2021": "2021-04-13",
		"13/04/2021": "2021-04-13", "07/08/2021": "!" + LeftAmbiguous} {
		out, reason := normaliseDate(in, one)
		if reason != "" {
			out = "!" + reason
		}
		if out != want {
			t.Errorf("mixed %q → %q, want %q", in, out, want)
		}
	}
	if d, m, ok := DateReadings("03/04/2021"); !ok || d != "2021-04-03" || m != "2021-03-04" {
		t.Errorf("readings: %s %s %v", d, m, ok)
	}
}

// The fast path for North American numbers answers exactly as libphonenumber does.
func TestPhoneFastPathAgreesWithLibphonenumber(t *testing.T) {
	ph := newPhoner("US", "e164")
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	forms := []func(d string) string{
		func(d string) string { return d },
		func(d string) string { return "(" + d[:3] + ") " + d[3:6] + "-" + d[6:] },
		func(d string) string { return "1-" + d[:3] + "-" + d[3:6] + "-" + d[6:] },
		func(d string) string { return "+1 " + d[:3] + "." + d[3:6] + "." + d[6:] },
	}
	for i := 0; i < n; i++ {
		npa := 200 + r.IntN(800)
		if i%3 == 0 {
			npa = []int{617, 508, 203, 416, 604, 212, 800, 555, 911, 264}[r.IntN(10)]
		}
		d := strconv.Itoa(npa) + strconv.Itoa(200+r.IntN(800)) + strconv.Itoa(1000 + r.IntN(9000))[0:4]
		v := forms[i%len(forms)](d)
		got, reason := ph.normalise(v)
		lib := ph.library(v)
		if got != lib.out || reason != lib.reason {
			t.Fatalf("%q: fast path %q %q, library %q %q", v, got, reason, lib.out, lib.reason)
		}
	}
	for in, want := range map[string]string{
		"617.555.0134":         "+16175550134",
		"(617) 740-9824":       "+16177409824",
		"+44 20 7946 0958":     "+442079460958",
		"617-740-9824 ext. 12": "!" + LeftPhoneExtension,
		"555-01":               "!" + LeftInvalidPhone,
		"n/a":                  "!" + LeftInvalidPhone,
	} {
		out, reason := newPhoner("US", "e164").normalise(in)
		if reason != "" {
			out = "!" + reason
		}
		if out != want {
			t.Errorf("%q → %q, want %q", in, out, want)
		}
	}
	if out, _ := newPhoner("US", "national").normalise("6177409824"); out != "(617) 740-9824" {
		t.Errorf("national: %q", out)
	}
	if out, _ := newPhoner("GB", "e164").normalise("020 7946 0958"); out != "+442079460958" {
		t.Errorf("GB: %q", out)
	}
	n0, _ := phonenumbers.Parse("+16177409824", "US")
	if !phonenumbers.IsValidNumber(n0) {
		t.Fatal("the test's own number is not valid")
	}
}

func TestEmailsAndZips(t *testing.T) {
	for in, want := range map[string]string{
		" Ann.Lee@GMIAL.com ": "ann.lee@gmail.com",
		"joan1324@gmail.con":  "joan1324@gmail.com",
		"x@yaho.com":          "x@yahoo.com",
		"x@mycompany.com":     "x@mycompany.com",
		"ann1196 gmail.com":   "!",
		"gpowell1165@me":      "!",
		"a@@b.com":            "!",
	} {
		out, ok := normaliseEmail(in, true)
		if !ok {
			out = "!"
		}
		if out != want {
			t.Errorf("%q → %q, want %q", in, out, want)
		}
	}
	if out, _ := normaliseEmail("X@GMIAL.COM", false); out != "x@gmial.com" {
		t.Errorf("without fix_typos: %q", out)
	}
	for in, want := range map[string]string{"2115": "02115", "601": "00601", "2115-1234": "02115-1234", "02115": "02115",
		"21": "!", "K1A 0B1": "!", "2115-12": "!"} {
		out, ok := restoreZip(in, 5)
		if !ok {
			out = "!"
		}
		if out != want {
			t.Errorf("zip %q → %q, want %q", in, out, want)
		}
	}
}

func TestSuggestMapping(t *testing.T) {
	targets := []string{"scheduled", "confirmed", "arrived", "completed", "no_show", "cancelled_by_patient",
		"cancelled_by_practice", "rescheduled"}
	got := map[string]string{}
	for _, s := range SuggestMapping([]string{"NS", "no show", " No-Show", "DNA", "Cmp", "COMPLETED", "Sched", "Cxl",
		"Cancelled by office", "Resched", "Confirmed (VM)", "Here", "completd", "Purple"}, targets) {
		got[s.Value] = s.Target
	}
	for v, want := range map[string]string{"NS": "no_show", "no show": "no_show", " No-Show": "no_show", "DNA": "no_show",
		"Cmp": "completed", "COMPLETED": "completed", "Sched": "scheduled", "Cxl": "cancelled_by_patient",
		"Cancelled by office": "cancelled_by_practice", "Resched": "rescheduled", "Confirmed (VM)": "confirmed",
		"Here": "arrived", "completd": "completed", "Purple": ""} {
		if got[v] != want {
			t.Errorf("%q → %q, want %q", v, got[v], want)
		}
	}
}

func TestStepsAreReadStrictly(t *testing.T) {
	for in, want := range map[string]error{
		`{"op":"trim","table":"t","column":"c"}`:                                                         nil,
		`{"op":"title_case","table":"t","column":"c"}`:                                                   nil,
		`{"op":"shred","table":"t"}`:                                                                     ErrUnknownOp,
		`{"op":"trim","table":"t","column":"c","mapping":{"a":"b"}}`:                                     ErrBadStep,
		`{"op":"trim","table":"t","colum":"c"}`:                                                          ErrBadStep,
		`{"op":"replace","table":"t","column":"c","find":"(a","regex":true}`:                             ErrBadStep,
		`{"op":"normalise_date","table":"t","column":"c","order":"DMY","decisions":{"1/2/2020":"soon"}}`: ErrBadStep,
		`{"op":"normalise_date","table":"t","column":"c"}`:                                               ErrBadStep,
		`{"op":"purge","table":"t","test_records":true}`:                                                 ErrBadStep,
		`{"op":"purge","table":"t","reason":"x","test_records":true,"finding_id":3}`:                     ErrBadStep,
		`{"op":"merge_duplicates","table":"t","review":true,"finding_id":3}`:                             ErrNeedsReview,
		`{"op":"merge_duplicates","table":"t","keep":"first","finding_id":3,"cluster_ids":[1,2]}`:        nil,
		`{"op":"split_name","table":"t","column":"c","into":["L","F"],"order":"last_first"}`:             nil,
		`{"op":"normalise_phone","table":"t","column":"c","region":"XX"}`:                                ErrBadStep,
		`{"op":"trim","column":"c"}`:                                                                     ErrBadStep,
	} {
		_, err := ParseStep([]byte(in))
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("%s: %v, want %v", in, err, want)
		}
	}
	_, err := ParseStep([]byte(`{"op":"shred","table":"t"}`))
	if !strings.Contains(err.Error(), `"shred"`) {
		t.Errorf("the unknown op is not named: %v", err)
	}
	s, _ := ParseStep([]byte(`{"op":"split_name","table":"t","column":"LastName","into":["LastName","FirstName"],"order":"last_first"}`))
	if s.Last != "LastName" || s.First != "FirstName" {
		t.Errorf("into: %+v", s)
	}
}

func TestRecipesAreReadStrictly(t *testing.T) {
	good := `{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"trim","table":"t","column":"c"}]}`
	if _, err := ParseRecipe([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"format":"ferry-cleanse-recipe","version":1,"steps":[]}`,
		`{"format":"ferry-cleanse-recipe","version":2,"steps":[{"op":"trim","table":"t","column":"c"}]}`,
		`{"format":"something","version":1,"steps":[{"op":"trim","table":"t","column":"c"}]}`,
		`{"format":"ferry-cleanse-recipe","version":1,"include":"/etc/passwd","steps":[{"op":"trim","table":"t","column":"c"}]}`,
		`{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"trim","table":"t","column":"c"},{"op":"rm","table":"t"}]}`,
		`{"format":"ferry-cleanse-recipe","version":1,"tables":[{"name":"u","columns":[]}],"steps":[{"op":"trim","table":"t","column":"c"}]}`,
		`{"format":"ferry-cleanse-recipe","version":1,"tables":[{"name":"t","file":"x.csv","columns":[]}],"steps":[{"op":"trim","table":"t","column":"c"}]}`,
		`[1,2,3]`,
	} {
		if _, err := ParseRecipe([]byte(bad)); err == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
	_, err := ParseRecipe([]byte(`{"format":"ferry-cleanse-recipe","version":1,"steps":[{"op":"trim","table":"t","column":"c"},{"op":"rm","table":"t"}]}`))
	if !errors.Is(err, ErrUnknownOp) || !strings.Contains(err.Error(), "step 2") || !strings.Contains(err.Error(), `"rm"`) {
		t.Errorf("unknown op: %v", err)
	}
}
