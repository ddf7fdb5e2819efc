package textkit

import (
	"strings"
	"sync"
)

// MailProviders are common mail providers: a domain a little off one of these is most likely a
// typo (gmial.com, yaho.com, hotmial.com).
var MailProviders = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com",
	"comcast.net", "verizon.net", "msn.com", "live.com", "me.com", "mac.com", "att.net", "sbcglobal.net",
	"ymail.com", "protonmail.com", "proton.me", "googlemail.com", "yahoo.co.uk", "hotmail.co.uk", "btinternet.com",
	"gmx.com", "mail.com", "bigpond.com", "shaw.ca", "rogers.com", "sympatico.ca", "eircom.net", "xtra.co.nz",
	"charter.net", "cox.net", "earthlink.net", "optonline.net", "frontier.com", "windstream.net", "rocketmail.com",
	"bellsouth.net", "juno.com", "live.co.uk", "outlook.ie", "yahoo.ca", "hotmail.ca", "yahoo.com.au", "optusnet.com.au"}

var providerSet = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range MailProviders {
		m[d] = true
	}
	return m
}()

// typoCache remembers answers: a practice's patients use a few hundred domains. It is cleared
// when it grows past maxTypoCache so hostile input cannot grow it without bound.
var typoCache = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

const maxTypoCache = 100_000

// DomainTypo returns the common provider a domain misspells, or "": a domain within one edit of
// a provider (two for long ones), by optimal string alignment.
func DomainTypo(dom string) string {
	dom = strings.ToLower(dom)
	if providerSet[dom] || len(dom) < 6 {
		return ""
	}
	typoCache.Lock()
	fix, ok := typoCache.m[dom]
	typoCache.Unlock()
	if ok {
		return fix
	}
	best, bestD := "", 3
	for _, p := range MailProviders {
		if len(p) < 7 {
			continue
		}
		limit := 1
		if len(p) >= 9 {
			limit = 2
		}
		if d := OSA(dom, p, limit); d <= limit && d < bestD {
			best, bestD = p, d
		}
	}
	typoCache.Lock()
	if len(typoCache.m) >= maxTypoCache {
		clear(typoCache.m)
	}
	typoCache.m[strings.Clone(dom)] = best
	typoCache.Unlock()
	return best
}
