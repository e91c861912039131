package scan

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/oned/rss"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"pandian/fixtures/barcodes"
)

// Adversarial exactness checks of the savings (review): run with
// SCAN_ADVREV=N (cases per kind).

func advN(t *testing.T) int {
	n, _ := strconv.Atoi(os.Getenv("SCAN_ADVREV"))
	if n <= 0 {
		t.Skip("SCAN_ADVREV not set")
	}
	return n
}

func resKey(r *gozxing.Result, err error) string {
	if err != nil || r == nil {
		return "-"
	}
	return fmt.Sprintf("%v %q %v %v", r.GetBarcodeFormat(), r.GetText(), r.GetResultPoints(), r.GetResultMetadata())
}

// modsOf returns row 0 of a 1D writer's matrix (1 px a module, with its
// quiet zone).
func modsOf(t *testing.T, w gozxing.Writer, f gozxing.BarcodeFormat, text string) []bool {
	m, err := w.Encode(text, f, 0, 1, map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		t.Fatalf("%v %q: %v", f, text, err)
	}
	out := make([]bool, m.GetWidth())
	for x := range out {
		out[x] = m.Get(x, 0)
	}
	return out
}

// mutRow renders mods at a random (possibly fractional) scale with random
// margins, noise spikes, cuts, inversion.
func mutRow(rng *rand.Rand, mods []bool) *gozxing.BitArray {
	scale := []float64{1, 1, 2, 3, 1.5, 2.5, 1.3, 4, 0.9}[rng.Intn(9)]
	left := []int{0, 0, 1, 2, 3, 5, 10, 20, 40}[rng.Intn(9)]
	right := []int{0, 0, 1, 2, 3, 5, 10, 20, 40}[rng.Intn(9)]
	n := int(float64(len(mods))*scale) + left + right
	if n < 1 {
		n = 1
	}
	row := gozxing.NewBitArray(n)
	off := rng.Float64()
	for x := 0; x < n-left-right; x++ {
		i := int((float64(x) + off) / scale)
		if i < len(mods) && mods[i] {
			row.Set(left + x)
		}
	}
	// margin junk
	if rng.Intn(3) == 0 {
		for x := range left {
			if rng.Intn(4) == 0 {
				row.Set(x)
			}
		}
	}
	for range []int{0, 0, 0, 1, 1, 2, 3, 6}[rng.Intn(8)] { // spikes
		x := rng.Intn(n)
		for k := 0; k < 1+rng.Intn(2) && x+k < n; k++ {
			row.Flip(x + k)
		}
	}
	if rng.Intn(4) == 0 { // widen/narrow a bar edge (ink spread)
		for x := 1; x < n; x++ {
			if row.Get(x) && !row.Get(x-1) && rng.Intn(5) == 0 {
				row.Set(x - 1)
			}
		}
	}
	if rng.Intn(5) == 0 { // cut: keep a slice
		a := rng.Intn(max(1, n/6))
		b := n - rng.Intn(max(1, n/6))
		if b-a >= 1 {
			r := gozxing.NewBitArray(b - a)
			for x := a; x < b; x++ {
				if row.Get(x) {
					r.Set(x - a)
				}
			}
			row = r
		}
	}
	if rng.Intn(6) == 0 { // inverted
		for x := 0; x < row.GetSize(); x++ {
			row.Flip(x)
		}
	}
	if rng.Intn(2) == 0 {
		row.Reverse()
	}
	return row
}

func cloneRow(r *gozxing.BitArray) *gozxing.BitArray {
	c := gozxing.NewBitArray(r.GetSize())
	copy(c.GetBitArray(), r.GetBitArray())
	return c
}

func digitsRng(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.Intn(10))
	}
	return string(b)
}

