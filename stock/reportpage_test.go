package stock_test

import (
	"cmp"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/pgtest"
)

// refPage is what filtering, sorting and paging the full Report's lines
// gives (the semantics the review page had when it did it itself).
func refPage(r stock.Report, q stock.ReportPageQuery) (listed []stock.ReportLine, matched, folded int, foldedValue stock.Money, shown stock.GroupSummary, bulk int) {
	shown = stock.GroupSummary{Key: "total"}
	for _, l := range r.Lines {
		switch {
		case q.Zone != "" && !slices.Contains(l.Zones, q.Zone),
			q.Category != "" && l.Category != q.Category,
			q.Role != "" && !slices.Contains(l.Roles, stock.Role(q.Role)),
			q.Employee != "" && !slices.Contains(l.CountedBy, q.Employee),
			q.Variance && l.VarianceQty == 0 && !r.Masked,
			q.Unscanned == "only" && l.Status != stock.LineUncounted:
			continue
		}
		if q.Q != "" && l.SKU != q.QSKU {
			lq := strings.ToLower(q.Q)
			if !strings.Contains(strings.ToLower(l.SKU), lq) && !strings.Contains(strings.ToLower(l.Name), lq) && !strings.Contains(l.NameZh, q.Q) {
				continue
			}
		}
		matched++
		shown.AddLine(&l)
		if l.Status != stock.LineIgnored && l.VarianceQty != 0 && !l.RecountRequired {
			bulk++
		}
		if q.Unscanned == "" && l.Status == stock.LineUncounted {
			folded++
			foldedValue += l.VarianceValue
			continue
		}
		listed = append(listed, l)
	}
	slices.SortStableFunc(listed, func(a, b stock.ReportLine) int {
		switch q.Sort {
		case "qty":
			if c := cmp.Compare(max(b.VarianceQty, -b.VarianceQty), max(a.VarianceQty, -a.VarianceQty)); c != 0 {
				return c
			}
		case "abs", "":
			if c := cmp.Compare(b.VarianceValue.Abs(), a.VarianceValue.Abs()); c != 0 {
				return c
			}
		}
		return strings.Compare(a.SKU, b.SKU)
	})
	return
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkPages compares every page of q with the full Report, for actor.
func checkPages(t *testing.T, w *world, actor, countID string, q stock.ReportPageQuery) {
	t.Helper()
	a := w.actor(actor)
	full, err := w.svc.Report(ctx, a, countID, "role", stock.ReportOptions{Lots: true})
	if err != nil {
		t.Fatal(err)
	}
	want, matched, folded, foldedValue, shown, bulk := refPage(full, q)
	var got []stock.ReportLine
	q.Limit = 2
	for page := 1; ; page++ {
		q.Page = page
		p, ok, err := w.svc.ReportPage(ctx, a, countID, q)
		if err != nil || !ok {
			t.Fatalf("%s %+v: page %d: ok %v, %v", actor, q, page, ok, err)
		}
		if p.Matched != matched || p.Folded != folded || p.FoldedValue != foldedValue || p.BulkLines != bulk || p.Listed != len(want) {
			t.Errorf("%s %+v: matched %d folded %d (%v) bulk %d listed %d, want %d %d (%v) %d %d", actor, q, p.Matched, p.Folded, p.FoldedValue, p.BulkLines, p.Listed, matched, folded, foldedValue, bulk, len(want))
		}
		p.Shown.Accuracy = 0
		if p.Shown != shown {
			t.Errorf("%s %+v: shown %+v, want %+v", actor, q, p.Shown, shown)
		}
		if g, w := asJSON(t, p.Report.Groups), asJSON(t, full.Groups); g != w {
			t.Errorf("%s: groups %s, want %s", actor, g, w)
		}
		if g, w := asJSON(t, []any{p.Report.Unresolved, p.Report.Lots, p.Report.Masked}), asJSON(t, []any{full.Unresolved, full.Lots, full.Masked}); g != w {
			t.Errorf("%s: unresolved, lots, masked %s, want %s", actor, g, w)
		}
		var tot stock.GroupSummary
		tot.Key = "total"
		counted, variance := 0, 0
		for _, l := range full.Lines {
			if l.Status == stock.LineCounted {
				counted++
			}
			if l.VarianceQty != 0 {
				variance++
			}
			tot.AddLine(&l)
		}
		if p.All != len(full.Lines) || p.Counted != counted || p.VarianceLines != variance {
			t.Errorf("%s: %d lines, %d counted, %d with a variance; want %d %d %d", actor, p.All, p.Counted, p.VarianceLines, len(full.Lines), counted, variance)
		}
		p.Totals.Accuracy = 0
		if p.Totals != tot {
			t.Errorf("%s: totals %+v, want %+v", actor, p.Totals, tot)
		}
		if len(p.Lines) > q.Limit || p.Page != page {
			t.Fatalf("page %d: %d lines, page %d", page, len(p.Lines), p.Page)
		}
		got = append(got, p.Lines...)
		if page >= p.Pages {
			break
		}
	}
	if g, w := asJSON(t, got), asJSON(t, want); g != w {
		t.Errorf("%s %+v: lines\n%s\nwant\n%s", actor, q, g, w)
	}
}

// checkAll runs the comparison for a set of queries and viewers.
func checkAll(t *testing.T, w *world, countID string) {
	t.Helper()
	for _, actor := range []string{"M001", "S001", "R001"} {
		for _, q := range []stock.ReportPageQuery{
			{}, {Sort: "sku"}, {Sort: "qty"}, {Unscanned: "show"}, {Unscanned: "only", Sort: "sku"},
			{Variance: true}, {Zone: "HK-TST-Z1"}, {Zone: "HK-TST-Z2", Unscanned: "show"}, {Category: "snack", Unscanned: "show"},
			{Role: "counter"}, {Role: "supervisor"}, {Employee: "C002"},
			{Q: "tea"}, {Q: "TEA 250"}, {Q: "水", Unscanned: "show"}, {Q: "4890000000042", QSKU: "SKU-D", Unscanned: "show"}, {Q: "sku-b"},
			{Q: "nothing matches"},
		} {
			checkPages(t, w, actor, countID, q)
		}
	}
}

// TestReportPageMatchesReport: the pages of a held count's report, read
// from the kept report sorted, filtered and paged by the store, are the
// full Report's lines for the same filters and sort, with the same
// figures, on SQLite and PostgreSQL: after the close (a late scan, an
// out-of-scope scan, an unknown code, a correction), for a viewer of a
// blind count who may not see the book (masked), after a recount, and
// once posted.
func TestReportPageMatchesReport(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := worldOn(t, db)
			c := w.open(stock.CountInput{Scope: stock.CountScope{Zones: []string{"HK-TST-Z1", "HK-TST-Z2"}}})
			s := w.scanIn
			w.ingest("C001", c.ID, s("4890000000011", 9, "HK-TST-Z1"), s("4890000000028", 15, "HK-TST-Z1"), s("4890000000028", 5, "HK-TST-Z2"),
				s("NO-SUCH-CODE", 2, "HK-TST-Z1"), s("4890000000066", 3, "HK-TST-Z2"), s("4890000000059|L7|2026-03-20", 1, "HK-TST-Z2"))
			w.advance(time.Minute)
			w.ingest("C002", c.ID, s("14890000000032", 2, "HK-TST-Z1"), s("4890000000035", -30, "HK-TST-Z1"), s("4890000000035", 6, "HK-TST-Z1"))
			w.ingest("S001", c.ID, s("4890000000059", 7, "HK-TST-Z2"), s("4890000000011", 1, "HK-TST-Z2"))
			if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); ok || err != nil {
				t.Fatalf("open count: ok %v, %v (its report is live: read the Report)", ok, err)
			}
			w.advance(time.Minute)
			if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
				t.Fatal(err)
			}
			// The job queued at close keeps the report.
			if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || !ran {
				t.Fatalf("keep report job: ran %v, %v", ran, err)
			}
			kept, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{})
			if !ok || err != nil || len(kept.Report.Lots) == 0 || len(kept.Report.Unresolved) == 0 || kept.KeptAt.IsZero() {
				t.Fatalf("kept page: ok %v, %v, lots %v, unresolved %v", ok, err, kept.Report.Lots, kept.Report.Unresolved)
			}
			// A late scan is not the report's: the kept one stays.
			w.advance(time.Minute)
			w.ingest("C001", c.ID, s("4890000000042", 4, "HK-TST-Z2"))
			if v, err := w.svc.Count(ctx, w.actor("M001"), c.ID); err != nil || v.Stats.Late != 1 {
				t.Fatalf("late scan: %+v, %v", v.Stats, err)
			}
			if p, _, _ := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); !p.KeptAt.Equal(kept.KeptAt) {
				t.Fatalf("kept again after a late scan: %v, was %v", p.KeptAt, kept.KeptAt)
			}
			checkAll(t, w, c.ID)
			if _, ok, err := w.svc.ReportPage(ctx, w.actor("C001"), c.ID, stock.ReportPageQuery{}); ok || err != nil {
				t.Fatalf("counter: ok %v, %v (reads their own lines in the Report)", ok, err)
			}
			if _, _, err := w.svc.ReportPage(ctx, w.actor("C003"), c.ID, stock.ReportPageQuery{}); stock.ErrorCode(err) != stock.ENotFound {
				t.Fatalf("counter of another store: %v, want not found", err)
			}
			// The catalog: a change to another SKU leaves the kept report,
			// one to a SKU of its lines makes it be computed again.
			admin := w.actor("A001")
			w.advance(time.Minute)
			if res, err := w.svc.Import(ctx, admin, stock.ImportCatalog, []byte("sku,name,name_zh,category,unit_cost,barcode,pack_qty\nSKU-Z,Other,其他,other,1.00,4890000000998,1\n"), nil); err != nil || res.ErrorCount != 0 {
				t.Fatalf("import: %v %+v", err, res)
			}
			if p, _, _ := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); !p.KeptAt.Equal(kept.KeptAt) {
				t.Fatalf("kept again after another SKU changed: %v, was %v", p.KeptAt, kept.KeptAt)
			}
			if res, err := w.svc.Import(ctx, admin, stock.ImportCatalog, []byte("sku,name,name_zh,category,unit_cost,barcode,pack_qty\nSKU-A,Lemon Tea 300ml,檸檬茶,beverage,2.20,4890000000011,1\n"), nil); err != nil || res.ErrorCount != 0 {
				t.Fatalf("import: %v %+v", err, res)
			}
			if p, _, _ := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{Q: "300ml"}); p.KeptAt.Equal(kept.KeptAt) || p.Matched != 1 {
				t.Fatalf("not kept again after SKU-A changed (%v) or not found by its new name (%d)", p.KeptAt, p.Matched)
			}
			checkAll(t, w, c.ID)
			// A recount of SKU-A by C002: the kept report is stale and kept again.
			if _, err := w.svc.OrderRecount(ctx, w.actor("M001"), c.ID, stock.RecountInput{SKUs: []string{"SKU-A", "SKU-D"}, Assignee: "C002"}); err != nil {
				t.Fatal(err)
			}
			w.advance(time.Minute)
			w.ingest("C002", c.ID, s("4890000000011", 10, "HK-TST-Z1"), s("4890000000042", 5, "HK-TST-Z2"))
			if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
				t.Fatal(err)
			}
			checkAll(t, w, c.ID)
			if _, err := w.svc.Approve(ctx, w.actor("R001"), c.ID, stock.ApproveInput{Uncounted: "zero", ReasonCodes: map[string]string{"SKU-B": "damage"}}); err != nil {
				t.Fatal(err)
			}
			checkAll(t, w, c.ID)
		})
	}
}

