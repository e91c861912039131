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
	m := pageWordConfs([]*Page{confPage(map[string]float64{"Jasmine": 95, "Rice": 92, "5kg": 90, "RS": 21, "Pam": 0, "eR": 16, "~<": 50, "}{": 40})})
	for _, c := range []struct {
		desc, want string
	}{
		{"Jasmine Rice 5kg", ""},
		{"RS Pam eR", "low confidence"},
		{"Jasmine ~< }{ Rice", "stray marks"},
		{"4545", "no description"},
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
