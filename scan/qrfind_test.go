package scan

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// lowQRCase is a generated QR Code at a low resolution, in perspective,
// blurred, on a cluttered background.
type lowQRCase struct {
	name, text string
	g          *gray
	quad       [8]float64 // the symbol's corners
	dim        int
}

// qrPhotoCases renders n QR Codes of 6–90 characters (versions 1–9) at
// lo to hi pixels a module (1.7–3.2 for the low-resolution set, 3–6 for
// the perspective set), turned by any angle, in perspective (each corner
// moved by up to jitter/2 of the side: 12% and 20%), blurred by a box of
// 2 or 3 pixels on most, with low contrast on some, noise, and a few
// dark bars and blocks of clutter around. Tuning seeds are 1–9; the held-out seeds are
// 101 and up.
func qrPhotoCases(t testing.TB, seed uint64, n int, lo, hi, jitter float64) []lowQRCase {
	rng := rand.New(rand.NewPCG(seed, 11))
	levels := []decoder.ErrorCorrectionLevel{decoder.ErrorCorrectionLevel_L, decoder.ErrorCorrectionLevel_M,
		decoder.ErrorCorrectionLevel_Q, decoder.ErrorCorrectionLevel_H}
	var out []lowQRCase
	for range n {
		l := 6 + rng.IntN(85)
		b := make([]byte, l)
		for k := range b {
			b[k] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/:.-"[rng.IntN(66)]
		}
		text := string(b)
		ec := levels[rng.IntN(4)]
		m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_ERROR_CORRECTION: ec, gozxing.EncodeHintType_MARGIN: 0})
		if err != nil {
			t.Fatal(err)
		}
		dim := float64(m.GetWidth())
		module := lo + (hi-lo)*rng.Float64()
		side := dim * module
		w := int(side*2.2) + 40
		h := int(side*1.8) + 40
		cx, cy := float64(w)/2+(rng.Float64()-0.5)*side*0.3, float64(h)/2+(rng.Float64()-0.5)*side*0.2
		a := rng.Float64() * 2 * math.Pi
		var quad [8]float64
		for k, c := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
			x, y := c[0]*side/2, c[1]*side/2
			x, y = x*math.Cos(a)-y*math.Sin(a), x*math.Sin(a)+y*math.Cos(a)
			quad[2*k] = cx + x + (rng.Float64()-0.5)*jitter*side
			quad[2*k+1] = cy + y + (rng.Float64()-0.5)*jitter*side
		}
		tr := common.PerspectiveTransform_QuadrilateralToQuadrilateral(quad[0], quad[1], quad[2], quad[3], quad[4], quad[5], quad[6], quad[7],
			0, 0, dim, 0, dim, dim, 0, dim)
		dark := 20 + rng.Float64()*70
		light := 160 + rng.Float64()*80
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		f := make([]float64, w*h)
		// clutter: dark bars and blocks away from the symbol
		type box struct{ x0, y0, x1, y1 float64 }
		var boxes []box
		for range rng.IntN(5) {
			bx, by := rng.Float64()*float64(w), rng.Float64()*float64(h)
			bw, bh := 2+rng.Float64()*20, 2+rng.Float64()*20
			if math.Hypot(bx-cx, by-cy) < side*0.9 {
				continue
			}
			boxes = append(boxes, box{bx, by, bx + bw, by + bh})
		}
		p := make([]float64, 2)
		for y := range h {
			for x := range w {
				var sum float64
				for s := range 9 {
					px, py := float64(x)+(float64(s%3)+0.5)/3, float64(y)+(float64(s/3)+0.5)/3
					p[0], p[1] = px, py
					tr.TransformPoints(p)
					ink := p[0] >= 0 && p[1] >= 0 && p[0] < dim && p[1] < dim && m.Get(int(p[0]), int(p[1]))
					for _, bb := range boxes {
						if px >= bb.x0 && px < bb.x1 && py >= bb.y0 && py < bb.y1 {
							ink = true
						}
					}
					if ink {
						sum += dark
					} else {
						sum += light
					}
				}
				f[y*w+x] = sum / 9
			}
		}
		blur := rng.IntN(4) // box of 1 (none), 2 or 3 pixels
		if blur > 0 {
			f = boxBlur(f, w, h, blur)
		}
		for k := range f {
			g.pix[k] = byte(max(0, min(255, int(f[k]+rng.NormFloat64()*4))))
		}
		out = append(out, lowQRCase{fmt.Sprintf("s%d-%02d-v%d-%s-m%.1f-b%d", seed, len(out), (int(dim)-17)/4, ec, module, blur), text, g, quad, int(dim)})
	}
	return out
}

