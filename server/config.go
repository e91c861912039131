package main

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"time"
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
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
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
	}
	c.PINCost, _ = strconv.Atoi(env("PANDIAN_PIN_COST", "10"))
	ttl, err := time.ParseDuration(env("PANDIAN_TOKEN_TTL", "12h"))
	if err != nil {
		return c, err
	}
	c.TokenTTL = ttl
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (PANDIAN_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory of the embedded defaults (PANDIAN_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "db", c.DatabaseURL, "postgres://… URL; empty = SQLite in the data directory (PANDIAN_DATABASE_URL)")
	fs.StringVar(&c.AdminCode, "admin-code", c.AdminCode, "create this admin employee if missing (PANDIAN_ADMIN_CODE)")
	fs.StringVar(&c.AdminPIN, "admin-pin", c.AdminPIN, "PIN of that admin (PANDIAN_ADMIN_PIN)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo data set into an empty database (PANDIAN_DEMO)")
	fs.BoolVar(&c.Jobs, "jobs", c.Jobs, "run background jobs in this process (PANDIAN_JOBS)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, nil
}

// databaseURL is PostgreSQL when configured, else SQLite in the data dir.
func (c config) databaseURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "pandian.db")
}
