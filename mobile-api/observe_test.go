package mobileapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
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

// TestCORS: a preflight from an allowed origin is answered before
// authentication with the path's methods, the headers and a max-age; its
// requests (errors included) carry Access-Control-Allow-Origin; other
// origins, and every origin without an allow-list, get no CORS header.
func TestCORS(t *testing.T) {
	allowed, other := "https://app.example.com", "https://evil.example.net"
	with := New(nil, Options{CORSOrigins: []string{"https://App.Example.com/", "capacitor://localhost"}})
	without := New(nil, Options{})
	send := func(app *fiber.App, method, path string, h map[string]string) (*http.Response, string) {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	corsHeaders := func(resp *http.Response) []string {
		var hs []string
		for k := range resp.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				hs = append(hs, k)
			}
		}
		return hs
	}
	preflight := func(origin string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type,x-request-id"}
	}

	resp, body := send(with, "OPTIONS", "/v1/counts/C-1/scans", preflight(allowed))
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != allowed || h.Get("Access-Control-Allow-Methods") != "GET, HEAD, POST" ||
		h.Get("Access-Control-Max-Age") == "" || !strings.Contains(h.Get("Vary"), "Origin") {
		t.Errorf("preflight from an allowed origin: %d %v %s", resp.StatusCode, h, body)
	}
	for _, want := range []string{"Authorization", "Content-Type", "X-Request-Id"} {
		if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("preflight: Access-Control-Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
		}
	}
	if resp, _ := send(with, "OPTIONS", "/v1/me", preflight("capacitor://localhost")); resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "capacitor://localhost" {
		t.Errorf("preflight from capacitor://localhost: %d %v", resp.StatusCode, resp.Header)
	}
	// The request itself: the answer (here an error) is readable by the page.
	resp, body = send(with, "POST", "/v1/counts/C-1/scans", map[string]string{"Origin": allowed})
	if resp.StatusCode != 401 || resp.Header.Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("request from an allowed origin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if resp, _ := send(with, "GET", "/healthz", map[string]string{"Origin": allowed}); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("GET /healthz from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	// Other origins, and no allow-list: no CORS header, the preflight is not answered.
	for name, app := range map[string]*fiber.App{"other origin": with, "no allow-list": without} {
		origin := other
		if app == without {
			origin = allowed
		}
		resp, _ := send(app, "OPTIONS", "/v1/counts/C-1/scans", preflight(origin))
		if resp.StatusCode == 204 || resp.StatusCode < 400 || len(corsHeaders(resp)) > 0 {
			t.Errorf("%s: preflight answered %d with %v", name, resp.StatusCode, corsHeaders(resp))
		}
		resp, _ = send(app, "GET", "/healthz", map[string]string{"Origin": origin})
		if resp.StatusCode != 200 || len(corsHeaders(resp)) > 0 {
			t.Errorf("%s: GET /healthz answered %d with %v", name, resp.StatusCode, corsHeaders(resp))
		}
	}
}
