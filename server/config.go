package main

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"pandian/alerts"
	"pandian/storage/sqlstore"
)

// config is the server's configuration: environment variables, mirrored by
// flags (a flag wins).
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	AdminCode   string
	AdminPIN    string
	Demo        bool
	Jobs        bool
	PINCost     int
	TokenTTL    time.Duration
	LogLevel    string
	// Sign-in throttle: attempts per (employee, device or address) before
	// a lock, the first lock and the longest (each further lock doubles);
	// zero: the domain's defaults.
	SignInAttempts            int
	SignInLock, SignInLockMax time.Duration

	// Object store: MinIO/S3 when S3Endpoint is set, else local files.
	S3Endpoint, S3AccessKey, S3SecretKey, S3Bucket, S3PublicEndpoint string
	S3Secure                                                         bool
	// PublicURL is this server's address as clients reach it (local
	// download links point at it); FilesKey signs those links.
	PublicURL, FilesKey string
	// OCRWorkers is how many documents this process reads at once (0: it
	// reads none; with Jobs it still files them).
	OCRWorkers int
	// MaxDocument bounds an uploaded document in bytes.
	MaxDocument int64
	// MaxUploads bounds the photo and document uploads in progress (more
	// get 429); each holds at most 20 MiB (photos) or 16 MiB (documents to
	// MinIO) of memory.
	MaxUploads int
	// MaxUploadsPerEmployee bounds one employee's uploads in progress.
	MaxUploadsPerEmployee int
	// UploadMinRate (bytes/s) over UploadRateWindow: a request body that
	// arrives slower is cut off (408).
	UploadMinRate    int
	UploadRateWindow time.Duration
	// PDFCheckTimeout bounds the trial rendering of an uploaded PDF.
	PDFCheckTimeout time.Duration
	// JobPoll is how often idle job runners look for work (default 1 s).
	JobPoll time.Duration
	// JobStale is how long a job's runner may be silent before another
	// takes the job over (default 2 min).
	JobStale time.Duration
	// DB configures this process's PostgreSQL connection pool.
	DB sqlstore.Options
	// WebhookAllow are the address ranges alert webhooks may reach
	// besides public addresses (PANDIAN_WEBHOOK_ALLOW_CIDRS).
	WebhookAllow []netip.Prefix
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envPositive reads a whole number of at least 1.
func envPositive(name string, def int) (int, error) {
	v, err := strconv.Atoi(env(name, strconv.Itoa(def)))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%s must be a whole number of at least 1", name)
	}
	return v, nil
}

func envBool(name string, def bool) bool {
	v, err := strconv.ParseBool(env(name, strconv.FormatBool(def)))
	return err == nil && v || err != nil && def
}

