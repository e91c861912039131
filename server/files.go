package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pandian/stock"
	"pandian/storage/objstore"
)

// files adapts an object store to the domain (stock.Files) and, for the
// local store, serves its signed download links (mobileapi.SignedFiles).
type files struct {
	s     objstore.Store
	local *objstore.Local // nil for S3
	s3    *objstore.S3    // nil for the local store
	// connected is set once MinIO/S3 answered and its bucket is there;
	// until then every operation answers 503 (nil: the local store).
	connected *atomic.Bool
	// health caches the object store's last ping for /readyz.
	health *health
}

// health is the result of the last ping, reused for a few seconds so that
// frequent readiness probes cost one ping, and answered at once (with the
// previous result) while a ping is in flight.
type health struct {
	refresh sync.Mutex // held while pinging
	mu      sync.Mutex
	at      time.Time
	err     error
}

// healthTTL is how long a ping result is reused.
const healthTTL = 5 * time.Second

// errNotConnected answers object-store operations before MinIO/S3 was
// reached once.
var errNotConnected = stock.Errorf(stock.EUnavailable, "the object store is not reachable yet; try again shortly").With("retry_after_seconds", 5)

// openFiles opens MinIO/S3 when configured, else the local store in the
// data directory, whose download links key signs. MinIO/S3 is contacted
// once here (bucket and lifecycle rule): when it cannot be reached, the
// store is returned not connected, and connect must be retried (see
// keepConnecting); counting does not need it.
func openFiles(ctx context.Context, cfg config, key []byte) (files, error) {
	if cfg.S3Endpoint != "" {
		s, err := objstore.NewS3(objstore.S3Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
			Bucket: cfg.S3Bucket, Secure: cfg.S3Secure, PublicEndpoint: cfg.S3PublicEndpoint})
		if err != nil {
			return files{}, err
		}
		f := files{s: s, s3: s, connected: new(atomic.Bool), health: &health{}}
		if err := f.connect(ctx, 5*time.Second); err != nil {
			slog.Warn("object store not reachable; serving without it and retrying in the background", "endpoint", cfg.S3Endpoint, "bucket", cfg.S3Bucket, "err", err)
		}
		return f, nil
	}
	l, err := objstore.NewLocal(filepath.Join(cfg.DataDir, "objects"), key, strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil {
		return files{}, err
	}
	return files{s: l, local: l, health: &health{}}, nil
}

// connect makes sure of the bucket (and its lifecycle rule, whose failure
// is only logged) and marks the store connected.
func (f files) connect(ctx context.Context, timeout time.Duration) error {
	if f.connected == nil || f.connected.Load() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := f.s3.EnsureBucket(ctx)
	if errors.Is(err, objstore.ErrLifecycle) {
		slog.Warn("object store: the bucket's lifecycle rule for tmp/ could not be checked or set; temporary objects of crashed uploads are then only swept by the server",
			"bucket", f.s3.Bucket(), "err", err)
		err = nil
	}
	if err != nil {
		return err
	}
	f.connected.Store(true)
	return nil
}

// keepConnecting retries connect until it succeeds or ctx ends, waiting
// 1 s, then twice as long each time, at most 30 s.
func (f files) keepConnecting(ctx context.Context) {
	wait := time.Second
	for f.connected != nil && !f.connected.Load() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if err := f.connect(ctx, 20*time.Second); err != nil {
			if ctx.Err() == nil {
				slog.Warn("object store still not reachable", "err", err, "retry_in", min(2*wait, 30*time.Second))
			}
			wait = min(2*wait, 30*time.Second)
			continue
		}
		slog.Info("object store connected", "bucket", f.s3.Bucket())
	}
}

// ready reports whether the object store answers (GET /readyz), from a
// ping at most healthTTL old; it waits for no ping another probe started.
func (f files) ready(ctx context.Context) error {
	if err := f.usable(); err != nil {
		return err
	}
	h := f.health
	h.mu.Lock()
	fresh, err := time.Since(h.at) < healthTTL, h.err
	h.mu.Unlock()
	if fresh || !h.refresh.TryLock() {
		return err
	}
	defer h.refresh.Unlock()
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = f.s.Ping(ctx)
	h.mu.Lock()
	h.at, h.err = time.Now(), err
	h.mu.Unlock()
	return err
}

