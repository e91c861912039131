package scan

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// qrBentCase is a generated QR Code on a bent label, with blotches of
// ink or glare on some of its modules.
type qrBentCase struct {
	name, text string
	g          *gray
}

// qrBentCases renders n QR Codes of 8–70 characters (versions 1–4, few
// or no alignment patterns to anchor the grid) on labels bent by 0.3–1.5
// modules, at 2.5–5 pixels a module, with blots covering some modules
// (blots > 0: that many, a module or two across, dark or light).
func qrBentCases(t testing.TB, seed uint64, n, blots int) []qrBentCase {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []qrBentCase
	for range n {
		l := 8 + rng.IntN(63)
		b := make([]byte, l)
		for k := range b {
			b[k] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/:.-"[rng.IntN(66)]
		}
		text := string(b)
		module := 2.5 + 2.5*rng.Float64()
		bend := 0.3 + 1.2*rng.Float64()
		g := bentQR(t, text, module, bend)
		for range blots {
			cx, cy := rng.Float64()*float64(g.w), rng.Float64()*float64(g.h)
			r := module * (0.5 + rng.Float64())
			v := byte(30)
			if rng.IntN(2) == 0 {
				v = 225
			}
			for y := max(0, int(cy-r)); y < min(g.h, int(cy+r)+1); y++ {
				for x := max(0, int(cx-r)); x < min(g.w, int(cx+r)+1); x++ {
					if (float64(x)-cx)*(float64(x)-cx)+(float64(y)-cy)*(float64(y)-cy) <= r*r {
						g.pix[y*g.w+x] = v
					}
				}
			}
		}
		// noise, so that no module is exactly on a level
		for k := range g.pix {
			g.pix[k] = byte(max(0, min(255, int(g.pix[k])+rng.IntN(13)-6)))
		}
		out = append(out, qrBentCase{fmt.Sprintf("len%d-m%.1f-bend%.1f", l, module, bend), text, g})
	}
	return out
}

// resampleOnly runs the QR resampling stage alone.
func resampleOnly(g *gray) []Barcode {
	r := &run{ctx: context.Background(), all: true, col: newCollector()}
	r.resampleQR(&view{g: g, scale: 1})
	return r.col.barcodes()
}

// TestQRBentSharpestErasures: small QR Codes on bent labels, which the
// resampling stage's grids (a perspective, anchored at alignment patterns
// that versions 1–4 barely have) sample wrong near the bend. Moving each
// block of modules to where it samples sharpest, and decoding with the
// least sure codewords as erasures, reads more of them; nothing is ever
// read wrong, with or without blots.
func TestQRBentSharpestErasures(t *testing.T) {
	n := 24
	if s := os.Getenv("QR_BENT_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	defer func(a, b bool) { qrSharpest, qrErasures = a, b }(qrSharpest, qrErasures)
	type mode struct {
		name            string
		sharp, erasures bool
	}
	modes := []mode{{"before", false, false}, {"sharpest", true, false}, {"erasures", false, true}, {"both", true, true}}
	for _, blots := range []int{0, 6} {
		cases := qrBentCases(t, 5+uint64(blots), n, blots)
		reads := map[string]int{}
		for _, m := range modes {
			qrSharpest, qrErasures = m.sharp, m.erasures
			for _, c := range cases {
				bcs := resampleOnly(c.g)
				for _, bc := range bcs {
					if bc.Text != c.text {
						t.Errorf("%s (%s, blots %d): read %q, want %q", c.name, m.name, blots, bc.Text, c.text)
					}
				}
				if len(bcs) == 1 && bcs[0].Text == c.text {
					reads[m.name]++
				}
			}
		}
		t.Logf("blots %d: read of %d: before %d, sharpest %d, erasures %d, both %d", blots, n,
			reads["before"], reads["sharpest"], reads["erasures"], reads["both"])
		if blots == 0 && reads["both"] <= reads["before"] {
			t.Errorf("blots 0: both %d, before %d: no gain", reads["both"], reads["before"])
		}
	}
}

// TestQRErasuresNeverWrong: clean QR Codes (versions 1–10, every error
// correction level) with modules flipped past what Reed–Solomon corrects,
// the flipped modules marked unsure half of the time and as many sure
// modules marked unsure besides: decodeQRErasures returns the right
// text or nothing, never another text.
func TestQRErasuresNeverWrong(t *testing.T) {
	n := 400
	if s := os.Getenv("QR_ERASE_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rng := rand.New(rand.NewPCG(17, 3))
	levels := []decoder.ErrorCorrectionLevel{decoder.ErrorCorrectionLevel_L, decoder.ErrorCorrectionLevel_M,
		decoder.ErrorCorrectionLevel_Q, decoder.ErrorCorrectionLevel_H}
	right, none := 0, 0
	for i := range n {
		l := 5 + rng.IntN(120)
		b := make([]byte, l)
		for k := range b {
			b[k] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 abcdefghijklmnopqrstuvwxyz"[rng.IntN(63)]
		}
		text := string(b)
		m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{
				gozxing.EncodeHintType_ERROR_CORRECTION: levels[i%4],
				gozxing.EncodeHintType_MARGIN:           0,
			})
		if err != nil {
			continue
		}
		dim := m.GetWidth()
		conf := make([]float64, dim*dim)
		for k := range conf {
			conf[k] = 0.3 + 0.7*rng.Float64()
		}
		// Flip a share of the modules outside the format areas.
		share := 0.01 + 0.1*rng.Float64()
		for y := range dim {
			for x := range dim {
				if (x < 9 && y < 9) || (x >= dim-8 && y < 9) || (x < 9 && y >= dim-8) || rng.Float64() >= share {
					continue
				}
				m.Flip(x, y)
				if rng.IntN(2) == 0 {
					conf[y*dim+x] = 0.3 * rng.Float64()
				}
				// and a sure module elsewhere made unsure
				conf[rng.IntN(dim*dim)] = 0.3 * rng.Float64()
			}
		}
		res, err := decodeQRErasures(m, conf)
		switch {
		case err != nil:
			none++
		case res.GetText() == text:
			right++
		default:
			t.Errorf("%d: %d modules, %.0f%% flipped: read %q, want %q", i, dim, 100*share, res.GetText(), text)
		}
	}
	t.Logf("%d symbols: %d right, %d nothing", n, right, none)
}
