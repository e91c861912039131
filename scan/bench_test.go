package scan

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// photosDir holds the ZXing black-box photos (shared/, beside the module).
const photosDir = "../../shared/data/barcodes"

// photo is one manifest row.
type photo struct {
	path, set, format, text string
}

func loadManifest(tb testing.TB) []photo {
	tb.Helper()
	f, err := os.Open(filepath.Join(photosDir, "manifest.csv"))
	if err != nil {
		tb.Skipf("no photo set (%v)", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []photo
	for _, r := range recs[1:] {
		// The .txt beside the image is byte-exact (encoding/csv drops the
		// CR of CRLF inside quoted fields).
		p := filepath.Join(photosDir, r[0])
		want, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
		if err != nil {
			want = []byte(r[2])
		}
		out = append(out, photo{path: p, set: filepath.Dir(r[0]), format: r[1], text: string(want)})
	}
	return out
}

// tally counts outcomes and times for one decoder on one set.
type tally struct {
	correct, wrong, failed int
	wrongEANUPC            int
	ms                     []float64
}

func (t *tally) add(o outcome, ms float64, format string) {
	switch o {
	case correct:
		t.correct++
	case wrong:
		t.wrong++
		if strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC") {
			t.wrongEANUPC++
		}
	default:
		t.failed++
	}
	t.ms = append(t.ms, ms)
}

func (t *tally) String() string {
	n := t.correct + t.wrong + t.failed
	s := slices.Clone(t.ms)
	sort.Float64s(s)
	q := func(p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	pct := 0.0
	if n > 0 {
		pct = 100 * float64(t.correct) / float64(n)
	}
	return fmt.Sprintf("%3d/%3d %5.1f%% wrong %d (EAN/UPC %d) failed %3d  ms median %6.1f p95 %6.1f max %6.1f",
		t.correct, n, pct, t.wrong, t.wrongEANUPC, t.failed, q(0.5), q(0.95), q(1))
}

type outcome int

const (
	failed outcome = iota
	correct
	wrong
)

// judge: correct when some read has the expected text, wrong when reads
// exist but none has it.
func judge(texts []string, want string) outcome {
	if len(texts) == 0 {
		return failed
	}
	if slices.Contains(texts, want) {
		return correct
	}
	return wrong
}

// engine is one decoder under comparison.
type engine struct {
	name string
	run  func(path string) []string
}

func externalEngines() []engine {
	var es []engine
	if p, err := exec.LookPath("zbarimg"); err == nil {
		// zbarimg --raw prints each symbol's data followed by a newline; the
		// data may hold newlines itself, so both the whole output and each
		// line are candidates.
		es = append(es, engine{"zbarimg", func(path string) []string {
			out, _ := exec.Command(p, "--quiet", "--raw", "-Sbinary", path).Output()
			if len(out) == 0 {
				return nil
			}
			whole := strings.TrimSuffix(string(out), "\n")
			return append([]string{whole}, strings.Split(whole, "\n")...)
		}})
	}
	if p, err := exec.LookPath("ZXingReader"); err == nil {
		// ZXingReader (zxing-cpp) prints one block per symbol with a line
		// `Text:       "…"`; the exact spacing differs between versions.
		// Not verified against a real install yet.
		es = append(es, engine{"ZXingReader", func(path string) []string {
			out, _ := exec.Command(p, path).Output()
			var texts []string
			for _, line := range strings.Split(string(out), "\n") {
				if t, ok := strings.CutPrefix(line, "Text:"); ok {
					t = strings.TrimSpace(t)
					texts = append(texts, strings.TrimSuffix(strings.TrimPrefix(t, "\""), "\""))
				}
			}
			return texts
		}})
	}
	return es
}

// BenchmarkPhotos decodes the ZXing black-box photos once and reports, per
// set and overall, correct / wrong / failed and ms per image for this
// decoder and (when on PATH) zbarimg and ZXingReader, plus their union.
func BenchmarkPhotos(b *testing.B) {
	photos := loadManifest(b)
	d := NewDecoder(DecoderOptions{})
	engines := append([]engine{{"pandian", func(path string) []string {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		bcs, err := d.Decode(context.Background(), bytes.NewReader(data))
		if err != nil {
			return nil
		}
		var texts []string
		for _, bc := range bcs {
			texts = append(texts, bc.Text)
		}
		return texts
	}}}, externalEngines()...)
	if len(engines) == 1 {
		b.Log("zbarimg and ZXingReader not on PATH: reporting this decoder only")
	}
	for range b.N {
		sets := map[string]map[string]*tally{}
		union := map[string]*tally{}
		var setNames []string
		for _, p := range photos {
			if sets[p.set] == nil {
				sets[p.set] = map[string]*tally{}
				union[p.set] = &tally{}
				setNames = append(setNames, p.set)
			}
			best := failed
			for _, e := range engines {
				t0 := time.Now()
				texts := e.run(p.path)
				ms := float64(time.Since(t0).Microseconds()) / 1000
				o := judge(texts, p.text)
				if sets[p.set][e.name] == nil {
					sets[p.set][e.name] = &tally{}
				}
				sets[p.set][e.name].add(o, ms, p.format)
				if os.Getenv("PHOTOS_VERBOSE") != "" && e.name == "pandian" && o != correct {
					fmt.Printf("%s %s: %q want %q (%.0f ms)\n", e.name, p.path, texts, p.text, ms)
				}
				if o == correct || (o == wrong && best == failed) {
					best = o
				}
			}
			union[p.set].add(best, 0, p.format)
		}
		total := map[string]*tally{}
		var sb strings.Builder
		for _, s := range setNames {
			for _, e := range engines {
				t := sets[s][e.name]
				fmt.Fprintf(&sb, "%-14s %-12s %s\n", s, e.name, t)
				if total[e.name] == nil {
					total[e.name] = &tally{}
				}
				tt := total[e.name]
				tt.correct, tt.wrong, tt.failed, tt.wrongEANUPC = tt.correct+t.correct, tt.wrong+t.wrong, tt.failed+t.failed, tt.wrongEANUPC+t.wrongEANUPC
				tt.ms = append(tt.ms, t.ms...)
			}
		}
		for _, e := range engines {
			fmt.Fprintf(&sb, "%-14s %-12s %s\n", "OVERALL", e.name, total[e.name])
		}
		if len(engines) > 1 {
			u := &tally{}
			for _, s := range setNames {
				u.correct, u.wrong, u.failed = u.correct+union[s].correct, u.wrong+union[s].wrong, u.failed+union[s].failed
			}
			fmt.Fprintf(&sb, "%-14s %-12s %s\n", "OVERALL", "union", u)
		}
		fmt.Print(sb.String())
	}
}
