package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"pandian/stock"
)

// approveErr is the contract error of a refused approval.
type approveErr struct {
	Error struct {
		Code    string         `json:"code"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// TestApprovalSafety: an approval that would zero lines nobody scanned is
// refused without a decision and changes nothing; a preview shows exactly
// what approval then posts; a scan between preview and approval makes the
// preview's fingerprint stale (409).
func TestApprovalSafety(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		var cnt stock.Count
		s.mustJSON("POST", "/v1/counts", "E008", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}, "blind": true}, 201, &cnt)
		if res := s.scans("E009", cnt.ID, scanIn{Code: "]E04894033001501", Qty: 3, Bin: "HK-TST-A01"}); res.Accepted != 1 {
			t.Fatalf("scan %+v", res)
		}
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", "E008", nil, 200, nil)
		before := s.levelsAt("HK-TST")
		path := "/v1/counts/" + cnt.ID + "/approve"

		// No decision: refused with the number and value of the lines.
		resp, b := s.do("POST", path, "E001", map[string]any{"reason_codes": map[string]string{"SKU-000001": "damage"}})
		var e approveErr
		_ = json.Unmarshal(b, &e)
		if resp.StatusCode != 409 || e.Error.Code != "conflict" || e.Error.Details["uncounted_lines"] == nil || e.Error.Details["uncounted_value"] == nil {
			t.Fatalf("approval without a decision: %d %s", resp.StatusCode, b)
		}
		var pv stock.ApprovalPreview
		s.mustJSON("POST", path+"?dry_run=true", "E001", map[string]any{}, 200, &pv)
		if !pv.ConfirmationRequired || pv.UncountedLines < 50 || int(e.Error.Details["uncounted_lines"].(float64)) != pv.UncountedLines || e.Error.Details["uncounted_value"] != pv.UncountedValue.String() {
			t.Fatalf("preview without a decision %+v vs refusal %v", pv, e.Error.Details)
		}
		if len(pv.Lines) != 1 || pv.Lines[0].SKU != "SKU-000001" || pv.Lines[0].ReasonSet || pv.Lines[0].ReasonCode != "unknown" || pv.ReasonsUnset != 1 {
			t.Fatalf("preview lines %+v", pv.Lines)
		}
		for _, h := range pv.Held {
			if h.Why != stock.HeldUncountedUnconfirmed {
				t.Fatalf("held %+v", h)
			}
		}
		if after := s.levelsAt("HK-TST"); !equalLevels(before, after) {
			t.Fatal("a refused approval changed the book")
		}
		var c stock.CountView
		s.mustJSON("GET", "/v1/counts/"+cnt.ID, "E001", nil, 200, &c)
		if c.Status != stock.StatusReview {
			t.Fatalf("count after a refused approval: %s", c.Status)
		}

		// Preview with zero, then a (late) scan arrives: the preview is stale.
		body := map[string]any{"reason_codes": map[string]string{"SKU-000001": "damage"}, "uncounted": "zero"}
		s.mustJSON("POST", path+"?dry_run=true", "E001", body, 200, &pv)
		if pv.ConfirmationRequired || len(pv.Held) != 0 || len(pv.Lines) != pv.UncountedLines+1 || !pv.Lines[0].ReasonSet {
			t.Fatalf("preview with zero %+v", pv)
		}
		stale := pv.Fingerprint
		s.scans("E009", cnt.ID, scanIn{Code: "]E04894033001501", Qty: 1, Bin: "HK-TST-A01"})
		body["if_match"] = stale
		resp, b = s.do("POST", path, "E001", body)
		if resp.StatusCode != 409 {
			t.Fatalf("approval with a stale fingerprint: %d %s", resp.StatusCode, b)
		}
		if after := s.levelsAt("HK-TST"); !equalLevels(before, after) {
			t.Fatal("a stale approval changed the book")
		}
		// A different request than the preview's is refused too.
		s.mustJSON("POST", path+"?dry_run=true", "E001", map[string]any{"uncounted": "zero"}, 200, &pv)
		body["if_match"] = pv.Fingerprint
		if resp, b = s.do("POST", path, "E001", body); resp.StatusCode != 409 {
			t.Fatalf("approval differing from its preview: %d %s", resp.StatusCode, b)
		}

		// Preview again, approve with its fingerprint (as a header): the
		// book moves by exactly the preview's lines, nothing else.
		delete(body, "if_match")
		resp, b = s.do("POST", path+"?dry_run=true", "E001", body)
		if resp.StatusCode != 200 || json.Unmarshal(b, &pv) != nil || resp.Header.Get("ETag") != `"`+pv.Fingerprint+`"` || pv.Fingerprint == stale {
			t.Fatalf("second preview: %d %s %s", resp.StatusCode, resp.Header.Get("ETag"), b)
		}
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token("E001"))
		req.Header.Set("If-Match", `"`+pv.Fingerprint+`"`)
		hr, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		hr.Body.Close()
		if hr.StatusCode != 200 {
			t.Fatalf("approval with the preview's fingerprint: %d", hr.StatusCode)
		}
		after := s.levelsAt("HK-TST")
		want := map[string]int64{}
		for k, v := range before {
			want[k] = v
		}
		var value stock.Money
		for _, l := range pv.Lines {
			want[l.SKU] += l.VarianceQty
			value += l.VarianceValue.Abs()
			if l.Status == "uncounted" && want[l.SKU] != 0 {
				t.Fatalf("uncounted line %s not zeroed by the preview: %+v", l.SKU, l)
			}
		}
		if !equalLevels(want, after) {
			t.Fatalf("the book after approval differs from the preview:\nwant %v\ngot  %v", want, after)
		}
		var r stock.Report
		s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/report", "E001", nil, 200, &r)
		posted := 0
		for _, l := range r.Lines {
			if l.Posted {
				posted++
			}
		}
		if posted != len(pv.Lines) || value != pv.PostedValue {
			t.Fatalf("posted %d lines, preview %d; value %s vs %s", posted, len(pv.Lines), value, pv.PostedValue)
		}
	})
}

func equalLevels(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
