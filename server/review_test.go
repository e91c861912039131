package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pandian/export"
)

// TestReviewPagesServed: the server serves the review pages beside the API
// (their own tests, browser ones included, are in review/): sign-in with an
// employee's code and PIN, then the count list, in Chinese when asked.
func TestReviewPagesServed(t *testing.T) {
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-TST")
	c, page := s.reviewSignIn(t, mgr, "zh-Hant")
	if !strings.Contains(page, "盤點") {
		t.Fatalf("count list not in Chinese:\n%s", page)
	}
	// The role report links its Excel download, which opens.
	resp, err := c.Get(s.URL + "/review/reports/roles?weeks=4")
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="export-roles-xlsx"`) {
		t.Fatalf("role report: %d\n%s", resp.StatusCode, page)
	}
	resp, err = c.Get(s.URL + "/review/reports/roles/export.xlsx?weeks=4")
	if err != nil {
		t.Fatal(err)
	}
	book := readAll(t, resp)
	f, err := excelize.OpenReader(strings.NewReader(book))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("role report xlsx: %d %v", resp.StatusCode, err)
	}
	if rows, err := f.GetRows(export.SheetSummary); err != nil || len(rows) < 1 {
		t.Fatalf("role report xlsx Summary: %v %v", rows, err)
	}
	f.Close()
	// The API's 404 still answers beside the pages.
	if resp, _ := s.raw("GET", "/v1/nothing-here", "", "", nil); resp.StatusCode != 401 && resp.StatusCode != 404 {
		t.Fatalf("unknown API path: %d", resp.StatusCode)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reviewSignIn signs in to the review pages as code (in lang) and returns
// the browser-like client and the page it lands on (the count list).
func (s *testServer) reviewSignIn(t *testing.T, code, lang string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(s.URL + "/review/login?lang=" + lang)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "<form") || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on the login page:\n%s", page)
	}
	resp, err = c.PostForm(s.URL+"/review/login", url.Values{"csrf": {m[1]}, "code": {code}, "pin": {pinOf(t, code)}})
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/review/counts") {
		t.Fatalf("after sign-in: %d at %s: %s", resp.StatusCode, resp.Request.URL, page)
	}
	return c, page
}

// TestReviewScanPhoto: a photo whose barcodes were recorded as scans is
// kept, and the reviewer's drill-down links each photo scan to it.
func TestReviewScanPhoto(t *testing.T) {
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-TST")
	s.mustJSON("PUT", "/v1/skus/PHOTO-2", "ADMIN", map[string]any{"name": "Photo item", "name_zh": "相片貨品", "category": "photo2", "unit_cost": "1.00",
		"barcodes": []map[string]any{{"code": "4891234567898", "pack_qty": 1}, {"code": "14891234567895", "pack_qty": 12}}}, 201, nil)
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"photo2"}}})
	if st, body := s.upload("E009", cnt.ID, "carton.png", map[string]string{"qty": "1"}); st != 200 {
		t.Fatalf("photo: %d %s", st, body)
	}
	photo, err := os.ReadFile(filepath.Join("..", "fixtures", "barcodes", "carton.png"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.reviewSignIn(t, mgr, "en")
	resp, err := c.Get(s.URL + "/review/counts/" + cnt.ID + "/lines/PHOTO-2")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := regexp.MustCompile(`href="(/review/counts/[^"]+/photos/[0-9a-f]{24})"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("drill-down without a photo link: %d\n%s", resp.StatusCode, page)
	}
	resp, err = c.Get(s.URL + m[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); resp.StatusCode != 200 || got != string(photo) {
		t.Fatalf("photo: %d, %d bytes, want the %d bytes uploaded", resp.StatusCode, len(got), len(photo))
	}
	// Another store's manager gets nothing.
	other := employeeWith(t, "store_manager", "HK-MK")
	oc, _ := s.reviewSignIn(t, other, "en")
	if resp, err := oc.Get(s.URL + m[1]); err != nil || resp.StatusCode != 404 {
		t.Fatalf("photo out of scope: %v %v", resp.StatusCode, err)
	}
}
