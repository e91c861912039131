package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"runtime"
	"slices"
	"sync"
	"unicode"

	"github.com/otiai10/gosseract/v2"
)

// Word is one recognised word with its box in the preprocessed page's pixel
// coordinates and Tesseract's confidence (0–100).
type Word struct {
	Text string
	Box  image.Rectangle
	Conf float64
	// Alt is a second reading of a word that looks like an item code, made
	// by a separate single-line recogniser restricted to code characters;
	// empty when the word was not re-read. Extract flags lines whose two
	// readings disagree.
	Alt string `json:",omitempty"`
	// clipped: an amount whose last digit the page's edge cut off, read
	// with a 0 in its place (clippedAmounts); a check decides the digit.
	clipped bool
	// cell: the word was read again from its description's cell
	// (cell_look.go).
	cell bool
}

// Page is the OCR result of one page: its words in Tesseract's reading order
// and the size of the preprocessed image the boxes refer to.
type Page struct {
	Words         []Word
	Width, Height int
	// Turned is the number of clockwise quarter turns the page was read
	// turned by (orientation detection), 0 when read as it came.
	Turned int `json:",omitempty"`
	// gray is the preprocessed image the words were read from, kept for
	// the total's crop look (total_crop.go) until the document is read.
	gray *grayImg
}

// Options configures an Engine; the zero value gives the defaults.
type Options struct {
	// Workers is the number of Tesseract clients, each used by one page at a
	// time. Default: runtime.NumCPU().
	Workers int
	// Languages are the Tesseract languages. Default: eng, chi_tra.
	Languages []string
}

// Engine OCRs pages with a fixed pool of Tesseract clients. It is safe for
// concurrent use; Close it when done.
type Engine struct {
	langs   []string
	clients chan *worker
	all     []*worker
	mu      sync.Mutex
	closed  bool
	// skipSecondReading is for measuring the second reading's cost only.
	skipSecondReading bool
}

// worker is one page's Tesseract state: the page client (languages, psm 6)
// and a code client (eng, one line, codes' characters only) that gives the
// item codes a second, independent reading.
type worker struct {
	page, code *gosseract.Client
	// latin is a page client with English alone (psm 6), for the second
	// look at a page whose first reading is in Latin script (latinSecond);
	// nil when the page client reads English alone already.
	latin *gosseract.Client
	// zh reads one line in Chinese alone (chi_tra, psm 7): the
	// description cells' look (cell_look.go); nil when the page client
	// does not read Chinese.
	zh  *gosseract.Client
	osd *osd
}

func (w *worker) close() {
	w.osd.close()
	if w.page != nil {
		w.page.Close()
	}
	if w.code != nil {
		w.code.Close()
	}
	if w.latin != nil {
		w.latin.Close()
	}
	if w.zh != nil {
		w.zh.Close()
	}
}

// ErrClosed is returned by an Engine used after Close.
var ErrClosed = errors.New("ocr: engine closed")

var ompOnce sync.Once

// NewEngine creates the client pool. Tesseract must run single-threaded per
// page: its OpenMP threads spin-wait and, on a shared machine, make a page
// several times slower than one thread; the Engine parallelises across
// pages instead. Before the first client is created NewEngine sets
// OMP_THREAD_LIMIT=1 in the process environment (unless already set), which
// governs OpenMP programs started from this process; because libgomp reads
// its environment when it is loaded, before Go code runs, every recognition
// also pins its goroutine to an OS thread and calls omp_set_num_threads(1)
// on it. Setting OMP_THREAD_LIMIT=1 before starting the server remains the
// belt-and-braces option.
func NewEngine(opt Options) (*Engine, error) {
	ompOnce.Do(func() {
		if os.Getenv("OMP_THREAD_LIMIT") == "" {
			os.Setenv("OMP_THREAD_LIMIT", "1")
		}
	})
	n := opt.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	langs := opt.Languages
	if len(langs) == 0 {
		langs = []string{"eng", "chi_tra"}
	}
	e := &Engine{langs: langs, clients: make(chan *worker, n)}
	for i := 0; i < n; i++ {
		w, err := newWorker(langs)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.all = append(e.all, w)
		e.clients <- w
	}
	return e, nil
}

