package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/stock"
)

// failingStockRows streams a stock import of n rows that all fail: even
// rows have a quantity that is not a number (refused while reading), odd
// rows name a SKU that does not exist (refused at the database lookup).
func failingStockRows(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		var buf bytes.Buffer
		buf.WriteString("sku,location,qty\n")
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				fmt.Fprintf(&buf, "NOSKU-%07d,HK-TST,lots\n", i)
			} else {
				fmt.Fprintf(&buf, "NOSKU-%07d,HK-TST,12\n", i)
			}
			if buf.Len() > 64<<10 {
				if _, err := pw.Write(buf.Bytes()); err != nil {
					return
				}
				buf.Reset()
			}
		}
		pw.Write(buf.Bytes())
		pw.Close()
	}()
	return pr
}

// heapPeak samples the heap in use until stop is called, which returns the
// highest sample.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// TestImportMillionFailingRows: a 1M-row import whose rows all fail is
// read row by row: it answers with the count of all errors and the first
// 1000, and the heap grows by far less than the rows would take if they
// were held (before: about 1.1 GiB).
func TestImportMillionFailingRows(t *testing.T) {
	if testing.Short() {
		t.Skip("1M rows")
	}
	const rows = 1_000_000
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		stop := heapPeak()
		start := time.Now()
		req, err := http.NewRequest("POST", s.URL+"/v1/imports/stock?async=false", failingStockRows(rows))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.token("ADMIN"))
		req.Header.Set("Content-Type", "text/csv")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		peak := stop()
		if resp.StatusCode != 200 {
			t.Fatalf("import: %d %s", resp.StatusCode, truncate(b))
		}
		var res stock.ImportResult
		mustUnmarshal(t, b, &res)
		if res.Rows != rows || res.ErrorCount != rows || len(res.Errors) != stock.MaxImportErrors || res.Created+res.Updated != 0 {
			t.Fatalf("result: rows %d, error_count %d, %d errors listed, created %d, updated %d", res.Rows, res.ErrorCount, len(res.Errors), res.Created, res.Updated)
		}
		if e := res.Errors[0]; e.Line != 2 || !strings.Contains(e.Message, "qty") {
			t.Fatalf("first error %+v", e)
		}
		if e := res.Errors[1]; e.Line != 3 || !strings.Contains(e.Message, "does not exist") {
			t.Fatalf("second error %+v", e)
		}
		growth := int64(peak) - int64(base)
		t.Logf("%s: %d failing rows in %s; heap in use %d MiB at start, peak +%d MiB", db, rows, time.Since(start).Round(time.Millisecond), base>>20, growth>>20)
		if growth > 150<<20 {
			t.Fatalf("heap grew by %d MiB during the import (limit 150 MiB)", growth>>20)
		}
		// The same file as a job (the default from 512 KiB): stored, then
		// read by the runner, in bounded memory too.
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base = ms.HeapInuse
		stop = heapPeak()
		start = time.Now()
		req, _ = http.NewRequest("POST", s.URL+"/v1/imports/stock", failingStockRows(rows))
		req.Header.Set("Authorization", "Bearer "+s.token("ADMIN"))
		req.Header.Set("Content-Type", "text/csv")
		resp, err = s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 202 {
			t.Fatalf("async import: %d %s", resp.StatusCode, truncate(b))
		}
		var acc struct{ Job stock.JobView }
		mustUnmarshal(t, b, &acc)
		var job stock.JobView
		for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			s.mustJSON("GET", "/v1/jobs/"+acc.Job.ID, "ADMIN", nil, 200, &job)
			if job.Status == "done" || job.Status == "failed" {
				break
			}
		}
		peak = stop()
		if job.Status != "done" || job.Result == nil || job.Result.Rows != rows || job.Result.ErrorCount != rows || len(job.Result.Errors) != stock.MaxImportErrors {
			t.Fatalf("job %+v, result %+v", job.Job, job.Result)
		}
		growth = int64(peak) - int64(base)
		t.Logf("%s: as a job in %s; heap peak +%d MiB", db, time.Since(start).Round(time.Millisecond), growth>>20)
		// A job's input is the whole file (bounded by the 64 MiB import
		// body limit), held by the request, the database driver and the
		// runner in turn: more room than the direct import, still bounded
		// by the body limit and not by the rows' errors.
		if growth > 256<<20 {
			t.Fatalf("heap grew by %d MiB during the import job (limit 256 MiB)", growth>>20)
		}
		// Nothing was applied.
		if got := s.book("HK-TST", "NOSKU-0000001"); got != 0 {
			t.Fatalf("book %d", got)
		}
	})
}

