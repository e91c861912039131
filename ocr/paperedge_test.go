package ocr

import (
	"math"
	"testing"
)

// paperPhoto is a w×h photo of dark background with a bright sheet from
// x0 to x1 and y0 to y1 whose right side bows out by bow pixels at
// mid-height (0 for a straight sheet).
func paperPhoto(w, h, x0, x1, y0, y1 int, bow float64) *grayImg {
	g := newGray(w, h)
	for y := 0; y < h; y++ {
		t := float64(y-y0) / float64(y1-y0)
		right := float64(x1) + bow*4*t*(1-t)
		for x := 0; x < w; x++ {
			v := uint8(40)
			if y >= y0 && y < y1 && x >= x0 && float64(x) < right {
				v = 230
			}
			g.pix[y*w+x] = v
		}
	}
	return g
}

func TestFindPaperStraightSheetUnchanged(t *testing.T) {
	g := paperPhoto(400, 500, 60, 340, 40, 460, 0)
	defer pushOn()()
	on, ok := findPaper(g)
	if !ok {
		t.Fatal("sheet not found")
	}
	paperEdgePush = false
	off, ok2 := findPaper(g)
	paperEdgePush = true
	if !ok2 {
		t.Fatal("sheet not found without the push")
	}
	for i := range on {
		if math.Abs(on[i].x-off[i].x) > 1.5 || math.Abs(on[i].y-off[i].y) > 1.5 {
			t.Errorf("corner %d moved on a straight sheet: %v, without the push %v", i, on[i], off[i])
		}
	}
}

func TestFindPaperBowedSideCovered(t *testing.T) {
	// The right side bows out by 24 px: its corners lie at x=340, the
	// paper reaches x=364 at mid-height (where a row's amount would be).
	g := paperPhoto(420, 500, 60, 340, 40, 460, 24)
	defer pushOn()()
	q, ok := findPaper(g)
	if !ok {
		t.Fatal("sheet not found")
	}
	if x := (q[1].x + q[2].x) / 2; x < 352 {
		t.Errorf("right side at x=%.0f, the bowed paper reaches 364: its middle is cut off", x)
	}
	if x := (q[0].x + q[3].x) / 2; math.Abs(x-60) > 3 {
		t.Errorf("left side moved to x=%.0f, want 60", x)
	}
	// The perspective is kept: the top and bottom sides stay level.
	if math.Abs(q[0].y-q[1].y) > 3 || math.Abs(q[3].y-q[2].y) > 3 {
		t.Errorf("top or bottom side tilted: %v", q)
	}
	paperEdgePush = false
	q0, _ := findPaper(g)
	paperEdgePush = true
	if x := (q0[1].x + q0[2].x) / 2; x > 345 {
		t.Errorf("without the push the right side is at x=%.0f: the test does not test the push", x)
	}
}

func TestFindPaperTiltedSheetUnchanged(t *testing.T) {
	// A straight sheet turned by 7°: its sides cross the pixel grid and
	// stay where the extreme points put them.
	const w, h = 600, 700
	g := newGray(w, h)
	a := 7 * math.Pi / 180
	c, sn := math.Cos(a), math.Sin(a)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)+0.5-300, float64(y)+0.5-350
			u, v := dx*c+dy*sn, -dx*sn+dy*c
			g.pix[y*w+x] = 40
			if math.Abs(u) < 200 && math.Abs(v) < 260 {
				g.pix[y*w+x] = 230
			}
		}
	}
	defer pushOn()()
	on, ok := findPaper(g)
	paperEdgePush = false
	off, ok2 := findPaper(g)
	paperEdgePush = true
	if !ok || !ok2 {
		t.Fatal("sheet not found")
	}
	for i := range on {
		if on[i] != off[i] {
			t.Errorf("corner %d moved on a straight tilted sheet: %v, without the push %v", i, on[i], off[i])
		}
	}
}

// pushOn turns pushEdges on (it is off by default) over the extreme-point
// outline it was built on (the side fit off) and returns the restore.
func pushOn() func() {
	was, fit := paperEdgePush, paperSideFit
	paperEdgePush, paperSideFit = true, false
	return func() { paperEdgePush, paperSideFit = was, fit }
}
