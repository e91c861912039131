package scan

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// xcheckCall is one modelRead call of the cross-check, as recorded on a
// photo (modelReadTrace).
type xcheckCall struct {
	Photo      string
	W, H       int
	Pix        []byte
	Box        [4]int
	Mine       string
	WithDeform bool
}

// xcheckCalls decodes the tune photos as the server does and returns every
// modelRead call of the cross-check, once a process. XCHECK_CALLS=file
// caches them (gob) between runs.
func xcheckCalls(tb testing.TB) []xcheckCall {
	tb.Helper()
	if xcheckCallsMemo == nil {
		xcheckCallsMemo = recordXcheckCalls(tb)
	}
	return xcheckCallsMemo
}

var xcheckCallsMemo []xcheckCall

func recordXcheckCalls(tb testing.TB) []xcheckCall {
	tb.Helper()
	cache := os.Getenv("XCHECK_CALLS")
	var calls []xcheckCall
	if cache != "" {
		if data, err := os.ReadFile(cache); err == nil {
			if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&calls); err == nil {
				return calls
			}
		}
	}
	photos := tunePhotos(tb)
	name := ""
	modelReadTrace = func(g *gray, box [4]int, mine string, withDeform bool) {
		calls = append(calls, xcheckCall{name, g.w, g.h, append([]byte(nil), g.pix...), box, mine, withDeform})
	}
	defer func() { modelReadTrace = nil }()
	d := NewDecoder(DecoderOptions{All: true, Timeout: 10 * time.Second})
	for _, p := range photos {
		data, err := os.ReadFile(p.path)
		if err != nil {
			tb.Fatal(err)
		}
		name = p.path
		if _, err := d.Decode(context.Background(), bytes.NewReader(data)); err != nil {
			continue
		}
	}
	if cache != "" {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(calls); err == nil {
			_ = os.WriteFile(cache, buf.Bytes(), 0o644)
		}
	}
	return calls
}

// BenchmarkXcheckReplay replays the cross-check's modelRead calls of the
// tune photos (XCHECK_CALLS=file caches them between runs).
// XCHECK_NOFITSAVE=1 replays them without fitSave.
func BenchmarkXcheckReplay(b *testing.B) {
	calls := xcheckCalls(b)
	if os.Getenv("XCHECK_NOFITSAVE") != "" {
		fitSave = false
		defer func() { fitSave = true }()
	}
	b.ResetTimer()
	for range b.N {
		for _, c := range calls {
			g := &gray{w: c.W, h: c.H, pix: c.Pix}
			modelRead(context.Background(), g, c.Box, c.Mine, c.WithDeform, map[int]eanRead{})
		}
	}
	b.ReportMetric(float64(len(calls)), "calls")
}

// BenchmarkXcheckReplaySave replays the calls with and without fitSave,
// interleaved, and reports both.
func BenchmarkXcheckReplaySave(b *testing.B) {
	calls := xcheckCalls(b)
	defer func() { fitSave = true }()
	var on, off time.Duration
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := range b.N {
		for _, c := range calls {
			g := &gray{w: c.W, h: c.H, pix: c.Pix}
			for k := range 2 {
				save := (i+k)%2 == 0 // alternately first
				fitSave = save
				t0 := threadCPU()
				modelRead(context.Background(), g, c.Box, c.Mine, c.WithDeform, map[int]eanRead{})
				if save {
					on += threadCPU() - t0
				} else {
					off += threadCPU() - t0
				}
			}
		}
	}
	b.ReportMetric(float64(on.Milliseconds())/float64(b.N), "ms-save")
	b.ReportMetric(float64(off.Milliseconds())/float64(b.N), "ms-nosave")
	b.ReportMetric(float64(on)/float64(off), "save/nosave")
}

// sameEANRead reports whether two reads are the same field for field (NaN
// equal to NaN).
func sameEANRead(a, b eanRead) bool {
	if a == b {
		return true
	}
	a.cost, b.cost = 0, 0
	return a == b
}

