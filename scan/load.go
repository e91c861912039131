package scan

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// imageKind is an image format recognised from its first bytes.
type imageKind struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	kindJPEG = imageKind{"jpeg", jpeg.DecodeConfig, jpeg.Decode}
	kindPNG  = imageKind{"png", png.DecodeConfig, png.Decode}
	kindGIF  = imageKind{"gif", gif.DecodeConfig, gif.Decode}
	kindWebP = imageKind{"webp", webp.DecodeConfig, webp.Decode}
)

// sniff recognises the image format from its magic bytes, never a name.
func sniff(b []byte) (imageKind, bool) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return kindJPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return kindPNG, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return kindGIF, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return kindWebP, true
	}
	return imageKind{}, false
}

// readLimited reads all of r, refusing more than max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, imageErr(ImageUnreadable, "reading the image: %v", err)
	}
	if int64(len(b)) > max {
		return nil, imageErr(ImageTooLarge, "image larger than %d bytes", max)
	}
	if len(b) == 0 {
		return nil, imageErr(ImageUnreadable, "empty image")
	}
	return b, nil
}

// loadGray checks and decodes an encoded image into an upright luminance
// plane. The header is read first so that an image of more than maxPixels
// is refused before any pixel is decoded.
func loadGray(b []byte, maxPixels int64) (g *gray, err error) {
	kind, ok := sniff(b)
	if !ok {
		return nil, imageErr(ImageUnsupported, "not a JPEG, PNG, WebP or GIF image")
	}
	if kind.name == kindJPEG.name {
		if g, err := loadJPEGTurbo(b, maxPixels); g != nil || err != nil {
			return g, err
		}
	}
	defer func() { // the decoders should not panic; never let one take the server down
		if p := recover(); p != nil {
			g, err = nil, imageErr(ImageCorrupt, "corrupt %s image (%v)", kind.name, p)
		}
	}()
	cfg, err := kind.config(bytes.NewReader(b))
	if err != nil {
		return nil, imageErr(ImageCorrupt, "corrupt %s header: %v", kind.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, imageErr(ImageCorrupt, "%s image has no pixels", kind.name)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, imageErr(ImageTooLarge,
			"image of %d×%d pixels is larger than %d megapixels", cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	img, err := kind.decode(bytes.NewReader(b))
	if err != nil {
		return nil, imageErr(ImageCorrupt, "corrupt %s image: %v", kind.name, err)
	}
	if r := img.Bounds(); r.Dx() != cfg.Width || r.Dy() != cfg.Height {
		return nil, imageErr(ImageCorrupt, "%s image size differs from its header", kind.name)
	}
	g = toGray(img)
	if kind.name == kindJPEG.name {
		g = g.orient(JPEGOrientation(b))
	}
	return g, nil
}

// UprightSize returns the size in pixels of an encoded image shown upright
// (a JPEG's EXIF orientation applied): the frame of Barcode.Points. Only
// the header is read.
func UprightSize(b []byte) (width, height int, err error) {
	k, ok := sniff(b)
	if !ok {
		return 0, 0, imageErr(ImageUnsupported, "not a JPEG, PNG, GIF or WebP image")
	}
	cfg, err := k.config(bytes.NewReader(b))
	if err != nil {
		return 0, 0, imageErr(ImageUnreadable, "reading the %s header: %v", k.name, err)
	}
	w, h := cfg.Width, cfg.Height
	if k.name == kindJPEG.name {
		if o := JPEGOrientation(b); o >= 5 && o <= 8 {
			w, h = h, w
		}
	}
	return w, h, nil
}
