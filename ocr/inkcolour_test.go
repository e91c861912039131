package ocr

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// A red chop over black print, photographed (JPEG): the chop's ink turns
// to paper, the print under it and beside it stays dark, the paper stays
// as it was.
func TestDropInkRedChopOverPrint(t *testing.T) {
	const w, h = 200, 120
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{236, 232, 226, 255} // paper, a little warm
			chop := x >= 60 && x < 160 && y >= 20 && y < 100
			print := y >= 50 && y < 62 && x >= 20 && x < 180
			switch {
			case print:
				c = color.RGBA{30, 30, 32, 255}
			case chop:
				c = color.RGBA{205, 38, 48, 255}
			}
			src.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	g := toGray(img)
	if v := g.pix[30*w+110]; v > 120 {
		t.Fatalf("red ink is %d in the luma plane already; the test needs it dark", v)
	}
	dropInk(img, g)
	at := func(x, y int) uint8 { return g.pix[y*w+x] }
	if v := at(110, 30); v < 180 {
		t.Errorf("red chop ink: grey %d, want paper (≥ 180)", v)
	}
	if v := at(110, 56); v > 80 {
		t.Errorf("print under the chop: grey %d, want dark (≤ 80)", v)
	}
	if v := at(30, 56); v > 80 {
		t.Errorf("print beside the chop: grey %d, want dark (≤ 80)", v)
	}
	if v := at(10, 10); v < 200 {
		t.Errorf("paper: grey %d, want ≥ 200", v)
	}
}

// Blue pen over white paper turns to paper too.
func TestInkLightBluePen(t *testing.T) {
	if v := inkLight(60, 34, 52, 150); v < 150 {
		t.Errorf("blue pen: %d, want its blue channel (150)", v)
	}
	if v := inkLight(40, 40, 40, 44); v != 40 {
		t.Errorf("grey print: %d, want 40 as it was", v)
	}
}

// A photo without coloured ink (colour noise on paper, spreads under
// inkClear) is left exactly as it was.
func TestDropInkLeavesUninkedPage(t *testing.T) {
	const w, h = 120, 80
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{230, 226, 222, 255}
			if (x*7+y*13)%5 == 0 {
				c = color.RGBA{240, 204, 230, 255} // noise: spread 36
			}
			if y >= 30 && y < 40 && x >= 10 && x < 110 {
				c = color.RGBA{30, 30, 32, 255}
			}
			src.Set(x, y, c)
		}
	}
	g := toGray(src)
	before := append([]uint8(nil), g.pix...)
	dropInk(src, g)
	for i := range g.pix {
		if g.pix[i] != before[i] {
			t.Fatalf("pixel %d changed %d -> %d on a page without ink", i, before[i], g.pix[i])
		}
	}
}
