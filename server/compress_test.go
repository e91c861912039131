package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestCompression: JSON and CSV answers come compressed when the client
// accepts it (gzip, br) and decode to what an identity answer carries;
// small answers and clients that do not ask get them as they are; a
// streamed CSV export stays streamed; the log counts the bytes as sent.
func TestCompression(t *testing.T) {
	var logs syncBuffer
	s := startServerLogging(t, testConfig(t, "sqlite"), &logs, nil)
	tok := s.token("E001") // a regional manager: a large /v1/stock
	get := func(path, encoding, id string) (*http.Response, []byte) {
		h := http.Header{"Authorization": {"Bearer " + tok}, "X-Request-Id": {id}}
		if encoding != "" {
			h.Set("Accept-Encoding", encoding)
		}
		resp, b := s.send("GET", path, h, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s (%s): %d %s", path, encoding, resp.StatusCode, b)
		}
		return resp, b
	}
	decode := func(enc string, b []byte) []byte {
		t.Helper()
		var r io.Reader
		switch enc {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("gzip: %v", err)
			}
			r = zr
		case "br":
			out, err := fasthttp.AppendUnbrotliBytes(nil, b)
			if err != nil {
				t.Fatalf("br: %v", err)
			}
			return out
		default:
			return b
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		return out
	}

	plainResp, plain := get("/v1/stock", "", "stock-plain")
	if plainResp.Header.Get("Content-Encoding") != "" || len(plain) < 10<<10 {
		t.Fatalf("/v1/stock without Accept-Encoding: %q, %d bytes", plainResp.Header.Get("Content-Encoding"), len(plain))
	}
	var want any
	if err := json.Unmarshal(plain, &want); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"gzip", "br"} {
		resp, b := get("/v1/stock", enc, "stock-"+enc)
		if resp.Header.Get("Content-Encoding") != enc || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("/v1/stock with Accept-Encoding %s: Content-Encoding %q Vary %q", enc, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		var got any
		if err := json.Unmarshal(decode(enc, b), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("/v1/stock (%s) does not decode to the same JSON (%v)", enc, err)
		}
		t.Logf("/v1/stock: %d bytes, %d with %s", len(plain), len(b), enc)
		if len(b)*4 > len(plain) {
			t.Errorf("/v1/stock with %s: %d bytes of %d", enc, len(b), len(plain))
		}
		line := requestLines(t, logs.String())["stock-"+enc]
		if line == nil || line["bytes"] != float64(len(b)) {
			t.Errorf("the log line of /v1/stock (%s) says %v bytes, %d were sent", enc, line["bytes"], len(b))
		}
	}
	// A small answer is not worth it.
	if resp, _ := get("/v1/me", "gzip", "me"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("/v1/me (small) came %s", resp.Header.Get("Content-Encoding"))
	}
	// A CSV export: compressed, still streamed (chunked, no Content-Length).
	const csvPath = "/v1/reports/discrepancies?format=csv&group_by=store"
	_, csvPlain := get(csvPath, "", "csv-plain")
	resp, b := get(csvPath, "gzip", "csv-gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(decode("gzip", b), csvPlain) {
		t.Errorf("CSV export with gzip: Content-Encoding %q, decodes equal: %v", resp.Header.Get("Content-Encoding"), bytes.Equal(decode("gzip", b), csvPlain))
	}
	for _, id := range []string{"csv-plain", "csv-gzip"} {
		if line := requestLines(t, logs.String())[id]; line == nil || line["bytes"] != nil {
			t.Errorf("the log line of the streamed export %s: %v (want no bytes: the length is not known)", id, line)
		}
	}
	if resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 {
		t.Errorf("the CSV export was not streamed: Content-Length %d, Transfer-Encoding %v", resp.ContentLength, resp.TransferEncoding)
	}
}
