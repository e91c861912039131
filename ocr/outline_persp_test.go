package ocr

import (
	"math"
	"testing"
)

// perspectiveSheetPhoto is a photo of a sheet taken from its left (the
// camera turned about the vertical): the sheet's right side is farther and
// shorter, its top and bottom edges converge towards the right by
// 2·atan(rise/800). Text lines fill the sheet's top textRows·36 px only
// (a short delivery note), as tiltedSheetPhoto's.
func perspectiveSheetPhoto(rise float64, textRows int) *grayImg {
	const w, h = 1100, 1400
	const sw, sh = 800.0, 1100.0
	q := quad{{150, 150}, {950, 150 + rise}, {950, 1250 - rise}, {150, 1250}}
	hm, _ := quadHomography(q, sw, sh) // sheet -> photo
	m := [3][3]float64{{hm[0], hm[1], hm[2]}, {hm[3], hm[4], hm[5]}, {hm[6], hm[7], hm[8]}}
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	var inv [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			a, b := (j+1)%3, (j+2)%3
			c, d := (i+1)%3, (i+2)%3
			inv[i][j] = (m[a][c]*m[b][d] - m[a][d]*m[b][c]) / det
		}
	}
	g := newGray(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			z := inv[2][0]*fx + inv[2][1]*fy + inv[2][2]
			u := (inv[0][0]*fx + inv[0][1]*fy + inv[0][2]) / z
			v := (inv[1][0]*fx + inv[1][1]*fy + inv[1][2]) / z
			val := uint8(40)
			if u >= 0 && u < sw && v >= 0 && v < sh {
				val = 225
				if k := int(v) - 60; k >= 0 && k < 36*textRows && k%36 < 3 && int(u)%11 < 7 && u > 60 && u < sw-60 {
					val = 30
				}
			}
			g.pix[y*w+x] = val
		}
	}
	return g
}

// A sheet photographed at an angle is legitimately trapezoidal: its top
// and bottom edges differ by more than 8° because of the camera, not a
// missed corner, and its text near the top runs close to the top edge.
// Its outline (findPaper's) is kept.
func TestSheetOutlinePerspectiveKept(t *testing.T) {
	edge := func(a, b pt) float64 { return math.Atan2(b.y-a.y, b.x-a.x) * 180 / math.Pi }
	for _, c := range []struct {
		rise float64
		rows int
	}{{80, 8}, {110, 8}, {110, 28}, {150, 6}} {
		g := perspectiveSheetPhoto(c.rise, c.rows)
		found, ok := findPaper(g)
		if !ok {
			t.Fatalf("rise %v: no sheet found", c.rise)
		}
		d := math.Abs(edge(found[0], found[1]) - edge(found[3], found[2]))
		a := textSkewAngle(g)
		if q := sheetOutline(g); q != found {
			t.Errorf("rise %v, %d text rows: edges differ %.1f°, text %.1f°: outline %v, want findPaper's %v", c.rise, c.rows, d, a, q, found)
		} else {
			t.Logf("rise %v, %d rows: edges differ %.1f°, text %.1f°: kept", c.rise, c.rows, d, a)
		}
	}
}
