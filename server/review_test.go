package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
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
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(s.URL + "/review/login?lang=zh-Hant")
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
	mgr := employeeWith(t, "store_manager", "HK-TST")
	resp, err = c.PostForm(s.URL+"/review/login", url.Values{"csrf": {m[1]}, "code": {mgr}, "pin": {pinOf(t, mgr)}})
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/review/counts") {
		t.Fatalf("after sign-in: %d at %s: %s", resp.StatusCode, resp.Request.URL, page)
	}
	if !strings.Contains(page, "盤點") {
		t.Fatalf("count list not in Chinese:\n%s", page)
	}
	// The role report links its Excel download, which opens.
	resp, err = c.Get(s.URL + "/review/reports/roles?weeks=4")
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
