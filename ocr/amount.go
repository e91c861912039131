package ocr

import (
	"strconv"
	"strings"
)

// currencyMarks are stripped from the front of an amount (longest first).
var currencyMarks = []string{"HK$", "MOP$", "US$", "NT$", "RM", "HKD", "MOP", "RMB", "USD", "EUR", "GBP", "MYR", "HKS", "$", "€", "£", "¥", "￥", "元"}

// stripMark removes a currency mark from the front or the back of s.
func stripMark(s string) string {
	u := strings.ToUpper(s)
	for _, p := range currencyMarks {
		if strings.HasPrefix(u, p) && len(s) > len(p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	for _, p := range []string{"€", "元", "$"} {
		if strings.HasSuffix(s, p) && len(s) > len(p) {
			return strings.TrimSpace(s[:len(s)-len(p)])
		}
	}
	return s
}

// isCurrencyMark reports whether a word is a currency mark alone.
func isCurrencyMark(s string) bool {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, p := range currencyMarks {
		if u == p {
			return true
		}
	}
	return false
}

// parseAmount reads a money amount as printed in the common locales:
// a currency mark before or after (HK$ $ MOP RM ¥ € £), thousands
// separators "," or "." or a space-free apostrophe, a decimal point or a
// decimal comma with exactly two decimals ("1,254.00", "1.254,00",
// "2.321,00", "12,50"), a negative sign in front, a trailing minus
// ("12.50-") or parentheses ("(12.50)"). It applies no OCR repair: see
// moneyCandidates for those.
func parseAmount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "-") {
		neg, s = true, strings.TrimSpace(s[:len(s)-1])
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	}
	s = stripMark(s)
	if strings.HasPrefix(s, "-") && !neg {
		neg, s = true, s[1:]
	}
	if len(s) < 4 {
		return 0, false
	}
	sep := s[len(s)-3]
	if sep != '.' && sep != ',' {
		return 0, false
	}
	intPart, frac := s[:len(s)-3], s[len(s)-2:]
	if !allDigits(frac) || intPart == "" {
		return 0, false
	}
	// Thousands separator: the other mark (or an apostrophe), in groups of
	// three.
	thou := byte(',')
	if sep == ',' {
		thou = '.'
	}
	if strings.ContainsAny(intPart, string(thou)+"'") {
		groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == rune(thou) || r == '\'' })
		if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 || strings.HasSuffix(intPart, string(thou)) {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !allDigits(intPart) || len(intPart) > 12 {
		return 0, false
	}
	n, _ := strconv.ParseInt(intPart, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	c := n*100 + f
	if neg {
		c = -c
	}
	return c, true
}
