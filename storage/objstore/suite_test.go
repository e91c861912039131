package objstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/storage/objstore"
)

// backend is what the shared suite needs from a backend under test.
type backend struct {
	// newStore returns an empty store of its own.
	newStore func(t *testing.T) objstore.Store
	// leftovers lists what failed uploads may leave outside the key space
	// (temp files, tmp/ objects, incomplete multipart uploads).
	leftovers func(t *testing.T, s objstore.Store) []string
	// stop and start take the backend down and up again (nil: no outages).
	stop, start func()
}

// runSuite runs the tests every backend must pass.
func runSuite(t *testing.T, b backend) {
	// Independent stores: run in parallel (the presign tests sleep).
	t.Run("group", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			fn   func(*testing.T, backend, objstore.Store)
		}{
			{"RoundTrip", testRoundTrip},
			{"NotFound", testNotFound},
			{"InvalidKeys", testInvalidKeys},
			{"ShortReader", testShortReader},
			{"PutBytes", testPutBytes},
			{"ContentDedup", testContentDedup},
			{"ContentConcurrent", testContentConcurrent},
			{"TooLarge", testTooLarge},
			{"Interrupted", testInterrupted},
			{"Cancelled", testCancelled},
			{"Presign", testPresign},
			{"PresignExpires", testPresignExpires},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, b, b.newStore(t))
			})
		}
	})
	if b.stop != nil {
		t.Run("Outage", func(t *testing.T) { testOutage(t, b, b.newStore(t)) })
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func keys(t *testing.T, s objstore.Store, prefix string) []string {
	t.Helper()
	infos, err := objstore.ListAll(ctxT(t), s, prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	var ks []string
	for _, i := range infos {
		ks = append(ks, i.Key)
	}
	return ks
}

func readAll(t *testing.T, s objstore.Store, key string) ([]byte, objstore.Info) {
	t.Helper()
	rc, info, err := s.Open(ctxT(t), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b, info
}

// assertClean fails if the store holds other keys than want or anything
// is left outside the key space.
func assertClean(t *testing.T, b backend, s objstore.Store, want []string) {
	t.Helper()
	if got := keys(t, s, ""); !slices.Equal(got, want) {
		t.Errorf("keys = %q, want %q", got, want)
	}
	if l := b.leftovers(t, s); len(l) > 0 {
		t.Errorf("left behind: %q", l)
	}
}

func testRoundTrip(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	k1 := "skus/維他檸檬茶/說明書 v2.pdf"
	k2 := "skus/維他檸檬茶/photo+1.jpg"
	k3 := "skus/維他奶/a.txt"
	d1 := []byte("%PDF-1.7 維他")
	info, err := s.Put(ctx, k1, bytes.NewReader(d1), int64(len(d1)), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != k1 || info.Size != int64(len(d1)) || info.ContentType != "application/pdf" || info.ModTime.IsZero() {
		t.Errorf("Put info = %+v", info)
	}
	// Unknown size, not seekable.
	d2 := bytes.Repeat([]byte("jpeg"), 100000)
	if _, err := s.Put(ctx, k2, io.MultiReader(bytes.NewReader(d2)), -1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, k3, strings.NewReader("old"), 3, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, k3, strings.NewReader("new!"), 4, "text/plain"); err != nil {
		t.Fatal(err)
	}

	got, info := readAll(t, s, k1)
	if !bytes.Equal(got, d1) || info.Size != int64(len(d1)) || info.ContentType != "application/pdf" {
		t.Errorf("Open %q = %q %+v", k1, got, info)
	}
	if info.SHA256 != "" && info.SHA256 != sha(d1) {
		t.Errorf("SHA256 = %s, want %s", info.SHA256, sha(d1))
	}
	if got, _ := readAll(t, s, k2); !bytes.Equal(got, d2) {
		t.Errorf("Open %q: %d bytes, want %d", k2, len(got), len(d2))
	}
	if got, info := readAll(t, s, k3); string(got) != "new!" || info.ContentType != "text/plain" {
		t.Errorf("overwritten %q = %q %+v", k3, got, info)
	}
	st, err := s.Stat(ctx, k2)
	if err != nil || st.Size != int64(len(d2)) || st.ContentType != "image/jpeg" || st.Key != k2 {
		t.Errorf("Stat = %+v, %v", st, err)
	}

	// Seekable readers (for http.ServeContent).
	rc, _, err := s.Open(ctx, k2)
	if err != nil {
		t.Fatal(err)
	}
	if rs, ok := rc.(io.ReadSeeker); !ok {
		t.Errorf("Open's reader %T is no io.Seeker", rc)
	} else {
		rs.Seek(-4, io.SeekEnd)
		if tail, _ := io.ReadAll(rs); string(tail) != "jpeg" {
			t.Errorf("tail after Seek = %q", tail)
		}
	}
	rc.Close()

	if got, want := keys(t, s, ""), []string{k3, k2, k1}; !slices.Equal(got, want) {
		t.Errorf("List all = %q, want %q", got, want)
	}
	if got, want := keys(t, s, "skus/維他檸檬茶/"), []string{k2, k1}; !slices.Equal(got, want) {
		t.Errorf("List dir = %q, want %q", got, want)
	}
	if got, want := keys(t, s, "skus/維他"), []string{k3, k2, k1}; !slices.Equal(got, want) {
		t.Errorf("List partial segment = %q, want %q", got, want)
	}
	if got := keys(t, s, "skus/none/"); len(got) != 0 {
		t.Errorf("List missing prefix = %q", got)
	}
	infos, _ := objstore.ListAll(ctx, s, "skus/維他奶/")
	if len(infos) != 1 || infos[0].Size != 4 || infos[0].ModTime.IsZero() {
		t.Errorf("List infos = %+v", infos)
	}
	// Stopping early is fine.
	for range s.List(ctx, "") {
		break
	}

	if err := s.Delete(ctx, k1); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, k1); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := s.Stat(ctx, k1); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat after Delete: %v", err)
	}
	s.Delete(ctx, k2)
	s.Delete(ctx, k3)
	assertClean(t, b, s, nil)
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testNotFound(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	k := "skus/X1/missing.pdf"
	if _, _, err := s.Open(ctx, k); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Open: %v", err)
	}
	if _, err := s.Stat(ctx, k); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat: %v", err)
	}
	if _, err := s.PresignGet(ctx, k, time.Minute, ""); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("PresignGet: %v", err)
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Errorf("Delete: %v", err)
	}
	// A prefix of an existing key is not an object.
	objstore.PutBytes(ctx, s, "skus/X1/a/b", []byte("x"), "")
	if _, err := s.Stat(ctx, "skus/X1/a"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat of a prefix: %v", err)
	}
	if err := s.Delete(ctx, "skus/X1/a"); err != nil {
		t.Errorf("Delete of a prefix: %v", err)
	}
	if got := keys(t, s, ""); !slices.Equal(got, []string{"skus/X1/a/b"}) {
		t.Errorf("keys = %q", got)
	}
}

