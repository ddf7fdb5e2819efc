package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// columnProfile turns a column's stats into its profile.
func (c *colStat) columnProfile(keyDistinct int64) ColumnProfile {
	if c.sentinels != nil {
		c.settleSentinels()
	}
	p := ColumnProfile{Name: c.p.name, Blanks: c.nulls + c.blanks, MinLength: max(c.minLen, 0), MaxLength: c.maxLen}
	var ph int64
	for k, v := range c.placeholders {
		if p.Placeholders == nil {
			p.Placeholders = map[string]int64{}
		}
		p.Placeholders[k] = v
		ph += v
	}
	p.Nulls = p.Blanks + ph
	if c.values != nil {
		m := map[string]int64{}
		for k, e := range c.values {
			if !e.ph && !(e.sentinel && c.placeholders[strings.TrimSpace(k)] > 0) {
				m[k] = e.count
			}
		}
		p.Distinct, p.DistinctExact = int64(len(m)), true
		p.Top, p.TopExact = topValues(m, 10), true
	} else {
		p.Distinct = c.hll.estimate()
		// placeholders are few; the estimate counts them as values, take them out
		p.Distinct = max(0, p.Distinct-int64(len(c.placeholders)))
		m := map[string]int64{}
		for k, e := range c.top.m {
			m[k] = e.count
		}
		p.Top = topValues(m, 10)
	}
	if keyDistinct >= 0 {
		p.Distinct, p.DistinctExact = keyDistinct, true
	}
	p.Type, p.Confidence = c.decideType(p.Distinct)
	p.Role = c.roleName()
	shapes := map[string]int64{}
	scale := func(n int64) int64 { // shapes of a varied column are counted one value in eight
		if c.classified == 0 || c.classified == c.real {
			return n
		}
		return int64(float64(n) * float64(c.real) / float64(c.classified))
	}
	for i, s := range c.shapeNames {
		if c.shapeCounts[i] > 0 {
			shapes[s] = scale(c.shapeCounts[i])
		}
	}
	if c.shapeOther > 0 {
		shapes["(other)"] = scale(c.shapeOther)
	}
	p.Shapes = topValues(shapes, 8)
	switch {
	case c.date != nil:
		order := c.date.order()
		p.DateOrder = order
		p.DateFormats = c.date.formats(order)
		p.Min, p.Max = c.date.minMax(order)
		p.Histogram = c.date.histogram()
	case p.Type == TypeMoney:
		p.Sum = c.moneySum.StringScale(2)
		p.Min, p.Max = c.numMinS, c.numMaxS
		p.Histogram = c.magHistogram()
	case c.numN > 0 && c.numN*10 >= c.real*9 && p.Type != TypeIdentifier:
		p.Sum = c.sum.String()
		p.Min, p.Max = strings.TrimSpace(c.numMinS), strings.TrimSpace(c.numMaxS)
		p.Histogram = c.magHistogram()
	default:
		p.Min, p.Max = truncate(c.textMin, 60), truncate(c.textMax, 60)
		p.Histogram = c.lenHistogram()
	}
	if p.Confidence > 0 {
		p.Confidence = float64(int(p.Confidence*1000+0.5)) / 1000
	}
	return p
}

func (c *colStat) roleName() string {
	var r []string
	if c.p.key {
		r = append(r, "key")
	}
	if c.p.birth && c.p.role == roleDate {
		r = append(r, "birth_date")
	}
	if c.p.name4 != nameNone {
		r = append(r, nameRoleNames[c.p.name4])
	}
	if c.p.refChild {
		r = append(r, "reference")
	}
	return strings.Join(r, ",")
}

func (c *colStat) magHistogram() []Bucket {
	var out []Bucket
	for i, n := range c.magHist {
		if n > 0 {
			out = append(out, Bucket{magLabels[i], n})
		}
	}
	return out
}

func (c *colStat) lenHistogram() []Bucket {
	labels := []string{"0", "1", "2–3", "4–7", "8–15", "16–31", "32–63", "64–127", "128 or more"}
	var out []Bucket
	for i, n := range c.lenHist {
		if n > 0 {
			out = append(out, Bucket{labels[i] + " characters", n})
		}
	}
	return out
}

func (c *colStat) count(f uint32) int64 {
	var n int64
	for i := range nFlags {
		if f&(1<<i) != 0 {
			n += c.flagCounts[i]
		}
	}
	return n
}

