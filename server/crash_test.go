package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"pandian/fixtures"
	"pandian/stock"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// serverBinary builds the server once per test run.
func serverBinary(t testing.TB) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pandian-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pandian")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a server running as a child process.
type process struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func freePort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs the server binary with cfg's database and waits until
// it is ready.
func startProcess(t testing.TB, cfg config, addr string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(serverBinary(t))
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "PANDIAN_ADDR="+addr, "PANDIAN_DATA_DIR="+cfg.DataDir, "PANDIAN_DATABASE_URL="+cfg.DatabaseURL,
		"PANDIAN_ADMIN_CODE=ADMIN", "PANDIAN_ADMIN_PIN=900001", "PANDIAN_DEMO=1", "PANDIAN_PIN_COST=4", "PANDIAN_LOG_LEVEL=warn", "PANDIAN_PPROF_ADDR="+os.Getenv("PANDIAN_BENCH_PPROF"))
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, url: "http://" + addr, logs: logs}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", logs)
	return nil
}

func (p *process) post(path, token string, v any, out any) (int, error) {
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", p.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func (p *process) get(path, token string, out any) int {
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(out)
	return resp.StatusCode
}

func (p *process) login(t testing.TB, code string) string {
	var res stock.SignIn
	if st, err := p.post("/v1/auth/token", "", map[string]string{"employee_code": code, "pin": pinOf(t, code)}, &res); st != 200 || err != nil {
		t.Fatalf("login %s: %d %v", code, st, err)
	}
	return res.Token
}

// TestCrashDuringIngest kills the server with SIGKILL while four devices
// post scans, restarts it and checks that every acknowledged scan is
// there, that nothing unknown is, and that the devices' replays then count
// each scan once.
func TestCrashDuringIngest(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		cfg := testConfig(t, db)
		addr := freePort(t)
		p := startProcess(t, cfg, addr)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		tok := p.login(t, mgr)
		var cnt stock.Count
		if st, err := p.post("/v1/counts", tok, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}}, &cnt); st != 201 || err != nil {
			t.Fatalf("open count: %d %v", st, err)
		}
		codes := []string{}
		for _, r := range readCSV(t, fixtures.Catalog())[1:] {
			if r[3] == "beverage" && r[6] == "1" && len(codes) < 20 {
				codes = append(codes, r[5])
			}
		}
		var mu sync.Mutex
		sent := map[string]stock.ScanInput{}
		acked := map[string]bool{}
		batches := map[int][]stock.ScanInput{}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for d := 0; d < 4; d++ {
			wg.Add(1)
			go func(d int) {
				defer wg.Done()
				for b := 0; ; b++ {
					select {
					case <-stop:
						return
					default:
					}
					batch := make([]stock.ScanInput, 50)
					for i := range batch {
						batch[i] = stock.ScanInput{EventID: fmt.Sprintf("crash-%d-%d-%d", d, b, i), Code: codes[(b+i)%len(codes)], Qty: int64(1 + i%3), ScannedAt: "2026-11-23T09:00:00Z", DeviceID: fmt.Sprint("dev", d)}
					}
					mu.Lock()
					for _, s := range batch {
						sent[s.EventID] = s
					}
					batches[d*1_000_000+b] = batch
					mu.Unlock()
					var res stock.ScanResult
					st, err := p.post("/v1/counts/"+cnt.ID+"/scans", tok, map[string]any{"scans": batch}, &res)
					if err != nil || st != 200 {
						return // the server is gone
					}
					mu.Lock()
					for _, s := range batch {
						acked[s.EventID] = true
					}
					mu.Unlock()
				}
			}(d)
		}
		// Kill once some batches are acknowledged, while the devices keep
		// sending (a fixed pause left none acknowledged on a busy machine).
		waitUntil(t, time.Minute, "a few scan batches acknowledged", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(acked) >= 4*50
		})
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.cmd.Wait()
		close(stop)
		wg.Wait()
		if len(acked) == 0 {
			t.Fatalf("no scan was acknowledged before the kill:\n%s", p.logs)
		}

		p = startProcess(t, cfg, addr)
		tok = p.login(t, mgr)
		stored := map[string]stock.Scan{}
		after := ""
		for {
			var page struct {
				Scans     []stock.Scan `json:"scans"`
				NextAfter string       `json:"next_after"`
			}
			if st := p.get("/v1/counts/"+cnt.ID+"/scans?limit=5000&after="+after, tok, &page); st != 200 {
				t.Fatalf("list scans: %d", st)
			}
			for _, s := range page.Scans {
				stored[s.EventID] = s
			}
			if page.NextAfter == "" {
				break
			}
			after = page.NextAfter
		}
		for id := range acked {
			if _, ok := stored[id]; !ok {
				t.Errorf("acknowledged scan %s lost", id)
			}
		}
		for id, s := range stored {
			in, ok := sent[id]
			if !ok || in.Qty != s.Qty || in.Code != s.Code {
				t.Errorf("stored scan %s was never sent as %+v", id, s)
			}
		}
		t.Logf("%s: %d sent, %d acknowledged, %d stored after kill -9", db, len(sent), len(acked), len(stored))

		// The devices replay their whole queue: each scan is counted once.
		for _, batch := range batches {
			var res stock.ScanResult
			if st, err := p.post("/v1/counts/"+cnt.ID+"/scans", tok, map[string]any{"scans": batch}, &res); st != 200 || err != nil || len(res.Rejected) != 0 {
				t.Fatalf("replay: %d %v %+v", st, err, res)
			}
		}
		var view stock.CountView
		p.get("/v1/counts/"+cnt.ID, tok, &view)
		if view.Stats.Counted != int64(len(sent)) {
			t.Fatalf("after replay %d counted scans, want %d", view.Stats.Counted, len(sent))
		}
	})
}
