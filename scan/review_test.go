package scan

import (
	"context"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// TestShortOutfittedBlank: a band where neither model can say anything
// (flat grey: both residuals +Inf, their ratio NaN) must not count
// against the short read.
func TestShortOutfittedBlank(t *testing.T) {
	g := &gray{w: 400, h: 60, pix: make([]byte, 400*60)}
	for i := range g.pix {
		g.pix[i] = 200
	}
	mods := shortModules(gozxing.BarcodeFormat_EAN_8, "50357239")
	if shortOutfitted(context.Background(), g, 2, []int{15, 30, 45}, mods, 100, 228, nil) {
		t.Fatal("a blank image vetoes the short read")
	}
}

// TestWeightCacheRetained: the weight cache's buffers kept between calls
// stay within its bound, whatever the mix of symbol sizes calls see.
func TestWeightCacheRetained(t *testing.T) {
	wc := &weightCache{tabs: map[weightKey]*weightTab{}}
	p := make([]float64, 6000)
	f := &eanFit{wc: wc}
	for round := range 6 {
		m := 1.0
		if round%2 == 1 {
			m = 12
		}
		for i := 0; wc.bytes < weightCacheBytes; i++ {
			f.resetLazy(p, eanGeom{x0: float64(100 + i), m: m, sigma: 1.1 * m})
		}
		wc.empty()
	}
	kept := 0
	for _, tb := range wc.spare {
		kept += 8*cap(tb.k0) + cap(tb.weighed) + 8*cap(tb.w)
	}
	if kept > 2*weightCacheBytes {
		t.Fatalf("%d bytes kept in %d spare tables (bound %d)", kept, len(wc.spare), weightCacheBytes)
	}
}
