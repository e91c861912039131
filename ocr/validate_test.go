package ocr

import (
	"image"
	"strings"
	"testing"
)

// confPage builds a page of words with their confidences, one word per box
// along a line.
func confPage(words map[string]float64) *Page {
	p := &Page{Width: 1000, Height: 1000}
	x := 0
	for t, c := range words {
		p.Words = append(p.Words, Word{Text: t, Conf: c, Box: image.Rect(x, 10, x+40, 30)})
		x += 50
	}
	return p
}

func TestDescribeMatchesCJKRunsPiecewise(t *testing.T) {
	m := pageWordConfs([]*Page{confPage(map[string]float64{"藍莓": 90, "乳酪飲品": 30, "Yogurt": 60, "|": 5})})
	st := describe("藍莓乳酪飲品 Yogurt", m)
	// 2 letters at 90, 4 at 30, 6 at 60: (180+120+360)/12 = 55.
	if st.letters != 12 || st.allLet != 12 || st.meanConf != 55 {
		t.Errorf("describe = %+v, want 12 letters, mean 55", st)
	}
	if st := describe("Yogurt | ~~", m); st.junk < 0.2 {
		t.Errorf("junk share %v, want the marks counted", st.junk)
	}
}

func TestDescriptionProblem(t *testing.T) {
	m := pageWordConfs([]*Page{confPage(map[string]float64{"Jasmine": 95, "Rice": 92, "5kg": 90, "RS": 21, "Pam": 0, "eR": 16, "~<": 50, "}{": 40,
		"SRMMM": 4, "500K": 0, "Fioor": 46, "Cleaner": 93, "Soap": 91, "Hand": 88, "Ki": 10, "茉莉": 5})})
	for _, c := range []struct {
		desc, want string
	}{
		{"Jasmine Rice 5kg", ""},
		{"RS Pam eR", "low confidence"},
		{"Jasmine ~< }{ Rice", "stray marks"},
		{"4545", "no description"},
		// Two Latin words unread among clean ones; one is not enough, nor
		// a Chinese word (read piecewise, judged by the mean).
		{"SRMMM 500K Fioor Cleaner Soap Ki", "partly unread"},
		{"Jasmine Rice Hand Soap Ki", ""},
		{"茉莉 Jasmine Rice Hand Soap Ki", ""},
		// Words not on the page (a reading's repair): no evidence either way.
		{"Unseen Words", ""},
	} {
		got := descriptionProblem(c.desc, m)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("descriptionProblem(%q) = %q, want %q", c.desc, got, c.want)
		}
	}
}

func TestCheckDescriptionsFlagsWithoutDropping(t *testing.T) {
	p := confPage(map[string]float64{"Jasmine": 95, "Rice": 92, "smuewone": 0, "MGS": 23, "ten": 32, "Black": 96, "Tea": 94, "Soy": 95, "Milk": 94})
	ok := Line{SKU: "SKU-000001", Description: "Jasmine Rice", Qty: 2, UnitPrice: "1.00", Amount: "2.00", Confidence: 0.99, Fields: FieldConfidence{Code: 0.9, Qty: 0.99, UnitPrice: 0.99, Amount: 0.99}}
	garbledCoded := ok
	garbledCoded.Description = "smuewone MGS ten" // the confirmed code names the item
	garbled := ok
	garbled.SKU, garbled.Fields.Code = "", 0
	garbled.Description = "smuewone MGS ten"
	uncoded := ok
	uncoded.SKU = ""
	uncoded.Description = "Black Tea"
	other := ok
	other.Description = "Soy Milk"
	doc := &Document{Lines: []Line{ok, garbledCoded, garbled, uncoded, other, ok, ok, ok}}
	checkDescriptions(doc, []*Page{p})
	if len(doc.Lines) != 8 {
		t.Fatalf("%d lines, want all 8 kept", len(doc.Lines))
	}
	want := []bool{false, false, true, true, false, false, false, false}
	for i, l := range doc.Lines {
		if l.NeedsReview != want[i] {
			t.Errorf("line %d (%q, code %q): review %v %v, want %v", i, l.Description, l.SKU, l.NeedsReview, l.Problems, want[i])
		}
		if l.NeedsReview && l.Confidence > 0.5 {
			t.Errorf("line %d flagged with confidence %v", i, l.Confidence)
		}
	}
	if !doc.NeedsReview {
		t.Error("document not flagged")
	}
	// Without coded neighbours a well-read line without a code is clean.
	doc = &Document{Lines: []Line{uncoded, uncoded}}
	checkDescriptions(doc, []*Page{p})
	if doc.Lines[0].NeedsReview || doc.NeedsReview {
		t.Errorf("uncoded receipt lines flagged: %v", doc.Lines[0].Problems)
	}
}

