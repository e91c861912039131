package objstore_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"

	"pandian/storage/objstore"
	"pandian/storage/objstore/miniotest"
)

// syncBuffer is a trace output safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lifecycleWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range strings.Split(s.b.String(), "\n") {
		if strings.HasPrefix(l, "PUT ") && strings.Contains(l, "?lifecycle") {
			n++
		}
	}
	return n
}

// TestS3LifecycleOnce: EnsureBucket writes the lifecycle rule when it is
// missing or different, not at every start; without the permission to
// read or write lifecycle rules the bucket is still ensured and the error
// says it is only the rule (ErrLifecycle), so that a server carries on.
func TestS3LifecycleOnce(t *testing.T) {
	srv := miniotest.Start(t)
	st := newS3(t, srv) // the first EnsureBucket wrote the rule
	var trace syncBuffer
	st.Client().TraceOn(&trace)
	for range 3 {
		if err := st.EnsureBucket(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := trace.lifecycleWrites(); n != 0 {
		cfg, _ := st.Client().GetBucketLifecycle(ctxT(t), st.Bucket())
		t.Fatalf("EnsureBucket rewrote an unchanged lifecycle rule %d times: %+v", n, cfg.Rules)
	}
	// Someone changed our rule: it is put back, once.
	ctx := ctxT(t)
	cfg, err := st.Client().GetBucketLifecycle(ctx, st.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rules[0].Expiration.Days = 7
	if err := st.Client().SetBucketLifecycle(ctx, st.Bucket(), cfg); err != nil {
		t.Fatal(err)
	}
	before := trace.lifecycleWrites()
	for range 2 {
		if err := st.EnsureBucket(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := trace.lifecycleWrites() - before; n != 1 {
		t.Fatalf("a changed rule was written %d times, want 1", n)
	}
	cfg, err = st.Client().GetBucketLifecycle(ctx, st.Bucket())
	if err != nil || len(cfg.Rules) != 1 || cfg.Rules[0].Expiration.Days != 1 {
		t.Fatalf("rule after repair: %+v %v", cfg, err)
	}
	st.Client().TraceOff()

	// Credentials that may do anything but lifecycle rules (a session
	// policy on temporary credentials): a new bucket is made, and the
	// error is ErrLifecycle only.
	mc := srv.Config()
	creds, err := credentials.NewSTSAssumeRole(srv.URL(), credentials.STSAssumeRoleOptions{AccessKey: mc.AccessKey, SecretKey: mc.SecretKey,
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]},` +
			`{"Effect":"Deny","Action":["s3:GetLifecycleConfiguration","s3:PutLifecycleConfiguration"],"Resource":["arn:aws:s3:::*"]}]}`})
	if err != nil {
		t.Fatal(err)
	}
	v, err := creds.GetWithContext(nil)
	if err != nil {
		t.Fatalf("assume role: %v", err)
	}
	limited := mc
	limited.AccessKey, limited.SecretKey, limited.SessionToken, limited.Bucket = v.AccessKeyID, v.SecretAccessKey, v.SessionToken, "no-lifecycle"
	ls, err := objstore.NewS3(limited)
	if err != nil {
		t.Fatal(err)
	}
	err = ls.EnsureBucket(ctx)
	if !errors.Is(err, objstore.ErrLifecycle) || errors.Is(err, objstore.ErrUnavailable) {
		t.Fatalf("EnsureBucket without lifecycle permission: %v, want ErrLifecycle", err)
	}
	t.Logf("without lifecycle permission: %v", err)
	if err := ls.Ping(ctx); err != nil {
		t.Fatalf("the bucket was not made: %v", err)
	}
	if _, err := objstore.PutBytes(ctx, ls, "skus/a/x.json", []byte("{}"), "application/json"); err != nil {
		t.Fatalf("the store does not work without its lifecycle rule: %v", err)
	}
}
