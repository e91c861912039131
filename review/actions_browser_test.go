package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pandian/review"
	"pandian/stock"
)

// TestBrowserCountActions: in Chromium, in English and Chinese, a store
// manager closes an open count from its report; sets a reason in bulk for
// the lines a filter shows and approves through the review step (the
// never-scanned lines held back), the bulk reason in the summary and on
// the posted lines; sees the late and out-of-scope scans and the recount
// explanation; and sees a scan's photo with its barcodes outlined. Each
// page at 1280×800, 800×1280 and 390×844: no sideways scroll, axe-core
// finds no serious or critical violation; screenshots to the artifacts.
func TestBrowserCountActions(t *testing.T) {
	w := newWorld(t, review.Options{LinesPerPage: 20})
	w.withPhotos()
	ctx0 := context.Background()
	k := w.skus
	// A store has one count open at a time: the counts to close are at
	// Kwun Tong and Mong Kok, the count with a photo, a recount, an
	// out-of-scope and a late scan at Tsim Sha Tsui (after the counts
	// approved there in bulk).
	open := map[string]string{}
	for lang, at := range map[string]struct{ store, who string }{"en": {"HK-KT", "E023"}, "zh-Hant": {"HK-MK", "E016"}} {
		c, err := w.svc.OpenCount(ctx0, w.actor("E001"), stock.CountInput{Location: at.store, Scope: stock.CountScope{SKUs: []string{k[0].sku, k[1].sku}}})
		if err != nil {
			t.Fatal(err)
		}
		w.post(c.ID, 1, []scan{{who: at.who, sku: 0, qty: 4}})
		open[lang] = c.ID
	}
	photoCount := func() string {
		photo := w.photoCount()
		if _, err := w.svc.OrderRecount(ctx0, w.actor("E007"), photo, stock.RecountInput{SKUs: []string{"PHOTO-EAN8"}, Assignee: "E011"}); err != nil {
			t.Fatal(err)
		}
		e11 := w.actor("E011")
		e11.DeviceID = "TC52-E011"
		for i, in := range []stock.ScanInput{
			{EventID: "r2-1", Code: "96385074", Qty: 3, Bin: "HK-TST-A01", DeviceID: e11.DeviceID},
			{EventID: "oos-1", Code: k[4].barcode, Qty: 2, Bin: "HK-TST-A01", DeviceID: e11.DeviceID},
		} {
			if _, err := w.svc.IngestScans(ctx0, e11, photo, []stock.ScanInput{in}); err != nil {
				t.Fatalf("scan %d: %v", i, err)
			}
		}
		if _, err := w.svc.CloseCount(ctx0, w.actor("E008"), photo); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.IngestScans(ctx0, e11, photo, []stock.ScanInput{{EventID: "late-1", Code: "4891234567898", Qty: 1, DeviceID: e11.DeviceID}}); err != nil {
			t.Fatal(err)
		}
		return photo
	}

	axe := axeSource(t)
	ctx := browserFor(t, 10*time.Minute)
	s := &shots{t: t, dir: artifactsDir(t)}
	base := w.url + "/review"
	slow(t, ctx, "sign in",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#code"), "E001"),
		chromedp.SendKeys(chromedp.CSS("#pin"), w.pins["E001"]),
		click("#signin"),
		chromedp.WaitVisible(chromedp.CSS("#counts")),
	)
	check := func(name string, full bool) {
		t.Helper()
		if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Errorf("%s: the page scrolls sideways (%d px wide)", name, eval[int](t, ctx, `document.documentElement.scrollWidth`))
		}
		if full {
			axeCheck(t, ctx, axe, name)
		}
	}

	// Pages at the three sizes, in both languages.
	type pg struct{ name, path, wait string }
	layouts := func(pages ...pg) {
		t.Helper()
		for _, vp := range []struct{ w, h int }{{1280, 800}, {800, 1280}, {390, 844}} {
			for _, lang := range []string{"en", "zh-Hant"} {
				for _, p := range pages {
					sep := "?"
					if strings.Contains(p.path, "?") {
						sep = "&"
					}
					name := fmt.Sprintf("actions-%s-%dx%d-%s", p.name, vp.w, vp.h, lang)
					slow(t, ctx, name,
						chromedp.EmulateViewport(int64(vp.w), int64(vp.h)),
						chromedp.Navigate(base+p.path+sep+"lang="+lang),
						chromedp.WaitVisible(chromedp.CSS(p.wait)),
						s.take(name),
					)
					check(name, vp.w == 1280)
				}
			}
		}
	}
	bulk := map[string]string{}
	bulk["en"] = w.beverageCount()
	layouts(pg{"close", "/counts/" + open["en"], "#close-form"}, pg{"bulk", "/counts/" + bulk["en"] + "?employee=E009", "#bulk-reason"})
	var photo string

	for _, lang := range []string{"en", "zh-Hant"} {
		zh := lang == "zh-Hant"
		pick := func(en, zhs string) string {
			if zh {
				return zhs
			}
			return en
		}
		slow(t, ctx, "viewport", chromedp.EmulateViewport(1280, 800))

		// Close: the button, then the report again in review (PRG).
		slow(t, ctx, "open count "+lang, chromedp.Navigate(base+"/counts/"+open[lang]+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#close-submit")))
		if st := load(t, ctx, "close "+lang, click("#close-submit")); st != 200 {
			t.Errorf("close %s: %d", lang, st)
		}
		slow(t, ctx, "closed "+lang, chromedp.WaitVisible(chromedp.CSS("#notice")), s.take("closed-"+lang))
		if got := textOf(t, ctx, "#notice"); !strings.Contains(got, pick("Count closed", "盤點已結束")) {
			t.Errorf("close notice %s: %q", lang, got)
		}
		if exists(t, ctx, "#close-form") || !exists(t, ctx, "#approve-form") || !strings.Contains(eval[string](t, ctx, `location.search`), "done=close") {
			t.Errorf("after closing (%s): the close form is still there, or no approve form, or not redirected", lang)
		}
		check("closed-"+lang, true)

		// A reason in bulk for E009's lines, then the review and approval.
		if bulk[lang] == "" {
			// After the first approval: other quantities, so that E009's
			// lines differ from their new book.
			bulk[lang] = w.countWith([]int{0, 1, 2, 3}, []scan{
				{who: "E009", sku: 0, qty: k[0].book - 6, bin: "HK-TST-A01"},
				{who: "E009", sku: 1, qty: k[1].book, bin: "HK-TST-A01"},
				{who: "E010", sku: 2, qty: k[2].book - 4, bin: "HK-TST-A02"},
				{who: "E010", sku: 3, qty: k[3].book + 1, bin: "HK-TST-A02"},
			})
		}
		slow(t, ctx, "bulk "+lang,
			chromedp.Navigate(base+"/counts/"+bulk[lang]+"?employee=E009&lang="+lang),
			chromedp.WaitVisible(chromedp.CSS("#bulk-reason")),
			chromedp.SetValue(chromedp.CSS("#bulk-reason"), "damage"),
			s.take("bulk-"+lang),
		)
		if st := load(t, ctx, "review "+lang, click("#approve-submit")); st != 200 {
			t.Fatalf("review %s: %d", lang, st)
		}
		slow(t, ctx, "review step "+lang, chromedp.WaitVisible(chromedp.CSS("#reasons")))
		if exists(t, ctx, "#uncounted-hold") {
			// The lines nobody scanned are held back.
			slow(t, ctx, "hold "+lang, click("#uncounted-hold"))
			if st := load(t, ctx, "review again "+lang, click("#uncounted-submit")); st != 200 {
				t.Fatalf("review again %s: %d", lang, st)
			}
		}
		slow(t, ctx, "summary "+lang, chromedp.WaitVisible(chromedp.CSS("#confirm-form")), s.take("bulk-review-"+lang))
		if got := textOf(t, ctx, "#bulk-reasons"); !strings.Contains(got, pick("Damage for the lines that match", "「損壞」適用於")) || !strings.Contains(got, "E009") {
			t.Errorf("bulk reason in the summary (%s): %q", lang, got)
		}
		if got := textOf(t, ctx, `#by-reason tr[data-reason="damage"]`); !strings.Contains(got, "2") {
			t.Errorf("damage lines (%s): %q", lang, got)
		}
		check("bulk-review-"+lang, true)
		if st := load(t, ctx, "confirm "+lang, click("#confirm-submit")); st != 200 {
			t.Fatalf("confirm %s: %d", lang, st)
		}
		slow(t, ctx, "approved "+lang, chromedp.WaitVisible(chromedp.CSS("#notice")), s.take("bulk-approved-"+lang))
		rep, err := w.svc.Report(ctx0, w.actor("E007"), bulk[lang], "sku", stock.ReportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range rep.Lines {
			if (l.SKU == k[0].sku || l.SKU == k[1].sku) && (!l.Posted || l.ReasonCode != "damage") {
				t.Errorf("%s (%s): posted %v with %q, want damage", l.SKU, lang, l.Posted, l.ReasonCode)
			}
		}
	}
	// The Tsim Sha Tsui counts are posted: the count with a photo.
	photo = photoCount()
	layouts(pg{"side-recount", "/counts/" + photo, "#side-scans"}, pg{"photo-drilldown", "/counts/" + photo + "/lines/PHOTO-EAN13", "#photos svg polygon"})
	for _, lang := range []string{"en", "zh-Hant"} {
		zh := lang == "zh-Hant"
		pick := func(en, zhs string) string {
			if zh {
				return zhs
			}
			return en
		}
		slow(t, ctx, "viewport", chromedp.EmulateViewport(1280, 800))
		// Late and out-of-scope scans, and why the by-role totals differ.
		slow(t, ctx, "side "+lang, chromedp.Navigate(base+"/counts/"+photo+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#side-scans")))
		side := textOf(t, ctx, "#side-scans")
		for _, want := range []string{pick("late", "逾時"), pick("out of scope", "範圍外"), k[4].barcode, "4891234567898"} {
			if !strings.Contains(side, want) {
				t.Errorf("late and out-of-scope scans (%s) lack %q: %q", lang, want, side)
			}
		}
		if note := textOf(t, ctx, "#recount-note"); !strings.Contains(note, pick("1 lines were recounted", "1 項曾經重點")) {
			t.Errorf("recount note (%s): %q", lang, note)
		}

		// The photo: inline, five barcodes outlined inside it.
		slow(t, ctx, "photo "+lang, chromedp.Navigate(base+"/counts/"+photo+"/lines/PHOTO-EAN13?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#photos svg polygon")))
		if n := eval[int](t, ctx, `document.querySelectorAll("#photos svg polygon.box").length`); n != 5 {
			t.Errorf("photo (%s): %d boxes, want 5", lang, n)
		}
		// The image loaded (an SVG <image> with a size the browser knows).
		ok := eval[bool](t, ctx, `(() => { const i = document.querySelector("#photos svg image"); const b = i.getBBox(); return b.width > 100 && b.height > 100; })()`)
		if !ok {
			t.Errorf("photo (%s): the image is not laid out", lang)
		}

	}
}
