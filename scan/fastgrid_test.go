package scan

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestFastGridExact: shrink2's and rotate90Tiled's pixels are shrink(2)'s
// and rotate90's without fastGrid, on the tune photos' planes as the
// cascade makes them (each photo, its work view and its half) and on
// random planes of every size up to 40×40, odd and even.
func TestFastGridExact(t *testing.T) {
	defer func() { fastGrid = true }()
	check := func(name string, g *gray) {
		t.Helper()
		fastGrid = false
		wantH := g.shrink(2)
		wantR := g.rotate90()
		fastGrid = true
		if gotR := g.rotate90(); gotR.w != wantR.w || gotR.h != wantR.h || !bytes.Equal(gotR.pix, wantR.pix) {
			t.Errorf("%s (%d×%d): rotate90 differs", name, g.w, g.h)
		}
		gotH := g.shrink(2)
		if wantH.w != gotH.w || wantH.h != gotH.h || !bytes.Equal(wantH.pix, gotH.pix) {
			t.Errorf("%s (%d×%d): shrink(2) differs", name, g.w, g.h)
		}
	}
	rng := rand.New(rand.NewSource(1))
	for w := 1; w <= 40; w++ {
		for h := 1; h <= 40; h += 1 + w%3 {
			g := &gray{w: w, h: h, pix: make([]byte, w*h)}
			smooth := rng.Intn(2) == 0
			for i := range g.pix {
				if smooth {
					g.pix[i] = byte(100 + (i%w)/3 + rng.Intn(3))
				} else {
					g.pix[i] = byte(rng.Intn(256))
				}
			}
			check("random", g)
		}
	}
	photos := 0
	for i, p := range tunePhotos(t) {
		if testing.Short() && i%4 != 0 {
			continue
		}
		photos++
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		for _, v := range []*gray{g, work, work.shrink(2)} {
			check(p.path, v)
		}
	}
	if photos == 0 {
		t.Fatal("no tune photos")
	}
}
