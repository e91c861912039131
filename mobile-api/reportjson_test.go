package mobileapi

import (
	"encoding/json"
	"reflect"
	"testing"

	"pandian/stock"
)

// TestAppendLineMatchesEncodingJSON: the hand-written line encoder writes
// what encoding/json writes for the same line (less the fields it leaves
// out on purpose), including escapes and Chinese text.
func TestAppendLineMatchesEncodingJSON(t *testing.T) {
	pct := -12.5
	lines := []stock.ReportLine{
		{SKU: "SKU-1", Name: "Lemon \"Tea\" \\ 250ml\n\t\x01", NameZh: "檸檬茶 250毫升", Category: "飲品", Location: "HK-TST", UnitCost: 25000,
			Status: stock.LineCounted, SnapshotQty: 8, MovementQty: -1, BookQty: 7, CountedQty: 6, VarianceQty: -1, VarianceValue: -25000,
			VariancePct: &pct, CountedBy: []string{"E009"}, Roles: []stock.Role{stock.RoleCounter}, Zones: []string{"HK-TST-Z1"},
			Rounds:          []stock.RoundResult{{Round: 1, CountedQty: 6, Participants: []stock.Participant{{Employee: "E009", Role: stock.RoleCounter, Qty: 6, Scans: 6}}}},
			FirstCountedQty: 6},
		{SKU: "SKU-2", Name: "bad \xff utf8 \u2028", Status: stock.LineUncounted, BookQty: 3, VarianceQty: -3, CountedBy: []string{}, Roles: []stock.Role{}, Zones: []string{},
			ReasonCode: "theft", Posted: true, RecountRequired: true},
		{SKU: "SKU-3", Status: stock.LineCounted, CountedQty: 30, FirstCountedQty: 10, Recounted: true, CountedBy: []string{"E1", "E2"}, Roles: []stock.Role{"counter"}, Zones: []string{},
			Rounds: []stock.RoundResult{{Round: 1, CountedQty: 10, ErrorQty: -20, ErrorValue: -5, Superseded: true}, {Round: 2, CountedQty: 30}}},
	}
	for _, masked := range []bool{false, true} {
		for _, l := range lines {
			want := map[string]any{}
			ref, _ := json.Marshal(l)
			json.Unmarshal(ref, &want)
			if masked {
				for _, f := range []string{"snapshot_qty", "movement_qty", "book_qty", "variance_qty", "variance_value", "variance_pct", "within_tolerance", "recount_required"} {
					delete(want, f)
				}
			}
			for _, f := range []string{"recounted", "recount_required", "posted"} {
				if want[f] == false {
					delete(want, f)
				}
			}
			if !l.Recounted {
				delete(want, "first_counted_qty")
			}
			if l.MovementQty == 0 {
				delete(want, "snapshot_qty")
				delete(want, "movement_qty")
			}
			if len(l.Rounds) <= 1 {
				delete(want, "rounds")
			} else if masked {
				var rs []map[string]any
				for _, r := range want["rounds"].([]any) {
					m := r.(map[string]any)
					delete(m, "error_qty")
					delete(m, "error_value")
					delete(m, "last_scan_at")
					rs = append(rs, m)
				}
				b, _ := json.Marshal(rs)
				var back any
				json.Unmarshal(b, &back)
				want["rounds"] = back
			}
			got := map[string]any{}
			out := appendLine(nil, &l, masked)
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("invalid JSON %s: %v", out, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("masked=%v %s:\n got %v\nwant %v", masked, l.SKU, got, want)
			}
		}
	}
}
