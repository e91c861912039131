package ocr

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"image"
	"image/jpeg"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pandian/ocr/realtruth"
)

// Tuning material that shows the held-out kind of failure without looking
// at held-out items: the dev half's photos (the ones with line truth)
// photographed again, worse — smaller, in perspective, curved, unevenly
// lit, blurred and JPEG-compressed — and scored against the same truth.

// photoEffects are the parameters of one degradation.
type photoEffects struct {
	scale   float64    // output size / input size (long side at least minLong)
	corners [4]float64 // perspective: inward (+) or outward (-) shift of each corner, share of the side
	curve   float64    // bow of the rows, share of the height (cylinder-like)
	light   float64    // darkening at the darkest corner, 0–1
	blur    float64    // Gaussian sigma in output pixels
	quality int        // JPEG quality
}

const degradeMinLong = 300

// degradeVariant draws the effects of variant v of a document: 0 small
// (low resolution, blur, heavy JPEG), 1 geometry (perspective, curvature,
// uneven light), 2 everything at once, moderately.
func degradeVariant(id string, v int) photoEffects {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", id, v)
	r := rand.New(rand.NewSource(int64(h.Sum64())))
	u := func(a, b float64) float64 { return a + (b-a)*r.Float64() }
	var e photoEffects
	switch v {
	case 0:
		e = photoEffects{scale: u(0.45, 0.65), light: u(0, 0.2), blur: u(0.5, 0.9), quality: int(u(30, 50))}
	case 1:
		e = photoEffects{scale: u(0.8, 1), light: u(0.3, 0.5), blur: u(0.3, 0.6), quality: int(u(60, 80)), curve: u(0.01, 0.025)}
		for i := range e.corners {
			e.corners[i] = u(-0.02, 0.06)
		}
	default:
		e = photoEffects{scale: u(0.6, 0.8), light: u(0.2, 0.4), blur: u(0.5, 0.8), quality: int(u(40, 60)), curve: u(0.005, 0.015)}
		for i := range e.corners {
			e.corners[i] = u(-0.01, 0.04)
		}
	}
	return e
}

