package scan

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestDeformDiag prints the deformable reader's band reads on the tune
// half's photos of the sets in DEFORM_DIAG (comma separated), for tuning.
func TestDeformDiag(t *testing.T) {
	sets := os.Getenv("DEFORM_DIAG")
	if sets == "" {
		t.Skip("DEFORM_DIAG=ean13-5,upca-6")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, p := range loadManifest(t) {
		if p.heldOut {
			continue
		}
		in := sets == "all"
		for _, s := range strings.Split(sets, ",") {
			if strings.Contains(p.path, "/"+s+"/") {
				in = true
			}
		}
		if !in {
			continue
		}
		g := photoGray(t, p.path)
		want := p.text
		if len(want) == 12 {
			want = "0" + want
		}
		keep := map[int]eanRead{}
		if got, _ := readBlurredBandsKeep(context.Background(), g, keep); got != "" {
			fmt.Printf("%s: the blurred stage reads %s\n", p.path, got)
		}
		t0 := threadCPU()
		bands := readDeformBands(context.Background(), g, keep)
		for range 9 * b2i(sets != "all") { // timing: ten runs
			readDeformBands(context.Background(), g, keep)
		}
		ms := (threadCPU() - t0).Seconds() * 1000 / float64(1+9*b2i(sets != "all"))
		fmt.Printf("%s want %s (%.0f ms)\n", p.path, want, ms)
		vote, _ := deformVote(bands)
		fmt.Printf("  vote %q\n", vote)
		for _, b := range bands {
			rd := b.read
			if math.IsInf(rd.cost, 1) || rd.winVar == 0 {
				fmt.Printf("   y=%3d none\n", b.y)
				continue
			}
			mark := " "
			if rd.text() == want {
				mark = "*"
			}
			fmt.Printf(" %s y=%3d %s ok %v fit %.3f worst %.3f corr %.3f margin %.3f m %.2f k %.2f base %.3f m0 %.3f fm %.3f %v\n", mark, b.y, rd.text(), deformAccept(rd), rd.cost/rd.winVar, rd.worst, (rd.cost-rd.free)/rd.cost, rd.second/rd.cost-1, rd.g.m, rd.g.sigma/rd.g.m, b.base.cost/b.base.winVar, rd.margin0, rd.freeSecond/rd.cost-1, rd.path)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
