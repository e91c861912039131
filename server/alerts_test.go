package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/alerts"
)

// received is one request a test webhook receiver got.
type received struct {
	at     time.Time
	header http.Header
	query  url.Values
	path   string
	body   []byte
}

// receiver is a webhook endpoint: it records what it gets and answers
// with the scripted status codes, then with 200 and body.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []received
	codes []int         // the next answers' status codes (then 200)
	body  string        // the body of a 200
	hang  chan struct{} // non-nil: hold every request until closed (or the client gives up)
	got   chan struct{} // signalled on each request
}

func newReceiver(t *testing.T, body string, codes ...int) *receiver {
	r := &receiver{body: body, codes: codes, got: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{at: time.Now(), header: req.Header.Clone(), query: req.URL.Query(), path: req.URL.Path, body: b})
		code := 200
		if len(r.codes) > 0 {
			code, r.codes = r.codes[0], r.codes[1:]
		}
		hang := r.hang
		r.mu.Unlock()
		select {
		case r.got <- struct{}{}:
		default:
		}
		if hang != nil {
			select {
			case <-hang:
			case <-req.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		if code == 200 {
			io.WriteString(w, r.body)
		} else {
			fmt.Fprintf(w, `{"error":"scripted %d"}`, code)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func (r *receiver) script(codes ...int) {
	r.mu.Lock()
	r.codes = codes
	r.mu.Unlock()
}

// waitRequests waits until r got n requests.
func (r *receiver) waitRequests(t *testing.T, n int, within time.Duration) []received {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if got := r.requests(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d requests in %s, want %d", len(r.requests()), within, n)
		}
		select {
		case <-r.got:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitDelivery polls GET /v1/alert-deliveries/{id} until the delivery is
// in status want.
func (s *testServer) waitDelivery(t *testing.T, id string, want alerts.Status, within time.Duration) alerts.DeliveryView {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var v alerts.DeliveryView
		s.mustJSON("GET", "/v1/alert-deliveries/"+id, "ADMIN", nil, 200, &v)
		if v.Status == want {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s is %s after %s, want %s: %+v", id, v.Status, within, want, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAlertsEndToEnd runs the alerts in a real server: rules over the
// API with their roles, a count whose variance fires a signed generic
// webhook and a signed DingTalk message once each, retries with their
// log, a manual retry of a failed delivery, secrets that are never read
// back, and a hanging receiver that does not hold up counting.
func TestAlertsEndToEnd(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		const (
			webhookSecret = "whsec-4f1d9a7c3e"
			dingSecret    = "SECd1ngd0ngs1gn"
			dingToken     = "ACCESSTOKEN0123456789"
			flakySecret   = "flaky-secret-77"
			permSecret    = "perm-secret-88"
			hangSecret    = "hang-secret-99"
		)
		secrets := []string{webhookSecret, dingSecret, dingToken, flakySecret, permSecret, hangSecret}
		hook := newReceiver(t, `{"ok":true}`)
		ding := newReceiver(t, `{"errcode":0,"errmsg":"ok"}`)
		flaky := newReceiver(t, `{"ok":true}`, 500, 500)
		perm := newReceiver(t, `{"ok":true}`, 400)
		hang := newReceiver(t, `{"ok":true}`)
		hang.hang = make(chan struct{})

		// The receivers listen on loopback, which webhooks may reach only
		// when the operator allows it. Short evaluation, polling and back-off.
		cfg := testConfig(t, db)
		cfg.WebhookAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		cfg.AlertEvery, cfg.AlertPoll, cfg.AlertBaseDelay = 200*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond
		s := startServerWith(t, cfg)
		var release sync.Once
		releaseHang := func() { release.Do(func() { close(hang.hang) }) }
		t.Cleanup(releaseHang) // before the server and receivers stop
		manager := employeeWith(t, "store_manager", "HK-TST")
		counter := employeeWith(t, "counter", "HK-TST")
		auditor := employeeWith(t, "auditor", "")

		// noSecrets fails when an answer holds a secret.
		noSecrets := func(what string, b []byte) {
			t.Helper()
			for _, sec := range secrets {
				if strings.Contains(string(b), sec) {
					t.Errorf("%s reveals a secret (%s): %s", what, sec, truncate(b))
				}
			}
		}
		get := func(path, as string, want int, out any) {
			t.Helper()
			resp, b := s.do("GET", path, as, nil)
			if resp.StatusCode != want {
				t.Fatalf("GET %s as %s: %d, want %d: %s", path, as, resp.StatusCode, want, truncate(b))
			}
			noSecrets("GET "+path, b)
			if out != nil {
				mustUnmarshal(t, b, out)
			}
		}
		put := func(id string, body map[string]any, want int) alerts.RuleView {
			t.Helper()
			resp, b := s.do("PUT", "/v1/alert-rules/"+id, "ADMIN", body)
			if resp.StatusCode != want {
				t.Fatalf("PUT rule %s: %d, want %d: %s", id, resp.StatusCode, want, truncate(b))
			}
			noSecrets("PUT "+id, b)
			var v alerts.RuleView
			mustUnmarshal(t, b, &v)
			return v
		}

		// Rules: a count variance value over 1.00 at HK-TST to a signed
		// webhook, the same to a signed DingTalk robot, and rules that fire
		// only when tested (no count is open 8 hours).
		variance := map[string]any{"name": "尖沙咀差異 TST variance", "kind": "count_variance_value", "threshold": "1.00", "location": "HK-TST",
			"targets": []map[string]any{{"id": "hook", "kind": "generic", "url": hook.URL + "/hooks/pandian", "secret": webhookSecret}}}
		v := put("variance-tst", variance, 201)
		if v.Threshold != "1.00" || !v.Enabled || len(v.Targets) != 1 || !v.Targets[0].HasSecret || v.Targets[0].URL != hook.URL+"/hooks/…" {
			t.Fatalf("created rule %+v", v)
		}
		put("ding-tst", map[string]any{"name": "釘釘 DingTalk", "kind": "count_variance_value", "threshold": "1.00", "location": "HK-TST",
			"targets": []map[string]any{{"id": "robot", "kind": "dingtalk", "url": ding.URL + "/robot/send?access_token=" + dingToken, "secret": dingSecret}}}, 201)
		testRule := func(id string, r *receiver, secret string) {
			put(id, map[string]any{"name": "test " + id, "kind": "count_open_hours", "threshold": "8",
				"targets": []map[string]any{{"id": "t", "kind": "generic", "url": r.URL, "secret": secret}}}, 201)
		}
		testRule("flaky", flaky, flakySecret)
		testRule("perm", perm, permSecret)
		testRule("hang", hang, hangSecret)
		// Replacing a rule with the target read back (no secret, redacted
		// URL) keeps its URL and secret.
		variance["targets"] = []map[string]any{{"id": "hook", "kind": "generic", "url": v.Targets[0].URL}}
		if v := put("variance-tst", variance, 200); !v.Targets[0].HasSecret || v.Targets[0].URL != hook.URL+"/hooks/…" {
			t.Fatalf("replaced rule %+v", v)
		}

		// Bad bodies.
		for _, c := range []struct {
			body string
			want int
		}{
			{`{"name":"x","kind":"count_open_hours","threshold":"8","targets":[{"kind":"generic","url":"http://x","secret":"s"}],"extra":1}`, 400},
			{`{"name":"x","kind":"count_open_hours","threshold":8,"targets":[{"kind":"generic","url":"http://x","secret":"s"}]}`, 400},
			{`{"name":"x","kind":"count_open_hours","threshold":"8","targets":[{"kind":"generic","url":"http://x"}]}`, 422},
			{`{"name":"x","kind":"nope","threshold":"8","targets":[{"kind":"slack","url":"http://x"}]}`, 422},
			{`{"name":"x","kind":"count_variance_value","threshold":"1.00","location":"NOWHERE","targets":[{"kind":"slack","url":"http://x"}]}`, 422},
		} {
			resp, b := s.raw("PUT", "/v1/alert-rules/bad", "ADMIN", "application/json", []byte(c.body))
			if resp.StatusCode != c.want {
				t.Errorf("PUT %s: %d, want %d: %s", c.body, resp.StatusCode, c.want, truncate(b))
			}
		}
		if resp, b := s.raw("PUT", "/v1/alert-rules/bad", "ADMIN", "text/plain", []byte(`{}`)); resp.StatusCode != 415 {
			t.Errorf("PUT as text/plain: %d %s", resp.StatusCode, truncate(b))
		}
		get("/v1/alert-rules/bad", "ADMIN", 404, nil)

		// Roles: a counter and a store manager may do nothing; the auditor
		// reads but does not write.
		for _, who := range []string{counter, manager} {
			get("/v1/alert-rules", who, 403, nil)
			get("/v1/alert-rules/variance-tst", who, 403, nil)
			get("/v1/alert-deliveries", who, 403, nil)
			if resp, _ := s.do("PUT", "/v1/alert-rules/variance-tst", who, variance); resp.StatusCode != 403 {
				t.Errorf("PUT as %s: %d", who, resp.StatusCode)
			}
		}
		var list struct{ Rules []alerts.RuleView }
		get("/v1/alert-rules", auditor, 200, &list)
		if len(list.Rules) != 5 {
			t.Fatalf("the auditor reads %d rules, want 5", len(list.Rules))
		}
		for _, w := range []struct{ method, path string }{
			{"PUT", "/v1/alert-rules/variance-tst"}, {"DELETE", "/v1/alert-rules/variance-tst"}, {"POST", "/v1/alert-rules/variance-tst/test"},
		} {
			var body any
			if w.method == "PUT" {
				body = variance
			}
			if resp, b := s.do(w.method, w.path, auditor, body); resp.StatusCode != 403 || errorCode(t, b) != "forbidden" {
				t.Errorf("%s %s as the auditor: %d %s", w.method, w.path, resp.StatusCode, truncate(b))
			}
		}

		// A store manager counts with a variance: 2 SKUs at book 10,
		// counted 10 and 4: 6 × 2.50 = 15.00 over 1.00.
		cat := "alerts-" + db
		items := s.newSKUs(cat, "HK-TST", 2, 10)
		cnt := s.openCount(manager, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{cat}}})
		if res := s.scans(manager, cnt.ID, scanIn{Code: items[0].EAN, Qty: 10}, scanIn{Code: items[1].EAN, Qty: 4}); res.Accepted != 2 {
			t.Fatalf("scans %+v", res)
		}
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", manager, nil, 200, &cnt)

		// The webhook gets one signed POST, the robot one signed message.
		hook.waitRequests(t, 1, 15*time.Second)
		ding.waitRequests(t, 1, 15*time.Second)
		// Evaluating again enqueues nothing more (the outbox deduplicates);
		// once both deliveries are delivered with one attempt each (below),
		// nothing more can be sent.
		ev := alerts.NewEvaluator(s.app.store, s.app.svc)
		for range 3 {
			if n, err := ev.EvaluateOnce(t.Context()); err != nil || n != 0 {
				t.Fatalf("evaluating again enqueued %d deliveries (%v)", n, err)
			}
		}
		got, dgot := hook.requests(), ding.requests()
		if len(got) != 1 || len(dgot) != 1 {
			t.Fatalf("the webhook got %d requests and the robot %d, want 1 each", len(got), len(dgot))
		}
		r := got[0]
		if err := alerts.Verify(webhookSecret, r.header, r.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("the webhook's signature does not verify: %v (%v)", err, r.header)
		}
		if alerts.Verify("wrong", r.header, r.body, time.Now(), 5*time.Minute) == nil {
			t.Error("the signature verifies with a wrong secret")
		}
		var alert alerts.Alert
		mustUnmarshal(t, r.body, &alert)
		hookDelivery := r.header.Get(alerts.HeaderDelivery)
		if r.path != "/hooks/pandian" || alert.DeliveryID != hookDelivery || hookDelivery == "" || alert.CountID != cnt.ID || alert.RuleID != "variance-tst" ||
			alert.Kind != alerts.KindCountVarianceValue || alert.Value != "15.00" || alert.Currency != "HKD" || alert.Location != "HK-TST" || alert.Test {
			t.Errorf("webhook %s %v: %+v", r.path, r.header, alert)
		}
		d := dgot[0]
		ts, err := strconv.ParseInt(d.query.Get("timestamp"), 10, 64)
		if err != nil || time.Since(time.UnixMilli(ts)).Abs() > time.Minute {
			t.Errorf("DingTalk timestamp %q", d.query.Get("timestamp"))
		}
		if d.path != "/robot/send" || d.query.Get("access_token") != dingToken || d.query.Get("sign") != alerts.DingTalkSign(dingSecret, ts) {
			t.Errorf("DingTalk request %s?%s", d.path, d.query.Encode())
		}
		var md struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Title, Text string }
		}
		mustUnmarshal(t, d.body, &md)
		if md.MsgType != "markdown" || !strings.Contains(md.Markdown.Title, "盤點") || !strings.Contains(md.Markdown.Text, cnt.ID) {
			t.Errorf("DingTalk message %s", d.body)
		}

		// The outbox shows them delivered, with their log.
		hv := s.waitDelivery(t, hookDelivery, alerts.StatusDelivered, 10*time.Second)
		if hv.Attempts != 1 || hv.LastStatus != 200 || hv.DeliveredAt.IsZero() || hv.RuleID != "variance-tst" || hv.TargetID != "hook" ||
			len(hv.AttemptLog) != 1 || hv.AttemptLog[0].StatusCode != 200 || hv.AttemptLog[0].Outcome != alerts.StatusDelivered || hv.AttemptLog[0].Attempt != 1 {
			t.Errorf("webhook delivery %+v", hv)
		}
		var dl struct{ Deliveries []alerts.Delivery }
		get("/v1/alert-deliveries?rule=ding-tst", auditor, 200, &dl)
		if len(dl.Deliveries) != 1 || dl.Deliveries[0].TargetKind != alerts.TargetDingTalk || dl.Deliveries[0].Alert.CountID != cnt.ID {
			t.Fatalf("DingTalk deliveries %+v", dl.Deliveries)
		}
		dv := s.waitDelivery(t, dl.Deliveries[0].ID, alerts.StatusDelivered, 10*time.Second)
		if len(dv.AttemptLog) != 1 || dv.AttemptLog[0].StatusCode != 200 {
			t.Errorf("DingTalk delivery %+v", dv)
		}
		get("/v1/alert-deliveries?status=delivered", auditor, 200, &dl)
		if n, dn := len(hook.requests()), len(ding.requests()); n != 1 || dn != 1 {
			t.Fatalf("the webhook got %d requests and the robot %d, want 1 each", n, dn)
		}
		if len(dl.Deliveries) != 2 {
			t.Errorf("%d delivered, want 2: %+v", len(dl.Deliveries), dl.Deliveries)
		}
		get("/v1/alert-deliveries?status=delivered&limit=1", auditor, 200, &dl)
		if len(dl.Deliveries) != 1 {
			t.Fatalf("limit=1: %d", len(dl.Deliveries))
		}
		first := dl.Deliveries[0].ID
		get("/v1/alert-deliveries?status=delivered&before="+first, auditor, 200, &dl)
		if len(dl.Deliveries) != 1 || dl.Deliveries[0].ID >= first {
			t.Errorf("the next page after %s: %+v", first, dl.Deliveries)
		}
		get("/v1/alert-deliveries?status=lost", auditor, 422, nil)
		get("/v1/alert-deliveries?limit=0", auditor, 422, nil)
		get("/v1/alert-deliveries?limit=x", auditor, 422, nil)
		get("/v1/alert-deliveries/dl_nothing", auditor, 404, nil)
		if resp, b := s.do("POST", "/v1/alert-deliveries/"+hookDelivery+"/retry", "ADMIN", nil); resp.StatusCode != 409 {
			t.Errorf("retrying a delivered delivery: %d %s", resp.StatusCode, truncate(b))
		}

		// A receiver answering 500 twice then 200: 3 attempts, 1 delivery.
		var tested struct{ Deliveries []alerts.Delivery }
		s.mustJSON("POST", "/v1/alert-rules/flaky/test", "ADMIN", nil, 202, &tested)
		if len(tested.Deliveries) != 1 || !tested.Deliveries[0].Alert.Test || tested.Deliveries[0].Status != alerts.StatusPending {
			t.Fatalf("test deliveries %+v", tested.Deliveries)
		}
		fv := s.waitDelivery(t, tested.Deliveries[0].ID, alerts.StatusDelivered, 20*time.Second)
		var codes []int
		for _, a := range fv.AttemptLog {
			codes = append(codes, a.StatusCode)
		}
		if fv.Attempts != 3 || fmt.Sprint(codes) != "[500 500 200]" || fv.AttemptLog[0].Outcome != alerts.StatusPending || fv.AttemptLog[0].Error == "" {
			t.Errorf("flaky delivery: attempts %d, codes %v: %+v", fv.Attempts, codes, fv.AttemptLog)
		}
		fr := flaky.requests()
		if len(fr) != 3 {
			t.Fatalf("the flaky receiver got %d requests, want 3", len(fr))
		}
		for _, r := range fr {
			if r.header.Get(alerts.HeaderDelivery) != fv.ID || alerts.Verify(flakySecret, r.header, r.body, time.Now(), 0) != nil {
				t.Errorf("a retry is not the same signed delivery: %v", r.header)
			}
		}

		// A 400 fails at once; the admin retries it once the receiver is
		// fixed (the auditor may not).
		s.mustJSON("POST", "/v1/alert-rules/perm/test", "ADMIN", nil, 202, &tested)
		pv := s.waitDelivery(t, tested.Deliveries[0].ID, alerts.StatusFailed, 20*time.Second)
		if pv.Attempts != 1 || pv.LastStatus != 400 || len(pv.AttemptLog) != 1 || pv.AttemptLog[0].Outcome != alerts.StatusFailed {
			t.Errorf("failed delivery %+v", pv)
		}
		if resp, _ := s.do("POST", "/v1/alert-deliveries/"+pv.ID+"/retry", auditor, nil); resp.StatusCode != 403 {
			t.Errorf("the auditor retried: %d", resp.StatusCode)
		}
		perm.script() // answers 200 from now on
		var rv alerts.DeliveryView
		s.mustJSON("POST", "/v1/alert-deliveries/"+pv.ID+"/retry", "ADMIN", nil, 200, &rv)
		if rv.ID != pv.ID || len(rv.AttemptLog) < 1 {
			t.Errorf("retried %+v", rv)
		}
		pv = s.waitDelivery(t, pv.ID, alerts.StatusDelivered, 20*time.Second)
		if len(pv.AttemptLog) != 2 || pv.AttemptLog[1].StatusCode != 200 {
			t.Errorf("retried delivery's log %+v", pv.AttemptLog)
		}
		if resp, _ := s.do("POST", "/v1/alert-deliveries/dl_nothing/retry", "ADMIN", nil); resp.StatusCode != 404 {
			t.Errorf("retrying an unknown delivery: %d", resp.StatusCode)
		}

		// A hanging receiver holds one delivery; counting goes on.
		s.mustJSON("POST", "/v1/alert-rules/hang/test", "ADMIN", nil, 202, &tested)
		hang.waitRequests(t, 1, 15*time.Second)
		mk := employeeWith(t, "store_manager", "HK-MK")
		more := s.newSKUs(cat+"-2", "HK-MK", 3, 10)
		cnt2 := s.openCount(mk, map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{cat + "-2"}}})
		for i := range 10 {
			start := time.Now()
			if res := s.scans(mk, cnt2.ID, scanIn{Code: more[i%3].EAN, Qty: 1}); res.Accepted != 1 {
				t.Fatalf("scan %+v", res)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("a scan took %s while a receiver hangs", d)
			}
		}
		get("/v1/alert-deliveries/"+tested.Deliveries[0].ID, auditor, 200, &rv)
		if rv.Status != alerts.StatusPending {
			t.Errorf("the hanging delivery is %s", rv.Status)
		}
		releaseHang()
		s.waitDelivery(t, rv.ID, alerts.StatusDelivered, 20*time.Second)

		// Nothing read back holds a secret.
		get("/v1/alert-rules", "ADMIN", 200, &list)
		for _, r := range list.Rules {
			get("/v1/alert-rules/"+r.ID, auditor, 200, nil)
		}
		get("/v1/alert-deliveries", "ADMIN", 200, &dl)
		if len(dl.Deliveries) != 5 {
			t.Errorf("%d deliveries, want 5", len(dl.Deliveries))
		}
		for _, x := range dl.Deliveries {
			get("/v1/alert-deliveries/"+x.ID, "ADMIN", 200, nil)
		}

		// Deleting a rule.
		if resp, b := s.do("DELETE", "/v1/alert-rules/perm", "ADMIN", nil); resp.StatusCode != 204 || len(b) != 0 {
			t.Errorf("DELETE: %d %s", resp.StatusCode, b)
		}
		get("/v1/alert-rules/perm", "ADMIN", 404, nil)
		if resp, _ := s.do("DELETE", "/v1/alert-rules/perm", "ADMIN", nil); resp.StatusCode != 404 {
			t.Errorf("DELETE again: %d", resp.StatusCode)
		}
		get("/v1/alert-deliveries/"+pv.ID, auditor, 200, nil) // the history stays
		if resp, _ := s.do("POST", "/v1/alert-rules/perm/test", "ADMIN", nil); resp.StatusCode != 404 {
			t.Errorf("testing a deleted rule: %d", resp.StatusCode)
		}
	})
}
