package scan

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"

	"pandian/fixtures/barcodes"
)

// DMBLOB_OFF=1 turns the blob windows off for every test and benchmark
// of the package (the misread seeds, BenchmarkPhotos), for comparison.
func init() {
	if os.Getenv("DMBLOB_OFF") != "" {
		blobWindows2D = false
	}
}

// dmSmallPhoto is a W×H photo (the fixtures' gradient background) with a
// small Data Matrix pasted with its top left corner at (x0, y0), mod px a
// module, noise 4 and JPEG 85, as in the h/z2drev review. It returns the
// photo and the symbol's bounds (quiet zone included).
func dmSmallPhoto(t testing.TB, W, H int, text string, mod, x0, y0 int, seed uint64) (*gray, image.Rectangle) {
	return dmSmallPhotoWith(t, W, H, "", text, mod, x0, y0, seed)
}

// dmSmallPhotoWith is dmSmallPhoto with the fixture symbol oned (a 1D
// code, "" none) placed as in the review's probes.
func dmSmallPhotoWith(t testing.TB, W, H int, oned, text string, mod, x0, y0 int, seed uint64) (*gray, image.Rectangle) {
	p := barcodes.Photo{File: "x.png", W: W, H: H}
	if oned != "" {
		p.Places = []barcodes.Placement{{Symbol: oned, X: W * 3 / 10, Y: H / 2, Module: 2 + W/800, BarHeight: H / 5, Angle: 1}}
	}
	img, err := barcodes.Render(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := barcodes.Draw(barcodes.Symbol{Name: "datamatrix", Format: "DATA_MATRIX", Text: text}, mod, 0)
	if err != nil {
		t.Fatal(err)
	}
	dec := pasteNoisyJPEG(t, img, s, x0, y0, seed)
	if dir := os.Getenv("DMSMALL_DUMP"); dir != "" { // for ZXingReader
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%dx%d_%s_%s_m%d_%d_%d.png", strings.ReplaceAll(t.Name(), "/", "_"), W, H, oned, strings.ReplaceAll(text, "-", ""), mod, x0, y0)))
		if err == nil {
			_ = png.Encode(f, dec)
			f.Close()
		}
	}
	return toGray(dec), image.Rect(x0, y0, x0+s.Rect.Dx(), y0+s.Rect.Dy())
}

// dmReadsWindow reports whether gozxing's Data Matrix reader alone reads
// text in the window r of g (hybrid binarizer of the window).
func dmReadsWindow(g *gray, r image.Rectangle, text string) bool {
	src, err := newLumSource(g).Crop(r.Min.X, r.Min.Y, r.Dx(), r.Dy())
	if err != nil {
		return false
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return false
	}
	res, err := datamatrix.NewDataMatrixReader().Decode(bmp, nil)
	return err == nil && res.GetText() == text
}

// TestDMSmallCentreOnly shows why a small Data Matrix in a large photo is
// not read: gozxing's detector (WhiteRectangleDetector) grows a rectangle
// from the window's centre, so it finds a symbol only when the symbol
// covers that centre. A window centred on the symbol reads it, at any
// size up to the whole photo; the same window shifted so the symbol is
// off-centre by more than its half side does not. decode2D's tile centres
// are a grid of 1/4 (halves) and 1/6 (thirds) of the view's sides, 171×128
// px apart at 1024×768: a 60-px symbol covers one in about a fifth of the
// places. At 640×480 they are 107×80 px apart, so 6–8 px modules read.
func TestDMSmallCentreOnly(t *testing.T) {
	const text = "HK-MK-0012"
	W, H, mod := 1024, 768, 5
	g, sym := dmSmallPhoto(t, W, H, text, mod, 340, 260, 11)
	c := image.Pt((sym.Min.X+sym.Max.X)/2, (sym.Min.Y+sym.Max.Y)/2)
	centred := func(half int) image.Rectangle {
		return image.Rect(c.X-half, c.Y-half, c.X+half, c.Y+half).Intersect(image.Rect(0, 0, W, H))
	}
	for _, half := range []int{sym.Dx() / 2, sym.Dx(), 2 * sym.Dx(), 200} {
		r := centred(half)
		dmDump(t, g, r)
		if !dmReadsWindow(g, r, text) {
			t.Errorf("window %v centred on the symbol %v: not read", r, sym)
		}
	}
	// The same 240-px window with the symbol off its centre.
	for _, d := range []image.Point{{-70, 0}, {70, 0}, {0, -70}, {0, 70}} {
		r := centred(120).Add(d)
		if dmReadsWindow(g, r, text) {
			t.Errorf("window %v, symbol off-centre by %v: read (the detector has changed)", r, d)
		}
	}
	// The whole photo (centre 512,384, outside the symbol): not read.
	if dmReadsWindow(g, image.Rect(0, 0, W, H), text) {
		t.Errorf("whole photo read (the detector has changed)")
	}
	// decode2D's tiles as decode2DTiles cuts them: none has its centre on
	// the symbol here, and none reads.
	for _, parts := range []int{2, 3} {
		tw, th := W/parts, H/parts
		for ty := 0; ty < 2*parts-1; ty++ {
			for tx := 0; tx < 2*parts-1; tx++ {
				x0, y0 := tx*tw/2, ty*th/2
				r := image.Rect(x0, y0, min(x0+tw, W), min(y0+th, H))
				if dmReadsWindow(g, r, text) {
					t.Logf("tile %v reads", r)
				}
			}
		}
	}
	// The server's cascade, with the blob windows on, reads it (without
	// them it did not when this was written: issue 10, logged only).
	defer func(b bool) { blobWindows2D = b }(blobWindows2D)
	d := NewDecoder(DecoderOptions{All: true})
	for _, blobs := range []bool{false, true} {
		blobWindows2D = blobs
		got := texts(d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes())
		switch {
		case !blobs:
			t.Logf("cascade, blob windows off: %q", got)
		case !strings.Contains(got, text):
			t.Errorf("cascade with blob windows: %q", got)
		}
	}
}

// dmDump writes the window r of g to DMSMALL_DUMP (for ZXingReader).
func dmDump(t testing.TB, g *gray, r image.Rectangle) {
	dir := os.Getenv("DMSMALL_DUMP")
	if dir == "" {
		return
	}
	img := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(img.Pix[y*img.Stride:], g.pix[(r.Min.Y+y)*g.w+r.Min.X:(r.Min.Y+y)*g.w+r.Max.X])
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%dx%d.png", strings.ReplaceAll(t.Name(), "/", "_"), r.Dx(), r.Dy())))
	if err != nil {
		return
	}
	_ = png.Encode(f, img)
	f.Close()
}

// dmCentreCovered reports whether one of decode2D's window centres (the
// whole view's and its tiles', decode2DTiles) lies on the symbol inner
// (quiet zone excluded), give or take the 5 px of the detector's first box.
func dmCentreCovered(W, H int, inner image.Rectangle) bool {
	box := inner.Inset(-5)
	if image.Pt(W/2, H/2).In(box) {
		return true
	}
	for _, parts := range []int{2, 3} {
		tw, th := W/parts, H/parts
		for ty := 0; ty < 2*parts-1; ty++ {
			for tx := 0; tx < 2*parts-1; tx++ {
				x0, y0 := tx*tw/2, ty*th/2
				if image.Pt(x0+min(tw, W-x0)/2, y0+min(th, H-y0)/2).In(box) {
					return true
				}
			}
		}
	}
	return false
}

// TestDMSmallPositions sweeps a 14×14 Data Matrix at 5 px a module over a
// grid of places in a 1024×768 and a 640×480 photo. With the blob windows
// off it logs how often the server's cascade reads it next
// to how often a window centre of decode2D falls on it (2 and 4 of 30 at
// 1024×768, 14 and 20 of 20 at 640×480 when written); with them on (the
// default), every place must read.
func TestDMSmallPositions(t *testing.T) {
	const text = "HK-MK-0012"
	defer func(b bool) { blobWindows2D = b }(blobWindows2D)
	d := NewDecoder(DecoderOptions{All: true})
	for _, blobs := range []bool{false, true} {
		blobWindows2D = blobs
		for _, sz := range [][2]int{{1024, 768}, {640, 480}} {
			W, H, mod := sz[0], sz[1], 5
			n, reads, covered := 0, 0, 0
			for y0 := 20; y0+110 < H; y0 += H / 5 {
				for x0 := 20; x0+110 < W; x0 += W / 6 {
					g, sym := dmSmallPhoto(t, W, H, text, mod, x0, y0, uint64(x0+y0))
					got := texts(d.cascade(context.Background(), g).col.barcodes())
					n++
					if strings.Contains(got, text) {
						reads++
					} else if blobs {
						t.Errorf("%dx%d, symbol at %v, blob windows on: read %q", W, H, sym, got)
					}
					if got != "" && got != "[DATA_MATRIX "+text+"]" {
						t.Errorf("%dx%d, symbol at %v: wrong read %q", W, H, sym, got)
					}
					if dmCentreCovered(W, H, sym.Inset(4*mod)) {
						covered++
					}
				}
			}
			t.Logf("%dx%d blob windows %v: %d places, read %d, a window centre on the symbol %d", W, H, blobs, n, reads, covered)
		}
	}
}

// TestDMSmallWide (DMSMALL_WIDE=1; about a minute) is the review's case:
// a 10×10 or 14×14 Data Matrix at 5 or 7 px a module beside an EAN-13
// (and alone), on a 3×3 grid of places right of the EAN-13.
func TestDMSmallWide(t *testing.T) {
	if os.Getenv("DMSMALL_WIDE") == "" {
		t.Skip("DMSMALL_WIDE=1 runs the wide sweep (a minute)")
	}
	d := NewDecoder(DecoderOptions{All: true})
	for _, sz := range [][2]int{{640, 480}, {1024, 768}, {1600, 1200}} {
		for _, oned := range []string{"ean13", ""} {
			W, H := sz[0], sz[1]
			n, reads, cov := 0, 0, 0
			for _, text := range []string{"A1B2", "HK-MK-0012"} {
				for _, mod := range []int{5, 7} {
					for i := 0; i < 9; i++ {
						x0 := W*6/10 + (i%3)*(W*3/10-20*mod)/3
						y0 := H/10 + (i/3)*(H*8/10-20*mod)/3
						g, sym := dmSmallPhotoWith(t, W, H, oned, text, mod, x0, y0, uint64(9+i))
						n++
						if strings.Contains(texts(d.cascade(context.Background(), g).col.barcodes()), text) {
							reads++
						}
						if dmCentreCovered(W, H, sym.Inset(4*mod)) {
							cov++
						}
					}
				}
			}
			t.Logf("%dx%d beside %q: read %d of %d (a window centre on the symbol: %d)", W, H, oned, reads, n, cov)
		}
	}
}

// BenchmarkDMBlobPaired times the server's search on each TUNE photo with
// and without the blob windows (blobWindows2D), alternated photo by photo
// (the least thread CPU of 3 rounds each), and reports both medians, CPU
// sums, the blob windows decoded and the photos whose reads differ
// (DMBLOB_HALF=held-out: the held-out half, once, at the end).
//
//	go test -run '^$' -bench DMBlobPaired -benchtime 1x ./scan/
func BenchmarkDMBlobPaired(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer func(on bool) { blobWindows2D = on }(blobWindows2D)
	photos := tunePhotos(b)
	if os.Getenv("DMBLOB_HALF") == "held-out" { // once, at the end
		photos = photos[:0]
		for _, p := range loadManifest(b) {
			if p.heldOut {
				photos = append(photos, p)
			}
		}
	}
	for b.Loop() {
		var on, off []float64
		var sumOn, sumOff float64
		windows, withWindows, differ := 0, 0, 0
		for _, p := range photos {
			g := photoGray(b, p.path)
			best := [2]time.Duration{time.Hour, time.Hour}
			var got [2]string
			for round := 0; round < 3; round++ {
				for _, blobs := range []bool{round%2 == 0, round%2 != 0} {
					blobWindows2D = blobs
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					t0 := threadCPU()
					r := NewDecoder(DecoderOptions{All: true}).cascade(ctx, &gray{w: g.w, h: g.h, pix: g.pix})
					d := threadCPU() - t0
					cancel()
					i := 1
					if blobs {
						i = 0
						if round == 0 {
							windows += r.blobWindows
							if r.blobWindows > 0 {
								withWindows++
							}
						}
					}
					best[i] = min(best[i], d)
					got[i] = texts(r.col.barcodes())
				}
			}
			if got[0] != got[1] {
				differ++
				b.Logf("%s: %s with the blob windows, %s without", p.path, got[0], got[1])
			}
			on, off = append(on, best[0].Seconds()*1000), append(off, best[1].Seconds()*1000)
			sumOn += best[0].Seconds() * 1000
			sumOff += best[1].Seconds() * 1000
		}
		b.ReportMetric(quantile(on, 0.5), "median-ms-blob")
		b.ReportMetric(quantile(off, 0.5), "median-ms-noblob")
		b.ReportMetric(sumOn, "sum-ms-blob")
		b.ReportMetric(sumOff, "sum-ms-noblob")
		b.ReportMetric(float64(windows), "windows")
		b.ReportMetric(float64(withWindows), "photos-with-windows")
		b.ReportMetric(float64(differ), "photos-differ")
	}
}

// TestDMSmallFresh (DMFRESH_N=n cases from seed DMFRESH_FROM; DMFRESH_QR=1
// QR Codes instead of Data Matrix) checks the blob windows on generated
// photos they were not developed on: a fixture 2D symbol (four Data
// Matrix texts, 10×10 to 22×22 modules; or the two QR Codes) at a random
// place, 3–7 px a module, turned up to ±10°, mirrored one case in four,
// box blur 0–1, noise, beside an EAN-13 one case in two, on 800×600 to
// 1600×1200 photos. It logs the reads with the blob windows off and on
// and fails on any wrong 2D read.
func TestDMSmallFresh(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("DMFRESH_N"))
	if n <= 0 {
		t.Skip("DMFRESH_N=n runs n fresh generated cases")
	}
	from, _ := strconv.Atoi(os.Getenv("DMFRESH_FROM"))
	names := []string{"datamatrix", "gs1-datamatrix", "datamatrix-latin1", "datamatrix-eci-utf8"}
	if os.Getenv("DMFRESH_QR") != "" {
		names = []string{"qr", "gs1-qr"}
	}
	sizes := [][2]int{{800, 600}, {1024, 768}, {1280, 960}, {1600, 1200}}
	defer func(b bool) { blobWindows2D = b }(blobWindows2D)
	d := NewDecoder(DecoderOptions{All: true})
	var reads, cases [2]int
	byMirror := map[bool]*[3]int{false: {}, true: {}}
	for seed := from; seed < from+n; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		sz := sizes[rng.IntN(len(sizes))]
		W, H := sz[0], sz[1]
		sym := barcodes.SymbolByName(names[rng.IntN(len(names))])
		mod := 3 + rng.IntN(5)
		mirror := rng.IntN(4) == 0
		side := 30 * mod // about the largest symbol's side with its quiet zone
		p := barcodes.Photo{File: "x.jpg", W: W, H: H, Blur: rng.IntN(2), Noise: 4}
		if rng.IntN(2) == 0 {
			p.Places = append(p.Places, barcodes.Placement{Symbol: "ean13", X: W / 4, Y: H / 2, Module: 2 + W/800, BarHeight: H / 5, Angle: 1})
		}
		x := W/2 + side/2 + rng.IntN(max(1, W/2-side))
		if len(p.Places) == 0 {
			x = side/2 + rng.IntN(W-side)
		}
		p.Places = append(p.Places, barcodes.Placement{Symbol: sym.Name, X: x, Y: side/2 + rng.IntN(H-side),
			Module: mod, Angle: rng.Float64()*20 - 10, Mirror: mirror})
		img, err := barcodes.Render(p, uint64(seed))
		if err != nil {
			t.Fatal(err)
		}
		g := toGray(img)
		var got [2]string
		for i, on := range []bool{false, true} {
			blobWindows2D = on
			ok := false
			for _, bc := range d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes() {
				switch {
				case isRetail(bc.Format):
					if retailGTIN(bc.Format, bc.Text) != retailGTIN("EAN_13", "4891234567898") {
						t.Errorf("seed %d (blobs %v): wrong retail read %s %s", seed, on, bc.Format, bc.Text)
					}
				case bc.Format == sym.Format && (bc.Text == sym.Text || strings.ReplaceAll(bc.Text, "\x1d", "") == strings.ReplaceAll(sym.Text, barcodes.GS, "")):
					ok = true
				default:
					t.Errorf("seed %d (blobs %v): wrong read %s %q (want %s %q)", seed, on, bc.Format, bc.Text, sym.Format, sym.Text)
				}
			}
			cases[i]++
			if ok {
				reads[i]++
				got[i] = "read"
			}
			if on {
				c := byMirror[mirror]
				c[0]++
				if ok {
					c[2]++
				}
				if got[0] == "read" {
					c[1]++
				}
			}
		}
		if got[0] != got[1] || os.Getenv("DMFRESH_V") != "" {
			t.Logf("seed %d %dx%d %s mod %d angle %.1f mirror %v blur %d at %d,%d: off %q on %q", seed, W, H, sym.Name, mod,
				p.Places[len(p.Places)-1].Angle, mirror, p.Blur, p.Places[len(p.Places)-1].X, p.Places[len(p.Places)-1].Y, got[0], got[1])
		}
	}
	t.Logf("%d cases: read %d with the blob windows off, %d on; mirrored %d: %d / %d, not mirrored %d: %d / %d", cases[0], reads[0], reads[1],
		byMirror[true][0], byMirror[true][1], byMirror[true][2], byMirror[false][0], byMirror[false][1], byMirror[false][2])
}

