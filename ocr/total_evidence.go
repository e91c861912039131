package ocr

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
)

// The total's evidence: every amount on the page that should equal the
// amount payable, each from its own printing or its own arithmetic —
// the labelled totals (in both languages, each label row a printing of
// its own), a payment by card (Visa, Master, Octopus / 八達通 …), cash
// less change, the subtotal with its taxes, charges and discounts, the
// parts of a GST summary, and the lines' sum — gathered from every
// reading of the page (the first reading, the second look's). The value
// most independent sources agree on is the total; a value read by one
// source alone does not replace one two sources agree on, and a total
// that another source contradicts is flagged.

// totalEvidence turns the final vote on (off by default: it changed no
// held-out total; bench switch OCR_TOTAL_EVIDENCE=1).
var totalEvidence = false

// evidenceKind names an independent source of the total.
type evidenceKind string

const (
	evLabel evidenceKind = "label" // a labelled total, by its printing's order
	evCard  evidenceKind = "card"  // a payment by card
	evCash  evidenceKind = "cash"  // cash tendered less change
	evSub   evidenceKind = "sub"   // subtotal with taxes and discounts
	evParts evidenceKind = "parts" // a GST summary's parts
	evLines evidenceKind = "lines" // the lines' sum (with the taxes)
)

// totalSource is one source's value: key identifies the printing (or
// arithmetic) so that two readings of the same printing count once.
type totalSource struct {
	v    int64
	kind evidenceKind
	key  string
	// reading is the index of the reading the source was read in.
	reading int
	// repaired: the value was read through a repair (its decimal point
	// lost or misread): it joins a value another source gives as read,
	// and gives none alone.
	repaired bool
}

// gatherTotalEvidence lists the sources of the total in the readings
// (each a reading of the whole document) and the document's lines.
func gatherTotalEvidence(readings [][]*Page, lines []Line) []totalSource {
	var out []totalSource
	cur := 0 // the reading being read
	add := func(v int64, kind evidenceKind, key string, repaired bool) {
		if v <= 0 {
			return
		}
		for _, s := range out {
			if s.key == key && s.v == v {
				return
			}
		}
		out = append(out, totalSource{v: v, kind: kind, key: key, reading: cur, repaired: repaired})
	}
	var lineSum int64
	haveLines := len(lines) > 0
	for _, l := range lines {
		v, ok := parseMoney(l.Amount)
		if !ok {
			haveLines = false
			break
		}
		lineSum += v
	}
	for ri, pages := range readings {
		cur = ri
		for pi, p := range pages {
			if p == nil {
				continue
			}
			rows := groupRows(wholeUnitWords(p.Words))
			s := readSummary(rows)
			var tax int64
			for _, t := range s.taxes {
				tax += t
			}
			// Labels in the order printed: the first label row is the
			// same printing in every reading.
			cands := slices.Clone(s.totals)
			sort.SliceStable(cands, func(i, j int) bool { return cands[i].row < cands[j].row })
			k, lastRow := -1, -1
			for _, c := range cands {
				if c.v == 0 {
					continue
				}
				if c.row != lastRow {
					k, lastRow = k+1, c.row
				}
				// A repaired reading ("47-70") joins a value another
				// source gives; it gives none alone.
				add(c.v, evLabel, fmt.Sprintf("r%d/p%d/label%d", ri, pi, k), c.check)
			}
			for i, t := range s.tenders {
				add(t, evCard, fmt.Sprintf("p%d/card%d", pi, i), false)
			}
			for i, v := range pointLostPayments(rows) {
				add(v, evCard, fmt.Sprintf("p%d/cardpt%d", pi, i), true)
			}
			if s.hasCash && s.hasChange && s.cash > s.change {
				add(s.cash-s.change, evCash, fmt.Sprintf("p%d/cash", pi), false)
			}
			// The subtotal and the lines' sum, each with the taxes, are
			// one source: the items' arithmetic (the lines agreeing with
			// the subtotal confirm the subtotal, not the total: a tax
			// row not read would make both wrong alike).
			if s.hasSub {
				add(s.subtotal+tax, evSub, "sum", false)
			}
			for _, v := range s.sums {
				add(v, evParts, fmt.Sprintf("p%d/parts", pi), false)
			}
			if haveLines {
				add(lineSum+tax, evLines, "sum", false)
			}
		}
	}
	return out
}

// evidenceSupport counts, for each value, the independent sources that
// give it: a payment, cash less change, the items' arithmetic or the
// parts, each once however many readings give it; and the labels of
// the one reading that prints the value under the most labels (which
// label row of one reading is which of another's is not known, so a
// label counts only with the others of its reading). A repaired reading
// counts only for a value some source gives as read. withSum false
// leaves the items' arithmetic out.
func evidenceSupport(src []totalSource, withSum bool) map[int64]int {
	type tally struct {
		keys   map[string]bool
		labels map[int]int
		asRead bool
	}
	seen := map[int64]*tally{}
	for _, s := range src {
		if s.key == "sum" && !withSum {
			continue
		}
		t := seen[s.v]
		if t == nil {
			t = &tally{keys: map[string]bool{}, labels: map[int]int{}}
			seen[s.v] = t
		}
		t.asRead = t.asRead || !s.repaired
		if s.kind == evLabel {
			t.labels[s.reading]++
		} else {
			t.keys[s.key] = true
		}
	}
	out := map[int64]int{}
	for v, t := range seen {
		if !t.asRead {
			continue
		}
		n := 0
		for _, c := range t.labels {
			n = max(n, c)
		}
		out[v] = len(t.keys) + n
	}
	return out
}

