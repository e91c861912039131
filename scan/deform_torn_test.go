package scan

import (
	"context"
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// TestDeformEANNoCheckCorrection: a label torn in the middle and patched
// with another code's right half whose digits do not make a valid code
// (nine in ten), lightly blurred, so that every digit is clear: the
// reader must read nothing. The programme can make a valid code by
// changing one digit; that digit then fits its slot poorly, but changing
// any other digit fits worse, so the margin passes. A digit blotted out
// (ink or glare over its inner modules) gives the code printed or
// nothing. DEFORM_TORN_N=n renders n of each (default 24).
func TestDeformEANNoCheckCorrection(t *testing.T) {
	n := 24
	if v, err := strconv.Atoi(os.Getenv("DEFORM_TORN_N")); err == nil && v > 0 {
		n = v
	}
	rng := rand.New(rand.NewSource(11))
	ph := blurPhysics{name: "model", gamma: 2.2, noise: 3}
	torn, blotted, blotRead := 0, 0, 0
	for torn < n || blotted < n {
		a, b := randomEAN(rng), randomEAN(rng)
		m := 0.9 + rng.Float64()*1.3
		k := 0.4 + rng.Float64()*0.6
		am := eanModulesOf(a)
		if torn < n && !ValidGTIN(a[:7]+b[7:]) {
			torn++
			mods := append(append([]float64{}, am[:50]...), eanModulesOf(b)[50:]...)
			g := renderBlurPhysics(mods, 320, 120, 60, m, k*m, ph, rng)
			if got := readDeform(g); got != "" {
				t.Errorf("%s torn, patched with the right half of %s (%.2f px a module, blur %.2f modules): read as %s", a, b, m, k, got)
			}
		}
		if blotted < n {
			blotted++
			j := rng.Intn(12)
			at := eanLeftAt + 7*j
			if j >= 6 {
				at = eanRightAt + 7*(j-6)
			}
			mods := append([]float64{}, am...)
			ink := float64(rng.Intn(2))
			for i := 1; i < 6; i++ {
				mods[at+i] = ink
			}
			g := renderBlurPhysics(mods, 320, 120, 60, m, k*m, ph, rng)
			switch got := readDeform(g); got {
			case "":
			case a:
				blotRead++
			default:
				t.Errorf("%s with digit %d blotted (%.2f px a module, blur %.2f modules): read as %s", a, j+2, m, k, got)
			}
		}
	}
	t.Logf("%d torn, %d blotted (%d of them read right)", torn, blotted, blotRead)
}

// TestBlurredEANNoCheckCorrection: the blurred EAN stage reads nothing
// from torn labels patched with another code's right half (digits that
// make no valid code), blurred by 0.4 to 1.2 modules. Before its
// correction rule it read 1 of these 150 as a wrong code.
// DEFORM_TORN_N=n renders n (default 150) on another seed.
func TestBlurredEANNoCheckCorrection(t *testing.T) {
	n, seed := 150, int64(99)
	if v, err := strconv.Atoi(os.Getenv("DEFORM_TORN_N")); err == nil && v > 0 {
		n, seed = v, 199
	}
	rng := rand.New(rand.NewSource(seed))
	ph := blurPhysics{name: "model", gamma: 2.2, noise: 3}
	for i := 0; i < n; {
		a, b := randomEAN(rng), randomEAN(rng)
		if ValidGTIN(a[:7] + b[7:]) {
			continue
		}
		i++
		m := 0.9 + rng.Float64()*1.3
		k := 0.4 + rng.Float64()*0.8
		mods := append(append([]float64{}, eanModulesOf(a)[:50]...), eanModulesOf(b)[50:]...)
		g := renderBlurPhysics(mods, 320, 120, 60, m, k*m, ph, rng)
		if got, _ := readBlurredBands(context.Background(), g); got != "" {
			t.Errorf("%s torn, patched with the right half of %s (%.2f px a module, blur %.2f modules): read as %s", a, b, m, k, got)
		}
	}
}

// blotCase renders, from seed alone, a random EAN-13 at 0.9 to 2.2
// pixels a module, blurred by 0.4 to 1 module, with the five inner
// modules of one digit blotted out (ink or glare over the whole bar
// height: a crease, a smear, a sticker's edge). It returns the code.
func blotCase(seed int64) (string, *gray) {
	rng := rand.New(rand.NewSource(seed))
	a := randomEAN(rng)
	m := 0.9 + rng.Float64()*1.3
	k := 0.4 + rng.Float64()*0.6
	j := rng.Intn(12)
	at := eanLeftAt + 7*j
	if j >= 6 {
		at = eanRightAt + 7*(j-6)
	}
	mods := eanModulesOf(a)
	ink := float64(rng.Intn(2))
	for i := 1; i < 6; i++ {
		mods[at+i] = ink
	}
	return a, renderBlurPhysics(mods, 320, 120, 60, m, k*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
}

// TestDeformEANBlotted: an EAN-13 with one digit blotted out (blotCase)
// is read right or not at all. The seeds are those a scan of 500 found
// read wrong before the free-margin rule (316, 334: the blot fitted as
// some digit, the code valid by chance) and before deformMaxWorst came
// down to 0.3 (371: first digit and two parities changed).
// DEFORM_BLOT_N=n scans seeds 1 to n instead.
func TestDeformEANBlotted(t *testing.T) {
	seeds := []int64{316, 334, 371}
	if v, err := strconv.Atoi(os.Getenv("DEFORM_BLOT_N")); err == nil && v > 0 {
		seeds = seeds[:0]
		for s := range v {
			seeds = append(seeds, int64(s+1))
		}
	}
	right := 0
	for _, seed := range seeds {
		a, g := blotCase(seed)
		switch got := readDeform(g); got {
		case "":
		case a:
			right++
		default:
			t.Errorf("seed %d: %s with a digit blotted read as %s", seed, a, got)
		}
	}
	t.Logf("%d blotted, %d read right", len(seeds), right)
}

// TestTornAndBlottedInCascade: torn labels patched with another code's
// half (no valid code) and EAN-13 with a digit blotted, decoded by the
// whole cascade as the server does: when the blurred or deformable stage
// read something (they should not: a blotted code reads right only by
// luck), no retail read but the code printed (for the blotted ones). (The binarizing stages before them misread some of these
// pictures on their own: see TestBlurredEANCascadeMisreads.)
// DEFORM_CASCADE_N=n decodes n of each (default 10, and the blotted
// seeds once read wrong by the deformable stage alone).
func TestTornAndBlottedInCascade(t *testing.T) {
	n, seed := 10, int64(61)
	if v, err := strconv.Atoi(os.Getenv("DEFORM_CASCADE_N")); err == nil && v > 0 {
		n, seed = v, 161
	}
	rng := rand.New(rand.NewSource(seed))
	ph := blurPhysics{name: "model", gamma: 2.2, noise: 3}
	fitted := 0
	check := func(name string, g *gray, allowed string) {
		r := apiDecoder().cascade(context.Background(), g)
		if r.blurReads+r.deformReads == 0 {
			return
		}
		fitted++
		for _, bc := range r.col.barcodes() {
			if isRetail(bc.Format) && (allowed == "" || retailGTIN(bc.Format, bc.Text) != retailGTIN("EAN_13", allowed)) {
				t.Errorf("%s: read %s %s", name, bc.Format, bc.Text)
			}
		}
	}
	for i := 0; i < n; {
		a, b := randomEAN(rng), randomEAN(rng)
		if ValidGTIN(a[:7] + b[7:]) {
			continue
		}
		i++
		m := 0.9 + rng.Float64()*1.3
		k := 0.4 + rng.Float64()*0.8
		mods := append(append([]float64{}, eanModulesOf(a)[:50]...), eanModulesOf(b)[50:]...)
		check(a+" torn, patched with the right half of "+b, renderBlurPhysics(mods, 320, 120, 60, m, k*m, ph, rng), "")
	}
	seeds := []int64{316, 334, 371}
	for i := range n {
		seeds = append(seeds, seed*100+int64(i))
	}
	for _, s := range seeds {
		a, g := blotCase(s)
		check(a+" blotted (seed "+strconv.FormatInt(s, 10)+")", g, a)
	}
	t.Logf("%d pictures read by a fitted stage", fitted)
}

// TestBlurredEANCascadeMisreads: plain blurred EAN-13 (no blot, the blur
// model itself: 0.9 to 2.2 pixels a module, 0.4 to 1 module of blur,
// noise 3) decoded by the whole cascade: no other product is ever read.
// Before the cross-check (xcheck.go), 3 of 300 were misread by binarizing
// stages before the blurred and deformable stages run (each of those
// reads the code right alone): seed 6069, 1225240963871 read as EAN-13
// 4181240963877 on 12 lines of the first stage (row histogram, ZXing);
// 6146, 5003338152385 as EAN-13 2023438152385 on 3 lines of it (the
// right code on 1); 6028, 2241670976365 as UPC-E 11124894 (stage 11, two
// reads); 7231 and 7339, EAN-13 misread on lines read backwards (the
// cross-check then reads the region both ways round); 7275, 9157070244160
// as UPC-E 14611476, and 7566, 1420108840169 as EAN-13 2420848840169, both
// by late stages only, at 1.0 px/module, where the model readers accept
// nothing and the blurred fit places no symbol on any band: vetoed by
// unfitVeto (h/veto; development seeds of that rule); 6652, 0357734651757
// as EAN-8 50357239 across the whole symbol (95 modules read as 67, 0.93
// px/module, two lines of one scan), where the fit places bands but
// accepts nothing: vetoed by shortFitVeto (h/ean8in13: an EAN-13 over the
// EAN-8's span leaves 2% of its residual; shortfit.go); 13145 (a fresh
// seed), 3411760746645 as EAN-13 3417760746845 (a 1 read as its twin 7
// and a 6 as an 8, compensating in the check digit) on four lines of two
// binarizing stages at 1.02 px/module, where the edges measure no row and
// the fit places a symbol on one band of four, accepting the printed code
// there (not three bands: the model readers read nothing): vetoed by
// bandVeto (h/twodigit, xcheck.go). By default those
// and a few more seeds; CASCADE_BLUR_N=n
// decodes seeds 6000 to 6000+n-1 (CASCADE_BLUR_FROM=s: s to s+n-1;
// CASCADE_NOXCHECK=1: without the cross-check, CASCADE_NOUNFIT=1: without
// unfitVeto, CASCADE_NOSHORTFIT=1: without shortFitVeto, CASCADE_NOBAND=1:
// without bandVeto, for comparison).
// Seeds 6000-6599 read 0 wrong; 6600-7799, 0 wrong of 1200 (1 without
// shortFitVeto, 3 without unfitVeto too, 16 without the cross-check).
func TestBlurredEANCascadeMisreads(t *testing.T) {
	seeds := []int64{6028, 6069, 6146, 7231, 7339, 7275, 7566, 6652, 13145, 6000, 6001, 6002, 6003}
	if n, err := strconv.Atoi(os.Getenv("CASCADE_BLUR_N")); err == nil && n > 0 {
		from, err := strconv.ParseInt(os.Getenv("CASCADE_BLUR_FROM"), 10, 64)
		if err != nil {
			from = 6000
		}
		seeds = seeds[:0]
		for s := from; s < from+int64(n); s++ {
			seeds = append(seeds, s)
		}
	}
	if os.Getenv("CASCADE_NOXCHECK") != "" { // the cascade without the cross-check
		crossCheck = false
		defer func() { crossCheck = true }()
	}
	if os.Getenv("CASCADE_NOUNFIT") != "" { // without the veto of unfitted reads
		unfitVeto = false
		defer func() { unfitVeto = true }()
	}
	if os.Getenv("CASCADE_NOSHORTFIT") != "" { // without the veto of outfitted short reads
		shortFitVeto = false
		defer func() { shortFitVeto = true }()
	}
	if os.Getenv("CASCADE_NOBAND") != "" { // without the veto of reads a fitted band reads as another code
		bandVeto = false
		defer func() { bandVeto = true }()
	}
	if os.Getenv("CASCADE_NOLATEX") != "" { // without the cross-check of late-only reads (lateXcheck, negativeUnsureVeto)
		lateXcheck, negativeUnsureVeto = false, false
		defer func() { lateXcheck, negativeUnsureVeto = true, true }()
	}
	if os.Getenv("CASCADE_NOEDGECONTRA") != "" { // without the veto of reads their edges contradict
		edgeContraVeto = false
		defer func() { edgeContraVeto = true }()
	}
	if os.Getenv("CASCADE_NOSWEEPSTOP") != "" { // the whole sweep (sweepstop.go)
		sweepStop = false
		defer func() { sweepStop = true }()
	}
	if os.Getenv("CASCADE_SWEEPSTOP1D") != "" { // with sweepStop's 1D part (off by default)
		sweepStop1D = true
		defer func() { sweepStop1D = false }()
	}
	if os.Getenv("CASCADE_SHORTTWO") != "" { // with shortTwoScans on
		shortTwoScans = true
		defer func() { shortTwoScans = false }()
	}
	wrong, right := 0, 0
	for _, s := range seeds {
		a, g := blurredEANCase(s)
		for _, bc := range apiDecoder().cascade(context.Background(), g).col.barcodes() {
			if !isRetail(bc.Format) {
				continue
			}
			if retailGTIN(bc.Format, bc.Text) != retailGTIN("EAN_13", a) {
				wrong++
				t.Errorf("seed %d: %s read as %s %s", s, a, bc.Format, bc.Text)
			} else {
				right++
			}
		}
	}
	t.Logf("%d wrong, %d right of %d", wrong, right, len(seeds))
}

// blurredEANCase renders seed's blurred EAN-13 (TestBlurredEANCascadeMisreads)
// and returns its code and image.
func blurredEANCase(seed int64) (string, *gray) {
	rng := rand.New(rand.NewSource(seed))
	a := randomEAN(rng)
	m := 0.9 + rng.Float64()*1.3
	k := 0.4 + rng.Float64()*0.6
	return a, renderBlurPhysics(eanModulesOf(a), 320, 120, 60, m, k*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
}

// TestCrossCheckTurned: the blurred EAN-13 of TestBlurredEANCascadeMisreads
// turned a quarter, a half and three quarters: the cross-check's region is
// turned back so the symbol reads left to right (the model readers read it
// no other way), and no other product is read.
func TestCrossCheckTurned(t *testing.T) {
	wrong, right := 0, 0
	for _, s := range []int64{6028, 6069, 6146, 6000, 6001} {
		a, g := blurredEANCase(s)
		for turn, tg := range []*gray{g.rotate90(), g.rotate180(), g.rotate90().rotate180()} {
			for _, bc := range apiDecoder().cascade(context.Background(), tg).col.barcodes() {
				if !isRetail(bc.Format) {
					continue
				}
				if retailGTIN(bc.Format, bc.Text) != retailGTIN("EAN_13", a) {
					wrong++
					t.Errorf("seed %d turned %d quarters: %s read as %s %s", s, turn+1, a, bc.Format, bc.Text)
				} else {
					right++
				}
			}
		}
	}
	t.Logf("%d wrong, %d right", wrong, right)
}
