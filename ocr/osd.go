package ocr

/*
#cgo LDFLAGS: -ltesseract
#include <stdlib.h>
#include <tesseract/capi.h>

static TessBaseAPI* ocr_osd_new(void) {
	TessBaseAPI* api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, NULL, "osd") != 0) {
		TessBaseAPIDelete(api);
		return NULL;
	}
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	return api;
}

static int ocr_osd_detect(TessBaseAPI* api, const unsigned char* pix, int w, int h, int* deg, float* conf) {
	const char* script = NULL;
	float sconf = 0;
	TessBaseAPISetImage(api, pix, w, h, 1, w);
	int ok = TessBaseAPIDetectOrientationScript(api, deg, conf, &script, &sconf);
	// script points into Tesseract's own tables: not to be freed, whatever
	// capi.h says.
	TessBaseAPIClear(api);
	return ok;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// osd is Tesseract's orientation detector (the osd model, Debian
// tesseract-ocr-osd). Not safe for concurrent use: one per worker.
type osd struct{ api *C.TessBaseAPI }

func newOSD() (*osd, error) {
	api := C.ocr_osd_new()
	if api == nil {
		return nil, errors.New("ocr: orientation detection: osd.traineddata not installed (tesseract-ocr-osd)")
	}
	return &osd{api: api}, nil
}

func (o *osd) close() {
	if o != nil && o.api != nil {
		C.TessBaseAPIEnd(o.api)
		C.TessBaseAPIDelete(o.api)
		o.api = nil
	}
}

// orientation returns the clockwise quarter turns that make the page
// upright, and the detector's confidence; ok is false when the page has
// too little text to tell.
func (o *osd) orientation(g *grayImg) (quarters int, conf float64, ok bool) {
	if g.w < 32 || g.h < 32 {
		return 0, 0, false
	}
	var deg C.int
	var cf C.float
	r := C.ocr_osd_detect(o.api, (*C.uchar)(unsafe.Pointer(&g.pix[0])), C.int(g.w), C.int(g.h), &deg, &cf)
	if r == 0 {
		return 0, 0, false
	}
	// Tesseract reports the angle the text is turned by clockwise
	// (measured, see TestOrientationDetected); the remedy turns it the
	// other way.
	return (4 - int(deg)/90%4) % 4, float64(cf), true
}

// turnGray turns g clockwise by quarters quarter turns.
func turnGray(g *grayImg, quarters int) *grayImg {
	q := ((quarters % 4) + 4) % 4
	if q == 0 {
		return g
	}
	var out *grayImg
	if q == 2 {
		out = newGray(g.w, g.h)
	} else {
		out = newGray(g.h, g.w)
	}
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			v := g.pix[y*g.w+x]
			switch q {
			case 1: // clockwise: (x, y) → (h-1-y, x)
				out.pix[x*out.w+(g.h-1-y)] = v
			case 2:
				out.pix[(g.h-1-y)*out.w+(g.w-1-x)] = v
			case 3: // anticlockwise: (x, y) → (y, w-1-x)
				out.pix[(g.w-1-x)*out.w+y] = v
			}
		}
	}
	return out
}
