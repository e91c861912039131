package ocr

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/otiai10/gosseract/v2"
)

// exactPages are the planes the exactness tests below compare on: a
// rendered page of odd width (BMP rows padded), its tilted and scaled
// versions, and, where the shared data is present, three real receipts
// preprocessed as ReadPage does.
func exactPages(t *testing.T) []*grayImg {
	t.Helper()
	img, _ := renderRows(t, 613, 420, 22, []string{"SHOP NAME 0123", "Date:02/08/2016 15:59", "Bread 2 x 1.25 2.50", "TOTAL 12.50"}, []int{40, 120, 200, 300})
	g := toGray(img)
	pages := []*grayImg{g}
	for _, deg := range []float64{-3.2, 1.7, 4} {
		if hm, ok := quadHomography(rotationQuad(g.w, g.h, deg), float64(2*g.w+1), float64(2*g.h)); ok {
			pages = append(pages, warp(g, hm, 2*g.w+1, 2*g.h))
		}
	}
	for _, p := range []string{"wildreceipt/wr00.jpeg", "wildreceipt/wr01.jpeg", "sroie/sroie019.jpg"} {
		f, err := os.Open(filepath.Join("../../shared/data/real-documents", p))
		if err != nil {
			continue
		}
		img, err := LoadImage(f, DefaultLimits)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, toGray(img), preprocess(img, defaultPrep))
	}
	return pages
}

// TestBMPReadsAsPGM: Tesseract given a plane as BMP (bmp, what the engine
// sends) reads exactly what it read from the same plane as PGM (pgm, what
// it sent before): the same words, boxes and confidences on whole pages
// with the page client, the same text on crops with the code client.
func TestBMPReadsAsPGM(t *testing.T) {
	w, err := newWorker([]string{"eng"})
	if err != nil {
		t.Skip(err)
	}
	defer w.close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ompSingleThread()
	words := func(c *gosseract.Client, b []byte) []gosseract.BoundingBox {
		if err := c.SetImageFromBytes(b); err != nil {
			t.Fatal(err)
		}
		bx, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
		if err != nil {
			t.Fatal(err)
		}
		return bx
	}
	text := func(c *gosseract.Client, b []byte) string {
		if err := c.SetImageFromBytes(b); err != nil {
			t.Fatal(err)
		}
		s, err := c.Text()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for i, g := range exactPages(t) {
		pw, bw := words(w.page, g.pgm()), words(w.page, g.bmp())
		if len(pw) == 0 {
			t.Errorf("page %d (%dx%d): no words read", i, g.w, g.h)
		}
		if !reflect.DeepEqual(pw, bw) {
			t.Errorf("page %d (%dx%d): PGM read %v, BMP read %v", i, g.w, g.h, pw, bw)
		}
		for _, b := range pw[:min(len(pw), 4)] {
			crop := cropPadded(g, b.Box.Min.X-3, b.Box.Min.Y-3, b.Box.Max.X+3, b.Box.Max.Y+3, 12)
			if crop == nil {
				continue
			}
			if p, q := text(w.code, crop.pgm()), text(w.code, crop.bmp()); p != q {
				t.Errorf("page %d crop %v: PGM read %q, BMP read %q", i, b.Box, p, q)
			}
		}
	}
}

// TestResidualTiltReducesOnce: residualTilt, reducing the page once for
// both its measures (and projectionSkew reusing its bins), returns what
// the two measures returned reducing the page each (the code before).
func TestResidualTiltReducesOnce(t *testing.T) {
	oldProjectionSkew := func(xs, ys []float64, w, h int) float64 {
		score := func(deg float64) float64 {
			s, c := math.Sincos(deg * math.Pi / 180)
			off := float64(w + h)
			bins := make([]float64, 2*(w+h)+2)
			for i := range xs {
				bins[int(-xs[i]*s+ys[i]*c+off)]++
			}
			v := 0.0
			for _, b := range bins {
				v += b * b
			}
			return v
		}
		best, bestS := 0.0, -1.0
		for a := -10.0; a <= 10; a += 0.5 {
			if s := score(a); s > bestS {
				best, bestS = a, s
			}
		}
		c := best
		for a := c - 0.5; a <= c+0.5; a += 0.1 {
			if s := score(a); s > bestS {
				best, bestS = a, s
			}
		}
		return best
	}
	oldSkew := func(g *grayImg) float64 {
		d := downsample(g, max(1, max(g.w, g.h)/800))
		thr := otsu(d.pix)
		var xs, ys []float64
		for y := 0; y < d.h; y++ {
			for x := 0; x < d.w; x++ {
				if d.pix[y*d.w+x] < thr {
					xs = append(xs, float64(x))
					ys = append(ys, float64(y))
				}
			}
		}
		if len(xs) == 0 {
			return 0
		}
		return oldProjectionSkew(xs, ys, d.w, d.h)
	}
	oldText := func(g *grayImg) float64 {
		d := downsample(g, max(1, max(g.w, g.h)/800))
		loc := localMax(d, 3)
		var xs, ys []float64
		for y := 0; y < d.h; y++ {
			for x := 0; x < d.w; x++ {
				i := y*d.w + x
				if int(loc[i])-int(d.pix[i]) > 60 {
					xs = append(xs, float64(x))
					ys = append(ys, float64(y))
				}
			}
		}
		if len(xs) < 200 {
			return 0
		}
		return oldProjectionSkew(xs, ys, d.w, d.h)
	}
	oldTilt := func(g *grayImg) float64 {
		a := oldSkew(g)
		if math.Abs(a) >= residualSkew {
			return a
		}
		if t := oldText(g); math.Abs(t) >= strokeSkew {
			return t
		}
		return a
	}
	nonzero := 0
	for i, g := range exactPages(t) {
		if o, n := oldTilt(g), residualTilt(g); o != n {
			t.Errorf("page %d (%dx%d): residual tilt %v before, %v now", i, g.w, g.h, o, n)
		} else if o != 0 {
			nonzero++
		}
		if o, n := oldSkew(g), skewAngle(g); o != n {
			t.Errorf("page %d: skewAngle %v before, %v now", i, o, n)
		}
		if o, n := oldText(g), textSkewAngle(g); o != n {
			t.Errorf("page %d: textSkewAngle %v before, %v now", i, o, n)
		}
	}
	if nonzero == 0 {
		t.Error("no page measured tilted: the comparison proves nothing")
	}
}
