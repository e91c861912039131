package scan

import (
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing/oned"
)

// mayMatch never rejects runs that gozxing's PatternMatchVariance passes
// (the walks stay exact), and rejects most runs that it fails (or it
// would save nothing): the EAN/UPC guard and digits, the Code 128 start
// codes.
func TestMayMatchExact(t *testing.T) {
	t.Run("upcean", func(t *testing.T) {
		pats := append([][]int{oned.UPCEANReader_START_END_PATTERN}, oned.UPCEANReader_L_AND_G_PATTERNS...)
		testMayMatch(t, pats, oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE, oned.UPCEANReader_MAX_AVG_VARIANCE,
			func(n int) int { return map[int]int{3: 15, 7: 35}[n] })
	})
	t.Run("code128", func(t *testing.T) {
		testMayMatch(t, code128Starts[:], 0.7, 0.25, func(int) int { return 29 })
	})
}

func testMayMatch(t *testing.T, pats [][]int, indiv, avg float64, tenths func(n int) int) {
	rnd := rand.New(rand.NewSource(1))
	var fail, cut int
	for it := 0; it < 400000; it++ {
		p := pats[rnd.Intn(len(pats))]
		n := 0
		for _, v := range p {
			n += v
		}
		c := make([]int, len(p))
		unit := 1 + rnd.Intn(12)
		for i, v := range p {
			if rnd.Intn(3) == 0 {
				c[i] = 1 + rnd.Intn(5*unit)
			} else { // near the pattern: the border cases
				c[i] = max(1, v*unit+rnd.Intn(2*unit+1)-unit)
			}
		}
		pass := oned.PatternMatchVariance(c, p, indiv) < avg
		may := mayMatch(c, p, n, tenths(n))
		if pass && !may {
			t.Fatalf("runs %v pattern %v: gozxing matches, mayMatch rejects", c, p)
		}
		if !pass {
			fail++
			if !may {
				cut++
			}
		}
	}
	if cut < fail*3/4 {
		t.Errorf("mayMatch rejects %d of %d failing windows, want most", cut, fail)
	}
	t.Logf("rejected %d of %d failing windows", cut, fail)
}

// BenchmarkMayMatchPaired: the server's cascade with and without mayMatch,
// alternated photo by photo on the tune photos (benchPaired).
//
//	go test -run '^$' -bench MayMatchPaired -benchtime 1x ./scan/
func BenchmarkMayMatchPaired(b *testing.B) {
	defer func() { integerPrefilter = true }()
	benchPaired(b, tunePhotos(b), func(on bool) { integerPrefilter = on }, "prefilter", "without")
}
