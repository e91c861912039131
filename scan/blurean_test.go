package scan

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// eanModulesOf returns the 95 modules (bar = 1) of an EAN-13 text.
func eanModulesOf(text string) []float64 {
	d := make([]int, 13)
	for i := range d {
		d[i] = int(text[i] - '0')
	}
	out := []float64{1, 0, 1}
	par := eanParity[d[0]]
	for j := range 6 {
		c := 0
		if par&(1<<(5-j)) != 0 {
			c = 1
		}
		p := eanPatterns[c][d[1+j]]
		out = append(out, p[:]...)
	}
	out = append(out, 0, 1, 0, 1, 0)
	for j := range 6 {
		p := eanPatterns[2][d[7+j]]
		out = append(out, p[:]...)
	}
	return append(out, 1, 0, 1)
}

// blurredEANImage renders modules as a photo of w×h pixels: bars from
// x0, m pixels a module, rows top to bottom of the image's middle 60%,
// blurred by a Gaussian of sigma pixels (box-integrated over each pixel)
// in linear light, paper 200 with a brightness slope, ink 50 (sRGB-like
// values, gamma 2.2), pixel noise of sd noise.
func blurredEANImage(mods []float64, w, h int, x0, m, sigma, noise float64, rng *rand.Rand) *gray {
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	line := make([]float64, w)
	s := math.Sqrt(sigma*sigma + 1.0/12)
	for x := range line {
		c := float64(x) + 0.5
		v := 0.0
		for k, b := range mods {
			if b != 0 {
				a := x0 + float64(k)*m
				v += normCDF((a+m-c)/s) - normCDF((a-c)/s)
			}
		}
		line[x] = v
	}
	// Blur mixes light: render in linear light, store gamma-encoded.
	lin := func(v float64) float64 { return math.Pow(v/255, 2.2) }
	for y := range h {
		for x := range w {
			paper := 200 - 30*float64(x)/float64(w)
			v := paper
			if y > h/5 && y < 4*h/5 {
				l := lin(paper)*(1-line[x]) + lin(50)*line[x]
				v = 255 * math.Pow(l, 1/2.2)
			}
			v += noise * rng.NormFloat64()
			g.pix[y*w+x] = byte(max(0, min(255, math.Round(v))))
		}
	}
	return g
}

// randomEAN returns a random valid EAN-13.
func randomEAN(rng *rand.Rand) string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = byte('0' + rng.Intn(10))
	}
	return withEANCheck(string(b))
}

func withEANCheck(s string) string {
	sum := 0
	for i, c := range s {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(c-'0')
	}
	return s + string(byte('0'+(10-sum%10)%10))
}

// TestBlurredEAN: EAN-13 and UPC-A blurred by more than a module, which
// no binarizing stage reads, are read by the model fit, through the whole
// cascade as the server decodes.
func TestBlurredEAN(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, c := range []struct {
		text            string
		m, sigma, noise float64
	}{
		{"9780446579803", 2, 2.4, 2},
		{"0073333531084", 1.6, 2.0, 2},
		{"4006381333931", 1.5, 1.8, 3},
	} {
		g := blurredEANImage(eanModulesOf(c.text), 240, 160, 40.3, c.m, c.sigma, c.noise, rng)
		text, bands := readBlurredBands(context.Background(), g)
		if text != c.text || len(bands) < 2 {
			t.Errorf("%s at %.1f px a module, blur %.1f px: read %q on %d bands", c.text, c.m, c.sigma, text, len(bands))
		}
		r := apiDecoder().cascade(context.Background(), g)
		bcs := r.col.barcodes()
		want := c.text
		if want[0] == '0' {
			want = want[1:]
		}
		if len(bcs) != 1 || bcs[0].Text != want {
			t.Errorf("%s: cascade read %s", c.text, describe(bcs))
		}
		if r.blurReads == 0 {
			t.Errorf("%s: read before the blurred EAN stage (the test image is not blurred enough)", c.text)
		}
	}
}

// blurSeed is the seed of TestBlurredEANNeverWrong (other seeds were run
// too when the thresholds were set).
var blurSeed int64 = 11