// decideType picks the column's type and how sure it is (the share of values that fit).
func (c *colStat) decideType(distinct int64) (string, float64) {
	real := c.real
	if real == 0 {
		return TypeText, 0
	}
	share := func(n int64) float64 { return float64(n) / float64(real) }
	// type flags are counted over the values classified in full (all of them, or one in eight)
	fshare := func(n int64) float64 { return float64(n) / float64(max(c.classified, 1)) }
	switch c.p.role {
	case roleDate:
		d := c.date
		var ok, dt int64
		for i, f := range d.fam {
			ok += f.count
			if i == famISOTime || i == famXYTime {
				dt += f.count
			}
		}
		if dt*2 > ok {
			return TypeDateTime, share(ok)
		}
		return TypeDate, share(ok)
	case roleMoney:
		return TypeMoney, share(c.moneyParsed)
	case rolePhone:
		return TypePhone, share(real - c.phoneBad.len())
	case roleEmail:
		return TypeEmail, share(real - c.emailBad.len())
	case rolePostcode:
		return TypePostcode, share(real - c.postBad.len() - c.postLost.len())
	}
	ints, decs := c.count(fInt), c.count(fDecimal)
	switch {
	case c.p.key || c.p.refChild || c.p.refParent:
		return TypeIdentifier, 1
	case fshare(c.count(fUUID)) >= 0.9:
		return TypeIdentifier, fshare(c.count(fUUID))
	case fshare(c.count(fBool)) >= 0.95 && distinct <= 3:
		return TypeBoolean, fshare(c.count(fBool))
	case fshare(ints) >= 0.95:
		if distinct*10 >= real*9 && keyLike(c.p.name, "") {
			return TypeIdentifier, fshare(ints)
		}
		return TypeInteger, fshare(ints)
	case fshare(ints+decs) >= 0.95:
		return TypeDecimal, fshare(ints + decs)
	case fshare(c.count(fTime)) >= 0.9:
		return TypeTime, fshare(c.count(fTime))
	case fshare(c.count(fDateTime)) >= 0.9:
		return TypeDateTime, fshare(c.count(fDateTime))
	case fshare(c.count(fDate)) >= 0.9:
		return TypeDate, fshare(c.count(fDate))
	}
	if c.p.name4 == nameNone && real >= 10 && distinct > 0 && c.count(fLetters) > 0 &&
		((distinct <= 50 && real >= 3*distinct) || (distinct <= 200 && real >= 10*distinct)) && c.maxLen <= 60 {
		return TypePicklist, 1 - float64(distinct)/float64(real)
	}
	return TypeText, fshare(c.count(fLetters))
}

// finding starts a finding on a column.
func (c *colStat) finding(kind, severity string, count int64, rows *rowList) Finding {
	return Finding{Kind: kind, Severity: severity, Column: c.p.name, Count: count, rows: rows, col: c.p.idx}
}

