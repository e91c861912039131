package ocr

import (
	"context"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkDebugDump writes the preprocessed image and the OCR rows of the
// photos named in OCR_DEBUG (comma-separated, e.g. "po04,po06") to
// OCR_DEBUG_DIR, and reports the words and rows read per photo. A
// development aid:
//
//	OCR_DEBUG=po04,po06 OCR_DEBUG_DIR=/tmp/ocr go test -run '^$' -bench DebugDump -benchtime 1x ./ocr/
//
// OCR_PREP_ONLY=1 writes the preprocessed images only.
func BenchmarkDebugDump(b *testing.B) {
	names := os.Getenv("OCR_DEBUG")
	if names == "" {
		b.Skip("OCR_DEBUG not set")
	}
	dir := os.Getenv("OCR_DEBUG_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		words, rows, photos := debugDump(b, e, names, dir)
		b.ReportMetric(float64(words)/float64(photos), "words/photo")
		b.ReportMetric(float64(rows)/float64(photos), "rows/photo")
	}
}

// debugDump is one pass of BenchmarkDebugDump.
func debugDump(b *testing.B, e *Engine, names, dir string) (words, rows, photos int) {
	for _, n := range strings.Split(names, ",") {
		photos++
		path := filepath.Join(debugSharedDir, n+".jpg")
		if strings.HasPrefix(n, "clean/") {
			path = filepath.Join(debugSharedDir, n+".png")
		}
		if filepath.IsAbs(n) {
			path, n = n, strings.TrimSuffix(filepath.Base(n), filepath.Ext(n))
		}
		img := loadTestImage(b, path)
		g := preprocess(img, defaultPrep)
		out := image.NewGray(image.Rect(0, 0, g.w, g.h))
		copy(out.Pix, g.pix)
		base := strings.ReplaceAll(n, "/", "_")
		o, _ := os.Create(filepath.Join(dir, base+".png"))
		png.Encode(o, out)
		o.Close()
		if os.Getenv("OCR_PREP_ONLY") != "" {
			continue
		}
		p, err := e.recognise(context.Background(), g)
		if err != nil {
			b.Fatal(err)
		}
		words += len(p.Words)
		var sb strings.Builder
		for _, r := range groupRows(p.Words) {
			rows++
			sb.WriteString(r.text())
			sb.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, base+".txt"), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return words, rows, photos
}

const debugSharedDir = "../../shared/data/purchase-orders"

// BenchmarkDebugBands prints the ink bands no cached word covers (pages
// cached in OCR_CACHE by BenchmarkDebugCachePages) and reports how many
// per photo. A development aid:
//
//	OCR_CACHE=/tmp/ocrcache OCR_BANDS=po12 go test -run '^$' -bench DebugBands -benchtime 1x ./ocr/
func BenchmarkDebugBands(b *testing.B) {
	names := os.Getenv("OCR_BANDS")
	if names == "" {
		b.Skip("OCR_BANDS not set")
	}
	type photo struct {
		name string
		g    *grayImg
		p    Page
	}
	var photos []photo
	for _, n := range strings.Split(names, ",") {
		img := loadTestImage(b, filepath.Join(debugSharedDir, n+".jpg"))
		ph := photo{name: n, g: preprocess(img, defaultPrep)}
		data, err := os.ReadFile(filepath.Join(os.Getenv("OCR_CACHE"), n+".json"))
		if err != nil {
			b.Fatalf("%v (build the cache with BenchmarkDebugCachePages)", err)
		}
		if err := json.Unmarshal(data, &ph.p); err != nil {
			b.Fatal(err)
		}
		photos = append(photos, ph)
	}
	bands := 0
	for b.Loop() {
		bands = 0
		for _, ph := range photos {
			bands += len(missedBands(ph.g, ph.p.Words))
		}
	}
	for _, ph := range photos {
		b.Logf("%s bands %v", ph.name, missedBands(ph.g, ph.p.Words))
	}
	b.ReportMetric(float64(bands)/float64(len(photos)), "bands/photo")
}
