//go:build zbarlib

// Command zbarbench compares pandian's photo decoder with zbar's library
// (libzbar, in this process: no process start) on the development photo
// set, photo by photo, CPU time of the decoding thread. The benchmark in
// scan/ (BenchmarkPhotos) runs zbarimg as a process, whose start is part
// of its time; this tool measures zbar's scan alone.
//
// It needs libzbar-dev (Debian) and cgo, so it is built only with the
// zbarlib tag:
//
//	go run -tags zbarlib ./tools/zbarbench [-dir ../shared/data/barcodes] [-half held-out|tune|all]
//
// Both decoders get the same pixels and are timed by the same clock
// (the thread's CPU time, clock_gettime CLOCK_THREAD_CPUTIME_ID): the
// file is decoded once per round by pandian's loader (Decoder.Load, timed
// apart as "file decode"), then pandian's search (Decoder.DecodeFrame) as
// the server runs it (every barcode, every check), the same search
// stopping at the first good read, and zbar_scan_image run on that
// luminance plane. The decoders alone are the first three rows; the last
// two add the file decode to server mode and to zbar. (Until 2026-12-07
// pandian's time included the file decode and zbar's did not, and
// pandian's was read from getrusage(RUSAGE_THREAD), whose thread times
// are tick-sampled and scaled, off by up to a millisecond a photo.)
package main

/*
#cgo LDFLAGS: -lzbar
#include <zbar.h>
#include <time.h>

static double cpums(void) {
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// scan runs zbar on w×h grey pixels; it returns the CPU ms of the scan
// and sets *n to the number of symbols.
static double scan(zbar_image_scanner_t *sc, int w, int h, unsigned char *pix, int *n) {
	zbar_image_t *img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, pix, (unsigned long)w * h, 0);
	double t0 = cpums();
	*n = zbar_scan_image(sc, img);
	double t1 = cpums();
	zbar_image_destroy(img);
	return t1 - t0;
}

static const char *symdata(zbar_image_scanner_t *sc, int i) {
	const zbar_symbol_set_t *set = zbar_image_scanner_get_results(sc);
	const zbar_symbol_t *s = zbar_symbol_set_first_symbol(set);
	for (; s && i > 0; i--) s = zbar_symbol_next(s);
	return s ? zbar_symbol_get_data(s) : 0;
}
*/
import "C"

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"
	"unsafe"

	"pandian/scan"
	"pandian/scan/photoset"
)

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

// msBucket names the range of a photo's time, for the profile's labels.
func msBucket(ms float64) string {
	for _, b := range []struct {
		hi   float64
		name string
	}{{2, "0-2"}, {4, "2-4"}, {8, "4-8"}, {16, "8-16"}} {
		if ms < b.hi {
			return b.name
		}
	}
	return "16+"
}

