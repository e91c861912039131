package scan

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/oned/rss"

	"pandian/fixtures/barcodes"
)

// TestCode128RowExact: code128Row reads what gozxing's Code 128 reader
// reads on generated Code 128 lines (sharp, scaled, cut, noise), random
// lines and every line of the tune photos' working images.
func TestCode128RowExact(t *testing.T) {
	testFastRowExact(t, newCode128Row(&lineRuns{}), oned.NewCode128Reader().(oned.RowDecoder), oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, nil)
}

// TestUPCEANReadersExact: the EAN/UPC reader without gozxing's UPC-A
// reader (upceanReaders), behind the walk of upceanRow, reads what
// gozxing's with it reads, given the
// scans' hints, on generated EAN-13s and UPC-As (half of them starting
// with 0, read as UPC-A), EAN-8s and UPC-Es, random lines and the tune
// photos' lines.
func TestUPCEANReadersExact(t *testing.T) {
	old := noUPCAReader
	defer func() { noUPCAReader = old }()
	noUPCAReader = true
	fast := hinted{newUPCEANRowFast(&lineRuns{})}
	slow := hinted{oned.NewMultiFormatUPCEANReader(upceanHints).(oned.RowDecoder)}
	digits := func(rng *rand.Rand, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		if rng.Intn(2) == 0 {
			b[0] = '0'
		}
		return string(b)
	}
	testFastRowExact(t, fast, slow, oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, func(rng *rand.Rand) string { return digits(rng, 12) })
	testFastRowExact(t, fast, slow, oned.NewEAN8Writer(), gozxing.BarcodeFormat_EAN_8, func(rng *rand.Rand) string { return digits(rng, 7) })
	testFastRowExact(t, fast, slow, oned.NewUPCEWriter(), gozxing.BarcodeFormat_UPC_E, func(rng *rand.Rand) string { return "0" + digits(rng, 6) })
}

// hinted is a row decoder given the scans' hints (upceanHints) whatever
// it is called with.
type hinted struct{ oned.RowDecoder }

func (h hinted) DecodeRow(y int, row *gozxing.BitArray, _ map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	return h.RowDecoder.DecodeRow(y, row, upceanHints)
}

// TestRSSRowExact: rssRow returns what gozxing's DataBar reader returns,
// call for call, over one long sequence of lines (the reader keeps pairs
// from line to line): generated DataBar lines (scaled, with noise, cut,
// reversed), random lines, every line of the tune photos' working images,
// and resets between photos.
func TestRSSRowExact(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	fast, slow := newRSSRow(&lineRuns{}), rss.NewRSS14Reader().(oned.RowDecoder)
	reads, n := 0, 0
	check := func(what string, row *gozxing.BitArray) {
		n++
		want, werr := slow.DecodeRow(n, row, nil)
		got, gerr := fast.DecodeRow(n, row, nil)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s (line %d): gozxing %v (%v), rssRow %v (%v)", what, n, want, werr, got, gerr)
		}
		if werr == nil {
			reads++
			if want.GetText() != got.GetText() || fmt.Sprint(want.GetResultPoints()) != fmt.Sprint(got.GetResultPoints()) {
				t.Fatalf("%s: gozxing %q %v, rssRow %q %v", what, want.GetText(), want.GetResultPoints(), got.GetText(), got.GetResultPoints())
			}
		}
	}
	reset := func() {
		slow.(gozxing.Reader).Reset()
		fast.(interface{ Reset() }).Reset()
	}
	for k := range 300 {
		gtin := withCheck(fmt.Sprintf("%013d", rng.Int63n(1e13)))
		mods, err := barcodes.DataBar(gtin)
		if err != nil {
			t.Fatal(err)
		}
		scale := 1 + k%4
		x0 := 10 + rng.Intn(30)
		w := x0 + len(mods)*scale + 10 + rng.Intn(30)
		base := gozxing.NewBitArray(w)
		for x := range x0 {
			if rng.Intn(3) == 0 {
				base.Set(x)
			}
		}
		for i, on := range mods {
			if on {
				for s := range scale {
					base.Set(x0 + i*scale + s)
				}
			}
		}
		for range 2 + rng.Intn(4) { // a few lines of the same symbol
			r := gozxing.NewBitArray(w)
			copy(r.GetBitArray(), base.GetBitArray())
			for range rng.Intn(3) {
				r.Flip(rng.Intn(w))
			}
			if rng.Intn(3) == 0 { // cut
				r = whiteBefore(r, rng.Intn(w))
			}
			check("generated "+gtin, r)
			r.Reverse()
			check("reversed "+gtin, r)
		}
		if rng.Intn(4) == 0 {
			reset()
		}
	}
	for range 2000 {
		w := 20 + rng.Intn(400)
		check("random", randomRunsRow(rng, w))
	}
	if reads < 100 {
		t.Errorf("only %d reads", reads)
	}
	for i, p := range tunePhotos(t) {
		if testing.Short() && i%4 != 0 {
			continue
		}
		reset()
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		ghb := gozxing.NewGlobalHistgramBinarizer(newLumSource(work))
		for y := 0; y < work.h; y++ {
			if row, err := ghb.GetBlackRow(y, nil); err == nil {
				check(p.path, row)
				row.Reverse()
				check(p.path, row)
			}
		}
	}
	t.Logf("%d lines, %d read", n, reads)
}

