package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/fixtures/hostile"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// trickled is what became of a trickling upload.
type trickled struct {
	status int           // the answer's status; 0: closed without one
	after  time.Duration // from the start
	retry  string        // its Retry-After
}

// trickle sends an upload to path as tok that opens its multipart file
// part at once and then sends one byte every interval, until the server
// answers or closes, or giveUp passes. With declared > 0 the body has that
// Content-Length, else it is sent chunked.
func (s *testServer) trickle(path, tok string, declared int, every, giveUp time.Duration) trickled {
	conn := s.rawConn()
	start := time.Now()
	conn.SetDeadline(start.Add(giveUp))
	framing := "Transfer-Encoding: chunked"
	if declared > 0 {
		framing = fmt.Sprintf("Content-Length: %d", declared)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: pandian\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=BOUNDARY\r\n%s\r\n\r\n", path, tok, framing)
	head := "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8"
	one := "\x00"
	if declared > 0 {
		io.WriteString(conn, head)
	} else {
		fmt.Fprintf(conn, "%x\r\n%s\r\n", len(head), head)
		one = "1\r\n\x00\r\n"
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(every):
			}
			if _, err := io.WriteString(conn, one); err != nil {
				return
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return trickled{after: time.Since(start)}
	}
	resp.Body.Close()
	return trickled{status: resp.StatusCode, after: time.Since(start), retry: resp.Header.Get("Retry-After")}
}

// TestSlowUploadsCutOff: one counter opens 16 photo uploads that trickle
// a byte every 200 ms, with a minimum pace of 1 KiB/s over 1 s and a
// single upload place for the whole server. 12 of the 16 get 429 with
// Retry-After at once (4 per employee), the other 4 are cut off (408 or
// closed) within seconds, and meanwhile another counter uploads photos
// as usual: a trickling upload never takes the server's place. Then the
// first counter can upload again.
func TestSlowUploadsCutOff(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.MaxUploads = 1
	cfg.MaxUploadsPerEmployee = 4
	cfg.UploadMinRate, cfg.UploadRateWindow = 1024, time.Second
	s := startServerWith(t, cfg)
	var cnt struct{ ID string }
	s.mustJSON("POST", "/v1/counts", employeeWith(t, "store_manager", "HK-TST"), map[string]any{"location": "HK-TST"}, 201, &cnt)
	slow, other := "E009", "E010"
	tok := s.token(slow)
	results := make(chan trickled, 16)
	for range 16 {
		go func() {
			results <- s.trickle("/v1/counts/"+cnt.ID+"/images", tok, 0, 200*time.Millisecond, 15*time.Second)
		}()
	}
	// The first answers are the refusals of the uploads past the four.
	var refused, cut int
	for range 12 {
		r := <-results
		if r.status != 429 || r.retry == "" || r.after > 3*time.Second {
			t.Errorf("upload past the employee's four: %+v, want 429 with Retry-After at once", r)
		}
		refused++
	}
	// While the four trickle, another counter's photos go through.
	for range 3 {
		if code, b := s.upload(other, cnt.ID, "code128.png", nil); code != 200 {
			t.Errorf("another counter's photo while one trickles: %d %s", code, truncate(b))
		}
	}
	for range 4 {
		r := <-results
		if (r.status != 408 && r.status != 0) || r.after > 6*time.Second {
			t.Errorf("trickling upload: %+v, want 408 or closed within seconds", r)
		}
		cut++
	}
	t.Logf("16 trickling uploads: %d refused at once, %d cut off", refused, cut)
	// With a declared length, the first bytes must come at the pace too,
	// signed in or not (the server reads them before any handler).
	for _, as := range []string{tok, "nobody"} {
		r := s.trickle("/v1/counts/"+cnt.ID+"/images", as, 1<<20, 200*time.Millisecond, 15*time.Second)
		if (r.status != 408 && r.status != 0) || r.after > 6*time.Second {
			t.Errorf("trickling upload of a declared 1 MiB (token %v): %+v, want 408 or closed within seconds", as == tok, r)
		}
	}
	if code, b := s.upload(slow, cnt.ID, "code128.png", nil); code != 200 {
		t.Errorf("the trickling counter's own photo afterwards: %d %s", code, truncate(b))
	}
	// A photo sent at an ordinary pace is not cut off.
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "barcodes", "code128.png"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", "code128.png")
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", s.URL+"/v1/counts/"+cnt.ID+"/images", &paced{r: bytes.NewReader(body.Bytes()), n: 4 << 10, every: 100 * time.Millisecond})
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.token(other))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a photo at 40 KiB/s: %d %s", resp.StatusCode, truncate(b))
	}
}

