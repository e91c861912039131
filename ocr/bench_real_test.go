package ocr_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/ocr"
	"pandian/ocr/realtruth"
)

// realDir holds the real receipts with ground truth (see its README).
const realDir = "../../shared/data/real-documents"

func loadReal(tb testing.TB) []*realtruth.Doc {
	tb.Helper()
	needShared(tb, realDir)
	docs, err := realtruth.Load(realDir)
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// bareText runs the baseline, `tesseract <image> - --psm 6 -l eng+chi_tra`
// with OMP_THREAD_LIMIT=1, and returns its text, wall time and the CPU time
// of the tesseract process.
func bareText(tb testing.TB, path string) (string, time.Duration, time.Duration) {
	tb.Helper()
	cmd := exec.Command("tesseract", path, "-", "--psm", "6", "-l", "eng+chi_tra")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var errb strings.Builder
	cmd.Stderr = &errb
	t0 := time.Now()
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("tesseract %s: %v\n%s", path, err, errb.String())
	}
	return string(out), time.Since(t0), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// realTally is one half's figures for the pipeline and the baseline, with
// CPU and wall time per page.
type realTally struct {
	ours, bare                     realtruth.Tally
	oursCPU, bareCPU, oursW, bareW []time.Duration
}

func medianDur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func sumDur(d []time.Duration) time.Duration {
	var t time.Duration
	for _, x := range d {
		t += x
	}
	return t
}

// printRealTallies prints and reports the figures per half.
func printRealTallies(b *testing.B, halves map[string]*realTally) {
	for _, h := range []string{realtruth.Dev, realtruth.HeldOut} {
		t := halves[h]
		if t == nil {
			continue
		}
		fmt.Printf("== %s (%d documents)\n", h, t.ours.Docs)
		for _, x := range []struct {
			name string
			t    realtruth.Tally
		}{{"pipeline", t.ours}, {"bare+regex", t.bare}} {
			s := x.t.Lines
			fmt.Printf("%-10s lines P %.3f R %.3f F1 %.3f (%d right of %d truth, %d read, %d wrong unflagged); total %d/%d (%d wrong); date %d/%d (%d wrong); supplier %d/%d; no line %d\n",
				x.name, s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got, s.WrongUnflagged,
				x.t.Totals, x.t.TotalDocs, x.t.WrongTotals, x.t.Dates, x.t.DateDocs, x.t.WrongDates, x.t.Suppliers, x.t.SupplierDocs, x.t.NoLine)
		}
		fmt.Printf("%-10s F1 ratio pipeline/baseline %.2f\n", "", t.ours.Lines.F1()/max(t.bare.Lines.F1(), 1e-9))
		fmt.Printf("%-10s time per page (median): pipeline %.2f s CPU (%.2f s wall), bare %.2f s CPU (%.2f s wall); CPU total ratio %.2f, wall total ratio %.2f\n", "",
			medianDur(t.oursCPU).Seconds(), medianDur(t.oursW).Seconds(), medianDur(t.bareCPU).Seconds(), medianDur(t.bareW).Seconds(),
			sumDur(t.oursCPU).Seconds()/sumDur(t.bareCPU).Seconds(), sumDur(t.oursW).Seconds()/sumDur(t.bareW).Seconds())
		p := strings.ReplaceAll(h, "-", "")
		b.ReportMetric(t.ours.Lines.F1(), p+"-F1")
		b.ReportMetric(t.bare.Lines.F1(), p+"-F1-bare")
		b.ReportMetric(realtruth.Frac(t.ours.Totals, t.ours.TotalDocs), p+"-total")
		b.ReportMetric(realtruth.Frac(t.ours.Dates, t.ours.DateDocs), p+"-date")
		b.ReportMetric(realtruth.Frac(t.ours.Suppliers, t.ours.SupplierDocs), p+"-supplier")
		b.ReportMetric(sumDur(t.oursCPU).Seconds()/sumDur(t.bareCPU).Seconds(), p+"-cpu-x-bare")
	}
}

// BenchmarkRealDocuments runs the engine (one worker) over the real
// receipts of shared/data/real-documents and, in the same run, bare
// `tesseract --psm 6` with the naive row rule (realtruth.Naive) on the same
// images. Figures are printed per half: dev (tuned on) and held-out (the
// one that counts). OCR_REAL_HALF=dev or held-out limits the run to one
// half; OCR_BENCH_SKIP_WORKERS skips the 1-vs-2-worker throughput pass;
// OCR_DEWARP=1 or 0 turns the straightening of curled receipts
// (dewarp.go) on or off (unset: the default); OCR_HEADER_CROPS=1 (or 0)
// turns the date's crop look (header_crop.go) on (off; unset: the
// default, off); OCR_TOTAL_CROPS=0 (or 1) turns the total's crop look
// (total_crop.go) off (on; unset: the default, on); OCR_LATIN_SECOND=0
// (or 1) reads the second look with every language (English alone on
// Latin-script pages; unset: the default, English alone, latin.go);
// OCR_ROW_MERGE=1 turns the row merge on (rowmerge.go; unset: off) and
// OCR_DIGIT_BY_CONF=0 the one-digit arbitration of the second look's
// total off (header_look.go; unset: on);
// OCR_BENCH_LANGS (e.g. "eng") sets the engine's languages;
// OCR_LINE_HEIGHT (all pages) and OCR_RECEIPT_LINE_HEIGHT (narrow receipts
// only) set the text height pages are scaled to (preprocess.go);
// OCR_TOTAL_EVIDENCE=1 (or 0) turns the total's evidence vote
// (total_evidence.go) on, OCR_TAX_INCLUDED=1 the reading of "(Inclusive
// of GST)" rows as no tax to add, OCR_WALLET_PAYMENTS=1 Octopus and the
// phone wallets as payments (unset: the defaults, all three off);
// OCR_CLIPPED_AMOUNTS=1 reads an item's amount cut off at the page's edge
// ("5.9") with a 0 for its lost digit (clipped.go; unset: off);
// OCR_RCPT2_RULES=0 turns the summary rules of rcpt2Rules off (receipt.go;
// unset: on); OCR_RESCALE_LOOK=1 turns the rescaled look on
// (rescale_look.go; unset: off).
// Run with -benchtime=1x.
func BenchmarkRealDocuments(b *testing.B) {
	docs := loadReal(b)
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract CLI not installed")
	}
	only := os.Getenv("OCR_REAL_HALF")
	ctx := context.Background()
	for n := 0; n < b.N; n++ {
		e, err := ocr.NewEngine(ocr.Options{Workers: 1, Languages: benchLangs()})
		if err != nil {
			b.Fatal(err)
		}
		// OCR_DEWARP=1 or 0 turns the straightening of curled receipts on
		// or off, to measure what it brings.
		restore := ocr.DewarpFromEnv()
		restoreStamped := ocr.StampedDateFromEnv()
		restoreCrops := ocr.HeaderCropsFromEnv()
		restoreDigit := ocr.DigitRepairFromEnv()
		restoreTotalCrops := ocr.TotalCropsFromEnv()
		restoreLatin := ocr.LatinSecondFromEnv()
		restoreMerge := ocr.RowMergeFromEnv()
		restoreLH := ocr.LineHeightFromEnv()
		restoreVote := ocr.TotalEvidenceFromEnv()
		restoreIncl := ocr.TaxIncludedFromEnv()
		restoreWallet := ocr.WalletPaymentsFromEnv()
		votes0 := ocr.TotalVotes()
		defer ocr.InkSheetsFromEnv()()
		defer ocr.ClippedAmountsFromEnv()()
		defer ocr.Rcpt2RulesFromEnv()()
		defer ocr.LeaningRuleCountFromEnv()()
		defer ocr.InkMarksFromEnv()()
		defer ocr.SlantedRulesFromEnv()()
		defer ocr.CellLooksFromEnv()()
		defer ocr.CloseSplitsFromEnv()()
		looks0 := ocr.LatinSecondLooks()
		reads0, taken0 := ocr.TotalCropCounts()
		halves := map[string]*realTally{}
		var imgs []image.Image
		fmt.Printf("%-9s %-8s %5s %5s %5s  %-3s %-3s %-3s | %5s %5s  %-3s %-3s %-3s | %6s %6s\n", "doc", "half", "truth", "got", "right", "tot", "dat", "sup", "b-got", "b-rgt", "tot", "dat", "sup", "cpu s", "bare s")
		for _, d := range docs {
			if only != "" && d.Half != only {
				continue
			}
			img := loadPhoto(b, d.Image)
			imgs = append(imgs, img)
			c0, t0 := cpuTime(), time.Now()
			doc, err := e.ReadDocument(ctx, []image.Image{img})
			if err != nil {
				b.Fatalf("%s: %v", d.ID, err)
			}
			wall, cpu := time.Since(t0), cpuTime()-c0
			// OCR_REAL_DUMP=dir writes each document read (JSON) to
			// dir/<id>.json, to compare two builds' outputs exactly.
			if dir := os.Getenv("OCR_REAL_DUMP"); dir != "" {
				js, err := json.MarshalIndent(doc, "", " ")
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, d.ID+".json"), js, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			text, bw, bc := bareText(b, d.Image)
			t := halves[d.Half]
			if t == nil {
				t = &realTally{}
				halves[d.Half] = t
			}
			ours, bare := ocr.TruthResult(doc), realtruth.Naive(text)
			t.ours.Add(d, ours)
			t.bare.Add(d, bare)
			t.oursCPU, t.oursW = append(t.oursCPU, cpu), append(t.oursW, wall)
			t.bareCPU, t.bareW = append(t.bareCPU, bc), append(t.bareW, bw)
			so, sb := d.ScoreLines(ours.Lines), d.ScoreLines(bare.Lines)
			fmt.Printf("%-9s %-8s %5d %5d %5d  %-3s %-3s %-3s | %5d %5d  %-3s %-3s %-3s | %6.2f %6.2f\n", d.ID, d.Half, so.Truth, so.Got, so.Right,
				yn(d.TotalMatches(ours.Total)), yn(d.DateMatches(ours.Date)), yn(realtruth.SupplierMatches(ours.Supplier, d.Company)),
				sb.Got, sb.Right, yn(d.TotalMatches(bare.Total)), yn(d.DateMatches(bare.Date)), yn(realtruth.SupplierMatches(bare.Supplier, d.Company)),
				cpu.Seconds(), bc.Seconds())
		}
		e.Close()
		restore()
		restoreStamped()
		restoreCrops()
		restoreDigit()
		restoreTotalCrops()
		restoreLatin()
		restoreMerge()
		restoreLH()
		restoreVote()
		restoreIncl()
		restoreWallet()
		fmt.Printf("total evidence vote: %d totals set\n", ocr.TotalVotes()-votes0)
		reads1, taken1 := ocr.TotalCropCounts()
		fmt.Printf("total crop look: %d one-line readings, %d totals set\n", reads1-reads0, taken1-taken0)
		fmt.Printf("second looks read with English alone: %d\n", ocr.LatinSecondLooks()-looks0)
		printRealTallies(b, halves)
		if os.Getenv("OCR_BENCH_SKIP_WORKERS") == "" {
			// OCR_THROUGHPUT_N limits the throughput pass to the first N
			// images (it reads them twice more).
			if n, err := strconv.Atoi(os.Getenv("OCR_THROUGHPUT_N")); err == nil && n > 0 && n < len(imgs) {
				imgs = imgs[:n]
			}
			realThroughput(b, imgs)
		}
	}
}

