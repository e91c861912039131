package ocr

import (
	"image"
	"image/color"
	"testing"
)

// inkedPhoto draws a w×h photo: paper, black print bars (text-sized) and
// red chop strokes over them (short, so no rule removal takes them).
func inkedPhoto(w, h int, ruled bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{236, 232, 226, 255}
			switch {
			case ruled && y%60 < 2 && y > 30 && y < h-30 && x > 20 && x < w-20:
				c = color.RGBA{40, 40, 44, 255} // a table's level rules
			case x%40 < 22 && y%30 >= 10 && y%30 < 22 && x > 20 && x < w-20 && y > 20 && y < h-20:
				c = color.RGBA{30, 30, 32, 255} // print
			case x%17 < 6 && y%13 < 5 && x > w/3 && x < 2*w/3 && y > h/3 && y < 2*h/3:
				c = color.RGBA{205, 38, 48, 255} // chop
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// darkShare is the share of pixels darker than 128 in the centre third of
// g (where the chop lies).
func darkShare(g *grayImg) float64 {
	n, d := 0, 0
	for y := g.h / 3; y < 2*g.h/3; y++ {
		for x := g.w / 3; x < 2*g.w/3; x++ {
			n++
			if g.pix[y*g.w+x] < 128 {
				d++
			}
		}
	}
	return float64(d) / float64(n)
}

// On a sheet's ruled table (wide page, long level rules) the red chop's
// ink is lightened before reading; on a sheet without rules and on a
// narrow receipt coloured print is left (dropColourInk is off).
func TestDropInkOnSheetsOnly(t *testing.T) {
	saved, savedAll := dropInkOnSheets, dropColourInk
	defer func() { dropInkOnSheets, dropColourInk = saved, savedAll }()
	dropColourInk = false
	share := func(on bool, w, h int, ruled bool) float64 {
		dropInkOnSheets = on
		return darkShare(preprocess(inkedPhoto(w, h, ruled), defaultPrep))
	}
	sheetOff, sheetOn := share(false, 840, 600, true), share(true, 840, 600, true)
	if sheetOn > 0.8*sheetOff {
		t.Errorf("ruled sheet: dark share %.3f with the rule, %.3f without: the chop's ink not lightened", sheetOn, sheetOff)
	}
	if off, on := share(false, 840, 600, false), share(true, 840, 600, false); on != off {
		t.Errorf("sheet without rules: dark share %.3f with the rule, %.3f without: want it left alone", on, off)
	}
	rcOff, rcOn := share(false, 300, 900, true), share(true, 300, 900, true)
	if rcOn != rcOff {
		t.Errorf("receipt: dark share %.3f with the rule, %.3f without: want it left alone", rcOn, rcOff)
	}
}
