package review_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"pandian/review"
	"pandian/stock"
)

// TestCountListTitlesFiltersAndPaging: the list names counts by store and
// scope with the opener's name, the opened date, progress and headline
// variance; it filters by status, store (a picker of the caller's stores)
// and opened dates, pages with next/previous links, and a bad filter value
// shows the list with a message.
func TestCountListTitlesFiltersAndPaging(t *testing.T) {
	w := newWorld(t, review.Options{PageSize: 2})
	ctx := context.Background()
	admin := w.actor("A001")
	at := func(day int) time.Time { return time.Date(2026, 11, day, 10, 0, 0, 0, time.FixedZone("HKT", 8*3600)) }
	open := func(day int, in stock.CountInput) stock.Count {
		w.setNow(at(day))
		c, err := w.svc.OpenCount(ctx, admin, in)
		if err != nil {
			t.Fatalf("open %+v: %v", in, err)
		}
		return c
	}
	tst := open(2, stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{Categories: []string{"beverage"}}})
	mk := open(9, stock.CountInput{Location: "HK-MK", Scope: stock.CountScope{Zones: []string{"HK-MK-Z2"}}})
	kt := open(16, stock.CountInput{Location: "HK-KT"})
	w.setNow(time.Time{})
	// One line of the TST count scanned: progress 1 / n.
	sup := w.actor("E008")
	if res, err := w.svc.IngestScans(ctx, sup, tst.ID, []stock.ScanInput{{EventID: "e1", Code: w.skus[0].barcode, Qty: 1, DeviceID: "d"}}); err != nil || res.Accepted != 1 {
		t.Fatalf("scan: %+v %v", res, err)
	}
	if _, err := w.svc.CloseCount(ctx, admin, tst.ID); err != nil {
		t.Fatal(err)
	}

	rm := w.client()
	rm.mustSignIn("E001", w.pins["E001"]) // regional manager of Kowloon: TST, MK, KT
	p := rm.get("/review/counts")
	if p.StatusCode != 200 {
		t.Fatalf("list: %d", p.StatusCode)
	}
	// Newest first, two a page: KT and MK here, TST on page 2.
	contains(t, p.body, kt.ID, mk.ID, "觀塘店 · Whole store", "陳大文 Chan Tai Man", "(A001)", "16 Nov 2026",
		`id="page-next"`, "Page 1", "Counts 1–2, newest first")
	contains(t, p.body, "旺角店 · 零食區")
	lacks(t, p.body, tst.ID, `id="page-prev"`)
	// The store picker offers the caller's stores, not others.
	contains(t, p.body, `<option value="HK-TST">尖沙咀店 (HK-TST)</option>`, `value="HK-MK"`, `value="HK-KT"`)
	lacks(t, p.body, `value="HK-CWB"`, `value="MO-SMR"`)
	next := regexp.MustCompile(`id="page-next" rel="next" href="([^"]+)"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatal("no next link")
	}
	p2 := rm.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	contains(t, p2.body, tst.ID, "尖沙咀店 · Beverages", "2 Nov 2026", `id="page-prev"`, "Page 2", "Counts 3–3, newest first")
	lacks(t, p2.body, kt.ID, `id="page-next"`)
	// Previous goes back to the first page.
	prev := regexp.MustCompile(`id="page-prev" rel="prev" href="([^"]+)"`).FindStringSubmatch(p2.body)
	if prev == nil || prev[1] != "/review/counts" {
		t.Errorf("previous link: %v", prev)
	}
	// Progress of the TST count: one line counted of its lines in scope;
	// and its headline variance is shown.
	prog := regexp.MustCompile(`class="num progress">1 / (\d[\d,]*)</td>`).FindStringSubmatch(p2.body)
	if prog == nil || prog[1] == "0" || prog[1] == "1" {
		t.Errorf("progress of the TST count: %v", prog)
	}
	contains(t, p2.body, "HK$", "In review")

	// Filters: store, status, dates (inclusive), and the next link keeps them.
	contains(t, rm.get("/review/counts?store=HK-MK").body, mk.ID, `<option value="HK-MK" selected>`)
	lacks(t, rm.get("/review/counts?store=HK-MK").body, tst.ID, kt.ID)
	r := rm.get("/review/counts?status=review")
	contains(t, r.body, tst.ID)
	lacks(t, r.body, mk.ID, kt.ID)
	r = rm.get("/review/counts?from=2026-11-09&to=2026-11-16")
	contains(t, r.body, mk.ID, kt.ID)
	lacks(t, r.body, tst.ID)
	r = rm.get("/review/counts?from=2026-11-01&status=")
	next = regexp.MustCompile(`id="page-next" rel="next" href="([^"]+)"`).FindStringSubmatch(r.body)
	if next == nil || !strings.Contains(next[1], "from=2026-11-01") || !strings.Contains(next[1], "cursor=") || !strings.Contains(next[1], "n=2") {
		t.Errorf("next link with the filters: %v", next)
	}
	r = rm.get("/review/counts?to=2026-11-08")
	contains(t, r.body, tst.ID)
	lacks(t, r.body, mk.ID, `id="page-next"`)

	// Bad values: the list with a message, not a 404 page.
	for q, msg := range map[string]string{
		"status=bogus":   `&#34;bogus&#34; is not a count status.`,
		"store=HK-CWB":   `&#34;HK-CWB&#34; is not one of your stores.`,
		"from=yesterday": `&#34;yesterday&#34; is not a date (YYYY-MM-DD).`,
		"cursor=bogus":   `That page link is no longer valid: the newest counts are shown.`,
	} {
		r := rm.get("/review/counts?" + q)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.StatusCode)
		}
		contains(t, r.body, `id="error"`, msg, `id="counts"`, kt.ID)
	}
	rm.lang = "zh-Hant"
	r = rm.get("/review/counts?store=HK-CWB")
	contains(t, r.body, "「HK-CWB」不是你管轄的分店。", "觀塘店 · 全店", "第 1 頁")

	// The store manager of TST sees only that store in the picker and list.
	mgr := w.client()
	mgr.mustSignIn("E007", w.pins["E007"])
	r = mgr.get("/review/counts")
	contains(t, r.body, tst.ID, `value="HK-TST"`)
	lacks(t, r.body, mk.ID, `value="HK-MK"`, `id="page-next"`)
}
