package textkit

import "testing"

func TestOSA(t *testing.T) {
	cases := []struct {
		a, b string
		max  int
		want int
	}{
		{"gmail.com", "gmail.com", 2, 0},
		{"gmial.com", "gmail.com", 2, 1}, // one adjacent swap
		{"hotmial.com", "hotmail.com", 2, 1},
		{"yaho.com", "yahoo.com", 2, 1},
		{"Zoë", "Zoe", 2, 1}, // by rune, not byte
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3}, // stops early: max+1
		{"a", "abcdef", 2, 3},
	}
	for _, c := range cases {
		if got := OSA(c.a, c.b, c.max); got != c.want {
			t.Errorf("OSA(%q, %q, %d) = %d, want %d", c.a, c.b, c.max, got, c.want)
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	if JaroWinkler("", "") != 1 || JaroWinkler("abc", "") != 0 || JaroWinkler("same", "same") != 1 {
		t.Fatal("edge cases")
	}
	// The classic pairs from Winkler's paper.
	for _, c := range []struct {
		a, b string
		want float64
	}{{"MARTHA", "MARHTA", 0.961}, {"DWAYNE", "DUANE", 0.840}, {"DIXON", "DICKSONX", 0.813}} {
		if got := JaroWinkler(c.a, c.b); got < c.want-0.001 || got > c.want+0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.3f, want %.3f", c.a, c.b, got, c.want)
		}
	}
}

func TestDomainTypo(t *testing.T) {
	for dom, want := range map[string]string{"gmial.com": "gmail.com", "Yaho.com": "yahoo.com", "hotmial.com": "hotmail.com",
		"gmail.con": "gmail.com", "gmail.com": "", "harbourviewdental.com": "", "ab.com": ""} {
		if got := DomainTypo(dom); got != want {
			t.Errorf("DomainTypo(%q) = %q, want %q", dom, got, want)
		}
	}
}
