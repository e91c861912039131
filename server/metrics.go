package main

import (
	"context"
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
	"pandian/storage/sqlstore"
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
// one collector per database pool and the job queue's.
func newMetrics(store *sqlstore.Store) *metrics {
	pools := store.Pools()
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
	m.reg.MustRegister(newQueueCollector(store.JobQueueStats))
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

// queueCollector reports the job queue at each scrape: jobs waiting and
// running by kind (the OCR queue is kind document.read, the alert outbox
// alert.deliver) and the age of the oldest.
type queueCollector struct {
	read             func(context.Context, time.Time) ([]sqlstore.JobQueueStat, error)
	jobs, oldest, up *prometheus.Desc
}

func newQueueCollector(read func(context.Context, time.Time) ([]sqlstore.JobQueueStat, error)) *queueCollector {
	return &queueCollector{read: read,
		jobs:   prometheus.NewDesc("pandian_jobs", "Jobs in the queue, by kind and state (waiting: queued or due for a retry; running: claimed).", []string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("pandian_job_oldest_seconds", "Age of the oldest job waiting or running, by kind.", []string{"kind"}, nil),
		up:     prometheus.NewDesc("pandian_jobs_readable", "1 when the last scrape could read the queue, 0 when the database did not answer.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.read(ctx, time.Now())
	if err != nil {
		slog.Warn("metrics: job queue", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, st := range stats {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(st.Waiting), st.Kind, "waiting")
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(st.Running), st.Kind, "running")
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, st.Oldest.Seconds(), st.Kind)
	}
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
