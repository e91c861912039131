package scan

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time the calling thread has used (Linux).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestTuneStages (run with PHOTOS_TUNE=1) prints, for the TUNE half of the
// ZXing photos (never the held-out half: see splitHalves),
// after which cascade stage each image first had a good read, how often
// each stage ran and its total time: the numbers behind the stage order.
func TestTuneStages(t *testing.T) {
	if os.Getenv("PHOTOS_TUNE") == "" {
		t.Skip("set PHOTOS_TUNE=1 to print the cascade statistics")
	}
	// Stage times are the CPU time of this goroutine's thread, which a
	// busy machine does not inflate much, and the deadline is generous.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old := stageClock
	defer func() { stageClock = old }()
	stageClock = threadCPU
	first := map[int]int{}
	wrongs := 0
	var total [64]time.Duration
	var runs [64]int
	for _, p := range tunePhotos(t) {
		b, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := loadGray(b, 1e9)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		// PHOTOS_ALL=1: every barcode, as the server decodes.
		r := NewDecoder(DecoderOptions{All: os.Getenv("PHOTOS_ALL") != ""}).cascade(ctx, g)
		cancel()
		if (p.format == "EAN_8" || p.format == "UPC_E") && os.Getenv("PHOTOS_TUNE") == "v" {
			fmt.Printf("quiet zones %s: %d clear, %d not\n", p.path, r.quietOK, r.quietBad)
		}
		ok := false
		bcs := r.col.barcodes()
		for _, bc := range bcs {
			ok = ok || sameText(bc.Text, p.text, p.format)
		}
		if !ok && len(bcs) > 0 {
			wrongs++
			fmt.Printf("WRONG %s: %v want %q\n", p.path, describe(bcs), p.text)
		}
		if ok {
			first[r.firstGood]++
		} else {
			first[-1]++
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
		if os.Getenv("PHOTOS_TUNE") == "v" {
			fmt.Printf("image %s %d×%d ok=%v first=%d total=%.1fms stages:", p.path, g.w, g.h, ok, r.firstGood, sum.Seconds()*1000)
			for _, d := range r.stageTimes {
				fmt.Printf(" %.1f", d.Seconds()*1000)
			}
			fmt.Println()
		}
	}
	fmt.Printf("no good read: %d (of which wrong: %d)\n", first[-1], wrongs)
	for i := range total {
		if runs[i] > 0 {
			fmt.Printf("stage %2d: first good read %3d  runs %3d  total %v\n", i, first[i], runs[i], total[i])
		}
	}
}

// TestTuneOne (PHOTOS_FILE=set/name.png) prints every read of one photo
// of the TUNE half; it refuses a held-out photo.
func TestTuneOne(t *testing.T) {
	f := os.Getenv("PHOTOS_FILE")
	if f == "" {
		t.Skip("set PHOTOS_FILE=set/name.png to print the reads of one photo")
	}
	for _, p := range loadManifest(t) {
		if p.heldOut && p.path == photosDir+"/"+f {
			t.Fatalf("%s is in the held-out half: tune on the TUNE half only", f)
		}
	}
	b, err := os.ReadFile(photosDir + "/" + f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := loadGray(b, 1e9)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	r := NewDecoder(DecoderOptions{}).cascade(context.Background(), g)
	fmt.Println(f, time.Since(t0), "rows", r.rows, "first good after stage", r.firstGood)
	for _, k := range r.col.order {
		h := r.col.hits[k]
		fmt.Printf("%s %q reads %d accepted %v points %.0f lines %v\n", k.format, k.text, h.reads, r.col.good(h), h.points, h.lines)
	}
}
