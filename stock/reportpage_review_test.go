package stock_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/stock"
)

// TestReportPageLargeKeptAgainAfterEachCatalogChange: a large held
// count's kept report made stale by a catalog change to one of its SKUs
// is kept again by a job the page queues, each time the catalog changes
// (not only the first: the stamp alone does not move with the catalog).
func TestReportPageLargeKeptAgainAfterEachCatalogChange(t *testing.T) {
	w := newWorld(t)
	w.keepInline(2)
	c := w.open(stock.CountInput{})
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || !ran {
		t.Fatalf("close job: ran %v, %v", ran, err)
	}
	admin := w.actor("A001")
	for i, cost := range []string{"2.20", "2.40", "2.60"} {
		w.advance(60e9)
		csv := "sku,name,name_zh,category,unit_cost,barcode,pack_qty\nSKU-A,Lemon Tea,檸檬茶,beverage," + cost + ",4890000000011,1\n"
		if res, err := w.svc.Import(ctx, admin, stock.ImportCatalog, []byte(csv), nil); err != nil || res.ErrorCount != 0 {
			t.Fatalf("import: %v %+v", err, res)
		}
		if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); ok || err != nil {
			t.Fatalf("change %d: stale large report answered: ok %v, %v", i, ok, err)
		}
		if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || !ran {
			t.Fatalf("change %d: no job queued to keep the report again: ran %v, %v", i, ran, err)
		}
		p, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{Q: "SKU-A"})
		if !ok || err != nil || len(p.Lines) != 1 || p.Lines[0].UnitCost.String() != cost {
			t.Fatalf("change %d: after the job: ok %v, %v, %+v", i, ok, err, p.Lines)
		}
	}
}

// TestKeepReportConcurrent: replicas keeping the same count's report at
// once (the job and pages) all succeed, on SQLite and PostgreSQL, and
// the kept report is whole.
func TestKeepReportConcurrent(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := worldOn(t, db)
			var ids []string
			for range 6 {
				c := w.open(stock.CountInput{})
				w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
				if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
					t.Fatal(err)
				}
				// Posted, so that the next count can open at the store.
				if _, err := w.svc.Approve(ctx, w.actor("R001"), c.ID, stock.ApproveInput{Uncounted: "zero"}); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			for _, id := range ids {
				var wg sync.WaitGroup
				errs := make(chan error, 6)
				start := make(chan struct{})
				for range 6 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs <- w.svc.KeepReport(ctx, id)
					}()
				}
				close(start)
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatalf("%s: concurrent keep: %v", id, err)
					}
				}
				checkPages(t, w, "M001", id, stock.ReportPageQuery{Unscanned: "show"})
			}
		})
	}
}

// keptTwoZones is a held count in two zones, counted by two counters
// (SKU-A in both zones, by both), on db.
func keptTwoZones(t *testing.T, db string) (*world, string) {
	w := worldOn(t, db)
	c := w.open(stock.CountInput{Scope: stock.CountScope{Zones: []string{"HK-TST-Z1", "HK-TST-Z2"}}})
	s := w.scanIn
	w.ingest("C001", c.ID, s("4890000000011", 9, "HK-TST-Z1"), s("4890000000011", 1, "HK-TST-Z2"), s("4890000000028", 15, "HK-TST-Z1"))
	w.ingest("C002", c.ID, s("4890000000011", 2, "HK-TST-Z1"))
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	return w, c.ID
}

// TestReportPageOddText: search or filter text PostgreSQL cannot take as
// is (a NUL, invalid UTF-8 as a search cut mid-character at 100 bytes
// leaves) is no error on either database: ReportPage answers not ok and
// the caller filters the Report in Go.
func TestReportPageOddText(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w, id := keptTwoZones(t, db)
			cut := strings.Repeat("檸", 34)[:100]
			for _, q := range []stock.ReportPageQuery{{Q: "tea\x00"}, {Q: cut}, {Q: "\xff"}, {Category: "snack\x00"}, {Zone: "\xe6"}} {
				if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), id, q); ok || err != nil {
					t.Errorf("%+q: ok %v, %v; want the caller to read the Report", q.Q+q.Category+q.Zone, ok, err)
				}
			}
		})
	}
}

// TestReportPageDelimiterFilters: a zone, role or employee filter holding
// the kept columns' delimiter '|' (no code holds one) matches what it
// matches in the Report's lines (nothing), not the lines of two codes.
func TestReportPageDelimiterFilters(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w, id := keptTwoZones(t, db)
			for _, q := range []stock.ReportPageQuery{
				{Zone: "HK-TST-Z1|HK-TST-Z2"}, {Zone: "HK-TST-Z1|"}, {Employee: "C001|C002"}, {Role: "counter|"}, {Zone: "|"},
			} {
				t.Run(fmt.Sprintf("%+q", []string{q.Zone, q.Employee, q.Role}), func(t *testing.T) { checkPages(t, w, "M001", id, q) })
			}
		})
	}
}

// TestKeptReportMovementCommittedAfterClose: a movement stamped before a
// count's close but committed after its report was kept (its transaction
// was open at the close: a POS batch, a retry) is in the Report; once no
// such transaction can still commit, the kept page has it too (it is not
// kept stale for good), on SQLite and PostgreSQL.
func TestKeptReportMovementCommittedAfterClose(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := worldOn(t, db)
			c := w.open(stock.CountInput{MovementPolicy: stock.PolicyFreeze})
			w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
			w.advance(time.Minute)
			stamped := w.clock() // the movement's request took its time here...
			w.advance(time.Minute)
			w.closeAndKeep(c.ID)
			// ...and commits now, after the report was kept.
			w.commitLate(stamped, 11*time.Minute)
			if _, lines := w.report(c.ID); lines["SKU-A"].MovementQty != -3 {
				t.Fatalf("the Report lacks the movement: %+v", lines["SKU-A"])
			}
			checkPages(t, w, "M001", c.ID, stock.ReportPageQuery{Q: "SKU-A"})
		})
	}
}

