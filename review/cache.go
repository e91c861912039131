package review

import (
	"sync"
	"time"

	"pandian/stock"
)

// reportCache keeps the reports of large counts for a short while, so
// that paging, searching and filtering a 100k-line count does not compute
// it again on every page (seconds each time). Only reports of at least
// Options.CacheLines lines are kept, at most a few, each for
// Options.CacheTTL; an action taken through the pages (close, recount,
// approve) forgets its count. A page built from a kept report says how
// old it is. Approval never relies on it: the review step and the
// approval run on the domain's preview, with its fingerprint.
type reportCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	lines int
	max   int
	items map[string]cachedReport
}

type cachedReport struct {
	at  time.Time
	cv  stock.CountView
	rep stock.Report
}

func cacheKey(a stock.Actor, id string) string {
	return id + "\x00" + a.Employee.Code + "\x00" + string(a.Role())
}

// get returns a kept report of count id as seen by a, if fresh.
func (c *reportCache) get(a stock.Actor, id string, now time.Time) (cachedReport, bool) {
	if c == nil {
		return cachedReport{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[cacheKey(a, id)]
	if !ok || now.Sub(it.at) > c.ttl {
		return cachedReport{}, false
	}
	return it, true
}

// put keeps a report if it is large enough to be worth it.
func (c *reportCache) put(a stock.Actor, id string, it cachedReport) {
	if c == nil || len(it.rep.Lines) < c.lines {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.items {
		if it.at.Sub(v.at) > c.ttl {
			delete(c.items, k)
		}
	}
	for len(c.items) >= c.max {
		oldest := ""
		for k, v := range c.items {
			if oldest == "" || v.at.Before(c.items[oldest].at) {
				oldest = k
			}
		}
		delete(c.items, oldest)
	}
	c.items[cacheKey(a, id)] = it
}

// forget drops every kept report of count id.
func (c *reportCache) forget(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		if len(k) > len(id) && k[:len(id)] == id && k[len(id)] == 0 {
			delete(c.items, k)
		}
	}
}
