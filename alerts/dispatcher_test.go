package alerts_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

func init() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// openStore opens (and migrates) a SQLite store at path.
func openStore(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func putRule(t *testing.T, s alerts.Store, r alerts.Rule) {
	t.Helper()
	now := time.Now().UTC()
	if r.Created.IsZero() {
		r.Created, r.Updated = now, now
	}
	if _, err := s.PutAlertRule(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// enqueue puts one alert for the rule's targets into the outbox.
func enqueue(t *testing.T, s alerts.Store, r alerts.Rule, subject string) []alerts.Delivery {
	t.Helper()
	now := time.Now().UTC()
	var ds []alerts.Delivery
	for _, tg := range r.Targets {
		ds = append(ds, alerts.Delivery{ID: alerts.NewID("dl_"), DedupKey: r.ID + "|" + subject + "|" + tg.ID, RuleID: r.ID, TargetID: tg.ID, TargetKind: tg.Kind,
			Subject: subject, Status: alerts.StatusPending, NextAt: now, Created: now, Updated: now,
			Alert: alerts.Alert{RuleID: r.ID, RuleName: r.Name, Kind: r.Kind, Subject: subject, Title: "盤點差異金額超標 Count variance over limit",
				Markdown: "### 盤點差異金額超標 / Count variance over limit\n\n- **差異金額 Variance value**: HKD 812.50\n", Text: "HKD 812.50", Value: "812.50", Currency: "HKD", Threshold: "500.00"}})
	}
	if n, err := s.EnqueueAlertDeliveries(context.Background(), ds); err != nil || n != len(ds) {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	return ds
}

// receiver is a webhook endpoint that answers with the codes of answers in
// turn (the last one from then on) and records what it got.
type receiver struct {
	t       *testing.T
	secret  string
	mu      sync.Mutex
	answers []int
	got     []request
	srv     *httptest.Server
}

type request struct {
	at       time.Time
	delivery string
	body     []byte
	query    neturl.Values
	verified error
}

func newReceiver(t *testing.T, secret string, answers ...int) *receiver {
	rc := &receiver{t: t, secret: secret, answers: answers}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, request{at: time.Now(), delivery: r.Header.Get(alerts.HeaderDelivery), body: body, query: r.URL.Query(),
			verified: alerts.Verify(rc.secret, r.Header, body, time.Now(), time.Minute)})
		code := rc.answers[min(n, len(rc.answers)-1)]
		rc.mu.Unlock()
		w.WriteHeader(code)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.got...)
}

func genericRule(id, url, secret string) alerts.Rule {
	return alerts.Rule{ID: id, Name: "大額差異 big variance", Kind: alerts.KindCountVarianceValue, Threshold: "500.00", Enabled: true,
		Targets: []alerts.Target{{ID: "hook", Kind: alerts.TargetGeneric, URL: url, Secret: secret}}}
}

// loopbackAllowed lets the tests' receivers on 127.0.0.1 be reached, as
// an operator's PANDIAN_WEBHOOK_ALLOW_CIDRS=127.0.0.0/8 would.
func loopbackAllowed() *alerts.AddressPolicy {
	return &alerts.AddressPolicy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
}

// testDispatcher is a dispatcher with short delays that may reach the
// tests' receivers on loopback.
func testDispatcher(s alerts.Store, base time.Duration) *alerts.Dispatcher {
	d := alerts.NewDispatcher(s)
	d.BaseDelay, d.MaxDelay, d.Poll = base, 10*base, 5*time.Millisecond
	d.Client.Timeout = 2 * time.Second
	d.Policy = loopbackAllowed()
	return d
}

// testService is the admin API, allowing loopback targets.
func testService(store alerts.Store, svc *stock.Service) *alerts.Service {
	s := alerts.NewService(store, svc)
	s.Policy = loopbackAllowed()
	return s
}

// waitStatus waits until the delivery reaches status.
func waitStatus(t *testing.T, s alerts.Store, id string, status alerts.Status) alerts.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.AlertDelivery(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s is %s (%s), want %s", id, d.Status, d.LastError, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A receiver failing twice with 500 gets the alert on the third attempt:
// one success, three attempts logged, growing waits between them; after a
// restart nothing is sent again.
func TestDispatchRetryThenDeliverAndRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pandian.db")
	s := openStore(t, path)
	rc := newReceiver(t, "whsec_test", 500, 500, 200)
	r := genericRule("big", rc.srv.URL+"/hook", "whsec_test")
	putRule(t, s, r)
	ds := enqueue(t, s, r, "count:C1")

	base := 80 * time.Millisecond
	d := testDispatcher(s, base)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	del := waitStatus(t, s, ds[0].ID, alerts.StatusDelivered)
	cancel()
	<-done

	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(got))
	}
	for i, q := range got {
		if q.delivery != ds[0].ID || q.verified != nil {
			t.Errorf("request %d: delivery %q, signature %v", i, q.delivery, q.verified)
		}
	}
	var a alerts.Alert
	if err := json.Unmarshal(got[2].body, &a); err != nil || a.DeliveryID != ds[0].ID || a.Value != "812.50" || a.Currency != "HKD" {
		t.Fatalf("body %s: %v", got[2].body, err)
	}
	// Back-off: base×[0.5,1] then 2·base×[0.5,1].
	gap1, gap2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at)
	t.Logf("gaps between attempts: %v, %v (base %v)", gap1, gap2, base)
	if gap1 < base/2 || gap2 < base || gap1 > 2*base+time.Second {
		t.Errorf("gaps %v, %v do not follow the back-off from %v", gap1, gap2, base)
	}
	if del.Attempts != 3 || del.LastStatus != 200 {
		t.Errorf("delivery %+v", del)
	}
	atts, err := s.AlertAttempts(context.Background(), ds[0].ID)
	if err != nil || len(atts) != 3 {
		t.Fatalf("attempts %+v %v", atts, err)
	}
	for i, want := range []struct {
		code    int
		outcome alerts.Status
	}{{500, alerts.StatusPending}, {500, alerts.StatusPending}, {200, alerts.StatusDelivered}} {
		if atts[i].StatusCode != want.code || atts[i].Outcome != want.outcome || atts[i].Attempt != i+1 || atts[i].Duration <= 0 || atts[i].At.IsZero() {
			t.Errorf("attempt %d: %+v", i, atts[i])
		}
	}
	if atts[0].Error == "" {
		t.Errorf("a failed attempt has no error")
	}

	// Restart: a new process (new store handle, new dispatcher) sends nothing.
	s.Close()
	s2 := openStore(t, path)
	d2 := testDispatcher(s2, base)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	d2.Run(ctx2)
	if n, err := d2.RunOnce(context.Background()); err != nil || n != 0 {
		t.Fatalf("after restart RunOnce attempted %d (%v)", n, err)
	}
	if got := rc.requests(); len(got) != 3 {
		t.Fatalf("after restart the receiver got %d requests, want 3", len(got))
	}
}

