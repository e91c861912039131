package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/jobs"
	mobileapi "pandian/mobile-api"
	"pandian/ocr"
	"pandian/stock"
)

// transcripts is a stock.DocumentReader that answers, for each file it is
// given, the lines a test says were read from it (by the file's SHA-256).
// It stands in for the OCR engine only: the upload, the catalog matching,
// the job queue, the database and the object store are the server's own.
// (OCR accuracy is tested on real photographs in documents_read_test.go.)
type transcripts struct {
	mu sync.Mutex
	by map[[32]byte]stock.Extraction
}

func (tr *transcripts) ReadDocument(_ context.Context, r io.Reader, _ string, _ func(float64)) (stock.Extraction, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return stock.Extraction{}, err
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	ex, ok := tr.by[sha256.Sum256(b)]
	if !ok {
		return stock.Extraction{}, stock.Errorf(stock.EInvalid, "no transcript for this file")
	}
	ex.Lines = slices.Clone(ex.Lines) // each reading its own lines, as the engine's
	return ex, nil
}

// add registers what reading a new small PNG (unique per n) finds and
// returns the PNG.
func (tr *transcripts) add(t testing.TB, n int, ex stock.Extraction) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(n), uint8(n >> 8), uint8(x * 4), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.by == nil {
		tr.by = map[[32]byte]stock.Extraction{}
	}
	ex.Pages = 1
	tr.by[sha256.Sum256(buf.Bytes())] = ex
	return buf.Bytes()
}

// docClock is the service's clock in the documents tests (uploads dated
// on given days).
type docClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *docClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *docClock) set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

