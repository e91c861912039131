package scan

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"errors"
	"unsafe"
)

// tjHeader is what the TurboJPEG header read reports of a JPEG.
type tjHeader struct {
	w, h       int
	colorspace int // TJCS_*
}

// errTJUnsupported marks a JPEG that TurboJPEG decodes, but not straight
// to gray (CMYK, YCCK): the caller uses Go's decoder instead.
var errTJUnsupported = errors.New("turbojpeg: colour space not decoded to gray here")

// tjDecoder wraps one TurboJPEG decompressor handle; it is not safe for
// concurrent use, so each image gets its own.
type tjDecoder struct {
	h C.tjhandle
}

func newTJDecoder() (*tjDecoder, error) {
	h := C.tjInitDecompress()
	if h == nil {
		return nil, errors.New("turbojpeg: " + C.GoString(C.tjGetErrorStr2(nil)))
	}
	return &tjDecoder{h: h}, nil
}

func (d *tjDecoder) close() { C.tjDestroy(d.h) }

func (d *tjDecoder) err() error {
	return errors.New(C.GoString(C.tjGetErrorStr2(d.h)))
}

// header reads the frame header of the JPEG in b.
func (d *tjDecoder) header(b []byte) (tjHeader, error) {
	var w, h, subsamp, cs C.int
	if len(b) == 0 {
		return tjHeader{}, errors.New("empty")
	}
	if C.tjDecompressHeader3(d.h, (*C.uchar)(unsafe.Pointer(&b[0])), C.ulong(len(b)), &w, &h, &subsamp, &cs) != 0 {
		return tjHeader{}, d.err()
	}
	return tjHeader{w: int(w), h: int(h), colorspace: int(cs)}, nil
}

// decodeGray decodes the JPEG in b, whose header is hd, straight to an
// 8-bit luminance plane at full resolution (only the luma is decoded for a
// YCbCr JPEG). TurboJPEG's warnings (a truncated or damaged stream it
// could patch up) count as errors too, as they do for Go's decoder.
//
// TurboJPEG could also scale by 1/2, 1/4 or 1/8 in the IDCT, but the
// entropy decoding dominates (12 MP: 32 ms at 1/1, 20 ms at 1/2) and the
// cascade's full-resolution retry needs every pixel anyway.
func (d *tjDecoder) decodeGray(b []byte, hd tjHeader) (*gray, error) {
	if hd.colorspace == C.TJCS_CMYK || hd.colorspace == C.TJCS_YCCK {
		return nil, errTJUnsupported
	}
	w, h := hd.w, hd.h
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	flags := C.int(C.TJFLAG_STOPONWARNING | C.TJFLAG_LIMITSCANS)
	if C.tjDecompress2(d.h, (*C.uchar)(unsafe.Pointer(&b[0])), C.ulong(len(b)),
		(*C.uchar)(unsafe.Pointer(&g.pix[0])), C.int(w), C.int(w), C.int(h), C.TJPF_GRAY, flags) != 0 {
		return nil, d.err()
	}
	return g, nil
}

// loadJPEGTurbo decodes the JPEG in b to an upright luminance plane with
// TurboJPEG at full resolution, refusing more than maxPixels from the
// header. It returns nil, nil when TurboJPEG cannot read the image (a
// corrupt or truncated stream, CMYK): loadGray then goes on with Go's
// decoder, which gives the same answer (or *ImageError) as before.
func loadJPEGTurbo(b []byte, maxPixels int64) (*gray, error) {
	d, err := newTJDecoder()
	if err != nil {
		return nil, nil
	}
	defer d.close()
	hd, err := d.header(b)
	if err != nil || hd.w <= 0 || hd.h <= 0 {
		return nil, nil
	}
	if px := int64(hd.w) * int64(hd.h); px > maxPixels {
		return nil, imageErr(ImageTooLarge, "image of %d×%d pixels is larger than %d megapixels", hd.w, hd.h, maxPixels/1_000_000)
	}
	g, err := d.decodeGray(b, hd)
	if err != nil {
		return nil, nil
	}
	return g.orient(JPEGOrientation(b)), nil
}
