package demo

import (
	"strconv"
	"time"
)

// Dates are whole days since 1970-01-01 (UTC), so arithmetic is integer and exact.

func civil(d int) (y, m, day int) {
	t := time.Unix(int64(d)*86400, 0).UTC()
	return t.Year(), int(t.Month()), t.Day()
}

func dayOf(y, m, d int) int {
	return int(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func iso(d int) string {
	y, m, dd := civil(d)
	return strconv.Itoa(y) + "-" + two(m) + "-" + two(dd)
}

func two(v int) string {
	return string([]byte{byte('0' + v/10), byte('0' + v%10)})
}

// plainMoney writes cents as "1250.00" or "-40.00".
func plainMoney(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + strconv.FormatInt(c/100, 10) + "." + two(int(c%100))
}

// commas writes positive cents as "1,250.00".
func commas(c int64) string {
	s := strconv.FormatInt(c/100, 10)
	out := make([]byte, 0, len(s)+len(s)/3+3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out) + "." + two(int(c%100))
}
