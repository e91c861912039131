package ocr

import (
	"os"
	"path/filepath"
	"testing"

	docfixtures "pandian/fixtures/documents"
)

// The detector says how to turn a page upright, whichever way it lies.
func TestOrientationDetected(t *testing.T) {
	f, err := os.Open(filepath.Join(docfixtures.Dir(), "doc06.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := LoadImage(f, DefaultLimits)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	g := preprocess(img, defaultPrep)
	o, err := newOSD()
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	for q := 0; q < 4; q++ {
		turned := turnGray(g, q) // turned clockwise by q
		got, conf, ok := o.orientation(turned)
		if want := (4 - q) % 4; !ok || got != want {
			t.Errorf("page turned %d° clockwise: detector says turn %d quarters (conf %.2f, ok %v), want %d", 90*q, got, conf, ok, want)
		}
	}
}
