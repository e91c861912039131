package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The server runs in the test's own process, so its memory is the
// process's. memWatch measures it two ways: the kernel's high-water mark
// of resident memory (VmHWM in /proc/self/status, reset at the start by
// writing 5 to /proc/self/clear_refs), which sees every page the process
// touched at its peak, heap or not (goroutine stacks, SQLite's C memory,
// buffers the Go runtime has not given back), and cannot miss a peak
// between two samples; and VmRSS and the Go heap (runtime.MemStats)
// sampled every 10 ms, which can stop the test as soon as memory runs
// away (the old code would otherwise take the machine down with it) and
// tell heap from the rest in a failure. The bound is on resident memory,
// which is what runs a machine out of memory.
type memWatch struct {
	t                 testing.TB
	limit             uint64
	stop              chan struct{}
	wg                sync.WaitGroup
	peakRSS, peakHeap atomic.Uint64
	hwmReset          bool
	over              atomic.Bool
}

// watchMemory starts sampling; onOver runs once if resident memory grows
// by more than growth over what the process holds at the start (the test
// binary also holds what earlier tests left; the campaign checks the
// server's absolute figure in a process of its own).
func watchMemory(t testing.TB, growth uint64, onOver func()) *memWatch {
	runtime.GC()
	debug.FreeOSMemory()
	base := uint64(procStatus(os.Getpid(), "VmRSS"))
	if base == 0 {
		t.Skip("no /proc/self/status on this system")
	}
	limit := base + growth
	t.Logf("resident memory at the start: %d MiB; limit %d MiB", base>>20, limit>>20)
	m := &memWatch{t: t, limit: limit, stop: make(chan struct{})}
	m.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		var ms runtime.MemStats
		for {
			select {
			case <-m.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			rss := uint64(procStatus(os.Getpid(), "VmRSS"))
			if rss > m.peakRSS.Load() {
				m.peakRSS.Store(rss)
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > m.peakHeap.Load() {
				m.peakHeap.Store(ms.HeapInuse)
			}
			if rss > limit && !m.over.Swap(true) {
				onOver()
			}
		}
	}()
	return m
}

// check stops sampling and fails the test if memory passed the limit.
func (m *memWatch) check(what string) {
	m.t.Helper()
	close(m.stop)
	m.wg.Wait()
	peak := m.peakRSS.Load()
	hwm := uint64(0)
	if m.hwmReset {
		hwm = uint64(procStatus(os.Getpid(), "VmHWM"))
		peak = max(peak, hwm)
	}
	m.t.Logf("%s: peak resident memory %d MiB (VmHWM %d MiB, reset: %v), peak Go heap in use %d MiB",
		what, peak>>20, hwm>>20, m.hwmReset, m.peakHeap.Load()>>20)
	if peak > m.limit || m.over.Load() {
		m.t.Errorf("%s: resident memory reached %d MiB (limit %d MiB; Go heap %d MiB)", what, peak>>20, m.limit>>20, m.peakHeap.Load()>>20)
	}
}

// TestAnonymousBodiesBounded: 32 anonymous clients each stream a 60 MiB
// body without a length at the sign-in route and at routes that need a
// token (uploads, imports, batches, the review pages). Each gets 413 or
// 401 at once, and the resident memory of this process (the server runs
// in it) grows by less than 200 MiB; the campaign checks the same attack
// against a server process of its own under 300 MiB. A 60 MiB body with a declared length gets 413 before a
// byte of it is read, and a compressed body is refused rather than
// inflated. The server stays up.
func TestAnonymousBodiesBounded(t *testing.T) {
	s := startServer(t, "sqlite")
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 64}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	mem := watchMemory(t, 200<<20, cancel)
	routes := []struct{ method, path, contentType string }{
		{"POST", "/v1/auth/token", "application/json"},
		{"POST", "/v1/counts/C1/scans", "application/json"},
		{"POST", "/v1/stock/movements", "application/json"},
		{"POST", "/v1/imports/skus", "text/csv"},
		{"POST", "/v1/documents", "multipart/form-data; boundary=x"},
		{"POST", "/v1/counts/C1/images", "multipart/form-data; boundary=x"},
		{"PUT", "/v1/skus/X1", "application/json"},
		{"POST", "/review/login", "application/x-www-form-urlencoded"},
	}
	const clients, size = 32, 60 << 20
	type answer struct {
		route  string
		status int
		body   []byte
		err    error
		took   time.Duration
	}
	answers := make(chan answer, clients)
	for i := range clients {
		r := routes[i%len(routes)]
		go func() {
			start := time.Now()
			a := answer{route: r.method + " " + r.path}
			a.status, a.body, a.err = sendChunked(ctx, s, r.method, r.path, r.contentType, size)
			a.took = time.Since(start)
			answers <- a
		}()
	}
	for range clients {
		a := <-answers
		switch {
		case a.err != nil:
			t.Errorf("%s: no answer: %v (after %s)", a.route, a.err, a.took)
		case a.status != 413 && a.status != 401:
			t.Errorf("%s: %d %s, want 413 or 401", a.route, a.status, truncate(a.body))
		default:
			if code := errorCode(t, a.body); code != "too_large" && code != "unauthenticated" {
				t.Errorf("%s: %d with code %s", a.route, a.status, code)
			}
			if a.took > 15*time.Second {
				t.Errorf("%s: answered after %s", a.route, a.took)
			}
		}
	}
	// A declared 60 MiB sign-in: 413 before the body is read.
	for range 4 {
		start := time.Now()
		status, b, err := sendZeros(ctx, s, "POST", "/v1/auth/token", "application/json", size, false)
		if err != nil {
			t.Errorf("declared 60 MiB sign-in: no answer: %v", err)
			continue
		}
		if status != 413 || errorCode(t, b) != "too_large" || time.Since(start) > 5*time.Second {
			t.Errorf("declared 60 MiB sign-in: %d %s after %s", status, truncate(b), time.Since(start))
		}
	}
	// A gzip bomb: 256 MiB of JSON-looking spaces in a few hundred KiB.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte(`{"employee_code":"`))
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 256 {
		zw.Write(spaces)
	}
	zw.Write([]byte(`"}`))
	zw.Close()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/v1/auth/token", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	if resp, err := client.Do(req); err != nil {
		t.Errorf("gzip bomb: no answer: %v", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 415 {
			t.Errorf("gzip bomb (%d KiB): %d %s, want 415", gz.Len()>>10, resp.StatusCode, truncate(b))
		}
	}
	mem.check("32 anonymous 60 MiB bodies")
	s.mustJSON("GET", "/healthz", "", nil, 200, nil)
	s.token("ADMIN")
}

