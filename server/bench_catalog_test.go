package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkCatalogSync downloads a 100k-SKU catalog (newBenchEnv) the way
// a handheld does: GET /v1/skus pages of 5000 with Accept-Encoding: gzip,
// counting the bytes on the wire; then a delta sync after one SKU changed;
// and, side by side, the old way (no catalog download: one /v1/lookup per
// code, 1000 codes timed and scaled to 100k).
func BenchmarkCatalogSync(b *testing.B) {
	e := newBenchEnv(b)
	raw := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{DisableCompression: true}}
	type page struct {
		SKUs       []json.RawMessage `json:"skus"`
		NextCursor string            `json:"next_cursor"`
		SyncCursor string            `json:"sync_cursor"`
	}
	get := func(cursor string) (page, int64, int64) {
		req, _ := http.NewRequest("GET", e.p.url+"/v1/skus?limit=5000&cursor="+url.QueryEscape(cursor), nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := raw.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		wire, _ := io.ReadAll(resp.Body)
		// Answers under 200 bytes are sent as they are.
		gz := resp.Header.Get("Content-Encoding") == "gzip"
		if resp.StatusCode != 200 || (!gz && len(wire) >= 200) {
			b.Fatalf("GET /v1/skus: %d, Content-Encoding %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(wire))
		}
		body := wire
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(wire))
			if err != nil {
				b.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		return p, int64(len(wire)), int64(len(body))
	}
	b.ResetTimer()
	cpu0 := e.cpuSeconds()
	start := time.Now()
	var n, wire, plain, pages int64
	cursor, sync := "", ""
	for {
		p, w, pl := get(cursor)
		n, wire, plain, pages = n+int64(len(p.SKUs)), wire+w, plain+pl, pages+1
		sync = p.SyncCursor
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	full := time.Since(start)
	serverCPU := e.cpuSeconds() - cpu0
	b.StopTimer()
	if n < benchSKUs {
		b.Fatalf("downloaded %d SKUs, want %d", n, benchSKUs)
	}
	// Delta: one SKU renamed since the sync.
	body, _ := json.Marshal(map[string]any{"name": "Bench item renamed", "name_zh": "改名", "category": "bench", "unit_cost": "1.50", "barcodes": []any{}})
	if st := e.send("PUT", "/v1/skus/"+e.skus[4242], "application/json", body, nil); st != 200 {
		b.Fatalf("rename: %d", st)
	}
	t0 := time.Now()
	delta, dWire, _ := get(sync)
	deltaTime := time.Since(t0)
	if len(delta.SKUs) != 1 {
		b.Fatalf("delta: %d SKUs, want 1", len(delta.SKUs))
	}
	// The old way: one lookup per code.
	t0 = time.Now()
	for _, code := range e.eans[:1000] {
		if st := e.send("GET", "/v1/lookup?code="+code, "", nil, nil); st != 200 {
			b.Fatalf("lookup: %d", st)
		}
	}
	lookup := time.Since(t0)
	b.ReportMetric(full.Seconds(), "full_s")
	b.ReportMetric(serverCPU, "full_server_cpu_s")
	b.ReportMetric(float64(wire)/1e6, "full_wire_MB")
	b.ReportMetric(float64(plain)/1e6, "full_json_MB")
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(deltaTime.Microseconds())/1000, "delta_ms")
	b.ReportMetric(float64(dWire), "delta_wire_B")
	b.ReportMetric(lookup.Seconds()*benchSKUs/1000, "old_lookup_100k_s")
}

// cpuSeconds is the server process's CPU time so far (user + system), a
// figure that does not depend on what else the machine runs.
func (e *benchEnv) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", e.p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses: utime is the 14th
	// field of the line, stime the 15th, in clock ticks (100 per second).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}
