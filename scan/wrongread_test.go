package scan

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pandian/fixtures/barcodes"
)

// apiDecoder decodes as the server does (every barcode, 2 s).
func apiDecoder() *Decoder {
	return NewDecoder(DecoderOptions{All: true, Timeout: 2 * time.Second})
}

// isRetail reports whether a Barcode.Format names a product code.
func isRetail(format string) bool {
	return strings.HasPrefix(format, "EAN") || strings.HasPrefix(format, "UPC")
}

// retailGTIN is the GTIN-14 of a retail read or expected text ("" when it
// is none), so that a UPC-A read as its EAN-13 is the same product.
func retailGTIN(format, text string) string {
	if format == "UPC_E" {
		full, err := ExpandUPCE(text)
		if err != nil {
			return ""
		}
		text = full
	}
	g, _ := ToGTIN14(text)
	return g
}

// wrongRetail returns the retail reads of got that are none of the
// allowed retail texts.
func wrongRetail(got []Barcode, allowed map[string]bool) []string {
	var bad []string
	for _, bc := range got {
		if !isRetail(bc.Format) {
			continue
		}
		if g := retailGTIN(bc.Format, bc.Text); g == "" || !allowed[g] {
			bad = append(bad, bc.Format+" "+bc.Text)
		}
	}
	return bad
}

// alsoPresent lists retail codes printed on a development photo beside the
// one its manifest names (ground truth, not decoder tuning): ean13-2/19
// shows, under the ISBN, the top of the second barcode of a Japanese book,
// an EAN-13 192 + classification + price (its digits are cut off in the
// photo; the read has the 192 prefix and a valid check digit).
var alsoPresent = map[string][]string{
	"ean13-2/19.png": {"1920081045006"},
}

// TestNoWrongRetailRead decodes, as the server does, every development
// photo (when ../shared/data is there), every generated fixture photo and
// the adversarial traps of fixtures/barcodes (an EAN-13 next to an EAN-8
// of its own digits, a UPC-E crowding a UPC-A, an ISBN with its price
// add-on, torn labels showing half a code), and fails on any EAN/UPC read
// that is not a code of the photo: a wrong product is worse than none.
func TestNoWrongRetailRead(t *testing.T) {
	d := apiDecoder()
	decode := func(t *testing.T, name string, b []byte) []Barcode {
		got, err := d.Decode(context.Background(), bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return got
	}
	t.Run("traps", func(t *testing.T) {
		t.Parallel()
		for i, tr := range barcodes.Traps() {
			var buf bytes.Buffer
			if err := png.Encode(&buf, tr.Render(uint64(i+1))); err != nil {
				t.Fatal(err)
			}
			allowed := map[string]bool{}
			for _, a := range tr.Allowed {
				allowed[retailGTIN("", a)] = true
			}
			got := decode(t, tr.Name, buf.Bytes())
			if bad := wrongRetail(got, allowed); len(bad) > 0 {
				t.Errorf("%s: wrong retail read %v (allowed %v; all reads %s)", tr.Name, bad, tr.Allowed, describe(got))
			}
		}
	})
	t.Run("fixtures", func(t *testing.T) {
		t.Parallel()
		for _, p := range barcodes.Photos() {
			allowed := map[string]bool{}
			for _, pl := range p.Places {
				s := barcodes.SymbolByName(pl.Symbol)
				allowed[retailGTIN(s.Format, s.Text)] = true
			}
			b, err := os.ReadFile(filepath.Join(fixtureDir, p.File))
			if err != nil {
				t.Fatal(err)
			}
			if bad := wrongRetail(decode(t, p.File, b), allowed); len(bad) > 0 {
				t.Errorf("%s: wrong retail read %v", p.File, bad)
			}
		}
	})
	t.Run("photos", func(t *testing.T) {
		t.Parallel()
		photos := loadManifest(t)
		var wrongAll []string
		for _, p := range photos {
			b, err := os.ReadFile(p.path)
			if err != nil {
				t.Fatal(err)
			}
			allowed := map[string]bool{}
			if isRetail(p.format) {
				allowed[retailGTIN(p.format, p.text)] = true
			}
			for _, c := range alsoPresent[strings.TrimPrefix(p.path, photosDir+"/")] {
				allowed[retailGTIN("", c)] = true
			}
			got := decode(t, p.path, b)
			if bad := wrongRetail(got, allowed); len(bad) > 0 {
				t.Errorf("%s: wrong retail read %v, want %s %q", p.path, bad, p.format, p.text)
			}
			texts := make([]string, len(got))
			for i, bc := range got {
				texts[i] = bc.Text
			}
			if judge(texts, p.text, p.format) == wrong {
				wrongAll = append(wrongAll, fmt.Sprintf("%s %s", p.path, describe(got)))
			}
		}
		// Other symbologies: at most 0.5% of the photos read wrong.
		if len(wrongAll)*200 > len(photos) {
			t.Errorf("%d of %d photos read wrong (> 0.5%%): %s", len(wrongAll), len(photos), strings.Join(wrongAll, "; "))
		}
	})
}

// TestTrapsReadable keeps the trap set honest: every trap with an allowed
// code is still a readable photo of it for some rendering (otherwise a
// decoder that reads nothing would pass the trap test trivially).
func TestTrapsReadable(t *testing.T) {
	d := apiDecoder()
	read := map[string]bool{}
	for i, tr := range barcodes.Traps() {
		if len(tr.Allowed) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, tr.Render(uint64(i+1))); err != nil {
			t.Fatal(err)
		}
		got, err := d.Decode(context.Background(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		kind := tr.Name[:strings.LastIndexByte(tr.Name, '-')]
		for _, bc := range got {
			if slices.Contains(tr.Allowed, bc.Text) {
				read[kind] = true
			}
		}
		if _, ok := read[kind]; !ok {
			read[kind] = false
		}
	}
	for kind, ok := range read {
		if !ok {
			t.Errorf("%s: the allowed code is read from none of its renderings", kind)
		}
	}
}
