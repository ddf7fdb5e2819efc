package audit

import (
	"math"
	"math/bits"
)

// hll is a HyperLogLog sketch (precision 14: 16 KiB, about 0.8% standard error) that counts the
// distinct values of a column once they are too many to count exactly.
type hll struct {
	reg [1 << hllP]uint8
}

const hllP = 14

func (h *hll) add(x uint64) {
	idx := x >> (64 - hllP)
	w := x<<hllP | 1<<(hllP-1)
	r := uint8(bits.LeadingZeros64(w)) + 1
	if r > h.reg[idx] {
		h.reg[idx] = r
	}
}

func (h *hll) merge(o *hll) {
	for i, r := range o.reg {
		if r > h.reg[i] {
			h.reg[i] = r
		}
	}
}

func (h *hll) estimate() int64 {
	const m = float64(1 << hllP)
	sum := 0.0
	zeros := 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting for small sets
	}
	return int64(e + 0.5)
}
