package review_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pandian/review"
	"pandian/stock"
)

// beverageCount opens a count of the whole beverage category at HK-TST as
// the supervisor, scans seven lines (with variances) and closes it: the
// rest of the category was never scanned.
func (w *world) beverageCount() string {
	w.t.Helper()
	ctx := context.Background()
	sup := w.actor("E008")
	c, err := w.svc.OpenCount(ctx, sup, stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{Categories: []string{"beverage"}}})
	if err != nil {
		w.t.Fatal(err)
	}
	k := w.skus
	w.post(c.ID, 1, []scan{
		{who: "E009", sku: 0, qty: k[0].book - 3, bin: "HK-TST-A01"},
		{who: "E009", sku: 1, qty: k[1].book + 2, bin: "HK-TST-A01"},
		{who: "E010", sku: 2, qty: k[2].book - 5, bin: "HK-TST-A02"},
		{who: "E010", sku: 3, qty: k[3].book, bin: "HK-TST-A02"},
		{who: "E008", sku: 4, qty: k[4].book - 1, bin: "HK-TST-A03"},
		{who: "E008", sku: 5, qty: k[5].book, bin: "HK-TST-A03"},
		{who: "E008", sku: 6, qty: k[6].book - 2, bin: "HK-TST-A03"},
	})
	if _, err := w.svc.CloseCount(ctx, sup, c.ID); err != nil {
		w.t.Fatal(err)
	}
	return c.ID
}

var rowRE = regexp.MustCompile(`<tr data-sku="([^"]+)"`)

func skusOf(body string) []string {
	var out []string
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestReportPagingSearchAndNames: a report pages its lines, folds the lines
// nobody scanned into one row (count and value; shown or alone on demand),
// searches by SKU, name and barcode, and names people and zones.
func TestReportPagingSearchAndNames(t *testing.T) {
	w := newWorld(t, review.Options{LinesPerPage: 5})
	id := w.beverageCount()
	rep, err := w.svc.Report(context.Background(), w.actor("E007"), id, "sku", stock.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	unscanned := 0
	for _, l := range rep.Lines {
		if l.Status == stock.LineUncounted {
			unscanned++
		}
	}
	if unscanned < 20 {
		t.Fatalf("only %d lines never scanned", unscanned)
	}
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])
	p := c.get("/review/counts/" + id)
	if p.StatusCode != 200 {
		t.Fatalf("report: %d", p.StatusCode)
	}
	// Folded: the seven scanned lines on two pages of five, one row for
	// the others.
	contains(t, p.body, `id="unscanned-row"`, strconv.Itoa(unscanned)+" lines were never scanned", "Page 1 of 2", `id="page-next"`,
		"尖沙咀店 · Beverages", `id="actionbar"`, "Approval acts on the whole count")
	if got := skusOf(p.body); len(got) != 5 {
		t.Errorf("page 1 lines: %v", got)
	}
	p2 := c.get("/review/counts/" + id + "?page=2")
	if got := skusOf(p2.body); len(got) != 2 {
		t.Errorf("page 2 lines: %v", got)
	}
	contains(t, p2.body, `id="page-prev"`, "Page 2 of 2")
	// The action bar comes before the lines.
	if strings.Index(p.body, `id="actionbar"`) > strings.Index(p.body, `id="lines"`) {
		t.Error("the action bar is below the lines")
	}
	// Only the unscanned lines, paged; or all of them.
	only := c.get("/review/counts/" + id + "?unscanned=only")
	lacks(t, only.body, `id="unscanned-row"`, `data-sku="`+w.skus[0].sku+`"`)
	contains(t, only.body, "Page 1 of "+strconv.Itoa((unscanned+4)/5), "not counted (0)")
	contains(t, c.get("/review/counts/"+id+"?unscanned=show").body, "Page 1 of "+strconv.Itoa((unscanned+7+4)/5))

	// Search by SKU, by barcode, by name.
	for q, want := range map[string]string{w.skus[2].sku: w.skus[2].sku, w.skus[6].barcode: w.skus[6].sku} {
		r := c.get("/review/counts/" + id + "?q=" + url.QueryEscape(q))
		if got := skusOf(r.body); len(got) != 1 || got[0] != want {
			t.Errorf("search %q: %v", q, got)
		}
		lacks(t, r.body, `id="unscanned-row"`)
	}
	name := rep.Lines[0].Name
	for _, l := range rep.Lines {
		if l.SKU == w.skus[3].sku {
			name = l.Name
		}
	}
	r := c.get("/review/counts/" + id + "?q=" + url.QueryEscape(strings.ToLower(name)))
	if got := skusOf(r.body); len(got) < 1 || !strings.Contains(strings.Join(got, " "), w.skus[3].sku) {
		t.Errorf("search by name %q: %v", name, got)
	}
	contains(t, c.get("/review/counts/"+id+"?q=nothing-like-this").body, "No lines match.")

	// Names beside codes: who counted, the opener, zones; the recount
	// assignee is picked from the store's staff who may count.
	contains(t, p.body, "區慧強 Au Wai Keung (E008)", "麥強卓 Mak Keung Cheuk (E009)", "飲品區 (HK-TST-Z1)",
		`<option value="E010">曾達珊 Tsang Tat Shan (E010)</option>`, `<option value="E013">`)
	lacks(t, p.body, `<option value="E014">`, `<option value="E016">`)
	contains(t, c.get("/review/counts/"+id+"?employee=E009").body, `<option value="E009" selected>麥強卓 Mak Keung Cheuk (E009)</option>`)
}