// columnFindings turns one column's stats into findings.
func (c *colStat) columnFindings(prof *ColumnProfile, region string) []Finding {
	var out []Finding
	col := c.p.name
	blank := c.nulls + c.blanks
	var ph int64
	for _, v := range c.placeholders {
		ph += v
	}
	switch {
	case ph > 0:
		f := c.finding(KindPlaceholder, Warning, blank+ph, unionRows(&c.missing, &c.placeRows))
		f.Values = map[string]int64{}
		for k, v := range c.placeholders {
			f.Values[k] = v
		}
		if blank > 0 {
			f.Values[""] = blank
		}
		f.Message = fmt.Sprintf("%s in %s %s no real value but stand for \"unknown\": %s. They should be left empty in the new system, not loaded as they are.",
			plural(blank+ph, "value", "values"), col, hasHave(blank+ph), breakdown(f.Values, 6))
		f.Suggest = Suggestion{"op": "set_blank", "column": col, "values": sortedKeys(c.placeholders)}
		out = append(out, f)
	case blank > 0:
		sev := Info
		if c.p.key {
			sev = Error
		}
		f := c.finding(KindMissing, sev, blank, &c.missing)
		f.Message = fmt.Sprintf("%s of %s in %s %s empty.", num(blank), plural(c.rows, "value", "values"), col, isAre(blank))
		if c.p.key {
			f.Message += " Every row needs a value in its key column: fill them in before loading."
		}
		out = append(out, f)
	}
	if n := c.untrimmed.len(); n > 0 {
		f := c.finding(KindUntrimmed, Info, n, &c.untrimmed)
		f.Message = fmt.Sprintf("%s in %s %s spaces at the start or end. Invisible on screen, they make equal values look different to a computer.",
			plural(n, "value", "values"), col, hasHave(n))
		f.Suggest = Suggestion{"op": "trim", "column": col}
		out = append(out, f)
	}
	if c.date != nil {
		out = append(out, c.dateFindings(prof, region)...)
	}
	switch c.p.role {
	case roleMoney:
		if n := c.moneyText.len(); n > 0 {
			f := c.finding(KindMoneyText, Error, n, &c.moneyText)
			f.Values = c.moneyTextVals
			f.Message = fmt.Sprintf("%s in %s %s not amounts: %s. They cannot be added up, so totals would not match until someone decides what each one means.",
				plural(n, "value", "values"), col, isAre(n), breakdown(c.moneyTextVals, 5))
			out = append(out, f)
		}
	case rolePhone:
		if n := c.phoneBad.len(); n > 0 {
			f := c.finding(KindInvalidPhone, Warning, n, &c.phoneBad)
			f.Values = c.phoneBadVals
			f.Message = fmt.Sprintf("%s in %s %s not valid phone numbers for %s, for example %s. Reminders and calls would not reach these people.",
				plural(n, "value", "values"), col, isAre(n), regionName(region), breakdown(c.phoneBadVals, 3))
			out = append(out, f)
		}
	case roleEmail:
		if n := c.emailBad.len(); n > 0 {
			f := c.finding(KindInvalidEmail, Warning, n, &c.emailBad)
			f.Message = fmt.Sprintf("%s in %s %s not e-mail addresses (one @, a name before it, a domain like example.com after it).",
				plural(n, "value", "values"), col, isAre(n))
			out = append(out, f)
		}
		if n := c.emailTypo.len(); n > 0 {
			f := c.finding(KindEmailTypo, Warning, n, &c.emailTypo)
			f.Values, f.Mapping = c.typoVals, c.typoFix
			var parts []string
			for _, d := range sortedKeys(c.typoFix) {
				parts = append(parts, fmt.Sprintf("%s → %s (%s)", d, c.typoFix[d], num(c.typoVals[d])))
			}
			f.Message = fmt.Sprintf("%s in %s %s a misspelled provider: %s. Mail to them bounces.",
				plural(n, "address", "addresses"), col, hasHave(n), strings.Join(parts, ", "))
			f.Suggest = Suggestion{"op": "fix_email_domain", "column": col, "mapping": c.typoFix}
			out = append(out, f)
		}
	case rolePostcode:
		if n := c.postLost.len(); n > 0 {
			kind := KindZipLeadingZero
			f := c.finding(kind, Warning, n, &c.postLost)
			f.Message = fmt.Sprintf("%s in %s %s one digit short: a spreadsheet dropped the leading 0 (2115 for 02115).",
				plural(n, "code", "codes"), col, isAre(n))
			f.Suggest = Suggestion{"op": "restore_zip_zeros", "column": col}
			out = append(out, f)
		}
		if n := c.postBad.len(); n > 0 {
			f := c.finding(KindInvalidPostcode, Warning, n, &c.postBad)
			f.Values = c.postBadVal
			f.Message = fmt.Sprintf("%s in %s %s not valid postcodes for %s, for example %s.",
				plural(n, "value", "values"), col, isAre(n), regionName(region), breakdown(c.postBadVal, 3))
			out = append(out, f)
		}
	}
	if f, ok := c.picklistFinding(); ok {
		out = append(out, f)
	}
	if f, ok := c.multiValueFinding(); ok {
		out = append(out, f)
	}
	if c.p.caseCheck {
		n := c.upperRows.len() + c.lowerRows.len()
		if n > 0 && c.titleCount*10 >= (c.titleCount+n)*6 {
			f := c.finding(KindMixedCase, Info, n, unionRows(&c.upperRows, &c.lowerRows))
			f.Message = fmt.Sprintf("%s in %s %s written in capitals or in lower case, most are Written Like This.",
				plural(n, "value", "values"), col, isAre(n))
			f.Suggest = Suggestion{"op": "title_case", "column": col}
			out = append(out, f)
		}
	}
	return out
}

func regionName(r string) string {
	switch r {
	case "US":
		return "the US"
	case "GB":
		return "the UK"
	case "CA":
		return "Canada"
	case "IE":
		return "Ireland"
	case "AU":
		return "Australia"
	case "NZ":
		return "New Zealand"
	}
	return r
}

