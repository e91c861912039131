package alerts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

// codes is the simplest barcode reader: a code is its own lookup key.
type codes struct{}

func (codes) ParseCode(raw string) (stock.ParsedCode, error) {
	raw = strings.TrimSpace(raw)
	return stock.ParsedCode{Text: raw, Keys: []string{raw}}, nil
}

func (codes) Key(code string) (string, error) { return strings.TrimSpace(code), nil }

type world struct {
	store   *sqlstore.Store
	svc     *stock.Service
	admin   stock.Actor
	counter stock.Actor
	now     time.Time
}

func money(s string) *stock.Money {
	m, err := stock.ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return &m
}

// newWorld builds a domain service on a real SQLite store with a region,
// two stores (Hong Kong and Macau), three SKUs with book stock, an admin
// and a counter.
func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "pandian.db"))
	cfg := stock.DefaultConfig()
	cfg.PINCost = 4
	w := &world{store: s, svc: stock.NewService(s, codes{}, cfg), now: time.Now().UTC()}
	w.svc.Now = func() time.Time { return w.now }
	if _, err := w.svc.EnsureAdmin(ctx, "A001", "204817"); err != nil {
		t.Fatal(err)
	}
	w.admin = stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
	for _, l := range []struct {
		code string
		in   stock.LocationInput
	}{
		{"HK", stock.LocationInput{Name: "香港 Hong Kong", Kind: stock.KindRegion}},
		{"HK-TST", stock.LocationInput{Name: "尖沙咀店 Tsim Sha Tsui", Kind: stock.KindStore, Parent: "HK"}},
		{"MO", stock.LocationInput{Name: "澳門 Macau", Kind: stock.KindRegion}},
		{"MO-SMR", stock.LocationInput{Name: "新馬路店 San Ma Lo", Kind: stock.KindStore, Parent: "MO"}},
		{"HK-MK", stock.LocationInput{Name: "旺角店 Mong Kok", Kind: stock.KindStore, Parent: "HK"}},
		{"MO-TPA", stock.LocationInput{Name: "氹仔店 Taipa", Kind: stock.KindStore, Parent: "MO"}},
	} {
		if _, _, err := w.svc.PutLocation(ctx, w.admin, l.code, l.in); err != nil {
			t.Fatal(err)
		}
	}
	for i, cost := range []string{"10.00", "25.50", "3.20"} {
		sku := fmt.Sprintf("SKU-%d", i+1)
		in := stock.SKUInput{Name: "Item " + sku, NameZh: "貨品 " + sku, Category: "beverage", UnitCost: money(cost), Barcodes: []stock.Barcode{{Code: "BC" + sku, PackQty: 1}}}
		if _, _, err := w.svc.PutSKU(ctx, w.admin, sku, in); err != nil {
			t.Fatal(err)
		}
		for _, loc := range []string{"HK-TST", "MO-SMR", "HK-MK", "MO-TPA"} {
			if _, err := w.svc.PostMovements(ctx, w.admin, []stock.Movement{{MovementID: "m-" + loc + sku, SKU: sku, Location: loc, QtyDelta: 100, Kind: stock.MoveReceipt, At: w.now}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e, _, err := w.svc.PutEmployee(ctx, w.admin, "E009", stock.EmployeeInput{Name: "盤點員 Counter", Role: stock.RoleCounter, Scope: []string{"HK", "MO"}, PIN: "4375"})
	if err != nil {
		t.Fatal(err)
	}
	w.counter = stock.Actor{Employee: e}
	return w
}

// count opens a count at loc, scans qty of each SKU as the counter, and
// closes it unless open.
func (w *world) count(t *testing.T, loc string, qty map[string]int64, open bool) stock.Count {
	t.Helper()
	ctx := context.Background()
	blind := true
	c, err := w.svc.OpenCount(ctx, w.admin, stock.CountInput{Location: loc, Blind: &blind})
	if err != nil {
		t.Fatal(err)
	}
	var scans []stock.ScanInput
	for sku, q := range qty {
		scans = append(scans, stock.ScanInput{EventID: c.ID + sku, Code: "BC" + sku, Qty: q})
	}
	res, err := w.svc.IngestScans(ctx, w.counter, c.ID, scans)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("scans: %+v %v", res, err)
	}
	if !open {
		v, err := w.svc.CloseCount(ctx, w.admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		c = v.Count
	}
	return c
}

func outbox(t *testing.T, s alerts.Store) map[string]alerts.Delivery {
	t.Helper()
	ds, err := s.AlertDeliveries(context.Background(), alerts.DeliveryFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]alerts.Delivery{}
	for _, d := range ds {
		out[d.DedupKey] = d
	}
	return out
}

func TestEvaluateRules(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	svc := testService(w.store, w.svc)
	hook := alerts.Target{ID: "hook", Kind: alerts.TargetGeneric, URL: "https://hooks.example.com/pandian", Secret: "whsec"}
	robot := alerts.Target{ID: "robot", Kind: alerts.TargetDingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=tok", Secret: "SECabc"}
	for id, in := range map[string]alerts.RuleInput{
		"value":    {Name: "差異金額 > 500", Kind: alerts.KindCountVarianceValue, Threshold: "500", Targets: []alerts.Target{hook, robot}},
		"value-hk": {Name: "港店差異 > 100", Kind: alerts.KindCountVarianceValue, Threshold: "100.00", Location: "HK", Targets: []alerts.Target{hook}},
		"pct":      {Name: "貨品差異 > 20%", Kind: alerts.KindSKUVariancePct, Threshold: "20", MinQty: 5, Targets: []alerts.Target{robot}},
		"open":     {Name: "開啟 > 8h", Kind: alerts.KindCountOpenHours, Threshold: "8", Targets: []alerts.Target{robot}},
		"accuracy": {Name: "準確率 < 90%", Kind: alerts.KindRoleAccuracy, Threshold: "90", Days: 7, Targets: []alerts.Target{robot}},
	} {
		if _, created, err := svc.PutRule(ctx, w.admin, id, in); err != nil || !created {
			t.Fatalf("rule %s: %v", id, err)
		}
	}
	// Hong Kong: SKU-1 short by 30 (HKD 300), SKU-2 short by 2 (51.00),
	// SKU-3 exact: |variance| HKD 351.00, over 100 but not 500.
	hk := w.count(t, "HK-TST", map[string]int64{"SKU-1": 70, "SKU-2": 98, "SKU-3": 100}, false)
	// Macau: SKU-2 short by 40 (MOP 1020.00), SKU-1 over by 1.
	mo := w.count(t, "MO-SMR", map[string]int64{"SKU-1": 101, "SKU-2": 60, "SKU-3": 100}, false)
	// An open count, opened 9 hours ago.
	w.now = w.now.Add(-9 * time.Hour)
	open := w.count(t, "HK-MK", map[string]int64{"SKU-1": 1}, true)
	w.now = w.now.Add(9 * time.Hour)

	ev := alerts.NewEvaluator(w.store, w.svc)
	ev.Now = func() time.Time { return w.now }
	n, err := ev.EvaluateOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := outbox(t, w.store)
	day := w.now.In(time.FixedZone("HKT", 8*3600)).Format("2006-01-02")
	want := []string{
		"value|count:" + mo.ID + "|hook", "value|count:" + mo.ID + "|robot",
		"value-hk|count:" + hk.ID + "|hook",
		"pct|count:" + hk.ID + "|robot", "pct|count:" + mo.ID + "|robot",
		"open|count:" + open.ID + "|robot",
		"accuracy|role:counter:" + day + "|robot",
	}
	if n != len(want) || len(got) != len(want) {
		t.Errorf("enqueued %d, outbox %d, want %d", n, len(got), len(want))
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for k := range got {
		t.Logf("outbox: %s", k)
	}

	a := got["value|count:"+mo.ID+"|robot"].Alert
	if a.Value != "1030.00" || a.Currency != "MOP" || a.Threshold != "500.00" || a.CountID != mo.ID || a.Location != "MO-SMR" ||
		!strings.Contains(a.Markdown, "MOP 1030.00") || !strings.Contains(a.Markdown, "盤點差異金額超標") || !strings.Contains(a.Markdown, "新馬路店") {
		t.Errorf("macau alert %+v", a)
	}
	if a := got["value-hk|count:"+hk.ID+"|hook"].Alert; a.Value != "351.00" || a.Currency != "HKD" {
		t.Errorf("hk alert %+v", a)
	}
	// |%| > 20 and |qty| ≥ 5: SKU-1 in HK (-30%), SKU-2 in Macau (-40%); not
	// SKU-2 in HK (-2%) nor SKU-1 in Macau (+1%).
	if p := got["pct|count:"+hk.ID+"|robot"].Alert; len(p.Lines) != 1 || p.Lines[0].SKU != "SKU-1" || p.Lines[0].VariancePct != -30 || p.Lines[0].VarianceValue.String() != "-300.00" {
		t.Errorf("pct alert %+v", p)
	}
	t.Logf("DingTalk markdown:\n%s", got["pct|count:"+mo.ID+"|robot"].Alert.Markdown)
	t.Logf("text:\n%s", got["value|count:"+mo.ID+"|hook"].Alert.Text)
	if p := got["pct|count:"+mo.ID+"|robot"].Alert; len(p.Lines) != 1 || p.Lines[0].SKU != "SKU-2" || !strings.Contains(p.Markdown, "貨品 SKU-2") {
		t.Errorf("pct alert %+v", p)
	}
	if o := got["open|count:"+open.ID+"|robot"].Alert; o.Value != "9" || !strings.Contains(o.Text, "Count open too long") {
		t.Errorf("open alert %+v", o)
	}
	if r := got["accuracy|role:counter:"+day+"|robot"].Alert; r.Role != "counter" || !strings.Contains(r.Markdown, "盤點員 Counter") {
		t.Errorf("accuracy alert %+v", r)
	}

	// Next evaluation: nothing new. Nor from a fresh evaluator (a restart
	// or another replica).
	if n, err := ev.EvaluateOnce(ctx); err != nil || n != 0 {
		t.Fatalf("second evaluation enqueued %d (%v)", n, err)
	}
	ev2 := alerts.NewEvaluator(w.store, w.svc)
	ev2.Now = ev.Now
	if n, err := ev2.EvaluateOnce(ctx); err != nil || n != 0 {
		t.Fatalf("a fresh evaluator enqueued %d (%v)", n, err)
	}
	if len(outbox(t, w.store)) != len(want) {
		t.Fatalf("outbox grew")
	}

	// A new count over the limit fires once more; a disabled rule does not.
	off := false
	if _, _, err := svc.PutRule(ctx, w.admin, "value-hk", alerts.RuleInput{Name: "off", Kind: alerts.KindCountVarianceValue, Threshold: "100", Location: "HK", Enabled: &off, Targets: []alerts.Target{{ID: "hook", Kind: alerts.TargetGeneric}}}); err != nil {
		t.Fatal(err)
	}
	mo2 := w.count(t, "MO-TPA", map[string]int64{"SKU-2": 1}, false)
	if n, err := ev.EvaluateOnce(ctx); err != nil || n != 3 { // value ×2 targets, pct
		t.Fatalf("third evaluation enqueued %d (%v)", n, err)
	}
	if _, ok := outbox(t, w.store)["value|count:"+mo2.ID+"|hook"]; !ok {
		t.Fatalf("no alert for the new count")
	}
	// The kept target secret survived the update (sent back without it).
	r, err := w.store.AlertRule(ctx, "value-hk")
	if err != nil || r.Targets[0].Secret != "whsec" || r.Targets[0].URL != hook.URL {
		t.Fatalf("target after update: %+v %v", r.Targets, err)
	}
}

func TestRuleAdmin(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	svc := testService(w.store, w.svc)
	in := alerts.RuleInput{Name: "big", Kind: alerts.KindCountVarianceValue, Threshold: "500", Location: "HK-TST",
		Targets: []alerts.Target{{Kind: alerts.TargetDingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=tok", Secret: "SECabc"}}}
	if _, _, err := svc.PutRule(ctx, w.counter, "big", in); stock.ErrorCode(err) != stock.EForbidden {
		t.Fatalf("counter put: %v", err)
	}
	v, created, err := svc.PutRule(ctx, w.admin, "big", in)
	if err != nil || !created || v.Threshold != "500.00" || !v.Enabled || v.Targets[0].ID == "" || !v.Targets[0].HasSecret ||
		strings.Contains(v.Targets[0].URL, "tok") {
		t.Fatalf("put: %+v %v", v, err)
	}
	auditor := stock.Actor{Employee: stock.Employee{Code: "E005", Role: stock.RoleAuditor}}
	list, err := svc.Rules(ctx, auditor)
	if err != nil || len(list) != 1 || list[0].Targets[0].URL != "https://oapi.dingtalk.com/robot/…?…" {
		t.Fatalf("list: %+v %v", list, err)
	}
	for name, bad := range map[string]alerts.RuleInput{
		"money":    {Name: "x", Kind: alerts.KindCountVarianceValue, Threshold: "5e2", Targets: in.Targets},
		"kind":     {Name: "x", Kind: "nope", Threshold: "1", Targets: in.Targets},
		"pct":      {Name: "x", Kind: alerts.KindRoleAccuracy, Threshold: "120", Targets: in.Targets},
		"location": {Name: "x", Kind: alerts.KindCountOpenHours, Threshold: "8", Location: "NOWHERE", Targets: in.Targets},
		"targets":  {Name: "x", Kind: alerts.KindCountOpenHours, Threshold: "8"},
		"url":      {Name: "x", Kind: alerts.KindCountOpenHours, Threshold: "8", Targets: []alerts.Target{{Kind: alerts.TargetSlack, URL: "ftp://x"}}},
		"secret":   {Name: "x", Kind: alerts.KindCountOpenHours, Threshold: "8", Targets: []alerts.Target{{Kind: alerts.TargetGeneric, URL: "https://x"}}},
	} {
		if _, _, err := svc.PutRule(ctx, w.admin, "bad", bad); stock.ErrorCode(err) != stock.EInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := svc.DeleteRule(ctx, w.admin, "big"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rule(ctx, w.admin, "big"); stock.ErrorCode(err) != stock.ENotFound {
		t.Fatalf("after delete: %v", err)
	}
}

// End to end: a closed count over the limit reaches a signed webhook once.
func TestEvaluateAndDeliver(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rc := newReceiver(t, "whsec", 200)
	svc := testService(w.store, w.svc)
	if _, _, err := svc.PutRule(ctx, w.admin, "big", alerts.RuleInput{Name: "大額差異 big variance", Kind: alerts.KindCountVarianceValue, Threshold: "100",
		Targets: []alerts.Target{{Kind: alerts.TargetGeneric, URL: rc.srv.URL, Secret: "whsec"}}}); err != nil {
		t.Fatal(err)
	}
	c := w.count(t, "HK-TST", map[string]int64{"SKU-1": 80, "SKU-2": 100, "SKU-3": 100}, false)
	ev := alerts.NewEvaluator(w.store, w.svc)
	d := testDispatcher(w.store, 10*time.Millisecond)
	for range 3 {
		if _, err := ev.EvaluateOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := rc.requests()
	if len(got) != 1 || got[0].verified != nil {
		t.Fatalf("receiver got %d requests (%+v)", len(got), got)
	}
	var a alerts.Alert
	if err := json.Unmarshal(got[0].body, &a); err != nil || a.CountID != c.ID || a.Value != "200.00" || a.Currency != "HKD" || a.DeliveryID != got[0].delivery {
		t.Fatalf("alert %s (%v)", got[0].body, err)
	}
	list, err := svc.Deliveries(ctx, w.admin, alerts.DeliveryFilter{Status: alerts.StatusDelivered})
	if err != nil || len(list) != 1 {
		t.Fatalf("deliveries %+v %v", list, err)
	}
	v, err := svc.Delivery(ctx, w.admin, list[0].ID)
	if err != nil || len(v.AttemptLog) != 1 || v.AttemptLog[0].StatusCode != 200 {
		t.Fatalf("delivery %+v %v", v, err)
	}
}
