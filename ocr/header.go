package ocr

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
			if d, ok := findDate(r.text(), true); ok && plausibleDate(d.iso) {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = dateConf(r) / 100
				if d.repaired {
					h.Confidence["date"] = min(h.Confidence["date"], 0.3)
				}
				if d.ambiguous {
					h.Confidence["date"] = min(h.Confidence["date"], 0.5)
				}
			} else if iso, ok := parseLabelledDate(r.text()); ok && plausibleDate(iso) {
				h.Date = iso
				h.Confidence["date"] = 0.3
			}
		}
		if i < 6 {
			readSupplier(h, r)
		}
	}
	if h.DocNumber == "" {
		for _, r := range all {
			if n, ok := labelledDocNumber(r); ok {
				h.DocNumber = repairDocNumber(n)
				h.Confidence["doc_number"] = 0.7
				break
			}
		}
	}
	if h.DocNumber == "" {
		if n, ok := shapedDocNumber(rows); ok {
			h.DocNumber = repairDocNumber(n)
			h.Confidence["doc_number"] = 0.4
		}
	}
	if h.Date == "" {
		// Receipts print the date anywhere, often under the items.
		for _, r := range all {
			if d, ok := findDate(r.text(), true); ok && plausibleDate(d.iso) {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = min(dateConf(r)/100, 0.8)
				if d.repaired {
					h.Confidence["date"] = min(h.Confidence["date"], 0.3)
				}
				if d.ambiguous {
					h.Confidence["date"] = min(h.Confidence["date"], 0.5)
				}
				break
			}
		}
	}
	// Dates read with a flaw, in this order, each tried on every row
	// before the next: confidence conf, and the date must be plausible
	// when plausible is set.
	for _, f := range []struct {
		read      func(string) (dateFound, bool)
		plausible bool
		conf      float64
	}{
		// "Date:02/08/201 6": a space read inside the date after its label.
		{labelledDateCompact, true, 0.4},
		// "2025 年 0O8 月 15 日", "Date: 05710/2024": the print round
		// the misread part says what it is (framedDate).
		{framedDate, true, 0.4},
		// "Date: 20254712528" for 2025年12月2日: the frame read as
		// digits (glyphDateDigits).
		{glyphDateDigits, true, 0.3},
		// Letters read for digits ("O2/08/2016"): unconfirmed.
		{noisyDate, false, 0.3},
	} {
		if h.Date != "" {
			break
		}
		for _, r := range all {
			if d, ok := f.read(r.text()); ok && (!f.plausible || plausibleDate(d.iso)) {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = f.conf
				break
			}
		}
	}
	if h.Date == "" {
		// "Date 2025031 098" for 2025年03月09日: the characters read as
		// digits or lost.
		for _, r := range all {
			if iso, ok := labelledDateDigits(r.text()); ok {
				h.Date = iso
				h.Confidence["date"] = 0.3
				break
			}
		}
	}
	if h.Date == "" {
		// Only an implausible date (a year misread into the future, "2078"
		// for "2018"): which digit is wrong is unknown, so the date is left
		// empty for review, with the text as printed (Extract warns).
		for _, r := range all {
			if d, ok := findDate(r.text(), true); ok {
				h.DatePrinted = d.text
				break
			}
		}
	}
	if h.Date != "" && h.DatePrinted != "" && !reYear4.MatchString(h.DatePrinted) {
		// A two-digit year ("08/10/24)" for 08/10/2017, cut short): the
		// same day and month printed elsewhere with four digits, in an
		// earlier year, is the date read whole. A later one is a
		// warranty's or a voucher's end ("valid until 08/10/2025"); a
		// date read without its printed text (from digit runs after its
		// label) has no two-digit year to complete.
		for _, r := range all {
			if d, ok := findDate(r.text(), true); ok && plausibleDate(d.iso) && reYear4.MatchString(d.text) && d.iso < h.Date && d.iso[4:] == h.Date[4:] {
				h.Date, h.DatePrinted, h.DateAmbiguous = d.iso, d.text, d.ambiguous
				h.Confidence["date"] = min(dateConf(r)/100, 0.5)
				break
			}
		}
	}
	if h.Date != "" && h.DatePrinted != "" && preferStamped {
		preferStampedDate(h, all)
	}
	if h.Supplier == "" {
		h.Supplier = letterhead(all)
	}
	if h.DocNumber != "" && glyphInitial(h.DocNumber) != h.DocNumber {
		// The initial is a guess (£ for E, a small letter for its
		// capital): flagged by a low confidence.
		h.Confidence["doc_number"] = min(h.Confidence["doc_number"], glyphInitialConf)
	}
	h.DocNumber = checkedDocNumber(h.DocNumber, h.DocType, h.Date)
}

