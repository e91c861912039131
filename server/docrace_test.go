package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"pandian/jobs"
	"pandian/stock"
)

// raceDocument uploads a purchase order of two description-only lines
// (unconfirmed guesses) and one barcode line (SKU-000001, confirmed and
// filed) read from a unique image n, and waits until it is read.
func raceDocument(t *testing.T, s *testServer, tr *transcripts, mgr string, n int, fields ...docPart) stock.Document {
	t.Helper()
	photo := tr.add(t, n, stock.Extraction{
		Header: stock.DocHeader{Supplier: "Lee Hing", PONumber: fmt.Sprintf("PO/RACE/%d", n), Total: "201.72"},
		Lines: []stock.DocLine{
			line("", "", "漂白水 2公升 Bleach 2L", 6, "11.73", "70.38"),
			line("", "", "漂白水 2公升 Bleach 2L", 6, "11.73", "70.38"),
			line("", "4894033001501", "Lemon Tea 250ml", 24, "2.54", "60.96"),
		}})
	code, b := s.uploadDoc(mgr, append([]docPart{{"kind", "purchase_order"}, {"location", "HK-TST"}}, fields...), fmt.Sprintf("race%d.png", n), photo)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	json.Unmarshal(b, &up)
	d := s.waitDocument(mgr, up.ID, time.Minute)
	if d.Status != stock.DocNeedsReview || len(d.Lines) != 3 || d.Lines[0].MatchConfirmed || d.Lines[1].MatchConfirmed {
		t.Fatalf("read: %s %+v", d.Status, d.Lines)
	}
	return d
}

// TestDocumentConcurrentWrites: confirmations of two lines of a document
// and its receipt, sent at the same moment, all keep what they wrote: the
// document is read locked (FOR UPDATE on PostgreSQL, where READ COMMITTED
// would otherwise let the last writer overwrite the row: a receipt or a
// confirmation lost). Many rounds, SQLite and PostgreSQL.
func TestDocumentConcurrentWrites(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		s := startDocServer(t, db, tr, nil)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		rounds := 12
		if testing.Short() {
			rounds = 4
		}
		for i := range rounds {
			d := raceDocument(t, s, tr, mgr, 1000+i)
			type answer struct {
				code int
				body string
			}
			var wg sync.WaitGroup
			answers := make([]answer, 3)
			start := make(chan struct{})
			send := func(k int, path string, v any) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					resp, b := s.do("POST", path, mgr, v)
					answers[k] = answer{resp.StatusCode, string(b)}
				}()
			}
			send(0, "/v1/documents/"+d.ID+"/lines/0/match", map[string]string{"sku": "SKU-000010"})
			send(1, "/v1/documents/"+d.ID+"/lines/1/match", map[string]string{"sku": "SKU-000011"})
			receive := i%2 == 0 // every other round: confirm against confirm only
			if receive {
				send(2, "/v1/documents/"+d.ID+"/receive", stock.ReceiveInput{Location: "HK-TST",
					Lines: []stock.ReceiptLine{{MatchedSKU: "SKU-000010", Qty: 6}, {MatchedSKU: "SKU-000011", Qty: 6}}})
			}
			close(start)
			wg.Wait()
			var got stock.Document
			s.mustJSON("GET", "/v1/documents/"+d.ID, mgr, nil, 200, &got)
			if receive {
				if answers[2].code != 200 {
					t.Fatalf("round %d: receive %d %s", i, answers[2].code, answers[2].body)
				}
				if got.Receipt == nil {
					t.Fatalf("round %d: the receipt was lost (confirmations %d, %d)", i, answers[0].code, answers[1].code)
				}
			}
			for k, want := range []string{"SKU-000010", "SKU-000011"} {
				l := got.Lines[k]
				switch answers[k].code {
				case 200:
					if !l.MatchConfirmed || l.MatchedSKU != want {
						t.Fatalf("round %d: line %d confirmed (200) but lost: %+v", i, k, l)
					}
					if !slices.Contains(got.SKUs, want) {
						t.Fatalf("round %d: skus %v lack %s", i, got.SKUs, want)
					}
				case 409:
					if !receive || l.MatchConfirmed {
						t.Fatalf("round %d: line %d: 409 %s, line %+v", i, k, answers[k].body, l)
					}
				default:
					t.Fatalf("round %d: line %d: %d %s", i, k, answers[k].code, answers[k].body)
				}
			}
			if !receive && got.Status != stock.DocDone {
				t.Errorf("round %d: both guesses confirmed: status %s, want done", i, got.Status)
			}
		}
	})
}

