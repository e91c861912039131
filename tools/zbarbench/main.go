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
// pandian's time includes decoding the file (PNG/JPEG) and everything
// Decode does; zbar's is zbar_scan_image on the grey pixels Go decoded
// for it (its file decoding is not counted), so the comparison leans
// towards zbar.
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
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"runtime"
	"sort"
	"syscall"
	"time"
	"unsafe"

	"pandian/scan"
	"pandian/scan/photoset"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

func threadCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

func main() {
	dir := flag.String("dir", "../shared/data/barcodes", "the photo set")
	half := flag.String("half", "held-out", "held-out, tune or all")
	rounds := flag.Int("rounds", 3, "each photo is decoded this many times by each; its least CPU counts")
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
	var pc, zc []float64
	var pOK, zOK, zWrong, n int
	for _, p := range ps {
		if *half == "held-out" && !p.HeldOut || *half == "tune" && p.HeldOut {
			continue
		}
		data, err := os.ReadFile(p.Path)
		if err != nil {
			continue
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v (skipped)\n", p.Path, err)
			continue
		}
		b := img.Bounds()
		g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
		n++
		bestP, bestZ := 1e18, 1e18
		var texts []string
		var ztexts []string
		for r := 0; r < *rounds; r++ {
			c0 := threadCPU()
			bcs, _ := dec.Decode(context.Background(), bytes.NewReader(data))
			bestP = min(bestP, threadCPU()-c0)
			texts = texts[:0]
			for _, bc := range bcs {
				texts = append(texts, bc.Text)
			}
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
		pc, zc = append(pc, bestP), append(zc, bestZ)
		if photoset.Judge(texts, p.Text, p.Format) == photoset.Correct {
			pOK++
		}
		switch photoset.Judge(ztexts, p.Text, p.Format) {
		case photoset.Correct:
			zOK++
		case photoset.Wrong:
			zWrong++
		}
	}
	fmt.Printf("half %s, %d photos, least CPU ms of %d rounds each, one thread\n", *half, n, *rounds)
	fmt.Printf("%-22s %4s %8s %8s %8s\n", "decoder", "read", "median", "p95", "max")
	fmt.Printf("%-22s %4d %8.1f %8.1f %8.1f\n", "pandian (server mode)", pOK, quantile(pc, 0.5), quantile(pc, 0.95), quantile(pc, 1))
	fmt.Printf("%-22s %4d %8.1f %8.1f %8.1f  (%d wrong)\n", "libzbar, in process", zOK, quantile(zc, 0.5), quantile(zc, 0.95), quantile(zc, 1), zWrong)
	fmt.Printf("median ratio pandian/zbar: %.2f×\n", quantile(pc, 0.5)/quantile(zc, 0.5))
}
