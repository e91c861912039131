package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mobileapi "pandian/mobile-api"
)

// syncBuffer is a buffer the server's goroutines may write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServerLogging is startServerWith on SQLite with the API's request
// log going to w in the server's JSON format, and opts applied to the
// API's options.
func startServerLogging(t *testing.T, cfg config, w io.Writer, opts func(*mobileapi.Options)) *testServer {
	t.Helper()
	s := serveTest(t, cfg, false, func(o *mobileapi.Options) {
		o.Logger = newLogger(w, "info", "json")
		if opts != nil {
			opts(o)
		}
	})
	s.client = &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	return s
}

// send makes a request with the given headers and returns the answer.
func (s *testServer) send(method, path string, header http.Header, body []byte) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, b
}

// requestLines returns the JSON request lines of the log, by request id.
func requestLines(t *testing.T, log string) map[string]map[string]any {
	t.Helper()
	lines := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", sc.Text(), err)
		}
		if m["msg"] != "request" {
			continue
		}
		id, _ := m["request_id"].(string)
		if _, dup := lines[id]; dup {
			t.Errorf("two request lines with id %q", id)
		}
		lines[id] = m
	}
	return lines
}

// TestRequestLog: every request, successful or not, is one JSON line with
// its id (the client's when sane, else generated; echoed back), method,
// route pattern, status, latency, bytes, and the employee and device.
func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	s := startServerLogging(t, testConfig(t, "sqlite"), &logs, nil)
	tok := s.token("E001") // signs in from device test-E001

	auth := http.Header{"Authorization": {"Bearer " + tok}}
	with := func(h http.Header, kv ...string) http.Header {
		h = h.Clone()
		if h == nil {
			h = http.Header{}
		}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	type exchange struct {
		method, path string
		header       http.Header
		sentID       string // "" = generated
		route        string
		status       int
		employee     string
	}
	long := strings.Repeat("x", 129)
	cases := []exchange{
		{"GET", "/v1/locations/HK-KLN", with(auth, "X-Request-Id", "client-id-1"), "client-id-1", "/v1/locations/:code", 200, "E001"},
		{"GET", "/v1/locations/NOPE", with(auth, "X-Request-Id", "client-id-2"), "client-id-2", "/v1/locations/:code", 404, "E001"},
		{"GET", "/v1/me", nil, "", "/v1/me", 401, ""},
		{"GET", "/v1/me", with(auth, "X-Request-Id", "has space"), "", "/v1/me", 200, "E001"},
		{"GET", "/v1/me", with(auth, "X-Request-Id", long), "", "/v1/me", 200, "E001"},
		{"GET", "/healthz", with(nil, "X-Request-Id", "h-1"), "h-1", "/healthz", 200, ""},
	}
	for _, c := range cases {
		resp, body := s.send(c.method, c.path, c.header, nil)
		if resp.StatusCode != c.status {
			t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, resp.StatusCode, body, c.status)
		}
		id := resp.Header.Get("X-Request-Id")
		switch {
		case c.sentID != "" && id != c.sentID:
			t.Errorf("%s %s: X-Request-Id %q, want the client's %q", c.method, c.path, id, c.sentID)
		case c.sentID == "" && (len(id) != 32 || id == c.header.Get("X-Request-Id")):
			t.Errorf("%s %s: X-Request-Id %q, want a generated one", c.method, c.path, id)
		}
		line := requestLines(t, logs.String())[id]
		if line == nil {
			t.Errorf("%s %s: no request line with id %q in\n%s", c.method, c.path, id, logs.String())
			continue
		}
		if line["method"] != c.method || line["route"] != c.route || line["status"] != float64(c.status) {
			t.Errorf("%s %s: logged %v, want route %s status %d", c.method, c.path, line, c.route, c.status)
		}
		if lat, ok := line["latency_ms"].(float64); !ok || lat < 0 {
			t.Errorf("%s %s: latency_ms %v", c.method, c.path, line["latency_ms"])
		}
		if n, ok := line["bytes"].(float64); !ok || int(n) != len(body) {
			t.Errorf("%s %s: bytes %v, the body had %d", c.method, c.path, line["bytes"], len(body))
		}
		want := map[string]any{}
		if c.employee != "" {
			want = map[string]any{"employee": c.employee, "device": "test-" + c.employee}
		}
		for _, k := range []string{"employee", "device"} {
			if line[k] != want[k] {
				t.Errorf("%s %s: %s %v, want %v", c.method, c.path, k, line[k], want[k])
			}
		}
	}
	// The sign-in itself is a line too (without the PIN).
	if !strings.Contains(logs.String(), `"route":"/v1/auth/token"`) || strings.Contains(logs.String(), pinOf(t, "E001")+`"`) {
		t.Errorf("sign-in line missing or leaking:\n%s", logs.String())
	}
}

// TestServeTakenPort: a taken address stops the server at once with an
// error naming it, before the database is opened or the demo data loaded
// (and so before anything logs "listening").
func TestServeTakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := testConfig(t, "sqlite")
	cfg.Addr, cfg.Demo = taken.Addr().String(), true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err = run(ctx, "serve", cfg)
	if err == nil || !strings.Contains(err.Error(), cfg.Addr) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("run on a taken address: %v, want an error naming %s and the cause", err, cfg.Addr)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "pandian.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the database was opened before the bind failed (stat: %v)", err)
	}
	t.Logf("failed after %v: %v", time.Since(start), err)
}

// TestServeListens: run binds its address and answers on it.
func TestServeListens(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	cfg := testConfig(t, "sqlite")
	cfg.Addr, cfg.PublicURL = addr, "http://"+addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, "serve", cfg) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("healthz: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after shutdown: %v", err)
	}
}

// TestNewLogger: PANDIAN_LOG_FORMAT picks JSON or text lines and
// PANDIAN_LOG_LEVEL the lowest level written.
func TestNewLogger(t *testing.T) {
	var js, text bytes.Buffer
	newLogger(&js, "warn", "json").Info("dropped")
	newLogger(&js, "warn", "json").Warn("kept", "employee", "E001")
	newLogger(&text, "debug", "text").Debug("shown", "employee", "E001")
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil || m["msg"] != "kept" || m["level"] != "WARN" || m["employee"] != "E001" {
		t.Errorf("json at warn: %q (%v)", js.String(), err)
	}
	if !strings.Contains(text.String(), "level=DEBUG msg=shown employee=E001") {
		t.Errorf("text at debug: %q", text.String())
	}
}
