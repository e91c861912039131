-- Sign-in throttle (stock/auth.go). One row per employee code as typed
-- (known or not, so that unknown codes behave like real ones) and source:
-- a device, a client address, or '*' for all the sources that never signed
-- in as that employee. failures counts the attempts of the current window,
-- counted before the PIN is checked; when it reaches the limit the source
-- is locked until locked_until (µs) and the next lock lasts twice as long
-- (next_lock, µs). trusted marks a source that signed in successfully: its
-- attempts no longer count on '*'. The columns failures and locked_until of
-- employees are no longer used.
CREATE TABLE signin_throttle (
    code         TEXT {{C}} NOT NULL,
    source       TEXT {{C}} NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    next_lock    BIGINT NOT NULL DEFAULT 0,
    trusted      INTEGER NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (code, source)
);
CREATE INDEX signin_throttle_updated ON signin_throttle (updated_at);
