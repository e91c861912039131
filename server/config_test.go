package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// readmeConfigTable returns the PANDIAN_* variables and the -flags named
// in backticks in the README's configuration table.
func readmeConfigTable(t *testing.T) (vars, flags []string) {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	sec, _, _ = strings.Cut(sec, "\n#")
	varRE := regexp.MustCompile("`(PANDIAN_[A-Z0-9_]+)`")
	flagRE := regexp.MustCompile("`-([a-z][a-z0-9-]*)`")
	rows := 0
	for _, line := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(line, "| `PANDIAN_") {
			continue
		}
		rows++
		cells := strings.Split(line, "|")
		for _, m := range varRE.FindAllStringSubmatch(cells[1], -1) {
			vars = append(vars, m[1])
		}
		for _, m := range flagRE.FindAllStringSubmatch(cells[1], -1) {
			flags = append(flags, m[1])
		}
	}
	if rows == 0 {
		t.Fatal("no rows in the README's configuration table")
	}
	return vars, flags
}

// TestConfigREADME: the README's configuration table lists exactly the
// variables (and flags) that loadConfig reads, each once.
func TestConfigREADME(t *testing.T) {
	vars, flags := readmeConfigTable(t)
	var wantVars, wantFlags []string
	for _, s := range settings {
		wantVars = append(wantVars, s.env)
		if s.flag != "" {
			wantFlags = append(wantFlags, s.flag)
		}
	}
	same := func(what string, readme, config []string) {
		for _, v := range config {
			if !slices.Contains(readme, v) {
				t.Errorf("%s %s is read by the config but missing from the README's table", what, v)
			}
		}
		seen := map[string]bool{}
		for _, v := range readme {
			if !slices.Contains(config, v) {
				t.Errorf("%s %s is in the README's table but the config does not read it", what, v)
			}
			if seen[v] {
				t.Errorf("%s %s is listed twice in the README's table", what, v)
			}
			seen[v] = true
		}
	}
	same("variable", vars, wantVars)
	same("flag", flags, wantFlags)
}

// TestConfigOnlyPlace: no code of the server (outside config.go and the
// test-support packages) reads a PANDIAN_* variable by itself.
func TestConfigOnlyPlace(t *testing.T) {
	read := regexp.MustCompile(`(Getenv|LookupEnv)\("PANDIAN_`)
	files := 0
	err := filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if strings.HasPrefix(name, ".") && p != ".." || name == "third_party" || strings.HasSuffix(name, "test") {
				return filepath.SkipDir // .git, vendored code, miniotest-like helpers
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if read.Match(b) {
			t.Errorf("%s reads a PANDIAN_* variable: read it in server/config.go's settings", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files found from ..", files)
	}
}

// TestLoadConfig: defaults, the environment, flags over it, and values
// that do not parse named in the error.
func TestLoadConfig(t *testing.T) {
	load := func(t *testing.T, env map[string]string, args ...string) (config, error) {
		t.Helper()
		for _, s := range settings {
			t.Setenv(s.env, env[s.env]) // empty: unset
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return loadConfig(fs, args)
	}
	t.Run("defaults", func(t *testing.T) {
		c, err := load(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.Demo || !c.Jobs || c.PINCost != 10 ||
			c.TokenTTL != 12*time.Hour || c.SignInAttempts != 5 || c.SignInLock != time.Minute || c.SignInLockMax != time.Hour ||
			c.LogLevel != "info" || c.LogFormat != "json" || c.PprofAddr != "" || c.S3Bucket != "pandian" || c.S3Secure || c.PublicURL != "http://127.0.0.1:8080" ||
			c.OCRWorkers < 1 || c.MaxDocument != 50<<20 || c.MaxUploads != 16 || c.JobStale != 2*time.Minute ||
			c.AlertEvery != 30*time.Second || c.AlertPoll != 0 || c.AlertBaseDelay != 0 {
			t.Errorf("defaults: %+v", c)
		}
	})
	t.Run("environment and flags", func(t *testing.T) {
		c, err := load(t, map[string]string{
			"PANDIAN_ADDR": "127.0.0.1:9000", "PANDIAN_DEMO": "1", "PANDIAN_JOBS": "false", "PANDIAN_PIN_COST": "4",
			"PANDIAN_PPROF_ADDR": "127.0.0.1:6060", "PANDIAN_ALERT_EVERY": "200ms", "PANDIAN_ALERT_POLL": "100ms",
			"PANDIAN_CORS_ORIGINS":     "https://App.example.com/, capacitor://localhost",
			"PANDIAN_ALERT_BASE_DELAY": "1s", "PANDIAN_MAX_DOCUMENT_BYTES": "1000", "PANDIAN_OCR_WORKERS": "3", "PANDIAN_S3_SECURE": "true",
		}, "-addr", ":9100", "-ocr-workers", "0", "-demo=false", "-jobs", "-db", "postgres://x")
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":9100" || c.Demo || !c.Jobs || c.PINCost != 4 || c.PprofAddr != "127.0.0.1:6060" || c.AlertEvery != 200*time.Millisecond ||
			c.AlertPoll != 100*time.Millisecond || c.AlertBaseDelay != time.Second || c.MaxDocument != 1000 || c.OCRWorkers != 0 ||
			!c.S3Secure || c.DatabaseURL != "postgres://x" || c.PublicURL != "http://127.0.0.1:9100" ||
			!slices.Equal(c.CORSOrigins, []string{"https://app.example.com", "capacitor://localhost"}) {
			t.Errorf("environment and flags: %+v", c)
		}
	})
	for env, value := range map[string]string{
		"PANDIAN_MAX_UPLOADS":        "many",
		"PANDIAN_PIN_COST":           "-1",
		"PANDIAN_DEMO":               "yes please",
		"PANDIAN_ALERT_EVERY":        "30",
		"PANDIAN_ALERT_POLL":         "-1s",
		"PANDIAN_TOKEN_TTL":          "forever",
		"PANDIAN_SIGNIN_ATTEMPTS":    "0",
		"PANDIAN_SIGNIN_LOCK_MAX":    "30s",
		"PANDIAN_MAX_DOCUMENT_BYTES": "0",
		"PANDIAN_LOG_FORMAT":         "xml",
		"PANDIAN_LOG_LEVEL":          "loud",
		"PANDIAN_CORS_ORIGINS":       "https://app.example.com/path",
	} {
		t.Run(env, func(t *testing.T) {
			if _, err := load(t, map[string]string{env: value}); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("%s=%q: error %v, want one naming the variable", env, value, err)
			}
		})
	}
	if _, err := load(t, nil, "-ocr-workers", "some"); err == nil {
		t.Error("-ocr-workers some: no error")
	}
}
