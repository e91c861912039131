package stock_test

import (
	"testing"
	"time"

	"pandian/stock"
)

// countInReview opens a count at HK-TST (book A 10, B 20, C 24, D 5,
// E 8), scans A 9, B 20, C 24 (D and E nobody scans) and closes it.
func (w *world) countInReview(in stock.CountInput) stock.Count {
	w.t.Helper()
	c := w.open(in)
	w.advance(time.Minute)
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20), w.scan("14890000000032", 2))
	w.advance(time.Minute)
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		w.t.Fatal(err)
	}
	return c
}

// move posts one movement as the store manager.
func (w *world) move(id, sku string, delta int64, kind stock.MovementKind) error {
	_, err := w.svc.PostMovements(ctx, w.actor("M001"), []stock.Movement{{MovementID: id, SKU: sku, Location: "HK-TST", QtyDelta: delta, Kind: kind, At: w.clock()}})
	return err
}

// Lines nobody scanned are set to 0 only when the approval confirms it:
// without a decision the approval is refused with their number and value;
// "hold" posts the others and leaves their book alone. Approving again
// posts nothing.
func TestApprovalHoldsUncountedUnlessConfirmed(t *testing.T) {
	w := newWorld(t)
	c := w.countInReview(stock.CountInput{})
	rm := w.actor("R001")
	_, err := w.svc.Approve(ctx, rm, c.ID, stock.ApproveInput{})
	wantCode(t, err, stock.EConflict)
	if n := detail(err, "uncounted_lines"); n != 2 {
		t.Errorf("uncounted_lines %v, want 2", n)
	}
	if v := detail(err, "uncounted_value"); v != "74.00" { // D 5 × 10.00 + E 8 × 3.00
		t.Errorf("uncounted_value %v, want 74.00", v)
	}
	p, err := w.svc.PreviewApproval(ctx, rm, c.ID, stock.ApproveInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.ConfirmationRequired || p.UncountedLines != 2 || len(p.Held) != 2 || p.Held[0].Why != stock.HeldUncountedUnconfirmed {
		t.Fatalf("preview without a decision: %+v", p)
	}
	hold, err := w.svc.PreviewApproval(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold})
	if err != nil {
		t.Fatal(err)
	}
	if hold.ConfirmationRequired || len(hold.Lines) != 1 || hold.Lines[0].SKU != "SKU-A" || hold.Lines[0].VarianceQty != -1 ||
		len(hold.Held) != 2 || hold.Held[0].Why != stock.HeldUncounted || hold.PostedValue.String() != "2.00" || hold.ReasonsUnset != 1 {
		t.Fatalf("hold preview: %+v", hold)
	}
	zero, _ := w.svc.PreviewApproval(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedZero})
	if zero.Fingerprint == hold.Fingerprint || len(zero.Lines) != 3 {
		t.Fatalf("zero preview %+v: same fingerprint as hold or not 3 lines", zero)
	}
	// A preview changes nothing.
	if w.book("SKU-A", "HK-TST") != 10 {
		t.Fatal("a preview moved book stock")
	}
	res, err := w.svc.Approve(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold, IfMatch: hold.Fingerprint,
		ReasonCodes: map[string]string{"SKU-A": "damage"}})
	if err == nil {
		t.Fatal("approval with other reasons than the preview's passed its fingerprint")
	}
	wantCode(t, err, stock.EConflict)
	res, err = w.svc.Approve(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold, IfMatch: hold.Fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count.Status != stock.StatusPosted || res.PostedLines != 1 || res.PostedValue.String() != "2.00" || res.Count.ApprovedBy != "R001" {
		t.Fatalf("approve: %+v", res)
	}
	books := map[string]int64{"SKU-A": 9, "SKU-B": 20, "SKU-C": 24, "SKU-D": 5, "SKU-E": 8}
	for sku, want := range books {
		if got := w.book(sku, "HK-TST"); got != want {
			t.Errorf("book of %s: %d, want %d", sku, got, want)
		}
	}
	again, err := w.svc.Approve(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedZero})
	if err != nil || again.PostedLines != 1 || w.book("SKU-D", "HK-TST") != 5 {
		t.Errorf("approving a posted count again: %+v %v, book of D %d", again, err, w.book("SKU-D", "HK-TST"))
	}
	_, lines := w.report(c.ID)
	if !lines["SKU-A"].Posted || lines["SKU-A"].ReasonCode != "unknown" || lines["SKU-D"].Posted {
		t.Errorf("posted report lines: A %+v D %+v", lines["SKU-A"], lines["SKU-D"])
	}
	log, err := w.svc.AuditLog(ctx, w.actor("A001"), "count:"+c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range log {
		actions[e.Action] = true
	}
	if !actions["count.open"] || !actions["count.close"] || !actions["count.approve"] {
		t.Errorf("audit log of the count: %+v", log)
	}
	_, err = w.svc.AuditLog(ctx, w.actor("M001"), "count:"+c.ID, 0)
	wantCode(t, err, stock.EForbidden)
}

