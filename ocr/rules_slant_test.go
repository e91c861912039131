package ocr

import (
	"math"
	"testing"
)

// A grid's vertical rule leaning 2.5° (a keystoned photo: straight runs of
// about 46 pixels, under the rule test's minimum) is erased; the text-sized
// strokes beside it stay.
func TestRemoveRulesLeaningRule(t *testing.T) {
	saved := slantedRules
	defer func() { slantedRules = saved }()
	const w, h = 600, 2400
	page := func() *grayImg {
		g := &grayImg{w: w, h: h, pix: make([]uint8, w*h)}
		for i := range g.pix {
			g.pix[i] = 235
		}
		for y := 100; y < 2100; y++ {
			x := 300 + int(math.Round(float64(y)*math.Tan(2.5*math.Pi/180)))
			g.pix[y*w+x], g.pix[y*w+x+1] = 40, 40
		}
		// Text: 12 px tall vertical strokes in rows 20 px apart.
		for r := 0; r < 60; r++ {
			for y := 120 + 30*r; y < 132+30*r; y++ {
				for _, x := range []int{100, 104, 110, 450, 456} {
					g.pix[y*w+x], g.pix[y*w+x+1] = 30, 30
				}
			}
		}
		return g
	}
	ruleDark := func(g *grayImg) int {
		n := 0
		for y := 100; y < 2100; y++ {
			x := 300 + int(math.Round(float64(y)*math.Tan(2.5*math.Pi/180)))
			if g.pix[y*w+x] < 150 {
				n++
			}
		}
		return n
	}
	textDark := func(g *grayImg) int {
		n := 0
		for i, v := range g.pix {
			if x := i % w; v < 150 && (x < 200 || x > 420) {
				n++
			}
		}
		return n
	}
	slantedRules = false
	off := page()
	removeRules(off, true)
	slantedRules = true
	on := page()
	removeRules(on, true)
	if n := ruleDark(off); n < 1000 {
		t.Fatalf("without the rule %d of the leaning rule's 2000 pixels stay dark; the test needs them kept", n)
	}
	if n := ruleDark(on); n > 0 {
		t.Errorf("%d pixels of the leaning rule left dark", n)
	}
	rc := page()
	removeRules(rc, false)
	if n := ruleDark(rc); n < 1000 {
		t.Errorf("a receipt's leaning rule erased (%d pixels left dark): only sheets", n)
	}
	if a, b := textDark(on), textDark(page()); a != b {
		t.Errorf("text strokes: %d dark pixels left of %d", a, b)
	}
}
