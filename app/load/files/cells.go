package files

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/app/target"
)

// xlsxMaxCellChars is Excel's limit on one cell's text, in UTF-16 code units.
const xlsxMaxCellChars = 32767

// neutralise returns v with a leading apostrophe when a spreadsheet could take it for a
// formula: it begins with = @ a tab or a carriage return, or with + or - followed by anything
// but a number or a phone number (digits, spaces and . , ( ) / -). Such a number cannot call
// a function or another program, and an apostrophe would spoil it for the importer.
func neutralise(v string) (string, bool) {
	if v == "" {
		return v, false
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v, true
	case '+', '-':
		for i := 1; i < len(v); i++ {
			c := v[i]
			if (c < '0' || c > '9') && !strings.ContainsRune(" .,()/-", rune(c)) {
				return "'" + v, true
			}
		}
	}
	return v, false
}

// xlsxProblem says why an XLSX cell cannot hold v exactly ("" when it can): excelize would
// cut text beyond Excel's limit and replace characters XML 1.0 forbids with U+FFFD.
func xlsxProblem(v string) string {
	units := 0
	for i, r := range v {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(v[i:]); n == 1 {
				return fmt.Sprintf("has bytes that are not UTF-8 text at position %d, which an Excel cell cannot hold", i+1)
			}
		}
		if !xmlChar(r) {
			return fmt.Sprintf("holds the control character U+%04X, which an Excel cell cannot hold; remove it in Cleanse or write CSV", r)
		}
		units += utf16.RuneLen(r)
	}
	if units > xlsxMaxCellChars {
		return fmt.Sprintf("is %d characters long; an Excel cell holds at most %d; shorten it in Cleanse or write CSV", units, xlsxMaxCellChars)
	}
	return ""
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// numericType says whether a field's values may be stored as XLSX numbers.
func numericType(t target.Type) bool {
	return t == target.Integer || t == target.Decimal || t == target.Money
}

// xlsxNumber returns v as a number and its count of decimals when v is in plain decimal
// notation that a number cell with a "0.00…" format shows exactly as v: an optional minus, no
// leading zeros, at most 15 significant digits (a double's exact range), not a negative zero.
func xlsxNumber(v string) (float64, int, bool) {
	s := v
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || (hasPoint && frac == "") || (len(intPart) > 1 && intPart[0] == '0') {
		return 0, 0, false
	}
	digits, nonzero := 0, false
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, 0, false
			}
			if part[i] != '0' {
				nonzero = true
			}
		}
		digits += len(part)
	}
	if digits > 15 || (neg && !nonzero) {
		return 0, 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, 0, false
	}
	return f, len(frac), true
}