// realThroughput reads the images with one and with two workers and
// prints pages per minute and CPU time per page: with no serialisation
// inside the engine the CPU time per page stays the same with two workers,
// and the wall-clock speed-up is bounded by the cores the shared machine
// gives the process.
func realThroughput(b *testing.B, imgs []image.Image) {
	ctx := context.Background()
	nd := float64(len(imgs))
	var ppm, cpuPage, cores [3]float64
	for _, w := range []int{1, 2} {
		e, err := ocr.NewEngine(ocr.Options{Workers: w, Languages: benchLangs()})
		if err != nil {
			b.Fatal(err)
		}
		jobs := make(chan image.Image)
		var wg sync.WaitGroup
		c0, t0 := cpuTime(), time.Now()
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
		wall, cpu := time.Since(t0), cpuTime()-c0
		e.Close()
		ppm[w], cpuPage[w], cores[w] = nd/wall.Minutes(), cpu.Seconds()/nd, cpu.Seconds()/wall.Seconds()
		fmt.Printf("%d worker(s): %.1f pages/min, %.2f s CPU per page, %.2f cores used; load average %s\n", w, ppm[w], cpuPage[w], cores[w], loadAvg())
	}
	fmt.Printf("2 workers / 1: wall speed-up %.2f×, CPU-time speed-up (cores 2 × CPU per page 1 / CPU per page 2) %.2f×\n",
		ppm[2]/ppm[1], 2*cpuPage[1]/cpuPage[2])
	b.ReportMetric(ppm[2]/ppm[1], "2-worker-speedup")
	b.ReportMetric(2*cpuPage[1]/cpuPage[2], "2-worker-cpu-speedup")
}

// BenchmarkRealThroughput reads the first OCR_THROUGHPUT_N (default 12)
// real documents with one and with two workers: pages per minute and CPU
// time per page (see realThroughput). Run with -benchtime=1x.
func BenchmarkRealThroughput(b *testing.B) {
	docs := loadReal(b)
	n := 12
	if v, err := strconv.Atoi(os.Getenv("OCR_THROUGHPUT_N")); err == nil && v > 0 {
		n = v
	}
	var imgs []image.Image
	for _, d := range docs[:min(n, len(docs))] {
		imgs = append(imgs, loadPhoto(b, d.Image))
	}
	for i := 0; i < b.N; i++ {
		realThroughput(b, imgs)
	}
}
