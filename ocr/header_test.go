package ocr

import (
	"context"
	"image"
	"testing"

	"pandian/ocr/potruth"
)

// TestDateSpacedAndGlued: a date read with spaces round its separators,
// or glued to the time printed after it, is still a date; numbers joined
// across spaces count only with a four-digit year.
func TestDateSpacedAndGlued(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Date : 19 / 11 / 2025", "2025-11-19"},
		{"Issued 2025 - 11 - 19", "2025-11-19"},
		{"19/11/ 2025 Cashier 4", "2025-11-19"},
		{"19-11-202508:41 T3", "2025-11-19"},
		{"2025-11-1908:41:07", "2025-11-19"},
		{"19.11.2025 08:41", "2025-11-19"},
		// Not dates: two-digit years joined across spaces, a quantity and
		// prices.
		{"Table 3 / 4 / 11 guests", ""},
		{"2 x 3.50 - 1.20", ""},
		{"32 / 11 / 2025", ""},
	}
	for _, c := range cases {
		got, _, ok := ParseDate(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

// TestFillHeader: the second look fills only the fields the first
// reading lacks, with a capped confidence.
func TestFillHeader(t *testing.T) {
	h := Header{Total: "12.00", Confidence: map[string]float64{"total": 0.95}}
	other := Header{Date: "2025-11-19", DatePrinted: "19/11/2025", DateAmbiguous: true, Total: "99.00",
		Confidence: map[string]float64{"date": 0.9, "total": 0.95}}
	fillHeader(&h, other)
	if h.Date != "2025-11-19" || !h.DateAmbiguous || h.Confidence["date"] != secondLookConf {
		t.Errorf("date = %q ambiguous %v conf %v; want the second look's, conf %v", h.Date, h.DateAmbiguous, h.Confidence["date"], secondLookConf)
	}
	if h.Total != "12.00" || h.Confidence["total"] != 0.95 {
		t.Errorf("total = %q conf %v; the first reading's total must stay", h.Total, h.Confidence["total"])
	}
	var empty Header
	fillHeader(&empty, Header{Total: "7.10", Confidence: map[string]float64{"total": 0.3}})
	if empty.Total != "7.10" || empty.Confidence["total"] != 0.3 {
		t.Errorf("total = %q conf %v; want 7.10 at 0.3", empty.Total, empty.Confidence["total"])
	}
	confirmed := Header{Date: "2025-11-19", Total: "1.00", Confidence: map[string]float64{"total": 0.95}}
	labelOnly := Header{Date: "2025-11-19", Total: "1.00", Confidence: map[string]float64{"total": 0.6}}
	if !headerMissing(&Header{Date: "2025-11-19"}) || headerMissing(&confirmed) || !headerMissing(&labelOnly) {
		t.Error("headerMissing: want true without a total or with an unconfirmed one, false with a date and a confirmed total")
	}
}

// TestMergeHeaderTotal: an unconfirmed total gives way to the second
// reading's when a stronger label names it or its arithmetic confirms it;
// otherwise it stands, its confidence lowered; a confirmed total is never
// replaced.
func TestMergeHeaderTotal(t *testing.T) {
	first := []*Page{receiptPage(right(100, "Apples", "40.00"), right(300, "ota.", "6.06"))}
	raw := []*Page{receiptPage(right(100, "Apples", "40.00"), right(300, "Total", "Payable:", "46.06"))}
	h := Header{Total: "6.06", Confidence: map[string]float64{"total": 0.6, "date": 0.9}, Date: "2017-10-08"}
	mergeHeader(&h, first, Header{Total: "46.06", Confidence: map[string]float64{"total": 0.6}}, raw)
	if h.Total != "46.06" || h.Confidence["total"] > secondLookConf {
		t.Errorf("stronger label: total %q conf %v, want 46.06 at most %v", h.Total, h.Confidence["total"], secondLookConf)
	}
	// The same label on both: the first stands, disputed.
	h = Header{Total: "46.00", Confidence: map[string]float64{"total": 0.6}}
	first = []*Page{receiptPage(right(300, "Total", "Payable:", "46.00"))}
	mergeHeader(&h, first, Header{Total: "46.06", Confidence: map[string]float64{"total": 0.6}}, raw)
	if h.Total != "46.00" || h.Confidence["total"] != disputedConf {
		t.Errorf("same label: total %q conf %v, want the first's at %v", h.Total, h.Confidence["total"], disputedConf)
	}
	// The second reading's confirmed by its arithmetic.
	h = Header{Total: "46.00", Confidence: map[string]float64{"total": 0.6}}
	mergeHeader(&h, first, Header{Total: "46.06", Confidence: map[string]float64{"total": 0.95}}, raw)
	if h.Total != "46.06" {
		t.Errorf("confirmed second reading: total %q, want 46.06", h.Total)
	}
	// Agreement raises an unconfirmed total's confidence.
	h = Header{Total: "46.06", Confidence: map[string]float64{"total": 0.6}}
	mergeHeader(&h, first, Header{Total: "46.06", Confidence: map[string]float64{"total": 0.6}}, raw)
	if h.Total != "46.06" || h.Confidence["total"] != 0.7 {
		t.Errorf("agreement: total %q conf %v, want 46.06 at 0.7", h.Total, h.Confidence["total"])
	}
	// A confirmed total stays.
	h = Header{Total: "12.00", Confidence: map[string]float64{"total": 0.95}}
	mergeHeader(&h, first, Header{Total: "46.06", Confidence: map[string]float64{"total": 0.95}}, raw)
	if h.Total != "12.00" {
		t.Errorf("confirmed first reading replaced by %q", h.Total)
	}
}

// TestSecondLookReadsAsIs: the second look's reading of a page as it came
// (real Tesseract, an undegraded purchase order) finds the date and the
// total; a header read whole is left untouched, and a date is looked for
// on the first page only.
func TestSecondLookReadsAsIs(t *testing.T) {
	truths, err := potruth.LoadDir(debugSharedDir)
	if err != nil || len(truths) == 0 {
		t.Skipf("shared purchase orders: %v", err)
	}
	tr := truths[0]
	e, img, raw := readPhotoAsIs(t, tr.Clean)
	h := Extract([]*Page{raw}).Header
	if s := tr.ScoreHeader(h.DocNumber, h.Date, h.Total); !s.Date || !s.Total {
		t.Errorf("read as is: date %q total %q; want %q %s", h.Date, h.Total, tr.Date, potruth.Money(tr.Total))
	}
	var doc Document
	doc.Header = Header{Date: "2001-02-03", Total: "1.00", Confidence: map[string]float64{"total": 0.95}}
	if err := e.secondLook(context.Background(), []image.Image{img}, nil, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Header.Date != "2001-02-03" || doc.Header.Total != "1.00" {
		t.Errorf("a whole header was changed: %+v", doc.Header)
	}
	// A date is looked for on the first page only: the order, printed on
	// the second page here, is not read again for it.
	blank := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	doc.Header = Header{Total: "1.00", Confidence: map[string]float64{"total": 0.95}}
	if err := e.secondLook(context.Background(), []image.Image{blank, img}, nil, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Header.Date != "" {
		t.Errorf("date %q read from the second page", doc.Header.Date)
	}
}

// TestRoundedTotal: the total after rounding is the amount payable, not a
// rounding adjustment; the rounding adjustment itself still adjusts.
func TestRoundedTotal(t *testing.T) {
	p := receiptPage(
		line(20, "KEDAI", "RUNCIT", "MAJU"),
		right(160, "Kopi", "Ais", "3.40"),
		right(190, "Roti", "Bakar", "9.07"),
		right(230, "Total", "12.47"),
		right(260, "Rounding", "Adj", "-0.02"),
		right(290, "Total", "Rounded", "12.45"),
		right(320, "Cash", "20.00"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "12.45" || doc.Header.Confidence["total"] < 0.9 {
		t.Fatalf("total %q (confidence %.2f), want 12.45 confirmed", doc.Header.Total, doc.Header.Confidence["total"])
	}
	for _, c := range []struct {
		s    string
		want bool
	}{{"TOTALROUNDED", true}, {"ROUNDEDTOTAL", true}, {"TOTALAFTERROUNDING", true}, {"ROUNDINGADJ", false}, {"TOTAL", false}} {
		if roundedTotal(c.s) != c.want {
			t.Errorf("roundedTotal(%q) = %v", c.s, !c.want)
		}
	}
}

// TestDocNumberLabelForms: the number after its label whatever its prefix,
// also glued to the label after a colon or #, and a bare "No" only as a
// word with its mark.
func TestDocNumberLabelForms(t *testing.T) {
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"Invoice", "No.:", "77310"}, "77310"},
		{[]string{"單號", ":", "K-2031-0457"}, "K-2031-0457"},
		{[]string{"發票號碼：ZX310277-4"}, "ZX310277-4"},
		{[]string{"訂單號:SO-4471"}, "SO-4471"},
		{[]string{"No:", "2031/0457"}, "2031/0457"},
		{[]string{"Receipt", "#:", "Q90017"}, "Q90017"},
		{[]string{"Order", "#", "60213"}, "60213"},
		{[]string{"Date:", "19/11/2025", "No.:", "T-5521"}, "T-5521"},
		{[]string{"No:", "INV", "/2024/9359"}, "INV/2024/9359"},
		{[]string{"Invoice", "No.:", "SI", "2024-0017"}, "SI2024-0017"},
		{[]string{"No.", "of", "items:", "438"}, ""},
		// An address: a bare "No." labels only the word after it.
		{[]string{"No.", "8,", "Jalan", "Tun", "Razak,", "50400", "Kuala", "Lumpur"}, ""},
		{[]string{"No.", ":", "50400"}, "50400"},
		{[]string{"送貨單號", "No.:", "R063386"}, "R063386"},
		{[]string{"D/N", "No.:", "DN-2023-7990"}, "DN-2023-7990"},
		// Not labels: "No" as a word of the text, no number after a label.
		{[]string{"No", "Onion", "2", "x", "13"}, ""},
		{[]string{"CASINO", "12345"}, ""},
		{[]string{"Invoice", "No.:", "12.50"}, ""},
	}
	for _, c := range cases {
		got, ok := labelledDocNumber(&row{words: line(10, c.words...)})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("labelledDocNumber(%q) = %q, %v; want %q", c.words, got, ok, c.want)
		}
	}
	// The page's title far left of an address's "No.": no label together.
	r := &row{words: tline(10, "INVOICE@300", "No.@1064", "8,@1094", "Jalan@1117", "Razak,@1192", "50400@1245", "Kuala@1330")}
	if got, ok := labelledDocNumber(r); ok {
		t.Errorf("title and address: number %q, want none", got)
	}
}

// TestDateConfidence: a date's confidence is its own words', not that of a
// speck read beside it on the row.
func TestDateConfidence(t *testing.T) {
	p := receiptPage(
		line(20, "KEDAI", "RUNCIT", "MAJU"),
		line(60, "@12:iPM", "@84:19/11/2025", "@92:18:41", "@30:BS"),
		right(160, "Kopi", "Ais", "3.40"),
		right(230, "Total", "3.40"),
	)
	h := Extract([]*Page{p}).Header
	if h.Date != "2025-11-19" || h.Confidence["date"] < 0.5 || h.Confidence["date"] > 0.84 {
		t.Errorf("date %q confidence %.2f; want 2025-11-19 at the date word's 0.84 (0.8 when read below the header)", h.Date, h.Confidence["date"])
	}
}

// TestShapedDocNumber: a document number whose label was misread is taken
// from its form after a short label and a colon; telephone numbers, dates,
// amounts, customer codes and words without four digits are not.
func TestShapedDocNumber(t *testing.T) {
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"srmuast:", "P-2026-5628", "="}, "P-2026-5628"},
		{[]string{"Wx", "TR:", "SI/2024/1234"}, "SI/2024/1234"},
		{[]string{"ae:036684"}, "036684"},
		{[]string{"A", "Wb:", "hkpo01234."}, "HKPO01234"},
		{[]string{"收", "貨", "人", ":", "旺角", "店", "發", "粟", "號碼:", "SI260826-80"}, "SI260826-80"},
		{[]string{"Cashier:", "00123", "Table:", "1234"}, ""},
		// Not numbers.
		{[]string{"電話", "Tel:", "2545-1180"}, ""},
		{[]string{"ee:", "+852", "25451180"}, ""},
		{[]string{"4)", "BM:", "25.08.2026"}, ""},
		{[]string{"Customer", "No:", "C-10023"}, ""},
		{[]string{"Balance:", "1,234.50"}, ""},
		{[]string{"Currency:", "HKD"}, ""},
		{[]string{"Ref:", "A12"}, ""},
		{[]string{"a", "very", "long", "sentence", "of", "words:", "12345"}, ""},
	}
	for _, c := range cases {
		got, ok := shapedDocNumber([]*row{{words: line(10, c.words...)}})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("shapedDocNumber(%q) = %q, %v; want %q", c.words, got, ok, c.want)
		}
	}
	// The labelled number wins over the form.
	p := page(
		line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
		line(80, "Ref:", "77-1234"),
		line(120, "Invoice", "No.:", "Q90017"),
	)
	if h := Extract([]*Page{p}).Header; h.DocNumber != "Q90017" {
		t.Errorf("number %q; want the labelled Q90017", h.DocNumber)
	}
	p = page(
		line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
		line(80, "srmuast:", "P-2026-5628"),
		line(120, "Date:", "25.08.2026"),
	)
	if h := Extract([]*Page{p}).Header; h.DocNumber != "P-2026-5628" || h.Confidence["doc_number"] > 0.5 {
		t.Errorf("number %q conf %.2f; want P-2026-5628 at a low confidence", h.DocNumber, h.Confidence["doc_number"])
	}
}

