package cleanse

import (
	"strings"

	"github.com/ferry-migrate/ferry/app/textkit"
)

// normaliseEmail trims and lower-cases an address that is well formed (one @, a local part of
// letters, digits and . _ % + ' -, a dotted domain ending in a letters-only top-level domain of
// two or more, the audit's rule) and, with fixTypos, corrects a misspelled mail provider
// (gmial.com → gmail.com). ok is false for anything that is not an address.
func normaliseEmail(v string, fixTypos bool) (string, bool) {
	t := strings.ToLower(trimSpace(v))
	at := strings.IndexByte(t, '@')
	if at <= 0 || strings.Count(t, "@") != 1 {
		return v, false
	}
	local, dom := t[:at], t[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || strings.IndexByte("._%+'-", c) >= 0) {
			return v, false
		}
	}
	if dom == "" || dom[0] == '.' || dom[len(dom)-1] == '.' || !strings.Contains(dom, ".") || strings.Contains(dom, "..") {
		return v, false
	}
	for i := 0; i < len(dom); i++ {
		c := dom[i]
		if !(isAlnum(c) || c == '-' || c == '.') {
			return v, false
		}
	}
	tld := dom[strings.LastIndexByte(dom, '.')+1:]
	if len(tld) < 2 {
		return v, false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return v, false
		}
	}
	if fixTypos {
		if fix := DomainTypo(dom); fix != "" {
			dom = fix
		}
	}
	return local + "@" + dom, true
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// DomainTypo returns the common provider a domain misspells (gmial.com → gmail.com,
// gmail.con → gmail.com), or "". The audit calls the same function, so what it reports as a typo
// is exactly what normalise_email fixes.
func DomainTypo(dom string) string { return textkit.DomainTypo(dom) }