// paced reads n bytes of r every interval.
type paced struct {
	r     io.Reader
	n     int
	every time.Duration
	began bool
}

func (p *paced) Read(b []byte) (int, error) {
	if p.began {
		time.Sleep(p.every)
	}
	p.began = true
	return p.r.Read(b[:min(len(b), p.n)])
}

// TestUploadsPerEmployee: an employee with their maximum of uploads in
// progress gets 429 for another at once, before its body is read, while a
// second employee uploads; once theirs end, they upload again.
func TestUploadsPerEmployee(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.MaxUploadsPerEmployee = 2
	s := startServerWith(t, cfg)
	var cnt struct{ ID string }
	s.mustJSON("POST", "/v1/counts", employeeWith(t, "store_manager", "HK-TST"), map[string]any{"location": "HK-TST"}, 201, &cnt)
	busy, other := "E009", "E010"
	tok := s.token(busy)
	var pipes []*io.PipeWriter
	done := make(chan int, 2)
	for range 2 { // two uploads that moved and then wait
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		mw := multipart.NewWriter(pw)
		go func() {
			req, _ := http.NewRequest("POST", s.URL+"/v1/counts/"+cnt.ID+"/images", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+tok)
			code := 0
			if resp, err := s.client.Do(req); err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			done <- code
		}()
		fw, _ := mw.CreateFormFile("file", "big.jpg")
		fw.Write(bytes.Repeat([]byte{0xff}, 64<<10))
	}
	// Both are in progress (past their first 16 KiB) before the third.
	waitUntil(t, 10*time.Second, "two uploads in progress", func() bool { return testutil.ToFloat64(s.app.metrics.uploads) == 2 })
	start := time.Now()
	code, b := s.upload(busy, cnt.ID, "code128.png", nil)
	if code != 429 || errorCode(t, b) != "rate_limited" || time.Since(start) > 3*time.Second {
		t.Errorf("a third upload of the same employee: %d %s", code, truncate(b))
	}
	for range 2 {
		if code, b := s.upload(other, cnt.ID, "code128.png", nil); code != 200 {
			t.Errorf("another employee's upload meanwhile: %d %s", code, truncate(b))
		}
	}
	for _, pw := range pipes {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	<-done
	<-done
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, b := s.upload(busy, cnt.ID, "code128.png", nil)
		if code == 200 {
			break
		}
		if code != 429 || time.Now().After(deadline) {
			t.Fatalf("upload once the employee's uploads ended: %d %s", code, truncate(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPDFBombsRefusedQuickly: a 2 MB PDF whose page inflates to 1 GB of
// drawing operators is refused (413) in seconds, before any rendering; a
// PDF of a few hundred bytes whose page costs ten million fills is stopped
// by the upload check's own time limit (422); neither keeps the server's
// only upload place, and neither is stored.
func TestPDFBombsRefusedQuickly(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.MaxUploads = 1
	cfg.PDFCheckTimeout = 3 * time.Second
	s := startServerWith(t, cfg)
	mgr := employeeWith(t, "store_manager", "HK-TST")
	contract := []docPart{{"kind", "contract"}}
	cases := []struct {
		name   string
		data   []byte
		status int
		code   string
		within time.Duration
	}{
		{"1 GB of drawing", hostile.PDFDrawingBomb(1 << 30), 413, "too_large", 8 * time.Second},
		{"ten million fills", hostile.PDFNestedForms(7, 10), 422, "invalid", 3*time.Second + 8*time.Second},
	}
	for _, c := range cases {
		start := time.Now()
		code, b := s.uploadDoc(mgr, contract, "bomb.pdf", c.data)
		took := time.Since(start)
		t.Logf("%s (%d KiB): %d after %s", c.name, len(c.data)>>10, code, took.Round(time.Millisecond))
		if code != c.status || errorCode(t, b) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, truncate(b), c.status, c.code)
		}
		if took > c.within {
			t.Errorf("%s: refused after %s, want within %s", c.name, took, c.within)
		}
		// The place is free again at once.
		pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		if code, b := s.uploadDoc(mgr, contract, "c.pdf", pdf); code != 202 {
			t.Errorf("upload after the %s: %d %s", c.name, code, truncate(b))
		}
	}
	var n int
	if err := s.app.store.DB().QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&n); err != nil || n != len(cases) {
		t.Errorf("documents stored: %d (%v), want the %d good PDFs", n, err, len(cases))
	}
}
