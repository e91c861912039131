package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	mobileapi "pandian/mobile-api"
)

// The OpenAPI conformance check: every exchange of every end-to-end test is
// validated against mobile-api/openapi.json. The response must be
// documented for its operation (status and media type) and its JSON body
// must match the schema. Requests are not held to the document, because
// the tests send malformed ones on purpose; set
// PANDIAN_OPENAPI_STRICT_REQUESTS=1 to also report requests that the
// server accepted (2xx) but the document says are invalid (a diagnostic
// for the request schemas; the scans of a batch are judged one by one, so
// their bodies are not checked).

func init() {
	responseCheckers = append(responseCheckers, checkOpenAPI)
}

var (
	openapiOnce   sync.Once
	openapiRouter routers.Router
	openapiErr    error
	// openapiChecked counts the exchanges validated (not skipped).
	openapiChecked atomic.Int64
)

// errNotDocumented marks an exchange whose method and path are not an
// operation of the document (e.g. the catch-all 404): nothing to check.
var errNotDocumented = errors.New("not an operation of the document")

// openapiRouterOf loads the document once and routes requests to its
// operations.
func openapiRouterOf() (routers.Router, error) {
	openapiOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(mobileapi.OpenAPI)
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err != nil {
			openapiErr = fmt.Errorf("openapi.json: %w", err)
			return
		}
		openapiRouter, openapiErr = gorillamux.NewRouter(doc)
	})
	return openapiRouter, openapiErr
}

// checkOpenAPI is the responseChecker.
func checkOpenAPI(t testing.TB, method, path string, reqHeader http.Header, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	err := validateExchange(method, path, reqHeader, reqBody, resp.StatusCode, resp.Header, respBody)
	if err == nil || errors.Is(err, errNotDocumented) {
		return
	}
	t.Errorf("OpenAPI conformance: %s %s answered %d (%s): %s\nrequest: %s\nresponse: %s",
		method, path, resp.StatusCode, resp.Header.Get("Content-Type"), shorten(err.Error(), 1500), truncate(reqBody), truncate(respBody))
}

// validateExchange checks one exchange against the document. path is the
// request path with its query string.
func validateExchange(method, path string, reqHeader http.Header, reqBody []byte, status int, respHeader http.Header, respBody []byte) error {
	router, err := openapiRouterOf()
	if err != nil {
		return err
	}
	if method == http.MethodHead {
		return errNotDocumented
	}
	req, err := http.NewRequest(method, "http://localhost"+path, bytes.NewReader(reqBody))
	if err != nil {
		return errNotDocumented // a path no client could send
	}
	req.Header = reqHeader.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Unknown paths and undocumented methods are the catch-all's 404
		// (or 401 under /v1 without a token): not operations.
		return errNotDocumented
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	if os.Getenv("PANDIAN_OPENAPI_STRICT_REQUESTS") != "" && status >= 200 && status < 300 {
		strict := *opts
		// A batch of scans is judged scan by scan: invalid scans are
		// rejected in a 200, as the document says.
		strict.ExcludeRequestBody = route.Operation.OperationID == "postScans"
		in := *in
		in.Options = &strict
		if err := openapi3filter.ValidateRequest(ctx, &in); err != nil {
			return fmt.Errorf("the server accepted a request that the document says is invalid: %w", err)
		}
	}
	ct := respHeader.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt == "text/csv" {
		// CSV: the status and the media type must be documented; the body
		// is not checked.
		ref := route.Operation.Responses.Status(status)
		if ref == nil || ref.Value == nil {
			return fmt.Errorf("status %d is not documented for %s %s", status, method, route.Path)
		}
		if ref.Value.Content.Get(ct) == nil {
			return fmt.Errorf("status %d of %s %s is not documented as %s", status, method, route.Path, ct)
		}
		opts = &openapi3filter.Options{AuthenticationFunc: opts.AuthenticationFunc, IncludeResponseStatus: true, ExcludeResponseBody: true}
	}
	if status >= 200 && status < 300 {
		recordExample(route.Operation.OperationID, status, reqHeader.Get("Content-Type"), reqBody, ct, respBody)
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 respHeader,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                opts,
	})
	openapiChecked.Add(1)
	return err
}