var badKeys = []string{
	"", "/skus/a", "skus/a/", "skus//a", "skus/../etc/passwd", "..", "./a", "skus/./a",
	`skus\a`, "skus/a\x00b", "skus/a\nb", "skus/\xff", "tmp/x", strings.Repeat("k", 1025),
	"skus/" + strings.Repeat("s", 256),
}

func testInvalidKeys(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	for _, k := range badKeys {
		if _, err := objstore.PutBytes(ctx, s, k, []byte("x"), ""); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("Put(%q): %v", k, err)
		}
		if _, _, err := s.Open(ctx, k); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("Open(%q): %v", k, err)
		}
		if _, err := s.Stat(ctx, k); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("Stat(%q): %v", k, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("Delete(%q): %v", k, err)
		}
		if _, err := s.PresignGet(ctx, k, time.Minute, ""); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("PresignGet(%q): %v", k, err)
		}
	}
	for _, p := range []string{"/a", "a//", "../", "tmp/"} {
		if _, err := objstore.ListAll(ctx, s, p); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("List(%q): %v", p, err)
		}
	}
	// The longest acceptable key works.
	long := strings.Repeat(strings.Repeat("k", 200)+"/", 5) + strings.Repeat("z", 19)
	if _, err := objstore.PutBytes(ctx, s, long, []byte("x"), ""); err != nil {
		t.Errorf("Put of a %d-byte key: %v", len(long), err)
	}
	assertClean(t, b, s, []string{long})
}

