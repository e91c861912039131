package scan

import (
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// splitHalves divides the development photos into a TUNE half and a
// HELD-OUT half, deterministically and independently of the decoder:
// within each set, the photos are ordered by the FNV-1a hash of their path
// relative to the photo folder ("upca-2/13.png"), and the first half
// (rounded down) is held out. Every tuning decision (the stage order, the
// thresholds, what a stage is worth) is made on the TUNE half only; the
// HELD-OUT half is what BENCHMARKS.md reports as the result.
func splitHalves(ps []photo) {
	bySet := map[string][]int{}
	for i := range ps {
		bySet[ps[i].set] = append(bySet[ps[i].set], i)
	}
	key := func(i int) uint64 {
		rel, err := filepath.Rel(photosDir, ps[i].path)
		if err != nil {
			rel = ps[i].path
		}
		h := fnv.New64a()
		h.Write([]byte(filepath.ToSlash(rel)))
		return h.Sum64()
	}
	for _, idx := range bySet {
		sort.Slice(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
		for n, i := range idx {
			ps[i].heldOut = n < len(idx)/2
		}
	}
}

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
