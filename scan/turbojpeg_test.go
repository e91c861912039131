package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTwelveMegapixel decodes the 12-megapixel phone photo end to end
// (JPEG decode, reduction, cascade); the target is 150 ms.
func BenchmarkTwelveMegapixel(b *testing.B) {
	data := phonePhoto(b)
	d := NewDecoder(DecoderOptions{})
	b.ResetTimer()
	for range b.N {
		got, err := d.Decode(context.Background(), bytes.NewReader(data))
		if err != nil || len(got) != 1 {
			b.Fatalf("got %v, %v", got, err)
		}
	}
}

// BenchmarkTwelveMegapixelLoad is the JPEG decode alone, to gray:
// loadGray (TurboJPEG) against Go's image/jpeg.
func BenchmarkTwelveMegapixelLoad(b *testing.B) {
	data := phonePhoto(b)
	b.Run("loadGray", func(b *testing.B) {
		for range b.N {
			if _, err := loadGray(data, 40e6); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image-jpeg", func(b *testing.B) {
		for range b.N {
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			toGray(img)
		}
	})
}

// goGray decodes a JPEG with Go's image/jpeg, as loadGray did before
// TurboJPEG, upright.
func goGray(t testing.TB, b []byte) *gray {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return toGray(img).orient(JPEGOrientation(b))
}

// TestTurboMatchesGo checks that TurboJPEG's luminance plane has the size
// of Go's and the same pixels within IDCT rounding.
func TestTurboMatchesGo(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JPEG fixtures (%v)", err)
	}
	cases := map[string][]byte{"phone 12 MP (4:2:0 colour)": phonePhoto(t)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases[filepath.Base(f)] = b
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			tj, err := loadJPEGTurbo(b, 40e6)
			if err != nil || tj == nil {
				t.Fatalf("TurboJPEG did not decode it: %v", err)
			}
			want := goGray(t, b)
			if tj.w != want.w || tj.h != want.h {
				t.Fatalf("size %d×%d, want %d×%d", tj.w, tj.h, want.w, want.h)
			}
			var sum, worst int
			for i, v := range tj.pix {
				d := int(v) - int(want.pix[i])
				d = max(d, -d)
				sum += d
				worst = max(worst, d)
			}
			if mean := float64(sum) / float64(len(tj.pix)); mean > 0.5 || worst > 8 {
				t.Errorf("differs from image/jpeg: mean %.3f, max %d", mean, worst)
			}
		})
	}
}

// TestTurboErrors checks that what TurboJPEG refuses still gives the
// *ImageError it gave with Go's decoder alone.
func TestTurboErrors(t *testing.T) {
	photo := phonePhoto(t)
	var gray bytes.Buffer
	g := image.NewGray(image.Rect(0, 0, 300, 200))
	if err := jpeg.Encode(&gray, g, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		data      []byte
		maxPixels int64
		kind      ImageErrorKind
	}{
		{"12 MP truncated", photo[:len(photo)*2/3], 40e6, ImageCorrupt},
		{"12 MP cut in the header", photo[:400], 40e6, ImageCorrupt},
		{"12 MP over the pixel limit", photo, 10e6, ImageTooLarge},
		{"12 MP scan data zeroed", append(append([]byte{}, photo[:len(photo)/2]...), make([]byte, len(photo)/2)...), 40e6, ImageCorrupt},
		{"gray, over the pixel limit", gray.Bytes(), 50_000, ImageTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadGray(c.data, c.maxPixels)
			var ie *ImageError
			if !errors.As(err, &ie) || ie.Kind != c.kind {
				t.Fatalf("error %v, want *ImageError %s", err, c.kind)
			}
		})
	}
	if g, err := loadGray(gray.Bytes(), 40e6); err != nil || g.w != 300 || g.h != 200 {
		t.Fatalf("gray JPEG: %v", err)
	}
	d, err := newTJDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if _, err := d.decodeGray(gray.Bytes(), tjHeader{w: 300, h: 200, colorspace: 3 /* TJCS_CMYK */}); err != errTJUnsupported {
		t.Errorf("CMYK: %v, want errTJUnsupported", err)
	}
}

// FuzzLoadJPEG feeds damaged JPEGs to loadGray (TurboJPEG, then Go's
// decoder when TurboJPEG refuses): a plane of the header's size or an
// *ImageError, never a panic or a crash in C.
func FuzzLoadJPEG(f *testing.F) {
	for _, name := range []string{"ean8.jpg", "rotated-exif.jpg"} {
		if b, err := os.ReadFile(filepath.Join(fixtureDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, ok := sniff(data); !ok || k.name != kindJPEG.name {
			return
		}
		g, err := loadGray(data, 1<<20)
		var ie *ImageError
		switch {
		case err != nil && !errors.As(err, &ie):
			t.Fatalf("error %v is not an *ImageError", err)
		case err == nil && (g == nil || g.w <= 0 || g.h <= 0 || len(g.pix) != g.w*g.h):
			t.Fatalf("bad plane %+v", g)
		}
	})
}
