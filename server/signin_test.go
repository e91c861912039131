package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mobileapi "pandian/mobile-api"
	"pandian/stock"
)

// signInAnswer is what a sign-in attempt got back.
type signInAnswer struct {
	Status     int
	RetryAfter string
	Code       string
	Message    string
	Details    map[string]any
}

// signInAt posts one sign-in to baseURL; safe for concurrent use (no
// t.Fatal).
func signInAt(client *http.Client, baseURL, code, pin, device string) (signInAnswer, error) {
	body, _ := json.Marshal(map[string]string{"employee_code": code, "pin": pin, "device_id": device})
	resp, err := client.Post(baseURL+"/v1/auth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		return signInAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return signInAnswer{}, err
	}
	a := signInAnswer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	if resp.StatusCode != 200 {
		var e struct {
			Error struct {
				Code    string         `json:"code"`
				Message string         `json:"message"`
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" {
			return a, fmt.Errorf("status %d, not an error in the contract's shape: %s", resp.StatusCode, b)
		}
		a.Code, a.Message, a.Details = e.Error.Code, e.Error.Message, e.Error.Details
	}
	return a, nil
}

// signIn is signInAt on s, failing the test on a transport error.
func (s *testServer) signIn(code, pin, device string) signInAnswer {
	s.t.Helper()
	a, err := signInAt(s.client, s.URL, code, pin, device)
	if err != nil {
		s.t.Fatalf("sign in %s from %s: %v", code, device, err)
	}
	return a
}

// startReplica starts a second server on the database of cfg (another
// replica: its own connections, its own domain service), without seeding.
func startReplica(t testing.TB, cfg config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := wire(ctx, "serve", cfg)
	if err != nil {
		cancel()
		t.Fatalf("wire replica: %v", err)
	}
	api := mobileapi.New(a.svc, a.apiOptions(cfg))
	go api.Listener(ln)
	t.Cleanup(func() {
		cancel()
		api.ShutdownWithTimeout(5 * time.Second)
		a.close()
	})
	db := "sqlite"
	if cfg.DatabaseURL != "" {
		db = "postgres"
	}
	return &testServer{URL: "http://" + ln.Addr().String(), DB: db, app: a, t: t, tokens: map[string]string{},
		client: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
}

// TestSignInConcurrentGuesses: 39 wrong PINs at once for one employee from
// one device, split over two replicas on the same database: at most 5 PINs
// are ever checked, every other attempt is refused with 429 and Retry-After
// before its PIN is looked at. Then the right PIN, sent once all 39 are
// answered, is refused too: the device is locked. Before the fix every PIN
// was checked (39 × 401). (The right PIN used to go with the burst, 20 ms
// late; on a loaded machine it could be counted among the first five, and
// its success rightly cleared the device's window for the wrong PINs still
// queued, so the test failed without any hole.)
func TestSignInConcurrentGuesses(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		cfg := testConfig(t, db)
		s1 := startServerWith(t, cfg)
		s2 := startReplica(t, cfg)
		code := employeeWith(t, "counter", "HK-MK")
		before := s1.app.svc.PINChecks() + s2.app.svc.PINChecks()
		answers := make([]signInAnswer, 39)
		errs := make([]error, 39)
		var wg, ready sync.WaitGroup
		start := make(chan struct{})
		for i := range answers {
			wg.Add(1)
			ready.Add(1)
			s := []*testServer{s1, s2}[i%2]
			go func(i int) {
				defer wg.Done()
				ready.Done()
				<-start
				answers[i], errs[i] = signInAt(s.client, s.URL, code, "000000", "tc52-7")
			}(i)
		}
		ready.Wait()
		close(start)
		wg.Wait()
		checked := s1.app.svc.PINChecks() + s2.app.svc.PINChecks() - before
		byStatus := map[int]int{}
		for i, a := range answers {
			if errs[i] != nil {
				t.Fatalf("attempt %d: %v", i, errs[i])
			}
			byStatus[a.Status]++
			if a.Status == 429 && (a.Code != "rate_limited" || a.RetryAfter == "" || a.RetryAfter == "0") {
				t.Errorf("attempt %d: 429 without rate_limited and Retry-After: %+v", i, a)
			}
		}
		t.Logf("%s: answers by status %v, PINs checked %d", db, byStatus, checked)
		if byStatus[401] > 5 || byStatus[429] < 34 || len(byStatus) > 2 {
			t.Fatalf("39 concurrent wrong PINs: answers by status %v; want at most 5 checked (401), the rest 429", byStatus)
		}
		// The fifth checked attempt answers 429 (it locks).
		if checked > 5 || checked < int64(byStatus[401]) {
			t.Fatalf("%d PINs checked for %d answers 401; want at most 5", checked, byStatus[401])
		}
		last, err := signInAt(s2.client, s2.URL, code, pinOf(t, code), "tc52-7")
		if err != nil {
			t.Fatal(err)
		}
		if last.Status != 429 {
			t.Errorf("the right PIN after 39 wrong ones: %+v, want 429", last)
		}
		if n := s1.app.svc.PINChecks() + s2.app.svc.PINChecks() - before; n != checked {
			t.Errorf("the right PIN on a locked device was checked (%d PIN checks, %d before it)", n, checked)
		}
	})
}

