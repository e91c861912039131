// Package deploy holds what runs pandian in containers: the stand-in base
// images, the load balancer's configuration and the test that builds the
// Dockerfile and runs it, alone and as compose.yaml's topology.
//
// The tests here need a Docker daemon with the stand-in base images;
// `make docker-test` (deploy/docker-test.sh) starts one and sets
// PANDIAN_DOCKER_TEST=1. Without it they skip.
package deploy

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/stock"
)

// image is the tag built from the Dockerfile (the name compose.yaml uses).
const image = "pandian:latest"

var (
	imageOnce sync.Once
	imageErr  error
)

func needDocker(t *testing.T) {
	t.Helper()
	if os.Getenv("PANDIAN_DOCKER_TEST") != "1" {
		t.Skip("needs a Docker daemon with the stand-in base images: run make docker-test")
	}
}

// run runs a command from the repository root and answers its combined
// output; a failure fails the test with that output.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(out, 4000))
	}
	return out
}

func runErr(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// buildImage builds the Dockerfile as the README says (docker build -t
// pandian .), once for the package's tests.
func buildImage(t *testing.T) {
	t.Helper()
	imageOnce.Do(func() {
		start := time.Now()
		out, err := runErr(nil, "docker", "build", "--network", "host", "-t", image, ".")
		if err != nil {
			imageErr = fmt.Errorf("docker build: %v\n%s", err, tail(out, 6000))
			return
		}
		t.Logf("docker build -t %s . took %s", image, time.Since(start).Round(time.Second))
	})
	if imageErr != nil {
		t.Fatal(imageErr)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// api is a client of one pandian base URL.
type api struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newAPI(t *testing.T, base string) *api {
	return &api{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second}}
}

// send does one request; err is a transport error (no answer).
func (a *api) send(method, path, token, ctype string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// call does one request that must answer want, and decodes the answer into
// out (when not nil).
func (a *api) call(method, path, token string, body any, want int, out any) {
	a.t.Helper()
	var b []byte
	ctype := ""
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			a.t.Fatal(err)
		}
		ctype = "application/json"
	}
	code, resp, err := a.send(method, path, token, ctype, b)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	if code != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, tail(string(resp), 2000))
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, tail(string(resp), 2000))
		}
	}
}

// multipart posts fields (in order) then a file part.
func (a *api) multipart(path, token string, fields [][2]string, filename string, file []byte) (int, []byte) {
	a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		a.t.Fatal(err)
	}
	fw.Write(file)
	w.Close()
	code, b, err := a.send("POST", path, token, w.FormDataContentType(), buf.Bytes())
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	return code, b
}