// "zero" sets the lines nobody scanned to 0. A preview's fingerprint
// stops matching once the book it posts to moves; the approval then
// answers the new fingerprint.
func TestApprovalZeroAndFingerprint(t *testing.T) {
	w := newWorld(t)
	c := w.countInReview(stock.CountInput{})
	rm := w.actor("R001")
	in := stock.ApproveInput{Uncounted: stock.ApproveUncountedZero, ReasonCodes: map[string]string{"SKU-A": "theft", "SKU-D": "damage"}}
	p, err := w.svc.PreviewApproval(ctx, rm, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.ReasonsUnset != 1 || p.DownQty != 14 || p.UpQty != 0 || p.PostedValue.String() != "76.00" {
		t.Fatalf("preview: %+v", p)
	}
	again, _ := w.svc.PreviewApproval(ctx, rm, c.ID, in)
	if again.Fingerprint != p.Fingerprint {
		t.Fatal("two previews of the same state differ")
	}
	w.advance(time.Minute)
	if err := w.move("sale-1", "SKU-D", -1, stock.MoveSale); err != nil {
		t.Fatal(err)
	}
	in.IfMatch = p.Fingerprint
	_, err = w.svc.Approve(ctx, rm, c.ID, in)
	wantCode(t, err, stock.EConflict)
	fresh, _ := w.svc.PreviewApproval(ctx, rm, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedZero, ReasonCodes: in.ReasonCodes})
	if fp := detail(err, "fingerprint"); fp != fresh.Fingerprint || fp == p.Fingerprint {
		t.Fatalf("refusal names fingerprint %v, want the fresh %s", fp, fresh.Fingerprint)
	}
	in.IfMatch = fresh.Fingerprint
	res, err := w.svc.Approve(ctx, rm, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.PostedLines != 3 {
		t.Errorf("posted %d lines, want 3", res.PostedLines)
	}
	// D: book 5, sold 1 after the close, counted 0: the variance -5 goes
	// onto the current book (4) and leaves -1 for the sale after counting.
	for sku, want := range map[string]int64{"SKU-A": 9, "SKU-D": -1, "SKU-E": 0, "SKU-B": 20} {
		if got := w.book(sku, "HK-TST"); got != want {
			t.Errorf("book of %s: %d, want %d", sku, got, want)
		}
	}
}

// A store manager approves up to the store's limit; approval needs the
// permission, a count in review and valid reasons.
func TestApprovalLimitsAndChecks(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	_, err := w.svc.Approve(ctx, w.actor("R001"), c.ID, stock.ApproveInput{})
	wantCode(t, err, stock.EConflict) // still open
	_, err = w.svc.PreviewApproval(ctx, w.actor("R001"), c.ID, stock.ApproveInput{})
	wantCode(t, err, stock.EConflict)
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20), w.scan("14890000000032", 2))
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	if again, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil || again.Status != stock.StatusReview {
		t.Fatalf("closing twice: %+v %v", again, err)
	}
	m := w.actor("M001")
	_, err = w.svc.Approve(ctx, m, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedZero})
	wantCode(t, err, stock.EForbidden) // 76.00 over the store's 50.00
	if detail(err, "limit") != "50.00" || detail(err, "value") != "76.00" {
		t.Errorf("limit details: %v", err)
	}
	_, err = w.svc.Approve(ctx, w.actor("C001"), c.ID, stock.ApproveInput{})
	wantCode(t, err, stock.EForbidden)
	_, err = w.svc.Approve(ctx, m, c.ID, stock.ApproveInput{Uncounted: "maybe"})
	wantCode(t, err, stock.EInvalid)
	_, err = w.svc.Approve(ctx, m, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold, ReasonCodes: map[string]string{"SKU-A": "lost"}})
	wantCode(t, err, stock.EInvalid)
	_, err = w.svc.Approve(ctx, m, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold, ReasonCodes: map[string]string{"SKU-F": "damage"}})
	wantCode(t, err, stock.EInvalid) // SKU-F is no line of this count
	p, err := w.svc.PreviewApproval(ctx, m, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold})
	if err != nil || p.ApprovalLimit == nil || p.ApprovalLimit.String() != "50.00" || !p.WithinLimit {
		t.Fatalf("manager's preview: %+v %v", p, err)
	}
	res, err := w.svc.Approve(ctx, m, c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold})
	if err != nil || res.PostedValue.String() != "2.00" {
		t.Fatalf("within the limit: %+v %v", res, err)
	}
	_, err = w.svc.CloseCount(ctx, m, c.ID)
	wantCode(t, err, stock.EConflict) // posted
}

