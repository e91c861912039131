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
