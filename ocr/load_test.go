package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os/exec"
	"strings"
	"testing"
	"time"

	"pandian/fixtures/hostile"
	"pandian/scan"
)

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 200, 120))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLoadImage(t *testing.T) {
	img, err := LoadImage(bytes.NewReader(testJPEG(t)), DefaultLimits)
	if err != nil || img.Bounds().Dx() != 200 {
		t.Fatalf("valid JPEG: %v", err)
	}
}

func TestLoadImageTruncatedJPEG(t *testing.T) {
	b := testJPEG(t)
	_, err := LoadImage(bytes.NewReader(b[:len(b)/2]), DefaultLimits)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated JPEG: got %v, want ErrCorrupt", err)
	}
}

func TestLoadImageDeclaredHuge(t *testing.T) {
	start := time.Now()
	_, err := LoadImage(bytes.NewReader(hostile.PNGDeclaring(100000, 100000)), DefaultLimits)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge PNG: got %v, want ErrTooLarge", err)
	}
	if time.Since(start) > time.Second {
		t.Error("size check must happen before decoding")
	}
}

func TestLoadImageNotAnImage(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00", 40))
	if _, err := LoadImage(bytes.NewReader(zip), DefaultLimits); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("zip renamed .jpg: got %v, want ErrUnsupported", err)
	}
	if _, err := LoadImage(bytes.NewReader(nil), DefaultLimits); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("empty input: got %v", err)
	}
}

func TestLoadImageByteLimit(t *testing.T) {
	_, err := LoadImage(bytes.NewReader(testJPEG(t)), Limits{MaxBytes: 100})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

func TestExifOrientation(t *testing.T) {
	// A 2×1 image with a dark left pixel, tagged orientation 6 (rotate 90°
	// clockwise to display): upright it is 1×2 with the dark pixel on top.
	src := image.NewGray(image.Rect(0, 0, 2, 1))
	src.Pix[0], src.Pix[1] = 0, 255
	out := orient(src, 6)
	if b := out.Bounds(); b.Dx() != 1 || b.Dy() != 2 {
		t.Fatalf("size %v", b)
	}
	if c := out.At(0, 0).(color.Gray); c.Y != 0 {
		t.Errorf("top pixel %d, want dark", c.Y)
	}
	// The tag is found in an APP1 segment.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}, app1...)
	jpg := append(append([]byte{0xFF, 0xD8}, seg...), 0xFF, 0xDA, 0, 2)
	if o := scan.JPEGOrientation(jpg); o != 6 {
		t.Errorf("JPEGOrientation = %d, want 6", o)
	}
}

// makePDF writes a minimal PDF with n pages of the given MediaBox size (pt),
// each drawing a filled rectangle.
func makePDF(n int, w, h float64) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n")
	content := "0 g 10 10 100 50 re f"
	kids := make([]string, n)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	for i := 0; i < n; i++ {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents 3 0 R >>", w, h))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

func needPoppler(t *testing.T) {
	for _, tool := range []string{"pdfinfo", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func TestRasterizePDF(t *testing.T) {
	needPoppler(t)
	imgs, err := RasterizePDF(context.Background(), bytes.NewReader(makePDF(2, 595, 842)), Limits{DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 2 {
		t.Fatalf("%d pages, want 2", len(imgs))
	}
	if b := imgs[0].Bounds(); b.Dx() != 595 || b.Dy() != 842 {
		t.Errorf("page size %v, want 595×842 at 72 DPI", b)
	}
}

func TestRasterizePDFBombs(t *testing.T) {
	needPoppler(t)
	ctx := context.Background()
	// Many pages.
	if _, err := RasterizePDF(ctx, bytes.NewReader(makePDF(500, 595, 842)), DefaultLimits); !errors.Is(err, ErrTooLarge) {
		t.Errorf("500 pages: got %v, want ErrTooLarge", err)
	}
	// The largest MediaBox the PDF spec allows (200 in square, 1.6 gigapixels
	// at 200 DPI): refused, not rendered. (Poppler clamps larger boxes.)
	start := time.Now()
	if _, err := RasterizePDF(ctx, bytes.NewReader(makePDF(1, 14400, 14400)), DefaultLimits); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge MediaBox: got %v, want ErrTooLarge", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("huge MediaBox took too long")
	}
	// A large page within reach is rendered at a lower DPI under the pixel cap.
	imgs, err := RasterizePDF(ctx, bytes.NewReader(makePDF(1, 2000, 2000)), Limits{MaxPixels: 4_000_000, DPI: 200})
	if err != nil {
		t.Fatal(err)
	}
	if b := imgs[0].Bounds(); int64(b.Dx())*int64(b.Dy()) > 4_000_000 {
		t.Errorf("page %v exceeds the pixel cap", b)
	}
	// Out of time: the error says so.
	if _, err := RasterizePDF(ctx, bytes.NewReader(makePDF(1, 595, 842)), Limits{Timeout: time.Nanosecond}); !errors.Is(err, ErrTimeout) {
		t.Errorf("timeout: got %v, want ErrTimeout", err)
	}
	// Not a PDF.
	if _, err := RasterizePDF(ctx, bytes.NewReader(testJPEG(t)), DefaultLimits); !errors.Is(err, ErrUnsupported) {
		t.Errorf("JPEG as PDF: got %v", err)
	}
	// Garbage after the magic.
	if _, err := RasterizePDF(ctx, strings.NewReader("%PDF-1.4\ngarbage"), DefaultLimits); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt PDF: got %v", err)
	}
}

// TestRasterizePDFDrawingBomb: a 2 MB PDF whose one page inflates to 1 GB
// of drawing operators is refused before any rendering, in well under a
// second of work, while ordinary PDFs (text, scanned pages) are far below
// the limit; a page that costs ten million fills in a few hundred bytes of
// content is stopped by the time limit.
func TestRasterizePDFDrawingBomb(t *testing.T) {
	needPoppler(t)
	ctx := context.Background()
	bomb := hostile.PDFDrawingBomb(1 << 30)
	start := time.Now()
	if _, err := RasterizePDF(ctx, bytes.NewReader(bomb), DefaultLimits); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1 GB of drawing in %d KiB: got %v, want ErrTooLarge", len(bomb)>>10, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("drawing bomb refused after %s", took)
	}
	// Under the limit it is rendered (it is a valid PDF; 64 KiB of
	// full-page strokes cost about a second of CPU).
	if _, err := RasterizePDF(ctx, bytes.NewReader(hostile.PDFDrawingBomb(64<<10)), Limits{DPI: 40}); err != nil {
		t.Errorf("64 KiB of drawing: %v", err)
	}
	if n := pdfDrawingBytes(makePDF(20, 595, 842), 1<<40); n > 64<<10 {
		t.Errorf("a 20-page text PDF counts %d bytes of drawing", n)
	}
	start = time.Now()
	if _, err := RasterizePDF(ctx, bytes.NewReader(hostile.PDFNestedForms(7, 10)), Limits{DPI: 40, Timeout: 2 * time.Second}); !errors.Is(err, ErrTimeout) {
		t.Errorf("nested forms: got %v, want ErrTimeout", err)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("nested forms stopped after %s", took)
	}
}
