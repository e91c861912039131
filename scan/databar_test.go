package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned/rss"

	"pandian/fixtures/barcodes"
)

// grayOf converts a generated image.
func grayOf(img *image.Gray) *gray { return toGray(img) }

// TestDataBarTables: every character's widths give back its value with
// gozxing's getRSSvalue (the standard's Annex B), the right number of
// modules, and the group's width limits.
func TestDataBarTables(t *testing.T) {
	if len(dbOutside) != 2841 || len(dbInside) != 1597 {
		t.Fatalf("%d outside, %d inside characters", len(dbOutside), len(dbInside))
	}
	check := func(tab []dbChar, modules int, outside bool) {
		gsum := []int{0, 336, 1036, 1516}
		oddWidest := []int{2, 4, 6, 8}
		if outside {
			gsum = []int{0, 161, 961, 2015, 2715}
			oddWidest = []int{8, 6, 4, 3, 1}
		}
		for _, c := range tab {
			odd, even := make([]int, 4), make([]int, 4)
			n := 0
			for i := range 4 {
				odd[i], even[i] = int(c.w[2*i]), int(c.w[2*i+1])
				n += odd[i] + even[i]
			}
			if n != modules {
				t.Fatalf("value %d: %d modules", c.value, n)
			}
			g := 0
			for g+1 < len(gsum) && c.value >= gsum[g+1] {
				g++
			}
			w := oddWidest[g]
			var v int
			if outside {
				tEven := []int{1, 10, 34, 70, 126}[g]
				v = rss.RSSUtils_getRSSvalue(odd, w, false)*tEven + rss.RSSUtils_getRSSvalue(even, 9-w, true) + gsum[g]
			} else {
				tOdd := []int{4, 20, 48, 81}[g]
				v = rss.RSSUtils_getRSSvalue(even, 9-w, false)*tOdd + rss.RSSUtils_getRSSvalue(odd, w, true) + gsum[g]
			}
			if v != c.value {
				t.Fatalf("outside %v: widths %v give %d, want %d", outside, c.w, v, c.value)
			}
		}
	}
	check(dbOutside, 16, true)
	check(dbInside, 15, false)
}

// dbCase is one generated DataBar photo.
type dbCase struct {
	name string
	gtin string
	img  *image.Gray
}

// dbCases renders n random GTINs as linear, Stacked and Stacked
// Omnidirectional symbols, turned, sheared, blurred, with ink spread.
func dbCases(t testing.TB, seed uint64, n int) []dbCase {
	rng := rand.New(rand.NewPCG(seed, 99))
	var out []dbCase
	for i := range n {
		body := fmt.Sprintf("%013d", rng.Int64N(1e13))
		gtin := withCheck(body)
		kind := i % 3
		var rows [][]bool
		switch kind {
		case 0:
			lin, err := barcodes.DataBar(gtin)
			if err != nil {
				t.Fatal(err)
			}
			for range 30 {
				rows = append(rows, lin)
			}
		default:
			r, err := barcodes.DataBarStacked(gtin, kind == 2)
			if err != nil {
				t.Fatal(err)
			}
			rows = r
		}
		ph := barcodes.ModulePhoto{
			Module: 1.8 + 2.5*rng.Float64(),
			Angle:  -30 + 60*rng.Float64(),
			Shear:  -0.25 + 0.5*rng.Float64(),
			Blur:   0.3 + 1.2*rng.Float64(),
			Spread: -0.5 + 1.0*rng.Float64(),
			Noise:  2 + 6*rng.Float64(),
			Margin: 20,
			Persp:  -0.15 + 0.3*rng.Float64(),
		}
		if rng.IntN(4) == 0 {
			ph.Angle += 180
		}
		name := fmt.Sprintf("%s-%s-m%.1f-a%.0f-sh%.2f-b%.1f-sp%.2f-p%.2f", []string{"linear", "stacked", "omni"}[kind], gtin,
			ph.Module, ph.Angle, ph.Shear, ph.Blur, ph.Spread, ph.Persp)
		img := barcodes.RenderModules(rows, ph, seed*1000+uint64(i))
		// Every fourth photo goes through JPEG at quality 30–80.
		if i%4 == 3 {
			q := 30 + rng.IntN(51)
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
				t.Fatal(err)
			}
			dec, err := jpeg.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			img = dec.(*image.Gray)
			name += fmt.Sprintf("-jpeg%d", q)
		}
		out = append(out, dbCase{name, gtin, img})
	}
	return out
}

