package scan

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"time"
)

// TestSweepStopTune prints, for each TUNE photo, the reads and CPU time
// of server mode with sweepStop off and on, and the skips
// (SWEEPSTOP_TUNE=1; SWEEPSTOP_1D=1 with its 1D part; SWEEPSTOP_AREAS1D=1
// with its 1D part counting areas, as h/speed3, not barsWalk1D).
func TestSweepStopTune(t *testing.T) {
	if os.Getenv("SWEEPSTOP_TUNE") == "" {
		t.Skip("SWEEPSTOP_TUNE=1")
	}
	defer func(on, on1D bool) { sweepStop, sweepStop1D = on, on1D }(sweepStop, sweepStop1D)
	sweepStop1D = os.Getenv("SWEEPSTOP_1D") != "" // its 1D part (off by default)
	defer func(on bool) { barsWalk1D = on }(barsWalk1D)
	barsWalk1D = os.Getenv("SWEEPSTOP_AREAS1D") == "" // the 1D part by areas, as h/speed3
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var offMs, onMs []float64
	var work *view
	sweepTrace = func(_ int, _ *run, w *view) { work = w }
	defer func() { sweepTrace = nil }()
	diffs := 0
	for _, p := range tunePhotos(t) {
		data, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := loadGray(data, 1e9)
		if err != nil {
			t.Fatal(err)
		}
		var texts [2]string
		var ms [2]float64
		var r *run
		for k, on := range []bool{false, true} {
			sweepStop = on
			ms[k] = 1e9
			for range 3 {
				c0 := threadCPU()
				r = NewDecoder(DecoderOptions{All: true, Timeout: 10 * time.Second}).cascade(context.Background(), g)
				ms[k] = min(ms[k], float64(threadCPU()-c0)/1e6)
			}
			var tx []string
			for _, bc := range r.col.barcodes() {
				tx = append(tx, bc.Text)
			}
			texts[k] = strings.Join(tx, "|")
		}
		offMs, onMs = append(offMs, ms[0]), append(onMs, ms[1])
		// the map sees the bars of every 1D read
		seen1D, n1D := 0, 0
		if m := r.maps2D[work.g]; m != nil && m.areas1D != nil {
			total := outsideCells(m.areas1D, nil)
			for _, k := range r.col.order {
				if h := r.col.hits[k]; r.col.good(h) && h.format != gozxing.BarcodeFormat_QR_CODE && h.format != gozxing.BarcodeFormat_DATA_MATRIX {
					n1D++
					if outsideCells(m.areas1D, [][4]float64{symbolBox(h)}) < total {
						seen1D++
					}
				}
			}
		}
		same := "same"
		if texts[0] != texts[1] {
			same = fmt.Sprintf("DIFF %q -> %q", texts[0], texts[1])
			diffs++
		}
		fmt.Printf("%s %dx%d first=%d skip1D=%v skip2D=%v bars seen %d/%d %.2f -> %.2f ms %s\n", p.path, g.w, g.h, r.firstGood, r.skip1D, r.skip2D, seen1D, n1D, ms[0], ms[1], same)
	}
	slices.Sort(offMs)
	slices.Sort(onMs)
	fmt.Printf("median %.2f -> %.2f ms; %d photos read otherwise\n", offMs[len(offMs)/2], onMs[len(onMs)/2], diffs)
}

// TestSweepStopMap prints the work view's 1D-like cells of one photo
// (SWEEPSTOP_FILE): # outside the reads' symbol boxes, + inside
// (SWEEPSTOP_WALK=1: the boxes of sweepStop's 1D part, boxes1D).
func TestSweepStopMap(t *testing.T) {
	f := os.Getenv("SWEEPSTOP_FILE")
	var g *gray
	if seed, _ := strconv.Atoi(os.Getenv("SWEEPSTOP_ADV1D")); seed > 0 { // a composed photo (advCompose1D)
		sc := advCompose1D(t, int64(seed))
		fmt.Println(sc.what)
		g = sc.g
	} else {
		if f == "" {
			t.Skip("SWEEPSTOP_FILE=set/name.png or SWEEPSTOP_ADV1D=seed")
		}
		data, err := os.ReadFile(photosDir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if g, err = loadGray(data, 1e9); err != nil {
			t.Fatal(err)
		}
	}
	old1D := max1DOutside
	defer func() { max1DOutside = old1D; sweepTrace = nil }()
	max1DOutside = -1
	sweepTrace = func(i int, r *run, w *view) {
		if i != 0 && i != 1 {
			return
		}
		fmt.Printf("after stage %d: skip1D %v skip2D %v\n", i, r.skip1D, r.skip2D)
		m := r.map2DOf(w)
		bars := m.flags1D()
		var boxes [][4]float64
		if os.Getenv("SWEEPSTOP_WALK") != "" { // barsWalk1D's boxes
			boxes = r.boxes1D(w)
		}
		for _, k := range r.col.order {
			h := r.col.hits[k]
			if os.Getenv("SWEEPSTOP_WALK") == "" {
				boxes = append(boxes, symbolBox(h))
			}
			fmt.Printf("hit %s %q box %v sym %v reads %d good %v\n", h.format, h.text, h.box, symbolBox(h), h.reads, r.col.good(h))
		}
		for cy := 0; cy < m.rows; cy++ {
			var sb strings.Builder
			for cx := 0; cx < m.cols; cx++ {
				p := w.toImage(float64(cx*orientCellSide+orientCellSide/2), float64(cy*orientCellSide+orientCellSide/2))
				in := false
				for _, b := range boxes {
					in = in || p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]
				}
				c := byte('.')
				switch {
				case bars[cy*m.cols+cx] && in:
					c = '+'
				case bars[cy*m.cols+cx]:
					c = '#'
				case in:
					c = ','
				}
				sb.WriteByte(c)
			}
			fmt.Println(sb.String())
		}
	}
	NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g)
}
