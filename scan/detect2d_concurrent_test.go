package scan

import (
	"context"
	"sync"
	"testing"
)

// TestDetect2DConcurrent: one server decoder (All) used by several
// goroutines at once, each on its own plane and on the same pixels,
// reads the same (run under -race: the detector's maps and halves are
// per cascade, not shared).
func TestDetect2DConcurrent(t *testing.T) {
	g := detectImage(t, true)
	d := NewDecoder(DecoderOptions{All: true})
	want := texts(d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes())
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = texts(d.cascade(context.Background(), &gray{w: g.w, h: g.h, pix: g.pix}).col.barcodes())
		}()
	}
	wg.Wait()
	for i, s := range got {
		if s != want {
			t.Errorf("goroutine %d read %s, want %s", i, s, want)
		}
	}
}