// 4xx other than 429 fail at once; 429 and 5xx are retried up to
// MaxAttempts; network errors are retried.
func TestDispatchFailures(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	gone := newReceiver(t, "k", 404)
	busy := newReceiver(t, "k", 429, 503)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	r := alerts.Rule{ID: "r", Name: "r", Kind: alerts.KindCountOpenHours, Threshold: "8", Enabled: true, Targets: []alerts.Target{
		{ID: "gone", Kind: alerts.TargetGeneric, URL: gone.srv.URL, Secret: "k"},
		{ID: "busy", Kind: alerts.TargetSlack, URL: busy.srv.URL},
		{ID: "down", Kind: alerts.TargetGeneric, URL: closedURL + "/hook?token=secret", Secret: "k"},
	}}
	putRule(t, s, r)
	ds := enqueue(t, s, r, "count:C9")
	d := testDispatcher(s, 10*time.Millisecond)
	d.MaxAttempts = 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	for _, del := range ds {
		waitStatus(t, s, del.ID, alerts.StatusFailed)
	}
	if n := len(gone.requests()); n != 1 {
		t.Errorf("404 endpoint got %d requests, want 1", n)
	}
	if n := len(busy.requests()); n != 3 {
		t.Errorf("429/503 endpoint got %d requests, want 3", n)
	}
	var slack map[string]string
	if err := json.Unmarshal(busy.requests()[0].body, &slack); err != nil || slack["text"] != "HKD 812.50" {
		t.Errorf("slack body %s", busy.requests()[0].body)
	}
	atts, _ := s.AlertAttempts(context.Background(), ds[2].ID)
	if len(atts) != 3 || atts[0].StatusCode != 0 || atts[0].Error == "" {
		t.Fatalf("network attempts %+v", atts)
	}
	for _, a := range atts {
		if strings.Contains(a.Error, "token=secret") {
			t.Errorf("error leaks the URL: %s", a.Error)
		}
	}
}

