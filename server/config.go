package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"pandian/alerts"
	"pandian/storage/sqlstore"
)

// config is the server's configuration: environment variables, mirrored by
// some flags (a flag wins). Every variable is one entry of settings below,
// and a row of the README's configuration table (a test checks both).
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
	RefreshTTL  time.Duration
	LogLevel    string
	// LogFormat is "json" (one JSON object a line, default) or "text"
	// (slog's key=value lines, for developers).
	LogFormat string
	// PprofAddr serves Go profiling when set.
	PprofAddr string
	// MetricsAddr serves Prometheus /metrics when set.
	MetricsAddr string
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
	// JobPoll is how often idle job runners look for work (default 1 s;
	// set by tests, not by the environment).
	JobPoll time.Duration
	// JobStale is how long a job's runner may be silent before another
	// takes the job over (default 2 min).
	JobStale time.Duration
	// DB configures this process's PostgreSQL connection pool.
	DB sqlstore.Options
	// WebhookAllowCIDRs is PANDIAN_WEBHOOK_ALLOW_CIDRS as written;
	// WebhookAllow, the address ranges alert webhooks may reach besides
	// public addresses, parsed from it.
	WebhookAllowCIDRs string
	WebhookAllow      []netip.Prefix
	// CORSOriginList is PANDIAN_CORS_ORIGINS as written; CORSOrigins,
	// the web origins whose pages may call the API, parsed from it.
	CORSOriginList string
	CORSOrigins    []string
	// Alerts: how often rules are evaluated, how often the dispatcher
	// looks for due deliveries, and its first retry delay (zero: the
	// defaults of settings and of package alerts).
	AlertEvery, AlertPoll, AlertBaseDelay time.Duration
}

// setting is one environment variable of the configuration.
type setting struct {
	env   string // PANDIAN_…
	def   string // default, parsed like a value; "" leaves the zero value
	flag  string // flag of the same meaning, or ""
	usage string // for the flag's help
	// field returns the config field the value goes to: *string, *bool,
	// *int, *int64 or *time.Duration. Numbers must be ≥ 0 and durations
	// > 0; finer rules are in config.check.
	field func(*config) any
}

// defaultAlertEvery is how often alert rules are evaluated by default.
const defaultAlertEvery = 30 * time.Second

