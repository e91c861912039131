package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"math/rand"
	"testing"
)

// twinVariant returns a different valid EAN-13 whose digits differ
// from a's only by twin swaps (1/7, 2/8 at the same parity) that all
// widen (dir 1) or all narrow (dir -1) the two bars' width, or "".
func twinVariant(a string, dir int) string {
	par := eanFirstParity[a[0]-'0']
	var places []int
	var to []byte
	for i := 1; i < 13; i++ {
		c := a[i]
		// bars' width: L1 3 L7 5 L2 3 L8 5; G1 4 G7 2 G2 4 G8 2; R as G
		g := i > 6 || (par>>(6-i))&1 == 1
		var t byte
		switch {
		case c == '1' || c == '2':
			if (!g && dir > 0) || (g && dir < 0) {
				t = c + 6
			}
		case c == '7' || c == '8':
			if (!g && dir < 0) || (g && dir > 0) {
				t = c - 6
			}
		}
		if t != 0 {
			places, to = append(places, i), append(to, t)
		}
	}
	for mask := 1; mask < 1<<len(places); mask++ {
		b := []byte(a)
		for k, i := range places {
			if mask&(1<<k) != 0 {
				b[i] = to[k]
			}
		}
		if withEANCheck(string(b[:12])) == string(b) {
			return string(b)
		}
	}
	return ""
}

// TestEdgeRevTwinBias: ink spread or thinning shifts the bars' width
// that alone tells 1 from 7 and 2 from 8 (like-edge distances do not see
// it), so a symbol whose only such digits change together, the check
// digit still valid, was confirmed as the other code (6910498380376 as
// 6970492380376, bars thinned 0.25 module each side); the guards' bars
// and spaces now measure the spread.
func TestEdgeRevTwinBias(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	cases := [][2]string{{"6910498380376", "6970492380376"}}
	for len(cases) < 14 {
		a := twinEAN(rng)
		if v := twinVariant(a, -1); v != "" {
			cases = append(cases, [2]string{a, v})
		}
		if v := twinVariant(a, 1); v != "" {
			cases = append(cases, [2]string{a, v})
		}
	}
	for _, c := range cases {
		for _, sp := range []float64{0.2, 0.25, 0.3, 0.35, 0.4} {
			for _, sig := range []float64{0.15, 0.3} {
				for _, dir := range []float64{-1, 1} {
					m := 2.4
					g := renderBlurPhysics(eanModulesOf(c[0]), int(40+95*m+40), 120, 40, m, sig*m, blurPhysics{name: "x", gamma: 2.2, noise: 3, spread: dir * sp}, rng)
					w := &view{g: g, scale: 1}
					if edgeConfirms(w, edgeHit(c[1], 40, m, 120), m) {
						t.Errorf("%s (spread %.2f, %.1f px/module, blur %.2f) confirmed as %s", c[0], dir*sp, m, sig, c[1])
					}
				}
			}
		}
	}
}

// twinEAN is a random EAN-13 rich in 1, 2, 7 and 8.
func twinEAN(rng *rand.Rand) string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = "03456912789127812"[rng.Intn(17)]
	}
	return withEANCheck(string(b))
}

// TestEdgeRevOddGeometry: reads with points and boxes anywhere (outside
// the image, degenerate, reversed, huge) neither panic nor confirm.
func TestEdgeRevOddGeometry(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	a := randomEAN(rng)
	m := 2.0
	g := renderBlurPhysics(eanModulesOf(a), int(40+95*m+40), 120, 40, m, 0.2*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
	w := &view{g: g, scale: 1}
	vals := []float64{0, -1, 1, 0.5, 40, 80, 120, 273, 1e4, -1e4, 1e9}
	pick := func() float64 {
		if rng.Intn(2) == 0 {
			return vals[rng.Intn(len(vals))]
		}
		return rng.Float64()*400 - 100
	}
	for range 3000 {
		h := &hit{format: gozxing.BarcodeFormat_EAN_13, text: a,
			points: [][2]float64{{pick(), pick()}, {pick(), pick()}},
			box:    [4]float64{pick(), pick(), pick(), pick()}}
		if rng.Intn(4) == 0 {
			h.format, h.text = gozxing.BarcodeFormat_UPC_E, "01234565"
		}
		if math.Hypot(h.points[1][0]-h.points[0][0], h.points[1][1]-h.points[0][1]) > 1e4 {
			continue // no read spans that
		}
		_ = edgeCheck(w, h, m)
	}
}

// TestEdgeRevUPCEInEAN13: the left half of an EAN-13 whose first digit
// is a UPC-E number system 1 check digit reads as that UPC-E; the edges
// never confirm it, with its points where they should be or shifted or
// scaled by up to 3 modules.
func TestEdgeRevUPCEInEAN13(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	n := 0
	for tries := 0; n < 12 && tries < 100000; tries++ {
		a := randomEAN(rng)
		if a[0] == '0' {
			continue
		}
		u := "1" + a[1:7] + a[:1]
		if gtinOf(gozxing.BarcodeFormat_UPC_E, u) == "" {
			continue
		}
		n++
		for _, m := range []float64{1.8, 2.2, 2.8} {
			for _, sig := range []float64{0.15, 0.35, 0.6} {
				g := renderBlurPhysics(eanModulesOf(a), int(40+95*m+40), 120, 40, m, sig*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
				w := &view{g: g, scale: 1}
				for _, sh := range []float64{-3, -2, -1, 0, 1, 2, 3} {
					for _, sc := range []float64{0.85, 0.93, 1, 1.07} {
						h := edgeHitOf(gozxing.BarcodeFormat_UPC_E, u, 40+sh*m, m*sc, 120)
						if edgeConfirms(w, h, m*sc) {
							t.Errorf("EAN-13 %s (%.1f px/module, blur %.2f) confirmed as UPC-E %s, points shifted %.0f modules, scaled %.2f", a, m, sig, u, sh, sc)
						}
					}
				}
			}
		}
	}
	if n < 5 {
		t.Fatalf("%d cases", n)
	}
}

// TestEdgeRevUPCEGlare: the same UPC-E over an EAN-13's left half, the
// EAN-13's right half under glare (its contrast a fraction of the left
// half's): the edges never confirm it.
func TestEdgeRevUPCEGlare(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	n := 0
	for tries := 0; n < 10 && tries < 100000; tries++ {
		a := randomEAN(rng)
		if a[0] == '0' {
			continue
		}
		u := "1" + a[1:7] + a[:1]
		if gtinOf(gozxing.BarcodeFormat_UPC_E, u) == "" {
			continue
		}
		n++
		for _, m := range []float64{1.8, 2.4} {
			for _, sig := range []float64{0.15, 0.35} {
				for _, c := range []float64{0.05, 0.1, 0.15, 0.2, 0.3} {
					g := renderBlurPhysics(eanModulesOf(a), int(40+95*m+40), 120, 40, m, sig*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
					from := int(40 + 51.5*m)
					for y := range g.h {
						for x := from; x < g.w; x++ {
							v := float64(g.pix[y*g.w+x])
							g.pix[y*g.w+x] = uint8(255 - (255-v)*c)
						}
					}
					w := &view{g: g, scale: 1}
					if edgeConfirms(w, edgeHitOf(gozxing.BarcodeFormat_UPC_E, u, 40, m, 120), m) {
						t.Errorf("EAN-13 %s (%.1f px/module, blur %.2f, right half's contrast %.2f) confirmed as UPC-E %s", a, m, sig, c, u)
					}
				}
			}
		}
	}
}
