package scan

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// TestBlurEval runs the blurred EAN reader alone (BLUR_EVAL=1) on every
// development photo and reports, per half, its correct and wrong reads
// (held-out: counts only). Any wrong read fails the test.
func TestBlurEval(t *testing.T) {
	if os.Getenv("BLUR_EVAL") == "" {
		t.Skip("BLUR_EVAL=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var n, ok, wrong [2]int
	var ms []float64
	for _, p := range loadManifest(t) {
		g := photoGray(t, p.path)
		if max(g.w, g.h) > 800 {
			continue // the stage is for small photos
		}
		h := 0
		if p.heldOut {
			if os.Getenv("BLUR_EVAL") != "held" {
				continue // BLUR_EVAL=held: the held-out half too (counts only)
			}
			h = 1
		}
		n[h]++
		t0 := threadCPU()
		text, _ := readBlurredBands(context.Background(), g)
		ms = append(ms, (threadCPU()-t0).Seconds()*1000)
		if text == "" {
			continue
		}
		if text[0] == '0' && p.format == "UPC_A" {
			text = text[1:]
		}
		if sameText(text, p.text, p.format) {
			ok[h]++
			if !p.heldOut {
				fmt.Println("read", p.path)
			}
		} else {
			wrong[h]++
			if !p.heldOut {
				fmt.Println("WRONG", p.path, text, p.text)
			}
		}
	}
	fmt.Printf("CPU ms per photo: median %.1f p95 %.1f max %.1f\n", quantile(ms, 0.5), quantile(ms, 0.95), quantile(ms, 1))
	fmt.Printf("tune: %d photos, %d read, %d wrong; held-out: %d photos, %d read, %d wrong\n", n[0], ok[0], wrong[0], n[1], ok[1], wrong[1])
	if wrong[0]+wrong[1] > 0 {
		t.Errorf("the blurred EAN stage read %d tune and %d held-out photos wrong", wrong[0], wrong[1])
	}
}
