package ocr

import "testing"

// Items whose names contain a summary keyword inside a longer word
// ("Tenderloin": TENDER, "Fondue": DUE, "Ground": ROUND, "Hotel": TEL) are
// items; keywords as words, run together ("SUBTOTAL", "Item count") or
// inflected ("Tendered", "Taxes") still mark summary rows.
func TestSummaryKeywordsAsWords(t *testing.T) {
	for _, c := range []struct {
		words   []string
		summary bool
	}{
		{[]string{"2-Tenderloin", "9.78"}, false},
		{[]string{"Cheese", "Fondue", "12.00"}, false},
		{[]string{"Ground", "Beef", "1kg", "8.50"}, false},
		{[]string{"Multipack", "Crisps", "3.00"}, false},
		{[]string{"Cash", "Tendered", "20.00"}, true},
		{[]string{"Sub", "Total:", "18.01"}, true},
		{[]string{"SUBTOTAL", "18.01"}, true},
		{[]string{"Total", "Due", "23.45"}, true},
		{[]string{"Taxes", "1.44"}, true},
		{[]string{"Item", "count", "2"}, true},
		{[]string{"Change", "Due:", "0.00"}, true},
		{[]string{"現金", "100.00"}, true},
	} {
		r := groupRows(line(100, c.words...))[0]
		if got := isSummaryRow(r); got != c.summary {
			t.Errorf("isSummaryRow(%q) = %v, want %v", c.words, got, c.summary)
		}
	}
	p := receiptPage(
		line(20, "EDWARDS", "DRIVE", "IN"),
		right(160, "1-Large", "Diet", "Coke", "1.69"),
		right(190, "2-Tenderloin", "9.78"),
		right(220, "Hotel", "Chocolate", "2.00"),
		right(260, "Sub", "Total:", "13.47"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 3 || doc.Lines[1].Description != "Tenderloin" || doc.Lines[1].Qty != 2 || doc.Lines[2].Description != "Hotel Chocolate" {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if doc.Header.Subtotal != "13.47" || doc.Lines[1].NeedsReview {
		t.Errorf("subtotal %q, line %+v: the lines add up to the subtotal", doc.Header.Subtotal, doc.Lines[1])
	}
}

// A total whose amount was misread ("Total 14:25") and whose label was
// paired with the cash line below: the cash less the change agrees with
// the subtotal and the taxes, and that sum is the total, confirmed.
func TestCashLessChangeConfirmsTotal(t *testing.T) {
	p := receiptPage(
		line(20, "CHIPOTLE"),
		right(160, "Carnitas", "Bowl", "8.27"),
		right(190, "Guacamole", "2.07"),
		right(230, "Subtotal", "10.34"),
		right(260, "Tax", "0,92"),
		right(290, "Round", "-0.01"),
		line(320, "TAKE", "OUT", "Total", "14:25"),
		right(350, "Cash", "20.00"),
		right(380, "Change", "8.75"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "11.25" || doc.Header.Confidence["total"] < 0.9 {
		t.Fatalf("total %q (confidence %.2f), want 11.25 confirmed", doc.Header.Total, doc.Header.Confidence["total"])
	}
	// One sum alone is no confirmation: without the subtotal and the
	// lines agreeing, cash less change stays a guess.
	s := summary{cash: 2000, change: 875, hasCash: true, hasChange: true, subtotal: 1500, hasSub: true}
	if _, ok := derivedTotal(s, 1034, true); ok {
		t.Error("derivedTotal confirmed 11.25 with nothing agreeing")
	}
	if v, ok := derivedTotal(s, 1125, true); !ok || v != 1125 {
		t.Errorf("derivedTotal = %d %v, want 1125 (the lines agree)", v, ok)
	}
}

// A speck after an amount ("0.00.") does not hide it.
func TestSpeckAfterAmount(t *testing.T) {
	p := receiptPage(
		line(20, "ALL", "SEASONS", "CAR", "WASH"),
		right(160, "1", "Owners", "Wash", "0.00."),
		right(190, "Wax", "12.50,"),
		right(230, "Subtotal", "12.50"),
		right(260, "Total", "12.50"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 || doc.Lines[0].Amount != "0.00" || doc.Lines[1].Amount != "12.50" {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if doc.Header.Total != "12.50" {
		t.Errorf("total %q", doc.Header.Total)
	}
}

// The amount column repeating a quantity-one line's unit price, misread
// ("9-19" for 9.19, "8,7" for 8.75), is taken from the price and flagged;
// a last word that is not the price's reading is not.
func TestGarbledRepeatedPrice(t *testing.T) {
	p := receiptPage(
		line(20, "WINDMILL", "FAMILY", "RESTAURANT"),
		right(160, "1", "SOFT", "DRINK", "2.09", "2.09"),
		right(190, "9.19", "9-19"),
		line(210, "1", "HOT", "TURK", "SAND/MP"),
		right(240, "8.75", "8,7"),
		line(260, "1", "CRAB", "CAKE", "SND/FF"),
		right(300, "Sub", "Total", "20.03"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 3 {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	for i, w := range []struct{ desc, amount string }{{"SOFT DRINK", "2.09"}, {"HOT TURK SAND/MP", "9.19"}, {"CRAB CAKE SND/FF", "8.75"}} {
		l := doc.Lines[i]
		if l.Description != w.desc || l.Amount != w.amount || l.Qty != 1 {
			t.Errorf("line %d = %q %s qty %d, want %q %s qty 1", i, l.Description, l.Amount, l.Qty, w.desc, w.amount)
		}
	}
	// The subtotal confirms the repairs; the repair is still recorded.
	if len(doc.Lines[1].Problems) == 0 || doc.Lines[1].NeedsReview {
		t.Errorf("repaired line: %+v", doc.Lines[1])
	}
	// Unconfirmed by the sum, the repaired line goes to review.
	p.Words = p.Words[:len(p.Words)-3]
	p.Words = append(p.Words, right(300, "Sub", "Total", "21.03")...)
	doc = Extract([]*Page{p})
	if len(doc.Lines) != 3 || !doc.Lines[1].NeedsReview {
		t.Errorf("unconfirmed repair not flagged: %+v", doc.Lines)
	}
	for _, c := range []struct {
		words []string
		ok    bool
	}{
		{[]string{"9.19", "9-19"}, true},
		{[]string{"8.75", "8,7"}, true},
		{[]string{"9.19", "7-42"}, false}, // other digits: another amount
		{[]string{"9.19", "919"}, false},  // no separator: a quantity or a code
		{[]string{"9.19", "9-1A"}, false},
	} {
		_, ok := repeatPrice(classify(groupRows(line(100, c.words...))[0]))
		if ok != c.ok {
			t.Errorf("repeatPrice(%q) = %v, want %v", c.words, ok, c.ok)
		}
	}
}

// A receipt in a currency without cents prints amounts in thousands
// groups and no decimals; they are read as whole units. One two-decimal
// amount on the page keeps "25.000" what it is (not money).
func TestWholeUnitAmounts(t *testing.T) {
	p := receiptPage(
		line(20, "WARUNG", "SARI", "RASA"),
		right(160, "Nasi", "Goreng", "25.000"),
		right(190, "2", "Es", "Teh", "10.000"),
		right(230, "TOTAL", "Rp35.000"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 || doc.Lines[0].Amount != "25000.00" || doc.Lines[1].Amount != "10000.00" || doc.Lines[1].Qty != 2 {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if doc.Header.Total != "35000.00" || doc.Lines[0].NeedsReview {
		t.Errorf("total %q, line %+v", doc.Header.Total, doc.Lines[0])
	}
	ws := wholeUnitWords(append(line(20, "Tomatoes", "1.200", "kg"), line(50, "Apples", "1.000", "3.50")...))
	for _, w := range ws {
		if w.Text == "1200.00" || w.Text == "1000.00" {
			t.Errorf("rewrote %q on a page with decimals", w.Text)
		}
	}
}

// "1,128,00": comma thousands with the decimal point misread as a comma.
func TestSeparatorMisreadComma(t *testing.T) {
	for s, want := range map[string]int64{"1,128,00": 112800, "12,345,67": 1234567, "HK$1,128,00": 112800, "1.128,00": 112800, "12,50": 1250} {
		if got, ok := parseMoney(s); !ok || got != want {
			t.Errorf("parseMoney(%q) = %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"1,12,00", "1,128.5,00", "11,28,00"} {
		if v, ok := parseMoney(s); ok {
			t.Errorf("parseMoney(%q) = %d, want no amount", s, v)
		}
	}
}

// A date with letters read for digits is read when no date reads as
// printed, with a low confidence.
func TestNoisyDate(t *testing.T) {
	for s, want := range map[string]string{"Date:O2/08/2016": "2016-08-02", "l2/O5/2O17 13:45": "2017-05-12", "@8/10/2017": "2017-10-08", "25-O3-2018.": "2018-03-25"} {
		d, ok := noisyDate(s)
		if !ok || d.iso != want {
			t.Errorf("noisyDate(%q) = %q %v, want %s", s, d.iso, ok, want)
		}
	}
	for _, s := range []string{"Tel 905-303-6621", "SOLD/BY/ME", "Table: 0051", "Oxnard, CA"} {
		if d, ok := noisyDate(s); ok {
			t.Errorf("noisyDate(%q) = %q, want no date", s, d.iso)
		}
	}
	p := receiptPage(line(20, "PJ'S", "PET", "EXPRESS"), line(60, "Date:", "O2/08/2016"), right(160, "Dog", "Food", "49.99"))
	doc := Extract([]*Page{p})
	if doc.Header.Date != "2016-08-02" || doc.Header.Confidence["date"] > 0.5 {
		t.Errorf("date %q (confidence %.2f), want 2016-08-02 unconfirmed", doc.Header.Date, doc.Header.Confidence["date"])
	}
}

// A total whose decimal point was read as a hyphen ("Total 47-70") is
// taken when the lines confirm it, never on its own.
func TestTotalPointMisread(t *testing.T) {
	page := func(total string) *Page {
		return receiptPage(
			line(20, "KEDAI", "RUNCIT", "SDN", "BHD"),
			right(160, "Sugar", "1kg", "2.90"),
			right(190, "Flour", "44.80"),
			line(230, "Total", "Amt:", total),
		)
	}
	doc := Extract([]*Page{page("47-70")})
	if doc.Header.Total != "47.70" || doc.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q (%.2f), want 47.70 confirmed by the lines", doc.Header.Total, doc.Header.Confidence["total"])
	}
	doc = Extract([]*Page{page("12:30")})
	if doc.Header.Total == "12.30" {
		t.Errorf("total %q read from a time no sum confirms", doc.Header.Total)
	}
}

// The payment printed just above the change, its label misread ("Gash"
// on a row of its own), gives the total as cash less change when no
// total is labelled; a total or tax row above the change is no payment.
func TestTenderAboveChange(t *testing.T) {
	rows := func(above ...[]Word) []*row {
		ws := append(line(20, "PJ'S", "PET", "EXPRESS"), right(160, "Dog", "Food", "49.99")...)
		for _, a := range above {
			ws = append(ws, a...)
		}
		ws = append(ws, right(300, "Change", "$4.36")...)
		return groupRows(ws)
	}
	s := readSummary(rows(line(230, "Gash"), right(260, "$10.00")))
	if !s.hasCash || s.cash != 1000 {
		t.Fatalf("summary %+v: want the payment 10.00", s)
	}
	if v, _, ok := chooseTotal(s, 4999, true); !ok || v != 564 {
		t.Errorf("total %d %v, want 5.64 (cash less change)", v, ok)
	}
	for _, above := range [][]Word{right(260, "HST", "$4.99"), right(260, "Total", "$10.00"), right(260, "$1.00")} {
		s := readSummary(rows(above))
		if s.cash == 1000 || s.cash == 499 || s.cash == 100 {
			t.Errorf("above %q: payment %d read", above[0].Text, s.cash)
		}
	}
}

// TestMarkAndBorderMisreads: "MOPS" is MOP$ with its $ read as S; a
// parenthesis without its pair after an amount is a border, not a
// negative amount (a receipt row's amount is then read).
func TestMarkAndBorderMisreads(t *testing.T) {
	for s, want := range map[string]int64{"MOPS1,482.00": 148200, "MOPS7.62": 762, "MOP$756.00": 75600, "(12.50)": -1250} {
		if v, ok := parseMoney(s); !ok || v != want {
			t.Errorf("parseMoney(%q) = %d %v, want %d", s, v, ok, want)
		}
	}
	for s, want := range map[string]string{"77.60)": "77.60", "(77.60": "77.60", "(12.50)": "(12.50)", "12.50,": "12.50"} {
		if got := trimSpeck(s); got != want {
			t.Errorf("trimSpeck(%q) = %q, want %q", s, got, want)
		}
	}
	p := page(
		line(280, "1", "Pork", "Chops", "500g", "10", "pk", "37.94", "379.40"),
		line(320, "3", "Caramel", "Popcorn", "100g", "8", "bag", "9.70", "77.60)"),
		line(360, "4", "Beef", "Cup", "Noodles", "110g", "72", "pk", "7.60", "547.20"),
		line(420, "Sub-total", "1,004.20"),
	)
	d := Extract([]*Page{p})
	if len(d.Lines) != 3 || d.Lines[1].Amount != "77.60" || d.Lines[1].Qty != 8 || d.Lines[1].NeedsReview {
		t.Errorf("lines: %+v", d.Lines)
	}
}
