package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"pandian/fixtures/barcodes"
)

// paste draws m on g at (x0, y0), k pixels a module, h pixels tall when
// m is a 1D code's single row (h 0: m's own height).
func paste(g *gray, m *gozxing.BitMatrix, x0, y0, k, h int) {
	mh := m.GetHeight() * k
	if h > 0 {
		mh = h
	}
	for y := 0; y < mh; y++ {
		for x := 0; x < m.GetWidth()*k; x++ {
			my := y / k
			if h > 0 {
				my = 0
			}
			if m.Get(x/k, my) {
				g.pix[(y0+y)*g.w+x0+x] = 30
			}
		}
	}
}

// detectImage is a 480×360 label: an EAN-13 on the left and, when qr,
// a QR Code at the bottom right.
func detectImage(t *testing.T, qr bool) *gray {
	t.Helper()
	g := &gray{w: 480, h: 360, pix: make([]byte, 480*360)}
	for i := range g.pix {
		g.pix[i] = 225
	}
	ean, err := oned.NewEAN13Writer().Encode("4006381333931", gozxing.BarcodeFormat_EAN_13, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	paste(g, ean, 20, 40, 2, 120)
	if qr {
		m, err := qrcode.NewQRCodeWriter().Encode("pandian 2D detector", gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
		if err != nil {
			t.Fatal(err)
		}
		paste(g, m, 330, 210, 4, 0)
	}
	return g
}

func texts(bcs []Barcode) string {
	s := ""
	for _, b := range bcs {
		s += fmt.Sprintf("[%s %s]", b.Format, b.Text)
	}
	return s
}

// TestDetect2DSkips: on a label with a 1D barcode alone, the server's
// sweep decodes no 2D window (the detector sees no 2D symbol), and reads
// the same; with sweepStop on, the sweep's 2D decodes are left out
// altogether (sweepstop.go).
func TestDetect2DSkips(t *testing.T) {
	defer func(on bool) { sweepStop = on }(sweepStop)
	g := detectImage(t, false)
	for _, stop := range []bool{false, true} {
		sweepStop = stop
		r := NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g)
		if got := texts(r.col.barcodes()); got != "[EAN_13 4006381333931]" {
			t.Fatalf("sweepStop %v: read %s", stop, got)
		}
		if (r.wholeSkipped == 0) != stop || r.tiles2D != 0 || r.skip2D != stop {
			t.Errorf("sweepStop %v: 2D windows: %d whole views left out, %d tiles decoded, skip2D %v; want the whole views left out (or all 2D decodes, skip2D) and no tile",
				stop, r.wholeSkipped, r.tiles2D, r.skip2D)
		}
	}
}

// TestDetect2DFinds: beside a 1D barcode (read first, so nothing put off
// is decoded after the sweep), a QR Code in a corner is still read, from
// the tiles over it, and the tiles away from it are left out. With
// sweepStop on, the whole view reads it and the tiles over it, holding
// nothing 2D-like but it, are left out too (mayNew2D).
func TestDetect2DFinds(t *testing.T) {
	defer func(on bool) { sweepStop = on }(sweepStop)
	g := detectImage(t, true)
	for _, stop := range []bool{false, true} {
		sweepStop = stop
		r := NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g)
		if got := texts(r.col.barcodes()); got != "[EAN_13 4006381333931][QR_CODE pandian 2D detector]" {
			t.Fatalf("sweepStop %v: read %s", stop, got)
		}
		if r.tilesSkipped == 0 || (r.tiles2D == 0) != stop {
			t.Errorf("sweepStop %v: tiles: %d decoded, %d left out; want some of each (none decoded with sweepStop)", stop, r.tiles2D, r.tilesSkipped)
		}
	}
	m := newMap2D(g, g.shrink(2))
	if n := m.count(0, 0, 200, 360); n != 0 {
		t.Errorf("%d 2D-like cells over the EAN-13, want none", n)
	}
	if n := m.count(320, 200, 160, 160); n < 2*tileGate {
		t.Errorf("%d 2D-like cells over the QR Code, want at least %d", n, 2*tileGate)
	}
}

// TestDetect2DReads: on the tune photos (a third under -short) the server
// returns the same barcodes with the 2D detector as without it.
func TestDetect2DReads(t *testing.T) {
	defer func(tg, wg int) { tileGate, wholeGate = tg, wg }(tileGate, wholeGate)
	var tiles, tilesOut, wholeOut, photos int
	for i, p := range tunePhotos(t) {
		if testing.Short() && i%3 != 0 {
			continue
		}
		g := photoGray(t, p.path)
		d := NewDecoder(DecoderOptions{All: true})
		tileGate, wholeGate = gate2D(false)
		want := texts(d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes())
		tileGate, wholeGate = gate2D(true)
		r := d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix})
		got := texts(r.col.barcodes())
		photos++
		tiles += r.tiles2D
		tilesOut += r.tilesSkipped
		wholeOut += r.wholeSkipped
		if got != want {
			t.Errorf("%s: %s with the detector, %s without", p.path, got, want)
		}
	}
	t.Logf("%d photos: %d whole views and %d tiles left out of the sweep, %d tiles decoded", photos, wholeOut, tilesOut, tiles)
}

