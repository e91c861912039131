package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"pandian/stock"
)

// tcpProxy forwards a loopback port to PostgreSQL and can cut every
// connection, as a database outage or a network partition would.
type tcpProxy struct {
	addr, upstream string
	mu             sync.Mutex
	ln             net.Listener
	conns          []net.Conn
}

func newProxy(t *testing.T, upstream string) *tcpProxy {
	p := &tcpProxy{addr: freePort(t), upstream: upstream}
	p.restore(t)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) restore(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
}

// cut closes the listener and every open connection.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestPostgresOutage cuts the server off PostgreSQL while devices post
// scans: requests answer 503 with Retry-After (never 500), /readyz says
// not ready, and once the database is back the devices' retries land every
// scan exactly once.
func TestPostgresOutage(t *testing.T) {
	cfg := testConfig(t, "postgres")
	u, _ := url.Parse(cfg.DatabaseURL)
	proxy := newProxy(t, u.Host)
	u.Host = proxy.addr
	cfg.DatabaseURL = u.String()
	s := startServerWith(t, cfg)
	mgr := employeeWith(t, "store_manager", "HK-TST")
	items := s.newSKUs("outage", "HK-TST", 20, 10)
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"outage"}}})
	s.token(mgr)

	const batches = 60
	pending := make([][]scanIn, batches)
	for b := range pending {
		for i := 0; i < 20; i++ {
			pending[b] = append(pending[b], scanIn{EventID: fmt.Sprintf("out-%d-%d", b, i), Code: items[i].EAN, Qty: 1})
		}
	}
	statuses := map[int]int{}
	send := func(b int) int {
		resp, body := s.do("POST", "/v1/counts/"+cnt.ID+"/scans", mgr, map[string]any{"scans": pending[b]})
		statuses[resp.StatusCode]++
		if resp.StatusCode == 503 {
			if errorCode(t, body) != "unavailable" || resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 without the contract's shape or Retry-After: %s", body)
			}
		} else if resp.StatusCode != 200 {
			t.Errorf("batch %d: %d %s", b, resp.StatusCode, truncate(body))
		}
		return resp.StatusCode
	}
	acked := map[int]bool{}
	for b := 0; b < batches; b++ {
		if b == 20 {
			proxy.cut()
			if resp, _ := s.do("GET", "/readyz", "", nil); resp.StatusCode != 503 {
				t.Errorf("readyz during the outage: %d", resp.StatusCode)
			}
		}
		if b == 40 {
			proxy.restore(t)
		}
		if send(b) == 200 {
			acked[b] = true
		}
	}
	if statuses[503] == 0 {
		t.Fatalf("the outage was not noticed: %v", statuses)
	}
	// Devices retry what was not acknowledged until it is.
	deadline := time.Now().Add(30 * time.Second)
	for b := 0; b < batches; b++ {
		for !acked[b] && time.Now().Before(deadline) {
			if send(b) == 200 {
				acked[b] = true
			} else {
				time.Sleep(200 * time.Millisecond)
			}
		}
		if !acked[b] {
			t.Fatalf("batch %d never landed after the outage", b)
		}
	}
	var view stock.CountView
	s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
	if view.Stats.Counted != batches*20 {
		t.Fatalf("%d scans counted after the outage, want %d", view.Stats.Counted, batches*20)
	}
	r := s.report(mgr, cnt.ID, "sku")
	for _, it := range items {
		if l := lineOf(t, r, it.SKU); l.CountedQty != batches {
			t.Errorf("%s counted %d, want %d", it.SKU, l.CountedQty, batches)
		}
	}
	t.Logf("statuses during the run: %v", statuses)
}
