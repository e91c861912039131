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

// TestDebugDump writes the preprocessed image and the OCR rows of the photos
// named in OCR_DEBUG (comma-separated, e.g. "po04,po06") to OCR_DEBUG_DIR.
// It is a development aid and does nothing unless OCR_DEBUG is set.
func TestDebugDump(t *testing.T) {
	names := os.Getenv("OCR_DEBUG")
	if names == "" {
		t.Skip("OCR_DEBUG not set")
	}
	dir := os.Getenv("OCR_DEBUG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, n := range strings.Split(names, ",") {
		path := filepath.Join(debugSharedDir, n+".jpg")
		if strings.HasPrefix(n, "clean/") {
			path = filepath.Join(debugSharedDir, n+".png")
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
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
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, r := range groupRows(p.Words) {
			sb.WriteString(r.text())
			sb.WriteByte('\n')
		}
		os.WriteFile(filepath.Join(dir, base+".txt"), []byte(sb.String()), 0o644)
	}
}

const debugSharedDir = "../../shared/data/purchase-orders"

// TestDebugBands lists the ink bands no cached word covers (OCR_CACHE,
// OCR_BANDS=po12). Development aid only.
func TestDebugBands(t *testing.T) {
	names := os.Getenv("OCR_BANDS")
	if names == "" {
		t.Skip("OCR_BANDS not set")
	}
	for _, n := range strings.Split(names, ",") {
		f, _ := os.Open(filepath.Join(debugSharedDir, n+".jpg"))
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		g := preprocess(img, defaultPrep)
		b, _ := os.ReadFile(filepath.Join(os.Getenv("OCR_CACHE"), n+".json"))
		var p Page
		json.Unmarshal(b, &p)
		t.Logf("%s bands %v", n, missedBands(g, p.Words))
	}
}