// gozxingDataBar reads img with gozxing's RSS-14 reader on every row, as
// the cascade's DataBar stage does: "" when it reads nothing.
func gozxingDataBar(img *image.Gray) string {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return ""
	}
	res, err := rss.NewRSS14Reader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return ""
	}
	return res.GetText()
}

// TestDataBarGenerated reads generated linear, Stacked and Stacked
// Omnidirectional symbols (turned up to 30° either way or upside down,
// bars leaning up to 0.25 px a pixel, blur sigma 0.3–1.5 px, bars up to
// half a module thinner or fatter, 1.8–4.3 px a module, modules up to
// 15% wider at one end than in the middle (perspective), noise, every
// fourth through JPEG at quality 30–80): never a wrong
// GTIN, and most read. Seed 1 is the one the thresholds were set on;
// seeds 2 and 3 were not looked at before this test was written.
// DATABAR_N=60 renders more per seed.
func TestDataBarGenerated(t *testing.T) {
	n := 30
	if v := os.Getenv("DATABAR_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, seed := range []uint64{1, 2, 3} {
		read, theirs := 0, 0
		kinds := map[string]int{}
		for _, c := range dbCases(t, seed, n) {
			rd, ok := readDataBar(context.Background(), grayOf(c.img))
			if ok && rd.text != c.gtin {
				t.Errorf("seed %d %s: read %s", seed, c.name, rd.text)
			}
			if ok && rd.text == c.gtin {
				read++
				kinds[c.name[:strings.IndexByte(c.name, '-')]]++
			}
			if gozxingDataBar(c.img) == c.gtin {
				theirs++
			}
		}
		t.Logf("seed %d: read %d of %d (%v); gozxing's RSS-14 reader alone %d", seed, read, n, kinds, theirs)
		if read < n*2/3 {
			t.Errorf("seed %d: read %d of %d, want at least two thirds", seed, read, n)
		}
	}
}

