-- Portable schema: {{...}} tokens are replaced per dialect (see dialect.go).
-- Times are BIGINT microseconds since the Unix epoch; money is BIGINT
-- ten-thousandths of the currency unit.

CREATE TABLE locations (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    parent         TEXT NOT NULL DEFAULT '',
    path           TEXT {{C}} NOT NULL,
    approval_limit BIGINT
);
CREATE INDEX locations_path ON locations (path);

CREATE TABLE skus (
    sku        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_zh    TEXT NOT NULL,
    category   TEXT NOT NULL,
    unit_cost  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX skus_category ON skus (category);

CREATE TABLE barcodes (
    key      TEXT PRIMARY KEY,
    code     TEXT NOT NULL,
    sku      TEXT NOT NULL REFERENCES skus (sku),
    pack_qty BIGINT NOT NULL
);
CREATE INDEX barcodes_sku ON barcodes (sku);

CREATE TABLE employees (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    pin_hash     TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    employee   TEXT NOT NULL REFERENCES employees (code),
    device_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE stock_levels (
    location   TEXT NOT NULL,
    sku        TEXT NOT NULL,
    qty        BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (location, sku)
);

CREATE TABLE movements (
    movement_id TEXT PRIMARY KEY,
    hash        TEXT NOT NULL,
    sku         TEXT NOT NULL,
    location    TEXT NOT NULL,
    qty_delta   BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    ref         TEXT NOT NULL,
    by_employee TEXT NOT NULL,
    version     BIGINT NOT NULL,
    posted_at   BIGINT NOT NULL
);
CREATE INDEX movements_level ON movements (location, sku, version);
CREATE INDEX movements_posted ON movements (posted_at);

CREATE TABLE counts (
    id            TEXT PRIMARY KEY,
    location      TEXT NOT NULL,
    location_path TEXT {{C}} NOT NULL,
    scope         TEXT NOT NULL,
    blind         INTEGER NOT NULL,
    policy        TEXT NOT NULL,
    uncounted     TEXT NOT NULL,
    tolerance     BIGINT NOT NULL,
    status        TEXT NOT NULL,
    round         INTEGER NOT NULL,
    opened_by     TEXT NOT NULL,
    opened_at     BIGINT NOT NULL,
    closed_at     BIGINT,
    posted_at     BIGINT,
    approved_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX counts_path ON counts (location_path);
CREATE INDEX counts_status ON counts (status);
CREATE INDEX counts_closed ON counts (closed_at);

CREATE TABLE count_snapshot (
    count_id TEXT NOT NULL,
    location TEXT NOT NULL,
    sku      TEXT NOT NULL,
    qty      BIGINT NOT NULL,
    version  BIGINT NOT NULL,
    PRIMARY KEY (count_id, location, sku)
);

CREATE TABLE recounts (
    count_id TEXT NOT NULL,
    round    INTEGER NOT NULL,
    sku      TEXT NOT NULL,
    assignee TEXT NOT NULL,
    PRIMARY KEY (count_id, round, sku)
);

-- Who scanned, in which role and zone: a small dictionary, so that scans
-- carry one integer and reports group by it cheaply.
CREATE TABLE scan_actors (
    id       {{SERIAL}},
    employee TEXT NOT NULL,
    role     TEXT NOT NULL,
    zone     TEXT NOT NULL,
    UNIQUE (employee, role, zone)
);

-- Scans are appended in arrival order (seq). The indexes are chosen so that
-- ingest appends to B-trees instead of touching random pages: event_id is
-- the only random key; reports read a count's scans by (count_id, seq).
CREATE TABLE scans (
    seq         {{SERIAL}},
    event_id    TEXT NOT NULL UNIQUE,
    count_id    TEXT NOT NULL,
    round       INTEGER NOT NULL,
    actor       BIGINT NOT NULL,
    status      TEXT NOT NULL,
    sku         TEXT NOT NULL,
    applied_qty BIGINT NOT NULL,
    scanned_at  BIGINT NOT NULL,
    qty         BIGINT NOT NULL,
    pack_qty    BIGINT NOT NULL,
    code        TEXT NOT NULL,
    gtin        TEXT NOT NULL,
    lot         TEXT NOT NULL,
    expiry      TEXT NOT NULL,
    bin         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    pos         INTEGER NOT NULL, -- place in its request: (received_at, pos) is the arrival order
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    hash        TEXT NOT NULL
);
CREATE INDEX scans_count ON scans (count_id, seq);
CREATE INDEX scans_unknown ON scans (count_id, code) WHERE status = 'unknown_code';

-- Reports are derived from scans, snapshot and movements; what an
-- approval decided per line is recorded here.
CREATE TABLE count_postings (
    count_id         TEXT NOT NULL,
    sku              TEXT NOT NULL,
    qty              BIGINT NOT NULL,
    reason           TEXT NOT NULL,
    location         TEXT NOT NULL,
    recount_required INTEGER NOT NULL,
    PRIMARY KEY (count_id, sku)
);

CREATE TABLE audit_log (
    seq     {{SERIAL}},
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    entity  TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log (entity, seq);

CREATE TABLE jobs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    progress   DOUBLE PRECISION NOT NULL,
    actor      TEXT NOT NULL,
    input      {{BLOB}},
    result     {{BLOB}},
    error      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_status ON jobs (status, created_at);
