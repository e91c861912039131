package stock_test

import (
	"strings"
	"testing"

	"pandian/stock"
)

// EmployeeNames names the codes it knows and leaves out the others; an
// actor without an employee is refused.
func TestEmployeeNames(t *testing.T) {
	w := newWorld(t)
	got, err := w.svc.EmployeeNames(ctx, w.actor("C001"), []string{"M001", "C003", "NOBODY", "", "M001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["M001"] != "Manager TST" || got["C003"] != "Counter MK" {
		t.Errorf("names: %v", got)
	}
	_, err = w.svc.EmployeeNames(ctx, stock.Actor{}, []string{"M001"})
	wantCode(t, err, stock.EUnauthenticated)
	many := make([]string, 1001)
	for i := range many {
		many[i] = "E" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	_, err = w.svc.EmployeeNames(ctx, w.actor("M001"), many)
	wantCode(t, err, stock.ETooLarge)
}

// Assignees are exactly the employees OrderRecount accepts: in the count's
// scope and allowed to scan, counters first; others are refused the list,
// and a count out of scope is not found.
func TestAssignees(t *testing.T) {
	w := newWorld(t)
	c := w.countInReview(stock.CountInput{})
	es, err := w.svc.Assignees(ctx, w.actor("M001"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range es {
		codes = append(codes, e.Code)
	}
	got := strings.Join(codes, " ")
	if !strings.HasPrefix(got, "C001 C002 S001") || strings.Contains(got, "C003") || strings.Contains(got, "U001") {
		t.Fatalf("assignees: %s", got)
	}
	// Each one listed is accepted by OrderRecount; C003 (another store) is not.
	for _, code := range []string{"C003"} {
		_, err := w.svc.OrderRecount(ctx, w.actor("M001"), c.ID, stock.RecountInput{SKUs: []string{"SKU-A"}, Assignee: code})
		wantCode(t, err, stock.EInvalid)
	}
	if _, err := w.svc.OrderRecount(ctx, w.actor("M001"), c.ID, stock.RecountInput{SKUs: []string{"SKU-A"}, Assignee: codes[len(codes)-1]}); err != nil {
		t.Errorf("recount for the last assignee %s: %v", codes[len(codes)-1], err)
	}
	_, err = w.svc.Assignees(ctx, w.actor("C001"), c.ID)
	wantCode(t, err, stock.EForbidden)
	_, err = w.svc.Assignees(ctx, w.actor("C003"), c.ID)
	wantCode(t, err, stock.EForbidden)
	mo, err := w.svc.OpenCount(ctx, w.actor("A001"), stock.CountInput{Location: "MO-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Assignees(ctx, w.actor("M001"), mo.ID)
	wantCode(t, err, stock.ENotFound)
}
