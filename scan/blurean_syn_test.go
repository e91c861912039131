package scan

import (
	"math/rand"
	"testing"
)

// eanModulesOf returns the 95 modules of the EAN-13 text (13 digits).
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

// blurredProfile renders modules at x0, m px a module, blurred by sigma
// px, as darkness 40 (paper) to 200 (ink), with noise.
func blurredProfile(mods []float64, w int, x0, m, sigma, noise float64, rng *rand.Rand) []float64 {
	p := make([]float64, w)
	for x := range p {
		c := float64(x) + 0.5
		v := 0.0
		for k, b := range mods {
			if b == 0 {
				continue
			}
			a := x0 + float64(k)*m
			v += normCDF((a+m-c)/sigma) - normCDF((a-c)/sigma)
		}
		p[x] = 40 + 160*v + noise*rng.NormFloat64()
	}
	return p
}

func TestBlurSynthetic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	text := "9780446579803"
	for _, c := range []struct{ m, k, noise float64 }{{2, 0.8, 2}, {2, 1.2, 2}, {1.5, 1.0, 2}, {1.2, 1.2, 2}} {
		x0 := 30.3
		p := blurredProfile(eanModulesOf(text), 240, x0, c.m, c.k*c.m, c.noise, rng)
		rd := newEANFit(p, eanGeom{x0: x0, m: c.m, sigma: c.k * c.m}).decode()
		rd2 := readBlurredEAN(p, 0, len(p))
		t.Logf("m=%.1f k=%.1f exact %s cost %.1f second %.1f | search %s %+v score %.2f", c.m, c.k, rd.text(), rd.cost, rd.second, rd2.text(), rd2.g, rd2.free/float64(rd2.npix))
	}
}
