// Command server runs pandian: the mobile API over the embedded SQLite
// database (default) or PostgreSQL.
//
//	go run ./server            serve (see README for the environment)
//	go run ./server admin -admin-code A001 -admin-pin 1234
//	go run ./server seed       load the demo data set
//	go run ./server worker     run background jobs only (no HTTP)
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only when PANDIAN_PPROF_ADDR is set
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"pandian/alerts"
	"pandian/export"
	"pandian/jobs"
	mobileapi "pandian/mobile-api"
	"pandian/ocr"
	"pandian/review"
	"pandian/scan"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(2)
	}
	slog.SetDefault(newLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cmd, cfg); err != nil {
		slog.Error("exit", "cmd", cmd, "err", err)
		os.Exit(1)
	}
}

// newLogger returns the server's logger: JSON lines on w (format "json")
// or slog's text lines ("text"), from level up (loadConfig checked both).
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// app is the wired server.
type app struct {
	store *sqlstore.Store
	svc   *stock.Service
	files files
	key   []byte      // signs local download links and review CSRF tokens
	ocr   *ocr.Engine // nil when this process reads no documents
	// metrics are this process's Prometheus metrics (served when
	// PANDIAN_METRICS_ADDR is set).
	metrics *metrics
	// jobs are the background goroutines of runJobs; close waits for them
	// (they end with runJobs's context) before closing the database.
	jobs sync.WaitGroup
	// stopConnecting ends the background retries of an object store not
	// reachable at start (nil: none).
	stopConnecting context.CancelFunc
}

// close releases what wire opened, once the background work has stopped
// (at most 30 s: a job still running after that is taken over later).
func (a *app) close() {
	if a.stopConnecting != nil {
		a.stopConnecting()
	}
	done := make(chan struct{})
	go func() { a.jobs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		slog.Warn("background jobs still running at shutdown")
	}
	if a.ocr != nil {
		a.ocr.Close()
	}
	a.store.Close()
}

func wire(ctx context.Context, cmd string, cfg config) (*app, error) {
	store, err := sqlstore.OpenWith(ctx, cfg.databaseURL(), cfg.DB)
	if err != nil {
		return nil, err
	}
	sc := stock.DefaultConfig()
	sc.PINCost, sc.TokenTTL = cfg.PINCost, cfg.TokenTTL
	if cfg.RefreshTTL > 0 {
		sc.RefreshTTL = cfg.RefreshTTL
	}
	if cfg.SignInAttempts > 0 {
		sc.MaxLoginFailures = cfg.SignInAttempts
	}
	if cfg.SignInLock > 0 {
		sc.LockDuration = cfg.SignInLock
	}
	if cfg.SignInLockMax > 0 {
		sc.MaxLockDuration = cfg.SignInLockMax
	}
	cp := codes{p: &scan.Parser{VariableMeasure: scan.DefaultVariableMeasure()}}
	svc := stock.NewService(store, cp, sc)
	// Photos are decoded on one worker per core with a short queue; a burst
	// beyond it answers 429 rather than piling up images in memory.
	m := newMetrics(store)
	svc.SetPhotoDecoder(photos{pool: scan.NewPoolWith(scan.NewDecoder(scan.DecoderOptions{All: true, Timeout: 2 * time.Second}), 0, 8), codes: cp, metrics: m})
	a := &app{store: store, svc: svc, metrics: m}
	// One key signs the local store's download links and the review
	// pages' CSRF tokens; every replica sharing the data dir shares it.
	if a.key, err = signingKey(cfg); err != nil {
		store.Close()
		return nil, err
	}
	if a.files, err = openFiles(ctx, cfg, a.key); err != nil {
		store.Close()
		return nil, err
	}
	if a.files.connected != nil && !a.files.connected.Load() {
		// MinIO/S3 is down: serve without it (counting does not need it;
		// uploads answer 503) and connect when it comes back.
		var cctx context.Context
		cctx, a.stopConnecting = context.WithCancel(ctx)
		a.jobs.Go(func() { a.files.keepConnecting(cctx) })
	}
	docs := documents{lim: ocr.DefaultLimits, checkTimeout: cfg.PDFCheckTimeout, metrics: m}
	var reader stock.DocumentReader
	if cfg.OCRWorkers > 0 && (cmd == "serve" && cfg.Jobs || cmd == "worker") {
		if a.ocr, err = ocr.NewEngine(ocr.Options{Workers: cfg.OCRWorkers}); err != nil {
			a.close()
			return nil, fmt.Errorf("OCR: %w", err)
		}
		docs.eng = a.ocr
		reader = docs
	}
	svc.SetDocuments(a.files, docs, reader, stock.DocumentOptions{MaxBytes: cfg.MaxDocument})
	if cfg.AdminCode != "" {
		created, err := svc.EnsureAdmin(ctx, cfg.AdminCode, cfg.AdminPIN)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("admin bootstrap: %w", err)
		}
		if created {
			slog.Info("admin created", "code", cfg.AdminCode)
		}
	}
	return a, nil
}