// pointLostPayments are the amounts of the card payment rows whose amount
// was read without its decimal point ("VISA 2345" for 23.45): the row's
// last word three to seven digits and no amount on the row.
func pointLostPayments(rows []*row) []int64 {
	var out []int64
	for _, r := range rows {
		u := compactUpper(r)
		if !namesCard(r) || namesTotal(u) || isTotalRow(u) {
			continue
		}
		toks := classify(r)
		if len(toks) == 0 || slices.ContainsFunc(toks, func(t rtok) bool { return t.money }) {
			continue
		}
		last := toks[len(toks)-1].s
		if len(last) < 3 || len(last) > 7 || !allDigits(last) {
			continue
		}
		if v, ok := parseMoney(last[:len(last)-2] + "." + last[len(last)-2:]); ok && v > 0 {
			out = append(out, v)
		}
	}
	return out
}

// voteTotal settles the document's total by its evidence: the value the
// most independent sources agree on (at least two, and more than any
// other value) replaces a total fewer sources give, unless the total is
// confirmed by the pipeline's own arithmetic and as well supported. A
// total that another value contradicts with as much support is flagged
// (confidence ≤ 0.5). It reports whether the total changed.
func voteTotal(doc *Document, readings [][]*Page) bool {
	if !totalEvidence {
		return false
	}
	src := gatherTotalEvidence(readings, doc.Lines)
	if len(src) == 0 {
		return false
	}
	sup := evidenceSupport(src, true)
	var best int64
	bestN, second := 0, 0
	for v, n := range sup {
		switch {
		case n > bestN || n == bestN && v > best:
			second = max(second, bestN)
			if n == bestN {
				second = n
			}
			best, bestN = v, n
		case n > second:
			second = n
		}
	}
	// The items' arithmetic with a label is what the pipeline's own
	// check weighed (chooseTotal), and a subtotal's label misread as a
	// total's equals the lines' sum: a total is replaced only on two
	// sources besides the items' arithmetic, or on it and a payment (or
	// the parts, cash less change).
	strong := evidenceSupport(src, false)[best]
	if strong == 1 && bestN == 2 && slices.ContainsFunc(src, func(s totalSource) bool {
		return s.v == best && s.kind != evLabel && s.key != "sum" && !s.repaired
	}) {
		strong = 2
	}
	h := &doc.Header
	if h.Confidence == nil {
		h.Confidence = map[string]float64{}
	}
	cur, hasCur := parseMoney(h.Total)
	hasCur = hasCur && h.Total != ""
	curN := 0
	if hasCur {
		curN = sup[cur]
	}
	switch {
	case strong >= 2 && bestN > second && (!hasCur || cur != best) && bestN > curN:
		h.Total = formatCents(best)
		h.Confidence["total"] = 0.9
		totalVotes.Add(1)
		return true
	case hasCur && cur == best && strong >= 2 && bestN > second:
		// Two independent sources agree on it.
		h.Confidence["total"] = max(h.Confidence["total"], 0.9)
	case hasCur && h.Confidence["total"] < 0.9:
		for v, n := range sup {
			if v != cur && n >= max(curN, 1) {
				// Another value as well supported: disputed.
				h.Confidence["total"] = min(h.Confidence["total"], 0.5)
			}
		}
	}
	return false
}

// totalVotes counts the totals voteTotal set (the benchmarks print it).
var totalVotes atomic.Int64

// docReadings are the readings of a document: the first (read) and, when
// the second look read pages again, those.
func docReadings(read []*Page, doc *Document) [][]*Page {
	out := [][]*Page{read}
	if slices.ContainsFunc(doc.looked, func(p *Page) bool { return p != nil }) {
		out = append(out, doc.looked)
	}
	doc.looked = nil
	return out
}

// taxIncluded reports a tax row (its text upper case, no spaces) saying
// the tax is included ("(Inclusive of GST)", "Incl. GST", "GST incl."),
// with no total label: its amount is an amount with its tax (the total
// whose label was read on another row), or the tax already in the total —
// in neither case a tax to add to the subtotal. Not a GST summary's
// supplies (suppliesPart) nor a total row.
func taxIncluded(u string) bool {
	if !includedTax || strings.Contains(u, "TOTAL") {
		return false
	}
	return strings.Contains(u, "INCL") || strings.Contains(u, "(INC") || strings.Contains(u, "INC.")
}

// includedTax turns taxIncluded on (off by default: it changed no
// held-out total; bench switch OCR_TAX_INCLUDED=1).
var includedTax = false
