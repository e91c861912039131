package scan

import (
	"context"
	"math"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// readDeform runs the deformable-template reader alone on g (no model
// fits reused) and returns the code the bands agree on, "" for none.
func readDeform(g *gray) string {
	text, _ := deformVote(readDeformBands(context.Background(), g, nil))
	return text
}

// deformStressCases are the renderings of the never-wrong test: the
// model, and every departure from it the blurred EAN tests use, alone and
// mixed, with perspective both ways.
var deformStressCases = append(append([]blurPhysics{}, blurPhysicsCases...), blurHeavyCases[1:]...)

// deformStress renders perCase random EAN-13 codes per physics case and
// seed, at mMin to mMin+mSpan pixels a module and kMin to kMin+kSpan
// modules of blur, and counts the deformable reader's right and wrong
// reads (every wrong read is an error).
func deformStress(t *testing.T, cases []blurPhysics, perCase int, seeds []int64, mMin, mSpan, kMin, kSpan float64) (n, read int) {
	t.Helper()
	for _, ph := range cases {
		cn, ok := 0, 0
		for _, seed := range seeds {
			rng := rand.New(rand.NewSource(seed))
			for i := 0; i < perCase; i++ {
				text := randomEAN(rng)
				m := mMin + rng.Float64()*mSpan
				k := kMin + rng.Float64()*kSpan
				span := 95 * m * (1 + max(0, ph.persp)/2)
				x0 := 12 + rng.Float64()*max(0, 228-span-12)
				g := renderBlurPhysics(eanModulesOf(text), 240, 120, x0, m, k*m, ph, rng)
				got := readDeform(g)
				cn++
				switch {
				case got == text:
					ok++
				case got != "":
					t.Errorf("%s seed %d case %d: %s (%.2f px a module, blur %.2f modules) read as %s", ph.name, seed, i, text, m, k, got)
				}
			}
		}
		t.Logf("%-13s %3d of %3d read", ph.name, ok, cn)
		n += cn
		read += ok
	}
	t.Logf("all: %d of %d read", read, n)
	return n, read
}

// TestDeformEANNeverWrong renders random EAN-13 codes from 0.85 to 2.4
// pixels a module, blurred by 0.3 to 2.2 modules (many beyond reading),
// under every physics case, and requires each read of the deformable
// reader to be the code printed or nothing. DEFORM_STRESS_N=n runs n codes
// per case and seed on five other seeds.
func TestDeformEANNeverWrong(t *testing.T) {
	perCase, seeds := 2, []int64{71, 72}
	if v, err := strconv.Atoi(os.Getenv("DEFORM_STRESS_N")); err == nil && v > 0 {
		perCase, seeds = v, []int64{81, 82, 83, 84, 85}
	}
	if _, read := deformStress(t, deformStressCases, perCase, seeds, 0.85, 1.55, 0.3, 1.9); read == 0 {
		t.Errorf("nothing read: the renderings are beyond the reader and the test proves nothing")
	}
}

// TestDeformEANReadsSmall: EAN-13 at 0.9 to 1.4 pixels a module, mildly
// blurred, with perspective, noise and JPEG, are read by the deformable
// reader; a fifth of them at least (when written: see the log).
func TestDeformEANReadsSmall(t *testing.T) {
	cases := []blurPhysics{
		{name: "model", gamma: 2.2, noise: 3},
		{name: "persp5%", gamma: 2.2, noise: 3, persp: 0.05},
		{name: "jpeg75", gamma: 2.2, noise: 2, jpegQ: 75},
	}
	n, read := deformStress(t, cases, 8, []int64{91}, 0.9, 0.5, 0.3, 0.5)
	if read*5 < n {
		t.Errorf("only %d of %d small EAN-13 read", read, n)
	}
}

// TestDeformEANInCascade: an EAN-13 small and blurred enough that no
// other stage reads it is read by the deformable stage through the whole
// cascade, as the server decodes; with the stage off it is not read. (A
// stage's read is dropped when another stage misread something over the
// same bars, as with seed 6: that gives nothing, never a wrong code.)
func TestDeformEANInCascade(t *testing.T) {
	if !deformEAN {
		t.Skip("the deformable stage is off")
	}
	found := 0
	for seed := int64(1); seed <= 40 && found < 2; seed++ {
		rng := rand.New(rand.NewSource(seed))
		text := randomEAN(rng)
		m := 0.95 + rng.Float64()*0.3
		g := renderBlurPhysics(eanModulesOf(text), 240, 120, 60, m, 0.55*m, blurPhysics{name: "p", gamma: 2.2, noise: 3, persp: 0.04}, rng)
		r := apiDecoder().cascade(context.Background(), g)
		if r.deformReads == 0 {
			continue
		}
		bcs := r.col.barcodes()
		want := text
		if want[0] == '0' {
			want = want[1:]
		}
		if len(bcs) == 0 {
			continue // vetoed: another stage misread something over the bars
		}
		if len(bcs) != 1 || bcs[0].Text != want {
			t.Errorf("seed %d: %s read as %s", seed, text, describe(bcs))
		}
		found++
		deformEAN = false
		if bcs := apiDecoder().cascade(context.Background(), g).col.barcodes(); len(bcs) != 0 {
			t.Errorf("seed %d: read without the deformable stage too (%s): the test proves nothing", seed, describe(bcs))
		}
		deformEAN = true
	}
	if found == 0 {
		t.Errorf("the deformable stage read none of the small EAN-13")
	}
}

// TestDeformEANRefuses: blurred EAN-8, UPC-E, ITF-14 and Code 128
// symbols, random bars, an EAN-13 torn in half and noise give no read; an
// EAN-13 mirrored or upside down gives no read or the right one.
func TestDeformEANRefuses(t *testing.T) {
	rng := rand.New(rand.NewSource(23))
	const w = 240
	render := func(mods []float64, m, k float64) *gray {
		m = min(m, 220/float64(len(mods)))
		x0 := (w - m*float64(len(mods))) / 2
		return blurredEANImage(mods, w, 120, x0, m, k*m, 3, rng)
	}
	for range 4 {
		upce, body := "", "0"+randomDigits(rng, 6)
		for c := range 10 {
			s := body + string(byte('0'+c))
			if full, err := ExpandUPCE(s); err == nil && ValidGTIN(full) {
				upce = s
				break
			}
		}
		var random, torn []float64
		for range 95 {
			random = append(random, float64(rng.Intn(2)))
		}
		torn = append(eanModulesOf(randomEAN(rng))[:50], make([]float64, 45)...)
		for _, c := range []struct {
			name string
			mods []float64
		}{
			{"EAN-8", modulesOf(t, gtinCheck(randomDigits(rng, 7)), gozxing.BarcodeFormat_EAN_8)},
			{"UPC-E", modulesOf(t, upce, gozxing.BarcodeFormat_UPC_E)},
			{"ITF-14", modulesOf(t, gtinCheck(randomDigits(rng, 13)), gozxing.BarcodeFormat_ITF)},
			{"Code 128", modulesOf(t, randomDigits(rng, 12), gozxing.BarcodeFormat_CODE_128)},
			{"random bars", random},
			{"torn EAN-13", torn},
			{"noise", make([]float64, 95)},
		} {
			for _, m := range []float64{1, 1.6} {
				for _, k := range []float64{0.4, 0.8, 1.3} {
					if text := readDeform(render(c.mods, m, k)); text != "" {
						t.Errorf("%s at %.1f px a module blurred %.1f modules: read as EAN %s", c.name, m, k, text)
					}
				}
			}
		}
		ean := randomEAN(rng)
		for _, k := range []float64{0.4, 0.8} {
			g := render(eanModulesOf(ean), 1.5, k)
			for name, turned := range map[string]*gray{"mirrored": g.mirror(), "upside down": g.rotate90().rotate90()} {
				if text := readDeform(turned); text != "" && text != ean {
					t.Errorf("%s %s blurred %.1f modules: read as %s", name, ean, k, text)
				}
			}
		}
	}
}

// TestDeformDP checks the dynamic programme against brute force: with
// one shift allowed, two cheap patterns per slot (the rest far dearer),
// the best valid code and the best other valid code are found by trying
// every combination of the cheap patterns, as is the best code with the
// check digit ignored (anySum), and the best such code unlike the best
// valid one; with every shift allowed and
// the same costs at each, the answer is the same.
func TestDeformDP(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := range 20 {
		var dc deformCosts
		var cheap [12][2]int // per slot, two cheap digits
		var cc [12][20]float64
		for j := range 12 {
			for p := range 20 {
				cc[j][p] = 1000 + rng.Float64()
			}
			a := rng.Intn(10)
			b := (a + 1 + rng.Intn(9)) % 10
			cheap[j] = [2]int{a, b}
			for _, d := range cheap[j] {
				c := rng.Float64()
				cc[j][d], cc[j][10+d] = c, c+rng.Float64()*0.3
			}
		}
		g0, g1, g2 := rng.Float64(), rng.Float64(), rng.Float64()
		// brute force over first digit and the cheap choices
		score := func(code [13]int) float64 {
			par := eanParity[code[0]]
			c := g0 + g1 + g2
			for j := range 12 {
				off := 0
				if j < 6 && par&(1<<(5-j)) != 0 {
					off = 10
				}
				c += cc[j][off+code[j+1]]
			}
			return c
		}
		valid := func(code [13]int) bool {
			s := code[0]
			for j := range 12 {
				w := 3
				if j%2 == 1 {
					w = 1
				}
				s += w * code[j+1]
			}
			return s%10 == 0
		}
		var best [13]int
		bestC, secondC, freeC := math.Inf(1), math.Inf(1), math.Inf(1)
		type scored struct {
			code [13]int
			c    float64
		}
		var free []scored
		for first := range 10 {
			for mask := range 1 << 12 {
				var code [13]int
				code[0] = first
				for j := range 12 {
					code[j+1] = cheap[j][mask>>j&1]
				}
				freeC = min(freeC, score(code))
				free = append(free, scored{code, score(code)})
				if !valid(code) {
					continue
				}
				c := score(code)
				if c < bestC {
					secondC, bestC, best = bestC, c, code
				} else if c < secondC {
					secondC = c
				}
			}
		}
		if math.IsInf(secondC, 1) {
			continue
		}
		for _, all := range []bool{false, true} {
			for i := range deformNS {
				dc.ok[i] = all || i == deformShifts
				for j := range 12 {
					dc.slot[i][j] = cc[j]
					dc.slotVar[i][j] = 1
				}
				dc.guard[i] = [3]float64{g0, g1, g2}
			}
			d, c, _, _ := dc.dp(nil)
			// with 1000 on the dear patterns, the brute force over the
			// cheap ones is the optimum when it is below 1000
			if d != best || math.Abs(c-bestC) > 1e-9 {
				t.Errorf("trial %d (all shifts %v): dp %v %.4f, brute force %v %.4f", trial, all, d, c, best, bestC)
			}
			dc.anySum = true
			if _, c, _, _ := dc.dp(nil); math.Abs(c-freeC) > 1e-9 {
				t.Errorf("trial %d (all shifts %v): free code %.4f, brute force %.4f", trial, all, c, freeC)
			}
			freeOther := math.Inf(1) // the best sequence unlike the best valid code
			for _, f := range free {
				if f.code != best {
					freeOther = min(freeOther, f.c)
				}
			}
			if _, c, _, _ := dc.dp(&best); math.Abs(c-freeOther) > 1e-9 {
				t.Errorf("trial %d (all shifts %v): free other code %.4f, brute force %.4f", trial, all, c, freeOther)
			}
			dc.anySum = false
			if secondC < 1000 {
				_, c2, _, _ := dc.dp(&best)
				if math.Abs(c2-secondC) > 1e-9 {
					t.Errorf("trial %d (all shifts %v): other code %.4f, brute force %.4f", trial, all, c2, secondC)
				}
			}
		}
	}
}
