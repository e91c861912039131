package scan

import (
	"context"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
)

// addOn5Modules returns the modules of an EAN-5 add-on (start guard
// 1011, digits in L/G codes by the add-on's check, separators 01).
func addOn5Modules(s string) []float64 {
	var d [5]int
	for i := range d {
		d[i] = int(s[i] - '0')
	}
	c := (3*(d[0]+d[2]+d[4]) + 9*(d[1]+d[3])) % 10
	// per check value, which digits use G codes (bit 4 = first digit)
	par := [10]int{0x18, 0x14, 0x12, 0x11, 0x0C, 0x06, 0x03, 0x0A, 0x09, 0x05}[c]
	out := []float64{1, 0, 1, 1}
	for i := range 5 {
		if i > 0 {
			out = append(out, 0, 1)
		}
		cs := 0
		if par&(1<<(4-i)) != 0 {
			cs = 1
		}
		p := eanPatterns[cs][d[i]]
		out = append(out, p[:]...)
	}
	return out
}

// joinMods returns a, gap white modules and b.
func joinMods(a []float64, gap int, b []float64) []float64 {
	out := append([]float64{}, a...)
	out = append(out, make([]float64, gap)...)
	return append(out, b...)
}

// stackGray returns a over b, keeping rows [0, cutA) of a and [cutB, h)
// of b: two symbols stacked with the paper between them cut short.
func stackGray(a, b *gray, cutA, cutB int) *gray {
	g := &gray{w: a.w, h: cutA + b.h - cutB}
	g.pix = append(append([]byte{}, a.pix[:cutA*a.w]...), b.pix[cutB*b.w:]...)
	return g
}

// swap5EAN returns a random valid EAN-13 holding two neighbouring digits
// that differ by 5 and the valid code with those two swapped (the check
// digit does not see the swap: 1·a + 3·b ≡ 1·b + 3·a mod 10 when
// a - b = ±5).
func swap5EAN(rng *rand.Rand) (string, string) {
	for {
		text := randomEAN(rng)
		b := []byte(text)
		i := 1 + rng.Intn(10) // digits 1..11 and their right neighbour
		a := int(b[i] - '0')
		b[i+1] = byte('0' + (a+5)%10)
		t := withEANCheck(string(b[:12]))
		s := []byte(t)
		s[i], s[i+1] = s[i+1], s[i]
		if string(s) != t && ValidGTIN(string(s)) {
			return t, string(s)
		}
	}
}