// TestSummaryTwoLabelsOneRow: a total printed on the row of a labelled
// quantity, far to its right, is read as the total.
func TestSummaryTwoLabelsOneRow(t *testing.T) {
	rows := groupRows(tline(500, "Total@100", "Qty:@170", "660@230", "應@900", "付@920", "Amount@960", "Due@1050", "15,162.10@1400"))
	s := readSummary(rows)
	if len(s.totals) != 1 || s.totals[0].v != 1516210 {
		t.Fatalf("totals %+v; want 15,162.10 alone", s.totals)
	}
}

// TestSplitAmountTotal: a total read in two words (a thousands group cut
// after its comma, the decimal point read as a space) is the total only
// when the lines' sum confirms it; unconfirmed, the amount as read stays.
func TestSplitAmountTotal(t *testing.T) {
	for _, c := range []struct {
		words []string
		sum   int64
		want  int64
	}{
		{[]string{"TOTAL@100", "MOP$9,@900", "769.03@1000"}, 976903, 976903},
		{[]string{"TOTAL@100", "HKS@800", "26,562@900", "48@1000"}, 2656248, 2656248},
		{[]string{"Amount@100", "Due@200", "MOP$8@900", "022.04@1000"}, 802204, 802204},
		{[]string{"TOTAL@100", "MOP$9,@900", "769.03@1000"}, 100, 76903},
	} {
		s := readSummary(groupRows(tline(500, c.words...)))
		v, _, ok := chooseTotal(s, c.sum, true)
		if !ok || v != c.want {
			t.Errorf("%q with lines summing to %d: total %d %v, want %d", c.words, c.sum, v, ok, c.want)
		}
	}
}