func run(ctx context.Context, cmd string, cfg config) error {
	var ln net.Listener
	if cmd == "serve" {
		// Bind first: a taken address fails at once, before the database
		// is opened or the demo data loaded; connections that arrive in
		// the meantime wait in the listen queue.
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s (PANDIAN_ADDR): %w", cfg.Addr, err)
		}
		defer ln.Close()
	}
	a, err := wire(ctx, cmd, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	switch cmd {
	case "serve":
		if cfg.Demo {
			if err := loadDemo(ctx, a.svc, false, time.Now()); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
		}
		return serve(ctx, cfg, a, ln)
	case "admin":
		if cfg.AdminCode == "" {
			return errors.New("admin needs -admin-code and -admin-pin")
		}
		return nil // wire created it
	case "seed":
		return loadDemo(ctx, a.svc, true, time.Now())
	case "worker":
		if cfg.MetricsAddr != "" {
			if _, err := a.metrics.serve(ctx, cfg.MetricsAddr); err != nil {
				return fmt.Errorf("PANDIAN_METRICS_ADDR: %w", err)
			}
		}
		slog.Info("job worker started", "db", a.store.Dialect(), "ocr_workers", cfg.OCRWorkers)
		a.runJobs(ctx, cfg)
		<-ctx.Done()
		return nil
	}
	return fmt.Errorf("unknown command %q (serve, admin, seed, worker)", cmd)
}

