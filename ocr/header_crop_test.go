package ocr

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCropPicksDateRows: for the date's crop look, a row whose date was
// lost from the reading ("Oper. :stati 200 同 ." for "Oper.:Staff 200
// Date:02/08/2016 15:59") is picked by its "label:" in the top two
// fifths of the text; a time and a month before a number are picked too;
// amounts, a town with a month's letters ("VAUGHAN") and a label row low
// on the page are not.
func TestCropPicksDateRows(t *testing.T) {
	p := receiptPage(
		line(20, "PJ'S", "PET", "EXPRESS"),
		line(50, "VAUGHAN", "ON"),
		line(80, "Oper.", ":stati", "200", "同", "."),
		line(110, "Printed", "Mar", "5,", "2024"),
		right(300, "Item", "Disco", "$45.00"),
		right(400, "Net", "Sales", "$5.64"),
		line(500, "Served", "14:25"),
		line(700, "Sign", "up:", "www.pjspet.com"),
	)
	var got []string
	for _, idx := range cropPicks(p) {
		var ws []string
		for _, i := range idx {
			ws = append(ws, p.Words[i].Text)
		}
		got = append(got, strings.Join(ws, " "))
	}
	want := []string{"Printed Mar 5, 2024", "Served 14:25", "Oper. :stati 200 同 ."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("picked %q, want %q", got, want)
	}
}

// TestApplyCropDateFillsOnly: the crop look's date fills an empty date,
// capped at the second look's confidence, and never replaces one read.
func TestApplyCropDateFillsOnly(t *testing.T) {
	defer withHeaderCrops(true)()
	other := Header{Date: "2016-08-02", DateAmbiguous: true, Confidence: map[string]float64{"date": 0.9}}
	var h Header
	applyCropDate(&h, other)
	if h.Date != "2016-08-02" || !h.DateAmbiguous || h.Confidence["date"] > secondLookConf {
		t.Errorf("empty date filled as %q (ambiguous %v, confidence %.2f), want 2016-08-02, ambiguous, ≤ %.2f", h.Date, h.DateAmbiguous, h.Confidence["date"], secondLookConf)
	}
	h = Header{Date: "2016-02-08"}
	applyCropDate(&h, other)
	if h.Date != "2016-02-08" {
		t.Errorf("date read replaced by %q", h.Date)
	}
}

// TestCropLookReadsDateRow: a dev receipt whose date row the second
// reading loses (thermal print, 15 px letters: "Date:02/08/2016 15:59"
// read as "Oper. :stati 200 同 .") gets its date from that row read again
// from the photo at a larger scale.
func TestCropLookReadsDateRow(t *testing.T) {
	defer withHeaderCrops(true)()
	path := filepath.Join(debugRealDir, "wildreceipt", "wr07.jpeg")
	e, img, raw := readPhotoAsIs(t, path)
	h := Extract([]*Page{raw}).Header
	if h.Date != "" {
		t.Skipf("the second reading reads the date (%s): nothing to test", h.Date)
	}
	if err := e.cropLook(context.Background(), img, nil, raw, &h); err != nil {
		t.Fatal(err)
	}
	// 02/08/2016 is read day first (the default), flagged ambiguous.
	if h.Date != "2016-08-02" && h.Date != "2016-02-08" {
		t.Errorf("date %q after the crop look, want 02/08/2016", h.Date)
	}
}

// withHeaderCrops sets headerCrops (off by default) for a test; the
// returned function restores it.
func withHeaderCrops(on bool) func() {
	saved := headerCrops
	headerCrops = on
	return func() { headerCrops = saved }
}

// readPhotoAsIs loads the photo at path (the test skips without it) and
// reads it as it came (readAsIs) with a one-worker engine, closed when the
// test ends.
func readPhotoAsIs(t *testing.T, path string) (*Engine, image.Image, *Page) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skip(err)
	}
	img, err := LoadImage(f, DefaultLimits)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	raw, err := e.readAsIs(context.Background(), img, 0)
	if err != nil {
		t.Fatal(err)
	}
	return e, img, raw
}
