package objstore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/storage/objstore"
)

// filesHandler serves local download links the way the HTTP layer should:
// check the link with VerifyURL, then serve Open's reader.
func filesHandler(st *objstore.Local) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.URL.Path, objstore.FilesPath) // r.URL.Path is unescaped
		q := r.URL.Query()
		exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
		if !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		if err := st.VerifyURL(key, exp, q.Get("sig"), time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden) // ErrExpired, ErrBadSignature, ErrInvalidKey
			return
		}
		rc, info, err := st.Open(r.Context(), key)
		if errors.Is(err, objstore.ErrNotFound) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", info.ContentType)
		if name := q.Get("filename"); name != "" {
			w.Header().Set("Content-Disposition", objstore.ContentDisposition(name))
		}
		http.ServeContent(w, r, "", info.ModTime, rc.(io.ReadSeeker))
	})
}

func newLocal(t *testing.T) *objstore.Local {
	var (
		mu sync.Mutex
		st *objstore.Local
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		filesHandler(st).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	mu.Lock()
	defer mu.Unlock()
	var err error
	st, err = objstore.NewLocal(t.TempDir(), []byte("0123456789abcdef-test-key"), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func localLeftovers(t *testing.T, s objstore.Store) []string {
	entries, err := os.ReadDir(filepath.Join(s.(*objstore.Local).Dir(), "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, "tmp/"+e.Name())
	}
	return names
}

func TestLocal(t *testing.T) {
	runSuite(t, backend{
		newStore:  func(t *testing.T) objstore.Store { return newLocal(t) },
		leftovers: localLeftovers,
	})
}

func TestLocalVerifyURL(t *testing.T) {
	st := newLocal(t)
	ctx := context.Background()
	objstore.PutBytes(ctx, st, "skus/a/b.pdf", []byte("x"), "")
	u, err := st.PresignGet(ctx, "skus/a/b.pdf", time.Minute, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, objstore.FilesPath+"skus/a/b.pdf?exp=") || strings.Contains(u, "//v1") {
		t.Errorf("URL = %s", u)
	}
	sig := u[strings.Index(u, "sig=")+4:]
	exp, _ := strconv.ParseInt(u[strings.Index(u, "exp=")+4:strings.Index(u, "&")], 10, 64)
	now := time.Now()
	if err := st.VerifyURL("skus/a/b.pdf", exp, sig, now); err != nil {
		t.Errorf("genuine: %v", err)
	}
	if err := st.VerifyURL("skus/a/b.pdf", exp, sig, time.Unix(exp, 0)); !errors.Is(err, objstore.ErrExpired) {
		t.Errorf("at expiry: %v", err)
	}
	for _, c := range []struct {
		key string
		exp int64
		sig string
	}{
		{"skus/a/c.pdf", exp, sig},
		{"skus/a/b.pdf", exp + 3600, sig},
		{"skus/a/b.pdf", exp, flipLast(sig)},
		{"skus/a/b.pdf", exp, ""},
		{"skus/a/b.pdf", exp, "zz"},
	} {
		if err := st.VerifyURL(c.key, c.exp, c.sig, now); !errors.Is(err, objstore.ErrBadSignature) {
			t.Errorf("VerifyURL(%q, %d, %q) = %v", c.key, c.exp, c.sig, err)
		}
	}
	if err := st.VerifyURL("../x", exp, sig, now); !errors.Is(err, objstore.ErrInvalidKey) {
		t.Errorf("bad key: %v", err)
	}
	// Another store (another key) does not accept the link.
	other, _ := objstore.NewLocal(st.Dir(), []byte("another key of 16+ bytes"), "")
	if err := other.VerifyURL("skus/a/b.pdf", exp, sig, now); !errors.Is(err, objstore.ErrBadSignature) {
		t.Errorf("other key: %v", err)
	}
	if _, err := objstore.NewLocal(t.TempDir(), []byte("short"), ""); err == nil {
		t.Error("short signing key accepted")
	}
}

func flipLast(s string) string {
	if strings.HasSuffix(s, "0") {
		return s[:len(s)-1] + "1"
	}
	return s[:len(s)-1] + "0"
}

func TestLocalSweep(t *testing.T) {
	dir := t.TempDir()
	st, err := objstore.NewLocal(dir, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "tmp", "put-crashed")
	fresh := filepath.Join(dir, "tmp", "put-running")
	os.WriteFile(stale, []byte("partial"), 0o600)
	os.WriteFile(fresh, []byte("partial"), 0o600)
	old := time.Now().Add(-2 * objstore.StaleTempAge)
	os.Chtimes(stale, old, old)
	// A restart sweeps stale temp files only.
	if _, err := objstore.NewLocal(dir, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp file survived the restart: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
	if n, err := st.Sweep(context.Background(), 0); n != 1 || err != nil {
		t.Errorf("Sweep = %d, %v", n, err)
	}
}

func TestLocalLayout(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, _ := objstore.NewLocal(dir, nil, "")
	data := []byte("plain file")
	info, err := objstore.PutContent(ctx, st, strings.NewReader(string(data)), 100, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	// Objects are plain files.
	if b, err := os.ReadFile(filepath.Join(dir, "objects", filepath.FromSlash(info.Key))); err != nil || string(b) != string(data) {
		t.Errorf("object file: %q, %v", b, err)
	}
	// A sidecar that does not match the file (a crash between the two
	// renames) is ignored; the hash of a blob still comes from its key.
	os.WriteFile(filepath.Join(dir, "objects", filepath.FromSlash(info.Key)), []byte("plain filE"), 0o600)
	st2, _ := st.Stat(ctx, info.Key)
	if st2.ContentType != "application/octet-stream" || st2.SHA256 != info.SHA256 {
		t.Errorf("Stat with stale sidecar = %+v", st2)
	}
	// An object cannot also be a prefix on the filesystem.
	objstore.PutBytes(ctx, st, "skus/a/b", []byte("x"), "")
	if _, err := objstore.PutBytes(ctx, st, "skus/a", []byte("x"), ""); !errors.Is(err, objstore.ErrInvalidKey) {
		t.Errorf("Put of a prefix: %v", err)
	}
	if _, err := objstore.PutBytes(ctx, st, "skus/a/b/c", []byte("x"), ""); !errors.Is(err, objstore.ErrInvalidKey) {
		t.Errorf("Put under an object: %v", err)
	}
	if l := localLeftovers(t, st); len(l) > 0 {
		t.Errorf("left behind: %q", l)
	}
	// Delete prunes empty directories.
	st.Delete(ctx, "skus/a/b")
	if _, err := os.Stat(filepath.Join(dir, "objects", "skus")); !os.IsNotExist(err) {
		t.Errorf("empty directories kept: %v", err)
	}
}
