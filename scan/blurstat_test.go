package scan

import (
	"fmt"
	"math/rand"
	"os"
	"testing"
)

func TestBlurStats(t *testing.T) {
	if os.Getenv("BLUR_STATS") == "" {
		t.Skip()
	}
	rng := rand.New(rand.NewSource(99))
	for range 150 {
		text := randomEAN(rng)
		m := 1.2 + rng.Float64()*1.2
		k := 0.6 + rng.Float64()*1.4
		noise := 2 + rng.Float64()*8
		x0 := 10 + rng.Float64()*(230-95*m-10)
		if x0 < 10 {
			continue
		}
		g := blurredEANImage(eanModulesOf(text), 240, 120, x0, m, k*m, noise, rng)
		box, ok := barRegion(g)
		if !ok {
			continue
		}
		prof := make([]float64, g.w)
		for x := range g.w {
			for yy := 58; yy <= 62; yy++ {
				prof[x] += 255 - float64(g.pix[yy*g.w+x])
			}
			prof[x] /= 5
		}
		rd := readBlurredEAN(prof, box[0]-g.w/20, box[2]+g.w/20)
		if !rd.ok || rd.winVar <= 0 || rd.cost <= 0 {
			continue
		}
		fmt.Printf("STAT %v %.3f %.3f %.3f k=%.2f m=%.2f\n", rd.text() == text, rd.cost/rd.winVar, (rd.second-rd.cost)/rd.cost, rd.worst, k, m)
	}
}
