package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"pandian/jobs"
)

// scrape reads every sample of addr's /metrics, keyed by the metric's name
// and labels as Prometheus prints them (`name{a="x",b="y"}`).
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// TestMetrics scrapes /metrics (its own address) before and after a
// count's traffic and finds the counters moved by what was sent: requests
// by route and status, scans by result and reason, photos, the database
// pools.
func TestMetrics(t *testing.T) {
	s := startServer(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := s.app.metrics.serve(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mgr := employeeWith(t, "store_manager", "HK-TST")
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}})
	before := scrape(t, addr.String())

	dup := ev()
	res := s.scans(mgr, cnt.ID,
		scanIn{EventID: dup, Code: "4894033001501", Qty: 1},
		scanIn{Code: "4894033001501", Qty: 2},
		scanIn{Code: "4890000000003", Qty: 1}) // no such product
	again := s.scans(mgr, cnt.ID, scanIn{EventID: dup, Code: "4894033001501", Qty: 1})
	if res.Accepted != 2 || len(res.Rejected) != 1 || again.Duplicates != 1 {
		t.Fatalf("scans: %+v, again %+v", res, again)
	}
	reason := res.Rejected[0].Code
	s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/nothing-here", mgr, nil, 404, nil)
	if status, b := s.upload(mgr, cnt.ID, "ean13.png", nil); status != 200 {
		t.Fatalf("photo: %d %s", status, b)
	}
	// A job of a kind no runner handles waits in the queue.
	if _, err := s.app.store.EnqueueJobs(ctx, []jobs.New{{ID: "job_metrics_1", Kind: "metrics.test", At: time.Now().Add(-time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, addr.String())

	moved := func(key string) float64 { return after[key] - before[key] }
	for key, want := range map[string]float64{
		`pandian_http_requests_total{method="POST",route="/v1/counts/:id/scans",status="200"}`:    2,
		`pandian_http_requests_total{method="POST",route="/v1/counts/:id/images",status="200"}`:   1,
		`pandian_http_request_duration_seconds{method="POST",route="/v1/counts/:id/scans"}_count`: 2,
		`pandian_scans_total{reason="",result="accepted"}`:                                        2,
		`pandian_scans_total{reason="",result="duplicate"}`:                                       1,
		`pandian_scans_total{reason="` + reason + `",result="rejected"}`:                          1,
		`pandian_photos_decoded_total{result="read"}`:                                             1,
		`pandian_photo_decode_seconds_count`:                                                      1,
	} {
		if got := moved(key); got != want {
			t.Errorf("%s moved by %v, want %v", key, got, want)
		}
	}
	if n := moved(`pandian_http_requests_total{method="GET",route="",status="404"}`) + moved(`pandian_http_requests_total{method="GET",route="/v1/counts/:id",status="404"}`); n < 1 {
		t.Errorf("the 404 was not counted: %v", n)
	}
	if after[`pandian_jobs_readable`] != 1 || after[`pandian_jobs{kind="metrics.test",state="waiting"}`] != 1 || after[`pandian_job_oldest_seconds{kind="metrics.test"}`] <= 0 {
		t.Errorf("the queue's metrics: readable %v, waiting %v, oldest %v", after[`pandian_jobs_readable`],
			after[`pandian_jobs{kind="metrics.test",state="waiting"}`], after[`pandian_job_oldest_seconds{kind="metrics.test"}`])
	}
	if after[`pandian_uploads_in_progress`] != 0 {
		t.Errorf("uploads in progress after the upload: %v", after[`pandian_uploads_in_progress`])
	}
	var pools int
	for key := range after {
		if strings.HasPrefix(key, `go_sql_max_open_connections{db_name="pandian",pool=`) {
			pools++
		}
	}
	if pools != 2 { // SQLite: the writer and the readers
		t.Errorf("%d database pools reported, want 2", pools)
	}
}
