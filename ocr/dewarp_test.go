package ocr

import (
	"math"
	"testing"
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
