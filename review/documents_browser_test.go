package review_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pandian/review"
	"pandian/stock"
)

// TestBrowserDocuments: a store manager reviews and receives a
// photographed purchase order in Chromium, in English and in Traditional
// Chinese: the documents list, the document (its photo beside the lines
// and their checks), a wrong description-only guess corrected with the
// catalog picker, the receipt's review step, then Receive. Every page at
// 1280×800, 800×1280 and 390×844: screenshots to the artifacts, no
// sideways scrolling, touch targets of at least 44 px; axe-core finds no
// serious or critical violation (at 1280×800).
func TestBrowserDocuments(t *testing.T) {
	w := newWorld(t, review.Options{})
	desk := w.withDocuments(t)
	photo, ex := po01(t, true)
	docs := map[string]stock.Document{}
	for i, lang := range []string{"en", "zh-Hant"} {
		docs[lang] = desk.upload(t, "E007", stock.DocPurchaseOrder, photo, ex, i+1)
		if l := docs[lang].Lines[1]; l.MatchedSKU != "SKU-000034" || l.MatchConfirmed {
			t.Fatalf("line 2 read as 500ml: %+v, want an unconfirmed guess of SKU-000034", l)
		}
	}
	axe := axeSource(t)
	ctx := browserFor(t, 12*time.Minute)
	s := &shots{t: t, dir: artifactsDir(t)}
	base := w.url + "/review"
	slow(t, ctx, "sign in",
		chromedp.Navigate(base+"/documents?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#code"), "E007"),
		chromedp.SendKeys(chromedp.CSS("#pin"), w.pins["E007"]),
		click("#signin"),
		chromedp.WaitVisible(chromedp.CSS("#documents")),
	)
	sizes := []struct{ w, h int }{{1280, 800}, {800, 1280}, {390, 844}}
	// layout checks the page shown at every size (reloading it).
	layout := func(name, wait string) {
		t.Helper()
		for _, vp := range sizes {
			shot := fmt.Sprintf("docs-%s-%dx%d", name, vp.w, vp.h)
			slow(t, ctx, shot,
				chromedp.EmulateViewport(int64(vp.w), int64(vp.h)),
				chromedp.WaitVisible(chromedp.CSS(wait)),
				s.take(shot),
			)
			if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
				t.Errorf("%s: the page scrolls sideways (%d px wide)", shot, eval[int](t, ctx, `document.documentElement.scrollWidth`))
			}
			small := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main .btn, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), label.tap, label.check, td a, nav a, header .btn")).
				filter(e => e.offsetParent !== null).
				filter(e => e.getBoundingClientRect().height < 44).
				map(e => e.outerHTML.slice(0, 80))`)
			if len(small) > 0 {
				t.Errorf("%s: %d touch targets under 44 px: %q", shot, len(small), small)
			}
			if vp.w < 600 {
				if !eval[bool](t, ctx, `(() => { const r = document.querySelector("#signout").getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; })()`) {
					t.Errorf("%s: the sign-out button is off the screen", shot)
				}
				if hh := eval[float64](t, ctx, `document.querySelector("header.top").getBoundingClientRect().height / window.innerHeight`); hh > 0.08 {
					t.Errorf("%s: the header takes %.0f%% of the screen", shot, hh*100)
				}
			}
			if vp.w == 1280 {
				axeCheck(t, ctx, axe, shot)
			}
		}
		slow(t, ctx, "back to 1280×800", chromedp.EmulateViewport(1280, 800))
	}
	for _, lang := range []string{"en", "zh-Hant"} {
		d := docs[lang]
		zh := lang == "zh-Hant"
		tr := func(en, zhs string) string {
			if zh {
				return zhs
			}
			return en
		}
		// The list, filtered to purchase orders that need review.
		slow(t, ctx, lang+" list",
			chromedp.Navigate(base+"/documents?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS("#doc-filters")),
			chromedp.SetValue(chromedp.CSS("#f-kind"), "purchase_order"),
			chromedp.SetValue(chromedp.CSS("#f-status"), "needs_review"),
		)
		load(t, ctx, lang+" filter", click("#show-documents"))
		layout("list-"+lang, "#documents")
		row := textOf(t, ctx, fmt.Sprintf(`tr[data-document=%q]`, d.ID))
		if !strings.Contains(row, tr("Purchase order PO/2024/5426", "採購單 PO/2024/5426")) || !strings.Contains(row, tr("Needs review", "待覆核")) {
			t.Errorf("%s: list row %q", lang, row)
		}
		// The document: photo beside the lines, the guess flagged.
		load(t, ctx, lang+" open the document", click(fmt.Sprintf(`tr[data-document=%q] a.doc-link`, d.ID)))
		layout("document-"+lang, "#lines")
		if !eval[bool](t, ctx, `(() => { const i = document.querySelector("#doc-photo"); return i.complete && i.naturalWidth > 0; })()`) {
			t.Errorf("%s: the photo does not display", lang)
		}
		if got := textOf(t, ctx, "#line-1"); !strings.Contains(got, "SKU-000034") || !strings.Contains(got, tr("guessed from the description", "按描述推測")) {
			t.Errorf("%s: line 2 %q", lang, got)
		}
		if got := textOf(t, ctx, "#line-9"); !strings.Contains(got, tr("HK$370.00, not HK$314.50", "HK$370.00，而非 HK$314.50")) {
			t.Errorf("%s: line 10's check %q", lang, got)
		}
		if exists(t, ctx, "#include-1") {
			t.Errorf("%s: a guessed line offered for receiving", lang)
		}
		// Correct the guess: it is the 330ml can.
		load(t, ctx, lang+" change line 2", click("#change-1"))
		slow(t, ctx, lang+" search", chromedp.WaitVisible(chromedp.CSS("#catalog-q")), chromedp.SendKeys(chromedp.CSS("#catalog-q"), "lager"))
		load(t, ctx, lang+" search the catalog", click("#catalog-search"))
		slow(t, ctx, lang+" pick", chromedp.WaitVisible(chromedp.CSS("#pick-form")), click(`#pick-SKU-000033`))
		layout("picker-"+lang, "#pick-form")
		load(t, ctx, lang+" use the SKU", click("#pick-submit"))
		slow(t, ctx, lang+" matched", chromedp.WaitVisible(chromedp.CSS("#notice")))
		if got := textOf(t, ctx, "#notice"); !strings.Contains(got, tr("Line 2 is now SKU-000033", "第 2 項現為 SKU-000033")) {
			t.Errorf("%s: notice %q", lang, got)
		}
		if got := textOf(t, ctx, "#line-1"); !strings.Contains(got, tr("confirmed by", "確認")) {
			t.Errorf("%s: line 2 after the correction %q", lang, got)
		}
		// Receive: the first three lines, line 2 short by 8 cans.
		slow(t, ctx, lang+" receipt form", chromedp.WaitVisible(chromedp.CSS("#include-1")))
		eval[bool](t, ctx, `document.querySelectorAll('input[type=checkbox][form="receive-form"]').forEach((c, i) => { c.checked = i < 3 }); true`)
		slow(t, ctx, lang+" quantity", chromedp.SetValue(chromedp.CSS("#qty-1"), "40"))
		load(t, ctx, lang+" review the receipt", click("#receive-review"))
		layout("receive-review-"+lang, "#receive-confirm")
		if got := textOf(t, ctx, "#receive-summary"); !strings.Contains(got, tr("Post 3 lines, 101 units, HK$389.70", "將 3 項（共 101 件，HK$389.70）")) {
			t.Errorf("%s: receipt summary %q", lang, got)
		}
		load(t, ctx, lang+" receive", click("#receive-confirm"))
		slow(t, ctx, lang+" received", chromedp.WaitVisible(chromedp.CSS("#received")))
		layout("received-"+lang, "#received")
		if got := textOf(t, ctx, "#notice"); !strings.Contains(got, tr("Received: 3 lines posted", "已收貨：3 項已過帳")) {
			t.Errorf("%s: notice %q", lang, got)
		}
		got, err := w.svc.Document(t.Context(), w.actor("E007"), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Receipt == nil || len(got.Receipt.Lines) != 3 || got.Receipt.Lines[1].SKU != "SKU-000033" || got.Receipt.Lines[1].Qty != 40 {
			t.Errorf("%s: receipt %+v", lang, got.Receipt)
		}
	}
}
