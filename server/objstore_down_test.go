package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"os"
	"path/filepath"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/stock"
	"pandian/storage/objstore/miniotest"
)

// TestStartWithObjectStoreDown: a replica starts while MinIO is down,
// reports it in /readyz (still ready: counting does not need it), counts,
// answers uploads 503 with Retry-After, and once MinIO is up connects in
// the background (bucket and lifecycle rule made): uploads work without a
// restart.
func TestStartWithObjectStoreDown(t *testing.T) {
	m := miniotest.Start(t)
	m.Stop()
	cfg := testConfig(t, "sqlite")
	mc := m.Config()
	cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Bucket = mc.Endpoint, mc.AccessKey, mc.SecretKey, "pandian-late"
	start := time.Now()
	s := startServerWith(t, cfg)
	t.Logf("started in %v with MinIO down", time.Since(start).Round(time.Millisecond))

	readyz := func() map[string]string {
		t.Helper()
		resp, b := s.do("GET", "/readyz", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("readyz: %d %s", resp.StatusCode, b)
		}
		var r map[string]string
		mustUnmarshal(t, b, &r)
		return r
	}
	if r := readyz(); r["status"] != "ready" || r["database"] != "ok" || r["object_store"] != "unavailable" {
		t.Fatalf("readyz with MinIO down: %v", r)
	}

	// Counting works.
	super := employeeWith(t, "supervisor", "HK-TST")
	counter := employeeWith(t, "counter", "HK-TST")
	items := s.newSKUs("late", "HK-TST", 2, 10)
	cnt := s.openCount(super, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"late"}}})
	if res := s.scans(counter, cnt.ID, scanIn{Code: items[0].EAN, Qty: 9}, scanIn{Code: items[1].EAN, Qty: 10}); res.Accepted != 2 {
		t.Fatalf("scans with MinIO down: %+v", res)
	}

	// Uploads answer 503 with Retry-After, and store nothing.
	pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	mgr := employeeWith(t, "store_manager", "HK-TST")
	fields := []docPart{{"kind", "inspection_report"}, {"skus", items[0].SKU}}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", "inspection_report")
	fw, _ := w.CreateFormFile("file", "qc.pdf")
	fw.Write(pdf)
	w.Close()
	resp, b := s.raw("POST", "/v1/documents", mgr, w.FormDataContentType(), body.Bytes())
	if resp.StatusCode != 503 || errorCode(t, b) != stock.EUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload with MinIO down: %d (Retry-After %q) %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}

	// MinIO comes up: the server connects by itself.
	m.Start()
	deadline := time.Now().Add(45 * time.Second)
	for readyz()["object_store"] != "ok" {
		if time.Now().After(deadline) {
			t.Fatalf("object store still unavailable 45 s after MinIO came up")
		}
		time.Sleep(200 * time.Millisecond)
	}
	code, b := s.uploadDoc(mgr, fields, "qc.pdf", pdf)
	if code != 202 {
		t.Fatalf("upload after MinIO came up: %d %s", code, b)
	}
	var up stock.Document
	if err := json.Unmarshal(b, &up); err != nil {
		t.Fatal(err)
	}
	if d := s.waitDocument(mgr, up.ID, 30*time.Second); d.Status != stock.DocDone {
		t.Fatalf("document %s", d.Status)
	}
	if blobs := s.objects("blobs/"); len(blobs) != 1 {
		t.Fatalf("blobs in MinIO: %v", blobs)
	}
	lc, err := s.app.files.s3.Client().GetBucketLifecycle(t.Context(), "pandian-late")
	if err != nil || len(lc.Rules) != 1 || lc.Rules[0].RuleFilter.Prefix != "tmp/" {
		t.Fatalf("lifecycle of the bucket made late: %+v %v", lc, err)
	}
}
