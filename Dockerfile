# syntax=docker/dockerfile:1
# Multi-stage build: a cgo build (SQLite now, Tesseract later) and a slim
# runtime that runs as a non-root user.

FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        gcc libc6-dev libtesseract-dev libleptonica-dev libturbojpeg0-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/pandian ./server

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates tzdata libtesseract5 liblept5 libturbojpeg0 tesseract-ocr-eng tesseract-ocr-chi-tra tesseract-ocr-osd poppler-utils \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin pandian \
    && mkdir -p /data && chown pandian:pandian /data
COPY --from=build /out/pandian /usr/local/bin/pandian
USER pandian
ENV PANDIAN_ADDR=:8080 \
    PANDIAN_DATA_DIR=/data \
    OMP_THREAD_LIMIT=1
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pandian"]
