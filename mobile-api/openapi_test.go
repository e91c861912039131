package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"pandian/stock"
)

// loadOpenAPI parses and validates the embedded document.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// TestOpenAPIValid: the document parses and validates, as OpenAPI 3.0.
func TestOpenAPIValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q, want 3.0.3", doc.OpenAPI)
	}
}

// fiberParam matches a Fiber path parameter (":id", optionally "?").
var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)\??`)

// registeredRoutes returns "METHOD /path/{param}" for every route the API
// registers: not the HEAD routes Fiber adds for each GET, not middleware.
func registeredRoutes(t *testing.T) map[string]bool {
	t.Helper()
	app := New(nil, Options{})
	routes := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue
		}
		if r.Path == "/v1/files/*" { // a key with slashes: the one wildcard
			routes[r.Method+" /v1/files/{key}"] = true
			continue
		}
		if r.Path == "/" || r.Path == "" || strings.ContainsAny(r.Path, "*+") {
			t.Errorf("unexpected catch-all route %s %s", r.Method, r.Path)
			continue
		}
		routes[r.Method+" "+fiberParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(routes) < 10 {
		t.Fatalf("only %d routes found: %v", len(routes), routes)
	}
	return routes
}

// documentedOperations returns "METHOD /path" for every operation.
func documentedOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPIRoutes: every registered route is documented with that method
// and every documented operation is a route.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := registeredRoutes(t)
	ops := documentedOperations(doc)
	var missing, extra []string
	for r := range routes {
		if ops[r] == nil {
			missing = append(missing, r)
		}
	}
	for o := range ops {
		if !routes[o] {
			extra = append(extra, o)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, r := range missing {
		t.Errorf("route %s is not in openapi.json", r)
	}
	for _, o := range extra {
		t.Errorf("openapi.json documents %s, which is not a route", o)
	}
}

// public are the operations that need no token (the contract's list).
var public = map[string]bool{
	"POST /v1/auth/token": true,
	// The refresh token is the credential.
	"POST /v1/auth/refresh": true,
	"GET /healthz":          true,
	"GET /readyz":           true,
	"GET /v1/openapi.json":  true,
	// Signed download links carry their own signature.
	"GET /v1/files/{key}": true,
}

// TestOpenAPIOperations checks what every operation must carry: id,
// summary, tags, security, path parameters, and the error answers the
// middleware and the body reader can give.
func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	tags := map[string]bool{}
	for _, tg := range doc.Tags {
		tags[tg.Name] = true
	}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range documentedOperations(doc) {
		method, path, _ := strings.Cut(key, " ")
		if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
			t.Errorf("%s: needs operationId, summary and tags", key)
		}
		for _, tg := range op.Tags {
			if !tags[tg] {
				t.Errorf("%s: tag %q is not declared", key, tg)
			}
		}
		if op.Security == nil {
			t.Errorf("%s: security is not set on the operation", key)
		} else if public[key] {
			if len(*op.Security) != 0 {
				t.Errorf("%s: a public operation must have security []", key)
			}
		} else if len(*op.Security) != 1 || (*op.Security)[0]["bearerAuth"] == nil {
			t.Errorf("%s: security must be bearerAuth", key)
		}
		status := func(code int) *openapi3.Response {
			if r := op.Responses.Status(code); r != nil {
				return r.Value
			}
			return nil
		}
		if !public[key] && status(401) == nil {
			t.Errorf("%s: no 401", key)
		}
		if status(500) == nil {
			t.Errorf("%s: no 500", key)
		}
		// Path parameters: every {name} is declared, in the path item or
		// the operation.
		params := map[string]bool{}
		for _, p := range append(doc.Paths.Value(path).Parameters, op.Parameters...) {
			if p.Value.In == openapi3.ParameterInPath {
				params[p.Value.Name] = true
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			if !params[m[1]] {
				t.Errorf("%s: path parameter %s is not declared", key, m[1])
			}
		}
		// A JSON body can be unreadable (400), too large (413) or of another
		// media type (415); an implemented endpoint that reads JSON can also
		// be invalid (422).
		if op.RequestBody != nil {
			body := op.RequestBody.Value
			codes := []int{413}
			if status(501) == nil {
				codes = append(codes, 400, 415, 422)
			}
			for _, c := range codes {
				if status(c) == nil {
					t.Errorf("%s: has a request body but no %d", key, c)
				}
			}
			if mt := body.Content.Get("application/json"); mt != nil {
				for _, where := range openObjects(mt.Schema.Value, "body", map[*openapi3.Schema]bool{}) {
					t.Errorf("%s: %s must say additionalProperties: false (the server refuses unknown fields)", key, where)
				}
			}
		}
		// Every error answer is in the contract's shape.
		for code, ref := range op.Responses.Map() {
			n, err := strconv.Atoi(code)
			if err != nil || n < 400 {
				continue
			}
			mt := ref.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/Error" {
				t.Errorf("%s %s: error answers must use the Error schema", key, code)
			}
		}
		if method == http.MethodGet && op.RequestBody != nil {
			t.Errorf("%s: a GET with a request body", key)
		}
	}
}

// openObjects returns where in s an object with properties admits
// unknown ones.
func openObjects(s *openapi3.Schema, where string, seen map[*openapi3.Schema]bool) []string {
	if s == nil || seen[s] {
		return nil
	}
	seen[s] = true
	var out []string
	if len(s.Properties) > 0 && (s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) {
		out = append(out, where)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, openObjects(s.Properties[name].Value, where+"."+name, seen)...)
	}
	if s.Items != nil {
		out = append(out, openObjects(s.Items.Value, where+"[]", seen)...)
	}
	if s.AdditionalProperties.Schema != nil {
		out = append(out, openObjects(s.AdditionalProperties.Schema.Value, where+"{}", seen)...)
	}
	for _, sub := range append(append(s.AllOf, s.AnyOf...), s.OneOf...) {
		out = append(out, openObjects(sub.Value, where, seen)...)
	}
	return out
}

// TestOpenAPIErrorCodes: every domain error code is in the Error schema's
// enum and every status statusOf maps to has a shared response.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	enum := map[string]bool{}
	for _, v := range doc.Components.Schemas["ErrorCode"].Value.Enum {
		enum[v.(string)] = true
	}
	for _, c := range []string{"not_implemented", "method_not_allowed"} {
		if !enum[c] {
			t.Errorf("error code %s is not in ErrorCode", c)
		}
	}
	shared := map[int]string{400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
		413: "TooLarge", 415: "UnsupportedMedia", 422: "Unprocessable", 429: "RateLimited", 500: "Internal", 503: "Unavailable"}
	for code, status := range statusOf {
		if !enum[code] {
			t.Errorf("error code %s is not in ErrorCode", code)
		}
		if name, ok := shared[status]; !ok || doc.Components.Responses[name] == nil {
			t.Errorf("no shared response for status %d (%s)", status, code)
		}
	}
	if !enum[stock.EInvalid] {
		t.Errorf("invalid is not in ErrorCode")
	}
}

// TestOpenAPIServed: GET /v1/openapi.json serves the document without a
// token, and the public probes answer as documented.
func TestOpenAPIServed(t *testing.T) {
	app := New(nil, Options{})
	for _, path := range []string{"/v1/openapi.json", "/healthz", "/readyz"} {
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if path == "/v1/openapi.json" && !bytes.Equal(b, OpenAPI) {
			t.Errorf("GET /v1/openapi.json does not serve the embedded document")
		}
		// The 4xx the document gives the public probes: a compressed body
		// (415) and a body larger than the path takes (413).
		req := httptest.NewRequest(http.MethodGet, path, strings.NewReader("x"))
		req.Header.Set("Content-Encoding", "gzip")
		if resp, err := app.Test(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("GET %s with a compressed body: %v %v", path, resp.StatusCode, err)
		}
		req = httptest.NewRequest(http.MethodGet, path, strings.NewReader(strings.Repeat("x", 9<<20)))
		if resp, err := app.Test(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("GET %s with a 9 MiB body: %v %v", path, resp.StatusCode, err)
		}
	}
	app = New(nil, Options{PublicURL: "http://10.0.0.7:8080"})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Servers []struct{ URL string } }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != "http://10.0.0.7:8080" {
		t.Errorf("served with a public address: %+v %v", doc.Servers, err)
	}
}

// TestOpenAPIFor: the served document names the configured public address
// as its server, and stays the same document otherwise.
func TestOpenAPIFor(t *testing.T) {
	b, err := OpenAPIFor("https://pandian.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Servers []struct{ URL string }
		Paths   map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://pandian.example.com" {
		t.Errorf("servers: %+v", doc.Servers)
	}
	var orig struct{ Paths map[string]any }
	if err := json.Unmarshal(OpenAPI, &orig); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != len(orig.Paths) {
		t.Errorf("%d paths, want %d", len(doc.Paths), len(orig.Paths))
	}
	if same, _ := OpenAPIFor(""); !bytes.Equal(same, OpenAPI) {
		t.Error("no public address: not the document as written")
	}
}

// TestOpenAPIExamples: every operation shows a client its main request and
// its answers: an example on each request body and on each 2xx JSON
// answer, and each JSON example is valid against its schema (the examples
// were taken from exchanges with a real server, then shortened).
func TestOpenAPIExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, op := range documentedOperations(doc) {
		if op.RequestBody != nil {
			for ct, mt := range op.RequestBody.Value.Content {
				checkExample(t, name+" request "+ct, ct, mt)
			}
		}
		for status, ref := range op.Responses.Map() {
			if !strings.HasPrefix(status, "2") || ref.Ref != "" {
				continue
			}
			for ct, mt := range ref.Value.Content {
				if strings.HasPrefix(ct, "application/json") {
					checkExample(t, name+" "+status+" "+ct, ct, mt)
				}
			}
		}
	}
}

func checkExample(t *testing.T, where, ct string, mt *openapi3.MediaType) {
	t.Helper()
	if mt.Example == nil && len(mt.Examples) == 0 {
		t.Errorf("%s: no example", where)
		return
	}
	if !strings.HasPrefix(ct, "application/json") || mt.Schema == nil {
		return
	}
	// Round-trip through JSON so that numbers are float64 as VisitJSON
	// expects.
	b, err := json.Marshal(mt.Example)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if err := mt.Schema.Value.VisitJSON(v); err != nil {
		t.Errorf("%s: the example does not match the schema: %s", where, shortErr(err))
	}
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