// reYearNumberSepRead is a prefix/year/serial number whose first
// separator was read as a digit: "IN72026/3666" for IN/2026/3666.
var reYearNumberSepRead = regexp.MustCompile(`^([A-Z]{1,4})[71Il|]((?:19|20)\d\d)([/-])(\d{3,})$`)

// reLetterZero is a letter prefix with a zero read for an O between its
// letters ("M0D62059" for MOD62059).
var reLetterZero = regexp.MustCompile(`^([A-Z]+)0([A-Z]+)(\d{3,})$`)

// checkedDocNumber repairs a document number where another header field
// confirms the repair: a delivery note's (its title read) "ON" prefix is
// DN, its D read as O; a prefix/year/serial number whose first separator
// was read as a 7 or 1 ("IN72026/3666"), when the year is the document
// date's and the other separator shows which one; and a zero between the
// letters of a prefix is an O (no number puts a digit inside its prefix).
func checkedDocNumber(n, docType, date string) string {
	if docType == "DN" && (strings.HasPrefix(n, "ON") || strings.HasPrefix(n, "0N")) && len(n) > 2 && (n[2] < 'A' || n[2] > 'Z') {
		n = "DN" + n[2:]
	}
	if m := reYearNumberSepRead.FindStringSubmatch(n); m != nil && len(date) >= 4 && date[:4] == m[2] {
		n = m[1] + m[3] + m[2] + m[3] + m[4]
	}
	if m := reLetterZero.FindStringSubmatch(n); m != nil {
		n = m[1] + "O" + m[2] + m[3]
	}
	n = oddSepDocNumber(n, date)
	n = yearSerialSep(glyphInitial(n), date)
	if date == "" {
		n = undatedTypedPrefix(n, docType)
	}
	// A prefix read with digits or a dollar sign ("$1251104-94" for
	// SI251104-94, "00/2025/9172" for DO/2025/9172) where the date
	// confirms the number's form (its yymmdd or its year is the
	// document's) and the title's type the prefix.
	if len(date) == 10 {
		var raw, rest string
		if m := reDateSerial.FindStringSubmatch(n); m != nil && m[2] == date[2:4]+date[5:7]+date[8:10] {
			raw, rest = m[1], m[2]+m[3]
		} else if m := reYearNumber.FindStringSubmatch(n); m != nil && m[3] == date[:4] {
			raw, rest = m[1], m[2]+m[3]+m[4]+m[5]
		}
		if p, ok := typedPrefix(raw, docType); ok {
			n = p + rest
		}
	}
	// The first digit after a type's prefix read as a letter ("HKDS1686"
	// for a delivery note's HKD51686, "MORCO3862" for a receipt's
	// MORC03862): the letters before it end with a prefix of the
	// document's type (its title read), the letters with it do not.
	if m := reLettersDigits.FindStringSubmatch(n); m != nil {
		l := m[1]
		if d, ok := prefixDigitLike[l[len(l)-1]]; ok && typePrefixed(l[:len(l)-1], docType) && !typePrefixed(l, docType) && !ownPrefixes[l] {
			n = l[:len(l)-1] + string(d) + m[2]
		}
	}
	return n
}

// reDateSerial is a number of a prefix, a date (yymmdd) and a serial
// ("SI251104-94").
var reDateSerial = regexp.MustCompile(`^([A-Z0-9$]{1,4})(\d{6})(-\d{2,})$`)

// typedPrefix reads a number's prefix read with digits or a dollar sign
// as letters (letterLike; a leading O may be a D read as O, as in
// checkedDocNumber's ON for DN): ok when that is a prefix of the
// document's type.
func typedPrefix(raw, docType string) (string, bool) {
	if raw == "" || !strings.ContainsAny(raw, "$0123456789") {
		return "", false
	}
	// Digits alone spell no country code, and one digit ("0-2025-1234")
	// is no prefix's evidence: a prefix read with digits only is a bare
	// prefix of two letters or more.
	digitsOnly := strings.Trim(raw, "0123456789") == ""
	if digitsOnly && len(raw) < 2 {
		return "", false
	}
	p := []rune(raw)
	for i, r := range p {
		if l, ok := letterLike[r]; ok {
			p[i] = l
		} else if r < 'A' || r > 'Z' {
			return "", false
		}
	}
	bare := func(s string) bool {
		if !digitsOnly {
			return typePrefixed(s, docType)
		}
		for _, x := range typePrefixes[docType] {
			if s == x {
				return true
			}
		}
		return false
	}
	switch s := string(p); {
	case bare(s):
		return s, true
	case s[0] == 'O' && bare("D"+s[1:]):
		return "D" + s[1:], true
	}
	return "", false
}

