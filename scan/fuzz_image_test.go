package scan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pandian/fixtures/hostile"
)

// FuzzDecodeImage feeds arbitrary bytes to the photo decoder: it must
// answer with barcodes or an *ImageError, never panic or hang.
func FuzzDecodeImage(f *testing.F) {
	for _, name := range []string{"ean13.png", "code128.png"} {
		if b, err := os.ReadFile(filepath.Join(fixtureDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add(hostile.PNGDeclaring(100000, 100000))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"))
	d := NewDecoder(DecoderOptions{MaxPixels: 1 << 20, Timeout: 200 * time.Millisecond})
	f.Fuzz(func(t *testing.T, data []byte) {
		t0 := time.Now()
		_, err := d.Decode(context.Background(), bytes.NewReader(data))
		var ie *ImageError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("error %v is not an *ImageError", err)
		}
		if ie != nil && (ie.Kind < ImageUnreadable || ie.Kind > ImageCorrupt) {
			t.Fatalf("kind %s", ie.Kind)
		}
		if el := time.Since(t0); el > 3*time.Second {
			t.Fatalf("took %v", el)
		}
	})
}
