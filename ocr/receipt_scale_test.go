package ocr

import (
	"image"
	"image/color"
	"testing"
)

// blockPage is a white w×h page with rows of dark character-sized blocks
// charH pixels high, a stand-in for printed text.
func blockPage(w, h, charH int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := h / 10; y+charH < h*9/10; y += 3 * charH {
		for x := w / 10; x+4 < w*9/10; x += 8 {
			for dy := 0; dy < charH; dy++ {
				for dx := 0; dx < 4; dx++ {
					img.SetGray(x+dx, y+dy, color.Gray{Y: 0})
				}
			}
		}
	}
	return img
}

// TestReceiptLineHeight: receiptLineHeight scales narrow receipts to its
// own text size and leaves sheets at lineHeight's.
func TestReceiptLineHeight(t *testing.T) {
	receipt, sheet := blockPage(400, 1200, 6), blockPage(1200, 900, 6)
	opt := defaultPrep
	opt.lineHeight, opt.maxScale, opt.receiptLineHeight = 15, 3, 0
	r0, s0 := preprocess(receipt, opt), preprocess(sheet, opt)
	opt.receiptLineHeight = 30
	r1, s1 := preprocess(receipt, opt), preprocess(sheet, opt)
	if r1.w <= r0.w {
		t.Errorf("receipt at receiptLineHeight 30: width %d, want more than %d (lineHeight 15)", r1.w, r0.w)
	}
	if s1.w != s0.w || s1.h != s0.h {
		t.Errorf("sheet changed with receiptLineHeight: %dx%d, was %dx%d", s1.w, s1.h, s0.w, s0.h)
	}
}