func testShortReader(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	if _, err := s.Put(ctx, "skus/a", strings.NewReader("12345"), 10, ""); err == nil {
		t.Error("Put of 5 bytes announced as 10: no error")
	}
	assertClean(t, b, s, nil)
}

func testPutBytes(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	doc := []byte(`{"blob":"blobs/sha256/ab/abcd","name":"維他檸檬茶.pdf"}`)
	k := "skus/4891028164456/documents/d1.json"
	info, err := objstore.PutBytes(ctx, s, k, doc, "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if info.SHA256 != sha(doc) || info.Size != int64(len(doc)) {
		t.Errorf("PutBytes info = %+v", info)
	}
	st, err := s.Stat(ctx, k)
	if err != nil || st.SHA256 != sha(doc) || st.ContentType != "application/json" || st.Size != int64(len(doc)) {
		t.Errorf("Stat = %+v, %v", st, err)
	}
}

func testContentDedup(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	data := bytes.Repeat([]byte("%PDF pandian "), 1<<17) // 1.6 MiB
	want := objstore.BlobKey(sha(data))
	if !strings.HasPrefix(want, "blobs/sha256/"+sha(data)[:2]+"/") {
		t.Fatalf("BlobKey = %s", want)
	}
	info, err := objstore.PutContent(ctx, s, bytes.NewReader(data), int64(len(data)), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != want || info.SHA256 != sha(data) || info.Size != int64(len(data)) || info.ContentType != "application/pdf" {
		t.Errorf("PutContent info = %+v", info)
	}
	// The same bytes again (another content type even): the first stays.
	again, err := objstore.PutContent(ctx, s, io.MultiReader(bytes.NewReader(data)), 10<<20, "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if again.Key != want || again.ContentType != "application/pdf" || again.SHA256 != sha(data) || !again.ModTime.Equal(info.ModTime) && again.ModTime.Sub(info.ModTime).Abs() > time.Second {
		t.Errorf("second PutContent = %+v, first %+v", again, info)
	}
	got, st := readAll(t, s, want)
	if !bytes.Equal(got, data) || st.SHA256 != sha(data) || st.ContentType != "application/pdf" {
		t.Errorf("Open blob: %d bytes, %+v", len(got), st)
	}
	if l, _ := objstore.ListAll(ctx, s, ""); len(l) != 1 || l[0].SHA256 != sha(data) {
		t.Errorf("List = %+v", l)
	}
	// Empty content is content too.
	empty, err := objstore.PutContent(ctx, s, strings.NewReader(""), 1, "text/plain")
	if err != nil || empty.Size != 0 || empty.Key != objstore.BlobKey(sha(nil)) {
		t.Errorf("empty PutContent = %+v, %v", empty, err)
	}
	assertClean(t, b, s, []string{want, empty.Key})
}

func testContentConcurrent(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	data := bytes.Repeat([]byte{7}, 300<<10)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			info, err := objstore.PutContent(ctx, s, bytes.NewReader(data), 1<<20, "image/png")
			if err == nil && info.Key != objstore.BlobKey(sha(data)) {
				err = fmt.Errorf("key %s", info.Key)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	assertClean(t, b, s, []string{objstore.BlobKey(sha(data))})
}

// patternReader yields n bytes of a pattern without allocating them.
type patternReader struct{ n, off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		b[i] = byte((p.off + int64(i)) % 251)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func testTooLarge(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	const limit = 7 << 20 // over one S3 part in the tests
	// A 2 GB upload, cut as soon as it passes the limit.
	src := &patternReader{n: 2 << 30}
	_, err := objstore.PutContent(ctx, s, src, limit, "application/pdf")
	if !errors.Is(err, objstore.ErrTooLarge) {
		t.Fatalf("PutContent of 2 GB: %v", err)
	}
	if src.off > limit+32<<20 {
		t.Errorf("read %d bytes of the stream before giving up", src.off)
	}
	// One byte over.
	if _, err := objstore.PutContent(ctx, s, &patternReader{n: 1<<20 + 1}, 1<<20, ""); !errors.Is(err, objstore.ErrTooLarge) {
		t.Errorf("PutContent of limit+1: %v", err)
	}
	assertClean(t, b, s, nil)
	// Exactly at the limit.
	info, err := objstore.PutContent(ctx, s, &patternReader{n: 1 << 20}, 1<<20, "")
	if err != nil || info.Size != 1<<20 {
		t.Errorf("PutContent at the limit = %+v, %v", info, err)
	}
	if _, err := objstore.PutContent(ctx, s, strings.NewReader("x"), 0, ""); err == nil {
		t.Error("maxBytes 0 accepted")
	}
}

var errBoom = errors.New("client went away")

// failingReader yields n bytes, then fails.
type failingReader struct{ patternReader }

func (f *failingReader) Read(b []byte) (int, error) {
	n, err := f.patternReader.Read(b)
	if err == io.EOF {
		return n, errBoom
	}
	return n, err
}

func testInterrupted(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	// Fails half-way through the upload, after two S3 parts.
	_, err := objstore.PutContent(ctx, s, &failingReader{patternReader{n: 12 << 20}}, 100<<20, "application/pdf")
	if !errors.Is(err, errBoom) {
		t.Fatalf("PutContent: %v, want %v", err, errBoom)
	}
	if errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("client failure reported as backend failure: %v", err)
	}
	// Put too.
	if _, err := s.Put(ctx, "skus/a/b.pdf", &failingReader{patternReader{n: 1 << 20}}, -1, ""); !errors.Is(err, errBoom) {
		t.Errorf("Put: %v", err)
	}
	assertClean(t, b, s, nil)
}

// blockingReader yields n bytes, then waits for release and yields m more.
type blockingReader struct {
	patternReader
	n       int64
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlockingReader(n, total int64) *blockingReader {
	return &blockingReader{patternReader: patternReader{n: total}, n: n, reached: make(chan struct{}), release: make(chan struct{})}
}

func (r *blockingReader) Read(b []byte) (int, error) {
	if r.off >= r.n {
		r.once.Do(func() { close(r.reached) })
		<-r.release
	} else if int64(len(b)) > r.n-r.off {
		b = b[:r.n-r.off]
	}
	return r.patternReader.Read(b)
}

func testCancelled(t *testing.T, b backend, s objstore.Store) {
	ctx, cancel := context.WithCancel(ctxT(t))
	src := newBlockingReader(6<<20, 12<<20)
	done := make(chan error)
	go func() {
		_, err := objstore.PutContent(ctx, s, src, 100<<20, "")
		done <- err
	}()
	<-src.reached
	cancel()
	close(src.release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("PutContent after cancel: %v", err)
	}
	assertClean(t, b, s, nil)
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

func testPresign(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	data := []byte("%PDF-1.7 certificate")
	info, err := objstore.PutContent(ctx, s, bytes.NewReader(data), 1<<20, "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx, info.Key, time.Minute, "維他檸檬茶 證書.pdf")
	if err != nil {
		t.Fatal(err)
	}
	code, h, body := get(t, u)
	if code != 200 || !bytes.Equal(body, data) {
		t.Fatalf("GET presigned: %d %q", code, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "%E7%B6%AD") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	// Without a filename; a UTF-8 key.
	k := "skus/維他檸檬茶/說明書 v2+1.pdf"
	objstore.PutBytes(ctx, s, k, data, "application/pdf")
	u2, err := s.PresignGet(ctx, k, time.Minute, "")
	if err != nil {
		t.Fatal(err)
	}
	if code, h, body := get(t, u2); code != 200 || !bytes.Equal(body, data) || h.Get("Content-Disposition") != "" {
		t.Errorf("GET presigned UTF-8 key: %d %q %q", code, body, h.Get("Content-Disposition"))
	}
	// Tampered: another key with the same signature.
	objstore.PutBytes(ctx, s, "skus/secret.pdf", []byte("secret"), "")
	i, j := strings.Index(u2, "/skus/"), strings.Index(u2, "?")
	bad := u2[:i] + "/skus/secret.pdf" + u2[j:]
	if code, _, body := get(t, bad); code != http.StatusForbidden {
		t.Errorf("GET tampered URL: %d %q", code, body)
	}
	for _, ttl := range []time.Duration{0, -time.Second, 8 * 24 * time.Hour} {
		if _, err := s.PresignGet(ctx, k, ttl, ""); err == nil {
			t.Errorf("PresignGet ttl %s accepted", ttl)
		}
	}
}

func testPresignExpires(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	info, err := objstore.PutBytes(ctx, s, "skus/a/x.pdf", []byte("x"), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx, info.Key, time.Second, "x.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := get(t, u); code != 200 {
		t.Fatalf("fresh link: %d", code)
	}
	time.Sleep(2500 * time.Millisecond)
	if code, _, body := get(t, u); code != http.StatusForbidden {
		t.Errorf("expired link: %d %q", code, body)
	}
}

func testOutage(t *testing.T, b backend, s objstore.Store) {
	ctx := ctxT(t)
	kept, err := objstore.PutBytes(ctx, s, "skus/a/kept.json", []byte("{}"), "application/json")
	if err != nil {
		t.Fatal(err)
	}

	// The backend dies half-way through an upload.
	src := newBlockingReader(6<<20, 12<<20)
	done := make(chan error)
	go func() {
		_, err := objstore.PutContent(ctx, s, src, 100<<20, "application/pdf")
		done <- err
	}()
	<-src.reached
	b.stop()
	close(src.release)
	if err := <-done; !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("PutContent during outage: %v", err)
	}

	// Everything reports the outage.
	if err := s.Ping(ctx); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("Ping while down: %v", err)
	}
	if _, err := s.Stat(ctx, kept.Key); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("Stat while down: %v", err)
	}
	if _, _, err := s.Open(ctx, kept.Key); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("Open while down: %v", err)
	}
	if _, err := objstore.PutContent(ctx, s, strings.NewReader("x"), 10, ""); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("PutContent while down: %v", err)
	}
	if _, err := objstore.ListAll(ctx, s, ""); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("List while down: %v", err)
	}
	if err := s.Delete(ctx, kept.Key); !errors.Is(err, objstore.ErrUnavailable) {
		t.Errorf("Delete while down: %v", err)
	}

	b.start()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after restart: %v", err)
	}
	// No blob; what the crash left in tmp/ goes with Sweep (or the
	// lifecycle rule, a day later).
	if got := keys(t, s, ""); !slices.Equal(got, []string{kept.Key}) {
		t.Errorf("keys after restart = %q", got)
	}
	if sw, ok := s.(objstore.Sweeper); ok {
		if _, err := sw.Sweep(ctx, 0); err != nil {
			t.Errorf("Sweep: %v", err)
		}
	}
	assertClean(t, b, s, []string{kept.Key})
	// And the store works again.
	if _, err := objstore.PutContent(ctx, s, strings.NewReader("after"), 10, ""); err != nil {
		t.Errorf("PutContent after restart: %v", err)
	}
}
