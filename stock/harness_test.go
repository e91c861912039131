package stock_test

// The domain's own tests: the Service over a real SQLite store in a temp
// dir (and, for documents, the local object store), driven through its
// public methods as the HTTP layer drives it.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/objstore"
	"pandian/storage/sqlstore"
)

// codes is a minimal barcode reader: a code (after any AIM symbology
// identifier "]E0") is its own lookup key; "code|lot|expiry" stands for a
// code that carries GS1 AIs 10 and 17.
type codes struct{}

func (codes) ParseCode(raw string) (stock.ParsedCode, error) {
	raw = strings.TrimSpace(raw)
	symbology := ""
	if len(raw) > 3 && raw[0] == ']' {
		symbology, raw = raw[1:3], raw[3:]
	}
	code, rest, hasGS1 := strings.Cut(raw, "|")
	if code == "" {
		return stock.ParsedCode{}, stock.Errorf(stock.EInvalid, "empty code")
	}
	p := stock.ParsedCode{Text: code, Symbology: symbology, Keys: []string{code}}
	if hasGS1 {
		p.Lot, p.Expiry, _ = strings.Cut(rest, "|")
		p.GTIN = code
		p.GS1 = &stock.GS1{GTIN: code, Lot: p.Lot, Expiry: p.Expiry,
			Elements: []stock.GS1Element{{AI: "01", Value: code}, {AI: "10", Value: p.Lot}}}
	}
	return p, nil
}

func (codes) Key(code string) (string, error) {
	code = strings.TrimSpace(code)
	if strings.ContainsAny(code, " |") {
		return "", stock.Errorf(stock.EInvalid, "bad catalog code %q", code)
	}
	return code, nil
}

// The test data set: two regions, a store with zones and a bin, a store in
// Macau; six SKUs (SKU-C has a case barcode of 12); employees of every
// role; book stock at HK-TST.
const (
	locationsCSV = `code,name,name_en,kind,parent,approval_limit
HK,香港,Hong Kong,region,,
MO,澳門,Macau,region,,
HK-TST,尖沙咀店,TST Store,store,HK,50.00
HK-TST-Z1,飲品區,Drinks,zone,HK-TST,
HK-TST-Z1-B1,Bin 1,Bin 1,bin,HK-TST-Z1,
HK-TST-Z2,零食區,Snacks,zone,HK-TST,
HK-MK,旺角店,MK Store,store,HK,
MO-1,澳門店,Macau Store,store,MO,
`
	catalogCSV = `sku,name,name_zh,category,unit_cost,barcode,pack_qty
SKU-A,Lemon Tea 250ml,檸檬茶,beverage,2.00,4890000000011,1
SKU-B,Milk Tea 500ml,奶茶,beverage,5.00,4890000000028,1
SKU-C,Water 1L,水,beverage,1.00,4890000000035,1
SKU-C,Water 1L,水,beverage,1.00,14890000000032,12
SKU-D,Potato Chips,薯片,snack,10.00,4890000000042,1
SKU-E,Seaweed Snack,紫菜,snack,3.00,4890000000059,1
SKU-F,Green Tea 250ml,綠茶,beverage,2.50,4890000000066,1
`
	employeesCSV = `code,name,role,scope,pin
A001,Admin,admin,,4554
R001,Regional HK,regional_manager,HK,1111
M001,Manager TST,store_manager,HK-TST,2222
S001,Supervisor TST,supervisor,HK-TST,3333
C001,Counter TST,counter,HK-TST,4444
C002,Counter TST 2,counter,HK-TST,5555
C003,Counter MK,counter,HK-MK,6666
U001,Auditor,auditor,,7777
`
	stockCSV = `sku,location,qty
SKU-A,HK-TST,10
SKU-B,HK-TST,20
SKU-C,HK-TST,24
SKU-D,HK-TST,5
SKU-E,HK-TST,8
SKU-A,HK-MK,7
`
)

// world is a Service over SQLite with the test data set loaded, and a
// clock the test moves.
type world struct {
	t     *testing.T
	svc   *stock.Service
	store *sqlstore.Store
	objs  *objstore.Local
	mu    sync.Mutex
	now   time.Time
	// Actors by employee code.
	actors map[string]stock.Actor
	events int
}

var ctx = context.Background()

func init() {
	// Tests log warnings and errors only.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldAt(t, filepath.Join(t.TempDir(), "pandian.db"))
}

