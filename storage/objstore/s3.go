package objstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config configures an S3 store (MinIO in development and production).
type S3Config struct {
	Endpoint  string // host:port of the S3 API, e.g. "127.0.0.1:9000" (a URL sets Secure by its scheme)
	AccessKey string
	SecretKey string
	// SessionToken goes with temporary credentials (STS); usually empty.
	SessionToken string
	Bucket       string
	Secure       bool   // HTTPS
	Region       string // "" means "us-east-1" (MinIO's default)

	// PublicEndpoint, if set, is the host:port presigned URLs point at
	// (when clients reach the service under another name than the server
	// does); it uses the Secure setting unless given as a URL.
	PublicEndpoint string
	// PartSize is the multipart part size of streamed uploads, which is
	// also the memory each such upload buffers; 0 means DefaultPartSize.
	PartSize uint64
	// MaxRetries is how often a failed request is tried again; 0 means
	// DefaultMaxRetries. Fewer retries report an outage sooner.
	MaxRetries int
}

// Defaults of S3Config.
const (
	DefaultPartSize   = 16 << 20
	DefaultMaxRetries = 3
)

// tmpLifecycleRuleID names the bucket lifecycle rule that EnsureBucket
// sets on the tmp/ prefix.
const tmpLifecycleRuleID = "pandian-objstore-tmp"

// S3 is a Store in one bucket of an S3-compatible service.
//
// PutContent streams an upload to a temporary object "tmp/<random>"
// (multipart, one part of PartSize in memory at a time), copies it server
// side to its blob key and deletes the temporary object, also on error. A
// crash between those steps leaves the temporary object (or an incomplete
// multipart upload); the lifecycle rule EnsureBucket sets expires both
// after one day, and Sweep removes them sooner.
type S3 struct {
	client   *minio.Client
	presign  *minio.Client // client for presigned URLs (PublicEndpoint)
	bucket   string
	region   string
	partSize uint64
}

var (
	_ Store   = (*S3)(nil)
	_ Sweeper = (*S3)(nil)
	_ stager  = (*S3)(nil)
)

