// Package miniotest runs a throwaway MinIO server for tests.
//
//	srv := miniotest.Start(t) // skipped if no minio binary (fatal under CI)
//	st := srv.Store(t)        // an *objstore.S3 in a new, empty bucket
//
// or, to tune the configuration, objstore.NewS3(srv.Config()) followed by
// EnsureBucket. Stop and Start simulate an outage.
//
// The binary is looked up in $PANDIAN_MINIO_BIN, <user cache>/pandian/bin
// (/root/.cache/pandian/bin for root; where `make minio` installs it),
// $GOPATH/bin and $PATH. The server keeps its data in a test temp dir,
// listens on free ports of 127.0.0.1 and is killed when the test ends.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"pandian/storage/objstore"
)

// EnvBinary names the environment variable giving the minio binary's path.
const EnvBinary = "PANDIAN_MINIO_BIN"

// Bucket is the bucket name Config returns (EnsureBucket creates it).
const Bucket = "pandian-test"

// startTimeout bounds the wait for the server to become ready.
const startTimeout = 30 * time.Second

// Find returns the path of the minio binary, or an error listing where it
// looked.
func Find() (string, error) {
	var tried []string
	try := func(p string) bool {
		if p == "" {
			return false
		}
		tried = append(tried, p)
		fi, err := os.Stat(p)
		return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
	}
	if p := os.Getenv(EnvBinary); p != "" {
		if try(p) {
			return p, nil
		}
		return "", fmt.Errorf("$%s=%s is not an executable file", EnvBinary, p)
	}
	candidates := []string{"/root/.cache/pandian/bin/minio"}
	if dir, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(dir, "pandian", "bin", "minio"))
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		candidates = append(candidates, filepath.Join(gp, "bin", "minio"))
	}
	for i, p := range candidates {
		if slices.Contains(candidates[:i], p) {
			continue
		}
		if try(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no minio binary (looked at $%s, %v and $PATH); build it with `make minio`", EnvBinary, tried)
}

// Server is a MinIO server process owned by a test.
type Server struct {
	t                 testing.TB
	bin, dir, logPath string
	addr, consoleAddr string
	user, password    string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts a MinIO server for the test and stops it at the test's
// end. Without a minio binary the test is skipped, unless the environment
// variable CI is set, in which case it fails.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("miniotest: %v (required when CI is set)", err)
		}
		t.Skipf("miniotest: %v", err)
	}
	s := &Server{
		t:           t,
		bin:         bin,
		dir:         t.TempDir(),
		addr:        freeAddr(t),
		consoleAddr: freeAddr(t),
		user:        "u" + randHex(8),
		password:    randHex(16),
	}
	s.logPath = filepath.Join(s.dir, "minio.log")
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// Config returns the S3 configuration of the server, with Bucket as the
// bucket (which does not exist before EnsureBucket).
func (s *Server) Config() objstore.S3Config {
	return objstore.S3Config{
		Endpoint:  s.addr,
		AccessKey: s.user,
		SecretKey: s.password,
		Bucket:    Bucket,
		Region:    "us-east-1",
	}
}

// Store returns a store in a new bucket of its own (so tests sharing a
// server do not see each other's objects), created with EnsureBucket.
func (s *Server) Store(t testing.TB) *objstore.S3 {
	t.Helper()
	cfg := s.Config()
	cfg.Bucket = "t-" + randHex(8)
	st, err := objstore.NewS3(cfg)
	if err != nil {
		t.Fatalf("miniotest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := st.EnsureBucket(ctx); err != nil {
		t.Fatalf("miniotest: %v", err)
	}
	return st
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns the server's base URL, "http://host:port".
func (s *Server) URL() string { return "http://" + s.addr }

// Start (re)starts the server on the same address and data, and waits
// until it is ready. Starting a running server does nothing.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatalf("miniotest: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, "server", filepath.Join(s.dir, "data"),
		"--address", s.addr, "--console-address", s.consoleAddr, "--quiet")
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.user,
		"MINIO_ROOT_PASSWORD="+s.password,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=1", // allows a data dir on the root disk
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("miniotest: start %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done

	deadline := time.Now().Add(startTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if s.healthy(client) {
			return
		}
		select {
		case <-done:
			s.cmd = nil
			s.t.Fatalf("miniotest: minio exited during startup:\n%s", s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stopLocked()
			s.t.Fatalf("miniotest: minio not ready after %s:\n%s", startTimeout, s.logTail())
		}
	}
}

// healthy reports whether the server answers both its readiness probe and
// its cluster probe as up. Under load the readiness probe answered 200 while
// the object layer was still starting ("Server not initialized yet" on the
// next S3 call); the cluster probe answers 503 until the object layer is up.
func (s *Server) healthy(client *http.Client) bool {
	for _, probe := range []string{"/minio/health/ready", "/minio/health/cluster"} {
		resp, err := client.Get("http://" + s.addr + probe)
		if err != nil {
			return false
		}
		resp.Body.Close()
		// MinIO marks a server whose object layer is not up yet with
		// X-Minio-Server-Status: offline, even on a 200.
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Minio-Server-Status") == "offline" {
			return false
		}
	}
	return true
}

// Stop kills the server (as a crash would) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *Server) stopLocked() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// Restart stops and starts the server.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

// logTail returns the end of the server's log.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// freeAddr returns a 127.0.0.1 address with a port free right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("miniotest: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.Join(errors.New("miniotest: no randomness"), err))
	}
	return hex.EncodeToString(b)
}
