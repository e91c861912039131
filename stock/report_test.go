package stock

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func mins(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

func pct(p float64) *float64 { return &p }

func mustMoney(t *testing.T, s string) Money {
	t.Helper()
	m, err := ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testSKUs(t *testing.T) map[string]SKU {
	return map[string]SKU{
		"A": {SKU: "A", Name: "Milk tea", NameZh: "奶茶", Category: "DRINK", UnitCost: mustMoney(t, "2.50")},
		"B": {SKU: "B", Name: "Chips", Category: "SNACK", UnitCost: mustMoney(t, "10")},
		"D": {SKU: "D", Name: "Gum", Category: "SNACK", UnitCost: mustMoney(t, "3.3333")},
		// E is not in the catalog.
	}
}

func change(sku string, delta int64, at time.Time) StockChange {
	return StockChange{SKU: sku, Location: "HK-TST", QtyDelta: delta, At: at, Posted: at}
}

func agg(sku string, round int, emp string, role Role, zone string, qty, scans int64, last time.Time) ScanAggregate {
	return ScanAggregate{SKU: sku, Round: round, Employee: emp, Role: role, Zone: zone, Qty: qty, Scans: scans, LastAt: last, MinQty: 1}
}

// lineBook is the book-side result of one line.
type lineBook struct {
	status                   string
	snapshot, movement, book int64
	counted, variance        int64
	pct                      *float64
	within, recountRequired  bool
	varianceValue            string
}

func bookOf(l ReportLine) lineBook {
	return lineBook{l.Status, l.SnapshotQty, l.MovementQty, l.BookQty, l.CountedQty, l.VarianceQty, l.VariancePct, l.WithinTolerance, l.RecountRequired, l.VarianceValue.String()}
}

func (b lineBook) String() string {
	p := "nil"
	if b.pct != nil {
		p = fmt.Sprint(*b.pct)
	}
	return fmt.Sprintf("{%s snap %d mov %d book %d counted %d var %d (%s) pct %s within %v recount %v}",
		b.status, b.snapshot, b.movement, b.book, b.counted, b.variance, b.varianceValue, p, b.within, b.recountRequired)
}

func sameBook(a, b lineBook) bool {
	if (a.pct == nil) != (b.pct == nil) || a.pct != nil && *a.pct != *b.pct {
		return false
	}
	a.pct, b.pct = nil, nil
	return a == b
}

func linesBySKU(lines []ReportLine) map[string]ReportLine {
	out := map[string]ReportLine{}
	for _, l := range lines {
		out[l.SKU] = l
	}
	return out
}

// TestComputeLinesPolicies checks the expected quantity of each line under
// each movement policy.
//
// Snapshot: A 6+4 (two locations), B 5, D 3. A was counted (7, last scan
// at 0:05), B too (5, at 0:03); D and E were not. Movements after the
// snapshot: A -2 at 0:01, -1 at 0:05 (exactly the last scan), -3 at 0:10;
// D +2 at 0:20; E +4 at 0:02 (a level that appeared during the count).
func TestComputeLinesPolicies(t *testing.T) {
	in := func(p MovementPolicy) reportInput {
		return reportInput{
			count: Count{ID: "C1", Location: "HK-TST", MovementPolicy: p, Uncounted: UncountedZero, ToleranceQty: 1, Status: StatusOpen},
			snapshot: []SnapshotRow{
				{SKU: "A", Location: "HK-TST", Qty: 6, Version: 3},
				{SKU: "A", Location: "HK-TST-A", Qty: 4, Version: 1},
				{SKU: "B", Location: "HK-TST", Qty: 5, Version: 1},
				{SKU: "D", Location: "HK-TST", Qty: 3, Version: 2},
			},
			changes: []StockChange{change("A", -2, mins(1)), change("A", -1, mins(5)), change("A", -3, mins(10)), change("D", 2, mins(20)), change("E", 4, mins(2))},
			aggregates: []ScanAggregate{
				agg("A", 1, "E1", RoleCounter, "Z1", 7, 7, mins(5)),
				agg("B", 1, "E2", RoleSupervisor, "Z1", 5, 5, mins(3)),
			},
			skus: testSKUs(t),
		}
	}
	for _, c := range []struct {
		policy MovementPolicy
		want   map[string]lineBook
	}{
		{PolicySnapshotDelta, map[string]lineBook{
			// Movements at or before the line's last scan count; later ones not.
			"A": {LineCounted, 10, -3, 7, 7, 0, pct(0), true, false, "0.00"},
			"B": {LineCounted, 5, 0, 5, 5, 0, pct(0), true, false, "0.00"},
			// Uncounted lines take every movement.
			"D": {LineUncounted, 3, 2, 5, 0, -5, pct(-100), false, false, "-16.6665"},
			"E": {LineUncounted, 0, 4, 4, 0, -4, pct(-100), false, false, "0.00"},
		}},
		{PolicyFreeze, map[string]lineBook{
			"A": {LineCounted, 10, -6, 4, 7, 3, pct(75), false, false, "7.50"},
			"B": {LineCounted, 5, 0, 5, 5, 0, pct(0), true, false, "0.00"},
			"D": {LineUncounted, 3, 2, 5, 0, -5, pct(-100), false, false, "-16.6665"},
			"E": {LineUncounted, 0, 4, 4, 0, -4, pct(-100), false, false, "0.00"},
		}},
		{PolicyRejectChanged, map[string]lineBook{
			// The book stays the snapshot; changed lines are flagged.
			"A": {LineCounted, 10, 0, 10, 7, -3, pct(-30), false, true, "-7.50"},
			"B": {LineCounted, 5, 0, 5, 5, 0, pct(0), true, false, "0.00"},
			"D": {LineUncounted, 3, 0, 3, 0, -3, pct(-100), false, true, "-9.9999"},
			// Book 0: no percentage.
			"E": {LineUncounted, 0, 0, 0, 0, 0, nil, true, true, "0.00"},
		}},
	} {
		t.Run(string(c.policy), func(t *testing.T) {
			lines := computeLines(in(c.policy))
			if len(lines) != len(c.want) {
				t.Fatalf("%d lines, want %d", len(lines), len(c.want))
			}
			for i, l := range lines {
				if i > 0 && lines[i-1].SKU >= l.SKU {
					t.Errorf("lines not sorted by SKU: %s before %s", lines[i-1].SKU, l.SKU)
				}
				if got, want := bookOf(l), c.want[l.SKU]; !sameBook(got, want) {
					t.Errorf("line %s = %v\n           want %v", l.SKU, got, want)
				}
				if l.Location != "HK-TST" {
					t.Errorf("line %s location %q", l.SKU, l.Location)
				}
			}
		})
	}

	// A closed count ignores movements posted after the close (the count
	// was over), except under reject_changed, where they still flag.
	for _, p := range []MovementPolicy{PolicySnapshotDelta, PolicyFreeze, PolicyRejectChanged} {
		i := in(p)
		closed := mins(15)
		i.count.Status, i.count.ClosedAt = StatusReview, &closed
		d := linesBySKU(computeLines(i))["D"]
		wantMov, wantFlag := int64(0), p == PolicyRejectChanged
		if d.MovementQty != wantMov || d.BookQty != 3 || d.RecountRequired != wantFlag {
			t.Errorf("%s, closed at 0:15, D moved at 0:20: movement %d book %d recount %v", p, d.MovementQty, d.BookQty, d.RecountRequired)
		}
		// A movement posted at the close itself still counts.
		i.changes = []StockChange{change("D", 2, closed)}
		if d := linesBySKU(computeLines(i))["D"]; p != PolicyRejectChanged && d.MovementQty != 2 {
			t.Errorf("%s: a movement posted at the close: movement %d, want 2", p, d.MovementQty)
		}
	}
}

func TestComputeLinesUncounted(t *testing.T) {
	for _, c := range []struct {
		policy Uncounted
		want   lineBook
	}{
		{UncountedZero, lineBook{LineUncounted, 3, 1, 4, 0, -4, pct(-100), false, false, "-13.3332"}},
		// Ignored: no variance, no percentage, left out of the summaries.
		{UncountedIgnore, lineBook{LineIgnored, 3, 1, 4, 0, 0, nil, true, false, "0.00"}},
	} {
		lines := computeLines(reportInput{
			count:    Count{Location: "S", MovementPolicy: PolicyFreeze, Uncounted: c.policy, ToleranceQty: 0},
			snapshot: []SnapshotRow{{SKU: "D", Qty: 3}},
			changes:  []StockChange{change("D", 1, mins(1))},
			skus:     testSKUs(t),
		})
		if len(lines) != 1 {
			t.Fatalf("%d lines", len(lines))
		}
		l := lines[0]
		if got := bookOf(l); !sameBook(got, c.want) {
			t.Errorf("uncounted=%s: %v\nwant %v", c.policy, got, c.want)
		}
		if l.Name != "Gum" || l.Category != "SNACK" || l.UnitCost != mustMoney(t, "3.3333") {
			t.Errorf("catalog fields: %+v", l)
		}
		if l.CountedBy == nil || l.Roles == nil || l.Zones == nil || len(l.CountedBy)+len(l.Roles)+len(l.Zones)+len(l.Rounds) != 0 || l.Recounted || l.FirstCountedQty != 0 {
			t.Errorf("an unscanned line: %+v", l)
		}
		if recs := records(l, "sku", "S", 0); (c.policy == UncountedIgnore) != (len(recs) == 0) {
			t.Errorf("uncounted=%s: records = %+v", c.policy, recs)
		}
	}
}

func TestComputeLinesRounds(t *testing.T) {
	in := reportInput{
		count:    Count{Location: "HK-TST", MovementPolicy: PolicySnapshotDelta, Uncounted: UncountedZero, ToleranceQty: 0},
		snapshot: []SnapshotRow{{SKU: "A", Qty: 10}},
		// Out of order on purpose.
		aggregates: []ScanAggregate{
			agg("A", 3, "E2", RoleSupervisor, "Z1", 9, 3, mins(120)),
			agg("A", 1, "E1", RoleCounter, "Z2", 3, 2, mins(2)),
			agg("A", 2, "E3", RoleCounter, "Z1", 8, 8, mins(60)),
			agg("A", 1, "E2", RoleSupervisor, "Z1", 1, 1, mins(0)),
			agg("A", 1, "E1", RoleCounter, "Z1", 5, 5, mins(1)),
			agg("A", 2, "E1", RoleSupervisor, "Z1", 2, 1, mins(61)),
			// A SKU scanned that the snapshot does not have, nor the catalog.
			agg("E", 1, "E1", RoleCounter, "", 3, 3, mins(4)),
		},
		skus: testSKUs(t),
	}
	lines := computeLines(in)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	a, e := lines[0], lines[1]
	want := []RoundResult{
		{Round: 1, CountedQty: 9, ErrorQty: -1, ErrorValue: mustMoney(t, "-2.50"), Superseded: true, LastScanAt: mins(2),
			Participants: []Participant{{Employee: "E1", Role: RoleCounter, Qty: 8, Scans: 7}, {Employee: "E2", Role: RoleSupervisor, Qty: 1, Scans: 1}}},
		{Round: 2, CountedQty: 10, ErrorQty: 1, ErrorValue: mustMoney(t, "2.50"), Superseded: true, LastScanAt: mins(61),
			Participants: []Participant{{Employee: "E1", Role: RoleSupervisor, Qty: 2, Scans: 1}, {Employee: "E3", Role: RoleCounter, Qty: 8, Scans: 8}}},
		// The final round's error is the line's variance.
		{Round: 3, CountedQty: 9, ErrorQty: -1, ErrorValue: mustMoney(t, "-2.50"), Superseded: false, LastScanAt: mins(120),
			Participants: []Participant{{Employee: "E2", Role: RoleSupervisor, Qty: 9, Scans: 3}}},
	}
	if !reflect.DeepEqual(a.Rounds, want) {
		t.Fatalf("rounds = %+v\nwant %+v", a.Rounds, want)
	}
	if a.Status != LineCounted || a.CountedQty != 9 || a.FirstCountedQty != 9 || !a.Recounted || a.VarianceQty != -1 || *a.VariancePct != -10 || a.WithinTolerance {
		t.Errorf("line A = %+v", a)
	}
	if !reflect.DeepEqual(a.CountedBy, []string{"E1", "E2", "E3"}) || !reflect.DeepEqual(a.Roles, []Role{RoleCounter, RoleSupervisor}) || !reflect.DeepEqual(a.Zones, []string{"Z1", "Z2"}) {
		t.Errorf("line A: counted by %v, roles %v, zones %v", a.CountedBy, a.Roles, a.Zones)
	}
	if e.Status != LineCounted || e.SnapshotQty != 0 || e.BookQty != 0 || e.VarianceQty != 3 || e.VariancePct != nil || e.Name != "" || e.UnitCost != 0 ||
		len(e.Zones) != 0 || e.Zones == nil || e.Recounted || e.Rounds[0].Superseded || e.Rounds[0].ErrorQty != 3 {
		t.Errorf("line E = %+v", e)
	}

	// The floor at zero adds to a round's sum.
	in.floors = map[lineRound]int64{{"A", 1}: 2, {"A", 3}: 1}
	lines = computeLines(in)
	a = lines[0]
	if a.Rounds[0].CountedQty != 11 || a.Rounds[2].CountedQty != 10 || a.CountedQty != 10 || a.FirstCountedQty != 11 || a.VarianceQty != 0 || a.Rounds[0].ErrorQty != 1 {
		t.Errorf("with floors: %+v", a)
	}
}

func TestComputeLinesPercentAndTolerance(t *testing.T) {
	for _, c := range []struct {
		book, counted, tol int64
		pct                float64
		within             bool
	}{
		{3, 2, 0, -33.33, false},
		{3, 5, 1, 66.67, false},
		{3, 5, 2, 66.67, true},
		{8, 7, 1, -12.5, true},
		{8, 9, 1, 12.5, true},
		{7, 7, 0, 0, true},
		{-4, 0, 3, -100, false}, // a negative book (oversold)
		{10000, 10001, 0, 0.01, false},
	} {
		lines := computeLines(reportInput{
			count:      Count{MovementPolicy: PolicyFreeze, Uncounted: UncountedZero, ToleranceQty: c.tol},
			snapshot:   []SnapshotRow{{SKU: "B", Qty: c.book}},
			aggregates: []ScanAggregate{agg("B", 1, "E1", RoleCounter, "", c.counted, 1, mins(1))},
			skus:       testSKUs(t),
		})
		l := lines[0]
		if l.VariancePct == nil || *l.VariancePct != c.pct || l.WithinTolerance != c.within || l.VarianceValue != l.UnitCost.Mul(c.counted-c.book) {
			t.Errorf("book %d counted %d tol %d: pct %v within %v value %s", c.book, c.counted, c.tol, l.VariancePct, l.WithinTolerance, l.VarianceValue)
		}
	}
}

// TestComputeLinesPosted: once posted, the approval's postings decide the
// posted, recount and reason fields.
func TestComputeLinesPosted(t *testing.T) {
	in := reportInput{
		count:    Count{MovementPolicy: PolicyRejectChanged, Uncounted: UncountedZero, Status: StatusPosted},
		snapshot: []SnapshotRow{{SKU: "A", Qty: 5}, {SKU: "B", Qty: 5}, {SKU: "D", Qty: 5}},
		// A changed after the snapshot, but the approval posted it anyway
		// (the flag then is the approval's, not the recomputed one).
		changes:  []StockChange{change("A", 1, mins(1))},
		postings: []Posting{{SKU: "A", Qty: -5, Reason: "damage", Location: "HK-TST"}, {SKU: "B", RecountRequired: true}},
		skus:     testSKUs(t),
	}
	got := linesBySKU(computeLines(in))
	if a := got["A"]; !a.Posted || a.RecountRequired || a.ReasonCode != "damage" {
		t.Errorf("A = posted %v recount %v reason %q", a.Posted, a.RecountRequired, a.ReasonCode)
	}
	if b := got["B"]; b.Posted || !b.RecountRequired || b.ReasonCode != "" {
		t.Errorf("B = posted %v recount %v reason %q", b.Posted, b.RecountRequired, b.ReasonCode)
	}
	if d := got["D"]; d.Posted || d.RecountRequired || d.ReasonCode != "" {
		t.Errorf("D = posted %v recount %v reason %q", d.Posted, d.RecountRequired, d.ReasonCode)
	}
	// Before the approval the postings are not looked at.
	in.count.Status = StatusReview
	if a := linesBySKU(computeLines(in))["A"]; a.Posted || !a.RecountRequired {
		t.Errorf("in review: A = posted %v recount %v", a.Posted, a.RecountRequired)
	}
}

func TestFloors(t *testing.T) {
	got := floors([]ScanDelta{
		{"A", 1, 3}, {"A", 1, -5}, {"A", 1, 2}, // 3, -2 → floored at 0, then 2: adds 2
		{"A", 2, -1}, {"A", 2, 4}, {"A", 2, -10}, // -1, 3, -7: adds 7
		{"B", 1, 5}, {"B", 1, -5}, {"B", 1, 1}, // never below 0
		{"C", 1, -4}, // only a correction: adds 4
	})
	want := map[lineRound]int64{{"A", 1}: 2, {"A", 2}: 7, {"C", 1}: 4}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("floors = %v, want %v", got, want)
	}
	if got := floors(nil); len(got) != 0 {
		t.Fatalf("floors(nil) = %v", got)
	}
}

// reportLines are the lines of TestRecordsAndSummarize (tolerance 1):
//
//	A: DRINK, zones Z1+Z2, recounted: round 1 by E1 (counter) and E2
//	   (supervisor) off by +3 (7.50), round 2 by E3 (counter) off by -2
//	   (-5.00), the line's variance.
//	B: SNACK, zone Z1: one round by E1 as counter and as supervisor, off by
//	   +1 (10.00), within tolerance.
//	C: no category, no zone, uncounted: -4 (-4.00).
//	D: ignored.
func reportLines(t *testing.T) []ReportLine {
	m := func(s string) Money { return mustMoney(t, s) }
	return []ReportLine{
		{SKU: "A", Category: "DRINK", Status: LineCounted, VarianceQty: -2, VarianceValue: m("-5"), Zones: []string{"Z1", "Z2"}, Recounted: true,
			Rounds: []RoundResult{
				{Round: 1, ErrorQty: 3, ErrorValue: m("7.50"), Superseded: true, Participants: []Participant{{Employee: "E1", Role: RoleCounter}, {Employee: "E2", Role: RoleSupervisor}}},
				{Round: 2, ErrorQty: -2, ErrorValue: m("-5"), Participants: []Participant{{Employee: "E3", Role: RoleCounter}}},
			}},
		{SKU: "B", Category: "SNACK", Status: LineCounted, VarianceQty: 1, VarianceValue: m("10"), WithinTolerance: true, Zones: []string{"Z1"},
			Rounds: []RoundResult{
				{Round: 1, ErrorQty: 1, ErrorValue: m("10"), Participants: []Participant{{Employee: "E1", Role: RoleCounter}, {Employee: "E1", Role: RoleSupervisor}}},
			}},
		{SKU: "C", Status: LineUncounted, VarianceQty: -4, VarianceValue: m("-4"), Zones: []string{}, Rounds: []RoundResult{}},
		{SKU: "D", Status: LineIgnored, Zones: []string{}, WithinTolerance: true},
	}
}

// group is a GroupSummary written compactly: key lines absQty absValue
// netValue within accuracy recounted.
func group(key string, lines int, absQty int64, absValue, netValue string, within int, acc float64, recounted int) string {
	return fmt.Sprintf("%s lines=%d absqty=%d abs=%s net=%s within=%d acc=%v recounted=%d", key, lines, absQty, absValue, netValue, within, acc, recounted)
}

func groupString(g GroupSummary) string {
	return group(g.Key, g.Lines, g.AbsVarianceQty, g.AbsVarianceValue.String(), g.NetVarianceValue.String(), g.WithinTolerance, g.Accuracy, g.Recounted)
}

func TestRecordsAndSummarize(t *testing.T) {
	lineTotal := group("total", 3, 7, "19.00", "1.00", 1, 0.3333, 1)
	roundTotal := group("total", 4, 10, "26.50", "8.50", 1, 0.25, 1)
	for _, c := range []struct {
		groupBy string
		groups  []string
		total   string
	}{
		{"sku", []string{
			group("B", 1, 1, "10.00", "10.00", 1, 1, 0),
			group("A", 1, 2, "5.00", "-5.00", 0, 0, 1),
			group("C", 1, 4, "4.00", "-4.00", 0, 0, 0),
		}, lineTotal},
		// By role and employee every round counts for the people in it (a
		// line counted by two people counts for both, once in the total);
		// superseded rounds keep their own error.
		{"role", []string{
			group("counter", 3, 6, "22.50", "12.50", 1, 0.3333, 1),
			group("supervisor", 2, 4, "17.50", "17.50", 1, 0.5, 1),
			group("(uncounted)", 1, 4, "4.00", "-4.00", 0, 0, 0),
		}, roundTotal},
		{"employee", []string{
			group("E1", 2, 4, "17.50", "17.50", 1, 0.5, 1),
			group("E2", 1, 3, "7.50", "7.50", 0, 0, 1),
			group("E3", 1, 2, "5.00", "-5.00", 0, 0, 0),
			group("(uncounted)", 1, 4, "4.00", "-4.00", 0, 0, 0),
		}, roundTotal},
		{"zone", []string{
			group("Z1", 2, 3, "15.00", "5.00", 1, 0.5, 1),
			group("Z2", 1, 2, "5.00", "-5.00", 0, 0, 1),
			group("(none)", 1, 4, "4.00", "-4.00", 0, 0, 0),
		}, lineTotal},
		{"category", []string{
			group("SNACK", 1, 1, "10.00", "10.00", 1, 1, 0),
			group("DRINK", 1, 2, "5.00", "-5.00", 0, 0, 1),
			group("(none)", 1, 4, "4.00", "-4.00", 0, 0, 0),
		}, lineTotal},
		{"store", []string{
			group("HK-TST", 3, 7, "19.00", "1.00", 1, 0.3333, 1),
		}, lineTotal},
	} {
		t.Run(c.groupBy, func(t *testing.T) {
			var recs []record
			for _, l := range reportLines(t) {
				recs = append(recs, records(l, c.groupBy, "HK-TST", 1)...)
			}
			groups, total := summarize(recs)
			var got []string
			for _, g := range groups {
				got = append(got, groupString(g))
			}
			if !reflect.DeepEqual(got, c.groups) {
				t.Errorf("groups:\n  %s\nwant\n  %s", join(got), join(c.groups))
			}
			if g := groupString(total); g != c.total {
				t.Errorf("total %s\n want %s", g, c.total)
			}
		})
	}
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += "\n  "
		}
		out += x
	}
	return out
}

