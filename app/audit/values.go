package audit

import (
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/ferry-migrate/ferry/app/textkit"
)

// placeholderToken says whether a value stands for "unknown" in a column of that role, and
// returns it as it will be counted. What counts depends on the column: 0 or 1900-01-01 mean
// "no date" in a date column but are real in an amount; "n/a" in a phone column is an invalid
// phone number and in an amount it is text where money should be (both reported as such).
func placeholderToken(v string, r role) (string, bool) {
	switch r {
	case rolePhone, roleMoney, roleEmail:
		return "", false
	}
	t := strings.TrimSpace(v)
	if len(t) > 16 {
		if r == roleDate && strings.HasPrefix(t, "0001-01-01") {
			return t, true
		}
		return "", false
	}
	if t == "" {
		return "", false
	}
	if c := t[0]; c >= '0' && c <= '9' {
		// a placeholder beginning with a digit is a date's: 0, 00/00/0000, 0001-01-01, 9999-12-31
		switch r {
		case roleDate:
			if allZeroDigits(t) || strings.HasPrefix(t, "0001-") || strings.HasSuffix(t, "/0001") ||
				strings.HasPrefix(t, "9999-") || strings.HasSuffix(t, "/9999") {
				return t, true
			}
		case rolePostcode:
			switch t {
			case "00000", "99999", "0", "00000-0000", "99999-9999":
				return t, true
			}
		}
		return "", false
	}
	var buf [16]byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	l := buf[:len(t)]
	if genericPlaceholders[string(l)] {
		return t, true
	}
	if r == roleDate && datePlaceholders[string(l)] {
		return t, true
	}
	return "", false
}

var genericPlaceholders = map[string]bool{"null": true, "(null)": true, "n/a": true, "#n/a": true, "nil": true, "none": true,
	"-": true, "--": true, "---": true, "?": true, "??": true, "unknown": true, "nan": true, "n.a.": true, "not known": true}

var datePlaceholders = map[string]bool{"na": true, "tbd": true, "x": true, "xx": true, "xxx": true}

// sentinelDate says whether a real date is one old systems use for "no date" (1900-01-01, Excel's
// 1899-12-30, SQL Server's 1753-01-01). It is a placeholder only where it repeats: a single
// 1900-01-01 among a column's birth dates is read as a date (and reported if impossible).
func sentinelDate(t string) bool {
	switch t {
	case "1900-01-01", "01/01/1900", "1/1/1900", "1900/01/01", "1899-12-30", "1899-12-31", "1753-01-01", "12/30/1899", "30/12/1899":
		return true
	}
	return strings.HasPrefix(t, "1900-01-01T00:00") || strings.HasPrefix(t, "1900-01-01 00:00")
}

// allZeroDigits: "00/00/0000", "0000-00-00" – digits all zero, with date punctuation.
func allZeroDigits(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '0':
			digits++
		case c == '/' || c == '-' || c == '.' || c == ' ' || c == ':' || c == 'T':
		default:
			return false
		}
	}
	return digits >= 4
}

// money parses an amount: optional sign (or parentheses), optional currency symbol, digits with
// optional thousands separators, and at most two decimals. formatted reports a symbol or
// separators.
type moneyVal struct {
	cents     int64
	ok        bool
	formatted bool
}

func parseMoney(s string) moneyVal {
	s = strings.TrimSpace(s)
	var neg, paren, formatted bool
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		paren, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	for _, sym := range []string{"$", "£", "€", "US$", "A$", "C$", "NZ$"} {
		if strings.HasPrefix(s, sym) {
			s, formatted = strings.TrimSpace(s[len(sym):]), true
			break
		}
	}
	if !neg && strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	if s == "" {
		return moneyVal{}
	}
	var whole int64
	digits, group := 0, -1 // group: digits since the last comma, -1 before any comma
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits >= 15 {
				return moneyVal{}
			}
			whole = whole*10 + int64(c-'0')
			digits++
			if group >= 0 {
				group++
				if group > 3 {
					return moneyVal{}
				}
			}
		case c == ',':
			if digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3) {
				return moneyVal{}
			}
			group, formatted = 0, true
			continue
		default:
			goto frac
		}
	}
