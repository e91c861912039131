package scan

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"pandian/fixtures/barcodes"
)

// sweepStopPhoto renders a 640×480 photo of the given placements (the
// fixtures' ground, blur 1, noise 3).
func sweepStopPhoto(t *testing.T, places ...barcodes.Placement) *gray {
	t.Helper()
	img, err := barcodes.Render(barcodes.Photo{File: "x.png", W: 640, H: 480, Blur: 1, Noise: 3, Places: places}, 5)
	if err != nil {
		t.Fatal(err)
	}
	return toGray(img)
}

// TestSweepStop: an EAN-13 alone is read by the sweep's first scan, which
// then leaves out the rest of the sweep's 1D scans and 2D decodes; beside
// it a Code 128 turned a quarter (read only by the turned scan, late in
// the sweep) keeps the 1D scans on, and a QR Code the 2D decodes until it
// is read: the photos read the same with sweepStop off and on. Without the work view's areas (any sure read stopping the
// sweep) the Code 128 and the QR Code are lost.
func TestSweepStop(t *testing.T) {
	defer func(on, on1D bool, m1, m2 int) {
		sweepStop, sweepStop1D, max1DOutside, max2DOutside = on, on1D, m1, m2
	}(sweepStop, sweepStop1D, max1DOutside, max2DOutside)
	sweepStop1D = true // its 1D part too (off by default)
	ean := barcodes.Placement{Symbol: "ean13", X: 220, Y: 240, Module: 2, BarHeight: 110}
	for _, c := range []struct {
		name           string
		places         []barcodes.Placement
		want           string
		skip1D, skip2D bool
	}{
		{"ean13 alone", []barcodes.Placement{ean}, "[EAN_13 4891234567898]", true, true},
		{"ean13 and a turned code128", []barcodes.Placement{ean,
			{Symbol: "code128", X: 520, Y: 240, Module: 2, BarHeight: 60, Angle: 90}},
			"[EAN_13 4891234567898][CODE_128 PANDIAN-LOC-A12]", false, true},
		{"ean13 and a qr", []barcodes.Placement{ean,
			{Symbol: "qr", X: 520, Y: 300, Module: 3}},
			"[EAN_13 4891234567898][QR_CODE https://pandian.example/loc/HK-MK-0012]", true, true},
		{"two qr codes", []barcodes.Placement{{Symbol: "qr", X: 200, Y: 240, Module: 4},
			{Symbol: "gs1-qr", X: 470, Y: 240, Module: 4}},
			"", true, true},
	} {
		g := sweepStopPhoto(t, c.places...)
		if c.want == "" { // the same with sweepStop off and on, both read
			sweepStop = false
			off := texts(NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g).col.barcodes())
			sweepStop = true
			r := NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g)
			if on := texts(r.col.barcodes()); on != off || strings.Count(on, "[") != 2 {
				t.Errorf("%s: read %s with sweepStop off, %s on, want both", c.name, off, on)
			}
			t.Logf("%s: %s, %d tiles decoded", c.name, off, r.tiles2D)
			continue
		}
		sweepStop = false
		off := texts(NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g).col.barcodes())
		sweepStop = true
		r := NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g)
		on := texts(r.col.barcodes())
		if off != c.want || on != c.want {
			t.Errorf("%s: read %s with sweepStop off, %s on, want %s", c.name, off, on, c.want)
		}
		if r.skip1D != c.skip1D || r.skip2D != c.skip2D {
			t.Errorf("%s: skip1D %v skip2D %v, want %v %v", c.name, r.skip1D, r.skip2D, c.skip1D, c.skip2D)
		}
		// every sure read stopping the sweep
		max1DOutside, max2DOutside = 1<<30, 1<<30
		all := texts(NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g).col.barcodes())
		max1DOutside, max2DOutside = 8, 15
		if len(c.places) > 1 && all == c.want {
			t.Errorf("%s: read %s without the areas, want a code lost", c.name, all)
		}
	}
}

