package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"pandian/stock"
)

// roleCase is one employee of the matrix with the store it works in and a
// store outside its scope.
type roleCase struct {
	role    stock.Role
	code    string
	inStore string
	outside string // "" for whole-company roles
}

// endpoint is one row of the matrix. path may hold {count}, {store},
// {zone}; perm is what the role table requires (nil = any signed-in
// employee); scoped rows answer 404 outside the caller's scope; ok is the
// success status. prepare, when set, readies the count before the call.
type endpoint struct {
	method, path string
	body         func(rc roleCase, outside bool) any
	perm         stock.Permission
	scoped       bool
	ok           int
	fresh        string // "open" or "review": the row needs its own count in that state
	photo        bool   // the body is a photo upload
}

// TestAuthorizationMatrix calls every endpoint as every role, inside and
// outside the role's scope, and checks allow / 403 / 404 against the
// contract's role table.
func TestAuthorizationMatrix(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		cases := []roleCase{
			{stock.RoleCounter, employeeWith(t, "counter", "HK-TST"), "HK-TST", "MO-SMR"},
			{stock.RoleSupervisor, employeeWith(t, "supervisor", "HK-TST"), "HK-TST", "MO-SMR"},
			{stock.RoleStoreManager, employeeWith(t, "store_manager", "HK-TST"), "HK-TST", "MO-SMR"},
			{stock.RoleRegionalManager, employeeWith(t, "regional_manager", "HK-KLN"), "HK-TST", "MO-SMR"},
			{stock.RoleAuditor, employeeWith(t, "auditor", ""), "HK-TST", ""},
			{stock.RoleAdmin, "ADMIN", "HK-TST", ""},
		}
		item := s.newSKUs("authz", "HK-TST", 1, 5)[0]
		s.newSKUs("authz", "MO-SMR", 0, 0)
		csvStock := "sku,location,qty\n" + item.SKU + ",MO-SMR,5\n"
		if resp, b := s.raw("POST", "/v1/imports/stock", "ADMIN", "text/csv", []byte(csvStock)); resp.StatusCode != 200 {
			t.Fatalf("stock import: %s", b)
		}
		// Each matrix cell that changes a count gets its own zone and count.
		zoneSeq := 0
		newCount := func(store, state string) string {
			zoneSeq++
			zone := fmt.Sprintf("%s-MX%d", store, zoneSeq)
			s.mustJSON("PUT", "/v1/locations/"+zone, "ADMIN", map[string]any{"name": "矩陣區 " + zone, "kind": "zone", "parent": store}, 201, nil)
			c := s.openCount("ADMIN", map[string]any{"location": zone, "scope": map[string]any{"skus": []string{item.SKU}}})
			s.scans("ADMIN", c.ID, scanIn{Code: item.EAN, Qty: 1})
			if state == "review" {
				s.mustJSON("POST", "/v1/counts/"+c.ID+"/close", "ADMIN", nil, 200, nil)
			}
			return c.ID
		}
		shared := map[string]string{"HK-TST": newCount("HK-TST", "open"), "MO-SMR": newCount("MO-SMR", "open")}
		var jobID struct{ Job stock.JobView }
		s.mustJSON("GET", "/v1/me", "ADMIN", nil, 200, nil)
		resp, b := s.raw("POST", "/v1/imports/locations?async=true", "ADMIN", "text/csv", []byte("code,name,kind,parent,approval_limit\nHK-TST-JOB,工作區,zone,HK-TST,\n"))
		if resp.StatusCode != 202 {
			t.Fatalf("async import: %d %s", resp.StatusCode, b)
		}
		mustUnmarshal(t, b, &jobID)

		none := func(roleCase, bool) any { return nil }
		endpoints := []endpoint{
			{"GET", "/v1/me", none, "", false, 200, "", false},
			{"PUT", "/v1/locations/{store}-NEW", func(rc roleCase, _ bool) any {
				return map[string]any{"name": "新區", "kind": "zone", "parent": rc.inStore}
			}, stock.PermMasterData, false, 201, "", false},
			{"GET", "/v1/locations/{store}", none, "", true, 200, "", false},
			{"GET", "/v1/locations?under={store}", none, "", true, 200, "", false},
			{"PUT", "/v1/skus/AUTHZ-{role}", func(roleCase, bool) any {
				return map[string]any{"name": "x", "name_zh": "x", "category": "authz", "unit_cost": "1.00", "barcodes": []any{}}
			}, stock.PermMasterData, false, 201, "", false},
			{"GET", "/v1/skus/" + item.SKU, none, "", false, 200, "", false},
			{"DELETE", "/v1/skus/AUTHZ-{role}", none, stock.PermMasterData, false, 200, "", false},
			{"PUT", "/v1/employees/AUTHZ-{role}", func(rc roleCase, _ bool) any {
				return map[string]any{"name": "x", "role": "counter", "scope": []string{rc.inStore}, "pin": "4321"}
			}, stock.PermMasterData, false, 201, "", false},
			{"POST", "/v1/employees/" + employeeWith(t, "counter", "HK-MK") + "/unlock", none, stock.PermMasterData, false, 200, "", false},
			{"POST", "/v1/imports/catalog", nil, stock.PermMasterData, false, 200, "", false},
			{"GET", "/v1/jobs/" + jobID.Job.ID, none, stock.PermMasterData, false, 200, "", false},
			{"GET", "/v1/lookup?code=" + item.EAN, none, "", false, 200, "", false},
			{"GET", "/v1/stock?location={store}", none, stock.PermReadStock, true, 200, "", false},
			{"POST", "/v1/stock/movements", func(rc roleCase, outside bool) any {
				return []map[string]any{{"movement_id": "authz-" + string(rc.role) + fmt.Sprint(outside), "sku": item.SKU, "location": storeOf(rc, outside), "qty_delta": 1, "kind": "receipt"}}
			}, stock.PermPostMovements, true, 200, "", false},
			{"POST", "/v1/counts", func(rc roleCase, outside bool) any {
				zoneSeq++
				zone := fmt.Sprintf("%s-MX%d", storeOf(rc, outside), zoneSeq)
				s.mustJSON("PUT", "/v1/locations/"+zone, "ADMIN", map[string]any{"name": "區", "kind": "zone", "parent": storeOf(rc, outside)}, 201, nil)
				return map[string]any{"location": zone}
			}, stock.PermManageCount, true, 201, "", false},
			{"GET", "/v1/counts?location={store}", none, "", true, 200, "", false},
			{"GET", "/v1/counts/{count}", none, "", true, 200, "", false},
			{"POST", "/v1/counts/{count}/scans", func(roleCase, bool) any {
				return map[string]any{"scans": []scanIn{{EventID: ev(), Code: item.EAN, Qty: 1}}}
			}, stock.PermScan, true, 200, "", false},
			{"GET", "/v1/counts/{count}/scans", none, stock.PermReadReports, true, 200, "", false},
			{"POST", "/v1/counts/{count}/images", nil, stock.PermScan, true, 200, "", true},
			{"GET", "/v1/counts/{count}/report?group_by=role", none, stock.PermReadReports, true, 200, "", false},
			{"POST", "/v1/counts/{count}/close", none, stock.PermManageCount, true, 200, "open", false},
			{"POST", "/v1/counts/{count}/recounts", func(rc roleCase, outside bool) any {
				assignee := employeeWith(t, "counter", "HK-TST")
				if outside {
					assignee = employeeWith(t, "counter", "MO-SMR")
				}
				return map[string]any{"skus": []string{item.SKU}, "assignee": assignee}
			}, stock.PermManageCount, true, 200, "review", false},
			{"POST", "/v1/counts/{count}/approve", func(roleCase, bool) any { return map[string]any{"uncounted": "zero"} }, stock.PermApprove, true, 200, "review", false},
			{"GET", "/v1/reports/discrepancies?location={store}", none, "cross_report", true, 200, "", false},
			{"GET", "/v1/audit", none, "audit", false, 200, "", false},
		}
		for _, ep := range endpoints {
			for _, rc := range cases {
				for _, outside := range []bool{false, true} {
					if outside && (!ep.scoped || rc.outside == "") {
						continue
					}
					name := fmt.Sprintf("%s %s as %s", ep.method, ep.path, rc.role)
					if outside {
						name += " outside scope"
					}
					path := strings.NewReplacer("{store}", storeOf(rc, outside), "{role}", string(rc.role)).Replace(ep.path)
					if strings.Contains(path, "{count}") {
						id := shared[storeOf(rc, outside)]
						if ep.fresh != "" {
							id = newCount(storeOf(rc, outside), ep.fresh)
						}
						path = strings.ReplaceAll(path, "{count}", id)
					}
					var resp *http.Response
					var body []byte
					if ep.photo {
						st, b := s.upload(rc.code, strings.TrimSuffix(strings.TrimPrefix(path, "/v1/counts/"), "/images"), "ean13.png", nil)
						resp, body = &http.Response{StatusCode: st}, b
					} else if ep.body == nil {
						resp, body = s.raw(ep.method, path, rc.code, "text/csv", []byte("sku,name,name_zh,category,unit_cost,barcode,pack_qty\nAUTHZ-CSV,x,x,authz,1.00,,1\n"))
					} else {
						resp, body = s.do(ep.method, path, rc.code, ep.body(rc, outside))
					}
					want := ep.ok
					switch {
					case !allowed(rc.role, ep.perm):
						want = 403
					case outside:
						want = 404
					}
					if ep.path == "/v1/jobs/"+jobID.Job.ID && rc.role != stock.RoleAdmin {
						want = 404 // a job is visible to its submitter and admins only
					}
					if resp.StatusCode != want {
						t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, want, truncate(body))
						continue
					}
					if want >= 400 {
						if code := errorCode(t, body); (want == 403 && code != "forbidden") || (want == 404 && code != "not_found") {
							t.Errorf("%s: error code %s", name, code)
						}
					}
				}
			}
		}
		// Without a token every protected endpoint answers 401.
		for _, ep := range endpoints {
			path := strings.NewReplacer("{store}", "HK-TST", "{role}", "x", "{count}", shared["HK-TST"]).Replace(ep.path)
			resp, body := s.rawToken(ep.method, path, "", "application/json", []byte("{}"))
			if resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
				t.Errorf("%s %s without a token: %d %s", ep.method, path, resp.StatusCode, truncate(body))
			}
			resp, _ = s.rawToken(ep.method, path, "not-a-token", "application/json", []byte("{}"))
			if resp.StatusCode != 401 {
				t.Errorf("%s %s with a bad token: %d", ep.method, path, resp.StatusCode)
			}
		}
	})
}

