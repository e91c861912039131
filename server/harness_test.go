package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"pandian/stock"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"pandian/fixtures"
	mobileapi "pandian/mobile-api"
	"pandian/storage/pgtest"
)

// The end-to-end tests run a real server (domain + SQL store + Fiber) on a
// loopback port and talk HTTP to it, once per database: SQLite in a temp
// dir, and PostgreSQL in a fresh database from storage/pgtest (on
// PANDIAN_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres,
// ICU "en-US" collation). Without a
// reachable PostgreSQL the PostgreSQL variants are skipped, except in CI
// (CI=true), where they fail.

// responseCheckers run on every exchange of a test server (the OpenAPI
// conformance check registers itself here).
var responseCheckers []func(t testing.TB, method, path string, reqHeader http.Header, reqBody []byte, resp *http.Response, respBody []byte)

func init() {
	// Tests log warnings and errors only.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// testServer is a running server and its client.
type testServer struct {
	URL    string
	DB     string // "sqlite" or "postgres"
	app    *app
	client *http.Client
	t      testing.TB
	mu     sync.Mutex
	tokens map[string]string
}

// waitUntil polls cond every 20 ms until it holds, and fails the test
// naming what it waited for when it still does not after timeout: the wait
// for a state, where a fixed sleep is too short on a busy machine and too
// long on an idle one.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// databases runs fn once per database as a subtest.
func databases(t *testing.T, fn func(t *testing.T, db string)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { fn(t, db) })
	}
}

// testConfig returns a configuration for a fresh database of kind db.
func testConfig(t testing.TB, db string) config {
	cfg := config{DataDir: t.TempDir(), AdminCode: "ADMIN", AdminPIN: "900001", PINCost: 4, TokenTTL: time.Hour, Jobs: true}
	if db == "postgres" {
		cfg.DatabaseURL = pgtest.Fresh(t)
	}
	return cfg
}

// startServer wires a server on db, loads the demo data set and listens on
// a loopback port until the test ends.
func startServer(t testing.TB, db string) *testServer {
	t.Helper()
	return startServerWith(t, testConfig(t, db))
}

// startServerWith is startServer with a given configuration.
func startServerWith(t testing.TB, cfg config) *testServer {
	t.Helper()
	s := serveTest(t, cfg, true, nil)
	s.client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	return s
}

// serveTest wires a server on cfg's database, loads the demo data set,
// runs the job runners when jobs is set, applies opts to the API's options
// and listens on a loopback port until the test ends.
func serveTest(t testing.TB, cfg config, jobs bool, opts func(*mobileapi.Options)) *testServer {
	t.Helper()
	return serveTestApp(t, cfg, jobs, func(_ *app, o *mobileapi.Options) {
		if opts != nil {
			opts(o)
		}
	})
}

// serveTestApp is serveTest with options that may use the wired app.
func serveTestApp(t testing.TB, cfg config, jobs bool, opts func(*app, *mobileapi.Options)) *testServer {
	t.Helper()
	db := "sqlite"
	if cfg.DatabaseURL != "" {
		db = "postgres"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := wire(ctx, "serve", cfg)
	if err != nil {
		cancel()
		t.Fatalf("wire: %v", err)
	}
	if _, err := seedDemo(ctx, a.svc, false); err != nil {
		cancel()
		t.Fatalf("seed: %v", err)
	}
	o := a.apiOptions(cfg)
	if opts != nil {
		opts(a, &o)
	}
	api := mobileapi.New(a.svc, o)
	go api.Listener(ln)
	if jobs {
		cfg.JobPoll = 50 * time.Millisecond
		a.runJobs(ctx, cfg)
	}
	t.Cleanup(func() {
		cancel()
		api.ShutdownWithTimeout(5 * time.Second)
		a.close()
	})
	return &testServer{URL: "http://" + ln.Addr().String(), DB: db, app: a, t: t, tokens: map[string]string{}}
}

// demoPINs are the PINs of the demo employees used by the tests (from
// fixtures/employees.csv) and of the bootstrap admin.
var demoPINs = map[string]string{}

func pinOf(t testing.TB, code string) string {
	if code == "ADMIN" {
		return "900001"
	}
	if len(demoPINs) == 0 {
		for _, e := range demoEmployees(t) {
			demoPINs[e.code] = e.pin
		}
	}
	p, ok := demoPINs[code]
	if !ok {
		t.Fatalf("no demo employee %s", code)
	}
	return p
}

// token signs in as code (once per server) and returns the bearer token.
func (s *testServer) token(code string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := s.tokens[code]; ok {
		return tok
	}
	var res struct{ Token string }
	s.mustJSON("POST", "/v1/auth/token", "", map[string]string{"employee_code": code, "pin": pinOf(s.t, code), "device_id": "test-" + code}, 200, &res)
	s.tokens[code] = res.Token
	return res.Token
}

// raw sends a request with a raw body and content type; as is an employee
// code ("" = no token).
func (s *testServer) raw(method, path, as, contentType string, body []byte) (*http.Response, []byte) {
	s.t.Helper()
	tok := ""
	if as != "" {
		tok = s.token(as)
	}
	return s.rawToken(method, path, tok, contentType, body)
}

func (s *testServer) rawToken(method, path, tok, contentType string, body []byte) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	for _, check := range responseCheckers {
		check(s.t, method, path, req.Header, body, resp, b)
	}
	return resp, b
}

// do sends v as JSON (nil = no body) as employee as.
func (s *testServer) do(method, path, as string, v any) (*http.Response, []byte) {
	s.t.Helper()
	var body []byte
	ct := ""
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			s.t.Fatal(err)
		}
		ct = "application/json"
	}
	return s.raw(method, path, as, ct, body)
}

// mustJSON sends v and decodes the answer into out, failing unless the
// status is want.
func (s *testServer) mustJSON(method, path, as string, v any, want int, out any) {
	s.t.Helper()
	var resp *http.Response
	var b []byte
	if as == "" {
		body, _ := json.Marshal(v)
		resp, b = s.rawToken(method, path, "", "application/json", body)
	} else {
		resp, b = s.do(method, path, as, v)
	}
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, as, resp.StatusCode, want, truncate(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: decode: %v: %s", method, path, err, truncate(b))
		}
	}
}

// errorCode returns the contract error code of an answer.
func errorCode(t testing.TB, b []byte) string {
	var e struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.Details == nil {
		t.Fatalf("not an error in the contract's shape: %s", truncate(b))
	}
	return e.Error.Code
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

type demoEmployee struct{ code, role, scope, pin string }

// demoEmployees reads the demo employees from the fixtures.
func demoEmployees(t testing.TB) []demoEmployee {
	rows := readCSV(t, fixtures.Employees())
	var out []demoEmployee
	for _, r := range rows[1:] {
		out = append(out, demoEmployee{code: r[0], role: r[2], scope: r[3], pin: r[4]})
	}
	return out
}

// employeeWith returns a demo employee of role whose scope is exactly scope.
func employeeWith(t testing.TB, role, scope string) string {
	for _, e := range demoEmployees(t) {
		if e.role == role && e.scope == scope {
			return e.code
		}
	}
	t.Fatalf("no demo %s with scope %q", role, scope)
	return ""
}

func readCSV(t testing.TB, data []byte) [][]string {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// approved is the API's answer to an approval: the count view and what
// was posted.
type approved struct {
	stock.CountView
	Approval struct {
		PostedLines     int         `json:"posted_lines"`
		PostedValue     stock.Money `json:"posted_value"`
		RecountRequired []string    `json:"recount_required"`
	} `json:"approval"`
}
