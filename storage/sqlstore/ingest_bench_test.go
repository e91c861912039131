package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// BenchmarkInsertScans: the store's share of BenchmarkIngest (server/):
// 200 batches of 1000 scans (random SKUs, each batch from one of four
// quarters of 100k SKUs) into one count on SQLite, one transaction per
// batch, no HTTP and no group commit, the lines folded every 50,000
// scans as the service does. Besides scans/s it reports what is
// steadier on a loaded machine: the bytes the process wrote (WAL and
// checkpoints) and its CPU time.
func BenchmarkInsertScans(b *testing.B) {
	s, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "p.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tr := newTree()
	if err := s.Write(context.Background(), func(tx stock.Tx) error {
		for _, l := range tr.all() {
			if _, err := tx.PutLocation(l); err != nil {
				return err
			}
		}
		return tx.CreateCount(newCount("cnt_0123456789abcdef0123456789abcdef", tr.HKT, at(0)), nil)
	}); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var batches [][]stock.Scan
	n := 0
	for i := 0; i < 200; i++ {
		d := i % 4
		bt := make([]stock.Scan, 1000)
		for j := range bt {
			n++
			sku := fmt.Sprintf("SKU-%06d", d*25000+rng.IntN(25000))
			bt[j] = stock.Scan{EventID: fmt.Sprintf("0190%028d", n), CountID: "cnt_0123456789abcdef0123456789abcdef", Round: 1, Status: stock.ScanCounted,
				Code: "489" + sku, SKU: sku, Qty: 1, PackQty: 1, AppliedQty: 1, Employee: "E1", Role: stock.RoleCounter, DeviceID: "D",
				ScannedAt: time.Now(), ReceivedAt: time.Now(), Hash: "h"}
		}
		batches = append(batches, bt)
	}
	b.ResetTimer()
	io0, cpu0 := ioCPU()
	start := time.Now()
	const countID = "cnt_0123456789abcdef0123456789abcdef"
	folds := 0
	for _, bt := range batches {
		var unfolded int64
		if err := s.Write(context.Background(), func(tx stock.Tx) (err error) {
			if _, err = tx.InsertScans(bt); err != nil {
				return err
			}
			unfolded, err = tx.LinesToFold(countID)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		// As stock.IngestScans does: fold the lines every 50,000 scans.
		if unfolded >= 50000 {
			folds++
			if err := s.Write(context.Background(), func(tx stock.Tx) error {
				if _, err := tx.Count(countID, true); err != nil {
					return err
				}
				return tx.FoldLines(countID)
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "scans/s")
	b.ReportMetric(float64(folds), "folds")
	io1, cpu1 := ioCPU()
	b.ReportMetric(float64(io1-io0)/(1<<20), "MiB_written")
	b.ReportMetric(cpu1-cpu0, "cpu_s")
}

// ioCPU returns the bytes this process wrote to storage (/proc/self/io)
// and its CPU time in seconds.
func ioCPU() (int64, float64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	b, _ := os.ReadFile("/proc/self/io")
	var w int64
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "write_bytes:") {
			w, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(l, "write_bytes:")), 10, 64)
		}
	}
	return w, cpu
}
