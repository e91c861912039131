package scan

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// runPrint is everything a cascade run found and did that its callers
// see: every read (good or not) with its lines, points, box and checks,
// the scans' kinds, the counters and the barcodes returned.
func runPrint(r *run) string {
	var sb strings.Builder
	for _, k := range r.col.order {
		h := r.col.hits[k]
		fmt.Fprintf(&sb, "%v %q %q %x %v %d %v %v %v %v good=%v\n", h.format, h.text, h.sym, h.raw, h.points,
			h.reads, h.lines, h.box, h.xchecked, h.vetoed, r.col.good(h))
	}
	fmt.Fprintf(&sb, "late %v fitted %v rows %d first %d xchecks %d/%d/%d blur %d deform %d quiet %d/%d panic %q\n",
		r.col.late, r.col.fitted, r.rows, r.firstGood, r.xchecks, r.xvetoes, r.xconfirmed, r.blurReads, r.deformReads,
		r.quietOK, r.quietBad, r.panicked)
	fmt.Fprintf(&sb, "%+v\n", r.col.barcodes())
	return sb.String()
}

// exactCascade runs the cascade on g with the savings on and off (set
// switches them) and fails when anything differs.
func exactCascade(t *testing.T, name string, g *gray, all bool, set func(on bool)) {
	t.Helper()
	d := NewDecoder(DecoderOptions{All: all})
	set(false)
	want := runPrint(d.cascade(context.Background(), g))
	set(true)
	got := runPrint(d.cascade(context.Background(), g))
	if got != want {
		t.Errorf("%s (all=%v): the cascade differs with the savings\nwithout:\n%s\nwith:\n%s", name, all, want, got)
	}
}

// exactImages are the images of the exactness tests: the tune photos
// (a third under -short) and generated blurred EAN-13s (the misread
// tests' pictures).
func exactImages(t *testing.T) (names []string, gs []*gray) {
	t.Helper()
	ps := tunePhotos(t)
	for i, p := range ps {
		if testing.Short() && i%3 != 0 {
			continue
		}
		g := photoGray(t, p.path)
		names, gs = append(names, p.path), append(gs, g)
	}
	for _, s := range []int64{6000, 6001, 6028, 6069, 6146, 7231} {
		_, g := blurredEANCase(s)
		names, gs = append(names, fmt.Sprint("blurred EAN seed ", s)), append(gs, g)
	}
	return names, gs
}

// TestRowSkipExact: with the bare lines left to the readers that can read
// them (rowskip.go), the fast black matrices (binarize.go) and the Code
// 39 reader's cheaper look for its start (code39fast.go), the
// cascade finds the same reads on the same lines, and returns the same
// barcodes, in both modes, as with every reader on every line and
// gozxing's binarizers (the first-read mode on a third of the images).
func TestRowSkipExact(t *testing.T) {
	names, gs := exactImages(t)
	for i, g := range gs {
		for _, all := range []bool{true, false} {
			if !all && i%3 != 0 { // the first-read mode: a third (it runs a part of the server's)
				continue
			}
			exactCascade(t, names[i], g, all, func(on bool) {
				rowSkip, fastBinarize, fastCode39, fastStarts, noUPCAReader, qrSkip = on, on, on, on, on, on
			})
		}
	}
	rowSkip, fastBinarize, fastCode39, fastStarts, noUPCAReader, qrSkip = true, true, true, true, true, true
}

// TestMinBarsReaders pins minBars to readers1D's order: each bound goes
// to the reader it was counted for.
func TestMinBarsReaders(t *testing.T) {
	rs := readers1D()
	m := minBars(rs)
	want := map[string]int{"upceanRow": 14, "code128Row": 9, "code39Row": 10, "itfReader": 15, "rssRow": 2}
	if len(m) != len(want) {
		t.Fatalf("minBars has %d readers, want %d", len(m), len(want))
	}
	for _, rd := range rs {
		name := reflect.TypeOf(rd).Elem().Name()
		if m[rd].bars != want[name] || m[rd].rss != (name == "rssRow") {
			t.Errorf("%s: least bars %+v, want %d", name, m[rd], want[name])
		}
	}
	if !isRSS(rs[4]) || isRSS(rs[0]) || !rssIdle(rs[4]) || !rssIdle(rs[4].(*rssRow).inner) {
		t.Error("isRSS/rssIdle do not see the DataBar reader's pairs")
	}
}

