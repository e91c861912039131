package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pandian/ocr/potruth"
	"pandian/ocr/realtruth"
	"pandian/stock"
)

// purchaseOrdersDir holds the shared photographed purchase orders.
const purchaseOrdersDir = "../../shared/data/purchase-orders"

// BenchmarkPurchaseOrdersAPI runs the whole document pipeline through the
// HTTP API on the 15 shared photographed purchase orders, delivery notes
// and invoices: their items are imported into the catalog (beside the 739
// demo SKUs as distractors), each photo is uploaded, read by the OCR job
// and matched to the catalog. It reports line-item precision, recall and
// F1 (a line is right when its SKU or barcode, quantity and unit price
// match), wrong lines not flagged for review, catalog-match accuracy,
// header exact match, seconds per page and pages per minute with one and
// two OCR workers, and, in the same run, bare `tesseract --psm 6` on the
// same photos.
func BenchmarkPurchaseOrdersAPI(b *testing.B) {
	truths, err := potruth.LoadDir(purchaseOrdersDir)
	if err != nil || len(truths) == 0 {
		b.Skipf("no purchase orders in %s: %v", purchaseOrdersDir, err)
	}
	pages := float64(len(truths))
	var perWorkers [3]float64 // pages per minute
	for _, workers := range []int{1, 2} {
		cfg := testConfig(b, "sqlite")
		cfg.OCRWorkers = workers
		s := startServerWith(b, cfg)
		importTruthCatalog(b, s, truths)
		start := time.Now()
		ids := make([]string, len(truths))
		for i, tr := range truths {
			photo, err := os.ReadFile(tr.Photo)
			if err != nil {
				b.Fatal(err)
			}
			kind := map[string]string{"PO": "purchase_order", "DN": "delivery_note", "RC": "invoice"}[tr.DocType]
			code, body := s.uploadDoc("A001", []docPart{{"kind", kind}, {"location", "HK-TST"}}, filepath.Base(tr.Photo), photo)
			if code != 202 {
				b.Fatalf("upload %s: %d %s", tr.ID, code, body)
			}
			var d stock.Document
			json.Unmarshal(body, &d)
			ids[i] = d.ID
		}
		docs := make([]stock.Document, len(ids))
		for i, id := range ids {
			docs[i] = s.waitDocument("A001", id, 10*time.Minute)
		}
		elapsed := time.Since(start)
		perWorkers[workers] = pages / elapsed.Minutes()
		b.Logf("%d OCR worker(s): %d pages in %.1f s: %.1f pages/min", workers, len(truths), elapsed.Seconds(), perWorkers[workers])
		if workers == 2 {
			scorePipeline(b, truths, docs, elapsed.Seconds()/pages*float64(workers))
		}
	}
	b.ReportMetric(perWorkers[1], "pages/min-1w")
	b.ReportMetric(perWorkers[2], "pages/min-2w")
	b.ReportMetric(perWorkers[2]/perWorkers[1], "speedup-2w")
	bare := bareTesseract(b, truths)
	b.ReportMetric(bare, "s/page-bare")
	pipeline := 60 / perWorkers[1]
	b.ReportMetric(pipeline, "s/page-1w")
	b.ReportMetric(pipeline/bare, "x-bare")
	b.Logf("seconds per page: pipeline (1 worker, upload to done) %.2f, bare tesseract --psm 6 %.2f: %.2f×", pipeline, bare, pipeline/bare)
}

// importTruthCatalog imports the items of the documents as SKUs: codes
// keyed by SKU become SKUs, EAN-13s become barcodes of SKUs "PO-<ean>".
func importTruthCatalog(b *testing.B, s *testServer, truths []*potruth.Truth) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"sku", "name", "name_zh", "category", "unit_cost", "barcode", "pack_qty"})
	seen := map[string]bool{}
	for _, tr := range truths {
		for _, it := range tr.Items {
			if seen[it.SKU] {
				continue
			}
			seen[it.SKU] = true
			sku, barcode := it.SKU, ""
			if it.IDType == "ean13" {
				sku, barcode = "PO-"+it.SKU, it.SKU
			}
			w.Write([]string{sku, it.DescriptionEN, it.DescriptionZH, "supplier", potruth.Money(it.UnitPrice), barcode, "1"})
		}
	}
	w.Flush()
	resp, body := s.raw("POST", "/v1/imports/catalog", "A001", "text/csv", buf.Bytes())
	if resp.StatusCode != 200 {
		b.Fatalf("catalog import: %d %s", resp.StatusCode, body)
	}
}

// expectedSKU is the catalog SKU of a truth item (see importTruthCatalog).
func expectedSKU(it potruth.Item) string {
	if it.IDType == "ean13" {
		return "PO-" + it.SKU
	}
	return it.SKU
}

