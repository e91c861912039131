package ocr

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// solution is a reading of qty, unit price and amount (cents).
type solution struct {
	qty, price, amount int64
	cost               int // number of OCR repairs applied
}

// solve finds the cheapest reading of the three tokens for which
// qty × unit price = amount holds exactly. The arithmetic is the check that
// confirms any repair; without it nothing is repaired.
func solve(qs, ps, as string) (solution, bool) {
	best := solution{cost: math.MaxInt}
	found := false
	for _, q := range qtyCandidates(qs) {
		if q.v <= 0 {
			continue
		}
		for _, p := range moneyCandidates(ps) {
			for _, a := range moneyCandidates(as) {
				if q.v*p.v != a.v {
					continue
				}
				if c := q.cost + p.cost + a.cost; c < best.cost {
					best = solution{q.v, p.v, a.v, c}
					found = true
				}
			}
		}
	}
	if !found {
		return solveLostQtyDigit(qs, ps, as)
	}
	return best, found
}

// solveLostQtyDigit reads a quantity that lost or misread one digit ("7"
// for 72 beside 17.90 and 1,288.80): when the unit price divides the
// amount as read, the quotient is the quantity if the quantity read is it
// with one digit dropped or changed. The arithmetic confirms the price and
// the amount; the repair costs two.
func solveLostQtyDigit(qs, ps, as string) (solution, bool) {
	q := strings.TrimSpace(qs)
	if !allDigits(q) || len(q) > 4 {
		return solution{}, false
	}
	for _, p := range moneyCandidates(ps) {
		for _, a := range moneyCandidates(as) {
			if p.cost+a.cost > 0 || p.v <= 0 || a.v%p.v != 0 {
				continue
			}
			want := strconv.FormatInt(a.v/p.v, 10)
			if a.v/p.v > 1 && oneDigitOff(q, want) {
				return solution{a.v / p.v, p.v, a.v, 2}, true
			}
		}
	}
	return solution{}, false
}

// oneDigitOff reports whether read is want with one digit dropped or,
// in a number of two digits or more, changed.
func oneDigitOff(read, want string) bool {
	switch len(want) - len(read) {
	case 1:
		for i := range want {
			if want[:i]+want[i+1:] == read {
				return true
			}
		}
	case 0:
		if len(want) < 2 {
			return false // any one digit is one digit off another
		}
		diff := 0
		for i := range want {
			if want[i] != read[i] {
				diff++
			}
		}
		return diff == 1
	}
	return false
}

// solveDiscount is solve for tables with a discount column: amount =
// qty × unit price × (1 − discount), rounded half up to the cent.
func solveDiscount(qs, ps, ds, as string) (solution, int64, bool) {
	bp, ok := parsePercent(ds)
	if !ok {
		return solution{}, 0, false
	}
	best := solution{cost: math.MaxInt}
	found := false
	for _, q := range qtyCandidates(qs) {
		if q.v <= 0 {
			continue
		}
		for _, p := range moneyCandidates(ps) {
			gross := q.v * p.v
			net := (gross*(10000-bp) + 5000) / 10000
			for _, a := range moneyCandidates(as) {
				if a.v != net {
					continue
				}
				if c := q.cost + p.cost + a.cost; c < best.cost {
					best, found = solution{q.v, p.v, a.v, c}, true
				}
			}
		}
	}
	return best, bp, found
}

