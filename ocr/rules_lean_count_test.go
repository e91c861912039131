package ocr

import (
	"image"
	"image/color"
	"testing"
)

// tiltedInkedPhoto draws a w×h sheet photo: level rules every 60 rows
// leaning one row in lean columns (lean 0: level), text-sized print bars
// between them and red chop strokes over the middle.
func tiltedInkedPhoto(w, h, lean int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{236, 232, 226, 255}
			yr := y
			if lean > 0 {
				yr = y - x/lean
			}
			switch {
			case yr >= 60 && yr < h-100 && yr%60 < 2 && x > 20 && x < w-20:
				c = color.RGBA{40, 40, 44, 255} // a table's rule
			case x%40 < 22 && yr%60 >= 20 && yr%60 < 36 && x > 20 && x < w-20 && y > 20 && y < h-20:
				c = color.RGBA{30, 30, 32, 255} // print
			case x%17 < 6 && y%13 < 5 && x > w/3 && x < 2*w/3 && y > h/3 && y < 2*h/3:
				c = color.RGBA{205, 38, 48, 255} // chop
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// A ruled table leaning 1.4° (one row in 40 columns) holds no row run a
// quarter of the page wide: longRules reads none, leaningRules reads each
// rule once, and the inked sheet's gate opens only with the leaning count.
// Print, a dark block and a steep line are not rules.
func TestLeaningRulesCountTiltedTable(t *testing.T) {
	saved, savedAll := leaningRuleCount, dropColourInk
	defer func() { leaningRuleCount, dropColourInk = saved, savedAll }()
	dropColourInk = false
	img := tiltedInkedPhoto(840, 600, 40)
	g := toGray(img)
	if n := longRules(g); n >= inkTableRules {
		t.Fatalf("longRules = %d on the tilted table: the test needs it under %d", n, inkTableRules)
	}
	level := longRules(toGray(tiltedInkedPhoto(840, 600, 0)))
	if n := leaningRules(g); n != level {
		t.Errorf("leaningRules = %d on the tilted table, want about its %d rules", n, level)
	}
	leaningRuleCount = false
	if open, _ := inkOverTable(img, g, false, 0); open {
		t.Errorf("gate open without the leaning count: the test shows nothing")
	}
	leaningRuleCount = true
	if open, _ := inkOverTable(img, g, false, 0); !open {
		t.Errorf("tilted ruled sheet under ink: gate closed with the leaning count")
	}
	if open, _ := inkOverTable(img, g, true, 0); open {
		t.Errorf("receipt: gate open")
	}

	// No rules: print bars, a dark block a third of the page wide and a
	// line leaning 1 in 4.
	blank := image.NewRGBA(image.Rect(0, 0, 840, 600))
	for y := range 600 {
		for x := range 840 {
			c := color.RGBA{236, 232, 226, 255}
			switch {
			case x >= 300 && x < 600 && y >= 400 && y < 560:
				c = color.RGBA{20, 20, 20, 255}
			case x%40 < 22 && y%60 >= 20 && y%60 < 36 && y < 380:
				c = color.RGBA{30, 30, 32, 255}
			case y-x/4 >= 0 && y-x/4 < 2:
				c = color.RGBA{30, 30, 32, 255}
			}
			blank.Set(x, y, c)
		}
	}
	if n := leaningRules(toGray(blank)); n != 0 {
		t.Errorf("leaningRules = %d on print, a block and a steep line, want 0", n)
	}
}
