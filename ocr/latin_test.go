package ocr

import (
	"context"
	"image"
	"testing"
)

// TestLatinReading: a page is in Latin script while it reads fewer than
// latinMaxHan Chinese words with confidence; Chinese specks read with low
// confidence (a Latin photo's noise) do not count.
func TestLatinReading(t *testing.T) {
	page := func(han int, conf float64) *Page {
		p := &Page{Words: []Word{{Text: "TOTAL", Conf: 95}, {Text: "12.00", Conf: 95}}}
		for range han {
			p.Words = append(p.Words, Word{Text: "品名", Conf: conf})
		}
		return p
	}
	for _, c := range []struct {
		han  int
		conf float64
		want bool
	}{
		{0, 0, true},
		{2, 90, true},  // two confident Chinese words: still Latin
		{3, 90, false}, // three: a Chinese page
		{12, 40, true}, // specks read as characters with low confidence
		{3, 80, false},
	} {
		if got := latinReading(page(c.han, c.conf)); got != c.want {
			t.Errorf("%d Chinese words at confidence %.0f: latin %v, want %v", c.han, c.conf, got, c.want)
		}
	}
	if latinReading(&Page{}) {
		t.Error("a page with no words is not known to be Latin")
	}
}

// TestSecondLookLatinEnglishAlone: the second look reads the photo of a
// page whose first reading is in Latin script with English alone (the
// worker's latin client), and a page whose first reading holds Chinese
// with every language; the English reading still reads the page.
func TestSecondLookLatinEnglishAlone(t *testing.T) {
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Skip(err)
	}
	defer e.Close()
	saved := latinSecond
	latinSecond = true
	defer func() { latinSecond = saved }()
	photo, boxes := renderRows(t, 420, 300, 16, []string{"CORNER SHOP", "Bread 2.00", "TOTAL 2.00"}, []int{40, 120, 200})
	for _, c := range []struct {
		name  string
		han   int
		latin int64
	}{
		{"Latin first reading", 0, 1},
		{"Chinese first reading", 4, 0},
	} {
		first := &Page{Width: 420, Height: 300}
		for i, tx := range []string{"CORNER SHOP", "Bread 2.00", "TOTAL 2.00"} {
			first.Words = append(first.Words, Word{Text: tx, Box: boxes[i], Conf: 90})
		}
		for i := range c.han {
			first.Words = append(first.Words, Word{Text: "麵包", Box: image.Rect(300, 100+i*10, 340, 108+i*10), Conf: 90})
		}
		doc := &Document{} // no date, no total: the second look reads the photo again
		n0 := latinSecondLooks.Load()
		if err := e.secondLook(context.Background(), []image.Image{photo}, []*Page{first}, doc); err != nil {
			t.Fatal(err)
		}
		if got := latinSecondLooks.Load() - n0; got != c.latin {
			t.Errorf("%s: %d second looks with English alone, want %d", c.name, got, c.latin)
		}
		if doc.Header.Total != "2.00" {
			t.Errorf("%s: total %q from the second look, want 2.00", c.name, doc.Header.Total)
		}
	}
}
