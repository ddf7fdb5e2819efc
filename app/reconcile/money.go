package reconcile

import (
	"math"
	"math/big"
	"sort"
	"strings"
)

// amount is an exact sum of money values: integer ten-thousandths while they fit, math/big
// beyond; never floating point.
type amount struct {
	sum   big.Rat // exact sum of the values that did not fit fast
	fast  int64   // sum in 1/10,000
	n     int64   // values added
	notOK int64   // non-blank values that were not amounts
}

// fastScale is the fixed point of amount.fast.
const fastScale = 10000

// parseFast reads "-1234.5" as ten-thousandths; ok is false for anything else (more than four
// decimals, exponents, too large): the caller then uses math/big.
func parseFast(v string) (int64, bool) {
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" || len(v) > 15 {
		return 0, false
	}
	var n int64
	dec, seenDot, digits := 0, false, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			if seenDot {
				dec++
				if dec > 4 {
					return 0, false
				}
			}
			n = n*10 + int64(c-'0')
			digits++
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	for ; dec < 4; dec++ {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true
}

// total is the exact sum.
func (a *amount) total() *big.Rat {
	t := new(big.Rat).SetFrac64(a.fast, fastScale)
	return t.Add(t, &a.sum)
}

// add adds a value written as the mapping writes money ("1234.50", "-3.2"); blanks count as
// nothing, anything else that is no amount is counted in notOK.
func (a *amount) add(v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if f, ok := parseFast(v); ok && (f >= 0 && a.fast <= math.MaxInt64-f || f < 0 && a.fast >= math.MinInt64-f) {
		a.fast += f
		a.n++
		return
	}
	v = strings.TrimPrefix(v, "+")
	var r big.Rat
	if _, ok := r.SetString(v); !ok || strings.ContainsAny(v, "/eE") {
		a.notOK++
		return
	}
	a.sum.Add(&a.sum, &r)
	a.n++
}

// String is the sum with two decimals (more when the values had more).
func (a *amount) String() string { return ratString(a.total()) }

func ratString(r *big.Rat) string {
	s := r.FloatString(6)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-i-1))
	}
	return s
}

func diffString(a, b *amount) string {
	var d big.Rat
	d.Sub(b.total(), a.total())
	return ratString(&d)
}

// Sum is one money field totalled in the old data and in the new system.
type Sum struct {
	Entity string `json:"entity"`
	Field  string `json:"field"`
	Legacy string `json:"legacy"`        // the staged data after cleanse, as mapped
	New    string `json:"new,omitempty"` // as read back ("" when nothing was read back)
	Diff   string `json:"difference"`    // new − legacy ("" when nothing was read back)
	Equal  bool   `json:"equal"`         // read back and exactly equal
	Values int64  `json:"values"`        // legacy amounts summed
	NotOK  int64  `json:"not_amounts"`   // legacy values that are not amounts
	By     string `json:"by,omitempty"`  // the reference field that names the account or patient
	// Accounts lists every account (patient) whose total differs, by its legacy key.
	Accounts []AccountSum `json:"accounts,omitempty"`
}

// AccountSum is one account's (patient's) total of a money field on both sides.
type AccountSum struct {
	Account string `json:"account"` // legacy key of the patient or account ("" when none)
	Legacy  string `json:"legacy"`
	New     string `json:"new"`
	Diff    string `json:"difference"`
}

// accounts numbers the accounts (patients) money is totalled per, by legacy key, so the sums
// of every money field of an entity look each account up once per record.
type accounts struct {
	idx   map[string]int32
	names []string
}

func newAccounts() *accounts { return &accounts{idx: map[string]int32{}} }

// of is the account's number, a new one the first time it is seen.
func (a *accounts) of(k string) int32 {
	if i, ok := a.idx[k]; ok {
		return i
	}
	i := int32(len(a.names))
	a.idx[k] = i
	a.names = append(a.names, k)
	return i
}

// sumAcc accumulates one money field overall and per account.
type sumAcc struct {
	entity, field, by string
	fieldIdx, byIdx   int
	legacy, new       amount
	accs              *accounts
	accLegacy, accNew []amount // by account number
}

func newSumAcc(entity, field string, fi int, by string, bi int, accs *accounts) *sumAcc {
	return &sumAcc{entity: entity, field: field, fieldIdx: fi, by: by, byIdx: bi, accs: accs}
}

// at is the account's amount on one side, growing the side as needed.
func (s *sumAcc) at(side *[]amount, i int32) *amount {
	if int(i) >= len(*side) {
		n := max(int(i)+1, 2*len(*side), len(s.accs.names))
		grown := make([]amount, n)
		copy(grown, *side)
		*side = grown
	}
	return &(*side)[i]
}

func (s *sumAcc) result(readBack bool) Sum {
	out := Sum{Entity: s.entity, Field: s.field, Legacy: s.legacy.String(), Values: s.legacy.n, NotOK: s.legacy.notOK, By: s.by}
	if !readBack {
		return out
	}
	out.New = s.new.String()
	out.Diff = diffString(&s.legacy, &s.new)
	out.Equal = s.legacy.total().Cmp(s.new.total()) == 0
	if s.by == "" {
		return out
	}
	order := make([]int32, len(s.accs.names))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool { return s.accs.names[order[a]] < s.accs.names[order[b]] })
	for _, i := range order {
		k := s.accs.names[i]
		l, n := s.at(&s.accLegacy, i), s.at(&s.accNew, i)
		if l.total().Cmp(n.total()) != 0 {
			out.Accounts = append(out.Accounts, AccountSum{Account: k, Legacy: l.String(), New: n.String(), Diff: diffString(l, n)})
		}
	}
	return out
}
