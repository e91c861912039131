package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/stock"
	"pandian/storage/objstore/miniotest"
)

// TestScanPhotoStreamed: a large kept photo (24 MiB) is sent to the
// reviewer without being held in memory (streamed from the file store),
// and its page, for a photo kept without the side file that has its size,
// reads only the photo's head to tell the size. What is measured is what
// the process allocates during each (runtime.MemStats.TotalAlloc, which
// only grows): far less than the photo. Before the fix, the image was
// read whole (and copied into the response), the size read the whole
// photo too. On the local file store and on S3 (MinIO), whose reader
// must outlive the page's handler (the body is sent after it returns).
func TestScanPhotoStreamed(t *testing.T) {
	for _, store := range []string{"local", "s3"} {
		t.Run(store, func(t *testing.T) { scanPhotoStreamed(t, store) })
	}
}

func scanPhotoStreamed(t *testing.T, store string) {
	ctx := context.Background()
	cfg := testConfig(t, "sqlite")
	if store == "s3" {
		mc := miniotest.Start(t).Config()
		cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Bucket = mc.Endpoint, mc.AccessKey, mc.SecretKey, "pandian-test"
	}
	s := serveTestApp(t, cfg, false, nil)
	s.client = &http.Client{Timeout: time.Minute}
	cnt := s.openCount("ADMIN", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}})
	const photoID = "0123456789abcdef01234567"
	const size = 24 << 20
	// A real 640×480 PNG, then padding to 24 MiB (after IEND: decoders
	// stop there; to the store it is 24 MiB of photo).
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 640, 480))); err != nil {
		t.Fatal(err)
	}
	head := buf.Len()
	buf.Write(make([]byte, size-head))
	if err := s.app.files.PutBytes(ctx, "counts/"+cnt.ID+"/photos/"+photoID, buf.Bytes(), stock.MediaPNG); err != nil {
		t.Fatal(err)
	}
	buf = bytes.Buffer{}
	allocated := func(fn func()) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	const bound = size / 4

	// The photo's description (no side file): its size from its head.
	admin, err := s.app.svc.Authenticate(ctx, s.token("ADMIN"))
	if err != nil {
		t.Fatal(err)
	}
	var info stock.ScanPhotoInfo
	n := allocated(func() { info, err = s.app.svc.ScanPhotoInfo(ctx, admin, cnt.ID, photoID) })
	if err != nil || info.Width != 640 || info.Height != 480 || info.MediaType != stock.MediaPNG {
		t.Errorf("photo info: %+v %v", info, err)
	}
	t.Logf("photo info: %d KiB allocated for a %d MiB photo", n>>10, size>>20)
	if n > bound {
		t.Errorf("the photo info allocated %d bytes for a %d-byte photo", n, size)
	}

	// The image, through the pages, read by a slow client.
	browser, _ := s.reviewSignIn(t, "ADMIN", "en")
	hc := &http.Client{Jar: browser.Jar, Timeout: 2 * time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	var got int64
	var first []byte
	var ctype string
	n = allocated(func() {
		resp, err := hc.Get(s.URL + "/review/counts/" + cnt.ID + "/photos/" + photoID + "/image")
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		ctype = resp.Header.Get("Content-Type")
		first = make([]byte, 8)
		if _, err := io.ReadFull(resp.Body, first); err != nil {
			t.Error(err)
			return
		}
		chunk := make([]byte, 256<<10)
		got = int64(len(first))
		for i := 0; ; i++ {
			k, err := resp.Body.Read(chunk)
			got += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Error(err)
				return
			}
			if i%16 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	})
	if got != size || ctype != stock.MediaPNG || !strings.HasPrefix(string(first), "\x89PNG") {
		t.Errorf("image: %d bytes (want %d), %q, %q", got, size, ctype, first)
	}
	t.Logf("image: %d KiB allocated for a %d MiB photo", n>>10, size>>20)
	if n > bound {
		t.Errorf("serving the photo allocated %d bytes for a %d-byte photo", n, size)
	}
}

// TestReviewDocumentFileS3: a document's original shown through the review
// pages from S3 (MinIO) arrives whole: its reader outlives the page's
// handler, which returns before the body is sent.
func TestReviewDocumentFileS3(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	mc := miniotest.Start(t).Config()
	cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Bucket = mc.Endpoint, mc.AccessKey, mc.SecretKey, "pandian-test"
	s := serveTestApp(t, cfg, false, nil)
	s.client = &http.Client{Timeout: time.Minute}
	mgr := employeeWith(t, "store_manager", "HK-TST")
	img, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc02.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	code, b := s.uploadDoc(mgr, []docPart{{"kind", "inspection_report"}, {"skus", "SKU-000003"}}, "qc.jpg", img)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var up stock.Document
	if err := json.Unmarshal(b, &up); err != nil {
		t.Fatal(err)
	}
	browser, _ := s.reviewSignIn(t, "ADMIN", "en")
	resp, err := browser.Get(s.URL + "/review/documents/" + up.ID + "/file")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || err != nil || !bytes.Equal(got, img) {
		t.Fatalf("document file: %d, %d of %d bytes, %v", resp.StatusCode, len(got), len(img), err)
	}
}