// scorePipeline scores the documents read through the API against the
// truth and reports the figures.
func scorePipeline(b *testing.B, truths []*potruth.Truth, docs []stock.Document, secPerPage float64) {
	var total potruth.Score
	var num, date, tot, matched, matchable int
	layouts := map[string]*potruth.Score{}
	fmt.Printf("%-5s %-6s %5s %5s %5s %6s %6s %6s  number date total  status\n", "doc", "layout", "truth", "got", "right", "P", "R", "F1")
	for i, tr := range truths {
		d := docs[i]
		lines := make([]potruth.Line, len(d.Lines))
		for j, l := range d.Lines {
			id := l.Barcode
			if id == "" {
				id = l.SKU
			}
			lines[j] = potruth.Line{ID: id, Qty: l.Qty, UnitPrice: l.UnitPrice, NeedsReview: l.NeedsReview}
			for _, it := range tr.Items {
				if it.SKU == id && it.Qty == l.Qty && potruth.Money(it.UnitPrice) == l.UnitPrice {
					matchable++
					if l.MatchedSKU == expectedSKU(it) {
						matched++
					}
					break
				}
			}
		}
		sc := tr.ScoreLines(lines)
		total.Add(sc)
		if layouts[tr.Render.Layout] == nil {
			layouts[tr.Render.Layout] = &potruth.Score{}
		}
		layouts[tr.Render.Layout].Add(sc)
		h := potruth.HeaderScore{}
		if d.Header != nil {
			h = tr.ScoreHeader(d.Header.PONumber, d.Header.Date, d.Header.Total)
		}
		num, date, tot = num+b2i(h.DocNumber), date+b2i(h.Date), tot+b2i(h.Total)
		fmt.Printf("%-5s %-6s %5d %5d %5d %6.2f %6.2f %6.2f  %-6v %-5v %-5v  %s\n", tr.ID, tr.Render.Layout, sc.Truth, sc.Got, sc.Right,
			sc.Precision(), sc.Recall(), sc.F1(), h.DocNumber, h.Date, h.Total, d.Status)
	}
	for _, l := range []string{"L1", "L2", "L3"} {
		if sc := layouts[l]; sc != nil {
			fmt.Printf("layout %s: P %.3f R %.3f F1 %.3f\n", l, sc.Precision(), sc.Recall(), sc.F1())
		}
	}
	n := float64(len(truths))
	fmt.Printf("overall: P %.3f R %.3f F1 %.3f; wrong lines not flagged %d (flagged %d); catalog match %d/%d; header number %.2f date %.2f total %.2f; %.2f s/page per worker\n",
		total.Precision(), total.Recall(), total.F1(), total.WrongUnflagged, total.WrongFlagged, matched, matchable,
		float64(num)/n, float64(date)/n, float64(tot)/n, secPerPage)
	b.ReportMetric(total.Precision(), "precision")
	b.ReportMetric(total.Recall(), "recall")
	b.ReportMetric(total.F1(), "F1")
	b.ReportMetric(float64(total.WrongUnflagged), "wrong-unflagged")
	if matchable > 0 {
		b.ReportMetric(float64(matched)/float64(matchable), "catalog-match")
	}
	b.ReportMetric(float64(num)/n, "header-number")
	b.ReportMetric(float64(date)/n, "header-date")
	b.ReportMetric(float64(tot)/n, "header-total")
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// bareTesseract runs `tesseract <photo> - --psm 6 -l eng+chi_tra` with
// OMP_THREAD_LIMIT=1 on every photo and returns the seconds per page.
func bareTesseract(b *testing.B, truths []*potruth.Truth) float64 {
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract CLI not installed")
	}
	start := time.Now()
	for _, tr := range truths {
		cmd := exec.CommandContext(context.Background(), "tesseract", tr.Photo, "-", "--psm", "6", "-l", "eng+chi_tra")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tesseract %s: %v: %s", tr.ID, err, strings.TrimSpace(string(out)))
		}
	}
	return time.Since(start).Seconds() / float64(len(truths))
}

// realDocumentsDir holds the real receipts with ground truth.
const realDocumentsDir = "../../shared/data/real-documents"

