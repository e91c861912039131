-- A scan whose device time cannot be trusted (before its count opened, or
-- after the server received it: a handheld's clock reset after a flat
-- battery) keeps the time it was sent with in scanned_at and is flagged
-- here; the movement rule of snapshot_delta counts then takes its receipt
-- time instead (see stock.Scan.ClockSuspect).
ALTER TABLE scans ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