func TestSummarizeOrderAndAccuracy(t *testing.T) {
	// Equal absolute values sort by key; accuracy is rounded to 4 decimals.
	recs := []record{
		{keys: []string{"b"}, errValue: -5, within: true},
		{keys: []string{"a"}, errValue: 5, within: true},
		{keys: []string{"a"}, errValue: 0, within: false},
		{keys: []string{"a"}, errValue: 0, within: true},
		{keys: []string{"c"}, errValue: 6},
	}
	groups, total := summarize(recs)
	var keys []string
	for _, g := range groups {
		keys = append(keys, g.Key)
	}
	if !reflect.DeepEqual(keys, []string{"c", "a", "b"}) {
		t.Fatalf("order = %v", keys)
	}
	if groups[1].Accuracy != 0.6667 || groups[0].Accuracy != 0 || groups[2].Accuracy != 1 || total.Accuracy != 0.6 || total.Lines != 5 {
		t.Fatalf("accuracies: %+v, total %+v", groups, total)
	}
	// Nothing to summarise: no groups, a total that is fully accurate.
	groups, total = summarize(nil)
	if len(groups) != 0 || total != (GroupSummary{Key: "total", Accuracy: 1}) {
		t.Fatalf("summarize(nil) = %v, %+v", groups, total)
	}
	// Records without keys (the sku grouping of a report) only make a total.
	groups, total = summarize([]record{{errQty: -2, errValue: -20}})
	if len(groups) != 0 || total.Lines != 1 || total.AbsVarianceValue != 20 {
		t.Fatalf("keyless: %v, %+v", groups, total)
	}
}

