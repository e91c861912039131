package stock_test

import (
	"strings"
	"testing"
	"time"

	"pandian/stock"
)

// Sign-in: a right PIN gives a token that authenticates until it expires
// or the device signs out; wrong PINs lock the source until an admin
// unlocks it.
func TestSignIn(t *testing.T) {
	w := newWorld(t)
	in, err := w.svc.LoginFrom(ctx, "C001", "4444", "dev-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Employee.Code != "C001" || in.Employee.Role != stock.RoleCounter || !in.Expires.Equal(w.clock().Add(12*time.Hour)) {
		t.Fatalf("sign-in %+v", in)
	}
	a, err := w.svc.Authenticate(ctx, in.Token)
	if err != nil || a.Employee.Code != "C001" || a.DeviceID != "dev-1" {
		t.Fatalf("authenticate: %+v %v", a, err)
	}
	_, err = w.svc.Authenticate(ctx, in.Token+"x")
	wantCode(t, err, stock.EUnauthenticated)
	if err := w.svc.Logout(ctx, in.Token); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Authenticate(ctx, in.Token)
	wantCode(t, err, stock.EUnauthenticated)

	again, err := w.svc.Login(ctx, "C001", "4444", "dev-1")
	if err != nil {
		t.Fatal(err)
	}
	w.advance(13 * time.Hour)
	_, err = w.svc.Authenticate(ctx, again.Token)
	wantCode(t, err, stock.EUnauthenticated) // expired

	// Five wrong PINs from a new device lock it; the right PIN is then
	// refused too, until an admin unlocks the employee.
	for i := 1; i <= 5; i++ {
		_, err := w.svc.LoginFrom(ctx, "C002", "0000", "dev-x", "")
		if i < 5 {
			wantCode(t, err, stock.EUnauthenticated)
			if left := detail(err, "attempts_left"); left != 5-i {
				t.Errorf("attempt %d: attempts_left %v, want %d", i, left, 5-i)
			}
		} else {
			wantCode(t, err, stock.ERateLimited)
		}
	}
	_, err = w.svc.LoginFrom(ctx, "C002", "5555", "dev-x", "")
	wantCode(t, err, stock.ERateLimited)
	if secs, _ := detail(err, "retry_after_seconds").(int); secs < 1 || secs > 60 {
		t.Errorf("retry_after_seconds %v", detail(err, "retry_after_seconds"))
	}
	_, err = w.svc.UnlockEmployee(ctx, w.actor("M001"), "C002")
	wantCode(t, err, stock.EForbidden)
	u, err := w.svc.UnlockEmployee(ctx, w.actor("A001"), "C002")
	if err != nil || u.LockedSources != 1 {
		t.Fatalf("unlock: %+v %v", u, err)
	}
	if _, err := w.svc.LoginFrom(ctx, "C002", "5555", "dev-x", ""); err != nil {
		t.Errorf("after unlock: %v", err)
	}
	// An unknown code is answered like a wrong PIN, after a PIN check.
	checks := w.svc.PINChecks()
	_, err = w.svc.LoginFrom(ctx, "NOBODY", "1234", "dev-1", "")
	wantCode(t, err, stock.EUnauthenticated)
	if w.svc.PINChecks() != checks+1 {
		t.Error("an unknown code cost no PIN check")
	}
	created, err := w.svc.EnsureAdmin(ctx, "A001", "9999")
	if err != nil || created {
		t.Errorf("EnsureAdmin of an existing admin: %v %v", created, err)
	}
	created, err = w.svc.EnsureAdmin(ctx, "A002", "9999")
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: %v %v", created, err)
	}
	if _, err := w.svc.LoginFrom(ctx, "A002", "9999", "dev-1", ""); err != nil {
		t.Errorf("bootstrap admin cannot sign in: %v", err)
	}
}

