package ocr

import "slices"

// digitRepair turns on repairOneDigit (on by default; OCR_DIGIT_REPAIR=0
// turns it off in the benchmarks, DigitRepairFromEnv).
var digitRepair = true

// digitRepairProblem is the problem of a line repairOneDigit repaired.
const digitRepairProblem = "amount repaired in one digit: the document's subtotal or total confirms it"

// repairOneDigit repairs one line amount misread in one digit ("92.00"
// for 32.00: a digit read as another that no confusion table lists), on
// the whole document's lines (both readings merged), when the document's
// own arithmetic confirms it:
//   - at least three lines, every amount read, read by the receipt reader
//     (its word's confidence known), none confirmed by qty × unit price;
//   - the lines as read add up to neither the subtotal nor the total;
//   - exactly one change of one digit of one line makes them add up to
//     one of the two (no other line, digit or target would);
//   - that line's amount was read with the lowest confidence of all the
//     lines, and under 90.
//
// The repaired line stays flagged for review. It returns the index of the
// line repaired, or -1.
func repairOneDigit(doc *Document) int {
	if !digitRepair || len(doc.Lines) < 3 {
		return -1
	}
	var targets []int64
	for _, s := range []string{doc.Header.Subtotal, doc.Header.Total} {
		if v, ok := parseMoney(s); ok && v > 0 {
			targets = append(targets, v)
		}
	}
	if len(targets) == 0 {
		return -1
	}
	amounts := make([]int64, len(doc.Lines))
	var sum int64
	for i, l := range doc.Lines {
		a, ok := parseMoney(l.Amount)
		if !ok || a <= 0 || l.amountConf <= 0 {
			return -1
		}
		if p, ok := parseMoney(l.UnitPrice); ok && l.Qty > 1 && l.Qty*p == a {
			return -1 // qty × price confirms it: the sum's gap is elsewhere
		}
		amounts[i] = a
		sum += a
	}
	if slices.Contains(targets, sum) {
		return -1
	}
	found, at, to := 0, -1, int64(0)
	for i, a := range amounts {
		for _, v := range oneDigitVariants(a) {
			if slices.Contains(targets, sum-a+v) {
				found++
				at, to = i, v
			}
		}
	}
	if found != 1 {
		return -1
	}
	for i, l := range doc.Lines {
		if i != at && l.amountConf <= doc.Lines[at].amountConf {
			return -1
		}
	}
	if doc.Lines[at].amountConf >= 90 {
		return -1
	}
	l := &doc.Lines[at]
	old := l.Amount
	l.Amount = formatCents(to)
	if l.UnitPrice == old && l.Qty <= 1 {
		l.UnitPrice = l.Amount
	}
	l.Problems = append(l.Problems, digitRepairProblem)
	l.NeedsReview = true
	doc.NeedsReview = true
	return at
}

// oneDigitVariants are the positive amounts (in cents) that differ from v
// in exactly one digit of its written form, the same number of digits.
func oneDigitVariants(v int64) []int64 {
	s := []byte(formatCents(v))
	var out []int64
	for i, c := range s {
		if c < '0' || c > '9' {
			continue
		}
		for d := byte('0'); d <= '9'; d++ {
			if d == c || (i == 0 && d == '0' && len(s) > 4) {
				continue
			}
			t := slices.Clone(s)
			t[i] = d
			if w, ok := parseMoney(string(t)); ok && w > 0 {
				out = append(out, w)
			}
		}
	}
	return out
}