// snapshot_delta: a movement posted during the count before a line's last
// scan is part of what the line should hold.
func TestPolicySnapshotDelta(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	w.advance(time.Minute)
	if err := w.move("sale-b", "SKU-B", -2, stock.MoveSale); err != nil {
		t.Fatal(err)
	}
	w.advance(time.Minute)
	w.ingest("C001", c.ID, w.scan("4890000000028", 18))
	_, lines := w.report(c.ID)
	if l := lines["SKU-B"]; l.SnapshotQty != 20 || l.MovementQty != -2 || l.BookQty != 18 || l.VarianceQty != 0 {
		t.Errorf("SKU-B: %+v, want snapshot 20, movements -2, book 18, variance 0", l)
	}
}

// freeze: movements of the count's SKUs are refused until it closes;
// others go through.
func TestPolicyFreeze(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{MovementPolicy: stock.PolicyFreeze, Scope: stock.CountScope{Categories: []string{"beverage"}}})
	err := w.move("sale-a", "SKU-A", -1, stock.MoveSale)
	wantCode(t, err, stock.EConflict)
	if detail(err, "count_id") != c.ID {
		t.Errorf("refusal does not name the count: %v", err)
	}
	if err := w.move("sale-d", "SKU-D", -1, stock.MoveSale); err != nil {
		t.Errorf("a snack was frozen by a beverage count: %v", err)
	}
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.move("sale-a", "SKU-A", -1, stock.MoveSale); err != nil {
		t.Errorf("after the close: %v", err)
	}
	if w.book("SKU-A", "HK-TST") != 9 || w.book("SKU-D", "HK-TST") != 4 {
		t.Errorf("books A %d D %d, want 9 4", w.book("SKU-A", "HK-TST"), w.book("SKU-D", "HK-TST"))
	}
}

// reject_changed: a line whose book moved during the count is not posted
// but held for a recount.
func TestPolicyRejectChanged(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{MovementPolicy: stock.PolicyRejectChanged})
	w.advance(time.Minute)
	if err := w.move("rcv-a", "SKU-A", 5, stock.MoveReceipt); err != nil {
		t.Fatal(err)
	}
	w.advance(time.Minute)
	w.ingest("C001", c.ID, w.scan("4890000000011", 12), w.scan("4890000000028", 19), w.scan("14890000000032", 2))
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	p, err := w.svc.PreviewApproval(ctx, w.actor("R001"), c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold})
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]string{}
	for _, h := range p.Held {
		held[h.SKU] = h.Why
	}
	if held["SKU-A"] != stock.HeldRecountRequired || len(p.Lines) != 1 || p.Lines[0].SKU != "SKU-B" {
		t.Fatalf("preview: lines %+v held %+v", p.Lines, p.Held)
	}
	res, err := w.svc.Approve(ctx, w.actor("R001"), c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RecountRequired) != 1 || res.RecountRequired[0] != "SKU-A" || res.PostedLines != 1 {
		t.Errorf("approve: %+v", res)
	}
	if w.book("SKU-A", "HK-TST") != 15 || w.book("SKU-B", "HK-TST") != 19 {
		t.Errorf("books A %d B %d, want 15 (left alone) and 19", w.book("SKU-A", "HK-TST"), w.book("SKU-B", "HK-TST"))
	}
}