// TestReportPageLargeNotKept: a held count's report larger than
// Config.KeepReportInline that is not kept yet is not computed by the
// page: ReportPage answers not ok (the caller reads the Report) and
// queues one job to keep it, whatever the number of pages asking; once it
// ran, the pages come from the kept report.
func TestReportPageLargeNotKept(t *testing.T) {
	w := newWorld(t)
	w.keepInline(2)
	c := w.open(stock.CountInput{})
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); ok || err != nil {
			t.Fatalf("not kept yet: ok %v, %v", ok, err)
		}
	}
	// The job queued at close and the one the pages queued (once); the
	// second finds the report kept.
	for i, want := range []bool{true, true, false} {
		if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || ran != want {
			t.Fatalf("job %d: ran %v, %v", i, ran, err)
		}
	}
	checkPages(t, w, "M001", c.ID, stock.ReportPageQuery{Unscanned: "show"})
}

// keepInline makes w's service keep the report of a held count of up to n
// lines inline (a larger one by a job).
func (w *world) keepInline(n int64) {
	cfg := stock.DefaultConfig()
	cfg.PINCost, cfg.KeepReportInline = 4, n
	w.svc = stock.NewService(w.store, codes{}, cfg)
	w.svc.Now = w.clock
}

// closeAndKeep closes count id as its store manager and runs the keeping
// job the close queued.
func (w *world) closeAndKeep(id string) {
	w.t.Helper()
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), id); err != nil {
		w.t.Fatal(err)
	}
	if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || !ran {
		w.t.Fatalf("keep job: ran %v, %v", ran, err)
	}
}

// worldOn is a fresh world on db: "sqlite" (a file) or "postgres" (a
// fresh database, see storage/pgtest).
func worldOn(t *testing.T, db string) *world {
	t.Helper()
	u := filepath.Join(t.TempDir(), "pandian.db")
	if db == "postgres" {
		u = pgtest.Fresh(t)
	}
	return newWorldAt(t, u)
}

// scanIn is a scan of qty of code at bin.
func (w *world) scanIn(code string, qty int64, bin string) stock.ScanInput {
	in := w.scan(code, qty)
	in.Bin = bin
	return in
}