// loadConfig reads the environment and then the flags of args.
func loadConfig(fs *flag.FlagSet, args []string) (config, error) {
	c := config{
		Addr:        env("PANDIAN_ADDR", ":8080"),
		DataDir:     env("PANDIAN_DATA_DIR", "./data"),
		DatabaseURL: env("PANDIAN_DATABASE_URL", ""),
		AdminCode:   env("PANDIAN_ADMIN_CODE", ""),
		AdminPIN:    env("PANDIAN_ADMIN_PIN", ""),
		Demo:        envBool("PANDIAN_DEMO", false),
		Jobs:        envBool("PANDIAN_JOBS", true),
		LogLevel:    env("PANDIAN_LOG_LEVEL", "info"),

		S3Endpoint:       env("PANDIAN_S3_ENDPOINT", ""),
		S3AccessKey:      env("PANDIAN_S3_ACCESS_KEY", ""),
		S3SecretKey:      env("PANDIAN_S3_SECRET_KEY", ""),
		S3Bucket:         env("PANDIAN_S3_BUCKET", "pandian"),
		S3PublicEndpoint: env("PANDIAN_S3_PUBLIC_ENDPOINT", ""),
		S3Secure:         envBool("PANDIAN_S3_SECURE", false),
		FilesKey:         env("PANDIAN_FILES_KEY", ""),
	}
	c.PublicURL = env("PANDIAN_PUBLIC_URL", "http://"+localAddr(c.Addr))
	var err error
	c.MaxUploads, _ = strconv.Atoi(env("PANDIAN_MAX_UPLOADS", "16"))
	c.MaxUploadsPerEmployee, _ = strconv.Atoi(env("PANDIAN_MAX_UPLOADS_PER_EMPLOYEE", "4"))
	c.UploadMinRate, _ = strconv.Atoi(env("PANDIAN_UPLOAD_MIN_RATE", "8192"))
	if c.UploadRateWindow, err = time.ParseDuration(env("PANDIAN_UPLOAD_RATE_WINDOW", "10s")); err != nil {
		return c, err
	}
	if c.PDFCheckTimeout, err = time.ParseDuration(env("PANDIAN_PDF_CHECK_TIMEOUT", "10s")); err != nil {
		return c, err
	}
	c.MaxDocument, _ = strconv.ParseInt(env("PANDIAN_MAX_DOCUMENT_BYTES", strconv.Itoa(50<<20)), 10, 64)
	c.OCRWorkers, _ = strconv.Atoi(env("PANDIAN_OCR_WORKERS", strconv.Itoa(runtime.GOMAXPROCS(0))))
	c.PINCost, _ = strconv.Atoi(env("PANDIAN_PIN_COST", "10"))
	ttl, err := time.ParseDuration(env("PANDIAN_TOKEN_TTL", "12h"))
	if err != nil {
		return c, err
	}
	c.TokenTTL = ttl
	if c.JobStale, err = time.ParseDuration(env("PANDIAN_JOB_STALE", "2m")); err != nil {
		return c, err
	}
	if c.SignInAttempts, err = strconv.Atoi(env("PANDIAN_SIGNIN_ATTEMPTS", "5")); err != nil || c.SignInAttempts < 1 {
		return c, fmt.Errorf("PANDIAN_SIGNIN_ATTEMPTS: want a positive number")
	}
	if c.SignInLock, err = time.ParseDuration(env("PANDIAN_SIGNIN_LOCK", "1m")); err != nil || c.SignInLock <= 0 {
		return c, fmt.Errorf("PANDIAN_SIGNIN_LOCK: want a positive duration")
	}
	if c.SignInLockMax, err = time.ParseDuration(env("PANDIAN_SIGNIN_LOCK_MAX", "1h")); err != nil || c.SignInLockMax < c.SignInLock {
		return c, fmt.Errorf("PANDIAN_SIGNIN_LOCK_MAX: want a duration of at least PANDIAN_SIGNIN_LOCK")
	}
	if c.DB.MaxConns, err = envPositive("PANDIAN_DB_MAX_CONNS", sqlstore.DefaultMaxConns); err != nil {
		return c, err
	}
	if c.DB.MaxIdleConns, err = envPositive("PANDIAN_DB_MAX_IDLE_CONNS", c.DB.MaxConns); err != nil {
		return c, err
	}
	if c.DB.ConnMaxLifetime, err = time.ParseDuration(env("PANDIAN_DB_CONN_MAX_LIFETIME", sqlstore.DefaultConnMaxLifetime.String())); err != nil {
		return c, fmt.Errorf("PANDIAN_DB_CONN_MAX_LIFETIME: %w", err)
	}
	if c.WebhookAllow, err = alerts.ParseAllowList(env("PANDIAN_WEBHOOK_ALLOW_CIDRS", "")); err != nil {
		return c, fmt.Errorf("PANDIAN_WEBHOOK_ALLOW_CIDRS: %w", err)
	}
	if c.DB.ConnMaxLifetime == 0 {
		c.DB.ConnMaxLifetime = -1 // "0": connections live forever
	}
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (PANDIAN_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory of the embedded defaults (PANDIAN_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "db", c.DatabaseURL, "postgres://… URL; empty = SQLite in the data directory (PANDIAN_DATABASE_URL)")
	fs.StringVar(&c.AdminCode, "admin-code", c.AdminCode, "create this admin employee if missing (PANDIAN_ADMIN_CODE)")
	fs.StringVar(&c.AdminPIN, "admin-pin", c.AdminPIN, "PIN of that admin (PANDIAN_ADMIN_PIN)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo data set into an empty database (PANDIAN_DEMO)")
	fs.BoolVar(&c.Jobs, "jobs", c.Jobs, "run background jobs in this process (PANDIAN_JOBS)")
	fs.IntVar(&c.OCRWorkers, "ocr-workers", c.OCRWorkers, "documents read at once by this process, 0 = none (PANDIAN_OCR_WORKERS)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, nil
}

// webhookPolicy is the address policy of alert webhooks.
func (c config) webhookPolicy() *alerts.AddressPolicy {
	return &alerts.AddressPolicy{Allow: c.WebhookAllow}
}

// databaseURL is PostgreSQL when configured, else SQLite in the data dir.
func (c config) databaseURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "pandian.db")
}

// localAddr turns a listen address into one a client on this machine can
// reach (":8080" → "127.0.0.1:8080").
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
