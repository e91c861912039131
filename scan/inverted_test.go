package scan

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// cylinderNegative renders modules (bar = 1) as a label wrapped on an
// upright cylinder (a can) of radius rad pixels, its axis at the image's
// middle column, seen from far away: the label point at arc length s from
// the axis facing the camera is at x = c + rad·sin(s/rad), so modules
// narrow towards the sides. The bars are the light ones (metal mirroring
// a lamp) on a dark ground, shaded by the cosine of the angle, with a
// specular highlight (a vertical band of glare centred at glareX that
// saturates the bars and lifts the ground) and pixel noise. The symbol's
// middle sits at arc length s0; m is the module width on the label.
func cylinderNegative(mods []float64, w, h int, rad, s0, m, glareX, glare, noise float64, rng *rand.Rand) *gray {
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	c := float64(w) / 2
	start := s0 - m*float64(len(mods))/2
	line := make([]float64, w)
	shade := make([]float64, w)
	const sub = 8
	for x := range line {
		v, sh := 0.0, 0.0
		for k := range sub {
			px := float64(x) + (float64(k)+0.5)/sub - c
			if math.Abs(px) >= rad {
				continue // beside the can
			}
			th := math.Asin(px / rad)
			sh += math.Cos(th) / sub
			i := int(math.Floor((rad*th - start) / m))
			if i >= 0 && i < len(mods) && mods[i] != 0 {
				v += 1.0 / sub
			}
		}
		line[x], shade[x] = v, sh
	}
	for y := range h {
		for x := range w {
			ground, bar := 55.0, 190.0
			gl := glare * math.Exp(-(float64(x)-glareX)*(float64(x)-glareX)/(2*12*12))
			v := shade[x] * (ground + gl)
			if y > h/6 && y < 5*h/6 {
				v = shade[x] * (ground*(1-line[x]) + (bar+2*gl)*line[x] + gl)
			}
			v += noise * rng.NormFloat64()
			g.pix[y*w+x] = byte(max(0, min(255, math.Round(v))))
		}
	}
	return g
}

// withInverted runs fn with the negative scan on or off.
func withInverted(on bool, fn func()) {
	defer func(old bool) { invertedEAN = old }(invertedEAN)
	invertedEAN = on
	fn()
}

// TestInvertedEANOnCylinder: EAN-13 and UPC-A codes printed as light bars
// on a dark ground, wrapped on a can under a lamp's glare (random codes,
// fixed seeds), are read through the cascade as the server decodes only
// with the negative scan, and never as another product.
func TestInvertedEANOnCylinder(t *testing.T) {
	rng := rand.New(rand.NewSource(29))
	const w, h, n = 240, 160, 24
	d := apiDecoder()
	readOn, readOff := 0, 0
	for i := range n {
		text := randomEAN(rng)
		if i%2 == 0 {
			text = "0" + text[1:12]
			text = withEANCheck(text[:12])
		}
		rad := 105 + 30*rng.Float64()
		m := 1.5 + 0.4*rng.Float64()
		s0 := (rng.Float64() - 0.5) * 20
		glareX := float64(w)/2 + (rng.Float64()-0.5)*120
		img := cylinderNegative(eanModulesOf(text), w, h, rad, s0, m, glareX, 40+40*rng.Float64(), 3, rng)
		allowed := map[string]bool{retailGTIN("EAN_13", text): true}
		for _, on := range []bool{true, false} {
			var got []Barcode
			withInverted(on, func() { got = d.decodeGray(context.Background(), img) })
			if bad := wrongRetail(got, allowed); len(bad) > 0 {
				t.Fatalf("code %s (negative scan %v): wrong reads %v", text, on, bad)
			}
			for _, bc := range got {
				if isRetail(bc.Format) && retailGTIN(bc.Format, bc.Text) == retailGTIN("EAN_13", text) {
					if on {
						readOn++
					} else {
						readOff++
					}
				}
			}
		}
	}
	t.Logf("negative scan on: %d of %d read; off: %d", readOn, n, readOff)
	if readOn < n*3/4 {
		t.Errorf("negative scan read %d of %d codes on a can, want at least %d", readOn, n, n*3/4)
	}
	if readOff >= readOn {
		t.Errorf("without the negative scan %d read, with it %d: the stage adds nothing", readOff, readOn)
	}
}

// TestInvertedEANRefuses: on the same cans, codes the negative scan does
// not take (EAN-8, UPC-E, ITF-14, Code 128) and torn EAN-13 labels showing
// only one half (a guard and six digits, or the centre guard on) give no
// retail read or the right one, never another product; a normal (dark
// bars) EAN-13 read by the other stages is not contradicted by its
// negative.
func TestInvertedEANRefuses(t *testing.T) {
	rng := rand.New(rand.NewSource(31))
	const w, h = 240, 160
	d := apiDecoder()
	for i := range 30 {
		var mods []float64
		allowed := map[string]bool{}
		what := ""
		switch i % 5 {
		case 0:
			text := gtinCheck(randomDigits(rng, 7))
			mods, what = modulesOf(t, text, gozxing.BarcodeFormat_EAN_8), "EAN-8 "+text
			allowed[retailGTIN("EAN_8", text)] = true
		case 1:
			text := "0" + randomDigits(rng, 6)
			for c := '0'; c <= '9'; c++ {
				if _, err := ExpandUPCE(text + string(c)); err == nil {
					text += string(c)
					break
				}
			}
			mods, what = modulesOf(t, text, gozxing.BarcodeFormat_UPC_E), "UPC-E "+text
			allowed[retailGTIN("UPC_E", text)] = true
		case 2:
			text := gtinCheck(randomDigits(rng, 13))
			mods, what = modulesOf(t, text, gozxing.BarcodeFormat_ITF), "ITF "+text
		case 3:
			text := randomEAN(rng)
			mods, what = eanModulesOf(text)[:50], "left half of "+text
		case 4:
			text := randomEAN(rng)
			mods, what = eanModulesOf(text)[45:], "right half of "+text
		}
		rad := 105 + 30*rng.Float64()
		m := 1.5 + 0.6*rng.Float64()
		img := cylinderNegative(mods, w, h, rad, 0, m, float64(w)/2+(rng.Float64()-0.5)*100, 60, 3, rng)
		got := d.decodeGray(context.Background(), img)
		if bad := wrongRetail(got, allowed); len(bad) > 0 {
			t.Errorf("%s on a can: wrong reads %v", what, bad)
		}
	}
}
