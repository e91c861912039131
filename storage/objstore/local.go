package objstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// StaleTempAge is how long a local temporary upload may go unwritten
// before NewLocal's startup sweep removes it.
const StaleTempAge = time.Hour

// defaultContentType is reported for objects stored without one.
const defaultContentType = "application/octet-stream"

// Local is a Store on the local filesystem. Under its directory it keeps
//
//	objects/<key>  the content, as a plain file
//	meta/<key>     JSON metadata (content type, SHA-256)
//	tmp/           uploads in progress
//
// Objects are written to tmp/, fsynced and renamed into place, so a crash
// never leaves a partial object. As on any filesystem, one key cannot be
// both an object and a prefix of another ("a" and "a/b"); Put reports
// such a conflict as ErrInvalidKey.
//
// Downloads go through the application's HTTP server: PresignGet returns
// a link signed with HMAC-SHA256 that the server checks with VerifyURL
// before serving Open's reader.
type Local struct {
	dir, objects, meta, tmp string
	signingKey              []byte
	baseURL                 string
}

var (
	_ Store   = (*Local)(nil)
	_ Sweeper = (*Local)(nil)
	_ stager  = (*Local)(nil)
)

// NewLocal opens (creating it if needed) a local store in dir and removes
// temporary uploads older than StaleTempAge left by earlier processes.
//
// signingKey signs download links (at least 16 bytes; nil or empty picks a
// random key, so links stop working at restart). baseURL is the public
// URL of the HTTP server ("https://pandian.example.com", or "" for
// host-relative links); links have the form
// baseURL + "/v1/files/<key>?exp=<unix>&sig=<hex>[&filename=<name>]".
func NewLocal(dir string, signingKey []byte, baseURL string) (*Local, error) {
	switch {
	case len(signingKey) == 0:
		signingKey = make([]byte, 32)
		rand.Read(signingKey)
	case len(signingKey) < 16:
		return nil, errors.New("objstore: signing key shorter than 16 bytes")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	l := &Local{
		dir:        dir,
		objects:    filepath.Join(dir, "objects"),
		meta:       filepath.Join(dir, "meta"),
		tmp:        filepath.Join(dir, "tmp"),
		signingKey: slices.Clone(signingKey),
		baseURL:    strings.TrimRight(baseURL, "/"),
	}
	for _, d := range []string{l.objects, l.meta, l.tmp} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("objstore: %w", err)
		}
	}
	if _, err := l.Sweep(context.Background(), StaleTempAge); err != nil {
		return nil, err
	}
	return l, nil
}

// localMeta is the sidecar of an object. Size and MTime identify the
// content file it describes: a sidecar that does not match (a crash
// between the two renames) is ignored.
type localMeta struct {
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256,omitempty"`
	Size        int64  `json:"size"`
	MTime       int64  `json:"mtime_ns"`
}

func (l *Local) objPath(key string) string  { return filepath.Join(l.objects, filepath.FromSlash(key)) }
func (l *Local) metaPath(key string) string { return filepath.Join(l.meta, filepath.FromSlash(key)) }

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if size >= 0 {
		r = &exactReader{r: io.LimitReader(r, size), want: size}
	}
	h := sha256.New()
	st, err := l.stage(ctx, io.TeeReader(r, h))
	if err != nil {
		return Info{}, err
	}
	info, err := st.commit(ctx, key, contentType, hex.EncodeToString(h.Sum(nil)))
	if err != nil {
		st.discard()
	}
	return info, err
}

// exactReader fails with io.ErrUnexpectedEOF if r ends before want bytes.
type exactReader struct {
	r          io.Reader
	want, read int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.read += int64(n)
	if err == io.EOF && e.read < e.want {
		err = fmt.Errorf("objstore: %w: read %d of %d bytes", io.ErrUnexpectedEOF, e.read, e.want)
	}
	return n, err
}

// localStaged is a complete, fsynced temp file.
type localStaged struct {
	l    *Local
	name string
}

func (l *Local) stage(ctx context.Context, r io.Reader) (staged, error) {
	f, err := os.CreateTemp(l.tmp, "put-*")
	if err != nil {
		return nil, fmt.Errorf("objstore: %w", err)
	}
	_, err = io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &localStaged{l, f.Name()}, nil
}

func (s *localStaged) discard() { os.Remove(s.name) }