// waitReady polls GET readyPath until it answers 200; alive, when not
// nil, is asked between tries and stops the wait with its error.
func (a *api) waitReady(d time.Duration, alive func() error) {
	a.t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		code, b, err := a.send("GET", readyPath, "", "", nil)
		if err == nil && code == 200 {
			return
		}
		last = fmt.Sprintf("%d %s %v", code, b, err)
		if alive != nil {
			if err := alive(); err != nil {
				a.t.Fatalf("waiting for %s%s: %v", a.base, readyPath, err)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	a.t.Fatalf("%s%s not ready after %s: %s", a.base, readyPath, d, last)
}

// readyPath is the readiness probe the tests wait on (PANDIAN_DOCKER_READY
// replaces it to show that a wrong probe fails the test).
var readyPath = cmp.Or(os.Getenv("PANDIAN_DOCKER_READY"), "/readyz")

func (a *api) signIn(code string) string {
	a.t.Helper()
	var out struct{ Token string }
	a.call("POST", "/v1/auth/token", "", map[string]string{"employee_code": code, "pin": pins(a.t)[code], "device_id": "docker-test-" + code}, 200, &out)
	return out.Token
}

// pins are the demo employees' PINs, from fixtures/employees.csv.
func pins(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range readCSV(t, "../fixtures/employees.csv") {
		m[r["code"]] = r["pin"]
	}
	return m
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// beverages are the unit barcodes (pack 1) of the first n beverage SKUs of
// the demo catalog: sku → barcode.
func beverages(t *testing.T, n int) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range readCSV(t, "../fixtures/catalog.csv") {
		if r["category"] == "beverage" && r["pack_qty"] == "1" && len(r["barcode"]) == 13 && m[r["sku"]] == "" {
			m[r["sku"]] = r["barcode"]
			if len(m) == n {
				break
			}
		}
	}
	return m
}

type scan struct {
	EventID string `json:"event_id"`
	Code    string `json:"code"`
	Qty     int64  `json:"qty"`
	Bin     string `json:"bin"`
}

type scanAnswer struct {
	Accepted   int               `json:"accepted"`
	Duplicates int               `json:"duplicates"`
	Rejected   []json.RawMessage `json:"rejected"`
}

// report answers counted_qty by SKU of a count's report.
func (a *api) report(token, id string) map[string]int64 {
	a.t.Helper()
	var r struct {
		Lines []struct {
			SKU        string `json:"sku"`
			CountedQty *int64 `json:"counted_qty"`
		} `json:"lines"`
	}
	a.call("GET", "/v1/counts/"+id+"/report", token, nil, 200, &r)
	m := map[string]int64{}
	for _, l := range r.Lines {
		if l.CountedQty != nil {
			m[l.SKU] = *l.CountedQty
		}
	}
	return m
}

// scans answers every scan of a count by event id (following the page
// cursor the server answers, next_cursor or next_after).
func (a *api) scans(token, id string) map[string]int {
	a.t.Helper()
	seen := map[string]int{}
	q := ""
	for page := 0; page < 1000; page++ {
		var r struct {
			Scans []struct {
				EventID string `json:"event_id"`
			} `json:"scans"`
			NextCursor string `json:"next_cursor"`
			NextAfter  string `json:"next_after"`
		}
		a.call("GET", "/v1/counts/"+id+"/scans?limit=100"+q, token, nil, 200, &r)
		for _, s := range r.Scans {
			seen[s.EventID]++
		}
		switch {
		case r.NextCursor != "":
			q = "&cursor=" + r.NextCursor
		case r.NextAfter != "" && len(r.Scans) > 0:
			q = "&after=" + r.NextAfter
		default:
			return seen
		}
	}
	a.t.Fatal("scans: more than 1000 pages")
	return nil
}

// truth is the part of a generated document's ground truth checked here.
type truth struct {
	DocNumber string `json:"doc_number"`
	Date      string `json:"date"`
	Items     []struct {
		SKU       string  `json:"sku"`
		Qty       int64   `json:"qty"`
		UnitPrice float64 `json:"unit_price"`
	} `json:"items"`
}

// uploadPO posts fixtures/documents/doc01.jpg, a generated purchase order
// of HK-TST, and answers the document's id.
func (a *api) uploadPO(token string) string {
	a.t.Helper()
	photo, err := os.ReadFile("../fixtures/documents/doc01.jpg")
	if err != nil {
		a.t.Fatal(err)
	}
	code, b := a.multipart("/v1/documents", token, [][2]string{{"kind", "purchase_order"}, {"location", "HK-TST"}}, "po.jpg", photo)
	if code != 202 {
		a.t.Fatalf("POST /v1/documents: %d %s", code, b)
	}
	var d stock.Document
	if err := json.Unmarshal(b, &d); err != nil || d.ID == "" {
		a.t.Fatalf("POST /v1/documents: %v %s", err, b)
	}
	return d.ID
}

// checkPO polls the document until it is read and checks it against the
// truth: its number and date, and at least 70% of its lines right (the
// bar of server/documents_read_test.go).
func (a *api) checkPO(token, id string, d time.Duration) {
	a.t.Helper()
	var tr truth
	b, err := os.ReadFile("../fixtures/documents/doc01.json")
	if err != nil {
		a.t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		a.t.Fatal(err)
	}
	start := time.Now()
	var doc stock.Document
	for {
		a.call("GET", "/v1/documents/"+id, token, nil, 200, &doc)
		if doc.Status != stock.DocProcessing {
			break
		}
		if time.Since(start) > d {
			a.t.Fatalf("document %s still processing after %s (progress %.2f)", id, d, doc.Progress)
		}
		time.Sleep(time.Second)
	}
	if doc.Status != stock.DocDone && doc.Status != stock.DocNeedsReview {
		a.t.Fatalf("document %s: status %s (%s)", id, doc.Status, doc.Error)
	}
	if doc.Header == nil || doc.Header.PONumber != tr.DocNumber || doc.Header.Date != tr.Date {
		a.t.Errorf("document header %+v, want number %s date %s", doc.Header, tr.DocNumber, tr.Date)
	}
	right := 0
	for _, l := range doc.Lines {
		code := cmp.Or(l.Barcode, l.SKU)
		for _, it := range tr.Items {
			if it.SKU == code && it.Qty == l.Qty && strconv.FormatFloat(it.UnitPrice, 'f', 2, 64) == l.UnitPrice {
				right++
				break
			}
		}
	}
	if right < len(tr.Items)*7/10 {
		a.t.Fatalf("document: %d of %d lines right: %+v", right, len(tr.Items), doc.Lines)
	}
	a.t.Logf("document read in %s: %s, %d of %d lines right, status %s", time.Since(start).Round(time.Second), doc.Header.PONumber, right, len(tr.Items), doc.Status)
}

// TestImage builds the Dockerfile and runs the image alone, as its
// non-root user, on SQLite with the demo data: readiness, a count from
// sign-in to report, a barcode photo and a purchase order read by OCR.
func TestImage(t *testing.T) {
	needDocker(t)
	buildImage(t)

	var info []struct {
		Size   int64
		Config struct{ User string }
	}
	if err := json.Unmarshal([]byte(run(t, nil, "docker", "image", "inspect", image)), &info); err != nil || len(info) != 1 {
		t.Fatalf("image inspect: %v", err)
	}
	t.Logf("image %s: %d MB (%d bytes), user %q", image, info[0].Size/1e6, info[0].Size, info[0].Config.User)
	if info[0].Config.User == "" || info[0].Config.User == "root" || info[0].Config.User == "0" {
		t.Errorf("image runs as %q, want a non-root user", info[0].Config.User)
	}

	const name = "pandian-docker-test"
	runErr(nil, "docker", "rm", "-fv", name)
	port := freePort(t)
	run(t, nil, "docker", "run", "-d", "--name", name, "--network", "host",
		"-e", "PANDIAN_ADDR=127.0.0.1:"+strconv.Itoa(port), "-e", "PANDIAN_DEMO=true", "-e", "PANDIAN_OCR_WORKERS=1", image)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := runErr(nil, "docker", "logs", "--tail", "40", name)
			t.Logf("docker logs %s:\n%s", name, out)
		}
		runErr(nil, "docker", "rm", "-fv", name)
	})
	alive := func() error {
		out, err := runErr(nil, "docker", "inspect", "-f", "{{.State.Status}}", name)
		if err != nil || strings.TrimSpace(out) != "running" {
			logs, _ := runErr(nil, "docker", "logs", "--tail", "20", name)
			return fmt.Errorf("container %s: %s %v\n%s", name, strings.TrimSpace(out), err, logs)
		}
		return nil
	}
	c := newAPI(t, "http://127.0.0.1:"+strconv.Itoa(port))
	start := time.Now()
	c.waitReady(90*time.Second, alive)
	t.Logf("ready in %s", time.Since(start).Round(100*time.Millisecond))

	// The process runs as the image's user, not root.
	status := run(t, nil, "docker", "exec", name, "cat", "/proc/1/status")
	uid := ""
	for _, l := range strings.Split(status, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			uid = f[1]
		}
	}
	if uid == "" || uid == "0" {
		t.Fatalf("the server runs as uid %q, want non-root", uid)
	}
	t.Logf("server process uid %s", uid)

	admin, sup, counter, mgr := c.signIn("A001"), c.signIn("E008"), c.signIn("E009"), c.signIn("E007")
	docID := c.uploadPO(admin) // read while the count goes on

	var cnt struct{ ID, Status string }
	c.call("POST", "/v1/counts", sup, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}, "blind": true}, 201, &cnt)
	want := map[string]int64{}
	var batch []scan
	i := 0
	for sku, code := range beverages(t, 3) {
		i++
		for j := range 2 {
			q := int64(i + j)
			batch = append(batch, scan{EventID: fmt.Sprintf("img-%s-%d", sku, j), Code: code, Qty: q, Bin: "HK-TST-A01"})
			want[sku] += q
		}
	}
	var ans scanAnswer
	c.call("POST", "/v1/counts/"+cnt.ID+"/scans", counter, map[string]any{"scans": batch}, 200, &ans)
	if ans.Accepted != len(batch) || ans.Duplicates != 0 || len(ans.Rejected) != 0 {
		t.Fatalf("scans: %+v, want %d accepted", ans, len(batch))
	}
	// Sent again (a handheld retrying): duplicates, nothing counted twice.
	c.call("POST", "/v1/counts/"+cnt.ID+"/scans", counter, map[string]any{"scans": batch[:2]}, 200, &ans)
	if ans.Accepted != 0 || ans.Duplicates != 2 {
		t.Fatalf("scans sent again: %+v, want 2 duplicates", ans)
	}

	// A barcode photo: the EAN-13 of fixtures/barcodes is read.
	photo, err := os.ReadFile("../fixtures/barcodes/ean13.png")
	if err != nil {
		t.Fatal(err)
	}
	wantText := ""
	for _, r := range readCSV(t, "../fixtures/barcodes/manifest.csv") {
		if r["file"] == "ean13.png" {
			wantText = r["text"]
		}
	}
	code, b := c.multipart("/v1/counts/"+cnt.ID+"/images", counter, nil, "shelf.png", photo)
	if code != 200 {
		t.Fatalf("POST images: %d %s", code, b)
	}
	var img struct {
		Barcodes []struct{ Format, Text string }
	}
	json.Unmarshal(b, &img)
	if len(img.Barcodes) != 1 || img.Barcodes[0].Format != "EAN_13" || img.Barcodes[0].Text != wantText {
		t.Fatalf("photo: %s, want one EAN_13 %s", b, wantText)
	}

	c.call("POST", "/v1/counts/"+cnt.ID+"/close", sup, nil, 200, &cnt)
	got := c.report(mgr, cnt.ID)
	for sku, q := range want {
		if got[sku] != q {
			t.Errorf("report: %s counted %d, want %d", sku, got[sku], q)
		}
	}
	c.checkPO(admin, docID, 4*time.Minute)

	// The server logs JSON lines (PANDIAN_LOG_FORMAT's default) to the
	// container's output.
	if logs := run(t, nil, "docker", "logs", name); !strings.Contains(logs, `"msg":"pandian listening"`) {
		t.Errorf("no JSON 'pandian listening' line in the container's log:\n%s", tail(logs, 2000))
	}
}

