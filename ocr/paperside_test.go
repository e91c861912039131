package ocr

import (
	"math"
	"testing"
)

// convexPhoto is a w×h photo of dark background with a bright convex sheet
// whose corners are given clockwise (they may lie outside the photo), cut
// by the extra half-planes cut (each a pair of points with the paper on
// their right, as the sheet's sides).
func convexPhoto(w, h int, corners []pt, cut ...[2]pt) *grayImg {
	g := newGray(w, h)
	var edges [][2]pt
	for i := range corners {
		edges = append(edges, [2]pt{corners[i], corners[(i+1)%len(corners)]})
	}
	edges = append(edges, cut...)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			v := uint8(40)
			in := true
			for _, e := range edges {
				// Clockwise in image coordinates (y down): inside is where
				// the cross product is non-negative.
				if (e[1].x-e[0].x)*(py-e[0].y)-(e[1].y-e[0].y)*(px-e[0].x) < 0 {
					in = false
					break
				}
			}
			if in {
				v = 230
			}
			g.pix[y*w+x] = v
		}
	}
	return g
}

// sideFit sets paperSideFit for a test, with the fitted outline taken
// whatever the extreme points cut off (fitLostMin 0), and returns the
// restore.
func sideFit(on bool) func() {
	was, lost := paperSideFit, fitLostMin
	paperSideFit, fitLostMin = on, 0
	return func() { paperSideFit, fitLostMin = was, lost }
}

func checkCorners(t *testing.T, name string, g *grayImg, want quad, tol float64) {
	t.Helper()
	q, ok := findPaper(g)
	if !ok {
		t.Fatalf("%s: sheet not found", name)
	}
	for i := range want {
		if d := math.Hypot(q[i].x-want[i].x, q[i].y-want[i].y); d > tol {
			t.Errorf("%s: corner %d at (%.1f, %.1f), want (%.0f, %.0f): %.1f px off", name, i, q[i].x, q[i].y, want[i].x, want[i].y, d)
		}
	}
}

// A tilted sheet running off the photo's right and bottom sides: its
// top-right corner lies outside the photo and the region's outline is a
// pentagon. The extreme points put the top-right corner on the frame and
// join it to the bottom-right one by a diagonal that cuts the paper's
// right side off; the fitted sides find the corner outside the photo and
// make the bottom side the frame.
func TestFindPaperSidesRunOffFrame(t *testing.T) {
	defer sideFit(true)()
	g := convexPhoto(400, 500, []pt{{60, 40}, {420, 80}, {370, 580}, {10, 540}})
	// The bottom side is the frame: the sides meet it at y=500.
	want := quad{{60, 40}, {420, 80}, {378, 500}, {14, 500}}
	checkCorners(t, "fitted", g, want, 3)
}

// A sheet running off the bottom only (a receipt longer than the photo):
// the bottom side is the frame (the extreme points find these corners
// too: the case the fit must not break).
func TestFindPaperRunsOffBottom(t *testing.T) {
	defer sideFit(true)()
	g := convexPhoto(400, 500, []pt{{70, 40}, {350, 60}, {320, 580}, {40, 560}})
	want := quad{{70, 40}, {350, 60}, {325.4, 500}, {43.2, 500}}
	checkCorners(t, "fitted", g, want, 3)
}

// A tilted sheet with a dog-eared top-right corner: the extreme point lies
// on the fold, the fitted sides meet at the corner.
func TestFindPaperDogEaredCorner(t *testing.T) {
	defer sideFit(true)()
	corners := []pt{{50, 60}, {350, 40}, {370, 460}, {70, 480}}
	// The fold: from 45 px left of the corner on the top side to 45 px
	// below it on the right side.
	g := convexPhoto(420, 520, corners, [2]pt{{305, 43}, {352, 85}})
	checkCorners(t, "fitted", g, quad(corners), 3)
}

// Without the side fit (main's extreme points) the corners above are
// wrong: the tests fail on the old outline.
func TestFindPaperExtremePointsMissCorners(t *testing.T) {
	defer sideFit(false)()
	for _, c := range []struct {
		name string
		g    *grayImg
		i    int
		want pt
	}{
		{"off the frame", convexPhoto(400, 500, []pt{{60, 40}, {420, 80}, {370, 580}, {10, 540}}), 1, pt{420, 80}},
		{"dog-eared", convexPhoto(420, 520, []pt{{50, 60}, {350, 40}, {370, 460}, {70, 480}}, [2]pt{{305, 43}, {352, 85}}), 1, pt{350, 40}},
	} {
		q, ok := findPaper(c.g)
		if !ok {
			continue
		}
		if d := math.Hypot(q[c.i].x-c.want.x, q[c.i].y-c.want.y); d < 10 {
			t.Errorf("%s: the extreme points find corner %d within %.1f px: the test does not test the fit", c.name, c.i, d)
		}
	}
}

// A straight, upright sheet inside the photo: the fitted corners are the
// extreme points.
func TestFindPaperFitStraightSheet(t *testing.T) {
	defer sideFit(true)()
	g := paperPhoto(400, 500, 60, 340, 40, 460, 0)
	checkCorners(t, "fitted", g, quad{{60, 40}, {340, 40}, {340, 460}, {60, 460}}, 1.5)
}
