package mobileapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMethodNotAllowed: a known path with a method it does not serve
// answers 405 with Allow, in the contract's error shape, before
// authentication; unknown paths stay 404 (401 under /v1 without a token)
// and served methods are not affected.
func TestMethodNotAllowed(t *testing.T) {
	app := New(nil, Options{})
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"POST", "/healthz/", 405, "GET, HEAD"},
		{"DELETE", "/v1/counts/C-1", 405, "GET, HEAD"},
		{"PUT", "/v1/counts/C-1/scans", 405, "GET, HEAD, POST"},
		{"GET", "/v1/auth/token", 405, "POST"},
		{"PATCH", "/v1/alert-rules/7", 405, "DELETE, GET, HEAD, PUT"},
		{"GET", "/v1/counts/C-1", 401, ""},
		{"PUT", "/v1/locations/HK", 401, ""},
		{"GET", "/v1/no-such-thing", 401, ""},
		{"GET", "/no-such-thing", 404, ""},
		{"POST", "/v1/counts/C-1/scans/extra", 401, ""},
	}
	for _, c := range cases {
		resp, err := app.Test(httptest.NewRequest(c.method, c.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q (%s)", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.status, c.allow, b)
			continue
		}
		if c.status != 405 {
			continue
		}
		var e struct {
			Error struct {
				Code, Message string
				Details       map[string]any
			}
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != "method_not_allowed" || e.Error.Message == "" || e.Error.Details == nil {
			t.Errorf("%s %s: body %s, want the contract's error with code method_not_allowed", c.method, c.path, b)
		}
	}
}

// TestRouteTable: the log's route patterns follow Fiber's matching.
func TestRouteTable(t *testing.T) {
	app := New(nil, Options{})
	table := newRouteTable(app)
	for _, c := range []struct{ method, path, pattern string }{
		{"GET", "/v1/counts/C-1", "/v1/counts/:id"},
		{"GET", "/V1/Counts/C-1/", "/v1/counts/:id"},
		{"POST", "/v1/counts/C-1/scans", "/v1/counts/:id/scans"},
		{"GET", "/v1/files/a/b/c.pdf", "/v1/files/*"},
		{"GET", "/v1/counts//scans", ""},
		{"GET", "/v1/counts", "/v1/counts"},
		{"GET", "/nope", ""},
	} {
		if got, _ := table.match(c.method, c.path); got != c.pattern {
			t.Errorf("%s %s: route %q, want %q", c.method, c.path, got, c.pattern)
		}
	}
	if _, allow := table.match(http.MethodGet, "/v1/me"); len(allow) != 2 {
		t.Errorf("GET /v1/me: allow %v", allow)
	}
}