// startDocServer is a server whose documents are "read" by tr, with a job
// runner for the reading (the server registers it only with an OCR
// engine), on db.
func startDocServer(t *testing.T, db string, tr *transcripts, clk *docClock) *testServer {
	t.Helper()
	cfg := testConfig(t, db)
	s := serveTestApp(t, cfg, true, func(a *app, _ *mobileapi.Options) {
		a.svc.SetDocuments(a.files, documents{lim: ocr.DefaultLimits}, tr, stock.DocumentOptions{MaxBytes: cfg.MaxDocument})
		if clk != nil {
			a.svc.Now = clk.now
		}
	})
	s.client = &http.Client{Timeout: 2 * time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	r := jobs.NewRunner(s.app.store)
	r.Poll = 50 * time.Millisecond
	r.Handle(stock.JobsDocuments, jobs.Options{Lease: time.Minute, BaseDelay: time.Second}, s.app.svc.RunDocumentJob)
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// line is a line as read from a document.
func line(sku, barcode, desc string, qty int64, price, amount string) stock.DocLine {
	return stock.DocLine{SKU: sku, Barcode: barcode, Description: desc, Qty: qty, UnitPrice: price, Amount: amount, Confidence: 0.95}
}

// TestDocumentFilingRule: a purchase order's barcode and SKU-code matches
// file it in their SKUs' folders at once; a description-only guess ("Bleach
// 2L" taken for "Bleach 1L") does not, until a person confirms or corrects
// it through POST /v1/documents/{id}/lines/{line}/match (audited, refiled
// by a job; a corrected confirmed match takes the document out of the old
// SKU's folder); a received document's matches are final; roles and
// inputs are checked. SQLite and PostgreSQL.
func TestDocumentFilingRule(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		s := startDocServer(t, db, tr, nil)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		counter := employeeWith(t, "counter", "HK-TST")
		photo := tr.add(t, 1, stock.Extraction{
			Header: stock.DocHeader{Supplier: "Lee Hing", PONumber: "PO/2026/0001", Total: "160.14"},
			Lines: []stock.DocLine{
				line("", "4894033001501", "Lemon Tea 250ml", 24, "2.54", "60.96"), // SKU-000001 by barcode
				line("", "", "漂白水 2公升 Bleach 2L", 6, "11.73", "70.38"),            // a guess: SKU-000591 (Bleach 1L)
				line("SKU-000002", "", "", 12, "2.40", "28.80"),                   // by SKU code
			}})
		code, b := s.uploadDoc(mgr, []docPart{{"kind", "purchase_order"}, {"location", "HK-TST"}}, "po.png", photo)
		if code != 202 {
			t.Fatalf("upload: %d %s", code, b)
		}
		var up stock.Document
		json.Unmarshal(b, &up)
		d := s.waitDocument(mgr, up.ID, time.Minute)
		if d.Status != stock.DocNeedsReview || len(d.Lines) != 3 {
			t.Fatalf("read: status %s (%s), lines %+v", d.Status, d.Error, d.Lines)
		}
		guess := d.Lines[1]
		if guess.MatchedBy != "description" || guess.MatchConfirmed || guess.MatchedSKU == "" || !guess.NeedsReview {
			t.Fatalf("the description line: %+v, want an unconfirmed description match", guess)
		}
		if !d.Lines[0].MatchConfirmed || d.Lines[0].MatchedSKU != "SKU-000001" || !d.Lines[2].MatchConfirmed || d.Lines[2].MatchedSKU != "SKU-000002" {
			t.Fatalf("code matches not confirmed: %+v", d.Lines)
		}
		if !slices.Equal(d.SKUs, []string{"SKU-000001", "SKU-000002"}) {
			t.Fatalf("skus %v: the guess %s must not be among them", d.SKUs, guess.MatchedSKU)
		}
		if keys := s.objects("skus/" + guess.MatchedSKU + "/documents/"); len(keys) != 0 {
			t.Fatalf("filed under the guessed SKU before anyone confirmed it: %v", keys)
		}
		for _, k := range []string{"SKU-000001", "SKU-000002"} {
			if keys := s.objects("skus/" + k + "/documents/"); len(keys) != 1 {
				t.Fatalf("folder of %s: %v", k, keys)
			}
		}
		var list struct{ Documents []stock.Document }
		s.mustJSON("GET", "/v1/skus/"+guess.MatchedSKU+"/documents", mgr, nil, 200, &list)
		if len(list.Documents) != 0 {
			t.Fatalf("listed under the guessed SKU: %+v", list.Documents)
		}

		match := func(as string, n int, sku string) (*http.Response, []byte) {
			return s.do("POST", fmt.Sprintf("/v1/documents/%s/lines/%d/match", d.ID, n), as, map[string]string{"sku": sku})
		}
		// Refusals.
		if resp, b := match(counter, 1, "SKU-000592"); resp.StatusCode != 403 {
			t.Fatalf("a counter confirms: %d %s", resp.StatusCode, b)
		}
		if resp, b := match(mgr, 1, "SKU-999999"); resp.StatusCode != 422 || errorCode(t, b) != "invalid" {
			t.Fatalf("unknown sku: %d %s", resp.StatusCode, b)
		}
		if resp, b := match(mgr, 9, "SKU-000592"); resp.StatusCode != 404 {
			t.Fatalf("no such line: %d %s", resp.StatusCode, b)
		}
		if resp, b := s.do("POST", "/v1/documents/"+d.ID+"/lines/x/match", mgr, map[string]string{"sku": "SKU-000592"}); resp.StatusCode != 422 {
			t.Fatalf("line x: %d %s", resp.StatusCode, b)
		}
		other := employeeWith(t, "store_manager", "HK-KT")
		if resp, b := match(other, 1, "SKU-000592"); resp.StatusCode != 404 {
			t.Fatalf("another store's manager: %d %s", resp.StatusCode, b)
		}

		// The guess corrected: filed under the SKU the person chose.
		resp, b := match(mgr, 1, "SKU-000592")
		if resp.StatusCode != 200 {
			t.Fatalf("correct: %d %s", resp.StatusCode, b)
		}
		var got stock.Document
		json.Unmarshal(b, &got)
		l := got.Lines[1]
		if l.MatchedSKU != "SKU-000592" || l.MatchedBy != "person" || !l.MatchConfirmed || l.ConfirmedBy != mgr || l.ConfirmedAt == nil || l.NeedsReview {
			t.Fatalf("corrected line %+v", l)
		}
		if !slices.Contains(got.SKUs, "SKU-000592") || slices.Contains(got.SKUs, guess.MatchedSKU) {
			t.Fatalf("skus after the correction %v", got.SKUs)
		}
		if got.Status != stock.DocDone {
			t.Errorf("every line reviewed: status %s, want done", got.Status)
		}
		waitUntil(t, 30*time.Second, "the document filed under SKU-000592", func() bool {
			return len(s.objects("skus/SKU-000592/documents/")) == 1
		})
		if keys := s.objects("skus/" + guess.MatchedSKU + "/documents/"); len(keys) != 0 {
			t.Fatalf("filed under the wrong guess: %v", keys)
		}

		// A barcode match corrected: out of the old SKU's folder.
		if resp, b := match(mgr, 0, "SKU-000003"); resp.StatusCode != 200 {
			t.Fatalf("correct the barcode line: %d %s", resp.StatusCode, b)
		}
		waitUntil(t, 30*time.Second, "the document moved from SKU-000001 to SKU-000003", func() bool {
			return len(s.objects("skus/SKU-000001/documents/")) == 0 && len(s.objects("skus/SKU-000003/documents/")) == 1
		})
		// A code match confirmed as it is.
		if resp, b := match(mgr, 2, "SKU-000002"); resp.StatusCode != 200 {
			t.Fatalf("confirm: %d %s", resp.StatusCode, b)
		}
		s.mustJSON("GET", "/v1/documents/"+d.ID, mgr, nil, 200, &got)
		if got.Lines[2].MatchedBy != "sku" || got.Lines[2].ConfirmedBy != mgr {
			t.Errorf("confirmed code match %+v", got.Lines[2])
		}
		if !slices.Equal(got.SKUs, []string{"SKU-000002", "SKU-000003", "SKU-000592"}) {
			t.Errorf("skus %v", got.SKUs)
		}
		s.mustJSON("GET", "/v1/skus/SKU-000001/documents", mgr, nil, 200, &list)
		if len(list.Documents) != 0 {
			t.Errorf("still listed under SKU-000001")
		}

		// Audited.
		var audit struct{ Entries []stock.AuditEntry }
		s.mustJSON("GET", "/v1/audit?entity="+url.QueryEscape("document:"+d.ID), "A001", nil, 200, &audit)
		var actions []string
		for _, e := range audit.Entries {
			if strings.HasPrefix(e.Action, "document.match") {
				actions = append(actions, fmt.Sprintf("%s %s %v→%v", e.Action, e.Actor, e.Details["from"], e.Details["to"]))
			}
		}
		want := []string{
			"document.match.confirm " + mgr + " SKU-000002→SKU-000002",
			"document.match.correct " + mgr + " SKU-000001→SKU-000003",
			"document.match.correct " + mgr + " " + guess.MatchedSKU + "→SKU-000592",
		}
		if !slices.Equal(actions, want) {
			t.Errorf("audit %q, want %q", actions, want)
		}

		// Received: the matches are final.
		var rec stock.Receipt
		in := stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{{MatchedSKU: "SKU-000592", Qty: 6}}}
		s.mustJSON("POST", "/v1/documents/"+d.ID+"/receive", mgr, in, 200, &rec)
		if resp, b := match(mgr, 1, "SKU-000591"); resp.StatusCode != 409 {
			t.Fatalf("match after the receipt: %d %s", resp.StatusCode, b)
		}
	})
}

