package scan

import (
	"context"
	"math"
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// TestFitPruneExact: readBlurredEAN's savings (fitPrune: fits given up
// once their score is sure to be beaten, weights computed when used, the
// last fit kept) change no read. Every band of generated blurred EAN-13
// (the cross-check's seeds), read both ways round, as they are and spoilt
// the way the tune photos' bands are that the model readers reject
// (uneven light, a smear, random bars that are no EAN), gives the same
// eanRead, field for field, with and without them; and the cross-check's
// modelRead the same code. FITPRUNE_N=n reads n seeds (default 4).
func TestFitPruneExact(t *testing.T) {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("FITPRUNE_N")); err == nil && v > 0 {
		n = v
	}
	defer func() { fitPrune = true }()
	read := func(on bool, p []float64, lo, hi int) eanRead {
		fitPrune = on
		return readBlurredEAN(context.Background(), p, lo, hi)
	}
	bands, accepted := 0, 0
	for s := int64(6000); s < 6000+int64(n); s++ {
		_, g0 := blurredEANCase(s)
		rng := rand.New(rand.NewSource(s))
		for turn, g := range []*gray{g0, g0.rotate180()} {
			prof := make([]float64, g.w)
			for y := 4; y+4 < g.h; y += 9 {
				bandProfile(g, y, 2, prof)
				variants := [][]float64{prof}
				// uneven light and a smear over a few modules
				uneven := make([]float64, len(prof))
				a := rng.Intn(len(prof) - 20)
				for x, v := range prof {
					uneven[x] = v * (0.6 + 0.8*float64(x)/float64(len(prof)))
					if x >= a && x < a+12 {
						uneven[x] = 0.5*uneven[x] + 60
					}
				}
				variants = append(variants, uneven)
				// random bars, no EAN
				bars := make([]float64, len(prof))
				m := 1 + rng.Float64()
				for x := range bars {
					k := int(float64(x-60) / m)
					if x >= 60 && k < 95 && (k*7+int(s))%5 < 2 {
						bars[x] = 200
					}
					bars[x] += 3 * rng.NormFloat64()
				}
				variants = append(variants, bars)
				for vi, p := range variants {
					want, got := read(false, p, 0, len(p)), read(true, p, 0, len(p))
					bands++
					if blurAccept(want) {
						accepted++
					}
					if want != got && !(math.IsNaN(want.cost) && math.IsNaN(got.cost)) {
						t.Fatalf("seed %d turn %d line %d variant %d: read %+v with the savings, %+v without", s, turn, y, vi, got, want)
					}
				}
			}
			box := [4]int{40, 10, g.w - 40, g.h - 10}
			fitPrune = false
			want, _ := modelRead(context.Background(), g, box, "", true, map[int]eanRead{})
			fitPrune = true
			if got, _ := modelRead(context.Background(), g, box, "", true, map[int]eanRead{}); got != want {
				t.Fatalf("seed %d turn %d: modelRead %q with the savings, %q without", s, turn, got, want)
			}
		}
	}
	t.Logf("%d bands the same, %d of them accepted", bands, accepted)
}