func main() {
	dir := flag.String("dir", "../shared/data/barcodes", "the photo set")
	half := flag.String("half", "held-out", "held-out, tune or all")
	rounds := flag.Int("rounds", 3, "each photo is decoded this many times by each; its least CPU counts")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the server-mode searches alone (no zbar, no first-good-read) to this file")
	textsOut := flag.String("texts", "", "write each photo's server-mode reads (format and text, in order) to this file, to compare two builds")
	timesOut := flag.String("times", "", "write each photo's least server-mode CPU ms to this file")
	flag.Parse()
	ps, err := photoset.Load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.LockOSThread()
	sc := C.zbar_image_scanner_create()
	defer C.zbar_image_scanner_destroy(sc)
	C.zbar_image_scanner_set_config(sc, 0, C.ZBAR_CFG_ENABLE, 1)
	dec := scan.NewDecoder(scan.DecoderOptions{All: true, Timeout: 10 * time.Second})
	first := scan.NewDecoder(scan.DecoderOptions{Timeout: 10 * time.Second}) // stops at the first good read
	// per photo, the least of the rounds: file decode, pandian's search,
	// zbar's scan
	var lc, pc, zc, plc, zlc, fc []float64
	var pOK, fOK, zOK, zWrong, n int
	var dump, times strings.Builder
	var prof *os.File
	if *cpuprofile != "" {
		if prof, err = os.Create(*cpuprofile); err == nil {
			err = pprof.StartCPUProfile(prof)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for _, p := range ps {
		if *half == "held-out" && !p.HeldOut || *half == "tune" && p.HeldOut {
			continue
		}
		data, err := os.ReadFile(p.Path)
		if err != nil {
			continue
		}
		if _, err := dec.Load(data); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v (skipped)\n", p.Path, err)
			continue
		}
		n++
		bestL, bestP, bestZ, bestF := 1e18, 1e18, 1e18, 1e18
		var texts, ftexts []string
		var ztexts []string
		for r := 0; r < *rounds; r++ {
			c0 := float64(C.cpums())
			f, _ := dec.Load(data)
			c1 := float64(C.cpums())
			var bcs []scan.Barcode
			if prof != nil && r > 0 {
				// labelled by the photo's least time so far, so that the
				// profile can be cut to the photos about the median
				// (go tool pprof -tagfocus ms=4-8)
				pprof.Do(context.Background(), pprof.Labels("ms", msBucket(bestP)), func(ctx context.Context) {
					bcs, _ = dec.DecodeFrame(ctx, f)
				})
			} else {
				bcs, _ = dec.DecodeFrame(context.Background(), f)
			}
			c2 := float64(C.cpums())
			bestP = min(bestP, c2-c1)
			texts = texts[:0]
			for _, bc := range bcs {
				texts = append(texts, bc.Text)
			}
			if r == 0 && *textsOut != "" {
				fmt.Fprintf(&dump, "%s:", p.Path)
				for _, bc := range bcs {
					fmt.Fprintf(&dump, " %s %q", bc.Format, bc.Text)
				}
				dump.WriteString("\n")
			}
			if r == *rounds-1 && *timesOut != "" {
				fmt.Fprintf(&times, "%.3f %s\n", bestP, p.Path)
			}
			if prof != nil {
				continue // the profile is of server mode alone (the first round unlabelled)
			}
			fbs, _ := first.DecodeFrame(context.Background(), f)
			c3 := float64(C.cpums())
			bestL, bestP, bestF = min(bestL, c1-c0), min(bestP, c2-c1), min(bestF, c3-c2)
			ftexts = ftexts[:0]
			for _, bc := range fbs {
				ftexts = append(ftexts, bc.Text)
			}
			g := f.Gray()
			var k C.int
			ms := C.scan(sc, C.int(g.Rect.Dx()), C.int(g.Rect.Dy()), (*C.uchar)(unsafe.Pointer(&g.Pix[0])), &k)
			bestZ = min(bestZ, float64(ms))
			ztexts = ztexts[:0]
			for i := 0; i < int(k); i++ {
				if s := C.symdata(sc, C.int(i)); s != nil {
					ztexts = append(ztexts, C.GoString(s))
				}
			}
		}
		lc, pc, zc, fc = append(lc, bestL), append(pc, bestP), append(zc, bestZ), append(fc, bestF)
		plc, zlc = append(plc, bestL+bestP), append(zlc, bestL+bestZ)
		if photoset.Judge(texts, p.Text, p.Format) == photoset.Correct {
			pOK++
		}
		if photoset.Judge(ftexts, p.Text, p.Format) == photoset.Correct {
			fOK++
		}
		switch photoset.Judge(ztexts, p.Text, p.Format) {
		case photoset.Correct:
			zOK++
		case photoset.Wrong:
			zWrong++
		}
	}
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	if *timesOut != "" {
		if err := os.WriteFile(*timesOut, []byte(times.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if *textsOut != "" {
		if err := os.WriteFile(*textsOut, []byte(dump.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	fmt.Printf("half %s, %d photos, least CPU ms of %d rounds each, one thread, the same pixels for both\n", *half, n, *rounds)
	fmt.Printf("%-34s %4s %8s %8s %8s\n", "", "read", "median", "p95", "max")
	row := func(name string, read int, v []float64, extra string) {
		r := fmt.Sprint(read)
		if read < 0 {
			r = ""
		}
		fmt.Printf("%-34s %4s %8.2f %8.2f %8.2f%s\n", name, r, quantile(v, 0.5), quantile(v, 0.95), quantile(v, 1), extra)
	}
	row("pandian, server mode (search)", pOK, pc, "")
	row("pandian, first good read (search)", fOK, fc, "")
	row("libzbar, in process (scan)", zOK, zc, fmt.Sprintf("  (%d wrong)", zWrong))
	row("file decode (pandian's loader)", -1, lc, "")
	row("pandian, file decode + search", pOK, plc, "")
	row("libzbar, file decode + scan", zOK, zlc, "")
	fmt.Printf("median ratio pandian/zbar: decoders alone %.2f×, with the file decode %.2f×\n",
		quantile(pc, 0.5)/quantile(zc, 0.5), quantile(plc, 0.5)/quantile(zlc, 0.5))
}
