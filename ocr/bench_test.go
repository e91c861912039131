package ocr_test

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pandian/ocr"
	"pandian/ocr/potruth"
)

// needShared skips the test when the shared data set dir is absent (it
// fails it in CI, where ../shared is always laid beside the checkout).
func needShared(tb testing.TB, dir string) {
	tb.Helper()
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared data missing in CI: %v", err)
		}
		tb.Skipf("shared data not present (%v)", err)
	}
}

// sharedDir holds the photographed purchase orders with ground truth.
const sharedDir = "../../shared/data/purchase-orders"

func loadTruths(tb testing.TB) []*potruth.Truth {
	tb.Helper()
	needShared(tb, sharedDir)
	ts, err := potruth.LoadDir(sharedDir)
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

func loadPhoto(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := ocr.LoadImage(f, ocr.DefaultLimits)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return img
}

// scoreLines converts extracted lines for potruth.
func scoreLines(doc *ocr.Document) []potruth.Line {
	out := make([]potruth.Line, len(doc.Lines))
	for i, l := range doc.Lines {
		id := l.SKU
		if id == "" {
			id = l.Barcode
		}
		out[i] = potruth.Line{ID: id, Qty: l.Qty, UnitPrice: l.UnitPrice, NeedsReview: l.NeedsReview}
	}
	return out
}

// bareTesseract times the command-line baseline on one photo: wall time
// and the CPU time of the tesseract process.
func bareTesseract(tb testing.TB, path string) (wall, cpu time.Duration) {
	tb.Helper()
	cmd := exec.Command("tesseract", path, "-", "--psm", "6", "-l", "eng+chi_tra")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("tesseract %s: %v\n%s", path, err, out)
	}
	return time.Since(t0), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// BenchmarkPurchaseOrders runs the pipeline over the 15 photographed
// documents and, in the same run, bare `tesseract --psm 6` on each photo.
// It reports line precision/recall/F1, header exact matches, wrong lines
// not flagged for review, seconds per page for both, and pages per minute
// with one and two workers. Run with -benchtime=1x.
func BenchmarkPurchaseOrders(b *testing.B) {
	truths := loadTruths(b)
	imgs := make([]image.Image, len(truths))
	for i, t := range truths {
		imgs[i] = loadPhoto(b, t.Photo)
	}
	ctx := context.Background()
	for n := 0; n < b.N; n++ {
		e1, err := ocr.NewEngine(ocr.Options{Workers: 1, Languages: benchLangs()})
		if err != nil {
			b.Fatal(err)
		}
		// OCR_DEWARP=1 or 0: as in BenchmarkRealDocuments.
		restoreDewarp := ocr.DewarpFromEnv()
		defer ocr.InkSheetsFromEnv()()
		defer ocr.LeaningRuleCountFromEnv()()
		defer ocr.InkMarksFromEnv()()
		defer ocr.SlantedRulesFromEnv()()
		defer ocr.CellLooksFromEnv()()
		defer ocr.CloseSplitsFromEnv()()
		defer ocr.ClippedAmountsFromEnv()()
		defer ocr.Rcpt2RulesFromEnv()()
		defer restoreDewarp()
		var total potruth.Score
		perLayout := map[string]*potruth.Score{}
		var hdr [3]int
		// Wall time is what the target is about; CPU time is reported too
		// because other work on the shared machine makes wall time noisy.
		var ours, bare, oursCPU, bareCPU time.Duration
		fmt.Printf("%-5s %-3s %6s %6s %6s %5s %5s  %-3s %-3s %-3s %7s %7s %5s\n", "doc", "lay", "prec", "recall", "F1", "wrong", "unfl", "no", "dat", "tot", "s/page", "bare", "ratio")
		for i, t := range truths {
			c0, t0 := cpuTime(), time.Now()
			doc, err := e1.ReadDocument(ctx, []image.Image{imgs[i]})
			if err != nil {
				b.Fatal(err)
			}
			d, dc := time.Since(t0), cpuTime()-c0
			var bd, bc time.Duration
			if os.Getenv("OCR_BENCH_SKIP_BARE") == "" {
				bd, bc = bareTesseract(b, t.Photo)
			}
			ours += d
			bare += bd
			oursCPU += dc
			bareCPU += bc
			s := t.ScoreLines(scoreLines(doc))
			total.Add(s)
			if perLayout[t.Render.Layout] == nil {
				perLayout[t.Render.Layout] = &potruth.Score{}
			}
			perLayout[t.Render.Layout].Add(s)
			h := t.ScoreHeader(doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
			for k, ok := range []bool{h.DocNumber, h.Date, h.Total} {
				if ok {
					hdr[k]++
				}
			}
			fmt.Printf("%-5s %-3s %6.3f %6.3f %6.3f %5d %5d  %-3v %-3v %-3v %7.2f %7.2f %5.2f\n", t.ID, t.Render.Layout,
				s.Precision(), s.Recall(), s.F1(), s.WrongFlagged+s.WrongUnflagged, s.WrongUnflagged,
				yn(h.DocNumber), yn(h.Date), yn(h.Total), d.Seconds(), bd.Seconds(), d.Seconds()/bd.Seconds())
		}
		for _, lay := range []string{"L1", "L2", "L3"} {
			if s := perLayout[lay]; s != nil {
				fmt.Printf("layout %s: precision %.3f recall %.3f F1 %.3f (%d/%d right, %d wrong, %d wrong unflagged)\n",
					lay, s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got-s.Right, s.WrongUnflagged)
			}
		}
		nd := float64(len(truths))
		fmt.Printf("overall: precision %.3f recall %.3f F1 %.3f; wrong lines %d, unflagged %d\n",
			total.Precision(), total.Recall(), total.F1(), total.Got-total.Right, total.WrongUnflagged)
		fmt.Printf("header exact: doc number %.2f date %.2f total %.2f\n", float64(hdr[0])/nd, float64(hdr[1])/nd, float64(hdr[2])/nd)
		fmt.Printf("time per page: pipeline %.2f s, bare tesseract %.2f s, ratio %.2f (CPU time: %.2f s vs %.2f s, ratio %.2f)\n",
			ours.Seconds()/nd, bare.Seconds()/nd, ours.Seconds()/bare.Seconds(), oursCPU.Seconds()/nd, bareCPU.Seconds()/nd, oursCPU.Seconds()/bareCPU.Seconds())
		b.ReportMetric(total.Precision(), "precision")
		b.ReportMetric(total.Recall(), "recall")
		b.ReportMetric(total.F1(), "F1")
		b.ReportMetric(float64(total.WrongUnflagged), "wrong-unflagged")
		b.ReportMetric(ours.Seconds()/nd, "s/page")
		b.ReportMetric(bare.Seconds()/nd, "bare-s/page")
		b.ReportMetric(ours.Seconds()/bare.Seconds(), "time-ratio")
		b.ReportMetric(oursCPU.Seconds()/bareCPU.Seconds(), "cpu-ratio")
		e1.Close()

		if os.Getenv("OCR_BENCH_SKIP_WORKERS") != "" {
			continue
		}
		ppm := make(map[int]float64)
		util := make(map[int]float64) // CPU cores the process actually got
		cpuPerPage := make(map[int]float64)
		// Other work on the shared machine makes a single pass noisy: the
		// configurations alternate and each keeps its best of two passes.
		engines := map[int]*ocr.Engine{}
		for _, w := range []int{1, 2} {
			e, err := ocr.NewEngine(ocr.Options{Workers: w, Languages: benchLangs()})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			engines[w] = e
			// Warm every client so model loading is not timed.
			var wg sync.WaitGroup
			for k := 0; k < w; k++ {
				wg.Add(1)
				go func() { defer wg.Done(); e.ReadPage(ctx, imgs[k]) }()
			}
			wg.Wait()
		}
		for pass := 0; pass < 2; pass++ {
			for _, w := range []int{1, 2} {
				e := engines[w]
				var wg sync.WaitGroup
				jobs := make(chan image.Image)
				cpu0 := cpuTime()
				t0 := time.Now()
				for k := 0; k < w; k++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for img := range jobs {
							if _, err := e.ReadDocument(ctx, []image.Image{img}); err != nil {
								b.Error(err)
							}
						}
					}()
				}
				for _, img := range imgs {
					jobs <- img
				}
				close(jobs)
				wg.Wait()
				wall := time.Since(t0)
				cpu := (cpuTime() - cpu0).Seconds()
				fmt.Printf("pass %d, %d worker(s): %.1f pages/min, %.2f cores used\n", pass+1, w, nd/wall.Minutes(), cpu/wall.Seconds())
				if r := nd / wall.Minutes(); r > ppm[w] {
					ppm[w] = r
					util[w] = cpu / wall.Seconds()
					cpuPerPage[w] = cpu / nd
				}
			}
		}
		fmt.Printf("throughput: 1 worker %.1f pages/min (%.2f cores used), 2 workers %.1f pages/min (%.2f cores used), speed-up %.2f×; load average %s\n",
			ppm[1], util[1], ppm[2], util[2], ppm[2]/ppm[1], loadAvg())
		// With no internal serialisation the CPU time per page stays the same
		// with two workers, and the speed-up is then bounded only by the cores
		// the machine gives the process.
		fmt.Printf("CPU time per page: 1 worker %.2f s, 2 workers %.2f s\n", cpuPerPage[1], cpuPerPage[2])
		b.ReportMetric(ppm[2]/ppm[1], "2-worker-speedup")
	}
}

// benchLangs lets OCR_BENCH_LANGS (e.g. "chi_tra") override the engine's
// languages when comparing models.
func benchLangs() []string {
	if l := os.Getenv("OCR_BENCH_LANGS"); l != "" {
		return strings.Split(l, "+")
	}
	return nil
}

// cpuTime is the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the 1-minute load average (other work on the machine caps the
// 2-worker speed-up).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func yn(b bool) string {
	if b {
		return "y"
	}
	return "n"
}