// ext returns the modules of an EAN-2 or EAN-5 add-on for s.
func extMods(s string) []bool {
	L := []string{"0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"}
	G := []string{"0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"}
	var parity []bool // true: G
	if len(s) == 2 {
		v, _ := strconv.Atoi(s)
		parity = []bool{v%4 >= 2, v%4 == 1 || v%4 == 3}
	} else {
		sum := 0
		for i := range 5 {
			d := int(s[i] - '0')
			if i%2 == 0 {
				sum += 3 * d
			} else {
				sum += 9 * d
			}
		}
		p := []string{"GGLLL", "GLGLL", "GLLGL", "GLLLG", "LGGLL", "LLGGL", "LLLGG", "LGLGL", "LGLLG", "LLGLG"}[sum%10]
		for _, c := range p {
			parity = append(parity, c == 'G')
		}
	}
	out := []bool{true, false, true, true}
	for i := range s {
		if i > 0 {
			out = append(out, false, true)
		}
		pat := L[s[i]-'0']
		if parity[i] {
			pat = G[s[i]-'0']
		}
		for _, c := range pat {
			out = append(out, c == '1')
		}
	}
	return out
}

func TestAdvRowReaders(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 77))
	fastE := hinted{newUPCEANRowFast(&lineRuns{})}
	slowE := hinted{oned.NewMultiFormatUPCEANReader(upceanHints).(oned.RowDecoder)}
	lr := &lineRuns{}
	fastC, slowC := newCode128Row(lr), oned.NewCode128Reader().(oned.RowDecoder)
	fast39, slow39 := newCode39Row(lr), oned.NewCode39Reader().(oned.RowDecoder)
	fastR, slowR := newRSSRow(lr), rss.NewRSS14Reader().(oned.RowDecoder)
	reads := map[string]int{}
	cases := 0
	check := func(what string, row *gozxing.BitArray) {
		cases++
		type pair struct {
			name       string
			fast, slow oned.RowDecoder
		}
		for _, p := range []pair{{"ean", fastE, slowE}, {"c128", fastC, slowC}, {"c39", fast39, slow39}, {"rss", fastR, slowR}} {
			r1 := cloneRow(row)
			w, werr := p.slow.DecodeRow(1, r1, upceanHints)
			r2 := cloneRow(row)
			g, gerr := p.fast.DecodeRow(1, r2, upceanHints)
			a, b := resKey(w, werr), resKey(g, gerr)
			if a != b {
				t.Fatalf("%s %s: slow %s fast %s\nrow %v", p.name, what, a, b, row)
			}
			if a != "-" {
				reads[p.name]++
			}
		}
	}
	ean13w, ean8w, upcew, upcaw := oned.NewEAN13Writer(), oned.NewEAN8Writer(), oned.NewUPCEWriter(), oned.NewUPCAWriter()
	c128w, c39w := oned.NewCode128Writer(), oned.NewCode39Writer()
	for i := range n {
		var mods []bool
		var what string
		switch i % 8 {
		case 0:
			s := digitsRng(rng, 12)
			if rng.Intn(2) == 0 {
				s = "0" + s[1:]
			}
			mods, what = modsOf(t, ean13w, gozxing.BarcodeFormat_EAN_13, s), "ean13 "+s
		case 1:
			s := digitsRng(rng, 11)
			mods, what = modsOf(t, upcaw, gozxing.BarcodeFormat_UPC_A, s), "upca "+s
		case 2:
			s := digitsRng(rng, 7)
			mods, what = modsOf(t, ean8w, gozxing.BarcodeFormat_EAN_8, s), "ean8 "+s
		case 3:
			s := "0" + digitsRng(rng, 6)
			mods, what = modsOf(t, upcew, gozxing.BarcodeFormat_UPC_E, s), "upce "+s
		case 4:
			s := fmt.Sprintf("%016x", rng.Int63())[:1+rng.Intn(12)]
			mods, what = modsOf(t, c128w, gozxing.BarcodeFormat_CODE_128, s), "c128 "+s
		case 5:
			gtin := withCheck(fmt.Sprintf("%013d", rng.Int63n(1e13)))
			m, err := barcodes.DataBar(gtin)
			if err != nil {
				t.Fatal(err)
			}
			mods, what = m, "rss "+gtin
		case 6:
			s := fmt.Sprintf("%016X", rng.Int63())[:1+rng.Intn(8)]
			mods, what = modsOf(t, c39w, gozxing.BarcodeFormat_CODE_39, s), "c39 "+s
		case 7: // EAN-8/EAN-13/UPC-E with an add-on
			var s string
			switch rng.Intn(3) {
			case 0:
				s = digitsRng(rng, 7)
				mods = modsOf(t, ean8w, gozxing.BarcodeFormat_EAN_8, s)
			case 1:
				s = digitsRng(rng, 12)
				mods = modsOf(t, ean13w, gozxing.BarcodeFormat_EAN_13, s)
			default:
				s = "0" + digitsRng(rng, 6)
				mods = modsOf(t, upcew, gozxing.BarcodeFormat_UPC_E, s)
			}
			e := digitsRng(rng, []int{2, 5}[rng.Intn(2)])
			gap := 7 + rng.Intn(6)
			mods = append(append(mods, make([]bool, gap)...), extMods(e)...)
			what = "addon " + s + "+" + e
		}
		quiet := make([]bool, 10)
		mods = append(append(append([]bool{}, quiet...), mods...), quiet...)
		if i%8 == 5 && rng.Intn(2) == 0 { // DataBar: a few mild lines of one symbol
			sc := 1 + rng.Intn(3)
			for range 2 + rng.Intn(3) {
				row := gozxing.NewBitArray(len(mods)*sc + 7)
				for x, on := range mods {
					for k := range sc {
						if on {
							row.Set(3 + x*sc + k)
						}
					}
				}
				if rng.Intn(2) == 0 {
					row.Flip(rng.Intn(row.GetSize()))
				}
				check(what, row)
			}
			continue
		}
		for range 1 + rng.Intn(3) {
			check(what, mutRow(rng, mods))
		}
		if rng.Intn(8) == 0 {
			fastR.(interface{ Reset() }).Reset()
			slowR.(gozxing.Reader).Reset()
		}
	}
	// random lines with structure: runs of widths around 1..4
	for range n {
		w := 5 + rng.Intn(300)
		row := gozxing.NewBitArray(w)
		u := 1 + rng.Intn(4)
		for x, on := 0, rng.Intn(2) == 0; x < w; {
			run := u * (1 + rng.Intn(4))
			if rng.Intn(5) == 0 {
				run += rng.Intn(3) - 1
			}
			run = max(1, run)
			for ; run > 0 && x < w; run, x = run-1, x+1 {
				if on {
					row.Set(x)
				}
			}
			on = !on
		}
		check("random", row)
	}
	t.Logf("%d lines, reads %v", cases, reads)
}

