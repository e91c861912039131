package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// genScans returns n scans of a count, in arrival order, with every status,
// two rounds, an employee who changed role, zones, packs, corrections and
// event ids whose order is not the arrival order.
func genScans(countID string, n int) []stock.Scan {
	skus := []string{"A", "B", "C", "D"}
	out := make([]stock.Scan, n)
	for i := range out {
		s := stock.Scan{
			EventID:    fmt.Sprintf("%s-EV-%05d", countID, (i*7919)%n),
			CountID:    countID,
			Round:      1,
			Status:     stock.ScanCounted,
			Code:       "BC-" + skus[i%4],
			SKU:        skus[i%4],
			GTIN:       fmt.Sprintf("0489%010d", i%4),
			Qty:        int64(1 + i%3),
			PackQty:    1,
			Employee:   "E1",
			Role:       stock.RoleCounter,
			DeviceID:   fmt.Sprintf("DEV-%d", i%4),
			ScannedAt:  at((i * 37) % 3001),
			ReceivedAt: at(5000 + i),
			Hash:       fmt.Sprintf("h%d", i),
		}
		if i >= 2*n/3 {
			s.Round = 2
		}
		switch i % 3 {
		case 0:
			s.Zone, s.Bin = "Z1", "Z1-01"
		case 1:
			s.Zone = "Z2"
		}
		if i%5 == 0 {
			s.PackQty = 6
		}
		if i%7 == 0 {
			s.Employee, s.Role = "E2", stock.RoleSupervisor
		} else if i%11 == 0 {
			s.Role = stock.RoleSupervisor // E1 after a role change
		}
		if i%97 == 0 {
			s.Qty = -2 // a correction
		}
		if i%2 == 0 {
			lat, lon := 22.29+float64(i)/1e6, 114.17
			s.Lat, s.Lon = &lat, &lon
		}
		if i%13 == 0 {
			s.Lot, s.Expiry = "L1", "2027-03-31"
		}
		switch i % 50 {
		case 7:
			s.Status, s.SKU, s.GTIN, s.Code = stock.ScanUnknown, "", "", fmt.Sprintf("UNK-%d", i%3)
		case 17:
			s.Status = stock.ScanLate
		case 27:
			s.Status = stock.ScanOutOfScope
		}
		if s.Status == stock.ScanCounted {
			s.AppliedQty = s.Qty * s.PackQty
		}
		out[i] = s
	}
	return out
}

func insertScans(t *testing.T, s *sqlstore.Store, scans []stock.Scan) {
	t.Helper()
	write(t, s, func(tx stock.Tx) error {
		skipped, err := tx.InsertScans(scans)
		if err == nil && len(skipped) > 0 {
			t.Errorf("fresh scans skipped: %v", skipped)
		}
		return err
	})
}

