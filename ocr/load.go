package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"time"

	"golang.org/x/image/webp"

	"pandian/scan"
)

// Limits bound the resources spent on one untrusted input.
type Limits struct {
	// MaxBytes is the largest accepted file.
	MaxBytes int64
	// MaxPixels is the largest accepted image (or rasterised page), checked
	// against the declared size before decoding.
	MaxPixels int64
	// MaxPages is the largest accepted PDF page count.
	MaxPages int
	// DPI is the rasterisation resolution for PDFs; pages whose size at this
	// resolution exceeds MaxPixels are rendered at a lower one.
	DPI int
	// Timeout bounds rasterising one PDF.
	Timeout time.Duration
	// MaxDrawingBytes bounds the size of a PDF's streams other than images
	// (drawing operators, fonts), inflated: what rendering costs, checked
	// before any rendering.
	MaxDrawingBytes int64
}

// DefaultLimits suit phone photos and short supplier PDFs.
var DefaultLimits = Limits{
	MaxBytes:  40 << 20,
	MaxPixels: 40_000_000,
	MaxPages:  20,
	DPI:       200,
	Timeout:   60 * time.Second,
	// Text and tables of 20 pages with their fonts take a few MiB.
	MaxDrawingBytes: 32 << 20,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxPixels > 0 {
		d.MaxPixels = l.MaxPixels
	}
	if l.MaxPages > 0 {
		d.MaxPages = l.MaxPages
	}
	if l.DPI > 0 {
		d.DPI = l.DPI
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	if l.MaxDrawingBytes > 0 {
		d.MaxDrawingBytes = l.MaxDrawingBytes
	}
	return d
}

type imageFormat struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// sniffImage recognises JPEG, PNG, GIF and WebP from magic bytes, never from
// a file name.
func sniffImage(b []byte) (imageFormat, bool) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return imageFormat{"jpeg", jpeg.DecodeConfig, jpeg.Decode}, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return imageFormat{"png", png.DecodeConfig, png.Decode}, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return imageFormat{"gif", gif.DecodeConfig, gif.Decode}, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return imageFormat{"webp", webp.DecodeConfig, webp.Decode}, true
	}
	return imageFormat{}, false
}

// readLimited reads all of r, failing with ErrTooLarge past max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("ocr: read input: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// LoadImage decodes an untrusted photo or scan (JPEG, PNG, GIF, WebP). The
// format comes from the content; the declared dimensions are checked
// against lim.MaxPixels before any pixel is decoded, so a small file
// declaring a huge image fails fast. A JPEG's EXIF orientation is applied.
// Errors wrap ErrTooLarge, ErrUnsupported or ErrCorrupt.
func LoadImage(r io.Reader, lim Limits) (image.Image, error) {
	lim = lim.orDefault()
	b, err := readLimited(r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	f, ok := sniffImage(b)
	if !ok {
		if bytes.HasPrefix(b, []byte("%PDF-")) {
			return nil, fmt.Errorf("%w: a PDF, use RasterizePDF", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: not a JPEG, PNG, GIF or WebP image", ErrUnsupported)
	}
	cfg, err := f.config(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s header: %v", ErrCorrupt, f.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s declares %d×%d pixels", ErrCorrupt, f.name, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %s declares %d×%d pixels, limit %d", ErrTooLarge, f.name, cfg.Width, cfg.Height, lim.MaxPixels)
	}
	img, err := f.decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.name, err)
	}
	if f.name == "jpeg" {
		img = orient(img, scan.JPEGOrientation(b)) // the barcode engine reads the tag
	}
	return img, nil
}

// orient applies an EXIF orientation by producing an upright grayscale
// copy (the pipeline works on luminance only).
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	g := toGray(img)
	w, h := g.w, g.h
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			out.Pix[dy*ow+dx] = g.pix[y*w+x]
		}
	}
	return out
}

// Turn returns img turned clockwise by quarters quarter turns (1, 2 or 3;
// other values return img), in gray: for pages photographed sideways or
// upside down without an EXIF orientation.
func Turn(img image.Image, quarters int) image.Image {
	switch ((quarters % 4) + 4) % 4 {
	case 1:
		return orient(img, 6)
	case 2:
		return orient(img, 3)
	case 3:
		return orient(img, 8)
	}
	return img
}
