package potruth

import "testing"

func TestScoreLines(t *testing.T) {
	tr := &Truth{Items: []Item{
		{SKU: "507953", Qty: 1, UnitPrice: 68.5},
		{SKU: "976714", Qty: 66, UnitPrice: 19},
		{SKU: "840779", Qty: 2, UnitPrice: 7},
	}}
	s := tr.ScoreLines([]Line{
		{ID: "507953", Qty: 1, UnitPrice: "68.50"},
		{ID: "976714", Qty: 66, UnitPrice: "19.00"},
		{ID: "976714", Qty: 66, UnitPrice: "19.00"},                  // duplicate: wrong
		{ID: "840779", Qty: 3, UnitPrice: "7.00", NeedsReview: true}, // wrong qty, flagged
	})
	if s.Right != 2 || s.Got != 4 || s.Truth != 3 || s.WrongUnflagged != 1 || s.WrongFlagged != 1 {
		t.Fatalf("score = %+v", s)
	}
	if p, r := s.Precision(), s.Recall(); p != 0.5 || r < 0.66 || r > 0.67 {
		t.Errorf("precision %v recall %v", p, r)
	}
	h := (&Truth{DocNumber: "PO/1", Date: "2024-01-02", Total: 12.5}).ScoreHeader("PO/1", "2024-01-02", "12.50")
	if !h.DocNumber || !h.Date || !h.Total {
		t.Errorf("header = %+v", h)
	}
}
