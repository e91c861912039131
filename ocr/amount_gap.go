package ocr

import (
	"slices"
	"strings"
)

// amountFromGap gives the one line whose amount was not read, but whose
// quantity and unit price were, the amount quantity × unit price when
// that is exactly what the other lines leave of the subtotal or total:
// two checks agree (the row's own arithmetic and the document's sum).
// Needs at least three other lines, all with amounts. The line stays
// flagged (its printed amount was never read); a total the lines now add
// up to is confirmed (confidence 0.9), so the page is not read again for
// it and no second reading's fragments are added to lines that already
// reconcile.
func amountFromGap(doc *Document) {
	if !gapAmounts {
		return
	}
	at, others := -1, 0
	var sum int64
	for i, l := range doc.Lines {
		v, ok := parseMoney(l.Amount)
		if !ok {
			if at >= 0 {
				return
			}
			at = i
			continue
		}
		sum += v
		others++
	}
	if at < 0 || others < 3 {
		return
	}
	l := &doc.Lines[at]
	p, ok := parseMoney(l.UnitPrice)
	if !ok || p <= 0 || l.Qty <= 0 {
		return
	}
	h := &doc.Header
	want := sum + l.Qty*p
	sub, subOK := parseMoney(h.Subtotal)
	tot, totOK := parseMoney(h.Total)
	if !(subOK && sub == want || totOK && tot == want) {
		return
	}
	l.Amount = formatCents(l.Qty * p)
	l.Fields.Amount = min(l.Fields.Qty, l.Fields.UnitPrice, 0.6)
	l.Confidence = min(l.Confidence, l.Fields.Amount)
	l.NeedsReview = true
	l.Problems = slices.DeleteFunc(l.Problems, func(s string) bool {
		return strings.HasPrefix(s, "amount not confirmed") || strings.HasPrefix(s, "qty × unit price does not equal")
	})
	l.Problems = append(l.Problems, "amount not read: quantity × unit price, what the other lines leave of the total")
	if totOK && tot == want && h.Confidence["total"] < 0.9 {
		if h.Confidence == nil {
			h.Confidence = map[string]float64{}
		}
		h.Confidence["total"] = 0.9
	}
	doc.Warnings = slices.DeleteFunc(doc.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "line amounts add up to") || w == "line amounts do not add up to the total"
	})
}

// gapAmounts switches amountFromGap.
var gapAmounts = true
