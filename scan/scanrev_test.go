package scan

import (
	"math/rand"
	"testing"
	_ "unsafe" // go:linkname to gozxing's own Code 39 functions

	"github.com/makiuchi-d/gozxing"
	_ "github.com/makiuchi-d/gozxing/oned"
)

// gozxing's unexported Code 39 start search and width classifier, so the
// tests below check code39fast.go's necessary condition against gozxing's
// own code rather than a copy of it.

//go:linkname gozxingCode39NarrowWide github.com/makiuchi-d/gozxing/oned.code39ToNarrowWidePattern
func gozxingCode39NarrowWide(counters []int) int

//go:linkname gozxingCode39FindAsterisk github.com/makiuchi-d/gozxing/oned.code39FindAsteriskPattern
func gozxingCode39FindAsterisk(row *gozxing.BitArray, counters []int) (int, int, error)

// code39StartCond is code39MayStart's test of a window: elements 1, 4
// and 6 all wider than the six others.
func code39StartCond(c []int) bool {
	return min(c[1], c[4], c[6]) > max(c[0], c[2], c[3], c[5], c[7], c[8])
}

// TestCode39StartNecessary: wherever gozxing's classifier calls nine widths
// the asterisk (whatever threshold pass it takes, the 1.5× average test
// included), elements 1, 4, 6 are wider than the six others: every
// 9-tuple of widths 1 to 5, and random tuples of widths 1 to 40.
func TestCode39StartNecessary(t *testing.T) {
	const asterisk = 0x094
	c := make([]int, 9)
	found := 0
	var rec func(i int)
	rec = func(i int) {
		if i == 9 {
			if gozxingCode39NarrowWide(c) == asterisk {
				found++
				if !code39StartCond(c) {
					t.Fatalf("gozxing reads the asterisk from %v, code39MayStart's test says no", c)
				}
			}
			return
		}
		for v := 1; v <= 5; v++ {
			c[i] = v
			rec(i + 1)
		}
	}
	rec(0)
	rng := rand.New(rand.NewSource(94))
	tries := 2000000
	if testing.Short() {
		tries /= 10
	}
	for range tries {
		for i := range c {
			c[i] = 1 + rng.Intn(1+rng.Intn(40))
		}
		if gozxingCode39NarrowWide(c) == asterisk {
			found++
			if !code39StartCond(c) {
				t.Fatalf("gozxing reads the asterisk from %v, code39MayStart's test says no", c)
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d asterisks", found)
	}
}

// TestCode39MayStartGozxing: on lines built of narrow/wide runs (so the
// asterisk is often there, with and without a quiet zone), gozxing's own
// start search finding an asterisk implies code39MayStart is true.
func TestCode39MayStartGozxing(t *testing.T) {
	rng := rand.New(rand.NewSource(39))
	var cs [9]int
	found, lines := 0, 200000
	if testing.Short() {
		lines /= 10
	}
	for n := range lines {
		w := 10 + rng.Intn(300)
		row := gozxing.NewBitArray(w)
		narrow := 1 + rng.Intn(3)
		x := 0
		if n%2 == 0 {
			x = rng.Intn(w) // start anywhere: lines starting black or white
		}
		for on := rng.Intn(2) == 0; x < w; on = !on {
			run := narrow
			switch rng.Intn(5) {
			case 0, 1:
				run = narrow*2 + rng.Intn(narrow*2)
			case 2:
				run = 1 + rng.Intn(3*narrow)
			}
			if !on && rng.Intn(12) == 0 {
				run = rng.Intn(30) // quiet zones, long and short
			}
			for ; run > 0 && x < w; run, x = run-1, x+1 {
				if on {
					row.Set(x)
				}
			}
		}
		_, _, err := gozxingCode39FindAsterisk(row, make([]int, 9))
		may := code39MayStart(row, &cs)
		if err == nil {
			found++
			if !may {
				t.Fatalf("gozxing finds the asterisk on %v, code39MayStart does not", row)
			}
		}
		row.Reverse()
		_, _, err = gozxingCode39FindAsterisk(row, make([]int, 9))
		if err == nil && !code39MayStart(row, &cs) {
			t.Fatalf("gozxing finds the asterisk on reversed %v, code39MayStart does not", row)
		}
	}
	if found < lines/200 {
		t.Fatalf("only %d lines with an asterisk", found)
	}
	t.Logf("%d lines with an asterisk", found)
}

// TestBlackRunsNaive: blackRuns counts the runs of set bits as a bit by
// bit walk does, for every size (across word edges), lines starting and
// ending in black, reversed lines and matrix rows.
func TestBlackRunsNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	naive := func(row *gozxing.BitArray) int {
		n := 0
		for x := 0; x < row.GetSize(); x++ {
			if row.Get(x) && (x == 0 || !row.Get(x-1)) {
				n++
			}
		}
		return n
	}
	for n := range 20000 {
		w := 1 + n%200
		row := gozxing.NewBitArray(w)
		p := rng.Float64()
		for x := 0; x < w; x++ {
			if rng.Float64() < p {
				row.Set(x)
			}
		}
		if n%5 == 0 { // black at both ends
			row.Set(0)
			row.Set(w - 1)
		}
		if got, want := blackRuns(row), naive(row); got != want {
			t.Fatalf("blackRuns(%v) = %d, want %d", row, got, want)
		}
		row.Reverse()
		if got, want := blackRuns(row), naive(row); got != want {
			t.Fatalf("blackRuns(reversed %v) = %d, want %d", row, got, want)
		}
		// a matrix row, and a line reused for a narrower one
		m, _ := gozxing.NewBitMatrix(w, 1)
		m.SetRow(0, row)
		r := m.GetRow(0, gozxing.NewBitArray(w))
		if got, want := blackRuns(r), naive(r); got != want {
			t.Fatalf("blackRuns(matrix row %v) = %d, want %d", r, got, want)
		}
	}
}

// TestFastBinarizersBoundary: the fast black matrices are gozxing's where
// the hybrid's rules turn: blocks whose range is 24 or 25 (reached on
// any of the eight rows), flat blocks beside contrasty ones (the
// neighbours' rule), levels 0 and 255 everywhere (the sums' lanes full),
// every size from 1 to 90 both ways round and windows at odd offsets.
func TestFastBinarizersBoundary(t *testing.T) {
	rng := rand.New(rand.NewSource(24))
	for n := range 1500 {
		w, h := 1+n%90, 1+rng.Intn(90)
		if n%2 == 1 {
			w, h = h, w
		}
		g := &gray{w: w + 11, h: h + 7, pix: make([]byte, (w+11)*(h+7))}
		base := rng.Intn(256)
		spread := 23 + rng.Intn(4) // 23 to 26: the range rule's edge
		for y := range g.h {
			for x := range g.w {
				var v int
				switch n % 5 {
				case 0: // near-flat blocks, range at the edge, reached on a random row
					b := base + 60*((x/8+y/8)%3)
					v = b
					if rng.Intn(20) == 0 {
						v = b + spread
					}
				case 1: // extremes
					v = 255 * rng.Intn(2)
					if rng.Intn(3) > 0 {
						v = 255
					}
				case 2: // flat dark and light areas with a few bars
					v = base
					if (x/17+y/13)%2 == 0 {
						v = 255 - base
					}
					if x%9 == 0 && rng.Intn(2) == 0 {
						v = (v + 128) % 256
					}
				case 3: // a step of exactly the range edge
					v = base
					if (x+y)%16 < 8 {
						v = min(255, base+spread)
					}
				default:
					v = rng.Intn(256)
				}
				g.pix[y*g.w+x] = byte(min(255, max(0, v)))
			}
		}
		checkWindow(t, "boundary", g, 0, 0, g.w, g.h)
		checkWindow(t, "boundary", g, rng.Intn(12), rng.Intn(8), w, h)
	}
}
