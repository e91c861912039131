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

// TestFlattenLocalMaxUnchanged: flatten (its column weights computed once)
// and localMax (its columns taken row by row) give the planes the code
// before gave.
func TestFlattenLocalMaxUnchanged(t *testing.T) {
	oldFlatten := func(g *grayImg) {
		bs := max(16, g.w/40)
		bw, bh := (g.w+bs-1)/bs, (g.h+bs-1)/bs
		bg := make([]float64, bw*bh)
		var hist [256]int
		for by := 0; by < bh; by++ {
			for bx := 0; bx < bw; bx++ {
				hist = [256]int{}
				n := 0
				for y := by * bs; y < min(g.h, (by+1)*bs); y++ {
					for x := bx * bs; x < min(g.w, (bx+1)*bs); x++ {
						hist[g.pix[y*g.w+x]]++
						n++
					}
				}
				k, c := n/10, 0
				v := 255
				for ; v > 0; v-- {
					c += hist[v]
					if c > k {
						break
					}
				}
				bg[by*bw+bx] = float64(max(v, 40))
			}
		}
		sm := make([]float64, len(bg))
		for by := 0; by < bh; by++ {
			for bx := 0; bx < bw; bx++ {
				s, n := 0.0, 0.0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						x, y := bx+dx, by+dy
						if x >= 0 && y >= 0 && x < bw && y < bh {
							s += bg[y*bw+x]
							n++
						}
					}
				}
				sm[by*bw+bx] = math.Max(bg[by*bw+bx], s/n)
			}
		}
		for y := 0; y < g.h; y++ {
			fy := (float64(y)+0.5)/float64(bs) - 0.5
			y0 := min(max(int(math.Floor(fy)), 0), bh-1)
			y1 := min(y0+1, bh-1)
			ay := math.Min(math.Max(fy-float64(y0), 0), 1)
			for x := 0; x < g.w; x++ {
				fx := (float64(x)+0.5)/float64(bs) - 0.5
				x0 := min(max(int(math.Floor(fx)), 0), bw-1)
				x1 := min(x0+1, bw-1)
				ax := math.Min(math.Max(fx-float64(x0), 0), 1)
				top := sm[y0*bw+x0]*(1-ax) + sm[y0*bw+x1]*ax
				bot := sm[y1*bw+x0]*(1-ax) + sm[y1*bw+x1]*ax
				b := top*(1-ay) + bot*ay
				v := float64(g.pix[y*g.w+x]) * 255 / b
				if v > 255 {
					v = 255
				}
				g.pix[y*g.w+x] = uint8(v)
			}
		}
	}
	oldLocalMax := func(g *grayImg, r int) []uint8 {
		tmp := make([]uint8, len(g.pix))
		out := make([]uint8, len(g.pix))
		for y := 0; y < g.h; y++ {
			row := g.pix[y*g.w : (y+1)*g.w]
			for x := 0; x < g.w; x++ {
				m := uint8(0)
				for k := max(0, x-r); k <= min(g.w-1, x+r); k++ {
					m = max(m, row[k])
				}
				tmp[y*g.w+x] = m
			}
		}
		for x := 0; x < g.w; x++ {
			for y := 0; y < g.h; y++ {
				m := uint8(0)
				for k := max(0, y-r); k <= min(g.h-1, y+r); k++ {
					m = max(m, tmp[k*g.w+x])
				}
				out[y*g.w+x] = m
			}
		}
		return out
	}
	small := newGray(5, 3)
	for i := range small.pix {
		small.pix[i] = uint8(i * 37)
	}
	for i, g := range append(exactPages(t), small) {
		for _, r := range []int{1, 3} {
			if !reflect.DeepEqual(oldLocalMax(g, r), localMax(g, r)) {
				t.Errorf("page %d: localMax r=%d differs", i, r)
			}
		}
		a, b := &grayImg{w: g.w, h: g.h, pix: append([]uint8(nil), g.pix...)}, &grayImg{w: g.w, h: g.h, pix: append([]uint8(nil), g.pix...)}
		oldFlatten(a)
		flatten(b)
		if !reflect.DeepEqual(a.pix, b.pix) {
			t.Errorf("page %d (%dx%d): flatten differs", i, g.w, g.h)
		}
	}
}

// TestWarpUnchanged: warp (the row's terms computed once per row) gives
// the plane the code before gave, through rotations and a perspective.
func TestWarpUnchanged(t *testing.T) {
	oldWarp := func(src *grayImg, hm homography, w, h int) *grayImg {
		dst := newGray(w, h)
		for y := 0; y < h; y++ {
			fy := float64(y) + 0.5
			for x := 0; x < w; x++ {
				fx := float64(x) + 0.5
				z := hm[6]*fx + hm[7]*fy + hm[8]
				u := (hm[0]*fx+hm[1]*fy+hm[2])/z - 0.5
				v := (hm[3]*fx+hm[4]*fy+hm[5])/z - 0.5
				x0, y0 := int(math.Floor(u)), int(math.Floor(v))
				if x0 < 0 || y0 < 0 || x0+1 >= src.w || y0+1 >= src.h {
					dst.pix[y*w+x] = 255
					continue
				}
				ax, ay := u-float64(x0), v-float64(y0)
				i := y0*src.w + x0
				p00, p10 := float64(src.pix[i]), float64(src.pix[i+1])
				p01, p11 := float64(src.pix[i+src.w]), float64(src.pix[i+src.w+1])
				top := p00 + (p10-p00)*ax
				bot := p01 + (p11-p01)*ax
				dst.pix[y*w+x] = uint8(top + (bot-top)*ay + 0.5)
			}
		}
		return dst
	}
	n := 0
	for i, g := range exactPages(t) {
		W, H := float64(g.w), float64(g.h)
		quads := []quad{
			rotationQuad(g.w, g.h, 2.3),
			rotationQuad(g.w, g.h, -7),
			{{0.05 * W, 0.02 * H}, {0.9 * W, 0.08 * H}, {0.97 * W, 0.95 * H}, {0.01 * W, 0.9 * H}},
		}
		for k, q := range quads {
			for _, s := range []float64{0.7, 1, 1.9} {
				ow, oh := int(W*s), int(H*s)
				hm, ok := quadHomography(q, float64(ow), float64(oh))
				if !ok {
					continue
				}
				n++
				if !reflect.DeepEqual(oldWarp(g, hm, ow, oh).pix, warp(g, hm, ow, oh).pix) {
					t.Errorf("page %d quad %d scale %v: warp differs", i, k, s)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no warp compared")
	}
}