// Master data: locations form a tree (moving a store moves what is under
// it), SKUs own their barcodes, employees are scoped to locations that
// exist; only admins change any of it.
func TestMasterData(t *testing.T) {
	w := newWorld(t)
	admin := w.actor("A001")
	limit, _ := stock.ParseMoney("100.00")
	loc, created, err := w.svc.PutLocation(ctx, admin, "HK-CWB", stock.LocationInput{Name: "Causeway Bay", Kind: stock.KindStore, Parent: "HK", ApprovalLimit: &limit})
	if err != nil || !created || loc.Path != "/HK/HK-CWB/" {
		t.Fatalf("put location: %+v %v %v", loc, created, err)
	}
	for _, bad := range []struct {
		code string
		in   stock.LocationInput
		want string
	}{
		{"HK CWB", stock.LocationInput{Name: "x", Kind: stock.KindStore, Parent: "HK"}, stock.EInvalid},
		{"Z9", stock.LocationInput{Name: "x", Kind: stock.KindZone, Parent: "HK"}, stock.EInvalid},           // a zone under a region
		{"S9", stock.LocationInput{Name: "x", Kind: stock.KindStore}, stock.EInvalid},                        // no parent
		{"S9", stock.LocationInput{Name: "x", Kind: stock.KindStore, Parent: "NOWHERE"}, stock.EInvalid},     // unknown parent
		{"HK", stock.LocationInput{Name: "x", Kind: stock.KindRegion, Parent: "HK-TST"}, stock.EInvalid},     // a cycle (and a region under a store)
		{"HK", stock.LocationInput{Name: "Hong Kong", Kind: stock.KindStore, Parent: "MO"}, stock.EConflict}, // kind of a region that holds locations
	} {
		if _, _, err := w.svc.PutLocation(ctx, admin, bad.code, bad.in); stock.ErrorCode(err) != bad.want {
			t.Errorf("put location %s %+v: %v, want %s", bad.code, bad.in, err, bad.want)
		}
	}
	// Moving the store HK-TST to Macau moves its zones and bins.
	if _, _, err := w.svc.PutLocation(ctx, admin, "HK-TST", stock.LocationInput{Name: "TST", Kind: stock.KindStore, Parent: "MO"}); err != nil {
		t.Fatal(err)
	}
	bin, err := w.svc.Location(ctx, admin, "HK-TST-Z1-B1")
	if err != nil || bin.Path != "/MO/HK-TST/HK-TST-Z1/HK-TST-Z1-B1/" {
		t.Fatalf("bin after the move: %+v %v", bin, err)
	}
	under, err := w.svc.Locations(ctx, w.actor("R001"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range under {
		if strings.HasPrefix(l.Path, "/MO/") {
			t.Errorf("HK's regional manager sees %s", l.Path)
		}
	}
	_, err = w.svc.Location(ctx, w.actor("R001"), "HK-TST")
	wantCode(t, err, stock.ENotFound)
	_, _, err = w.svc.PutLocation(ctx, w.actor("R001"), "X1", stock.LocationInput{Name: "x", Kind: stock.KindRegion})
	wantCode(t, err, stock.EForbidden)

	cost, _ := stock.ParseMoney("4.20")
	sku, created, err := w.svc.PutSKU(ctx, admin, "SKU-G", stock.SKUInput{Name: "Oolong", NameZh: "烏龍茶", Category: "beverage", UnitCost: &cost,
		Barcodes: []stock.Barcode{{Code: "4890000000073", PackQty: 1}, {Code: "14890000000070", PackQty: 6}}})
	if err != nil || !created || len(sku.Barcodes) != 2 {
		t.Fatalf("put SKU: %+v %v %v", sku, created, err)
	}
	_, _, err = w.svc.PutSKU(ctx, admin, "SKU-H", stock.SKUInput{Name: "x", Category: "beverage", UnitCost: &cost, Barcodes: []stock.Barcode{{Code: "4890000000073", PackQty: 1}}})
	wantCode(t, err, stock.EConflict) // the barcode is SKU-G's
	_, _, err = w.svc.PutSKU(ctx, admin, "SKU-H", stock.SKUInput{Name: "x", Category: "beverage", UnitCost: &cost, Barcodes: []stock.Barcode{{Code: "4890000000080", PackQty: -1}}})
	wantCode(t, err, stock.EInvalid)
	_, _, err = w.svc.PutSKU(ctx, admin, "SKU-H", stock.SKUInput{Name: "x", Category: "beverage"})
	wantCode(t, err, stock.EInvalid) // no unit cost
	got, err := w.svc.SKU(ctx, w.actor("C001"), "SKU-G")
	if err != nil || got.UnitCost.String() != "4.20" || got.NameZh != "烏龍茶" {
		t.Errorf("read SKU: %+v %v", got, err)
	}
	res, err := w.svc.Lookup(ctx, w.actor("C001"), "14890000000070")
	if err != nil || res.SKU != "SKU-G" || res.PackQty != 6 {
		t.Errorf("lookup of the case code: %+v %v", res, err)
	}
	_, err = w.svc.Lookup(ctx, w.actor("C001"), "4890000009999")
	wantCode(t, err, stock.ENotFound)

	e, created, err := w.svc.PutEmployee(ctx, admin, "C009", stock.EmployeeInput{Name: "New counter", Role: stock.RoleCounter, Scope: []string{"HK-MK"}, PIN: "8080"})
	if err != nil || !created || e.Scope[0] != "HK-MK" {
		t.Fatalf("put employee: %+v %v %v", e, created, err)
	}
	_, _, err = w.svc.PutEmployee(ctx, admin, "C010", stock.EmployeeInput{Name: "x", Role: stock.RoleCounter, Scope: []string{"NOWHERE"}, PIN: "8080"})
	wantCode(t, err, stock.EInvalid)
	_, _, err = w.svc.PutEmployee(ctx, admin, "C010", stock.EmployeeInput{Name: "x", Role: "boss", Scope: []string{"HK-MK"}, PIN: "8080"})
	wantCode(t, err, stock.EInvalid)
	if _, err := w.svc.LoginFrom(ctx, "C009", "8080", "dev-9", ""); err != nil {
		t.Errorf("the new employee cannot sign in: %v", err)
	}
}

// Imports apply the good rows together and report the bad ones by line;
// a file without the expected header imports nothing. Large imports run
// as a job that only its submitter (and admins) can read.
func TestImportsAndJobs(t *testing.T) {
	w := newWorld(t)
	admin := w.actor("A001")
	res, err := w.svc.Import(ctx, admin, stock.ImportStock, []byte("sku,location,qty\nSKU-A,HK-TST,11\nSKU-X,HK-TST,1\nSKU-B,HK-TST,-3\nSKU-F,HK-MK,4\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.ErrorCount != 2 || len(res.Errors) != 2 || res.Errors[0].Line != 3 || res.Errors[1].Line != 4 {
		t.Fatalf("stock import: %+v", res)
	}
	if w.book("SKU-A", "HK-TST") != 11 || w.book("SKU-F", "HK-MK") != 4 || w.book("SKU-B", "HK-TST") != 20 {
		t.Errorf("books after the import: A %d F %d B %d", w.book("SKU-A", "HK-TST"), w.book("SKU-F", "HK-MK"), w.book("SKU-B", "HK-TST"))
	}
	_, err = w.svc.Import(ctx, admin, stock.ImportCatalog, []byte("sku,name\nSKU-Z,x\n"), nil)
	wantCode(t, err, stock.EInvalid)
	_, err = w.svc.Import(ctx, admin, stock.ImportCatalog, nil, nil)
	wantCode(t, err, stock.EInvalid)
	_, err = w.svc.Import(ctx, w.actor("M001"), stock.ImportStock, []byte("sku,location,qty\n"), nil)
	wantCode(t, err, stock.EForbidden)
	res, err = w.svc.Import(ctx, admin, stock.ImportCatalog, []byte(catalogCSV+"SKU-G,Oolong,烏龍茶,beverage,abc,4890000000073,1\nSKU-H,Jasmine,茉莉,beverage,1.50,4890000000011,1\n"), nil)
	if err != nil || res.ErrorCount != 2 || res.Errors[0].Line != 9 || res.Errors[1].Line != 10 {
		t.Fatalf("catalog import with a bad cost and a taken barcode: %+v %v", res, err)
	}
	if _, err := w.svc.SKU(ctx, admin, "SKU-G"); stock.ErrorCode(err) != stock.ENotFound {
		t.Errorf("the row with a bad cost was imported: %v", err)
	}
	if l, err := w.svc.Lookup(ctx, admin, "4890000000011"); err != nil || l.SKU != "SKU-A" {
		t.Errorf("the barcode changed owner: %+v %v", l, err)
	}
	res, err = w.svc.Import(ctx, admin, stock.ImportEmployees, []byte("code,name,role,scope,pin\nC020,Twenty,counter,HK-TST|HK-MK,2020\nC021,x,counter,HK-TST,12\n"), nil)
	if err != nil || res.Created != 1 || res.ErrorCount != 1 {
		t.Fatalf("employees import: %+v %v", res, err)
	}
	if _, err := w.svc.LoginFrom(ctx, "C020", "2020", "d", ""); err != nil {
		t.Errorf("imported employee cannot sign in: %v", err)
	}

	j, err := w.svc.SubmitImport(ctx, admin, stock.ImportLocations, []byte("code,name,kind,parent,approval_limit\nHK-NP,North Point,store,HK,80.00\nBAD,x,store,,\n"))
	if err != nil || j.Status != "queued" {
		t.Fatalf("submit: %+v %v", j, err)
	}
	_, err = w.svc.SubmitImport(ctx, admin, "prices", []byte("x"))
	wantCode(t, err, stock.ENotFound)
	ran, err := w.svc.RunOneJob(ctx)
	if err != nil || !ran {
		t.Fatalf("run job: %v %v", ran, err)
	}
	if ran, _ := w.svc.RunOneJob(ctx); ran {
		t.Error("a second job ran: the queue had one")
	}
	v, err := w.svc.GetJob(ctx, admin, j.ID)
	if err != nil || v.Status != "done" || v.Result == nil || v.Result.Created != 1 || v.Result.ErrorCount != 1 {
		t.Fatalf("job after running: %+v %v", v, err)
	}
	if l, err := w.svc.Location(ctx, admin, "HK-NP"); err != nil || l.ApprovalLimit == nil || l.ApprovalLimit.String() != "80.00" {
		t.Errorf("imported location: %+v %v", l, err)
	}
	_, err = w.svc.GetJob(ctx, w.actor("R001"), j.ID)
	wantCode(t, err, stock.ENotFound)
}

// Movements are idempotent by id: the same movement again changes
// nothing, the same id with another payload refuses the whole batch.
func TestMovements(t *testing.T) {
	w := newWorld(t)
	m := w.actor("M001")
	ms := []stock.Movement{
		{MovementID: "m1", SKU: "SKU-A", Location: "HK-TST", QtyDelta: -2, Kind: stock.MoveSale, At: w.clock()},
		{MovementID: "m2", SKU: "SKU-B", Location: "HK-TST", QtyDelta: 6, Kind: stock.MoveReceipt, At: w.clock()},
	}
	res, err := w.svc.PostMovements(ctx, m, ms)
	if err != nil || res.Applied != 2 || res.Duplicates != 0 {
		t.Fatalf("post: %+v %v", res, err)
	}
	res, err = w.svc.PostMovements(ctx, m, ms)
	if err != nil || res.Applied != 0 || res.Duplicates != 2 {
		t.Fatalf("post again: %+v %v", res, err)
	}
	changed := append([]stock.Movement{{MovementID: "m3", SKU: "SKU-C", Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveReceipt, At: w.clock()}}, ms[0])
	changed[1].QtyDelta = -3
	_, err = w.svc.PostMovements(ctx, m, changed)
	wantCode(t, err, stock.EConflict)
	for sku, want := range map[string]int64{"SKU-A": 8, "SKU-B": 26, "SKU-C": 24} {
		if got := w.book(sku, "HK-TST"); got != want {
			t.Errorf("book of %s: %d, want %d", sku, got, want)
		}
	}
	for _, bad := range [][]stock.Movement{
		nil,
		{{MovementID: "b1", SKU: "SKU-A", Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveSet, At: w.clock()}},
		{{MovementID: "b2", SKU: "SKU-NONE", Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveSale, At: w.clock()}},
	} {
		_, err := w.svc.PostMovements(ctx, m, bad)
		wantCode(t, err, stock.EInvalid)
	}
	_, err = w.svc.PostMovements(ctx, m, []stock.Movement{{MovementID: "b3", SKU: "SKU-A", Location: "HK-MK", QtyDelta: -1, Kind: stock.MoveSale, At: w.clock()}})
	wantCode(t, err, stock.ENotFound) // outside the manager's store
	_, err = w.svc.StockLevels(ctx, w.actor("C001"), "HK-TST", "")
	wantCode(t, err, stock.EForbidden)
}

// TestStockImportLevelCap: a stock import setting more levels than
// Config.MaxStockImportLevels is refused (413) and sets nothing; refused
// rows do not count towards the cap; levels are created and updated as
// counted.
func TestStockImportLevelCap(t *testing.T) {
	w := newWorld(t)
	admin := w.actor("A001")
	cfg := stock.DefaultConfig()
	cfg.PINCost = 4
	cfg.MaxStockImportLevels = 3
	svc := stock.NewService(w.store, codes{}, cfg)
	_, err := svc.Import(ctx, admin, stock.ImportStock, []byte("sku,location,qty\nSKU-A,HK-TST,31\nSKU-B,HK-TST,32\nSKU-F,HK-MK,33\nSKU-C,HK-TST,34\n"), nil)
	wantCode(t, err, stock.ETooLarge)
	if w.book("SKU-A", "HK-TST") != 10 || w.book("SKU-F", "HK-MK") != 0 {
		t.Fatalf("a refused import set levels: A %d F %d", w.book("SKU-A", "HK-TST"), w.book("SKU-F", "HK-MK"))
	}
	res, err := svc.Import(ctx, admin, stock.ImportStock, []byte("sku,location,qty\nSKU-X,HK-TST,1\nSKU-A,HK-TST,31\nSKU-A,HK-TST,31\nSKU-B,HK-TST,20\nSKU-F,HK-MK,33\n"), nil)
	if err != nil || res.ErrorCount != 2 || res.Created != 1 || res.Updated != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if w.book("SKU-A", "HK-TST") != 31 || w.book("SKU-B", "HK-TST") != 20 || w.book("SKU-F", "HK-MK") != 33 {
		t.Fatalf("books: A %d B %d F %d", w.book("SKU-A", "HK-TST"), w.book("SKU-B", "HK-TST"), w.book("SKU-F", "HK-MK"))
	}
}
