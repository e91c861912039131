package scan

import (
	"os"
	"strconv"
	"testing"
)

// TestLateReadsChecked (lateXcheck, negativeUnsureVeto): composed photos of
// the adversarial review (advComposeScene) where only late stages read a
// sharp EAN-13, wrongly, with two or more lines agreeing (its bars are the
// same all along their height, so every line misreads alike): seed 646,
// an inverted EAN-13 at 3 px a module whose light bars came out a third
// of a module thin, read on the negative as another product; seed 822,
// an EAN-13 turned 90° at 2.7 px a module (bars of 2 or 3 px), read by
// the turned localBlocks scan as another product. Both at more than
// xcheckMaxModule px a module, so the cross-check skipped them. With the
// rules, no code but the photo's is read; without them, the wrong codes
// come back (the test would not see a regression otherwise).
func TestLateReadsChecked(t *testing.T) {
	defer func(a, b bool) { lateXcheck, negativeUnsureVeto = a, b }(lateXcheck, negativeUnsureVeto)
	for _, c := range []struct {
		seed  int64
		wrong string
	}{{646, "EAN_13 1748690345535"}, {822, "EAN_13 1106814674921"}} {
		sc := advComposeScene(t, c.seed)
		in := map[string]bool{}
		for _, s := range sc.syms {
			in[s.format+" "+s.text] = true
		}
		lateXcheck, negativeUnsureVeto = false, false
		off := advCodes(sc.g)
		found := false
		for _, k := range off {
			found = found || k == c.wrong
		}
		if !found {
			t.Errorf("seed %d: without the rules %v, not the wrong read %s: the test no longer exercises them", c.seed, off, c.wrong)
		}
		lateXcheck, negativeUnsureVeto = true, true
		for _, k := range advCodes(sc.g) {
			if !in[k] {
				t.Errorf("seed %d (%s): wrong read %s", c.seed, sc.what, k)
			}
		}
	}
}

// TestAdvLateCount counts, on SCAN_ADVREV composed photos from seed
// SCAN_ADVSEED (default 1), the right and wrong reads of the server with
// and without lateXcheck/negativeUnsureVeto, in the same run (SCAN_ADVLATE
// set).
func TestAdvLateCount(t *testing.T) {
	if os.Getenv("SCAN_ADVLATE") == "" {
		t.Skip("SCAN_ADVLATE not set")
	}
	n := advN(t)
	from, _ := strconv.Atoi(os.Getenv("SCAN_ADVSEED"))
	if from == 0 {
		from = 1
	}
	defer func(a, b bool) { lateXcheck, negativeUnsureVeto = a, b }(lateXcheck, negativeUnsureVeto)
	var right, wrong [3]int
	placed := 0
	for i := range n {
		sc := advComposeScene(t, int64(from+i))
		in := map[string]bool{}
		for _, s := range sc.syms {
			in[s.format+" "+s.text] = true
		}
		placed += len(sc.syms)
		var got [3]map[string]bool
		for v, on := range [][2]bool{{false, false}, {true, false}, {true, true}} {
			lateXcheck, negativeUnsureVeto = on[0], on[1]
			got[v] = map[string]bool{}
			for _, k := range advCodes(sc.g) {
				got[v][k] = true
				if in[k] {
					right[v]++
				} else {
					wrong[v]++
					t.Logf("variant %d: %s: wrong read %s", v, sc.what, k)
				}
			}
		}
		for k := range got[0] {
			if in[k] && !got[2][k] {
				t.Logf("%s: %s lost with the rules", sc.what, k)
			}
		}
	}
	t.Logf("%d photos, %d symbols: right/wrong off %d/%d, lateXcheck only %d/%d, both %d/%d",
		n, placed, right[0], wrong[0], right[1], wrong[1], right[2], wrong[2])
}