func TestScans(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		createCount(t, s, newCount("C1", tr.HKT, at(0)), nil)
		createCount(t, s, newCount("C2", tr.HKTST, at(1)), nil)
		scans := genScans("C1", 2500)
		insertScans(t, s, scans)
		other := genScans("C2", 120)
		insertScans(t, s, other)
		// A second batch of C1 arrives later.
		more := genScans("C1X", 30)
		for i := range more {
			more[i].CountID = "C1"
			more[i].ReceivedAt = at(9000 + i) // after the first batch
		}
		insertScans(t, s, more)
		all := append(append([]stock.Scan{}, scans...), more...)

		// Hashes, over the chunk size.
		ids := []string{"unknown"}
		want := map[string]string{}
		for _, sc := range all {
			ids = append(ids, sc.EventID)
			want[sc.EventID] = sc.Hash
		}
		if got := get(t, s, func(tx stock.Tx) (map[string]string, error) { return tx.ScanHashes(ids) }); !reflect.DeepEqual(got, want) {
			t.Fatalf("ScanHashes: %d entries, want %d", len(got), len(want))
		}

		// An event id is stored once: a second insert skips it and says so,
		// and the first payload stays.
		dup := scans[10]
		dup.Hash = "other"
		fresh := scans[10]
		fresh.EventID, fresh.Hash, fresh.CountID = "fresh-after-dup", "h", "another-count"
		var skipped []string
		err := s.Write(context.Background(), func(tx stock.Tx) (err error) {
			skipped, err = tx.InsertScans([]stock.Scan{dup, fresh})
			return err
		})
		if err != nil || len(skipped) != 1 || skipped[0] != dup.EventID {
			t.Fatalf("insert of a stored event id: skipped %v, %v", skipped, err)
		}
		if h := get(t, s, func(tx stock.Tx) (map[string]string, error) { return tx.ScanHashes([]string{dup.EventID}) }); h[dup.EventID] != scans[10].Hash {
			t.Fatalf("the stored scan changed: %v", h)
		}

		// Aggregates: counted scans by (sku, round, employee, role, zone);
		// unknown codes by code.
		type key struct {
			sku      string
			round    int
			employee string
			role     stock.Role
			zone     string
		}
		wantAgg := map[key]*stock.ScanAggregate{}
		wantUnk := map[string]*stock.UnresolvedCode{}
		for _, sc := range all {
			switch sc.Status {
			case stock.ScanCounted:
				k := key{sc.SKU, sc.Round, sc.Employee, sc.Role, sc.Zone}
				a := wantAgg[k]
				if a == nil {
					a = &stock.ScanAggregate{SKU: sc.SKU, Round: sc.Round, Employee: sc.Employee, Role: sc.Role, Zone: sc.Zone, MinQty: sc.AppliedQty}
					wantAgg[k] = a
				}
				a.Qty += sc.AppliedQty
				a.Scans++
				if sc.ScannedAt.After(a.LastAt) {
					a.LastAt = sc.ScannedAt
				}
				a.MinQty = min(a.MinQty, sc.AppliedQty)
			case stock.ScanUnknown:
				u := wantUnk[sc.Code]
				if u == nil {
					u = &stock.UnresolvedCode{Code: sc.Code}
					wantUnk[sc.Code] = u
				}
				u.Scans++
				u.Qty += sc.Qty
			}
		}
		var aggs []stock.ScanAggregate
		var unk []stock.UnresolvedCode
		read(t, s, func(tx stock.Tx) error {
			var err error
			aggs, unk, err = tx.ScanAggregates("C1")
			return err
		})
		if len(aggs) != len(wantAgg) {
			t.Fatalf("ScanAggregates returned %d groups, want %d", len(aggs), len(wantAgg))
		}
		seen := map[key]bool{}
		for _, a := range aggs {
			k := key{a.SKU, a.Round, a.Employee, a.Role, a.Zone}
			if seen[k] {
				t.Fatalf("group %+v returned twice", k)
			}
			seen[k] = true
			if w := wantAgg[k]; w == nil || !reflect.DeepEqual(a, *w) {
				t.Fatalf("aggregate %+v, want %+v", a, w)
			}
		}
		var wantU []stock.UnresolvedCode
		for _, c := range sortedKeys(wantUnk) {
			wantU = append(wantU, *wantUnk[c])
		}
		if !reflect.DeepEqual(unk, wantU) {
			t.Fatalf("unresolved = %+v, want %+v", unk, wantU)
		}
		read(t, s, func(tx stock.Tx) error {
			a, u, err := tx.ScanAggregates("nope")
			if len(a) != 0 || len(u) != 0 {
				t.Errorf("ScanAggregates(nope) = %v, %v", a, u)
			}
			return err
		})

		// Deltas of some lines, in arrival order.
		var wantD []stock.ScanDelta
		for _, sc := range all {
			if sc.Status == stock.ScanCounted && (sc.SKU == "A" || sc.SKU == "C") {
				wantD = append(wantD, stock.ScanDelta{SKU: sc.SKU, Round: sc.Round, Qty: sc.AppliedQty})
			}
		}
		gotD := get(t, s, func(tx stock.Tx) ([]stock.ScanDelta, error) {
			return tx.ScanDeltas("C1", []string{"C", "A", "missing"})
		})
		if !reflect.DeepEqual(gotD, wantD) {
			t.Fatalf("ScanDeltas: %d deltas, want %d (first %v, want %v)", len(gotD), len(wantD), gotD[:min(3, len(gotD))], wantD[:3])
		}

		// Drill-down: filters and keyset pagination in arrival order.
		filter := func(f stock.ScanFilter) []stock.Scan {
			var out []stock.Scan
			for _, sc := range all {
				if (f.SKU == "" || sc.SKU == f.SKU) && (f.Status == "" || sc.Status == f.Status) && (f.Employee == "" || sc.Employee == f.Employee) {
					out = append(out, sc)
				}
			}
			return out
		}
		for _, f := range []stock.ScanFilter{
			{CountID: "C1"},
			{CountID: "C1", SKU: "A"},
			{CountID: "C1", Status: stock.ScanUnknown},
			{CountID: "C1", Employee: "E2", Status: stock.ScanCounted},
			{CountID: "C1", SKU: "B", Employee: "E1", Status: stock.ScanCounted},
		} {
			var got []stock.Scan
			f.Limit = 333
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatalf("pagination does not end")
				}
				page := get(t, s, func(tx stock.Tx) ([]stock.Scan, error) { return tx.Scans(f) })
				got = append(got, page...)
				if len(page) < f.Limit {
					break
				}
				f.After = page[len(page)-1].EventID
			}
			wantS := filter(f)
			if len(got) != len(wantS) {
				t.Fatalf("Scans(%+v): %d scans, want %d", f, len(got), len(wantS))
			}
			for i := range got {
				w := wantS[i]
				w.Hash = got[i].Hash // the hash is not part of the drill-down
				if !reflect.DeepEqual(got[i], w) {
					t.Fatalf("Scans(%+v)[%d] = %+v\nwant %+v", f, i, got[i], w)
				}
			}
		}
		if got := get(t, s, func(tx stock.Tx) ([]stock.Scan, error) { return tx.Scans(stock.ScanFilter{CountID: "C2", Limit: 1000}) }); len(got) != len(other) {
			t.Fatalf("Scans(C2) = %d scans, want %d", len(got), len(other))
		}

		// Stats.
		var wantSt stock.ScanStats
		lines := map[string]bool{}
		for _, sc := range all {
			wantSt.Scans++
			switch sc.Status {
			case stock.ScanCounted:
				wantSt.Counted++
				lines[sc.SKU] = true
			case stock.ScanUnknown:
				wantSt.Unknown++
			case stock.ScanLate:
				wantSt.Late++
			case stock.ScanOutOfScope:
				wantSt.Rejected++
			}
		}
		wantSt.Lines = int64(len(lines))
		if got := get(t, s, func(tx stock.Tx) (stock.ScanStats, error) { return tx.ScanStats("C1") }); got != wantSt {
			t.Fatalf("ScanStats = %+v, want %+v", got, wantSt)
		}
		if got := get(t, s, func(tx stock.Tx) (stock.ScanStats, error) { return tx.ScanStats("nope") }); got != (stock.ScanStats{}) {
			t.Fatalf("ScanStats(nope) = %+v", got)
		}
	})
}