// reLettersDigits is a number of letters, then digits only.
var reLettersDigits = regexp.MustCompile(`^([A-Z]{2,6})(\d{3,})$`)

// prefixDigitLike maps the capital letters OCR reads for digits to them,
// after a type's prefix: not I and T, which end prefixes of their own
// (RCT receipts, PI pro formas, PT, INT, SIT, DOT).
var prefixDigitLike = map[byte]byte{'O': '0', 'S': '5', 'B': '8', 'Z': '2', 'G': '6'}

// ownPrefixes are letters after a type's prefix that are a prefix of
// their own (POS: point-of-sale receipts).
var ownPrefixes = map[string]bool{"POS": true}

// typePrefixes are the prefixes documents of a type (Header.DocType)
// number themselves with.
var typePrefixes = map[string][]string{"PO": {"PO", "P", "ORD"}, "DN": {"DN", "D", "DO"}, "RC": {"INV", "IN", "SI", "RC"}}

// typePrefixed reports letters that are a prefix of the document type,
// alone or after a two-letter country code (HK, MO).
func typePrefixed(letters, docType string) bool {
	for _, p := range typePrefixes[docType] {
		if letters == p || len(letters) == len(p)+2 && strings.HasSuffix(letters, p) {
			return true
		}
	}
	return false
}

// preferStamped turns on preferStampedDate: off by default (it changes
// no tuning page; OCR_STAMPED_DATE=1 turns it on in the benchmarks).
var preferStamped = false

// reClock is a time of day ("14:25", "9:05").
var reClock = regexp.MustCompile(`(?:^|\D)\d{1,2}[:.]\d{2}(?:\D|$)`)

// stampedRow reports a row printing its date as a transaction's: beside a
// Date/日期 label or a time of day.
func stampedRow(r *row, date string) bool {
	t := r.text()
	if strings.Contains(asciiUpper(t), "DATE") || strings.Contains(t, "日期") {
		return true
	}
	return reClock.MatchString(strings.Replace(t, date, " ", 1))
}

// preferStampedDate replaces the date read first by another date on the
// page when only the other is printed as the transaction's (beside a
// date label or a time): a receipt's first date can be a voucher's
// validity, a membership's expiry or an opening date.
func preferStampedDate(h *Header, all []*row) {
	var cur *row
	var alt *row
	var altDate dateFound
	for _, r := range all {
		d, ok := findDate(r.text(), true)
		if !ok || !plausibleDate(d.iso) {
			continue
		}
		if d.iso == h.Date && cur == nil {
			cur = r
		}
		if d.iso != h.Date && alt == nil && stampedRow(r, d.text) {
			alt, altDate = r, d
		}
	}
	if cur == nil || alt == nil || stampedRow(cur, h.DatePrinted) {
		return
	}
	h.Date, h.DatePrinted, h.DateAmbiguous = altDate.iso, altDate.text, altDate.ambiguous
	h.Confidence["date"] = min(dateConf(alt)/100, 0.6)
	if altDate.ambiguous {
		h.Confidence["date"] = min(h.Confidence["date"], 0.5)
	}
}

// plausibleDate: a document's date is not more than a year ahead of today
// nor before 2000 (a year misread, "2078" for "2018", fails the check and
// another date on the page is preferred).
func plausibleDate(iso string) bool {
	y, err := strconv.Atoi(iso[:4])
	return err == nil && y >= 2000 && y <= time.Now().Year()+1
}

