package scan

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
)

// edgeAuditRun runs f with edgeAudit recording, for every read the model
// readers check, the edges' verdict against the model readers' code.
type edgeAuditRec struct {
	name      string
	format    gozxing.BarcodeFormat
	text      string
	m         float64
	confirmed bool
	model     string // "" none, "=" the read's own code, else the other code
	st        edgeStats
}

func withEdgeAudit(name *string, recs *[]edgeAuditRec) func() {
	edgeAudit = func(w *view, h *hit, m float64, confirmed bool, text string) {
		r := edgeAuditRec{name: *name, format: h.format, text: h.text, m: m, confirmed: confirmed, st: edgeCheck(w, h, m)}
		if text != "" {
			r.model = text
			if gtinOf(gozxing.BarcodeFormat_EAN_13, text) == gtinOf(h.format, h.text) {
				r.model = "="
			}
		}
		*recs = append(*recs, r)
	}
	return func() { edgeAudit = nil }
}

func summarizeEdgeAudit(t *testing.T, recs []edgeAuditRec, verbose bool) {
	var vetoes, vetoConfirmed, checks, conf, same, sameConf, none, noneConf int
	var vetoBest []float64
	for _, r := range recs {
		checks++
		if r.confirmed {
			conf++
		}
		switch r.model {
		case "":
			none++
			if r.confirmed {
				noneConf++
			}
		case "=":
			same++
			if r.confirmed {
				sameConf++
			}
		default:
			vetoes++
			if r.confirmed {
				vetoConfirmed++
				t.Errorf("%s: %s %s confirmed by its edges, the model readers read %s", r.name, r.format, r.text, r.model)
			}
			if !short(r.format) {
				vetoBest = append(vetoBest, r.st.best)
			}
			t.Logf("veto %s: %s %s (model %s) m %.2f: rows %d confirm %d contra %d best %.2f worst %.2f", r.name, r.format, r.text, r.model, r.m, r.st.rows, r.st.confirm, r.st.contra, r.st.best, r.st.worst)
		}
		if verbose {
			t.Logf("%s: %s %s m %.2f model %q: rows %d confirm %d contra %d best %.2f worst %.2f -> %v", r.name, r.format, r.text, r.m, r.model, r.st.rows, r.st.confirm, r.st.contra, r.st.best, r.st.worst, r.confirmed)
		}
	}
	for _, delta := range []float64{0.3, 0.35, 0.4, 0.45, 0.5} {
		var c [3]int
		for _, r := range recs {
			rows := 0
			contra := false
			for i, w := range r.st.rowWorst {
				if w <= delta && r.st.rowOther[i] > delta {
					rows++
				}
				if r.st.rowOther[i] <= delta {
					contra = true
				}
			}
			if rows >= edgeMinRows && !contra {
				switch r.model {
				case "":
					c[0]++
				case "=":
					c[1]++
				default:
					c[2]++
				}
			}
		}
		t.Logf("delta %.2f: would confirm none %d, same %d, VETOED %d", delta, c[0], c[1], c[2])
	}
	sort.Float64s(vetoBest)
	t.Logf("checks %d, edge-confirmed %d; model same %d (confirmed %d), none %d (confirmed %d), vetoes %d (confirmed %d); vetoed EAN-13/UPC-A best rows' worst digit distance %v (edgeMaxErr %.2f)",
		checks, conf, same, sameConf, none, noneConf, vetoes, vetoConfirmed, vetoBest, edgeMaxErr)
}

