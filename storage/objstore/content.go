package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"strings"
)

// PutContent stores the content read from r once, under its SHA-256
// (BlobKey), and returns its Info. It streams: the content is never held in
// memory whole. At most maxBytes are accepted; longer content (counted on
// the bytes actually read, whatever the client declared) fails with
// ErrTooLarge. If content with the same hash is already stored it is not
// stored again and the existing object's Info is returned.
//
// On any failure (too large, r failing half-way, backend down, ctx
// cancelled) nothing is left under blobs/. The upload is first written to a
// temporary location (a temp file on the local backend, a "tmp/" object on
// S3) and moved into place only once complete; temporaries are removed on
// error, and those a crash leaves are removed by Sweep (local: at startup
// too) and on S3 by the bucket's lifecycle rule (see EnsureBucket).
func PutContent(ctx context.Context, s Store, r io.Reader, maxBytes int64, contentType string) (Info, error) {
	if maxBytes <= 0 {
		return Info{}, fmt.Errorf("objstore: PutContent: maxBytes %d must be positive", maxBytes)
	}
	h := sha256.New()
	src := io.TeeReader(&limitReader{r: r, n: maxBytes, max: maxBytes}, h)

	st, ok := s.(stager)
	if !ok {
		st = fileStager{s}
	}
	staged, err := st.stage(ctx, src)
	if err != nil {
		return Info{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	key := BlobKey(sum)

	existing, err := s.Stat(ctx, key)
	switch {
	case err == nil:
		staged.discard()
		if existing.SHA256 == "" {
			existing.SHA256 = sum
		}
		return existing, nil
	case !errors.Is(err, ErrNotFound):
		staged.discard()
		return Info{}, err
	}
	info, err := staged.commit(ctx, key, contentType, sum)
	if err != nil {
		staged.discard()
		return Info{}, err
	}
	return info, nil
}

// PutBytes stores a small object held in memory, such as a JSON record
// pointing at a blob (e.g. "skus/<sku>/documents/<id>.json"). Its Info
// carries the SHA-256 on every backend.
func PutBytes(ctx context.Context, s Store, key string, data []byte, contentType string) (Info, error) {
	return s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), contentType)
}

// ContentDisposition returns an "attachment" Content-Disposition header
// value offering filename as the download's name (RFC 6266; non-ASCII
// names are RFC 2231-encoded). Path separators and control characters in
// filename are replaced, so untrusted names are safe to pass.
func ContentDisposition(filename string) string {
	filename = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '_'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, filename)
	if filename == "" || filename == "." || filename == ".." {
		return "attachment"
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return "attachment"
}

// A stager is a backend that can write an upload of unknown length to a
// temporary place and later move it under its final key.
type stager interface {
	// stage reads r to EOF into a temporary place invisible to Open and
	// List. On error nothing is left behind.
	stage(ctx context.Context, r io.Reader) (staged, error)
}

// A staged upload, to be committed or discarded exactly once.
type staged interface {
	// commit moves the upload to key with the given metadata.
	commit(ctx context.Context, key, contentType, sha256Hex string) (Info, error)
	// discard removes the upload (best effort, not bound to the request's
	// context so that cleanup happens after a cancellation too).
	discard()
}

// limitReader passes through at most max bytes and fails with ErrTooLarge
// as soon as the source yields more.
type limitReader struct {
	r      io.Reader
	n, max int64 // bytes still allowed, limit
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, l.tooLarge()
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1] // one byte past the limit tells "too large" from "exactly max"
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return 0, l.tooLarge()
	}
	return n, err
}

func (l *limitReader) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
}

// ctxReader fails reads once ctx is done, so that a long copy stops on
// cancellation even when the source does not watch ctx.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fileStager stages through a local temp file for a Store that is no
// stager, then Puts the file with its known size.
type fileStager struct{ s Store }

type fileStaged struct {
	s Store
	f *os.File
}

func (fs fileStager) stage(ctx context.Context, r io.Reader) (staged, error) {
	f, err := os.CreateTemp("", "objstore-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &fileStaged{fs.s, f}, nil
}

func (fs *fileStaged) commit(ctx context.Context, key, contentType, sha256Hex string) (Info, error) {
	size, err := fs.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return Info{}, err
	}
	if _, err := fs.f.Seek(0, io.SeekStart); err != nil {
		return Info{}, err
	}
	info, err := fs.s.Put(ctx, key, fs.f, size, contentType)
	if err != nil {
		return Info{}, err
	}
	fs.discard()
	if info.SHA256 == "" {
		info.SHA256 = sha256Hex
	}
	return info, nil
}

func (fs *fileStaged) discard() {
	fs.f.Close()
	os.Remove(fs.f.Name())
}