// TestKeptReportLargeSettles: a large count's report kept before the
// close's movements settled is shown as kept after that (no page falls
// back to the whole Report for it) while one job, queued by the pages,
// keeps it again with the movement committed late.
func TestKeptReportLargeSettles(t *testing.T) {
	w := newWorld(t)
	w.keepInline(2)
	c := w.open(stock.CountInput{MovementPolicy: stock.PolicyFreeze})
	w.ingest("C001", c.ID, w.scan("4890000000011", 9), w.scan("4890000000028", 20))
	stamped := w.advance(time.Minute)
	w.advance(time.Minute)
	w.closeAndKeep(c.ID)
	w.commitLate(stamped, 11*time.Minute)
	for range 2 {
		if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); !ok || err != nil {
			t.Fatalf("unsettled large report: ok %v, %v; want it shown while kept again", ok, err)
		}
	}
	for i, want := range []bool{true, false} {
		if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || ran != want {
			t.Fatalf("job %d: ran %v, %v", i, ran, err)
		}
	}
	checkPages(t, w, "M001", c.ID, stock.ReportPageQuery{Unscanned: "show"})
	// Kept after the movements settled: final, no more jobs.
	w.advance(time.Hour)
	if _, ok, err := w.svc.ReportPage(ctx, w.actor("M001"), c.ID, stock.ReportPageQuery{}); !ok || err != nil {
		t.Fatalf("settled: ok %v, %v", ok, err)
	}
	if ran, err := w.svc.RunOneJob(ctx, stock.JobsKeepReport); err != nil || ran {
		t.Fatalf("settled: a job ran (%v, %v)", ran, err)
	}
}

// TestReportIgnoresSKUsMovedOnlyAfterClose: a SKU the count never covered
// (not in its snapshot, not scanned) that moves after the close is no
// line of its report (the close fixed it), in the Report as in the kept
// page, on SQLite and PostgreSQL.
func TestReportIgnoresSKUsMovedOnlyAfterClose(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := worldOn(t, db)
			c := w.open(stock.CountInput{MovementPolicy: stock.PolicyFreeze})
			w.ingest("C001", c.ID, w.scan("4890000000011", 9))
			w.advance(time.Minute)
			w.closeAndKeep(c.ID)
			w.advance(time.Minute)
			if _, err := w.svc.PostMovements(ctx, w.actor("M001"), []stock.Movement{{MovementID: "rcv-after-1", SKU: "SKU-F", Location: "HK-TST", QtyDelta: 5, Kind: stock.MoveReceipt}}); err != nil {
				t.Fatal(err)
			}
			if _, lines := w.report(c.ID); lines["SKU-F"].SKU != "" {
				t.Errorf("a SKU moved only after the close is a line: %+v", lines["SKU-F"])
			}
			checkPages(t, w, "M001", c.ID, stock.ReportPageQuery{Unscanned: "show"})
		})
	}
}

// TestReportPageBlindMatchesReport: a blind count's kept pages match the
// Report for a viewer who may not see the book (masked: no variance, no
// sort or filter by it, no sums of it) and for those who may, on SQLite
// and PostgreSQL.
func TestReportPageBlindMatchesReport(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := worldOn(t, db)
			blind := true
			c := w.open(stock.CountInput{Blind: &blind, Scope: stock.CountScope{Zones: []string{"HK-TST-Z1", "HK-TST-Z2"}}})
			s := w.scanIn
			w.ingest("C001", c.ID, s("4890000000011", 9, "HK-TST-Z1"), s("4890000000028", 15, "HK-TST-Z1"), s("4890000000066", 3, "HK-TST-Z2"))
			w.ingest("C002", c.ID, s("4890000000035", 24, "HK-TST-Z1"), s("4890000000042", 1, "HK-TST-Z2"))
			w.advance(time.Minute)
			if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
				t.Fatal(err)
			}
			p, ok, err := w.svc.ReportPage(ctx, w.actor("S001"), c.ID, stock.ReportPageQuery{Variance: true, Unscanned: "show"})
			if !ok || err != nil || !p.Report.Masked || p.ToPost != 0 || p.Totals.AbsVarianceValue != 0 || p.Shown.NetVarianceValue != 0 {
				t.Fatalf("supervisor of a blind count: ok %v, %v, masked %v, to post %v, totals %+v", ok, err, p.Report.Masked, p.ToPost, p.Totals)
			}
			for _, l := range p.Lines {
				if l.BookQty != 0 || l.VarianceQty != 0 || l.VarianceValue != 0 {
					t.Fatalf("masked line shows the book: %+v", l)
				}
			}
			checkAll(t, w, c.ID)
		})
	}
}

// commitLate posts a sale of 3 SKU-A stamped at stamped (before the
// close) that commits now, after the report was kept, then moves the
// clock on by after.
func (w *world) commitLate(stamped time.Time, after time.Duration) {
	w.t.Helper()
	now := w.clock()
	w.mu.Lock()
	w.now = stamped
	w.mu.Unlock()
	if _, err := w.svc.PostMovements(ctx, w.actor("M001"), []stock.Movement{{MovementID: "pos-late-1", SKU: "SKU-A", Location: "HK-TST", QtyDelta: -3, Kind: stock.MoveSale}}); err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.now = now.Add(after)
	w.mu.Unlock()
}