// TestDataBarThroughCascade: stacked symbols with thin or fat bars (ink
// spread ±0.4 module), sheared, are read by the decoder as the server
// runs it; some only thanks to the DataBar stage.
func TestDataBarThroughCascade(t *testing.T) {
	d := apiDecoder()
	needStage := 0
	for i, c := range []struct {
		gtin string
		omni bool
		ph   barcodes.ModulePhoto
	}{
		{"04412345678909", true, barcodes.ModulePhoto{Module: 2.6, Angle: -8, Shear: 0.12, Blur: 0.6, Spread: -0.4, Noise: 3, Margin: 20}},
		{"02001234567893", false, barcodes.ModulePhoto{Module: 3.2, Angle: 5, Shear: -0.1, Blur: 0.7, Spread: -0.4, Noise: 3, Margin: 20}},
		{"00012345678905", true, barcodes.ModulePhoto{Module: 3, Angle: 172, Shear: 0.15, Blur: 0.8, Spread: 0.4, Noise: 4, Margin: 20}},
	} {
		rows, err := barcodes.DataBarStacked(c.gtin, c.omni)
		if err != nil {
			t.Fatal(err)
		}
		img := barcodes.RenderModules(rows, c.ph, uint64(i+1))
		if z := gozxingDataBar(img); z != "" {
			t.Logf("%s: gozxing reads %s", c.gtin, z)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		got, err := d.Decode(context.Background(), bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Format != "RSS_14" || got[0].Text != c.gtin {
			t.Errorf("%s: read %s, want RSS_14 %s", c.gtin, describe(got), c.gtin)
		}
		skipDataBar = true
		without, _ := d.Decode(context.Background(), bytes.NewReader(buf.Bytes()))
		skipDataBar = false
		if len(without) > 0 {
			t.Logf("%s: read without the DataBar stage too: %s", c.gtin, describe(without))
		} else {
			needStage++
		}
	}
	if needStage == 0 {
		t.Error("every case is read without the DataBar stage: the test shows nothing")
	}
}

// TestDataBarRefuses: bar patterns that are no DataBar (random bars, an
// EAN-13, UPC-A, UPC-E, Code 128, ITF-14) give no DataBar read, whatever
// the photo's geometry and blur.
func TestDataBarRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var pats [][]bool
	for range 60 {
		var m []bool
		for len(m) < 60+rng.IntN(60) {
			w := 1 + rng.IntN(4)
			dark := len(m) == 0 || !m[len(m)-1] // runs alternate, from a bar
			for range w {
				m = append(m, dark)
			}
		}
		pats = append(pats, m)
	}
	for _, name := range []string{"ean13", "upca", "upce", "ean8", "code128", "itf14"} {
		s := barcodes.SymbolByName(name)
		m, _, err := barcodes.Matrix(s)
		if err != nil {
			t.Fatal(err)
		}
		row := make([]bool, m.GetWidth())
		for x := range row {
			row[x] = m.Get(x, 0)
		}
		pats = append(pats, row)
	}
	for i, p := range pats {
		rows := make([][]bool, 25)
		for r := range rows {
			rows[r] = p
		}
		ph := barcodes.ModulePhoto{Module: 2 + 2*rng.Float64(), Angle: -20 + 40*rng.Float64(), Shear: -0.2 + 0.4*rng.Float64(),
			Blur: 0.3 + rng.Float64(), Spread: -0.4 + 0.8*rng.Float64(), Noise: 3, Margin: 20}
		if rd, ok := readDataBar(context.Background(), grayOf(barcodes.RenderModules(rows, ph, uint64(i)))); ok {
			t.Errorf("pattern %d (%d modules): read DataBar %s", i, len(p), rd.text)
		}
	}
}

// TestDataBarBesideUPCE: a stacked DataBar with a UPC-E printed 3 modules
// to its right or left (its bars the height of both rows) gives the
// DataBar or nothing, and no retail read, through the whole decoder.
func TestDataBarBesideUPCE(t *testing.T) {
	d := apiDecoder()
	s := barcodes.SymbolByName("upce")
	m, _, err := barcodes.Matrix(s)
	if err != nil {
		t.Fatal(err)
	}
	upce := make([]bool, m.GetWidth())
	for x := range upce {
		upce[x] = m.Get(x, 0)
	}
	read := 0
	for i, gtin := range []string{"04412345678909", "02001234567893"} {
		for _, omni := range []bool{false, true} {
			rows, err := barcodes.DataBarStacked(gtin, omni)
			if err != nil {
				t.Fatal(err)
			}
			for side := range 2 {
				var out [][]bool
				for _, r := range rows {
					row := append(append(append([]bool{}, r...), make([]bool, 3)...), upce...)
					if side == 1 {
						row = append(append(append([]bool{}, upce...), make([]bool, 3)...), r...)
					}
					out = append(out, row)
				}
				img := barcodes.RenderModules(out, barcodes.ModulePhoto{Module: 3, Angle: 4, Shear: 0.05, Blur: 0.7, Spread: -0.2, Noise: 3, Margin: 20}, uint64(i))
				var buf bytes.Buffer
				if err := png.Encode(&buf, img); err != nil {
					t.Fatal(err)
				}
				got, err := d.Decode(context.Background(), &buf)
				if err != nil {
					t.Fatal(err)
				}
				for _, bc := range got {
					switch {
					case bc.Format == "RSS_14" && bc.Text == gtin:
						read++
					case isRetail(bc.Format):
						// The UPC-E printed there is a real code.
						if bc.Text != s.Text {
							t.Errorf("%s omni %v side %d: wrong retail read %s", gtin, omni, side, describe(got))
						}
					default:
						t.Errorf("%s omni %v side %d: wrong read %s", gtin, omni, side, describe(got))
					}
				}
			}
		}
	}
	if read == 0 {
		t.Error("no DataBar read beside a UPC-E")
	}
}

func TestDataBarGeneratedEval(t *testing.T) {
	if os.Getenv("DATABAR_EVAL") == "" {
		t.Skip("DATABAR_EVAL=1 lists every generated symbol")
	}
	cases := dbCases(t, 1, 60)
	mine, theirs, wrong := 0, 0, 0
	for _, c := range cases {
		rd, ok := readDataBar(context.Background(), grayOf(c.img))
		z := gozxingDataBar(c.img)
		if ok && rd.text != c.gtin {
			wrong++
			t.Errorf("%s: read %s", c.name, rd.text)
		}
		if ok && rd.text == c.gtin {
			mine++
		}
		if z == c.gtin {
			theirs++
		}
		t.Logf("%-70s mine %v gozxing %v", c.name, ok && rd.text == c.gtin, z == c.gtin)
	}
	t.Logf("read %d, gozxing %d, wrong %d of %d", mine, theirs, wrong, len(cases))
}

// TestDataBarElementsByInk: element widths measured as ink between the
// neighbours' centres stay right under blur that makes thin bars grey,
// where the thresholded widths would shrink them.
func TestDataBarElementsByInk(t *testing.T) {
	widths := []float64{3, 6, 3, 3, 9, 3, 3, 12, 6, 3, 3} // px: bar, space, bar, …, bar
	const step, sigma, pad = 0.5, 1.6, 30.0
	total := pad * 2
	for _, w := range widths {
		total += w
	}
	n := int(total / step)
	p := make([]float32, n)
	for i := range p {
		x := float64(i) * step
		dark := 0.0
		at := pad
		for k, w := range widths {
			if k%2 == 0 { // a bar from at to at+w, blurred
				dark += 0.5 * (math.Erf((x-at)/(sigma*math.Sqrt2)) - math.Erf((x-at-w)/(sigma*math.Sqrt2)))
			}
			at += w
		}
		p[i] = float32(220 - 190*dark)
	}
	el := dbElements(p, step, nil)
	if len(el) != len(widths) { // the quiet zones are not elements
		t.Fatalf("%d elements, want %d: %+v", len(el), len(widths), el)
	}
	for i, w := range widths {
		if d := math.Abs(el[i].w - w); d > 0.35 || el[i].bar != (i%2 == 0) {
			t.Errorf("element %d: %.2f px (bar %v), want %.0f", i, el[i].w, el[i].bar, w)
		}
	}
}

// TestDataBarHalvesOfTwoSymbols: two DataBar Stacked symbols printed side
// by side, the bottom row of the first and the top row of the second
// covered, where the first's left half and the second's right half make
// a valid symbol (the checksum agrees one time in 79): neither symbol nor
// their mix is read. Likewise two linear symbols one above the other, the
// right half of the top one and the left half of the bottom one covered.
func TestDataBarHalvesOfTwoSymbols(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	pairs := 0
	for pairs < 3 {
		a, b, mix, la, lb := mixedPair(rng)
		if mix == "" {
			continue // the halves make no symbol
		}
		pairs++
		sa, _ := barcodes.DataBarStacked(a, false)
		sb, _ := barcodes.DataBarStacked(b, false)
		for _, gap := range []int{0, 2, 8} {
			var rows [][]bool
			for i := range sa {
				ra, rb := sa[i], sb[i]
				if i >= 5 {
					ra = make([]bool, 50)
				} else {
					rb = make([]bool, 50)
				}
				rows = append(rows, append(append(append([]bool{}, ra...), make([]bool, gap)...), rb...))
			}
			ph := barcodes.ModulePhoto{Module: 3, Angle: -10 + 20*rng.Float64(), Shear: -0.1 + 0.2*rng.Float64(), Blur: 0.6, Noise: 3, Margin: 20}
			if rd, ok := readDataBar(context.Background(), grayOf(barcodes.RenderModules(rows, ph, uint64(gap)))); ok {
				t.Errorf("stacked %s beside %s, gap %d: read %s (their mix is %s)", a, b, gap, rd.text, mix)
			}
		}
		for _, gap := range []int{2, 8} {
			top := append(append(append([]bool{}, la[:48]...), true, false), make([]bool, 46)...)
			bottom := append(make([]bool, 46), append([]bool{true, false}, lb[48:]...)...)
			var rows [][]bool
			for range 16 {
				rows = append(rows, top)
			}
			for range gap {
				rows = append(rows, make([]bool, 96))
			}
			for range 16 {
				rows = append(rows, bottom)
			}
			ph := barcodes.ModulePhoto{Module: 3, Angle: -10 + 20*rng.Float64(), Blur: 0.6, Noise: 3, Margin: 20}
			if rd, ok := readDataBar(context.Background(), grayOf(barcodes.RenderModules(rows, ph, uint64(gap)))); ok {
				t.Errorf("linear %s above %s, gap %d: read %s (their mix is %s)", a, b, gap, rd.text, mix)
			}
		}
	}
}

// TestDataBarScanStopsAtDeadline: a dense scan of a photo full of DataBar
// halves (a few hundred milliseconds of fitting) stops at the deadline
// rather than at its last line, so the stage keeps the decoder's timeout.
func TestDataBarScanStopsAtDeadline(t *testing.T) {
	var rows [][]bool
	for r := range 60 {
		var row []bool
		for c := range 5 {
			lin, err := barcodes.DataBar(withCheck(fmt.Sprintf("%013d", 1000003*(r*5+c)+7)))
			if err != nil {
				t.Fatal(err)
			}
			row = append(append(row, lin...), false, false)
		}
		for range 4 {
			rows = append(rows, row)
		}
	}
	g := grayOf(barcodes.RenderModules(rows, barcodes.ModulePhoto{Module: 1.6, Angle: 3, Blur: 0.5, Noise: 2, Margin: 4}, 1))
	theta := dbBarAngles(g)[0]
	var open dbScan
	dbScanAngle(context.Background(), g, theta, 0, 2, 0.5, 2, &open)
	if open.lines == 0 || len(open.halves) == 0 {
		t.Fatalf("%d lines, %d halves without a deadline", open.lines, len(open.halves))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var late dbScan
	dbScanAngle(ctx, g, theta, 0, 2, 0.5, 2, &late)
	if late.lines != 0 {
		t.Errorf("%d of %d lines scanned after the deadline", late.lines, open.lines)
	}
}

// TestDataBarTallOmniRows: a Stacked Omnidirectional symbol printed with
// rows taller than the 33-module least (50 here) is read: its halves lie
// farther apart along the bars.
func TestDataBarTallOmniRows(t *testing.T) {
	const gtin = "00012345678905"
	rows, err := barcodes.DataBarStacked(gtin, true)
	if err != nil {
		t.Fatal(err)
	}
	var tall [][]bool
	for i, r := range rows {
		n := 1
		if i == 0 || i == len(rows)-1 {
			n = 18 // 33 + 17 rows
		}
		for range n {
			tall = append(tall, r)
		}
	}
	img := barcodes.RenderModules(tall, barcodes.ModulePhoto{Module: 2.5, Angle: 6, Shear: 0.05, Blur: 0.6, Noise: 3, Margin: 20}, 1)
	if rd, ok := readDataBar(context.Background(), grayOf(img)); !ok || rd.text != gtin {
		t.Errorf("read %q, %v; want %s", rd.text, ok, gtin)
	}
}

// TestDataBarStaggeredLinearPair: two linear DataBar symbols one above
// the other, the lower one shifted half a symbol to the left, so that the
// left half of the top one sits right above the right half of the bottom
// one, as a Stacked symbol's rows do. Their outer halves (the top one's
// right, the bottom one's left) are covered, or only their outside
// characters are, so they read nothing. Where the two halves' checksum
// names their finders (one time in 79), they look like one Stacked
// symbol but for what lies between the rows: paper (and, in a Stacked
// symbol, a separator that is the rows' complement). Nothing is read.
func TestDataBarStaggeredLinearPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	pairs := 0
	for pairs < 3 {
		a, b, mix, la, lb := mixedPair(rng)
		if mix == "" {
			continue // the halves make no symbol
		}
		pairs++
		for cover := range 2 {
			// Canvas 142 modules: the top symbol at 46..141, the bottom
			// one at 0..95; the top's left half (48..93) over the
			// bottom's right half (48..93).
			top := append(make([]bool, 46), la...)
			bottom := append(append([]bool{}, lb...), make([]bool, 46)...)
			if cover == 0 { // the outer halves covered
				clear(top[46+48:])
				clear(bottom[:48])
			} else { // only their outside characters and guards
				clear(top[46+78:])
				clear(bottom[:18])
			}
			for _, gap := range []int{2, 4, 10} {
				var rows [][]bool
				for range 14 {
					rows = append(rows, top)
				}
				for range gap {
					rows = append(rows, make([]bool, len(top)))
				}
				for range 14 {
					rows = append(rows, bottom)
				}
				ph := barcodes.ModulePhoto{Module: 2.5 + rng.Float64(), Angle: -10 + 20*rng.Float64(), Blur: 0.4 + 0.6*rng.Float64(), Noise: 3, Margin: 20}
				if rd, ok := readDataBar(context.Background(), grayOf(barcodes.RenderModules(rows, ph, uint64(gap)))); ok {
					t.Errorf("linear %s over %s shifted half a symbol, cover %d, gap %d: read %s (their mix is %s)", a, b, cover, gap, rd.text, mix)
				}
			}
		}
	}
}

// mixedPair draws two random GTINs a and b and returns with them mix, the
// GTIN whose symbol has a's left half and b's right half, or "" when those
// halves make no valid symbol (their checksum agrees one time in 79), and
// the modules of a's and b's linear symbols.
func mixedPair(rng *rand.Rand) (a, b, mix string, la, lb []bool) {
	a = withCheck(fmt.Sprintf("%013d", rng.Int64N(1e13)))
	b = withCheck(fmt.Sprintf("%013d", rng.Int64N(1e13)))
	av, _ := strconv.ParseInt(a[:13], 10, 64)
	bv, _ := strconv.ParseInt(b[:13], 10, 64)
	mix = withCheck(fmt.Sprintf("%013d", av/4537077*4537077+bv%4537077))
	la, _ = barcodes.DataBar(a)
	lb, _ = barcodes.DataBar(b)
	lm, _ := barcodes.DataBar(mix)
	if mix == a || mix == b || !slices.Equal(lm[:48], la[:48]) || !slices.Equal(lm[48:], lb[48:]) {
		return a, b, "", la, lb
	}
	return a, b, mix, la, lb
}