// TestDocumentsListFilters: GET /v1/documents filters by status, kind,
// location and upload date, pages with cursor and limit through exactly
// the documents selected, keeps to the caller's scope, and refuses
// unknown values. SQLite and PostgreSQL.
func TestDocumentsListFilters(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		clk := &docClock{}
		s := startDocServer(t, db, tr, clk)
		admin := "A001"
		mgr := employeeWith(t, "store_manager", "HK-TST")
		s.token(admin) // signed in now: the token outlives the clock's past days
		s.token(mgr)
		day := func(d int) time.Time { return time.Date(2026, 11, d, 3, 0, 0, 0, time.UTC) }
		type want struct {
			id, kind, loc string
			at            time.Time
		}
		var docs []want
		upload := func(n int, kind, loc string, at time.Time, lines ...stock.DocLine) {
			clk.set(at)
			img := tr.add(t, n, stock.Extraction{Lines: lines})
			fields := []docPart{{"kind", kind}}
			if loc != "" {
				fields = append(fields, docPart{"location", loc})
			}
			code, b := s.uploadDoc(admin, fields, fmt.Sprintf("d%d.png", n), img)
			if code != 202 {
				t.Fatalf("upload %d: %d %s", n, code, b)
			}
			var d stock.Document
			json.Unmarshal(b, &d)
			docs = append(docs, want{d.ID, kind, loc, at})
		}
		ok := line("", "4894033001501", "Lemon Tea", 2, "2.54", "5.08")
		guess := line("", "", "漂白水 2公升 Bleach 2L", 1, "11.73", "11.73")
		upload(1, "purchase_order", "HK-TST", day(2), ok)
		upload(2, "delivery_note", "HK-TST", day(3), guess)
		upload(3, "purchase_order", "HK-KT", day(4), ok)
		upload(4, "invoice", "HK-TST", day(5), ok, guess)
		upload(5, "photo", "HK-TST", day(6))
		upload(6, "purchase_order", "HK-TST", day(7), ok)
		clk.set(time.Time{})
		for _, d := range docs {
			s.waitDocument(admin, d.id, time.Minute)
		}
		ids := func(as, query string, limit int) []string {
			t.Helper()
			var out []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				q := query + "&limit=" + fmt.Sprint(limit)
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				var page struct {
					Documents []stock.Document `json:"documents"`
					Next      string           `json:"next_cursor"`
				}
				s.mustJSON("GET", "/v1/documents?"+q, as, nil, 200, &page)
				if len(page.Documents) > limit {
					t.Fatalf("%s: %d documents on a page of %d", q, len(page.Documents), limit)
				}
				for _, d := range page.Documents {
					out = append(out, d.ID)
				}
				if page.Next == "" {
					return out
				}
				cursor = page.Next
			}
		}
		sel := func(f func(w want) bool) []string {
			var out []string
			for i := len(docs) - 1; i >= 0; i-- { // newest first
				if f(docs[i]) {
					out = append(out, docs[i].id)
				}
			}
			return out
		}
		check := func(as, query string, f func(w want) bool) {
			t.Helper()
			for _, limit := range []int{1, 2, 100} {
				if got, want := ids(as, query, limit), sel(f); !slices.Equal(got, want) {
					t.Errorf("%s as %s (limit %d): %v, want %v", query, as, limit, got, want)
				}
			}
		}
		all := func(want) bool { return true }
		check(admin, "", all)
		check(admin, "kind=purchase_order", func(w want) bool { return w.kind == "purchase_order" })
		check(admin, "location=HK-TST", func(w want) bool { return w.loc == "HK-TST" })
		check(admin, "status=needs_review", func(w want) bool { return w.kind == "delivery_note" || w.kind == "invoice" })
		check(admin, "created_since=2026-11-03&created_until=2026-11-06", func(w want) bool {
			return !w.at.Before(day(3).Truncate(24*time.Hour)) && w.at.Before(day(6).Truncate(24*time.Hour))
		})
		check(admin, "kind=purchase_order&location=HK-TST&created_since=2026-11-05", func(w want) bool {
			return w.kind == "purchase_order" && w.loc == "HK-TST" && w.at.After(day(5))
		})
		// A store manager sees the store's documents only.
		check(mgr, "", func(w want) bool { return w.loc == "HK-TST" })
		if resp, b := s.do("GET", "/v1/documents?location=HK-KT", mgr, nil); resp.StatusCode != 404 {
			t.Errorf("another store: %d %s", resp.StatusCode, b)
		}
		for _, q := range []string{"status=read", "kind=receipt", "created_since=yesterday", "limit=501", "cursor=zz"} {
			resp, b := s.do("GET", "/v1/documents?"+q, admin, nil)
			if resp.StatusCode != 422 || errorCode(t, b) != "invalid" {
				t.Errorf("%s: %d %s", q, resp.StatusCode, b)
			}
		}
	})
}
