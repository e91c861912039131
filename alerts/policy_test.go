package alerts_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/stock"
)

func TestAddressPolicyAllowed(t *testing.T) {
	def := (*alerts.AddressPolicy)(nil)
	refused := []string{
		"127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1",
		"100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.1.1", "fe80::1", "fd00:ec2::254", "fc00::1",
		"224.0.0.1", "239.1.2.3", "ff02::1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.7", "203.0.113.9",
		"198.18.0.1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "100.100.100.200", "::127.0.0.1",
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "203.0.114.1", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"}
	for _, s := range refused {
		if def.Allowed(netip.MustParseAddr(s)) {
			t.Errorf("default policy allows %s", s)
		}
	}
	for _, s := range allowed {
		if !def.Allowed(netip.MustParseAddr(s)) {
			t.Errorf("default policy refuses %s", s)
		}
	}

	allow, err := alerts.ParseAllowList(" 127.0.0.0/8, 10.1.0.0/16 ,169.254.0.0/16,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	p := &alerts.AddressPolicy{Allow: allow}
	for s, want := range map[string]bool{
		"127.0.0.1": true, "::ffff:127.0.0.1": true, "10.1.200.3": true, "10.2.0.1": false, "192.168.1.1": false, "::1": false,
		"169.254.10.10": true, "169.254.169.254": false, "fd00:ec2::254": false, "fd12::1": true, "8.8.8.8": true,
	} {
		if got := p.Allowed(netip.MustParseAddr(s)); got != want {
			t.Errorf("allowing %v: Allowed(%s) = %v, want %v", allow, s, got, want)
		}
	}
	// A metadata address is reachable only when allowed by itself.
	exact, _ := alerts.ParseAllowList("169.254.169.254")
	if !(&alerts.AddressPolicy{Allow: exact}).Allowed(netip.MustParseAddr("169.254.169.254")) {
		t.Errorf("169.254.169.254 allowed by itself is still refused")
	}
	for _, bad := range []string{"10.0.0.0/33", "ten", "10.0.0.0/8;", "::ffff:10.0.0.0/8"} {
		if _, err := alerts.ParseAllowList(bad); err == nil {
			t.Errorf("ParseAllowList(%q) accepted", bad)
		}
	}
}

// Rules whose target is an address literal (or localhost) the policy
// refuses are refused with a 4xx-class error; host names pass (checked
// at dial time); an operator's allowance opens its range only.
func TestRuleRefusesInternalTargets(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	put := func(svc *alerts.Service, url string) error {
		_, _, err := svc.PutRule(context.Background(), admin, "r", alerts.RuleInput{Name: "r", Kind: alerts.KindCountOpenHours, Threshold: "8",
			Targets: []alerts.Target{{Kind: alerts.TargetSlack, URL: url}}})
		return err
	}
	def := alerts.NewService(s, nil)
	for _, u := range []string{
		"http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
		"http://10.0.0.5/", "https://192.168.0.1:8443/x", "http://0.0.0.0:9000/", "http://localhost:8080/", "http://api.localhost/",
		"http://127.1/", "http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/", "http://100.100.100.200/",
	} {
		err := put(def, u)
		if stock.ErrorCode(err) != stock.EInvalid || !strings.Contains(err.Error(), "PANDIAN_WEBHOOK_ALLOW_CIDRS") {
			t.Errorf("target %s: %v, want an invalid-target error", u, err)
		}
	}
	for _, u := range []string{"https://oapi.dingtalk.com/robot/send?access_token=x", "https://hooks.slack.com/services/T/B/X", "https://8.8.8.8/hook"} {
		if err := put(def, u); err != nil {
			t.Errorf("target %s: %v", u, err)
		}
	}
	allow := testService(s, nil)
	if err := put(allow, "http://127.0.0.1:8080/hook"); err != nil {
		t.Errorf("loopback allowed: %v", err)
	}
	if err := put(allow, "http://localhost:8080/hook"); err != nil {
		t.Errorf("localhost with loopback allowed: %v", err)
	}
	if err := put(allow, "http://169.254.169.254/"); stock.ErrorCode(err) != stock.EInvalid {
		t.Errorf("metadata with loopback allowed: %v", err)
	}
}

// A delivery to loopback without the operator's allowance is refused at
// dial time (the rule was stored before, or its name resolves there):
// failed at once, logged as refused by policy, the receiver never hit.
// With the allowance it is delivered. Nothing of an answer is logged.
func TestDispatchAddressPolicy(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	rc := newReceiver(t, "k", 200)
	port := rc.srv.URL[strings.LastIndex(rc.srv.URL, ":"):]
	r := alerts.Rule{ID: "r", Name: "r", Kind: alerts.KindCountOpenHours, Threshold: "8", Enabled: true, Targets: []alerts.Target{
		{ID: "ip", Kind: alerts.TargetGeneric, URL: rc.srv.URL + "/hook", Secret: "k"},
		// A host name: only its resolution says it is loopback.
		{ID: "name", Kind: alerts.TargetSlack, URL: "http://localhost" + port + "/hook"},
	}}
	putRule(t, s, r)
	ds := enqueue(t, s, r, "count:C1")

	d := testDispatcher(s, 10*time.Millisecond)
	d.Policy = nil // the default: no allowance
	if n, err := d.RunOnce(context.Background()); n != 2 || err != nil {
		t.Fatalf("RunOnce %d %v", n, err)
	}
	for _, del := range ds {
		got := waitStatus(t, s, del.ID, alerts.StatusFailed)
		atts, err := s.AlertAttempts(context.Background(), del.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("%s: attempts %+v %v", del.TargetID, atts, err)
		}
		if atts[0].Error != alerts.ErrRefusedAddress.Error() || atts[0].StatusCode != 0 || got.LastError != alerts.ErrRefusedAddress.Error() {
			t.Errorf("%s: attempt %+v, delivery error %q; want %q", del.TargetID, atts[0], got.LastError, alerts.ErrRefusedAddress)
		}
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("the receiver was hit %d times", n)
	}

	// The operator allows loopback: an admin retries, both are delivered.
	svc := testService(s, nil)
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	for _, del := range ds {
		if _, err := svc.Retry(context.Background(), admin, del.ID); err != nil {
			t.Fatal(err)
		}
	}
	d.Policy = loopbackAllowed()
	d.Policy.Allow = append(d.Policy.Allow, netip.MustParsePrefix("::1/128"))
	d.RunOnce(context.Background())
	for _, del := range ds {
		waitStatus(t, s, del.ID, alerts.StatusDelivered)
	}
	if n := len(rc.requests()); n != 2 {
		t.Fatalf("the receiver got %d requests, want 2", n)
	}
}

// The delivery log keeps the status code and a fixed error class, never
// what the receiver answered (an internal service's page, a robot's
// message) nor the addresses a name resolved to.
func TestDeliveryLogKeepsNoAnswer(t *testing.T) {
	const secret = "INTERNAL-ANSWER-7f3a"
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/500":
			w.WriteHeader(500)
		case "/403":
			w.WriteHeader(403)
		case "/robot":
			json.NewEncoder(w).Encode(map[string]any{"errcode": 310000, "errmsg": secret})
			return
		case "/notrobot":
			io.WriteString(w, "<html>"+secret)
			return
		}
		io.WriteString(w, `{"db_password":"`+secret+`"}`)
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	r := alerts.Rule{ID: "r", Name: "r", Kind: alerts.KindCountOpenHours, Threshold: "8", Enabled: true, Targets: []alerts.Target{
		{ID: "e500", Kind: alerts.TargetSlack, URL: srv.URL + "/500"},
		{ID: "e403", Kind: alerts.TargetSlack, URL: srv.URL + "/403"},
		{ID: "robot", Kind: alerts.TargetDingTalk, URL: srv.URL + "/robot?access_token=t"},
		{ID: "notrobot", Kind: alerts.TargetDingTalk, URL: srv.URL + "/notrobot?access_token=t"},
		{ID: "down", Kind: alerts.TargetSlack, URL: closedURL + "/x"},
	}}
	putRule(t, s, r)
	ds := enqueue(t, s, r, "count:C1")
	d := testDispatcher(s, 10*time.Millisecond)
	d.MaxAttempts = 1
	d.Concurrency = len(ds)
	d.RunOnce(context.Background())
	want := map[string]struct {
		code int
		err  string
	}{
		"e500": {500, "HTTP 500 (gave up after 1 attempts)"}, "e403": {403, "HTTP 403"}, "robot": {200, "dingtalk errcode 310000"},
		"notrobot": {200, "dingtalk: not a robot's answer (gave up after 1 attempts)"}, "down": {0, "connection refused (gave up after 1 attempts)"},
	}
	svc := testService(s, nil)
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	for _, del := range ds {
		waitStatus(t, s, del.ID, alerts.StatusFailed)
		v, err := svc.Delivery(context.Background(), admin, del.ID)
		if err != nil || len(v.AttemptLog) != 1 {
			t.Fatalf("%s: %+v %v", del.TargetID, v, err)
		}
		w := want[del.TargetID]
		if a := v.AttemptLog[0]; a.StatusCode != w.code || a.Error != w.err {
			t.Errorf("%s: logged %d %q, want %d %q", del.TargetID, a.StatusCode, a.Error, w.code, w.err)
		}
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), secret) || strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("%s: the delivery log holds the answer or an address: %s", del.TargetID, b)
		}
	}
}