// BenchmarkRealDocumentsAPI runs the real receipts of
// shared/data/real-documents through the HTTP API (upload as an invoice at
// HK-TST, OCR job with one worker, GET the document) and, in the same run,
// bare `tesseract --psm 6` with the naive row rule (realtruth.Naive) on the
// same images. Header fields (total, date, supplier) and line items are
// scored per half: dev (tuned on) and held-out (the figure that counts).
// Time per page: upload to done against the tesseract process, wall and
// CPU (the server runs in this process, so its CPU time is this process's).
func BenchmarkRealDocumentsAPI(b *testing.B) {
	docs, err := realtruth.Load(realDocumentsDir)
	if err != nil {
		b.Skipf("no real documents in %s: %v", realDocumentsDir, err)
	}
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract CLI not installed")
	}
	cfg := testConfig(b, "sqlite")
	cfg.OCRWorkers = 1
	s := startServerWith(b, cfg)
	type half struct {
		ours, bare                     realtruth.Tally
		oursCPU, bareCPU, oursW, bareW float64
		done, pages                    int
	}
	halves := map[string]*half{}
	for _, d := range docs {
		img, err := os.ReadFile(d.Image)
		if err != nil {
			b.Fatal(err)
		}
		c0, t0 := processCPU(), time.Now()
		code, body := s.uploadDoc("A001", []docPart{{"kind", "invoice"}, {"location", "HK-TST"}}, filepath.Base(d.Image), img)
		if code != 202 {
			b.Fatalf("upload %s: %d %s", d.ID, code, body)
		}
		var up stock.Document
		json.Unmarshal(body, &up)
		got := s.waitDocument("A001", up.ID, 10*time.Minute)
		wall, cpu := time.Since(t0).Seconds(), (processCPU() - c0).Seconds()
		var r realtruth.Result
		if got.Header != nil {
			r = realtruth.Result{Total: got.Header.Total, Date: got.Header.Date, Supplier: got.Header.Supplier}
		}
		for _, l := range got.Lines {
			r.Lines = append(r.Lines, realtruth.Line{Desc: l.Description, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount, NeedsReview: l.NeedsReview})
		}
		cmd := exec.Command("tesseract", d.Image, "-", "--psm", "6", "-l", "eng+chi_tra")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		bt0 := time.Now()
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("tesseract %s: %v", d.ID, err)
		}
		bw := time.Since(bt0).Seconds()
		bc := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		bare := realtruth.Naive(string(out))
		h := halves[d.Half]
		if h == nil {
			h = &half{}
			halves[d.Half] = h
		}
		h.ours.Add(d, r)
		h.bare.Add(d, bare)
		h.oursCPU, h.oursW, h.bareCPU, h.bareW = h.oursCPU+cpu, h.oursW+wall, h.bareCPU+bc, h.bareW+bw
		h.pages++
		if got.Status == stock.DocDone {
			h.done++
		}
		so, sb := d.ScoreLines(r.Lines), d.ScoreLines(bare.Lines)
		fmt.Printf("%-9s %-8s lines %d/%d (got %d) bare %d/%d (got %d)  total %v/%v date %v/%v supplier %v/%v  %s  %.1f s CPU, bare %.1f s\n",
			d.ID, d.Half, so.Right, so.Truth, so.Got, sb.Right, sb.Truth, sb.Got,
			d.TotalMatches(r.Total), d.TotalMatches(bare.Total), d.DateMatches(r.Date), d.DateMatches(bare.Date),
			realtruth.SupplierMatches(r.Supplier, d.Company), realtruth.SupplierMatches(bare.Supplier, d.Company), got.Status, cpu, bc)
	}
	for _, name := range []string{realtruth.Dev, realtruth.HeldOut} {
		h := halves[name]
		if h == nil {
			continue
		}
		fmt.Printf("== %s: %d documents, %d done\n", name, h.pages, h.done)
		for _, x := range []struct {
			who string
			t   realtruth.Tally
		}{{"API", h.ours}, {"bare+regex", h.bare}} {
			l := x.t.Lines
			fmt.Printf("%-10s lines P %.3f R %.3f F1 %.3f (%d/%d, read %d, wrong unflagged %d); total %d/%d date %d/%d supplier %d/%d\n", x.who,
				l.Precision(), l.Recall(), l.F1(), l.Right, l.Truth, l.Got, l.WrongUnflagged,
				x.t.Totals, x.t.TotalDocs, x.t.Dates, x.t.DateDocs, x.t.Suppliers, x.t.SupplierDocs)
		}
		n := float64(h.pages)
		fmt.Printf("seconds per page: API %.2f wall / %.2f CPU, bare %.2f wall / %.2f CPU: %.2f× wall, %.2f× CPU; F1 %.2f× the baseline's\n",
			h.oursW/n, h.oursCPU/n, h.bareW/n, h.bareCPU/n, h.oursW/h.bareW, h.oursCPU/h.bareCPU, h.ours.Lines.F1()/max(h.bare.Lines.F1(), 1e-9))
		p := strings.ReplaceAll(name, "-", "")
		b.ReportMetric(h.ours.Lines.F1(), p+"-F1")
		b.ReportMetric(h.bare.Lines.F1(), p+"-F1-bare")
		b.ReportMetric(realtruth.Frac(h.ours.Totals, h.ours.TotalDocs), p+"-total")
		b.ReportMetric(realtruth.Frac(h.ours.Dates, h.ours.DateDocs), p+"-date")
		b.ReportMetric(realtruth.Frac(h.ours.Suppliers, h.ours.SupplierDocs), p+"-supplier")
		b.ReportMetric(h.oursCPU/h.bareCPU, p+"-cpu-x-bare")
	}
}

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