func newWorker(langs []string) (*worker, error) {
	w := &worker{page: gosseract.NewClient(), code: gosseract.NewClient()}
	fail := func(what string, err error) (*worker, error) {
		w.close()
		return nil, fmt.Errorf("ocr: %s: %w", what, err)
	}
	o, err := newOSD()
	if err != nil {
		return fail("orientation detection", err)
	}
	w.osd = o
	if err := w.page.SetLanguage(langs...); err != nil {
		return fail("set languages", err)
	}
	if err := w.page.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK); err != nil {
		return fail("set page segmentation", err)
	}
	if !slices.Equal(langs, []string{"eng"}) {
		w.latin = gosseract.NewClient()
		if err := w.latin.SetLanguage("eng"); err != nil {
			return fail("set latin language", err)
		}
		if err := w.latin.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK); err != nil {
			return fail("set latin page segmentation", err)
		}
	}
	if slices.Contains(langs, "chi_tra") {
		w.zh = gosseract.NewClient()
		if err := w.zh.SetLanguage("chi_tra"); err != nil {
			return fail("set cell language", err)
		}
		if err := w.zh.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
			return fail("set cell page segmentation", err)
		}
	}
	if err := w.code.SetLanguage("eng"); err != nil {
		return fail("set code language", err)
	}
	if err := w.code.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		return fail("set code segmentation", err)
	}
	if err := w.code.SetWhitelist(codeAlphabet); err != nil {
		return fail("set code alphabet", err)
	}
	clients := []*gosseract.Client{w.page, w.code}
	if w.latin != nil {
		clients = append(clients, w.latin)
	}
	if w.zh != nil {
		clients = append(clients, w.zh)
	}
	for _, c := range clients {
		// Tesseract 5 re-recognises every low-confidence line inverted
		// (white on black); the pages are flattened dark-on-white, so that
		// only doubles the time spent on hard lines.
		_ = c.SetVariable("tessedit_do_invert", "0")
		// Keep the DPI fixed so Tesseract does not guess from missing
		// metadata.
		_ = c.SetVariable("user_defined_dpi", "200")
		// Tesseract's diagnostics ("Line cannot be recognized!!") would
		// otherwise go to the server's stderr.
		_ = c.SetVariable("debug_file", "/dev/null")
	}
	// Load the models now: a missing language surfaces here, not on the
	// first request, and the first page is not slowed by ~1 s of loading.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ompSingleThread()
	blank := newGray(64, 32)
	for i := range blank.pix {
		blank.pix[i] = 255
	}
	for _, c := range clients {
		if err := c.SetImageFromBytes(blank.bmp()); err != nil {
			return fail("load models", err)
		}
		if _, err := c.Text(); err != nil {
			return fail("load models", err)
		}
	}
	return w, nil
}

// Workers returns the pool size.
func (e *Engine) Workers() int { return len(e.all) }

// Close releases the Tesseract clients. It waits for pages in progress.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	for range e.all {
		w := <-e.clients
		w.close()
	}
	return nil
}

// pinned lends a worker for a few small reads (the crop looks) on this
// OS thread, with OpenMP single-threaded; release gives both back.
func (e *Engine) pinned(ctx context.Context) (w *worker, release func(), err error) {
	w, err = e.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	runtime.LockOSThread()
	ompSingleThread()
	return w, func() {
		runtime.UnlockOSThread()
		e.clients <- w
	}, nil
}

func (e *Engine) acquire(ctx context.Context) (*worker, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	select {
	case c := <-e.clients:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Orientation detection thresholds: below osdMinConf the detector's
// opinion is ignored and the page is read as it came; between osdMinConf
// and osdSureConf the page is read both ways and the better reading kept
// (an upright reading is never replaced by a worse one). At osdSureConf
// and above the turned reading is kept alone unless it is poor
// (poorReading): the detector can be sure and wrong (a faint page, little
// text), and then the page is read upright too and the better reading
// kept.
const (
	osdMinConf         = 1.5
	osdSureConf        = 5
	sureTurnMinQuality = 12
)

// ReadPage preprocesses one page image and OCRs it. Tesseract's
// orientation detection runs once first; the page is read turned only
// when the detector says so (orientedReading). Cancellation is checked
// between preprocessing and recognition (Tesseract itself is not
// interruptible; one page takes a second or two).
func (e *Engine) ReadPage(ctx context.Context, img image.Image) (*Page, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("%w: empty image", ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g := preprocess(img, defaultPrep)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { e.clients <- w }()
	q, conf, ok := e.detect(w, g)
	return orientedReading(q, conf, ok, func(quarters int) (*Page, error) {
		if quarters == 0 {
			return e.read(ctx, w, g)
		}
		// Preprocess the turned photo again: the sheet's width and
		// scale depend on which side is up.
		return e.read(ctx, w, preprocess(Turn(img, quarters), defaultPrep))
	})
}

// orientedReading chooses how to read a page from the orientation
// detector's answer (turn q quarters, with confidence conf; ok false when
// it had none): read(quarters) reads the page turned so many quarters.
// Upright alone when the detector is unsure or says upright; turned alone
// when it is sure and the turned reading is not poor; else both ways, and
// the better reading kept (betterReading). The upright reading is made
// only when needed: a page the detector rightly turns costs one reading.
func orientedReading(q int, conf float64, ok bool, read func(quarters int) (*Page, error)) (*Page, error) {
	if !ok || q == 0 || conf < osdMinConf {
		return read(0)
	}
	turned, err := read(q)
	if err != nil {
		return nil, err
	}
	turned.Turned = q
	if conf >= osdSureConf && !poorReading(turned) {
		return turned, nil
	}
	upright, err := read(0)
	if err != nil {
		return nil, err
	}
	return betterReading(upright, turned), nil
}

// poorReading reports a reading with fewer than sureTurnMinQuality words
// read with confidence (readingQuality), or with them under a sixth of
// its words. Measured (BenchmarkOSDMeasure) on the shared POs, the real
// receipts' dev half and family renders, faint ones too, 39 of them
// turned by 90, 180 or 270 degrees: the 17 pages the detector surely
// turned, read the right way up, had 39 or more such words, a quarter of
// their words or more; read the wrong way up, 25 at most and at most
// 0.15 of their words (all 17 poor).
func poorReading(p *Page) bool {
	n := readingQuality(p)
	return n < sureTurnMinQuality || 6*n < len(p.Words)
}

// betterReading keeps the upright reading unless the turned one reads
// more words with confidence: an upright reading is never replaced by a
// worse one.
func betterReading(upright, turned *Page) *Page {
	if readingQuality(upright) >= readingQuality(turned) {
		return upright
	}
	return turned
}

// detect runs the orientation detector on the worker's thread.
func (e *Engine) detect(w *worker, g *grayImg) (int, float64, bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ompSingleThread()
	return w.osd.orientation(g)
}

// readingQuality counts the words read with confidence that hold three
// letters or digits: a page read the wrong way up gives few.
func readingQuality(p *Page) int {
	n := 0
	for _, w := range p.Words {
		if w.Conf < 70 {
			continue
		}
		k := 0
		for _, r := range w.Text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				k++
			}
		}
		if k >= 3 {
			n++
		}
	}
	return n
}

func (e *Engine) recognise(ctx context.Context, g *grayImg) (*Page, error) {
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { e.clients <- w }()
	return e.read(ctx, w, g)
}

// read OCRs a preprocessed page with a worker's clients.
func (e *Engine) read(ctx context.Context, w *worker, g *grayImg) (*Page, error) {
	// OpenMP settings are per OS thread: pin the goroutine so Tesseract's
	// parallel regions run single-threaded (see ompSingleThread).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, err := pageWords(w, g)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := recoverBands(w.page, g, p); err != nil {
		return nil, err
	}
	if !e.skipSecondReading {
		if err := secondReadings(w.code, g, p.Words); err != nil {
			return nil, err
		}
	}
	// The description cells' look (cell_look.go): failing descriptions
	// of lines whose numbers check out read again from their cells.
	var code *gosseract.Client
	if !e.skipSecondReading {
		code = w.code
	}
	if err := cellLook(w.zh, code, g, p); err != nil {
		return nil, err
	}
	// The photo behind the page (cellPhoto) is not needed after the cell
	// look; the page's image may be kept (keepPage), the photo not.
	g.photo = nil
	p.gray = g
	return p, nil
}

