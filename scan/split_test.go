package scan

import (
	"os"
	"testing"
)

// tunePhotos returns the TUNE half of the development photos (it skips
// without them): the only photos the tuning tests may look at.
func tunePhotos(tb testing.TB) []photo {
	var out []photo
	for _, p := range loadManifest(tb) {
		if !p.heldOut {
			out = append(out, p)
		}
	}
	return out
}

// TestSplitHalves pins the split: each set is halved (held out: half
// rounded down), and the split depends only on the file names.
func TestSplitHalves(t *testing.T) {
	ps := loadManifest(t)
	n, held := map[string]int{}, map[string]int{}
	for _, p := range ps {
		n[p.set]++
		if p.heldOut {
			held[p.set]++
		}
	}
	total := 0
	for s := range n {
		if held[s] != n[s]/2 {
			t.Errorf("set %s: %d of %d held out, want %d", s, held[s], n[s], n[s]/2)
		}
		total += held[s]
	}
	again := loadManifest(t)
	for i := range ps {
		if ps[i].heldOut != again[i].heldOut {
			t.Fatalf("split of %s not deterministic", ps[i].path)
		}
	}
	t.Logf("%d photos, %d held out", len(ps), total)
}

// photoGray reads a photo of the data set as the decoder's grey plane
// (full size).
func photoGray(tb testing.TB, path string) *gray {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := loadGray(data, 1e9)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}
