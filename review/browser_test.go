package review_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pandian/review"
	"pandian/stock"
)

const chromiumPath = "/usr/bin/chromium"

// artifactsDir is where the browser tests save their screenshots:
// $PANDIAN_ARTIFACTS, default review/testdata/artifacts (git-ignored).
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("PANDIAN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a headless Chromium that reaches nothing but the test
// server (no background networking, updates, sync or QUIC; a fresh
// profile), with a 10" tablet's landscape window.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 75*time.Second)
}

// browserFor is browser with the whole test's browser steps bounded by d.
func browserFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is required in CI: %v", err)
		}
		t.Skipf("no Chromium at %s (%v): browser tests skipped", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication"),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-US"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser: no timeout on it (it would stop
	// the browser), the steps after it get one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(cancelTimeout)
	return tctx
}

// shots saves numbered full-page PNG screenshots.
type shots struct {
	t   *testing.T
	dir string
	n   int
}

func (s *shots) take(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, t) // quality 100: PNG
		if err != nil {
			return err
		}
		s.n++
		path := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name))
		s.t.Logf("screenshot %s", path)
		return os.WriteFile(path, buf, 0o644)
	})
}

// run runs steps, failing the test with what step broke and where.
func run(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", step, loc, err)
	}
}

// load runs steps that end in a navigation (a click on a link or a submit
// button), waits until the new page has loaded and returns its HTTP status.
func load(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, steps...)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", step, loc, err)
	}
	return resp.Status
}

// click clicks the first element that matches a CSS selector.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

// textOf is the visible text of the first element that matches a CSS selector.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func exists(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

