package objstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// FilesPath is the URL path under which the HTTP server serves local
// download links: FilesPath + "<key>" (each segment path-escaped).
const FilesPath = "/v1/files/"

// PresignGet implements Store: it returns
// baseURL + "/v1/files/<key>?exp=<unix seconds>&sig=<hex HMAC-SHA256>",
// with "&filename=<name>" when filename is not empty. The filename is not
// signed: serve it only through ContentDisposition.
func (l *Local) PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	if _, err := l.Stat(ctx, key); err != nil {
		return "", err
	}
	// Round up: the link lives at least ttl.
	exp := time.Now().Add(ttl + time.Second - 1).Unix()
	q := url.Values{}
	q.Set("exp", strconv.FormatInt(exp, 10))
	q.Set("sig", hex.EncodeToString(l.sign(key, exp)))
	if filename != "" {
		q.Set("filename", filename)
	}
	return l.baseURL + FilesPath + escapeKey(key) + "?" + q.Encode(), nil
}

// VerifyURL checks a download link made by PresignGet: key is the
// unescaped path after FilesPath, exp and sig the query parameters "exp"
// and "sig". It returns nil if the link is genuine and unexpired at now,
// an error wrapping ErrBadSignature (or ErrInvalidKey) if it was not made
// by this store, and one wrapping ErrExpired if it is too old. The HTTP
// layer then serves Open(key), with ContentDisposition of the "filename"
// parameter if present.
func (l *Local) VerifyURL(key string, exp int64, sig string, now time.Time) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.sign(key, exp)) {
		return fmt.Errorf("%w for %q", ErrBadSignature, key)
	}
	if now.Unix() >= exp {
		return fmt.Errorf("%w: %q at %s", ErrExpired, key, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// sign is HMAC-SHA256 over the method, key and expiry.
func (l *Local) sign(key string, exp int64) []byte {
	m := hmac.New(sha256.New, l.signingKey)
	fmt.Fprintf(m, "GET\n%s\n%d", key, exp)
	return m.Sum(nil)
}

func checkTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl > MaxPresignTTL {
		return fmt.Errorf("objstore: presign ttl %s out of range [1s, %s]", ttl, MaxPresignTTL)
	}
	return nil
}