// TestSignInThrottleSources: failures from one device lock that device,
// not a device that signed in before; sources that never signed in share a
// window of twice the limit (varying the device ID buys no more guesses);
// an admin unlocks (others may not); every lock and unlock is audited.
func TestSignInThrottleSources(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		code := employeeWith(t, "counter", "HK-MK")
		pin := pinOf(t, code)
		if a := s.signIn(code, pin, "phone"); a.Status != 200 {
			t.Fatalf("first sign-in from the phone: %+v", a)
		}
		// The attacker's device: 4 × 401 with attempts_left, then 429.
		for i := 1; i <= 4; i++ {
			a := s.signIn(code, "000000", "evil-1")
			if a.Status != 401 || a.Details["attempts_left"] != float64(5-i) {
				t.Fatalf("wrong PIN %d from evil-1: %+v", i, a)
			}
		}
		if a := s.signIn(code, "000000", "evil-1"); a.Status != 429 || a.RetryAfter != "60" || a.Details["retry_after_seconds"] != float64(60) {
			t.Fatalf("fifth wrong PIN from evil-1: %+v", a)
		}
		if a := s.signIn(code, pin, "evil-1"); a.Status != 429 {
			t.Fatalf("right PIN from the locked device: %+v", a)
		}
		// The phone is not locked out by it.
		if a := s.signIn(code, pin, "phone"); a.Status != 200 {
			t.Fatalf("the phone after another device's lock-out: %+v", a)
		}
		// Another new device shares the window of unknown sources (10):
		// 5 used, so 4 more wrong PINs, and the fifth locks them all.
		for i := 1; i <= 4; i++ {
			if a := s.signIn(code, "000000", "evil-2"); a.Status != 401 || a.Details["attempts_left"] != float64(5-i) {
				t.Fatalf("wrong PIN %d from evil-2: %+v", i, a)
			}
		}
		if a := s.signIn(code, "000000", "evil-2"); a.Status != 429 {
			t.Fatalf("tenth wrong PIN from unknown devices: %+v", a)
		}
		if a := s.signIn(code, pin, "new-tablet"); a.Status != 429 || a.Code != "rate_limited" {
			t.Fatalf("a new device while unknown devices are locked: %+v", a)
		}
		if a := s.signIn(code, pin, "phone"); a.Status != 200 {
			t.Fatalf("the phone while unknown devices are locked: %+v", a)
		}
		// An admin is not locked out of the API by wrong PINs from elsewhere.
		for i := 0; i < 5; i++ {
			s.signIn("ADMIN", "000000", "evil-1")
		}
		s.token("ADMIN")

		// Unlock: admin only; unknown employee 404.
		for _, as := range []string{employeeWith(t, "counter", "HK-TST"), employeeWith(t, "store_manager", "HK-MK")} {
			if resp, b := s.do("POST", "/v1/employees/"+code+"/unlock", as, nil); resp.StatusCode != 403 {
				t.Fatalf("unlock as %s: %d %s", as, resp.StatusCode, b)
			}
		}
		if resp, b := s.do("POST", "/v1/employees/NOBODY/unlock", "ADMIN", nil); resp.StatusCode != 404 {
			t.Fatalf("unlock of an unknown employee: %d %s", resp.StatusCode, b)
		}
		var res struct {
			Employee string `json:"employee_code"`
			Locked   int    `json:"locked_sources"`
		}
		s.mustJSON("POST", "/v1/employees/"+code+"/unlock", "ADMIN", nil, 200, &res)
		if res.Employee != code || res.Locked != 3 {
			t.Fatalf("unlock: %+v, want 3 locked sources (evil-1, evil-2, unknown devices)", res)
		}
		if a := s.signIn(code, pin, "new-tablet"); a.Status != 200 {
			t.Fatalf("a new device after the unlock: %+v", a)
		}
		if a := s.signIn(code, "000000", "evil-1"); a.Status != 401 || a.Details["attempts_left"] != float64(4) {
			t.Fatalf("evil-1 after the unlock: %+v", a)
		}

		var audit struct {
			Entries []struct {
				Actor   string         `json:"actor"`
				Action  string         `json:"action"`
				Details map[string]any `json:"details"`
			} `json:"entries"`
		}
		s.mustJSON("GET", "/v1/audit?entity=employee:"+code, "ADMIN", nil, 200, &audit)
		var got []string
		for _, e := range audit.Entries {
			switch e.Action {
			case "signin.lock":
				got = append(got, e.Action+" "+fmt.Sprint(e.Details["source"]))
			case "employee.unlock":
				got = append(got, e.Action+" "+e.Actor+" "+fmt.Sprint(e.Details["locked_sources"]))
			}
		}
		sort.Strings(got)
		want := []string{"employee.unlock ADMIN 3", "signin.lock *", "signin.lock device:evil-1", "signin.lock device:evil-2"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("audit of locks and unlock: %q, want %q", got, want)
		}
	})
}

