package scan

import (
	"math/rand"
	"os"
	"strconv"
	"testing"

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
// DEFORM_ADV_N=n renders n pictures per case (default 2) on another seed.
func TestDeformEANAdversarial(t *testing.T) {
	n, seed := 1, int64(5)
	if v, err := strconv.Atoi(os.Getenv("DEFORM_ADV_N")); err == nil && v > 0 {
		n, seed = v, 505
	}
	rng := rand.New(rand.NewSource(seed))
	phys := []blurPhysics{
		{name: "model", gamma: 2.2, noise: 3},
		{name: "persp8%", gamma: 2.2, noise: 3, persp: 0.08},
		{name: "jpeg60", gamma: 2.2, noise: 2, jpegQ: 60},
	}
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
			for _, m := range []float64{0.7, 0.85, 1.2, 2} {
				for _, k := range []float64{0.5, 1, 1.6, 2.5} {
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