frac:
	if digits == 0 || (group >= 0 && group != 3) {
		return moneyVal{}
	}
	cents := whole * 100
	if i < len(s) {
		if s[i] != '.' {
			return moneyVal{}
		}
		f := s[i+1:]
		switch {
		case len(f) == 2 && isDigit(f[0]) && isDigit(f[1]):
			cents += int64(f[0]-'0')*10 + int64(f[1]-'0')
		case len(f) == 1 && isDigit(f[0]):
			cents += int64(f[0]-'0') * 10
		default:
			return moneyVal{}
		}
	}
	if neg || paren {
		cents = -cents
	}
	return moneyVal{cents: cents, ok: true, formatted: formatted}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number parses a plain decimal number: optional sign, digits, optional fraction. mant/scale is
// the exact value (mant × 10^-scale); ok is false beyond 18 significant digits.
func parseNumber(s string) (mant int64, scale int, isInt, ok bool) {
	if s == "" {
		return 0, 0, false, false
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	digits, fracDigits := 0, 0
	seenDot := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits >= 18 {
				return 0, 0, false, false
			}
			if digits > 0 || c != '0' {
				digits++
			}
			mant = mant*10 + int64(c-'0')
			if seenDot {
				fracDigits++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return 0, 0, false, false
		}
	}
	if (digits == 0 && mant == 0 && !strings.ContainsAny(s, "0")) || (seenDot && fracDigits == 0) {
		return 0, 0, false, false
	}
	if neg {
		mant = -mant
	}
	return mant, fracDigits, !seenDot, true
}

// phoneChecker says whether a phone number is valid for the practice's region, with
// libphonenumber deciding. Numbers of the North American plan are cached by their first six
// digits (area code and exchange), which is all libphonenumber's US and Canadian rules look at
// (TestPhonePrefixCache checks that against the library); anything else is cached by value.
type phoneChecker struct {
	region string
	nanp   bool
	prefix *prefixTable
	exact  map[string]bool
}

// prefixTable holds libphonenumber's verdict per six-digit North American prefix in two bits:
// 0 not yet asked, 1 valid, 2 not. Row ranges read in parallel share it (atomically).
type prefixTable struct {
	w [1_000_000 / 16]uint32
}

func (t *prefixTable) get(key int) uint32 {
	return atomic.LoadUint32(&t.w[key/16]) >> (2 * (key % 16)) & 3
}

func (t *prefixTable) set(key int, v uint32) {
	for {
		old := atomic.LoadUint32(&t.w[key/16])
		nw := old&^(3<<(2*(key%16))) | v<<(2*(key%16))
		if atomic.CompareAndSwapUint32(&t.w[key/16], old, nw) {
			return
		}
	}
}

func newPhoneChecker(region string) *phoneChecker {
	return &phoneChecker{region: region, nanp: region == "US" || region == "CA", prefix: &prefixTable{}, exact: map[string]bool{}}
}

// fork is a checker for another goroutine: same prefix table, own cache of other numbers.
func (c *phoneChecker) fork() *phoneChecker {
	return &phoneChecker{region: c.region, nanp: c.nanp, prefix: c.prefix, exact: map[string]bool{}}
}

func (c *phoneChecker) valid(v string) bool {
	v = strings.TrimSpace(v)
	if c.nanp {
		if key, ok := nanpDigits(v); ok {
			switch c.prefix.get(key) {
			case 1:
				return true
			case 2:
				return false
			}
			// libphonenumber is asked about the prefix with a line number that is always fine
			ok := c.library(strconv.Itoa(key) + "0000")
			verdict := uint32(2)
			if ok {
				verdict = 1
			}
			c.prefix.set(key, verdict)
			return ok
		}
	}
	if ok, seen := c.exact[v]; seen {
		return ok
	}
	ok := c.library(v)
	if len(c.exact) < 100_000 {
		c.exact[v] = ok
	}
	return ok
}