// TestBlurredEANNeverWrong renders random EAN-13 codes over a range of
// module widths, blurs and noise (some beyond reading) and requires every
// read to be the code printed; a third of those blurred by up to a
// module must be read (when written, 22 of 47; 29 of all 190).
func TestBlurredEANNeverWrong(t *testing.T) {
	rng := rand.New(rand.NewSource(blurSeed))
	n, read, mild, mildRead := 0, 0, 0, 0
	for i := range 200 {
		text := randomEAN(rng)
		m := 1.2 + rng.Float64()*1.2
		k := 0.6 + rng.Float64()*1.4 // blur in modules
		noise := 2 + rng.Float64()*8
		x0 := 10 + rng.Float64()*(230-95*m-10)
		if x0 < 10 {
			continue
		}
		g := blurredEANImage(eanModulesOf(text), 240, 120, x0, m, k*m, noise, rng)
		got, _ := readBlurredBands(context.Background(), g)
		n++
		if got != "" && got != text {
			t.Errorf("case %d: %s (%.2f px a module, blur %.2f modules, noise %.1f) read as %s", i, text, m, k, noise, got)
		}
		if got == text {
			read++
		}
		if k <= 1 {
			mild++
			if got == text {
				mildRead++
			}
		}
	}
	t.Logf("%d of %d read; blur up to a module: %d of %d", read, n, mildRead, mild)
	if mildRead*3 < mild {
		t.Errorf("blur up to a module: only %d of %d read", mildRead, mild)
	}
}

// TestBlurredEANRefuses: no read from pictures without an EAN: noise,
// a blurred Code 128-like pattern of random bars, and an EAN-13 whose
// right half is torn off.
func TestBlurredEANRefuses(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for i := range 20 {
		var mods []float64
		switch i % 3 {
		case 0: // random bars
			for range 95 {
				mods = append(mods, float64(rng.Intn(2)))
			}
		case 1: // torn: left half of an EAN-13, then paper
			mods = eanModulesOf(randomEAN(rng))[:50]
			mods = append(mods, make([]float64, 45)...)
		case 2: // noise only
			mods = make([]float64, 95)
		}
		g := blurredEANImage(mods, 240, 120, 30, 1.8, 2.2, 6, rng)
		if text, _ := readBlurredBands(context.Background(), g); text != "" {
			t.Errorf("case %d: read %s from a picture without a whole EAN-13", i, text)
		}
	}
}

// modulesOf returns the modules (bar = 1) of text encoded as format by
// gozxing's writer, without quiet zones.
func modulesOf(t *testing.T, text string, format gozxing.BarcodeFormat) []float64 {
	t.Helper()
	var w gozxing.Writer
	switch format {
	case gozxing.BarcodeFormat_EAN_8:
		w = oned.NewEAN8Writer()
	case gozxing.BarcodeFormat_UPC_E:
		w = oned.NewUPCEWriter()
	case gozxing.BarcodeFormat_ITF:
		w = oned.NewITFWriter()
	case gozxing.BarcodeFormat_CODE_128:
		w = oned.NewCode128Writer()
	default:
		t.Fatalf("no writer for %v", format)
	}
	bm, err := w.Encode(text, format, 0, 1, map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		t.Fatalf("%v %s: %v", format, text, err)
	}
	mods := make([]float64, bm.GetWidth())
	for x := range mods {
		if bm.Get(x, 0) {
			mods[x] = 1
		}
	}
	return mods
}

// gtinCheck appends the GTIN check digit to the digits s.
func gtinCheck(s string) string {
	sum := 0
	for i := range s {
		w := 1
		if (len(s)-i)%2 == 1 {
			w = 3
		}
		sum += w * int(s[len(s)-1-i]-'0')
	}
	return s + string(byte('0'+(10-sum%10)%10))
}

func randomDigits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.Intn(10))
	}
	return string(b)
}

// TestBlurredEANRefusesOtherSymbols: blurred EAN-8, UPC-E, ITF-14 and
// Code 128 symbols, which the stage does not model, give no read; an
// EAN-13 seen mirrored or upside down (its bars reversed) gives no read or
// the right one, never another product.
func TestBlurredEANRefusesOtherSymbols(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	const w = 240
	render := func(mods []float64, k float64) *gray {
		m := min(2.0, 200/float64(len(mods)))
		x0 := (w - m*float64(len(mods))) / 2
		return blurredEANImage(mods, w, 120, x0, m, k*m, 3, rng)
	}
	blurs := []float64{0.6, 0.9, 1.2}
	upright := 0 // EAN-13 read the right way up: the renders are readable
	for i := range 6 {
		upce, body := "", "0"+randomDigits(rng, 6)
		for c := range 10 { // a UPC-E whose check digit is right
			s := body + string(byte('0'+c))
			if full, err := ExpandUPCE(s); err == nil && ValidGTIN(full) {
				upce = s
				break
			}
		}
		code128 := fmt.Sprintf("PN-%05d/%c", rng.Intn(100000), 'A'+rng.Intn(26))
		if i%2 == 1 {
			code128 = randomDigits(rng, 12) // numeric: Code 128 set C
		}
		for _, c := range []struct {
			format gozxing.BarcodeFormat
			text   string
		}{
			{gozxing.BarcodeFormat_EAN_8, gtinCheck(randomDigits(rng, 7))},
			{gozxing.BarcodeFormat_UPC_E, upce},
			{gozxing.BarcodeFormat_ITF, gtinCheck(randomDigits(rng, 13))},
			{gozxing.BarcodeFormat_CODE_128, code128},
		} {
			mods := modulesOf(t, c.text, c.format)
			for _, k := range blurs {
				if text, _ := readBlurredBands(context.Background(), render(mods, k)); text != "" {
					t.Errorf("%v %s blurred %.1f modules: read as EAN %s", c.format, c.text, k, text)
				}
			}
		}
		ean := randomEAN(rng)
		for _, k := range blurs {
			g := render(eanModulesOf(ean), k)
			if text, _ := readBlurredBands(context.Background(), g); text == ean {
				upright++
			}
			for name, turned := range map[string]*gray{"mirrored": g.mirror(), "upside down": g.rotate90().rotate90()} {
				if text, _ := readBlurredBands(context.Background(), turned); text != "" && text != ean {
					t.Errorf("%s %s blurred %.1f modules: read as %s", name, ean, k, text)
				}
			}
		}
	}
	if upright == 0 {
		t.Errorf("no upright EAN-13 read at these blurs: the refusals prove nothing")
	}
	t.Logf("upright EAN-13 read %d of %d", upright, 6*len(blurs))
}

