package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/fixtures/hostile"
	"pandian/stock"
	"pandian/storage/objstore"
)

// docPart is one part of a multipart document upload, in order.
type docPart struct{ name, value string }

// uploadDoc sends fields then the file (name, data) as employee as.
func (s *testServer) uploadDoc(as string, fields []docPart, name string, data []byte) (int, []byte) {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
	}
	w.Close()
	resp, b := s.raw("POST", "/v1/documents", as, w.FormDataContentType(), body.Bytes())
	return resp.StatusCode, b
}

// waitDocument polls a document until it is no longer processing.
func (s *testServer) waitDocument(as, id string, within time.Duration) stock.Document {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var d stock.Document
		s.mustJSON("GET", "/v1/documents/"+id, as, nil, 200, &d)
		if d.Status != stock.DocProcessing {
			return d
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("document %s still processing after %s (progress %.2f)", id, within, d.Progress)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// objects lists the keys of the server's local object store.
func (s *testServer) objects(prefix string) []string {
	s.t.Helper()
	var keys []string
	for info, err := range s.app.files.s.List(s.t.Context(), prefix) {
		if err != nil {
			s.t.Fatal(err)
		}
		keys = append(keys, info.Key)
	}
	return keys
}

// TestDocumentsFiled: a contract PDF is stored once, filed in the folder of
// each SKU it concerns, listed per SKU with a download link that serves the
// same bytes and that cannot be forged or used after it expires; scope and
// roles hold.
func TestDocumentsFiled(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		mgr := employeeWith(t, "store_manager", "HK-TST")
		fields := []docPart{{"kind", "contract"}, {"skus", "SKU-000001, SKU-000002"}, {"filename", "供應合約 2024.pdf"}}
		code, b := s.uploadDoc(mgr, fields, "contract.pdf", pdf)
		if code != 202 {
			t.Fatalf("upload: %d %s", code, b)
		}
		var up stock.Document
		json.Unmarshal(b, &up)
		if up.ContentType != stock.MediaPDF || up.Location != "HK-TST" || up.Size != int64(len(pdf)) {
			t.Fatalf("upload answered %+v", up)
		}
		d := s.waitDocument(mgr, up.ID, 30*time.Second)
		if d.Status != stock.DocDone || d.Progress != 1 {
			t.Fatalf("contract: status %s progress %v, want done", d.Status, d.Progress)
		}
		sum := sha256.Sum256(pdf)
		if d.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("sha256 %s, want %x", d.SHA256, sum)
		}
		// The same bytes again: a second document, one blob.
		code, b = s.uploadDoc(mgr, []docPart{{"kind", "contract"}, {"skus", "SKU-000001"}}, "again.pdf", pdf)
		if code != 202 {
			t.Fatalf("second upload: %d %s", code, b)
		}
		if blobs := s.objects("blobs/"); len(blobs) != 1 {
			t.Fatalf("blobs after two uploads of one file: %v", blobs)
		}
		var list struct{ Documents []stock.Document }
		deadline := time.Now().Add(30 * time.Second)
		for len(s.objects("skus/SKU-000001/documents/")) < 2 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		for _, sku := range []string{"SKU-000001", "SKU-000002"} {
			keys := s.objects("skus/" + sku + "/")
			if !slices.Contains(keys, "skus/"+sku+"/documents/"+d.ID+".json") || !slices.Contains(keys, stock.SKUFolderMarker(sku)) {
				t.Fatalf("folder of %s holds %v", sku, keys)
			}
		}
		s.mustJSON("GET", "/v1/skus/SKU-000001/documents", mgr, nil, 200, &list)
		if len(list.Documents) != 2 || list.Documents[1].ID != d.ID || list.Documents[1].URL == "" {
			t.Fatalf("SKU documents: %+v", list.Documents)
		}
		// The link serves the bytes, without a token, under the given name.
		resp, got := s.get(t, list.Documents[1].URL)
		if resp.StatusCode != 200 || !bytes.Equal(got, pdf) || !strings.Contains(resp.Header.Get("Content-Disposition"), "2024.pdf") {
			t.Fatalf("download: %d, %d bytes, disposition %q", resp.StatusCode, len(got), resp.Header.Get("Content-Disposition"))
		}
		u, _ := url.Parse(list.Documents[1].URL)
		q := u.Query()
		forged := *u
		q2 := url.Values{"exp": {fmt.Sprint(time.Now().Add(time.Hour).Unix())}, "sig": q["sig"]}
		forged.RawQuery = q2.Encode()
		if resp, _ := s.get(t, forged.String()); resp.StatusCode != 403 {
			t.Fatalf("link with a later expiry: %d, want 403", resp.StatusCode)
		}
		expired, err := s.app.files.s.PresignGet(t.Context(), objstore.BlobKey(d.SHA256), time.Second, "")
		if err != nil {
			t.Fatal(err)
		}
		// Valid for its second, then refused: polled with a deadline.
		if resp, _ := s.get(t, expired); resp.StatusCode != 200 {
			t.Fatalf("fresh link: %d, want 200", resp.StatusCode)
		}
		deadline = time.Now().Add(5 * time.Second)
		for {
			resp, _ := s.get(t, expired)
			if resp.StatusCode == 403 {
				break
			}
			if resp.StatusCode != 200 || time.Now().After(deadline) {
				t.Fatalf("link 5 s after its expiry: %d, want 403", resp.StatusCode)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Scope: a store manager elsewhere sees neither the document nor
		// the store's documents of the SKU; an auditor sees, but may not
		// upload.
		other := employeeWith(t, "store_manager", "HK-MK")
		if resp, b := s.do("GET", "/v1/documents/"+d.ID, other, nil); resp.StatusCode != 404 {
			t.Fatalf("out of scope: %d %s", resp.StatusCode, b)
		}
		s.mustJSON("GET", "/v1/skus/SKU-000001/documents", other, nil, 200, &list)
		if len(list.Documents) != 0 {
			t.Fatalf("out-of-scope documents listed: %+v", list.Documents)
		}
		auditor := employeeWith(t, "auditor", "")
		s.mustJSON("GET", "/v1/documents/"+d.ID, auditor, nil, 200, nil)
		if code, b := s.uploadDoc(auditor, fields, "c.pdf", pdf); code != 403 {
			t.Fatalf("auditor upload: %d %s", code, b)
		}
	})
}

// get fetches an absolute URL without a token.
func (s *testServer) get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestDocumentsRefused: bad and hostile uploads get a clear 4xx, the
// server stays up, and nothing is stored: no document, no object.
func TestDocumentsRefused(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		photo, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc03.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		po := []docPart{{"kind", "purchase_order"}}
		// A PNG whose header declares 100000×100000 pixels.
		declared := hostile.PNGDeclaring(100000, 100000)
		// A PDF whose one page is 200 m square.
		bomb := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
			"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 14400 14400]/UserUnit 40>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
		var small bytes.Buffer
		img := image.NewGray(image.Rect(0, 0, 64, 64))
		img.Set(1, 1, color.Gray{Y: 9})
		png.Encode(&small, img)
		cases := []struct {
			name   string
			fields []docPart
			file   string
			data   []byte
			status int
			code   string
		}{
			{"truncated JPEG", po, "po.jpg", photo[:len(photo)/2], 422, "invalid"},
			{"PNG declaring 100000×100000", po, "po.png", declared, 413, "too_large"},
			{"zip renamed .jpg", po, "po.jpg", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00 not really a photo"), 415, "unsupported_media"},
			{"PDF bomb", po, "po.pdf", bomb, 413, "too_large"},
			{"text", po, "po.txt", []byte("hello, this is not a document at all"), 415, "unsupported_media"},
			{"PDF as a photo", []docPart{{"kind", "photo"}}, "p.pdf", bomb, 415, "unsupported_media"},
			{"empty file", po, "po.jpg", nil, 422, "invalid"},
			{"no kind", nil, "po.jpg", photo, 422, "invalid"},
			{"unknown kind", []docPart{{"kind", "menu"}}, "po.jpg", photo, 422, "invalid"},
			{"unknown SKU", []docPart{{"kind", "contract"}, {"skus", "NOPE-1"}}, "c.png", small.Bytes(), 422, "invalid"},
			{"store out of scope", []docPart{{"kind", "purchase_order"}, {"location", "HK-MK"}}, "po.jpg", photo, 404, "not_found"},
			{"no file", po, "", nil, 422, "invalid"},
		}
		for _, c := range cases {
			code, b := s.uploadDoc(mgr, c.fields, c.file, c.data)
			if c.name == "empty file" {
				code, b = s.uploadDoc(mgr, c.fields, "po.jpg", []byte{})
			}
			if code != c.status || errorCode(t, b) != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, code, truncate(b), c.status, c.code)
			}
		}
		// Not multipart at all.
		if resp, b := s.raw("POST", "/v1/documents", mgr, "image/jpeg", photo); resp.StatusCode != 415 {
			t.Errorf("raw JPEG body: %d %s", resp.StatusCode, b)
		}
		// 2 GB announced: refused before a byte of it is read.
		req, _ := http.NewRequest("POST", s.URL+"/v1/documents", io.LimitReader(zeros{}, 2<<30))
		req.ContentLength = 2 << 30
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Authorization", "Bearer "+s.token(mgr))
		start := time.Now()
		resp, err := s.client.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Errorf("2 GB upload: %d %s", resp.StatusCode, b)
			}
		} // else the server closed the connection while the client was still sending: also a refusal
		if time.Since(start) > 20*time.Second {
			t.Errorf("2 GB upload took %s to refuse", time.Since(start))
		}
		// 2 GB streamed without a length: cut at the document limit, with
		// the server's memory (it runs in this process) sampled meanwhile.
		var peak atomic.Uint64
		sampling := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-sampling:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}()
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField("kind", "contract")
			fw, _ := mw.CreateFormFile("file", "big.pdf")
			fw.Write([]byte("%PDF-1.4\n"))
			io.Copy(fw, io.LimitReader(zeros{}, 2<<30))
			mw.Close()
			pw.Close()
		}()
		req, _ = http.NewRequest("POST", s.URL+"/v1/documents", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+s.token(mgr))
		if resp, err := s.client.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Errorf("2 GB stream: %d %s", resp.StatusCode, b)
			}
		}
		pr.CloseWithError(io.ErrClosedPipe)
		close(sampling)
		if peak.Load() > 256<<20 {
			t.Errorf("heap in use reached %d MiB during a 2 GB upload", peak.Load()>>20)
		}
		s.mustJSON("GET", "/healthz", "", nil, 200, nil)
		if keys := s.objects(""); len(keys) != 0 && !onlyFolders(keys) {
			t.Fatalf("refused uploads left objects: %v", keys)
		}
		var n int
		if err := s.app.store.DB().QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("documents after refused uploads: %d (%v)", n, err)
		}
	})
}

