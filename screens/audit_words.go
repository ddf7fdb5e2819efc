package screens

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ferry-migrate/ferry/app/audit"
)

// What the Audit screen says about findings, in the words of a practice manager rather than the
// engine's kinds and ops. The engine's message stays the detail; these are the titles, units,
// filters, the suggested fix and what to do when no fix can be automatic.

// kindLabels name each kind of finding in the kind filter.
var kindLabels = map[string]string{
	audit.KindMissing:          "Empty values",
	audit.KindPlaceholder:      "Stand-ins for “unknown”",
	audit.KindDateMixed:        "Dates written different ways",
	audit.KindDateAmbiguous:    "Dates that read two ways",
	audit.KindDateImpossible:   "Impossible dates",
	audit.KindDateInvalid:      "Values that are not dates",
	audit.KindDuplicateExact:   "Exact copies of rows",
	audit.KindDuplicateKey:     "Keys used twice",
	audit.KindDuplicateFuzzy:   "Likely duplicates (fuzzy)",
	audit.KindOrphan:           "Missing linked records",
	audit.KindInvalidPhone:     "Phone numbers",
	audit.KindInvalidEmail:     "E-mail addresses",
	audit.KindEmailTypo:        "Misspelled e-mail providers",
	audit.KindZipLeadingZero:   "ZIP codes without their 0",
	audit.KindInvalidPostcode:  "Postcodes",
	audit.KindNameLastFirst:    "“Last, First” in one box",
	audit.KindMultiValue:       "Several choices in one cell",
	audit.KindPicklistFreetext: "Choices typed freely",
	audit.KindMoneyText:        "Amounts that are not numbers",
	audit.KindUntrimmed:        "Spaces around values",
	audit.KindMixedCase:        "Names in capitals",
	audit.KindTestRecord:       "Test records",
}

