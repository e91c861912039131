package ocr

import (
	"regexp"
	"strings"
)

var reDocNumber = regexp.MustCompile(`^(PO|DN|INV|RC)([-/]?)([0-9][0-9/-]{3,14}[0-9])$`)

// readDocNumber recognises a document number such as "PO/2024/3073",
// "DN240720-80" or "INV-2473532", mapping confusable letters after the
// prefix to digits.
func readDocNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimRight(s, "."))
	for _, fix := range [][2]string{{"P0", "PO"}, {"0N", "DN"}, {"1NV", "INV"}, {"lNV", "INV"}} {
		if strings.HasPrefix(s, fix[0]) {
			s = fix[1] + s[len(fix[0]):]
		}
	}
	i := strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' })
	if i <= 0 {
		return "", false
	}
	rest, _ := mapConfusions(s[i:])
	s = s[:i] + rest
	if !reDocNumber.MatchString(s) {
		return "", false
	}
	return s, true
}

// readHeader fills the header fields from the rows above the item table;
// the totals come from reconcile.
func readHeader(h *Header, rows, all []*row) {
	for _, r := range all {
		s := compactUpper(r)
		if h.DocType == "" {
			switch {
			case strings.Contains(s, "採購訂單") || strings.Contains(s, "PURCHASEORDER"):
				h.DocType = "PO"
			case strings.Contains(s, "送貨單") || strings.Contains(s, "DELIVERYNOTE"):
				h.DocType = "DN"
			case strings.Contains(s, "發票") || strings.Contains(s, "INVOICE") || strings.Contains(s, "收據") || strings.Contains(s, "RECEIPT"):
				h.DocType = "RC"
			}
		}
		if h.Currency == "" {
			for _, c := range []string{"HKD", "MOP", "RMB", "CNY", "USD"} {
				if strings.Contains(s, "CURRENCY:"+c) || strings.Contains(s, "CURRENCY"+c) {
					h.Currency = c
				}
			}
			if isTotalRow(s) {
				switch {
				case strings.Contains(s, "MOP"):
					h.Currency = "MOP"
				case strings.Contains(s, "HK$") || strings.Contains(s, "HKS"):
					h.Currency = "HKD"
				}
			}
		}
	}
	for i, r := range rows {
		if h.DocNumber == "" {
			for _, w := range r.words {
				if n, ok := readDocNumber(cleanWord(w.Text)); ok {
					h.DocNumber = n
					h.Confidence["doc_number"] = w.Conf / 100
					break
				}
			}
		}
		if h.Date == "" {
			if d, ok := findDate(r.text(), true); ok {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = minConf(r.words) / 100
				if d.ambiguous {
					h.Confidence["date"] = min(h.Confidence["date"], 0.5)
				}
			} else if iso, ok := parseLabelledDate(r.text()); ok {
				h.Date = iso
				h.Confidence["date"] = 0.3
			}
		}
		if i < 6 {
			readSupplier(h, r)
		}
	}
	if h.Date == "" {
		// Receipts print the date anywhere, often under the items.
		for _, r := range all {
			if d, ok := findDate(r.text(), true); ok {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = min(minConf(r.words)/100, 0.8)
				if d.ambiguous {
					h.Confidence["date"] = min(h.Confidence["date"], 0.5)
				}
				break
			}
		}
	}
	if h.Supplier == "" {
		h.Supplier = letterhead(all)
	}
}

// letterhead reads the supplier's name from the top of the page: among
// the rows above the first amount, date or telephone number, the words of
// the row printed largest that reads as a name (mostly letters, read with
// confidence). Company words are not needed.
func letterhead(rows []*row) string {
	best, bestH := "", 0
	for i, r := range rows {
		if i >= 10 {
			break
		}
		u := compactUpper(r)
		if strings.Contains(u, "TEL") || strings.Contains(u, "PHONE") || strings.Contains(u, "電話") || strings.Contains(u, "FAX") {
			continue
		}
		if _, ok := findDate(r.text(), true); ok {
			break
		}
		var ws []string
		var hs []int
		letters, chars := 0, 0
		for _, w := range r.words {
			s := cleanWord(w.Text)
			n := letterCount(s)
			if s == "" || w.Conf < 45 || n == 0 {
				continue
			}
			letters += n
			chars += len([]rune(s))
			ws = append(ws, s)
			hs = append(hs, w.Box.Dy())
		}
		if letters < 3 || letters*10 < chars*6 {
			continue
		}
		if hasMoneyWord(r) {
			break
		}
		if h := median(hs); h > bestH*11/10 {
			best, bestH = joinText(ws), h
		}
	}
	return best
}

func hasMoneyWord(r *row) bool {
	for _, w := range r.words {
		if _, ok := parseAmount(cleanWord(w.Text)); ok {
			return true
		}
	}
	return false
}

func minConf(ws []Word) float64 {
	m := 100.0
	for _, w := range ws {
		m = min(m, w.Conf)
	}
	return m
}

var reCompanyEN = regexp.MustCompile(`(?i)\b(ltd|limited|co\.|company|corp|trading|inc)\b`)

// readSupplier takes the first company-like Chinese and English names.
func readSupplier(h *Header, r *row) {
	if h.SupplierZH == "" {
		var ws []string
		for _, w := range r.words {
			s := cleanWord(w.Text)
			if s != "" && strings.IndexFunc(s, isCJK) >= 0 {
				ws = append(ws, s)
			}
		}
		zh := joinText(ws)
		for _, k := range []string{"公司", "有限", "行", "廠"} {
			if i := strings.Index(zh, k); i >= 0 {
				// The name is the CJK run that contains the keyword.
				fields := strings.Fields(zh)
				for _, f := range fields {
					if strings.Contains(f, k) {
						h.SupplierZH = strings.TrimPrefix(strings.TrimPrefix(f, "送貨單"), "採購訂單")
						break
					}
				}
				break
			}
		}
	}
	if h.SupplierEN == "" {
		var ws []string
		for _, w := range r.words {
			s := strings.TrimSpace(w.Text)
			if s != "" && strings.IndexFunc(s, isCJK) < 0 {
				ws = append(ws, s)
			}
		}
		en := strings.Join(ws, " ")
		if loc := reCompanyEN.FindStringIndex(en); loc != nil {
			h.SupplierEN = strings.Trim(en, trimSet+" ")
		}
	}
}