// A recount reopens lines for one assignee in a new round whose scans
// supersede the first round's; other lines and other counters are kept out.
func TestRecount(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	m := w.actor("M001")
	_, err := w.svc.OrderRecount(ctx, m, c.ID, stock.RecountInput{SKUs: []string{"SKU-A"}, Assignee: "C002"})
	wantCode(t, err, stock.EConflict) // still open
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
	if _, err := w.svc.CloseCount(ctx, m, c.ID); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []stock.RecountInput{
		{SKUs: nil, Assignee: "C002"},
		{SKUs: []string{"SKU-A"}, Assignee: "C003"}, // counts at another store
		{SKUs: []string{"SKU-A"}, Assignee: "NOBODY"},
		{SKUs: []string{"NO-SKU"}, Assignee: "C002"},
	} {
		_, err := w.svc.OrderRecount(ctx, m, c.ID, bad)
		wantCode(t, err, stock.EInvalid)
	}
	v, err := w.svc.OrderRecount(ctx, m, c.ID, stock.RecountInput{SKUs: []string{"SKU-A", "SKU-A"}, Assignee: "C002"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != stock.StatusRecount || v.Round != 2 || len(v.Recounts) != 1 || v.Recounts[0].Assignee != "C002" {
		t.Fatalf("recount ordered: %+v", v)
	}
	w.advance(time.Minute)
	res := w.ingest("C001", c.ID, w.scan("4890000000011", 3))
	if res.Accepted != 0 || len(res.Rejected) != 1 || res.Rejected[0].Code != stock.EForbidden {
		t.Errorf("another counter's recount scan: %+v", res)
	}
	res = w.ingest("C002", c.ID, w.scan("4890000000028", 1))
	if res.Accepted != 0 || len(res.Rejected) != 1 || res.Rejected[0].Code != stock.EConflict {
		t.Errorf("scan of a line not reopened: %+v", res)
	}
	res = w.ingest("C002", c.ID, w.scan("4890000000011", 10))
	if res.Accepted != 1 {
		t.Fatalf("assignee's recount scan: %+v", res)
	}
	if _, err := w.svc.CloseCount(ctx, m, c.ID); err != nil {
		t.Fatal(err)
	}
	_, lines := w.report(c.ID)
	a := lines["SKU-A"]
	if !a.Recounted || a.CountedQty != 10 || a.FirstCountedQty != 9 || a.VarianceQty != 0 || len(a.Rounds) != 2 || !a.Rounds[0].Superseded {
		t.Errorf("recounted line: %+v", a)
	}
	if b := lines["SKU-B"]; b.CountedQty != 20 || b.Recounted {
		t.Errorf("line not recounted: %+v", b)
	}
	// The counter's own report shows the lines it counted only.
	r, err := w.svc.Report(ctx, w.actor("C002"), c.ID, "employee", stock.ReportOptions{})
	if err != nil || len(r.Lines) != 1 || r.Lines[0].SKU != "SKU-A" || !r.Masked || r.Lines[0].BookQty != 0 {
		t.Errorf("counter's report: %+v %v", r, err)
	}
	// Accuracy across counts, by role, over the closed counts in range.
	cr, err := w.svc.Discrepancies(ctx, w.actor("R001"), w.clock().Add(-time.Hour), w.clock().Add(time.Hour), "", "role")
	if err != nil || cr.Counts != 1 || len(cr.Groups) == 0 {
		t.Errorf("discrepancies: %+v %v", cr, err)
	}
	_, err = w.svc.Discrepancies(ctx, w.actor("C001"), w.clock().Add(-time.Hour), w.clock(), "", "role")
	wantCode(t, err, stock.EForbidden)
	_, err = w.svc.Discrepancies(ctx, w.actor("R001"), w.clock(), w.clock().Add(-time.Hour), "", "role")
	wantCode(t, err, stock.EInvalid)
}

// One active count per location subtree; counts open on stores and zones
// only, and list by status.
func TestOpenCountRules(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	_, err := w.svc.OpenCount(ctx, w.actor("M001"), stock.CountInput{Location: "HK-TST-Z1"})
	wantCode(t, err, stock.EConflict)
	if detail(err, "count_id") != c.ID {
		t.Errorf("conflict does not name the open count: %v", err)
	}
	for _, in := range []stock.CountInput{
		{Location: "HK"}, // a region
		{Location: "HK-MK", MovementPolicy: "later"}, // unknown policy
		{Location: "HK-MK", Uncounted: "skip"},
		{Location: "HK-MK", ToleranceQty: -1},
		{Location: "HK-MK", Scope: stock.CountScope{Zones: []string{"HK-TST-Z1"}}},
		{Location: "HK-MK", Scope: stock.CountScope{SKUs: []string{"NO-SKU"}}},
	} {
		_, err := w.svc.OpenCount(ctx, w.actor("R001"), in)
		wantCode(t, err, stock.EInvalid)
	}
	_, err = w.svc.OpenCount(ctx, w.actor("M001"), stock.CountInput{Location: "HK-MK"})
	wantCode(t, err, stock.ENotFound) // outside the manager's scope
	_, err = w.svc.OpenCount(ctx, w.actor("C001"), stock.CountInput{Location: "HK-TST"})
	wantCode(t, err, stock.EForbidden)
	mk, err := w.svc.OpenCount(ctx, w.actor("R001"), stock.CountInput{Location: "HK-MK", Scope: stock.CountScope{SKUs: []string{"SKU-A"}}})
	if err != nil {
		t.Fatal(err)
	}
	open, err := w.svc.Counts(ctx, w.actor("R001"), "", stock.StatusOpen)
	if err != nil || len(open) != 2 {
		t.Fatalf("open counts: %d %v", len(open), err)
	}
	mine, err := w.svc.Counts(ctx, w.actor("M001"), "", "")
	if err != nil || len(mine) != 1 || mine[0].ID != c.ID {
		t.Errorf("manager sees %+v (%v), want only %s", mine, err, c.ID)
	}
	_, err = w.svc.Count(ctx, w.actor("M001"), mk.ID)
	wantCode(t, err, stock.ENotFound)
}