// boxBlur averages f over boxes of s×s pixels (s = 2 or 3).
func boxBlur(f []float64, w, h, s int) []float64 {
	out := make([]float64, len(f))
	lo, hi := -(s-1)/2, s/2
	for y := range h {
		for x := range w {
			var sum float64
			var n int
			for dy := lo; dy <= hi; dy++ {
				for dx := lo; dx <= hi; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < w && yy < h {
						sum += f[yy*w+xx]
						n++
					}
				}
			}
			out[y*w+x] = sum / float64(n)
		}
	}
	return out
}

// TestLowQRWrite writes the generated low-resolution QR Codes as PNG
// files for the peers (QR_LOW_DIR=dir QR_LOW_SEED=1, QR_LOW_KIND as in
// TestLowQR), with a list of name and text.
func TestLowQRWrite(t *testing.T) {
	dir := os.Getenv("QR_LOW_DIR")
	if dir == "" {
		t.Skip("QR_LOW_DIR not set")
	}
	seed, _ := strconv.Atoi(os.Getenv("QR_LOW_SEED"))
	n := 40
	if s := os.Getenv("QR_LOW_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	list, err := os.Create(filepath.Join(dir, fmt.Sprintf("list-%d.txt", seed)))
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	lo, hi, jitter := 1.7, 3.2, 0.24
	if os.Getenv("QR_LOW_KIND") == "persp" {
		lo, hi, jitter = 3, 6, 0.4
	}
	for _, c := range qrPhotoCases(t, uint64(seed), n, lo, hi, jitter) {
		img := image.NewGray(image.Rect(0, 0, c.g.w, c.g.h))
		copy(img.Pix, c.g.pix)
		fh, err := os.Create(filepath.Join(dir, c.name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fh, img); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		fmt.Fprintf(list, "%s.png\t%s\n", c.name, c.text)
	}
}

// TestLowQR: the decoder as the server runs it on generated
// low-resolution QR Codes in perspective (qrPhotoCases), with and without
// the finder search: a wrong text fails, and the finder search must read
// more. QR_LOW_SEEDS=1,2 QR_LOW_N=40 for the tuning figures (seeds 1–9),
// 101,102 for the held-out ones; QR_LOW_VERBOSE=1 names the misses.
func TestLowQR(t *testing.T) {
	seeds := []uint64{1}
	if s := os.Getenv("QR_LOW_SEEDS"); s != "" {
		seeds = nil
		for _, f := range splitComma(s) {
			v, _ := strconv.Atoi(f)
			seeds = append(seeds, uint64(v))
		}
	}
	n := 24
	if s := os.Getenv("QR_LOW_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	defer func(on bool) { qrFind = on }(qrFind)
	dec := apiDecoder()
	total := map[bool]int{}
	// QR_LOW_KIND=persp: 3–6 pixels a module, corners moved by up to
	// 20% of the side
	lo, hi, jitter := 1.7, 3.2, 0.24
	if os.Getenv("QR_LOW_KIND") == "persp" {
		lo, hi, jitter = 3, 6, 0.4
	}
	for _, seed := range seeds {
		cases := qrPhotoCases(t, seed, n, lo, hi, jitter)
		for _, on := range []bool{false, true} {
			qrFind = on
			read := 0
			for _, c := range cases {
				bcs := dec.decodeGray(context.Background(), c.g)
				ok := false
				for _, bc := range bcs {
					if bc.Text != c.text {
						t.Errorf("%s (finder search %v): read %s %q, want %q", c.name, on, bc.Format, bc.Text, c.text)
					} else {
						ok = true
					}
				}
				if ok {
					read++
				} else if on && os.Getenv("QR_LOW_VERBOSE") != "" {
					t.Logf("missed %s", c.name)
				}
			}
			t.Logf("seed %d, finder search %v: read %d of %d", seed, on, read, n)
			total[on] += read
		}
	}
	if total[true] < total[false]+len(seeds)*n/10 {
		t.Errorf("finder search reads %d, without %d: under a tenth more", total[true], total[false])
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// findQROnly runs the finder search alone on g (binarized as resampleQR
// does).
func findQROnly(g *gray) []Barcode {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newLumSource(g)))
	if err != nil {
		return nil
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return nil
	}
	r := &run{ctx: context.Background(), all: true, col: newCollector()}
	r.findQR(&view{g: g, scale: 1}, m)
	return r.col.barcodes()
}

// fakeQR renders three finder patterns of a dim×dim symbol with random
// modules between them (and the timing patterns, so that the grid is
// found and sampled): a QR Code's look with no valid content, at the
// given module size, turned by a.
func fakeQR(rng *rand.Rand, dim int, module, a float64) *gray {
	side := float64(dim) * module
	w, h := int(side*1.6)+20, int(side*1.6)+20
	mods := make([]bool, dim*dim)
	for k := range mods {
		mods[k] = rng.IntN(2) == 0
	}
	finder := func(x0, y0 int) {
		for y := -1; y <= 7; y++ {
			for x := -1; x <= 7; x++ {
				xx, yy := x0+x, y0+y
				if xx < 0 || yy < 0 || xx >= dim || yy >= dim {
					continue
				}
				d := max(abs(float64(x)-3), abs(float64(y)-3))
				mods[yy*dim+xx] = d != 2 && d < 4
			}
		}
	}
	finder(0, 0)
	finder(dim-7, 0)
	finder(0, dim-7)
	for k := 8; k < dim-8; k++ {
		mods[6*dim+k] = k%2 == 0
		mods[k*dim+6] = k%2 == 0
	}
	cx, cy := float64(w)/2, float64(h)/2
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := range h {
		for x := range w {
			var sum float64
			for s := range 4 {
				px, py := float64(x)+(float64(s%2)+0.5)/2-cx, float64(y)+(float64(s/2)+0.5)/2-cy
				u := (px*math.Cos(a)+py*math.Sin(a))/module + float64(dim)/2
				v := (-px*math.Sin(a)+py*math.Cos(a))/module + float64(dim)/2
				if u >= 0 && v >= 0 && u < float64(dim) && v < float64(dim) && mods[int(v)*dim+int(u)] {
					sum += 30
				} else {
					sum += 220
				}
			}
			g.pix[y*w+x] = byte(sum/4) + byte(rng.IntN(8))
		}
	}
	return g
}

// TestQRFindNeverWrong: the finder search reads nothing from noise,
// clutter, or QR-like symbols with random modules (finder and timing
// patterns right, content random), where it finds and samples grids
// that Reed–Solomon must refuse.
func TestQRFindNeverWrong(t *testing.T) {
	n := 60
	if s := os.Getenv("QR_FIND_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewPCG(91, 3))
	grids := 0
	for i := range n {
		var g *gray
		switch i % 3 {
		case 0: // noise, blurred or not
			w, h := 120+rng.IntN(200), 120+rng.IntN(200)
			f := make([]float64, w*h)
			for k := range f {
				f[k] = float64(rng.IntN(256))
			}
			if rng.IntN(2) == 0 {
				f = boxBlur(f, w, h, 2+rng.IntN(2))
			}
			g = &gray{w: w, h: h, pix: make([]byte, w*h)}
			for k := range f {
				g.pix[k] = byte(f[k])
			}
		default: // a QR Code's look, random content
			dim := 21 + 4*rng.IntN(6)
			g = fakeQR(rng, dim, 1.8+1.5*rng.Float64(), rng.Float64()*2*math.Pi)
		}
		if bcs := findQROnly(g); len(bcs) > 0 {
			t.Errorf("image %d: read %s", i, describe(bcs))
		}
		p := newBinPlane(mustMatrix(t, g))
		if len(qrTriples(qrFinderCandidates(p, 12))) > 0 {
			grids++
		}
	}
	t.Logf("%d images, %d with a finder triple, 0 reads", n, grids)
	if grids < n/3 {
		t.Errorf("only %d of %d images had a finder triple: the fakes no longer test the decoding", grids, n)
	}
}

func mustMatrix(t testing.TB, g *gray) *gozxing.BitMatrix {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newLumSource(g)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestQRFindPhotos: on every development photo without a QR Code the
// finder search alone reads nothing, and on the QR photos nothing but
// the manifest's text (a safety check over both halves, not tuning: it
// prints no photo).
func TestQRFindPhotos(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ps := loadManifest(t)
	reads, wrong := 0, 0
	for _, p := range ps {
		g := photoGray(t, p.path)
		k := (max(g.w, g.h) + 1599) / 1600
		for _, bc := range findQROnly(g.shrink(k)) {
			if p.format == "QR_CODE" && sameText(bc.Text, p.text, p.format) {
				reads++
				continue
			}
			wrong++
		}
	}
	t.Logf("%d photos: %d right reads, %d wrong", len(ps), reads, wrong)
	if wrong > 0 {
		t.Errorf("%d wrong reads", wrong)
	}
}
