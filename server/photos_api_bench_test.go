package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"pandian/stock"
)

// BenchmarkPhotosAPI measures the barcode photos of issue 10 through the
// API: an in-process server on SQLite with the demo data (startServer),
// one open count, and every photo of the ZXing black-box set POSTed to
// /v1/counts/{id}/images as the multipart "file", one at a time. A photo
// is correct when some barcode the API returns has the expected text,
// wrong when barcodes come back but none has it, failed when none does
// (or the request fails). The API returns every decoded code, known SKU or
// not, so the texts are compared whatever the catalog. The halves are
// those of scan's splitHalves (FNV-1a of the path within the photo folder,
// first half of each set held out); the texts are normalised as scan's
// sameText. PANDIAN_BENCH_PHOTOS overrides the photo folder (default
// ../../shared/data/barcodes, as scan's bench); without it the bench skips.
// PHOTOS_VERBOSE=1 logs every photo that is not correct (run with -v to
// see them all: go test keeps the first 10 lines of a benchmark's log).
func BenchmarkPhotosAPI(b *testing.B) {
	dir := os.Getenv("PANDIAN_BENCH_PHOTOS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "barcodes")
	}
	photos := loadAPIPhotos(b, dir)
	s := startServer(b, "sqlite")
	mgr := employeeWith(b, "store_manager", "HK-TST")
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"photo"}}})
	tok := s.token("E009")
	verbose := os.Getenv("PHOTOS_VERBOSE") != ""
	for b.Loop() {
		var held, tune apiTally
		var misses []string
		for _, p := range photos {
			data, err := os.ReadFile(p.path)
			if err != nil {
				b.Fatal(err)
			}
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			fw, _ := w.CreateFormFile("file", filepath.Base(p.path))
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
			o := apiJudge(texts, p.text, p.format)
			t := &tune
			if p.heldOut {
				t = &held
			}
			t.add(o, ms, p.format)
			if verbose && o != apiCorrect {
				rel, _ := filepath.Rel(dir, p.path)
				misses = append(misses, fmt.Sprintf("%s %s held-out=%v: %d %s want %q", rel, p.format, p.heldOut, resp.StatusCode, strings.TrimSpace(string(rb)), p.text))
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
		b.ReportMetric(float64(held.correct), "heldout-correct")
		b.ReportMetric(float64(all.correct), "all-correct")
		b.ReportMetric(float64(all.wrong), "wrong")
		b.ReportMetric(quantileMS(held.ms, 0.5), "heldout-ms-median")
		b.ReportMetric(quantileMS(held.ms, 0.95), "heldout-ms-p95")
	}
}

// apiPhoto is one manifest row of the photo set.
type apiPhoto struct {
	path, set, format, text string
	heldOut                 bool
}

// loadAPIPhotos reads the manifest as scan's bench does: the expected text
// is the .txt beside the image (byte-exact), else the manifest's column.
func loadAPIPhotos(tb testing.TB, dir string) []apiPhoto {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		tb.Skipf("no photo set (%v)", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []apiPhoto
	for _, r := range recs[1:] {
		p := filepath.Join(dir, r[0])
		want, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
		if err != nil {
			want = []byte(r[2])
		}
		out = append(out, apiPhoto{path: p, set: filepath.Dir(r[0]), format: r[1], text: string(want)})
	}
	// scan's splitHalves: within each set, ordered by the FNV-1a hash of
	// the path relative to the folder, the first half held out.
	bySet := map[string][]int{}
	for i := range out {
		bySet[out[i].set] = append(bySet[out[i].set], i)
	}
	key := func(i int) uint64 {
		rel, err := filepath.Rel(dir, out[i].path)
		if err != nil {
			rel = out[i].path
		}
		h := fnv.New64a()
		h.Write([]byte(filepath.ToSlash(rel)))
		return h.Sum64()
	}
	for _, idx := range bySet {
		sort.Slice(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
		for n, i := range idx {
			out[i].heldOut = n < len(idx)/2
		}
	}
	return out
}

type apiOutcome int

const (
	apiFailed apiOutcome = iota
	apiCorrect
	apiWrong
)

// apiJudge is scan's judge: correct when some read has the expected text,
// wrong when reads exist but none has it.
func apiJudge(texts []string, want, format string) apiOutcome {
	if len(texts) == 0 {
		return apiFailed
	}
	for _, t := range texts {
		if apiNormText(t, format) == apiNormText(want, format) {
			return apiCorrect
		}
	}
	return apiWrong
}

// apiNormText is scan's normText: no leading GS1 identifier or GS, RSS_14
// without its "01", EAN/UPC without an add-on.
func apiNormText(s, format string) string {
	for _, id := range []string{"]C1", "]e0", "]d2", "]Q3"} {
		s = strings.TrimPrefix(s, id)
	}
	s = strings.TrimPrefix(s, "\x1d")
	switch {
	case format == "RSS_14":
		if len(s) == 16 && strings.HasPrefix(s, "01") && apiDigits(s) {
			s = s[2:]
		} else if len(s) == 18 && strings.HasPrefix(s, "(01)") && apiDigits(s[4:]) {
			s = s[4:]
		}
	case strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC"):
		if main, addOn, ok := strings.Cut(s, " "); ok && apiDigits(main) && apiDigits(addOn) && (len(addOn) == 2 || len(addOn) == 5) {
			s = main
		}
	}
	return s
}

func apiDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// apiTally counts outcomes and wall times of one half.
type apiTally struct {
	correct, wrong, failed, wrongEANUPC int
	ms                                  []float64
}

func (t *apiTally) add(o apiOutcome, ms float64, format string) {
	switch o {
	case apiCorrect:
		t.correct++
	case apiWrong:
		t.wrong++
		if strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC") {
			t.wrongEANUPC++
		}
	default:
		t.failed++
	}
	t.ms = append(t.ms, ms)
}

func (t *apiTally) merge(o *apiTally) {
	t.correct += o.correct
	t.wrong += o.wrong
	t.failed += o.failed
	t.wrongEANUPC += o.wrongEANUPC
	t.ms = append(slices.Clone(t.ms), o.ms...)
}

func (t *apiTally) String() string {
	return fmt.Sprintf("%3d/%3d correct, wrong %d (EAN/UPC %d), failed %3d, ms %6.1f %6.1f %6.1f",
		t.correct, t.correct+t.wrong+t.failed, t.wrong, t.wrongEANUPC, t.failed,
		quantileMS(t.ms, 0.5), quantileMS(t.ms, 0.95), quantileMS(t.ms, 1))
}

// quantileMS is the nearest-rank quantile of ms (0 when empty), as scan's.
func quantileMS(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	sort.Float64s(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
