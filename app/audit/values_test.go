package audit

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/ferry-migrate/ferry/app/textkit"
)

// The phone cache keys North American numbers by their first six digits; libphonenumber must
// agree value by value, whatever the number and however it is written.
func TestPhonePrefixCacheAgreesWithLibphonenumber(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := newPhoneChecker("US")
	areas := []int{617, 857, 212, 555, 800, 900, 123, 999, 311, 201, 340, 671, 787, 684, 905}
	n := 3000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		a := areas[r.IntN(len(areas))]
		if i%3 == 0 {
			a = 200 + r.IntN(800)
		}
		d := fmt.Sprintf("%03d%03d%04d", a, r.IntN(1000), r.IntN(10000))
		var v string
		switch i % 7 {
		case 0:
			v = "(" + d[:3] + ") " + d[3:6] + "-" + d[6:]
		case 1:
			v = d[:3] + "-" + d[3:6] + "-" + d[6:]
		case 2:
			v = d[:3] + "." + d[3:6] + "." + d[6:]
		case 3:
			v = d
		case 4:
			v = "+1 " + d[:3] + " " + d[3:6] + " " + d[6:]
		case 5:
			v = "1-" + d[:3] + "-" + d[3:6] + "-" + d[6:]
		default:
			v = d[:3] + "-" + d[3:6] + "-" + d[6:9] // one digit short
		}
		n, err := phonenumbers.Parse(v, "US")
		want := err == nil && phonenumbers.IsValidNumberForRegion(n, "US")
		if got := c.valid(v); got != want {
			t.Fatalf("%q: cache says %v, libphonenumber %v", v, got, want)
		}
	}
	for _, v := range []string{"n/a", "555-1234", "000-000-0000", "617-555-012", "(617) 123-4567", "123", "1-800-FLOWERS", "+44 20 7946 0958"} {
		n, err := phonenumbers.Parse(v, "US")
		want := err == nil && phonenumbers.IsValidNumberForRegion(n, "US")
		if got := c.valid(v); got != want {
			t.Errorf("%q: %v, libphonenumber %v", v, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in     string
		kind   uint8
		family string
		y      int
		a, b   int
	}{
		{"2020-01-15", dateYMD, "YYYY-MM-DD", 2020, 1, 15},
		{"2020-1-5", dateYMD, "YYYY-MM-DD", 2020, 1, 5},
		{"2019-02-17T05:08:22Z", dateYMD, "YYYY-MM-DDThh:mm", 2019, 2, 17},
		{"2019-02-17 05:08", dateYMD, "YYYY-MM-DDThh:mm", 2019, 2, 17},
		{"03/04/2021", dateXY, "XX/XX/YYYY", 2021, 3, 4},
		{"3/4/2021", dateXY, "XX/XX/YYYY", 2021, 3, 4},
		{"25.12.2020", dateXY, "XX.XX.YYYY", 2020, 25, 12},
		{"12/25/85", dateXY, "XX/XX/YY", 1985, 12, 25},
		{"04/05/2021 10:30 AM", dateXY, "XX/XX/YYYY hh:mm", 2021, 4, 5},
		{"5 Jan 2021", dateYMD, "DD Mon YYYY", 2021, 1, 5},
		{"January 5, 2021", dateYMD, "DD Mon YYYY", 2021, 1, 5},
		{"2021-02-30", dateBad, "YYYY-MM-DD", 2021, 2, 30},
		{"13/13/2020", dateBad, "XX/XX/YYYY", 2020, 13, 13},
		{"20200115", dateNone, "", 0, 0, 0},
		{"12345", dateNone, "", 0, 0, 0},
		{"Completed", dateNone, "", 0, 0, 0},
		{"617-555-0134", dateNone, "", 0, 0, 0},
	} {
		d := parseDate(c.in, false)
		if d.kind != c.kind || (c.kind != dateNone && (dateFamilies[d.family] != c.family || int(d.y) != c.y || int(d.a) != c.a || int(d.b) != c.b)) {
			t.Errorf("parseDate(%q) = %+v (%s)", c.in, d, dateFamilies[d.family])
		}
	}
	if d := parseDate("20200115", true); d.kind != dateYMD || d.y != 2020 || d.a != 1 || d.b != 15 {
		t.Errorf("compact date in a date column: %+v", d)
	}
	if y, m, d, ok := parseDate("03/04/21", false).resolve("DMY", 2026); !ok || y != 2021 || m != 4 || d != 3 {
		t.Errorf("03/04/21 read day first: %d-%d-%d %v", y, m, d, ok)
	}
	if y, _, _, _ := parseDate("03/04/45", false).resolve("DMY", 2026); y != 1945 {
		t.Errorf("two-digit year 45 in 2026: %d", y)
	}
	if got := familyLabel(famXYSlash4, true, "MDY"); got != "MM/DD/YYYY" {
		t.Errorf("label %s", got)
	}
	if got := familyLabel(famXYSlash4, false, "DMY"); got != "D/M/YYYY" {
		t.Errorf("label %s", got)
	}
}

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]int64{"95.00": 9500, "$1,250.00": 125000, "-40.00": -4000, "$-5.50": -550,
		"(12.34)": -1234, "1234567.89": 123456789, "0.5": 50, "12": 1200, "€3.10": 310} {
		if m := parseMoney(in); !m.ok || m.cents != want {
			t.Errorf("parseMoney(%q) = %+v, want %d", in, m, want)
		}
	}
	for _, in := range []string{"TBD", "n/a", "see EOB", "1,25.00", "12.345", "$", "1.2.3", "12,34", ""} {
		if m := parseMoney(in); m.ok {
			t.Errorf("parseMoney(%q) = %+v, want not an amount", in, m)
		}
	}
	if !parseMoney("$1,250.00").formatted || parseMoney("1250.00").formatted {
		t.Error("formatted")
	}
}

