package scan

import (
	"fmt"
	"math/rand"
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
	testFastRowExact(t, newCode39Row(&lineRuns{}), oned.NewCode39Reader().(oned.RowDecoder), oned.NewCode39Writer(), gozxing.BarcodeFormat_CODE_39, nil)
}

// testFastRowExact compares fast with gozxing's reader slow on generated
// lines of writer's symbology f, random lines and the tune photos' lines.
// text makes the generated codes' texts (nil: 1 to 8 characters of Code
// 39's alphabet).
func testFastRowExact(t *testing.T, fast, slow oned.RowDecoder, writer gozxing.Writer, f gozxing.BarcodeFormat, textOf func(*rand.Rand) string) {
	rng := rand.New(rand.NewSource(39))
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
			if want.GetText() != got.GetText() || want.GetBarcodeFormat() != got.GetBarcodeFormat() ||
				fmt.Sprint(want.GetResultPoints()) != fmt.Sprint(got.GetResultPoints()) ||
				fmt.Sprint(want.GetResultMetadata()) != fmt.Sprint(got.GetResultMetadata()) {
				t.Fatalf("%s: gozxing %q %v, code39Row %q %v", what, want.GetText(), want.GetResultPoints(), got.GetText(), got.GetResultPoints())
			}
		}
	}
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
	for k := range 400 {
		var text string
		if textOf != nil {
			text = textOf(rng)
		} else {
			b := make([]byte, 1+rng.Intn(8))
			for i := range b {
				b[i] = alphabet[rng.Intn(len(alphabet))]
			}
			text = string(b)
		}
		m, err := writer.Encode(text, f, 0, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		// bars of other things, a white gap of 2 to 40 pixels, the
		// symbol, 15 pixels of white, more bars
		scale := 1 + k%4
		gap := 2 + rng.Intn(39)
		x0 := 20 + gap
		w := x0 + m.GetWidth()*scale + 25
		row := gozxing.NewBitArray(w)
		for x := 0; x < w; x++ {
			if (x < 20 || x >= w-10) && rng.Intn(2) == 0 {
				row.Set(x)
			}
		}
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, 0) {
				for s := range scale {
					row.Set(x0 + x*scale + s)
				}
			}
		}
		check("generated "+text, row)
		for range 3 {
			r := gozxing.NewBitArray(w)
			copy(r.GetBitArray(), row.GetBitArray())
			for range rng.Intn(4) { // noise, and wider or narrower elements
				r.Flip(rng.Intn(w))
			}
			check("spoilt "+text, r)
			r.Reverse()
			check("reversed "+text, r)
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
	if reads < 250 {
		t.Errorf("only %d reads of generated lines", reads)
	}
	ps := tunePhotos(t)
	for i, p := range ps {
		if testing.Short() && i%4 != 0 {
			continue
		}
		g := photoGray(t, p.path)
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