// degradePhoto applies the effects to a photo and returns the JPEG bytes.
func degradePhoto(img image.Image, e photoEffects) []byte {
	src := toGray(img)
	s := e.scale
	if long := float64(max(src.w, src.h)) * s; long < degradeMinLong {
		s = math.Min(1, degradeMinLong/float64(max(src.w, src.h)))
	}
	// Area-average down to the output scale first (no aliasing).
	small := resizeArea(src, max(1, int(math.Round(float64(src.w)*s))), max(1, int(math.Round(float64(src.h)*s))))
	W, H := small.w, small.h
	out := newGray(W, H)
	// Corners of the source quad (TL, TR, BR, BL) in output pixels.
	c := e.corners
	q := [4][2]float64{
		{c[0] * float64(W), c[0] * float64(H)},
		{float64(W) - c[1]*float64(W), c[1] * float64(H)},
		{float64(W) - c[2]*float64(W), float64(H) - c[2]*float64(H)},
		{c[3] * float64(W), float64(H) - c[3]*float64(H)},
	}
	fl := make([]float64, W*H)
	for y := 0; y < H; y++ {
		v := (float64(y) + 0.5) / float64(H)
		for x := 0; x < W; x++ {
			u := (float64(x) + 0.5) / float64(W)
			// The rows bow: the middle of the sheet sits higher than its edges.
			vv := v + e.curve*(1-(2*u-1)*(2*u-1)) - e.curve/2
			sx := (1-u)*(1-vv)*q[0][0] + u*(1-vv)*q[1][0] + u*vv*q[2][0] + (1-u)*vv*q[3][0]
			sy := (1-u)*(1-vv)*q[0][1] + u*(1-vv)*q[1][1] + u*vv*q[2][1] + (1-u)*vv*q[3][1]
			val := 90.0 // table top outside the photo
			if sx >= 0 && sy >= 0 && sx <= float64(W-1) && sy <= float64(H-1) {
				val = bilinear(small, sx, sy)
			}
			// Uneven light: darker towards one corner.
			shade := 1 - e.light*math.Pow((u+v)/2, 1.5)
			fl[y*W+x] = val * shade
		}
	}
	blurPlane(fl, W, H, e.blur)
	for i, v := range fl {
		out.pix[i] = uint8(math.Max(0, math.Min(255, math.Round(v))))
	}
	var b bytes.Buffer
	gi := &image.Gray{Pix: out.pix, Stride: W, Rect: image.Rect(0, 0, W, H)}
	if err := jpeg.Encode(&b, gi, &jpeg.Options{Quality: e.quality}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func resizeArea(g *grayImg, w, h int) *grayImg {
	out := newGray(w, h)
	fx, fy := float64(g.w)/float64(w), float64(g.h)/float64(h)
	for y := 0; y < h; y++ {
		y0, y1 := int(float64(y)*fy), max(int(float64(y+1)*fy), int(float64(y)*fy)+1)
		for x := 0; x < w; x++ {
			x0, x1 := int(float64(x)*fx), max(int(float64(x+1)*fx), int(float64(x)*fx)+1)
			s, n := 0, 0
			for yy := y0; yy < min(y1, g.h); yy++ {
				for xx := x0; xx < min(x1, g.w); xx++ {
					s += int(g.pix[yy*g.w+xx])
					n++
				}
			}
			if n > 0 {
				out.pix[y*w+x] = uint8(s / n)
			}
		}
	}
	return out
}

func blurPlane(p []float64, W, H int, sigma float64) {
	if sigma <= 0 {
		return
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	s := 0.0
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		s += k[i]
	}
	for i := range k {
		k[i] /= s
	}
	tmp := make([]float64, len(p))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			v := 0.0
			for i, kv := range k {
				xx := min(max(x+i-r, 0), W-1)
				v += kv * p[y*W+xx]
			}
			tmp[y*W+x] = v
		}
	}
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			v := 0.0
			for i, kv := range k {
				yy := min(max(y+i-r, 0), H-1)
				v += kv * tmp[yy*W+x]
			}
			p[y*W+x] = v
		}
	}
}