// settings is every environment variable the server reads: adding one is
// one entry here (plus its config field and its README row).
var settings = []setting{
	{"PANDIAN_ADDR", ":8080", "addr", "listen address", func(c *config) any { return &c.Addr }},
	{"PANDIAN_DATA_DIR", "./data", "data", "data directory of the embedded defaults", func(c *config) any { return &c.DataDir }},
	{"PANDIAN_DATABASE_URL", "", "db", "postgres://… URL; empty = SQLite in the data directory", func(c *config) any { return &c.DatabaseURL }},
	{"PANDIAN_ADMIN_CODE", "", "admin-code", "create this admin employee if missing", func(c *config) any { return &c.AdminCode }},
	{"PANDIAN_ADMIN_PIN", "", "admin-pin", "PIN of that admin", func(c *config) any { return &c.AdminPIN }},
	{"PANDIAN_DEMO", "false", "demo", "load the demo data set into an empty database", func(c *config) any { return &c.Demo }},
	{"PANDIAN_JOBS", "true", "jobs", "run background jobs in this process", func(c *config) any { return &c.Jobs }},
	{"PANDIAN_TOKEN_TTL", "12h", "", "", func(c *config) any { return &c.TokenTTL }},
	{"PANDIAN_REFRESH_TTL", "720h", "", "", func(c *config) any { return &c.RefreshTTL }},
	{"PANDIAN_PIN_COST", "10", "", "", func(c *config) any { return &c.PINCost }},
	{"PANDIAN_SIGNIN_ATTEMPTS", "5", "", "", func(c *config) any { return &c.SignInAttempts }},
	{"PANDIAN_SIGNIN_LOCK", "1m", "", "", func(c *config) any { return &c.SignInLock }},
	{"PANDIAN_SIGNIN_LOCK_MAX", "1h", "", "", func(c *config) any { return &c.SignInLockMax }},
	{"PANDIAN_LOG_LEVEL", "info", "", "", func(c *config) any { return &c.LogLevel }},
	{"PANDIAN_LOG_FORMAT", "json", "", "", func(c *config) any { return &c.LogFormat }},
	{"PANDIAN_PPROF_ADDR", "", "", "", func(c *config) any { return &c.PprofAddr }},
	{"PANDIAN_METRICS_ADDR", "", "", "", func(c *config) any { return &c.MetricsAddr }},
	{"PANDIAN_S3_ENDPOINT", "", "", "", func(c *config) any { return &c.S3Endpoint }},
	{"PANDIAN_S3_ACCESS_KEY", "", "", "", func(c *config) any { return &c.S3AccessKey }},
	{"PANDIAN_S3_SECRET_KEY", "", "", "", func(c *config) any { return &c.S3SecretKey }},
	{"PANDIAN_S3_BUCKET", "pandian", "", "", func(c *config) any { return &c.S3Bucket }},
	{"PANDIAN_S3_SECURE", "false", "", "", func(c *config) any { return &c.S3Secure }},
	{"PANDIAN_S3_PUBLIC_ENDPOINT", "", "", "", func(c *config) any { return &c.S3PublicEndpoint }},
	{"PANDIAN_PUBLIC_URL", "", "", "", func(c *config) any { return &c.PublicURL }}, // empty: http:// + the listen address
	{"PANDIAN_FILES_KEY", "", "", "", func(c *config) any { return &c.FilesKey }},
	{"PANDIAN_OCR_WORKERS", strconv.Itoa(runtime.GOMAXPROCS(0)), "ocr-workers", "documents read at once by this process, 0 = none", func(c *config) any { return &c.OCRWorkers }},
	{"PANDIAN_MAX_DOCUMENT_BYTES", strconv.Itoa(50 << 20), "", "", func(c *config) any { return &c.MaxDocument }},
	{"PANDIAN_MAX_UPLOADS", "16", "", "", func(c *config) any { return &c.MaxUploads }},
	{"PANDIAN_MAX_UPLOADS_PER_EMPLOYEE", "4", "", "", func(c *config) any { return &c.MaxUploadsPerEmployee }},
	{"PANDIAN_UPLOAD_MIN_RATE", "8192", "", "", func(c *config) any { return &c.UploadMinRate }},
	{"PANDIAN_UPLOAD_RATE_WINDOW", "10s", "", "", func(c *config) any { return &c.UploadRateWindow }},
	{"PANDIAN_PDF_CHECK_TIMEOUT", "10s", "", "", func(c *config) any { return &c.PDFCheckTimeout }},
	{"PANDIAN_JOB_STALE", "2m", "", "", func(c *config) any { return &c.JobStale }},
	{"PANDIAN_DB_MAX_CONNS", strconv.Itoa(sqlstore.DefaultMaxConns), "", "", func(c *config) any { return &c.DB.MaxConns }},
	{"PANDIAN_DB_MAX_IDLE_CONNS", "", "", "", func(c *config) any { return &c.DB.MaxIdleConns }}, // empty: PANDIAN_DB_MAX_CONNS
	{"PANDIAN_DB_CONN_MAX_LIFETIME", sqlstore.DefaultConnMaxLifetime.String(), "", "", func(c *config) any { return &c.DB.ConnMaxLifetime }},
	{"PANDIAN_WEBHOOK_ALLOW_CIDRS", "", "", "", func(c *config) any { return &c.WebhookAllowCIDRs }},
	{"PANDIAN_CORS_ORIGINS", "", "", "", func(c *config) any { return &c.CORSOriginList }},
	{"PANDIAN_ALERT_EVERY", defaultAlertEvery.String(), "", "", func(c *config) any { return &c.AlertEvery }},
	{"PANDIAN_ALERT_POLL", "", "", "", func(c *config) any { return &c.AlertPoll }},            // empty: alerts.Dispatcher's (1 s)
	{"PANDIAN_ALERT_BASE_DELAY", "", "", "", func(c *config) any { return &c.AlertBaseDelay }}, // empty: alerts.Dispatcher's (10 s)
}