// TestRowSkipBounds checks the least bars against gozxing's readers: a
// reader never reads a code from a generated line with fewer bars than
// its bound, where lines of codes (sharp, of each symbology, cut short
// from either end, widened bars) and random lines are tried, and a
// symbol of each kind read whole has at least its bound.
func TestRowSkipBounds(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	rs := readers1D()
	least := minBars(rs)
	fewest := map[string]int{}
	try := func(row *gozxing.BitArray) {
		bars := blackRuns(row)
		for _, rd := range readers1D() { // fresh: the DataBar reader's pairs
			res, err := rd.DecodeRow(0, row, upceanHints)
			if err != nil || res == nil {
				continue
			}
			name := reflect.TypeOf(rd).Elem().Name()
			if n, ok := fewest[name]; !ok || bars < n {
				fewest[name] = bars
			}
			for _, r0 := range rs {
				if reflect.TypeOf(r0) == reflect.TypeOf(rd) && bars < least[r0].bars {
					t.Errorf("%s read %q from a line of %d bars, under its bound %d", name, res.GetText(), bars, least[r0].bars)
				}
			}
		}
	}
	writers := []struct {
		name string
		w    gozxing.Writer
		fmt  gozxing.BarcodeFormat
		text func() string
	}{
		{"EAN_13", oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, func() string { return randomEAN(rng) }},
		{"EAN_8", oned.NewEAN8Writer(), gozxing.BarcodeFormat_EAN_8, func() string { return fmt.Sprintf("%07d", rng.Intn(1e7)) }},
		{"UPC_E", oned.NewUPCEWriter(), gozxing.BarcodeFormat_UPC_E, func() string { return fmt.Sprintf("0%06d", rng.Intn(1e6)) }},
		{"CODE_128", oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, func() string { return fmt.Sprint(rng.Intn(10)) }},
		{"CODE_39", oned.NewCode39Writer(), gozxing.BarcodeFormat_CODE_39, func() string { return string(rune('A' + rng.Intn(26))) }},
		{"ITF", oned.NewITFWriter(), gozxing.BarcodeFormat_ITF, func() string { return fmt.Sprintf("%06d", rng.Intn(1e6)) }},
	}
	for _, wr := range writers {
		for n := range 40 {
			text := wr.text()
			m, err := wr.w.Encode(text, wr.fmt, 0, 1, nil)
			if err != nil {
				t.Fatalf("%s %q: %v", wr.name, text, err)
			}
			scale := 1 + n%3
			w := m.GetWidth()*scale + 40
			for cut := 0; cut < 3; cut++ {
				row := gozxing.NewBitArray(w)
				for x := 0; x < m.GetWidth(); x++ {
					if m.Get(x, 0) {
						for k := range scale {
							row.Set(20 + x*scale + k)
						}
					}
				}
				if cut > 0 { // cut from one end: fewer bars
					c := rng.Intn(w)
					for x := 0; x < w; x++ {
						if (cut == 1) == (x < c) && row.Get(x) {
							row.Flip(x)
						}
					}
				}
				try(row)
				row.Reverse()
				try(row)
			}
		}
	}
	for range 3000 {
		w := 30 + rng.Intn(300)
		row := gozxing.NewBitArray(w)
		p := 0.1 + 0.8*rng.Float64()
		for x := 0; x < w; x++ {
			if rng.Float64() < p {
				row.Set(x)
			}
		}
		try(row)
	}
	var got []string
	for name, n := range fewest {
		got = append(got, fmt.Sprintf("%s %d", name, n))
	}
	sort.Strings(got)
	t.Logf("fewest bars of a read: %v", got)
	for _, name := range []string{"upceanRow", "code128Row", "code39Row", "itfReader"} {
		if _, ok := fewest[name]; !ok {
			t.Errorf("%s read none of its generated lines", name)
		}
	}
}
