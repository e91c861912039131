package main

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pandian/stock"
)

// metrics are the Prometheus metrics of one process, served on their own
// address (PANDIAN_METRICS_ADDR), apart from the API: an operator's
// scraper needs no token, and the API's clients cannot read them.
type metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // route, method, status
	latency  *prometheus.HistogramVec // route, method
	scans    *prometheus.CounterVec   // result, reason
	uploads  prometheus.Gauge
	photos   *prometheus.CounterVec // result
	photoDur prometheus.Histogram
	ocrDocs  *prometheus.CounterVec // result
	ocrDur   prometheus.Histogram
}

// newMetrics registers the metrics, the Go runtime's and the process's,
// and one collector per database pool.
func newMetrics(pools map[string]*sql.DB) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pandian_http_requests_total",
		Help: "HTTP requests answered, by route pattern (empty: no route), method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pandian_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route pattern and method.", Buckets: prometheus.DefBuckets}, []string{"route", "method"})
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pandian_scans_total",
		Help: "Scans received, by result (accepted, duplicate, rejected) and the rejection's reason (its error code)."}, []string{"result", "reason"})
	m.uploads = prometheus.NewGauge(prometheus.GaugeOpts{Name: "pandian_uploads_in_progress",
		Help: "Photo and document uploads being received or decoded (the queue of the photo decoder)."})
	m.photos = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pandian_photos_decoded_total",
		Help: "Barcode photos decoded, by result (read: a barcode found, none, error)."}, []string{"result"})
	m.photoDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "pandian_photo_decode_seconds",
		Help: "Time to decode a barcode photo.", Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 5}})
	m.ocrDocs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pandian_ocr_documents_total",
		Help: "Documents read by OCR in this process, by result (read, error)."}, []string{"result"})
	m.ocrDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "pandian_ocr_document_seconds",
		Help: "Time to read a document by OCR, all its pages.", Buckets: []float64{.5, 1, 2, 5, 10, 20, 40, 80, 160}})
	m.reg.MustRegister(m.requests, m.latency, m.scans, m.uploads, m.photos, m.photoDur, m.ocrDocs, m.ocrDur,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		m.reg.MustRegister(prometheus.WrapCollectorWith(prometheus.Labels{"pool": name}, collectors.NewDBStatsCollector(db, "pandian")))
	}
	return m
}

// Request implements mobileapi.Observer.
func (m *metrics) Request(route, method string, status int, elapsed time.Duration) {
	// Fiber's strings point into buffers reused by the next request; a
	// metric keeps its label values.
	route, method = strings.Clone(route), strings.Clone(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// Scans implements mobileapi.Observer.
func (m *metrics) Scans(r stock.ScanResult) {
	m.scans.WithLabelValues("accepted", "").Add(float64(r.Accepted))
	m.scans.WithLabelValues("duplicate", "").Add(float64(r.Duplicates))
	for _, rej := range r.Rejected {
		m.scans.WithLabelValues("rejected", strings.Clone(rej.Code)).Inc()
	}
}

// Uploads implements mobileapi.Observer.
func (m *metrics) Uploads(n int) { m.uploads.Set(float64(n)) }

// photo records one decoded photo.
func (m *metrics) photo(elapsed time.Duration, found int, err error) {
	result := "read"
	switch {
	case err != nil:
		result = "error"
	case found == 0:
		result = "none"
	}
	m.photos.WithLabelValues(result).Inc()
	m.photoDur.Observe(elapsed.Seconds())
}

// document records one document read by OCR.
func (m *metrics) document(elapsed time.Duration, err error) {
	result := "read"
	if err != nil {
		result = "error"
	}
	m.ocrDocs.WithLabelValues(result).Inc()
	m.ocrDur.Observe(elapsed.Seconds())
}

// gaugeFunc registers a gauge read at each scrape from the database
// (queue depths): a failed read is logged and reports -1.
func (m *metrics) gaugeFunc(name, help string, read func(context.Context) (float64, error)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		v, err := read(ctx)
		if err != nil {
			slog.Warn("metrics", "gauge", name, "err", err)
			return -1
		}
		return v
	}))
}

// serve serves /metrics on addr until ctx ends; the address is bound
// before it returns (and returned), so a taken address fails the start.
func (m *metrics) serve(ctx context.Context, addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("metrics", "err", err)
		}
	}()
	slog.Info("metrics listening", "addr", ln.Addr().String())
	return ln.Addr(), nil
}
