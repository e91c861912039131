package scan

import (
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// TestCrossRatioExact: crossRatio is gozxing's foundPatternCross on every
// five run widths 0–24 (all 9.8 million) and on random ones up to 5000.
func TestCrossRatioExact(t *testing.T) {
	var c [5]int
	hi := 25
	if testing.Short() {
		hi = 14
	}
	n, yes := 0, 0
	for c[0] = 0; c[0] < hi; c[0]++ {
		for c[1] = 0; c[1] < hi; c[1]++ {
			for c[2] = 0; c[2] < hi; c[2]++ {
				for c[3] = 0; c[3] < hi; c[3]++ {
					for c[4] = 0; c[4] < hi; c[4]++ {
						want := detector.FinderPatternFinder_foundPatternCross(c[:])
						if crossRatio(&c) != want {
							t.Fatalf("%v: crossRatio %v, gozxing %v", c, !want, want)
						}
						n++
						if want {
							yes++
						}
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 2000000 {
		m := 1 + rng.Intn(1000)
		for q := range c {
			k := 1
			if q == 2 {
				k = 3
			}
			c[q] = max(0, k*m+rng.Intn(2*k*m+1)-k*m) // around the ratio, ties included
		}
		want := detector.FinderPatternFinder_foundPatternCross(c[:])
		if crossRatio(&c) != want {
			t.Fatalf("%v: crossRatio %v, gozxing %v", c, !want, want)
		}
		if want {
			yes++
		}
		n++
	}
	t.Logf("%d windows, %d in ratio", n, yes)
}