// renderQR renders a QR Code of text at module size ms (float), rotated
// by deg, with a perspective squeeze, into a w×h gray plane.
func renderQR(t *testing.T, rng *rand.Rand, text string, ms float64, deg, persp float64, invert bool, w, h int, cx, cy float64, blur bool) *gray {
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		t.Fatal(err)
	}
	dim := float64(m.GetWidth())
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	c, s := math.Cos(deg*math.Pi/180), math.Sin(deg*math.Pi/180)
	bg, fg := 220+rng.Intn(30), 20+rng.Intn(60)
	if invert {
		bg, fg = fg, bg
	}
	for y := range h {
		for x := range w {
			dx, dy := float64(x)-cx, float64(y)-cy
			u := (c*dx + s*dy) / ms
			v := (-s*dx + c*dy) / ms
			// perspective: scale u by a factor depending on v
			k := 1 + persp*v/dim
			u /= k
			u += dim / 2
			v += dim / 2
			val := bg
			if u >= 0 && v >= 0 && u < dim && v < dim && m.Get(int(u), int(v)) {
				val = fg
			}
			val += rng.Intn(16) - 8
			g.pix[y*w+x] = byte(max(0, min(255, val)))
		}
	}
	if blur {
		g = blurGray3(g, 1)
	}
	return g
}

