package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// captureLog sends slog's default logger to a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// dupJob answers GET /v1/jobs/:id with what a real SQLite store says to a
// second job of the same id.
type dupJob struct {
	authOnly
	s *sqlstore.Store
}

func (d dupJob) GetJob(ctx context.Context, _ stock.Actor, id string) (stock.JobView, error) {
	err := d.s.Write(ctx, func(tx stock.Tx) error { return tx.CreateJob(stock.Job{ID: id, Kind: "import:skus", Status: "queued"}) })
	return stock.JobView{}, err
}

// TestConstraintConflict: a constraint violation is a 409 in the
// contract's shape whose details name the constraint, and it is logged
// with the constraint and the failing method.
func TestConstraintConflict(t *testing.T) {
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "pandian.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(context.Background(), func(tx stock.Tx) error {
		return tx.CreateJob(stock.Job{ID: "job_1", Kind: "import:skus", Status: "queued"})
	}); err != nil {
		t.Fatal(err)
	}
	logs := captureLog(t)
	app := New(dupJob{s: s}, Options{})
	req := httptest.NewRequest("GET", "/v1/jobs/job_1", nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct {
			Code    string
			Message string
			Details map[string]any
		}
	}
	if resp.StatusCode != http.StatusConflict || json.Unmarshal(b, &e) != nil || e.Error.Code != stock.EConflict ||
		e.Error.Details["constraint"] != "jobs.id" || e.Error.Details["kind"] != "unique" {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	if strings.Contains(e.Error.Message, "sqlstore") || strings.Contains(e.Error.Message, "UNIQUE") {
		t.Errorf("the answer leaks the database's message: %q", e.Error.Message)
	}
	var line struct{ Msg, Constraint, Err string }
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg == "constraint violation" {
			break
		}
		line.Msg = ""
	}
	if line.Msg == "" || line.Constraint != "jobs.id" || !strings.Contains(line.Err, "sqlstore: CreateJob: ") {
		t.Errorf("no log line with the constraint and the method: %+v in\n%s", line, logs)
	}
}

// panicky panics in GetJob.
type panicky struct{ authOnly }

func (panicky) GetJob(_ context.Context, _ stock.Actor, id string) (stock.JobView, error) {
	parts := strings.Split(id, "_")
	return stock.JobView{}, stock.Errorf(stock.EInvalid, "%s", parts[len(parts)+1]) // a real runtime panic
}

// TestPanicLoggedWithStack: a panic answers the contract's 500 (no stack
// in it) and is logged with a stack that points at the panicking code.
func TestPanicLoggedWithStack(t *testing.T) {
	logs := captureLog(t)
	app := New(panicky{}, Options{})
	req := httptest.NewRequest("GET", "/v1/jobs/job_1", nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct {
			Code, Message string
			Details       map[string]any
		}
	}
	if resp.StatusCode != http.StatusInternalServerError || json.Unmarshal(b, &e) != nil || e.Error.Code != stock.EInternal ||
		e.Error.Message != "internal error" || e.Error.Details == nil || strings.Contains(string(b), "goroutine") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	var line struct{ Msg, Panic, Stack string }
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg == "panic" {
			break
		}
		line.Msg = ""
	}
	if line.Msg == "" || !strings.Contains(line.Panic, "index out of range") || !strings.Contains(line.Stack, "panicky.GetJob") ||
		!strings.Contains(line.Stack, "errors_test.go") {
		t.Errorf("no panic line with a stack: %+v in\n%s", line, logs)
	}
}