// TestBlurredEANVetoedByRival: a code the blurred EAN stage reads is
// dropped when a binarizing stage read another code over the same bars,
// even once (a read the collector does not accept on its own); a read of
// the same product (UPC-A for the 0-led EAN-13) or of another code
// elsewhere in the picture does not drop it.
func TestBlurredEANVetoedByRival(t *testing.T) {
	const text = "0073333531084"
	var g *gray
	for seed := int64(1); g == nil; seed++ { // a noise the stage reads through
		if seed > 20 {
			t.Fatal("the stage reads none of the test images")
		}
		rng := rand.New(rand.NewSource(seed))
		g = blurredEANImage(eanModulesOf(text), 240, 160, 40.3, 1.6, 2.0, 2, rng)
		if got, _ := readBlurredBands(context.Background(), g); got != text {
			g = nil
		}
	}
	v := &view{g: g, scale: 1}
	x0, x1 := 40.3+1.5*1.6, 40.3+93.5*1.6
	for _, c := range []struct {
		name   string
		format gozxing.BarcodeFormat
		rival  string
		y      float64 // the rival's scan line
		read   bool
	}{
		{"no rival", 0, "", 0, true},
		{"another EAN-13 over the bars", gozxing.BarcodeFormat_EAN_13, "4006381333931", 80, false},
		{"an ITF over the bars", gozxing.BarcodeFormat_ITF, "12345678901231", 70, false},
		{"the same product as UPC-A", gozxing.BarcodeFormat_UPC_A, text[1:], 80, true},
		{"another EAN-13 far above", gozxing.BarcodeFormat_EAN_13, "4006381333931", -200, true},
	} {
		r := &run{ctx: context.Background(), col: newCollector(), firstGood: -1}
		if c.rival != "" {
			r.attempt++
			res := gozxing.NewResult(c.rival, nil, []gozxing.ResultPoint{
				gozxing.NewResultPoint(x0, c.y), gozxing.NewResultPoint(x1, c.y)}, c.format)
			r.col.addRow(v, res, r.attempt, int(c.y), 1, map[*hit]bool{})
		}
		r.blurEAN(v)
		if r.blurReads == 0 {
			t.Fatalf("%s: the stage read nothing (the test image is not readable)", c.name)
		}
		bcs := r.col.barcodes()
		got := false
		for _, b := range bcs {
			if b.Text == text[1:] {
				got = true
			} else if b.Text != c.rival {
				t.Errorf("%s: unexpected read %s", c.name, b.Text)
			}
		}
		if got != c.read {
			t.Errorf("%s: blurred read kept %v, want %v (%s)", c.name, got, c.read, describe(bcs))
		}
	}
}