// TestSignInGrowingLocks: each further lock of a source lasts twice as
// long as the one before (1 s, 2 s, 4 s here).
func TestSignInGrowingLocks(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.SignInLock, cfg.SignInLockMax = time.Second, 4*time.Second
	s := startServerWith(t, cfg)
	// The domain's clock, moved on by the test instead of waiting.
	var ahead atomic.Int64
	s.app.svc.Now = func() time.Time { return stock.Now().Add(time.Duration(ahead.Load())) }
	code := employeeWith(t, "counter", "HK-MK")
	s.signIn(code, pinOf(t, code), "phone") // trusted: throttled on its own
	for _, want := range []string{"1", "2", "4"} {
		var a signInAnswer
		for i := 0; i < 5; i++ {
			a = s.signIn(code, "000000", "phone")
		}
		if a.Status != 429 || a.RetryAfter != want {
			t.Fatalf("lock: %+v, want Retry-After %s", a, want)
		}
		d, _ := time.ParseDuration(want + "s")
		ahead.Add(int64(d + 100*time.Millisecond))
	}
	// A success starts again from the first.
	if a := s.signIn(code, pinOf(t, code), "phone"); a.Status != 200 {
		t.Fatalf("after the locks: %+v", a)
	}
	var a signInAnswer
	for i := 0; i < 5; i++ {
		a = s.signIn(code, "000000", "phone")
	}
	if a.Status != 429 || a.RetryAfter != "1" {
		t.Fatalf("lock after a success: %+v, want Retry-After 1", a)
	}
}

// TestSignInUnknownCodes: an unknown employee code answers exactly like a
// real one with a wrong PIN (status, message, attempts_left, lock-out,
// Retry-After), the real one then refused even with its right PIN.
func TestSignInUnknownCodes(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		real := employeeWith(t, "counter", "HK-MK")
		for i := 1; i <= 6; i++ {
			pin := "000000"
			if i == 6 {
				pin = pinOf(t, real)
			}
			r := s.signIn(real, pin, "probe")
			u := s.signIn("NOBODY", pin, "probe")
			if fmt.Sprintf("%+v", r) != fmt.Sprintf("%+v", u) {
				t.Fatalf("attempt %d: real code %+v, unknown code %+v", i, r, u)
			}
			want := 401
			if i >= 5 {
				want = 429
			}
			if r.Status != want {
				t.Fatalf("attempt %d: %+v, want %d", i, r, want)
			}
		}
	})
}

// TestSignInUnknownCodeTiming: with the production bcrypt cost (10), a
// wrong PIN for an unknown code takes as long as one for a real code
// (before: the decoy hash had bcrypt's minimum cost, 4: ~60× faster).
// Medians of interleaved attempts, from new devices (no lock).
func TestSignInUnknownCodeTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("bcrypt at cost 10")
	}
	cfg := testConfig(t, "sqlite")
	cfg.PINCost = 10
	s := startServerWith(t, cfg)
	var reals []string
	for _, e := range demoEmployees(t) {
		if len(reals) < 4 {
			reals = append(reals, e.code)
		}
	}
	s.signIn("WARMUP", "000000", "warm") // the decoy hash is made once
	var realT, unknownT []time.Duration
	for round := 0; round < 3; round++ {
		for i, code := range reals {
			dev := fmt.Sprintf("t-%d-%d", round, i)
			t0 := time.Now()
			r := s.signIn(code, "000000", dev)
			realT = append(realT, time.Since(t0))
			t0 = time.Now()
			u := s.signIn(fmt.Sprintf("NOBODY%d", i), "000000", dev)
			unknownT = append(unknownT, time.Since(t0))
			if r.Status != 401 || u.Status != 401 {
				t.Fatalf("real %+v, unknown %+v", r, u)
			}
		}
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	rm, um := median(realT), median(unknownT)
	t.Logf("median wrong-PIN answer: real code %v, unknown code %v (wall time, shared machine)", rm, um)
	if um*2 < rm || rm*2 < um {
		t.Fatalf("unknown codes answer in %v, real codes in %v: the time tells them apart", um, rm)
	}
}