func storeOf(rc roleCase, outside bool) string {
	if outside {
		return rc.outside
	}
	return rc.inStore
}

// allowed is the contract's role table.
func allowed(r stock.Role, perm stock.Permission) bool {
	switch perm {
	case "":
		return true
	case "cross_report":
		return r != stock.RoleCounter
	case "audit":
		return r == stock.RoleAdmin || r == stock.RoleAuditor
	}
	table := map[stock.Permission][]stock.Role{
		stock.PermScan:          {"counter", "supervisor", "store_manager", "regional_manager", "admin"},
		stock.PermManageCount:   {"supervisor", "store_manager", "regional_manager", "admin"},
		stock.PermApprove:       {"store_manager", "regional_manager", "admin"},
		stock.PermReadReports:   {"counter", "supervisor", "store_manager", "regional_manager", "auditor", "admin"},
		stock.PermMasterData:    {"admin"},
		stock.PermReadStock:     {"store_manager", "regional_manager", "auditor", "admin"},
		stock.PermPostMovements: {"store_manager", "regional_manager", "admin"},
	}
	for _, x := range table[perm] {
		if x == r {
			return true
		}
	}
	return false
}

// TestLogout: a revoked token stops working at once; other tokens of the
// same employee do not.
func TestLogout(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		var a, b struct{ Token string }
		body := map[string]string{"employee_code": mgr, "pin": pinOf(t, mgr), "device_id": "TC52-1"}
		s.mustJSON("POST", "/v1/auth/token", "", body, 200, &a)
		s.mustJSON("POST", "/v1/auth/token", "", body, 200, &b)
		if resp, body := s.rawToken("POST", "/v1/auth/logout", a.Token, "", nil); resp.StatusCode != 204 {
			t.Fatalf("logout: %d %s", resp.StatusCode, body)
		}
		if resp, _ := s.rawToken("GET", "/v1/me", a.Token, "", nil); resp.StatusCode != 401 {
			t.Fatalf("revoked token: %d", resp.StatusCode)
		}
		if resp, _ := s.rawToken("GET", "/v1/me", b.Token, "", nil); resp.StatusCode != 200 {
			t.Fatalf("other token: %d", resp.StatusCode)
		}
		if resp, _ := s.rawToken("POST", "/v1/auth/logout", a.Token, "", nil); resp.StatusCode != 401 {
			t.Fatalf("logout with a revoked token: %d", resp.StatusCode)
		}
	})
}