// set parses v into the setting's field of c.
func (s setting) set(c *config, v string) error {
	bad := func(want string) error { return fmt.Errorf("%s=%q: want %s", s.env, v, want) }
	switch p := s.field(c).(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return bad("true or false")
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("a whole number ≥ 0")
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return bad("a whole number ≥ 0")
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return bad(`a positive duration such as "30s" or "2m"`)
		}
		*p = d
	default:
		panic(fmt.Sprintf("setting %s: unsupported field type %T", s.env, p))
	}
	return nil
}

// loadConfig reads the environment (an empty variable is unset) and then
// the flags of args.
func loadConfig(fs *flag.FlagSet, args []string) (config, error) {
	var c config
	for _, s := range settings {
		v := s.def
		if e, ok := os.LookupEnv(s.env); ok && e != "" {
			v = e
		}
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			return c, err
		}
	}
	for _, s := range settings {
		if s.flag == "" {
			continue
		}
		usage := fmt.Sprintf("%s (%s)", s.usage, s.env)
		if s.def != "" {
			usage = fmt.Sprintf("%s (%s, default %s)", s.usage, s.env, s.def)
		}
		set := func(v string) error { return s.set(&c, v) }
		if _, isBool := s.field(&c).(*bool); isBool {
			fs.BoolFunc(s.flag, usage, set)
		} else {
			fs.Func(s.flag, usage, set)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + localAddr(c.Addr)
	}
	if c.DB.MaxIdleConns == 0 {
		c.DB.MaxIdleConns = c.DB.MaxConns
	}
	var err error
	if c.WebhookAllow, err = alerts.ParseAllowList(c.WebhookAllowCIDRs); err != nil {
		return c, fmt.Errorf("PANDIAN_WEBHOOK_ALLOW_CIDRS: %w", err)
	}
	if c.CORSOrigins, err = parseOrigins(c.CORSOriginList); err != nil {
		return c, fmt.Errorf("PANDIAN_CORS_ORIGINS: %w", err)
	}
	return c, c.check()
}

// check enforces the rules that span settings or narrow one.
func (c config) check() error {
	switch {
	case c.SignInAttempts < 1:
		return errors.New("PANDIAN_SIGNIN_ATTEMPTS: want a positive number")
	case c.SignInLockMax < c.SignInLock:
		return errors.New("PANDIAN_SIGNIN_LOCK_MAX: want a duration of at least PANDIAN_SIGNIN_LOCK")
	case c.MaxDocument < 1:
		return errors.New("PANDIAN_MAX_DOCUMENT_BYTES: want a positive number")
	case c.DB.MaxConns < 1:
		return errors.New("PANDIAN_DB_MAX_CONNS: want a whole number of at least 1")
	case c.LogFormat != "json" && c.LogFormat != "text":
		return fmt.Errorf("PANDIAN_LOG_FORMAT=%q: want json or text", c.LogFormat)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("PANDIAN_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel)
	}
	return nil
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

// webhookPolicy is the address policy of alert webhooks.
func (c config) webhookPolicy() *alerts.AddressPolicy {
	return &alerts.AddressPolicy{Allow: c.WebhookAllow}
}

// parseOrigins reads a comma-separated list of web origins, each a scheme
// and a host with an optional port ("https://app.example.com",
// "capacitor://localhost", "http://localhost:5173"), nothing else.
func parseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || o == "*" {
			return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port], such as https://app.example.com", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}