// serve answers on ln (bound by run) until ctx ends.
func serve(ctx context.Context, cfg config, a *app, ln net.Listener) error {
	api := mobileapi.New(a.svc, a.apiOptions(cfg))
	if cfg.MetricsAddr != "" {
		if _, err := a.metrics.serve(ctx, cfg.MetricsAddr); err != nil {
			return fmt.Errorf("PANDIAN_METRICS_ADDR: %w", err)
		}
	}
	if cfg.PprofAddr != "" {
		// Profiling for operators, on its own (loopback) address.
		go func() { slog.Warn("pprof", "err", http.ListenAndServe(cfg.PprofAddr, nil)) }()
	}
	if cfg.Jobs {
		a.runJobs(ctx, cfg)
	}
	errc := make(chan error, 1)
	go func() { errc <- api.Listener(ln) }()
	slog.Info("pandian listening", "addr", ln.Addr().String(), "db", a.store.Dialect(), "data", cfg.DataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	return api.ShutdownWithTimeout(30 * time.Second)
}

// apiOptions configures the HTTP API.
func (a *app) apiOptions(cfg config) mobileapi.Options {
	alertsAPI := alerts.NewService(a.store, a.svc)
	alertsAPI.Policy = cfg.webhookPolicy()
	opts := mobileapi.Options{Ready: a.store.Ping, MaxDocument: cfg.MaxDocument, MaxUploads: cfg.MaxUploads,
		MaxUploadsPerEmployee: cfg.MaxUploadsPerEmployee, UploadMinRate: float64(cfg.UploadMinRate), UploadRateWindow: cfg.UploadRateWindow,
		PagesSession: review.SessionCookie, Alerts: alertsAPI, CORSOrigins: cfg.CORSOrigins, PublicURL: cfg.PublicURL, Observer: a.metrics,
		// Reported by /readyz without failing it: counting goes on while
		// the object store is down.
		Components: map[string]func(context.Context) error{"object_store": a.files.ready}}
	if a.files.local != nil {
		opts.Files = a.files
	}
	// The review pages, in the same process.
	opts.Pages = map[string]mobileapi.Mounter{"/review": a.reviewPages(a.svc, cfg)}
	return opts
}

// reviewPages are the review pages over svc (the domain service; tests
// wrap it), with the Excel downloads of the export package.
func (a *app) reviewPages(svc review.Service, cfg config) *review.Pages {
	return review.New(svc, review.Options{Prefix: "/review", CSRFKey: a.key,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		XLSXFor: func(w io.Writer, r stock.Report, currency, lang string) error {
			return export.WriteCountReportXLSX(w, r, export.Options{Currency: currency, Lang: lang})
		},
		CrossXLSXFor: func(w io.Writer, r stock.CrossReport, currency, lang string) error {
			return export.WriteCrossReportXLSX(w, r, export.Options{Currency: currency, Lang: lang})
		}})
}

// runJobs starts the background work of a process that runs jobs: one
// queue runner (package jobs) with a handler per job kind: CSV
// imports, filing documents, reading them (one worker per OCR worker; no
// handler without OCR, so that such a process never takes a document it
// cannot read), the recurring job that makes the SKU folders in the object
// store, and the alert deliveries; beside it, the alert evaluator that
// enqueues deliveries every cfg.AlertEvery (cfg.AlertBaseDelay and
// cfg.AlertPoll set the deliveries' back-off and polling) and the sweep of
// crashed uploads' temporary objects.
func (a *app) runJobs(ctx context.Context, cfg config) {
	r := a.jobRunner(cfg)
	// The SKU folder job is enqueued once for all replicas (its key), and
	// requeues itself.
	if _, err := a.store.EnqueueJobs(ctx, []jobs.New{{ID: "job_skus_folders", Kind: stock.JobsSKUFolders, Key: stock.JobsSKUFolders, At: time.Now()}}); err != nil {
		slog.Warn("jobs: enqueueing the SKU folder job", "err", err)
	}
	a.jobs.Go(func() { r.Run(ctx) })
	every := cmp.Or(cfg.AlertEvery, defaultAlertEvery)
	a.jobs.Go(func() { alerts.NewEvaluator(a.store, a.svc).Run(ctx, every) })
	if a.files.s3 != nil {
		// Temporary objects of uploads a crash interrupted: the bucket's
		// lifecycle rule expires them after a day, this sooner (and also
		// where the rule could not be set).
		a.jobs.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Hour):
				}
				if a.files.usable() != nil {
					continue
				}
				if n, err := a.files.s3.Sweep(ctx, 6*time.Hour); err != nil && ctx.Err() == nil {
					slog.Warn("object store: sweeping temporary uploads", "err", err)
				} else if n > 0 {
					slog.Info("object store: temporary uploads removed", "count", n)
				}
			}
		})
	}
}

// jobRunner is the queue runner of this process, with the handlers of the
// kinds it runs. A job runner silent for cfg.JobStale (its lease) is taken
// over by another.
func (a *app) jobRunner(cfg config) *jobs.Runner {
	r := jobs.NewRunner(a.store)
	r.Poll = cmp.Or(cfg.JobPoll, time.Second)
	lease := cmp.Or(cfg.JobStale, 2*time.Minute)
	r.HandleKinds(stock.ImportJobKinds(), jobs.Options{Lease: lease}, a.svc.RunImportJob)
	docs := jobs.Options{Lease: lease, BaseDelay: stock.DocumentRetry, MaxDelay: 10 * time.Minute}
	r.Handle(stock.JobsFiling, docs, a.svc.RunDocumentJob)
	r.Handle(stock.JobsRefile, docs, a.svc.RunRefileJob)
	r.Handle(stock.JobsKeepReport, jobs.Options{Lease: lease}, a.svc.RunKeepReportJob)
	if a.ocr != nil {
		docs.Workers = cfg.OCRWorkers
		r.Handle(stock.JobsDocuments, docs, a.svc.RunDocumentJob)
	}
	r.Handle(stock.JobsSKUFolders, jobs.Options{Lease: lease, BaseDelay: 30 * time.Second, MaxDelay: 10 * time.Minute}, a.svc.RunSKUFolderJob(30*time.Second))
	dispatcher := alerts.NewDispatcher(a.store)
	dispatcher.Policy = cfg.webhookPolicy()
	dispatcher.BaseDelay = cmp.Or(cfg.AlertBaseDelay, dispatcher.BaseDelay)
	dispatcher.Poll = cmp.Or(cfg.AlertPoll, dispatcher.Poll)
	dispatcher.Worker = r.Owner
	r.Handle(alerts.KindDeliver, dispatcher.Options(), dispatcher.Handle)
	return r
}
