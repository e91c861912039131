package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mobileapi "pandian/mobile-api"
	"pandian/scan"
	"pandian/stock"
)

// TestReviewDownloadHeapFlat: the review pages' CSV and Excel downloads
// are streamed to the client as it reads them (fasthttp's body stream
// writer), not assembled in memory first. Through the real server, a slow
// client downloads counts of 10k, 50k and 100k lines; while the body
// flows, the server's live heap must not grow with the line count: from
// the smaller count to the 100k-line one it may grow by a small bound,
// and by far less than the body did.
//
// What is compared: the live heap (the sampler forces a collection before
// each reading, so garbage does not count) from the first byte received
// to the last, above the heap before the request. The count's report,
// which the page computes before writing (the domain's cost, not the
// download's), is kept by the test (heldReports) and so is in the heap
// before, whether the writer still holds it or not.
//   - CSV: 10k against 100k lines.
//   - Excel: excelize keeps a sheet's XML in memory up to its 16 MiB
//     chunk and spills the rest to a temporary file, so 50k against 100k
//     lines, both past that chunk.
func TestReviewDownloadHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a 100k-SKU catalog")
	}
	held := &heldReports{held: map[string]stock.Report{}}
	cfg := testConfig(t, "sqlite")
	s := serveTestApp(t, cfg, false, func(a *app, o *mobileapi.Options) {
		held.Service = a.svc
		o.Pages["/review"] = a.reviewPages(held, cfg)
	})
	s.client = &http.Client{Timeout: 5 * time.Minute}
	// 100k SKUs in three categories (10k, 40k, 50k), with book stock at
	// three stores (one count at a time per store): a 10k-line count at
	// HK-TST, 50k at HK-KT, 100k at HK-MK.
	const small, mid, large = 10_000, 50_000, 100_000
	var cat, stk bytes.Buffer
	cat.WriteString("sku,name,name_zh,category,unit_cost,barcode,pack_qty\n")
	stk.WriteString("sku,location,qty\n")
	for i := range large {
		category := "heap-a"
		switch {
		case i >= mid:
			category = "heap-c"
		case i >= small:
			category = "heap-b"
		}
		body := fmt.Sprintf("47%010d", i)
		fmt.Fprintf(&cat, "HEAP-%06d,Heap item %d,堆 %d,%s,%d.25,%s,1\n", i, i, i, category, 1+i%40, body+string(scan.CheckDigit(body)))
		fmt.Fprintf(&stk, "HEAP-%06d,HK-MK,%d\n", i, 5+i%9)
		if i < mid {
			fmt.Fprintf(&stk, "HEAP-%06d,HK-KT,%d\n", i, 4+i%5)
		}
		if i < small {
			fmt.Fprintf(&stk, "HEAP-%06d,HK-TST,%d\n", i, 5+i%7)
		}
	}
	for _, imp := range []struct {
		kind string
		body []byte
	}{{"catalog", cat.Bytes()}, {"stock", stk.Bytes()}} {
		resp, b := s.raw("POST", "/v1/imports/"+imp.kind+"?async=false", "ADMIN", "text/csv", imp.body)
		if resp.StatusCode != 200 {
			t.Fatalf("import %s: %d %s", imp.kind, resp.StatusCode, truncate(b))
		}
	}
	counts := map[int]string{}
	for _, c := range []struct {
		n    int
		at   string
		cats []string
	}{{small, "HK-TST", []string{"heap-a"}}, {mid, "HK-KT", []string{"heap-a", "heap-b"}}, {large, "HK-MK", []string{"heap-a", "heap-b", "heap-c"}}} {
		cnt := s.openCount("ADMIN", map[string]any{"location": c.at, "scope": map[string]any{"categories": c.cats}})
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", "ADMIN", nil, 200, nil)
		counts[c.n] = cnt.ID
	}
	browser, _ := s.reviewSignIn(t, "ADMIN", "en")
	// The body as sent (no compression), read 16 KiB at a time with a
	// pause between reads: the server's writer waits for the client.
	hc := &http.Client{Jar: browser.Jar, Timeout: 5 * time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	admin, err := s.app.svc.Authenticate(context.Background(), s.token("ADMIN"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range counts {
		// The report each download computes, kept from now on.
		if _, err := held.Report(context.Background(), admin, id, "sku", stock.ReportOptions{Lots: true}); err != nil {
			t.Fatal(err)
		}
	}
	const bound = 4 << 20 // what the writers keep whatever the length, and slack
	for _, tc := range []struct {
		format string
		from   int
	}{{"csv", small}, {"xlsx", mid}} {
		var got [2]download
		for i, n := range []int{tc.from, large} {
			if l := len(held.get(counts[n]).Lines); l != n {
				t.Fatalf("the count has %d lines, want %d", l, n)
			}
			got[i] = s.downloadLive(t, hc, counts[n], tc.format, n)
			t.Logf("%s of %d lines: %.1f MiB sent; live heap while sending %.1f MiB above the heap before (%d samples)",
				tc.format, n, mib(got[i].size), mib(got[i].over), got[i].samples)
		}
		growth, bodyGrowth := got[1].over-got[0].over, got[1].size-got[0].size
		t.Logf("%s: %dk lines to 100k: live heap while sending %+.1f MiB, body %+.1f MiB", tc.format, tc.from/1000, mib(growth), mib(bodyGrowth))
		if growth > bound || growth > bodyGrowth/2 {
			t.Errorf("%s: the live heap while sending grew by %.1f MiB from %d to 100k lines (the body by %.1f MiB; bound %.0f MiB): the download is held in memory",
				tc.format, mib(growth), tc.from, mib(bodyGrowth), mib(bound))
		}
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// heldReports is the domain service that keeps every count report it
// answers and answers it again: the report a download computes stays in
// the heap, so that what the heap shows while it is sent is the
// download's own.
type heldReports struct {
	*stock.Service
	mu   sync.Mutex
	held map[string]stock.Report
}

func (h *heldReports) Report(ctx context.Context, a stock.Actor, id, groupBy string, opts stock.ReportOptions) (stock.Report, error) {
	key := fmt.Sprintf("%s %s %+v", id, groupBy, opts)
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.held[key]; ok {
		return r, nil
	}
	r, err := h.Service.Report(ctx, a, id, groupBy, opts)
	if err == nil {
		h.held[key] = r
	}
	return r, err
}

// get is the held report of a download.
func (h *heldReports) get(id string) stock.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held[fmt.Sprintf("%s %s %+v", id, "sku", stock.ReportOptions{Lots: true})]
}

// download is what downloadLive measured.
type download struct {
	size    int64 // bytes received
	over    int64 // peak live heap while sending, above the heap before the request
	samples int
}

// downloadLive downloads a count's export (of lines lines) from the review
// pages with a slow reader, and measures the server's live heap while the
// body flows (from its first byte to its last) above the heap before the
// request.
func (s *testServer) downloadLive(t *testing.T, hc *http.Client, id, format string, lines int) download {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	live := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	var d download
	base := live()

	var sending atomic.Bool
	var peak atomic.Int64
	var samples atomic.Int32
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if !sending.Load() {
				continue
			}
			if v := live(); v > peak.Load() {
				peak.Store(v)
			}
			samples.Add(1)
		}
	}()
	resp, err := hc.Get(s.URL + "/review/counts/" + id + "/export." + format)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("export.%s: %d %s", format, resp.StatusCode, truncate(b))
	}
	// The client keeps nothing of the body (it runs in the server's
	// process): it counts the CSV's rows and keeps the workbook's ends.
	buf := make([]byte, 16<<10)
	pace := time.NewTicker(2 * time.Millisecond) // a slow client
	defer pace.Stop()
	var head, tail []byte
	rows := 0
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			sending.Store(true)
			d.size += int64(n)
			rows += bytes.Count(buf[:n], []byte("\n"))
			if len(head) < 4 {
				head = append(head, buf[:min(n, 4-len(head))]...)
			}
			tail = append(tail, buf[:n]...)
			if len(tail) > 64 {
				tail = append(tail[:0], tail[len(tail)-64:]...)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("export.%s after %d bytes: %v", format, d.size, err)
		}
		<-pace.C
	}
	close(done)
	<-sampled
	d.samples = int(samples.Load())
	if d.samples < 3 {
		t.Fatalf("export.%s: %d samples of the heap while sending", format, d.samples)
	}
	d.over = peak.Load() - base
	switch format {
	case "csv":
		if rows != lines+1 {
			t.Errorf("export.csv: %d rows, want %d lines and the header", rows, lines)
		}
	case "xlsx":
		if string(head) != "PK\x03\x04" || !strings.Contains(string(tail), "PK\x05\x06") {
			t.Errorf("export.xlsx is not a whole zip: starts %q, ends %q", head, tail)
		}
	}
	return d
}
