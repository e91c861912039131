package alerts

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
	"time"
)

// The headers of a generic webhook.
const (
	HeaderTimestamp = "X-Pandian-Timestamp" // Unix seconds when it was signed
	HeaderSignature = "X-Pandian-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	HeaderDelivery  = "X-Pandian-Delivery"  // the delivery id: the same on every attempt, for deduplication
)

// Signature returns the value of the X-Pandian-Signature header for body
// signed at unix time ts.
func Signature(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign sets the timestamp and signature headers of a generic webhook.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	ts := now.Unix()
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Signature(secret, ts, body))
}

// The errors of Verify.
var (
	ErrNoSignature  = errors.New("alerts: missing or malformed signature headers")
	ErrBadSignature = errors.New("alerts: signature does not match")
	ErrStale        = errors.New("alerts: timestamp outside the tolerance (replay?)")
)

// Verify checks a received generic webhook: the signature over the
// timestamp and the raw body, and a timestamp no further than tolerance
// from now (older is a replay; tolerance ≤ 0 means 5 minutes). The
// signature header may list several "sha256=…" values separated by commas
// (secret rotation). Receivers should also remember the X-Pandian-Delivery
// ids they have processed: deliveries are at least once.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(h.Get(HeaderTimestamp)), 10, 64)
	sig := h.Get(HeaderSignature)
	if err != nil || sig == "" {
		return ErrNoSignature
	}
	want := []byte(Signature(secret, ts, body))
	ok := false
	for _, s := range strings.Split(sig, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), want) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// DingTalkSign returns the sign parameter of a DingTalk custom robot with
// a signing secret: base64(HMAC-SHA256(secret, timestamp + "\n" + secret))
// for the timestamp in milliseconds (not URL-encoded yet).
func DingTalkSign(secret string, tsMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(tsMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// DingTalkURL appends &timestamp=<ms>&sign=<urlencoded sign> to a robot's
// webhook URL (…/robot/send?access_token=…). Without a secret the URL is
// returned unchanged. DingTalk accepts a timestamp within an hour of its
// clock.
func DingTalkURL(webhook, secret string, now time.Time) string {
	if secret == "" {
		return webhook
	}
	ts := now.UnixMilli()
	sep := "&"
	if !strings.Contains(webhook, "?") {
		sep = "?"
	}
	return webhook + sep + "timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + url.QueryEscape(DingTalkSign(secret, ts))
}