// TestDeformEANAdversarial renders, at 0.7 to 2 pixels a module and
// blurs from light to hopeless, pictures built to tempt the deformable
// reader into a wrong EAN-13: an EAN-13 beside its own EAN-8, beside
// another EAN-13, stacked over another, with an EAN-5 add-on, beside a
// Code 128 or ITF; EAN-8 and UPC-E alone; a label torn in the middle with
// another code's half beside it; codes with a neighbour valid code one
// swap away; symbols mirrored. The reader alone must return a code that
// is printed whole in the picture (for the torn labels: nothing, unless
// the two halves happen to make a valid code).
// DEFORM_ADV_N=n renders n pictures per case (default 1) on another seed,
// with more physics, sizes and blurs.
func TestDeformEANAdversarial(t *testing.T) {
	n, seed := 1, int64(5)
	phys := []blurPhysics{
		{name: "model", gamma: 2.2, noise: 3},
		{name: "jpeg60", gamma: 2.2, noise: 2, jpegQ: 60},
	}
	ms, ks := []float64{0.7, 1.2, 2}, []float64{0.5, 1, 2.5}
	if v, err := strconv.Atoi(os.Getenv("DEFORM_ADV_N")); err == nil && v > 0 {
		n, seed = v, 505
		phys = append(phys, blurPhysics{name: "persp8%", gamma: 2.2, noise: 3, persp: 0.08},
			blurPhysics{name: "mixed", gamma: 1.9, noise: 5, spread: 0.12, persp: -0.06, motion: 2, jpegQ: 60})
		ms, ks = []float64{0.7, 0.85, 1, 1.2, 1.6, 2}, []float64{0.4, 0.6, 0.8, 1, 1.3, 1.6, 2.5, 3.5}
	}
	rng := rand.New(rand.NewSource(seed))
	type picture struct {
		name  string
		g     *gray
		allow []string // codes printed whole
	}
	const w, h = 320, 120
	// render places mods centred at m pixels a module (shrunk to fit).
	render := func(mods []float64, m, k float64, ph blurPhysics) *gray {
		m = min(m, 0.9*w/float64(len(mods))/(1+max(0, ph.persp)/2))
		x0 := (w - m*float64(len(mods))*(1+max(0, ph.persp)/2)) / 2
		return renderBlurPhysics(mods, w, h, x0, m, k*m, ph, rng)
	}
	upceOf := func() string {
		for {
			body := "0" + randomDigits(rng, 6)
			for c := range 10 {
				s := body + string(byte('0'+c))
				if full, err := ExpandUPCE(s); err == nil && ValidGTIN(full) {
					return s
				}
			}
		}
	}
	total, read, wrong := 0, 0, 0
	for range n {
		a, b := randomEAN(rng), randomEAN(rng)
		sa, sb := swap5EAN(rng)
		ean8 := gtinCheck(a[1:8])
		isbn := withEANCheck("978" + randomDigits(rng, 9))
		am, bm := eanModulesOf(a), eanModulesOf(b)
		// a torn label's halves may happen to make a valid code: then it
		// is printed whole, as far as any reader can tell
		var spliced []string
		if c := a[:7] + b[7:]; ValidGTIN(c) {
			spliced = []string{c}
		}
		pictures := func(m, k float64, ph blurPhysics) []picture {
			ps := []picture{
				{"EAN-13 + own EAN-8", render(joinMods(am, 10, modulesOf(t, ean8, gozxing.BarcodeFormat_EAN_8)), m, k, ph), []string{a}},
				{"EAN-8 + EAN-13", render(joinMods(modulesOf(t, ean8, gozxing.BarcodeFormat_EAN_8), 10, am), m, k, ph), []string{a}},
				{"EAN-8 alone", render(modulesOf(t, ean8, gozxing.BarcodeFormat_EAN_8), m, k, ph), nil},
				{"UPC-E alone", render(modulesOf(t, upceOf(), gozxing.BarcodeFormat_UPC_E), m, k, ph), nil},
				{"two EAN-13 side by side", render(joinMods(am, 12, bm), m, k, ph), []string{a, b}},
				{"ISBN + add-on", render(joinMods(eanModulesOf(isbn), 9, addOn5Modules(randomDigits(rng, 5))), m, k, ph), []string{isbn}},
				{"EAN-13 + Code 128", render(joinMods(am, 12, modulesOf(t, randomDigits(rng, 12), gozxing.BarcodeFormat_CODE_128)), m, k, ph), []string{a}},
				{"ITF-14 + EAN-13", render(joinMods(modulesOf(t, gtinCheck(randomDigits(rng, 13)), gozxing.BarcodeFormat_ITF), 12, am), m, k, ph), []string{a}},
				{"torn: left of A, right of B", render(append(append([]float64{}, am[:50]...), bm[50:]...), m, k, ph), spliced},
				{"torn: left half + white", render(append(append([]float64{}, am[:48]...), make([]float64, 47)...), m, k, ph), nil},
				{"swap-5 neighbour", render(eanModulesOf(sa), m, k, ph), []string{sa}},
				{"swap-5 neighbour (other)", render(eanModulesOf(sb), m, k, ph), []string{sb}},
			}
			ga, gb := render(am, m, k, ph), render(bm, m, k, ph)
			ps = append(ps, picture{"stacked close", stackGray(ga, gb, 4*h/5+3, h/5-3), []string{a, b}})
			ga = render(am, m, k, ph)
			ps = append(ps, picture{"mirrored", ga.mirror(), []string{a}})
			return ps
		}
		for _, ph := range phys {
			for _, m := range ms {
				for _, k := range ks {
					for _, p := range pictures(m, k, ph) {
						total++
						got := readDeform(p.g)
						if got == "" {
							continue
						}
						ok := false
						for _, c := range p.allow {
							ok = ok || c == got
						}
						if ok {
							read++
							continue
						}
						wrong++
						t.Errorf("%s (%s, %.2f px a module, blur %.1f modules; printed %v): read as %s", p.name, ph.name, m, k, p.allow, got)
					}
				}
			}
		}
	}
	t.Logf("%d pictures, %d read right, %d wrong", total, read, wrong)
}