// onlyFolders reports whether every key is a SKU folder marker.
func onlyFolders(keys []string) bool {
	for _, k := range keys {
		if !strings.HasPrefix(k, "skus/") || !strings.HasSuffix(k, "/sku.json") {
			return false
		}
	}
	return true
}

// zeros reads zero bytes for ever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestUploadsBounded: with every upload place taken (PANDIAN_MAX_UPLOADS),
// another photo or document upload answers 429 with Retry-After before its
// body is read; once the place is free, uploads go through again.
func TestUploadsBounded(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.MaxUploads = 1
	s := startServerWith(t, cfg)
	mgr := employeeWith(t, "store_manager", "HK-TST")
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan int)
	tok := s.token(mgr)
	go func() { // a slow upload holds the only place
		req, _ := http.NewRequest("POST", s.URL+"/v1/documents", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		code := 0
		if resp, err := s.client.Do(req); err == nil { // an error: the client gave up
			code = resp.StatusCode
			resp.Body.Close()
		}
		done <- code
	}()
	mw.WriteField("kind", "contract")
	fw, _ := mw.CreateFormFile("file", "slow.pdf")
	fw.Write([]byte("%PDF-1.4\n"))
	fw.Write(bytes.Repeat([]byte(" "), 1<<20))
	// Wait (with a deadline) until the slow upload holds the place: a
	// photo upload for no count answers 429 from then on (404 before,
	// storing nothing).
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, b := s.upload(mgr, "none", "code128.png", nil)
		if code == 429 {
			break
		}
		if code != 404 || time.Now().After(deadline) {
			t.Fatalf("photo upload while the slow upload starts: %d %s", code, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", "contract")
	f2, _ := w.CreateFormFile("file", "c.pdf")
	f2.Write(pdf)
	w.Close()
	resp, b := s.rawUpload(bytes.NewReader(body.Bytes()), w.FormDataContentType(), mgr)
	if resp.StatusCode != 429 || errorCode(t, b) != "rate_limited" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload with no place free: %d %s", resp.StatusCode, b)
	}
	if code, b := s.upload(mgr, "none", "code128.png", nil); code != 429 {
		t.Fatalf("photo upload with no place free: %d %s", code, b)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF) // the slow client goes away
	<-done
	// The place is free once the server has seen the client go.
	deadline = time.Now().Add(10 * time.Second)
	for {
		resp, b = s.rawUpload(bytes.NewReader(body.Bytes()), w.FormDataContentType(), mgr)
		if resp.StatusCode == 202 {
			break
		}
		if resp.StatusCode != 429 || time.Now().After(deadline) {
			t.Fatalf("upload once the place is free: %d %s", resp.StatusCode, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