func TestRecountsAndPostings(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		createCount(t, s, newCount("C1", tr.HKT, at(0)), nil)
		write(t, s, func(tx stock.Tx) error {
			if err := tx.AddRecounts("C1", []stock.RecountLine{{SKU: "B", Round: 2, Assignee: "E2"}, {SKU: "A", Round: 2, Assignee: "E2"}}); err != nil {
				return err
			}
			return tx.AddRecounts("C1", []stock.RecountLine{{SKU: "A", Round: 3, Assignee: "E1"}})
		})
		got := get(t, s, func(tx stock.Tx) ([]stock.RecountLine, error) { return tx.Recounts("C1") })
		if want := []stock.RecountLine{{SKU: "A", Round: 2, Assignee: "E2"}, {SKU: "B", Round: 2, Assignee: "E2"}, {SKU: "A", Round: 3, Assignee: "E1"}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Recounts = %+v, want %+v", got, want)
		}
		if got := get(t, s, func(tx stock.Tx) ([]stock.RecountLine, error) { return tx.Recounts("C2") }); got == nil || len(got) != 0 {
			t.Fatalf("Recounts(C2) = %#v, want an empty list", got)
		}
		err := s.Write(context.Background(), func(tx stock.Tx) error {
			return tx.AddRecounts("C1", []stock.RecountLine{{SKU: "A", Round: 3, Assignee: "E2"}})
		})
		wantCode(t, err, stock.EConflict)

		// Postings: what an approval did, many lines (chunks), read by SKU.
		var ps []stock.Posting
		for i := 1199; i >= 0; i-- {
			p := stock.Posting{SKU: fmt.Sprintf("S%04d", i), Qty: int64(i - 600), Reason: "damage", Location: "HK-T_A"}
			if i%10 == 0 {
				p = stock.Posting{SKU: p.SKU, RecountRequired: true}
			}
			ps = append(ps, p)
		}
		write(t, s, func(tx stock.Tx) error { return tx.SavePostings("C1", ps) })
		gotP := get(t, s, func(tx stock.Tx) ([]stock.Posting, error) { return tx.Postings("C1") })
		sort.Slice(ps, func(i, j int) bool { return ps[i].SKU < ps[j].SKU })
		if !reflect.DeepEqual(gotP, ps) {
			t.Fatalf("Postings: %d, want %d; first %+v, want %+v", len(gotP), len(ps), gotP[:min(2, len(gotP))], ps[:2])
		}
		if got := get(t, s, func(tx stock.Tx) ([]stock.Posting, error) { return tx.Postings("C2") }); len(got) != 0 {
			t.Fatalf("Postings(C2) = %v", got)
		}
		// An approval posts once.
		err = s.Write(context.Background(), func(tx stock.Tx) error { return tx.SavePostings("C1", ps[:1]) })
		wantCode(t, err, stock.EConflict)
	})
}

func TestClosedCounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		mk := func(id string, l stock.Location, status stock.CountStatus, closed int) {
			c := newCount(id, l, at(0))
			c.Status = status
			if closed >= 0 {
				ct := at(closed)
				c.ClosedAt = &ct
			}
			c.ToleranceQty = int64(closed)
			createCount(t, s, c, nil)
		}
		mk("C1", tr.HKT, stock.StatusReview, 10)
		mk("C2", tr.HKTST, stock.StatusPosted, 20)
		mk("C3", tr.HKTA, stock.StatusReview, 30)
		mk("C4", tr.HKT, stock.StatusOpen, -1)
		mk("C5", tr.HKT, stock.StatusRecount, 15) // reopened for a recount
		mk("C6", tr.hkt, stock.StatusReview, 25)
		mk("C7", tr.MO1, stock.StatusPosted, 9)
		ids := func(from, to int, paths ...string) []string {
			t.Helper()
			cs := get(t, s, func(tx stock.Tx) ([]stock.Count, error) { return tx.ClosedCounts(at(from), at(to), paths) })
			out := []string{}
			for _, c := range cs {
				out = append(out, c.ID)
				if c.ClosedAt == nil || c.ToleranceQty != int64(c.ClosedAt.Sub(at(0))/time.Second) {
					t.Errorf("count %s read back as %+v", c.ID, c)
				}
			}
			return out
		}
		for _, c := range []struct {
			from, to int
			paths    []string
			want     []string
		}{
			{10, 30, []string{tr.HKT.Path}, []string{"C1"}},
			{10, 31, []string{tr.HKT.Path}, []string{"C1", "C3"}},
			{11, 31, []string{tr.HKTA.Path}, []string{"C3"}},
			{0, 100, []string{"/"}, []string{"C7", "C1", "C2", "C6", "C3"}},
			{0, 100, []string{tr.HK.Path}, []string{"C1", "C2", "C6", "C3"}},
			{0, 100, []string{tr.HKTST.Path}, []string{"C2"}},
			{0, 100, []string{tr.hkt.Path, tr.MO.Path}, []string{"C7", "C6"}},
			{0, 100, []string{}, []string{}},
			{31, 100, []string{"/"}, []string{}},
		} {
			if got := ids(c.from, c.to, c.paths...); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ClosedCounts(%d, %d, %v) = %v, want %v", c.from, c.to, c.paths, got, c.want)
			}
		}
	})
}