func (c *colStat) dateFindings(prof *ColumnProfile, region string) []Finding {
	var out []Finding
	d := c.date
	col := c.p.name
	order := prof.DateOrder
	d.resolvePending(order, c.p.birth, c.env)
	// formats
	type famCount struct {
		fam   int
		count int64
	}
	var fams []famCount
	var total int64
	for i, f := range d.fam {
		if f.count > 0 {
			fams = append(fams, famCount{i, f.count})
			total += f.count
		}
	}
	sort.Slice(fams, func(i, j int) bool { return fams[i].count > fams[j].count })
	if len(fams) > 1 {
		rows := &rowList{}
		for _, fc := range fams[1:] {
			rows = unionRows(rows, &d.fam[fc.fam].rows)
		}
		n := total - fams[0].count
		f := c.finding(KindDateMixed, Warning, n, rows)
		f.Values = prof.DateFormats
		var parts []string
		for _, fc := range fams {
			parts = append(parts, fmt.Sprintf("%s as %s", num(fc.count), familyLabel(uint8(fc.fam), d.fam[fc.fam].unpadded == 0, order)))
		}
		f.Message = fmt.Sprintf("%s is written in %d different ways: %s. The %s not written the usual way will be converted, so every date reads the same.",
			col, len(fams), strings.Join(parts, ", "), plural(n, "date", "dates"))
		f.Order = order
		if order == "DMY" || order == "MDY" || order == "YMD" {
			f.Suggest = Suggestion{"op": "normalise_date", "column": col, "order": order}
		}
		out = append(out, f)
	}
	if d.amb > 0 {
		f := c.finding(KindDateAmbiguous, Warning, d.amb, &d.ambRows)
		f.Order = order
		f.Values = map[string]int64{"ambiguous": d.amb, "proves_order": d.dmy + d.mdy, "same_day_month": d.same}
		switch order {
		case "DMY", "MDY":
			f.Message = fmt.Sprintf("%s in %s could be read day first or month first (like 03/04/2021). %s in the same column can only be read %s, so Ferry reads the whole column that way. Check one or two against the old system before cleansing.",
				plural(d.amb, "date", "dates"), col, plural(d.dmy+d.mdy, "other date", "other dates"), orderWords(order))
			f.Suggest = Suggestion{"op": "normalise_date", "column": col, "order": order}
		case "mixed":
			f.Severity = Error
			f.Values["day_first_only"], f.Values["month_first_only"] = d.dmy, d.mdy
			f.Message = fmt.Sprintf("%s in %s could be read day first or month first, and the column has both: %s only make sense day first, %s only month first. A person has to decide these dates one by one, with the old system open.",
				plural(d.amb, "date", "dates"), col, num(d.dmy), num(d.mdy))
		default:
			f.Severity = Error
			guess := "month first (MM/DD/YYYY), as usual in the US"
			if region != "US" {
				guess = "day first (DD/MM/YYYY), as usual in " + regionName(region)
			}
			f.Message = fmt.Sprintf("%s in %s could be read day first or month first, and no date in the column settles it. Ferry will not guess: decide the order (probably %s) and check it against the old system.",
				plural(d.amb, "date", "dates"), col, guess)
		}
		out = append(out, f)
	}
	if n := d.impossible.len(); n > 0 {
		f := c.finding(KindDateImpossible, Error, n, &d.impossible)
		f.Values = d.impVals
		var parts []string
		for _, k := range sortedKeys(d.impVals) {
			what := map[string]string{"future": "in the future", "over_120": "more than 120 years ago",
				"before_1800": "before 1800", "far_future": "more than 100 years ahead"}[k]
			if what == "" {
				what = k
			}
			parts = append(parts, fmt.Sprintf("%s %s", num(d.impVals[k]), what))
		}
		f.Message = fmt.Sprintf("%s in %s cannot be right: %s. Find the real dates in the paper records, or leave them empty.",
			plural(n, "date", "dates"), col, strings.Join(parts, ", "))
		out = append(out, f)
	}
	if d.bad > 0 {
		f := c.finding(KindDateInvalid, Error, d.bad, &d.badRows)
		f.Values = d.badVals
		f.Message = fmt.Sprintf("%s in %s %s not dates at all, for example %s.", plural(d.bad, "value", "values"), col, isAre(d.bad), breakdown(d.badVals, 3))
		out = append(out, f)
	}
	return out
}

