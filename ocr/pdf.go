package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// pdfMemoryKB caps the virtual memory of each poppler process, so a PDF
// bomb fails inside the child instead of exhausting the server.
const pdfMemoryKB = 1 << 20 // 1 GiB

var (
	rePDFPages    = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)
	rePDFPageSize = regexp.MustCompile(`(?m)^Page\s+(\d+)\s+size:\s+([0-9.]+)\s+x\s+([0-9.]+)`)
	rePDFSize     = regexp.MustCompile(`(?m)^Page size:\s+([0-9.]+)\s+x\s+([0-9.]+)`)
)

// RasterizePDF renders the pages of an untrusted PDF to grayscale images
// with poppler (pdfinfo, pdftoppm), which must be installed. It reads at
// most lim.MaxBytes, refuses more than lim.MaxPages pages, renders at
// lim.DPI lowered per page so no page exceeds lim.MaxPixels (a page that
// would need less than 36 DPI to fit fails with ErrTooLarge), runs every
// poppler process under a virtual-memory cap, and gives up after
// lim.Timeout (ErrTimeout). Before any rendering it refuses a PDF whose
// drawing content inflates past lim.MaxDrawingBytes (ErrTooLarge). Errors wrap ErrTooLarge, ErrUnsupported,
// ErrCorrupt or ErrTimeout.
func RasterizePDF(ctx context.Context, r io.Reader, lim Limits) ([]image.Image, error) {
	lim = lim.orDefault()
	b, err := readLimited(r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	head := b[:min(len(b), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: not a PDF", ErrUnsupported)
	}
	if n := pdfDrawingBytes(b, lim.MaxDrawingBytes); n > lim.MaxDrawingBytes {
		return nil, fmt.Errorf("%w: the PDF's drawing content inflates to more than %d MiB", ErrTooLarge, lim.MaxDrawingBytes>>20)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "ocr-pdf-")
	if err != nil {
		return nil, fmt.Errorf("ocr: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(src, b, 0o600); err != nil {
		return nil, fmt.Errorf("ocr: write temp PDF: %w", err)
	}
	info, err := poppler(ctx, "pdfinfo", src)
	if err != nil {
		return nil, err
	}
	m := rePDFPages.FindSubmatch(info)
	if m == nil {
		return nil, fmt.Errorf("%w: pdfinfo reports no page count", ErrCorrupt)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < 1 {
		return nil, fmt.Errorf("%w: PDF has no pages", ErrCorrupt)
	}
	if n > lim.MaxPages {
		return nil, fmt.Errorf("%w: PDF has %d pages, limit %d", ErrTooLarge, n, lim.MaxPages)
	}
	// Per-page sizes (pages may differ).
	sizes, err := pdfPageSizes(ctx, src, n)
	if err != nil {
		return nil, err
	}
	var out []image.Image
	for i := 1; i <= n; i++ {
		wPt, hPt := sizes[i-1][0], sizes[i-1][1]
		if wPt <= 0 || hPt <= 0 {
			return nil, fmt.Errorf("%w: page %d has size %.0f×%.0f pt", ErrCorrupt, i, wPt, hPt)
		}
		dpi := float64(lim.DPI)
		px := (wPt / 72 * dpi) * (hPt / 72 * dpi)
		if px > float64(lim.MaxPixels) {
			dpi *= math.Sqrt(float64(lim.MaxPixels) / px)
		}
		if dpi < 36 {
			return nil, fmt.Errorf("%w: page %d is %.0f×%.0f pt", ErrTooLarge, i, wPt, hPt)
		}
		root := filepath.Join(dir, "p"+strconv.Itoa(i))
		if _, err := poppler(ctx, "pdftoppm", "-gray", "-png", "-singlefile",
			"-r", strconv.FormatFloat(math.Floor(dpi), 'f', 0, 64),
			"-f", strconv.Itoa(i), "-l", strconv.Itoa(i), src, root); err != nil {
			return nil, fmt.Errorf("page %d: %w", i, err)
		}
		f, err := os.Open(root + ".png")
		if err != nil {
			return nil, fmt.Errorf("%w: page %d not rendered", ErrCorrupt, i)
		}
		img, err := LoadImage(f, Limits{MaxBytes: lim.MaxBytes * 4, MaxPixels: lim.MaxPixels + lim.MaxPixels/50})
		f.Close()
		os.Remove(root + ".png")
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i, err)
		}
		out = append(out, img)
	}
	return out, nil
}

func pdfPageSizes(ctx context.Context, src string, n int) ([][2]float64, error) {
	info, err := poppler(ctx, "pdfinfo", "-f", "1", "-l", strconv.Itoa(n), src)
	if err != nil {
		return nil, err
	}
	sizes := make([][2]float64, n)
	found := 0
	for _, m := range rePDFPageSize.FindAllSubmatch(info, -1) {
		i, _ := strconv.Atoi(string(m[1]))
		w, _ := strconv.ParseFloat(string(m[2]), 64)
		h, _ := strconv.ParseFloat(string(m[3]), 64)
		if i >= 1 && i <= n {
			sizes[i-1] = [2]float64{w, h}
			found++
		}
	}
	if found == 0 {
		if m := rePDFSize.FindSubmatch(info); m != nil {
			w, _ := strconv.ParseFloat(string(m[1]), 64)
			h, _ := strconv.ParseFloat(string(m[2]), 64)
			for i := range sizes {
				sizes[i] = [2]float64{w, h}
			}
			return sizes, nil
		}
		return nil, fmt.Errorf("%w: pdfinfo reports no page size", ErrCorrupt)
	}
	return sizes, nil
}

// poppler runs a poppler tool under the memory cap and the context's
// deadline, returning its standard output (at most 1 MiB).
func poppler(ctx context.Context, tool string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		return nil, fmt.Errorf("ocr: %s not installed (poppler-utils): %w", tool, err)
	}
	shArgs := append([]string{"-c", "ulimit -v " + strconv.Itoa(pdfMemoryKB) + " && exec \"$0\" \"$@\"", path}, args...)
	cmd := exec.CommandContext(ctx, "/bin/sh", shArgs...)
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = 1<<20, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: %s", ErrTimeout, tool)
		}
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v: %s", ErrCorrupt, tool, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// limitedBuffer keeps the first max bytes written and discards the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
