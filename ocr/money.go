package ocr

import (
	"regexp"
	"strconv"
	"strings"
)

// formatCents renders an amount in cents as a decimal string with two
// decimals ("12.50", "-438.47").
func formatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + strconv.FormatInt(c/100, 10) + "." + twoDigits(c%100)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// currencyMarks are stripped from the front of an amount (longest first).
var currencyMarks = []string{"HK$", "MOP$", "MOPS", "US$", "NT$", "RM", "HKD", "MOP", "RMB", "USD", "EUR", "GBP", "MYR", "HKS", "$", "€", "£", "¥", "￥", "元"}

// stripMark removes a currency mark from the front or the back of s.
func stripMark(s string) string {
	// Any letters and a "$" before the digits, also a mark misread
	// ("MOPS$", "HKS$").
	if m := reMisreadMark.FindStringIndex(s); m != nil && m[1] < len(s) {
		return s[m[1]:]
	}
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

var reMisreadMark = regexp.MustCompile(`^[A-Za-z]{1,4}\$\s*`)

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

// parseMoney reads a money amount as printed in the common locales:
// a currency mark before or after (HK$ $ MOP RM ¥ € £), thousands
// separators "," or "." or a space-free apostrophe, a decimal point or a
// decimal comma with exactly two decimals ("1,254.00", "1.254,00",
// "2.321,00", "12,50"), a negative sign in front, a trailing minus
// ("12.50-") or parentheses ("(12.50)"). It applies no OCR repair: see
// moneyCandidates for those. It is the one money parser of the package
// (purchase orders, receipts, totals).
func parseMoney(s string) (int64, bool) {
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
		if strings.Contains(intPart, ",") && !strings.Contains(intPart, ".") {
			// "1,128,00": comma thousands, the decimal point misread as a
			// comma (the groups of three are checked below).
			thou = ','
		}
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

// parseQty reads a plain non-negative integer quantity, with commas only
// as thousands separators ("1,200"): "17,00" is a decimal comma, not 1700.
func parseQty(s string) (int64, bool) {
	if strings.Contains(s, ",") {
		groups := strings.Split(s, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		s = strings.Join(groups, "")
	}
	if !allDigits(s) || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digitConfusions maps characters Tesseract commonly reads in place of
// digits.
var digitConfusions = map[rune]rune{
	'O': '0', 'o': '0', 'D': '0', 'Q': '0', 'U': '0',
	'I': '1', 'l': '1', '|': '1', 'i': '1', '!': '1', ']': '1', 'J': '1',
	'Z': '2', 'z': '2',
	'S': '5', 's': '5', '$': '5',
	'B': '8', '&': '8',
	'G': '6', 'b': '6',
	'g': '9', 'q': '9',
	'T': '7',
	'A': '4',
}

// mapConfusions replaces confusable letters by digits and reports how many
// characters it changed.
func mapConfusions(s string) (string, int) {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if d, ok := digitConfusions[r]; ok {
			b.WriteRune(d)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), n
}

// candidate is a reading of a numeric field with its repair cost: 0 for the
// text as read, higher for each OCR repair applied.
type candidate struct {
	v    int64
	cost int
}

// moneyCandidates lists plausible readings of a money token: as read, with
// confusable letters mapped to digits, with a comma read for the decimal
// point, and with a lost decimal point restored. Repaired readings are only
// accepted by the caller when an arithmetic check confirms them.
func moneyCandidates(s string) []candidate {
	var out []candidate
	add := func(v int64, cost int) {
		for _, c := range out {
			if c.v == v {
				return
			}
		}
		out = append(out, candidate{v, cost})
	}
	// A decimal comma ("7,50") is read as such but costs one: on a page
	// printed with decimal points it is a misread point, and the caller's
	// check must confirm it.
	comma := 0
	if i := strings.LastIndexAny(s, ",."); i >= 0 && s[i] == ',' {
		comma = 1
	}
	if v, ok := parseMoney(s); ok {
		add(v, comma)
	}
	// Map confusions on the text as read: a "$" may be a misread "5".
	m, n := mapConfusions(s)
	if n > 0 {
		if v, ok := parseMoney(m); ok {
			add(v, n+comma)
		}
	}
	// "7,50" for "7.50"; "1.254.00" for "1,254.00".
	if i := strings.LastIndexAny(m, ",."); i > 0 && len(m)-i == 3 {
		body := strings.NewReplacer(",", "", ".", "").Replace(m[:i])
		if v, ok := parseMoney(body + "." + m[i+1:]); ok {
			add(v, n+1)
		}
	}
	// A lost decimal point: "125400" for "1254.00".
	digits := strings.NewReplacer(",", "", ".", "").Replace(m)
	if allDigits(digits) && len(digits) >= 3 && !strings.Contains(m, ".") {
		if v, ok := parseMoney(digits[:len(digits)-2] + "." + digits[len(digits)-2:]); ok {
			add(v, n+2)
		}
	}
	return out
}

// qtyCandidates lists plausible readings of a quantity token.
func qtyCandidates(s string) []candidate {
	var out []candidate
	if v, ok := parseQty(s); ok {
		out = append(out, candidate{v, 0})
	}
	m, n := mapConfusions(s)
	if n > 0 {
		if v, ok := parseQty(m); ok {
			out = append(out, candidate{v, n})
		}
	}
	return out
}

// numericLike reports whether a token looks like a number, possibly garbled:
// it has at least one digit and most of its characters are digits,
// separators or confusable letters.
func numericLike(s string) bool {
	s = strings.TrimSuffix(stripMark(s), "%")
	if s == "" {
		return false
	}
	digits, ok := 0, 0
	total := 0
	for _, r := range s {
		total++
		switch {
		case r >= '0' && r <= '9':
			digits++
			ok++
		case r == '.' || r == ',' || r == '-':
			ok++
		default:
			if _, c := digitConfusions[r]; c {
				ok++
			}
		}
	}
	return digits > 0 && ok == total && digits*2 >= total
}

// parsePercent reads a discount percentage ("5", "5%", "12.5%") in basis
// points (1% = 100).
func parsePercent(s string) (int64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(s, ".")
	if !allDigits(whole) || len(whole) > 3 || len(frac) > 2 || (frac != "" && !allDigits(frac)) {
		return 0, false
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	bp := w*100 + f
	return bp, bp <= 10000
}