// TestDeformOddImages: tiny, thin and odd pictures (flat, noise, stripes
// of every period, a symbol cut by the picture's edge) give the
// deformable reader no panic and no read.
func TestDeformOddImages(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	sizes := [][2]int{{1, 1}, {2, 3}, {7, 5}, {16, 16}, {40, 2}, {2, 40}, {97, 9}, {160, 12}, {300, 4}, {64, 64}, {1000, 1}, {1, 1000}, {250, 49}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		for kind := range 4 {
			g := &gray{w: w, h: h, pix: make([]byte, w*h)}
			period := 1 + rng.Intn(6)
			for y := range h {
				for x := range w {
					var v byte
					switch kind {
					case 0:
						v = 200
					case 1:
						v = byte(rng.Intn(256))
					case 2:
						if (x/period)%2 == 0 {
							v = 40
						} else {
							v = 220
						}
					default:
						v = byte(128 + 100*((x*x/7+x)%3-1))
					}
					g.pix[y*w+x] = v
				}
			}
			if got := readDeform(g); got != "" {
				t.Errorf("%d×%d picture of kind %d: read as %s", w, h, kind, got)
			}
		}
	}
	// a symbol running off either edge of the picture
	for _, x0 := range []float64{-40, 150} {
		text := randomEAN(rng)
		g := renderBlurPhysics(eanModulesOf(text), 240, 60, x0, 1.5, 0.8, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
		if got := readDeform(g); got != "" {
			t.Errorf("%s cut by the edge (x0 %.0f): read as %s", text, x0, got)
		}
	}
}

// TestDeformStopsOnContext: with the context cancelled the deformable
// reader returns no bands; with deadlines that fall part way through, it
// returns no bands or every band, never a vote on a part.
func TestDeformStopsOnContext(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	var g *gray
	var text string
	for range 40 {
		text = randomEAN(rng)
		g = renderBlurPhysics(eanModulesOf(text), 240, 120, 50, 1.1, 0.6, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
		if readDeform(g) == text {
			break
		}
		g = nil
	}
	if g == nil {
		t.Fatal("no symbol read with a live context")
	}
	full := len(readDeformBands(context.Background(), g, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if bands := readDeformBands(ctx, g, nil); bands != nil {
		t.Errorf("%d bands read with the context cancelled", len(bands))
	}
	for _, d := range []time.Duration{100 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		bands := readDeformBands(ctx, g, nil)
		cancel()
		if bands != nil && len(bands) != full {
			t.Errorf("deadline %v: %d of %d bands returned", d, len(bands), full)
		}
		if got, _ := deformVote(bands); got != "" && got != text {
			t.Errorf("deadline %v: read as %s", d, got)
		}
	}
}

// TestDeformEANVetoedByBlurredBand: the blurred EAN stage reads nothing
// when its bands accept two codes; the deformable stage run after it
// must not then read one of them: a band the blurred stage accepted with
// another code vetoes the deformable read, one with the same code does
// not.
func TestDeformEANVetoedByBlurredBand(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for range 40 {
		text := randomEAN(rng)
		m := 0.95 + rng.Float64()*0.3
		g := renderBlurPhysics(eanModulesOf(text), 240, 120, 60, m, 0.55*m, blurPhysics{name: "p", gamma: 2.2, noise: 3, persp: 0.04}, rng)
		keep := map[int]eanRead{}
		if got, _ := readBlurredBandsKeep(context.Background(), g, keep); got != "" || readDeform(g) != text {
			continue
		}
		other := randomEAN(rng)
		for _, c := range []struct {
			code string
			read bool
		}{{text, true}, {other, false}} {
			bases := map[int]eanRead{}
			for y, b := range keep {
				bases[y] = b
			}
			// a band line no band of either stage uses
			fake := eanRead{ok: true, winVar: 100, cost: 5, free: 5, second: 6, worst: 0.1}
			for i := range fake.digits {
				fake.digits[i] = int(c.code[i] - '0')
			}
			bases[-1] = fake
			r := &run{ctx: context.Background(), col: newCollector(), firstGood: -1}
			r.deformEAN(&view{g: g, scale: 1}, bases)
			if got := r.deformReads > 0; got != c.read {
				t.Errorf("%s with a blurred band accepting %s: read %v, want %v", text, c.code, got, c.read)
			}
		}
		return
	}
	t.Fatal("no test symbol that only the deformable stage reads")
}
