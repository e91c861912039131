package review_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"html"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/objstore"
)

// localFiles is the object store of the documents tests: objstore's
// local store (on disk), as the domain needs it.
type localFiles struct{ l *objstore.Local }

func (f localFiles) PutContent(ctx context.Context, r io.Reader, maxBytes int64, contentType string) (stock.FileInfo, error) {
	info, err := objstore.PutContent(ctx, f.l, r, maxBytes, contentType)
	return stock.FileInfo{Key: info.Key, SHA256: info.SHA256, Size: info.Size, ContentType: info.ContentType}, err
}

func (f localFiles) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	_, err := objstore.PutBytes(ctx, f.l, key, b, contentType)
	return err
}

func (f localFiles) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, _, err := f.l.Open(ctx, key)
	return r, err
}

func (f localFiles) URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	return f.l.PresignGet(ctx, key, ttl, filename)
}

func (f localFiles) Delete(ctx context.Context, key string) error { return f.l.Delete(ctx, key) }

// transcripts stands in for the OCR engine only: for each file (by its
// SHA-256) it answers the lines a test says were read from it. The
// upload, catalog matching, job queue, database and object store are the
// real ones. (OCR itself is tested on these photographs in ocr/ and
// server/.)
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

// docDesk is the documents side of a world: the object store, the
// "reader", and a job runner that reads and files documents.
type docDesk struct {
	w     *world
	tr    *transcripts
	files localFiles
}

// withDocuments gives the world's service an object store, the
// transcripts reader and a job runner for documents.
func (w *world) withDocuments(t *testing.T) *docDesk {
	t.Helper()
	l, err := objstore.NewLocal(t.TempDir(), []byte("0123456789abcdef0123456789abcdef"), "http://127.0.0.1/v1/files")
	if err != nil {
		t.Fatal(err)
	}
	d := &docDesk{w: w, tr: &transcripts{by: map[[32]byte]stock.Extraction{}}, files: localFiles{l}}
	w.svc.SetDocuments(d.files, nil, d.tr, stock.DocumentOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	r := jobs.NewRunner(w.store)
	r.Poll = 50 * time.Millisecond
	opts := jobs.Options{Lease: time.Minute, BaseDelay: time.Second}
	r.Handle(stock.JobsDocuments, opts, w.svc.RunDocumentJob)
	r.Handle(stock.JobsFiling, opts, w.svc.RunDocumentJob)
	r.Handle(stock.JobsRefile, opts, w.svc.RunRefileJob)
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

// po01 is the sample purchase order doc01 (a photographed PO of the
// Tsim Sha Tsui store, fixtures/documents) as read: its lines from the
// ground truth, with the SKU code of line 2 (Lager Beer 330ml Can) not
// read, so that only its description can match it; misread also reads
// its size wrong (500ml), so that the guess is the wrong SKU.
func po01(t *testing.T, misread ...bool) (photo []byte, ex stock.Extraction) {
	t.Helper()
	dir := docfixtures.Dir()
	photo, err := os.ReadFile(filepath.Join(dir, "doc01.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "doc01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		DocNumber  string  `json:"doc_number"`
		Date       string  `json:"date"`
		SupplierEN string  `json:"supplier_en"`
		Total      float64 `json:"total"`
		Items      []struct {
			SKU         string  `json:"sku"`
			Description string  `json:"description"`
			Qty         int64   `json:"qty"`
			UnitPrice   float64 `json:"unit_price"`
			Amount      float64 `json:"amount"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	money := func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
	ex = stock.Extraction{Header: stock.DocHeader{Supplier: truth.SupplierEN, PONumber: truth.DocNumber, Date: truth.Date, Total: money(truth.Total), Currency: "HKD"}, Pages: 1}
	for i, it := range truth.Items {
		l := stock.DocLine{SKU: it.SKU, Description: it.Description, Qty: it.Qty, UnitPrice: money(it.UnitPrice), Amount: money(it.Amount), Confidence: 0.93}
		if i == 1 {
			l.SKU = ""
			if len(misread) > 0 && misread[0] {
				l.Description = "拉格啤酒 500毫升 罐裝 Lager Beer 500ml Can"
			}
		}
		ex.Lines = append(ex.Lines, l)
	}
	return photo, ex
}

// upload uploads a document as employee who and waits until it is read.
// variant makes the same photo a different file (its own document).
func (d *docDesk) upload(t *testing.T, who string, kind stock.DocumentKind, photo []byte, ex stock.Extraction, variant int) stock.Document {
	t.Helper()
	if variant > 0 {
		// A JPEG ignores bytes after its end marker.
		photo = append(bytes.Clone(photo), []byte("variant "+strconv.Itoa(variant))...)
	}
	d.tr.mu.Lock()
	d.tr.by[sha256.Sum256(photo)] = ex
	d.tr.mu.Unlock()
	ctx := context.Background()
	a := d.w.actor(who)
	doc, err := d.w.svc.UploadDocument(ctx, a, stock.DocumentInput{Kind: kind, Location: "HK-TST", Filename: string(kind) + "-" + strconv.Itoa(variant)}, bytes.NewReader(photo))
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := d.w.svc.Document(ctx, a, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != stock.DocProcessing {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %s still processing", doc.ID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	formRE   = regexp.MustCompile(`(?s)<form [^>]*id="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// formFields returns the hidden fields of the form with id in page, as a
// browser would send them.
func formFields(t testing.TB, page, id string) url.Values {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(page, -1) {
		if m[1] != id {
			continue
		}
		v := url.Values{}
		for _, f := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
			v.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
		}
		return v
	}
	t.Fatalf("no form %q in page: %.400s", id, page)
	return nil
}
