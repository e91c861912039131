package scan

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestTuneStages (run with PHOTOS_TUNE=1) prints, for the ZXing photos,
// after which cascade stage each image first had a good read, how often
// each stage ran and its total time: the numbers behind the stage order.
func TestTuneStages(t *testing.T) {
	if os.Getenv("PHOTOS_TUNE") == "" {
		t.Skip("set PHOTOS_TUNE=1 to print the cascade statistics")
	}
	first := map[int]int{}
	var total [64]time.Duration
	var runs [64]int
	for _, p := range loadManifest(t) {
		b, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := loadGray(b, 1e9)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		r := NewDecoder(DecoderOptions{}).cascade(ctx, g)
		cancel()
		ok := false
		for _, bc := range r.col.barcodes() {
			ok = ok || sameText(bc.Text, p.text, p.format)
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
		for i, d := range r.stageTimes {
			total[i] += d
			runs[i]++
		}
	}
	fmt.Printf("no good read: %d\n", first[-1])
	for i := range total {
		if runs[i] > 0 {
			fmt.Printf("stage %2d: first good read %3d  runs %3d  total %v\n", i, first[i], runs[i], total[i])
		}
	}
}

// TestTuneOne (PHOTOS_FILE=set/name.png) prints every read of one photo.
func TestTuneOne(t *testing.T) {
	f := os.Getenv("PHOTOS_FILE")
	if f == "" {
		t.Skip("set PHOTOS_FILE=set/name.png to print the reads of one photo")
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
		fmt.Printf("%s %q reads %d accepted %v\n", k.format, k.text, h.reads, r.col.good(h))
	}
}