// compose runs docker-compose on compose.yaml with the test's project
// name and environment.
type compose struct {
	t   *testing.T
	env []string
}

func (c compose) run(args ...string) string {
	c.t.Helper()
	return run(c.t, c.env, "docker-compose", append([]string{"-p", "pandiantest", "-f", "compose.yaml"}, args...)...)
}

func (c compose) runErr(args ...string) (string, error) {
	return runErr(c.env, "docker-compose", append([]string{"-p", "pandiantest", "-f", "compose.yaml"}, args...)...)
}

// TestCompose runs compose.yaml from the images on the host's network
// with ports of its own: PostgreSQL, MinIO, two API replicas, the OCR
// worker and HAProxy, started in the order of their health checks. A
// count goes through the load balancer while one replica is stopped: the
// scans keep being acknowledged, and every acknowledged scan is in the
// count, once. A purchase order uploaded through the load balancer is read
// by the worker (the replicas read none).
func TestCompose(t *testing.T) {
	needDocker(t)
	buildImage(t)
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Fatal("docker-compose not found")
	}
	ports := map[string]int{}
	for _, k := range []string{"PG", "MINIO", "MINIO_CONSOLE", "API1", "API2", "WORKER_METRICS", "LB"} {
		ports[k] = freePort(t)
	}
	lb := "127.0.0.1:" + strconv.Itoa(ports["LB"])
	dc := compose{t: t, env: []string{
		"PANDIAN_DB_PASSWORD=docker-test-db", "MINIO_ROOT_USER=pandian", "MINIO_ROOT_PASSWORD=docker-test-minio",
		"PANDIAN_FILES_KEY=0123456789abcdef0123456789abcdef", "PANDIAN_DEMO=true", "PANDIAN_WORKER_OCR=1",
		"PANDIAN_LB_ADDR=" + lb, "PANDIAN_PUBLIC_URL=http://" + lb,
		"PANDIAN_PG_PORT=" + strconv.Itoa(ports["PG"]), "PANDIAN_MINIO_PORT=" + strconv.Itoa(ports["MINIO"]),
		"PANDIAN_MINIO_CONSOLE_PORT=" + strconv.Itoa(ports["MINIO_CONSOLE"]),
		"PANDIAN_API1_PORT=" + strconv.Itoa(ports["API1"]), "PANDIAN_API2_PORT=" + strconv.Itoa(ports["API2"]),
		"PANDIAN_WORKER_METRICS_PORT=" + strconv.Itoa(ports["WORKER_METRICS"]),
	}}
	dc.runErr("down", "-v", "--remove-orphans")
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := dc.runErr("ps")
			t.Logf("docker-compose ps:\n%s", out)
			out, _ = dc.runErr("logs", "--no-color", "--tail", "25")
			t.Logf("docker-compose logs:\n%s", tail(out, 12000))
		}
		if out, err := dc.runErr("down", "-v", "--remove-orphans"); err != nil {
			t.Logf("docker-compose down: %v\n%s", err, out)
		}
	})
	start := time.Now()
	// up waits for each service's dependencies to be healthy before
	// starting it (postgres, minio → api1 → api2, worker → lb).
	dc.run("up", "-d", "--no-build")
	c := newAPI(t, "http://"+lb)
	c.waitReady(60*time.Second, nil)
	t.Logf("compose up, ready through the load balancer in %s", time.Since(start).Round(time.Second))
	// Every service runs, and their health checks pass: they run on an
	// interval, so a service can still be "starting" when the load
	// balancer already answers; wait for them (a minute at most).
	var ps string
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		ps = dc.run("ps")
		for _, s := range []string{"postgres", "minio", "api1", "api2", "worker", "lb"} {
			if !strings.Contains(ps, "pandiantest_"+s+"_1") {
				t.Fatalf("service %s not running:\n%s", s, ps)
			}
		}
		if strings.Count(ps, "(healthy)") == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 6 services healthy after a minute:\n%s", strings.Count(ps, "(healthy)"), ps)
		}
	}
	t.Logf("all 6 services healthy %s after start", time.Since(start).Round(time.Second))

	admin, sup, counter, mgr := c.signIn("A001"), c.signIn("E008"), c.signIn("E009"), c.signIn("E007")
	docID := c.uploadPO(admin)
	var cnt struct{ ID string }
	c.call("POST", "/v1/counts", sup, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}, "blind": true}, 201, &cnt)

	skus := beverages(t, 4)
	var codes, names []string
	for sku, code := range skus {
		names, codes = append(names, sku), append(codes, code)
	}
	acked := map[string]int64{} // event id → qty, acknowledged by the server
	want := map[string]int64{}  // sku → qty acknowledged
	retries, n := 0, 0
	// post sends one scan until it is acknowledged (as a handheld does:
	// the same event id again after a failure).
	post := func() {
		t.Helper()
		i := n
		n++
		s := scan{EventID: fmt.Sprintf("lb-%05d", i), Code: codes[i%len(codes)], Qty: int64(1 + i%5), Bin: "HK-TST-A02"}
		body, _ := json.Marshal(map[string]any{"scans": []scan{s}})
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, b, err := c.send("POST", "/v1/counts/"+cnt.ID+"/scans", counter, "application/json", body)
			if err == nil && code == 200 {
				var ans scanAnswer
				if err := json.Unmarshal(b, &ans); err != nil || ans.Accepted+ans.Duplicates != 1 || len(ans.Rejected) != 0 {
					t.Fatalf("scan %s: %s", s.EventID, b)
				}
				acked[s.EventID] = s.Qty
				want[names[i%len(names)]] += s.Qty
				return
			}
			retries++
			if time.Now().After(deadline) {
				t.Fatalf("scan %s not acknowledged in 30 s: %d %s %v", s.EventID, code, b, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for range 40 {
		post()
	}
	// Stop one replica while scans go on.
	stopped := make(chan string, 1)
	go func() {
		out, err := dc.runErr("stop", "api1")
		if err != nil {
			out = fmt.Sprintf("docker-compose stop api1: %v\n%s", err, out)
		} else {
			out = ""
		}
		stopped <- out
	}()
	during := 0
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
wait:
	for {
		select {
		case msg := <-stopped:
			if msg != "" {
				t.Fatal(msg)
			}
			break wait
		case <-ctx.Done():
			t.Fatal("api1 did not stop in 90 s")
		default:
			post()
			during++
		}
	}
	if out := run(t, nil, "docker", "inspect", "-f", "{{.State.Running}}", "pandiantest_api1_1"); strings.TrimSpace(out) != "false" {
		t.Fatalf("api1 still running: %s", out)
	}
	for range 40 {
		post()
	}
	t.Logf("%d scans acknowledged through the load balancer (%d while api1 was stopping, 40 after it stopped), %d retries", len(acked), during, retries)
	// Both replicas took scans (their JSON request lines say so).
	for _, s := range []string{"api1", "api2"} {
		logs := run(t, nil, "docker", "logs", "pandiantest_"+s+"_1")
		if n := strings.Count(logs, `"route":"/v1/counts/:id/scans"`); n == 0 {
			t.Errorf("%s logged no scan request:\n%s", s, tail(logs, 2000))
		} else {
			t.Logf("%s answered %d scan requests", s, n)
		}
	}

	c.call("POST", "/v1/counts/"+cnt.ID+"/close", sup, nil, 200, nil)
	got := c.report(mgr, cnt.ID)
	for sku, q := range want {
		if got[sku] != q {
			t.Errorf("report: %s counted %d, want %d (the acknowledged scans)", sku, got[sku], q)
		}
	}
	seen := c.scans(mgr, cnt.ID)
	for id := range acked {
		if seen[id] != 1 {
			t.Errorf("acknowledged scan %s is in the count %d times", id, seen[id])
		}
	}
	if len(seen) != len(acked) {
		t.Errorf("the count has %d scans, %d were acknowledged", len(seen), len(acked))
	}
	// Read by the worker (the replicas have PANDIAN_OCR_WORKERS=0).
	c.checkPO(admin, docID, 4*time.Minute)
	if logs := run(t, dc.env, "docker", "logs", "pandiantest_worker_1"); !strings.Contains(logs, "job worker started") {
		t.Errorf("worker log has no 'job worker started':\n%s", tail(logs, 2000))
	}
}
