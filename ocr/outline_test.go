package ocr

import (
	"math"
	"testing"
)

// tiltedSheetPhoto is a photo of a sheet turned by deg degrees on a dark
// table, with lines of text-like dashes along it; shade darkens the sheet
// near its top-right corner to the table's level (light falling off).
func tiltedSheetPhoto(deg float64, shade bool) *grayImg {
	const w, h = 1100, 1400
	g := newGray(w, h)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	const sw, sh = 800.0, 1100.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Sheet coordinates of the pixel (the sheet turned by deg).
			dx, dy := float64(x)-cx, float64(y)-cy
			u, v := dx*c+dy*s+sw/2, -dx*s+dy*c+sh/2
			val := uint8(40)
			if u >= 0 && u < sw && v >= 0 && v < sh {
				val = 225
				if shade && u > sw-260 && v < 200 {
					val = 40
				}
				// Text lines every 36 px from 60 px down, dashes of 7 px.
				if k := int(v) - 60; k >= 0 && k%36 < 3 && int(u)%11 < 7 && u > 60 && u < sw-60 && v < sh-80 && val > 40 {
					val = 30
				}
			}
			g.pix[y*w+x] = val
		}
	}
	return g
}

// A sheet whose top-right corner fell dark: its bright region's extreme
// points join the top-left corner to a point down the right side, an
// outline whose top edge is turned about 8° from its bottom edge and the
// text. Rectifying it would shear the page and cut off its top right;
// the text's rotation is undone instead. A sheet lit evenly keeps its
// outline.
func TestSheetOutlineMissedCorner(t *testing.T) {
	const deg = -7.0
	g := tiltedSheetPhoto(deg, true)
	found, ok := findPaper(g)
	if !ok {
		t.Fatal("no sheet found")
	}
	edge := func(a, b pt) float64 { return math.Atan2(b.y-a.y, b.x-a.x) * 180 / math.Pi }
	if d := math.Abs(edge(found[0], found[1]) - edge(found[3], found[2])); d <= 8 {
		t.Fatalf("test photo: found outline's top and bottom differ by %.1f°, want a missed corner", d)
	}
	q := sheetOutline(g)
	top, bot := edge(q[0], q[1]), edge(q[3], q[2])
	if math.Abs(top-bot) > 1 || math.Abs(top-deg) > 1.5 {
		t.Errorf("outline edges %.1f° and %.1f°, want both about %.0f° (the text's)", top, bot, deg)
	}
	// Evenly lit: the sheet's own outline.
	g = tiltedSheetPhoto(deg, false)
	found, ok = findPaper(g)
	if !ok {
		t.Fatal("no sheet found, evenly lit")
	}
	if q := sheetOutline(g); q != found {
		t.Errorf("evenly lit sheet: outline %v, want findPaper's %v", q, found)
	}
}

// A sheet with a missed corner on a striped table top (the generated
// families' photos): the dark pixels skewAngle measures are mostly the
// level stripes, so turning the photo by it left the page tilted (a4-rules-en
// in AR PL UMing, seed 119: 1 of 18 lines). The outline follows the text's
// strokes, the tilt missedCorner found along the sheet's edge.
func TestSheetOutlineMissedCornerStripedTable(t *testing.T) {
	const deg = -5.0
	g := tiltedSheetPhoto(deg, true)
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			if i := y*g.w + x; g.pix[i] == 40 && (y/24)%2 == 0 {
				g.pix[i] = 5
			}
		}
	}
	if a := skewAngle(g); math.Abs(a-deg) < 2 {
		t.Fatalf("test photo: skewAngle %.1f°, want the stripes' level (far from %.0f°)", a, deg)
	}
	q := sheetOutline(g)
	edge := func(a, b pt) float64 { return math.Atan2(b.y-a.y, b.x-a.x) * 180 / math.Pi }
	if top := edge(q[0], q[1]); math.Abs(top-deg) > 1.5 {
		t.Errorf("outline's top edge %.1f°, want about %.0f° (the text's)", top, deg)
	}
}
