package review_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pandian/review"
	engine "pandian/scan"
	"pandian/stock"
	"pandian/storage/objstore"
)

// photoFiles keeps photos in the local object store, as server/ does.
type photoFiles struct{ l *objstore.Local }

func (f photoFiles) PutContent(ctx context.Context, r io.Reader, maxBytes int64, contentType string) (stock.FileInfo, error) {
	info, err := objstore.PutContent(ctx, f.l, r, maxBytes, contentType)
	return stock.FileInfo{Key: info.Key, SHA256: info.SHA256, Size: info.Size, ContentType: info.ContentType}, err
}

func (f photoFiles) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	_, err := objstore.PutBytes(ctx, f.l, key, b, contentType)
	return err
}

func (f photoFiles) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, _, err := f.l.Open(ctx, key)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, stock.Errorf(stock.ENotFound, "file not found")
	}
	return rc, err
}

func (f photoFiles) URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	return f.l.PresignGet(ctx, key, ttl, filename)
}

func (f photoFiles) Delete(ctx context.Context, key string) error { return f.l.Delete(ctx, key) }

// photoDecoder is the barcode engine (scan/) for the domain, as server/
// adapts it: every barcode of a photo, with where it was found.
type photoDecoder struct{ d *engine.Decoder }

func (p photoDecoder) DecodePhoto(ctx context.Context, r io.Reader) ([]stock.PhotoBarcode, error) {
	found, err := p.d.Decode(ctx, r)
	if err != nil {
		return nil, err
	}
	var out []stock.PhotoBarcode
	for _, b := range found {
		parsed, _ := codes{}.ParseCode(b.Text)
		out = append(out, stock.PhotoBarcode{Format: b.Format, Text: b.Text, Points: b.Points, Raw: b.Text, Parsed: parsed})
	}
	return out, nil
}

func (photoDecoder) PhotoSize(b []byte) (int, int, error) { return engine.UprightSize(b) }

// shelfSKUs are the products of fixtures/barcodes/shelf.jpg.
var shelfSKUs = map[string]string{"PHOTO-EAN13": "4891234567898", "PHOTO-UPCA": "036000291452", "PHOTO-EAN8": "96385074"}

// withPhotos gives the world an object store and the barcode engine, and
// the catalog the products of the shelf photo.
func (w *world) withPhotos() {
	w.t.Helper()
	l, err := objstore.NewLocal(filepath.Join(w.t.TempDir(), "objects"), []byte("0123456789abcdef0123456789abcdef"), "http://files.test")
	if err != nil {
		w.t.Fatal(err)
	}
	w.svc.SetDocuments(photoFiles{l}, nil, nil, stock.DocumentOptions{})
	w.svc.SetPhotoDecoder(photoDecoder{engine.NewDecoder(engine.DecoderOptions{All: true, Timeout: 5 * time.Second})})
	cost, _ := stock.ParseMoney("3.50")
	for sku, code := range shelfSKUs {
		if _, _, err := w.svc.PutSKU(context.Background(), system, sku, stock.SKUInput{Name: "Shelf item " + sku, NameZh: "貨架貨品", Category: "photo",
			UnitCost: &cost, Barcodes: []stock.Barcode{{Code: code, PackQty: 1}}}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// photoCount opens a count of the shelf photo's products at HK-TST,
// records the photo (a quantity of 1 each) as E009 and closes it.
func (w *world) photoCount() string {
	w.t.Helper()
	ctx := context.Background()
	c, err := w.svc.OpenCount(ctx, w.actor("E008"), stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{Categories: []string{"photo"}}})
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "fixtures", "barcodes", "shelf.jpg"))
	if err != nil {
		w.t.Fatal(err)
	}
	a := w.actor("E009")
	a.DeviceID = "TC52-E009"
	res, err := w.svc.CountPhoto(ctx, a, c.ID, bytes.NewReader(b), &stock.PhotoScan{Qty: 1, Bin: "HK-TST-A01"})
	if err != nil || res.Scans == nil || res.Scans.Accepted != 3 {
		w.t.Fatalf("photo: %+v %v", res, err)
	}
	if _, err := w.svc.CloseCount(ctx, w.actor("E008"), c.ID); err != nil {
		w.t.Fatal(err)
	}
	return c.ID
}

// TestPhotoInline: a scan's photo is shown on the line's drill-down with a
// box round each barcode, inside the photo; the image is served inline
// with its media type; out of scope, nothing.
func TestPhotoInline(t *testing.T) {
	w := newWorld(t, review.Options{})
	w.withPhotos()
	id := w.photoCount()
	m := w.client()
	m.mustSignIn("E007", w.pins["E007"])
	r := m.get("/review/counts/" + id + "/lines/PHOTO-EAN13")
	contains(t, r.body, `id="photos"`, `<svg viewBox="0 0 `, `<polygon class="box"`, "4891234567898", "PHOTO-UPCA", "PHOTO-EAN8", "EAN_13", "QR_CODE", "no catalog match")
	boxes := regexp.MustCompile(`<polygon class="box" points="[^"]+"`).FindAllString(r.body, -1)
	if len(boxes) != 5 {
		t.Errorf("%d boxes, want the shelf's 5 barcodes", len(boxes))
	}
	src := regexp.MustCompile(`<image href="([^"]+)"`).FindStringSubmatch(r.body)
	if src == nil {
		t.Fatal("no image")
	}
	img := m.get(src[1])
	if img.StatusCode != 200 || img.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(img.Header.Get("Content-Disposition"), "inline;") {
		t.Errorf("image: %d %q %q", img.StatusCode, img.Header.Get("Content-Type"), img.Header.Get("Content-Disposition"))
	}
	page := m.get(strings.TrimSuffix(src[1], "/image"))
	contains(t, page.body, `<polygon class="box"`, "Photo of the scans")
	// Another store's manager: not found.
	o := w.client()
	o.mustSignIn("E014", w.pins["E014"])
	if r := o.get(src[1]); r.StatusCode != 404 {
		t.Errorf("out of scope: %d", r.StatusCode)
	}
}

// TestPhotoBoxesShelf: the boxes, checked by geometry: a 1D barcode's box is a
// band round its scan line only (not the add-on search beyond it); a QR
// code's is its corners.
func TestPhotoBoxesShelf(t *testing.T) {
	w := newWorld(t, review.Options{})
	w.withPhotos()
	id := w.photoCount()
	m := w.client()
	m.mustSignIn("E007", w.pins["E007"])
	r := m.get("/review/counts/" + id + "/lines/PHOTO-EAN13")
	// fixtures/barcodes/shelf.jpg (1600×900): the EAN-13's scan line runs
	// from x 163.5 to 439 at y 342.5 (the engine's further points, to
	// x 749.5, are its add-on search).
	boxes := regexp.MustCompile(`<polygon class="box" points="([^"]+)"`).FindAllStringSubmatch(r.body, -1)
	contains(t, r.body, `<svg viewBox="0 0 1600 900"`)
	found := false
	for _, b := range boxes {
		var xs []float64
		for _, xy := range strings.Fields(b[1]) {
			var x, y float64
			if _, err := fmt.Sscanf(xy, "%f,%f", &x, &y); err != nil {
				t.Fatal(err)
			}
			xs = append(xs, x)
		}
		if slices.Min(xs) > 140 && slices.Min(xs) < 163.5 {
			found = true
			if slices.Max(xs) > 470 {
				t.Errorf("the EAN-13's box reaches x %v: past its scan line", slices.Max(xs))
			}
		}
	}
	if !found {
		t.Errorf("no box starts at the EAN-13: %v", boxes)
	}
}