// TestProgressCounters: the counters kept at ingest (count_progress,
// count_lines) equal a recount of the stored scans after replicas ingest
// the same batches concurrently (every batch sent by several writers: one
// stores it, the others replay it), and the migration's backfill computes
// them again from the scans.
func TestProgressCounters(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		s := openStore(t, u)
		tr := seedTree(t, s)
		createCount(t, s, newCount("C1", tr.HKT, at(0)), nil)
		createCount(t, s, newCount("C2", tr.HKTST, at(0)), nil)
		all := genScans("C1", 3000)
		for i := range all {
			all[i].ClockSuspect = i%9 == 0
		}
		const batch, writers = 100, 6
		var batches [][]stock.Scan
		for i := 0; i < len(all); i += batch {
			batches = append(batches, all[i:i+batch])
		}
		// Each writer sends every batch, in its own order; on PostgreSQL
		// they run side by side (several replicas), on SQLite in turn.
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := range batches {
					b := batches[(i*(w+1)+w*7)%len(batches)]
					err := s.Write(context.Background(), func(tx stock.Tx) error {
						if _, err := tx.CountForScans("C1"); err != nil {
							return err
						}
						_, err := tx.InsertScans(b)
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		// Meanwhile the lines are folded now and then, holding the count.
		stop := make(chan struct{})
		folds := make(chan int, 1)
		go func() {
			n := 0
			defer func() { folds <- n }()
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				err := s.Write(context.Background(), func(tx stock.Tx) error {
					if _, err := tx.Count("C1", true); err != nil {
						return err
					}
					return tx.FoldLines("C1")
				})
				if err != nil {
					errs <- err
					return
				}
				n++
			}
		}()
		wg.Wait()
		close(stop)
		if n := <-folds; n == 0 {
			t.Error("no fold ran during the ingest")
		}
		close(errs)
		for err := range errs {
			t.Fatalf("ingest or fold: %v", err)
		}
		// A replay of everything in one transaction adds nothing either.
		write(t, s, func(tx stock.Tx) error {
			skipped, err := tx.InsertScans(all)
			if err == nil && len(skipped) != len(all) {
				t.Errorf("replay stored %d scans again", len(all)-len(skipped))
			}
			return err
		})
		// Another count's scans stay its own.
		insertScans(t, s, genScans("C2", 200))

		recount := func(countID string) stock.ScanStats {
			var st stock.ScanStats
			lines := map[string]bool{}
			after := ""
			for {
				page := get(t, s, func(tx stock.Tx) ([]stock.Scan, error) {
					return tx.Scans(stock.ScanFilter{CountID: countID, After: after, Limit: 1000})
				})
				for _, sc := range page {
					st.Scans++
					if sc.ClockSuspect {
						st.ClockSuspect++
					}
					switch sc.Status {
					case stock.ScanCounted:
						st.Counted++
						lines[sc.SKU] = true
					case stock.ScanUnknown:
						st.Unknown++
					case stock.ScanLate:
						st.Late++
					case stock.ScanOutOfScope:
						st.Rejected++
					}
				}
				if len(page) < 1000 {
					break
				}
				after = page[len(page)-1].EventID
			}
			st.Lines = int64(len(lines))
			return st
		}
		stats := func(countID string) stock.ScanStats {
			return get(t, s, func(tx stock.Tx) (stock.ScanStats, error) { return tx.ScanStats(countID) })
		}
		want1, want2 := recount("C1"), recount("C2")
		if want1.Scans != int64(len(all)) || want2.Scans != 200 || want1.ClockSuspect == 0 || want1.Unknown == 0 {
			t.Fatalf("recount from scans: %+v, %+v", want1, want2)
		}
		if got := stats("C1"); got != want1 {
			t.Fatalf("counters of C1 %+v, recount from scans %+v", got, want1)
		}
		if got := stats("C2"); got != want2 {
			t.Fatalf("counters of C2 %+v, recount from scans %+v", got, want2)
		}
		// Folded to the end, the same; nothing is left to fold.
		write(t, s, func(tx stock.Tx) error { return tx.FoldLines("C1") })
		if got := stats("C1"); got != want1 {
			t.Fatalf("counters of C1 after the last fold %+v, recount from scans %+v", got, want1)
		}
		if n := get(t, s, func(tx stock.Tx) (int64, error) { return tx.LinesToFold("C1") }); n != 0 {
			t.Fatalf("%d counted scans left to fold", n)
		}
		if n := get(t, s, func(tx stock.Tx) (int64, error) { return tx.LinesToFold("C2") }); n != want2.Counted {
			t.Fatalf("C2, never folded: %d counted scans to fold, want %d", n, want2.Counted)
		}

		// Backfill: without the counters, migration 0012 runs again on
		// open and computes them from the scans.
		s.Close()
		driver, dsn := "sqlite3", u
		if strings.HasPrefix(u, "postgres") {
			driver = "pgx"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DROP TABLE count_progress`, `DROP TABLE count_lines`, `DROP TABLE count_lines_folded`, `DELETE FROM schema_migrations WHERE version = 12`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s = openStore(t, u)
		if got := stats("C1"); got != want1 {
			t.Fatalf("backfilled counters of C1 %+v, recount from scans %+v", got, want1)
		}
		if got := stats("C2"); got != want2 {
			t.Fatalf("backfilled counters of C2 %+v, recount from scans %+v", got, want2)
		}
		// Ingest after the backfill adds to it.
		more := genScans("C1-more", 10)
		for i := range more {
			more[i].CountID, more[i].SKU, more[i].Status = "C1", "NEW", stock.ScanCounted
		}
		insertScans(t, s, more)
		want1.Scans, want1.Counted, want1.Lines = want1.Scans+10, want1.Counted+10, want1.Lines+1
		if got := stats("C1"); got != want1 || recount("C1") != want1 {
			t.Fatalf("after more scans: counters %+v, recount %+v, want %+v", got, recount("C1"), want1)
		}
	})
}
