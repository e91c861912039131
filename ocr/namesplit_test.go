package ocr

import (
	"strings"
	"testing"
)

// Two-line items on a tilted page: item 2's Chinese line read at 206,
// nearly as near item 1's English line (168) as item 2's numbers (236):
// spacing alone gives it to item 1 (ratio 0.79, over 0.7), a close call —
// both items are flagged. The clearly spaced page (the Chinese line 16
// above its numbers) flags nothing.
func TestTableCloseSplitFlagged(t *testing.T) {
	page := func(zhY int) *Page {
		return tpage(
			tline(100, "No.@40", "Description@300", "Qty@1000", "Price@1150", "Amount@1350"),
			tline(150, "1@40", "咖喱味杯麵@300", "120@1000", "5.70@1150", "684.00@1350"),
			tline(168, "Curry@300", "Cup@380", "Noodles@440"),
			tline(zhY, "泡菜味韓國拉麵@300"),
			tline(236, "2@40", "Kimchi@300", "30@1000", "27.33@1150", "819.90@1350"),
			tline(254, "Ramyun@300", "120g@400"),
		)
	}
	flagged := func(d *Document) []bool {
		var f []bool
		for _, l := range d.Lines {
			f = append(f, l.NeedsReview && strings.Contains(strings.Join(l.Problems, ";"), "close call"))
		}
		return f
	}
	doc := extractTable([]*Page{page(206)}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	checkNameSplit(doc)
	if f := flagged(doc); !f[0] || !f[1] {
		t.Errorf("close call: flagged %v, want both (%q, %q)", f, doc.Lines[0].Description, doc.Lines[1].Description)
	}
	doc = extractTable([]*Page{page(220)}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("clear lines: %+v", doc)
	}
	checkNameSplit(doc)
	if f := flagged(doc); f[0] || f[1] {
		t.Errorf("clear spacing: flagged %v, want neither", f)
	}
}