// TestFitSaveExact: the blurred EAN fit's exact savings (fitSave:
// fitsave.go) change no read. Every band of generated blurred EAN-13 (the
// cross-check's seeds), both ways round, as they are and spoilt (uneven
// light and a smear; random bars that are no EAN), gives the same eanRead
// and the same deformRead from it, field for field, with and without
// them, and modelRead the same code. With the photos (not under -short),
// every band of every region the cross-check reads on the tune photos
// (XCHECK_CALLS=file caches them), its fits sharing their weights as
// modelRead's do, too. FITSAVE_N=n reads n seeds (default 4).
func TestFitSaveExact(t *testing.T) {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("FITSAVE_N")); err == nil && v > 0 {
		n = v
	}
	defer func() { fitSave = true }()
	ctx := context.Background()
	bands, accepted := 0, 0
	check := func(what string, p []float64) {
		t.Helper()
		fitSave = false
		want := readBlurredEAN(ctx, p, 0, len(p))
		wantD := readDeformEAN(ctx, p, want)
		fitSave = true
		got := readBlurredEAN(ctx, p, 0, len(p))
		gotD := readDeformEAN(ctx, p, got)
		bands++
		if blurAccept(want) || deformAccept(wantD) {
			accepted++
		}
		if !sameEANRead(want, got) {
			t.Fatalf("%s: read %+v with the savings, %+v without", what, got, want)
		}
		if wantD != gotD {
			t.Fatalf("%s: deformable read %+v with the savings, %+v without", what, gotD, wantD)
		}
	}
	model := func(what string, g *gray, box [4]int, mine string, withDeform bool) {
		t.Helper()
		fitSave = false
		want, wantFit := modelRead(ctx, g, box, mine, withDeform, map[int]eanRead{})
		fitSave = true
		got, gotFit := modelRead(ctx, g, box, mine, withDeform, map[int]eanRead{})
		if got != want || gotFit != wantFit {
			t.Fatalf("%s: modelRead %q %v with the savings, %q %v without", what, got, gotFit, want, wantFit)
		}
	}
	for s := int64(6000); s < 6000+int64(n); s++ {
		_, g0 := blurredEANCase(s)
		rng := rand.New(rand.NewSource(s))
		for turn, g := range []*gray{g0, g0.rotate180()} {
			prof := make([]float64, g.w)
			for y := 4; y+4 < g.h; y += 9 {
				bandProfile(g, y, 2, prof)
				check(fmt.Sprintf("seed %d turn %d line %d", s, turn, y), prof)
				uneven := make([]float64, len(prof))
				a := rng.Intn(len(prof) - 20)
				for x, v := range prof {
					uneven[x] = v * (0.6 + 0.8*float64(x)/float64(len(prof)))
					if x >= a && x < a+12 {
						uneven[x] = 0.5*uneven[x] + 60
					}
				}
				check(fmt.Sprintf("seed %d turn %d line %d uneven", s, turn, y), uneven)
				bars := make([]float64, len(prof))
				m := 1 + rng.Float64()
				for x := range bars {
					k := int(float64(x-60) / m)
					if x >= 60 && k < 95 && (k*7+int(s))%5 < 2 {
						bars[x] = 200
					}
					bars[x] += 3 * rng.NormFloat64()
				}
				check(fmt.Sprintf("seed %d turn %d line %d bars", s, turn, y), bars)
			}
			model(fmt.Sprintf("seed %d turn %d", s, turn), g, [4]int{40, 10, g.w - 40, g.h - 10}, "", true)
		}
	}
	t.Logf("generated: %d bands the same, %d of them accepted", bands, accepted)
	if _, err := os.Stat(photosDir); err != nil || testing.Short() {
		return
	}
	bands, accepted = 0, 0
	for i, c := range xcheckCalls(t) {
		wc := getWeightCache() // shared by the bands, as modelRead shares it
		g := &gray{w: c.W, h: c.H, pix: c.Pix}
		hb := max(2, g.h/48)
		prof := make([]float64, g.w)
		for k := 1; k <= 9; k++ {
			y := c.Box[1] + k*(c.Box[3]-c.Box[1])/10
			if y-hb < 0 || y+hb >= g.h {
				continue
			}
			bandProfile(g, y, hb, prof)
			lo, hi := c.Box[0]-g.w/20, c.Box[2]+g.w/20
			fitSave = false
			want := readBlurredEAN(ctx, prof, lo, hi)
			wantD := readDeformEAN(ctx, prof, want)
			fitSave = true
			got := readBlurredEANIn(ctx, prof, lo, hi, wc)
			gotD := readDeformEAN(ctx, prof, got)
			bands++
			if blurAccept(want) || deformAccept(wantD) {
				accepted++
			}
			if !sameEANRead(want, got) || wantD != gotD {
				t.Fatalf("%s call %d band %d: read %+v / %+v with the savings, %+v / %+v without", c.Photo, i, k, got, gotD, want, wantD)
			}
		}
		wc.release()
		model(fmt.Sprintf("%s call %d", c.Photo, i), g, c.Box, c.Mine, c.WithDeform)
	}
	t.Logf("tune photos' cross-checks: %d bands the same, %d of them accepted", bands, accepted)
}

// TestFitSaveCascadeExact: with the model fits' exact savings (fitSave),
// the cascade finds the same reads on the same lines, and returns the same
// barcodes, in both modes, on the tune photos and generated blurred
// EAN-13s (exactImages; the first-read mode on a third of them): the
// blurred EAN and deformable stages and the cross-check.
func TestFitSaveCascadeExact(t *testing.T) {
	names, gs := exactImages(t)
	defer func() { fitSave = true }()
	for i, g := range gs {
		for _, all := range []bool{true, false} {
			if !all && i%3 != 0 {
				continue
			}
			exactCascade(t, names[i], g, all, func(on bool) { fitSave = on })
		}
	}
}