func TestEmailChecks(t *testing.T) {
	for in, want := range map[string]uint8{"ann@gmail.com": emailOK, "ann.lee+x@mail.example.co.uk": emailOK,
		"ann@@gmail.com": emailInvalid, "ann@gmail": emailInvalid, "ann gmail.com": emailInvalid, "ann.gmail.com": emailInvalid,
		"ann@gmail.c0m": emailInvalid, "a,b@x.com": emailInvalid, "ann@gmial.com": emailTypo, "ann@gmail.con": emailTypo,
		"ann@yaho.com": emailTypo, "ann@hotmial.com": emailTypo, "ann@outlok.com": emailTypo, "ann@harbourviewdental.com": emailOK,
		"ann@me.com": emailOK, "ann@mac.com": emailOK, "ann@msn.com": emailOK} {
		if got, fix := checkEmail(in); got != want {
			t.Errorf("checkEmail(%q) = %d %q, want %d", in, got, fix, want)
		}
	}
	if _, fix := checkEmail("x@gamil.com"); fix != "gmail.com" {
		t.Errorf("gamil.com → %q", fix)
	}
}

func TestNameSimilarity(t *testing.T) {
	if jw := textkit.JaroWinkler("martha", "marhta"); jw < 0.96 || jw > 0.962 {
		t.Errorf("textkit.JaroWinkler(martha, marhta) = %f", jw)
	}
	for in, want := range map[string]string{"robert": "R163", "rupert": "R163", "ashcraft": "A261", "tymczak": "T522", "pfister": "P236", "lee": "L000"} {
		if got := soundex(in); got != want {
			t.Errorf("soundex(%s) = %s, want %s", in, got, want)
		}
	}
	if textkit.OSA("marguerite", "margurite", 1) != 1 || textkit.OSA("abcd", "abdc", 1) != 1 || textkit.OSA("smith", "smyth", 1) != 1 || textkit.OSA("smith", "jones", 2) != 3 {
		t.Error("osa")
	}
	for in, want := range map[string]string{"Núñez": "nunez", "NUNEZ ": "nunez", "O'Brien": "obrien", "Zoë": "zoe", "Straße": "strasse", "van der Berg": "vanderberg"} {
		if got := foldLetters(in); got != want {
			t.Errorf("foldLetters(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHyperLogLogIsClose(t *testing.T) {
	for _, n := range []int{1000, 50_000, 300_000} {
		var h hll
		for i := range n {
			h.add(hash64(fmt.Sprint("value-", i)))
		}
		e := h.estimate()
		if d := float64(e-int64(n)) / float64(n); d > 0.03 || d < -0.03 {
			t.Errorf("%d distinct estimated as %d", n, e)
		}
	}
}

func TestDecSumIsExact(t *testing.T) {
	var s decSum
	s.add(10451790, 2)
	s.add(-5, 2)
	s.add(1, 0)
	if got := s.StringScale(2); got != "104518.85" {
		t.Errorf("sum %s", got)
	}
	var big decSum
	for range 10_000 {
		big.add(9_000_000_000_000_000, 2)
	}
	if got := big.StringScale(2); got != "900000000000000000.00" {
		t.Errorf("overflowing sum %s", got)
	}
	var a, b decSum
	a.add(125, 1)
	b.add(-3, 3)
	a.addSum(&b)
	if got := a.String(); got != "12.497" {
		t.Errorf("merged sum %s", got)
	}
}

func TestRowListRoundTrip(t *testing.T) {
	var l rowList
	var want []int64
	r := int64(0)
	for i := range 5000 {
		r += int64(1 + i%300)
		l.add(r)
		want = append(want, r)
	}
	var got []int64
	for _, c := range l.chunks() {
		decodeChunk(c.first, c.data, func(x int64) { got = append(got, x) })
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("chunks do not round-trip")
	}
	if u := unionRows(rowListOf([]int64{1, 3, 5}), rowListOf([]int64{2, 3, 6})).slice(); fmt.Sprint(u) != "[1 2 3 5 6]" {
		t.Errorf("union %v", u)
	}
}

func TestShapes(t *testing.T) {
	for in, want := range map[string]string{"(617) 555-0134": "(999) 999-9999", "Volkov, Marguerite": "Aaaa, Aaaa",
		"INV-000001": "AAA-999999", "02115": "99999"} {
		if got := string(shapeOf(nil, in)); got != want {
			t.Errorf("shapeOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func hash64(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// finalise (FNV alone clusters in the top bits)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}