// letterhead reads the supplier's name from the top of the page: the
// first of the top rows (above the first amount or date) that reads as a
// name: mostly letters, no telephone, read with confidence (60 on
// average; 30 when it names a company form such as Ltd, Sdn Bhd or
// 有限公司, which is a bonus, not a requirement). Logos read as noise are
// skipped.
func letterhead(rows []*row) string {
	for i, r := range rows {
		if i >= 10 {
			break
		}
		u := compactUpper(r)
		if _, ok := findDate(r.text(), true); ok || hasMoneyWord(r) {
			break
		}
		if strings.Contains(u, "TEL") || strings.Contains(u, "PHONE") || strings.Contains(u, "電話") || strings.Contains(u, "FAX") {
			continue
		}
		// Words read with little confidence are noise (a logo, the
		// background); the name is what is left.
		keep := 45.0
		if t := r.text(); reCompanyWords.MatchString(t) || reCompanyEN.MatchString(t) {
			keep = 15 // a company form vouches for the row
		}
		var ws []string
		letters, chars, digits, keptChars := 0, 0, 0, 0
		confSum := 0.0
		for _, w := range r.words {
			s := cleanWord(w.Text)
			if s == "" {
				continue
			}
			chars += len([]rune(s))
			if w.Conf < keep {
				continue
			}
			letters += letterCount(s)
			digits += countDigits(s)
			keptChars += len([]rune(s))
			confSum += w.Conf
			ws = append(ws, s)
		}
		if len(ws) == 0 || letters < 3 || letters*10 < keptChars*7 || digits*4 > keptChars || keptChars*2 < chars {
			continue
		}
		ws = dropSpecks(ws)
		name := joinText(ws)
		minConf := 65.0
		if reCompanyEN.MatchString(name) || reCompanyWords.MatchString(name) {
			minConf = 30
		}
		if confSum/float64(len(ws)) < minConf {
			continue
		}
		return name
	}
	return ""
}

