package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"pandian/stock"
)

// committer batches concurrent SQLite write transactions into one commit
// (group commit). SQLite has one writer and each commit waits for the disk,
// so 64 devices sending one scan each would otherwise queue 64 commits.
// Each caller's function runs inside its own SAVEPOINT of the shared
// transaction, in arrival order: a function that fails is rolled back alone
// and gets its error; the others commit together, and every caller is
// answered only after the commit is durable.
type committer struct {
	db   *sql.DB
	d    dialect
	reqs chan *writeReq
	quit chan struct{}
	stop sync.Once
	max  int
}

// writeReq is one caller waiting for its function to be committed.
type writeReq struct {
	ctx   context.Context
	fn    func(stock.Tx) error
	done  chan error
	panic any // what fn panicked with, raised again in the caller
	state atomic.Int32
}

// States of a writeReq: queued, taken by the committer (its caller waits
// for the answer), or left by its caller before that (skipped).
const (
	reqQueued int32 = iota
	reqTaken
	reqLeft
)

func newCommitter(db *sql.DB, d dialect, max int) *committer {
	c := &committer{db: db, d: d, reqs: make(chan *writeReq), quit: make(chan struct{}), max: max}
	go c.loop()
	return c
}

// close stops the committer; calls after it fail.
func (c *committer) close() { c.stop.Do(func() { close(c.quit) }) }

// do runs fn in the next group and returns its error or the commit's.
func (c *committer) do(ctx context.Context, fn func(stock.Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		return mapErr(ctx.Err())
	case <-c.quit:
		return stock.Errorf(stock.EUnavailable, "the database is closing")
	}
	// A caller whose ctx ends before its function is taken leaves at once
	// (the committer may be waiting on a busy database: SQLite's busy
	// handler retries for up to _busy_timeout and does not see ctx). Once
	// taken, the function runs and may commit, so wait for the answer
	// rather than guess.
	var err error
	select {
	case err = <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqLeft) {
			return mapErr(ctx.Err())
		}
		err = <-r.done
	}
	if r.panic != nil {
		panic(r.panic)
	}
	return err
}

func (c *committer) loop() {
	for {
		var first *writeReq
		select {
		case first = <-c.reqs:
		case <-c.quit:
			return
		}
		group := []*writeReq{first}
	drain:
		for len(group) < c.max {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			default:
				break drain
			}
		}
		c.run(group)
	}
}

// run executes one group in one transaction.
func (c *committer) run(group []*writeReq) {
	errs := make([]error, len(group))
	t, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range group {
			r.done <- mapErr(err)
		}
		return
	}
	broken := error(nil)
	for i, r := range group {
		if broken != nil {
			errs[i] = broken
			continue
		}
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue // its caller left
		}
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := t.Exec(`SAVEPOINT grp`); err != nil {
			broken, errs[i] = err, err
			continue
		}
		errs[i] = c.call(r, t)
		if errs[i] != nil {
			if _, err := t.Exec(`ROLLBACK TO grp`); err != nil {
				broken = err
			}
		}
		if _, err := t.Exec(`RELEASE grp`); err != nil && broken == nil {
			broken = err
		}
	}
	if broken != nil {
		t.Rollback()
		for i := range errs {
			if errs[i] == nil {
				errs[i] = broken
			}
		}
	} else if err := t.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, r := range group {
		r.done <- mapErr(errs[i])
	}
}

// call runs one function; a panic is rolled back like an error, so that the
// committer and the others of its group carry on, and is raised again in
// its caller.
func (c *committer) call(r *writeReq, t *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("panic in a write transaction", "panic", p, "stack", string(debug.Stack()))
			r.panic = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.fn(&tx{ctx: r.ctx, t: t, d: c.d})
}
