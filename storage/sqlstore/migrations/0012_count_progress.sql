-- A count's progress (the count view's scans by status and lines counted)
-- without a pass over every scan of the count.
--
-- count_progress holds counters per count and scan status, kept at ingest
-- in the transaction that inserts the scans, from the rows the insert
-- really added (a replayed event_id adds none). They are split in stripes:
-- on PostgreSQL each ingest adds to the stripe of its backend
-- (pg_backend_pid() % 64), so replicas ingesting the same count do not
-- queue on one counter row until they commit; SQLite uses stripe 0.
-- Readers sum the stripes.
CREATE TABLE count_progress (
    count_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    stripe   INTEGER NOT NULL,
    n        BIGINT NOT NULL,
    suspect  BIGINT NOT NULL,
    PRIMARY KEY (count_id, status, stripe)
);

-- The SKUs with a counted scan (the count's lines counted) are folded in
-- batches, not per request: every few tens of thousands of scans and at
-- close, with the count locked (no ingest of it in flight), the SKUs of
-- the counted scans after folded_seq go into count_lines and folded_seq
-- moves to the last scan. A reader adds the SKUs of the scans after
-- folded_seq that count_lines does not have yet. (Per request, each new
-- line was a random insert that made SQLite write most pages of the index
-- again at every commit: 4x the bytes of the scans themselves.)
CREATE TABLE count_lines (
    count_id TEXT NOT NULL,
    sku      TEXT NOT NULL,
    PRIMARY KEY (count_id, sku)
);
CREATE TABLE count_lines_folded (
    count_id   TEXT PRIMARY KEY,
    folded_seq BIGINT NOT NULL, -- scans up to this seq are folded
    folded     BIGINT NOT NULL, -- counted scans folded
    lines      BIGINT NOT NULL  -- rows of count_lines
);

-- Backfill from the scans stored so far.
INSERT INTO count_progress (count_id, status, stripe, n, suspect)
    SELECT count_id, status, 0, COUNT(*), SUM(clock_suspect) FROM scans GROUP BY count_id, status;
INSERT INTO count_lines (count_id, sku)
    SELECT DISTINCT count_id, sku FROM scans WHERE status = 'counted';
INSERT INTO count_lines_folded (count_id, folded_seq, folded, lines)
    SELECT count_id, MAX(seq), SUM(CASE WHEN status = 'counted' THEN 1 ELSE 0 END), COUNT(DISTINCT CASE WHEN status = 'counted' THEN sku END)
    FROM scans GROUP BY count_id;
