# pandian — stock counting backend.
#   make run    install what is missing, start the server on SQLite with demo data
#   make test   everything CI runs (vet, OpenAPI lint, unit, end-to-end on SQLite and PostgreSQL, fuzz smoke; in CI the Docker image and compose.yaml too)
#   make docker-test  build the Docker image and run it, alone and as compose.yaml's topology
#   make bench  the benchmarks behind BENCHMARKS.md
#   make soak   the attack campaign at full length, then SOAK (10m) of mixed load with a kill -9 and a database cut

GO        ?= go
DATA_DIR  ?= ./data
# make run listens on loopback only (the README publishes demo PINs);
# ADDR=:8080 for every interface.
ADDR      ?= 127.0.0.1:8080
PG_URL    ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a
# run with a bare "context deadline exceeded" when a -fuzztime duration
# ends while a worker is mid-input (golang/go#75804, fixed in Go 1.27).
# Image decoding targets run about 50 times slower, so they get fewer.
FUZZTIME       ?= 50000x
FUZZTIME_SLOW  ?= 1000x
export PANDIAN_TEST_POSTGRES ?= $(PG_URL)
# MinIO, for the object-store tests (built once from source, cached).
MINIO_VERSION ?= v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN     ?= $(HOME)/.cache/pandian/bin/minio
export PANDIAN_MINIO_BIN ?= $(MINIO_BIN)

.PHONY: all deps test-deps build run test vet openapi-lint unit fuzz postgres minio bench bench-deps soak clean docker-test docker-test-note

all: build

# deps installs what the build needs and is missing: the Go modules, a C
# compiler for cgo (SQLite), libjpeg-turbo's TurboJPEG (photo decoding),
# Tesseract with English and Traditional Chinese and Leptonica (OCR),
# poppler (PDF pages) and the CJK fonts Debian ships: Noto CJK (document
# fixtures), AR PL UMing/UKai and WenQuanYi Zen/Micro Hei (the layout
# families of fixtures/documents/families). It uses
# apt-get only when something is absent.
APT_PKGS := gcc libc6-dev libturbojpeg0-dev libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-chi-tra tesseract-ocr-osd poppler-utils fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-wqy-microhei
deps:
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/dl/"; exit 1; }
	@missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  test -z "$$missing" || { echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; }
	$(GO) mod download

# test-deps installs what only the tests need: Chromium for the browser
# tests of the review pages, PgBouncer for the replicas-behind-PgBouncer
# test (server/pgbouncer_test.go; the package's own service is not started).
TEST_APT_PKGS := chromium pgbouncer
test-deps:
	@missing=$$(for p in $(TEST_APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  test -z "$$missing" || { echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; }

# minio builds the MinIO server that the object-store tests run (once, cached).
minio:
	@test -x $(MINIO_BIN) || { echo "building MinIO $(MINIO_VERSION) (slow, once)"; \
	  GOBIN=$(abspath $(dir $(MINIO_BIN))) $(GO) install github.com/minio/minio@$(MINIO_VERSION); }

build: deps
	CGO_ENABLED=1 $(GO) build -o bin/pandian ./server

run: build
	OMP_THREAD_LIMIT=1 PANDIAN_DATA_DIR=$(DATA_DIR) PANDIAN_ADDR=$(ADDR) PANDIAN_DEMO=1 ./bin/pandian

# postgres makes sure the local PostgreSQL answers (CI machines run one;
# start it if it is installed but stopped).
postgres:
	@if command -v pg_isready >/dev/null; then \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { \
	    echo "starting PostgreSQL"; \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	    for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }; \
	else echo "pg_isready not found: PostgreSQL tests will be skipped outside CI"; fi

# staticcheck, pinned, installed once (from the Go module proxy) when missing.
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK         ?= $(HOME)/.cache/pandian/staticcheck-$(STATICCHECK_VERSION)/staticcheck

# vet: gofmt, go vet, go.mod and go.sum tidy, staticcheck.
vet: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	@test -x $(STATICCHECK) || { echo "installing staticcheck $(STATICCHECK_VERSION)"; \
	  GOBIN=$(abspath $(dir $(STATICCHECK))) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); }
	$(STATICCHECK) ./...

unit: deps test-deps postgres minio
	$(GO) test -count=1 -timeout 30m ./...

# fuzz runs each fuzz target briefly (longer locally:
# make fuzz FUZZTIME=2m FUZZTIME_SLOW=2m).
fuzz: deps
	@for pkg in ./scan/ ./stock/; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    case $$target in *Image*|*JPEG*) budget=$(FUZZTIME_SLOW);; *) budget=$(FUZZTIME);; esac; \
	    echo "fuzz $$pkg $$target ($$budget)"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $$budget -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

# openapi-lint runs Spectral (spectral:oas) and Redocly (recommended) over
# the OpenAPI document: any error or warning fails. Node.js and npm are
# needed; the linters come from the npm registry at the versions pinned in
# tools/openapi-lint (installed once into ~/.cache/pandian).
openapi-lint:
	@command -v npm >/dev/null || { echo "installing Node.js and npm"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	tools/openapi-lint/lint.sh mobile-api/openapi.json

# docker-test builds the Dockerfile and runs the image for real, alone and
# as compose.yaml's topology (PostgreSQL, MinIO, two replicas behind
# HAProxy, an OCR worker), with a private dockerd and stand-in base images
# (no registry is reachable): see deploy/docker-test.sh. Debian's docker.io,
# debootstrap and docker-compose are installed when missing. Cold (base
# images made, about 15 minutes) once; then cached in ~/.cache/pandian/docker.
docker-test: minio
	PANDIAN_MINIO_BIN=$(MINIO_BIN) GO=$(GO) deploy/docker-test.sh

docker-test-note:
	@echo "make test: the Docker checks run in CI (CI=true) or with make docker-test"

test: vet openapi-lint unit fuzz $(if $(filter true,$(CI)),docker-test,docker-test-note)

# bench-deps installs the decoders BenchmarkPhotos compares against (zbarimg
# from zbar-tools, ZXingReader from zxing-cpp-tools) with apt-get, only when
# missing. make test does not need them: the benchmark skips without them.
bench-deps:
	@command -v zbarimg >/dev/null && command -v ZXingReader >/dev/null || { \
	  echo "installing zbar-tools and zxing-cpp-tools for BenchmarkPhotos"; \
	  apt-get update -qq && apt-get install -y -qq zbar-tools zxing-cpp-tools; }

bench: deps postgres bench-deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./server/ ./scan/ | tee bench.out

# soak runs the attack campaign (server/campaign_test.go) with its slow
# cases at full length, then SOAK of mixed load on PostgreSQL and MinIO
# with a kill -9 and a PostgreSQL cut (server/soak_test.go).
SOAK ?= 10m
soak: deps postgres minio
	@PANDIAN_CAMPAIGN_LENGTH=full PANDIAN_SOAK=$(SOAK) $(GO) test -count=1 -v -timeout 90m -run '^(TestCampaign|TestSoak)$$' ./server/ >soak.out 2>&1; \
	  status=$$?; grep -E '^(--- |ok|FAIL|PASS|\| )|^ +--- FAIL|^ +campaign_(scenarios_)?test.go:[0-9]+: |^ +soak_test.go' soak.out | grep -vE 'pending|peak RSS [0-9]+ MiB$$'; \
	  echo "full log: soak.out"; exit $$status

clean:
	rm -rf bin data bench.out soak.out
