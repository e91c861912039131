package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	docfixtures "pandian/fixtures/documents"
	"pandian/fixtures/hostile"
	"pandian/stock"
	"pandian/storage/objstore/miniotest"
	"pandian/storage/pgtest"
)

// TestSoak is the mixed load of `make soak` (issue 9): for PANDIAN_SOAK
// (e.g. 10m; unset: skipped) devices post scans, photos, documents and
// read reports against a server process on PostgreSQL (through a TCP
// proxy) and MinIO; a third of the way in the server is killed with
// SIGKILL and restarted, two thirds in the proxy cuts PostgreSQL off for
// a while. Devices retry what was not acknowledged, as the handhelds do.
// At the end every acknowledged scan is stored exactly once, nothing
// unknown is, and the server's peak RSS stays under 400 MiB.
func TestSoak(t *testing.T) {
	spec := os.Getenv("PANDIAN_SOAK")
	if spec == "" {
		t.Skip("set PANDIAN_SOAK to a duration (make soak SOAK=10m)")
	}
	dur, err := time.ParseDuration(spec)
	if err != nil || dur < 30*time.Second {
		t.Fatalf("PANDIAN_SOAK=%q: want a duration of at least 30s", spec)
	}
	dirs := newCampaignDirs(t)
	cfg := config{DataDir: dirs.data, DatabaseURL: pgtest.Fresh(t)}
	u, _ := url.Parse(cfg.DatabaseURL)
	proxy := newProxy(t, u.Host)
	u.Host = proxy.addr
	cfg.DatabaseURL = u.String()
	m := miniotest.Start(t)
	mc := m.Config()
	cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Bucket = mc.Endpoint, mc.AccessKey, mc.SecretKey, "pandian-soak"
	addr := freePort(t)
	proc := startServerProc(t, cfg, dirs, addr, false)
	var peak atomic.Int64
	sampler := sampleRSS(proc.cmd.Process.Pid)
	s := &testServer{URL: proc.url, DB: "postgres", t: t, tokens: map[string]string{},
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}

	mgr := employeeWith(t, "store_manager", "HK-TST")
	zone := fmt.Sprintf("HK-TST-SOAK%d", time.Now().UnixNano()%1000)
	s.mustJSON("PUT", "/v1/locations/"+zone, "ADMIN", map[string]any{"name": "耐久區 " + zone, "kind": "zone", "parent": "HK-TST"}, 201, nil)
	items := s.newSKUs("soak", zone, 40, 1000)
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{"soak"}}})
	counters := []string{}
	for _, e := range demoEmployees(t) {
		if e.scope == "HK-TST" && (e.role == "counter" || e.role == "supervisor") && len(counters) < 4 {
			counters = append(counters, e.code)
		}
	}
	for _, c := range counters {
		s.token(c)
	}
	photo, err := os.ReadFile(filepath.Join("..", "fixtures", "barcodes", "ean13.png"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "clean", "doc05.png"))
	if err != nil {
		doc = hostile.SmallPNG()
	}

	// post sends a request with a token; 0 when there was no answer.
	base := proc.url // the same after the restart
	post := func(method, path, tok, ct string, body []byte) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := s.client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	var (
		mu       sync.Mutex
		statuses = map[string]map[int]int{} // kind → status → n (0: no answer)
		acked    = map[string]int{}         // event_id → times acknowledged as accepted
		sent     atomic.Int64
		failures []string
	)
	note := func(kind string, st int, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		if statuses[kind] == nil {
			statuses[kind] = map[int]int{}
		}
		statuses[kind][st]++
		if st >= 500 && st != 503 && len(failures) < 20 {
			failures = append(failures, fmt.Sprintf("%s: %d %s", kind, st, truncate(body)))
		}
	}
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	// Scanners: batches of 50, retried until acknowledged (also after the
	// load stops, for at most a minute).
	for d, code := range counters {
		wg.Go(func() {
			tok := s.token(code)
			for b := 0; !stopped(); b++ {
				batch := make([]stock.ScanInput, 50)
				for i := range batch {
					batch[i] = stock.ScanInput{EventID: fmt.Sprintf("soak-%d-%d-%d", d, b, i), Code: items[(b+i)%len(items)].EAN, Qty: int64(1 + i%3), DeviceID: code}
				}
				body, _ := json.Marshal(map[string]any{"scans": batch})
				sent.Add(int64(len(batch)))
				deadline := time.Time{}
				for {
					st, rb := post("POST", "/v1/counts/"+cnt.ID+"/scans", tok, "application/json", body)
					note("scans", st, rb)
					if st == 200 {
						var res stock.ScanResult
						json.Unmarshal(rb, &res)
						if len(res.Rejected) > 0 {
							t.Errorf("scans rejected: %+v", res.Rejected[0])
						}
						mu.Lock()
						for _, sc := range batch {
							acked[sc.EventID]++
						}
						mu.Unlock()
						break
					}
					if stopped() && deadline.IsZero() {
						deadline = time.Now().Add(time.Minute)
					}
					if !deadline.IsZero() && time.Now().After(deadline) {
						t.Errorf("batch %d of %s never acknowledged", b, code)
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
		})
	}
	every := func(kind string, period time.Duration, fn func() (int, []byte)) {
		wg.Go(func() {
			for !stopped() {
				st, b := fn()
				note(kind, st, b)
				select {
				case <-stop:
				case <-time.After(period):
				}
			}
		})
	}
	mtok := s.token(mgr)
	every("photos", 300*time.Millisecond, func() (int, []byte) {
		body, ct := hostile.Multipart(nil, "ean13.png", photo)
		return post("POST", "/v1/counts/"+cnt.ID+"/images", mtok, ct, body)
	})
	every("documents", 3*time.Second, func() (int, []byte) {
		body, ct := hostile.Multipart([][2]string{{"kind", "purchase_order"}}, "po.png", doc)
		return post("POST", "/v1/documents", mtok, ct, body)
	})
	every("reports", time.Second, func() (int, []byte) {
		return post("GET", "/v1/counts/"+cnt.ID+"/report?group_by=employee", mtok, "", nil)
	})
	every("csv", 2*time.Second, func() (int, []byte) {
		return post("GET", "/v1/counts/"+cnt.ID+"/report?format=csv", mtok, "", nil)
	})

	start := time.Now()
	time.Sleep(dur / 3)
	peak.Store(max(peak.Load(), sampler.overall.Load()))
	sampler.close()
	proc.cmd.Process.Kill()
	<-proc.exit
	killedAt := time.Since(start)
	proc = startServerProc(t, cfg, dirs, addr, false)
	restart := time.Since(start) - killedAt
	sampler = sampleRSS(proc.cmd.Process.Pid)
	time.Sleep(time.Until(start.Add(2 * dur / 3)))
	cutFor := min(20*time.Second, dur/10)
	proxy.cut()
	time.Sleep(cutFor)
	proxy.restore(t)
	time.Sleep(time.Until(start.Add(dur)))
	close(stop)
	wg.Wait()
	peak.Store(max(peak.Load(), sampler.overall.Load()))
	hwm := procStatus(proc.cmd.Process.Pid, "VmHWM")
	sampler.close()

	// Every acknowledged scan is stored once, and nothing else is.
	stored := map[string]int{}
	after := ""
	for {
		var page struct {
			Scans     []stock.Scan `json:"scans"`
			NextAfter string       `json:"next_after"`
		}
		s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/scans?limit=5000&after="+url.QueryEscape(after), mgr, nil, 200, &page)
		for _, sc := range page.Scans {
			stored[sc.EventID]++
		}
		if page.NextAfter == "" {
			break
		}
		after = page.NextAfter
	}
	lost, twice, unknown := 0, 0, 0
	for id := range acked {
		if stored[id] == 0 {
			lost++
		}
	}
	for id, n := range stored {
		if n > 1 {
			twice++
		}
		if acked[id] == 0 {
			unknown++
		}
	}
	var view stock.CountView
	s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
	if lost > 0 || twice > 0 || unknown > 0 || view.Stats.Scans != int64(len(acked)) {
		t.Errorf("%d acknowledged scans: %d lost, %d stored twice, %d stored unacknowledged; the count holds %d", len(acked), lost, twice, unknown, view.Stats.Scans)
	}
	for _, f := range failures {
		t.Errorf("server error: %s", f)
	}
	if peak.Load() > rssLimit {
		t.Errorf("peak RSS %d MiB (limit %d MiB)", peak.Load()>>20, rssLimit>>20)
	}
	t.Logf("soak %s on PostgreSQL (via a proxy) + MinIO: kill -9 at %s (ready again in %s), PostgreSQL cut for %s at %s",
		dur, killedAt.Round(time.Second), restart.Round(100*time.Millisecond), cutFor, (2 * dur / 3).Round(time.Second))
	t.Logf("%d scans sent, %d acknowledged; answers by kind and status (0 = no answer): %v", sent.Load(), len(acked), statuses)
	fmt.Printf("| soak %s | %d scans acknowledged, %d lost, %d twice | %d photos | %d documents | %d reports | peak RSS %d MiB (VmHWM after restart %d MiB) |\n",
		dur, len(acked), lost, twice, statuses["photos"][200], statuses["documents"][202], statuses["reports"][200]+statuses["csv"][200], peak.Load()>>20, hwm>>20)
}
