package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pandian/scan"
	"pandian/stock"
)

// TestBadInput sends malformed and hostile requests: each gets a 4xx in the
// contract's error shape and changes nothing.
func TestBadInput(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		item := s.newSKUs("badin", "HK-TST", 1, 10)[0]
		cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"badin"}}})
		scans := "/v1/counts/" + cnt.ID + "/scans"
		big := `{"scans":[` + strings.Repeat(`{"event_id":"x","code":"1","qty":1},`, 300000) + `{"event_id":"y","code":"1","qty":1}]}`
		many := make([]scanIn, 5001)
		for i := range many {
			many[i] = scanIn{EventID: fmt.Sprint("m", i), Code: item.EAN, Qty: 1}
		}
		manyBody, _ := json.Marshal(map[string]any{"scans": many})
		cases := []struct {
			name, method, path, ctype, body string
			status                          int
			code                            string
		}{
			{"malformed JSON", "POST", scans, "application/json", `{"scans": [`, 400, "invalid"},
			{"not JSON", "POST", scans, "application/json", `scans=1`, 400, "invalid"},
			{"two values", "POST", scans, "application/json", `{"scans":[]} {}`, 400, "invalid"},
			{"wrong type qty", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":"3"}]}`, 400, "invalid"},
			{"fractional qty", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":1.5}]}`, 400, "invalid"},
			{"overflow qty", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":99999999999999999999}]}`, 400, "invalid"},
			{"NaN qty", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":NaN}]}`, 400, "invalid"},
			{"infinite lat", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":1,"lat":1e999}]}`, 400, "invalid"},
			{"unknown field", "POST", scans, "application/json", `{"scans":[{"event_id":"a","code":"` + item.EAN + `","qty":1,"colour":"red"}]}`, 400, "invalid"},
			{"wrong content type", "POST", scans, "text/plain", `{"scans":[]}`, 415, "unsupported_media"},
			{"empty batch", "POST", scans, "application/json", `{"scans":[]}`, 422, "invalid"},
			{"too many scans", "POST", scans, "application/json", string(manyBody), 413, "too_large"},
			{"huge body", "POST", scans, "application/json", big, 413, "too_large"},
			{"money as float", "PUT", "/v1/skus/BAD-1", "application/json", `{"name":"x","unit_cost":12.5}`, 400, "invalid"},
			{"money with 5 decimals", "PUT", "/v1/skus/BAD-1", "application/json", `{"name":"x","unit_cost":"1.00001"}`, 400, "invalid"},
			{"bad check digit", "PUT", "/v1/skus/BAD-1", "application/json", `{"name":"x","unit_cost":"1.00","barcodes":[{"code":"4894033001502","pack_qty":1}]}`, 422, "invalid"},
			{"negative pack", "PUT", "/v1/skus/BAD-1", "application/json", `{"name":"x","unit_cost":"1.00","barcodes":[{"code":"SKU-X","pack_qty":-2}]}`, 422, "invalid"},
			{"bad sku code", "PUT", "/v1/skus/..%2F..", "application/json", `{"name":"x","unit_cost":"1.00"}`, 422, "invalid"},
			{"bad role", "PUT", "/v1/employees/BAD-1", "application/json", `{"name":"x","role":"king","scope":["HK-TST"],"pin":"1234"}`, 422, "invalid"},
			{"short pin", "PUT", "/v1/employees/BAD-1", "application/json", `{"name":"x","role":"counter","scope":["HK-TST"],"pin":"12"}`, 422, "invalid"},
			{"unknown scope", "PUT", "/v1/employees/BAD-1", "application/json", `{"name":"x","role":"counter","scope":["NOWHERE"],"pin":"1234"}`, 422, "invalid"},
			{"location cycle", "PUT", "/v1/locations/HK", "application/json", `{"name":"x","kind":"region","parent":"HK-KLN"}`, 422, "invalid"},
			{"zone under region", "PUT", "/v1/locations/BAD-Z", "application/json", `{"name":"x","kind":"zone","parent":"HK"}`, 422, "invalid"},
			{"bad policy", "POST", "/v1/counts", "application/json", `{"location":"HK-MK","movement_policy":"yolo"}`, 422, "invalid"},
			{"count on a bin", "POST", "/v1/counts", "application/json", `{"location":"HK-TST-A01"}`, 422, "invalid"},
			{"movement qty zero", "POST", "/v1/stock/movements", "application/json", `[{"movement_id":"z","sku":"` + item.SKU + `","location":"HK-TST","qty_delta":0,"kind":"sale"}]`, 422, "invalid"},
			{"positive sale", "POST", "/v1/stock/movements", "application/json", `[{"movement_id":"z","sku":"` + item.SKU + `","location":"HK-TST","qty_delta":3,"kind":"sale"}]`, 422, "invalid"},
			{"bad movement time", "POST", "/v1/stock/movements", "application/json", `[{"movement_id":"z","sku":"` + item.SKU + `","location":"HK-TST","qty_delta":-1,"kind":"sale","at":"yesterday"}]`, 400, "invalid"},
			{"non-UTF-8 CSV", "POST", "/v1/imports/catalog", "text/csv", "sku,name,name_zh,category,unit_cost,barcode,pack_qty\nBAD-2,\xb9\xc5,x,c,1.00,,1\n", 422, "invalid"},
			{"CSV as JSON", "POST", "/v1/imports/catalog", "application/json", `{}`, 415, "unsupported_media"},
			{"CSV without columns", "POST", "/v1/imports/catalog", "text/csv", "sku,name\nBAD-2,x\n", 422, "invalid"},
			{"broken CSV quoting", "POST", "/v1/imports/catalog", "text/csv", "sku,name,name_zh,category,unit_cost,barcode,pack_qty\nBAD-2,\"x,x,c,1.00,,1\n", 422, "invalid"},
			{"unknown import", "POST", "/v1/imports/prices", "text/csv", "a\n1\n", 404, "not_found"},
			{"bad group_by", "GET", "/v1/counts/" + cnt.ID + "/report?group_by=colour", "", "", 422, "invalid"},
			{"bad format", "GET", "/v1/counts/" + cnt.ID + "/report?format=pdf", "", "", 422, "invalid"},
			{"bad date", "GET", "/v1/reports/discrepancies?from=last-week", "", "", 422, "invalid"},
			{"bad GS1", "GET", "/v1/lookup?code=" + "(17)271399(01)09501101530003", "", "", 422, "invalid"},
			{"unknown endpoint", "GET", "/v1/nothing", "", "", 404, "not_found"},
		}
		as := map[string]string{"/v1/counts": mgr, "/v1/stock/movements": mgr}
		for _, c := range cases {
			who := "ADMIN"
			if w, ok := as[c.path]; ok {
				who = w
			}
			if strings.HasPrefix(c.path, "/v1/counts/") {
				who = mgr
			}
			resp, b := s.raw(c.method, c.path, who, c.ctype, []byte(c.body))
			if resp.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, truncate(b))
				continue
			}
			if code := errorCode(t, b); code != c.code {
				t.Errorf("%s: code %s, want %s", c.name, code, c.code)
			}
			if bytes.Contains(b, []byte("goroutine")) || bytes.Contains(b, []byte(".go:")) {
				t.Errorf("%s: the answer leaks internals: %s", c.name, truncate(b))
			}
		}
		// Nothing changed.
		var view stock.CountView
		s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
		if view.Stats.Scans != 0 {
			t.Errorf("bad requests stored scans: %+v", view.Stats)
		}
		for _, p := range []string{"/v1/skus/BAD-1", "/v1/skus/BAD-2", "/v1/locations/BAD-Z"} {
			if resp, _ := s.do("GET", p, "ADMIN", nil); resp.StatusCode != 404 {
				t.Errorf("%s exists after a refused request", p)
			}
		}
		var hk stock.Location
		s.mustJSON("GET", "/v1/locations/HK", "ADMIN", nil, 200, &hk)
		if hk.Parent != "" || hk.Path != "/HK/" {
			t.Errorf("HK moved: %+v", hk)
		}
		if got := s.book("HK-TST", item.SKU); got != 10 {
			t.Errorf("book changed to %d", got)
		}
		var counts struct{ Counts []stock.Count }
		s.mustJSON("GET", "/v1/counts?location=HK-MK", "ADMIN", nil, 200, &counts)
		if len(counts.Counts) != 0 {
			t.Errorf("a refused count was opened: %+v", counts.Counts)
		}
		// Per-scan problems reject that scan only.
		res := s.scans(mgr, cnt.ID,
			scanIn{Code: item.EAN, Qty: 1},
			scanIn{Code: item.EAN, Qty: 0},
			scanIn{Code: item.EAN, Qty: 1, ScannedAt: "soon"},
			scanIn{Code: "4894033001502", Qty: 1},
			scanIn{Code: item.EAN, Qty: 1, Bin: "NO-SUCH-BIN"},
			scanIn{Code: item.EAN, Qty: 1, Bin: "HK-MK-A01"},
		)
		if res.Accepted != 1 || len(res.Rejected) != 5 {
			t.Fatalf("per-scan validation %+v", res)
		}
		want := []string{"invalid", "invalid", "invalid", "invalid", "out_of_scope"}
		for i, r := range res.Rejected {
			if r.Code != want[i] || r.Message == "" {
				t.Errorf("rejection %d: %+v, want %s", i, r, want[i])
			}
		}
	})
}

