package scan

import (
	"context"
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// twinMisread returns a valid EAN-13 that differs from a in two digits:
// one 1, 7, 2 or 8 turned into its twin (7, 1, 8, 2: the same edge-to-edge
// measures, two modules more or less of bar), and another digit changed
// so the check digit still holds; "" when rng finds none.
func twinMisread(rng *rand.Rand, a string) string {
	twin := map[byte]byte{'1': '7', '7': '1', '2': '8', '8': '2'}
	for range 50 {
		i := 1 + rng.Intn(12)
		t, ok := twin[a[i]]
		if !ok {
			continue
		}
		j := 1 + rng.Intn(12)
		if j == i {
			continue
		}
		b := []byte(a)
		b[i] = t
		for d := byte('0'); d <= '9'; d++ {
			if d == a[j] {
				continue
			}
			b[j] = d
			if s := string(b); ValidGTIN(s) {
				return s
			}
		}
	}
	return ""
}

// TestBandVetoTwins: a binarized EAN-13 read with two digits misread that
// compensate in the check digit, one of them a 1/7 or 2/8 twin (generated
// seed 13145 of TestBlurredEANCascadeMisreads: 3411760746645 read as
// 3417760746845), over a blurred EAN-13 at 0.95 to 1.3 pixels a module
// (its ends up to two modules off, its lines anywhere across the bars),
// cross-checked as the cascade does (crossCheckReads): no such read
// stands, and the printed code read over the same pictures is never
// vetoed by bandVeto. Of the default 60 pictures the model readers read
// the printed code on 58 (the read is vetoed as before); on 2 they read
// nothing and a band of the fit accepts the printed code: without
// bandVeto (BANDVETO_OFF=1) those 2 stand. BANDVETO_N=n tries n pictures;
// of 300, 3 stand with the rule (12 without): no band accepts any code
// there, and at the fit's geometry the misread's grey levels are not
// explained worse than the printed code's (a limit of the class, not
// covered).
func TestBandVetoTwins(t *testing.T) {
	n := 60
	if v, err := strconv.Atoi(os.Getenv("BANDVETO_N")); err == nil && v > 0 {
		n = v
	}
	rng := rand.New(rand.NewSource(13145))
	ph := blurPhysics{name: "model", gamma: 2.2, noise: 3}
	stood, byBand, rightVetoed := 0, 0, 0
	for i := 0; i < n; {
		a := randomEAN(rng)
		b := twinMisread(rng, a)
		if b == "" {
			continue
		}
		i++
		m := 0.95 + rng.Float64()*0.35
		k := 0.4 + rng.Float64()*0.6
		g := renderBlurPhysics(eanModulesOf(a), 320, 120, 60, m, k*m, ph, rng)
		for _, text := range []string{b, a} {
			r := &run{ctx: context.Background(), col: newCollector()}
			// the read's ends as a binarized line puts them: off by up to
			// two modules
			h := edgeHit(text, 60, m, 120)
			h.points[0][0] += (rng.Float64()*4 - 2) * m
			h.points[1][0] += (rng.Float64()*4 - 2) * m
			h.box[0], h.box[2] = h.points[0][0], h.points[1][0]
			// the lines that read it, anywhere across the bars (13145:
			// lines 36, 49 and 93 of 120)
			y0 := 25 + rng.Intn(30)
			y1 := y0 + 10 + rng.Intn(95-y0-10)
			h.box[1], h.box[3] = float64(y0), float64(y1)
			h.lines, h.reads = map[int][]int{1: {y0, (y0 + y1) / 2, y1}}, 3
			key := hitKey{h.format, h.text}
			r.col.hits[key] = h
			r.col.order = append(r.col.order, key)
			if text == b && os.Getenv("BANDVETO_OFF") != "" {
				bandVeto = false
			}
			r.crossCheckReads(&view{g: g, scale: 1})
			bandVeto = true
			switch {
			case text == a && h.vetoed && r.xband > 0:
				rightVetoed++
				t.Errorf("EAN-13 %s at %.2f px/module, blur %.2f: its own code vetoed by bandVeto", a, m, k)
			case text == b && !h.vetoed:
				stood++
				t.Errorf("EAN-13 %s at %.2f px/module, blur %.2f: read as %s, not vetoed", a, m, k, b)
			case text == b && r.xband > 0:
				byBand++
			}
		}
	}
	t.Logf("%d twin misreads: %d stood, %d vetoed by bandVeto; %d right reads vetoed", n, stood, byBand, rightVetoed)
}