// TestDMBlobWindows: small Data Matrix symbols off every window centre of
// decode2D, upright, turned and printed mirrored, beside an EAN-13 (read
// in the sweep, so no stage after it runs) or alone, are read by the
// server's cascade as it runs by default (with the blob windows) and by
// none of its stages without them.
func TestDMBlobWindows(t *testing.T) {
	def := blobWindows2D
	defer func() { blobWindows2D = def }()
	d := NewDecoder(DecoderOptions{All: true})
	for i, c := range []struct {
		w, h   int
		sym    string
		mod    int
		x, y   int
		angle  float64
		mirror bool
		ean    bool
	}{
		{1024, 768, "datamatrix", 5, 940, 320, 3, false, true},
		{1024, 768, "gs1-datamatrix", 4, 840, 560, -6, false, false},
		{1280, 960, "datamatrix-latin1", 5, 1000, 300, 2, true, true},
		{1600, 1200, "datamatrix", 6, 1350, 900, -4, true, false},
	} {
		p := barcodes.Photo{File: "x.jpg", W: c.w, H: c.h, Blur: 1, Noise: 4}
		if c.ean {
			p.Places = append(p.Places, barcodes.Placement{Symbol: "ean13", X: c.w / 4, Y: c.h / 2, Module: 2 + c.w/800, BarHeight: c.h / 5, Angle: 1})
		}
		p.Places = append(p.Places, barcodes.Placement{Symbol: c.sym, X: c.x, Y: c.y, Module: c.mod, Angle: c.angle, Mirror: c.mirror})
		img, err := barcodes.Render(p, uint64(100+i))
		if err != nil {
			t.Fatal(err)
		}
		g := toGray(img)
		want := barcodes.SymbolByName(c.sym).Text
		for _, on := range []bool{true, false} {
			blobWindows2D = on && def // the first decode with the default: on
			read := false
			for _, bc := range d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes() {
				if bc.Format == "DATA_MATRIX" {
					read = strings.ReplaceAll(bc.Text, barcodes.GS, "") == strings.ReplaceAll(want, barcodes.GS, "")
					if !read {
						t.Errorf("case %d (blob windows %v): wrong read %q", i, on, bc.Text)
					}
				}
			}
			if read != on {
				t.Errorf("case %d %+v: blob windows %v, Data Matrix read %v", i, c, on, read)
			}
		}
	}
}
