package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pandian/stock"
	"pandian/storage/objstore"
)

// files adapts an object store to the domain (stock.Files) and, for the
// local store, serves its signed download links (mobileapi.SignedFiles).
type files struct {
	s     objstore.Store
	local *objstore.Local // nil for S3
}

// openFiles opens MinIO/S3 when configured, else the local store in the
// data directory, whose download links key signs.
func openFiles(ctx context.Context, cfg config, key []byte) (files, error) {
	if cfg.S3Endpoint != "" {
		s, err := objstore.NewS3(objstore.S3Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
			Bucket: cfg.S3Bucket, Secure: cfg.S3Secure, PublicEndpoint: cfg.S3PublicEndpoint})
		if err != nil {
			return files{}, err
		}
		if err := s.EnsureBucket(ctx); err != nil {
			return files{}, fmt.Errorf("object store: %w", err)
		}
		return files{s: s}, nil
	}
	l, err := objstore.NewLocal(filepath.Join(cfg.DataDir, "objects"), key, strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil {
		return files{}, err
	}
	return files{s: l, local: l}, nil
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
	info, err := objstore.PutContent(ctx, f.s, r, maxBytes, contentType)
	if err != nil {
		return stock.FileInfo{}, domainErr(err)
	}
	return stock.FileInfo{Key: info.Key, SHA256: info.SHA256, Size: info.Size, ContentType: info.ContentType}, nil
}

// PutBytes implements stock.Files.
func (f files) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	_, err := objstore.PutBytes(ctx, f.s, key, b, contentType)
	return domainErr(err)
}

// Open implements stock.Files.
func (f files) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, _, err := f.s.Open(ctx, key)
	return r, domainErr(err)
}

// URL implements stock.Files.
func (f files) URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	u, err := f.s.PresignGet(ctx, key, ttl, filename)
	return u, domainErr(err)
}

// Delete implements stock.Files.
func (f files) Delete(ctx context.Context, key string) error { return domainErr(f.s.Delete(ctx, key)) }

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
