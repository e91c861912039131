package scan

import (
	"context"
	"image"
	"io"
	"time"
)

// Barcode is one barcode found in a photo.
type Barcode struct {
	// Format is the symbology as ZXing names it: EAN_13, EAN_8, UPC_A,
	// UPC_E, CODE_128, CODE_39, ITF, RSS_14, QR_CODE, DATA_MATRIX.
	Format string `json:"format"`
	// Text is the decoded data exactly as carried (FNC1 in GS1 data as GS,
	// 0x1D), without symbology identifier.
	Text string `json:"text"`
	// Points are the corners (2D) or the ends of the scan line (1D) where
	// the barcode was found, in pixels of the upright image (after the EXIF
	// orientation), x then y.
	Points [][2]float64 `json:"points"`
	// Code is Text parsed with Parse (with the AIM symbology identifier the
	// decoder reported, so GS1 data is understood); zero when it does not
	// parse.
	Code Code `json:"code"`
}

// DecoderOptions bound and tune a Decoder. The zero value gives the
// defaults.
type DecoderOptions struct {
	// MaxBytes refuses larger encoded images with 413; default 20 MiB.
	MaxBytes int64
	// MaxPixels refuses images with more pixels (read from the header,
	// before decoding) with 413; default 40 megapixels.
	MaxPixels int64
	// WorkSide is the long side, in pixels, that larger photos are reduced
	// to for the first attempts; default 1600.
	WorkSide int
	// Timeout bounds the decoding work for one image (the context's
	// deadline applies too, whichever is sooner); default 250 ms. When it
	// passes, Decode returns what it has found so far.
	Timeout time.Duration
	// All asks for every barcode in the photo (a shelf, a carton label);
	// otherwise Decode stops at the first attempt with a good read.
	All bool
}

// Decoder finds and decodes barcodes in photos. It is safe for concurrent
// use; see Pool for bounding the number of images decoded at once.
type Decoder struct {
	opts DecoderOptions
}

// NewDecoder returns a Decoder with opts, zero fields set to their
// defaults.
func NewDecoder(opts DecoderOptions) *Decoder {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 20 << 20
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = 40_000_000
	}
	if opts.WorkSide <= 0 {
		opts.WorkSide = 1600
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 250 * time.Millisecond
	}
	return &Decoder{opts: opts}
}

// Options returns the options in force, defaults filled in.
func (d *Decoder) Options() DecoderOptions { return d.opts }

// Decode reads one encoded image (JPEG, PNG, WebP or GIF, recognised from
// its bytes) from r and returns the barcodes found in it, each once, in the
// order found; none found is an empty result, not an error. An image that
// is too large, not an image, or corrupt gives an *ImageError. A context
// that is already done gives its error.
func (d *Decoder) Decode(ctx context.Context, r io.Reader) ([]Barcode, error) {
	b, err := readLimited(r, d.opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	return d.decodeBytes(ctx, b)
}

// decodeBytes is Decode on an image already read.
func (d *Decoder) decodeBytes(ctx context.Context, b []byte) ([]Barcode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := d.Load(b)
	if err != nil {
		return nil, err
	}
	return d.DecodeFrame(ctx, f)
}

// Frame is an encoded image decoded to what the barcode search works on:
// its upright luminance plane. Decode is Load then DecodeFrame; the two
// halves are apart so that a benchmark can time the search alone (the
// decoder against another decoder given the same pixels). A search
// keeps no work on the frame (its plane's block statistics are its own),
// so a frame may be searched again, or by several goroutines at once,
// each search starting from the same state.
type Frame struct {
	g *gray
}

// Load decodes the encoded image b (JPEG, PNG, WebP or GIF; a JPEG's EXIF
// orientation applied) with the decoder's limits, as Decode does before
// its search; errors as Decode's.
func (d *Decoder) Load(b []byte) (*Frame, error) {
	switch {
	case int64(len(b)) > d.opts.MaxBytes:
		return nil, imageErr(ImageTooLarge, "image larger than %d bytes", d.opts.MaxBytes)
	case len(b) == 0:
		return nil, imageErr(ImageUnreadable, "empty image")
	}
	g, err := loadGray(b, d.opts.MaxPixels)
	if err != nil {
		return nil, err
	}
	return &Frame{g: g}, nil
}

// Gray returns the frame's luminance plane (0 black, 255 white). It shares
// the frame's pixels: the caller must not modify them.
func (f *Frame) Gray() *image.Gray {
	return &image.Gray{Pix: f.g.pix, Stride: f.g.w, Rect: image.Rect(0, 0, f.g.w, f.g.h)}
}

// DecodeFrame runs Decode's search on a frame Load returned: the barcodes
// found, under the decoder's Timeout; a context already done gives its
// error.
func (d *Decoder) DecodeFrame(ctx context.Context, f *Frame) ([]Barcode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	g := &gray{w: f.g.w, h: f.g.h, pix: f.g.pix} // the search's own caches
	return d.decodeGray(ctx, g), nil
}