func (c *phoneChecker) library(v string) bool {
	n, err := phonenumbers.Parse(v, c.region)
	return err == nil && phonenumbers.IsValidNumberForRegion(n, c.region)
}

// nanpDigits returns the ten-digit national number of a plainly written North American number
// ((617) 555-0134, 617.555.0134, +1 617 555 0134, 1-617-555-0134), or false for anything the
// fast path does not cover (letters, extensions, other country codes, area codes 0xx/1xx).
func nanpDigits(v string) (key int, ok bool) {
	var d [11]byte
	n := 0
	plus := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			if n == 11 {
				return 0, false
			}
			d[n] = c
			n++
		case c == '+':
			if n > 0 || plus {
				return 0, false
			}
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return 0, false
		}
	}
	var b []byte
	switch {
	case n == 10 && !plus:
		b = d[:10]
	case n == 11 && d[0] == '1':
		b = d[1:11]
	default:
		return 0, false
	}
	if b[0] < '2' {
		return 0, false
	}
	for _, c := range b[:6] {
		key = key*10 + int(c-'0')
	}
	return key, true
}

// phoneDigits reduces a phone number to its digits for matching people (the national number
// for North American numbers) into buf; nothing when it has too few digits or is all one digit
// (000-000-0000).
func phoneDigits(buf []byte, v string) []byte {
	buf = buf[:0]
	for i := 0; i < len(v) && len(buf) < 20; i++ {
		if isDigit(v[i]) {
			buf = append(buf, v[i])
		}
	}
	if len(buf) == 11 && buf[0] == '1' {
		buf = buf[1:]
	}
	if len(buf) < 7 {
		return buf[:0]
	}
	for _, c := range buf {
		if c != buf[0] {
			return buf
		}
	}
	return buf[:0]
}

// E-mail classes.
const (
	emailOK uint8 = iota
	emailInvalid
	emailTypo
)

// checkEmail: exactly one @, a local part of letters, digits and . _ % + ' -, a domain of dotted
// labels ending in a letters-only TLD of two or more. Typos are well-formed addresses at a
// misspelling of a common provider.
func checkEmail(v string) (uint8, string) {
	v = strings.TrimSpace(v)
	at := strings.IndexByte(v, '@')
	if at <= 0 || strings.Count(v, "@") != 1 {
		return emailInvalid, ""
	}
	local, dom := v[:at], v[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || strings.IndexByte("._%+'-", c) >= 0) {
			return emailInvalid, ""
		}
	}
	if dom == "" || dom[0] == '.' || dom[len(dom)-1] == '.' || !strings.Contains(dom, ".") {
		return emailInvalid, ""
	}
	for i := 0; i < len(dom); i++ {
		c := dom[i]
		if c == '.' {
			if dom[i-1] == '.' {
				return emailInvalid, ""
			}
			continue
		}
		if !(isAlnum(c) || c == '-') {
			return emailInvalid, ""
		}
	}
	tld := dom[strings.LastIndexByte(dom, '.')+1:]
	if len(tld) < 2 {
		return emailInvalid, ""
	}
	for i := 0; i < len(tld); i++ {
		if !isLetter(tld[i]) {
			return emailInvalid, ""
		}
	}
	if fix := domainTypo(strings.ToLower(dom)); fix != "" {
		return emailTypo, fix
	}
	return emailOK, ""
}

func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// domainTypo returns the provider a domain misspells, or "" (shared with cleanse's fix).
func domainTypo(dom string) string { return textkit.DomainTypo(dom) }

// Postcode classes.
const (
	postOK uint8 = iota
	postLostZero
	postInvalid
)