// recordExample appends a successful exchange to the file named by
// PANDIAN_OPENAPI_RECORD (one JSON object per line), from which the
// document's examples are taken: examples that a real server answered.
// Nothing is recorded without it.
func recordExample(operation string, status int, reqType string, reqBody []byte, respType string, respBody []byte) {
	file := os.Getenv("PANDIAN_OPENAPI_RECORD")
	if file == "" {
		return
	}
	line, err := json.Marshal(map[string]any{
		"operation": operation, "status": status,
		"request_type": reqType, "request": string(reqBody),
		"response_type": respType, "response": string(respBody),
	})
	if err != nil {
		return
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.Write(append(line, '\n'))
}

var recordMu sync.Mutex

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestOpenAPIConformanceSmoke runs a few exchanges through a real server so
// that the conformance check runs even when this test runs alone, and
// proves the check can fail.
func TestOpenAPIConformanceSmoke(t *testing.T) {
	if _, err := openapiRouterOf(); err != nil {
		t.Fatal(err)
	}
	before := openapiChecked.Load()
	s := startServer(t, "sqlite")
	s.token("ADMIN") // POST /v1/auth/token
	var me struct {
		Employee struct{ Code, Role string }
	}
	s.mustJSON("GET", "/v1/me", "ADMIN", nil, 200, &me)
	if me.Employee.Code != "ADMIN" || me.Employee.Role != "admin" {
		t.Errorf("GET /v1/me: %+v", me)
	}
	var locs struct{ Locations []struct{ Code string } }
	s.mustJSON("GET", "/v1/locations?under=HK-TST", "ADMIN", nil, 200, &locs)
	if len(locs.Locations) < 2 || locs.Locations[0].Code != "HK-TST" {
		t.Errorf("GET /v1/locations?under=HK-TST: %+v", locs)
	}
	resp, b := s.rawToken("POST", "/v1/auth/token", "", "application/json", []byte(`{"employee_code":"ADMIN","pin":"000000","device_id":"smoke"}`))
	if resp.StatusCode != 401 || errorCode(t, b) != "unauthenticated" {
		t.Errorf("wrong PIN: %d %s", resp.StatusCode, b)
	}
	for _, p := range []string{"/healthz", "/readyz", "/v1/openapi.json"} {
		if resp, b := s.rawToken("GET", p, "", "", nil); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, truncate(b))
		}
	}
	if resp, _ := s.rawToken("GET", "/v1/me", "", "", nil); resp.StatusCode != 401 {
		t.Errorf("GET /v1/me without a token: %d", resp.StatusCode)
	}
	// A count with a JSON and a CSV report, and a missing document.
	var cnt struct{ ID string }
	s.mustJSON("POST", "/v1/counts", "ADMIN", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}}, 201, &cnt)
	s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/report?group_by=role", "ADMIN", nil, 200, nil)
	if resp, b := s.raw("GET", "/v1/counts/"+cnt.ID+"/report?format=csv", "ADMIN", "", nil); resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("\ufeffsku,")) {
		t.Errorf("CSV report: %d %s", resp.StatusCode, truncate(b))
	}
	if resp, _ := s.raw("GET", "/v1/documents/doc_1", "ADMIN", "", nil); resp.StatusCode != 404 {
		t.Errorf("GET /v1/documents/doc_1: %d", resp.StatusCode)
	}
	// Answers the other end-to-end tests do not give: a replace (200), a
	// queued import (202) and its job, a CSV across counts, lookups.
	s.mustJSON("PUT", "/v1/locations/HK-TST", "ADMIN", map[string]any{"name": "尖沙咀店", "kind": "store", "parent": "HK-KLN", "approval_limit": "20000.00"}, 200, nil)
	resp, b = s.raw("POST", "/v1/imports/stock?async=true", "ADMIN", "text/csv", []byte("sku,location,qty\nSKU-000001,HK-TST,119\n"))
	if resp.StatusCode != 202 {
		t.Errorf("queued import: %d %s", resp.StatusCode, truncate(b))
	} else {
		s.mustJSON("GET", resp.Header.Get("Location"), "ADMIN", nil, 200, nil)
	}
	if resp, b := s.raw("GET", "/v1/reports/discrepancies?format=csv&group_by=store", "ADMIN", "", nil); resp.StatusCode != 200 {
		t.Errorf("CSV discrepancies: %d %s", resp.StatusCode, truncate(b))
	}
	s.mustJSON("GET", "/v1/audit?entity=location:HK-TST&limit=5", "ADMIN", nil, 200, nil)
	s.mustJSON("GET", "/v1/lookup?code=4894033001501", "ADMIN", nil, 200, nil)
	s.mustJSON("GET", "/v1/lookup?code=(01)04894033001501(17)270331(10)AB12", "ADMIN", nil, 200, nil)
	s.mustJSON("GET", "/v1/lookup?code=4890000000003", "ADMIN", nil, 404, nil)
	if n := openapiChecked.Load() - before; n < 10 {
		t.Errorf("the conformance check validated %d exchanges, want at least 10", n)
	}

	// The check fails on answers that do not match the document.
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	auth := http.Header{"Authorization": {"Bearer x"}}
	bad := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
	}{
		{"wrong body", "GET", "/v1/me", 200, jsonHeader, `{"nope":1}`},
		{"undocumented status", "GET", "/v1/me", 418, jsonHeader, `{"error":{"code":"invalid","message":"x","details":{}}}`},
		{"error not in the contract's shape", "GET", "/v1/locations/HK", 404, jsonHeader, `{"message":"not found"}`},
		{"undocumented error code", "GET", "/v1/locations/HK", 404, jsonHeader, `{"error":{"code":"gone","message":"x","details":{}}}`},
		{"money as a number", "GET", "/v1/skus/SKU-1", 200, jsonHeader, `{"sku":"SKU-1","name":"x","name_zh":"x","category":"c","unit_cost":12.5,"barcodes":[]}`},
		{"CSV where only JSON is documented", "GET", "/v1/me", 200, http.Header{"Content-Type": {"text/csv"}}, "a,b\n"},
		{"429 without Retry-After", "POST", "/v1/auth/token", 429, jsonHeader, `{"error":{"code":"rate_limited","message":"x","details":{}}}`},
	}
	for _, c := range bad {
		if err := validateExchange(c.method, c.path, auth, nil, c.status, c.header, []byte(c.body)); err == nil || errors.Is(err, errNotDocumented) {
			t.Errorf("%s: the check did not fail (%v)", c.name, err)
		}
	}
	good := validateExchange("GET", "/v1/me", auth, nil, 200, jsonHeader, []byte(`{"employee":{"code":"E001","name":"陳大文","role":"counter","scope":["HK-TST"]},"device_id":"TC52-0042"}`))
	if good != nil {
		t.Errorf("a conforming answer fails the check: %v", good)
	}
	if err := validateExchange("GET", "/v1/nothing", auth, nil, 404, jsonHeader, []byte(`{}`)); !errors.Is(err, errNotDocumented) {
		t.Errorf("an unknown route is not skipped: %v", err)
	}
}
