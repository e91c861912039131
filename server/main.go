// Command server runs pandian: the mobile API over the embedded SQLite
// database (default) or PostgreSQL.
//
//	go run ./server            serve (see README for the environment)
//	go run ./server admin -admin-code A001 -admin-pin 1234
//	go run ./server seed       load the demo data set
//	go run ./server worker     run background jobs only (no HTTP)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only when PANDIAN_PPROF_ADDR is set
	"os"
	"os/signal"
	"syscall"
	"time"

	mobileapi "pandian/mobile-api"
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
	setupLogging(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cmd, cfg); err != nil {
		slog.Error("exit", "cmd", cmd, "err", err)
		os.Exit(1)
	}
}

func setupLogging(level string) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
}

// app is the wired server.
type app struct {
	store *sqlstore.Store
	svc   *stock.Service
}

func wire(ctx context.Context, cfg config) (*app, error) {
	store, err := sqlstore.Open(ctx, cfg.databaseURL())
	if err != nil {
		return nil, err
	}
	sc := stock.DefaultConfig()
	sc.PINCost, sc.TokenTTL = cfg.PINCost, cfg.TokenTTL
	cp := codes{p: &scan.Parser{VariableMeasure: scan.DefaultVariableMeasure()}}
	svc := stock.NewService(store, cp, sc)
	// Photos are decoded on one worker per core with a short queue; a burst
	// beyond it answers 429 rather than piling up images in memory.
	svc.SetPhotoDecoder(photos{pool: scan.NewPoolWith(scan.NewDecoder(scan.DecoderOptions{All: true, Timeout: 2 * time.Second}), 0, 8), codes: cp})
	if cfg.AdminCode != "" {
		created, err := svc.EnsureAdmin(ctx, cfg.AdminCode, cfg.AdminPIN)
		if err != nil {
			store.Close()
			return nil, fmt.Errorf("admin bootstrap: %w", err)
		}
		if created {
			slog.Info("admin created", "code", cfg.AdminCode)
		}
	}
	return &app{store: store, svc: svc}, nil
}

func run(ctx context.Context, cmd string, cfg config) error {
	a, err := wire(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.store.Close()
	switch cmd {
	case "serve":
		if cfg.Demo {
			if err := seedDemo(ctx, a.svc, false); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
		}
		return serve(ctx, cfg, a)
	case "admin":
		if cfg.AdminCode == "" {
			return errors.New("admin needs -admin-code and -admin-pin")
		}
		return nil // wire created it
	case "seed":
		return seedDemo(ctx, a.svc, true)
	case "worker":
		slog.Info("job worker started", "db", a.store.Dialect())
		a.svc.RunJobs(ctx, time.Second)
		return nil
	}
	return fmt.Errorf("unknown command %q (serve, admin, seed, worker)", cmd)
}

func serve(ctx context.Context, cfg config, a *app) error {
	api := mobileapi.New(a.svc, mobileapi.Options{Ready: a.store.Ping})
	if addr := os.Getenv("PANDIAN_PPROF_ADDR"); addr != "" {
		// Profiling for operators, on its own (loopback) address.
		go func() { slog.Warn("pprof", "err", http.ListenAndServe(addr, nil)) }()
	}
	if cfg.Jobs {
		go a.svc.RunJobs(ctx, time.Second)
	}
	errc := make(chan error, 1)
	go func() { errc <- api.Listen(cfg.Addr) }()
	slog.Info("pandian listening", "addr", cfg.Addr, "db", a.store.Dialect(), "data", cfg.DataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	return api.ShutdownWithTimeout(30 * time.Second)
}
