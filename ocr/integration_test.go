package ocr_test

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"testing"

	"pandian/ocr"
	"pandian/ocr/potruth"
)

// TestPhotographedOrders OCRs a gridded A4 order (L1) and a thermal receipt
// (L3) with real Tesseract and checks that most lines are right, that
// every wrong line is flagged for review and that the header fields match.
func TestPhotographedOrders(t *testing.T) {
	truths := loadTruths(t)
	byID := map[string]*potruth.Truth{}
	for _, tr := range truths {
		byID[tr.ID] = tr
	}
	e, err := ocr.NewEngine(ocr.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() }) // after the parallel subtests
	for _, id := range []string{"po04", "po06"} {
		tr := byID[id]
		if tr == nil {
			t.Fatalf("%s missing from %s", id, sharedDir)
		}
		t.Run(id+"-"+tr.Render.Layout, func(t *testing.T) {
			t.Parallel()
			img := loadPhoto(t, tr.Photo)
			doc, err := e.ReadDocument(context.Background(), []image.Image{img})
			if err != nil {
				t.Fatal(err)
			}
			s := tr.ScoreLines(scoreLines(doc))
			t.Logf("%s: %d/%d lines right, %d extracted, %d wrong unflagged", id, s.Right, s.Truth, s.Got, s.WrongUnflagged)
			if s.Recall() < 0.8 {
				t.Errorf("recall %.2f < 0.80", s.Recall())
			}
			if s.WrongUnflagged > 0 {
				t.Errorf("%d wrong lines not flagged for review", s.WrongUnflagged)
			}
			h := tr.ScoreHeader(doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
			if !h.DocNumber || !h.Date || !h.Total {
				t.Errorf("header %+v: got %q %q %q, want %q %q %.2f", h, doc.Header.DocNumber, doc.Header.Date, doc.Header.Total, tr.DocNumber, tr.Date, tr.Total)
			}
		})
	}
}

// TestCleanRender checks the pipeline on an undegraded render without a
// visible sheet edge: everything must be right and nothing flagged.
func TestCleanRender(t *testing.T) {
	truths := loadTruths(t)
	tr := truths[0]
	e, err := ocr.NewEngine(ocr.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	doc, err := e.ReadDocument(context.Background(), []image.Image{loadPhoto(t, filepath.Clean(tr.Clean))})
	if err != nil {
		t.Fatal(err)
	}
	s := tr.ScoreLines(scoreLines(doc))
	if s.Right != s.Truth || s.Got != s.Truth {
		t.Errorf("clean %s: %d/%d right of %d extracted", tr.ID, s.Right, s.Truth, s.Got)
	}
}

func TestEngineCancelled(t *testing.T) {
	e, err := ocr.NewEngine(ocr.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := image.NewGray(image.Rect(0, 0, 100, 100))
	if _, err := e.ReadDocument(ctx, []image.Image{img}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	if _, err := e.ReadDocument(context.Background(), nil); !errors.Is(err, ocr.ErrCorrupt) {
		t.Errorf("no pages: got %v", err)
	}
	e.Close()
	if _, err := e.ReadPage(context.Background(), img); !errors.Is(err, ocr.ErrClosed) {
		t.Errorf("closed engine: got %v", err)
	}
}

func TestEngineMissingLanguage(t *testing.T) {
	if _, err := ocr.NewEngine(ocr.Options{Workers: 1, Languages: []string{"no_such_language"}}); err == nil {
		t.Fatal("an engine with a missing language must fail at construction")
	}
}
