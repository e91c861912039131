package review_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pandian/review"
	"pandian/stock"
)

// TestLocalisedRefusals: the domain's refusals are shown in the page's
// language with money formatted; a missing page says what is missing once.
func TestLocalisedRefusals(t *testing.T) {
	w := newWorld(t, review.Options{})
	ctx := context.Background()
	sup := w.actor("E008")
	big, err := w.svc.OpenCount(ctx, sup, stock.CountInput{Location: "HK-TST"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CloseCount(ctx, sup, big.ID); err != nil {
		t.Fatal(err)
	}
	pv, err := w.svc.PreviewApproval(ctx, w.actor("E007"), big.ID, stock.ApproveInput{Uncounted: "zero"})
	if err != nil || pv.WithinLimit {
		t.Fatalf("preview: %v within limit %v", err, pv.WithinLimit)
	}
	c := w.client()
	c.lang = "zh-HK"
	c.mustSignIn("E007", w.pins["E007"])
	tok := csrfOf(t, c.get("/review/counts/"+big.ID).body)

	// Over the limit, in Chinese, with HK$ and thousands separators.
	r := c.post("/review/counts/"+big.ID+"/approve", url.Values{"csrf": {tok}, "uncounted": {"zero"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("over the limit: %d", r.StatusCode)
	}
	want := "差異金額 " + zhMoney(pv.PostedValue) + " 超出你的批核上限 HK$20,000.00：須由區域經理批核。"
	contains(t, r.body, want)
	lacks(t, r.body, "above your approval limit")
	// Unconfirmed never-scanned lines, in Chinese.
	r = c.post("/review/counts/"+big.ID+"/approve", url.Values{"csrf": {tok}})
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("unconfirmed: %d", r.StatusCode)
	}
	contains(t, r.body, "項從未掃描，將被設為 0（HK$")
	lacks(t, r.body, "would be set to 0")
	// A bad assignee and a recount on a count not in review, in Chinese.
	r = c.post("/review/counts/"+big.ID+"/recount", url.Values{"csrf": {tok}, "sku": {w.skus[0].sku}, "assignee": {"E999"}})
	contains(t, r.body, "負責員工 E999 不存在。")
	r = c.post("/review/counts/"+big.ID+"/recount", url.Values{"csrf": {tok}, "assignee": {"E009"}})
	contains(t, r.body, "請勾選最少一個要重點的項目。")

	// A page that does not exist: one message, not "Not found Not found.".
	r = c.get("/review/counts/nope")
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("missing count: %d", r.StatusCode)
	}
	contains(t, r.body, "此頁面或記錄不存在，或不在你的範圍內。")
	c.lang = "en"
	r = c.get("/review/counts/nope?lang=en")
	contains(t, r.body, "This page or record does not exist")
	lacks(t, r.body, "Not found.")
}

// zhMoney is how the pages write an amount in HK$ (the same in both
// languages).
func zhMoney(m stock.Money) string {
	s := m.String()
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "HK$" + b.String() + "." + frac
}
