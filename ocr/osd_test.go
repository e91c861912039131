package ocr

import (
	"fmt"
	"path/filepath"
	"slices"
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

// The reading chosen from the detector's answer, and the readings made
// for it: a page rightly turned with confidence costs one reading; a sure
// turn whose reading is poor is checked against the upright reading.
func TestOrientedReading(t *testing.T) {
	good := func(n int) *Page {
		p := &Page{}
		for i := range n {
			p.Words = append(p.Words, Word{Text: fmt.Sprintf("Item%d", i), Conf: 90})
		}
		return p
	}
	junk := &Page{Words: []Word{{Text: "oy", Conf: 40}, {Text: "qeq", Conf: 30}}}
	// Upside down, a big page reads some words with confidence amid
	// many junk ones.
	mostlyJunk := good(25)
	for range 300 {
		mostlyJunk.Words = append(mostlyJunk.Words, Word{Text: "qeq", Conf: 30})
	}
	cases := []struct {
		name            string
		q               int
		conf            float64
		ok              bool
		upright, turned *Page
		wantTurned      int
		wantReads       []int
	}{
		{"no answer", 2, 9, false, good(20), good(30), 0, []int{0}},
		{"upright", 0, 9, true, good(20), good(30), 0, []int{0}},
		{"unsure", 2, 1, true, good(20), good(30), 0, []int{0}},
		{"maybe turned, better", 2, 3, true, good(5), good(30), 2, []int{2, 0}},
		{"maybe turned, worse", 2, 3, true, good(20), junk, 0, []int{2, 0}},
		{"sure turned, good reading", 1, 8, true, good(20), good(30), 1, []int{1}},
		{"sure turned, upright page", 2, 8, true, good(20), junk, 0, []int{2, 0}},
		{"sure turned, upright big page", 2, 8, true, good(200), mostlyJunk, 0, []int{2, 0}},
		{"sure turned, poor reading still better", 3, 8, true, junk, good(sureTurnMinQuality - 1), 3, []int{3, 0}},
	}
	for _, c := range cases {
		var reads []int
		got, err := orientedReading(c.q, c.conf, c.ok, func(quarters int) (*Page, error) {
			reads = append(reads, quarters)
			var p *Page
			if quarters == 0 {
				p = c.upright
			} else {
				p = c.turned
			}
			cp := *p
			return &cp, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Turned != c.wantTurned {
			t.Errorf("%s: reading turned %d quarters, want %d", c.name, got.Turned, c.wantTurned)
		}
		if !slices.Equal(reads, c.wantReads) {
			t.Errorf("%s: readings %v, want %v", c.name, reads, c.wantReads)
		}
	}
}
