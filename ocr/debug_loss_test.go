package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pandian/ocr/realtruth"
)

// BenchmarkDebugDegradedLoss tells where the degraded dev material's
// truth lines are lost: for each truth line not found, whether its amount
// is in the page's words at all (and on a row with its description), or
// only in bare Tesseract's text, or nowhere. Pages (ReadPage) and bare
// text are cached in OCR_LOSS_CACHE/<OCR_LOSS_TAG>/ so the extraction can
// be iterated on; the degraded JPEGs come from OCR_DEGRADE_DIR as in
// BenchmarkDebugRealDegraded. Dev half only. A development aid:
//
//	OCR_DEGRADE_DIR=/tmp/deg OCR_LOSS_CACHE=/tmp/loss OCR_LOSS_TAG=main go test -run '^$' -bench DebugDegradedLoss -benchtime 1x ./ocr/
func BenchmarkDebugDegradedLoss(b *testing.B) {
	lc := lossCacheDirs(b)
	dir, cache, tag, pdir := lc.dir, lc.cache, lc.tag, lc.pdir
	engine := lazyEngine(b)
	verbose := os.Getenv("OCR_VERBOSE")
	for b.Loop() {
		var found, inRow, inWords, bareOnly, nowhere, got, wrongUnfl, truth int
		var cpu float64
		for _, d := range debugRealDocs(b) {
			if d.Items == nil {
				continue
			}
			img := loadTestImage(b, d.Image)
			for _, v := range debugVariants(b) {
				var dimg image.Image
				var path, name string
				if v < 0 {
					dimg, path, name = img, d.Image, d.ID
				} else {
					dimg, path = degradedImage(b, dir, d.ID, img, v)
					name = fmt.Sprintf("%s-v%d", d.ID, v)
				}
				pf := filepath.Join(pdir, name+".json")
				var p Page
				if data, err := os.ReadFile(pf); err == nil {
					if err := json.Unmarshal(data, &p); err != nil {
						b.Fatal(err)
					}
				} else {
					e := engine()
					c0 := procCPU()
					pp, err := e.ReadPage(context.Background(), dimg)
					if err != nil {
						b.Fatal(err)
					}
					cpu += (procCPU() - c0).Seconds()
					p = *pp
					data, _ := json.Marshal(pp)
					if err := os.WriteFile(pf, data, 0o644); err != nil {
						b.Fatal(err)
					}
				}
				bf := filepath.Join(cache, "bare-"+name+".txt")
				bareTxt, err := os.ReadFile(bf)
				if err != nil {
					cmd := exec.Command("tesseract", path, "-", "--psm", "6", "-l", "eng+chi_tra")
					cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
					if bareTxt, err = cmd.Output(); err != nil {
						b.Fatal(err)
					}
					_ = os.WriteFile(bf, bareTxt, 0o644)
				}
				doc := Extract([]*Page{&p})
				lines := TruthResult(doc).Lines
				s := d.ScoreLines(lines)
				got += s.Got
				wrongUnfl += s.WrongUnflagged
				rows := groupRows(p.Words)
				var rowTxt []string
				for _, r := range rows {
					rowTxt = append(rowTxt, r.text())
				}
				pageDigits := moneyDigits(strings.Join(rowTxt, " "))
				bareDigits := moneyDigits(string(bareTxt))
				used := make([]bool, len(lines))
				if verbose != "" {
					fmt.Printf("%s: %d/%d (page %dx%d, %d words)\n", name, s.Right, s.Truth, p.Width, p.Height, len(p.Words))
				}
				for _, it := range d.Items {
					truth++
					hit := false
					for k, l := range lines {
						if !used[k] && realtruth.LineMatches(it, l) {
							used[k], hit = true, true
							break
						}
					}
					a := moneyDigits(it.Amount)
					class := ""
					switch {
					case hit:
						found++
						class = "found"
					case a != "" && strings.Contains(pageDigits, a):
						class = "words"
						inWords++
						for _, t := range rowTxt {
							if strings.Contains(moneyDigits(t), a) && realtruth.Overlaps(it.Desc, t) {
								class = "row"
								inWords--
								inRow++
								break
							}
						}
					case a != "" && strings.Contains(bareDigits, a):
						class = "bare"
						bareOnly++
					default:
						class = "nowhere"
						nowhere++
					}
					if verbose != "" && class != "found" {
						fmt.Printf("   %-7s %q a=%s\n", class, it.Desc, it.Amount)
						if class == "row" || class == "words" {
							for _, t := range rowTxt {
								if strings.Contains(moneyDigits(t), a) {
									fmt.Printf("           | %s\n", t)
								}
							}
						}
					}
				}
				if verbose == "2" {
					for _, l := range doc.Lines {
						fmt.Printf("     > %q q=%d p=%s a=%s review=%v\n", l.Description, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview)
					}
					for _, t := range rowTxt {
						fmt.Printf("     | %s\n", t)
					}
				}
			}
		}
		fmt.Printf("LOSS %s: truth %d found %d | amount+desc on a row %d | amount in words only %d | amount only in bare %d | nowhere %d | got %d wrong unflagged %d | CPU read %.1f s\n",
			tag, truth, found, inRow, inWords, bareOnly, nowhere, got, wrongUnfl, cpu)
		b.ReportMetric(float64(found), "found")
	}
}

