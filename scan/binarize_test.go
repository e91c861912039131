package scan

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// sameMatrix reports whether a and b have the same size and bits.
func sameMatrix(a, b *gozxing.BitMatrix) bool {
	if a.GetWidth() != b.GetWidth() || a.GetHeight() != b.GetHeight() {
		return false
	}
	for y := 0; y < a.GetHeight(); y++ {
		if !slices.Equal(a.GetRow(y, nil).GetBitArray(), b.GetRow(y, nil).GetBitArray()) {
			return false
		}
	}
	return true
}

// checkWindow compares both fast black matrices of a window of g with
// gozxing's.
func checkWindow(t *testing.T, name string, g *gray, x0, y0, w, h int) {
	t.Helper()
	src, err := newLumSource(g).Crop(x0, y0, w, h)
	if err != nil {
		t.Fatal(err)
	}
	ls := src.(*lumSource)
	want, werr := gozxing.NewHybridBinarizer(ls).GetBlackMatrix()
	got, gerr := newBinarizer(ls, false).GetBlackMatrix()
	if (werr == nil) != (gerr == nil) || werr == nil && !sameMatrix(want, got) {
		t.Fatalf("%s window (%d,%d) %d×%d: hybrid matrix differs from gozxing's (errors %v, %v)", name, x0, y0, w, h, werr, gerr)
	}
	want, werr = gozxing.NewGlobalHistgramBinarizer(ls).GetBlackMatrix()
	got, gerr = newBinarizer(ls, true).GetBlackMatrix()
	if (werr == nil) != (gerr == nil) || werr == nil && !sameMatrix(want, got) {
		t.Fatalf("%s window (%d,%d) %d×%d: global matrix differs from gozxing's (errors %v, %v)", name, x0, y0, w, h, werr, gerr)
	}
}

// TestFastBinarizersExact: the fast black matrices (binarize.go) are
// gozxing's, bit for bit, on random and structured planes of every size
// class (block multiples or not, under the hybrid's 40-pixel minimum),
// random windows of them, and the working images of the tune photos with
// every window decode2D binarizes.
func TestFastBinarizersExact(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	for n := range 300 {
		w, h := 1+rng.Intn(180), 1+rng.Intn(180)
		if n%3 == 0 {
			w, h = 40+rng.Intn(10), 40+rng.Intn(10)
		}
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		kind := n % 4
		for y := range h {
			for x := range w {
				var v int
				switch kind {
				case 0: // noise
					v = rng.Intn(256)
				case 1: // flat patches with a little noise (the low-range branch)
					v = 40*((x/13+y/11)%6) + rng.Intn(20)
				case 2: // bars under a gradient
					v = (x * 255) / max(1, w) / 2
					if (x/3)%2 == 0 {
						v += 100
					}
				default: // dark and light blocks, few levels
					v = 20 + 200*((x/7+y/5)%2) + rng.Intn(5)
				}
				g.pix[y*w+x] = byte(min(255, v))
			}
		}
		checkWindow(t, "random", g, 0, 0, w, h)
		for range 3 {
			x0, y0 := rng.Intn(w), rng.Intn(h)
			checkWindow(t, "random", g, x0, y0, 1+rng.Intn(w-x0), 1+rng.Intn(h-y0))
		}
	}
	ps := tunePhotos(t)
	if testing.Short() {
		ps = ps[:20]
	}
	for _, p := range ps {
		g := photoGray(t, p.path)
		k := (max(g.w, g.h) + 1599) / 1600
		work := g.shrink(k)
		for _, v := range []*gray{work, work.shrink(2), work.rotate90()} {
			checkWindow(t, p.path, v, 0, 0, v.w, v.h)
			for _, parts := range []int{2, 3} { // decode2D's tiles
				tw, th := v.w/parts, v.h/parts
				if tw < 64 || th < 64 {
					break
				}
				for ty := 0; ty < 2*parts-1; ty++ {
					for tx := 0; tx < 2*parts-1; tx++ {
						x0, y0 := tx*tw/2, ty*th/2
						checkWindow(t, p.path, v, x0, y0, min(tw, v.w-x0), min(th, v.h-y0))
					}
				}
			}
		}
	}
}

// TestAtMost8: the eight-at-a-time comparison is the bytewise one for
// every threshold, on random words and every level against itself and
// its neighbours.
func TestAtMost8(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for th := 0; th < 256; th++ {
		for n := range 600 {
			x := rng.Uint64()
			if n < 256 { // every level, and the neighbours of th
				x = uint64(n) * 0x0101010101010101
				x ^= uint64(rng.Intn(3)) << uint(8*rng.Intn(8))
			}
			var want uint8
			for k := range 8 {
				if int(x>>uint(8*k)&0xff) <= th {
					want |= 1 << uint(k)
				}
			}
			if got := atMost8(x, th); got != want {
				t.Fatalf("atMost8(%016x, %d) = %08b, want %08b", x, th, got, want)
			}
		}
	}
}

// TestBlockCacheExact: hybridMatrix with the plane's block statistics
// cached (blockCache) gives gozxing's matrix, bit for bit, for windows on
// the plane's 8-pixel grid and off it, of sizes block multiples and not,
// asked in any order and again on the same plane (the cache filled by
// other windows, the low-range blocks whose black point depends on the
// window's neighbours included), and the cache is used, off the grid too
// (phaseCache).
func TestBlockCacheExact(t *testing.T) {
	if !blockCache {
		t.Skip("blockCache off")
	}
	rng := rand.New(rand.NewSource(14))
	hits, offGrid := 0, 0
	for n := range 60 {
		w, h := 40+rng.Intn(200), 40+rng.Intn(200)
		if n%2 == 0 {
			w, h = 8*(5+rng.Intn(25)), 8*(5+rng.Intn(25))
		}
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		for y := range h {
			for x := range w {
				v := 40*((x/13+y/11)%6) + rng.Intn(20) // flat patches: the low-range branch
				if n%3 == 0 && (x/3)%2 == 0 {
					v += 60 // bars
				}
				g.pix[y*w+x] = byte(min(255, v))
			}
		}
		for k := range 12 {
			var x0, y0, tw, th int
			if k%2 == 0 { // on the grid
				x0, y0 = 8*rng.Intn(max(1, (w-40)/8)), 8*rng.Intn(max(1, (h-40)/8))
			} else {
				x0, y0 = rng.Intn(w-39), rng.Intn(h-39)
			}
			tw, th = 40+rng.Intn(w-x0-39), 40+rng.Intn(h-y0-39)
			if k == 0 {
				x0, y0, tw, th = 0, 0, w, h
			}
			checkWindow(t, "cached", g, x0, y0, tw, th)
		}
		for _, b := range g.blocks {
			if b != blockUnknown {
				hits++
			}
		}
		if g.phases == nil {
			continue
		}
		for _, c := range g.phases {
			if c == nil {
				continue
			}
			for _, b := range c {
				if b != blockUnknown {
					offGrid++
				}
			}
		}
	}
	if hits == 0 {
		t.Fatal("no block statistics were cached")
	}
	if offGrid == 0 {
		t.Fatal("no block statistics off the plane's grid were cached (phaseCache)")
	}
}
