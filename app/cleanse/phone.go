package cleanse

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

func validRegion(r string) bool { return phonenumbers.GetSupportedRegions()[r] }

// phoner normalises phone numbers with libphonenumber. The library takes some 40 µs a number
// (parsing and validity are regular expressions over the region's metadata), too slow for a
// million rows, so plainly written North American numbers take a fast path: their digits are
// read directly, and validity, which libphonenumber's North American patterns decide from the
// area code and exchange (the first six digits, and the seventh for a few blocks), is asked of
// the library once per six-digit prefix, for each possible seventh digit. A prefix whose ten
// answers differ is asked about number by number. Everything else goes to the library, with
// its answers cached by value.
type phoner struct {
	region string
	nanp   bool // the region dials +1
	format phonenumbers.PhoneNumberFormat
	prefix map[int32]uint16 // bit d set: prefix with seventh digit d is valid; bit 15: answers known
	exact  map[string]phoneAnswer
}

type phoneAnswer struct {
	out, reason string
}

func newPhoner(region, format string) *phoner {
	ph := &phoner{region: region, prefix: map[int32]uint16{}, exact: map[string]phoneAnswer{}}
	ph.nanp = phonenumbers.GetCountryCodeForRegion(region) == 1
	switch format {
	case "national":
		ph.format = phonenumbers.NATIONAL
	case "international":
		ph.format = phonenumbers.INTERNATIONAL
	default:
		ph.format = phonenumbers.E164
	}
	return ph
}

// normalise returns the number in the chosen format, or the reason it cannot.
func (ph *phoner) normalise(v string) (string, string) {
	if nat, ok := nanpDigits(v, ph.nanp); ok {
		if ph.validNANP(nat) {
			if ph.format == phonenumbers.E164 {
				return "+1" + strconv.FormatUint(nat, 10), ""
			}
			return phonenumbers.Format(nanpNumber(nat), ph.format), ""
		}
		return "", LeftInvalidPhone
	}
	if a, ok := ph.exact[v]; ok {
		return a.out, a.reason
	}
	a := ph.library(v)
	if len(ph.exact) < 200_000 {
		ph.exact[v] = a
	}
	return a.out, a.reason
}

func (ph *phoner) library(v string) phoneAnswer {
	n, err := phonenumbers.Parse(strings.TrimSpace(v), ph.region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return phoneAnswer{reason: LeftInvalidPhone}
	}
	if n.GetExtension() != "" && ph.format == phonenumbers.E164 {
		return phoneAnswer{reason: LeftPhoneExtension}
	}
	return phoneAnswer{out: phonenumbers.Format(n, ph.format)}
}

func nanpNumber(nat uint64) *phonenumbers.PhoneNumber {
	cc := int32(1)
	return &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nat}
}

// validNANP answers as phonenumbers.IsValidNumber would for +1 and the ten digits of nat.
func (ph *phoner) validNANP(nat uint64) bool {
	key := int32(nat / 10_000)
	seventh := uint(nat / 1000 % 10)
	bits, ok := ph.prefix[key]
	if !ok {
		for d := uint64(0); d < 10; d++ {
			sample := uint64(key)*10_000 + d*1000
			if ph.libraryValid(sample) {
				bits |= 1 << d
			}
		}
		// a prefix whose answer changes within a thousand-block (never seen in the metadata,
		// but possible) is not cached: bit 14 says "ask every time"
		bits |= 1 << 15
		if !ph.blockUniform(uint64(key), bits) {
			bits |= 1 << 14
		}
		ph.prefix[key] = bits
	}
	if bits&(1<<14) != 0 {
		return phonenumbers.IsValidNumber(nanpNumber(nat))
	}
	return bits&(1<<seventh) != 0
}

// blockUniform spot-checks that the last three digits do not change the answer.
func (ph *phoner) blockUniform(key uint64, bits uint16) bool {
	for _, d := range []uint64{2, 7} {
		if ph.libraryValid(key*10_000+d*1000+999) != (bits&(1<<d) != 0) {
			return false
		}
	}
	return true
}

// libraryValid: valid for the practice's own region (the quick question), or for any region.
func (ph *phoner) libraryValid(nat uint64) bool {
	n := nanpNumber(nat)
	if ph.nanp && phonenumbers.IsValidNumberForRegion(n, ph.region) {
		return true
	}
	return phonenumbers.IsValidNumber(n)
}

// nanpDigits reads a plainly written North American number – (617) 555-0134, 617.555.0134,
// +1 617 555 0134, 1-617-555-0134, 6175550134 – as its ten-digit national number. Without a +1
// the number is only read so when the practice's region dials +1 itself.
func nanpDigits(v string, local bool) (uint64, bool) {
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
	case n == 10 && !plus && local:
		b = d[:10]
	case n == 11 && d[0] == '1' && (plus || local):
		b = d[1:11]
	default:
		return 0, false
	}
	if b[0] < '2' || b[3] < '2' {
		return 0, false // area codes and exchanges start with 2-9; leave the rest to the library
	}
	var nat uint64
	for _, c := range b {
		nat = nat*10 + uint64(c-'0')
	}
	return nat, true
}
