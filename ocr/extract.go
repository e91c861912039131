package ocr

import (
	"fmt"
	"strings"
)

// headerKeywords mark the column-title row of an item table.
var headerKeywords = []string{
	"貨號", "編號", "SKU", "ITEM", "條碼", "BARCODE", "品名", "名稱", "DESCRIPTION",
	"數量", "QTY", "單價", "PRICE", "金額", "AMOUNT", "單位", "UNIT", "折扣", "DISC",
	// Simplified Chinese.
	"货号", "编号", "条码", "名称", "数量", "单价", "金额", "单位",
}

func compactUpper(r *row) string {
	return strings.ToUpper(strings.Join(strings.Fields(r.text()), ""))
}

func keywordCount(s string) int {
	n := 0
	for _, k := range headerKeywords {
		if strings.Contains(s, k) {
			n++
		}
	}
	return n
}

// subtotalLabels name the sum of the lines before adjustments: "Goods
// Total" and 貨品總值 (goods value) are subtotals, not the amount payable.
var subtotalLabels = []string{"SUBTOTAL", "SUB-TOTAL", "SUBTTL", "GOODSTOTAL", "小計", "小计", "貨品總值", "货品总值"}

func isSubtotalRow(s string) bool {
	for _, l := range subtotalLabels {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

func isTotalRow(s string) bool {
	return !isSubtotalRow(s) && (strings.Contains(s, "TOTAL") || strings.Contains(s, "總計") || strings.Contains(s, "合計") || strings.Contains(s, "总计") || strings.Contains(s, "合计"))
}

func isDiscountRow(s string) bool {
	return strings.Contains(s, "DISCOUNT") || strings.Contains(s, "折扣")
}

// Extract reconstructs the document from OCR'd pages: header fields from
// the rows above the item table, line items from the rows between the
// column titles (when present) and the totals, then the cross-checks.
// The table read by its column titles in any order (table.go) replaces
// that reading when it confirms more lines. Last, each line's description
// is checked (checkDescriptions): a poorly read one flags its line.
// Amounts read without their decimal point get it back where the
// arithmetic confirms it (extractWithPoints).
func Extract(pages []*Page) *Document {
	return extractWithPoints(pages, extractPages)
}

// extractPages is Extract of the pages as given (no decimal point
// restored).
func extractPages(pages []*Page) *Document {
	doc := preferTable(extractRows(pages), pages)
	codesFromPrefix(doc)
	checkDescriptions(doc, pages)
	checkDerivedQty(doc)
	checkNameAbove(doc)
	checkNameSplit(doc)
	summaryTotal(doc, pages)
	adjustedTotal(doc, pages)
	amountFromGap(doc)
	if h := &doc.Header; h.Date == "" && h.DatePrinted != "" {
		doc.NeedsReview = true
		doc.Warnings = append(doc.Warnings, implausibleDateWarning(h.DatePrinted))
	}
	return doc
}

// summaryTotal reads the amount payable whose label was not read
// (合計 read "met Ge"): under a subtotal row whose amount is the lines'
// sum, the adjustments (discounts, taxes, signed as printed: "(601.32)";
// a discount's row read unsigned is subtracted) and, on the next row of
// the summary, an amount that is the subtotal with them. Only when no
// total is confirmed (confidence under 0.9) and at least one adjustment
// lies between; confidence 0.9: the lines and the summary's arithmetic
// agree.
func summaryTotal(doc *Document, pages []*Page) {
	h := &doc.Header
	if h.Confidence["total"] >= 0.9 || len(doc.Lines) == 0 {
		return
	}
	var sum int64
	for _, l := range doc.Lines {
		v, ok := parseMoney(l.Amount)
		if !ok {
			return
		}
		sum += v
	}
	for _, p := range pages {
		if p == nil {
			continue
		}
		rows := groupRows(p.Words)
		for i, r := range rows {
			if v, ok := rowLastMoney(r); !ok || v != sum || !isSubtotalRow(compactUpper(r)) {
				continue
			}
			acc, adj := sum, 0
			for j := i + 1; j < len(rows) && j <= i+4; j++ {
				a, ok := rowLastMoney(rows[j])
				if !ok || a == 0 {
					break
				}
				if adj > 0 && a == acc {
					if h.Confidence == nil {
						h.Confidence = map[string]float64{}
					}
					h.Total, h.Confidence["total"] = formatCents(a), 0.9
					return
				}
				cu := compactUpper(rows[j])
				if a > 0 && (isDiscountRow(cu) || strings.Contains(cu, "優惠") || strings.Contains(cu, "优惠") || strings.Contains(cu, "LESS")) {
					a = -a
				}
				acc += a
				adj++
			}
		}
	}
}

// rowLastMoney is the last amount on a row, signed as printed ("(12.50)",
// "12.50-"), a border or speck beside it removed.
func rowLastMoney(r *row) (int64, bool) {
	for i := len(r.words) - 1; i >= 0; i-- {
		s := moneyWord(r.words[i].Text)
		if v, ok := parseMoney(s); ok {
			return v, true
		}
		if v, ok := parseMoney(trimSpeck(s)); ok {
			return v, true
		}
	}
	return 0, false
}

// checkNameAbove flags the lines whose name the titled table read from
// the rows above their numbers when the document's other lines print
// theirs on the row of their numbers (tableItems): the name may be
// another item's.
func checkNameAbove(doc *Document) {
	for i := range doc.Lines {
		if l := &doc.Lines[i]; l.nameAbove {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "description read from the row above its numbers, unlike the other lines")
			doc.NeedsReview = true
		}
	}
}

// implausibleDateWarning is the warning for a date whose year cannot be
// the document's (printed as printed), left empty.
func implausibleDateWarning(printed string) string {
	return fmt.Sprintf("date read as %q is not a plausible document date: left empty", printed)
}

// extractRows is Extract without the titled-table reading.
func extractRows(pages []*Page) *Document {
	doc := &Document{Pages: len(pages), Header: Header{Confidence: map[string]float64{}}}
	for i, p := range pages {
		if p != nil && p.Turned != 0 {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d was read turned by %d°", i+1, 90*p.Turned))
		}
	}
	var items []*rawItem
	var sums totals
	var labelled summary // the labelled totals in both languages (receipt.go)
	hasDiscCol := false
	for pi, p := range pages {
		if p == nil {
			continue
		}
		rows := groupRows(p.Words)
		start, stop := 0, len(rows)
		for i, r := range rows {
			s := compactUpper(r)
			if keywordCount(s) >= 3 && start == 0 {
				start = i + 1
				if strings.Contains(s, "折扣") || strings.Contains(s, "DISC") {
					hasDiscCol = true
				}
			}
			if i >= start && start > 0 && (isSubtotalRow(s) || isTotalRow(s)) && stop == len(rows) {
				stop = i
			}
		}
		if start == 0 {
			// No column titles (thermal receipts): items run until the totals.
			for i, r := range rows {
				if s := compactUpper(r); isSubtotalRow(s) || isTotalRow(s) {
					stop = i
					break
				}
			}
		}
		if pi == 0 || doc.Header.DocNumber == "" {
			headerRows := rows
			if start > 0 {
				headerRows = rows[:start]
			}
			readHeader(&doc.Header, headerRows, rows)
		}
		sums.read(rows[min(stop, len(rows)):])
		ps := readSummary(rows)
		labelled.totals = append(labelled.totals, ps.totals...)
		labelled.taxes = append(labelled.taxes, ps.taxes...)
		labelled.sums = append(labelled.sums, ps.sums...)
		labelled.firmSums = append(labelled.firmSums, ps.firmSums...)
		labelled.tenders = append(labelled.tenders, ps.tenders...)
		labelled.deducted = labelled.deducted || ps.deducted
		labelled.round += ps.round
		if ps.hasSub && !labelled.hasSub {
			labelled.subtotal, labelled.hasSub = ps.subtotal, true
		}
		if ps.hasCash && ps.hasChange && !labelled.hasCash {
			labelled.cash, labelled.change, labelled.hasCash, labelled.hasChange = ps.cash, ps.change, true, true
		}
		maxNums := 3
		if hasDiscCol {
			maxNums = 4
		}
		var prev *row
		for i := start; i < stop; i++ {
			r := rows[i]
			it, ok := parseItemRow(r, maxNums)
			if !ok && start > 0 {
				it, ok = parseCodelessRow(r, maxNums)
			}
			if !ok {
				prev = r
				continue
			}
			it.discCol = hasDiscCol
			if len(it.desc) == 0 && prev != nil {
				// Thermal layout: the description is the line above.
				if _, prevIsItem := parseItemRow(prev, maxNums); !prevIsItem {
					for _, w := range prev.words {
						if s := cleanWord(w.Text); s != "" && !numericLike(s) {
							it.desc = append(it.desc, s)
						}
					}
				}
			}
			items = append(items, it)
			prev = r
		}
	}
	if len(items) < 16 {
		// No item codes (one unconfirmed code-like word is no table), or
		// codes read on only a few of the rows the amounts' column finds
		// (codes misread in a blurred or gridded table): the items are
		// found from the amounts' column, unless that finds nothing either.
		r := &Document{Pages: doc.Pages, Header: doc.Header, Warnings: doc.Warnings}
		r.Header.Confidence = map[string]float64{}
		for k, v := range doc.Header.Confidence {
			r.Header.Confidence[k] = v
		}
		extractReceipt(pages, r)
		noCodes := len(items) == 0 || len(items) == 1 && !confirmedRow(items[0])
		if noCodes && (len(r.Lines) > 0 || len(items) == 0) || len(r.Lines) >= len(items)+2 && 2*len(r.Lines) >= 3*len(items) {
			if len(r.Lines) == 0 {
				r.NeedsReview = true
				r.Warnings = append(r.Warnings, "no line items found")
			}
			return r
		}
	}
	cols := learnColumns(items)
	var sum int64
	sumOK := true
	for _, it := range items {
		l := buildLine(it, cols)
		if v, ok := parseMoney(l.Amount); ok {
			sum += v
		} else {
			sumOK = false
		}
		doc.Lines = append(doc.Lines, l)
	}
	harmoniseCodes(doc.Lines)
	if repairLineBySum(doc.Lines, rowSumTargets(sums, labelled)) >= 0 {
		sum = 0
		for _, l := range doc.Lines {
			v, _ := parseMoney(l.Amount)
			sum += v
		}
	}
	for _, l := range doc.Lines {
		if l.NeedsReview {
			doc.NeedsReview = true
		}
	}
	sums.reconcile(&doc.Header, sum, sumOK && len(doc.Lines) > 0, doc)
	if doc.Header.Confidence["total"] < 0.9 {
		// Subtotal − discount = total did not confirm a total: the labelled
		// totals (Amount Due, Balance, 總額, 應付…) checked against the
		// lines, the subtotal and the adjustments.
		if v, conf, ok := chooseTotal(labelled, sum, sumOK && len(doc.Lines) > 0); ok && conf > doc.Header.Confidence["total"] {
			doc.Header.Total = formatCents(v)
			doc.Header.Confidence["total"] = conf
		}
	}
	if len(doc.Lines) == 0 {
		doc.NeedsReview = true
		doc.Warnings = append(doc.Warnings, "no line items found")
	}
	return doc
}

// rowSumTargets are sumTargets of the labelled totals, with the subtotal
// and total of the summary rows under the items read as printed.
func rowSumTargets(t totals, s summary) []int64 {
	out := sumTargets(s)
	for _, x := range []string{t.subtotal, t.total} {
		if v, ok := parseMoney(x); ok {
			out = append(out, v)
		}
	}
	return out
}

// totals are the money tokens of the summary rows.
type totals struct {
	subtotal, discount, total string
}

func lastMoneyToken(r *row) string {
	for i := len(r.words) - 1; i >= 0; i-- {
		s := cleanWord(r.words[i].Text)
		if numericLike(s) {
			return s
		}
	}
	return ""
}

func (t *totals) read(rows []*row) {
	seenTotal := false
	for _, r := range rows {
		s := compactUpper(r)
		if seenTotal && (strings.Contains(s, "SUMMARY") || strings.Contains(s, "ANALYSIS")) {
			// A tax summary table after the total: its "Total" is the
			// tax table's (as in readSummary).
			break
		}
		seenTotal = seenTotal || isTotalRow(s)
		switch {
		case isSubtotalRow(s) && t.subtotal == "":
			t.subtotal = lastMoneyToken(r)
		case isDiscountRow(s) && t.discount == "":
			t.discount = strings.TrimPrefix(lastMoneyToken(r), "-")
		case isTotalRow(s) && t.total == "":
			t.total = lastMoneyToken(r)
		}
	}
}

// reconcile fixes the summary amounts, repairing an OCR error only when the
// arithmetic subtotal − discount = total (and the line sum) confirms it, and
// flags the document when the lines and totals disagree.
func (t *totals) reconcile(h *Header, lineSum int64, sumKnown bool, doc *Document) {
	sub := moneyCandidates(t.subtotal)
	disc := moneyCandidates(t.discount)
	if t.discount == "" {
		disc = []candidate{{0, 0}}
	}
	tot := moneyCandidates(t.total)
	type pick struct{ s, d, t int64 }
	var best *pick
	bestCost := 1 << 30
	for _, s := range sub {
		for _, d := range disc {
			for _, tt := range tot {
				if s.v-d.v != tt.v {
					continue
				}
				c := s.cost + d.cost + tt.cost
				if sumKnown && s.v != lineSum {
					c += 10
				}
				if c < bestCost {
					bestCost, best = c, &pick{s.v, d.v, tt.v}
				}
			}
		}
	}
	switch {
	case best != nil:
		h.Subtotal, h.Discount, h.Total = formatCents(best.s), formatCents(best.d), formatCents(best.t)
		h.Confidence["total"] = 0.99
		if bestCost > 0 {
			h.Confidence["total"] = 0.9
		}
	default:
		if len(tot) > 0 && tot[0].cost == 0 {
			h.Total = formatCents(tot[0].v)
			h.Confidence["total"] = 0.5
		} else if sumKnown && len(disc) > 0 && disc[0].cost == 0 {
			// Derived from the lines: unconfirmed.
			h.Total = formatCents(lineSum - disc[0].v)
			h.Confidence["total"] = 0.3
		}
		if len(sub) > 0 && sub[0].cost == 0 {
			h.Subtotal = formatCents(sub[0].v)
		}
		if len(disc) > 0 && disc[0].cost == 0 && t.discount != "" {
			h.Discount = formatCents(disc[0].v)
		}
		doc.NeedsReview = true
		doc.Warnings = append(doc.Warnings, "subtotal − discount does not equal total")
	}
	if sub, ok := parseMoney(h.Subtotal); ok && sumKnown && sub != lineSum {
		doc.NeedsReview = true
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("line amounts add up to %s, subtotal is %s", formatCents(lineSum), h.Subtotal))
	} else if !ok && sumKnown && h.Total != "" {
		if tv, _ := parseMoney(h.Total); tv != lineSum {
			if d, _ := parseMoney(h.Discount); tv+d != lineSum {
				doc.NeedsReview = true
				doc.Warnings = append(doc.Warnings, "line amounts do not add up to the total")
			}
		}
	}
	if !sumKnown {
		doc.NeedsReview = true
	}
}

// confirmedRow reports whether an item row's last three numbers satisfy
// qty × price = amount as read, or its code is a valid EAN-13.
func confirmedRow(it *rawItem) bool {
	if it.id.ean && it.id.eanValid {
		return true
	}
	n := len(it.nums)
	if n < 3 {
		return false
	}
	s, ok := solve(it.nums[n-3].text, it.nums[n-2].text, it.nums[n-1].text)
	return ok && s.cost == 0
}