// usable answers 503 until the object store was reached once.
func (f files) usable() error {
	if f.connected != nil && !f.connected.Load() {
		return errNotConnected
	}
	return nil
}

// signingKey is PANDIAN_FILES_KEY, else a random key kept in the data
// directory (so that links outlive a restart).
func signingKey(cfg config) ([]byte, error) {
	if cfg.FilesKey != "" {
		return []byte(cfg.FilesKey), nil
	}
	p := filepath.Join(cfg.DataDir, "files.key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	rand.Read(b)
	k := []byte(hex.EncodeToString(b))
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, k, 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// domainErr gives object-store errors the domain's codes.
func domainErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, objstore.ErrTooLarge):
		return stock.Errorf(stock.ETooLarge, "the file is too large")
	case errors.Is(err, objstore.ErrUnavailable):
		return stock.Errorf(stock.EUnavailable, "the object store is unavailable; try again shortly")
	case errors.Is(err, objstore.ErrNotFound):
		return stock.Errorf(stock.ENotFound, "file not found")
	case errors.Is(err, objstore.ErrExpired), errors.Is(err, objstore.ErrBadSignature), errors.Is(err, objstore.ErrInvalidKey):
		return stock.Errorf(stock.EForbidden, "the download link is not valid (expired or altered)")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return stock.Errorf(stock.EUnavailable, "the upload did not finish: %v", err)
	}
	var se *stock.Error
	if errors.As(err, &se) {
		return err
	}
	// A client whose body breaks off half-way.
	return stock.Errorf(stock.EInvalid, "the file could not be read: %v", err)
}

// PutContent implements stock.Files.
func (f files) PutContent(ctx context.Context, r io.Reader, maxBytes int64, contentType string) (stock.FileInfo, error) {
	if err := f.usable(); err != nil {
		return stock.FileInfo{}, err
	}
	info, err := objstore.PutContent(ctx, f.s, r, maxBytes, contentType)
	if err != nil {
		return stock.FileInfo{}, domainErr(err)
	}
	return stock.FileInfo{Key: info.Key, SHA256: info.SHA256, Size: info.Size, ContentType: info.ContentType}, nil
}

// PutBytes implements stock.Files.
func (f files) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	if err := f.usable(); err != nil {
		return err
	}
	_, err := objstore.PutBytes(ctx, f.s, key, b, contentType)
	return domainErr(err)
}

// Open implements stock.Files.
func (f files) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := f.usable(); err != nil {
		return nil, err
	}
	r, _, err := f.s.Open(ctx, key)
	return r, domainErr(err)
}

// URL implements stock.Files.
func (f files) URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := f.usable(); err != nil {
		return "", err
	}
	u, err := f.s.PresignGet(ctx, key, ttl, filename)
	return u, domainErr(err)
}

// Delete implements stock.Files.
func (f files) Delete(ctx context.Context, key string) error {
	if err := f.usable(); err != nil {
		return err
	}
	return domainErr(f.s.Delete(ctx, key))
}

// OpenSigned implements mobileapi.SignedFiles for the local store.
func (f files) OpenSigned(ctx context.Context, key string, exp int64, sig, filename string) (io.ReadCloser, int64, string, string, error) {
	if f.local == nil {
		return nil, 0, "", "", stock.Errorf(stock.ENotFound, "no such file")
	}
	if err := f.local.VerifyURL(key, exp, sig, time.Now()); err != nil {
		return nil, 0, "", "", domainErr(err)
	}
	r, info, err := f.local.Open(ctx, key)
	if err != nil {
		return nil, 0, "", "", domainErr(err)
	}
	disp := ""
	if filename != "" {
		disp = objstore.ContentDisposition(filename)
	}
	return r, info.Size, info.ContentType, disp, nil
}
