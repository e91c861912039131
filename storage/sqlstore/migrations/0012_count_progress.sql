-- A count's progress (the count view's scans by status and lines counted)
-- is kept at ingest, in the transaction that inserts the scans, from the
-- rows the insert really added (a replayed event_id adds none): reading it
-- is then a few rows, not a pass over every scan of the count.
--
-- count_progress holds counters per count and scan status, split in
-- stripes: on PostgreSQL each ingest adds to the stripe of its backend
-- (pg_backend_pid() % 64), so replicas ingesting the same count do not
-- queue on one counter row until they commit; SQLite uses stripe 0.
-- Readers sum the stripes. lines (on the 'counted' rows) counts the rows
-- this transaction added to count_lines.
CREATE TABLE count_progress (
    count_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    stripe   INTEGER NOT NULL,
    n        BIGINT NOT NULL,
    suspect  BIGINT NOT NULL,
    lines    BIGINT NOT NULL,
    PRIMARY KEY (count_id, status, stripe)
);

-- The SKUs with at least one counted scan, per count.
CREATE TABLE count_lines (
    count_id TEXT NOT NULL,
    sku      TEXT NOT NULL,
    PRIMARY KEY (count_id, sku)
);

-- Backfill from the scans stored so far.
INSERT INTO count_lines (count_id, sku)
    SELECT DISTINCT count_id, sku FROM scans WHERE status = 'counted';
INSERT INTO count_progress (count_id, status, stripe, n, suspect, lines)
    SELECT count_id, status, 0, COUNT(*), SUM(clock_suspect), 0 FROM scans GROUP BY count_id, status;
UPDATE count_progress SET lines = (SELECT COUNT(*) FROM count_lines l WHERE l.count_id = count_progress.count_id)
    WHERE status = 'counted';
