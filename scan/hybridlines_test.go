package scan

import (
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// TestHybridLinesRows: the rows hybridLines makes on request, into a
// reused row holding other bits, are gozxing's hybrid black matrix rows,
// every row (the last block row partial or not) of planes 40–90 pixels
// each way.
func TestHybridLinesRows(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for n := range 200 {
		w, h := 40+rng.Intn(51), 40+rng.Intn(51)
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		for i := range g.pix {
			g.pix[i] = byte(40*((i%w/5+i/w/3+n)%5) + rng.Intn(30))
		}
		want, err := gozxing.NewHybridBinarizer(newLumSource(g)).GetBlackMatrix()
		if err != nil {
			t.Fatal(err)
		}
		lines := newHybridLines(g, 0, 0, w, h)
		row := gozxing.NewBitArray(w)
		wrow := gozxing.NewBitArray(w)
		for _, y := range rng.Perm(h) {
			for x := 0; x < w; x += 3 {
				row.Set(x) // stale bits from the row before
			}
			got := lines.row(y, row)
			wrow = want.GetRow(y, wrow)
			for x := 0; x < w; x++ {
				if got.Get(x) != wrow.Get(x) {
					t.Fatalf("%d×%d row %d pixel %d: %v, gozxing %v", w, h, y, x, got.Get(x), wrow.Get(x))
				}
			}
		}
	}
}