// TestLoginLockout: wrong PINs answer 401, then the employee is locked out
// (429) even with the right PIN; the lock lasts.
func TestLoginLockout(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		code := employeeWith(t, "counter", "HK-MK")
		login := func(pin string) (int, []byte) {
			resp, b := s.rawToken("POST", "/v1/auth/token", "", "application/json", []byte(`{"employee_code":"`+code+`","pin":"`+pin+`","device_id":"d1"}`))
			return resp.StatusCode, b
		}
		for i := 0; i < 4; i++ {
			if st, b := login("000000"); st != 401 || errorCode(t, b) != "unauthenticated" {
				t.Fatalf("wrong PIN %d: %d %s", i, st, b)
			}
		}
		if st, b := login("000000"); st != 429 || errorCode(t, b) != "rate_limited" {
			t.Fatalf("fifth wrong PIN: %d %s", st, b)
		}
		if st, b := login(pinOf(t, code)); st != 429 {
			t.Fatalf("right PIN while locked: %d %s", st, b)
		}
		// An unknown employee looks like a wrong PIN.
		resp, b := s.rawToken("POST", "/v1/auth/token", "", "application/json", []byte(`{"employee_code":"NOBODY","pin":"1234"}`))
		if resp.StatusCode != 401 || errorCode(t, b) != "unauthenticated" {
			t.Fatalf("unknown employee: %d %s", resp.StatusCode, b)
		}
		// Tokens are stored hashed: the token is nowhere in the database.
		tok := s.token("ADMIN")
		var found int
		if err := s.app.store.DB().QueryRow(s.app.store.Rebind(`SELECT COUNT(*) FROM sessions WHERE token_hash = ?`), tok).Scan(&found); err != nil || found != 0 {
			t.Fatalf("token stored in clear: %d %v", found, err)
		}
		var pinHash string
		if err := s.app.store.DB().QueryRow(s.app.store.Rebind(`SELECT pin_hash FROM employees WHERE code = ?`), code).Scan(&pinHash); err != nil || !strings.HasPrefix(pinHash, "$2") {
			t.Fatalf("PIN not hashed: %q %v", pinHash, err)
		}
	})
}

