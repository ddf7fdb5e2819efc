package audit

import (
	"slices"
	"strings"
)

// role is what a column holds, decided before the full pass (from its name and a sample of its
// values) so that the expensive checks run on the columns they are meant for only: a ten-digit
// NPI is not checked as a phone number, an amount of "0" is not a placeholder.
type role uint8

const (
	roleNone role = iota
	roleDate
	roleMoney
	rolePhone
	roleEmail
	rolePostcode
)

type nameRole uint8

const (
	nameNone nameRole = iota
	nameFirst
	nameLast
	nameMiddle
	nameFull
)

var nameRoleNames = [...]string{"", "first_name", "last_name", "middle_name", "full_name"}

// colPlan is what the full pass does with one column.
type colPlan struct {
	idx       int
	name      string
	role      role
	dateHint  bool
	birth     bool
	name4     nameRole
	key       bool
	caseCheck bool // names and places: look for capitals among Title Case
	compact   bool // YYYYMMDD dates allowed
	refChild  bool // child column of a relationship: an identifier
	refParent bool
	nulls     []string // values the source preset says mean "none" (presets.go)
}

func hasWord(words []string, set ...string) bool {
	for _, w := range words {
		if slices.Contains(set, w) {
			return true
		}
	}
	return false
}

func nameRoleOf(col string) nameRole {
	s := squash(col)
	switch {
	case s == "first" || s == "fname" || s == "given" || s == "givenname" || s == "forename" || s == "forenames" ||
		strings.HasSuffix(s, "firstname") || strings.HasSuffix(s, "givenname"):
		return nameFirst
	case s == "last" || s == "lname" || s == "surname" || s == "family" || s == "familyname" ||
		strings.HasSuffix(s, "lastname") || strings.HasSuffix(s, "surname") || strings.HasSuffix(s, "familyname"):
		return nameLast
	case s == "middle" || s == "mi" || s == "mname" || s == "middlename" || s == "middleinitial" || s == "initial":
		return nameMiddle
	case s == "name" || s == "fullname" || s == "patientname" || s == "clientname" || s == "personname" ||
		s == "contactname" || s == "membername" || s == "customername":
		return nameFull
	}
	return nameNone
}

func dateHintOf(col string) (hint, birth bool) {
	s := squash(col)
	w := nameWords(col)
	birth = strings.Contains(s, "birth") || s == "dob" || hasWord(w, "dob", "born")
	hint = birth || hasWord(w, "date", "dt", "day", "dated") || strings.HasSuffix(s, "date") || strings.HasPrefix(s, "date")
	return hint, birth
}

func moneyHintOf(col string) bool {
	return hasWord(nameWords(col), "amount", "amt", "balance", "bal", "price", "fee", "fees", "cost", "costs", "charge",
		"charges", "paid", "payment", "payments", "total", "totalcost", "owed", "copay", "deductible", "premium", "revenue",
		"expense", "expenses", "income", "coverage", "outstanding", "adjustment", "adjustments", "transfers", "tax",
		"discount", "refund", "credit", "debit", "due", "unitamount", "balancedue")
}

func phoneHintOf(col string) bool {
	s := squash(col)
	return strings.Contains(s, "phone") || hasWord(nameWords(col), "tel", "telephone", "mobile", "cell", "fax", "cellular")
}

func emailHintOf(col string) bool {
	s := squash(col)
	return strings.Contains(s, "email") || s == "mail" || hasWord(nameWords(col), "email")
}

func postHintOf(col string) bool {
	s := squash(col)
	return strings.Contains(s, "zip") || strings.Contains(s, "postcode") || strings.Contains(s, "postal") || s == "eircode"
}

func placeHintOf(col string) bool {
	s := squash(col)
	return strings.Contains(s, "city") || strings.Contains(s, "town") || strings.Contains(s, "address") ||
		strings.Contains(s, "street") || strings.Contains(s, "county") || strings.Contains(s, "suburb")
}

// keyLike says whether a column name looks like the key of table: Id, PatientID, PatNum,
// patient_key.
func keyLike(col, table string) bool {
	c := squash(col)
	switch c {
	case "id", "key", "guid", "uuid", "rowid", "recordid":
		return true
	}
	t := squash(table)
	forms := []string{t}
	switch {
	case strings.HasSuffix(t, "ies") && len(t) > 4:
		forms = append(forms, t[:len(t)-3]+"y")
	case strings.HasSuffix(t, "s") && len(t) > 2:
		forms = append(forms, t[:len(t)-1])
	}
	for _, f := range forms {
		for _, suf := range []string{"id", "key", "num", "no", "number", "code", "guid", "uuid"} {
			if c == f+suf {
				return true
			}
		}
	}
	return false
}

// planColumn decides a column's role from its name and a sample of its values.
func planColumn(idx int, name string, sample []string, phones *phoneChecker, region string) colPlan {
	p := colPlan{idx: idx, name: name, name4: nameRoleOf(name)}
	p.dateHint, p.birth = dateHintOf(name)
	p.compact = p.dateHint
	var vals []string
	for _, v := range sample {
		if isBlank(v) {
			continue
		}
		if _, ok := placeholderToken(v, roleNone); ok {
			continue
		}
		vals = append(vals, v)
	}
	share := func(fn func(string) bool, in []string) float64 {
		if len(in) == 0 {
			return 0
		}
		n := 0
		for _, v := range in {
			if fn(v) {
				n++
			}
		}
		return float64(n) / float64(len(in))
	}
	var dateVals []string
	for _, v := range vals {
		if _, ok := placeholderToken(v, roleDate); !ok {
			dateVals = append(dateVals, v)
		}
	}
	dateShare := share(func(v string) bool { return parseDate(v, p.compact).kind != dateNone }, dateVals)
	switch {
	case p.name4 != nameNone:
	case len(dateVals) > 0 && (dateShare >= 0.8 || (p.dateHint && dateShare >= 0.5)):
		p.role = roleDate
	case phoneHintOf(name):
		p.role = rolePhone
	case emailHintOf(name) || (len(vals) > 0 && share(func(v string) bool { return strings.Contains(v, "@") }, vals) >= 0.8):
		p.role = roleEmail
	case postHintOf(name) && share(func(v string) bool { return checkPostcode(v, region) != postInvalid }, vals) >= 0.5:
		p.role = rolePostcode
	case len(vals) > 0 && moneyHintOf(name) && share(func(v string) bool { return parseMoney(v).ok }, vals) >= 0.5 &&
		share(func(v string) bool { _, sc, _, ok := parseNumber(strings.TrimSpace(v)); return ok && sc > 2 }, vals) == 0:
		p.role = roleMoney
	case len(vals) > 0 && share(func(v string) bool {
		m := parseMoney(v)
		return m.ok && strings.ContainsAny(v, "$£€")
	}, vals) >= 0.2:
		p.role = roleMoney
	case len(vals) >= 10 && share(phoneShaped, vals) >= 0.9 && share(func(v string) bool { return strings.ContainsAny(v, "()-. +") }, vals) >= 0.5:
		n := 0
		for _, v := range vals[:min(len(vals), 200)] {
			if phones.valid(v) {
				n++
			}
		}
		if float64(n) >= 0.8*float64(min(len(vals), 200)) {
			p.role = rolePhone
		}
	}
	if p.name4 == nameFirst || p.name4 == nameLast || p.name4 == nameFull || placeHintOf(name) {
		p.caseCheck = true
	}
	return p
}

// phoneShaped: 7 to 15 digits and only the punctuation phone numbers are written with.
func phoneShaped(v string) bool {
	digits := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			digits++
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}