// buildLine validates a raw item row and turns it into a Line. cols, when
// known, assigns numbers of incomplete rows to columns by position; extra
// is a money token from a neighbouring row usable as the amount (thermal
// receipts sometimes print it on the description line).
func buildLine(it *rawItem, cols columns) Line {
	l := Line{Description: joinText(it.desc), Unit: it.unit, descW: it.descW}
	if it.id.ean {
		l.Barcode = it.id.text
	} else {
		l.SKU = it.id.text
	}
	idConf := codeConfidence(it, &l)

	var q, p, a *numTok
	nums := it.nums
	if n := len(nums); it.discCol && n >= 4 {
		if s, bp, ok := solveDiscount(nums[n-4].text, nums[n-3].text, nums[n-2].text, nums[n-1].text); ok {
			l.Qty, l.UnitPrice, l.Amount = s.qty, formatCents(s.price), formatCents(s.amount)
			l.DiscountPct = strings.TrimSuffix(strings.TrimSuffix(formatCents(bp), "0"), ".0")
			numConf := 0.99
			if s.cost > 0 {
				numConf = 0.9
				l.Problems = append(l.Problems, fmt.Sprintf("%d character(s) repaired (qty × price × (1 − discount) = amount confirms)", s.cost))
			}
			l.Fields = FieldConfidence{Code: idConf, Qty: numConf, UnitPrice: numConf, Amount: numConf}
			l.Confidence = math.Min(idConf, numConf)
			l.NeedsReview = l.NeedsReview || l.Confidence < reviewBelow || it.id.ean && !it.id.eanValid
			return l
		}
		// Without a reconciling discount reading, treat the row as usual
		// (the last three numbers) and let the checks flag it.
	}
	if n := len(nums); n > 3 {
		// Prefer the window that reconciles: the last three, else the three
		// before a trailing speck.
		if _, ok := solve(nums[n-3].text, nums[n-2].text, nums[n-1].text); ok {
			nums = nums[n-3:]
		} else if _, ok := solve(nums[n-4].text, nums[n-3].text, nums[n-2].text); ok {
			nums = nums[n-4 : n-1]
			l.Problems = append(l.Problems, "ignored a number right of the amount")
		} else {
			nums = nums[n-3:]
		}
	}
	switch n := len(nums); {
	case n >= 3:
		q, p, a = &nums[n-3], &nums[n-2], &nums[n-1]
	case n > 0 && cols.ok:
		for i := range nums {
			t := &nums[i]
			dq, dp, da := abs(t.x-cols.qty), abs(t.x-cols.price), abs(t.x-cols.amount)
			switch {
			case dq <= dp && dq <= da:
				q = t
			case dp <= da:
				p = t
			default:
				a = t
			}
		}
	case n == 2:
		// Without learnt columns two decimals mean price and amount.
		if _, ok := parseMoney(nums[0].text); ok {
			p, a = &nums[0], &nums[1]
		} else {
			q, p = &nums[0], &nums[1]
		}
	}
	numConf := 0.0
	switch {
	case q != nil && p != nil && a != nil:
		if s, ok := solve(q.text, p.text, a.text); ok {
			l.Qty, l.UnitPrice, l.Amount = s.qty, formatCents(s.price), formatCents(s.amount)
			numConf = 0.99
			if s.cost > 0 {
				numConf = 0.9
				l.Problems = append(l.Problems, fmt.Sprintf("%d character(s) repaired (qty × price = amount confirms)", s.cost))
			}
		} else {
			numConf = 0.2
			qv, _ := parseQty(q.text)
			pv, pok := parseMoney(p.text)
			av, aok := parseMoney(a.text)
			l.Qty = qv
			if pok {
				l.UnitPrice = formatCents(pv)
			}
			if aok {
				l.Amount = formatCents(av)
			}
			l.Problems = append(l.Problems, "qty × unit price does not equal amount")
		}
	default:
		numConf = 0.1
		if q != nil {
			l.Qty, _ = parseQty(q.text)
		}
		if p != nil {
			if v, ok := parseMoney(p.text); ok {
				l.UnitPrice = formatCents(v)
			}
		}
		if a != nil {
			if v, ok := parseMoney(a.text); ok {
				l.Amount = formatCents(v)
			}
		}
		// Derive the missing field; the result is unconfirmed.
		pv, pok := parseMoney(l.UnitPrice)
		av, aok := parseMoney(l.Amount)
		switch {
		case q == nil && pok && aok && pv > 0 && av%pv == 0:
			l.Qty = av / pv
		case a == nil && l.Qty > 0 && pok:
			l.Amount = formatCents(l.Qty * pv)
		case p == nil && l.Qty > 0 && aok && av%l.Qty == 0:
			l.UnitPrice = formatCents(av / l.Qty)
		}
		l.Problems = append(l.Problems, "quantity, unit price or amount missing; derived values unconfirmed")
	}
	l.Fields = FieldConfidence{Code: idConf, Qty: numConf, UnitPrice: numConf, Amount: numConf}
	l.Confidence = math.Min(idConf, numConf)
	if l.Confidence < reviewBelow || len(l.Problems) > 0 && numConf < 0.9 {
		l.NeedsReview = true
	}
	if it.id.ean && !it.id.eanValid {
		l.NeedsReview = true
	}
	return l
}

