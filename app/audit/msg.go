package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// num writes 1234567 as "1,234,567".
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural writes "1 row" or "12 rows".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

func isAre(n int64) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func hasHave(n int64) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// quoted writes a value for a message: 'N/A', or "empty" for a blank.
func quoted(v string) string {
	if strings.TrimSpace(v) == "" {
		if v == "" {
			return "empty"
		}
		return "spaces only"
	}
	return "'" + truncate(v, 40) + "'"
}

// breakdown writes "'TBD' (2), 'n/a' (2)": the most frequent first, at most n.
func breakdown(m map[string]int64, n int) string {
	vs := topValues(m, len(m))
	var parts []string
	for i, v := range vs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(vs)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", quoted(v.Value), num(v.Count)))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orderWords(order string) string {
	switch order {
	case "DMY":
		return "day first (DD/MM/YYYY)"
	case "MDY":
		return "month first (MM/DD/YYYY)"
	}
	return order
}