// moneyDigits keeps the digits of s, with each run of digits ended by a
// space, the decimal marks dropped: "£3.95" -> "395 ".
func moneyDigits(s string) string {
	var sb strings.Builder
	prev := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			sb.WriteRune(r)
			prev = true
		case (r == '.' || r == ',') && prev:
		default:
			if prev {
				sb.WriteByte(' ')
			}
			prev = false
		}
	}
	if prev {
		sb.WriteByte(' ')
	}
	return " " + sb.String()
}

// BenchmarkDebugPrepScale prints, for the dev photos with line truth and
// their degraded copies, the photo's size, its measured character height
// and the size of the page preprocess makes of it. No OCR.
func BenchmarkDebugPrepScale(b *testing.B) {
	dir := os.Getenv("OCR_DEGRADE_DIR")
	if dir == "" {
		b.Skip("OCR_DEGRADE_DIR not set")
	}
	for b.Loop() {
		for _, d := range debugRealDocs(b) {
			if d.Items == nil {
				continue
			}
			img := loadTestImage(b, d.Image)
			show := func(name string, im image.Image) {
				g := toGray(im)
				r := preprocess(im, defaultPrep)
				if out := os.Getenv("OCR_PREP_OUT"); out != "" {
					writeGrayPNG(filepath.Join(out, name+".png"), r)
					writeGrayPNG(filepath.Join(out, name+"-src.png"), g)
				}
				pushTrace = func(off [4]float64, w, h float64) { fmt.Printf("push %v of %.0fx%.0f ", off, w, h) }
				defer func() { pushTrace = nil }()
				onFrame := -1
				if q, ok := findPaper(g); ok {
					onFrame = 0
					for _, c := range q {
						if c.x < 3 || c.y < 3 || c.x > float64(g.w)-4 || c.y > float64(g.h)-4 {
							onFrame++
						}
					}
				}
				fmt.Printf("frame %d ", onFrame)
				fmt.Printf("%-8s photo %4dx%-4d lh %5.1f -> page %4dx%-4d scale %.2f tilt left %.2f\n", name, g.w, g.h, textLineHeight(g), r.w, r.h, float64(r.w)/float64(g.w), residualTilt(r))
			}
			show(d.ID, img)
			for v := 0; v < 3; v++ {
				dimg, _ := degradedImage(b, dir, d.ID, img, v)
				show(fmt.Sprintf("%s-v%d", d.ID, v), dimg)
			}
		}
	}
}

// writeGrayPNG writes g as a PNG file (a development aid).
func writeGrayPNG(path string, g *grayImg) {
	im := image.NewGray(image.Rect(0, 0, g.w, g.h))
	copy(im.Pix, g.pix)
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = png.Encode(f, im)
}

// OCR_EDGE_PUSH=1 (or 0) turns pushEdges on (off) in the tests and
// benchmarks, for before/after comparisons in one build; OCR_PUSH_ALL=1
// pushes every side; OCR_SIDE_FIT and OCR_DROP_INK the same for
// paperSideFit and dropColourInk.
func init() {
	switch os.Getenv("OCR_EDGE_PUSH") {
	case "0":
		paperEdgePush = false
	case "1":
		paperEdgePush = true
	}
	switch os.Getenv("OCR_DROP_INK") {
	case "0":
		dropColourInk = false
	case "1":
		dropColourInk = true
	}
	switch os.Getenv("OCR_SIDE_FIT") {
	case "0":
		paperSideFit = false
	case "1":
		paperSideFit = true
	}
	if v, err := strconv.ParseFloat(os.Getenv("OCR_FIT_LOST"), 64); err == nil {
		fitLostMin = v
	}
	if os.Getenv("OCR_PUSH_ALL") == "1" {
		pushRightOnly = false
	}
}

// lossCache is the debug loss benchmarks' material: the degraded copies'
// directory (OCR_DEGRADE_DIR), the cache (OCR_LOSS_CACHE) and, under it,
// the readings of one build (OCR_LOSS_TAG, default main).
type lossCache struct{ dir, cache, tag, pdir string }

// lossCacheDirs reads the loss benchmarks' directories, making the
// readings' one when missing. It skips the benchmark when either
// variable is unset and refuses the held-out half.
func lossCacheDirs(b *testing.B) lossCache {
	b.Helper()
	c := lossCache{dir: os.Getenv("OCR_DEGRADE_DIR"), cache: os.Getenv("OCR_LOSS_CACHE"), tag: os.Getenv("OCR_LOSS_TAG")}
	if c.dir == "" || c.cache == "" {
		b.Skip("OCR_DEGRADE_DIR and OCR_LOSS_CACHE not set")
	}
	if t := os.Getenv("OCR_REAL_HALF"); t != "" && t != realtruth.Dev {
		b.Fatal("degraded material is made from the dev half only")
	}
	if c.tag == "" {
		c.tag = "main"
	}
	c.pdir = filepath.Join(c.cache, c.tag)
	if err := os.MkdirAll(c.pdir, 0o755); err != nil {
		b.Fatal(err)
	}
	return c
}

// lazyEngine is a one-worker engine made when first asked for (a cached
// run reads nothing) and closed when the benchmark ends.
func lazyEngine(b *testing.B) func() *Engine {
	var e *Engine
	b.Cleanup(func() {
		if e != nil {
			e.Close()
		}
	})
	return func() *Engine {
		if e == nil {
			var err error
			if e, err = NewEngine(Options{Workers: 1}); err != nil {
				b.Fatal(err)
			}
		}
		return e
	}
}