// codeConfidence judges the item code from its checks: the EAN-13 check
// digit and the second reading (Word.Alt). A second reading only counts
// against the first when it is itself plausible (a barcode with a valid
// check digit); a garbled crop reading is no evidence. For SKUs the
// decision whether a disagreement matters waits for the document's code
// pattern (harmoniseCodes); the second reading is kept on the line.
func codeConfidence(it *rawItem, l *Line) float64 {
	if it.noCode {
		l.Problems = append(l.Problems, "item code unreadable")
		l.NeedsReview = true
		return 0.1
	}
	agree, alt := secondOpinion(it)
	checked := it.idAlt != ""
	l.altChecked, l.altAgrees = checked, agree && checked
	if it.id.ean {
		switch {
		case it.id.eanValid && agree:
			if it.id.repaired {
				l.Problems = append(l.Problems, "barcode repaired (check digit confirms)")
				return 0.9
			}
			return 0.99
		case it.id.eanValid && alt.ean && alt.eanValid:
			l.Problems = append(l.Problems, "second reading is a different valid barcode ("+alt.text+")")
			l.NeedsReview = true
			return 0.3
		case it.id.eanValid:
			// The second reading is garbled: the check digit alone vouches.
			return 0.8
		case alt.ean && alt.eanValid:
			l.Barcode = alt.text
			l.Problems = append(l.Problems, "barcode check digit invalid; taken from the second reading")
			l.NeedsReview = true
			return 0.5
		default:
			l.Problems = append(l.Problems, "barcode check digit invalid")
			l.NeedsReview = true
			return 0.2
		}
	}
	if !agree {
		l.altCode = alt.text
		if l.altCode == "" {
			l.altCode = it.idAlt
		}
	}
	switch {
	case it.id.repaired && agree && checked:
		l.Problems = append(l.Problems, "item code repaired (second reading confirms)")
		return 0.9
	case it.id.repaired:
		l.Problems = append(l.Problems, "item code contains letters read as digits")
		l.NeedsReview = true
		return math.Min(it.idConf, 0.5)
	case agree && checked:
		// Two independent readings agree: Tesseract's word confidence is a
		// poor guide for codes (correct barcodes often score 0).
		return math.Max(it.idConf, 0.9)
	case !checked:
		return it.idConf
	}
	return math.Max(it.idConf, 0.6) // judged by harmoniseCodes
}

// secondOpinion compares the code as read on the page with the word's
// second reading (Word.Alt). agree is true when they match on letters and
// digits, allowing the second reading one or two extra leading characters
// (a line number run into the code), or when there is no second reading.
func secondOpinion(it *rawItem) (agree bool, alt itemID) {
	if it.idAlt == "" {
		return true, itemID{}
	}
	a, b := alnum(it.idAlt), alnum(it.id.text)
	if a == b || (strings.HasSuffix(a, b) && len(a)-len(b) <= 2 && len(b) >= 5) {
		return true, itemID{}
	}
	alt, _ = readIDToken(it.idAlt)
	return false, alt
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			return r
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return -1
	}, s)
}

// reviewBelow is the line confidence under which a line needs review.
const reviewBelow = 0.6

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// wordConfs holds the Tesseract confidences (0–100) of a page's words by
// their cleaned text, for judging descriptions after the lines are built
// (every reading builds descriptions from cleaned words).
type wordConfs map[string][]float64

func pageWordConfs(pages []*Page) wordConfs {
	m := wordConfs{}
	for _, p := range pages {
		if p == nil {
			continue
		}
		for _, w := range p.Words {
			if s := cleanWord(w.Text); s != "" {
				m[s] = append(m[s], w.Conf)
			}
		}
	}
	return m
}