// DingTalk: signed URL, markdown body; a 200 with errcode ≠ 0 is a failure.
func TestDispatchDingTalk(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	type got struct {
		query neturl.Values
		body  map[string]any
	}
	var mu sync.Mutex
	var reqs []got
	errcode := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		reqs = append(reqs, got{r.URL.Query(), b})
		code := errcode
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": "sign not match"})
	}))
	defer srv.Close()
	r := alerts.Rule{ID: "dt", Name: "dt", Kind: alerts.KindCountVarianceValue, Threshold: "500.00", Enabled: true, Targets: []alerts.Target{
		{ID: "robot", Kind: alerts.TargetDingTalk, URL: srv.URL + "/robot/send?access_token=tok", Secret: "SECabc"}}}
	putRule(t, s, r)
	d := testDispatcher(s, 10*time.Millisecond)

	ok := enqueue(t, s, r, "count:OK")
	if n, err := d.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("RunOnce %d %v", n, err)
	}
	waitStatus(t, s, ok[0].ID, alerts.StatusDelivered)
	mu.Lock()
	q, b := reqs[0].query, reqs[0].body
	errcode = 310000
	mu.Unlock()
	ts := q.Get("timestamp")
	ms, _ := strconv.ParseInt(ts, 10, 64)
	if q.Get("access_token") != "tok" || q.Get("sign") != alerts.DingTalkSign("SECabc", ms) || time.Since(time.UnixMilli(ms)) > time.Minute {
		t.Errorf("query %v", q)
	}
	md, _ := b["markdown"].(map[string]any)
	if b["msgtype"] != "markdown" || md["title"] != "盤點差異金額超標 Count variance over limit" || md["text"] == "" {
		t.Errorf("body %v", b)
	}

	bad := enqueue(t, s, r, "count:BAD")
	d.RunOnce(context.Background())
	del := waitStatus(t, s, bad[0].ID, alerts.StatusFailed)
	if del.Attempts != 1 || !strings.Contains(del.LastError, "310000") {
		t.Errorf("delivery %+v", del)
	}
}

// A hanging endpoint holds only its own slot: the others are delivered
// while it times out.
func TestDispatchSlowEndpointDoesNotBlock(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	fast := newReceiver(t, "k", 200)
	slowRule := genericRule("slow", slow.URL, "k")
	putRule(t, s, slowRule)
	fastRule := genericRule("fast", fast.srv.URL, "k")
	putRule(t, s, fastRule)
	slowDs := enqueue(t, s, slowRule, "count:S")
	time.Sleep(2 * time.Millisecond)
	var fastDs []alerts.Delivery
	for _, subj := range []string{"count:F1", "count:F2", "count:F3"} {
		fastDs = append(fastDs, enqueue(t, s, fastRule, subj)...)
	}
	d := testDispatcher(s, time.Second)
	d.Concurrency = 2
	d.Client.Timeout = 3 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	start := time.Now()
	for _, del := range fastDs {
		waitStatus(t, s, del.ID, alerts.StatusDelivered)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("fast deliveries took %v behind a hanging endpoint", el)
	}
	if d, _ := s.AlertDelivery(context.Background(), slowDs[0].ID); d.Status != alerts.StatusPending {
		t.Errorf("slow delivery is %s", d.Status)
	}
}

// Deleting or disabling a rule cancels its pending deliveries.
func TestDispatchCancelled(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	rc := newReceiver(t, "k", 200)
	r := genericRule("gone", rc.srv.URL, "k")
	putRule(t, s, r)
	ds := enqueue(t, s, r, "count:C1")
	if err := s.DeleteAlertRule(context.Background(), "gone"); err != nil {
		t.Fatal(err)
	}
	d := testDispatcher(s, 10*time.Millisecond)
	d.RunOnce(context.Background())
	del := waitStatus(t, s, ds[0].ID, alerts.StatusCancelled)
	if len(rc.requests()) != 0 || del.LastError == "" {
		t.Fatalf("delivery %+v, %d requests", del, len(rc.requests()))
	}
	// An admin retries it once the rule is back.
	putRule(t, s, r)
	svc := testService(s, nil)
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	if _, err := svc.Retry(context.Background(), admin, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	d.RunOnce(context.Background())
	waitStatus(t, s, ds[0].ID, alerts.StatusDelivered)
	if len(rc.requests()) != 1 {
		t.Fatalf("%d requests", len(rc.requests()))
	}
}

// An admin's test message reaches the target.
func TestRuleTestMessage(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	rc := newReceiver(t, "k", 200)
	putRule(t, s, genericRule("big", rc.srv.URL, "k"))
	svc := testService(s, nil)
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	ds, err := svc.Test(context.Background(), admin, "big")
	if err != nil || len(ds) != 1 {
		t.Fatalf("test: %+v %v", ds, err)
	}
	testDispatcher(s, 10*time.Millisecond).RunOnce(context.Background())
	waitStatus(t, s, ds[0].ID, alerts.StatusDelivered)
	var a alerts.Alert
	if got := rc.requests(); len(got) != 1 || json.Unmarshal(got[0].body, &a) != nil || !a.Test || !strings.Contains(a.Markdown, "Test message") {
		t.Fatalf("got %+v", a)
	}
}
