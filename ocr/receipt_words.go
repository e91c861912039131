package ocr

import (
	"regexp"
	"strings"
	"unicode"
)

// Summary keywords were matched anywhere in a row's text with its spaces
// removed, so an item named "Tenderloin" (TENDER), "Fondue" (DUE),
// "Ground beef" (ROUND) or "Multipack" (TIP) was taken for a payment or
// total row and lost. Latin-script keywords now count only as words: a
// word (or two adjacent words run together, "Item count") that is made
// of keywords and the glue below ("SUBTOTAL", "TOTALDUE", "TAXES",
// "Tendered"). CJK keywords have no word boundaries and still match
// anywhere.

// keywordGlue may join keywords into one word without making it another
// word.
var keywordGlue = []string{"SUB", "GRAND", "NET", "S", "ES", "ED", "ING", "SALES", "DUE", "AMT", "PAYABLE", "INCL", "EXCL", "NO", "TIME"}

// hasKeywordWord reports whether row r names one of keys as a word (see
// above). Keys holding non-ASCII letters match anywhere in the row.
func hasKeywordWord(r *row, keys []string) bool {
	var words []string
	compact := compactUpper(r)
	for _, k := range keys {
		if !isASCII(k) && strings.Contains(compact, k) {
			return true
		}
	}
	for _, w := range r.words {
		if l := latinLetters(w.Text); l != "" {
			words = append(words, l)
		}
	}
	for i, w := range words {
		if madeOfKeywords(w, keys) || i+1 < len(words) && madeOfKeywords(w+words[i+1], keys) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// latinLetters is the ASCII letters of a word, upper case.
func latinLetters(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// madeOfKeywords reports whether w is a sequence of keys and glue pieces
// with at least one key.
func madeOfKeywords(w string, keys []string) bool {
	// reach[i]: 0 not reachable, 1 reachable with glue only, 2 with a key.
	reach := make([]int8, len(w)+1)
	reach[0] = 1
	for i := 0; i < len(w); i++ {
		if reach[i] == 0 {
			continue
		}
		for _, k := range keys {
			k = strings.TrimRight(k, ".")
			if k != "" && isASCII(k) && strings.HasPrefix(w[i:], k) {
				reach[i+len(k)] = 2
			}
		}
		for _, g := range keywordGlue {
			if strings.HasPrefix(w[i:], g) && reach[i+len(g)] < reach[i] {
				reach[i+len(g)] = reach[i]
			}
		}
	}
	return reach[len(w)] == 2
}

// contactWords mark a row of the letterhead or the header (telephone,
// date), not an item.
var contactWords = []string{"TEL", "TELEPHONE", "PHONE", "DATE", "日期", "電話"}

// derivedTotal is the amount payable when two independent sums agree on
// it: the cash tendered less the change against the subtotal or the
// lines' sum, with or without the taxes and adjustments. Neither sum
// alone is trusted (a misread cash amount, a line missed).
func derivedTotal(s summary, lineSum int64, haveLines bool) (int64, bool) {
	if !s.hasCash || !s.hasChange || s.cash <= s.change {
		return 0, false
	}
	paid := s.cash - s.change
	var tax int64
	for _, t := range s.taxes {
		tax += t
	}
	var sums []int64
	if s.hasSub {
		sums = append(sums, s.subtotal, s.subtotal+tax)
	}
	if haveLines {
		sums = append(sums, lineSum, lineSum+tax)
	}
	if tax != 0 {
		// A total labelled before the taxes ("Total Sales (Excluding
		// GST)", its exclusion misread) plus the taxes.
		for _, c := range s.totals {
			sums = append(sums, c.v+tax)
		}
	}
	for _, v := range sums {
		if v == paid {
			return paid, true
		}
	}
	return 0, false
}

// trimSpeck removes one speck read as a period or comma after an amount
// ("0.00.", "12.50,"), or a parenthesis without its pair ("77.60)").
func trimSpeck(s string) string {
	if len(s) > 4 && (s[len(s)-1] == '.' || s[len(s)-1] == ',') {
		return s[:len(s)-1]
	}
	// A parenthesis without its pair is a table border or a speck
	// ("77.60)"); a negative amount has both ("(12.50)").
	if len(s) > 4 && strings.Count(s, "(")+strings.Count(s, ")") == 1 {
		return strings.Trim(s, "()")
	}
	return s
}

// repeatPrice repairs a row's last word when it is a misreading of the
// amount just before it, the unit price of a quantity-one line repeated
// in the amount column ("9.19 9-19", "8.75 8,7"): no letters, at least
// two digits, and its digits the price's digits or their start. The
// price's reading stands for the amount (the line is flagged); ok reports
// a repair.
func repeatPrice(toks []rtok) ([]rtok, bool) {
	n := len(toks)
	if n < 2 || toks[n-1].money || !toks[n-2].money || toks[n-2].cents <= 0 {
		return toks, false
	}
	last := toks[n-1].s
	if hasLetters(last) || len(last) > len(toks[n-2].s)+1 {
		return toks, false
	}
	digits := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	d, p := digits(last), digits(toks[n-2].s)
	if len(d) < 2 || len(d) < len(p)-1 || !strings.HasPrefix(p, d) || !strings.ContainsAny(last, ".,-:;") {
		return toks, false
	}
	out := append([]rtok(nil), toks...)
	out[n-1].s, out[n-1].money, out[n-1].cents, out[n-1].int = toks[n-2].s, true, toks[n-2].cents, false
	return out, true
}

// reWholeUnits is an amount printed without decimals in thousands groups
// ("25.000", "Rp 125,000", "¥1,200"): currencies without cents.
var reWholeUnits = regexp.MustCompile(`^(?:[A-Za-z]{1,3}\.?|[$€£¥￥₫₩])?(\d{1,3}(?:[.,]\d{3})+)$`)

// wholeUnitWords rewrites a page's amounts printed in whole currency units
// as amounts with two decimals ("25.000" -> "25000.00") when the page
// prints no amount with decimals at all and at least two grouped amounts:
// a currency without cents (rupiah, dong, yen, won). Pages with any
// two-decimal amount are returned unchanged.
func wholeUnitWords(words []Word) []Word {
	grouped := 0
	for _, w := range words {
		s := cleanWord(w.Text)
		if _, ok := parseMoney(s); ok {
			return words
		}
		if reWholeUnits.MatchString(s) {
			grouped++
		}
	}
	if grouped < 2 {
		return words
	}
	out := make([]Word, len(words))
	copy(out, words)
	for i, w := range out {
		if m := reWholeUnits.FindStringSubmatch(cleanWord(w.Text)); m != nil {
			out[i].Text = strings.NewReplacer(".", "", ",", "").Replace(m[1]) + ".00"
		}
	}
	return out
}

// rePointMisread is an amount whose decimal point was read as a hyphen,
// a colon or a space-free dash ("47-70", "11:25").
var rePointMisread = regexp.MustCompile(`^(\d{1,6})[-:–—](\d{2})$`)

// rePointLost is an amount read without its decimal point, three to
// seven digits ("760" for 7.60).
var rePointLost = regexp.MustCompile(`^(\d{1,5})(\d{2})$`)

// ownNumber reports a row whose last word is a bare number of three to
// seven digits: its own amount with the point lost, not a label waiting
// for the amount of the row below.
func ownNumber(toks []rtok) bool {
	return rcpt2Rules && len(toks) > 0 && rePointLost.MatchString(toks[len(toks)-1].s)
}

// pointMisread reads the last word of a total row as an amount with its
// decimal point misread ("Total 47-70"). The candidate counts only when a
// sum confirms it (chooseTotal), as a time or a reference could read the
// same.
func pointMisread(r *row, rank, i int) []totalCand {
	toks := classify(r)
	if len(toks) == 0 || toks[len(toks)-1].money {
		return nil
	}
	m := rePointMisread.FindStringSubmatch(toks[len(toks)-1].s)
	if m == nil && rcpt2Rules {
		// The point not read at all ("Amount 760"): the same check.
		m = rePointLost.FindStringSubmatch(toks[len(toks)-1].s)
	}
	if m == nil {
		return nil
	}
	v, ok := parseMoney(m[1] + "." + m[2])
	if !ok {
		return nil
	}
	return []totalCand{{v: v, rank: rank, row: i, src: i, check: true}}
}

// tenderAboveChange reads the amount tendered when its label was misread
// ("Gash $10.00" over "Change $4.36"): receipts print the payment just
// above the change, so the row above the change row, holding one amount
// not less than the change and at most a short label (its own row when
// printed a little higher) naming no total, tax or other summary word, is
// the payment. Used only when no cash or tender
// row was read.
func tenderAboveChange(rows []*row, s *summary) {
	if s.hasCash || !s.hasChange {
		return
	}
	for i, r := range rows {
		u := compactUpper(r)
		if !strings.Contains(u, "CHANGE") && !strings.Contains(u, "找續") && !strings.Contains(u, "找零") {
			continue
		}
		if i == 0 {
			return
		}
		above := rows[i-1]
		toks := classify(above)
		if len(toks) < 1 || len(toks) > 3 || !toks[len(toks)-1].money || isSummaryRow(above) {
			return
		}
		for _, t := range toks[:len(toks)-1] {
			if t.money || !hasLetters(t.s) {
				return
			}
		}
		if v := abs64(toks[len(toks)-1].cents); v >= s.change && v > 0 {
			s.cash, s.hasCash = v, true
		}
		return
	}
}
