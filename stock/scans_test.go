package stock_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"pandian/stock"
)

// A count sums its counted scans by line (case barcodes count their pack
// quantity), keeps unknown codes for the reviewer, and compares with the
// snapshot of book stock.
func TestCountSumsScansAgainstBook(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	if c.Status != stock.StatusOpen || c.Round != 1 || !c.Blind || c.MovementPolicy != stock.PolicySnapshotDelta || c.Uncounted != stock.UncountedZero {
		t.Fatalf("opened %+v", c)
	}
	w.advance(time.Minute)
	res := w.ingest("C001", c.ID,
		w.scan("4890000000011", 4), w.scan("4890000000011", 5), // SKU-A: 9 of 10
		w.scan("14890000000032", 2), // SKU-C: 2 cases of 12 = 24
		w.scan("4890000000028", 21), // SKU-B: 21 of 20
		w.scan("9999999999999", 3),  // unknown
	)
	if res.Accepted != 4 || res.Duplicates != 0 || len(res.Rejected) != 1 || res.Rejected[0].Code != "unknown_code" {
		t.Fatalf("ingest: %+v", res)
	}
	r, lines := w.report(c.ID)
	want := map[string]struct{ counted, variance int64 }{
		"SKU-A": {9, -1}, "SKU-B": {21, 1}, "SKU-C": {24, 0}, "SKU-D": {0, -5}, "SKU-E": {0, -8},
	}
	for sku, x := range want {
		l, ok := lines[sku]
		if !ok || l.CountedQty != x.counted || l.VarianceQty != x.variance {
			t.Errorf("%s: %+v, want counted %d variance %d", sku, l, x.counted, x.variance)
		}
	}
	if lines["SKU-D"].Status != stock.LineUncounted || lines["SKU-A"].Status != stock.LineCounted {
		t.Errorf("statuses: D %s, A %s", lines["SKU-D"].Status, lines["SKU-A"].Status)
	}
	// SKU-A's variance is 1 × 2.00 = -2.00.
	if v := lines["SKU-A"].VarianceValue; v.String() != "-2.00" {
		t.Errorf("SKU-A variance value %s, want -2.00", v)
	}
	if len(r.Unresolved) != 1 || r.Unresolved[0].Code != "9999999999999" || r.Unresolved[0].Qty != 3 {
		t.Errorf("unresolved %+v", r.Unresolved)
	}
	v, err := w.svc.Count(ctx, w.actor("M001"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Stats.Scans != 5 || v.Stats.Counted != 4 || v.Stats.Unknown != 1 || v.Stats.Lines != 3 {
		t.Errorf("progress %+v", v.Stats)
	}
}

// An offline device that sends its queue again (whole or in part, even
// inside one batch) counts nothing twice; an event id reused with another
// payload is a conflict and the first payload stands.
func TestScansResentCountOnce(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	batch := []stock.ScanInput{w.scan("4890000000011", 3), w.scan("4890000000028", 2), w.scan("4890000000011", 1)}
	first := w.ingest("C001", c.ID, append(batch, batch[0])...) // the batch repeats its first scan
	if first.Accepted != 3 || first.Duplicates != 1 || len(first.Rejected) != 0 {
		t.Fatalf("first send: %+v", first)
	}
	for i := 0; i < 2; i++ {
		again := w.ingest("C002", c.ID, batch...) // replayed after another sign-in
		if again.Accepted != 0 || again.Duplicates != 3 || len(again.Rejected) != 0 {
			t.Fatalf("resend %d: %+v", i, again)
		}
	}
	changed := batch[1]
	changed.Qty = 50
	conflict := w.ingest("C001", c.ID, changed, w.scan("4890000000028", 1))
	if conflict.Accepted != 1 || len(conflict.Rejected) != 1 || conflict.Rejected[0].Code != stock.EConflict || conflict.Rejected[0].EventID != changed.EventID {
		t.Fatalf("conflict: %+v", conflict)
	}
	inBatch := w.scan("4890000000059", 1)
	other := inBatch
	other.Qty = 2
	res := w.ingest("C001", c.ID, inBatch, other)
	if res.Accepted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Code != stock.EConflict {
		t.Fatalf("conflict in one batch: %+v", res)
	}
	_, lines := w.report(c.ID)
	if lines["SKU-A"].CountedQty != 4 || lines["SKU-B"].CountedQty != 3 || lines["SKU-E"].CountedQty != 1 {
		t.Errorf("counted A %d B %d E %d, want 4 3 1", lines["SKU-A"].CountedQty, lines["SKU-B"].CountedQty, lines["SKU-E"].CountedQty)
	}
	scans, err := w.svc.CountScans(ctx, w.actor("M001"), c.ID, stock.ScanFilter{})
	if err != nil || len(scans) != 5 {
		t.Fatalf("stored scans: %d %v, want 5", len(scans), err)
	}
	// Counters see only their own scans.
	own, err := w.svc.CountScans(ctx, w.actor("C002"), c.ID, stock.ScanFilter{})
	if err != nil || len(own) != 0 {
		t.Errorf("C002 sees %d scans (%v), want 0: its sends were all replays", len(own), err)
	}
}

// A negative correction takes a line down to zero, never below, in
// arrival order; scans are checked one by one.
func TestScanCorrectionsAndValidation(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	w.ingest("C001", c.ID, w.scan("4890000000011", 3), w.scan("4890000000011", -5), w.scan("4890000000011", 2))
	if _, lines := w.report(c.ID); lines["SKU-A"].CountedQty != 2 {
		t.Errorf("3, -5, +2: counted %d, want 2 (floor at zero)", lines["SKU-A"].CountedQty)
	}
	bad := []stock.ScanInput{
		{EventID: "", Code: "4890000000011", Qty: 1},
		{EventID: "x1", Code: "", Qty: 1},
		{EventID: "x2", Code: "4890000000011", Qty: 0},
		{EventID: "x3", Code: "4890000000011", Qty: 1, ScannedAt: "yesterday"},
		{EventID: "x4", Code: "4890000000011", Qty: 1, Bin: "NO-SUCH-BIN"},
		{EventID: "x5", Code: "4890000000011\x01", Qty: 1},
	}
	lat := 95.0
	bad = append(bad, stock.ScanInput{EventID: "x6", Code: "4890000000011", Qty: 1, Lat: &lat})
	res := w.ingest("C001", c.ID, bad...)
	if res.Accepted != 0 || len(res.Rejected) != len(bad) {
		t.Fatalf("bad scans: %+v", res)
	}
	for _, r := range res.Rejected {
		if r.Code != stock.EInvalid {
			t.Errorf("rejection %+v, want invalid", r)
		}
	}
	_, err := w.svc.IngestScans(ctx, w.actor("C001"), c.ID, nil)
	wantCode(t, err, stock.EInvalid)
	_, err = w.svc.IngestScans(ctx, w.actor("U001"), c.ID, []stock.ScanInput{w.scan("4890000000011", 1)})
	wantCode(t, err, stock.EForbidden)
	// A counter of another store does not see the count at all.
	_, err = w.svc.IngestScans(ctx, w.actor("C003"), c.ID, []stock.ScanInput{w.scan("4890000000011", 1)})
	wantCode(t, err, stock.ENotFound)
}

// Scans in a bin name its zone; a count scoped to a zone and a category
// keeps other SKUs and bins out; scans after the close are late.
func TestScopeBinsAndLateScans(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{Scope: stock.CountScope{Zones: []string{"HK-TST-Z1"}, Categories: []string{"beverage"}}})
	in := w.scan("4890000000011", 2)
	in.Bin = "HK-TST-Z1-B1"
	outBin := w.scan("4890000000011", 1)
	outBin.Bin = "HK-TST-Z2"
	res := w.ingest("C001", c.ID, in, w.scan("4890000000042", 1), outBin)
	if res.Accepted != 1 || len(res.Rejected) != 2 || res.Rejected[0].Code != "out_of_scope" || res.Rejected[1].Code != "out_of_scope" {
		t.Fatalf("scoped ingest: %+v", res)
	}
	scans, err := w.svc.CountScans(ctx, w.actor("M001"), c.ID, stock.ScanFilter{Status: stock.ScanCounted})
	if err != nil || len(scans) != 1 || scans[0].Zone != "HK-TST-Z1" || scans[0].SKU != "SKU-A" {
		t.Fatalf("counted scans %+v %v", scans, err)
	}
	if _, lines := w.report(c.ID); len(lines) == 0 || lines["SKU-D"].SKU != "" {
		t.Errorf("snack SKU-D is a line of a beverage count: %+v", lines)
	}
	if _, err := w.svc.CloseCount(ctx, w.actor("M001"), c.ID); err != nil {
		t.Fatal(err)
	}
	late := w.ingest("C001", c.ID, w.scan("4890000000011", 1))
	if late.Accepted != 0 || len(late.Rejected) != 1 || late.Rejected[0].Code != stock.EConflict {
		t.Fatalf("late scan: %+v", late)
	}
	if _, lines := w.report(c.ID); lines["SKU-A"].CountedQty != 2 {
		t.Errorf("a late scan was counted: %d", lines["SKU-A"].CountedQty)
	}
	v, _ := w.svc.Count(ctx, w.actor("M001"), c.ID)
	if v.Stats.Late != 1 || v.Stats.Rejected != 2 {
		t.Errorf("stats %+v, want 1 late and 2 out of scope", v.Stats)
	}
}

// A scan whose device clock is far off is counted but flagged, and the
// lot and expiry of a GS1 code are kept and summed by lot.
func TestClockSuspectAndLots(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	w.advance(time.Hour)
	old := w.scan("4890000000011|L1|2027-03-31", 2)
	old.ScannedAt = "1970-01-01T00:00:00Z"
	w.ingest("C001", c.ID, old, w.scan("4890000000011|L2|2026-03-20", 3), w.scan("4890000000011|L1|2027-03-31", 1))
	scans, err := w.svc.CountScans(ctx, w.actor("M001"), c.ID, stock.ScanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	suspect := 0
	for _, s := range scans {
		if s.ClockSuspect {
			suspect++
			if s.EventID != old.EventID {
				t.Errorf("scan %s flagged", s.EventID)
			}
		}
	}
	if suspect != 1 {
		t.Errorf("%d suspect scans, want 1", suspect)
	}
	r, err := w.svc.Report(ctx, w.actor("M001"), c.ID, "sku", stock.ReportOptions{Lots: true, NearDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	got, status := map[string]int64{}, map[string]string{}
	for _, l := range r.Lots {
		got[l.Lot], status[l.Lot] = l.CountedQty, l.ExpiryStatus
	}
	if len(r.Lots) != 2 || got["L1"] != 3 || got["L2"] != 3 || status["L2"] != "near_expiry" || status["L1"] != "ok" {
		t.Errorf("lots %+v, want L1 3 and L2 3", r.Lots)
	}
	if res, err := w.svc.Lookup(ctx, w.actor("C001"), "4890000000011|L9|2027-01-31"); err != nil || res.SKU != "SKU-A" || res.GS1 == nil || res.GS1.Lot != "L9" {
		t.Errorf("lookup with GS1: %+v %v", res, err)
	}
}

// textPhotos "decodes" a photo that is a PNG signature followed by one
// barcode text a line, as the barcode engine's pool would report them.
type textPhotos struct{}

func (textPhotos) DecodePhoto(ctx context.Context, photo io.Reader) ([]stock.PhotoBarcode, error) {
	b, err := io.ReadAll(photo)
	if err != nil {
		return nil, err
	}
	var out []stock.PhotoBarcode
	for _, line := range strings.Fields(strings.TrimPrefix(string(b), pngMagic)) {
		p, err := codes{}.ParseCode(line)
		if err != nil {
			return nil, err
		}
		i := float64(len(out))
		out = append(out, stock.PhotoBarcode{Format: "EAN_13", Text: line, Raw: "]E0" + line, Parsed: p,
			Points: [][2]float64{{10, 20 + 30*i}, {90, 20 + 30*i}}})
	}
	return out, nil
}

// PhotoSize: the test photos are 100 × 200.
func (textPhotos) PhotoSize([]byte) (int, int, error) { return 100, 200, nil }

// A photo's barcodes are looked up; recorded, each becomes a scan whose
// event id derives from the photo, so uploading the same photo again (an
// offline re-send) counts nothing twice. The photo is kept for the
// reviewer.
func TestCountPhotoCountsOnce(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	_, err := w.svc.CountPhoto(ctx, w.actor("C001"), c.ID, doc("4890000000011"), nil)
	wantCode(t, err, stock.EUnavailable)
	w.withDocuments()
	w.svc.SetPhotoDecoder(textPhotos{})
	shelf := []string{"4890000000028", "4890000000011", "9999999999999"}
	look, err := w.svc.CountPhoto(ctx, w.actor("C001"), c.ID, doc(shelf...), nil)
	if err != nil || look.Scans != nil || len(look.Barcodes) != 3 || look.Barcodes[0].SKU != "SKU-A" || look.Barcodes[1].SKU != "SKU-B" || look.Barcodes[2].SKU != "" {
		t.Fatalf("photo lookup: %+v %v", look, err)
	}
	if _, lines := w.report(c.ID); lines["SKU-A"].CountedQty != 0 {
		t.Fatal("a photo looked at was counted")
	}
	first, err := w.svc.CountPhoto(ctx, w.actor("C001"), c.ID, doc(shelf...), &stock.PhotoScan{Qty: 2})
	if err != nil || first.Scans == nil || first.Scans.Accepted != 2 || len(first.Scans.Rejected) != 1 {
		t.Fatalf("recorded photo: %+v %v", first.Scans, err)
	}
	again, err := w.svc.CountPhoto(ctx, w.actor("C001"), c.ID, doc(shelf...), &stock.PhotoScan{Qty: 2})
	if err != nil || again.Scans.Accepted != 0 || again.Scans.Duplicates != 3 {
		t.Fatalf("the same photo again: %+v %v", again.Scans, err)
	}
	if _, lines := w.report(c.ID); lines["SKU-A"].CountedQty != 2 || lines["SKU-B"].CountedQty != 2 {
		t.Errorf("counted A %d B %d, want 2 2", lines["SKU-A"].CountedQty, lines["SKU-B"].CountedQty)
	}
	scans, err := w.svc.CountScans(ctx, w.actor("M001"), c.ID, stock.ScanFilter{SKU: "SKU-A"})
	if err != nil || len(scans) != 1 || !strings.HasPrefix(scans[0].EventID, "photo-") {
		t.Fatalf("photo scans %+v %v", scans, err)
	}
	photoID := strings.Split(scans[0].EventID, "-")[1]
	url, err := w.svc.ScanPhoto(ctx, w.actor("M001"), c.ID, photoID)
	if err != nil || url == "" {
		t.Errorf("photo link: %q %v", url, err)
	}
	if _, _, err := w.objs.Open(ctx, "counts/"+c.ID+"/photos/"+photoID); err != nil {
		t.Errorf("photo not kept: %v", err)
	}
	// Kept beside it: its size and where each barcode was found, for the
	// reviewer to see inline; the image with its media type.
	info, err := w.svc.ScanPhotoInfo(ctx, w.actor("M001"), c.ID, photoID)
	if err != nil || info.Width != 100 || info.Height != 200 || info.MediaType != stock.MediaPNG || len(info.Barcodes) != 3 ||
		info.Barcodes[0].Text != "4890000000011" || info.Barcodes[0].SKU != "SKU-A" || len(info.Barcodes[0].Points) != 2 || info.Barcodes[0].Points[0] != [2]float64{10, 50} {
		t.Errorf("photo info: %+v %v", info, err)
	}
	rc, media, err := w.svc.ScanPhotoImage(ctx, w.actor("M001"), c.ID, photoID)
	if err != nil {
		t.Fatalf("photo image: %v", err)
	}
	img, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || media != stock.MediaPNG || !strings.HasPrefix(string(img), pngMagic) {
		t.Errorf("photo image: %q %d bytes %v", media, len(img), err)
	}
	_, err = w.svc.ScanPhotoInfo(ctx, w.actor("C003"), c.ID, photoID)
	wantCode(t, err, stock.ENotFound)
	_, _, err = w.svc.ScanPhotoImage(ctx, w.actor("M001"), c.ID, "0123456789abcdef01234567")
	wantCode(t, err, stock.ENotFound)
	_, err = w.svc.ScanPhoto(ctx, w.actor("M001"), c.ID, "not-hex")
	wantCode(t, err, stock.ENotFound)
	_, err = w.svc.CountPhoto(ctx, w.actor("C003"), c.ID, doc(shelf...), nil)
	wantCode(t, err, stock.ENotFound)
}

// TestIngestFoldsLines: once 50,000 counted scans of a count wait, ingest
// folds their SKUs into the count's lines (so that a count view reads
// few scans); the progress is the same before and after.
func TestIngestFoldsLines(t *testing.T) {
	w := newWorld(t)
	c := w.open(stock.CountInput{})
	toFold := func() int64 {
		var n int64
		if err := w.store.Read(ctx, func(tx stock.Tx) (err error) {
			n, err = tx.LinesToFold(c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	codes := []string{"4890000000011", "4890000000028", "14890000000032"}
	for b := 0; b < 11; b++ {
		batch := make([]stock.ScanInput, 5000)
		for i := range batch {
			batch[i] = w.scan(codes[(b*5000+i)%len(codes)], 1)
		}
		if res := w.ingest("C001", c.ID, batch...); res.Accepted != 5000 {
			t.Fatalf("batch %d: %+v", b, res)
		}
		want := int64(5000 * (b + 1))
		if b >= 9 {
			want -= 50000 // the tenth batch brought it to 50,000: folded
		}
		if got := toFold(); got != want {
			t.Fatalf("after batch %d: %d scans to fold, want %d", b, got, want)
		}
		v, err := w.svc.Count(ctx, w.actor("M001"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Stats.Counted != int64(5000*(b+1)) || v.Stats.Lines != 3 || v.Stats.Scans != v.Stats.Counted {
			t.Fatalf("after batch %d: progress %+v", b, v.Stats)
		}
	}
}