// NewS3 returns a store in cfg.Bucket. It does not contact the service:
// call EnsureBucket at startup and Ping for readiness.
func NewS3(cfg S3Config) (*S3, error) {
	cfg.Endpoint, cfg.Secure = splitScheme(cfg.Endpoint, cfg.Secure)
	pubEndpoint, pubSecure := splitScheme(cfg.PublicEndpoint, cfg.Secure)
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("objstore: S3 endpoint and bucket are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // also spares presigning a location lookup
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	newClient := func(endpoint string, secure bool) (*minio.Client, error) {
		tr, err := minio.DefaultTransport(secure)
		if err != nil {
			return nil, err
		}
		tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		c, err := minio.New(endpoint, &minio.Options{
			Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
			Secure:     secure,
			Region:     cfg.Region,
			Transport:  tr,
			MaxRetries: cfg.MaxRetries,
		})
		if err != nil {
			return nil, fmt.Errorf("objstore: S3 client for %q: %w", endpoint, err)
		}
		return c, nil
	}
	c, err := newClient(cfg.Endpoint, cfg.Secure)
	if err != nil {
		return nil, err
	}
	s := &S3{client: c, presign: c, bucket: cfg.Bucket, region: cfg.Region, partSize: cfg.PartSize}
	if pubEndpoint != "" && (pubEndpoint != cfg.Endpoint || pubSecure != cfg.Secure) {
		if s.presign, err = newClient(pubEndpoint, pubSecure); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// splitScheme accepts "http://host:port" and "https://host:port" for
// "host:port" with Secure set accordingly.
func splitScheme(endpoint string, secure bool) (string, bool) {
	if rest, ok := strings.CutPrefix(endpoint, "https://"); ok {
		return strings.TrimRight(rest, "/"), true
	}
	if rest, ok := strings.CutPrefix(endpoint, "http://"); ok {
		return strings.TrimRight(rest, "/"), false
	}
	return endpoint, secure
}

// Client returns the underlying minio-go client.
func (s *S3) Client() *minio.Client { return s.client }

// Bucket returns the bucket's name.
func (s *S3) Bucket() string { return s.bucket }

// metaSHA256 is the user metadata (x-amz-meta-sha256) holding the content's
// hash when it is known at upload time.
const metaSHA256 = "sha256"

// copyLimit is the largest object one CopyObject request may copy (the
// S3 limit); larger ones are copied in parts.
var copyLimit int64 = 5 << 30

// maxPrehash is the largest seekable upload Put hashes before sending, so
// that its SHA-256 can go into the object's metadata.
const maxPrehash = 64 << 20

// Put implements Store. If r is an io.Seeker at offset 0 (as with PutBytes)
// and at most 64 MiB long, its SHA-256 is computed first and stored with the object;
// otherwise the object's SHA256 is unknown.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	opts := minio.PutObjectOptions{ContentType: contentType, PartSize: s.partSize}
	sum := ""
	// A seekable r at its start is read twice: to hash it, then to send it
	// (minio-go seeks back to 0 to retry).
	if rs, ok := r.(io.ReadSeeker); ok && size >= 0 && size <= maxPrehash && atStart(rs) {
		h := sha256.New()
		if n, err := io.CopyN(h, rs, size); err != nil {
			return Info{}, fmt.Errorf("objstore: read %d of %d bytes: %w", n, size, err)
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return Info{}, fmt.Errorf("objstore: %w", err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
		opts.UserMetadata = map[string]string{metaSHA256: sum}
	}
	src := &srcReader{r: r}
	if size >= 0 {
		src.r = &exactReader{r: io.LimitReader(r, size), want: size}
	}
	// Keep r's own type when it is r itself that minio-go may seek on retry.
	var body io.Reader = src
	if sum != "" {
		body = r
	}
	ui, err := s.client.PutObject(ctx, s.bucket, key, body, size, opts)
	if err != nil {
		return Info{}, s.mapErr(src.failure(err), key)
	}
	if sum == "" {
		sum = blobSHA(key)
	}
	return Info{Key: key, Size: ui.Size, ContentType: contentType, SHA256: sum, ModTime: modTime(ui.LastModified)}, nil
}

func atStart(s io.Seeker) bool {
	off, err := s.Seek(0, io.SeekCurrent)
	return err == nil && off == 0
}

// srcReader remembers the error its source failed with, to tell a failing
// client (an interrupted or too large upload) from a failing backend.
type srcReader struct {
	r   io.Reader
	err error
}

func (s *srcReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// failure returns the source's error if it failed, else err.
func (s *srcReader) failure(err error) error {
	if s.err != nil {
		return s.err
	}
	return err
}

func modTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return t
}

// s3Staged is a complete temporary object.
type s3Staged struct {
	s    *S3
	key  string
	size int64
}

func (s *S3) stage(ctx context.Context, r io.Reader) (staged, error) {
	var rnd [16]byte
	rand.Read(rnd[:])
	key := tmpPrefix + hex.EncodeToString(rnd[:])
	src := &srcReader{r: ctxReader{ctx, r}}
	ui, err := s.client.PutObject(ctx, s.bucket, key, src, -1, minio.PutObjectOptions{
		ContentType: defaultContentType,
		PartSize:    s.partSize,
	})
	if err != nil {
		// minio-go aborts the multipart upload, unless the service is
		// unreachable; try again here, and remove any completed object.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.client.RemoveIncompleteUpload(ctx, s.bucket, key)
		s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
		return nil, s.mapErr(src.failure(err), key)
	}
	return &s3Staged{s: s, key: key, size: ui.Size}, nil
}

func (st *s3Staged) commit(ctx context.Context, key, contentType, sha256Hex string) (Info, error) {
	s := st.s
	if contentType == "" {
		contentType = defaultContentType
	}
	src := minio.CopySrcOptions{Bucket: s.bucket, Object: st.key}
	var ui minio.UploadInfo
	var err error
	if st.size <= copyLimit {
		ui, err = s.client.CopyObject(ctx, minio.CopyDestOptions{
			Bucket:          s.bucket,
			Object:          key,
			ContentType:     contentType,
			UserMetadata:    map[string]string{metaSHA256: sha256Hex},
			ReplaceMetadata: true,
		}, src)
	} else {
		// A multipart copy: ComposeObject starts the upload with the
		// UserMetadata only, so the content type goes there.
		ui, err = s.client.ComposeObject(ctx, minio.CopyDestOptions{
			Bucket:          s.bucket,
			Object:          key,
			UserMetadata:    map[string]string{metaSHA256: sha256Hex, "Content-Type": contentType},
			ReplaceMetadata: true,
		}, src)
	}
	if err != nil {
		return Info{}, s.mapErr(err, key)
	}
	st.discard()
	return Info{Key: key, Size: st.size, ContentType: contentType, SHA256: sha256Hex, ModTime: modTime(ui.LastModified)}, nil
}

// discard removes the temporary object.
func (st *s3Staged) discard() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st.s.client.RemoveObject(ctx, st.s.bucket, st.key, minio.RemoveObjectOptions{})
}

// Open implements Store. The reader also implements io.Seeker.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.mapErr(err, key)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, s.mapErr(err, key)
	}
	return &s3Reader{obj: obj, s: s, key: key}, s.info(oi), nil
}

// s3Reader maps the errors of a *minio.Object.
type s3Reader struct {
	obj *minio.Object
	s   *S3
	key string
}

func (r *s3Reader) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = r.s.mapErr(err, r.key)
	}
	return n, err
}

