-- One queue for all background work (package jobs): imports, documents,
-- the SKU folders and the alert deliveries are rows of jobs, claimed with a
-- lease (lease_owner, lease_until) and a fencing token (lease_token, one
-- more at every claim: a runner that was taken over cannot write under its
-- old token), retried at next_at (µs) after attempts. dedup_key makes a
-- job enqueued once (an alert delivery, the recurring folder sync).
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN next_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_token BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX jobs_dedup ON jobs (dedup_key);
CREATE INDEX jobs_due ON jobs (kind, status, next_at);

-- Jobs of the old runners: kinds were prefixes ("doc:<document id>"); a
-- job to retry was dated so that it went stale (claimable) after the
-- default PANDIAN_JOB_STALE (2 min); a running one is taken over when its
-- runner has been silent that long.
UPDATE jobs SET kind = 'document.read' WHERE kind LIKE 'doc:%';
UPDATE jobs SET kind = 'document.file' WHERE kind LIKE 'file:%';
UPDATE jobs SET status = 'retry', next_at = updated_at + 120000000 WHERE status = 'retry';
UPDATE jobs SET lease_owner = 'before-0009', lease_token = 1, lease_until = updated_at + 120000000, attempts = 1
    WHERE status = 'running';
UPDATE jobs SET next_at = created_at WHERE status = 'queued';

-- The alert outbox keeps its deliveries and log; their scheduling moves
-- here (a job per delivery, with the delivery's id). A delivery in flight
-- keeps its lease.
INSERT INTO jobs (id, kind, status, progress, actor, error, created_at, updated_at, attempts, next_at, lease_owner, lease_token, lease_until, dedup_key)
SELECT id, 'alert.deliver',
       CASE WHEN lease_until > 0 THEN 'running' WHEN attempts > 0 THEN 'retry' ELSE 'queued' END,
       0, '', last_error, created_at, updated_at, attempts, next_at, lease_owner,
       CASE WHEN lease_until > 0 THEN 1 ELSE 0 END, lease_until, 'alert:' || id
FROM alert_deliveries WHERE status = 'pending';