// pageWords reads a page's words with the worker's page client, on the
// calling goroutine's OS thread (locked by the caller).
func pageWords(w *worker, g *grayImg) (*Page, error) { return clientWords(w.page, g) }

// clientWords is pageWords with the page client c.
func clientWords(c *gosseract.Client, g *grayImg) (*Page, error) {
	ompSingleThread()
	if err := c.SetImageFromBytes(g.bmp()); err != nil {
		return nil, fmt.Errorf("ocr: set image: %w", err)
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return nil, fmt.Errorf("ocr: recognise: %w", err)
	}
	p := &Page{Width: g.w, Height: g.h, Words: make([]Word, 0, len(boxes))}
	for _, b := range boxes {
		if b.Word == "" {
			continue
		}
		p.Words = append(p.Words, Word{Text: b.Word, Box: b.Box, Conf: b.Confidence})
	}
	return p, nil
}

// keepPage sets out[i] to p, read, without its preprocessed image unless
// it is the last page: the total's crop look reads the last page's only
// (secondLook), and a long document's other pages' images would all be
// held until its last page is read.
func keepPage(out []*Page, i int, p *Page) {
	if i != len(out)-1 {
		p.gray = nil
	}
	out[i] = p
}

// ReadDocument OCRs the pages in parallel across the pool and extracts the
// document. The first error cancels the remaining pages.
func (e *Engine) ReadDocument(ctx context.Context, pages []image.Image) (*Document, error) {
	return e.ReadDocumentProgress(ctx, pages, nil)
}

// ReadDocumentProgress is ReadDocument that calls progress (when not nil)
// after each page is read, with the pages done so far and their total;
// the calls do not overlap.
func (e *Engine) ReadDocumentProgress(ctx context.Context, pages []image.Image, progress func(done, total int)) (*Document, error) {
	if len(pages) == 0 {
		return nil, fmt.Errorf("%w: no pages", ErrCorrupt)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]*Page, len(pages))
	errs := make([]error, len(pages))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, e.Workers())
	for i, img := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			p, err := e.ReadPage(ctx, img)
			if err != nil {
				errs[i] = fmt.Errorf("page %d: %w", i+1, err)
				cancel()
				return
			}
			keepPage(out, i, p)
			if progress != nil {
				mu.Lock()
				done++
				progress(done, len(pages))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	doc := Extract(out)
	if err := e.applyRescaleLook(ctx, pages, out, doc); err != nil {
		return nil, err
	}
	if err := e.secondLook(ctx, pages, out, doc); err != nil {
		return nil, err
	}
	for _, p := range out {
		p.gray = nil
	}
	repairOneDigit(doc)
	voteTotal(doc, docReadings(out, doc))
	return doc, nil
}
