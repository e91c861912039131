package review_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	docfixtures "pandian/fixtures/documents"
	"pandian/review"
	"pandian/stock"
)

// TestDocumentPages: the documents list filters (kind, status, store,
// dates; a bad value is a message, not an error page); a document's page
// shows the photo (served inline with its own type), the lines with the
// qty × price and total checks and each match; a description-only line
// waits for a person; the picker searches the catalog and sets the match
// (POST-redirect-GET, audited, filed); Receive shows what will post, then
// posts it once through the domain's receive; refusals are in the page's
// language; a counter sees no Confirm or Receive.
func TestDocumentPages(t *testing.T) {
	w := newWorld(t, review.Options{})
	desk := w.withDocuments(t)
	photo, ex := po01(t)
	doc := desk.upload(t, "E007", stock.DocPurchaseOrder, photo, ex, 0)
	if doc.Lines[1].MatchConfirmed {
		t.Fatalf("line 2 has no code: its match %+v must wait for a person", doc.Lines[1])
	}
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])

	// The list and its filters.
	r := c.get("/review/documents?lang=en")
	if r.StatusCode != 200 {
		t.Fatalf("list: %d", r.StatusCode)
	}
	contains(t, r.body, `data-document="`+doc.ID+`"`, "Purchase order PO/2024/5426", "Needs review", `id="nav-documents"`)
	for _, q := range []string{"kind=purchase_order", "status=needs_review", "store=HK-TST", "from=2020-01-01&to=2099-12-31"} {
		contains(t, c.get("/review/documents?"+q).body, `data-document="`+doc.ID+`"`)
	}
	for _, q := range []string{"kind=invoice", "status=done", "to=2020-01-01"} {
		r := c.get("/review/documents?" + q)
		lacks(t, r.body, `data-document="`+doc.ID+`"`)
	}
	r = c.get("/review/documents?store=HK-KT&lang=en") // not E007's store
	contains(t, r.body, "&#34;HK-KT&#34; is not one of your stores.")
	r = c.get("/review/documents?kind=receipt&lang=zh-Hant")
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad kind: %d", r.StatusCode)
	}
	contains(t, r.body, "「receipt」不是單據類別。", `id="doc-filters"`)

	// The document's page.
	page := "/review/documents/" + doc.ID
	r = c.get(page + "?lang=en")
	if r.StatusCode != 200 {
		t.Fatalf("document: %d %.300s", r.StatusCode, r.body)
	}
	contains(t, r.body, `id="doc-photo"`, `src="/review/documents/`+doc.ID+`/file"`, "Lee Hing Food Wholesale Ltd.",
		// line 10 has a 15% discount: 4 × 92.50 is not 314.50
		"4 × HK$92.50 = HK$370.00, not HK$314.50",
		// the lines add up to the subtotal, the total has the discount
		"The lines add up to HK$8,914.23 but the total reads HK$8,735.95.",
		"by SKU code", `id="to-confirm"`, `id="change-1"`)
	t.Logf("line 2 as matched: %q by %q", doc.Lines[1].MatchedSKU, doc.Lines[1].MatchedBy)
	if doc.Lines[1].MatchedBy == "description" {
		contains(t, r.body, `id="confirm-1"`, "guessed from the description")
	}
	lacks(t, r.body, `id="include-1"`) // not receivable before its match is confirmed
	f := c.get(page + "/file")
	if f.StatusCode != 200 || f.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "inline") || len(f.body) != len(photo) {
		t.Errorf("the original: %d %q %q %d bytes", f.StatusCode, f.Header.Get("Content-Type"), f.Header.Get("Content-Disposition"), len(f.body))
	}

	// The picker: search the catalog, pick.
	r = c.get(page + "?pick=1&q=" + url.QueryEscape("lager beer") + "&lang=en")
	contains(t, r.body, `id="picker"`, `id="pick-SKU-000033"`, "Lager Beer 330ml Can")
	r = c.get(page + "?pick=1&q=" + url.QueryEscape("4894033001501"))
	contains(t, r.body, `id="pick-SKU-000001"`) // by barcode
	r = c.get(page + "?pick=1&q=zzzz-nothing&lang=en")
	contains(t, r.body, `id="no-results"`)
	csrf := csrfOf(t, r.body)
	r = c.post(page+"/lines/1/match?lang=zh-Hant", url.Values{"csrf": {csrf}, "sku": {"SKU-999999"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown sku: %d", r.StatusCode)
	}
	contains(t, r.body, "SKU-999999 不在貨品目錄中。")
	r = c.post(page+"/lines/1/match", url.Values{"csrf": {csrf}, "sku": {"SKU-000033"}})
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=matched&line=1") {
		t.Fatalf("match: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	loc, _, _ := strings.Cut(r.Header.Get("Location"), "#")
	r = c.get(loc + "&lang=en")
	contains(t, r.body, "Line 2 is now SKU-000033 Lager Beer 330ml Can.", `id="include-1"`)
	got, err := w.svc.Document(context.Background(), w.actor("E007"), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Lines[1]; !l.MatchConfirmed || l.MatchedSKU != "SKU-000033" || l.ConfirmedBy != "E007" {
		t.Fatalf("line 2 after the pick: %+v", l)
	}
	if got.Status != stock.DocNeedsReview {
		t.Errorf("every match confirmed but the lines do not add up to the total: status %s, want needs_review", got.Status)
	}

	// A counter reads but neither confirms nor receives.
	cc := w.client()
	cc.mustSignIn("E009", w.pins["E009"])
	r = cc.get(page + "?lang=en")
	if r.StatusCode != 200 {
		t.Fatalf("counter: %d", r.StatusCode)
	}
	lacks(t, r.body, `id="receive-review"`, `id="change-1"`)

	// Receive: what will post, then post.
	book := func(sku string) int64 {
		p, err := w.svc.StockPage(context.Background(), w.actor("E007"), "HK-TST", sku, stock.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, l := range p.Items {
			n += l.Qty
		}
		return n
	}
	before := book("SKU-000033")
	form := url.Values{"csrf": {csrf}, "include:0": {"1"}, "qty:0": {"1"}, "include:1": {"1"}, "qty:1": {"40"}}
	r = c.post(page+"/receive/review?lang=en", form)
	if r.StatusCode != 200 {
		t.Fatalf("review: %d %.400s", r.StatusCode, r.body)
	}
	contains(t, r.body, "Post 2 lines, 41 units, HK$221.70, to the book stock of", `id="receive-confirm"`)
	if book("SKU-000033") != before {
		t.Fatal("the review posted")
	}
	confirm := formFields(t, r.body, "receive-confirm-form")
	if confirm.Get("sku:1") != "SKU-000033" || confirm.Get("qty:1") != "40" || confirm.Get("include:0") != "1" {
		t.Fatalf("the confirmation form carries %v", confirm)
	}
	bad := url.Values{"csrf": {csrf}, "include:1": {"1"}, "qty:1": {"0"}}
	r = c.post(page+"/receive/review?lang=zh-Hant", bad)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("qty 0: %d", r.StatusCode)
	}
	contains(t, r.body, "第 2 項：數量必須為 1 至 1,000,000 的整數。")

	// A correction between the review and the confirmation: the reviewed
	// receipt is refused (nothing posts), in the page's language.
	other := w.skus[0].sku
	if other == "SKU-000033" {
		other = w.skus[1].sku
	}
	if r := c.post(page+"/lines/1/match", url.Values{"csrf": {csrf}, "sku": {other}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct line 2 again: %d", r.StatusCode)
	}
	otherBefore := book(other)
	r = c.post(page+"/receive?lang=en", confirm)
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("receive after a correction: %d %.300s", r.StatusCode, r.body)
	}
	contains(t, r.body, "Line 2 changed since you reviewed the receipt (it is now "+other)
	if book("SKU-000033") != before || book(other) != otherBefore {
		t.Fatal("a receipt of a line changed since its review posted")
	}
	stale := url.Values{}
	for k, v := range confirm {
		stale[k] = v
	}
	stale.Del("sku:1") // a form without the SKUs it showed
	r = c.post(page+"/receive?lang=zh-Hant", stale)
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("receive without sku:1: %d", r.StatusCode)
	}
	contains(t, r.body, "第 2 項在您檢視收貨後已更改")
	if r := c.post(page+"/lines/1/match", url.Values{"csrf": {csrf}, "sku": {"SKU-000033"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct line 2 back: %d", r.StatusCode)
	}
	r = c.post(page+"/receive/review?lang=en", form)
	confirm = formFields(t, r.body, "receive-confirm-form")
	r = c.post(page+"/receive", confirm)
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?done=received") {
		t.Fatalf("receive: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	if after := book("SKU-000033"); after != before+40 {
		t.Fatalf("book %d → %d, want +40", before, after)
	}
	r = c.post(page+"/receive", confirm) // sent again
	if r.StatusCode != http.StatusSeeOther || book("SKU-000033") != before+40 {
		t.Fatalf("a re-sent receipt: %d, book %d", r.StatusCode, book("SKU-000033"))
	}
	r = c.get(page + "?done=received&lang=en")
	contains(t, r.body, `id="received"`, "Received: 2 lines posted to stock at")
	lacks(t, r.body, `id="receive-review"`, `id="change-0"`)
	r = c.post(page+"/lines/2/match?lang=en", url.Values{"csrf": {csrf}, "sku": {"SKU-000007"}})
	if r.StatusCode != http.StatusConflict {
		t.Errorf("match after the receipt: %d", r.StatusCode)
	}
	contains(t, r.body, "This document was received: its matches can no longer change.")

	// A contract (PDF): filed as it is, the PDF opened in the browser.
	pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	con := desk.upload(t, "E007", stock.DocContract, pdf, stock.Extraction{}, 0)
	r = c.get("/review/documents/" + con.ID + "?lang=en")
	contains(t, r.body, `id="doc-pdf"`, "Documents of this kind are filed as they are")
	lacks(t, r.body, `id="receive-review"`, `id="doc-photo"`)
	f = c.get("/review/documents/" + con.ID + "/file")
	if f.StatusCode != 200 || f.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "inline") || len(f.body) != len(pdf) {
		t.Errorf("the PDF: %d %q %q", f.StatusCode, f.Header.Get("Content-Type"), f.Header.Get("Content-Disposition"))
	}
	if r := c.get("/review/documents?kind=contract&lang=en"); !strings.Contains(r.body, `data-document="`+con.ID+`"`) || strings.Contains(r.body, `data-document="`+doc.ID+`"`) {
		t.Errorf("kind=contract lists the wrong documents")
	}
}

// TestDocumentPagesScope: another store's manager gets 404, not the
// document, on every page and form of a document (the page, the original,
// a match, the receipt's review and its posting), and changes nothing; a
// counter of the store may read the page but a crafted match is refused.
func TestDocumentPagesScope(t *testing.T) {
	w := newWorld(t, review.Options{})
	desk := w.withDocuments(t)
	photo, ex := po01(t)
	doc := desk.upload(t, "E007", stock.DocPurchaseOrder, photo, ex, 0)
	page := "/review/documents/" + doc.ID

	mk := w.client()
	mk.mustSignIn("E014", w.pins["E014"]) // the manager of HK-MK
	csrf := csrfOf(t, mk.get("/review/documents?lang=en").body)
	receipt := url.Values{"csrf": {csrf}, "include:0": {"1"}, "qty:0": {"1"}, "sku:0": {doc.Lines[0].MatchedSKU}, "price:0": {doc.Lines[0].UnitPrice}}
	for _, x := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", page, nil},
		{"GET", page + "/file", nil},
		{"GET", page + "?pick=1&q=beer", nil},
		{"POST", page + "/lines/1/match", url.Values{"csrf": {csrf}, "sku": {"SKU-000033"}}},
		{"POST", page + "/receive/review", receipt},
		{"POST", page + "/receive", receipt},
	} {
		sep := "?"
		if strings.Contains(x.path, "?") {
			sep = "&"
		}
		r := mk.do(x.method, x.path+sep+"lang=en", x.form)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("another store's manager: %s %s: %d, want 404", x.method, x.path, r.StatusCode)
		}
		if strings.Contains(r.body, "PO/2024/5426") || strings.Contains(r.body, "Lee Hing") {
			t.Errorf("%s %s shows the document to another store's manager", x.method, x.path)
		}
	}

	cc := w.client()
	cc.mustSignIn("E009", w.pins["E009"]) // a counter of HK-TST
	r := cc.get(page + "?lang=en")
	if r.StatusCode != 200 {
		t.Fatalf("counter reads: %d", r.StatusCode)
	}
	r = cc.post(page+"/lines/1/match?lang=en", url.Values{"csrf": {csrfOf(t, r.body)}, "sku": {"SKU-000033"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("a counter's match: %d, want 403", r.StatusCode)
	}

	got, err := w.svc.Document(context.Background(), w.actor("E007"), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Receipt != nil || got.Lines[1].MatchConfirmed || got.Lines[1].MatchedSKU != doc.Lines[1].MatchedSKU {
		t.Fatalf("refused requests changed the document: receipt %v, line 2 %+v", got.Receipt, got.Lines[1])
	}
}

// TestDocumentDateAmbiguous: a printed date that reads either way round
// is shown with its printed form and a warning, in both languages; a
// date that reads one way only is shown plain.
func TestDocumentDateAmbiguous(t *testing.T) {
	w := newWorld(t, review.Options{})
	desk := w.withDocuments(t)
	photo, ex := po01(t)
	plain := desk.upload(t, "E007", stock.DocPurchaseOrder, photo, ex, 0)
	ex.Header.Date, ex.Header.DatePrinted, ex.Header.DateAmbiguous = "2024-03-05", "05/03/2024", true
	amb := desk.upload(t, "E007", stock.DocPurchaseOrder, photo, ex, 1)
	if amb.Header == nil || !amb.Header.DateAmbiguous || amb.Header.DatePrinted != "05/03/2024" {
		t.Fatalf("stored header %+v: the ambiguity was lost", amb.Header)
	}
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])
	r := c.get("/review/documents/" + amb.ID + "?lang=en")
	contains(t, r.body, `id="doc-date-ambiguous"`, "2024-03-05", "printed 05/03/2024: day and month could be either way round")
	contains(t, c.get("/review/documents/"+amb.ID+"?lang=zh-Hant").body, "印為 05/03/2024：日、月次序可互換")
	lacks(t, c.get("/review/documents/"+plain.ID+"?lang=en").body, `id="doc-date-ambiguous"`)
}