// newWorldAt is newWorld on the database at dbURL (a SQLite file or a
// PostgreSQL URL, see storage/pgtest).
func newWorldAt(t *testing.T, dbURL string) *world {
	t.Helper()
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := stock.DefaultConfig()
	cfg.PINCost = 4
	w := &world{t: t, store: store, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), actors: map[string]stock.Actor{}}
	w.svc = stock.NewService(store, codes{}, cfg)
	w.svc.Now = w.clock
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	for _, f := range []struct{ kind, data string }{
		{stock.ImportLocations, locationsCSV}, {stock.ImportCatalog, catalogCSV},
		{stock.ImportEmployees, employeesCSV}, {stock.ImportStock, stockCSV},
	} {
		res, err := w.svc.Import(ctx, admin, f.kind, []byte(f.data), nil)
		if err != nil || res.ErrorCount != 0 {
			t.Fatalf("import %s: %v %+v", f.kind, err, res)
		}
	}
	for _, code := range []string{"A001", "R001", "M001", "S001", "C001", "C002", "C003", "U001"} {
		err := store.Read(ctx, func(tx stock.Tx) error {
			e, err := tx.Employee(code)
			w.actors[code] = stock.Actor{Employee: e, DeviceID: "dev-" + code}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// advance moves the clock on.
func (w *world) advance(d time.Duration) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
	return w.now
}

func (w *world) actor(code string) stock.Actor { return w.actors[code] }

// withDocuments gives the service a local object store and a reader.
func (w *world) withDocuments() {
	l, err := objstore.NewLocal(filepath.Join(w.t.TempDir(), "objects"), []byte("0123456789abcdef0123456789abcdef"), "http://files.test")
	if err != nil {
		w.t.Fatal(err)
	}
	w.objs = l
	w.svc.SetDocuments(files{l}, nil, textReader{}, stock.DocumentOptions{MaxBytes: 1 << 20})
}

// scan is a scan input at the current time with a fresh event id.
func (w *world) scan(code string, qty int64) stock.ScanInput {
	w.events++
	return stock.ScanInput{EventID: "ev-" + strconv.Itoa(w.events), Code: code, Qty: qty, ScannedAt: w.clock().Format(time.RFC3339Nano), DeviceID: "dev-1"}
}

// open opens a count at HK-TST as the store manager.
func (w *world) open(in stock.CountInput) stock.Count {
	w.t.Helper()
	if in.Location == "" {
		in.Location = "HK-TST"
	}
	c, err := w.svc.OpenCount(ctx, w.actor("M001"), in)
	if err != nil {
		w.t.Fatalf("open count: %v", err)
	}
	return c
}

// ingest posts scans as employee and fails the test on an error.
func (w *world) ingest(employee, countID string, scans ...stock.ScanInput) stock.ScanResult {
	w.t.Helper()
	res, err := w.svc.IngestScans(ctx, w.actor(employee), countID, scans)
	if err != nil {
		w.t.Fatalf("ingest: %v", err)
	}
	return res
}

// report returns the count's report lines by SKU, read by the manager.
func (w *world) report(countID string) (stock.Report, map[string]stock.ReportLine) {
	w.t.Helper()
	r, err := w.svc.Report(ctx, w.actor("M001"), countID, "sku", stock.ReportOptions{})
	if err != nil {
		w.t.Fatalf("report: %v", err)
	}
	lines := map[string]stock.ReportLine{}
	for _, l := range r.Lines {
		lines[l.SKU] = l
	}
	return r, lines
}

// book returns the book quantity of sku at loc.
func (w *world) book(sku, loc string) int64 {
	w.t.Helper()
	ls, err := w.svc.StockLevels(ctx, w.actor("A001"), loc, sku)
	if err != nil {
		w.t.Fatalf("stock levels: %v", err)
	}
	for _, l := range ls {
		if l.SKU == sku && l.Location == loc {
			return l.Qty
		}
	}
	return 0
}

// wantCode fails unless err carries the domain error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := stock.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// detail returns a detail of a domain error.
func detail(err error, key string) any {
	var e *stock.Error
	if errors.As(err, &e) {
		return e.Details[key]
	}
	return nil
}

// files adapts the local object store to the domain, as server/ does.
type files struct{ l *objstore.Local }

func (f files) PutContent(ctx context.Context, r io.Reader, maxBytes int64, contentType string) (stock.FileInfo, error) {
	info, err := objstore.PutContent(ctx, f.l, r, maxBytes, contentType)
	if errors.Is(err, objstore.ErrTooLarge) {
		return stock.FileInfo{}, stock.Errorf(stock.ETooLarge, "the file is larger than %d bytes", maxBytes)
	}
	return stock.FileInfo{Key: info.Key, SHA256: info.SHA256, Size: info.Size, ContentType: info.ContentType}, err
}

func (f files) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	_, err := objstore.PutBytes(ctx, f.l, key, b, contentType)
	return err
}

func (f files) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, _, err := f.l.Open(ctx, key)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, stock.Errorf(stock.ENotFound, "file not found")
	}
	return rc, err
}

func (f files) URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	return f.l.PresignGet(ctx, key, ttl, filename)
}

func (f files) Delete(ctx context.Context, key string) error { return f.l.Delete(ctx, key) }

// textReader reads a "document" that is a PNG signature followed by text:
// a header line "supplier;po;date;total" and one line item a line,
// "code;sku;description;qty;unit_price". It stands in for the OCR engine
// (ocr/ reads real photographs; the domain only sees an Extraction).
type textReader struct{}

func (textReader) ReadDocument(ctx context.Context, r io.Reader, mediaType string, progress func(float64)) (stock.Extraction, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return stock.Extraction{}, err
	}
	text := strings.TrimPrefix(string(b), pngMagic)
	if strings.HasPrefix(text, "UNREADABLE") {
		return stock.Extraction{}, stock.Errorf(stock.EInvalid, "no text found")
	}
	rows := strings.Split(strings.TrimSpace(text), "\n")
	var ex stock.Extraction
	ex.Pages = 1
	if h := strings.Split(rows[0], ";"); len(h) == 4 {
		ex.Header = stock.DocHeader{Supplier: h[0], PONumber: h[1], Date: h[2], Total: h[3]}
	}
	for i, row := range rows[1:] {
		f := strings.Split(row, ";")
		if len(f) != 5 {
			continue
		}
		var qty int64
		for _, c := range f[3] {
			qty = qty*10 + int64(c-'0')
		}
		ex.Lines = append(ex.Lines, stock.DocLine{Barcode: f[0], SKU: f[1], Description: f[2], Qty: qty, UnitPrice: f[4], Confidence: 0.9})
		progress(float64(i+1) / float64(len(rows)))
	}
	return ex, nil
}

const pngMagic = "\x89PNG\r\n\x1a\n"

// doc is a document file for textReader.
func doc(lines ...string) io.Reader {
	return bytes.NewReader([]byte(pngMagic + strings.Join(lines, "\n")))
}