// TestMask: a masked line hides exactly the book-derived fields.
func TestMask(t *testing.T) {
	in := reportInput{
		count:      Count{Location: "HK-TST", MovementPolicy: PolicyFreeze, Uncounted: UncountedZero, ToleranceQty: 5},
		snapshot:   []SnapshotRow{{SKU: "A", Qty: 37}},
		changes:    []StockChange{change("A", 1, mins(1))},
		aggregates: []ScanAggregate{agg("A", 1, "E1", RoleCounter, "Z1", 30, 30, mins(2)), agg("A", 2, "E2", RoleSupervisor, "Z1", 33, 33, mins(3))},
		skus:       testSKUs(t),
	}
	orig := computeLines(in)[0]
	orig.ReasonCode, orig.Posted, orig.RecountRequired = "damage", true, true
	masked := orig
	masked.Rounds = append([]RoundResult(nil), orig.Rounds...)
	masked.Mask()

	hidden := map[string]bool{"SnapshotQty": true, "MovementQty": true, "BookQty": true, "VarianceQty": true, "VarianceValue": true,
		"VariancePct": true, "WithinTolerance": true, "RecountRequired": true}
	ov, mv := reflect.ValueOf(orig), reflect.ValueOf(masked)
	for i := 0; i < ov.NumField(); i++ {
		f := ov.Type().Field(i)
		switch {
		case f.Name == "Rounds":
		case hidden[f.Name]:
			if !mv.Field(i).IsZero() {
				t.Errorf("masked %s = %v, want zero", f.Name, mv.Field(i))
			}
			if ov.Field(i).IsZero() {
				t.Errorf("test line has a zero %s: the check proves nothing", f.Name)
			}
		default:
			if !reflect.DeepEqual(ov.Field(i).Interface(), mv.Field(i).Interface()) {
				t.Errorf("masking changed %s: %v → %v", f.Name, ov.Field(i), mv.Field(i))
			}
		}
	}
	for i, r := range masked.Rounds {
		o := orig.Rounds[i]
		if r.ErrorQty != 0 || r.ErrorValue != 0 {
			t.Errorf("round %d keeps its error %d / %s", r.Round, r.ErrorQty, r.ErrorValue)
		}
		o.ErrorQty, o.ErrorValue = 0, 0
		if !reflect.DeepEqual(r, o) {
			t.Errorf("masking changed round %d: %+v → %+v", r.Round, orig.Rounds[i], r)
		}
	}
	if orig.Rounds[0].ErrorQty == 0 || orig.Rounds[1].ErrorQty == 0 {
		t.Errorf("test rounds have no error: %+v", orig.Rounds)
	}
}
