package scan

import (
	"context"
	"io"
	"runtime"
)

// Pool bounds photo decoding: at most workers images are decoded at once
// and at most queue more wait for a worker; past that Decode returns
// ErrBusy at once (the HTTP layer answers 429), so a burst of uploads
// cannot exhaust memory or starve the rest of the server. Waiting callers
// give up when their context ends.
type Pool struct {
	dec     *Decoder
	workers chan struct{} // a token per decode running
	waiting chan struct{} // a token per caller running or queued
}

// NewPool returns a Pool over a default Decoder; see NewPoolWith.
func NewPool(workers, queue int) *Pool {
	return NewPoolWith(NewDecoder(DecoderOptions{}), workers, queue)
}

// NewPoolWith returns a Pool that decodes with d on at most workers
// goroutines (0 or less: one per CPU) with up to queue callers waiting
// (less than 0: none).
func NewPoolWith(d *Decoder, workers, queue int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	queue = max(queue, 0)
	return &Pool{dec: d, workers: make(chan struct{}, workers), waiting: make(chan struct{}, workers+queue)}
}

// Decoder returns the Decoder the pool runs.
func (p *Pool) Decoder() *Decoder { return p.dec }

// Decode decodes one image like Decoder.Decode once a worker is free. It
// returns ErrBusy without reading r when the queue is full, and the
// context's error when it ends while waiting for a worker.
func (p *Pool) Decode(ctx context.Context, r io.Reader) ([]Barcode, error) {
	select {
	case p.waiting <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-p.waiting }()
	// Read the upload before taking a worker, so a slow client holds only
	// a queue place (and at most MaxBytes of memory), not a CPU.
	b, err := readLimited(r, p.dec.opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	select {
	case p.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.workers }()
	return p.dec.decodeBytes(ctx, b)
}
