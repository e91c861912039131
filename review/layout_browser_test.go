package review_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pandian/review"
)

// slow runs browser steps with a generous deadline (the layout test runs
// on busy machines too).
func slow(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		// What the browser was showing, so that a failure seen once (a
		// step that timed out on a loaded machine) can be told apart.
		dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
		defer dcancel()
		loc, _ := chromedp.Run(dctx, chromedp.Location())
		state, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.readyState + " | " + document.title + " | " + (document.body ? document.body.innerText.slice(0, 400) : "")`))
		t.Fatalf("%s (at %s): %v\npage: %s", step, loc, err, state)
	}
}

// axeSource is axe-core (tools/axe, pinned, installed once from the npm
// registry), or "" when npm is missing outside CI.
func axeSource(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: npm is missing (the accessibility check needs axe-core)")
		}
		t.Log("npm is missing: no accessibility check")
		return ""
	}
	out, err := exec.Command("../tools/axe/install.sh").Output()
	if err != nil {
		t.Fatalf("install axe-core: %v", err)
	}
	b, err := os.ReadFile(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeCheck runs axe-core on the current page (injected through the
// DevTools protocol, which the pages' CSP does not govern) and fails the
// test for each serious or critical violation.
func axeCheck(t *testing.T, ctx context.Context, src, name string) {
	t.Helper()
	if src == "" {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", name, err)
	}
	bad, err := chromedp.Run(sctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.
		filter(v => v.impact === "serious" || v.impact === "critical").
		map(v => v.impact + " " + v.id + " (" + v.nodes.length + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", name, err)
	}
	for _, v := range bad {
		t.Errorf("%s: accessibility: %s", name, v)
	}
}

// TestBrowserLayout: the pages at a 10" tablet's landscape (1280×800) and
// portrait (800×1280) sizes and a phone's (390×844): nothing scrolls
// sideways (wide tables scroll inside their box), touch targets are at
// least 44 px, the phone's header is one compact line, and axe-core finds
// no serious or critical accessibility violation (at 1280×800). Screenshots of
// each go to the artifacts.
func TestBrowserLayout(t *testing.T) {
	w := newWorld(t, review.Options{LinesPerPage: 20})
	id := w.beverageCount()
	axe := axeSource(t)
	ctx := browserFor(t, 8*time.Minute)
	s := &shots{t: t, dir: artifactsDir(t)}
	base := w.url + "/review"
	slow(t, ctx, "sign-in page", chromedp.Navigate(base+"/login?lang=en"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	axeCheck(t, ctx, axe, "sign-in page")
	slow(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#code"), "E007"),
		chromedp.SendKeys(chromedp.CSS("#pin"), w.pins["E007"]),
		click("#signin"),
		chromedp.WaitVisible(chromedp.CSS("#counts")),
	)
	pages := []struct{ name, path, wait string }{
		{"counts", "/counts", "#counts"},
		{"report", "/counts/" + id, "#lines"},
		{"scans", "/counts/" + id + "/lines/" + w.skus[0].sku, "#scans"},
	}
	for _, vp := range []struct{ w, h int }{{1280, 800}, {800, 1280}, {390, 844}} {
		for _, lang := range []string{"en", "zh-Hant"} {
			for _, p := range pages {
				name := fmt.Sprintf("layout-%s-%dx%d-%s", p.name, vp.w, vp.h, lang)
				slow(t, ctx, name,
					chromedp.EmulateViewport(int64(vp.w), int64(vp.h)),
					chromedp.Navigate(base+p.path+"?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS(p.wait)),
					s.take(name),
				)
				if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
					t.Errorf("%s: the page scrolls sideways (%d px wide)", name, eval[int](t, ctx, `document.documentElement.scrollWidth`))
				}
				if vp.w == 1280 {
					axeCheck(t, ctx, axe, name)
				}
				// Every control is a 44 px target (a tick box through its label).
				small := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main .btn, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), label.tap, td a, nav a, header .btn")).
					filter(e => e.offsetParent !== null).
					filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || (e.matches("label.tap") && r.width < 44); }).
					map(e => e.outerHTML.slice(0, 80))`)
				if len(small) > 0 {
					t.Errorf("%s: %d touch targets under 44 px: %q", name, len(small), small)
				}
				if vp.w < 600 {
					hh := eval[float64](t, ctx, `document.querySelector("header.top").getBoundingClientRect().height / window.innerHeight`)
					if hh > 0.08 {
						t.Errorf("%s: the header takes %.0f%% of the screen", name, hh*100)
					}
				}
			}
		}
	}
	// The approval's review step at each size.
	for _, vp := range []struct{ w, h int }{{1280, 800}, {800, 1280}, {390, 844}} {
		name := fmt.Sprintf("layout-approve-%dx%d", vp.w, vp.h)
		slow(t, ctx, name,
			chromedp.EmulateViewport(int64(vp.w), int64(vp.h)),
			chromedp.Navigate(base+"/counts/"+id+"?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#approve-form")),
		)
		if _, err := chromedp.RunResponse(ctx, click("#approve-submit")); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		slow(t, ctx, name, chromedp.WaitVisible(chromedp.CSS("#uncounted-choice")), s.take(name))
		if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Errorf("%s: the page scrolls sideways", name)
		}
		if vp.w == 1280 {
			axeCheck(t, ctx, axe, name)
		}
	}
}
