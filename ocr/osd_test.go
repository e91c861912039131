package ocr

import (
	"path/filepath"
	"testing"

	docfixtures "pandian/fixtures/documents"
)

// The detector says how to turn a page upright, whichever way it lies.
func TestOrientationDetected(t *testing.T) {
	img := loadTestImage(t, filepath.Join(docfixtures.Dir(), "doc06.jpg"))
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

func TestBetterReadingKeepsUpright(t *testing.T) {
	words := func(conf float64, texts ...string) *Page {
		p := &Page{}
		for _, s := range texts {
			p.Words = append(p.Words, Word{Text: s, Conf: conf})
		}
		return p
	}
	upright := words(90, "Greek", "Salad", "8.99", "Total", "9.78")
	junk := words(40, "oy", "Lf", "Ji", "卬", "qeq")
	junk.Turned = 2
	if got := betterReading(upright, junk); got != upright {
		t.Error("an upright reading replaced by a worse turned one")
	}
	tie := words(90, "Greek", "Salad", "8.99", "Total", "9.78")
	tie.Turned = 1
	if got := betterReading(upright, tie); got != upright {
		t.Error("a turned reading no better than upright replaced it")
	}
	better := words(95, "Greek", "Salad", "8.99", "Total", "9.78", "Cash", "20.00")
	better.Turned = 2
	if got := betterReading(words(30, "oy", "Lf"), better); got != better {
		t.Error("a clearly better turned reading was not kept")
	}
}
