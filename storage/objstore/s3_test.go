package objstore_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"pandian/storage/objstore"
	"pandian/storage/objstore/miniotest"
)

// newS3 returns a store in a new bucket of srv, with 5 MiB parts (the S3
// minimum) so that the suite's uploads of a few MiB span several parts.
func newS3(t *testing.T, srv *miniotest.Server) *objstore.S3 {
	t.Helper()
	cfg := srv.Config()
	var rnd [6]byte
	rand.Read(rnd[:])
	cfg.Bucket = "t-" + hex.EncodeToString(rnd[:])
	cfg.PartSize = 5 << 20
	st, err := objstore.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return st
}

// s3Leftovers lists tmp/ objects and incomplete multipart uploads.
func s3Leftovers(t *testing.T, s objstore.Store) []string {
	st := s.(*objstore.S3)
	ctx := ctxT(t)
	var out []string
	for oi := range st.Client().ListObjects(ctx, st.Bucket(), minio.ListObjectsOptions{Recursive: true}) {
		if oi.Err != nil {
			t.Fatal(oi.Err)
		}
		if strings.HasPrefix(oi.Key, "tmp/") {
			out = append(out, oi.Key)
		}
	}
	for u := range st.Client().ListIncompleteUploads(ctx, st.Bucket(), "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		out = append(out, "upload:"+u.Key)
	}
	return out
}

func TestS3(t *testing.T) {
	srv := miniotest.Start(t)
	runSuite(t, backend{
		newStore:  func(t *testing.T) objstore.Store { return newS3(t, srv) },
		leftovers: s3Leftovers,
		stop:      srv.Stop,
		start:     srv.Start,
	})

	t.Run("EnsureBucket", func(t *testing.T) {
		ctx := ctxT(t)
		st := newS3(t, srv)
		c := st.Client()
		// Other rules survive; ours is not duplicated.
		cfg, err := c.GetBucketLifecycle(ctx, st.Bucket())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Rules = append(cfg.Rules, lifecycle.Rule{
			ID: "other", Status: "Enabled",
			RuleFilter: lifecycle.Filter{Prefix: "exports/"},
			Expiration: lifecycle.Expiration{Days: 30},
		})
		if err := c.SetBucketLifecycle(ctx, st.Bucket(), cfg); err != nil {
			t.Fatal(err)
		}
		if err := st.EnsureBucket(ctx); err != nil {
			t.Fatal(err)
		}
		cfg, err = c.GetBucketLifecycle(ctx, st.Bucket())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range cfg.Rules {
			ids = append(ids, r.ID)
			if r.ID == "pandian-objstore-tmp" && (r.RuleFilter.Prefix != "tmp/" || r.Expiration.Days != 1 || r.Status != "Enabled") {
				t.Errorf("tmp rule = %+v", r)
			}
		}
		if len(ids) != 2 || !strings.Contains(strings.Join(ids, ","), "pandian-objstore-tmp") {
			t.Errorf("rules = %q", ids)
		}
	})

	t.Run("MultipartCopy", func(t *testing.T) {
		// Uploads over 5 GiB are copied in parts; try that path with a
		// lower limit.
		defer objstore.SetCopyLimit(1 << 20)()
		ctx := ctxT(t)
		st := newS3(t, srv)
		src := &patternReader{n: 6 << 20}
		info, err := objstore.PutContent(ctx, st, src, 10<<20, "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Stat(ctx, info.Key)
		if err != nil || got.ContentType != "application/pdf" || got.SHA256 != info.SHA256 || got.Size != 6<<20 {
			t.Errorf("Stat = %+v, %v; PutContent %+v", got, err, info)
		}
		if l := s3Leftovers(t, st); len(l) != 0 {
			t.Errorf("left: %q", l)
		}
	})

	t.Run("Sweep", func(t *testing.T) {
		ctx := ctxT(t)
		st := srv.Store(t)
		c := st.Client()
		c.PutObject(ctx, st.Bucket(), "tmp/crashed", strings.NewReader("partial"), 7, minio.PutObjectOptions{})
		// tmp/ is not part of the key space.
		if ks := keys(t, st, ""); len(ks) != 0 {
			t.Errorf("List shows %q", ks)
		}
		if n, err := st.Sweep(ctx, time.Hour); n != 0 || err != nil {
			t.Errorf("Sweep(1h) = %d, %v", n, err)
		}
		if n, err := st.Sweep(ctx, 0); n != 1 || err != nil {
			t.Errorf("Sweep(0) = %d, %v", n, err)
		}
		if l := s3Leftovers(t, st); len(l) != 0 {
			t.Errorf("left: %q", l)
		}
	})

	t.Run("Unreachable", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Endpoint = "127.0.0.1:1" // nothing listens
		st, err := objstore.NewS3(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx := ctxT(t)
		if err := st.Ping(ctx); !errors.Is(err, objstore.ErrUnavailable) {
			t.Errorf("Ping: %v", err)
		}
		if err := st.EnsureBucket(ctx); !errors.Is(err, objstore.ErrUnavailable) {
			t.Errorf("EnsureBucket: %v", err)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Bucket = "no-such-bucket"
		st, _ := objstore.NewS3(cfg)
		ctx := ctxT(t)
		if err := st.Ping(ctx); err == nil || errors.Is(err, objstore.ErrUnavailable) {
			t.Errorf("Ping: %v", err)
		}
		if _, err := st.Stat(ctx, "skus/a"); err == nil || errors.Is(err, objstore.ErrNotFound) {
			t.Errorf("Stat: %v", err)
		}
	})

	t.Run("WrongCredentials", func(t *testing.T) {
		cfg := srv.Config()
		cfg.SecretKey = "wrong-secret-key"
		st, _ := objstore.NewS3(cfg)
		if err := st.Ping(ctxT(t)); err == nil || errors.Is(err, objstore.ErrUnavailable) {
			t.Errorf("Ping: %v", err)
		}
	})
}
