-- Alerts (package alerts): rules with their targets, the outbox of
-- deliveries and the log of their attempts. Portable schema with
-- {{...}} tokens (see dialect.go).

-- targets is a JSON array of {id, kind, url, secret}: webhook URLs and
-- signing secrets are credentials, stored as given; the API never returns
-- them (alerts.RuleView).
CREATE TABLE alert_rules (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    threshold  TEXT NOT NULL,
    min_qty    BIGINT NOT NULL DEFAULT 0,
    days       INTEGER NOT NULL DEFAULT 0,
    min_lines  INTEGER NOT NULL DEFAULT 0,
    location   TEXT NOT NULL DEFAULT '',
    enabled    INTEGER NOT NULL,
    targets    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per alert and target; dedup_key (rule|subject|target) makes an
-- alert enqueued once. Ids sort by creation time.
CREATE TABLE alert_deliveries (
    id           TEXT {{C}} PRIMARY KEY,
    dedup_key    TEXT NOT NULL UNIQUE,
    rule_id      TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    subject      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    delivered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_at);
CREATE INDEX alert_deliveries_rule ON alert_deliveries (rule_id, id);

CREATE TABLE alert_attempts (
    id          {{SERIAL}},
    delivery_id TEXT NOT NULL REFERENCES alert_deliveries (id),
    attempt     INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    duration_us BIGINT NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    worker      TEXT NOT NULL
);
CREATE INDEX alert_attempts_delivery ON alert_attempts (delivery_id, id);
