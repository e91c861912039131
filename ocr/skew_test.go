package ocr

import (
	"math"
	"testing"
)

// A page of thin tilted text lines on broad soft stripes (a striped table
// top the sheet was not told apart from): the projection of all dark
// pixels follows the stripes, the strokes' projection the text.
func TestTextSkewAngleIgnoresStripes(t *testing.T) {
	const w, h = 800, 1000
	g := newGray(w, h)
	for y := 0; y < h; y++ {
		// Stripes 40 px high, from light to mid grey and back.
		v := 170 + 60*math.Sin(float64(y)*2*math.Pi/40)
		for x := 0; x < w; x++ {
			g.pix[y*w+x] = uint8(v)
		}
	}
	tilt := 4.0 * math.Pi / 180
	for line := 0; line < 20; line++ {
		y0 := 150 + 35*float64(line)
		// Dashes like characters: 6 px wide, 2 px thick, 4 px apart.
		for x := 100; x < 700; x++ {
			if x%10 >= 6 {
				continue
			}
			y := int(y0 + float64(x-400)*math.Tan(tilt))
			for dy := 0; dy < 2; dy++ {
				if yy := y + dy; yy >= 0 && yy < h {
					g.pix[yy*w+x] = 20
				}
			}
		}
	}
	if a := skewAngle(g); math.Abs(a) >= residualSkew {
		t.Fatalf("skewAngle = %.1f: the stripes should hide the tilt from it", a)
	}
	if a := textSkewAngle(g); math.Abs(a-4) > 0.3 {
		t.Errorf("textSkewAngle = %.1f, want 4", a)
	}
	if a := residualTilt(g); math.Abs(a-4) > 0.3 {
		t.Errorf("residualTilt = %.1f, want 4", a)
	}
	// A level page without strokes keeps 0.
	if a := textSkewAngle(newGray(200, 200)); a != 0 {
		t.Errorf("blank page: %.1f", a)
	}
}