func checkPostcode(v, region string) uint8 {
	v = strings.TrimSpace(v)
	switch region {
	case "US":
		digits := func(s string) bool {
			for i := 0; i < len(s); i++ {
				if !isDigit(s[i]) {
					return false
				}
			}
			return s != ""
		}
		main, plus4, hasPlus := strings.Cut(v, "-")
		if hasPlus && (len(plus4) != 4 || !digits(plus4)) {
			return postInvalid
		}
		switch {
		case len(main) == 5 && digits(main):
			return postOK
		case len(main) == 4 && digits(main):
			return postLostZero
		}
		return postInvalid
	case "CA":
		u := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
		if len(u) == 6 && isLetter(u[0]) && isDigit(u[1]) && isLetter(u[2]) && isDigit(u[3]) && isLetter(u[4]) && isDigit(u[5]) {
			return postOK
		}
		return postInvalid
	case "AU", "NZ":
		if len(v) == 4 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) && isDigit(v[3]) {
			return postOK
		}
		if region == "AU" && len(v) == 3 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) {
			return postLostZero // NT postcodes start with 0
		}
		return postInvalid
	case "GB":
		u := strings.ToUpper(strings.Join(strings.Fields(v), ""))
		if len(u) < 5 || len(u) > 7 {
			return postInvalid
		}
		in := u[len(u)-3:]
		if !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) || !isLetter(u[0]) {
			return postInvalid
		}
		return postOK
	case "IE":
		u := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
		if len(u) == 7 && isLetter(u[0]) && isAlnum(u[1]) && isAlnum(u[2]) {
			return postOK
		}
		return postInvalid
	}
	return postOK
}

// Value classes, computed once per distinct value: what the value could be.
const (
	fInt uint32 = 1 << iota
	fDecimal
	fMoney
	fCurrency
	fDate
	fDateTime
	fTime
	fBool
	fAt
	fPhoneShape
	fUUID
	fLetters
	fDigits
	fUpper // at least two letters, all upper case
	fLower // at least two letters, all lower case
	fTitle // words start upper case, continue lower case
	fSep   // holds , ; or | between words (a possible multi-value cell)
	nFlags = 17
)

var boolWords = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "true": true, "false": true}

func isTime(s string) bool {
	h, n := digitsAt(s, 0)
	if n < 1 || n > 2 || h > 24 || len(s) < n+3 || s[n] != ':' {
		return false
	}
	m, n2 := digitsAt(s, n+1)
	if n2 != 2 || m > 59 {
		return false
	}
	rest := strings.TrimSpace(s[n+1+n2:])
	if strings.HasPrefix(rest, ":") {
		_, n3 := digitsAt(rest, 1)
		if n3 != 2 {
			return false
		}
		rest = strings.TrimSpace(rest[3:])
	}
	u := strings.ToUpper(rest)
	return u == "" || u == "AM" || u == "PM"
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
				return false
			}
		}
	}
	return true
}

// shapeOf writes a value's shape into buf: digits become 9, letters A or a (runs of one case
// kept to three), other characters stay: "(617) 555-0134" → "(999) 999-9999",
// "Volkov, Marguerite" → "Aaaa, Aaaa". Long values are cut at 24 characters of shape.
func shapeOf(buf []byte, v string) []byte {
	buf = buf[:0]
	run, last := 0, byte(0)
	for _, r := range v {
		var c byte
		switch {
		case r >= '0' && r <= '9':
			c = '9'
		case unicode.IsUpper(r):
			c = 'A'
		case unicode.IsLetter(r):
			c = 'a'
		case r < utf8.RuneSelf:
			c = byte(r)
		default:
			c = '~'
		}
		if c == last && (c == 'a' || c == 'A') {
			run++
			if run >= 3 {
				continue
			}
		} else {
			run = 0
		}
		last = c
		buf = append(buf, c)
		if len(buf) >= 24 {
			buf = append(buf, "…"...)
			break
		}
	}
	return buf
}