// TestAdvQRSkip: on generated QR Codes (small modules, rotated,
// perspective, inverted, cut by the window), wherever qrMayFind says no,
// gozxing's finder finds no centre and the reader reads nothing.
func TestAdvQRSkip(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 99))
	var wins, skipped, reads int
	for i := range n {
		text := fmt.Sprintf("%016x", rng.Int63())[:1+rng.Intn(14)]
		if rng.Intn(3) == 0 {
			text += text + text + text
		}
		ms := []float64{1, 1.5, 2, 2.5, 3, 1.2, 4}[rng.Intn(7)]
		deg := []float64{0, 0, 90, 45, 10, -20, 180, 3}[rng.Intn(8)]
		persp := []float64{0, 0, 0.2, -0.3, 0.5}[rng.Intn(5)]
		w, h := 40+rng.Intn(160), 40+rng.Intn(160)
		cx, cy := rng.Float64()*float64(w), rng.Float64()*float64(h)
		if rng.Intn(2) == 0 {
			cx, cy = float64(w)/2, float64(h)/2
		}
		g := renderQR(t, rng, text, ms, deg, persp, rng.Intn(4) == 0, w, h, cx, cy, rng.Intn(3) == 0)
		src := newLumSource(g)
		for k := range 4 {
			x0, y0, ww, hh := 0, 0, w, h
			if k > 0 {
				ww, hh = 40+rng.Intn(w-39), 40+rng.Intn(h-39)
				x0, y0 = rng.Intn(w-ww+1), rng.Intn(h-hh+1)
			}
			sub, err := src.Crop(x0, y0, ww, hh)
			if err != nil {
				t.Fatal(err)
			}
			ls := sub.(*lumSource)
			for _, global := range []bool{false, true} {
				for _, hints := range []map[gozxing.DecodeHintType]interface{}{nil, tryHarder} {
					bmp, _ := gozxing.NewBinaryBitmap(newBinarizer(ls, global))
					m, err := bmp.GetBlackMatrix()
					if err != nil {
						continue
					}
					wins++
					may := qrMayFind(m, hints)
					f := detector.NewFinderPatternFinder(m, nil)
					f.Find(hints)
					if c := len(f.GetPossibleCenters()); c > 0 && !may {
						t.Fatalf("case %d %q ms %v deg %v persp %v win %d,%d %dx%d global %v: %d centres, qrMayFind no", i, text, ms, deg, persp, x0, y0, ww, hh, global, c)
					}
					res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
					if err == nil {
						reads++
						if !may {
							t.Fatalf("case %d: read %q where skipped", i, res.GetText())
						}
					}
					if !may {
						skipped++
					}
				}
			}
		}
	}
	t.Logf("%d windows, %d skipped, %d reads", wins, skipped, reads)
}

// TestAdvBinarizeWindows: hybrid matrices of many windows of one plane
// (odd offsets and sizes, at the edges) against gozxing's, the caches
// shared between windows.
func TestAdvBinarizeWindows(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 5))
	for p := range max(1, n/50) {
		w, h := 40+rng.Intn(300), 40+rng.Intn(300)
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		kind := p % 3
		for y := range h {
			for x := range w {
				var v int
				switch kind {
				case 0:
					v = rng.Intn(256)
				case 1:
					v = 40*((x/7+y/5)%6) + rng.Intn(20)
				default:
					v = 100 + rng.Intn(25) // low range everywhere
					if (x/3+y/9)%4 == 0 {
						v = 30
					}
				}
				g.pix[y*w+x] = byte(v)
			}
		}
		for range 50 {
			ww, hh := 40+rng.Intn(w-39), 40+rng.Intn(h-39)
			var x0, y0 int
			switch rng.Intn(4) {
			case 0:
				x0, y0 = w-ww, h-hh
			case 1:
				x0, y0 = rng.Intn(w-ww+1), h-hh
			default:
				x0, y0 = rng.Intn(w-ww+1), rng.Intn(h-hh+1)
			}
			checkWindow(t, fmt.Sprint("plane ", p), g, x0, y0, ww, hh)
		}
	}
}

// renderLinear renders 1D modules mods (bars height bh modules' worth)
// at module size ms, rotated by deg, into a w×h plane.
func renderLinear(rng *rand.Rand, mods []bool, ms, deg float64, bh int, invert bool, w, h int, blur bool) *gray {
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	c, s := math.Cos(deg*math.Pi/180), math.Sin(deg*math.Pi/180)
	bg, fg := 200+rng.Intn(50), 10+rng.Intn(80)
	if invert {
		bg, fg = fg, bg
	}
	cx, cy := float64(w)/2+float64(rng.Intn(21)-10), float64(h)/2
	n := float64(len(mods))
	for y := range h {
		for x := range w {
			dx, dy := float64(x)-cx, float64(y)-cy
			u := (c*dx+s*dy)/ms + n/2
			v := (-s*dx + c*dy)
			val := bg
			if u >= 0 && u < n && math.Abs(v) < float64(bh)/2 && mods[int(u)] {
				val = fg
			}
			val += rng.Intn(20) - 10
			g.pix[y*w+x] = byte(max(0, min(255, val)))
		}
	}
	if blur {
		g = blurGray3(g, 0)
	}
	return g
}

