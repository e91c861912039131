package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"pandian/scan"
	"pandian/stock"
)

// The benchmarks run the server binary as a child process on SQLite (the
// embedded default; PostgreSQL with PANDIAN_BENCH_DB=postgres), talk HTTP
// to it over loopback, and compare with raw SQL on the same database file
// in the same run. They measure once (-benchtime 1x) and report custom
// metrics; BENCHMARKS.md holds the figures.

// benchEnv is a server process with a large catalog: 100k SKUs with book
// stock at HK-TST.
type benchEnv struct {
	p      *process
	cfg    config
	token  string
	skus   []string // SKU codes
	eans   []string // their EAN-13s
	client *http.Client
}

const benchSKUs = 100000

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	db := os.Getenv("PANDIAN_BENCH_DB")
	if db == "" {
		db = "sqlite"
	}
	cfg := testConfig(b, db)
	p := startProcess(b, cfg, freePort(b))
	e := &benchEnv{p: p, cfg: cfg, client: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	e.token = p.login(b, "ADMIN")
	var cat, stk strings.Builder
	cat.WriteString("sku,name,name_zh,category,unit_cost,barcode,pack_qty\n")
	stk.WriteString("sku,location,qty\n")
	for i := 0; i < benchSKUs; i++ {
		sku := fmt.Sprintf("B-%06d", i)
		body := fmt.Sprintf("46%010d", i)
		code := body + string(scan.CheckDigit(body))
		e.skus = append(e.skus, sku)
		e.eans = append(e.eans, code)
		fmt.Fprintf(&cat, "%s,Bench item %d,測試 %d,bench,%d.50,%s,1\n", sku, i, i, 1+i%40, code)
		fmt.Fprintf(&stk, "%s,HK-TST,%d\n", sku, 10+i%7)
	}
	for _, imp := range []struct{ kind, body string }{{"catalog", cat.String()}, {"stock", stk.String()}} {
		var res stock.ImportResult
		if st := e.send("POST", "/v1/imports/"+imp.kind+"?async=false", "text/csv", []byte(imp.body), &res); st != 200 || len(res.Errors) > 0 {
			b.Fatalf("import %s: %d %+v", imp.kind, st, res.Errors)
		}
	}
	return e
}

func (e *benchEnv) send(method, path, ctype string, body []byte, out any) int {
	req, _ := http.NewRequest(method, e.p.url+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode
}

func (e *benchEnv) openCount(b *testing.B) string {
	var c stock.Count
	body, _ := json.Marshal(map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"bench"}}, "blind": false})
	if st := e.send("POST", "/v1/counts", "application/json", body, &c); st != 201 {
		b.Fatalf("open count: %d", st)
	}
	return c.ID
}

// peakRSS returns the server process's peak resident set in MiB.
func (e *benchEnv) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", e.p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// eventIDs selects how devices make event ids: "v7" (time-ordered
// UUIDs, what the README recommends) or "v4" (random UUIDs).
var eventIDs = "v7"

func newEventID() string {
	if eventIDs == "v4" {
		return uuid.NewString()
	}
	return uuid.Must(uuid.NewV7()).String()
}

// benchBins are the bins of the four devices, one per zone of HK-TST.
var benchBins = []string{"HK-TST-A01", "HK-TST-B01", "HK-TST-C01", "HK-TST-D01"}

// scanBatch makes n scans with unique event ids for device d (0–3): as in
// a store, each device counts its own share of the SKUs (its zone), and
// one scan in fifty is of a SKU that another device also counts.
func (e *benchEnv) scanBatch(rng *rand.Rand, d, n int) []stock.ScanInput {
	out := make([]stock.ScanInput, n)
	for i := range out {
		k := rng.IntN(len(e.eans)/4)*4 + d
		if rng.IntN(50) == 0 {
			k = rng.IntN(len(e.eans))
		}
		out[i] = stock.ScanInput{EventID: newEventID(), Code: e.eans[k], Qty: 1,
			Bin: benchBins[d], ScannedAt: "2026-11-23T10:00:00Z", DeviceID: fmt.Sprint("bench-", d)}
	}
	return out
}

