package scan

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// frameTexts is the texts DecodeFrame finds on f.
func frameTexts(t *testing.T, d *Decoder, f *Frame) []string {
	t.Helper()
	bs, err := d.DecodeFrame(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.Text)
	}
	return out
}

// TestDecodeFrameLeavesFrameCold: a search keeps no work on the frame (the
// block statistics cache of its plane is the search's own), so a second
// search of the same frame, by another decoder or the same, starts from
// the state the first did (zbarbench times a first-good-read search after
// a server-mode one on one frame) and gives the same reads.
func TestDecodeFrameLeavesFrameCold(t *testing.T) {
	if !blockCache {
		t.Skip("blockCache off")
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, "qr.png"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(DecoderOptions{All: true, Timeout: time.Minute}) // the reads compared, not the deadline (-race, loaded machines)
	f, err := d.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	first := frameTexts(t, d, f)
	if len(first) == 0 {
		t.Fatal("qr.png: no read")
	}
	if f.g.blocks != nil {
		t.Fatal("DecodeFrame left its block statistics cache on the frame")
	}
	if again := frameTexts(t, d, f); !slices.Equal(first, again) {
		t.Fatalf("second search %q, first %q", again, first)
	}
}

// TestDecodeFrameConcurrent: goroutines searching one frame at once share
// no mutable state (run with -race) and read what one search reads.
func TestDecodeFrameConcurrent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtureDir, "qr.png"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(DecoderOptions{All: true, Timeout: time.Minute}) // the reads compared, not the deadline (-race, loaded machines)
	alone, err := d.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	want := frameTexts(t, d, alone)
	f, err := d.Load(b) // searched first by the goroutines together
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	got := make(chan []string, n)
	for range n {
		go func() {
			bs, _ := d.DecodeFrame(context.Background(), f)
			var out []string
			for _, b := range bs {
				out = append(out, b.Text)
			}
			got <- out
		}()
	}
	for range n {
		if g := <-got; !slices.Equal(g, want) {
			t.Errorf("concurrent search %q, alone %q", g, want)
		}
	}
}
