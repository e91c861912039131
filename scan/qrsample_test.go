package scan

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// bentQR renders a QR Code of text on a label bent so that its columns
// sag by up to bend modules in the middle (a pouch, a curved can): no
// single perspective transform fits the whole symbol. module is the size
// of a module in pixels; every pixel is the mean of 4×4 samples.
func bentQR(t testing.TB, text string, module, bend float64) *gray {
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]interface{}{
			gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_L,
			gozxing.EncodeHintType_MARGIN:           0,
		})
	if err != nil {
		t.Fatal(err)
	}
	dim := float64(m.GetWidth())
	side := int((dim+8)*module + 2*bend*module)
	g := &gray{w: side, h: side, pix: make([]byte, side*side)}
	x0, y0 := 4*module, 4*module+bend*module
	for y := range side {
		for x := range side {
			var sum float64
			for sy := range 4 {
				for sx := range 4 {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					u := (px - x0) / module
					v := (py - y0 - bend*module*math.Sin(math.Pi*u/dim)) / module
					ink := u >= 0 && v >= 0 && u < dim && v < dim && m.Get(int(u), int(v))
					if ink {
						sum += 30
					} else {
						sum += 225
					}
				}
			}
			g.pix[y*side+x] = byte(sum / 16)
		}
	}
	return g
}

// TestQRBentLabel: a QR Code on a bent label (the middle sags by a
// module) at under three pixels a module, which gozxing's reader detects
// but samples wrong, is read by the grid fitted to its alignment
// patterns, and the decoder as the server runs it returns it.
func TestQRBentLabel(t *testing.T) {
	// 176 bytes: version 8, with six alignment patterns besides the
	// finders'
	text := "https://pandian.example/loc/HK-MK-0012/shelf/07/bin/42?count=2026-12-06&by=" + strings.Repeat("x", 100)
	g := bentQR(t, text, 2.6, 1)
	bmp, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newLumSource(g)))
	if res, err := qrcode.NewQRCodeReader().Decode(bmp, tryHarder); err == nil {
		t.Logf("gozxing alone reads it (%q): the fixture no longer shows the point", res.GetText())
	}
	r := &run{ctx: context.Background(), all: true, col: newCollector()}
	r.resampleQR(&view{g: g, scale: 1})
	if bcs := r.col.barcodes(); len(bcs) != 1 || bcs[0].Text != text {
		t.Fatalf("resampleQR: %s, want %q", describe(bcs), text)
	}
	bcs := NewDecoder(DecoderOptions{All: true}).decodeGray(context.Background(), g)
	if len(bcs) != 1 || bcs[0].Text != text || bcs[0].Format != "QR_CODE" {
		t.Fatalf("decoder: %s, want %q", describe(bcs), text)
	}
}

// perspQR renders text's QR Code with its corners at the given points of
// a w×h image (module coordinates -> image via a homography).
func perspQR(text string, w, h int, quad [8]float64) *gray {
	m, _ := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M, gozxing.EncodeHintType_MARGIN: 0})
	dim := float64(m.GetWidth())
	tr := common.PerspectiveTransform_QuadrilateralToQuadrilateral(quad[0], quad[1], quad[2], quad[3], quad[4], quad[5], quad[6], quad[7],
		0, 0, dim, 0, dim, dim, 0, dim)
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	p := make([]float64, 2)
	for y := range h {
		for x := range w {
			var sum float64
			for s := range 9 {
				p[0], p[1] = float64(x)+(float64(s%3)+0.5)/3, float64(y)+(float64(s/3)+0.5)/3
				tr.TransformPoints(p)
				if p[0] >= 0 && p[1] >= 0 && p[0] < dim && p[1] < dim && m.Get(int(p[0]), int(p[1])) {
					sum += 30
				} else {
					sum += 225
				}
			}
			g.pix[y*w+x] = byte(sum / 9)
		}
	}
	return g
}

// TestQRTurnedAway: a QR Code turned away from the camera, its right side
// seen 30% shorter than its left (gozxing's detector refuses finder
// patterns whose module sizes differ that much), is read by the decoder
// as the server runs it.
func TestQRTurnedAway(t *testing.T) {
	text := "https://pandian.example/loc/HK-MK-0012"
	g := perspQR(text, 340, 340, [8]float64{40, 40, 280, 80, 280, 260, 40, 300})
	bmp, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newLumSource(g)))
	if res, err := qrcode.NewQRCodeReader().Decode(bmp, tryHarder); err == nil {
		t.Logf("gozxing alone reads it (%q): the fixture no longer shows the point", res.GetText())
	}
	bcs := NewDecoder(DecoderOptions{All: true}).decodeGray(context.Background(), g)
	if len(bcs) != 1 || bcs[0].Text != text || bcs[0].Format != "QR_CODE" {
		t.Fatalf("decoder: %s, want %q", describe(bcs), text)
	}
}
