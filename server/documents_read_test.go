package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/ocr"
	"pandian/stock"
	"pandian/storage/objstore/miniotest"
)

// truthDoc is the part of a generated document's ground truth the tests
// use.
type truthDoc struct {
	DocNumber string `json:"doc_number"`
	Date      string `json:"date"`
	Items     []struct {
		SKU       string  `json:"sku"`
		Qty       int64   `json:"qty"`
		UnitPrice float64 `json:"unit_price"`
	} `json:"items"`
}

// isRight reports whether a line read from the document has the code (the
// line's barcode or SKU, whichever is set), quantity and unit price of one
// of the truth's items.
func (d truthDoc) isRight(l stock.DocLine) bool {
	code := cmp.Or(l.Barcode, l.SKU)
	for _, it := range d.Items {
		if it.SKU == code && it.Qty == l.Qty && strconv.FormatFloat(it.UnitPrice, 'f', 2, 64) == l.UnitPrice {
			return true
		}
	}
	return false
}

func loadTruth(t *testing.T, name string) truthDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(docfixtures.Dir(), name))
	if err != nil {
		t.Fatal(err)
	}
	var d truthDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDocumentsRead: a photographed delivery note (generated, with ground
// truth) is OCR'd in the background with progress, its lines matched to
// the catalog; every line that disagrees with the truth is flagged for
// review; the reviewed lines post one goods receipt, idempotently.
func TestDocumentsRead(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.OCRWorkers = 1
	s := startServerWith(t, cfg)
	admin := "A001"
	photo, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc03.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	truth := loadTruth(t, "doc03.json")
	code, b := s.uploadDoc(admin, []docPart{{"kind", "delivery_note"}, {"location", "HK-KT"}}, "dn.jpg", photo)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	json.Unmarshal(b, &up)
	d := s.waitDocument(admin, up.ID, 3*time.Minute)
	if d.Status != stock.DocDone && d.Status != stock.DocNeedsReview {
		t.Fatalf("status %s (%s)", d.Status, d.Error)
	}
	if d.Header == nil || d.Header.PONumber != truth.DocNumber || d.Header.Date != truth.Date {
		t.Errorf("header %+v, want number %s date %s", d.Header, truth.DocNumber, truth.Date)
	}
	if c := d.Header.Confidence["po_number"]; c <= 0 || c > 1 {
		t.Errorf("header confidences %v", d.Header.Confidence)
	}
	for _, l := range d.Lines {
		if len(l.FieldConfidence) != 4 || l.Confidence > l.FieldConfidence["qty"]+1e-9 {
			t.Errorf("line confidences %v (line %v)", l.FieldConfidence, l.Confidence)
			break
		}
	}
	right := 0
	var receipt []stock.ReceiptLine
	for _, l := range d.Lines {
		ok := truth.isRight(l)
		if ok {
			right++
		} else if !l.NeedsReview {
			t.Errorf("wrong line not flagged for review: %+v", l)
		}
		if ok && l.MatchedSKU == "" {
			t.Errorf("line with a catalog barcode not matched: %+v", l)
		}
		if ok {
			receipt = append(receipt, stock.ReceiptLine{MatchedSKU: l.MatchedSKU, SKU: l.SKU, Qty: l.Qty, UnitPrice: l.UnitPrice})
		}
	}
	if right < len(truth.Items)*7/10 {
		t.Fatalf("%d of %d lines right; lines: %+v", right, len(truth.Items), d.Lines)
	}
	// Filed in the folders of the matched SKUs.
	for _, r := range receipt[:2] {
		if keys := s.objects("skus/" + r.MatchedSKU + "/documents/"); len(keys) != 1 {
			t.Errorf("folder of %s: %v", r.MatchedSKU, keys)
		}
	}
	before := bookQty(s, admin, "HK-KT", receipt[0].MatchedSKU)
	var rec stock.Receipt
	body := stock.ReceiveInput{Location: "HK-KT", Lines: receipt}
	s.mustJSON("POST", "/v1/documents/"+d.ID+"/receive", admin, body, 200, &rec)
	if rec.Duplicate || rec.Movements != len(receipt) {
		t.Fatalf("receipt %+v", rec)
	}
	after := bookQty(s, admin, "HK-KT", receipt[0].MatchedSKU)
	if after != before+receipt[0].Qty {
		t.Fatalf("book of %s: %d → %d, want +%d", receipt[0].MatchedSKU, before, after, receipt[0].Qty)
	}
	s.mustJSON("POST", "/v1/documents/"+d.ID+"/receive", admin, body, 200, &rec)
	if !rec.Duplicate || bookQty(s, admin, "HK-KT", receipt[0].MatchedSKU) != after {
		t.Fatalf("second receipt %+v posted again", rec)
	}
	body.Lines[0].Qty++
	if resp, b := s.do("POST", "/v1/documents/"+d.ID+"/receive", admin, body); resp.StatusCode != 409 {
		t.Fatalf("other lines: %d %s", resp.StatusCode, b)
	}
	counter := employeeWith(t, "counter", "HK-KT")
	if resp, b := s.do("POST", "/v1/documents/"+d.ID+"/receive", counter, body); resp.StatusCode != 403 {
		t.Fatalf("counter receives: %d %s", resp.StatusCode, b)
	}
}

// TestDocumentsReadPDF: an emailed two-page purchase order (PDF) is
// rasterised page by page and read whole: the lines of both pages.
func TestDocumentsReadPDF(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.OCRWorkers = 2
	s := startServerWith(t, cfg)
	pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	truth := loadTruth(t, "doc07.json")
	code, b := s.uploadDoc("A001", []docPart{{"kind", "purchase_order"}, {"location", "HK-KT"}}, "po.pdf", pdf)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	json.Unmarshal(b, &up)
	d := s.waitDocument("A001", up.ID, 3*time.Minute)
	if d.Pages != 2 || d.Status == stock.DocFailed {
		t.Fatalf("PDF read: %s %q, %d pages", d.Status, d.Error, d.Pages)
	}
	right := 0
	for _, l := range d.Lines {
		if truth.isRight(l) {
			right++
		} else if !l.NeedsReview {
			t.Errorf("wrong line not flagged for review: %+v", l)
		}
	}
	if right < len(truth.Items)*8/10 {
		t.Fatalf("%d of %d lines right over two pages", right, len(truth.Items))
	}
}

// bookQty is the book quantity of sku at location.
func bookQty(s *testServer, as, location, sku string) int64 {
	var levels struct {
		Levels []stock.StockLevel `json:"levels"`
	}
	s.mustJSON("GET", "/v1/stock?location="+location+"&sku="+sku, as, nil, 200, &levels)
	var n int64
	for _, l := range levels.Levels {
		n += l.Qty
	}
	return n
}

// TestDocumentsMinIO runs the server on MinIO: documents are stored and
// filed there and downloaded through MinIO's presigned URLs; with MinIO
// down an upload answers 503 and leaves no document behind; once MinIO is
// back, uploads work again.
func TestDocumentsMinIO(t *testing.T) {
	m := miniotest.Start(t)
	cfg := testConfig(t, "sqlite")
	mc := m.Config()
	cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Bucket = mc.Endpoint, mc.AccessKey, mc.SecretKey, "pandian-test"
	s := startServerWith(t, cfg)
	mgr := employeeWith(t, "store_manager", "HK-TST")
	pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	fields := []docPart{{"kind", "inspection_report"}, {"skus", "SKU-000003"}}
	code, b := s.uploadDoc(mgr, fields, "qc.pdf", pdf)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	json.Unmarshal(b, &up)
	d := s.waitDocument(mgr, up.ID, 30*time.Second)
	if d.Status != stock.DocDone {
		t.Fatalf("status %s", d.Status)
	}
	if keys := s.objects("skus/SKU-000003/documents/"); len(keys) != 1 {
		t.Fatalf("folder: %v", keys)
	}
	resp, got := s.get(t, d.URL)
	if resp.StatusCode != 200 || len(got) != len(pdf) {
		t.Fatalf("MinIO presigned download: %d, %d bytes", resp.StatusCode, len(got))
	}
	// MinIO stops half-way through an upload (17 MiB: more than one
	// 16 MiB part), then the next upload finds it down.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	stopped := make(chan struct{})
	go func() {
		mw.WriteField("kind", "contract")
		fw, _ := mw.CreateFormFile("file", "big.pdf")
		fw.Write([]byte("%PDF-1.4\n"))
		fw.Write(bytes.Repeat([]byte("x"), 17<<20))
		m.Stop()
		close(stopped)
		fw.Write(bytes.Repeat([]byte("y"), 1<<20))
		mw.Close()
		pw.Close()
	}()
	resp, got = s.rawUpload(pr, mw.FormDataContentType(), mgr)
	<-stopped
	if resp.StatusCode != 503 || errorCode(t, got) != "unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload while MinIO stops: %d %s", resp.StatusCode, got)
	}
	code, b = s.uploadDoc(mgr, fields, "qc2.pdf", append([]byte("%PDF-1.4\n% another\n"), pdf[9:]...))
	if code != 503 || errorCode(t, b) != "unavailable" {
		t.Fatalf("upload with MinIO down: %d %s", code, b)
	}
	var n int
	if err := s.app.store.DB().QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("documents after the refused upload: %d (%v)", n, err)
	}
	s.mustJSON("GET", "/v1/counts?location=HK-TST", mgr, nil, 200, nil) // counting goes on
	m.Start()
	photo, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "clean", "doc05.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, b = s.uploadDoc(mgr, fields, "qc3.png", photo)
	if code != 202 {
		t.Fatalf("upload after MinIO is back: %d %s", code, b)
	}
	if blobs := s.objects("blobs/"); len(blobs) != 2 {
		t.Fatalf("blobs (nothing of the interrupted upload may remain): %v", blobs)
	}
}

