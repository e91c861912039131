# pandian — stock counting backend.
#   make run    install what is missing, start the server on SQLite with demo data
#   make test   everything CI runs (vet, unit, end-to-end on SQLite and PostgreSQL, fuzz smoke)
#   make bench  the benchmarks behind BENCHMARKS.md

GO        ?= go
DATA_DIR  ?= ./data
ADDR      ?= :8080
PG_URL    ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
FUZZTIME  ?= 5s
export PANDIAN_TEST_POSTGRES ?= $(PG_URL)

.PHONY: all deps build run test vet unit fuzz postgres bench bench-deps clean

all: build

# deps installs what the build needs and is missing: the Go modules, a C
# compiler for cgo (SQLite) and libjpeg-turbo's TurboJPEG (photo decoding).
# It uses apt-get only when something is absent.
deps:
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/dl/"; exit 1; }
	@command -v gcc >/dev/null || { echo "installing gcc for cgo"; apt-get update -qq && apt-get install -y -qq gcc libc6-dev; }
	@test -f /usr/include/turbojpeg.h || { echo "installing libturbojpeg0-dev for JPEG decoding"; apt-get update -qq && apt-get install -y -qq libturbojpeg0-dev; }
	$(GO) mod download

build: deps
	CGO_ENABLED=1 $(GO) build -o bin/pandian ./server

run: build
	PANDIAN_DATA_DIR=$(DATA_DIR) PANDIAN_ADDR=$(ADDR) PANDIAN_DEMO=1 ./bin/pandian

# postgres makes sure the local PostgreSQL answers (CI machines run one;
# start it if it is installed but stopped).
postgres:
	@if command -v pg_isready >/dev/null; then \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { \
	    echo "starting PostgreSQL"; \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	    for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }; \
	else echo "pg_isready not found: PostgreSQL tests will be skipped outside CI"; fi

vet: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

unit: deps postgres
	$(GO) test -count=1 -timeout 30m ./...

# fuzz runs each fuzz target briefly (longer locally: make fuzz FUZZTIME=2m).
fuzz: deps
	@for pkg in ./scan/ ./stock/; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

test: vet unit fuzz

# bench-deps installs the decoders BenchmarkPhotos compares against (zbarimg
# from zbar-tools, ZXingReader from zxing-cpp-tools) with apt-get, only when
# missing. make test does not need them: the benchmark skips without them.
bench-deps:
	@command -v zbarimg >/dev/null && command -v ZXingReader >/dev/null || { \
	  echo "installing zbar-tools and zxing-cpp-tools for BenchmarkPhotos"; \
	  apt-get update -qq && apt-get install -y -qq zbar-tools zxing-cpp-tools; }

bench: deps postgres bench-deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./server/ ./scan/ | tee bench.out

clean:
	rm -rf bin data bench.out
