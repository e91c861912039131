package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/stock"
)

// TestCrashDuringOCR: a server killed (-9) while it reads a document loses
// nothing it accepted: after a restart the persisted job is taken over
// once its runner has been silent for PANDIAN_JOB_STALE, and the document
// is read and filed.
func TestCrashDuringOCR(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	addr := freePort(t)
	env := []string{"PANDIAN_JOB_STALE=3s", "PANDIAN_OCR_WORKERS=1", "OMP_THREAD_LIMIT=1"}
	p := startProcess(t, cfg, addr, env...)
	tok := p.login(t, "A001")
	photo, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc05.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	up := p.uploadDoc(t, tok, "invoice", "MO-SMR", photo)
	// Kill it while the job runs (claimed, not finished).
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d stock.Document
		p.get("/v1/documents/"+up.ID, tok, &d)
		var running int
		db, err := sql.Open(driverOf(cfg), dsnOf(cfg))
		if err != nil {
			t.Fatal(err)
		}
		db.QueryRow(`SELECT COUNT(*) FROM jobs WHERE status = 'running' AND kind = 'document.read'`).Scan(&running)
		db.Close()
		if d.Status != stock.DocProcessing {
			t.Skipf("the document was read before the kill could land (%s)", d.Status)
		}
		if running == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job never started:\n%s", p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	p = startProcess(t, cfg, addr, env...)
	tok = p.login(t, "A001")
	deadline = time.Now().Add(2 * time.Minute)
	for {
		var d stock.Document
		if st := p.get("/v1/documents/"+up.ID, tok, &d); st != 200 {
			t.Fatalf("document after the restart: %d", st)
		}
		if d.Status != stock.DocProcessing {
			if d.Status == stock.DocFailed || len(d.Lines) == 0 {
				t.Fatalf("after the restart: %s %q, %d lines", d.Status, d.Error, len(d.Lines))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("document still processing 2 min after the restart:\n%s", p.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestWorkerProcess: API replicas without OCR (PANDIAN_OCR_WORKERS=0) leave
// documents to a separate `pandian worker` process on the same PostgreSQL
// database, which reads them.
func TestWorkerProcess(t *testing.T) {
	cfg := testConfig(t, "postgres")
	addr := freePort(t)
	p := startProcess(t, cfg, addr, "PANDIAN_OCR_WORKERS=0")
	tok := p.login(t, "A001")
	photo, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc06.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	up := p.uploadDoc(t, tok, "delivery_note", "HK-TST", photo)
	// The replica runs the jobs it has handlers for: a photo uploaded after
	// the delivery note is filed (polled with a deadline), while the
	// delivery note's job was never claimed.
	snap, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc05.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	filed := p.uploadDoc(t, tok, "photo", "HK-TST", snap)
	var d stock.Document
	deadline := time.Now().Add(30 * time.Second)
	for p.get("/v1/documents/"+filed.ID, tok, &d); d.Status == stock.DocProcessing; p.get("/v1/documents/"+filed.ID, tok, &d) {
		if time.Now().After(deadline) {
			t.Fatalf("the API replica did not file a photo in 30 s:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	db, err := sql.Open(driverOf(cfg), dsnOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	var attempts int
	var owner string
	err = db.QueryRow(`SELECT attempts, lease_owner FROM jobs WHERE kind = 'document.read' AND input = $1`, []byte(up.ID)).Scan(&attempts, &owner)
	db.Close()
	if err != nil || attempts != 0 || owner != "" {
		t.Fatalf("the delivery note's job: %d attempts, lease owner %q (%v); want never claimed", attempts, owner, err)
	}
	if p.get("/v1/documents/"+up.ID, tok, &d); d.Status != stock.DocProcessing {
		t.Fatalf("an API replica without OCR read the document: %s", d.Status)
	}
	worker := exec.Command(serverBinary(t), "worker")
	worker.Env = append(os.Environ(), "PANDIAN_DATA_DIR="+cfg.DataDir, "PANDIAN_DATABASE_URL="+cfg.DatabaseURL,
		"PANDIAN_OCR_WORKERS=1", "OMP_THREAD_LIMIT=1", "PANDIAN_LOG_LEVEL=info")
	logs := &bytes.Buffer{}
	worker.Stdout, worker.Stderr = logs, logs
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { worker.Process.Kill(); worker.Wait() })
	deadline = time.Now().Add(2 * time.Minute)
	for {
		p.get("/v1/documents/"+up.ID, tok, &d)
		if d.Status != stock.DocProcessing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not read the document:\n%s", logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if d.Status == stock.DocFailed || len(d.Lines) == 0 {
		t.Fatalf("read by the worker: %s %q, %d lines", d.Status, d.Error, len(d.Lines))
	}
	if !bytes.Contains(logs.Bytes(), []byte("document read")) {
		t.Fatalf("the worker's log does not show the reading:\n%s", logs)
	}
}

// uploadDoc uploads a photo as a document of kind for location and returns
// the accepted document.
func (p *process) uploadDoc(t *testing.T, tok, kind, location string, photo []byte) stock.Document {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", kind)
	w.WriteField("location", location)
	fw, _ := w.CreateFormFile("file", "photo.jpg")
	fw.Write(photo)
	w.Close()
	req, _ := http.NewRequest("POST", p.url+"/v1/documents", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var up stock.Document
	json.NewDecoder(resp.Body).Decode(&up)
	if resp.StatusCode != 202 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	return up
}