// conf is the median confidence of a word read with this text.
func (m wordConfs) conf(s string) (float64, bool) {
	v := m[s]
	if len(v) == 0 {
		return 0, false
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c[len(c)/2], true
}

// descStats measures a description: the mean confidence of its words
// (weighted by their letters; CJK runs Tesseract read as several words are
// matched piecewise), the letters whose words were found, and the share of
// characters that are neither letters, digits, spaces nor the punctuation
// of product names.
type descStats struct {
	meanConf float64
	letters  int // letters in words with a known confidence
	allLet   int
	junk     float64
}

func describe(desc string, m wordConfs) descStats {
	var st descStats
	var sum float64
	runes, junk := 0, 0
	for _, r := range desc {
		if r == ' ' {
			continue
		}
		runes++
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".,-/&()%'+×x", r)) {
			junk++
		}
	}
	if runes > 0 {
		st.junk = float64(junk) / float64(runes)
	}
	for _, t := range strings.Fields(desc) {
		n := letterCount(t)
		st.allLet += n
		if n == 0 {
			continue
		}
		if c, ok := m.conf(t); ok {
			sum += c * float64(n)
			st.letters += n
			continue
		}
		// A CJK run joined from several words: the longest word that
		// starts each piece.
		rs := []rune(t)
		for i := 0; i < len(rs); {
			k := 0
			var kc float64
			for j := len(rs); j > i; j-- {
				if c, ok := m.conf(string(rs[i:j])); ok {
					k, kc = j-i, c
					break
				}
			}
			if k == 0 {
				i++
				continue
			}
			if l := letterCount(string(rs[i : i+k])); l > 0 {
				sum += kc * float64(l)
				st.letters += l
			}
			i += k
		}
	}
	if st.letters > 0 {
		st.meanConf = sum / float64(st.letters)
	}
	return st
}

// Thresholds of the description check (checkDescriptions), set on the
// tuning renders of the generated families: a description whose words
// Tesseract read with a mean confidence under descLowConf, or with more
// than descJunkShare of stray marks, is not trusted.
const (
	descLowConf   = 40
	descJunkShare = 0.15
)

// descriptionProblem says why a description is not to be trusted, or ""
// when it is: no words at all, words read with a low confidence (the
// blurred or stamped cells Tesseract turns into plausible letters), or
// stray marks (rules, specks and a neighbouring column's edge read as
// characters).
func descriptionProblem(desc string, m wordConfs) string {
	st := describe(desc, m)
	switch {
	case st.allLet < 2:
		return "no description read"
	case st.junk > descJunkShare:
		return "description holds stray marks"
	case 2*st.letters >= st.allLet && st.meanConf < descLowConf:
		return fmt.Sprintf("description read with low confidence (%.0f%%)", st.meanConf)
	}
	if n := unreadWords(desc, m); n >= descUnreadWords {
		return fmt.Sprintf("description partly unread (%d words under %d%%)", n, descUnreadConf)
	}
	return ""
}

// A description holding descUnreadWords Latin words or more (two letters
// or more each) that Tesseract read under descUnreadConf is partly
// guesswork even when its other words are clean: a Chinese name read as
// Latin letters, a size read as a word ("TEER PDH Peanut", "SRMMM 500K F
// Fioor Cleaner"). Set on the tuning renders (plain and harsh).
const (
	descUnreadWords = 2
	descUnreadConf  = 20
)

// unreadWords counts the Latin words of two letters or more in desc read
// with a confidence under descUnreadConf.
func unreadWords(desc string, m wordConfs) int {
	n := 0
	for _, t := range strings.Fields(desc) {
		if letterCount(t) < 2 || strings.IndexFunc(t, isCJK) >= 0 {
			continue
		}
		if c, ok := m.conf(t); ok && c < descUnreadConf {
			n++
		}
	}
	return n
}

// checkDescriptions flags, never drops, the lines whose description is not
// to be trusted (descriptionProblem) when no confirmed item code names the
// item, and the lines without a code in a document whose other lines have
// one (the code's cell was there and went unread). A wrong line whose
// numbers happen to satisfy qty × price = amount is then returned for
// review instead of passing as clean; the document needs review with it.
func checkDescriptions(doc *Document, pages []*Page) {
	m := pageWordConfs(pages)
	coded := 0
	for _, l := range doc.Lines {
		if l.SKU != "" || l.Barcode != "" {
			coded++
		}
	}
	codesExpected := coded >= 3 && 4*coded >= 3*len(doc.Lines)
	for i := range doc.Lines {
		l := &doc.Lines[i]
		hasCode := l.SKU != "" || l.Barcode != ""
		var why string
		switch {
		case !hasCode && codesExpected:
			why = "item code not read (the other lines have one)"
		case hasCode && l.Fields.Code >= 0.8:
			continue // the code names the item (a check digit or a second reading vouches)
		default:
			why = descriptionProblem(l.Description, m)
			if why == "" && cellFlagged && slices.ContainsFunc(l.descW, func(w Word) bool { return w.cell }) {
				why = "name read again from its cell (a second reading, not a confirmation)"
			}
		}
		if why == "" {
			continue
		}
		l.Problems = append(l.Problems, why)
		l.NeedsReview = true
		l.Confidence = min(l.Confidence, 0.5)
		doc.NeedsReview = true
	}
}