// TestAdvCascade: the whole cascade with every saving on and off on
// generated pictures (QR Codes small, rotated, inverted, cut; 1D codes
// of every kind, with add-ons, rotated, inverted, cut by the picture).
func TestAdvCascade(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 3))
	ean13w, ean8w, upcew, upcaw := oned.NewEAN13Writer(), oned.NewEAN8Writer(), oned.NewUPCEWriter(), oned.NewUPCAWriter()
	c128w, c39w := oned.NewCode128Writer(), oned.NewCode39Writer()
	set := func(on bool) {
		rowSkip, fastBinarize, fastCode39, fastStarts, noUPCAReader, qrSkip, phaseCache, sepSums, blockCache = on, on, on, on, on, on, on, on, on
	}
	defer set(true)
	readN, kinds := map[string]int{}, map[string]int{}
	qrOnly := os.Getenv("SCAN_ADVQR") != ""
	for i := range n {
		var g *gray
		var what string
		if i%3 == 0 || qrOnly {
			text := fmt.Sprintf("%016x", rng.Int63())[:1+rng.Intn(14)]
			ms := []float64{1, 1.5, 2, 2.5, 3, 1.2}[rng.Intn(6)]
			if qrOnly {
				ms = []float64{2, 2.5, 3, 4, 1.8}[rng.Intn(5)]
			}
			deg := []float64{0, 0, 90, 45, 10, -20, 180, 3}[rng.Intn(8)]
			persp := []float64{0, 0, 0.2, -0.3}[rng.Intn(4)]
			w, h := 60+rng.Intn(200), 60+rng.Intn(200)
			cx, cy := rng.Float64()*float64(w), rng.Float64()*float64(h)
			if rng.Intn(2) == 0 {
				cx, cy = float64(w)/2, float64(h)/2
			}
			if os.Getenv("SCAN_ADVQR") == "2" { // whole symbols, quiet zones cut by the picture's edge
				persp = 0
				deg = []float64{0, 90, 180, 3, -5}[rng.Intn(5)]
				half := ms * 14
				cx = half + rng.Float64()*max(1, float64(w)-2*half)
				cy = half + rng.Float64()*max(1, float64(h)-2*half)
			}
			g = renderQR(t, rng, text, ms, deg, persp, rng.Intn(4) == 0, w, h, cx, cy, rng.Intn(3) == 0)
			what = fmt.Sprintf("qr %q ms %v deg %v persp %v", text, ms, deg, persp)
		} else {
			var mods []bool
			switch rng.Intn(8) {
			case 0:
				s := digitsRng(rng, 12)
				if rng.Intn(2) == 0 {
					s = "0" + s[1:]
				}
				mods, what = modsOf(t, ean13w, gozxing.BarcodeFormat_EAN_13, s), "ean13 "+s
			case 1:
				s := digitsRng(rng, 11)
				mods, what = modsOf(t, upcaw, gozxing.BarcodeFormat_UPC_A, s), "upca "+s
			case 2:
				s := digitsRng(rng, 7)
				mods, what = modsOf(t, ean8w, gozxing.BarcodeFormat_EAN_8, s), "ean8 "+s
			case 3:
				s := "0" + digitsRng(rng, 6)
				mods, what = modsOf(t, upcew, gozxing.BarcodeFormat_UPC_E, s), "upce "+s
			case 4:
				s := fmt.Sprintf("%016x", rng.Int63())[:1+rng.Intn(12)]
				mods, what = modsOf(t, c128w, gozxing.BarcodeFormat_CODE_128, s), "c128 "+s
			case 5:
				gtin := withCheck(fmt.Sprintf("%013d", rng.Int63n(1e13)))
				m, err := barcodes.DataBar(gtin)
				if err != nil {
					t.Fatal(err)
				}
				mods, what = m, "rss "+gtin
			case 6:
				s := fmt.Sprintf("%016X", rng.Int63())[:1+rng.Intn(8)]
				mods, what = modsOf(t, c39w, gozxing.BarcodeFormat_CODE_39, s), "c39 "+s
			default:
				s := digitsRng(rng, 7)
				mods = modsOf(t, ean8w, gozxing.BarcodeFormat_EAN_8, s)
				if rng.Intn(2) == 0 {
					s = digitsRng(rng, 12)
					mods = modsOf(t, ean13w, gozxing.BarcodeFormat_EAN_13, s)
				}
				e := digitsRng(rng, []int{2, 5}[rng.Intn(2)])
				mods = append(append(mods, make([]bool, 7+rng.Intn(6))...), extMods(e)...)
				what = "addon " + s + "+" + e
			}
			q := make([]bool, 10)
			mods = append(append(append([]bool{}, q...), mods...), q...)
			ms := []float64{1, 1.5, 2, 2.5, 3, 1.2, 0.9}[rng.Intn(7)]
			deg := []float64{0, 0, 180, 90, 5, -10, 30, 2}[rng.Intn(8)]
			w := int(float64(len(mods))*ms) + rng.Intn(60) - 30
			h := 40 + rng.Intn(120)
			if deg == 90 {
				w, h = h, w
			}
			w, h = max(w, 40), max(h, 40)
			g = renderLinear(rng, mods, ms, deg, 10+rng.Intn(100), rng.Intn(5) == 0, w, h, rng.Intn(3) == 0)
			what = fmt.Sprintf("%s ms %v deg %v", what, ms, deg)
		}
		advExact(t, fmt.Sprint(i, " ", what), g, i%2 == 0, set)
		if bs := NewDecoder(DecoderOptions{All: i%2 == 0}).cascade(context.Background(), g).col.barcodes(); len(bs) > 0 {
			readN[what[:2]]++
		}
		kinds[what[:2]]++
	}
	t.Logf("read %v of %v", readN, kinds)
}

