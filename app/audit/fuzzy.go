package audit

import (
	"slices"
	"sort"

	"github.com/ferry-migrate/ferry/app/textkit"
)

// Fuzzy duplicates: the same person entered twice under different keys. People are blocked on
// their birth date – only people born the same day are compared – so the work grows with the
// number of rows, not its square. Within a block two rows match when
//
//   - fingerprint: their folded names are equal, first and last in either order (NUNEZ Rafael,
//     "Núñez, Rafael", Rafael Nunez);
//   - Jaro-Winkler: the last names are equal and the first names are one edit apart or have a
//     Jaro-Winkler similarity of at least 0.9 (Marguerite, Margurite), or one is the other's
//     initial;
//   - phonetic: they share a valid phone number or an e-mail address and both names sound alike
//     (Soundex);
//   - n-gram: they share a phone or e-mail and their full names share most character trigrams.
//
// Rows with the same key are duplicate_key's business and never matched here. Clusters are the
// connected groups of matches; a cluster's method is its weakest link's, its score the lowest
// link score.

var methodRank = map[string]int{"fingerprint": 0, "Jaro-Winkler": 1, "initial": 2, "phonetic": 3, "n-gram": 4}

type fuzzyMatch struct {
	ok     bool
	method string
	score  float64
}

func matchPeople(x, y *person, names []string) fuzzyMatch {
	if x.key != 0 && x.key == y.key {
		return fuzzyMatch{}
	}
	if (x.first == y.first && x.last == y.last) || (x.first == y.last && x.last == y.first) {
		return fuzzyMatch{true, "fingerprint", 1}
	}
	fx, fy, lx, ly := names[x.first], names[y.first], names[x.last], names[y.last]
	if x.last == y.last && lx != "" && fx != "" && fy != "" {
		if textkit.OSA(fx, fy, 1) <= 1 {
			return fuzzyMatch{true, "Jaro-Winkler", round3((1 + textkit.JaroWinkler(fx, fy)) / 2)}
		}
		if jw := textkit.JaroWinkler(fx, fy); jw >= 0.9 {
			return fuzzyMatch{true, "Jaro-Winkler", round3((1 + jw) / 2)}
		}
		if (len(fx) == 1 && fy[0] == fx[0]) || (len(fy) == 1 && fx[0] == fy[0]) {
			return fuzzyMatch{true, "initial", 0.8}
		}
	}
	contact := (x.phone != 0 && x.phone == y.phone) || (x.email != 0 && x.email == y.email)
	if !contact || lx == "" || ly == "" {
		return fuzzyMatch{}
	}
	jl, jf := textkit.JaroWinkler(lx, ly), textkit.JaroWinkler(fx, fy)
	if jl >= 0.92 && jf >= 0.85 {
		return fuzzyMatch{true, "Jaro-Winkler", round3((jl + jf) / 2)}
	}
	if soundex(lx) == soundex(ly) && soundex(fx) == soundex(fy) && fx != "" && fy != "" {
		return fuzzyMatch{true, "phonetic", round3((jl + jf) / 2)}
	}
	if t := trigramSimilarity(fx+" "+lx, fy+" "+ly); t >= 0.6 {
		return fuzzyMatch{true, "n-gram", round3(t)}
	}
	return fuzzyMatch{}
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// fuzzyClusters finds the clusters. skip holds rows to leave out (exact copies of earlier rows).
func fuzzyClusters(people []person, base int64, names []string, order string, refYear int, skip map[int64]bool) []cluster {
	type rec struct {
		p   *person
		row int64
		dob int32
	}
	n := 0
	for i := range people {
		if people[i].dob != 0 {
			n++
		}
	}
	recs := make([]rec, 0, n)
	for i := range people {
		p := &people[i]
		row := base + int64(i)
		if p.dob == 0 || skip[row] {
			continue
		}
		y, m, d, ok := unpackDate(p.dob).resolve(order, refYear)
		if !ok || !validDay(y, m, d) {
			continue
		}
		recs = append(recs, rec{p, row, dayNumber(y, m, d)})
	}
	slices.SortFunc(recs, func(a, b rec) int {
		if a.dob != b.dob {
			return int(a.dob - b.dob)
		}
		return int(a.row - b.row)
	})
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	type edge struct {
		a, b int64
		m    fuzzyMatch
	}
	var edges []edge
	compare := func(block []rec) {
		for i := range block {
			for j := i + 1; j < len(block); j++ {
				if m := matchPeople(block[i].p, block[j].p, names); m.ok {
					a, b := block[i].row, block[j].row
					edges = append(edges, edge{a, b, m})
					ra, rb := find(a), find(b)
					if ra != rb {
						if ra < rb {
							parent[rb] = ra
						} else {
							parent[ra] = rb
						}
					}
					if _, ok := parent[a]; !ok {
						parent[a] = find(a)
					}
					if _, ok := parent[b]; !ok {
						parent[b] = find(b)
					}
				}
			}
		}
	}
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].dob == recs[i].dob {
			j++
		}
		block := recs[i:j]
		if len(block) > 2000 {
			// a date thousands of people share is a default, not a birthday: compare within
			// the same sounding last name only
			sub := map[string][]rec{}
			for _, r := range block {
				k := soundex(names[r.p.last])
				sub[k] = append(sub[k], r)
			}
			for _, k := range sortedKeys(sub) {
				if len(sub[k]) <= 2000 {
					compare(sub[k])
				}
			}
		} else if len(block) > 1 {
			compare(block)
		}
		i = j
	}
	if len(edges) == 0 {
		return nil
	}
	type agg struct {
		rows   []int64
		method string
		score  float64
		best   map[int64]float64
	}
	byRoot := map[int64]*agg{}
	for _, e := range edges {
		r := find(e.a)
		a := byRoot[r]
		if a == nil {
			a = &agg{method: e.m.method, score: e.m.score, best: map[int64]float64{}}
			byRoot[r] = a
		}
		if methodRank[e.m.method] > methodRank[a.method] {
			a.method = e.m.method
		}
		a.score = min(a.score, e.m.score)
		for _, x := range []int64{e.a, e.b} {
			if s, ok := a.best[x]; !ok {
				a.rows = append(a.rows, x)
				a.best[x] = e.m.score
			} else if e.m.score > s {
				a.best[x] = e.m.score
			}
		}
	}
	var out []cluster
	for _, a := range byRoot {
		slices.Sort(a.rows)
		c := cluster{method: a.method, score: a.score}
		for i, r := range a.rows {
			s := a.best[r]
			if i == 0 {
				s = 1
			}
			c.members = append(c.members, Member{Row: r, Score: s})
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].members[0].Row < out[j].members[0].Row })
	return out
}