// TestEdgeAuditSeeds (EDGE_AUDIT_N seeds from EDGE_AUDIT_FROM of
// TestBlurredEANCascadeMisreads): the edges confirm none of the reads the
// model readers veto.
func TestEdgeAuditSeeds(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("EDGE_AUDIT_N"))
	if err != nil || n <= 0 {
		t.Skip("EDGE_AUDIT_N not set")
	}
	from, err := strconv.ParseInt(os.Getenv("EDGE_AUDIT_FROM"), 10, 64)
	if err != nil {
		from = 6000
	}
	var recs []edgeAuditRec
	name := ""
	defer withEdgeAudit(&name, &recs)()
	// EDGE_AUDIT_LIGHT=1: lighter blur (0.15 to 0.65 module), where the
	// edges confirm reads: every confirmed read is compared with the code
	wrong, confirmed := 0, 0
	for s := from; s < from+int64(n); s++ {
		name = fmt.Sprint("seed ", s)
		a, g := blurredEANCase(s)
		if os.Getenv("EDGE_AUDIT_LIGHT") != "" {
			rng := rand.New(rand.NewSource(s))
			a = randomEAN(rng)
			m := 1.0 + rng.Float64()*1.4
			k := 0.15 + rng.Float64()*0.5
			g = renderBlurPhysics(eanModulesOf(a), 320, 120, 60, m, k*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
		}
		i := len(recs)
		apiDecoder().cascade(context.Background(), g)
		for _, r := range recs[i:] {
			if r.confirmed {
				confirmed++
				if gtinOf(r.format, r.text) != gtinOf(gozxing.BarcodeFormat_EAN_13, a) {
					wrong++
					t.Errorf("%s: %s read as %s %s, confirmed by its edges", name, a, r.format, r.text)
				}
			}
		}
	}
	t.Logf("edge-confirmed reads: %d, of which wrong: %d", confirmed, wrong)
	summarizeEdgeAudit(t, recs, os.Getenv("EDGE_AUDIT_V") != "")
}

// TestEdgeAuditTune (EDGE_AUDIT_TUNE=1): the same on the tune photos.
func TestEdgeAuditTune(t *testing.T) {
	if os.Getenv("EDGE_AUDIT_TUNE") == "" {
		t.Skip("EDGE_AUDIT_TUNE not set")
	}
	var recs []edgeAuditRec
	name := ""
	defer withEdgeAudit(&name, &recs)()
	d := NewDecoder(DecoderOptions{All: true, Timeout: 10 * time.Second})
	for _, p := range tunePhotos(t) {
		data, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		name = p.path
		_, _ = d.Decode(context.Background(), bytes.NewReader(data))
	}
	summarizeEdgeAudit(t, recs, os.Getenv("EDGE_AUDIT_V") != "")
}

// edgeHit is an EAN-13 read of text over a symbol rendered by
// renderBlurPhysics at x0, m pixels a module, rows h/5 to 4h/5.
func edgeHit(text string, x0, m float64, h int) *hit {
	return edgeHitOf(gozxing.BarcodeFormat_EAN_13, text, x0, m, h)
}

// edgeHitOf is a read of text as format over a symbol at x0 (see edgeHit).
func edgeHitOf(f gozxing.BarcodeFormat, text string, x0, m float64, h int) *hit {
	y := float64(h) / 2
	p, q := [2]float64{x0 + 1.5*m, y}, [2]float64{x0 + (1.5+guardSpan(f))*m, y}
	return &hit{format: f, text: text, points: [][2]float64{p, q},
		box: [4]float64{p[0], y - 10, q[0], y + 10}}
}