func TestBrowserReview(t *testing.T) {
	start := time.Now()
	w := newWorld(t, review.Options{})
	// An approved count two weeks ago (for the weekly chart), and the count
	// to review: six lines scanned by three counters, the supervisor and
	// the store manager, closed.
	w.setNow(time.Now().AddDate(0, 0, -14))
	k := w.skus
	old := w.countWith([]int{6, 7}, []scan{
		{who: "E009", sku: 6, qty: k[6].book - 2, bin: "HK-TST-A04"},
		{who: "E008", sku: 7, qty: k[7].book + 1, bin: "HK-TST-A04"},
		{who: "E007", sku: 7, qty: 1, bin: "HK-TST-A05"},
	})
	if _, err := w.svc.Approve(context.Background(), w.actor("E001"), old, stock.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	w.setNow(time.Time{})
	id := w.standardCount()
	ctx := browser(t)
	s := &shots{t: t, dir: artifactsDir(t)}
	base := w.url + "/review"
	line := func(i int) string { return fmt.Sprintf(`tr[data-sku=%q]`, k[i].sku) }

	// Sign in as the store manager: the count list.
	run(t, ctx, "sign-in page",
		chromedp.Navigate(base+"/counts"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		s.take("signin"),
		chromedp.SendKeys(chromedp.CSS("#code"), "E007"),
		chromedp.SendKeys(chromedp.CSS("#pin"), w.pins["E007"]),
	)
	if st := load(t, ctx, "sign in", click("#signin")); st != 200 {
		t.Fatalf("sign in: status %d", st)
	}
	run(t, ctx, "count list", chromedp.WaitVisible(chromedp.CSS("#counts")), s.take("counts"))
	if u := textOf(t, ctx, "#user"); !strings.Contains(u, "E007") || !strings.Contains(u, "Store manager") {
		t.Errorf("user: %q", u)
	}
	if row := textOf(t, ctx, fmt.Sprintf(`tr[data-count=%q]`, id)); !strings.Contains(row, "In review") || !strings.Contains(row, "HK$") {
		t.Errorf("count row: %q", row)
	}

	// The report, then filtered by role.
	load(t, ctx, "open the report", click(fmt.Sprintf(`tr[data-count=%q] a.count-link`, id)))
	run(t, ctx, "report", chromedp.WaitVisible(chromedp.CSS("#lines")), s.take("report"))
	if got := textOf(t, ctx, "#shown"); !strings.Contains(got, "6 of 6 lines match") {
		t.Errorf("shown: %q", got)
	}
	load(t, ctx, "filter by role",
		chromedp.SetValue(chromedp.CSS("#f-role"), "supervisor"),
		click("#apply-filters"),
	)
	run(t, ctx, "filtered report", chromedp.WaitVisible(chromedp.CSS("#lines")), s.take("report-role-supervisor"))
	if got := textOf(t, ctx, "#shown"); !strings.Contains(got, "1 of 6 lines match") {
		t.Errorf("filtered by supervisor: %q", got)
	}
	if !exists(t, ctx, line(4)) || exists(t, ctx, line(0)) {
		t.Error("the role filter shows the wrong lines")
	}
	// Drill down to the scans of the supervisor's line.
	load(t, ctx, "drill down", click(line(4)+" a.scans-link"))
	run(t, ctx, "scans", chromedp.WaitVisible(chromedp.CSS("#scans")), s.take("scans"))
	if got := textOf(t, ctx, "#scans"); !strings.Contains(got, "E008") || !strings.Contains(got, "TC52-E008") || !strings.Contains(got, "HK-TST-B01") {
		t.Errorf("scans: %q", got)
	}

	// Order a recount of the first line for counter E010.
	load(t, ctx, "back to the report", click("#back"))
	run(t, ctx, "recount form",
		chromedp.WaitVisible(chromedp.CSS("#recount-form")),
		click(fmt.Sprintf(`input[form="recount-form"][value=%q]`, k[0].sku)),
		chromedp.SetValue(chromedp.CSS("#assignee"), "E010"),
	)
	load(t, ctx, "order a recount", click("#recount-submit"))
	run(t, ctx, "recount ordered", chromedp.WaitVisible(chromedp.CSS("#notice")), s.take("recount-ordered"))
	if got := textOf(t, ctx, "#notice"); !strings.Contains(got, "Recount ordered: round 2") {
		t.Errorf("recount notice: %q", got)
	}
	if exists(t, ctx, "#approve-form") {
		t.Error("approve form during a recount")
	}
	// The counter recounts on the handheld; the supervisor closes.
	w.post(id, 2, []scan{{who: "E010", sku: 0, qty: k[0].book - 1, bin: "HK-TST-A01"}})
	if _, err := w.svc.CloseCount(context.Background(), w.actor("E008"), id); err != nil {
		t.Fatal(err)
	}

	// Approve with reason codes.
	load(t, ctx, "reload", chromedp.Reload())
	run(t, ctx, "approve form",
		chromedp.WaitVisible(chromedp.CSS("#approve-form")),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`select[name="reason:%s"]`, k[2].sku)), "theft"),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`select[name="reason:%s"]`, k[0].sku)), "admin_error"),
		s.take("approve-form"),
	)
	load(t, ctx, "review the approval", click("#approve-submit"))
	run(t, ctx, "approval summary", chromedp.WaitVisible(chromedp.CSS("#confirm-form")), s.take("approve-review"))
	if got := textOf(t, ctx, "#by-reason"); !strings.Contains(got, "Theft") || !strings.Contains(got, "Unknown") {
		t.Errorf("summary by reason: %q", got)
	}
	load(t, ctx, "confirm the approval", click("#confirm-submit"))
	run(t, ctx, "approved", chromedp.WaitVisible(chromedp.CSS("#notice")), s.take("approved"))
	if got := textOf(t, ctx, "#notice"); !strings.Contains(got, "Approved: 5 lines posted") {
		t.Errorf("approve notice: %q", got)
	}
	if got := textOf(t, ctx, "#count-status"); got != "Posted" {
		t.Errorf("status after approval: %q", got)
	}
	if got := textOf(t, ctx, line(2)); !strings.Contains(got, "Theft") {
		t.Errorf("reason on the line: %q", got)
	}

	// Switch the language: Chinese labels.
	load(t, ctx, "switch language", click("#lang-switch"))
	run(t, ctx, "report in Chinese", chromedp.WaitVisible(chromedp.CSS("#lines")), s.take("report-zh"))
	if got := textOf(t, ctx, "#count-status"); got != "已過帳" {
		t.Errorf("Chinese status: %q", got)
	}
	if got := textOf(t, ctx, "#lines thead"); !strings.Contains(got, "差異金額") || !strings.Contains(got, "貨號") {
		t.Errorf("Chinese headers: %q", got)
	}
	// The language stays (cookie) on the role report, with its chart.
	load(t, ctx, "role report", click("#nav-roles"))
	run(t, ctx, "role report chart", chromedp.WaitVisible(chromedp.CSS("#line-chart svg")), s.take("roles-zh"))
	if got := textOf(t, ctx, "h1"); got != "按員工職位的盤點準確率" {
		t.Errorf("role report title: %q", got)
	}
	if points := eval[int](t, ctx, `document.querySelectorAll("#line-chart circle").length`); points < 6 {
		t.Errorf("%d points in the weekly chart", points)
	}

	// Portrait tablet: the page fits the width, the lines table scrolls
	// sideways inside its box.
	run(t, ctx, "portrait",
		chromedp.EmulateViewport(800, 1280),
		chromedp.Navigate(base+"/counts/"+id+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#lines")),
		s.take("report-portrait"),
	)
	if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Error("the report page is wider than a portrait tablet")
	}

	// A count nobody scanned: the approve form asks about the lines never
	// scanned, with their number and value; the browser does not send it
	// without an answer; "hold" posts nothing and leaves the book alone.
	sup := w.actor("E008")
	empty, err := w.svc.OpenCount(context.Background(), sup, stock.CountInput{Location: "HK-TST"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CloseCount(context.Background(), sup, empty.ID); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "uncounted note",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/counts/"+empty.ID+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#approve-form")),
	)
	load(t, ctx, "review the approval of an empty count", click("#approve-submit"))
	run(t, ctx, "uncounted choice", chromedp.WaitVisible(chromedp.CSS("#uncounted-choice")), s.take("approve-uncounted"))
	if got := textOf(t, ctx, "#uncounted h2"); !strings.Contains(got, "lines were never scanned") || !strings.Contains(got, "HK$") {
		t.Errorf("uncounted question: %q", got)
	}
	if exists(t, ctx, "#confirm-form") {
		t.Error("a confirm button before the lines never scanned are decided")
	}
	run(t, ctx, "review without an answer", click("#uncounted-submit"))
	if eval[bool](t, ctx, `document.querySelector("#uncounted-zero").validity.valid`) {
		t.Error("the form is valid without an answer about the lines never scanned")
	}
	if cv, err := w.svc.Count(context.Background(), sup, empty.ID); err != nil || cv.Status != stock.StatusReview {
		t.Fatalf("count after an unanswered approve: %v %v", cv.Status, err)
	}
	run(t, ctx, "hold them back", click("#uncounted-hold"))
	load(t, ctx, "review holding them back", click("#uncounted-submit"))
	run(t, ctx, "summary holding back", chromedp.WaitVisible(chromedp.CSS("#confirm-form")))
	load(t, ctx, "approve holding them back", click("#confirm-submit"))
	run(t, ctx, "approved holding back", chromedp.WaitVisible(chromedp.CSS("#notice")), s.take("approved-hold"))
	if got := textOf(t, ctx, "#notice"); !strings.Contains(got, "Approved: 0 lines posted") {
		t.Errorf("approve notice (hold): %q", got)
	}
	if got := textOf(t, ctx, "#count-status"); got != "Posted" {
		t.Errorf("status after approval (hold): %q", got)
	}
	load(t, ctx, "sign out", click("#signout"))
	run(t, ctx, "signed out", chromedp.WaitVisible(chromedp.CSS("#login-form")), chromedp.EmulateViewport(1280, 800))

	// A counter: own lines, no forms, and a crafted approval is refused.
	id2 := w.standardCount()
	run(t, ctx, "counter signs in",
		chromedp.SendKeys(chromedp.CSS("#code"), "E009"),
		chromedp.SendKeys(chromedp.CSS("#pin"), w.pins["E009"]),
	)
	load(t, ctx, "counter signs in", click("#signin"))
	run(t, ctx, "counter report",
		chromedp.WaitVisible(chromedp.CSS("#counts")),
		chromedp.Navigate(base+"/counts/"+id2),
		chromedp.WaitVisible(chromedp.CSS("#lines")),
		s.take("counter-report"),
	)
	if exists(t, ctx, "#approve-form") || exists(t, ctx, "#recount-form") || exists(t, ctx, "#nav-roles") {
		t.Error("a counter sees approve/recount forms or the role report")
	}
	if !exists(t, ctx, "#masked") || exists(t, ctx, line(2)) || !exists(t, ctx, line(0)) {
		t.Error("a counter should see only their own lines, masked")
	}
	crafted := fmt.Sprintf(`(() => {
		const f = document.createElement("form");
		f.method = "post"; f.action = %q;
		for (const [k, v] of [["csrf", document.querySelector("input[name=csrf]").value], ["reason:%s", "theft"]]) {
			const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
		}
		document.body.appendChild(f); f.submit(); return true;
	})()`, "/review/counts/"+id2+"/approve", k[0].sku)
	st := load(t, ctx, "crafted approval", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](crafted)(ctx, tg)
		return err
	}))
	run(t, ctx, "refusal", chromedp.WaitVisible(chromedp.CSS("#error")), s.take("counter-approve-refused"))
	if got := textOf(t, ctx, "#error"); st != 403 || !strings.Contains(got, "Your role (Counter) may not do this.") {
		t.Errorf("crafted approval: %d %q", st, got)
	}
	cv, err := w.svc.Count(context.Background(), w.actor("E007"), id2)
	if err != nil || cv.Status != stock.StatusReview {
		t.Errorf("the counter's approval changed the count: %v %v", cv.Status, err)
	}
	t.Logf("browser test: %d screenshots in %s, %s", s.n, s.dir, time.Since(start).Round(time.Millisecond))
}