func (r *s3Reader) Seek(offset int64, whence int) (int64, error) {
	return r.obj.Seek(offset, whence)
}

func (r *s3Reader) Close() error { return r.obj.Close() }

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.mapErr(err, key)
	}
	return s.info(oi), nil
}

func (s *S3) info(oi minio.ObjectInfo) Info {
	info := Info{Key: oi.Key, Size: oi.Size, ContentType: oi.ContentType, ModTime: oi.LastModified, SHA256: blobSHA(oi.Key)}
	for k, v := range oi.UserMetadata {
		if strings.EqualFold(k, metaSHA256) || strings.EqualFold(k, "X-Amz-Meta-"+metaSHA256) {
			info.SHA256 = v
		}
	}
	if info.ContentType == "" {
		info.ContentType = defaultContentType
	}
	return info
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	err := s.mapErr(s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}), key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// List implements Store. It does not list the reserved tmp/ prefix.
func (s *S3) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := validPrefix(prefix); err != nil {
			yield(Info{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx) // stops the lister if we stop early
		defer cancel()
		for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if oi.Err != nil {
				yield(Info{}, s.mapErr(oi.Err, prefix))
				return
			}
			if strings.HasPrefix(oi.Key, tmpPrefix) {
				continue
			}
			if !yield(Info{Key: oi.Key, Size: oi.Size, ModTime: oi.LastModified, SHA256: blobSHA(oi.Key)}, nil) {
				return
			}
		}
	}
}

// PresignGet implements Store with a presigned S3 GET URL; a filename
// becomes the response's Content-Disposition (response-content-disposition).
func (s *S3) PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	if _, err := s.Stat(ctx, key); err != nil {
		return "", err
	}
	params := url.Values{}
	if filename != "" {
		params.Set("response-content-disposition", ContentDisposition(filename))
	}
	u, err := s.presign.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", s.mapErr(err, key)
	}
	return u.String(), nil
}

// Ping implements Store: the bucket must exist and answer. Without a
// deadline on ctx it gives up after 5 seconds.
func (s *S3) Ping(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.mapErr(err, "")
	}
	if !ok {
		return fmt.Errorf("objstore: bucket %q does not exist", s.bucket)
	}
	return nil
}

// Sweep implements Sweeper: it removes temporary objects older than
// olderThan and incomplete multipart uploads under tmp/ (those a crashed
// process left; the lifecycle rule removes them after a day anyway).
func (s *S3) Sweep(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n := 0
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: tmpPrefix, Recursive: true}) {
		if oi.Err != nil {
			return n, s.mapErr(oi.Err, tmpPrefix)
		}
		if oi.LastModified.Before(cutoff) {
			if err := s.client.RemoveObject(ctx, s.bucket, oi.Key, minio.RemoveObjectOptions{}); err != nil {
				return n, s.mapErr(err, oi.Key)
			}
			n++
		}
	}
	for u := range s.client.ListIncompleteUploads(ctx, s.bucket, tmpPrefix, true) {
		if u.Err != nil {
			return n, s.mapErr(u.Err, tmpPrefix)
		}
		if u.Initiated.Before(cutoff) {
			if err := s.client.RemoveIncompleteUpload(ctx, s.bucket, u.Key); err != nil {
				return n, s.mapErr(err, u.Key)
			}
			n++
		}
	}
	return n, nil
}