// TestBodyLimitsPerRoute: each route reads at most its own limit. A
// sign-in body just over 4 KiB gets 413 whether its length is declared or
// not; a batch of 5000 scans with every field at its longest fits the
// batch limit (its size is logged) and a body over that limit, streamed,
// gets 413; an import is read only for an employee allowed to import.
func TestBodyLimitsPerRoute(t *testing.T) {
	s := startServer(t, "sqlite")
	over := bytes.Repeat([]byte(" "), 4<<10+1)
	copy(over, `{"employee_code":"ADMIN","pin":"900001"}`)
	for _, chunked := range []bool{false, true} {
		var body io.Reader = bytes.NewReader(over)
		if chunked {
			body = io.MultiReader(body) // no length known: sent chunked
		}
		req, _ := http.NewRequest("POST", s.URL+"/v1/auth/token", body)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 413 || errorCode(t, b) != "too_large" {
			t.Errorf("sign-in of 4 KiB + 1 (chunked %v): %d %s", chunked, resp.StatusCode, b)
		}
	}
	// The same within the limit signs in.
	ok := bytes.TrimRight(over[:4<<10], " ")
	if resp, b := s.rawToken("POST", "/v1/auth/token", "", "application/json", ok); resp.StatusCode != 200 {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, b)
	}

	// The largest batch a handheld sends: 5000 scans, every field at its
	// longest (event_id 100, code 512 bytes of GS1 with group separators,
	// bin 64 bytes of Chinese, device_id 100, full precision coordinates),
	// indented.
	var cnt struct{ ID string }
	s.mustJSON("POST", "/v1/counts", "ADMIN", map[string]any{"location": "HK-TST"}, 201, &cnt)
	code := strings.Repeat("01095011015300031715123110ABC123\x1d", 16)[:512]
	bin := strings.Repeat("倉", 21)
	lat, lon := 22.296123456789012, 114.17212345678901
	scans := make([]map[string]any, 5000)
	for i := range scans {
		scans[i] = map[string]any{"event_id": fmt.Sprintf("%036d-%063d", i, i), "code": code, "qty": -100000, "bin": bin,
			"scanned_at": "2026-12-06T08:32:19.123456789+08:00", "device_id": strings.Repeat("d", 100), "lat": lat, "lon": lon}
	}
	batch, err := json.MarshalIndent(map[string]any{"scans": scans}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a 5000-scan batch with every field at its longest: %d bytes (%.1f MiB)", len(batch), float64(len(batch))/(1<<20))
	if resp, b := s.raw("POST", "/v1/counts/"+cnt.ID+"/scans", "ADMIN", "application/json", batch); resp.StatusCode != 200 {
		t.Fatalf("largest batch: %d %s", resp.StatusCode, truncate(b))
	}
	req, _ := http.NewRequest("POST", s.URL+"/v1/counts/"+cnt.ID+"/scans", io.LimitReader(zeros{}, 9<<20))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token("ADMIN"))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("9 MiB batch streamed: %d %s", resp.StatusCode, truncate(b))
	}

	// An employee who may not import gets 403 before the body is read.
	// The body (sent chunked) stays under what the server discards after
	// an answer (lingerBytes, 16 MiB): a larger one is cut off by the
	// closing connection, which can reach this client as a broken pipe
	// before it reads the 403.
	counter := employeeWith(t, "counter", "HK-TST")
	req, _ = http.NewRequest("POST", s.URL+"/v1/imports/skus", io.LimitReader(zeros{}, 6<<20))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+s.token(counter))
	start := time.Now()
	if resp, err = s.client.Do(req); err != nil {
		t.Fatalf("import by a counter: %v", err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || time.Since(start) > 5*time.Second {
		t.Errorf("6 MiB import by a counter: %d %s after %s", resp.StatusCode, truncate(b), time.Since(start))
	}
	s.mustJSON("GET", "/healthz", "", nil, 200, nil)
}

// sendChunked sends size zero bytes as a chunked body on a connection of
// its own, reading the answer while it writes (as a client must, to see
// an answer the server sends before it has read the body: net/http's
// client can report the closing connection's broken pipe instead).
func sendChunked(ctx context.Context, s *testServer, method, path, contentType string, size int64) (int, []byte, error) {
	return sendZeros(ctx, s, method, path, contentType, size, true)
}

// sendZeros sends size zero bytes, chunked or with a declared
// Content-Length, reading the answer while it writes.
func sendZeros(ctx context.Context, s *testServer, method, path, contentType string, size int64, chunked bool) (int, []byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	go func() {
		block := make([]byte, 64<<10)
		framing := fmt.Sprintf("Content-Length: %d", size)
		if chunked {
			framing = "Transfer-Encoding: chunked"
			block = append(fmt.Appendf(nil, "%x\r\n", len(block)), block...)
			block = append(block, "\r\n"...)
		}
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n%s\r\n\r\n", method, path, contentType, framing)
		for sent := int64(0); sent < size; sent += 64 << 10 {
			if _, err := conn.Write(block); err != nil {
				return // the server answered and closed
			}
		}
		if chunked {
			io.WriteString(conn, "0\r\n\r\n")
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

// rawConn opens a connection to the server for hand-written requests.
func (s *testServer) rawConn() net.Conn {
	s.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close() })
	return conn
}
