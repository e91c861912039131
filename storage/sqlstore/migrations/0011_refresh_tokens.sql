-- Sessions that last: a sign-in gives a short access token (sessions) and
-- a long refresh token bound to the device. A refresh rotates both: the
-- refresh token is used once (used_at), its successors share its family;
-- a refresh token presented again after use revokes its whole family (a
-- copied token). Logging an employee out everywhere deletes every session
-- and refresh token of theirs.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family     TEXT NOT NULL,
    employee   TEXT NOT NULL REFERENCES employees (code),
    device_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_employee ON refresh_tokens (employee);
ALTER TABLE sessions ADD COLUMN family TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_family ON sessions (family);
CREATE INDEX sessions_employee ON sessions (employee);