// commit writes the sidecar, then renames the content and the sidecar into
// place and syncs their directories.
func (s *localStaged) commit(ctx context.Context, key, contentType, sha256Hex string) (Info, error) {
	l := s.l
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(s.name)
	if err != nil {
		return Info{}, fmt.Errorf("objstore: %w", err)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	m := localMeta{ContentType: contentType, SHA256: sha256Hex, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	mtmp, err := writeTemp(l.tmp, m)
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(mtmp) // a no-op once renamed

	if err := l.renameInto(s.name, l.objPath(key)); err != nil {
		return Info{}, l.conflict(key, err)
	}
	if err := l.renameInto(mtmp, l.metaPath(key)); err != nil {
		return Info{}, l.conflict(key, err)
	}
	syncDir(filepath.Dir(l.objPath(key)))
	syncDir(filepath.Dir(l.metaPath(key)))
	return Info{Key: key, Size: m.Size, ContentType: contentType, SHA256: sha256Hex, ModTime: fi.ModTime()}, nil
}

// renameInto renames from to to, creating to's directory. A concurrent
// Delete may remove that directory as empty in between; retry then.
func (l *Local) renameInto(from, to string) error {
	var err error
	for range 5 {
		if err = os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
			return err
		}
		if err = os.Rename(from, to); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, serr := os.Stat(from); serr != nil {
			return err // the source vanished: not a race with Delete
		}
	}
	return err
}

// conflict explains errors from a key that collides with a directory.
func (l *Local) conflict(key string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		return fmt.Errorf("%w %q: conflicts with another key on the local store (an object cannot also be a prefix): %v", ErrInvalidKey, key, err)
	}
	return fmt.Errorf("objstore: %w", err)
}

// writeTemp writes v as JSON to a new fsynced file in dir.
func writeTemp(dir string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "meta-*")
	if err != nil {
		return "", fmt.Errorf("objstore: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("objstore: %w", err)
	}
	return f.Name(), nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open implements Store. The reader is an *os.File.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(l.objPath(key))
	if err != nil {
		return nil, Info{}, l.notFound(key, err)
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		f.Close()
		return nil, Info{}, l.notFound(key, err)
	}
	return f, l.info(key, fi), nil
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(l.objPath(key))
	if err != nil || fi.IsDir() {
		return Info{}, l.notFound(key, err)
	}
	return l.info(key, fi), nil
}

func (l *Local) notFound(key string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %q", ErrNotFound, key)
	}
	return fmt.Errorf("objstore: %w", err)
}

// info builds the Info of the content file fi from its sidecar.
func (l *Local) info(key string, fi fs.FileInfo) Info {
	info := Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime(), ContentType: defaultContentType, SHA256: blobSHA(key)}
	var m localMeta
	if b, err := os.ReadFile(l.metaPath(key)); err == nil && json.Unmarshal(b, &m) == nil &&
		m.Size == fi.Size() && m.MTime == fi.ModTime().UnixNano() {
		info.ContentType = m.ContentType
		if m.SHA256 != "" {
			info.SHA256 = m.SHA256
		}
	}
	return info
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	p := l.objPath(key)
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		return nil // a prefix, not an object
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("objstore: %w", err)
	}
	os.Remove(l.metaPath(key))
	pruneDirs(l.objects, filepath.Dir(p))
	pruneDirs(l.meta, filepath.Dir(l.metaPath(key)))
	return nil
}

// pruneDirs removes dir and its parents below root while they are empty.
func pruneDirs(root, dir string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// List implements Store.
func (l *Local) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := validPrefix(prefix); err != nil {
			yield(Info{}, err)
			return
		}
		// Walk the deepest directory that holds every match.
		root := l.objects
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			root = l.objPath(prefix[:i])
		}
		var infos []Info
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
					return fs.SkipAll
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(l.objects, p)
			if err != nil {
				return err
			}
			key := filepath.ToSlash(rel)
			if !strings.HasPrefix(key, prefix) {
				return nil
			}
			fi, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted meanwhile
			} else if err != nil {
				return err
			}
			infos = append(infos, Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime(), SHA256: blobSHA(key)})
			return nil
		})
		if err != nil {
			yield(Info{}, fmt.Errorf("objstore: list %q: %w", prefix, err))
			return
		}
		// S3 order: bytewise by key (a directory walk puts "a/b" before "a-c").
		slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Key, b.Key) })
		for _, info := range infos {
			if !yield(info, nil) {
				return
			}
		}
	}
}

// Ping implements Store: the store's directories must exist.
func (l *Local) Ping(ctx context.Context) error {
	for _, d := range []string{l.objects, l.meta, l.tmp} {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%w: %s is not a directory", ErrUnavailable, d)
		}
	}
	return nil
}

// Sweep implements Sweeper: it removes files in tmp/ not modified for
// olderThan (a live upload touches its temp file with every write).
func (l *Local) Sweep(ctx context.Context, olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(l.tmp)
	if err != nil {
		return 0, fmt.Errorf("objstore: sweep: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	n := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		fi, err := e.Info()
		if err != nil || !fi.ModTime().Before(cutoff) {
			continue
		}
		if os.RemoveAll(filepath.Join(l.tmp, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

// Dir returns the store's root directory.
func (l *Local) Dir() string { return l.dir }

// escapeKey escapes each segment of key for use in a URL path.
func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