// TestImportGiantRecord: a file whose one line (or one quoted field over
// many lines) is gigantic is refused with a clear 422 that names the line,
// and imports nothing.
func TestImportGiantRecord(t *testing.T) {
	s := startServer(t, "sqlite")
	long := strings.Repeat("x", 8<<20)
	cases := map[string]string{
		"long line":         "sku,location,qty\nGIANT-1,HK-TST,1\nGIANT-2,HK-TST," + long + "\n",
		"long quoted field": "sku,location,qty\nGIANT-1,HK-TST,1\n\"GIANT-2" + strings.Repeat("\nx", 4<<20) + "\",HK-TST,1\n",
		"long header":       "sku,location,qty" + long + "\nGIANT-1,HK-TST,1\n",
	}
	items := s.newSKUs("giant", "HK-TST", 1, 5)
	for name, body := range cases {
		body = strings.ReplaceAll(body, "GIANT-1", items[0].SKU)
		for _, async := range []string{"false", "true"} {
			resp, b := s.raw("POST", "/v1/imports/stock?async="+async, "ADMIN", "text/csv", []byte(body))
			if async == "true" {
				if resp.StatusCode != 202 {
					t.Fatalf("%s async: %d %s", name, resp.StatusCode, truncate(b))
				}
				var acc struct{ Job stock.JobView }
				mustUnmarshal(t, b, &acc)
				var job stock.JobView
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					s.mustJSON("GET", "/v1/jobs/"+acc.Job.ID, "ADMIN", nil, 200, &job)
					if job.Status == "done" || job.Status == "failed" {
						break
					}
				}
				if job.Status != "failed" || !strings.Contains(job.Error, "longer than 64 KiB") {
					t.Fatalf("%s async: job %+v", name, job.Job)
				}
				continue
			}
			if resp.StatusCode != 422 || errorCode(t, b) != "invalid" || !bytes.Contains(b, []byte("longer than 64 KiB")) {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, truncate(b))
			}
			if name == "long line" && !bytes.Contains(b, []byte(`"line":3`)) {
				t.Fatalf("%s: the error does not name line 3: %s", name, truncate(b))
			}
		}
		if got := s.book("HK-TST", items[0].SKU); got != 5 {
			t.Fatalf("%s: a refused import changed the book: %d", name, got)
		}
	}
}

// TestImportFailingEmployees: an employees file whose rows all fail (an
// unknown role, a bad PIN) hashes no PIN: at the production bcrypt cost,
// 100k rows are refused in seconds (before: one bcrypt per row, about an
// hour on two cores), with the heap bounded and every error counted.
func TestImportFailingEmployees(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	cfg.PINCost = 10
	s := startServerWith(t, cfg)
	const rows = 100_000
	var body bytes.Buffer
	body.WriteString("code,name,role,scope,pin\n")
	for i := 0; i < rows; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&body, "BADEMP-%06d,Nobody %d,wizard,HK-TST,2468\n", i, i)
		} else {
			fmt.Fprintf(&body, "BADEMP-%06d,Nobody %d,counter,HK-TST,24x8\n", i, i)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := heapPeak()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/v1/imports/employees?async=false", bytes.NewReader(body.Bytes()))
	req.Header.Set("Authorization", "Bearer "+s.token("ADMIN"))
	req.Header.Set("Content-Type", "text/csv")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("import: %v after %s", err, time.Since(start).Round(time.Millisecond))
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	peak := stop()
	if resp.StatusCode != 200 {
		t.Fatalf("import: %d %s", resp.StatusCode, truncate(b))
	}
	var res stock.ImportResult
	mustUnmarshal(t, b, &res)
	if res.Rows != rows || res.ErrorCount != rows || len(res.Errors) != stock.MaxImportErrors || res.Created+res.Updated != 0 {
		t.Fatalf("result: rows %d, error_count %d, %d listed, created %d", res.Rows, res.ErrorCount, len(res.Errors), res.Created)
	}
	if !strings.Contains(res.Errors[0].Message, "role") || !strings.Contains(res.Errors[1].Message, "pin") || res.Errors[1].Line != 3 {
		t.Fatalf("errors %+v", res.Errors[:2])
	}
	growth := int64(peak) - int64(base)
	t.Logf("%d failing employee rows in %s, heap peak +%d MiB", rows, time.Since(start).Round(time.Millisecond), growth>>20)
	if growth > 150<<20 {
		t.Fatalf("heap grew by %d MiB", growth>>20)
	}
	// A good row among them is still hashed and applied.
	good := "code,name,role,scope,pin\nBADEMP-X,wrong,wizard,HK-TST,1234\nGOODEMP-1,陳大文,counter,HK-TST,97531\n"
	resp, b = s.raw("POST", "/v1/imports/employees", "ADMIN", "text/csv", []byte(good))
	mustUnmarshal(t, b, &res)
	if resp.StatusCode != 200 || res.Created != 1 || res.ErrorCount != 1 {
		t.Fatalf("mixed employees import: %d %s", resp.StatusCode, b)
	}
	s.mustJSON("POST", "/v1/auth/token", "", map[string]string{"employee_code": "GOODEMP-1", "pin": "97531"}, 200, nil)
}