// checkDerivedQty flags, never drops, the lines whose quantity was not
// read but derived from the amount and the unit price (any price dividing
// the amount gives one) and is not 1, in a document where most lines had
// their quantity read: the quantity's cell was there and went unread, so
// the amount ÷ price is no check of the line.
func checkDerivedQty(doc *Document) {
	derived := 0
	for _, l := range doc.Lines {
		if l.qtyDerived {
			derived++
		}
	}
	if derived == 0 || 2*derived > len(doc.Lines) {
		return
	}
	for i := range doc.Lines {
		l := &doc.Lines[i]
		if !l.qtyDerived || l.Qty == 1 {
			continue
		}
		l.Problems = append(l.Problems, "quantity not read (derived from amount ÷ unit price)")
		l.NeedsReview = true
		l.Confidence = min(l.Confidence, 0.5)
		doc.NeedsReview = true
	}
}

// mismatchProblem is the problem of a line whose qty × unit price is not
// its amount as read.
const mismatchProblem = "qty × unit price does not equal amount"

// repairLineBySum repairs the amount of the one line whose qty × unit
// price (less its discount) is not its amount as read, when two checks
// agree on the amount: qty × price, and what the document's sum (one of
// targets: the subtotal, the total with or without its taxes) leaves for
// that line after every other line; the amount as read must be that
// amount with one character misread ("961.60" for 861.60), and the lines
// as read must not add up to any of targets. Every other line must have
// its amount. It returns the index of the line repaired,
// or -1 (none, or more than one line failing: nothing is repaired).
func repairLineBySum(lines []Line, targets []int64) int {
	bad := -1
	var others int64
	for i, l := range lines {
		a, ok := parseMoney(l.Amount)
		if slices.Contains(l.Problems, mismatchProblem) {
			if bad >= 0 {
				return -1
			}
			bad = i
			continue
		}
		if !ok {
			return -1
		}
		others += a
	}
	if bad < 0 {
		return -1
	}
	l := &lines[bad]
	p, pok := parseMoney(l.UnitPrice)
	a, aok := parseMoney(l.Amount)
	if !pok || !aok || l.Qty <= 0 || p <= 0 {
		return -1
	}
	want := l.Qty * p
	if l.DiscountPct != "" {
		bp, ok := parsePercent(l.DiscountPct)
		if !ok {
			return -1
		}
		want = (want*(10000-bp) + 5000) / 10000
	}
	// The sum must confirm qty × price and not the amount as read: when
	// the lines as read already add up to one of the targets (a subtotal,
	// and a total with a service charge on top), the price is the
	// misread number.
	if want == a || !slices.Contains(targets, others+want) || slices.Contains(targets, others+a) || !oneCharOff(formatCents(a), formatCents(want)) {
		return -1
	}
	l.Amount = formatCents(want)
	l.Problems = slices.DeleteFunc(l.Problems, func(s string) bool { return s == mismatchProblem })
	rest := len(l.Problems)
	l.Problems = append(l.Problems, "amount repaired: qty × unit price and the document's total confirm it")
	l.Fields.Qty, l.Fields.UnitPrice, l.Fields.Amount = 0.9, 0.9, 0.9
	l.Confidence = 0.9
	if l.Fields.Code > 0 {
		l.Confidence = min(l.Confidence, l.Fields.Code)
	}
	if rest == 0 {
		// Flagged only for its arithmetic, now confirmed twice.
		l.NeedsReview = l.Confidence < reviewBelow
	}
	return bad
}

// oneCharOff reports whether two amounts of the same length differ in
// exactly one character.
func oneCharOff(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff == 1
}
