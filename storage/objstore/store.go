// Package objstore stores files (documents, photos) as objects under slash
// keys, on the local filesystem (the embedded default, [NewLocal]) or in an
// S3-compatible service such as MinIO ([NewS3]).
//
// Both backends implement [Store] and pass the same test suite. Uploads of
// untrusted size go through [PutContent], which streams, hashes and bounds
// the upload and files it once under its SHA-256 ([BlobKey]); small records
// pointing at blobs are written with [PutBytes].
//
// Errors wrap the sentinels below, to be tested with errors.Is:
// [ErrNotFound] (404), [ErrInvalidKey] (400), [ErrTooLarge] (413),
// [ErrUnavailable] (503 with Retry-After), and for local download links
// [ErrExpired] and [ErrBadSignature] (403).
package objstore

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"
)

// Store is an object store: a flat namespace of keys, each naming an
// immutable byte string with a content type.
//
// Keys are slash-separated paths such as "skus/ABC123/documents/x.json";
// see [ValidateKey]. Every method is safe for concurrent use.
type Store interface {
	// Put stores r under key, replacing any object there; readers see
	// either the old or the new object, never a partial one. With size >= 0
	// exactly size bytes are read from r (a shorter r is an error and
	// nothing is stored); with size -1 r is read to EOF. Put does not bound
	// the size: use PutContent for uploads from clients.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)

	// Open opens the object at key for reading. The caller must close the
	// reader. On the built-in backends it also implements io.Seeker, so it
	// can be handed to http.ServeContent.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)

	// Stat describes the object at key.
	Stat(ctx context.Context, key string) (Info, error)

	// Delete removes the object at key. Deleting a missing object is not
	// an error.
	Delete(ctx context.Context, key string) error

	// List yields the objects whose keys start with prefix (a plain string
	// prefix, "" for all), in ascending key order. The Infos carry Key,
	// Size and ModTime, and SHA256 for blob keys; use Stat for the rest.
	// Iteration stops at the first error, which is yielded with a zero Info.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]

	// PresignGet returns a URL that downloads the object at key without
	// further authentication until ttl has passed. A non-empty filename
	// is offered to the browser as the download's name (Content-Disposition:
	// attachment). It returns ErrNotFound if there is no such object.
	PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)

	// Ping reports whether the store is usable (for readiness probes).
	Ping(ctx context.Context) error
}

// Info describes a stored object.
type Info struct {
	Key         string    // the object's key
	Size        int64     // length in bytes
	ContentType string    // MIME type given when the object was stored
	SHA256      string    // lowercase hex SHA-256 of the content, "" when unknown
	ModTime     time.Time // when the object was stored
}

// Sentinel errors. Errors returned by this package wrap them (errors.Is).
var (
	// ErrNotFound: no object at the key.
	ErrNotFound = errors.New("objstore: object not found")
	// ErrInvalidKey: the key is not acceptable (see ValidateKey).
	ErrInvalidKey = errors.New("objstore: invalid key")
	// ErrTooLarge: the upload is longer than the allowed maximum.
	ErrTooLarge = errors.New("objstore: object too large")
	// ErrUnavailable: the backend is down, unreachable or timing out; the
	// request may succeed later.
	ErrUnavailable = errors.New("objstore: storage unavailable")
	// ErrExpired: a signed download URL is past its expiry.
	ErrExpired = errors.New("objstore: download link expired")
	// ErrBadSignature: a signed download URL's signature does not match.
	ErrBadSignature = errors.New("objstore: bad download link signature")
)

// MaxPresignTTL is the longest lifetime of a presigned URL (the S3 limit).
const MaxPresignTTL = 7 * 24 * time.Hour

// Sweeper is implemented by backends that can remove temporary uploads
// left behind by crashed processes.
type Sweeper interface {
	// Sweep removes temporary uploads untouched for longer than olderThan
	// and returns how many it removed.
	Sweep(ctx context.Context, olderThan time.Duration) (int, error)
}

// ListAll collects List(ctx, prefix) into a slice.
func ListAll(ctx context.Context, s Store, prefix string) ([]Info, error) {
	var out []Info
	for info, err := range s.List(ctx, prefix) {
		if err != nil {
			return out, err
		}
		out = append(out, info)
	}
	return out, nil
}