// TestRowRuns: rowRuns gives the runs of bits of random lines of every
// length from 1 to 100 (so every way a line ends in its last word).
func TestRowRuns(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for w := 1; w <= 100; w++ {
		for range 20 {
			row := gozxing.NewBitArray(w)
			for x := range w {
				if rng.Intn(3) == 0 {
					row.Set(x)
				}
			}
			if rng.Intn(2) == 0 {
				row.Reverse() // gozxing's reversal, as the readers get it
			}
			var want []int32
			for x := 0; x < w; {
				e := x
				for e < w && row.Get(e) == row.Get(x) {
					e++
				}
				want = append(want, int32(e-x))
				x = e
			}
			got, first := rowRuns(row, nil)
			if fmt.Sprint(got) != fmt.Sprint(want) || first != row.Get(0) {
				t.Fatalf("width %d %v: runs %v %v, want %v %v", w, row, got, first, want, row.Get(0))
			}
		}
	}
}

// TestRowStartsSkip: on the tune photos' lines, the looks for a start
// leave gozxing's Code 128, DataBar and EAN/UPC readers out of most lines
// (the saving; fails with fastStarts off).
func TestRowStartsSkip(t *testing.T) {
	var c128, dbar, ean, lines int
	var counters [6]int
	for i, p := range tunePhotos(t) {
		if i%8 != 0 {
			continue
		}
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		ghb := gozxing.NewGlobalHistgramBinarizer(newLumSource(work))
		for y := 0; y < work.h; y += 4 {
			row, err := ghb.GetBlackRow(y, nil)
			if err != nil {
				continue
			}
			lines++
			runs, first := rowRuns(row, nil)
			if !fastStarts || code128MayStart(runs, first, counters[:]) {
				c128++
			}
			if !fastStarts || rssMayFind(runs, first, counters[:4]) {
				dbar++
			}
			if !fastStarts || upceanFirstFail(runs, first, counters[:4]) < 0 {
				ean++
			}
		}
	}
	t.Logf("%d lines: Code 128 read on %d, DataBar on %d, EAN/UPC on %d", lines, c128, dbar, ean)
	if c128 > lines/2 || dbar > lines/2 || ean > lines/2 {
		t.Errorf("%d lines: Code 128 read on %d, DataBar on %d, EAN/UPC on %d; want under half each", lines, c128, dbar, ean)
	}
}

// speedSavings switches this file's exact savings, the EAN/UPC reader's
// (upceanReaders), the QR reader's (qrskip.go) and the hybrid black
// matrix's (phaseCache, sepSums) together.
func speedSavings(on bool) {
	fastStarts, noUPCAReader, qrSkip, phaseCache, sepSums = on, on, on, on, on
}

