package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"pandian/stock"
)

// TestReplay sends a 10k-scan batch three times, shuffled, from four
// devices at once (as offline devices do when they sync), with some
// events changed in one replay: every scan counts once, and every changed
// replay is reported as a conflict.
func TestReplay(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		var devices []string
		for _, e := range demoEmployees(t) {
			if e.scope == "HK-TST" && (e.role == "counter" || e.role == "supervisor") {
				devices = append(devices, e.code)
			}
		}
		devices = devices[:4]
		items := s.newSKUs("replay", "HK-TST", 50, 100)
		cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"replay"}}})
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 10000
		batch := make([]stock.ScanInput, n)
		want := map[string]int64{}
		for i := range batch {
			it := items[rng.IntN(len(items))]
			code, pack := it.EAN, int64(1)
			if i%10 == 0 {
				code, pack = it.Case, it.PackQty
			}
			qty := int64(1 + rng.IntN(3))
			batch[i] = stock.ScanInput{EventID: fmt.Sprintf("replay-%05d", i), Code: code, Qty: qty, Bin: "HK-TST-A01", DeviceID: "shared-queue",
				ScannedAt: "2026-11-23T10:00:00Z"}
			want[it.SKU] += qty * pack
		}
		// The fourth device changes 100 events' quantity in its second send.
		const changed = 100
		var mu sync.Mutex
		total := stock.ScanResult{}
		conflicts := 0
		var wg sync.WaitGroup
		for d, who := range devices {
			wg.Add(1)
			go func(d int, who string) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(d), 7))
				for send := 0; send < 3; send++ {
					b := append([]stock.ScanInput(nil), batch...)
					if d == 3 && send == 1 {
						for i := 0; i < changed; i++ {
							b[i].Qty += 10
						}
					}
					r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
					for len(b) > 0 {
						part := b[:min(1000, len(b))]
						b = b[len(part):]
						var res stock.ScanResult
						s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/scans", who, map[string]any{"scans": part}, 200, &res)
						mu.Lock()
						total.Accepted += res.Accepted
						total.Duplicates += res.Duplicates
						for _, rj := range res.Rejected {
							if rj.Code == "conflict" {
								conflicts++
							} else {
								t.Errorf("unexpected rejection %+v", rj)
							}
						}
						mu.Unlock()
					}
				}
			}(d, who)
		}
		wg.Wait()
		if total.Accepted != n || conflicts != changed || total.Duplicates != 4*3*n-n-changed {
			t.Fatalf("accepted %d (want %d), duplicates %d (want %d), conflicts %d (want %d)",
				total.Accepted, n, total.Duplicates, 4*3*n-n-changed, conflicts, changed)
		}
		var view stock.CountView
		s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
		if view.Stats.Scans != n || view.Stats.Counted != n {
			t.Fatalf("stored scans %+v", view.Stats)
		}
		r := s.report(mgr, cnt.ID, "sku")
		for sku, q := range want {
			if l := lineOf(t, r, sku); l.CountedQty != q {
				t.Errorf("%s counted %d, want %d", sku, l.CountedQty, q)
			}
		}
	})
}