// TestLabelledDateDigits: a year-first date whose 年 月 日 were read as
// digits or lost is read when its digits split one way only.
func TestLabelledDateDigits(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"FI) Date 2025031 098", "2025-03-09"},
		{"日期: 2024 12 1 31 8", "2024-12-31"},
		{"日期: 20241123", ""},       // 11-23, 01-23, 01-12: several ways
		{"Date: 2024 3 5", ""},     // too few digits to be a misread date
		{"Date: 19/11/2025", ""},   // not year first
		{"Invoice 2025031098", ""}, // no label
		{"Date 2087031098", ""},    // no plausible year
	} {
		got, ok := labelledDateDigits(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("labelledDateDigits(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

// TestZeroAfterInitial: the O between one initial letter and the digits is
// a zero, except in PO, DO and SO numbers.
func TestZeroAfterInitial(t *testing.T) {
	for in, want := range map[string]string{
		"HO63186": "H063186", "FO96642": "F096642", "RO63386": "R063386",
		"PO12345": "PO12345", "DO245101": "DO245101", "SO77310": "SO77310",
		"HKPO01234": "HKPO01234", "HO631": "HO631", "H063186": "H063186",
	} {
		if got := zeroAfterInitial(in); got != want {
			t.Errorf("zeroAfterInitial(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGoodsTotalIsSubtotal: "Goods Total" and 貨品總值 are the lines' sum
// before adjustments, not the amount payable printed under them.
func TestGoodsTotalIsSubtotal(t *testing.T) {
	rows := groupRows(append(append(tline(500, "Goods@100", "Total@200", "8,796.40@1000"),
		tline(540, "Less@100", "Discount@200", "175.93-@1000")...), tline(580, "Total@100", "MOP@200", "8,620.47@1000")...))
	s := readSummary(rows)
	if !s.hasSub || s.subtotal != 879640 {
		t.Errorf("subtotal %d %v, want 8,796.40", s.subtotal, s.hasSub)
	}
	if v, _, ok := chooseTotal(s, 879640, true); !ok || v != 862047 {
		t.Errorf("total %d %v, want 8,620.47", v, ok)
	}
	if !isSubtotalRow("貨品總值HK$1,234.00") || isSubtotalRow("總計TOTAL") {
		t.Error("isSubtotalRow: 貨品總值 is a subtotal, 總計 is not")
	}
}

// TestShapedDocNumberOtherValues: the values of a header's other labels
// (mobile and hotline numbers, quantities, amounts, store, member, card and
// item codes, postal codes) and a number printed in groups ("9123 4567", a
// telephone number) are not taken for the document number by their form.
func TestShapedDocNumberOtherValues(t *testing.T) {
	for _, ws := range [][]string{
		{"Mobile:", "61234567"}, {"Hotline:", "2345-6789"}, {"WhatsApp:", "61234567"}, {"手機:", "61234567"},
		{"熱線:", "2345-6789"}, {"Contact:", "9123-4567"}, {"聯絡:", "9123-4567"},
		{"T:", "2345", "6789"}, {"ae:", "9123", "4567"},
		{"Qty:", "1200"}, {"Total:", "1234"}, {"Amount:", "1234"}, {"Weight:", "1000"},
		{"Store:", "0123"}, {"Shop:", "0123"}, {"Branch:", "0123"}, {"Member:", "88001234"},
		{"Card:", "4512"}, {"SKU:", "12345678"}, {"Item:", "12345678"}, {"Zip:", "10001"}, {"P.O.", "Box:", "1234"},
		{"Cash:", "1000"}, {"Paid:", "1000"}, {"Change:", "1000"}, {"Points:", "1200"}, {"積分:", "1200"}, {"現金:", "1000"},
	} {
		if got, ok := shapedDocNumber([]*row{{words: line(10, ws...)}}); ok {
			t.Errorf("shapedDocNumber(%q) = %q; want none", ws, got)
		}
	}
}

// TestLabelledDateOddLetters: letters whose capitals are longer in UTF-8
// ("ɐ" → "Ɐ") before a Date label neither panic nor move the label.
func TestLabelledDateOddLetters(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ɐɐɐɐɐɐ date", ""},
		{"ɥɥɥɥ Date 2025031 098", "2025-03-09"},
	} {
		if got, ok := labelledDateDigits(c.in); got != c.want || ok != (c.want != "") {
			t.Errorf("labelledDateDigits(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"ɐɐɐɐɐɐ date", ""},
		{"ɥɥɥɥ Date: 2025-03-09", "2025-03-09"},
	} {
		if got, ok := labelledDateCompact(c.in); got.iso != c.want || ok != (c.want != "") {
			t.Errorf("labelledDateCompact(%q) = %q, %v; want %q", c.in, got.iso, ok, c.want)
		}
	}
}

// TestDocNumberOtherNoLabels: a "No." after a word naming another value
// (telephone, fax, mobile, member, card, account, item) labels no
// document number; a document number's label later on the row still
// does.
func TestDocNumberOtherNoLabels(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"Tel", "No.:", "2345", "6789"}, ""},
		{[]string{"Fax", "No:", "2345-6789"}, ""},
		{[]string{"Phone", "No.", "91234567"}, ""},
		{[]string{"Mobile", "No:", "91234567"}, ""},
		{[]string{"Contact", "No.:", "9123", "4567"}, ""},
		{[]string{"Member", "No:", "88001234"}, ""},
		{[]string{"會員", "No.", "88001234"}, ""},
		{[]string{"Card", "No:", "4512"}, ""},
		{[]string{"A/C", "No:", "123-456"}, ""},
		{[]string{"Item", "No.", "12345"}, ""},
		{[]string{"Tel", "No.:", "2345", "6789", "Invoice", "No.:", "INV-0012"}, "INV-0012"},
		{[]string{"Tax", "Invoice", "No:", "INV-2024-01"}, "INV-2024-01"},
		{[]string{"Order", "No:", "PO-1234"}, "PO-1234"},
	} {
		got, ok := labelledDocNumber(&row{words: line(10, c.words...)})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("labelledDocNumber(%q) = %q, %v; want %q", c.words, got, ok, c.want)
		}
	}
}

// TestDocNumberOtherCodeLabels: 編號 after a word naming another code
// (客戶 customer, 會員 member, 貨品 goods) labels no document number; after
// 訂單 or alone it does.
func TestDocNumberOtherCodeLabels(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"客戶編號:", "C10023"}, ""},
		{[]string{"客户编号：", "C10023"}, ""},
		{[]string{"會員編號:", "88001234"}, ""},
		{[]string{"客戶", "編號:", "C10023"}, ""},
		{[]string{"貨品編號:", "A12345"}, ""},
		{[]string{"客戶編號:C10023"}, ""},
		{[]string{"訂單編號:", "P-2026-5628"}, "P-2026-5628"},
		{[]string{"編號:", "P-2026-5628"}, "P-2026-5628"},
		{[]string{"客戶編號:", "C10023", "訂單編號:", "P-2026-5628"}, "P-2026-5628"},
	} {
		got, ok := labelledDocNumber(&row{words: line(10, c.words...)})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("labelledDocNumber(%q) = %q, %v; want %q", c.words, got, ok, c.want)
		}
	}
}

