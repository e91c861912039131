package scan

import (
	"fmt"
	"math/rand"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// TestCode39RowExact: code39Row reads what gozxing's Code 39 reader reads
// (the same text and points, or nothing) on generated Code 39 lines
// (sharp, scaled, cut, with noise flipped in), random lines, and every
// line of the tune photos' working images binarized both ways, forwards
// and reversed.
func TestCode39RowExact(t *testing.T) {
	rng := rand.New(rand.NewSource(39))
	fast, slow := newCode39Row(), oned.NewCode39Reader().(oned.RowDecoder)
	reads, n := 0, 0
	check := func(what string, row *gozxing.BitArray) {
		n++
		want, werr := slow.DecodeRow(0, row, nil)
		got, gerr := fast.DecodeRow(0, row, nil)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: gozxing %v (%v), code39Row %v (%v)", what, want, werr, got, gerr)
		}
		if werr == nil {
			reads++
			if want.GetText() != got.GetText() || fmt.Sprint(want.GetResultPoints()) != fmt.Sprint(got.GetResultPoints()) {
				t.Fatalf("%s: gozxing %q %v, code39Row %q %v", what, want.GetText(), want.GetResultPoints(), got.GetText(), got.GetResultPoints())
			}
		}
	}
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
	for k := range 400 {
		text := make([]byte, 1+rng.Intn(8))
		for i := range text {
			text[i] = alphabet[rng.Intn(len(alphabet))]
		}
		m, err := oned.NewCode39Writer().Encode(string(text), gozxing.BarcodeFormat_CODE_39, 0, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		scale := 1 + k%4
		w := m.GetWidth()*scale + 30
		row := gozxing.NewBitArray(w)
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, 0) {
				for s := range scale {
					row.Set(15 + x*scale + s)
				}
			}
		}
		check("generated "+string(text), row)
		for range 3 {
			r := gozxing.NewBitArray(w)
			copy(r.GetBitArray(), row.GetBitArray())
			for range rng.Intn(4) { // noise, and wider or narrower elements
				r.Flip(rng.Intn(w))
			}
			check("spoilt "+string(text), r)
			r.Reverse()
			check("reversed "+string(text), r)
		}
	}
	for range 2000 {
		w := 20 + rng.Intn(400)
		row := gozxing.NewBitArray(w)
		for x, on := 0, false; x < w; {
			run := 1 + rng.Intn(1+rng.Intn(6))
			for ; run > 0 && x < w; run, x = run-1, x+1 {
				if on {
					row.Set(x)
				}
			}
			on = !on
		}
		check("random", row)
	}
	if reads < 400 {
		t.Errorf("only %d reads of generated lines", reads)
	}
	ps := tunePhotos(t)
	for i, p := range ps {
		if testing.Short() && i%4 != 0 {
			continue
		}
		data, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := loadGray(data, 1e9)
		if err != nil {
			t.Fatal(err)
		}
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		src := newLumSource(work)
		ghb := gozxing.NewGlobalHistgramBinarizer(src)
		m, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < work.h; y++ {
			if row, err := ghb.GetBlackRow(y, nil); err == nil {
				check(p.path, row)
				row.Reverse()
				check(p.path, row)
			}
			row := m.GetRow(y, nil)
			check(p.path, row)
			row.Reverse()
			check(p.path, row)
		}
	}
	t.Logf("%d lines, %d read", n, reads)
}
