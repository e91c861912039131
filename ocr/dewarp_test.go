package ocr

import (
	"bytes"
	"image"
	"math"
	"path/filepath"
	"testing"

	"pandian/fixtures/documents/families"
)

// synthPage draws rows of character-sized blocks (descriptions on the
// left, amounts on the right, a gap between) whose centre line is moved
// down by bow(x) pixels.
func synthPage(bow func(x float64) float64) *grayImg {
	g := newGray(900, 760)
	for i := range g.pix {
		g.pix[i] = 255
	}
	for row := 0; row < 22; row++ {
		yc := 40 + 32*float64(row)
		for _, span := range [][2]int{{40, 420}, {660, 860}} {
			for x0 := span[0]; x0+10 <= span[1]; x0 += 14 {
				for x := x0; x < x0+10; x++ {
					c := yc + bow(float64(x))
					for y := int(c) - 7; y < int(c)+7; y++ {
						if y >= 0 && y < g.h {
							g.pix[y*g.w+x] = 20
						}
					}
				}
			}
		}
	}
	return g
}

// inkCentre is the mean row of the ink in columns [x0, x1) between rows
// y0 and y1.
func inkCentre(g *grayImg, x0, x1, y0, y1 int) float64 {
	var s, n float64
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if g.pix[y*g.w+x] < 128 {
				s += float64(y)
				n++
			}
		}
	}
	return s / math.Max(n, 1)
}

// A page whose lines are straight is returned as it is.
func TestDewarpLeavesStraightPage(t *testing.T) {
	g := synthPage(func(float64) float64 { return 0 })
	if got := dewarpRows(g); got != g {
		t.Error("a straight page was warped")
	}
}

// A bowed page (its lines' middles 12 px lower than their ends, about
// three quarters of a line spacing less a gap between the columns) is
// straightened: a line's description and its amount end up level.
func TestDewarpStraightensBow(t *testing.T) {
	bow := func(x float64) float64 { u := 2*x/900 - 1; return 12 * (1 - u*u) }
	g := synthPage(bow)
	// Before: the description's middle is lower than the amount's end.
	row := 10
	yc := 40 + 32*row
	before := inkCentre(g, 380, 420, yc-12, yc+24) - inkCentre(g, 820, 860, yc-12, yc+12)
	out := dewarpRows(g)
	if out == g {
		t.Fatal("the bowed page was left as it was")
	}
	// Find the row again near its left end (which barely moves).
	yl := int(math.Round(inkCentre(out, 40, 80, yc-12, yc+12)))
	after := inkCentre(out, 380, 420, yl-12, yl+12) - inkCentre(out, 820, 860, yl-12, yl+12)
	t.Logf("description against amount: %.1f px before, %.1f px after", before, after)
	if math.Abs(before) < 6 || math.Abs(after) > math.Abs(before)/2 {
		t.Errorf("description against amount: %.1f px before, %.1f px after (want under half)", before, after)
	}
}

// dewarpMeasured straightens the page preprocess makes of img (itself
// without straightening) and reports whether the fit found a displacement
// worth undoing (the gate was asked) and whether the page was changed.
func dewarpMeasured(img image.Image) (measured, changed bool) {
	o := defaultPrep
	o.dewarp = false
	flat := preprocess(img, o)
	dewarpGateTrace = func(float64, float64, float64, float64) { measured = true }
	defer func() { dewarpGateTrace = nil }()
	return measured, dewarpRows(flat) != flat
}

// Straight pages on which the fit alone finds a bow of more than half a
// text height (its bands matched to the wrong lines) are left exactly as
// they were: a generated A4 render, and the shared purchase orders (among
// them a narrow thermal photo the ungated straightening cost two lines).
func TestDewarpGateLeavesStraightPages(t *testing.T) {
	img := straightRender(t)
	measured, changed := dewarpMeasured(img)
	if !measured {
		t.Error("a4-multiline render: the fit found nothing to undo (the gate not exercised)")
	}
	if changed {
		t.Error("a4-multiline render: a straight page was bent")
	}
	pos, _ := filepath.Glob("../../shared/data/purchase-orders/po*.jpg")
	if len(pos) == 0 {
		t.Log("shared purchase orders absent: skipped")
		return
	}
	nMeasured := 0
	for _, p := range pos {
		measured, changed := dewarpMeasured(loadTestImage(t, p))
		if measured {
			nMeasured++
		}
		if changed {
			t.Errorf("%s: a straight page was bent", filepath.Base(p))
		}
	}
	if nMeasured == 0 {
		t.Error("no purchase order measured above the minimum (the gate not exercised)")
	}
}

// The gate keeps a straightening that levels the lines: a straight
// generated render bowed synthetically (its middle 1.2 text lines below
// its ends) is changed, and its row profile gets sharper.
func TestDewarpGateKeepsBowedRender(t *testing.T) {
	img := straightRender(t)
	o := defaultPrep
	o.dewarp = false
	flat := preprocess(img, o)
	lh := textLineHeight(flat)
	bowed := newGray(flat.w, flat.h)
	for x := 0; x < flat.w; x++ {
		u := 2*float64(x)/float64(flat.w) - 1
		d := 1.2 * lh * (1 - u*u)
		for y := 0; y < flat.h; y++ {
			sy := float64(y) - d
			v := 255.0
			if sy >= 0 && sy < float64(flat.h-1) {
				v = bilinear(flat, float64(x), sy)
			}
			bowed.pix[y*flat.w+x] = uint8(math.Round(v))
		}
	}
	out := dewarpRows(bowed)
	if out == bowed {
		t.Fatal("the bowed render was left as it was")
	}
	if b, a := rowSharpness(bowed), rowSharpness(out); a < b*1.05 {
		t.Errorf("row sharpness %.3f -> %.3f: not levelled", b, a)
	}
}

// A page whose lines are tilted but straight (rising 30 px, two line
// heights, across the page) is not curl: it is left as it was, though the
// fit measures a displacement above the minimum.
func TestDewarpLeavesTiltedPage(t *testing.T) {
	g := synthPage(func(x float64) float64 { return 30 * x / 900 })
	var lines, bow float64
	dewarpGateTrace = func(l, b, _, _ float64) { lines, bow = l, b }
	defer func() { dewarpGateTrace = nil }()
	if got := dewarpRows(g); got != g {
		t.Errorf("a tilted page was warped (displacement %.2f lines, bow %.2f)", lines, bow)
	}
	if lines == 0 {
		t.Error("the tilt was not measured above the minimum (the gate not exercised)")
	}
}

// straightRender is a generated A4 page (a4-multiline in Noto Serif, seed
// 1), straight as rendered.
func straightRender(t *testing.T) image.Image {
	t.Helper()
	r, err := families.Render("a4-multiline", "noto-serif", 1)
	if families.IsFontMissing(err) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	img, err := LoadImage(bytes.NewReader(r.JPEG), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