// kindLabel is the kind filter's name for a kind.
func kindLabel(kind string) string {
	if l := kindLabels[kind]; l != "" {
		return l
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// findingTitle is a finding's title in plain words: "Dates that could be read two ways",
// "Appointments whose patient is missing".
func findingTitle(f audit.Finding) string {
	tab := upperFirst(f.Table)
	switch f.Kind {
	case audit.KindMissing:
		return "Empty values"
	case audit.KindPlaceholder:
		return "Values standing for “unknown”"
	case audit.KindDateMixed:
		return "Dates written in different ways"
	case audit.KindDateAmbiguous:
		if f.Order == "DMY" || f.Order == "MDY" {
			return "Dates that could be read two ways"
		}
		return "Dates nobody can read for sure"
	case audit.KindDateImpossible:
		return "Dates that cannot be right"
	case audit.KindDateInvalid:
		return "Values that are not dates"
	case audit.KindDuplicateExact:
		return "Duplicate " + f.Table + " (exact copies)"
	case audit.KindDuplicateKey:
		return f.Column + " used more than once"
	case audit.KindDuplicateFuzzy:
		return "Duplicate " + f.Table + " (fuzzy)"
	case audit.KindOrphan:
		parent, _, _ := strings.Cut(f.Parent, ".")
		if parent == "" {
			return tab + " whose linked record is missing"
		}
		return tab + " whose " + singular(parent) + " is missing"
	case audit.KindInvalidPhone:
		return "Phone numbers that cannot be dialled"
	case audit.KindInvalidEmail:
		return "Values that are not e-mail addresses"
	case audit.KindEmailTypo:
		return "Misspelled e-mail providers"
	case audit.KindZipLeadingZero:
		return "ZIP codes missing their leading 0"
	case audit.KindInvalidPostcode:
		return "Postcodes that are not valid"
	case audit.KindNameLastFirst:
		return "Whole names typed in one box"
	case audit.KindMultiValue:
		return "Several choices in one cell"
	case audit.KindPicklistFreetext:
		return "Choices typed in many spellings"
	case audit.KindMoneyText:
		return "Amounts that are not numbers"
	case audit.KindUntrimmed:
		return "Spaces before or after values"
	case audit.KindMixedCase:
		return "Names in capitals or lower case"
	case audit.KindTestRecord:
		return "Test records"
	}
	return upperFirst(kindLabel(f.Kind))
}

// findingWhere is "patients · BirthDate" (or the table alone for a row-level finding).
func findingWhere(f audit.Finding) string {
	if f.Column == "" {
		return f.Table
	}
	return f.Table + " · " + f.Column
}

// findingCount is the count with what it counts: "11 rows", "43 dates", "108 spellings".
func findingCount(f audit.Finding) string {
	switch f.Kind {
	case audit.KindDuplicateExact, audit.KindDuplicateKey, audit.KindDuplicateFuzzy, audit.KindOrphan, audit.KindTestRecord:
		return plural64(f.Count, "row", "rows")
	case audit.KindDateMixed, audit.KindDateAmbiguous, audit.KindDateImpossible:
		return plural64(f.Count, "date", "dates")
	case audit.KindPicklistFreetext:
		return plural64(f.Count, "spelling", "spellings")
	case audit.KindZipLeadingZero:
		return plural64(f.Count, "code", "codes")
	case audit.KindEmailTypo:
		return plural64(f.Count, "address", "addresses")
	}
	return plural64(f.Count, "value", "values")
}

// severityWords says what a severity means for the migration.
func severityWords(sev string) string {
	switch sev {
	case audit.Error:
		return "Error: fix before loading, or the new system gets wrong or incomplete records."
	case audit.Warning:
		return "Warning: worth fixing; it will look wrong or cause trouble in the new system."
	}
	return "For information: nothing is wrong as such, but it helps to know."
}

// severityLabel is the severity filter's word for a severity.
func severityLabel(sev string) string {
	switch sev {
	case audit.Error:
		return "Errors"
	case audit.Warning:
		return "Warnings"
	}
	return "For information"
}

// severityColor is the colour of a severity: red, orange, blue.
func severityColor(sev string) color.Color {
	switch sev {
	case audit.Error:
		return theme.Color(theme.ColorNameError)
	case audit.Warning:
		return statusOrange
	}
	return statusBlue
}

// severityIcon is the icon of a severity, in its colour.
func severityIcon(sev string) fyne.Resource {
	switch sev {
	case audit.Error:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case audit.Warning:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewPrimaryThemedResource(theme.InfoIcon())
}

// suggestionWords describes the cleanse operation the audit suggests for f, or "" when a person
// must decide.
func suggestionWords(f audit.Finding) string {
	s := f.Suggest
	if s == nil {
		return ""
	}
	op, _ := s["op"].(string)
	col, _ := s["column"].(string)
	if col == "" {
		col = f.Column
	}
	switch op {
	case "normalise_date":
		order, _ := s["order"].(string)
		how := "reading them the one way the column allows"
		switch order {
		case "DMY":
			how = "reading day/month dates day first (DD/MM/YYYY)"
		case "MDY":
			how = "reading day/month dates month first (MM/DD/YYYY)"
		case "YMD":
			how = "reading them year first"
		}
		return fmt.Sprintf("Rewrite every date in %s the same way (YYYY-MM-DD), %s. Dates that could still be read either way are left for you to decide, never guessed.", col, how)
	case "restore_zip_zeros":
		return fmt.Sprintf("Put back the leading 0 of the short ZIP codes in %s (2115 becomes 02115).", col)
	case "map_values":
		return fmt.Sprintf("Map each spelling in %s to one value of the new system. Ferry proposes a value for each, for you to confirm.", col)
	case "merge_duplicates":
		n := plural64(int64(f.Clusters), "group", "groups")
		if review, _ := s["review"].(bool); review {
			return fmt.Sprintf("Review the %s one by one and merge the people who really are the same: the first row of each group is kept, the others' details fill its blanks.", n)
		}
		return fmt.Sprintf("Merge each of the %s into one row: the first is kept, the %s are set aside (not deleted), and links to them are moved to the kept row.",
			n, plural64(f.Count, "extra row", "extra rows"))
	case "purge":
		return fmt.Sprintf("Leave the %s out of the new system. They are set aside with the reason, so the totals still add up.", plural64(f.Count, "test record", "test records"))
	case "trim":
		return fmt.Sprintf("Remove the spaces before and after the values in %s.", col)
	case "set_blank":
		vals := anyStrings(s["values"])
		for i, v := range vals {
			vals[i] = "‘" + v + "’"
		}
		if len(vals) == 0 {
			return fmt.Sprintf("Empty the values in %s that stand for “unknown”.", col)
		}
		return fmt.Sprintf("Empty the values in %s that stand for “unknown”: %s.", col, strings.Join(vals, ", "))
	case "fix_email_domain":
		var parts []string
		if m, ok := s["mapping"].(map[string]any); ok {
			for _, k := range sortedKeys(m) {
				parts = append(parts, fmt.Sprintf("%s → %v", k, m[k]))
			}
		}
		return fmt.Sprintf("Correct the misspelled providers in %s: %s.", col, strings.Join(parts, ", "))
	case "split_name":
		into := anyStrings(s["into"])
		if len(into) >= 2 {
			return fmt.Sprintf("Split “Last, First” in %s into %s.", col, strings.Join(into, " and "))
		}
		return fmt.Sprintf("Split “Last, First” in %s into a last name and a first name.", col)
	case "split_values":
		sep, _ := s["separator"].(string)
		return fmt.Sprintf("Split the several choices in %s (separated by “%s”) the way the new system takes them.", col, sep)
	case "title_case":
		return fmt.Sprintf("Write the names in %s in capitals and lower case (McDonald, O'Brien) where they are all capitals or all lower case.", col)
	}
	return fmt.Sprintf("Ferry suggests the cleanse operation “%s”.", strings.ReplaceAll(op, "_", " "))
}

// decideWords says what to do about a finding no operation can fix by itself.
func decideWords(f audit.Finding) string {
	switch f.Kind {
	case audit.KindOrphan:
		return "Look for the missing records in the old system: they may be in another export, or deleted there. Then import them, or decide to leave these rows out."
	case audit.KindDateImpossible:
		return "Find the real dates in the paper records or the old system, or leave them empty."
	case audit.KindDateInvalid:
		return "Look these values up in the old system and type the real dates, or leave them empty."
	case audit.KindDateAmbiguous:
		return "Decide, with the old system open, how these dates are meant to be read; Cleanse then lets you choose day first or month first."
	case audit.KindMoneyText:
		return "Decide what each one means (zero, unknown, a note that belongs elsewhere) before the amounts are loaded; otherwise the totals will not match."
	case audit.KindInvalidPhone, audit.KindInvalidEmail, audit.KindInvalidPostcode:
		return "Correct them from the old system or the patient's paperwork, or leave them empty; Cleanse can empty or replace values."
	case audit.KindMissing:
		return "Nothing to fix unless the new system requires a value here."
	case audit.KindDuplicateFuzzy:
		return "Review each group: only a person can tell whether two similar records are the same patient."
	}
	return "A person needs to decide what to do about these; Cleanse has operations to replace, empty or remove values."
}

// anyStrings turns a JSON array into strings.
func anyStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case []string:
		out = append(out, x...)
	case []any:
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

// valueWords turns the engine's breakdown keys into words where they are codes.
func valueWords(kind, key string) string {
	switch kind {
	case audit.KindDateImpossible:
		if w := map[string]string{"future": "in the future", "over_120": "more than 120 years ago",
			"before_1800": "before 1800", "far_future": "more than 100 years ahead"}[key]; w != "" {
			return w
		}
	case audit.KindDateAmbiguous:
		if w := map[string]string{"ambiguous": "could be read either way", "proves_order": "can only be read one way",
			"same_day_month": "same day and month (03/03)", "day_first_only": "only make sense day first",
			"month_first_only": "only make sense month first"}[key]; w != "" {
			return w
		}
	}
	return key
}

// breakdownRows is a finding's Values as bars, the most frequent first, at most n (and the
// mapping proposed for each value as its note).
func breakdownRows(f audit.Finding, n int) (rows []valueBar, more int) {
	keys := make([]string, 0, len(f.Values))
	for k := range f.Values {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if f.Values[keys[i]] != f.Values[keys[j]] {
			return f.Values[keys[i]] > f.Values[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if f.Kind == audit.KindDateAmbiguous { // a fixed order reads better than counts here
		keys = keys[:0]
		for _, k := range []string{"ambiguous", "proves_order", "day_first_only", "month_first_only", "same_day_month"} {
			if _, ok := f.Values[k]; ok {
				keys = append(keys, k)
			}
		}
	}
	for i, k := range keys {
		if i == n {
			return rows, len(keys) - n
		}
		r := valueBar{label: valueWords(f.Kind, k), count: f.Values[k]}
		if to, ok := f.Mapping[k]; ok {
			if to == k {
				r.note, r.quiet = "kept as it is", true
			} else {
				r.note = "→ " + to
			}
		}
		rows = append(rows, r)
	}
	return rows, 0
}

// upperFirst capitalises the first letter: "appointments" → "Appointments".
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// singular is a table name in the singular for a sentence: patients → patient, activities →
// activity. Names that do not end in s are kept.
func singular(s string) string {
	l := strings.ToLower(s)
	switch {
	case strings.HasSuffix(l, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(l, "sses"), strings.HasSuffix(l, "xes"), strings.HasSuffix(l, "ches"), strings.HasSuffix(l, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(l, "ss"), strings.HasSuffix(l, "us"):
		return s
	case strings.HasSuffix(l, "s") && len(s) > 2:
		return s[:len(s)-1]
	}
	return s + " record"
}