var advPtr = regexp.MustCompile(`0x[0-9a-f]{6,}`)

// advExact is exactCascade with pointers left out of the print.
func advExact(t *testing.T, name string, g *gray, all bool, set func(on bool)) {
	t.Helper()
	d := NewDecoder(DecoderOptions{All: all})
	set(false)
	want := advPtr.ReplaceAllString(runPrint(d.cascade(context.Background(), g)), "PTR")
	set(true)
	got := advPtr.ReplaceAllString(runPrint(d.cascade(context.Background(), g)), "PTR")
	if got != want {
		t.Errorf("%s (all=%v): the cascade differs with the savings\nwithout:\n%s\nwith:\n%s", name, all, want, got)
	}
}

// TestAdvTinyRows: every reader pair on short random lines (1 to 70
// bits), every way a line ends in its words.
func TestAdvTinyRows(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 11))
	lr := &lineRuns{}
	pairs := []struct {
		name       string
		fast, slow oned.RowDecoder
	}{
		{"ean", hinted{newUPCEANRowFast(lr)}, hinted{oned.NewMultiFormatUPCEANReader(upceanHints).(oned.RowDecoder)}},
		{"c128", newCode128Row(lr), oned.NewCode128Reader().(oned.RowDecoder)},
		{"c39", newCode39Row(lr), oned.NewCode39Reader().(oned.RowDecoder)},
		{"rss", newRSSRow(lr), rss.NewRSS14Reader().(oned.RowDecoder)},
	}
	for size := 1; size <= 70; size++ {
		for range n {
			row := gozxing.NewBitArray(size)
			u := 1 + rng.Intn(2)
			for x, on := 0, rng.Intn(2) == 0; x < size; {
				run := max(1, u*(1+rng.Intn(4))+rng.Intn(2)-rng.Intn(2))
				for ; run > 0 && x < size; run, x = run-1, x+1 {
					if on {
						row.Set(x)
					}
				}
				on = !on
			}
			for _, p := range pairs {
				w, werr := p.slow.DecodeRow(1, cloneRow(row), upceanHints)
				g, gerr := p.fast.DecodeRow(1, cloneRow(row), upceanHints)
				if a, b := resKey(w, werr), resKey(g, gerr); a != b {
					t.Fatalf("%s size %d: slow %s fast %s row %v", p.name, size, a, b, row)
				}
			}
		}
	}
}

// TestAdvTunePhotos: exactImages with every saving (the binarization
// caches too) on and off.
func TestAdvTunePhotos(t *testing.T) {
	advN(t)
	set := func(on bool) {
		rowSkip, fastBinarize, fastCode39, fastStarts, noUPCAReader, qrSkip, phaseCache, sepSums, blockCache = on, on, on, on, on, on, on, on, on
	}
	defer set(true)
	names, gs := exactImages(t)
	for i, g := range gs {
		for _, all := range []bool{true, false} {
			advExact(t, names[i], g, all, set)
		}
	}
}