// rawInsert inserts rows into the scans table the way a hand-written
// loader would: one multi-row INSERT per 1000 rows, each committed
// (durable) before the next, on its own connection to the same database.
func rawInsert(b *testing.B, cfg config, rows [][]any) time.Duration {
	db, err := sql.Open(driverOf(cfg), dsnOf(cfg))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	start := time.Now()
	for len(rows) > 0 {
		part := rows[:min(1000, len(rows))]
		rows = rows[len(part):]
		args := make([]any, 0, len(part)*21)
		for _, r := range part {
			args = append(args, r...)
		}
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(rebindFor(cfg, `INSERT INTO scans (event_id, count_id, round, actor, status, sku, applied_qty, scanned_at, qty, pack_qty,
			code, gtin, lot, expiry, bin, device_id, received_at, pos, lat, lon, hash) VALUES `+multiRow(len(part), 21)), args...); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

func driverOf(cfg config) string {
	if cfg.DatabaseURL != "" {
		return "pgx"
	}
	return "sqlite3"
}

func dsnOf(cfg config) string {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL
	}
	return "file:" + filepath.Join(cfg.DataDir, "pandian.db") + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000"
}

func rebindFor(cfg config, q string) string {
	if cfg.DatabaseURL == "" {
		return q
	}
	var out strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(c)
	}
	return out.String()
}