// TestTwoDigitYearReadWhole: a date read with a two-digit year gives way
// to the same day and month printed elsewhere with four digits; a
// different day and month does not.
func TestTwoDigitYearReadWhole(t *testing.T) {
	p := receiptPage(
		line(20, "Date:", "08/10/24);"),
		right(100, "Apples", "3.00"),
		line(400, "DD:", "08/10/2017", "12:14"),
	)
	if h := Extract([]*Page{p}).Header; h.Date != "2017-10-08" {
		t.Errorf("date %q, want 2017-10-08 (the four-digit reading)", h.Date)
	}
	p = receiptPage(
		line(20, "Date:", "08/10/24"),
		right(100, "Apples", "3.00"),
		line(400, "Expires", "09/11/2027"),
	)
	if h := Extract([]*Page{p}).Header; h.Date != "2024-10-08" {
		t.Errorf("date %q, want 2024-10-08 (another day is another date)", h.Date)
	}
}

// TestRepairDocNumber: characters read by their place in the number's
// form; numbers already of their form are left alone.
func TestRepairDocNumber(t *testing.T) {
	for in, want := range map[string]string{
		"VOT1751": "V071751", "$1/2023/6285": "SI/2023/6285", "HO63186": "H063186",
		"PO41997": "PO41997", "PO/2025/2802": "PO/2025/2802", "SI260826-80": "SI260826-80",
		"INV/2024/9359": "INV/2024/9359", "2024/1234": "2024/1234", "C026449": "C026449",
		"ABCDEFG": "ABCDEFG", "POT1234": "POT1234", "AB12345": "AB12345", "A1T2345": "A172345",
		"U06S775": "U065775", // an S among the digits is a 5
	} {
		if got := repairDocNumber(in); got != want {
			t.Errorf("repairDocNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDocNumberLabelFarWord: a word naming another value far to the left
// of a bare "No." (two header columns read as one row: "Deliver To: North
// Point Store      No.: SI/2025/5099") is not part of its label; near it
// ("Store No.") it is.
func TestDocNumberLabelFarWord(t *testing.T) {
	far := line(10, "Deliver", "To:", "North", "Point", "Store")
	x := far[len(far)-1].Box.Max.X + 400
	far = append(far, Word{Text: "No.", Box: image.Rect(x, 10, x+42, 32), Conf: 90}, Word{Text: "SI/2025/5099", Box: image.Rect(x+60, 10, x+228, 32), Conf: 90})
	if got, ok := labelledDocNumber(&row{words: far}); !ok || got != "SI/2025/5099" {
		t.Errorf("far Store: got %q, %v", got, ok)
	}
	if got, ok := labelledDocNumber(&row{words: line(10, "Deliver", "To:", "North", "Point", "Store", "No.", "12345")}); ok {
		t.Errorf("Store No. read as the number: %q", got)
	}
}

// TestCheckedDocNumber: repairs confirmed by another header field.
func TestCheckedDocNumber(t *testing.T) {
	for _, c := range []struct{ n, typ, date, want string }{
		{"ON/2023/8077", "DN", "2023-06-04", "DN/2023/8077"}, // a delivery note's D read as O
		{"ON/2023/8077", "PO", "2023-06-04", "ON/2023/8077"}, // no title to confirm it
		{"0N250127-62", "DN", "", "DN250127-62"},
		{"ONE123", "DN", "", "ONE123"},
		{"IN72026/3666", "RC", "2026-02-03", "IN/2026/3666"}, // the date's year
		{"IN72026/3666", "RC", "2025-02-03", "IN72026/3666"}, // another year: unconfirmed
		{"PO-2024-1234", "PO", "2024-01-01", "PO-2024-1234"},
		{"M0D62059", "DN", "", "MOD62059"}, // a zero between the prefix's letters
		{"HKPO94672", "PO", "", "HKPO94672"},
		{"A012345", "PO", "", "A012345"},
		{"HKDS1686", "DN", "", "HKD51686"},   // the first digit after the type's prefix read as a letter
		{"MORCO3862", "RC", "", "MORC03862"}, // after a country code
		{"DS1686", "DN", "", "D51686"},
		{"HKDS1686", "PO", "", "HKDS1686"},   // not the type's prefix: unconfirmed
		{"HKDO51686", "DN", "", "HKDO51686"}, // DO is a prefix of its own
		{"PO07402", "PO", "", "PO07402"},
		{"MORCO3862", "", "", "MORCO3862"},                 // no title read
		{"$1251104-94", "RC", "2025-11-04", "SI251104-94"}, // the prefix read with digits: date and type confirm
		{"00240816-28", "DN", "2024-08-16", "DO240816-28"},
		{"00/2025/9172", "DN", "2025-09-12", "DO/2025/9172"},
		{"$1251104-94", "RC", "2025-11-05", "$1251104-94"},   // another date
		{"00/2025/9172", "DN", "2024-09-12", "00/2025/9172"}, // another year
		{"00240816-28", "PO", "2024-08-16", "00240816-28"},   // not the type's prefix
		{"12251104-94", "RC", "2025-11-04", "12251104-94"},
	} {
		if got := checkedDocNumber(c.n, c.typ, c.date); got != c.want {
			t.Errorf("checkedDocNumber(%q, %q, %q) = %q, want %q", c.n, c.typ, c.date, got, c.want)
		}
	}
}

// TestLabelledDateGapped: a date after its label whose one separator was
// read as a space, and a 日期 label read as two words.
func TestLabelledDateGapped(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"日 期 : 11.04 2025", "2025-04-11"},
		{"Date: 11/04 2025", "2025-04-11"},
		{"Date: 2025-04 11", "2025-04-11"},
		{"Date:02/08/201 6", "2016-08-02"},
		{"Date: 11 04 2025", "2025-04-11"}, // no separator read: the groups after the label (h/head), day first
		{"Date: 11 04", ""},                // no year: not a date
	} {
		d, ok := labelledDateCompact(c.in)
		if ok != (c.want != "") || ok && d.iso != c.want {
			t.Errorf("labelledDateCompact(%q) = %q, %v; want %q", c.in, d.iso, ok, c.want)
		}
	}
	// 年 read as a digit too: "Date 20254098138" for 2025年09月13日.
	if got, ok := labelledDateDigits("日 期 Date 20254098138"); !ok || got != "2025-09-13" {
		t.Errorf("stray digit after the year: %q, %v", got, ok)
	}
}