// TestEdgeVerifyOwnCode: the edges confirm a symbol's own code at 1.8 to
// 2.4 pixels a module under a light blur, and never another valid code
// over the same bars (every one-digit change with its check digit, and
// 200 random two- and three-digit ones); under a blur of a module they
// confirm nothing.
func TestEdgeVerifyOwnCode(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	confirmed, light := 0, 0
	for i := range 12 {
		a := randomEAN(rng)
		m := 1.8 + 0.6*rng.Float64()
		sigma := 0.2
		if i%4 == 3 {
			sigma = 1.0 // heavy: nothing confirmed
		} else {
			light++
		}
		g := renderBlurPhysics(eanModulesOf(a), int(40+95*m+40), 120, 40, m, sigma*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
		w := &view{g: g, scale: 1}
		own := edgeConfirms(w, edgeHit(a, 40, m, 120), m)
		if own && sigma == 1.0 {
			t.Errorf("%s at %.2f px/module, blur a module: confirmed", a, m)
		} else if own {
			confirmed++
		}
		var others []string
		body := a[:12]
		for p := range 12 {
			for d := byte('0'); d <= '9'; d++ {
				if d != body[p] {
					c := []byte(body)
					c[p] = d
					others = append(others, string(c))
				}
			}
		}
		for range 200 {
			c := []byte(body)
			for range 2 + rng.Intn(2) {
				c[rng.Intn(12)] = byte('0' + rng.Intn(10))
			}
			if string(c) != body {
				others = append(others, string(c))
			}
		}
		for _, c := range others {
			other := c + string(CheckDigit(c))
			if edgeConfirms(w, edgeHit(other, 40, m, 120), m) {
				t.Fatalf("%s at %.2f px/module: confirmed as %s", a, m, other)
			}
		}
	}
	if confirmed < light/2 {
		t.Errorf("own code confirmed on %d of %d lightly blurred symbols", confirmed, light)
	}
	t.Logf("own code confirmed on %d of %d lightly blurred symbols", confirmed, light)
}

// TestEdgeVerifyMisreads: on the blurred EAN-13 whose binarized reads the
// model readers veto (seeds of TestBlurredEANCascadeMisreads), the edges
// confirm none of the vetoed reads.
func TestEdgeVerifyMisreads(t *testing.T) {
	var recs []edgeAuditRec
	name := ""
	defer withEdgeAudit(&name, &recs)()
	for _, s := range []int64{6028, 6069, 6146, 7231, 7339} {
		name = fmt.Sprint("seed ", s)
		_, g := blurredEANCase(s)
		apiDecoder().cascade(context.Background(), g)
	}
	vetoes := 0
	for _, r := range recs {
		if r.model == "" || r.model == "=" {
			continue
		}
		vetoes++
		if r.confirmed || r.st.confirm >= edgeMinRows {
			t.Errorf("%s: %s %s (the model readers read %s) confirmed by its edges", r.name, r.format, r.text, r.model)
		}
	}
	if vetoes < 4 {
		t.Fatalf("%d vetoes (want the known 4 or more)", vetoes)
	}
}

// TestEdgeVerifyShort: an EAN-8 or UPC-E is confirmed with its quiet
// zones, never with bars 4 modules beyond either guard (a piece of a
// longer symbol: its spaces are 4 modules at most) and never as another valid code of its kind.
func TestEdgeVerifyShort(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, c := range []struct {
		f    gozxing.BarcodeFormat
		text string
	}{
		{gozxing.BarcodeFormat_EAN_8, "96385074"}, {gozxing.BarcodeFormat_EAN_8, "40170725"},
		{gozxing.BarcodeFormat_UPC_E, "01234565"}, {gozxing.BarcodeFormat_UPC_E, "04124498"},
	} {
		mods := modulesOf(t, c.text, c.f)
		bars := []float64{1, 0, 1, 1, 0, 0, 0, 0} // a longer symbol's last bars, 4 modules of space (its widest)
		for k, pad := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ms := append([]float64(nil), mods...)
			x0 := 40.0
			m := 2.2
			if pad[0] {
				ms = append(append([]float64(nil), bars...), ms...)
				x0 -= float64(len(bars)) * m
			}
			if pad[1] {
				ms = append(ms, 0, 0, 0, 0, 1, 1, 0, 1)
			}
			g := renderBlurPhysics(ms, int(40+float64(len(mods))*m+40), 120, x0, m, 0.2*m, blurPhysics{name: "model", gamma: 2.2, noise: 3}, rng)
			w := &view{g: g, scale: 1}
			own := edgeConfirms(w, edgeHitOf(c.f, c.text, 40, m, 120), m)
			if k == 0 && !own {
				t.Errorf("%v %s with its quiet zones: not confirmed", c.f, c.text)
			}
			if k > 0 && own {
				t.Errorf("%v %s with bars beyond its guards (%v): confirmed", c.f, c.text, pad)
			}
			for p := range len(c.text) - 1 {
				for d := byte('0'); d <= '9'; d++ {
					if d == c.text[p] {
						continue
					}
					b := []byte(c.text)
					b[p] = d
					for cd := byte('0'); cd <= '9'; cd++ {
						b[len(b)-1] = cd
						if gtinOf(c.f, string(b)) == "" {
							continue
						}
						if edgeConfirms(w, edgeHitOf(c.f, string(b), 40, m, 120), m) {
							t.Errorf("%v %s: confirmed as %s", c.f, c.text, b)
						}
					}
				}
			}
		}
	}
}