func multiRow(n, width int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// rawRows turns scans into scans-table rows for count countID, as the
// server would store them (actor 1: the loader knows who scanned).
func (e *benchEnv) rawRows(countID string, scans []stock.ScanInput) [][]any {
	now := time.Now().UnixMicro()
	bySKU := make(map[string]string, len(e.eans))
	for i, c := range e.eans {
		bySKU[c] = e.skus[i]
	}
	rows := make([][]any, len(scans))
	for i, s := range scans {
		rows[i] = []any{s.EventID, countID, 1, 1, "counted", bySKU[s.Code], s.Qty, now, s.Qty, 1,
			s.Code, "0" + s.Code, "", "", s.Bin, s.DeviceID, now, i % 1000, nil, nil, "0123456789abcdef0123456789abcdef"}
	}
	return rows
}

// BenchmarkIngest posts 1000-scan batches from 4 devices and compares
// with a raw multi-row insert of the same rows; then single-scan requests
// from 64 concurrent clients (p50/p99). It runs with time-ordered and with
// random event ids.
func BenchmarkIngest(b *testing.B) {
	for _, ids := range []string{"v7", "v4"} {
		b.Run("uuid"+ids, func(b *testing.B) {
			eventIDs = ids
			defer func() { eventIDs = "v7" }()
			benchIngest(b)
		})
	}
}

func benchIngest(b *testing.B) {
	e := newBenchEnv(b)
	countID := e.openCount(b)
	rng := rand.New(rand.NewPCG(3, 4))
	const batches, size, devices = 200, 1000, 4
	bodies := make([][]byte, batches)
	var all []stock.ScanInput
	for i := range bodies {
		sc := e.scanBatch(rng, i%devices, size)
		all = append(all, sc...)
		bodies[i], _ = json.Marshal(map[string]any{"scans": sc})
	}
	stopProfile := profile(b, "ingest")
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan []byte)
	for d := 0; d < devices; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				var res stock.ScanResult
				if st := e.send("POST", "/v1/counts/"+countID+"/scans", "application/json", body, &res); st != 200 || res.Accepted != size {
					b.Errorf("batch: %d %+v", st, res)
				}
			}
		}()
	}
	for _, body := range bodies {
		work <- body
	}
	close(work)
	wg.Wait()
	api := time.Since(start)
	b.StopTimer()
	stopProfile()
	rss := e.peakRSS()

	// The same rows, raw, into the same table (another count id).
	rows := e.rawRows("raw-"+countID, all)
	for _, r := range rows {
		r[0] = "raw-" + r[0].(string)
	}
	raw := rawInsert(b, e.cfg, rows)
	n := float64(len(all))
	b.ReportMetric(n/api.Seconds(), "api_scans/s")
	b.ReportMetric(n/raw.Seconds(), "raw_scans/s")
	b.ReportMetric(raw.Seconds()/api.Seconds()*100, "%_of_raw")
	b.ReportMetric(rss, "peak_rss_MiB")

	// Single-scan requests from 64 concurrent clients.
	const clients, perClient = 64, 100
	lat := make([]time.Duration, 0, clients*perClient)
	var mu sync.Mutex
	start = time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 9))
			for i := 0; i < perClient; i++ {
				body, _ := json.Marshal(map[string]any{"scans": e.scanBatch(r, c%4, 1)})
				t0 := time.Now()
				if st := e.send("POST", "/v1/counts/"+countID+"/scans", "application/json", body, nil); st != 200 {
					b.Errorf("single scan: %d", st)
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	total := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "single_p50_ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "single_p99_ms")
	b.ReportMetric(float64(len(lat))/total.Seconds(), "single_req/s")
}

// BenchmarkCloseReport closes a count of 1M scans over 100k SKUs and
// fetches its report, next to a raw GROUP BY over the same scans.
func BenchmarkCloseReport(b *testing.B) {
	e := newBenchEnv(b)
	countID := e.openCount(b)
	rng := rand.New(rand.NewPCG(5, 6))
	const total = 1000000
	// Load the scans through the API, 1000 per request, as devices would.
	var wg sync.WaitGroup
	work := make(chan []byte, 8)
	for d := 0; d < 4; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				if st := e.send("POST", "/v1/counts/"+countID+"/scans", "application/json", body, nil); st != 200 {
					b.Errorf("load: %d", st)
				}
			}
		}()
	}
	for i := 0; i < total/1000; i++ {
		body, _ := json.Marshal(map[string]any{"scans": e.scanBatch(rng, i%4, 1000)})
		work <- body
	}
	close(work)
	wg.Wait()

	db, err := sql.Open(driverOf(e.cfg), dsnOf(e.cfg))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	groupBy := func() time.Duration {
		start := time.Now()
		rows, err := db.QueryContext(context.Background(), rebindFor(e.cfg, `SELECT sku, SUM(applied_qty) FROM scans WHERE count_id = ? AND status = 'counted' GROUP BY sku`), countID)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var sku string
			var q int64
			rows.Scan(&sku, &q)
			n++
		}
		rows.Close()
		if n < benchSKUs*9/10 {
			b.Fatalf("raw GROUP BY saw %d SKUs", n)
		}
		return time.Since(start)
	}
	groupBy() // warm the cache as the close will find it
	raw := groupBy()

	defer profile(b, "close")()
	b.ResetTimer()
	start := time.Now()
	var closed stock.CountView
	if st := e.send("POST", "/v1/counts/"+countID+"/close", "", nil, &closed); st != 200 {
		b.Fatalf("close: %d", st)
	}
	closeDur := time.Since(start)
	// Close answers the count view, progress included (kept at ingest).
	if closed.Status != stock.StatusReview || closed.Stats.Counted != total || closed.Stats.Lines < benchSKUs*9/10 {
		b.Fatalf("close answered %s with progress %+v", closed.Status, closed.Stats)
	}
	fetch := func() (total, ttfb time.Duration, size int) {
		t0 := time.Now()
		req, _ := http.NewRequest("GET", e.p.url+"/v1/counts/"+countID+"/report?group_by=sku", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := e.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		ttfb = time.Since(t0)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if n := bytes.Count(buf.Bytes(), []byte(`{"sku":`)); err != nil || resp.StatusCode != 200 || n != benchSKUs {
			b.Fatalf("report: %d, %d lines, %v", resp.StatusCode, n, err)
		}
		return time.Since(t0), ttfb, buf.Len()
	}
	cold, _, _ := fetch()
	// The raw GROUP BY is timed warm (its second run); so is the report.
	warm, ttfb, size := fetch()
	b.StopTimer()
	b.ReportMetric(closeDur.Seconds()*1000, "close_ms")
	b.ReportMetric(cold.Seconds()*1000, "report_cold_ms")
	b.ReportMetric(warm.Seconds()*1000, "report_ms")
	b.ReportMetric(ttfb.Seconds()*1000, "report_first_byte_ms")
	b.ReportMetric(float64(size)/(1<<20), "report_MiB")
	b.ReportMetric(raw.Seconds()*1000, "raw_groupby_ms")
	b.ReportMetric((closeDur+warm).Seconds()/raw.Seconds(), "x_raw")
	b.ReportMetric((closeDur+cold).Seconds()/raw.Seconds(), "x_raw_cold")
	b.ReportMetric(e.peakRSS(), "peak_rss_MiB")
}

// profile, when PANDIAN_BENCH_PPROF names the server's pprof address,
// records a CPU profile of the server in /tmp/server-<name>.pprof until the
// returned function is called.
func profile(b *testing.B, name string) func() {
	pp := os.Getenv("PANDIAN_BENCH_PPROF")
	if pp == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get("http://" + pp + "/debug/pprof/profile?seconds=4")
		if err != nil {
			b.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create("/tmp/server-" + name + ".pprof")
		if err != nil {
			return
		}
		defer f.Close()
		io.Copy(f, resp.Body)
	}()
	return func() { <-done }
}