// BenchmarkDetect2DPaired times the server's search on each TUNE photo
// with and without the 2D detector's gate, alternated photo by photo
// (the least thread CPU of 3 rounds each), and reports both medians and
// CPU sums: a comparison that a loaded machine disturbs little.
//
//	go test -run '^$' -bench Detect2DPaired -benchtime 1x ./scan/
func BenchmarkDetect2DPaired(b *testing.B) {
	defer func(tg, wg int) { tileGate, wholeGate = tg, wg }(tileGate, wholeGate)
	benchPaired(b, tunePhotos(b), func(on bool) { tileGate, wholeGate = gate2D(on) }, "gate", "nogate")
}

// benchPaired times the server's search on each photo with set(true) and
// set(false), alternated photo by photo (the least thread CPU of 3 rounds
// each), and reports both medians, p95 and CPU sums (metrics named after
// on and off): a comparison that a loaded machine disturbs little.
func benchPaired(b *testing.B, photos []photo, set func(bool), on, off string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		var times [2][]float64
		var sums [2]float64
		for _, p := range photos {
			g := photoGray(b, p.path)
			best := [2]time.Duration{time.Hour, time.Hour}
			for round := range 3 {
				for _, state := range []bool{round%2 == 0, round%2 != 0} {
					set(state)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					t0 := threadCPU()
					NewDecoder(DecoderOptions{All: true}).cascade(ctx, &gray{w: g.w, h: g.h, pix: g.pix})
					d := threadCPU() - t0
					cancel()
					i := 0
					if !state {
						i = 1
					}
					best[i] = min(best[i], d)
				}
			}
			for i := range 2 {
				ms := best[i].Seconds() * 1000
				times[i] = append(times[i], ms)
				sums[i] += ms
			}
		}
		for i, name := range []string{on, off} {
			b.ReportMetric(quantile(times[i], 0.5), "median-ms-"+name)
			b.ReportMetric(quantile(times[i], 0.95), "p95-ms-"+name)
			b.ReportMetric(sums[i], "sum-ms-"+name)
		}
	}
}

// TestDetect2DSharpSmallQR: a small QR Code (versions 1 and 2) printed
// sharp and upright at 4 pixels a module beside an EAN-13 is read by the
// server with the detector's gate, as without it: the EAN-13 is read in
// the sweep, so a window the detector put off would never be decoded.
func TestDetect2DSharpSmallQR(t *testing.T) {
	for _, c := range []struct {
		w, h int
		text string
		seed uint64
	}{
		{1024, 768, "HK-MK-0012", 2},
		{1280, 960, "HK-MK-0012", 4},
		{1600, 1200, "HK-MK-0012", 8},
		{1024, 768, "https://pandian.example/l/7", 10},
	} {
		sym := barcodes.Symbol{Name: "qr", Format: "QR_CODE", Text: c.text}
		g := sharpLabel(t, c.w, c.h, sym, 4, c.seed)
		got := texts(NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g).col.barcodes())
		if want := "[EAN_13 4891234567898][QR_CODE " + c.text + "]"; got != want {
			t.Errorf("%d×%d seed %d: read %s, want %s", c.w, c.h, c.seed, got, want)
		}
	}
}

// sharpLabel is a w×h photo (the fixtures' lit ground) with an EAN-13 on
// the left and sym at module pixels a module on the right, pasted upright
// and unblurred, then noise and JPEG (quality 85).
func sharpLabel(t *testing.T, w, h int, sym barcodes.Symbol, module int, seed uint64) *gray {
	t.Helper()
	img, err := barcodes.Render(barcodes.Photo{File: "x.png", W: w, H: h, Places: []barcodes.Placement{
		{Symbol: "ean13", X: w * 3 / 10, Y: h / 2, Module: 2 + w/800, BarHeight: h / 5, Angle: 1},
	}}, seed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := barcodes.Draw(sym, module, 0)
	if err != nil {
		t.Fatal(err)
	}
	x0, y0 := min(w*3/4+int(seed)*7, w-s.Rect.Dx()-2), min(h*2/3-int(seed)*5, h-s.Rect.Dy()-2)
	return toGray(pasteNoisyJPEG(t, img, s, x0, y0, seed))
}

// pasteNoisyJPEG pastes the symbol s on img at (x0, y0), adds noise
// (σ 4, seeded) and returns the photo after a JPEG round trip (quality 85).
func pasteNoisyJPEG(t testing.TB, img, s *image.Gray, x0, y0 int, seed uint64) image.Image {
	t.Helper()
	for y := 0; y < s.Rect.Dy(); y++ {
		copy(img.Pix[(y0+y)*img.Stride+x0:], s.Pix[y*s.Stride:y*s.Stride+s.Rect.Dx()])
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	for i, v := range img.Pix {
		img.Pix[i] = uint8(min(255, max(0, float64(v)+rng.NormFloat64()*4)))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}
