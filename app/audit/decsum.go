package audit

import (
	"math"
	"math/big"
	"strings"
)

// decSum adds decimal numbers exactly: amounts are summed in cents, never in floating point, so
// the total reconciliation checks against is the total of what was in the file.
type decSum struct {
	acc   int64 // at scale
	scale int
	big   *big.Int // overflow of acc, at scale
	n     int64
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func (s *decSum) rescale(to int) {
	if to <= s.scale {
		return
	}
	f := int64(1)
	if to-s.scale < len(pow10) {
		f = pow10[to-s.scale]
	}
	hi, lo := mul64(s.acc, f)
	if hi {
		s.spill()
		s.big.Mul(s.big, big.NewInt(f))
	} else {
		s.acc = lo
		if s.big != nil {
			s.big.Mul(s.big, big.NewInt(f))
		}
	}
	s.scale = to
}

func mul64(a, b int64) (overflow bool, r int64) {
	if a == 0 || b == 0 {
		return false, 0
	}
	r = a * b
	if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return true, 0
	}
	return false, r
}

func (s *decSum) spill() {
	if s.big == nil {
		s.big = new(big.Int)
	}
	s.big.Add(s.big, big.NewInt(s.acc))
	s.acc = 0
}

// add adds mant × 10^-scale.
func (s *decSum) add(mant int64, scale int) {
	s.n++
	if scale > 18 {
		return
	}
	if scale > s.scale {
		s.rescale(scale)
	}
	if scale < s.scale {
		if ov, r := mul64(mant, pow10[s.scale-scale]); ov {
			s.spill()
			v := new(big.Int).Mul(big.NewInt(mant), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.scale-scale)), nil))
			s.big.Add(s.big, v)
			return
		} else {
			mant = r
		}
	}
	r := s.acc + mant
	if (mant > 0 && r < s.acc) || (mant < 0 && r > s.acc) {
		s.spill()
		r = mant
	}
	s.acc = r
}

func (s *decSum) addSum(o *decSum) {
	if o.n == 0 {
		return
	}
	n := s.n
	if o.scale > s.scale {
		s.rescale(o.scale)
	}
	t := o.total()
	t.Mul(t, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.scale-o.scale)), nil))
	s.spill()
	s.big.Add(s.big, t)
	s.n = n + o.n
}

func (s *decSum) total() *big.Int {
	t := big.NewInt(s.acc)
	if s.big != nil {
		t.Add(t, s.big)
	}
	return t
}

// String writes the sum with its scale: "104517.90", "-0.05", "12".
func (s *decSum) String() string {
	return formatScaled(s.total(), s.scale)
}

// StringScale writes the sum with exactly scale decimals (money: 2).
func (s *decSum) StringScale(scale int) string {
	t := s.total()
	if scale > s.scale {
		t.Mul(t, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-s.scale)), nil))
		return formatScaled(t, scale)
	}
	return formatScaled(t, s.scale)
}

func formatScaled(t *big.Int, scale int) string {
	neg := t.Sign() < 0
	d := new(big.Int).Abs(t).String()
	if scale > 0 {
		if len(d) <= scale {
			d = strings.Repeat("0", scale-len(d)+1) + d
		}
		d = d[:len(d)-scale] + "." + d[len(d)-scale:]
	}
	if neg {
		d = "-" + d
	}
	return d
}