// TestBlurAccept: the acceptance rules of one band's read, at their edges:
// a perfect fit is accepted when the second code fits worse.
func TestBlurAccept(t *testing.T) {
	for _, c := range []struct {
		name string
		rd   eanRead
		want bool
	}{
		{"perfect fit", eanRead{ok: true, winVar: 100, cost: 0, second: 5}, true},
		{"perfect fit, second as good", eanRead{ok: true, winVar: 100, cost: 0, second: 0}, false},
		{"good fit, margin", eanRead{ok: true, winVar: 100, cost: 5, free: 5, second: 6, worst: 0.1}, true},
		{"margin under 3%", eanRead{ok: true, winVar: 100, cost: 5, free: 5, second: 5.1, worst: 0.1}, false},
		{"fit leaves 11%", eanRead{ok: true, winVar: 100, cost: 11, free: 11, second: 20}, false},
		{"a digit left 16%", eanRead{ok: true, winVar: 100, cost: 5, free: 5, second: 10, worst: 0.16}, false},
		{"free fit 1% better", eanRead{ok: true, winVar: 100, cost: 5, free: 4.95, second: 6, worst: 0.1}, true},
		{"the check digit corrects a digit", eanRead{ok: true, winVar: 100, cost: 5, free: 4, second: 6, worst: 0.1}, false},
		{"no fit", eanRead{winVar: 100, cost: 0, second: 5}, false},
	} {
		if got := blurAccept(c.rd); got != c.want {
			t.Errorf("%s: accepted %v, want %v", c.name, got, c.want)
		}
	}
}

// TestBlurredEANStopsOnContext: with its context done the stage reads
// nothing (the cascade's deadline reaches the descent).
func TestBlurredEANStopsOnContext(t *testing.T) {
	g := blurredEANImage(eanModulesOf("9780446579803"), 240, 160, 40.3, 2, 2.4, 0, rand.New(rand.NewSource(1)))
	if text, _ := readBlurredBands(context.Background(), g); text != "9780446579803" {
		t.Fatalf("not read with a live context: %q", text)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if text, bands := readBlurredBands(ctx, g); text != "" || bands != nil {
		t.Errorf("read %q with the context cancelled", text)
	}
}

// TestSlotCostsMatchRendering checks the fit's shortcuts against the plain
// computation: reset's module weights (each edge's CDF looked up once)
// against the CDF at both edges of the module, and slotCosts (each
// pattern's sums from the slot's column sums and Gram matrix) against the
// slot rendered pixel by pixel with the pattern's modules set and fitted
// by least squares (lsqVar). Profiles of blurred EAN-13 with noise,
// geometries off by up to a few pixels, both blurs.
func TestSlotCostsMatchRendering(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	f := &eanFit{}
	var o, m []float64
	checked := 0
	for n := range 40 {
		text := randomEAN(rng)
		mw := 1.2 + rng.Float64()*1.2
		g := blurredEANImage(eanModulesOf(text), 260, 8, 20+rng.Float64()*10, mw, (0.5+rng.Float64())*mw, 4, rng)
		p := make([]float64, g.w)
		for x := range p {
			p[x] = blurLinear[g.pix[4*g.w+x]]
		}
		geom := eanGeom{x0: 20 + rng.Float64()*14 - 2, m: mw * (0.95 + 0.1*rng.Float64()), sigma: (0.4 + rng.Float64()) * mw, disk: n%2 == 1}
		f.reset(p, geom)
		// each module's weight: the blur's CDF between its two edges
		sd := math.Sqrt(geom.sigma*geom.sigma + 1.0/12)
		for i := range f.n {
			c := float64(f.first+i) + 0.5
			for j, w := range f.w[i*f.stride : (i+1)*f.stride] {
				if w == 0 {
					continue
				}
				a := geom.x0 + float64(f.k0[i]+j-eanQuietPad)*geom.m
				want := normCDF((a+geom.m-c)/sd) - normCDF((a-c)/sd)
				if geom.disk {
					want = diskCDFFast((a+geom.m-c)/(2*sd)) - diskCDFFast((a-c)/(2*sd))
				}
				if math.Abs(w-want) > 1e-9 {
					t.Fatalf("case %d pixel %d module %d: weight %g, want %g", n, i, f.k0[i]+j, w, want)
				}
			}
		}
		for j := range 12 {
			at, right := eanLeftAt+7*(j%6), j >= 6
			if right {
				at = eanRightAt + 7*(j-6)
			}
			got := f.slotCosts(at, right, nil)
			sets := []int{0, 1}
			if right {
				sets = []int{2}
			}
			a, b := f.pixels(float64(at)-0.5, float64(at)+7.5)
			for si, c := range sets {
				for d := range 10 {
					bm := f.base
					for mi := 1; mi < 6; mi++ {
						bm[eanQuietPad+at+mi] = eanPatterns[c][d][mi]
					}
					o, m = o[:0], m[:0]
					for x := a; x < b; x++ {
						o = append(o, p[x])
						m = append(m, f.render(x, &bm))
					}
					want, _ := lsqVar(o, m)
					if k := si*10 + d; math.Abs(got[k]-want) > 1e-6*max(1, want) {
						t.Fatalf("case %d slot %d pattern %d/%d: slotCosts %g, rendered %g", n, j, c, d, got[k], want)
					}
					checked++
				}
			}
		}
	}
	t.Logf("%d slot patterns checked", checked)
}