// TestDocumentRefileRace: a line corrected back and forth (SKU-000001 →
// SKU-000003 → SKU-000001 …) quickly, its refile jobs run by three
// runners at once: once the queue is empty, the document is in exactly
// the folders of the SKUs it concerns. SQLite and PostgreSQL.
func TestDocumentRefileRace(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		s := startDocServer(t, db, tr, nil)
		ctx, cancel := context.WithCancel(context.Background())
		var runners sync.WaitGroup
		for range 2 { // with the app's own: three
			r := jobs.NewRunner(s.app.store)
			r.Poll = 10 * time.Millisecond
			r.Handle(stock.JobsRefile, jobs.Options{Lease: time.Minute, BaseDelay: 100 * time.Millisecond}, s.app.svc.RunRefileJob)
			runners.Add(1)
			go func() { defer runners.Done(); r.Run(ctx) }()
		}
		t.Cleanup(func() { cancel(); runners.Wait() })
		mgr := employeeWith(t, "store_manager", "HK-TST")
		rounds := 6
		if testing.Short() {
			rounds = 2
		}
		for i := range rounds {
			d := raceDocument(t, s, tr, mgr, 2000+i)
			flips := 5 + i
			for f := range flips {
				sku := []string{"SKU-000003", "SKU-000001"}[f%2]
				if resp, b := s.do("POST", "/v1/documents/"+d.ID+"/lines/2/match", mgr, map[string]string{"sku": sku}); resp.StatusCode != 200 {
					t.Fatalf("round %d flip %d: %d %s", i, f, resp.StatusCode, b)
				}
			}
			waitUntil(t, time.Minute, "the refile jobs done", func() bool {
				st, err := s.app.store.JobQueueStats(context.Background(), time.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range st {
					if q.Kind == stock.JobsRefile && q.Waiting+q.Running > 0 {
						return false
					}
				}
				return true
			})
			var got stock.Document
			s.mustJSON("GET", "/v1/documents/"+d.ID, mgr, nil, 200, &got)
			for _, k := range []string{"SKU-000001", "SKU-000003"} {
				filed := slices.Contains(s.objects("skus/"+k+"/documents/"), "skus/"+k+"/documents/"+d.ID+".json")
				if named := slices.Contains(got.SKUs, k); filed != named {
					t.Fatalf("round %d (%d flips): %s named %v (skus %v), filed %v: %v", i, flips, k, named, got.SKUs, filed, s.objects("skus/"+k+"/documents/"))
				}
			}
		}
	})
}

// TestDocumentCorrectionKeepsUploadSKUs: a SKU given at upload
// (SKU-000001) that a barcode line also matched stays the document's, and
// in its folder, when that line is corrected (SKU-000003); correcting it
// again (SKU-000004) drops SKU-000003, which only that line named. SQLite
// and PostgreSQL (the upload's SKUs are kept with the document's content).
func TestDocumentCorrectionKeepsUploadSKUs(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		s := startDocServer(t, db, tr, nil)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		d := raceDocument(t, s, tr, mgr, 3000, docPart{"skus", "SKU-000001"})
		if !slices.Equal(d.SKUs, []string{"SKU-000001"}) {
			t.Fatalf("skus after reading %v", d.SKUs)
		}
		var got stock.Document
		for _, sku := range []string{"SKU-000003", "SKU-000004"} {
			s.mustJSON("POST", "/v1/documents/"+d.ID+"/lines/2/match", mgr, map[string]string{"sku": sku}, 200, &got)
		}
		want := []string{"SKU-000001", "SKU-000004"}
		if !slices.Equal(got.SKUs, want) {
			t.Fatalf("skus %v, want %v", got.SKUs, want)
		}
		waitUntil(t, 30*time.Second, "the document refiled", func() bool {
			return len(s.objects("skus/SKU-000004/documents/")) == 1 && len(s.objects("skus/SKU-000003/documents/")) == 0
		})
		if len(s.objects("skus/SKU-000001/documents/")) != 1 {
			t.Fatalf("taken out of the folder of SKU-000001, given at upload")
		}
	})
}

// TestDocumentStatusRule: one rule settles a read document's status, when
// the reading ends and after a confirmation: a warning that needs no
// person (a page read turned) holds back neither. SQLite and PostgreSQL.
func TestDocumentStatusRule(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		tr := &transcripts{}
		s := startDocServer(t, db, tr, nil)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		upload := func(n int, lines ...stock.DocLine) stock.Document {
			photo := tr.add(t, n, stock.Extraction{
				Header:   stock.DocHeader{Supplier: "Lee Hing", PONumber: fmt.Sprintf("PO/ST/%d", n), Total: "60.96"},
				Lines:    lines,
				Warnings: []string{"page 1 was read turned by 90°"},
			})
			code, b := s.uploadDoc(mgr, []docPart{{"kind", "purchase_order"}, {"location", "HK-TST"}}, "st.png", photo)
			if code != 202 {
				t.Fatalf("upload: %d %s", code, b)
			}
			var up stock.Document
			json.Unmarshal(b, &up)
			return s.waitDocument(mgr, up.ID, time.Minute)
		}
		read := upload(4000, line("", "4894033001501", "Lemon Tea 250ml", 24, "2.54", "60.96"))
		if read.Status != stock.DocDone {
			t.Errorf("read, nothing to review, a warning: status %s, want done", read.Status)
		}
		guess := upload(4001, line("", "", "Lemon Tea 250ml drink", 24, "2.54", "60.96"))
		if guess.Status != stock.DocNeedsReview || guess.Lines[0].MatchConfirmed {
			t.Fatalf("a description-only line: status %s, line %+v", guess.Status, guess.Lines[0])
		}
		var got stock.Document
		s.mustJSON("POST", "/v1/documents/"+guess.ID+"/lines/0/match", mgr, map[string]string{"sku": "SKU-000001"}, 200, &got)
		if got.Status != stock.DocDone || len(got.Warnings) != 1 {
			t.Errorf("confirmed, a warning: status %s (warnings %v), want done", got.Status, got.Warnings)
		}
	})
}