// picklistFinding: a short list of choices typed freely.
func (c *colStat) picklistFinding() (Finding, bool) {
	if c.values == nil || c.p.name4 != nameNone || c.p.role != roleNone || c.p.key || c.p.refChild || c.p.refParent {
		return Finding{}, false
	}
	raw := map[string]int64{}
	for k, e := range c.values {
		if !e.ph {
			raw[k] = e.count
		}
	}
	distinct := int64(len(raw))
	if distinct < 3 || c.real < 20 || distinct > 500 || c.real < 4*distinct || c.count(fLetters)*2 < c.classified {
		return Finding{}, false
	}
	groups := map[string]map[string]int64{}
	for k, n := range raw {
		key := foldValue(k)
		if groups[key] == nil {
			groups[key] = map[string]int64{}
		}
		groups[key][strings.TrimSpace(k)] += n
	}
	variants := 0
	mapping := map[string]string{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		variants += len(g)
	}
	if variants < 3 {
		return Finding{}, false
	}
	for k := range raw {
		g := groups[foldValue(k)]
		best := topValues(g, 1)[0].Value
		mapping[k] = best
	}
	f := c.finding(KindPicklistFreetext, Warning, distinct, nil)
	f.Values, f.Mapping = raw, mapping
	examples := topValues(raw, 6)
	var ex []string
	for _, e := range examples {
		ex = append(ex, quoted(e.Value))
	}
	f.Message = fmt.Sprintf("%s looks like a short list of choices but holds %s different spellings (%s …), %d of them the same word written differently. Map each to one of the new system's values.",
		c.p.name, num(distinct), strings.Join(ex, ", "), variants)
	f.Suggest = Suggestion{"op": "map_values", "column": c.p.name}
	return f, true
}

// multiValueFinding: cells holding several of the column's own values ("Red, Blue").
func (c *colStat) multiValueFinding() (Finding, bool) {
	if c.values == nil || c.sepOff || len(c.sepCands) == 0 || len(c.values) > 1000 || c.p.role != roleNone || c.p.name4 != nameNone {
		return Finding{}, false
	}
	singles := map[string]bool{}
	for k, e := range c.values {
		if e.flags&fSep == 0 && !e.ph {
			singles[foldValue(k)] = true
		}
	}
	multi := map[string]bool{}
	var rows []int64
	seps := map[string]int64{}
	for _, sc := range c.sepCands {
		ok, seen := multi[sc.v]
		if !seen {
			parts := strings.FieldsFunc(sc.v, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
			ok = len(parts) >= 2
			for _, p := range parts {
				if !singles[foldValue(p)] {
					ok = false
				}
			}
			multi[sc.v] = ok
		}
		if ok {
			rows = append(rows, sc.row)
			for _, s := range []string{",", ";", "|"} {
				if strings.Contains(sc.v, s) {
					seps[s]++
				}
			}
		}
	}
	if len(rows) == 0 {
		return Finding{}, false
	}
	sep := topValues(seps, 1)[0].Value
	f := c.finding(KindMultiValue, Warning, int64(len(rows)), rowListOf(rows))
	f.Message = fmt.Sprintf("%s in %s hold several choices in one cell (separated by %q). The new system takes one value per field: decide how to split them.",
		plural(int64(len(rows)), "value", "values"), c.p.name, sep)
	f.Suggest = Suggestion{"op": "split_values", "column": c.p.name, "separator": sep}
	return f, true
}

// groupHashes finds runs of equal hashes: each group's rows in order, first row first.
func groupHashes(hs []hrow) (groups [][]int64, unique int64) {
	hs = compact(hs)
	slices.SortFunc(hs, func(a, b hrow) int {
		if c := cmpHash(a, b); c != 0 {
			return c
		}
		return int(a.row) - int(b.row)
	})
	for i := 0; i < len(hs); {
		j := i + 1
		for j < len(hs) && hs[j].h1 == hs[i].h1 && hs[j].h2 == hs[i].h2 {
			j++
		}
		unique++
		if j-i > 1 {
			g := make([]int64, j-i)
			for k := i; k < j; k++ {
				g[k-i] = int64(hs[k].row)
			}
			groups = append(groups, g)
		}
		i = j
	}
	sort.Slice(groups, func(a, b int) bool { return groups[a][0] < groups[b][0] })
	return groups, unique
}

// surplus lists every row but the first of each group, in row order.
func surplus(groups [][]int64) *rowList {
	var rows []int64
	for _, g := range groups {
		rows = append(rows, g[1:]...)
	}
	slices.Sort(rows)
	return rowListOf(rows)
}
