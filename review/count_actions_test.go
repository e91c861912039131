package review_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"pandian/review"
	"pandian/stock"
)

// TestCloseFromReport: a manager closes an open count from its report
// (POST, then 303 to the report with a notice); the button is only there
// while the count is open and for those who may close it; scans sent
// after are late and shown in their own section, as are scans outside
// the count's scope.
func TestCloseFromReport(t *testing.T) {
	w := newWorld(t, review.Options{})
	ctx := context.Background()
	sup := w.actor("E008")
	k := w.skus
	c := w.openFirstTwo(t, sup)
	w.post(c.ID, 1, []scan{{who: "E009", sku: 0, qty: k[0].book - 1, bin: "HK-TST-A01"}})
	// A scan of a SKU outside the scope is kept, not counted.
	counter := w.actor("E010")
	res, err := w.svc.IngestScans(ctx, counter, c.ID, []stock.ScanInput{{EventID: "oos-1", Code: k[5].barcode, Qty: 4, Bin: "HK-TST-A02", DeviceID: "TC52-E010"}})
	if err != nil || len(res.Rejected) != 1 {
		t.Fatalf("out-of-scope scan: %+v %v", res, err)
	}

	// A counter sees no Close button and may not close.
	cc := w.client()
	cc.mustSignIn("E009", w.pins["E009"])
	r := cc.get("/review/counts/" + c.ID)
	lacks(t, r.body, `id="close-form"`)
	if r := cc.post("/review/counts/"+c.ID+"/close", url.Values{"csrf": {csrfOf(t, r.body)}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("counter close: %d", r.StatusCode)
	}

	m := w.client()
	m.lang = "zh-HK"
	m.mustSignIn("E007", w.pins["E007"])
	r = m.get("/review/counts/" + c.ID)
	contains(t, r.body, `id="close-form"`, "結束盤點", "已掃描 1 項（共 2 項）", `id="side-scans"`, "範圍外", k[5].barcode)
	lacks(t, r.body, `id="approve-form"`)
	p := m.post("/review/counts/"+c.ID+"/close", url.Values{"csrf": {csrfOf(t, r.body)}})
	if p.StatusCode != http.StatusSeeOther || !strings.HasSuffix(p.Header.Get("Location"), "/review/counts/"+c.ID+"?done=close") {
		t.Fatalf("close: %d %q %.300s", p.StatusCode, p.Header.Get("Location"), p.body)
	}
	cv, err := w.svc.Count(ctx, sup, c.ID)
	if err != nil || cv.Status != stock.StatusReview {
		t.Fatalf("after close: %v %v", cv.Status, err)
	}
	r = m.get(p.Header.Get("Location"))
	contains(t, r.body, "盤點已結束，現為待審核。", `id="approve-form"`)
	lacks(t, r.body, `id="close-form"`)
	// A GET of the form's address goes to the report.
	if g := m.get("/review/counts/" + c.ID + "/close"); g.StatusCode != http.StatusSeeOther {
		t.Errorf("GET close: %d", g.StatusCode)
	}

	// A scan after the close is late: kept and listed, not counted.
	res, err = w.svc.IngestScans(ctx, counter, c.ID, []stock.ScanInput{{EventID: "late-1", Code: k[1].barcode, Qty: 7, Bin: "HK-TST-A01", DeviceID: "TC52-E010"}})
	if err != nil || len(res.Rejected) != 1 {
		t.Fatalf("late scan: %+v %v", res, err)
	}
	m.lang = "en"
	r = m.get("/review/counts/" + c.ID + "?lang=en")
	contains(t, r.body, "Late and out-of-scope scans", "1 scans arrived after the count closed (late) and 1 were outside its scope",
		`data-event="late-1"`, `data-event="oos-1"`, "曾達珊 Tsang Tat Shan (E010)", ">late<", ">out of scope<")
	rep, err := w.svc.Report(ctx, sup, c.ID, "sku", stock.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Lines {
		if l.SKU == k[1].sku && l.CountedQty != 0 {
			t.Errorf("the late scan was counted: %+v", l)
		}
	}
}

// TestBulkReasons: a reason given in bulk to the lines that match a
// filter (on every page) reaches the review step and the approval; a
// reason chosen on a line wins over it; the rest stay unknown unless a
// default is given.
func TestBulkReasons(t *testing.T) {
	w := newWorld(t, review.Options{LinesPerPage: 2})
	id := w.beverageCount()
	ctx := context.Background()
	k := w.skus
	m := w.client()
	m.mustSignIn("E007", w.pins["E007"])
	// Lines with a variance: 0 (-3), 1 (+2), 2 (-5), 4 (-1), 6 (-2).
	r := m.get("/review/counts/" + id)
	contains(t, r.body, `id="bulk-reason"`, "Reason for all ", " lines with a variance")
	r = m.get("/review/counts/" + id + "?employee=E009")
	contains(t, r.body, "Reason for the 2 lines with a variance that match these filters", `name="bulk_filter" value="?employee=E009"`)
	csrf := csrfOf(t, r.body)

	// Damage for E009's lines (0 and 1), but theft chosen on line 1.
	form := url.Values{"csrf": {csrf}, "bulk_reason": {"damage"}, "bulk_filter": {"?employee=E009"}, "reason:" + k[1].sku: {"theft"}, "uncounted": {"hold"}}
	rv := m.post("/review/counts/"+id+"/approve/review", form)
	if rv.StatusCode != 200 {
		t.Fatalf("review: %d %.500s", rv.StatusCode, rv.body)
	}
	contains(t, rv.body, `id="bulk-reasons"`, "Damage for the lines that match: Employee 麥強卓 Mak Keung Cheuk (E009)", `name="bulk" value="damage?employee=E009"`)
	p, err := w.svc.PreviewApproval(ctx, w.actor("E007"), id, stock.ApproveInput{Uncounted: "hold",
		ReasonCodes: map[string]string{k[0].sku: "damage", k[1].sku: "theft"}})
	if err != nil {
		t.Fatal(err)
	}
	fp := fingerprintRE.FindStringSubmatch(rv.body)
	if fp == nil || fp[1] != p.Fingerprint {
		t.Fatalf("the review's fingerprint is not the domain's preview with those reasons: %v vs %s", fp, p.Fingerprint)
	}

	// A second bulk (admin error for the lines that match a search) on
	// top of the first, carried back by the review's forms; a line's own
	// reason wins over both.
	form = url.Values{"csrf": {csrf}, "bulk": {"damage?employee=E009"}, "bulk_reason": {"admin_error"}, "bulk_filter": {"?q=" + url.QueryEscape(k[2].sku)},
		"reason:" + k[1].sku: {"theft"}, "uncounted": {"hold"}}
	rv = m.post("/review/counts/"+id+"/approve/review", form)
	fp = fingerprintRE.FindStringSubmatch(rv.body)
	if fp == nil {
		t.Fatalf("no confirm form: %.800s", rv.body)
	}
	conf := url.Values{"csrf": {csrf}, "if_match": {fp[1]}, "uncounted": {"hold"}, "reason:" + k[1].sku: {"theft"},
		"bulk": {"damage?employee=E009", "admin_error?q=" + url.QueryEscape(k[2].sku)}}
	a := m.post("/review/counts/"+id+"/approve", conf)
	if a.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %.600s", a.StatusCode, a.body)
	}
	rep, err := w.svc.Report(ctx, w.actor("E007"), id, "sku", stock.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{k[0].sku: "damage", k[1].sku: "theft", k[2].sku: "admin_error", k[4].sku: "unknown", k[6].sku: "unknown"}
	for _, l := range rep.Lines {
		if r, ok := want[l.SKU]; ok && (l.ReasonCode != r || !l.Posted) {
			t.Errorf("%s: reason %q posted %v, want %q", l.SKU, l.ReasonCode, l.Posted, r)
		}
	}

	// A bad bulk reason is refused in the page's language.
	id2 := w.beverageCount()
	r = m.get("/review/counts/" + id2 + "?lang=zh-Hant")
	bad := m.post("/review/counts/"+id2+"/approve/review", url.Values{"csrf": {csrfOf(t, r.body)}, "bulk_reason": {"stolen"}})
	msg := regexp.MustCompile(`(?s)<div class="alert error" role="alert" id="error">.*?</div>`).FindString(bad.body)
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "stolen") || !strings.Contains(msg, "無效") {
		t.Errorf("bad bulk reason: %d %s", bad.StatusCode, msg)
	}
}

// TestRecountExplanation: after a recount, the report says in words why
// the by-role totals differ from the headline.
func TestRecountExplanation(t *testing.T) {
	w := newWorld(t, review.Options{})
	ctx := context.Background()
	k := w.skus
	id := w.countWith([]int{0, 1}, []scan{
		{who: "E009", sku: 0, qty: k[0].book - 4, bin: "HK-TST-A01"},
		{who: "E010", sku: 1, qty: k[1].book, bin: "HK-TST-A02"},
	})
	m := w.client()
	m.mustSignIn("E007", w.pins["E007"])
	lacks(t, m.get("/review/counts/"+id).body, `id="recount-note"`)
	if _, err := w.svc.OrderRecount(ctx, w.actor("E007"), id, stock.RecountInput{SKUs: []string{k[0].sku}, Assignee: "E011"}); err != nil {
		t.Fatal(err)
	}
	w.post(id, 2, []scan{{who: "E011", sku: 0, qty: k[0].book - 1, bin: "HK-TST-A01"}})
	if _, err := w.svc.CloseCount(ctx, w.actor("E008"), id); err != nil {
		t.Fatal(err)
	}
	r := m.get("/review/counts/" + id)
	contains(t, r.body, `id="recount-note"`, "1 lines were recounted.", "a round that was recounted is charged with the difference",
		"Here: 3 round results worth")
	r = m.get("/review/counts/" + id + "?lang=zh-Hant")
	contains(t, r.body, "1 項曾經重點。", "按職位共 3 個點數結果")
}

// TestReportCache: a held count's pages come from the report the domain
// keeps for them (current: never "Figures as of", and a late scan shows at
// once); an open count's report, computed whole, is kept for the next
// pages of a large count (said on the page, with its time) and forgotten
// when the pages close the count; a small count's is computed every time.
func TestReportCache(t *testing.T) {
	w := newWorld(t, review.Options{CacheLines: 10, LinesPerPage: 5})
	ctx := context.Background()
	c, err := w.svc.OpenCount(ctx, w.actor("E008"), stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{Categories: []string{"beverage"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID // the whole beverage category: dozens of lines
	w.post(id, 1, []scan{{who: "E009", sku: 0, qty: w.skus[0].book - 3, bin: "HK-TST-A01"}, {who: "E010", sku: 1, qty: w.skus[1].book, bin: "HK-TST-A02"}})
	small := w.client()
	small.mustSignIn("E007", w.pins["E007"])
	r := small.get("/review/counts/" + id + "?unscanned=show")
	lacks(t, r.body, `id="cached"`)
	r = small.get("/review/counts/" + id + "?unscanned=show&page=2")
	contains(t, r.body, `id="cached"`, "Figures as of")
	// The list computes the reports of the open counts it shows: a large
	// one is kept for its page.
	other := w.client()
	other.mustSignIn("E008", w.pins["E008"])
	other.get("/review/counts")
	contains(t, other.get("/review/counts/"+id).body, `id="cached"`)
	// Closed through the pages: the kept report is forgotten, and the
	// held count's pages come from the domain's kept report, current.
	if p := small.post("/review/counts/"+id+"/close", url.Values{"csrf": {csrfOf(t, r.body)}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", p.StatusCode)
	}
	for _, q := range []string{"", "?unscanned=show&page=2", "?q=" + url.QueryEscape(w.skus[1].sku)} {
		r = small.get("/review/counts/" + id + q)
		lacks(t, r.body, `id="cached"`)
		contains(t, r.body, `data-sku="`)
	}
	lacks(t, other.get("/review/counts/"+id).body, `id="cached"`)
	// A scan arriving after the close (late) shows at once.
	if _, err := w.svc.IngestScans(ctx, w.actor("E009"), id, []stock.ScanInput{{EventID: "late-cache", Code: w.skus[0].barcode, Qty: 1, DeviceID: "d"}}); err != nil {
		t.Fatal(err)
	}
	contains(t, small.get("/review/counts/"+id).body, `id="side-scans"`, `data-event="late-cache"`)

	// Below the threshold: never kept.
	w2 := newWorld(t, review.Options{})
	c2, err := w2.svc.OpenCount(ctx, w2.actor("E008"), stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{Categories: []string{"beverage"}}})
	if err != nil {
		t.Fatal(err)
	}
	cl := w2.client()
	cl.mustSignIn("E007", w2.pins["E007"])
	cl.get("/review/counts/" + c2.ID + "?unscanned=show")
	lacks(t, cl.get("/review/counts/"+c2.ID+"?unscanned=show&page=2").body, `id="cached"`)
}

// TestCloseResent: a Close sent again (a double tap, a refresh) answers
// like the first, the normal redirect, not an error page; one sent after
// the count was approved meanwhile goes to the posted count's report.
func TestCloseResent(t *testing.T) {
	w := newWorld(t, review.Options{})
	ctx := context.Background()
	sup := w.actor("E008")
	k := w.skus
	c := w.openFirstTwo(t, sup)
	w.post(c.ID, 1, []scan{{who: "E009", sku: 0, qty: k[0].book - 1, bin: "HK-TST-A01"}})
	m := w.client()
	m.mustSignIn("E007", w.pins["E007"])
	csrf := csrfOf(t, m.get("/review/counts/"+c.ID).body)
	for i := range 2 {
		p := m.post("/review/counts/"+c.ID+"/close", url.Values{"csrf": {csrf}})
		if p.StatusCode != http.StatusSeeOther || !strings.HasSuffix(p.Header.Get("Location"), "/review/counts/"+c.ID+"?done=close") {
			t.Fatalf("close #%d: %d %q %.300s", i+1, p.StatusCode, p.Header.Get("Location"), p.body)
		}
	}
	if _, err := w.svc.Approve(ctx, w.actor("E007"), c.ID, stock.ApproveInput{Uncounted: stock.ApproveUncountedHold}); err != nil {
		t.Fatal(err)
	}
	p := m.post("/review/counts/"+c.ID+"/close", url.Values{"csrf": {csrf}})
	if p.StatusCode != http.StatusSeeOther || !strings.HasSuffix(p.Header.Get("Location"), "/review/counts/"+c.ID) {
		t.Fatalf("close after approval: %d %q %.300s", p.StatusCode, p.Header.Get("Location"), p.body)
	}
	if cv, err := w.svc.Count(ctx, sup, c.ID); err != nil || cv.Status != stock.StatusPosted {
		t.Fatalf("after: %v %v", cv.Status, err)
	}
	// A close of a count the user may not see is still refused.
	if r := m.post("/review/counts/no-such-count/close", url.Values{"csrf": {csrf}}); r.StatusCode == http.StatusSeeOther {
		t.Errorf("close of an unknown count: %d", r.StatusCode)
	}
}

// TestSideScansOwnForCounters: a counter, who reads only their own lines
// of a report, sees only their own late and out-of-scope scans and their
// figures; the manager sees everyone's.
func TestSideScansOwnForCounters(t *testing.T) {
	w := newWorld(t, review.Options{})
	ctx := context.Background()
	sup := w.actor("E008")
	k := w.skus
	c := w.openFirstTwo(t, sup)
	w.post(c.ID, 1, []scan{{who: "E009", sku: 0, qty: k[0].book, bin: "HK-TST-A01"}})
	for _, s := range []struct{ who, event string }{{"E009", "oos-9"}, {"E010", "oos-10a"}, {"E010", "oos-10b"}} {
		res, err := w.svc.IngestScans(ctx, w.actor(s.who), c.ID, []stock.ScanInput{{EventID: s.event, Code: k[5].barcode, Qty: 1, Bin: "HK-TST-A02", DeviceID: "TC52-" + s.who}})
		if err != nil || len(res.Rejected) != 1 {
			t.Fatalf("out-of-scope scan: %+v %v", res, err)
		}
	}
	if _, err := w.svc.CloseCount(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.IngestScans(ctx, w.actor("E010"), c.ID, []stock.ScanInput{{EventID: "late-10", Code: k[1].barcode, Qty: 7, Bin: "HK-TST-A01", DeviceID: "TC52-E010"}})
	if err != nil || len(res.Rejected) != 1 {
		t.Fatalf("late scan: %+v %v", res, err)
	}
	page := func(code string) string {
		cl := w.client()
		cl.mustSignIn(code, w.pins[code])
		return cl.get("/review/counts/" + c.ID + "?lang=en").body
	}
	b := page("E009")
	contains(t, b, `id="side-scans"`, "0 scans arrived after the count closed (late) and 1 were outside its scope", `data-event="oos-9"`)
	lacks(t, b, `data-event="oos-10a"`, `data-event="late-10"`)
	b = page("E010")
	contains(t, b, "1 scans arrived after the count closed (late) and 2 were outside its scope", `data-event="oos-10a"`, `data-event="oos-10b"`, `data-event="late-10"`)
	lacks(t, b, `data-event="oos-9"`)
	b = page("E007")
	contains(t, b, "1 scans arrived after the count closed (late) and 3 were outside its scope", `data-event="oos-9"`, `data-event="oos-10a"`, `data-event="late-10"`)
}

// openFirstTwo opens a count at HK-TST of the first two SKUs of the
// catalog, as by.
func (w *world) openFirstTwo(t *testing.T, by stock.Actor) stock.Count {
	t.Helper()
	c, err := w.svc.OpenCount(context.Background(), by, stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{SKUs: []string{w.skus[0].sku, w.skus[1].sku}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