// TestImports: BOM, Traditional Chinese, per-line errors, all-or-nothing on
// fatal errors, and a 100k-row import as a background job with progress.
func TestImports(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		cat := "\ufeffsku,name,name_zh,category,unit_cost,barcode,pack_qty\n" +
			"IMP-1,Milk Tea 250ml,奶茶 250毫升,飲品,3.20," + ean("489111000001") + ",1\n" +
			"IMP-1,Milk Tea 250ml,奶茶 250毫升,飲品,3.20,1" + ean("489111000001")[:12] + string(scan.CheckDigit("1"+ean("489111000001")[:12])) + ",24\n" +
			"IMP-2,Soy Milk,豆漿,飲品,abc,,1\n" +
			"IMP-3,Egg Rolls,蛋卷,零食,12.00,4894033001502,1\n" +
			"IMP-4,\"Rice, Thai 5kg\",泰國香米 5公斤,米,58.5,,1\n" +
			"IMP-5,Stolen Code,偷碼,x,1.00," + ean("489111000001") + ",1\n"
		var res stock.ImportResult
		resp, b := s.raw("POST", "/v1/imports/catalog", "ADMIN", "text/csv; charset=utf-8", []byte(cat))
		if resp.StatusCode != 200 {
			t.Fatalf("import: %d %s", resp.StatusCode, b)
		}
		mustUnmarshal(t, b, &res)
		if res.Rows != 6 || res.Created != 3 || len(res.Errors) != 3 {
			t.Fatalf("summary %+v", res)
		}
		lines := []int{}
		for _, e := range res.Errors {
			lines = append(lines, e.Line)
		}
		if fmt.Sprint(lines) != "[4 5 7]" {
			t.Fatalf("error lines %v: %+v", lines, res.Errors)
		}
		var sku stock.SKU
		s.mustJSON("GET", "/v1/skus/IMP-1", "ADMIN", nil, 200, &sku)
		if sku.NameZh != "奶茶 250毫升" || sku.Category != "飲品" || len(sku.Barcodes) != 2 || sku.UnitCost.String() != "3.20" {
			t.Fatalf("imported SKU %+v", sku)
		}
		s.mustJSON("GET", "/v1/skus/IMP-4", "ADMIN", nil, 200, &sku)
		if sku.Name != "Rice, Thai 5kg" || sku.UnitCost.String() != "58.50" {
			t.Fatalf("quoted field %+v", sku)
		}
		// Employees with multi-store scope.
		emp := "code,name,role,scope,pin\nIMP-E1,陳小明 Chan Siu Ming,counter,HK-TST|HK-MK,2468\nIMP-E2,x,counter,NOWHERE,2468\n"
		resp, b = s.raw("POST", "/v1/imports/employees", "ADMIN", "text/csv", []byte(emp))
		mustUnmarshal(t, b, &res)
		if resp.StatusCode != 200 || res.Created != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 3 {
			t.Fatalf("employees import %d %+v", resp.StatusCode, res)
		}
		var me struct{ Token string }
		s.mustJSON("POST", "/v1/auth/token", "", map[string]string{"employee_code": "IMP-E1", "pin": "2468"}, 200, &me)

		// 100k rows: answered 202, run as a job that reports progress.
		var big strings.Builder
		big.WriteString("sku,name,name_zh,category,unit_cost,barcode,pack_qty\n")
		for i := 0; i < 100000; i++ {
			fmt.Fprintf(&big, "BIG-%06d,Bulk item %d,大量貨品 %d,bulk,%d.%02d,%s,1\n", i, i, i, 1+i%50, i%100, ean(fmt.Sprintf("47%010d", i)))
		}
		start := time.Now()
		resp, b = s.raw("POST", "/v1/imports/catalog", "ADMIN", "text/csv", []byte(big.String()))
		if resp.StatusCode != 202 {
			t.Fatalf("big import: %d %s", resp.StatusCode, truncate(b))
		}
		var acc struct{ Job stock.JobView }
		mustUnmarshal(t, b, &acc)
		if loc := resp.Header.Get("Location"); loc != "/v1/jobs/"+acc.Job.ID {
			t.Fatalf("Location %q", loc)
		}
		var job stock.JobView
		for {
			s.mustJSON("GET", "/v1/jobs/"+acc.Job.ID, "ADMIN", nil, 200, &job)
			if job.Status == "done" || job.Status == "failed" || time.Since(start) > 5*time.Minute {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if job.Status != "done" || job.Progress != 1 || job.Result == nil || job.Result.Created != 100000 || len(job.Result.Errors) != 0 {
			t.Fatalf("big import job %+v (result %+v)", job.Job, job.Result)
		}
		t.Logf("%s: 100k-row catalog import in %s", db, time.Since(start).Round(time.Millisecond))
		s.mustJSON("GET", "/v1/skus/BIG-099999", "ADMIN", nil, 200, &sku)
		var lk stock.LookupResult
		s.mustJSON("GET", "/v1/lookup?code="+ean("470000099999"), "ADMIN", nil, 200, &lk)
		if lk.SKU != "BIG-099999" {
			t.Fatalf("lookup %+v", lk)
		}
	})
}
