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

// TestScaleToText: the second look's photo is enlarged to the text height
// asked for, within 3×, and left alone when its text is already as large.
func TestScaleToText(t *testing.T) {
	g := toGray(blockPage(400, 400, 6))
	if r := scaleToText(g, 12); r.w < 760 || r.w > 840 {
		t.Errorf("text 6 px to 12: width %d, want about 800", r.w)
	}
	if r := scaleToText(g, 60); r.w != 1200 {
		t.Errorf("text 6 px to 60: width %d, want 1200 (3×)", r.w)
	}
	if r := scaleToText(g, 5); r != g {
		t.Errorf("text 6 px to 5: scaled to %dx%d, want the photo as it is", r.w, r.h)
	}
}