// BenchmarkDebugRealDegraded reads the dev half's photos with line truth,
// degraded by degradeVariant (variants 0..OCR_DEGRADE_VARIANTS-1, default
// 3), with the engine and, in the same run, with bare `tesseract --psm 6`
// and the naive rule; it prints each page's figures (dev material only)
// and the totals, with the CPU ratio. The degraded JPEGs are kept in
// OCR_DEGRADE_DIR (required); OCR_DEWARP=1 or 0 turns the straightening of
// curled receipts on or off; OCR_LINE_HEIGHT and OCR_RECEIPT_LINE_HEIGHT
// set the text height pages are scaled to (LineHeightFromEnv);
// OCR_DEGRADE_SKIP_BARE=1 skips the baseline. A development aid:
//
//	OCR_DEGRADE_DIR=/tmp/degraded go test -run '^$' -bench DebugRealDegraded -benchtime 1x ./ocr/
func BenchmarkDebugRealDegraded(b *testing.B) {
	dir := os.Getenv("OCR_DEGRADE_DIR")
	if dir == "" {
		b.Skip("OCR_DEGRADE_DIR not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	t := os.Getenv("OCR_REAL_HALF")
	if t != "" && t != realtruth.Dev {
		b.Fatal("degraded material is made from the dev half only")
	}
	nv := 3
	if v, err := strconv.Atoi(os.Getenv("OCR_DEGRADE_VARIANTS")); err == nil && v > 0 {
		nv = v
	}
	only := os.Getenv("OCR_DEGRADE_ONLY") // a comma-separated list of variants, e.g. "0,2"
	e, err := NewEngine(Options{Workers: 1, Languages: debugLangs()})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	{
		defer DewarpFromEnv()()
		defer LatinSecondFromEnv()()
		defer RowMergeFromEnv()()
		defer LineHeightFromEnv()()
		defer ClippedAmountsFromEnv()()
		defer Rcpt2RulesFromEnv()()
	}
	skipBare := os.Getenv("OCR_DEGRADE_SKIP_BARE") != ""
	verbose := os.Getenv("OCR_VERBOSE") != ""
	for b.Loop() {
		ours, bare := make([]realtruth.Tally, nv), make([]realtruth.Tally, nv)
		oc, bc := make([]time.Duration, nv), make([]time.Duration, nv)
		for _, d := range debugRealDocs(b) {
			if d.Items == nil {
				continue
			}
			if ids := os.Getenv("OCR_DEGRADE_DOCS"); ids != "" && !strings.Contains(","+ids+",", ","+d.ID+",") {
				continue
			}
			img := loadTestImage(b, d.Image)
			for v := 0; v < nv; v++ {
				if only != "" && !strings.Contains(","+only+",", ","+strconv.Itoa(v)+",") {
					continue
				}
				dimg, path := degradedImage(b, dir, d.ID, img, v)
				c0 := procCPU()
				doc, err := e.ReadDocument(context.Background(), []image.Image{dimg})
				if err != nil {
					b.Fatal(err)
				}
				oc[v] += procCPU() - c0
				r := TruthResult(doc)
				ours[v].Add(d, r)
				so := d.ScoreLines(r.Lines)
				line := fmt.Sprintf("%s-v%d lines %d/%d got %d total %v", d.ID, v, so.Right, so.Truth, so.Got, d.TotalMatches(r.Total))
				if !skipBare {
					cmd := exec.Command("tesseract", path, "-", "--psm", "6", "-l", "eng+chi_tra")
					cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
					out, err := cmd.Output()
					if err != nil {
						b.Fatal(err)
					}
					bc[v] += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
					n := realtruth.Naive(string(out))
					bare[v].Add(d, n)
					sn := d.ScoreLines(n.Lines)
					line += fmt.Sprintf(" | bare %d/%d got %d total %v", sn.Right, sn.Truth, sn.Got, d.TotalMatches(n.Total))
				}
				fmt.Println(line)
				if verbose {
					printLinesAgainstTruth(d, r.Lines)
					if os.Getenv("OCR_VERBOSE") == "2" {
						p, err := e.ReadPage(context.Background(), dimg)
						if err != nil {
							b.Fatal(err)
						}
						for _, r := range groupRows(p.Words) {
							var sb strings.Builder
							for _, w := range r.words {
								fmt.Fprintf(&sb, " %s[%d-%d %.0f]", w.Text, w.Box.Min.X, w.Box.Max.X, w.Conf)
							}
							fmt.Printf("     |%s\n", sb.String())
						}
					}
				}
			}
		}
		var all, allB realtruth.Tally
		var allC, allBC time.Duration
		for v := 0; v < nv; v++ {
			s, sb := ours[v].Lines, bare[v].Lines
			fmt.Printf("variant %d: pipeline P %.3f R %.3f F1 %.3f (%d/%d got %d, %d wrong unflagged) total %d/%d | bare F1 %.3f (%d/%d got %d) total %d/%d | CPU %.1f s vs bare %.1f s\n", v,
				s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got, s.WrongUnflagged, ours[v].Totals, ours[v].TotalDocs,
				sb.F1(), sb.Right, sb.Truth, sb.Got, bare[v].Totals, bare[v].TotalDocs, oc[v].Seconds(), bc[v].Seconds())
			all.Lines.Add(s)
			allB.Lines.Add(sb)
			all.Totals += ours[v].Totals
			all.TotalDocs += ours[v].TotalDocs
			allB.Totals += bare[v].Totals
			allC += oc[v]
			allBC += bc[v]
		}
		s, sb := all.Lines, allB.Lines
		fmt.Printf("ALL: pipeline P %.3f R %.3f F1 %.3f (%d/%d got %d, %d wrong unflagged) total %d/%d | bare F1 %.3f (%d/%d) total %d | CPU ratio %.2f\n",
			s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got, s.WrongUnflagged, all.Totals, all.TotalDocs, sb.F1(), sb.Right, sb.Truth, allB.Totals, allC.Seconds()/max(allBC.Seconds(), 1e-9))
		b.ReportMetric(s.F1(), "F1")
		b.ReportMetric(sb.F1(), "F1-bare")
	}
}

// procCPU is this process's user+system CPU time.
func procCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDebugDewarpImage writes the preprocessed page of the image in
// OCR_DEWARP_IMG with and without dewarpRows (flat.pgm, dewarped.pgm) to
// OCR_DEWARP_OUT. A development aid.
func BenchmarkDebugDewarpImage(b *testing.B) {
	in, dir := os.Getenv("OCR_DEWARP_IMG"), os.Getenv("OCR_DEWARP_OUT")
	if in == "" || dir == "" {
		b.Skip("OCR_DEWARP_IMG and OCR_DEWARP_OUT not set")
	}
	img := loadTestImage(b, in)
	dewarpTrace = func(L float64, bw int, inked []int, disp [][]float64) {
		fmt.Printf("line %.1f band %d inked %v\n", L, bw, inked)
		for k, d := range disp {
			fmt.Printf("band %2d:", inked[k])
			for _, v := range d {
				fmt.Printf(" %3.0f", v)
			}
			fmt.Println()
		}
	}
	defer func() { dewarpTrace = nil }()
	for b.Loop() {
		o := defaultPrep
		o.dewarp = false
		flat := preprocess(img, o)
		os.WriteFile(filepath.Join(dir, "flat.pgm"), flat.pgm(), 0o644)
		os.WriteFile(filepath.Join(dir, "dewarped.pgm"), dewarpRows(flat).pgm(), 0o644)
	}
}

// BenchmarkDebugDewarpSizes prints, for the dev photos and their degraded
// copies in OCR_DEGRADE_DIR, the largest displacement dewarpRows measures
// (in line heights). A development aid.
func BenchmarkDebugDewarpSizes(b *testing.B) {
	dir := os.Getenv("OCR_DEGRADE_DIR")
	if dir == "" {
		b.Skip("OCR_DEGRADE_DIR not set")
	}
	var big float64
	var lh float64
	dewarpTrace = func(L float64, bw int, inked []int, disp [][]float64) {
		lh, big = L, 0
		for _, d := range disp {
			for _, v := range d {
				big = math.Max(big, math.Abs(v))
			}
		}
	}
	defer func() { dewarpTrace = nil }()
	for b.Loop() {
		paths := []string{}
		if gl := os.Getenv("OCR_DEWARP_GLOB"); gl != "" {
			paths, _ = filepath.Glob(gl)
		}
		for _, d := range debugRealDocs(b) {
			if len(paths) > 0 && os.Getenv("OCR_DEWARP_GLOB") != "" {
				break
			}
			paths = append(paths, d.Image)
			for v := 0; v < 3; v++ {
				paths = append(paths, filepath.Join(dir, fmt.Sprintf("%s-v%d.jpg", d.ID, v)))
			}
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			img, err := LoadImage(bytes.NewReader(data), DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			big, lh = -1, 0
			o := defaultPrep
			o.dewarp = true
			preprocess(img, o)
			fmt.Printf("%-50s line %5.1f biggest %5.1f px = %.2f lines\n", filepath.Base(p), lh, big, big/math.Max(lh, 1))
		}
	}
}

// BenchmarkDebugDewarpCost times preprocess with and without dewarpRows on
// the dev photos. A development aid.
func BenchmarkDebugDewarpCost(b *testing.B) {
	var imgs []image.Image
	for _, d := range debugRealDocs(b) {
		img := loadTestImage(b, d.Image)
		imgs = append(imgs, img)
	}
	for b.Loop() {
		for _, on := range []bool{false, true} {
			o := defaultPrep
			o.dewarp = on
			c0 := procCPU()
			for _, img := range imgs {
				preprocess(img, o)
			}
			fmt.Printf("dewarp %v: %.2f s CPU for %d pages\n", on, (procCPU() - c0).Seconds(), len(imgs))
		}
	}
}

// dewarpGateReport preprocesses img without straightening, straightens
// the result and says what the gate (dewarpRows) measured: the largest
// displacement in text heights, the row-profile sharpness before and
// after, and whether the page was changed. A development aid.
func dewarpGateReport(name string, img image.Image) string {
	o := defaultPrep
	o.dewarp = false
	flat := preprocess(img, o)
	var lines, bow, before, after float64 = -1, 0, 0, 0
	dewarpGateTrace = func(l, bw, b, a float64) { lines, bow, before, after = l, bw, b, a }
	defer func() { dewarpGateTrace = nil }()
	out := dewarpRows(flat)
	narrow := float64(flat.w)/float64(flat.h) < 0.55
	if lines < 0 {
		return fmt.Sprintf("%-40s narrow %-5v not measured (or under the minimum)", name, narrow)
	}
	return fmt.Sprintf("%-40s narrow %-5v disp %.2f bow %.2f lines sharp %.3f -> %.3f (%+.1f%%) changed %v", name, narrow, lines, bow, before, after, 100*(after/before-1), out != flat)
}

// BenchmarkDebugDewarpGate prints dewarpGateReport for the dev photos,
// their degraded copies in OCR_DEGRADE_DIR (made when missing) and the
// shared purchase orders. A development aid.
func BenchmarkDebugDewarpGate(b *testing.B) {
	dir := os.Getenv("OCR_DEGRADE_DIR")
	if dir == "" {
		b.Skip("OCR_DEGRADE_DIR not set")
	}
	os.MkdirAll(dir, 0o755)
	for b.Loop() {
		for _, d := range debugRealDocs(b) {
			if d.Items == nil {
				continue
			}
			img := loadTestImage(b, d.Image)
			fmt.Println(dewarpGateReport("dev "+d.ID, img))
			for v := 0; v < 3; v++ {
				dimg, _ := degradedImage(b, dir, d.ID, img, v)
				fmt.Println(dewarpGateReport(fmt.Sprintf("degraded %s-v%d", d.ID, v), dimg))
			}
		}
		pos, _ := filepath.Glob("../../shared/data/purchase-orders/po*.jpg")
		for _, p := range pos {
			data, _ := os.ReadFile(p)
			img, err := LoadImage(bytes.NewReader(data), DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Println(dewarpGateReport("po "+filepath.Base(p), img))
		}
	}
}

// degradedImage is variant v of document id's photo img, made once and
// kept in dir as a JPEG (path), loaded as the engine loads a photo.
func degradedImage(b *testing.B, dir, id string, img image.Image, v int) (dimg image.Image, path string) {
	b.Helper()
	path = filepath.Join(dir, fmt.Sprintf("%s-v%d.jpg", id, v))
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, degradePhoto(img, degradeVariant(id, v)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	dimg, err := LoadImage(bytes.NewReader(data), DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	return dimg, path
}

// debugLangs is benchLangs for the package's own debug benchmarks:
// OCR_BENCH_LANGS (e.g. "eng") overrides the engine's languages.
func debugLangs() []string {
	if l := os.Getenv("OCR_BENCH_LANGS"); l != "" {
		return strings.Split(l, "+")
	}
	return nil
}
