package stock_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

// TestImportJobTakenOver: an import job whose runner died is run again
// once its lease expires (not before), and the dead runner's lease can no
// longer write the job's outcome. The clock is injected.
func TestImportJobTakenOver(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "pandian.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := stock.DefaultConfig()
	cfg.PINCost = 4
	svc := stock.NewService(store, nil, cfg)
	now := time.Now().UTC().Truncate(time.Microsecond)
	svc.Now = func() time.Time { return now }
	if _, err := svc.EnsureAdmin(ctx, "A001", "45543"); err != nil {
		t.Fatal(err)
	}
	admin := stock.Actor{Employee: stock.Employee{Code: "A001", Name: "admin", Role: stock.RoleAdmin}}
	j, err := svc.SubmitImport(ctx, admin, stock.ImportCatalog, []byte("sku,name,name_zh,category,unit_cost,barcode,pack_qty\nSKU-1,Tea,茶,drinks,1.00,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A runner claims it and dies.
	dead, err := store.ClaimJobs(ctx, []string{"import:catalog"}, "dead", now, time.Minute, 1)
	if err != nil || len(dead) != 1 || dead[0].ID != j.ID {
		t.Fatalf("claim %+v %v", dead, err)
	}
	now = now.Add(59 * time.Second)
	if ran, err := svc.RunOneJob(ctx); err != nil || ran {
		t.Fatalf("ran within the dead runner's lease: %v %v", ran, err)
	}
	now = now.Add(time.Second)
	if ran, err := svc.RunOneJob(ctx); err != nil || !ran {
		t.Fatalf("not run after the lease expired: %v %v", ran, err)
	}
	v, err := svc.GetJob(ctx, admin, j.ID)
	if err != nil || v.Status != jobs.StatusDone || v.Result == nil || v.Result.Created != 1 {
		t.Fatalf("job %+v %v", v, err)
	}
	// The dead runner, back, cannot overwrite the outcome.
	err = store.Write(ctx, func(tx stock.Tx) error {
		return tx.FinishJob(dead[0].Lease, jobs.Outcome{Status: jobs.StatusFailed, Error: "late"})
	})
	if !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("late finish: %v", err)
	}
	if v, _ := svc.GetJob(ctx, admin, j.ID); v.Status != jobs.StatusDone || v.Error != "" {
		t.Fatalf("job after the late finish %+v", v)
	}
	if _, err := svc.RunOneJob(ctx, "import:nope"); stock.ErrorCode(err) != stock.EInvalid {
		t.Fatalf("unknown kind: %v", err)
	}
}
