package review_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pandian/fixtures"
	"pandian/review"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

// codes is the simplest barcode reader: a code is its own lookup key (the
// demo catalog's EAN-13s are scanned as printed); "code|lot|expiry" stands
// for a code that carries a lot and an expiry date (GS1 AIs 10 and 17).
type codes struct{}

func (codes) ParseCode(raw string) (stock.ParsedCode, error) {
	raw = strings.TrimSpace(raw)
	code, rest, _ := strings.Cut(raw, "|")
	lot, exp, _ := strings.Cut(rest, "|")
	return stock.ParsedCode{Text: code, Keys: []string{code}, Lot: lot, Expiry: exp}, nil
}

func (codes) Key(code string) (string, error) { return strings.TrimSpace(code), nil }

// world is a real domain service on SQLite with the demo data set, and the
// review pages over it on a loopback server.
type world struct {
	t     testing.TB
	svc   *stock.Service
	store *sqlstore.Store
	url   string // the pages' server
	pins  map[string]string
	// skus are beverage SKUs with book stock at HK-TST, in catalog order.
	skus []skuInfo
	mu   sync.Mutex
	now  time.Time // zero: the real clock
}

type skuInfo struct {
	sku, barcode string
	book         int64
	cost         stock.Money
}

func init() {
	// Tests log warnings and errors only.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

var system = stock.Actor{Employee: stock.Employee{Code: "system", Role: stock.RoleAdmin}}

// newWorld builds the service, loads the demo data the way the server's
// seed does, and serves the pages under /review/ (opts.Prefix is set).
func newWorld(t testing.TB, opts review.Options) *world {
	t.Helper()
	return newWorldAt(t, opts, filepath.Join(t.TempDir(), "pandian.db"))
}

// newWorldAt is newWorld on the database at dbURL (a SQLite file or a
// PostgreSQL URL from storage/pgtest).
func newWorldAt(t testing.TB, opts review.Options, dbURL string) *world {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := stock.DefaultConfig()
	cfg.PINCost = 4
	w := &world{t: t, svc: stock.NewService(store, codes{}, cfg), store: store, pins: map[string]string{}}
	w.svc.Now = w.clock
	for _, f := range []struct {
		kind string
		data []byte
	}{
		{stock.ImportLocations, fixtures.Locations()},
		{stock.ImportCatalog, fixtures.Catalog()},
		{stock.ImportEmployees, fixtures.Employees()},
		{stock.ImportStock, fixtures.Stock()},
	} {
		if _, err := w.svc.Import(ctx, system, f.kind, f.data, nil); err != nil {
			t.Fatalf("import %s: %v", f.kind, err)
		}
	}
	for _, r := range readCSV(t, fixtures.Employees())[1:] {
		w.pins[r[0]] = r[4]
	}
	book := map[string]int64{}
	for _, r := range readCSV(t, fixtures.Stock())[1:] {
		if r[1] == "HK-TST" {
			book[r[0]], _ = strconv.ParseInt(r[2], 10, 64)
		}
	}
	seen := map[string]bool{}
	for _, r := range readCSV(t, fixtures.Catalog())[1:] {
		if r[3] != "beverage" || r[6] != "1" || seen[r[0]] || book[r[0]] < 10 || len(r[5]) != 13 {
			continue
		}
		seen[r[0]] = true
		cost, err := stock.ParseMoney(r[4])
		if err != nil {
			t.Fatal(err)
		}
		w.skus = append(w.skus, skuInfo{sku: r[0], barcode: r[5], book: book[r[0]], cost: cost})
	}
	if len(w.skus) < 8 {
		t.Fatalf("only %d beverage SKUs stocked at HK-TST", len(w.skus))
	}
	opts.Prefix = "/review"
	w.url = serve(t, review.New(w.svc, opts), nil)
	return w
}

// serve serves the pages under /review/ on a loopback Fiber server (with
// TLS when cfg is set) until the test ends, and returns its base URL.
func serve(t testing.TB, pages *review.Pages, cfg *tls.Config) string {
	t.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	pages.Mount(app.Group("/review"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "http"
	if cfg != nil {
		ln, scheme = tls.NewListener(ln, cfg), "https"
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return scheme + "://" + ln.Addr().String()
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.now.IsZero() {
		return time.Now()
	}
	return w.now
}

// setNow moves the service's clock (zero: the real clock).
func (w *world) setNow(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

func readCSV(t testing.TB, data []byte) [][]string {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// actor signs in as a demo employee through the domain.
func (w *world) actor(code string) stock.Actor {
	w.t.Helper()
	ctx := context.Background()
	s, err := w.svc.Login(ctx, code, w.pins[code], "test")
	if err != nil {
		w.t.Fatalf("login %s: %v", code, err)
	}
	a, err := w.svc.Authenticate(ctx, s.Token)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// scan is one scan to post: who scans how many of the i-th SKU where.
type scan struct {
	who string
	sku int
	qty int64
	bin string
	lot string // lot and expiry the code carries ("" none)
	exp string
}

// countWith opens a blind count of the given SKUs at HK-TST as the
// supervisor E008, posts the scans and closes it (status review).
func (w *world) countWith(skuIdx []int, scans []scan) string {
	w.t.Helper()
	ctx := context.Background()
	sup := w.actor("E008")
	var skus []string
	for _, i := range skuIdx {
		skus = append(skus, w.skus[i].sku)
	}
	c, err := w.svc.OpenCount(ctx, sup, stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{SKUs: skus}})
	if err != nil {
		w.t.Fatalf("open count: %v", err)
	}
	w.post(c.ID, 1, scans)
	if _, err := w.svc.CloseCount(ctx, sup, c.ID); err != nil {
		w.t.Fatalf("close: %v", err)
	}
	return c.ID
}

// post sends scans to a count, each employee its own batch.
func (w *world) post(id string, round int, scans []scan) {
	w.t.Helper()
	ctx := context.Background()
	actors := map[string]stock.Actor{}
	for i, s := range scans {
		a, ok := actors[s.who]
		if !ok {
			a = w.actor(s.who)
			a.DeviceID = "TC52-" + s.who
			actors[s.who] = a
		}
		code := w.skus[s.sku].barcode
		if s.lot != "" {
			code += "|" + s.lot + "|" + s.exp
		}
		in := stock.ScanInput{EventID: fmt.Sprintf("%s-r%d-%d", id, round, i), Code: code, Qty: s.qty, Bin: s.bin, DeviceID: a.DeviceID}
		res, err := w.svc.IngestScans(ctx, a, id, []stock.ScanInput{in})
		if err != nil || res.Accepted != 1 {
			w.t.Fatalf("scan %+v: %+v %v", s, res, err)
		}
	}
}

// standardCount is the count the tests review: six beverage lines with
// variances by three counters, the supervisor and the store manager.
func (w *world) standardCount() string {
	w.t.Helper()
	k := w.skus
	return w.countWith([]int{0, 1, 2, 3, 4, 5}, []scan{
		{who: "E009", sku: 0, qty: k[0].book - 3, bin: "HK-TST-A01", lot: "L2401", exp: "2020-01-31"},
		{who: "E009", sku: 1, qty: k[1].book + 2, bin: "HK-TST-A01"},
		{who: "E010", sku: 2, qty: k[2].book - 5, bin: "HK-TST-A02", lot: "L2409", exp: "2099-12-31"},
		{who: "E010", sku: 3, qty: k[3].book, bin: "HK-TST-A02"},
		{who: "E008", sku: 4, qty: k[4].book - 1, bin: "HK-TST-B01"},
		{who: "E007", sku: 5, qty: k[5].book, bin: "HK-TST-A03"},
		{who: "E011", sku: 5, qty: 1, bin: "HK-TST-A03"},
	})
}

// client is a browser-like HTTP client with cookies that does not follow
// redirects (tests look at them).
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
	lang string // Accept-Language
}

func (w *world) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: w.t, base: w.url, hc: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

func (c *client) do(method, path string, form url.Values) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp, string(b)}
}

func (c *client) get(path string) response                { return c.do("GET", path, nil) }
func (c *client) post(path string, f url.Values) response { return c.do("POST", path, f) }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token in a page.
func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page: %.400s", page)
	}
	return m[1]
}

// signIn signs in through the form and returns the answer to the POST.
func (c *client) signIn(code, pin string) response {
	c.t.Helper()
	login := c.get("/review/login")
	return c.post("/review/login", url.Values{"csrf": {csrfOf(c.t, login.body)}, "code": {code}, "pin": {pin}})
}

// mustSignIn signs in and fails unless it worked.
func (c *client) mustSignIn(code, pin string) {
	c.t.Helper()
	r := c.signIn(code, pin)
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in %s: status %d: %.600s", code, r.StatusCode, r.body)
	}
}

func contains(t testing.TB, body string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func lacks(t testing.TB, body string, unwanted ...string) {
	t.Helper()
	for _, s := range unwanted {
		if strings.Contains(body, s) {
			t.Errorf("page has %q", s)
		}
	}
}
