package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pandian/export"
	"pandian/stock"
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
// kept with where its barcodes were found; the reviewer's drill-down
// shows it inline with a box drawn round each barcode, and serves the
// image inline with its media type.
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
	m := regexp.MustCompile(`href="(/review/counts/[^"]+/photos/[0-9a-f]{24})[#"]`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("drill-down without a photo link: %d\n%s", resp.StatusCode, page)
	}
	// The drill-down shows the photo inline, each barcode outlined where
	// the engine found it.
	for _, want := range []string{`id="photos"`, `<svg viewBox="0 0 `, `<polygon class="box" points="`, `<image href="` + m[1] + `/image"`, "4891234567898", "PHOTO-2"} {
		if !strings.Contains(page, want) {
			t.Errorf("drill-down lacks %q", want)
		}
	}
	size := regexp.MustCompile(`<svg viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(page)
	if size == nil || size[1] == "0" {
		t.Fatalf("no photo size: %v", size)
	}
	// The polygons are inside the photo.
	w, _ := strconv.ParseFloat(size[1], 64)
	h, _ := strconv.ParseFloat(size[2], 64)
	boxes := regexp.MustCompile(`<polygon class="box" points="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(boxes) < 2 {
		t.Errorf("%d boxes, want one per barcode (2)", len(boxes))
	}
	for _, b := range boxes {
		for _, xy := range strings.Fields(b[1]) {
			x, y, _ := strings.Cut(xy, ",")
			fx, _ := strconv.ParseFloat(x, 64)
			fy, _ := strconv.ParseFloat(y, 64)
			if fx < 0 || fy < 0 || fx > w || fy > h {
				t.Errorf("box point %s outside the %vx%v photo", xy, w, h)
			}
		}
	}
	// The photo's own page: the same figure.
	resp, err = c.Get(s.URL + m[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(got, `<polygon class="box"`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("photo page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The image: the bytes uploaded, as an image shown inline.
	resp, err = c.Get(s.URL + m[1] + "/image")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); resp.StatusCode != 200 || got != string(photo) {
		t.Fatalf("photo: %d, %d bytes, want the %d bytes uploaded", resp.StatusCode, len(got), len(photo))
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "image/png" || !strings.HasPrefix(cd, "inline;") || !strings.Contains(cd, ".png") {
		t.Errorf("photo served as %q, %q", ct, cd)
	}
	// Another store's manager gets nothing.
	other := employeeWith(t, "store_manager", "HK-MK")
	oc, _ := s.reviewSignIn(t, other, "en")
	for _, u := range []string{m[1], m[1] + "/image"} {
		if resp, err := oc.Get(s.URL + u); err != nil || resp.StatusCode != 404 {
			t.Fatalf("photo out of scope %s: %v %v", u, resp.StatusCode, err)
		}
	}
}

// TestReviewCountFlowThroughServer: on the real server, a count the API
// opened is listed by store and scope with its opener's name; its report
// folds the lines nobody scanned and names who counted; approving as the
// store manager goes through the review step (the never-scanned lines
// asked about, reasons left unset shown as Unknown) and the confirmation
// redirects to the posted count, in Chinese.
func TestReviewCountFlowThroughServer(t *testing.T) {
	s := startServer(t, "sqlite")
	var cnt stock.Count
	s.mustJSON("POST", "/v1/counts", "E008", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}, "blind": true}, 201, &cnt)
	if res := s.scans("E009", cnt.ID, scanIn{Code: "]E04894033001501", Qty: 3, Bin: "HK-TST-A01"}); res.Accepted != 1 {
		t.Fatalf("scan %+v", res)
	}
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", "E008", nil, 200, nil)
	c, page := s.reviewSignIn(t, "E007", "zh-Hant")
	for _, want := range []string{"尖沙咀店 · 飲品", "區慧強 Au Wai Keung", "1 / ", `<option value="HK-TST">`} {
		if !strings.Contains(page, want) {
			t.Errorf("count list lacks %q", want)
		}
	}
	get := func(path string) string {
		resp, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return readAll(t, resp)
	}
	rep := get("/review/counts/" + cnt.ID)
	for _, want := range []string{`id="unscanned-row"`, "項從未掃描（當 0 計）", "麥強卓 Mak Keung Cheuk (E009)", `id="actionbar"`, "批核適用於整次盤點"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(rep)[1]
	post := func(path string, f url.Values) (*http.Response, string) {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		defer func() { c.CheckRedirect = nil }()
		resp, err := c.PostForm(s.URL+path, f)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	f := url.Values{"csrf": {tok}}
	_, sum := post("/review/counts/"+cnt.ID+"/approve/review", f)
	if !strings.Contains(sum, `id="uncounted-choice"`) || strings.Contains(sum, `id="confirm-form"`) {
		t.Fatalf("review step without a decision:\n%.2000s", sum)
	}
	f.Set("uncounted", "hold")
	_, sum = post("/review/counts/"+cnt.ID+"/approve/review", f)
	for _, want := range []string{`id="reasons-unset"`, "1 項未選擇原因", `data-reason="unknown"`, `id="confirm-form"`} {
		if !strings.Contains(sum, want) {
			t.Errorf("review step lacks %q", want)
		}
	}
	f.Set("if_match", regexp.MustCompile(`name="if_match" value="([^"]+)"`).FindStringSubmatch(sum)[1])
	resp, _ := post("/review/counts/"+cnt.ID+"/approve", f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if done := get(resp.Header.Get("Location")); !strings.Contains(done, "已批核：過帳 1 項") || !strings.Contains(done, "已過帳") {
		t.Errorf("after the confirmation:\n%.1500s", done)
	}
}