func TestSolveLostQtyDigit(t *testing.T) {
	// 72 read "7": 17.90 × 72 = 1,288.80 as read confirms it.
	if s, ok := solve("7", "17.90", "1,288.80"); !ok || s.qty != 72 || s.cost == 0 {
		t.Errorf("solve lost digit = %+v %v, want qty 72 repaired", s, ok)
	}
	// 36 read "38".
	if s, ok := solve("38", "10.40", "374.40"); !ok || s.qty != 36 {
		t.Errorf("solve changed digit = %+v %v, want qty 36", s, ok)
	}
	for _, c := range [][3]string{
		{"3", "2.00", "10.00"},     // any one digit is one digit off another
		{"7", "17.90", "1,300.00"}, // the price does not divide the amount
		{"12", "1.00", "150.00"},   // 150 is not 12 with one digit off
	} {
		if s, ok := solve(c[0], c[1], c[2]); ok {
			t.Errorf("solve%v = %+v, want no reading", c, s)
		}
	}
}

func TestParseRowCodeAfterLineNumber(t *testing.T) {
	rs := groupRows(line(100, "Br", "ae", "16", "SKU-000597", "Toilet", "Cleaner", "60", "20.20", "1,212.00"))
	it, ok := parseItemRow(rs[0], 3)
	if !ok || it.id.text != "SKU-000597" || len(it.nums) != 3 {
		t.Fatalf("parseItemRow = %+v %v, want the code after the line number", it, ok)
	}
	// A word of a description before it is not a speck: no code so far in.
	rs = groupRows(line(100, "Toilet", "Cleaner", "16", "SKU-000597", "60", "20.20", "1,212.00"))
	if it, ok := parseItemRow(rs[0], 3); ok {
		t.Errorf("parseItemRow took a code after a description: %+v", it)
	}
}

// TestCheckDerivedQty: a quantity derived from amount ÷ unit price (not 1)
// flags its line when most lines had their quantity read; on a receipt of
// "name price amount" rows it does not, nor does a derived 1.
func TestCheckDerivedQty(t *testing.T) {
	read := Line{Description: "Bleach 1L", Qty: 8, UnitPrice: "12.80", Amount: "102.40", Confidence: 0.99}
	derived := Line{Description: "Egg Rolls", Qty: 36, UnitPrice: "70.00", Amount: "2520.00", Confidence: 0.9, qtyDerived: true}
	one := Line{Description: "Tin", Qty: 1, UnitPrice: "7.00", Amount: "7.00", Confidence: 0.9, qtyDerived: true}
	doc := &Document{Lines: []Line{read, derived, read, one, read}}
	checkDerivedQty(doc)
	if len(doc.Lines) != 5 || !doc.Lines[1].NeedsReview || doc.Lines[1].Confidence > 0.5 || !doc.NeedsReview {
		t.Errorf("derived quantity not flagged: %+v", doc.Lines[1])
	}
	if doc.Lines[0].NeedsReview || doc.Lines[3].NeedsReview {
		t.Error("a read quantity or a derived 1 flagged")
	}
	doc = &Document{Lines: []Line{derived, derived, read}}
	checkDerivedQty(doc)
	if doc.Lines[0].NeedsReview || doc.NeedsReview {
		t.Error("derived quantities flagged where most lines print none")
	}
}