var (
	fingerprintRE = regexp.MustCompile(`name="if_match" value="([^"]+)"`)
)

// TestApprovalReviewStep: approving goes through a summary of what will
// change (the domain's preview) that asks about the lines never scanned
// and shows the reasons left unset as Unknown; confirming posts exactly
// that and redirects (a refresh posts nothing again).
func TestApprovalReviewStep(t *testing.T) {
	w := newWorld(t, review.Options{LinesPerPage: 5})
	id := w.beverageCount()
	ctx := context.Background()
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])
	tok := csrfOf(t, c.get("/review/counts/"+id).body)
	k := w.skus
	base := url.Values{"csrf": {tok}, "reason:" + k[2].sku: {"theft"}}

	// First: the lines nobody scanned must be decided; no confirm button.
	r := c.post("/review/counts/"+id+"/approve/review", base)
	if r.StatusCode != 200 {
		t.Fatalf("review: %d %.300s", r.StatusCode, r.body)
	}
	contains(t, r.body, `id="whole-count"`, "acts on the whole count", `id="uncounted-choice"`, "lines were never scanned", `id="confirm-needs"`)
	lacks(t, r.body, `id="confirm-form"`)

	// Hold them back: 5 lines post (0, 1, 2, 4, 6), 4 without a reason,
	// shown as Unknown (not chosen).
	f := url.Values{"csrf": {tok}, "reason:" + k[2].sku: {"theft"}, "uncounted": {"hold"}}
	r = c.post("/review/counts/"+id+"/approve/review", f)
	contains(t, r.body, `id="uncounted-decided"`, "held back", `id="reasons-unset"`, "4 lines have no reason chosen",
		`data-reason="unknown"`, "4 not chosen", `data-reason="theft"`, `id="confirm-form"`, "Post 5 lines", `name="reason:`+k[2].sku+`" value="theft"`)
	if n := strings.Count(r.body, `<tr data-sku=`); n != 5 {
		t.Errorf("%d lines in the summary", n)
	}
	// A reason for the rest: none left unset.
	f.Set("default_reason", "damage")
	r = c.post("/review/counts/"+id+"/approve/review", f)
	lacks(t, r.body, `id="reasons-unset"`, `data-reason="unknown"`)
	contains(t, r.body, `data-reason="damage"`, `name="default_reason" value="damage"`)
	fp := fingerprintRE.FindStringSubmatch(r.body)
	if fp == nil {
		t.Fatal("no fingerprint in the confirm form")
	}
	pv, err := w.svc.PreviewApproval(ctx, w.actor("E007"), id, stock.ApproveInput{ReasonCodes: map[string]string{k[2].sku: "theft", k[0].sku: "damage", k[1].sku: "damage", k[4].sku: "damage", k[6].sku: "damage"}, Uncounted: "hold"})
	if err != nil || pv.Fingerprint != fp[1] {
		t.Fatalf("the page's fingerprint is not the domain's preview: %v %v", err, pv.Fingerprint)
	}

	// A confirmation that differs from what was reviewed is refused.
	bad := url.Values{"csrf": {tok}, "reason:" + k[2].sku: {"damage"}, "uncounted": {"hold"}, "default_reason": {"damage"}, "if_match": {fp[1]}}
	r = c.post("/review/counts/"+id+"/approve", bad)
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("stale confirmation: %d", r.StatusCode)
	}
	// Confirm: 303 to the report, which says what posted.
	f.Set("if_match", fp[1])
	r = c.post("/review/counts/"+id+"/approve", f)
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?done=approve") {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	done := c.get(r.Header.Get("Location"))
	contains(t, done.body, "Approved: 5 lines posted", "Posted", "Theft", "Damage")
	levels := func() int64 {
		ls, err := w.svc.StockLevels(ctx, w.actor("E007"), "HK-TST", k[0].sku)
		if err != nil || len(ls) == 0 {
			t.Fatalf("levels: %v", err)
		}
		var n int64
		for _, l := range ls {
			n += l.Qty
		}
		return n
	}
	before := levels()
	// The browser re-sending the confirmation posts nothing again.
	if r = c.post("/review/counts/"+id+"/approve", f); r.StatusCode != http.StatusSeeOther {
		t.Errorf("re-sent confirmation: %d", r.StatusCode)
	}
	if after := levels(); after != before {
		t.Errorf("the re-sent confirmation moved stock: %d → %d", before, after)
	}
	if before != k[0].book-3 {
		t.Errorf("book after approval: %d, want %d", before, k[0].book-3)
	}
}