// dropSpecks removes from a name printed in capitals the words that are
// one lower-case letter ("GARDENIA i BAKERIES": a speck read as a letter);
// a name in mixed case keeps them ("Pizza e Vino").
func dropSpecks(ws []string) []string {
	for _, w := range ws {
		if letterCount(w) >= 2 && strings.ToUpper(w) != w {
			return ws
		}
	}
	out := ws[:0:0]
	for _, w := range ws {
		if r := []rune(w); len(r) == 1 && unicode.IsLower(r[0]) {
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return ws
	}
	return out
}

var reCompanyWords = regexp.MustCompile(`(?i)(\bSDN\b|\bBHD\b|\bGMBH\b|\bLLC\b|\bS\.?L\.?\b|\bPTE\b|\bPLC\b|有限公司|公司|商行|集團)`)

func hasMoneyWord(r *row) bool {
	for _, w := range r.words {
		if _, ok := parseMoney(cleanWord(w.Text)); ok {
			return true
		}
	}
	return false
}

// dateConf is the confidence of a row's date: that of its words holding
// two digits or more (the date, a time beside it), not of a speck or a
// label read badly on the same row; the whole row's when none does.
func dateConf(r *row) float64 {
	var ws []Word
	for _, w := range r.words {
		if countDigits(w.Text) >= 2 {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		ws = r.words
	}
	return minConf(ws)
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

var reSpacedDate = regexp.MustCompile(`^[\s:：.]*(\d{1,2})\s+(\d{1,2})\s+((?:19|20)\d\d)(?:\D|$)`)

// labelledDateCompact reads the ten characters of digits and separators
// after a Date/日期 label (日 期: its characters read apart) with the
// spaces removed; when that is no date and one separator was read as a
// space ("11.04 2025"), the space is read as the separator read beside it
// (two separators of one kind and a four-digit year vouch for it).
func labelledDateCompact(s string) (dateFound, bool) {
	u := asciiUpper(s)
	i := strings.Index(u, "DATE")
	n := 4
	if i < 0 {
		i, n = strings.Index(s, "日期"), len("日期")
	}
	if i < 0 {
		i, n = strings.Index(s, "日 期"), len("日 期")
	}
	if i < 0 {
		return dateFound{}, false
	}
	if m := reSpacedDate.FindStringSubmatch(s[i+n:]); m != nil {
		// "Date 12 03 2018": the separators lost, the groups apart.
		return findDate(m[1]+"/"+m[2]+"/"+m[3], true)
	}
	var b, g strings.Builder // g: spaces inside kept as '_'
	var sep rune
	for _, r := range s[i+n:] {
		switch {
		case r >= '0' && r <= '9' || r == '/' || r == '-' || r == '.':
			b.WriteRune(r)
			g.WriteRune(r)
			if r < '0' || r > '9' {
				sep = r
			}
		case r == ' ' && b.Len() > 0:
			g.WriteRune('_')
		case r == ' ' || r == ':' && b.Len() == 0:
		default:
			if b.Len() > 0 {
				return compactOrGapped(b.String(), g.String(), sep)
			}
		}
		if b.Len() == 10 {
			break
		}
	}
	return compactOrGapped(b.String(), g.String(), sep)
}

// reGappedDate is a day-first or year-first date whose one separator was
// read as a space ('_'), the other read: "11.04_2025", "2025/04_11".
var reGappedDate = regexp.MustCompile(`^(\d{1,2}[./-]\d{1,2}_\d{4}|\d{1,2}_\d{1,2}[./-]\d{4}|\d{4}[./-]\d{1,2}_\d{1,2}|\d{4}_\d{1,2}[./-]\d{1,2})`)

// compactOrGapped is labelledDateCompact's reading of the characters
// after the label: compact with the spaces removed, else gapped with its
// one space read as the separator sep.
func compactOrGapped(compact, gapped string, sep rune) (dateFound, bool) {
	if d, ok := findDate(compact, true); ok {
		return d, true
	}
	if sep == 0 {
		return dateFound{}, false
	}
	m := reGappedDate.FindString(strings.TrimRight(gapped, "_"))
	if m == "" {
		return dateFound{}, false
	}
	return findDate(strings.Replace(m, "_", string(sep), 1), true)
}

// docLabels name a document number; the number is the next word with
// digits, whatever its prefix.
var docLabels = []string{"PONO", "P.O.NO", "ORDERNO", "ORDER#", "INVOICENO", "INVNO", "INVOICE#", "RECEIPTNO", "RECEIPT#",
	"BILLNO", "BILL#", "DOCNO", "DOCUMENTNO", "DNNO", "DELIVERYNOTENO", "CHECKNO", "CHECK#", "CHK#", "TRANSNO", "TRANS#", "NO.",
	"單號", "編號", "訂單號", "發票號碼", "發票號", "單據號碼", "单号", "编号", "订单号", "发票号码"}

// labelledDocNumber reads the document number after its label on a row:
// the first following word of three or more characters holding at least
// two digits (and no date or amount). The number may be glued to its
// label ("發票號碼：HK250301-7", "No.:7724F717").
func labelledDocNumber(r *row) (string, bool) {
	for i, w := range r.words {
		found := docLabelEnds(r.words[max(0, i-2) : i+1])
		// The number glued to the label in one word, after a colon or #.
		var cands []string
		if k := strings.IndexAny(w.Text, ":：#"); k >= 0 {
			_, size := utf8.DecodeRuneInString(w.Text[k:])
			if rest := w.Text[k+size:]; rest != "" {
				head := append(append([]Word(nil), r.words[max(0, i-2):i]...), Word{Text: w.Text[:k+size]})
				if found || docLabelEnds(head) {
					found = true
					cands = append(cands, rest)
				}
			}
		}
		if !found {
			continue
		}
		if i+1 < len(r.words) && strings.EqualFold(strings.Trim(r.words[i+1].Text, trimSet), "of") {
			return "", false // "No. of items: 12": a count, not a number's label
		}
		for _, x := range r.words[i+1:] {
			cands = append(cands, x.Text)
		}
		// A bare "No." labels the word right after it or nothing: "No. 8,
		// Jalan Tun Razak, 50400 Kuala Lumpur" is an address.
		bare := bareNoLabel(r.words[max(0, i-2) : i+1])
		if bare && i > 0 && namesOtherValue(r.words[i-1]) && nearWords(r.words[i-1], w) {
			continue // "Tel No.: 2345 6789", "Member No.": another value's label
		}
		if otherCodeLabel(r.words[:i+1]) {
			continue // 客戶編號: a customer's code
		}
		for k, c := range cands {
			c = strings.Trim(c, trimSet+".")
			if k+1 < len(cands) && isPrefixWord(c) && startsNumberPart(cands[k+1]) {
				// "INV /2024/9359": the prefix read apart from its number.
				c += strings.Trim(cands[k+1], trimSet+".")
			}
			if bare && k > 0 && strings.Trim(cands[k-1], trimSet+".：") != "" {
				return "", false
			}
			if len(c) < 3 || countDigits(c) < 2 || strings.ContainsAny(c, " ") {
				continue
			}
			if _, ok := parseMoney(c); ok {
				continue
			}
			if _, ok := findDate(c, true); ok {
				continue
			}
			return c, true
		}
		return "", false
	}
	return "", false
}

// nearWords reports whether word b follows word a on its row within
// three word heights: parts of one label ("Tel No."), not a value far to
// the left and the next label ("North Point Store   No.: …", two columns
// of a header read as one row).
func nearWords(a, b Word) bool {
	h := max(a.Box.Dy(), b.Box.Dy(), 1)
	return b.Box.Min.X-a.Box.Max.X <= 3*h
}

// docLabelEnds reports whether the words (the last up to three of a row
// so far) end with a document number's label. A bare "No" counts only as
// a word of its own ("No:", "No #"), not as the end of another word.
func docLabelEnds(ws []Word) bool {
	var b strings.Builder
	for _, x := range ws {
		b.WriteString(strings.ToUpper(x.Text))
	}
	lbl := strings.TrimRight(b.String(), ":：")
	for _, l := range docLabels {
		if strings.HasSuffix(lbl, l) || strings.HasSuffix(lbl, strings.TrimSuffix(l, ".")) && l != "NO." {
			return true
		}
	}
	if len(ws) > 0 {
		t := ws[len(ws)-1].Text
		if strings.EqualFold(strings.TrimRight(t, ":：#."), "NO") && strings.ContainsAny(t, ":：#.") {
			return true // "No:", "No.", "No#": the word itself, with its mark
		}
	}
	return false
}

// reShapedDocNumber is the form of a document number: up to five letters
// (the prefix, whatever it is), an optional separator, then digits with
// slashes or hyphens between them.
var reShapedDocNumber = regexp.MustCompile(`^[A-Z]{0,5}[-/]?[0-9][0-9/-]*[0-9]$`)

// notDocLabels name the other labelled values of a header that can look
// like a document number: telephone, fax and mobile numbers, customer,
// account, member and card codes, tax and registration numbers, pages and
// dates, quantities and amounts (paid, cash, change, points), store and
// item codes, postal codes.
var notDocLabels = []string{"TEL", "FAX", "PHONE", "電話", "傳真", "电话", "传真", "CUST", "客戶", "客户", "ACC", "A/C", "帳", "账",
	"GST", "VAT", "TAX", "稅", "税", "REG", "BR", "PAGE", "頁", "页", "DATE", "日期", "TIME", "時間", "时间",
	"CASHIER", "STAFF", "TABLE", "POS", "TERMINAL", "收銀", "收银", "員", "员", "枱", "檯", "台",
	"MOBILE", "HOTLINE", "WHATSAPP", "CONTACT", "手機", "手机", "熱線", "热线", "聯絡", "联络", "联系",
	"QTY", "QUANTITY", "數量", "数量", "TOTAL", "AMOUNT", "AMT", "金額", "金额", "WEIGHT", "重量",
	"STORE", "SHOP", "MEMBER", "CARD", "卡號", "卡号", "SKU", "ITEM", "貨號", "货号", "ZIP", "POST", "BOX", "郵編", "邮编",
	"CASH", "PAID", "CHANGE", "POINT", "現金", "现金", "找續", "找零", "積分", "积分", "貨品", "货品", "產品", "产品"}

// shapedDocNumber reads a document number whose label was misread
// ("srmuast: P-2026-5628" for 訂單編號: P-2026-5628): among the first
// header rows, the value after a short label ending in a colon, when the
// value has a document number's form (reShapedDocNumber, four digits or
// more, not a date, an amount or a telephone number) and the label names
// none of the other header values (notDocLabels). The first such value;
// unconfirmed, so its confidence is low.
func shapedDocNumber(rows []*row) (string, bool) {
	for ri, r := range rows {
		if ri >= 20 {
			break
		}
		var label strings.Builder
		for i, w := range r.words {
			t := w.Text
			k := strings.IndexAny(t, ":：")
			if k < 0 {
				label.WriteString(strings.ToUpper(t))
				continue
			}
			_, size := utf8.DecodeRuneInString(t[k:])
			label.WriteString(strings.ToUpper(t[:k]))
			var val string
			next := i + 1 // the word after the value
			switch {
			case t[k+size:] != "":
				val = t[k+size:]
			case i+1 < len(r.words):
				val, next = r.words[i+1].Text, i+2
			}
			// A number printed in groups ("2345 6789": a telephone
			// number) is none.
			// A lone digit after the value is a stray mark, no group.
			g := strings.Trim(r.words[min(next, len(r.words)-1)].Text, trimSet+".")
			grouped := next < len(r.words) && allDigits(g) && len(g) >= 2
			if v, ok := shapedValue(label.String(), val); ok && !grouped {
				return v, true
			}
			// The next label starts after this colon ("收貨人: 旺角店
			// 發粟號碼: SI260826-80").
			label.Reset()
		}
	}
	return "", false
}

// shapedValue is shapedDocNumber's test of one label and the value after
// its colon.
func shapedValue(lbl, val string) (string, bool) {
	if n := utf8.RuneCountInString(lbl); n == 0 || n > 14 {
		return "", false
	}
	for _, x := range notDocLabels {
		if strings.Contains(lbl, x) {
			return "", false
		}
	}
	v := shapedYearNumber(strings.ToUpper(strings.Trim(val, trimSet+".：")))
	if strings.HasPrefix(strings.TrimSpace(val), "+") || countDigits(v) < 4 || !reShapedDocNumber.MatchString(v) {
		return "", false
	}
	if _, ok := parseMoney(v); ok {
		return "", false
	}
	if _, ok := findDate(v, true); ok {
		return "", false
	}
	return v, true
}

// isPrefixWord reports a word that can be a document number's prefix:
// one to five capital letters.
func isPrefixWord(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// startsNumberPart reports a word that continues a document number: a
// slash or hyphen, or a digit, first.
func startsNumberPart(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && (s[0] == '/' || s[0] == '-' || s[0] >= '0' && s[0] <= '9') && countDigits(s) >= 2
}

// labelledDateDigits reads a year-first date after a Date/日期 label whose
// separators (年 月 日, slashes) were read as digits or lost: the digits
// after the label, up to the next letter, are a plausible year, a month of
// one or two digits, at most one stray digit, a day, at most one stray
// digit. Only a reading that is the one way to split them counts.
func labelledDateDigits(s string) (string, bool) {
	u := asciiUpper(s)
	i, n := strings.Index(u, "DATE"), 4
	if i < 0 {
		i, n = strings.Index(s, "日期"), len("日期")
	}
	if i < 0 {
		return "", false
	}
	var d []byte
	for _, r := range s[i+n:] {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == ' ' || r == ':' || r == '：' || r == '.' || r == '-' || r == '/':
		default:
			if len(d) > 0 {
				goto done
			}
		}
	}
done:
	if len(d) < 7 || len(d) > 11 {
		return "", false
	}
	y := string(d[:4])
	if iso, ok := isoDate(y, "1", "1"); !ok || !plausibleDate(iso) {
		return "", false
	}
	var found []string
	for j0 := 0; j0 <= 1; j0++ {
		// j0: a stray digit after the year (年 read as a digit).
		found = append(found, dateDigitSplits(y, string(d[4+j0:]), found)...)
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// dateDigitSplits is labelledDateDigits' splits of the digits after the
// year: a month of one or two digits, at most one stray digit, a day, at
// most one stray digit; dates already in seen are not returned again.
func dateDigitSplits(y, rest string, seen []string) []string {
	var found []string
	for ml := 1; ml <= 2; ml++ {
		for j1 := 0; j1 <= 1; j1++ {
			for dl := 1; dl <= 2; dl++ {
				for j2 := 0; j2 <= 1; j2++ {
					if ml+j1+dl+j2 != len(rest) {
						continue
					}
					m, dd := rest[:ml], rest[ml+j1:ml+j1+dl]
					if ml == 2 && m[0] != '0' && m[0] != '1' || dl == 2 && dd[0] > '3' {
						continue
					}
					if iso, ok := isoDate(y, m, dd); ok && !slices.Contains(found, iso) && !slices.Contains(seen, iso) {
						found = append(found, iso)
					}
				}
			}
		}
	}
	return found
}

// namesOtherValue reports a word naming another labelled value than the
// document number (notDocLabels: telephone, member, account …).
func namesOtherValue(w Word) bool {
	u := strings.ToUpper(w.Text)
	for _, x := range notDocLabels {
		if strings.Contains(u, x) {
			return true
		}
	}
	return false
}

// otherCodeLabel reports a generic 編號 (number) label, ending ws, whose
// words before it in its own word, or the word before it, name another
// value's code (客戶編號 customer, 會員編號 member, 貨品編號 goods).
func otherCodeLabel(ws []Word) bool {
	t := ws[len(ws)-1].Text
	for _, l := range []string{"編號", "编号"} {
		k := strings.Index(t, l)
		if k < 0 {
			continue
		}
		if k > 0 {
			return namesOtherValue(Word{Text: t[:k]})
		}
		return len(ws) > 1 && namesOtherValue(ws[len(ws)-2])
	}
	return false
}

// asciiUpper capitalizes the ASCII letters of s alone, so that an index
// into the result is one into s (strings.ToUpper can make a letter longer:
// "ɐ" → "Ɐ").
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// bareNoLabel reports whether the label ending the words is a bare "No"
// ("No.", "No:", "No#"), not the end of a longer label ("Invoice No.",
// "PO No.", 單號 No.).
func bareNoLabel(ws []Word) bool {
	if len(ws) == 0 || !strings.EqualFold(strings.TrimRight(ws[len(ws)-1].Text, ":：#."), "NO") {
		return false
	}
	// Only the words just before it belong to its label ("INVOICE" far to
	// its left is the page's title).
	for k := len(ws) - 1; k > 0; k-- {
		h := max(ws[k].Box.Dy(), ws[k-1].Box.Dy(), 1)
		if ws[k].Box.Min.X-ws[k-1].Box.Max.X > 3*h {
			ws = ws[k:]
			break
		}
	}
	var b strings.Builder
	for _, x := range ws {
		b.WriteString(strings.ToUpper(x.Text))
	}
	lbl := strings.TrimRight(b.String(), ":：#.")
	for _, l := range docLabels {
		if l = strings.TrimSuffix(l, "."); l != "NO" && strings.HasSuffix(lbl, l) {
			return false
		}
	}
	for _, x := range ws[:len(ws)-1] {
		if strings.IndexFunc(x.Text, isCJK) >= 0 && strings.ContainsAny(x.Text, "號号") {
			return false // 單號 No.: the Chinese label before it
		}
	}
	return true
}

// reInitialO is a number of one initial letter and digits whose first
// digit was read as the letter O ("HO63186" for H063186).
var reInitialO = regexp.MustCompile(`^([A-Z])[Oo](\d{5,})$`)

// zeroAfterInitial reads the O after a single initial letter and before
// five digits or more as a zero, unless the two letters are a document
// prefix of their own (PO, DO, SO: purchase, delivery and sales orders).
func zeroAfterInitial(s string) string {
	m := reInitialO.FindStringSubmatch(s)
	if m == nil || m[1] == "P" || m[1] == "D" || m[1] == "S" {
		return s
	}
	return m[1] + "0" + m[2]
}

// digitLike maps letters OCR reads for digits to the digits.
var digitLike = map[rune]rune{'O': '0', 'o': '0', 'T': '7', 'I': '1', 'l': '1', '|': '1', 'B': '8', 'Z': '2', 'G': '6', 'S': '5'}

// letterLike maps characters OCR reads for capital letters to them.
var letterLike = map[rune]rune{'$': 'S', '1': 'I', '0': 'O', '5': 'S', '8': 'B'}

// reYearNumber is a number of a prefix, a year and a serial
// ("SI/2023/6285", "PO-2026-4337").
var reYearNumber = regexp.MustCompile(`^([A-Z0-9$]{1,4})([/-])((?:19|20)\d\d)([/-])(\d{3,})$`)

// repairDocNumber reads a document number's characters by their place in
// its form: the O after one initial letter (zeroAfterInitial); the
// letters read among the digits after one initial letter ("VOT1751" for
// V071751: two at most, four digits or more read, the first after the
// initial a digit or an O, so a two-letter prefix stays); the prefix of a
// prefix/year/serial number read with digits or a dollar sign ("$1/2023/6285"
// for SI/2023/6285).
func repairDocNumber(s string) string {
	s = zeroAfterInitial(s)
	if m := reYearNumber.FindStringSubmatch(s); m != nil && strings.ContainsAny(m[1], "$0123456789") && strings.IndexFunc(m[1], func(r rune) bool { return r == '$' || r >= 'A' && r <= 'Z' }) >= 0 {
		p := []rune(m[1])
		for i, r := range p {
			if l, ok := letterLike[r]; ok {
				p[i] = l
			}
		}
		return string(p) + m[2] + m[3] + m[4] + m[5]
	}
	r := []rune(s)
	if len(r) >= 6 && len(r) <= 9 && r[0] >= 'A' && r[0] <= 'Z' && (r[1] >= '0' && r[1] <= '9' || r[1] == 'O') && !(r[1] == 'O' && (r[0] == 'P' || r[0] == 'D' || r[0] == 'S')) {
		digits, fixed := 0, 0
		out := []rune{r[0]}
		for i, c := range r[1:] {
			switch d, ok := digitLike[c]; {
			case c >= '0' && c <= '9':
				digits++
				out = append(out, c)
			case c == 'S' && (i+2 >= len(r) || r[i+2] < '0' || r[i+2] > '9'):
				// An S ending the number is a suffix ("C12345S"), not a 5.
				return s
			case ok:
				fixed++
				out = append(out, d)
			default:
				return s
			}
		}
		if fixed > 0 && fixed <= 2 && digits >= 4 {
			return string(out)
		}
	}
	return s
}
