package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
)

// ErrLifecycle marks an EnsureBucket error about the bucket's lifecycle
// rule only (the bucket is there): a service or credentials without
// lifecycle support or permission. The store works without the rule;
// temporary objects left by a crash are then removed by Sweep only.
var ErrLifecycle = errors.New("objstore: lifecycle rule not set")

// EnsureBucket creates the bucket if it does not exist and makes sure its
// lifecycle configuration has a rule expiring objects under tmp/ and
// incomplete multipart uploads one day after they were made; other rules
// are kept. The configuration is written only when that rule is missing
// or different, so that replicas starting together do not rewrite it each
// time. Call it at startup. An error wrapping ErrLifecycle means only the
// rule could not be read or written (permission, support): the bucket is
// usable. An outage gives ErrUnavailable.
func (s *S3) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.mapErr(err, "")
	}
	if !ok {
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
		if err != nil {
			if code := minio.ToErrorResponse(err).Code; code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
				return fmt.Errorf("objstore: create bucket %q: %w", s.bucket, s.mapErr(err, ""))
			}
		}
	}
	_, err = s.ensureLifecycle(ctx)
	return err
}

// tmpLifecycleRule is the rule EnsureBucket keeps on the tmp/ prefix.
func tmpLifecycleRule() lifecycle.Rule {
	return lifecycle.Rule{
		ID:                             tmpLifecycleRuleID,
		Status:                         "Enabled",
		RuleFilter:                     lifecycle.Filter{Prefix: tmpPrefix},
		Expiration:                     lifecycle.Expiration{Days: 1},
		AbortIncompleteMultipartUpload: lifecycle.AbortIncompleteMultipartUpload{DaysAfterInitiation: 1},
	}
}

// sameTmpRule reports whether r already does what tmpLifecycleRule does.
func sameTmpRule(r lifecycle.Rule) bool {
	w := tmpLifecycleRule()
	prefix := r.RuleFilter.Prefix
	if prefix == "" {
		prefix = r.Prefix // the filter-less form of older configurations
	}
	// MinIO keeps no AbortIncompleteMultipartUpload (it expires stale
	// multipart uploads by itself) and returns the rule without it:
	// writing it again would not change that.
	abort := r.AbortIncompleteMultipartUpload.DaysAfterInitiation
	return r.ID == w.ID && r.Status == w.Status && prefix == tmpPrefix && r.RuleFilter.And.IsEmpty() && r.RuleFilter.Tag.IsEmpty() &&
		r.Expiration.Days == w.Expiration.Days && r.Expiration.Date.IsZero() &&
		(abort == 0 || abort == w.AbortIncompleteMultipartUpload.DaysAfterInitiation)
}

// ensureLifecycle writes the tmp/ rule when it is missing or different
// and reports whether it wrote.
func (s *S3) ensureLifecycle(ctx context.Context) (bool, error) {
	cfg, err := s.client.GetBucketLifecycle(ctx, s.bucket)
	if err != nil {
		if minio.ToErrorResponse(err).Code != "NoSuchLifecycleConfiguration" {
			return false, s.lifecycleErr("read", err)
		}
		cfg = lifecycle.NewConfiguration()
	}
	rules := cfg.Rules[:0:0]
	for _, r := range cfg.Rules {
		if r.ID == tmpLifecycleRuleID {
			if sameTmpRule(r) {
				return false, nil
			}
			continue
		}
		rules = append(rules, r)
	}
	cfg.Rules = append(rules, tmpLifecycleRule())
	if err := s.client.SetBucketLifecycle(ctx, s.bucket, cfg); err != nil {
		return false, s.lifecycleErr("set", err)
	}
	return true, nil
}

// lifecycleErr is an outage (ErrUnavailable) or else ErrLifecycle.
func (s *S3) lifecycleErr(op string, err error) error {
	err = s.mapErr(err, "")
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("objstore: %s lifecycle of bucket %q: %w", op, s.bucket, err)
	}
	return fmt.Errorf("%w: %s lifecycle of bucket %q: %w", ErrLifecycle, op, s.bucket, err)
}

// S3 error codes meaning the service cannot serve now.
var unavailableCodes = map[string]bool{
	"ServiceUnavailable":         true,
	"SlowDown":                   true,
	"SlowDownRead":               true,
	"SlowDownWrite":              true,
	"RequestTimeout":             true,
	"InternalError":              true,
	"XMinioServerNotInitialized": true,
	"XMinioReadQuorum":           true,
	"XMinioWriteQuorum":          true,
	"XMinioStorageFull":          true,
	"XMinioBackendDown":          true,
}

// mapErr translates a minio-go error into this package's sentinels:
// missing objects into ErrNotFound; network failures, timeouts and 5xx
// answers into ErrUnavailable. Errors already carrying a sentinel, and the
// caller's cancellation, pass through.
func (s *S3) mapErr(err error, key string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalidKey), errors.Is(err, ErrUnavailable):
		return err
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("objstore: %q: %w", key, err)
	}

	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.Code != "" || resp.StatusCode != 0) {
		switch {
		case resp.Code == "NoSuchKey" || resp.Code == "NoSuchVersion" ||
			resp.StatusCode == 404 && resp.Code != "NoSuchBucket":
			return fmt.Errorf("%w: %q: %w", ErrNotFound, key, err)
		case unavailableCodes[resp.Code] || resp.StatusCode >= 500:
			return fmt.Errorf("%w: %s: %w", ErrUnavailable, s.client.EndpointURL().Host, err)
		case resp.Code == "NoSuchBucket":
			return fmt.Errorf("objstore: bucket %q does not exist: %w", s.bucket, err)
		}
		return fmt.Errorf("objstore: %q: %w", key, err)
	}

	var netErr net.Error
	var urlErr *url.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF),
		errors.As(err, &netErr), errors.As(err, &urlErr), errors.As(err, &opErr):
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, s.client.EndpointURL().Host, err)
	}
	return fmt.Errorf("objstore: %q: %w", key, err)
}
