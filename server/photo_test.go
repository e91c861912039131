package main

import (
	"bytes"
	"mime/multipart"
	"os"
	"path/filepath"
	"testing"

	"pandian/stock"
)

// upload posts a photo file of fixtures/barcodes to a count.
func (s *testServer) upload(as, countID, file string, fields map[string]string) (int, []byte) {
	s.t.Helper()
	name := file
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "barcodes", file))
	if err != nil {
		data, name = []byte(file), "photo.jpg" // not a fixture: the bytes themselves
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	resp, b := s.raw("POST", "/v1/counts/"+countID+"/images", as, w.FormDataContentType(), body.Bytes())
	return resp.StatusCode, b
}

// TestCountPhotos uploads the generated carton photo (ITF-14 case code,
// GS1-128, GS1 Data Matrix and GS1 QR of one item): every barcode is found
// once and resolved to the SKU; with qty they are recorded as scans, once
// however often the photo is sent; bad uploads get 4xx.
func TestCountPhotos(t *testing.T) {
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-TST")
	s.mustJSON("PUT", "/v1/skus/PHOTO-1", "ADMIN", map[string]any{"name": "Photo item", "name_zh": "相片貨品", "category": "photo", "unit_cost": "1.00",
		"barcodes": []map[string]any{{"code": "4891234567898", "pack_qty": 1}, {"code": "14891234567895", "pack_qty": 12}}}, 201, nil)
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"photo"}}})

	st, body := s.upload("E009", cnt.ID, "carton.png", nil)
	var res stock.PhotoResult
	mustUnmarshal(t, body, &res)
	if st != 200 || len(res.Barcodes) != 4 || res.Scans != nil {
		t.Fatalf("carton: %d %s", st, truncate(body))
	}
	formats := map[string]bool{}
	for _, b := range res.Barcodes {
		formats[b.Format] = true
		if b.SKU != "PHOTO-1" || len(b.Points) == 0 {
			t.Errorf("barcode %+v", b)
		}
		if b.Format == "ITF" && b.PackQty != 12 {
			t.Errorf("ITF-14 case code pack %d", b.PackQty)
		}
	}
	if len(formats) != 4 {
		t.Errorf("formats %v", formats)
	}
	for i := 0; i < 2; i++ {
		st, body = s.upload("E009", cnt.ID, "carton.png", map[string]string{"qty": "1", "bin": "HK-TST-A01"})
		mustUnmarshal(t, body, &res)
		if st != 200 || res.Scans == nil || (i == 0 && res.Scans.Accepted != 4) || (i == 1 && res.Scans.Duplicates != 4) {
			t.Fatalf("upload %d with qty: %d %+v", i, st, res.Scans)
		}
	}
	r := s.report(mgr, cnt.ID, "sku")
	if l := lineOf(t, r, "PHOTO-1"); l.CountedQty != 12+1+1+1 {
		t.Fatalf("counted %d, want 15", l.CountedQty)
	}
	// Bad uploads.
	for _, c := range []struct {
		name, file string
		fields     map[string]string
		status     int
		code       string
	}{
		{"zip renamed", "PK\x03\x04\x14\x00\x00\x00\x08\x00 not a photo", nil, 415, "unsupported_media"},
		{"truncated PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", nil, 422, "invalid"},
		{"bad qty", "carton.png", map[string]string{"qty": "1.5"}, 422, "invalid"},
	} {
		st, body := s.upload("E009", cnt.ID, c.file, c.fields)
		if st != c.status || errorCode(t, body) != c.code {
			t.Errorf("%s: %d %s", c.name, st, truncate(body))
		}
	}
	resp, body := s.raw("POST", "/v1/counts/"+cnt.ID+"/images", "E009", "image/png", []byte("x"))
	if resp.StatusCode != 415 {
		t.Errorf("not multipart: %d %s", resp.StatusCode, body)
	}
	if st, body := s.upload("E005", cnt.ID, "carton.png", nil); st != 403 {
		t.Errorf("auditor upload: %d %s", st, body)
	}
}
