package scan

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// BenchmarkTuneStages reports, for the TUNE half of the ZXing photos (never
// the held-out half: see photoset.Load), after which cascade stage each image
// first had a good read, how often each stage ran and its CPU time: the
// numbers behind the stage order. Once over the photos is enough:
//
//	go test -run '^$' -bench TuneStages -benchtime 1x ./scan/
//
// (`make bench` runs it too.) PHOTOS_TUNE=1 prints the misses and the
// per-stage table, PHOTOS_TUNE=v also every image's stage times and the
// quiet zones of EAN-8/UPC-E reads; PHOTOS_ALL=1 decodes every barcode, as the server
// does. Metrics: photos without a good read (no-read), wrong reads (wrong),
// and per stage its first good reads (sN-first) and CPU ms per photo
// (sN-ms/photo).
func BenchmarkTuneStages(b *testing.B) {
	photos := tunePhotos(b)
	// Stage times are the CPU time of this goroutine's thread, which a
	// busy machine does not inflate much, and the deadline is generous.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old := stageClock
	defer func() { stageClock = old }()
	stageClock = threadCPU
	if os.Getenv("PHOTOS_NOQRFIND") != "" { // the stage's cost and reads
		defer func(on bool) { qrFind = on }(qrFind)
		qrFind = false
	}
	verbose := os.Getenv("PHOTOS_TUNE") == "v"
	show := os.Getenv("PHOTOS_TUNE") != ""
	printed := false
	for b.Loop() {
		tuneStages(b, photos, verbose && !printed, show && !printed)
		printed = true
	}
}

// tuneStages runs the cascade over photos once, prints its failures (when
// show) and per-image stage times (when verbose), and reports the metrics
// of BenchmarkTuneStages.
func tuneStages(b *testing.B, photos []photo, verbose, show bool) {
	first := map[int]int{}
	wrongs := 0
	var total [64]time.Duration
	var runs [64]int
	for _, p := range photos {
		data, err := os.ReadFile(p.path)
		if err != nil {
			b.Fatal(err)
		}
		g, err := loadGray(data, 1e9)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		// PHOTOS_ALL=1: every barcode, as the server decodes.
		r := NewDecoder(DecoderOptions{All: os.Getenv("PHOTOS_ALL") != ""}).cascade(ctx, g)
		cancel()
		if (p.format == "EAN_8" || p.format == "UPC_E") && verbose {
			fmt.Printf("quiet zones %s: %d clear, %d not\n", p.path, r.quietOK, r.quietBad)
		}
		ok := false
		bcs := r.col.barcodes()
		for _, bc := range bcs {
			ok = ok || sameText(bc.Text, p.text, p.format)
		}
		if !ok && len(bcs) > 0 {
			wrongs++
		}
		if !ok && len(bcs) > 0 && show {
			fmt.Printf("WRONG %s: %v want %q\n", p.path, describe(bcs), p.text)
		}
		if ok {
			first[r.firstGood]++
		} else {
			first[-1]++
		}
		if !ok && show {
			fmt.Printf("failed %s (%d×%d):", p.path, g.w, g.h)
			for _, k := range r.col.order {
				fmt.Printf(" [%s %q ×%d]", k.format, k.text, r.col.hits[k].reads)
			}
			fmt.Println()
		}
		var sum time.Duration
		for i, d := range r.stageTimes {
			total[i] += d
			runs[i]++
			sum += d
		}
		if verbose {
			fmt.Printf("image %s %d×%d ok=%v first=%d total=%.1fms stages:", p.path, g.w, g.h, ok, r.firstGood, sum.Seconds()*1000)
			for _, d := range r.stageTimes {
				fmt.Printf(" %.1f", d.Seconds()*1000)
			}
			fmt.Println()
		}
	}
	if show {
		fmt.Printf("no good read: %d (of which wrong: %d)\n", first[-1], wrongs)
	}
	b.ReportMetric(float64(first[-1]), "no-read")
	b.ReportMetric(float64(wrongs), "wrong")
	for i := range total {
		if runs[i] > 0 {
			if show {
				fmt.Printf("stage %2d: first good read %3d  runs %3d  total %v\n", i, first[i], runs[i], total[i])
			}
			b.ReportMetric(float64(first[i]), fmt.Sprintf("s%d-first", i))
			b.ReportMetric(total[i].Seconds()*1000/float64(len(photos)), fmt.Sprintf("s%d-ms/photo", i))
		}
	}
}

// BenchmarkTuneOne prints every read of one photo of the TUNE half (it
// refuses a held-out photo) and reports the cascade's time on it, the
// stage of its first good read (first-good, -1 for none) and the distinct
// texts read (texts):
//
//	PHOTOS_FILE=set/name.png go test -run '^$' -bench TuneOne -benchtime 1x ./scan/
func BenchmarkTuneOne(b *testing.B) {
	f := os.Getenv("PHOTOS_FILE")
	if f == "" {
		b.Skip("set PHOTOS_FILE=set/name.png to print the reads of one photo")
	}
	for _, p := range loadManifest(b) {
		if p.heldOut && p.path == photosDir+"/"+f {
			b.Fatalf("%s is in the held-out half: tune on the TUNE half only", f)
		}
	}
	data, err := os.ReadFile(photosDir + "/" + f)
	if err != nil {
		b.Fatal(err)
	}
	g, err := loadGray(data, 1e9)
	if err != nil {
		b.Fatal(err)
	}
	var r *run
	for b.Loop() {
		r = NewDecoder(DecoderOptions{}).cascade(context.Background(), g)
	}
	fmt.Println(f, "rows", r.rows, "first good after stage", r.firstGood)
	for _, k := range r.col.order {
		h := r.col.hits[k]
		fmt.Printf("%s %q reads %d accepted %v points %.0f lines %v\n", k.format, k.text, h.reads, r.col.good(h), h.points, h.lines)
	}
	b.ReportMetric(float64(r.firstGood), "first-good")
	b.ReportMetric(float64(len(r.col.order)), "texts")
}