// BenchmarkRowStartsPaired: the server's cascade with and without the
// savings of speedSavings, alternated photo by photo on the tune photos
// (least thread CPU of 3 each), so that a busy machine weighs on both
// alike: medians, p95 and sums.
//
//	go test -run '^$' -bench RowStartsPaired -benchtime 1x ./scan/
func BenchmarkRowStartsPaired(b *testing.B) {
	defer speedSavings(true)
	benchPaired(b, tunePhotos(b), speedSavings, "saving", "without")
}

// TestCode39StartRuns: code39MayStartRuns says what code39MayStart says,
// on random lines of every length to 300 and the tune photos' lines.
func TestCode39StartRuns(t *testing.T) {
	rng := rand.New(rand.NewSource(39))
	var c [9]int
	n, yes := 0, 0
	check := func(what string, row *gozxing.BitArray) {
		n++
		want := code39MayStart(row, &c)
		runs, first := rowRuns(row, nil)
		if got := code39MayStartRuns(runs, first, &c); got != want {
			t.Fatalf("%s %v: %v, want %v", what, row, got, want)
		}
		if want {
			yes++
		}
	}
	for range 20000 {
		w := 1 + rng.Intn(300)
		check("random", randomRunsRow(rng, w))
	}
	for i, p := range tunePhotos(t) {
		if i%4 != 0 {
			continue
		}
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		ghb := gozxing.NewGlobalHistgramBinarizer(newLumSource(work))
		for y := 0; y < work.h; y += 2 {
			if row, err := ghb.GetBlackRow(y, nil); err == nil {
				check(p.path, row)
				row.Reverse()
				check(p.path, row)
			}
		}
	}
	t.Logf("%d lines, %d with a place for the asterisk", n, yes)
	if yes < 100 {
		t.Errorf("only %d lines with a place for the asterisk", yes)
	}
}

// TestRowStartsEmptyLine: on a line of no bits the wrappers fail as
// gozxing's readers do (not found), without a panic (they indexed the
// line's first run; gozxing's DataBar reader itself panics there, in
// BitArray.Reverse, so its wrapper is only asked not to). The cascade
// gives its readers no such line (rowSkip leaves out lines without bars,
// and its views are never 0 wide): robustness, not a read.
func TestRowStartsEmptyLine(t *testing.T) {
	lr := &lineRuns{}
	for _, p := range []struct {
		name       string
		fast, slow oned.RowDecoder
	}{
		{"EAN/UPC", newUPCEANRowFast(lr), oned.NewMultiFormatUPCEANReader(upceanHints).(oned.RowDecoder)},
		{"Code 128", newCode128Row(lr), oned.NewCode128Reader().(oned.RowDecoder)},
		{"Code 39", newCode39Row(lr), oned.NewCode39Reader().(oned.RowDecoder)},
		{"DataBar", newRSSRow(lr), rss.NewRSS14Reader().(oned.RowDecoder)},
	} {
		var want *gozxing.Result
		werr := error(gozxing.NewNotFoundException())
		if p.name != "DataBar" {
			want, werr = p.slow.DecodeRow(0, gozxing.NewBitArray(0), upceanHints)
		}
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("%s: panic %v on an empty line; gozxing's reader: %v, %v", p.name, v, want, werr)
				}
			}()
			got, gerr := p.fast.DecodeRow(0, gozxing.NewBitArray(0), upceanHints)
			if (werr == nil) != (gerr == nil) || got != nil || want != nil {
				t.Errorf("%s: %v, %v on an empty line; gozxing's reader: %v, %v", p.name, got, gerr, want, werr)
			}
		}()
	}
}

// randomRunsRow returns a line of w bits of alternating runs of 1–8 bits
// (short runs likelier), its first run black or white at random.
func randomRunsRow(rng *rand.Rand, w int) *gozxing.BitArray {
	row := gozxing.NewBitArray(w)
	for x, on := 0, rng.Intn(2) == 0; x < w; {
		run := 1 + rng.Intn(1+rng.Intn(8))
		for ; run > 0 && x < w; run, x = run-1, x+1 {
			if on {
				row.Set(x)
			}
		}
		on = !on
	}
	return row
}
