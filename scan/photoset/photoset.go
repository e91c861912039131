// Package photoset reads the development photo set of the barcode
// benchmarks (the ZXing black-box photos in ../shared/data/barcodes): its
// manifest, each photo's expected text, the fixed split into a tune half
// and a held-out half, and how a decoded text is judged against the
// expected one. The decoder's benchmarks and tests (scan) and the API's
// benchmark (server) read the set through it, so both report the same
// halves by the same rules.
package photoset

import (
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Photo is one row of the manifest.
type Photo struct {
	// Path is the image's path (dir joined with the manifest's); Set the
	// folder it lies in ("upca-2"); Format the symbology's ZXing name.
	Path, Set, Format string
	// Text is the expected text: the .txt beside the image (byte-exact:
	// encoding/csv drops the CR of CRLF inside quoted fields), else the
	// manifest's column.
	Text string
	// HeldOut marks the half of its set that no tuning decision may look
	// at (see Load).
	HeldOut bool
}

// Load reads dir's manifest.csv and splits each set in two halves,
// deterministically and independently of any decoder: within a set the
// photos are ordered by the FNV-1a hash of their path relative to dir
// ("upca-2/13.png") and the first half (rounded down) is held out. Every
// tuning decision (the stage order, the thresholds, what a stage is
// worth) is made on the tune half only; the held-out half is what
// BENCHMARKS.md reports as the result.
func Load(dir string) ([]Photo, error) {
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("photo manifest: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("photo manifest %s is empty", f.Name())
	}
	var out []Photo
	for _, r := range recs[1:] {
		if len(r) < 3 {
			return nil, fmt.Errorf("photo manifest: row %q has fewer than 3 fields", r)
		}
		p := filepath.Join(dir, r[0])
		want, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
		if err != nil {
			want = []byte(r[2])
		}
		out = append(out, Photo{Path: p, Set: filepath.Dir(r[0]), Format: r[1], Text: string(want)})
	}
	split(dir, out)
	return out, nil
}

func split(dir string, ps []Photo) {
	bySet := map[string][]int{}
	for i := range ps {
		bySet[ps[i].Set] = append(bySet[ps[i].Set], i)
	}
	key := func(i int) uint64 {
		rel, err := filepath.Rel(dir, ps[i].Path)
		if err != nil {
			rel = ps[i].Path
		}
		h := fnv.New64a()
		h.Write([]byte(filepath.ToSlash(rel)))
		return h.Sum64()
	}
	for _, idx := range bySet {
		sort.Slice(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
		for n, i := range idx {
			ps[i].HeldOut = n < len(idx)/2
		}
	}
}

// SameText compares a read with the manifest's expected text, byte-exact
// after the same normalisation for every decoder (applied to both sides):
//
//   - GS1: the manifest writes GS1 data the way ZXing (Java) returns it:
//     no AIM symbology identifier and no leading FNC1 (code128-1/5.png is
//     GS1-128 and reads "8101054321120021123456"); an FNC1 inside the data
//     would be GS (0x1D), and no expected text here contains one. So a
//     leading GS1 identifier (]C1 ]e0 ]d2 ]Q3) and a leading GS are
//     dropped; GS inside the data is kept.
//   - RSS_14: the manifest has the 14-digit GTIN; zbar prints it with its
//     application identifier, "01" + GTIN (or "(01)" + GTIN), which is
//     dropped.
//   - EAN/UPC: the manifest has no add-on; ZXingReader appends a 2- or
//     5-digit add-on after a space ("04963406 01"), which is dropped. (zbar
//     reports add-ons as separate symbols, and only when enabled.)
func SameText(got, want, format string) bool {
	return normText(got, format) == normText(want, format)
}

func normText(s, format string) string {
	for _, id := range []string{"]C1", "]e0", "]d2", "]Q3"} {
		s = strings.TrimPrefix(s, id)
	}
	s = strings.TrimPrefix(s, "\x1d")
	switch {
	case format == "RSS_14":
		if len(s) == 16 && strings.HasPrefix(s, "01") && allDigits(s) {
			s = s[2:]
		} else if len(s) == 18 && strings.HasPrefix(s, "(01)") && allDigits(s[4:]) {
			s = s[4:]
		}
	case strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC"):
		if main, addOn, ok := strings.Cut(s, " "); ok && allDigits(main) && allDigits(addOn) && (len(addOn) == 2 || len(addOn) == 5) {
			s = main
		}
	}
	return s
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Outcome is how one photo's reads are judged.
type Outcome int

const (
	// Failed: nothing read.
	Failed Outcome = iota
	// Correct: some read has the expected text.
	Correct
	// Wrong: reads, none with the expected text.
	Wrong
)

// Judge judges a photo's reads against its expected text (SameText):
// correct when some read has it, wrong when reads exist but none has it.
func Judge(texts []string, want, format string) Outcome {
	if len(texts) == 0 {
		return Failed
	}
	for _, t := range texts {
		if SameText(t, want, format) {
			return Correct
		}
	}
	return Wrong
}

// Counts tallies judged photos, the wrong retail (EAN/UPC) reads also
// apart: the benchmarks' figures for one decoder on one set or half.
type Counts struct {
	Correct, Wrong, Failed, WrongEANUPC int
}

// Add counts one photo's outcome; format is the photo's expected
// symbology.
func (c *Counts) Add(o Outcome, format string) {
	switch o {
	case Correct:
		c.Correct++
	case Wrong:
		c.Wrong++
		if strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC") {
			c.WrongEANUPC++
		}
	default:
		c.Failed++
	}
}

// Merge adds o's counts to c.
func (c *Counts) Merge(o Counts) {
	c.Correct += o.Correct
	c.Wrong += o.Wrong
	c.Failed += o.Failed
	c.WrongEANUPC += o.WrongEANUPC
}

// Quantile is the nearest-rank quantile p of ms (0 when empty); ms is
// not changed.
func Quantile(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	sort.Float64s(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
