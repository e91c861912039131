package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

func TestS3MapErr(t *testing.T) {
	s, err := NewS3(S3Config{Endpoint: "127.0.0.1:9000", Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	refused := &url.Error{Op: "Put", URL: "http://127.0.0.1:9000/b/k", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, c := range []struct {
		err  error
		want error // nil: none of the sentinels
	}{
		{minio.ErrorResponse{Code: "NoSuchKey", StatusCode: 404}, ErrNotFound},
		{minio.ErrorResponse{StatusCode: 404}, ErrNotFound}, // HEAD: no body
		{fmt.Errorf("wrapped: %w", minio.ErrorResponse{Code: "NoSuchKey"}), ErrNotFound},
		{minio.ErrorResponse{Code: "NoSuchBucket", StatusCode: 404}, nil},
		{minio.ErrorResponse{Code: "SlowDown", StatusCode: 503}, ErrUnavailable},
		{minio.ErrorResponse{Code: "XMinioServerNotInitialized", StatusCode: 503}, ErrUnavailable},
		{minio.ErrorResponse{Code: "InternalError", StatusCode: 500}, ErrUnavailable},
		{minio.ErrorResponse{StatusCode: 502}, ErrUnavailable},
		{minio.ErrorResponse{Code: "AccessDenied", StatusCode: 403}, nil},
		{minio.ErrorResponse{Code: "SignatureDoesNotMatch", StatusCode: 403}, nil},
		{refused, ErrUnavailable},
		{syscall.ECONNRESET, ErrUnavailable},
		{io.ErrUnexpectedEOF, ErrUnavailable},
		{context.DeadlineExceeded, ErrUnavailable},
		{fmt.Errorf("x: %w", ErrTooLarge), ErrTooLarge},
		{context.Canceled, nil},
		{errors.New("something else"), nil},
	} {
		got := s.mapErr(c.err, "k")
		for _, sentinel := range []error{ErrNotFound, ErrUnavailable, ErrTooLarge} {
			if errors.Is(got, sentinel) != (sentinel == c.want) {
				t.Errorf("mapErr(%v) = %v, want %v", c.err, got, c.want)
			}
		}
		if !errors.Is(got, c.err) {
			t.Errorf("mapErr(%v) = %v: cause lost", c.err, got)
		}
	}
	if got := s.mapErr(context.Canceled, "k"); !errors.Is(got, context.Canceled) {
		t.Errorf("cancellation: %v", got)
	}
}

func TestNewS3Endpoint(t *testing.T) {
	for _, c := range []struct {
		in     string
		secure bool
		host   string
		scheme string
	}{
		{"minio:9000", false, "minio:9000", "http"},
		{"minio:9000", true, "minio:9000", "https"},
		{"http://minio:9000/", true, "minio:9000", "http"},
		{"https://s3.example.com", false, "s3.example.com", "https"},
	} {
		s, err := NewS3(S3Config{Endpoint: c.in, Secure: c.secure, Bucket: "b"})
		if err != nil {
			t.Fatalf("NewS3(%q): %v", c.in, err)
		}
		if u := s.client.EndpointURL(); u.Host != c.host || u.Scheme != c.scheme {
			t.Errorf("NewS3(%q, secure %v): %s", c.in, c.secure, u)
		}
	}
	s, _ := NewS3(S3Config{AccessKey: "ak", SecretKey: "secretkey", Endpoint: "minio:9000", PublicEndpoint: "https://files.example.com", Bucket: "docs"})
	if u, err := s.presign.PresignedGetObject(context.Background(), "docs", "k", time.Minute, nil); err != nil || u.Host != "files.example.com" || u.Scheme != "https" {
		t.Errorf("presigned URL with PublicEndpoint: %v, %v", u, err)
	}
	if _, err := NewS3(S3Config{Endpoint: "minio:9000"}); err == nil {
		t.Error("no bucket accepted")
	}
}
