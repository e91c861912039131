package review_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pandian/review"
	"pandian/stock"
)

func TestSignInFailures(t *testing.T) {
	w := newWorld(t, review.Options{})
	c := w.client()

	// A page needs a session: to the sign-in form, remembering where to go.
	r := c.get("/review/counts?status=review")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/review/login?next=") {
		t.Fatalf("no session: %d %s", r.StatusCode, r.Header.Get("Location"))
	}

	r = c.signIn("E011", "0000")
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong PIN: status %d", r.StatusCode)
	}
	contains(t, r.body, "Sign-in failed", "Wrong employee code or PIN.", "4 attempts left")
	lacks(t, r.body, "Signed out")
	r = c.signIn("NOBODY", "1234")
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown code: status %d", r.StatusCode)
	}
	for i := 0; i < 3; i++ {
		c.signIn("E011", "0000")
	}
	r = c.signIn("E011", "0000") // the fifth failure locks
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("lock-out: status %d: %.300s", r.StatusCode, r.body)
	}
	contains(t, r.body, "Too many wrong PINs", "1 min") // the first lock of a source
	// Locked even with the right PIN, and the message is in Chinese when asked.
	c.lang = "zh-HK,zh;q=0.9,en;q=0.5"
	r = c.signIn("E011", w.pins["E011"])
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked, right PIN: status %d", r.StatusCode)
	}
	contains(t, r.body, "密碼錯誤次數過多", "分鐘")
	if r.Header.Get("Retry-After") == "" {
		t.Error("lock-out without Retry-After")
	}

	// Empty fields.
	login := c.get("/review/login")
	r = c.post("/review/login", url.Values{"csrf": {csrfOf(t, login.body)}, "code": {"E007"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no PIN: status %d", r.StatusCode)
	}

	// The right PIN signs in with a session cookie as the brief wants it.
	c2 := w.client()
	r = c2.signIn("E007", w.pins["E007"])
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/review/counts" {
		t.Fatalf("sign in: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == "pandian_review" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/review/" || sess.Value == "" {
		t.Fatalf("session cookie: %+v", sess)
	}
	// A next= outside the pages is ignored.
	c3 := w.client()
	login = c3.get("/review/login")
	r = c3.post("/review/login", url.Values{"csrf": {csrfOf(t, login.body)}, "code": {"E008"}, "pin": {w.pins["E008"]}, "next": {"//evil.example/x"}})
	if r.Header.Get("Location") != "/review/counts" {
		t.Fatalf("open redirect: %s", r.Header.Get("Location"))
	}
	// Sign-out forgets the session.
	page := c2.get("/review/counts")
	r = c2.post("/review/logout", url.Values{"csrf": {csrfOf(t, page.body)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.StatusCode)
	}
	if r = c2.get("/review/counts"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", r.StatusCode)
	}
	// ... and revokes its token: a copy of the cookie is worth nothing.
	if _, err := w.svc.Authenticate(t.Context(), sess.Value); stock.ErrorCode(err) != stock.EUnauthenticated {
		t.Fatalf("token after sign-out: %v", err)
	}
}

func TestCSRF(t *testing.T) {
	w := newWorld(t, review.Options{})
	id := w.standardCount()

	// Sign-in without the pre-session token is refused.
	c := w.client()
	r := c.post("/review/login", url.Values{"code": {"E007"}, "pin": {w.pins["E007"]}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "did not come from this site") {
		t.Fatalf("login without csrf: %d", r.StatusCode)
	}
	c.mustSignIn("E007", w.pins["E007"])
	page := c.get("/review/counts/" + id)
	token := csrfOf(t, page.body)
	sku := w.skus[0].sku
	for name, form := range map[string]url.Values{
		"missing": {"reason:" + sku: {"damage"}},
		"wrong":   {"csrf": {token[:len(token)-2] + "xx"}, "reason:" + sku: {"damage"}},
		"other session's": {"csrf": {func() string {
			o := w.client()
			o.mustSignIn("E001", w.pins["E001"])
			return csrfOf(t, o.get("/review/counts").body)
		}()}},
	} {
		r := c.post("/review/counts/"+id+"/approve", form)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d", name, r.StatusCode)
		}
		r = c.post("/review/counts/"+id+"/recount", url.Values{"csrf": form["csrf"], "sku": {sku}, "assignee": {"E009"}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s token, recount: status %d", name, r.StatusCode)
		}
	}
	if r := c.post("/review/logout", url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: %d", r.StatusCode)
	}
	cv, err := w.svc.Count(context.Background(), w.actor("E007"), id)
	if err != nil || cv.Status != stock.StatusReview || cv.Round != 1 {
		t.Fatalf("a refused POST changed the count: %+v %v", cv.Count, err)
	}
	// With the token it works.
	r = c.post("/review/counts/"+id+"/approve", url.Values{"csrf": {token}, "reason:" + sku: {"damage"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve with token: %d %.500s", r.StatusCode, r.body)
	}
}

func TestScopeAndRoles(t *testing.T) {
	w := newWorld(t, review.Options{})
	id := w.standardCount()
	// A count at Macau, outside the HK-TST staff's scope.
	admin := w.actor("A001")
	mo, err := w.svc.OpenCount(context.Background(), admin, stock.CountInput{Location: "MO-SMR", Scope: stock.CountScope{Categories: []string{"beverage"}}})
	if err != nil {
		t.Fatal(err)
	}

	mgr := w.client()
	mgr.mustSignIn("E007", w.pins["E007"])
	for _, p := range []string{"/review/counts/" + mo.ID, "/review/counts/" + mo.ID + "/lines/SKU-000001", "/review/counts/" + mo.ID + "/export.csv", "/review/counts/nope", "/review/nothing"} {
		if r := mgr.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
	}
	page := mgr.get("/review/counts")
	if page.StatusCode != 200 || strings.Contains(page.body, mo.ID) || !strings.Contains(page.body, id) {
		t.Fatalf("count list in scope: %d", page.StatusCode)
	}
	r := mgr.post("/review/counts/"+mo.ID+"/approve", url.Values{"csrf": {csrfOf(t, page.body)}})
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("approve out of scope: %d", r.StatusCode)
	}
	// The admin sees it, in MOP.
	ad := w.client()
	ad.mustSignIn("A001", w.pins["A001"])
	contains(t, ad.get("/review/counts").body, mo.ID, "MOP$", "HK$")

	// The store manager sees book quantities and both forms.
	rep := mgr.get("/review/counts/" + id)
	contains(t, rep.body, `id="approve-form"`, `id="recount-form"`, "HK$", `id="total-abs"`, "Store approval limit", "HK$20,000.00")

	// A counter sees only their lines, masked, and no forms; a crafted
	// POST is refused by the domain.
	cnt := w.client()
	cnt.mustSignIn("E009", w.pins["E009"])
	rep = cnt.get("/review/counts/" + id)
	if rep.StatusCode != 200 {
		t.Fatalf("counter report: %d", rep.StatusCode)
	}
	contains(t, rep.body, w.skus[0].sku, w.skus[1].sku, `id="masked"`)
	lacks(t, rep.body, w.skus[2].sku, `id="approve-form"`, `id="recount-form"`, `id="total-abs"`)
	tok := csrfOf(t, rep.body)
	r = cnt.post("/review/counts/"+id+"/approve", url.Values{"csrf": {tok}, "reason:" + w.skus[0].sku: {"theft"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "Your role (Counter) may not do this.") {
		t.Errorf("counter approve: %d %.300s", r.StatusCode, r.body)
	}
	r = cnt.post("/review/counts/"+id+"/recount", url.Values{"csrf": {tok}, "sku": {w.skus[0].sku}, "assignee": {"E009"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("counter recount: %d", r.StatusCode)
	}
	// The counter's drill-down shows only their scans; the role report is refused.
	r = cnt.get("/review/counts/" + id + "/lines/" + w.skus[5].sku)
	contains(t, r.body, "No scans.")
	lacks(t, r.body, "TC52-E007", "TC52-E011")
	contains(t, cnt.get("/review/counts/"+id+"/lines/"+w.skus[0].sku).body, "TC52-E009")
	if r = cnt.get("/review/reports/roles"); r.StatusCode != http.StatusForbidden {
		t.Errorf("counter role report: %d", r.StatusCode)
	}

	// An auditor sees everything but no forms, and a crafted POST is refused.
	aud := w.client()
	aud.mustSignIn("E005", w.pins["E005"])
	rep = aud.get("/review/counts/" + id)
	contains(t, rep.body, w.skus[2].sku, `id="total-abs"`)
	lacks(t, rep.body, `id="approve-form"`, `id="recount-form"`)
	r = aud.post("/review/counts/"+id+"/approve", url.Values{"csrf": {csrfOf(t, rep.body)}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("auditor approve: %d", r.StatusCode)
	}
	// A supervisor may order recounts, not approve.
	sup := w.client()
	sup.mustSignIn("E008", w.pins["E008"])
	rep = sup.get("/review/counts/" + id)
	contains(t, rep.body, `id="recount-form"`)
	lacks(t, rep.body, `id="approve-form"`)
}

func TestDrillDownFiltersAndExports(t *testing.T) {
	var got stock.Report
	w := newWorld(t, review.Options{XLSX: func(out io.Writer, r stock.Report) error {
		got = r
		_, err := out.Write([]byte("PK fake workbook"))
		return err
	}})
	id := w.standardCount()
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])

	// Drill-down: who, device, bin, zone, lot.
	r := c.get("/review/counts/" + id + "/lines/" + w.skus[0].sku)
	contains(t, r.body, "麥強卓 Mak Keung Cheuk (E009)", "TC52-E009", "飲品區 A01 (HK-TST-A01)", "飲品區 (HK-TST-Z1)", "L2401", "2020-01-31", "Counter")

	// Filters: role, employee, zone, lot/expiry; sorted by |value|.
	r = c.get("/review/counts/" + id + "?role=supervisor")
	contains(t, r.body, w.skus[4].sku, "1 of 6 lines match")
	lacks(t, r.body, `data-sku="`+w.skus[0].sku+`"`)
	r = c.get("/review/counts/" + id + "?employee=E010")
	contains(t, r.body, "2 of 6 lines match")
	r = c.get("/review/counts/" + id + "?zone=HK-TST-Z2")
	contains(t, r.body, "1 of 6 lines match", `data-sku="`+w.skus[4].sku+`"`)
	r = c.get("/review/counts/" + id + "?expiry=expired")
	contains(t, r.body, "1 of 6 lines match", `data-sku="`+w.skus[0].sku+`"`, "Expired")
	r = c.get("/review/counts/" + id + "?lot=L2409")
	contains(t, r.body, "1 of 6 lines match", `data-sku="`+w.skus[2].sku+`"`)
	r = c.get("/review/counts/" + id + "?variance=1")
	contains(t, r.body, "5 of 6 lines match")
	// Sorting: the largest absolute variance value first.
	r = c.get("/review/counts/" + id)
	order := []int{}
	for i := range w.skus[:6] {
		order = append(order, strings.Index(r.body, `data-sku="`+w.skus[i].sku+`"`))
	}
	vals := make([]stock.Money, 6)
	for i, d := range []int64{-3, 2, -5, 0, -1, 1} {
		vals[i] = w.skus[i].cost.Mul(d).Abs()
	}
	for i := range vals {
		for j := range vals {
			if vals[i] > vals[j] && order[i] > order[j] {
				t.Errorf("line %d (|%s|) after line %d (|%s|)", i, vals[i], j, vals[j])
			}
		}
	}

	// CSV: the filtered lines, UTF-8 with BOM, Chinese names.
	r = c.get("/review/counts/" + id + "/export.csv?role=counter")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(r.body, "\ufeff") {
		t.Fatalf("csv: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+5 || rows[0][1] != "sku" || rows[1][10] != "HKD" {
		t.Fatalf("csv rows: %q", rows)
	}
	if !strings.Contains(r.body, "檸檬茶") {
		t.Error("csv without Chinese names")
	}
	// XLSX: the plugged writer gets the filtered report.
	r = c.get("/review/counts/" + id + "/export.xlsx?employee=E009")
	if r.StatusCode != 200 || r.body != "PK fake workbook" || len(got.Lines) != 2 || got.CountID != id {
		t.Fatalf("xlsx: %d %q lines %d", r.StatusCode, r.body, len(got.Lines))
	}
	contains(t, c.get("/review/counts/"+id).body, `id="export-xlsx"`)

	// XLSXFor gets the currency and the language: MOP for a Macau count.
	var cur, lang string
	w3 := newWorld(t, review.Options{XLSXFor: func(out io.Writer, r stock.Report, currency, l string) error {
		cur, lang = currency, l
		_, err := out.Write([]byte("PK"))
		return err
	}})
	admin := w3.actor("A001")
	mc, err := w3.svc.OpenCount(context.Background(), admin, stock.CountInput{Location: "MO-SMR", Scope: stock.CountScope{SKUs: []string{w3.skus[0].sku}}})
	if err != nil {
		t.Fatal(err)
	}
	c3 := w3.client()
	c3.mustSignIn("A001", w3.pins["A001"])
	contains(t, c3.get("/review/counts/"+mc.ID).body, `id="export-xlsx"`)
	if r := c3.get("/review/counts/" + mc.ID + "/export.xlsx?lang=zh-Hant"); r.StatusCode != 200 || cur != "MOP" || lang != "zh-Hant" {
		t.Errorf("xlsx for Macau: %d %q %q", r.StatusCode, cur, lang)
	}
	if r := c3.get("/review/counts/" + mc.ID + "/export.csv"); !strings.Contains(r.body, ",MOP,") {
		t.Errorf("csv for Macau lacks MOP")
	}

	// Without an XLSX writer, no link and no route.
	w2 := newWorld(t, review.Options{})
	id2 := w2.standardCount()
	c2 := w2.client()
	c2.mustSignIn("E007", w2.pins["E007"])
	lacks(t, c2.get("/review/counts/"+id2).body, `id="export-xlsx"`)
	if r := c2.get("/review/counts/" + id2 + "/export.xlsx"); r.StatusCode != http.StatusNotFound {
		t.Errorf("xlsx without writer: %d", r.StatusCode)
	}
}

func TestRecountApproveAndLimit(t *testing.T) {
	w := newWorld(t, review.Options{})
	id := w.standardCount()
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])
	page := c.get("/review/counts/" + id)
	tok := csrfOf(t, page.body)

	// A refusal shows the domain's message with its status.
	r := c.post("/review/counts/"+id+"/recount", url.Values{"csrf": {tok}, "sku": {w.skus[0].sku}, "assignee": {"E999"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "assignee E999 does not exist") {
		t.Fatalf("bad assignee: %d", r.StatusCode)
	}
	r = c.post("/review/counts/"+id+"/recount", url.Values{"csrf": {tok}, "sku": {w.skus[0].sku}, "assignee": {"E010"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("recount: %d %.400s", r.StatusCode, r.body)
	}
	r = c.get(r.Header.Get("Location"))
	contains(t, r.body, "Recount ordered: round 2.")
	// Approving during the recount is a conflict.
	r = c.post("/review/counts/"+id+"/approve", url.Values{"csrf": {tok}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "close it before approving") {
		t.Fatalf("approve in recount: %d", r.StatusCode)
	}
	// The recount finds the book quantity; close; approve with reasons.
	w.post(id, 2, []scan{{who: "E010", sku: 0, qty: w.skus[0].book, bin: "HK-TST-A01"}})
	if _, err := w.svc.CloseCount(context.Background(), w.actor("E008"), id); err != nil {
		t.Fatal(err)
	}
	r = c.post("/review/counts/"+id+"/approve", url.Values{"csrf": {tok}, "reason:" + w.skus[2].sku: {"theft"}, "reason:" + w.skus[1].sku: {"bogus"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, `reason code &#34;bogus&#34;`) {
		t.Fatalf("bad reason: %d %.300s", r.StatusCode, r.body)
	}
	r = c.post("/review/counts/"+id+"/approve", url.Values{"csrf": {tok}, "reason:" + w.skus[2].sku: {"theft"}, "reason:" + w.skus[1].sku: {"admin_error"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %.400s", r.StatusCode, r.body)
	}
	r = c.get(r.Header.Get("Location"))
	contains(t, r.body, "Approved: 4 lines posted", "Theft", "Admin error", "Posted")
	lacks(t, r.body, `id="approve-form"`)

	// Over the store's limit: a count whose uncounted lines are worth more
	// than HK$20,000 is refused to the store manager (403), not to the
	// regional manager.
	sup := w.actor("E008")
	big, err := w.svc.OpenCount(context.Background(), sup, stock.CountInput{Location: "HK-TST"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CloseCount(context.Background(), sup, big.ID); err != nil {
		t.Fatal(err)
	}
	bigPage := c.get("/review/counts/" + big.ID)
	contains(t, bigPage.body, `id="over-limit"`, "Approval acts on the whole count", "to post, not only the lines shown", "of them were never scanned", `id="unscanned-row"`)
	// The review step asks about the lines nobody scanned and offers no
	// confirmation before they are decided.
	rv := c.post("/review/counts/"+big.ID+"/approve/review", url.Values{"csrf": {tok}})
	contains(t, rv.body, `id="uncounted-choice"`, "lines were never scanned", `name="uncounted" value="zero"`, `name="uncounted" value="hold"`, `id="confirm-needs"`)
	lacks(t, rv.body, `id="confirm-form"`)
	// Without the choice the approval is refused (409) and nothing posts.
	r = c.post("/review/counts/"+big.ID+"/approve", url.Values{"csrf": {tok}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "never scanned") {
		t.Fatalf("approve without the uncounted choice: %d %.300s", r.StatusCode, r.body)
	}
	if cv, err := w.svc.Count(context.Background(), sup, big.ID); err != nil || cv.Status != stock.StatusReview {
		t.Fatalf("count after a refused approval: %v %v", cv.Status, err)
	}
	r = c.post("/review/counts/"+big.ID+"/approve", url.Values{"csrf": {tok}, "uncounted": {"zero"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "above your approval limit") {
		t.Fatalf("over the limit: %d %.300s", r.StatusCode, r.body)
	}
	rm := w.client()
	rm.mustSignIn("E001", w.pins["E001"])
	p := rm.get("/review/counts/" + big.ID)
	lacks(t, p.body, "Store approval limit", `id="over-limit"`)
	if r = rm.post("/review/counts/"+big.ID+"/approve", url.Values{"csrf": {csrfOf(t, p.body)}, "uncounted": {"zero"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("regional manager approve: %d", r.StatusCode)
	}
}

func TestLanguage(t *testing.T) {
	w := newWorld(t, review.Options{})
	w.standardCount()
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])

	r := c.get("/review/counts")
	contains(t, r.body, `<html lang="en">`, "Counts", "In review", "中文")
	c.lang = "zh-HK,zh;q=0.9,en;q=0.8"
	r = c.get("/review/counts")
	contains(t, r.body, `<html lang="zh-Hant">`, "盤點清單", "待審核", "English")
	c.lang = "en-GB,en;q=0.9,zh-TW;q=0.8"
	contains(t, c.get("/review/counts").body, "In review")
	// ?lang= wins and is remembered in a cookie.
	r = c.get("/review/counts?lang=zh-Hant")
	contains(t, r.body, "盤點清單", `href="/review/counts?lang=en"`)
	var lang *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == "lang" {
			lang = ck
		}
	}
	if lang == nil || lang.Value != "zh-Hant" {
		t.Fatalf("lang cookie: %+v", lang)
	}
	r = c.get("/review/counts")
	contains(t, r.body, "盤點清單")
	r = c.get("/review/counts?lang=en")
	contains(t, r.body, "Counts")
	lacks(t, r.body, "盤點清單")
	// The sign-in page too.
	anon := w.client()
	anon.lang = "zh-Hant"
	contains(t, anon.get("/review/login").body, "員工編號", "密碼", "登入")
}

func TestRoleReport(t *testing.T) {
	w := newWorld(t, review.Options{})
	// One count two weeks ago, one now: two points per role.
	w.setNow(time.Now().AddDate(0, 0, -14))
	k := w.skus
	first := w.countWith([]int{6, 7}, []scan{
		{who: "E009", sku: 6, qty: k[6].book - 2},
		{who: "E008", sku: 7, qty: k[7].book + 1},
		{who: "E007", sku: 7, qty: 1},
	})
	if _, err := w.svc.Approve(context.Background(), w.actor("E001"), first, stock.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	w.setNow(time.Time{})
	w.standardCount()
	// And one in Macau, counted by the regional manager there.
	admin, mgr := w.actor("A001"), w.actor("E004")
	mc, err := w.svc.OpenCount(context.Background(), admin, stock.CountInput{Location: "MO-SMR", Scope: stock.CountScope{SKUs: []string{w.skus[0].sku}}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := w.svc.IngestScans(context.Background(), mgr, mc.ID, []stock.ScanInput{{EventID: "mo-1", Code: w.skus[0].barcode, Qty: 1}}); err != nil || res.Accepted != 1 {
		t.Fatalf("macau scan: %+v %v", res, err)
	}
	if _, err := w.svc.CloseCount(context.Background(), admin, mc.ID); err != nil {
		t.Fatal(err)
	}

	c := w.client()
	c.mustSignIn("E001", w.pins["E001"])
	r := c.get("/review/reports/roles?weeks=4")
	if r.StatusCode != 200 {
		t.Fatalf("roles: %d", r.StatusCode)
	}
	contains(t, r.body, "<svg", "<polyline", `data-role="counter"`, `data-role="supervisor"`, `data-role="store_manager"`, "2 counts closed", "Counter")
	if n := strings.Count(r.body, "<circle"); n < 6 {
		t.Errorf("%d points in the chart", n)
	}
	// Out of scope location: 404 like the API.
	if r := c.get("/review/reports/roles?location=MO-SMR"); r.StatusCode != http.StatusNotFound {
		t.Errorf("out-of-scope location: %d", r.StatusCode)
	}
	mo := w.client()
	mo.mustSignIn("E004", w.pins["E004"])
	r = mo.get("/review/reports/roles")
	contains(t, r.body, "MOP$", "1 counts closed", "Regional manager")
	lacks(t, r.body, "HK$")
}

func TestSecureCookiesAndLimits(t *testing.T) {
	w := newWorld(t, review.Options{})
	id := w.standardCount()
	// Over TLS the cookies are Secure.
	// (httptest's TLS server lends its certificate and a client that
	// trusts it.)
	certs := httptest.NewTLSServer(http.NotFoundHandler())
	defer certs.Close()
	base := serve(t, review.New(w.svc, review.Options{Prefix: "/review", MaxLines: 2}), certs.TLS)
	jar, _ := cookiejar.New(nil)
	hc := certs.Client()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &client{t: t, base: base, hc: hc}
	login := c.get("/review/login")
	for _, ck := range login.Cookies() {
		if !ck.Secure || !ck.HttpOnly {
			t.Errorf("pre-session cookie over TLS: %+v", ck)
		}
	}
	r := c.post("/review/login", url.Values{"csrf": {csrfOf(t, login.body)}, "code": {"E007"}, "pin": {w.pins["E007"]}})
	found := false
	for _, ck := range r.Cookies() {
		if ck.Name == "pandian_review" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie over TLS: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie: %d", r.StatusCode)
	}
	// The page shows MaxLines lines and says so; the CSV has them all.
	r = c.get("/review/counts/" + id)
	contains(t, r.body, `id="page-next"`, "Page 1 of 3", "6 of 6 lines match", "lines 1–2 on this page")
	if n := strings.Count(r.body, `<tr data-sku=`); n != 2 {
		t.Errorf("%d lines on the page", n)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.get("/review/counts/"+id+"/export.csv").body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 7 {
		t.Errorf("csv: %d rows %v", len(rows), err)
	}
	// Security headers.
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %q", k, got)
		}
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("CSP: %q", r.Header.Get("Content-Security-Policy"))
	}
	// A GET of a form address goes to the report.
	if r = c.get("/review/counts/" + id + "/approve?lang=zh-Hant"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/review/counts/"+id+"?lang=zh-Hant" {
		t.Errorf("GET approve: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestPhotoScanInDrillDown(t *testing.T) {
	w := newWorld(t, review.Options{})
	sup := w.actor("E008")
	c0, err := w.svc.OpenCount(context.Background(), sup, stock.CountInput{Location: "HK-TST", Scope: stock.CountScope{SKUs: []string{w.skus[0].sku}}})
	if err != nil {
		t.Fatal(err)
	}
	// What a photo upload records: event ids derived from the photo.
	cnt := w.actor("E009")
	cnt.DeviceID = "phone-7"
	if res, err := w.svc.IngestScans(context.Background(), cnt, c0.ID, []stock.ScanInput{
		{EventID: "photo-0f1e2d3c4b5a69788796a5b4-0", Code: w.skus[0].barcode, Qty: 2, Bin: "HK-TST-A02", DeviceID: "phone-7"},
		{EventID: "scan-1", Code: w.skus[0].barcode, Qty: 1, Bin: "HK-TST-A02"},
	}); err != nil || res.Accepted != 2 {
		t.Fatalf("scans: %+v %v", res, err)
	}
	c := w.client()
	c.mustSignIn("E007", w.pins["E007"])
	r := c.get("/review/counts/" + c0.ID + "/lines/" + w.skus[0].sku)
	contains(t, r.body, "from photo", `title="0f1e2d3c4b5a69788796a5b4"`, "phone-7", "HK-TST-A02")
	if n := strings.Count(r.body, "from photo"); n != 1 {
		t.Errorf("%d photo scans shown, want 1", n)
	}
	// An open count has a live report and no forms.
	r = c.get("/review/counts/" + c0.ID)
	contains(t, r.body, "Counting", `data-sku="`+w.skus[0].sku+`"`)
	lacks(t, r.body, `id="approve-form"`, `id="recount-form"`)
}

// flaky is the domain with a database that can go away.
type flaky struct {
	*stock.Service
	down atomic.Bool
}

func (f *flaky) Authenticate(ctx context.Context, token string) (stock.Actor, error) {
	if f.down.Load() {
		return stock.Actor{}, stock.Errorf(stock.EUnavailable, "the database is unavailable; retry shortly")
	}
	return f.Service.Authenticate(ctx, token)
}

func TestOutageKeepsTheSession(t *testing.T) {
	w := newWorld(t, review.Options{})
	f := &flaky{Service: w.svc}
	c := w.client()
	c.base = serve(t, review.New(f, review.Options{Prefix: "/review"}), nil)
	c.mustSignIn("E007", w.pins["E007"])
	f.down.Store(true)
	r := c.get("/review/counts")
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.body, "database is unavailable") {
		t.Fatalf("outage: %d", r.StatusCode)
	}
	for _, ck := range r.Cookies() {
		if ck.Name == "pandian_review" {
			t.Errorf("the outage cleared the session: %+v", ck)
		}
	}
	f.down.Store(false)
	if r = c.get("/review/counts"); r.StatusCode != 200 {
		t.Fatalf("after the outage: %d", r.StatusCode)
	}
}

// TestCurrencyUnderMAC: a store under a Macau region coded MAC (not MO)
// shows its money in MOP$ and downloads in MOP, as its alerts do (the
// rule is stock.CurrencyOf, tested in package stock).
func TestCurrencyUnderMAC(t *testing.T) {
	var cur string
	w := newWorld(t, review.Options{XLSXFor: func(out io.Writer, r stock.Report, currency, l string) error {
		cur = currency
		_, err := out.Write([]byte("PK"))
		return err
	}})
	ctx := context.Background()
	admin := w.actor("A001")
	for _, l := range []struct {
		code string
		in   stock.LocationInput
	}{
		{"MAC", stock.LocationInput{Name: "澳門 Macau", Kind: stock.KindRegion}},
		{"TPA2", stock.LocationInput{Name: "氹仔二店 Taipa 2", Kind: stock.KindStore, Parent: "MAC"}},
	} {
		if _, _, err := w.svc.PutLocation(ctx, admin, l.code, l.in); err != nil {
			t.Fatal(err)
		}
	}
	c, err := w.svc.OpenCount(ctx, admin, stock.CountInput{Location: "TPA2", Scope: stock.CountScope{SKUs: []string{w.skus[0].sku}}})
	if err != nil {
		t.Fatal(err)
	}
	ad := w.client()
	ad.mustSignIn("A001", w.pins["A001"])
	contains(t, ad.get("/review/counts/"+c.ID).body, "MOP$")
	if r := ad.get("/review/counts/" + c.ID + "/export.xlsx"); r.StatusCode != 200 || cur != "MOP" {
		t.Errorf("xlsx for a store under /MAC/: %d in %q, want MOP", r.StatusCode, cur)
	}
}

// stalled is the domain with a count list that never comes back by
// itself: it waits for the request's context.
type stalled struct{ *stock.Service }

func (s stalled) CountsPage(ctx context.Context, a stock.Actor, q stock.CountQuery, p stock.PageRequest) (stock.Page[stock.Count], error) {
	<-ctx.Done()
	return stock.Page[stock.Count]{}, ctx.Err()
}

// TestPageDeadline: a page's work runs under Options.Timeout; a page the
// domain cannot answer in time gets a 503 page saying so, with the
// session kept, instead of holding the connection.
func TestPageDeadline(t *testing.T) {
	w := newWorld(t, review.Options{})
	c := w.client()
	c.base = serve(t, review.New(stalled{w.svc}, review.Options{Prefix: "/review", Timeout: 300 * time.Millisecond}), nil)
	c.mustSignIn("E007", w.pins["E007"])
	start := time.Now()
	r := c.get("/review/counts")
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.body, "took too long") {
		t.Fatalf("stalled page: %d after %v: %.300s", r.StatusCode, time.Since(start), r.body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the stalled page answered after %v, with a 300 ms deadline", d)
	}
	contains(t, r.body, `id="signout"`) // still signed in
	// Pages that do not stall still answer.
	if r = c.get("/review/reports/roles"); r.StatusCode != 200 {
		t.Errorf("role report: %d", r.StatusCode)
	}
}
