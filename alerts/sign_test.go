package alerts_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pandian/alerts"
)

func TestSignVerify(t *testing.T) {
	secret := "whsec_0123456789"
	body := []byte(`{"rule_id":"big","value":"812.50"}`)
	now := time.Unix(1_790_000_000, 0)
	h := http.Header{}
	alerts.Sign(h, secret, body, now)

	// The signature is what a receiver computes on its own.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("1790000000." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if h.Get(alerts.HeaderTimestamp) != "1790000000" || h.Get(alerts.HeaderSignature) != want {
		t.Fatalf("headers %v, want signature %s", h, want)
	}
	if err := alerts.Verify(secret, h, body, now.Add(30*time.Second), time.Minute); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// Rotation: several signatures, one matches.
	h2 := h.Clone()
	h2.Set(alerts.HeaderSignature, "sha256=00ff, "+want)
	if err := alerts.Verify(secret, h2, body, now, time.Minute); err != nil {
		t.Fatalf("verify with two signatures: %v", err)
	}

	cases := []struct {
		name   string
		secret string
		header func(http.Header)
		body   []byte
		now    time.Time
		want   error
	}{
		{"tampered body", secret, nil, []byte(`{"rule_id":"big","value":"1.00"}`), now, alerts.ErrBadSignature},
		{"wrong secret", "other", nil, body, now, alerts.ErrBadSignature},
		{"tampered timestamp", secret, func(h http.Header) { h.Set(alerts.HeaderTimestamp, "1790000100") }, body, now, alerts.ErrBadSignature},
		{"replay after the tolerance", secret, nil, body, now.Add(61 * time.Second), alerts.ErrStale},
		{"from the future", secret, nil, body, now.Add(-61 * time.Second), alerts.ErrStale},
		{"no signature", secret, func(h http.Header) { h.Del(alerts.HeaderSignature) }, body, now, alerts.ErrNoSignature},
		{"bad timestamp", secret, func(h http.Header) { h.Set(alerts.HeaderTimestamp, "soon") }, body, now, alerts.ErrNoSignature},
	}
	for _, c := range cases {
		hh := h.Clone()
		if c.header != nil {
			c.header(hh)
		}
		if err := alerts.Verify(c.secret, hh, c.body, c.now, time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// DingTalk's documented scheme, computed here independently:
// sign = urlencode(base64(HMAC-SHA256(key=secret, timestamp + "\n" + secret))).
func TestDingTalkSign(t *testing.T) {
	secret := "SEC1f3c0a5b7d9e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4"
	now := time.UnixMilli(1_700_000_000_123)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("1700000000123\n" + secret))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := alerts.DingTalkSign(secret, 1_700_000_000_123); got != want {
		t.Fatalf("sign %s, want %s", got, want)
	}
	raw := alerts.DingTalkURL("https://oapi.dingtalk.com/robot/send?access_token=tok", secret, now)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("access_token") != "tok" || q.Get("timestamp") != strconv.FormatInt(now.UnixMilli(), 10) || q.Get("sign") != want {
		t.Fatalf("url %s: params %v, want sign %s", raw, q, want)
	}
	// The sign is URL-encoded in the raw query (base64 holds + / =).
	if !strings.Contains(u.RawQuery, "sign="+url.QueryEscape(want)) {
		t.Fatalf("sign not URL-encoded in %s", u.RawQuery)
	}
	if got := alerts.DingTalkURL("https://x/robot/send?access_token=tok", "", now); got != "https://x/robot/send?access_token=tok" {
		t.Fatalf("unsigned url changed: %s", got)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://oapi.dingtalk.com/robot/send?access_token=abc": "https://oapi.dingtalk.com/robot/…?…",
		"https://hooks.slack.com/services/T000/B000/XXXX":       "https://hooks.slack.com/services/…",
		"https://user:pw@example.com/hook":                      "https://example.com/hook",
		"::not a url":                                           "…",
	} {
		if got := alerts.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
