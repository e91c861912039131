package ocr

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// markedPhoto draws a w×h photo of a sheet: paper, rows of text-sized
// black print bars, light grey rules under the rows (lighter than
// longRules' 150: a blurred photo's thin rules) and, by mark, coloured
// ink: "chop" a red ring over the print, "loop" a blue pen loop round a
// number (four text heights wide), "glyphs" red text-sized bars (coloured
// print), "underline" a long red rule, "border" a coloured table top
// round the sheet.
func markedPhoto(w, h int, mark string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	for y := range h {
		for x := range w {
			c := color.RGBA{236, 232, 226, 255}
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			e := math.Hypot((float64(x)-cx)/24, (float64(y)-cy)/12)
			switch {
			case mark == "border" && (x < 30 || y < 30 || x >= w-30 || y >= h-30 || (x < 60 && y%7 < 3)):
				c = color.RGBA{190, 120, 80, 255}
			case x%40 < 22 && y%30 >= 10 && y%30 < 22 && x > 60 && x < w-60 && y > 60 && y < h-60:
				c = color.RGBA{30, 30, 32, 255} // print
			case mark == "chop" && math.Abs(d-70) < 2.5:
				c = color.RGBA{205, 38, 48, 255}
			case mark == "loop" && math.Abs(e-1) < 0.12:
				c = color.RGBA{50, 66, 157, 255}
			case mark == "glyphs" && x%40 >= 24 && x%40 < 36 && y%30 >= 10 && y%30 < 22 && x > w/3 && x < 2*w/3 && y > h/3 && y < 2*h/3:
				c = color.RGBA{205, 38, 48, 255}
			case mark == "underline" && y >= h/2 && y < h/2+3 && x > 100 && x < w-100:
				c = color.RGBA{205, 38, 48, 255}
			case y%30 == 26 && x > 60 && x < w-60:
				c = color.RGBA{175, 175, 178, 255} // a light rule
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// A chop's ring over a sheet whose rules are too light for the rules gate
// opens inkOverTable's gate (inkMarks); a pen loop round a number,
// coloured print (text-sized glyphs, a long rule), a coloured table top
// round the sheet and a narrow receipt do not.
func TestInkMarksGate(t *testing.T) {
	saved, savedAll, savedLean := inkMarksGate, dropColourInk, leaningRuleCount
	defer func() { inkMarksGate, dropColourInk, leaningRuleCount = saved, savedAll, savedLean }()
	dropColourInk, leaningRuleCount = false, false
	gate := func(on bool, img *image.RGBA) (bool, int) {
		inkMarksGate = on
		g := toGray(img)
		lh := textLineHeight(g)
		receipt := img.Bounds().Dx()*2 < img.Bounds().Dy()
		flatten(g)
		if n := longRules(g); n >= inkTableRules {
			t.Fatalf("%d long rules read: the test wants the rules gate shut", n)
		}
		open, _ := inkOverTable(img, g, receipt, lh)
		return open, len(inkMarks(img, lh))
	}
	img := markedPhoto(840, 600, "chop")
	if open, n := gate(true, img); !open || n == 0 {
		t.Errorf("chop: gate open %v, %d marks: want open", open, n)
	}
	if open, _ := gate(false, img); open {
		t.Errorf("chop: gate open without the mark gate")
	}
	for _, mark := range []string{"loop", "glyphs", "underline", "border"} {
		if open, n := gate(true, markedPhoto(840, 600, mark)); open || n > 0 {
			t.Errorf("%s: gate open %v, %d marks: want shut", mark, open, n)
		}
	}
	if open, _ := gate(true, markedPhoto(300, 900, "chop")); open {
		t.Errorf("receipt with a chop: gate open")
	}
}

// With the gate open by a chop's ring, preprocess lightens its ink.
func TestInkMarksLightenChop(t *testing.T) {
	saved := inkMarksGate
	defer func() { inkMarksGate = saved }()
	dark := func(on bool) int {
		inkMarksGate = on
		g := preprocess(markedPhoto(840, 600, "chop"), defaultPrep)
		n := 0
		for _, v := range g.pix {
			if v < 128 {
				n++
			}
		}
		return n
	}
	if off, on := dark(false), dark(true); on >= off {
		t.Errorf("dark pixels %d with the mark gate, %d without: the chop not lightened", on, off)
	}
}
