package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pandian/scan/photoset"
	"pandian/stock"
)

// BenchmarkPhotosAPI measures the barcode photos of issue 10 through the
// API: an in-process server on SQLite with the demo data (startServer),
// one open count, and every photo of the ZXing black-box set POSTed to
// /v1/counts/{id}/images as the multipart "file", one at a time. The
// photos, their halves and the judging of the texts the API returns are
// scan's benchmark's (package photoset): a failed request is a failed
// photo. The API returns every decoded code, known SKU or not, so the
// texts are compared whatever the catalog. PANDIAN_BENCH_PHOTOS overrides
// the photo folder (default
// ../../shared/data/barcodes, as scan's bench); without it the bench skips.
// PHOTOS_VERBOSE=1 logs every photo that is not correct (run with -v to
// see them all: go test keeps the first 10 lines of a benchmark's log).
func BenchmarkPhotosAPI(b *testing.B) {
	dir := os.Getenv("PANDIAN_BENCH_PHOTOS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "barcodes")
	}
	photos, err := photoset.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("no photo set (%v)", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	s := startServer(b, "sqlite")
	mgr := employeeWith(b, "store_manager", "HK-TST")
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"photo"}}})
	tok := s.token("E009")
	verbose := os.Getenv("PHOTOS_VERBOSE") != ""
	for b.Loop() {
		var held, tune apiTally
		var misses []string
		for _, p := range photos {
			data, err := os.ReadFile(p.Path)
			if err != nil {
				b.Fatal(err)
			}
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			fw, _ := w.CreateFormFile("file", filepath.Base(p.Path))
			fw.Write(data)
			w.Close()
			req, err := http.NewRequest("POST", s.URL+"/v1/counts/"+cnt.ID+"/images", &body)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", w.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+tok)
			start := time.Now()
			resp, err := s.client.Do(req)
			var rb []byte
			if err == nil {
				rb, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			ms := float64(time.Since(start).Microseconds()) / 1000
			if err != nil {
				b.Fatal(err)
			}
			var res stock.PhotoResult
			var texts []string
			if resp.StatusCode == 200 && json.Unmarshal(rb, &res) == nil {
				for _, bc := range res.Barcodes {
					texts = append(texts, bc.Text)
				}
			}
			o := photoset.Judge(texts, p.Text, p.Format)
			t := &tune
			if p.HeldOut {
				t = &held
			}
			t.add(o, ms, p.Format)
			if verbose && o != photoset.Correct {
				rel, _ := filepath.Rel(dir, p.Path)
				misses = append(misses, fmt.Sprintf("%s %s held-out=%v: %d %s want %q", rel, p.Format, p.HeldOut, resp.StatusCode, strings.TrimSpace(string(rb)), p.Text))
			}
		}
		all := held
		all.merge(&tune)
		b.Logf("through POST /v1/counts/{id}/images (SQLite, one at a time; wall ms median p95 max)")
		b.Logf("held-out %s", &held)
		b.Logf("tune     %s", &tune)
		b.Logf("all      %s", &all)
		for _, m := range misses {
			b.Log(m)
		}
		b.ReportMetric(float64(held.Correct), "heldout-correct")
		b.ReportMetric(float64(all.Correct), "all-correct")
		b.ReportMetric(float64(all.Wrong), "wrong")
		b.ReportMetric(photoset.Quantile(held.ms, 0.5), "heldout-ms-median")
		b.ReportMetric(photoset.Quantile(held.ms, 0.95), "heldout-ms-p95")
	}
}

// apiTally counts outcomes and wall times of one half.
type apiTally struct {
	photoset.Counts
	ms []float64
}

func (t *apiTally) add(o photoset.Outcome, ms float64, format string) {
	t.Counts.Add(o, format)
	t.ms = append(t.ms, ms)
}

func (t *apiTally) merge(o *apiTally) {
	t.Counts.Merge(o.Counts)
	t.ms = append(slices.Clone(t.ms), o.ms...)
}

func (t *apiTally) String() string {
	return fmt.Sprintf("%3d/%3d correct, wrong %d (EAN/UPC %d), failed %3d, ms %6.1f %6.1f %6.1f",
		t.Correct, t.Correct+t.Wrong+t.Failed, t.Wrong, t.WrongEANUPC, t.Failed,
		photoset.Quantile(t.ms, 0.5), photoset.Quantile(t.ms, 0.95), photoset.Quantile(t.ms, 1))
}
