package scan

import (
	"context"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// TestShortOutfitted: the comparison of a short read with an EAN-13 over
// its bars (shortfit.go), on generated blurred symbols (the blur model of
// TestBlurredEANCascadeMisreads: gamma 2.2, noise 3), for the class, not
// one seed. A short read across a blurred EAN-13 at 0.9 to 1.3 pixels a
// module (an EAN-8 over the whole symbol, 95 modules as 67, as generated
// seed 6652 was misread; an EAN-8 or a UPC-E from the EAN-13's start guard
// on, at its module; any digits: the comparison does not look at how the
// binarizer came to them) is outfitted on every picture; a real EAN-8 or
// UPC-E, alone with its quiet zones, at 0.9 to 2.2 pixels a module, on
// none.
func TestShortOutfitted(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	rows := []int{36, 48, 60, 72, 84}
	ph := blurPhysics{name: "model", gamma: 2.2, noise: 3}
	ctx := context.Background()
	ean8 := func() []float64 { return shortModules(gozxing.BarcodeFormat_EAN_8, randomDigits(rng, 8)) }
	upce := func() []float64 {
		return shortModules(gozxing.BarcodeFormat_UPC_E, string(byte('0'+rng.Intn(2)))+randomDigits(rng, 7))
	}
	missed := 0
	for range 30 {
		a := randomEAN(rng)
		m := 0.9 + rng.Float64()*0.4
		k := 0.4 + rng.Float64()*0.6
		g := renderBlurPhysics(eanModulesOf(a), 320, 120, 60, m, k*m, ph, rng)
		// guard centres: start 1.5 modules in, end 64 (EAN-8) or 46.5
		// (UPC-E) modules further
		m8 := 95 * m / 67
		cases := []struct {
			name   string
			mods   []float64
			xs, xe float64
		}{
			{"EAN-8 across the whole", ean8(), 60 + 1.5*m8, 60 + 65.5*m8},
			{"EAN-8 from the start guard", ean8(), 60 + 1.5*m, 60 + 65.5*m},
			{"UPC-E from the start guard", upce(), 60 + 1.5*m, 60 + 48*m},
		}
		for _, c := range cases {
			if !shortOutfitted(ctx, g, 2, rows, c.mods, c.xs, c.xe, nil) {
				missed++
				t.Errorf("EAN-13 %s at %.2f px/module, blur %.2f: %s not outfitted", a, m, k, c.name)
			}
		}
	}
	vetoed := 0
	for i := range 60 {
		mods, span := ean8(), 64.0
		if i%2 == 1 {
			mods, span = upce(), 46.5
		}
		m := 0.9 + rng.Float64()*1.3
		k := 0.4 + rng.Float64()*0.6
		x0 := 60 + rng.Float64()*60
		g := renderBlurPhysics(mods, 320, 120, x0, m, k*m, ph, rng)
		if shortOutfitted(ctx, g, 2, rows, mods, x0+1.5*m, x0+(1.5+span)*m, nil) {
			vetoed++
			t.Errorf("a real %d-module code at %.2f px/module, blur %.2f: outfitted", len(mods), m, k)
		}
	}
	t.Logf("%d of 90 short reads over an EAN-13 not outfitted, %d of 60 real short codes outfitted", missed, vetoed)
}
