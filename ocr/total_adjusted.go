package ocr

import "strings"

// adjustedTotal reads the amount payable whose label was not read when
// the subtotal's label or the lines do not anchor it (summaryTotal needs
// both): a row naming a sum (a subtotal or total word, or 總 / 計 of a
// misread label: "貨品總什"), one to three rows each naming an adjustment
// (a discount, subtracted; a tax or charge, added as printed), then a row
// whose amount is exactly the sum with the adjustments. Only when the
// document has no total, or one guessed (confidence under 0.5: the
// lines' sum, a second reading's): never replaces a total read under
// its label. The lines
// are not asked (one misread amount, or a total row read as an item,
// would keep it from firing). Confidence 0.9: three labelled amounts
// agree.
func adjustedTotal(doc *Document, pages []*Page) {
	h := &doc.Header
	if !adjustTotals || h.Total != "" && h.Confidence["total"] >= 0.5 {
		return
	}
	for _, p := range pages {
		if p == nil {
			continue
		}
		rows := groupRows(p.Words)
		for i, r := range rows {
			s, ok := rowLastCents(r)
			cu := compactUpper(r)
			if !ok || s <= 0 || !(namesSum(cu) || fuzzySubtotal(r)) {
				continue
			}
			acc, adj := s, 0
			for j := i + 1; j < len(rows) && j <= i+4; j++ {
				a, ok := rowLastCents(rows[j])
				if !ok {
					continue // a speck's row
				}
				if a == 0 {
					break
				}
				if adj > 0 && a == acc && a > 0 {
					if h.Confidence == nil {
						h.Confidence = map[string]float64{}
					}
					h.Total, h.Confidence["total"] = formatCents(a), 0.9
					return
				}
				ju := compactUpper(rows[j])
				switch {
				case namesDiscount(ju):
					acc -= abs64(a)
				case namesCharge(ju):
					acc += a
				default:
					j = len(rows) // an unlabelled amount: not this summary
					continue
				}
				adj++
			}
		}
	}
}

// adjustTotals switches adjustedTotal (on; a switch for tests).
var adjustTotals = true

// namesSum reports a row text (upper case, no spaces) that names a sum.
func namesSum(u string) bool {
	if isSubtotalRow(u) {
		return true
	}
	for _, k := range []string{"TOTAL", "總", "总", "計", "计"} {
		if strings.Contains(u, k) {
			return true
		}
	}
	return false
}

// namesDiscount reports a row text (upper case, no spaces) that names a
// discount.
func namesDiscount(u string) bool {
	for _, k := range []string{"DISCOUNT", "DISC.", "LESS", "折扣", "優惠", "优惠", "折讓", "折让"} {
		if strings.Contains(u, k) {
			return true
		}
	}
	return false
}

// namesCharge reports a row text (upper case, no spaces) that names a
// tax or a charge added to the sum.
func namesCharge(u string) bool {
	for _, k := range []string{"TAX", "GST", "VAT", "SST", "SERVICE", "稅", "税", "服務費", "服务费", "附加費", "附加费"} {
		if strings.Contains(u, k) {
			return true
		}
	}
	return false
}

// rowLastCents is rowLastMoney for amounts printed with cents ("7,706.76",
// "-231.20"): a speck or border read as a digit after it ("7,706.76 3")
// is not the row's amount.
func rowLastCents(r *row) (int64, bool) {
	for i := len(r.words) - 1; i >= 0; i-- {
		s := moneyWord(r.words[i].Text)
		if n := len(s); n < 4 || (s[n-3] != '.' && s[n-3] != ',') {
			continue
		}
		if v, ok := parseMoney(s); ok {
			return v, true
		}
	}
	return 0, false
}