// TestSweepStopNearSymbol: a small QR Code or Data Matrix printed a few
// modules from a big QR Code (outside its quiet zone) is read with
// sweepStop as without. The map joins the two into one area, which meets
// the big symbol's box: counted as its (cellsOutside2D off), the 2D
// decodes stopped once the big one was read and the small one was lost.
func TestSweepStopNearSymbol(t *testing.T) {
	defer func(on, cells bool) { sweepStop, cellsOutside2D = on, cells }(sweepStop, cellsOutside2D)
	for i, c := range []struct {
		bigMs    float64
		kind     string
		sms, gap float64
		side     int
		rngSeed  int64
	}{
		{6, "qr", 2, 10, 0, 1},
		{6, "qr", 2, 2, 1, 2},
		{4, "qr", 1.5, 10, 1, 1},
		{6, "dm", 3, 2, 0, 2},
		{6, "dm", 3, 10, 0, 3},
	} {
		g, what := advNearPhoto(t, rand.New(rand.NewSource(c.rngSeed)), c.bigMs, c.kind, c.sms, c.gap, c.side)
		sweepStop = false
		off := advCodes(g)
		sweepStop, cellsOutside2D = true, true
		on := advCodes(g)
		cellsOutside2D = false
		areas := advCodes(g)
		if len(off) != 2 || fmt.Sprint(on) != fmt.Sprint(off) {
			t.Errorf("%d %s: read %v with sweepStop off, %v on, want both", i, what, off, on)
		}
		if fmt.Sprint(areas) == fmt.Sprint(off) {
			t.Errorf("%d %s: read %v when an area meeting a box is its, want the small symbol lost (the test shows nothing)", i, what, areas)
		}
	}
}

// TestSweepStopBelowBars: a small QR Code just past the bars of a
// short, large 1D code (an EAN-13 at 4.6 px a module, a Code 128 at 4.2;
// TestAdvSweepStop's photos 275 and 464) is read with sweepStop as
// without. The 1D read's symbolBox, grown across to 0.3× the code's
// length for bars its lines did not cross, held it: with that whole box
// (bars2D off, not cut to where the map sees bars) it was lost.
func TestSweepStopBelowBars(t *testing.T) {
	defer func(on, bars bool) { sweepStop, bars2D = on, bars }(sweepStop, bars2D)
	for _, seed := range []int64{275, 464} {
		sc := advComposeScene(t, seed)
		sweepStop = false
		off := advCodes(sc.g)
		sweepStop, bars2D = true, true
		on := advCodes(sc.g)
		bars2D = false
		whole := advCodes(sc.g)
		if len(off) != 2 || fmt.Sprint(on) != fmt.Sprint(off) {
			t.Errorf("%s: read %v with sweepStop off, %v on, want both", sc.what, off, on)
		}
		if fmt.Sprint(whole) == fmt.Sprint(off) {
			t.Errorf("%s: read %v with the whole symbolBox, want the QR Code lost (the test shows nothing)", sc.what, whole)
		}
	}
}

// TestSweepStopStacked1D: with sweepStop's 1D part on, an EAN-13 printed
// just above a Code 128 (composed photos 2312 and 2328 of advCompose1D:
// turned 8° and upright, 2.7 and 2.1 px a module, digits under the bars)
// is read as with sweepStop off. Counted by area (barsWalk1D off, as
// h/speed3 merged it) its bars fall in the Code 128's symbolBox, which
// the sweep's first scan read, and the EAN-13, read later, is lost; the
// walk across the Code 128's bars stops at its quiet zone and the
// EAN-13's bars are counted.
func TestSweepStopStacked1D(t *testing.T) {
	defer func(on, on1D, walk bool) {
		sweepStop, sweepStop1D, barsWalk1D = on, on1D, walk
	}(sweepStop, sweepStop1D, barsWalk1D)
	sweepStop1D = true
	for _, seed := range []int64{2312, 2328} {
		sc := advCompose1D(t, seed)
		sweepStop = false
		off := advCodes(sc.g)
		if len(off) != 2 {
			t.Fatalf("%s: read %v with sweepStop off, want both", sc.what, off)
		}
		sweepStop = true
		for _, walk := range []bool{true, false} {
			barsWalk1D = walk
			on := advCodes(sc.g)
			switch {
			case walk && strings.Join(on, "|") != strings.Join(off, "|"):
				t.Errorf("%s: read %v with sweepStop's 1D part, %v without", sc.what, on, off)
			case !walk:
				t.Logf("seed %d by area (barsWalk1D off): %v", seed, on)
			}
		}
	}
}