// rawUpload posts a multipart body read from r to /v1/documents.
func (s *testServer) rawUpload(r io.Reader, contentType, as string) (*http.Response, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/v1/documents", r)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+s.token(as))
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestDocumentsReadTurned: a delivery note photographed sideways, with no
// EXIF orientation, is read turned upright.
func TestDocumentsReadTurned(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.OCRWorkers = 1
	s := startServerWith(t, cfg)
	f, err := os.Open(filepath.Join(docfixtures.Dir(), "doc06.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var sideways bytes.Buffer
	jpeg.Encode(&sideways, ocr.Turn(img, 3), &jpeg.Options{Quality: 90}) // a quarter turn anticlockwise, no EXIF
	truth := loadTruth(t, "doc06.json")
	code, b := s.uploadDoc("A001", []docPart{{"kind", "delivery_note"}, {"location", "HK-TST"}}, "dn.jpg", sideways.Bytes())
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	json.Unmarshal(b, &up)
	d := s.waitDocument("A001", up.ID, 3*time.Minute)
	right := 0
	for _, l := range d.Lines {
		if truth.isRight(l) {
			right++
		}
	}
	if right < len(truth.Items)*7/10 || !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "turned by 90°") }) {
		t.Fatalf("sideways photo: %d of %d lines right, warnings %q, status %s", right, len(truth.Items), d.Warnings, d.Status)
	}
}