// TestAdvConcurrent: one Decoder decoding generated pictures on four
// goroutines at once (run with -race): the savings' state (line runs,
// DataBar wrapper, block caches) is per decode.
func TestAdvConcurrent(t *testing.T) {
	n := advN(t)
	rng := rand.New(rand.NewSource(int64(n) + 21))
	var gs []*gray
	for i := range 4 * n {
		if i%2 == 0 {
			gs = append(gs, renderQR(t, rng, fmt.Sprint(i), 2, 0, 0, false, 120, 120, 60, 60, false))
		} else {
			gtin := withCheck(fmt.Sprintf("%013d", rng.Int63n(1e13)))
			m, err := barcodes.DataBar(gtin)
			if err != nil {
				t.Fatal(err)
			}
			gs = append(gs, renderLinear(rng, append(append(make([]bool, 10), m...), make([]bool, 10)...), 2, 0, 40, false, 260, 80, false))
		}
	}
	d := NewDecoder(DecoderOptions{All: true})
	want := make([]string, len(gs))
	for i, g := range gs {
		want[i] = advPtr.ReplaceAllString(fmt.Sprintf("%+v", d.cascade(context.Background(), g).col.barcodes()), "PTR")
	}
	read := 0
	for _, w := range want {
		if w != "[]" {
			read++
		}
	}
	t.Logf("%d of %d pictures read", read, len(gs))
	done := make(chan string, 4)
	for w := range 4 {
		go func() {
			msg := ""
			for i := w; i < len(gs); i += 4 {
				g := &gray{w: gs[i].w, h: gs[i].h, pix: gs[i].pix}
				if got := advPtr.ReplaceAllString(fmt.Sprintf("%+v", d.cascade(context.Background(), g).col.barcodes()), "PTR"); got != want[i] {
					msg = fmt.Sprintf("picture %d: %s, alone %s", i, got, want[i])
				}
			}
			done <- msg
		}()
	}
	for range 4 {
		if m := <-done; m != "" {
			t.Error(m)
		}
	}
}

// TestAdvTuneVariants: the tune photos' working images inverted, cut at
// odd offsets and mirrored, every saving on and off.
func TestAdvTuneVariants(t *testing.T) {
	advN(t)
	set := func(on bool) {
		rowSkip, fastBinarize, fastCode39, fastStarts, noUPCAReader, qrSkip, phaseCache, sepSums, blockCache = on, on, on, on, on, on, on, on, on
	}
	defer set(true)
	for i, p := range tunePhotos(t) {
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		inv := &gray{w: work.w, h: work.h, pix: make([]byte, len(work.pix))}
		for k, v := range work.pix {
			inv.pix[k] = 255 - v
		}
		x0, y0 := 3+i%5, 5+i%3
		cw, ch := work.w-x0-(i%7), work.h-y0-(i%4)
		cut := &gray{w: cw, h: ch, pix: make([]byte, cw*ch)}
		for y := range ch {
			copy(cut.pix[y*cw:(y+1)*cw], work.pix[(y+y0)*work.w+x0:])
		}
		mir := &gray{w: work.w, h: work.h, pix: make([]byte, len(work.pix))}
		for y := range work.h {
			for x := range work.w {
				mir.pix[y*work.w+x] = work.pix[y*work.w+work.w-1-x]
			}
		}
		for k, v := range []*gray{inv, cut, mir} {
			advExact(t, fmt.Sprint(p.path, " variant ", k), v, true, set)
		}
	}
}

// blurGray3 is g averaged over a box 3 pixels wide and 2*ry+1 high (cut by
// the picture's edges).
func blurGray3(g *gray, ry int) *gray {
	w, h := g.w, g.h
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := range h {
		for x := range w {
			s, n := 0, 0
			for yy := max(0, y-ry); yy <= min(h-1, y+ry); yy++ {
				for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
					s += int(g.pix[yy*w+xx])
					n++
				}
			}
			out.pix[y*w+x] = byte(s / n)
		}
	}
	return out
}
