package main

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pandian/alerts"
)

// Without PANDIAN_WEBHOOK_ALLOW_CIDRS, alert webhooks do not reach
// loopback: a rule naming 127.0.0.1 or a metadata address is refused
// (422), and a stored rule's delivery is refused when dialled, logged as
// such, the receiver never hit.
func TestWebhookAddressPolicy(t *testing.T) {
	t.Setenv("PANDIAN_WEBHOOK_ALLOW_CIDRS", "bogus")
	if _, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil); err == nil {
		t.Errorf("PANDIAN_WEBHOOK_ALLOW_CIDRS=bogus accepted")
	}
	t.Setenv("PANDIAN_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8, 10.1.0.0/16")
	if cfg, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil); err != nil || len(cfg.WebhookAllow) != 2 || cfg.WebhookAllow[1].String() != "10.1.0.0/16" {
		t.Errorf("PANDIAN_WEBHOOK_ALLOW_CIDRS: %v %v", cfg.WebhookAllow, err)
	}
	t.Setenv("PANDIAN_ALERT_POLL", "50ms")

	var hits atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer recv.Close()
	s := startServer(t, "sqlite")
	for _, u := range []string{recv.URL + "/hook", "http://169.254.169.254/latest/meta-data/", "http://localhost:9/"} {
		resp, b := s.do("PUT", "/v1/alert-rules/internal", "ADMIN", map[string]any{"name": "internal", "kind": "count_open_hours", "threshold": "8",
			"targets": []map[string]any{{"id": "t", "kind": "slack", "url": u}}})
		if resp.StatusCode != 422 || errorCode(t, b) != "invalid" || !strings.Contains(string(b), `"field":"targets"`) {
			t.Errorf("rule to %s: %d %s", u, resp.StatusCode, truncate(b))
		}
	}

	// A rule stored before this policy (or whose host name resolves to
	// loopback): its test message is refused when dialled.
	now := time.Now().UTC()
	if _, err := s.app.store.PutAlertRule(context.Background(), alerts.Rule{ID: "old", Name: "old", Kind: alerts.KindCountOpenHours, Threshold: "8", Enabled: true,
		Targets: []alerts.Target{{ID: "t", Kind: alerts.TargetSlack, URL: recv.URL + "/hook"}}, Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	var tested struct{ Deliveries []alerts.Delivery }
	s.mustJSON("POST", "/v1/alert-rules/old/test", "ADMIN", nil, 202, &tested)
	ds := tested.Deliveries
	auditor := employeeWith(t, "auditor", "")
	deadline := time.Now().Add(15 * time.Second)
	for {
		var v alerts.DeliveryView
		s.mustJSON("GET", "/v1/alert-deliveries/"+ds[0].ID, auditor, nil, 200, &v)
		if v.Status == alerts.StatusFailed {
			if len(v.AttemptLog) != 1 || v.AttemptLog[0].Error != alerts.ErrRefusedAddress.Error() || v.AttemptLog[0].StatusCode != 0 {
				t.Errorf("attempt log %+v", v.AttemptLog)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery still %s: %+v", v.Status, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback receiver was hit %d times", n)
	}
}
