package ocr

import "testing"

// voted is the header's total after Extract of the first reading and the
// evidence vote over the readings given.
func voted(readings ...*Page) (string, float64) {
	doc := Extract([]*Page{readings[0]})
	var rs [][]*Page
	for _, p := range readings {
		rs = append(rs, []*Page{p})
	}
	voteTotal(doc, rs)
	return doc.Header.Total, doc.Header.Confidence["total"]
}

// TestVoteTwoSourcesOverOneLabel: the total's label read "73.45" (a digit
// misread) and nothing confirms it, while the card payment and cash less
// change both say 23.45: two independent sources outvote one.
func TestVoteTwoSourcesOverOneLabel(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"),
		right(300, "TOTAL", "73.45"),
		right(330, "VISA", "23.45"),
		right(360, "Cash", "50.00"),
		right(390, "Change", "26.55"))
	if tot, c := voted(p); tot != "23.45" || c < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 23.45 from the card and cash less change", tot, c)
	}
}

// TestVoteAcrossReadings: the first reading reads the label "73.45" and
// no payment; the second look reads the label "23.45" and the Octopus
// payment 23.45. The label read in both readings is one printing; the
// Octopus card is a second, and it agrees with the second reading of the
// label.
func TestVoteAcrossReadings(t *testing.T) {
	defer evidenceRulesOn()()
	first := receiptPage(line(20, "SHOP"), right(300, "TOTAL", "73.45"))
	second := receiptPage(line(20, "SHOP"), right(300, "TOTAL", "23.45"), right(330, "Octopus", "23.45"))
	if tot, c := voted(first, second); tot != "23.45" || c < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 23.45 (the label's second reading and the Octopus payment)", tot, c)
	}
	// Without the payment the two readings of one label are one source
	// each way: the first stands, flagged.
	second = receiptPage(line(20, "SHOP"), right(300, "TOTAL", "23.45"))
	if tot, c := voted(first, second); tot != "73.45" || c > 0.5 {
		t.Errorf("label read two ways: total %q (confidence %.2f), want 73.45 flagged", tot, c)
	}
}

// TestVoteDisagreementFlags: the label and the card payment disagree, one
// source each: the label's amount stands, flagged (confidence ≤ 0.5).
func TestVoteDisagreementFlags(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"), right(300, "TOTAL", "73.45"), right(330, "VISA", "23.45"))
	if tot, c := voted(p); tot != "73.45" || c > 0.5 {
		t.Errorf("total %q (confidence %.2f), want 73.45 flagged", tot, c)
	}
}

// TestVoteSubtotalAndLinesAreOneSource: the lines add up to the
// subtotal, and the total is above it (a service charge whose row was
// not read): the lines and the subtotal confirm each other, not the
// total, so they do not outvote the label.
func TestVoteSubtotalAndLinesAreOneSource(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"),
		right(100, "Fried", "rice", "10.00"),
		right(130, "Tea", "5.00"),
		right(300, "Subtotal", "15.00"),
		right(330, "Total", "16.50"))
	if tot, _ := voted(p); tot != "16.50" {
		t.Errorf("total %q, want the label's 16.50", tot)
	}
}

// TestVotePointLost: the card's amount read without its decimal point
// ("2345") is 23.45 read again, agreeing with the label and with cash
// less change.
func TestVotePointLost(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"),
		right(300, "TOTAL", "73.45"),
		right(330, "VISA", "2345"),
		right(360, "Cash", "50.00"),
		right(390, "Change", "26.55"))
	if tot, c := voted(p); tot != "23.45" || c < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 23.45", tot, c)
	}
}

// TestOctopusIsAPayment: an Octopus card payment confirms the total as
// a card payment does.
func TestOctopusIsAPayment(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"), right(100, "Milk", "tea", "20.00"), right(300, "TOTAL", "23.45"), right(330, "Octopus", "23.45"))
	if h := Extract([]*Page{p}).Header; h.Total != "23.45" || h.Confidence["total"] < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 23.45 confirmed by the Octopus payment", h.Total, h.Confidence["total"])
	}
}

// TestTaxIncludedNotAdded: "Total (Excluding GST) 4.10" and, its label
// read on the row above, "(Inclusive of GST) 4.10" (0% GST): the amount
// with its tax is no tax to add, so the parts make 4.10, not 8.20.
func TestTaxIncludedNotAdded(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"),
		right(100, "Bread", "4.10"),
		right(300, "Total", "(Excluding", "GST)", "4.10"),
		line(330, "Total"),
		right(360, "(Inclusive", "of", "GST)", "4.10"),
		right(390, "Cash", "10.00"),
		right(420, "Change", "5.90"))
	src := gatherTotalEvidence([][]*Page{{p}}, nil)
	for _, s := range src {
		if s.v == 820 {
			t.Errorf("source %s gives 8.20: the included tax was added", s.key)
		}
	}
	if h := Extract([]*Page{p}).Header; h.Total != "4.10" {
		t.Errorf("total %q, want 4.10", h.Total)
	}
}

// TestVoteLinesAndCard: the lines add up to the card payment, the label
// was misread: the lines with the payment outvote the label.
func TestVoteLinesAndCard(t *testing.T) {
	defer evidenceRulesOn()()
	p := receiptPage(line(20, "SHOP"),
		right(100, "Milk", "tea", "10.00"),
		right(130, "Egg", "tart", "13.45"),
		right(300, "TOTAL", "73.45"),
		right(330, "VISA", "23.45"))
	if tot, c := voted(p); tot != "23.45" || c < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 23.45 from the lines and the card", tot, c)
	}
}
