package cleanse

import (
	"strings"
	"sync"

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

// Common mail providers: a domain a little off one of these is most likely a typo. The same list
// as the audit's, so what the audit calls a typo is what normalise_email fixes.
var mailProviders = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com",
	"comcast.net", "verizon.net", "msn.com", "live.com", "me.com", "mac.com", "att.net", "sbcglobal.net",
	"ymail.com", "protonmail.com", "proton.me", "googlemail.com", "yahoo.co.uk", "hotmail.co.uk", "btinternet.com",
	"gmx.com", "mail.com", "bigpond.com", "shaw.ca", "rogers.com", "sympatico.ca", "eircom.net", "xtra.co.nz",
	"charter.net", "cox.net", "earthlink.net", "optonline.net", "frontier.com", "windstream.net", "rocketmail.com",
	"bellsouth.net", "juno.com", "live.co.uk", "outlook.ie", "yahoo.ca", "hotmail.ca", "yahoo.com.au", "optusnet.com.au"}

var providerSet = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range mailProviders {
		m[d] = true
	}
	return m
}()

var typoCache sync.Map

// DomainTypo returns the common provider a domain misspells (gmial.com → gmail.com,
// gmail.con → gmail.com), or "": a domain within one edit of a provider (two for long ones).
func DomainTypo(dom string) string {
	dom = strings.ToLower(dom)
	if providerSet[dom] || len(dom) < 6 {
		return ""
	}
	if v, ok := typoCache.Load(dom); ok {
		return v.(string)
	}
	best, bestD := "", 3
	for _, p := range mailProviders {
		if len(p) < 7 {
			continue
		}
		limit := 1
		if len(p) >= 9 {
			limit = 2
		}
		if d := textkit.OSA(dom, p, limit); d <= limit && d < bestD {
			best, bestD = p, d
		}
	}
	typoCache.Store(strings.Clone(dom), best)
	return best
}
